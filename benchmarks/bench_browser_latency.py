"""Every widget in the browser: slider key press → its picture replaced (goal ≤ 100 ms p95).

    python benchmarks/bench_browser_latency.py            # print the table
    python benchmarks/bench_browser_latency.py --write    # also update benchmarks/RESULTS.md
    python benchmarks/bench_browser_latency.py --screenshots build/screens

The collection has two widgets: the latent-space explorer (notebook 12, and the Voilà demo app
of `make demo`) and the ELBO-gap widget (notebook 04). Drives Debian's chromium (Playwright,
see tests/browser_helpers.py) against JupyterLab (the notebook, Run All) and the Voilà app.
After one untimed warm-up press, each of ``--presses`` ArrowRight presses on a slider (the
explorer's z₁, the gap widget's μ̃) is timed in the page, from the keydown event to (a) the
picture's new ``src`` (the kernel's PNG has arrived and is set) and (b) the new image decoded
and ready to paint; presses are ``--gap`` ms apart so each starts from a quiet kernel. Needs
chromium: `make browser-deps`.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parent))  # for _results
import numpy as np
from _results import write_section as _write_section  # noqa: E402


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
import browser_helpers as bh  # noqa: E402


RESULTS = Path(__file__).with_name("RESULTS.md")
HEADING = "## Widget latency in the browser"
OLD_HEADING = "## Latent explorer latency in the browser"
GAP_NOTEBOOK = ROOT / "notebooks" / "04_elbo.ipynb"
GOAL_MS = 100.0


def _presses(page, n: int, gap_ms: int, **where) -> dict[str, np.ndarray]:
    bh.press_slider_and_time(page, **where)          # warm-up, not timed
    page.wait_for_timeout(1000)
    src, load = [], []
    for _ in range(n):
        r = bh.press_slider_and_time(page, **where)
        if not r["src_changed"]:
            raise AssertionError("the decoded image did not change after a key press")
        src.append(r["src_ms"])
        load.append(r["load_ms"])
        page.wait_for_timeout(gap_ms)
    return {"src": np.array(src), "load": np.array(load)}


def run(presses: int = 30, gap_ms: int = 250, screenshots: str | None = None) -> dict:
    reason = bh.missing_browser_reason()
    if reason:
        print(f"skipped: {reason}")
        raise SystemExit(0)
    out: dict = {}
    t0 = time.perf_counter()
    with bh.serve("lab") as server, bh.browser_page() as page, bh.explained(page, server):
        bh.open_and_run_all(page, server.base, server.name)
        bh.wait_for_explorer(page)
        out["explorer, JupyterLab (notebook 12)"] = _presses(page, presses, gap_ms)
        if screenshots:
            Path(screenshots).mkdir(parents=True, exist_ok=True)
            page.locator(".vae-explorer").first.screenshot(path=f"{screenshots}/lab.png")
    with (bh.serve("lab", GAP_NOTEBOOK) as server, bh.browser_page() as page,
          bh.explained(page, server)):
        bh.open_and_run_all(page, server.base, server.name)
        bh.wait_for_gap_widget(page)
        out["ELBO-gap widget, JupyterLab (notebook 04)"] = _presses(
            page, presses, gap_ms, css=".vae-gap-mu", img_css=bh.GAP_IMAGE)
        if screenshots:
            page.locator(".vae-gap-widget").first.screenshot(path=f"{screenshots}/gap.png")
    with (bh.serve("voila", bh.demo_notebook()) as server, bh.browser_page() as page,
          bh.explained(page, server)):
        page.goto(server.base)
        bh.wait_for_explorer(page)
        out["explorer, Voilà demo app"] = _presses(page, presses, gap_ms)
        if screenshots:
            page.screenshot(path=f"{screenshots}/voila.png", full_page=True)
    return {"times": out, "presses": presses, "gap": gap_ms, "load": os.getloadavg(),
            "cpus": os.cpu_count(), "machine": platform.machine(),
            "seconds": time.perf_counter() - t0}


def report(r: dict) -> str:
    rows = ["| where | keydown → new image src, p50 / p95 / max (ms) "
            "| keydown → image decoded, p50 / p95 / max (ms) |", "|---|---|---|"]
    verdicts = []
    for where, t in r["times"].items():
        cells = []
        for key in ("src", "load"):
            p50, p95 = np.percentile(t[key], [50, 95])
            cells.append(f"{p50:.0f} / {p95:.0f} / {t[key].max():.0f}")
        rows.append(f"| {where} | {cells[0]} | {cells[1]} |")
        p50 = float(np.percentile(t["load"], 50))
        p95 = float(np.percentile(t["load"], 95))
        verdicts.append(f"{where}: median {p50:.0f} ms, p95 {p95:.0f} ms "
                        f"({'meets' if p95 <= GOAL_MS else 'MISSES'} the ≤ {GOAL_MS:.0f} ms "
                        f"goal at p95{'' if p50 <= GOAL_MS else '; MISSES it at the median'})")
    load = ", ".join(f"{x:.1f}" for x in r["load"])
    return "\n".join([
        HEADING, "",
        f"`python benchmarks/bench_browser_latency.py --write` — Debian chromium (headless, "
        f"software rendering) via Playwright; {r['presses']} ArrowRight presses on a slider "
        f"(explorer: z₁; gap widget: μ̃), {r['gap']} ms apart, after one untimed warm-up; timed in the page from the "
        f"keydown event. {r['machine']}, {r['cpus']} CPUs shared by browser, server and kernel; "
        f"load average {load} (1/5/15 min) at the end.", "",
        *rows, "",
        "Slider → new picture in the browser: " + "; ".join(verdicts) + ". A benchmark, not "
        "a test assertion: the figures move with the machine's load.",
    ])


def write_section(text: str, path: Path = RESULTS) -> None:
    """Replace this benchmark's section of RESULTS.md (or append it), keeping the others."""
    if path.exists() and OLD_HEADING in path.read_text(encoding="utf-8"):
        _write_section(text, path, heading=OLD_HEADING)    # the section's former name
    else:
        _write_section(text, path, heading=HEADING)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    parser.add_argument("--presses", type=int, default=30)
    parser.add_argument("--gap", type=int, default=250, help="ms between presses")
    parser.add_argument("--screenshots", metavar="DIR", help="save screenshots of both pages")
    args = parser.parse_args()
    text = report(run(args.presses, args.gap, args.screenshots))
    print(text)
    if args.write:
        write_section(text)
        print(f"wrote {RESULTS}")
