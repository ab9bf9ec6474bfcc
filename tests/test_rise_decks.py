"""The class deck on a 1280×720 projector: every slide of every notebook in the class plan fits.

Each notebook of docs/lecturer.md's plan is opened as a RISE slideshow in chromium at
1280×720 and stepped through, slide by slide (``tools/deck.py`` packs cells onto slides by
their estimated height; this measures the real one): no slide may be taller or wider than
the screen, nothing may need a horizontal scroll bar, and the slides are the plan's sections
(the others are skipped).
"""
import browser_helpers as bh
import nbformat
import pytest

from vae_teach.course import LECTURE, lecture_sections
from vae_teach.tools.deck import HEIGHT, WIDTH


pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(bh.missing_browser_reason() is not None,
                                 reason=str(bh.missing_browser_reason()))]

NOTEBOOKS = bh.ROOT / "notebooks"
DECKS = sorted({s.notebook for s in LECTURE if s.notebook})


@pytest.fixture(scope="module")
def slides():
    """{notebook: its measured slides}, all decks served by one JupyterLab."""
    paths = [NOTEBOOKS / name for name in DECKS]
    out = {}
    with (bh.serve("lab", paths[0], also=paths[1:]) as server,
          bh.browser_page(WIDTH, HEIGHT) as page, bh.explained(page, server)):
        for name in DECKS:
            out[name] = bh.rise_slides(page, server.base, name)
    return out


@pytest.mark.parametrize("name", DECKS)
def test_every_slide_fits_the_projector(slides, name):
    measured = slides[name]
    assert measured, f"{name}: no slides"
    too_big = [s for s in measured if s["height"] > HEIGHT + 2 or s["width"] > WIDTH + 2
               or s["wide"] > 0]
    assert not too_big, (f"{name}: {len(too_big)} of {len(measured)} slides do not fit "
                         f"{WIDTH}×{HEIGHT}: " + "; ".join(
                             f"{s['where']} {s['width']}×{s['height']} (+{s['wide']} wide) "
                             f"{s['text'][:40]!r}" for s in too_big))


@pytest.mark.parametrize("name", DECKS)
def test_the_deck_shows_the_plans_sections_only(slides, name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    headings = [c.source.lstrip().split("\n", 1)[0][3:].strip() for c in nb.cells
                if c.cell_type == "markdown" and c.source.lstrip().startswith("## ")]
    shown = lecture_sections(name)
    on_screen = " ".join(s["text"] for s in slides[name])
    for heading in headings:
        planned = any(heading.startswith(p) for p in shown)
        first_words = heading.split("$")[0][:25].strip()
        if first_words:
            assert (first_words in on_screen) == planned, (
                f"{name}: section {heading!r} is {'missing from' if planned else 'shown in'} "
                "the deck")
