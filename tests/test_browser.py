"""Notebooks 12 and 04 in a real browser: JupyterLab (Run All, widgets render, a slider redraws the
decoded image, no cell shows an error; the same widgets in a RISE slideshow) and the Voilà demo
(`make demo`: code hidden, slider works). Drives Debian's chromium through Playwright; skipped, with the reason, when chromium or
the Jupyter stack is missing (`make browser-deps` installs chromium).

The in-browser slider → image latency is measured by ``benchmarks/bench_browser_latency.py``
(a benchmark, not a timed assertion here).
"""
import browser_helpers as bh
import pytest


pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(bh.missing_browser_reason() is not None,
                                 reason=str(bh.missing_browser_reason()))]


def _assert_explorer_works(page) -> None:
    """Widgets rendered, and one ArrowRight on the z₁ slider redraws the decoded image."""
    bh.wait_for_explorer(page)
    page.wait_for_function("() => !document.body.innerText.includes('Loading widget...')",
                           timeout=30_000)
    assert bh.loading_placeholders(page) == 0, "a widget is stuck at 'Loading widget...'"
    assert page.locator(".vae-z2 .noUi-handle").count() == 1
    assert page.locator("img.vae-strip").count() == 1
    assert page.locator("img.vae-prior").count() == 1
    before_pixels, before_readout = bh.image_bytes(page), bh.slider_readout(page)
    result = bh.press_slider_and_time(page)
    assert result["src_changed"], "the decoded image was not replaced after the slider moved"
    assert result["readout"] != before_readout, "the slider did not move"
    page.wait_for_timeout(300)  # let chromium paint the new image
    assert bh.image_bytes(page) != before_pixels, "the decoded image looks the same"
    assert "cf222e" not in (page.locator(".vae-message").first.inner_html()), \
        "the explorer shows an error message"


def test_lab_run_all_renders_widgets_and_slider_redraws_image():
    with bh.serve("lab") as server, bh.browser_page() as page, bh.explained(page, server):
        bh.open_and_run_all(page, server.base, server.name)
        assert bh.error_outputs(page) == [], "a cell shows an error"
        _assert_explorer_works(page)
        # the rest of the notebook rendered too: static figures and checker verdicts
        assert page.locator(".jp-RenderedImage img").count() >= 6
        assert page.get_by_text("Prior quantile grid: correct").count() == 1
        # slides mode: RISE shows live widgets (needs the ipywidgets 8.1.2 /
        # jupyterlab_widgets 3.0.10 pins of constraints.txt), not their text repr
        rise = bh.open_rise_at_explorer(page)
        assert "VBox(children" not in rise.locator("body").inner_text()
        before = rise.locator("img.vae-decoded").first.get_attribute("src")
        rise.locator(".vae-z1 .noUi-target").first.click()  # keys would go to reveal.js
        page.wait_for_function(
            """([sel, old]) => { const f = document.querySelector('.jp-MainAreaWidget iframe');
                 const i = f && f.contentDocument.querySelector(sel);
                 return i && i.getAttribute('src') !== old; }""",
            arg=["img.vae-decoded", before], timeout=30_000)


def test_voila_demo_hides_code_and_slider_works():
    with (bh.serve("voila", bh.demo_notebook()) as server, bh.browser_page() as page,
          bh.explained(page, server)):
        page.goto(server.base)
        _assert_explorer_works(page)
        assert page.locator(".jp-InputArea-editor, .CodeMirror, .cm-editor").count() == 0
        text = page.locator("body").inner_text()
        assert "Latent-space explorer" in text, "the app's title is missing"
        assert "load_many" not in text and "import torch" not in text, \
            "notebook code is visible in the Voila app"


def test_lab_gap_widget_redraws_its_picture():
    """Notebook 04's ELBO-gap widget: Run All, then one ArrowRight on μ̃ replaces the picture."""
    with (bh.serve("lab", bh.ROOT / "notebooks" / "04_elbo.ipynb") as server,
          bh.browser_page() as page, bh.explained(page, server)):
        bh.open_and_run_all(page, server.base, server.name)
        assert bh.error_outputs(page) == [], "a cell shows an error"
        bh.wait_for_gap_widget(page)
        assert bh.loading_placeholders(page) == 0, "a widget is stuck at 'Loading widget...'"
        before_pixels = bh.image_bytes(page, bh.GAP_IMAGE)
        before_readout = bh.slider_readout(page, ".vae-gap-mu")
        result = bh.press_slider_and_time(page, css=".vae-gap-mu", img_css=bh.GAP_IMAGE)
        assert result["src_changed"], "the gap picture was not replaced after μ̃ moved"
        assert result["readout"] != before_readout, "the μ̃ slider did not move"
        page.wait_for_timeout(300)
        assert bh.image_bytes(page, bh.GAP_IMAGE) != before_pixels, "the picture looks the same"
        assert "log p(x) =" in page.locator(".vae-gap-widget").first.inner_text()
