"""Claims are code: a number in a notebook's prose must come from a computation in that notebook.

A decimal (``0.64``), a percentage (``35 %``) or an integer of 10 or more that the markdown of a
notebook states must appear in the notebook's own code or stored outputs; otherwise the
sentence states a result nothing next to it computes, and it can silently contradict the
numbers (design.md, "Claims are code"). Mathematics (``$…$``), inline code, link targets,
headings, notebook references ("notebook 08", "08 ·"), image sizes (28×28) and the study time
(checked against the course map instead) are not results and are skipped.
"""
import re
from pathlib import Path

import nbformat
import pytest

from vae_teach.course import CONTENTS


ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

_SKIP = [
    re.compile(r"arXiv[:\s]*\d+\.\d+", re.I),              # paper ids
    re.compile(r"\$\$.*?\$\$", re.S),                     # display maths
    re.compile(r"\$[^$\n]+\$"),                           # inline maths
    re.compile(r"`[^`\n]+`"),                             # inline code
    re.compile(r"\]\([^)\s]*\)"),                         # link targets
    re.compile(r"<[^>\n]+>"),                             # html tags
    re.compile(r"^\s*#.*$", re.M),                        # headings
    re.compile(r"\d+\s*[×x]\s*\d+"),                    # 28×28, 8x8 (before references)
    re.compile(r"\b(?:notebooks?|nb|§)\s*\d+(?:\s*(?:[-–,]|and|or)\s*\d+)*", re.I),  # references
    re.compile(r"\b\d\d\s*·"),                            # "08 · Title"
    re.compile(r"\b(?:19|20)\d\d[a-z]?\b"),               # years in citations
    re.compile(r"\b\d+(?:\s*[–-]\s*\d+)?\s*min(?:ute)?s?\b", re.I),   # study times
    re.compile(r"\b\d+\s*(?:s|ms)\b"),                    # run times, stated as budgets
    re.compile(r"\bch(?:apter)?\.?\s*\d+(?:\.\d+)*", re.I),  # book chapters ("udlbook 17.2")
    re.compile(r"\b[Ss]ection\s*\d+(?:\.\d+)*"),
    re.compile(r"\bEx(?:ercise)?\s*\d+", re.I),
    re.compile(r"§\s*\d+(?:\.\d+)*"),                     # section signs in references
    re.compile(r"\bCC BY(?:-SA)?\s*\d\.\d"),               # licence versions
]
NUMBER = re.compile(r"(?<![\w.])(\d+\.\d+|\d+(?=\s*%)|[1-9]\d+)(?![\w.]*\d)")
TIME = re.compile(r"Time: about (\d+) minutes")


def prose(markdown: str) -> str:
    for pattern in _SKIP:
        markdown = pattern.sub(" ", markdown)
    return markdown


def computed_text(nb) -> str:
    """Code and stored outputs of every code cell (what the notebook itself computes)."""
    parts = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        parts.append(cell.source)
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            data = out.get("data", {})
            for key in ("text/plain", "text/html", "text/markdown", "text/latex"):
                value = data.get(key, "")
                parts.append("".join(value) if isinstance(value, list) else value)
    return "\n".join(parts)


def unbacked_numbers(nb) -> list[str]:
    """Numbers in the prose of ``nb`` that appear nowhere in its code or outputs."""
    computed = computed_text(nb)
    found = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        text = prose(cell.source)
        for match in NUMBER.finditer(text):
            number = match.group(1)
            forms = [number]
            if re.match(r"\s*%", text[match.end():]):     # 35 % is backed by 0.35 as well
                forms.append(f"{float(number) / 100:.2f}")
            if not any(re.search(rf"(?<![\d.]){re.escape(f)}(?!\d)", computed) for f in forms):
                found.append(number)
    return found


def test_the_scanner_finds_an_unbacked_number_and_skips_maths():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("The gap is 0.08 nats and 35 % of the mass; $x = 2.5$, "
                                      "`y = 7.25`, see notebook 08 and 28×28 images."),
        nbformat.v4.new_code_cell("gap = 0.25")])
    assert unbacked_numbers(nb) == ["0.08", "35"]
    nb.cells[1].source = "share = 0.35"
    assert unbacked_numbers(nb) == ["0.08"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_numbers_in_prose_come_from_the_notebooks_computations(path):
    nb = nbformat.read(path, as_version=4)
    missing = unbacked_numbers(nb)
    assert not missing, (f"{path.name}: the text states {sorted(set(missing))}, which no code "
                         "or output of the notebook computes: render the sentence from the "
                         "value, check it with claim(...), or drop the number")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stated_study_time_is_the_course_maps(path):
    nb = nbformat.read(path, as_version=4)
    stated = TIME.findall("\n".join(c.source for c in nb.cells if c.cell_type == "markdown"))
    minutes = {p.notebook: p.minutes for p in CONTENTS}
    if path.name in minutes:
        assert [int(t) for t in stated] == [minutes[path.name]], (
            f"{path.name}: states {stated} minutes, the course map says {minutes[path.name]}")
