"""Drive the latent explorer in a real browser: JupyterLab or Voilà + Debian's chromium.

Shared by ``tests/test_browser.py`` (asserts) and ``benchmarks/bench_browser_latency.py``
(timings). Playwright drives the system ``chromium`` (``apt-get install chromium``; never
``playwright install``). Servers run on a free local port, as root with ``--allow-root``,
with a throw-away ``JUPYTER_CONFIG_DIR`` (no saved workspace) on a *copy* of the notebook, so
Lab's autosave never touches ``notebooks/``.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple


ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "12_latent_space_explorer.ipynb"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"]
BIN = Path(sys.executable).parent

#: JS: wait until the decoded image's src changes after the next keydown; resolves to
#: {src_ms, load_ms}: keydown → new src set by the widget, keydown → new image decoded.
_ARM_LATENCY = """(sel) => {
  const img = document.querySelector(sel);
  const old = img.getAttribute('src');
  window.__lat = null;
  let t0 = null;
  document.addEventListener('keydown', () => { t0 = performance.now(); },
                            {capture: true, once: true});
  const obs = new MutationObserver(() => {
    if (t0 === null || img.getAttribute('src') === old) return;
    obs.disconnect();
    const src_ms = performance.now() - t0;
    const done = () => { window.__lat = {src_ms, load_ms: performance.now() - t0}; };
    if (img.complete && img.naturalWidth) { img.decode().then(done, done); }
    else { img.addEventListener('load', done, {once: true}); }
  });
  obs.observe(img, {attributes: true, attributeFilter: ['src']});
}"""


def missing_browser_reason() -> str | None:
    """Why the browser tests cannot run here (None when they can)."""
    if not Path(CHROMIUM).exists():
        return (f"{CHROMIUM} not found: install Debian's chromium (`make browser-deps`, or "
                f"`apt-get install -y chromium` as root)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed: pip install -c constraints.txt -e '.[dev]'"
    for tool in ("jupyter-lab", "voila"):
        if not (BIN / tool).exists():
            return f"{BIN / tool} not found: pip install -c constraints.txt -e '.[dev]'"
    if not NOTEBOOK.exists():
        return f"{NOTEBOOK} not built yet: python -m vae_teach.tools.nbbuild 10"
    return None


def demo_notebook() -> Path:
    """The `make demo` app notebook (vae_teach.tools.demo), written to a fresh temporary folder."""
    from vae_teach.tools.demo import write_app

    return write_app(tempfile.mkdtemp(prefix="vae-demo-"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.2)
    raise TimeoutError(f"no server on port {port} after {timeout} s:\n{log.read_text()[-3000:]}")


class Server(NamedTuple):
    """A running Lab/Voilà: its URL, the notebook's file name, and its log file."""

    base: str
    name: str
    log: Path

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


@contextlib.contextmanager
def serve(app: str, notebook: Path = NOTEBOOK, timeout: float = 60.0, also=()):
    """Start ``app`` ("lab" or "voila") on a copy of ``notebook`` (and of the notebooks
    ``also``, served from the same folder); yields a ``Server``."""
    work = Path(tempfile.mkdtemp(prefix="vae-browser-"))
    for path in (notebook, *also):
        shutil.copy(path, work / Path(path).name)
    config = work / "jupyter-config"
    config.mkdir()
    port = free_port()
    root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    if app == "lab":
        cmd = [str(BIN / "jupyter-lab"), "--no-browser", f"--port={port}", "--ip=127.0.0.1",
               "--ServerApp.token=", "--ServerApp.password=", f"--ServerApp.root_dir={work}",
               "--LabApp.news_url=None", "--LabApp.check_for_updates_class="
               "jupyterlab.NeverCheckForUpdate", *root]
    elif app == "voila":
        cmd = [str(BIN / "voila"), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
               str(work / notebook.name)]
    else:
        raise ValueError(f"app must be 'lab' or 'voila', got {app!r}.")
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config), "PYTHONUNBUFFERED": "1"}
    env.pop("MPLBACKEND", None)
    log = work / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        _wait_for_port(port, proc, log, timeout)
        yield Server(f"http://127.0.0.1:{port}", notebook.name, log)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        shutil.rmtree(work, ignore_errors=True)


@contextlib.contextmanager
def browser_page(width: int = 1400, height: int = 1000):
    """A fresh chromium page (Playwright gives every launch a new temporary profile)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(60_000)
            yield page
        finally:
            browser.close()


def open_and_run_all(page, base: str, name: str, timeout_ms: int = 120_000) -> None:
    """Open the notebook in JupyterLab, wait for a truly idle kernel, Run All, wait until done.

    Waits on the status bar's "(ipykernel) | Idle", not the toolbar indicator, which turns
    idle while the kernel is still initialising (compat.md, "false idle").
    """
    page.goto(f"{base}/lab/tree/{name}?reset")
    idle = page.locator(".jp-StatusBar-TextItem", has_text="(ipykernel) | Idle")
    idle.wait_for(timeout=timeout_ms)
    with contextlib.suppress(Exception):
        page.locator(".jp-toast-button", has_text="No").click(timeout=500)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.get_by_text("Run All Cells", exact=True).click()
    page.wait_for_function("""() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
        .every(p => /\\[\\d+\\]/.test(p.textContent))""", timeout=timeout_ms)
    idle.wait_for(timeout=timeout_ms)


@contextlib.contextmanager
def explained(page, server: Server):
    """Re-raise any failure inside with what the page shows and the server's log tail."""
    try:
        yield
    except Exception as exc:
        try:
            text = page.locator("body").inner_text(timeout=5000)[-2000:]
        except Exception as inner:  # the page itself may be gone
            text = f"(page text unavailable: {inner})"
        raise AssertionError(f"{type(exc).__name__}: {exc}\n--- page text (end) ---\n{text}"
                             f"\n--- server log (end) ---\n{server.log_tail()}") from exc


def open_rise_at_explorer(page, timeout_ms: int = 60_000):
    """Select the explorer's cell and run "Render as Reveal Slideshow" (jupyterlab-rise), which
    opens the slides in a preview at that cell's slide; returns the preview's frame locator."""
    cell = page.locator(".jp-CodeCell", has=page.locator(".vae-explorer")).first
    cell.locator(".jp-InputPrompt").first.click()
    page.keyboard.press("Control+Shift+C")
    page.locator(".lm-CommandPalette-input").fill("Render as Reveal Slideshow")
    page.locator(".lm-CommandPalette-item", has_text="Render as Reveal Slideshow").first.click()
    frame = page.frame_locator(".jp-MainAreaWidget iframe")
    frame.locator(".vae-z1 .noUi-handle").first.wait_for(timeout=timeout_ms)
    # reveal.js's .aria-status live region keeps a copy of the slide's text as first shown
    # (with the placeholder), so look only inside output areas
    frame.locator("body").evaluate(
        """b => new Promise((ok, fail) => { const t0 = Date.now(); (function poll() {
             const stuck = [...b.querySelectorAll('.jp-OutputArea-output')]
               .some(e => e.textContent.includes('Loading widget...'));
             if (!stuck) return ok();
             if (Date.now() - t0 > 30000) return fail(new Error('Loading widget... stays'));
             setTimeout(poll, 200); })(); })""")
    return frame


def error_outputs(page) -> list[str]:
    """Texts of error outputs (tracebacks) shown under any cell."""
    return page.eval_on_selector_all(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
        "els => els.map(e => e.textContent).filter(t => /Traceback|Error/.test(t))")


def wait_for_explorer(page, timeout_ms: int = 120_000) -> None:
    """Wait until the explorer's widgets (slider, decoded image, map canvas) are rendered."""
    page.locator(".vae-z1 .noUi-handle").first.wait_for(timeout=timeout_ms)
    page.wait_for_function("""() => { const i = document.querySelector('img.vae-decoded');
        return i && i.getAttribute('src') && i.complete && i.naturalWidth > 0; }""",
                           timeout=timeout_ms)
    page.locator(".vae-map canvas").first.wait_for(timeout=timeout_ms)


def loading_placeholders(page) -> int:
    """How many "Loading widget..." placeholders are still on the page."""
    return page.get_by_text("Loading widget...").count()


def slider_readout(page, css: str = ".vae-z1") -> str:
    return page.locator(f"{css} .widget-readout").first.inner_text().strip()


def press_slider_and_time(page, key: str = "ArrowRight", css: str = ".vae-z1",
                          timeout_ms: int = 30_000, img_css: str = "img.vae-decoded") -> dict:
    """Press ``key`` on the slider ``css``; return {src_ms, load_ms, readout, src_changed}.

    The clock starts at the page's keydown and stops when the image ``img_css``'s ``src``
    changes (src_ms) and when the new image is decoded (load_ms).
    """
    before = page.get_attribute(img_css, "src")
    page.evaluate(_ARM_LATENCY, img_css)
    page.locator(f"{css} .noUi-handle").first.focus()
    page.keyboard.press(key)
    page.wait_for_function("() => window.__lat !== null", timeout=timeout_ms)
    result = page.evaluate("() => window.__lat")
    result["readout"] = slider_readout(page, css)
    result["src_changed"] = page.get_attribute(img_css, "src") != before
    return result


GAP_IMAGE = "img.vae-gap-image"


def wait_for_gap_widget(page, timeout_ms: int = 120_000) -> None:
    """Wait until 04's ELBO-gap widget (μ̃ slider and its picture) is rendered."""
    page.locator(".vae-gap-mu .noUi-handle").first.wait_for(timeout=timeout_ms)
    page.wait_for_function("""(sel) => { const i = document.querySelector(sel);
        return i && i.getAttribute('src') && i.complete && i.naturalWidth > 0; }""",
                           arg=GAP_IMAGE, timeout=timeout_ms)


def image_bytes(page, css: str = "img.vae-decoded") -> bytes:
    """A screenshot of the decoded image as the user sees it."""
    return page.locator(css).first.screenshot()


#: JS: the slide on screen in a RISE deck (the innermost present section) and how it fits
_SLIDE_FIT = """() => {
  const present = [...document.querySelectorAll('.reveal .slides section.present')];
  const s = present.filter(e => !e.querySelector('section.present')).pop();
  if (!s) return null;
  let wide = 0;
  for (const e of s.querySelectorAll('*')) {
    const ox = getComputedStyle(e).overflowX;
    if ((ox === 'auto' || ox === 'scroll') && e.scrollWidth > e.clientWidth + 2)
      wide = Math.max(wide, e.scrollWidth - e.clientWidth);
  }
  return {where: location.hash, height: s.scrollHeight, width: s.scrollWidth, wide,
          text: s.innerText.trim().slice(0, 80)};
}"""


def rise_slides(page, base: str, name: str, max_slides: int = 200) -> list[dict]:
    """Open ``name`` as a RISE slideshow and step through it (Space = next slide or
    sub-slide); returns, per slide, {where, height, width, wide, text} as measured on screen."""
    page.goto(f"{base}/rise/{name}")
    page.wait_for_selector(".reveal .slides section.present", timeout=120_000)
    page.wait_for_function("() => !document.body.innerText.includes('Loading widget...')",
                           timeout=30_000)
    page.wait_for_timeout(1500)      # MathJax typesets after the slides appear
    slides: list[dict] = []
    for _ in range(max_slides):
        m = page.evaluate(_SLIDE_FIT)
        if m is None or (slides and m["where"] == slides[-1]["where"]):
            break
        slides.append(m)
        page.keyboard.press("Space")
        page.wait_for_timeout(250)
    return slides
