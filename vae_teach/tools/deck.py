"""RISE slides that fit a 1280×720 projector, and the lecturer's deck of the 2-hour class.

Every notebook is a reveal.js deck (jupyterlab-rise): ``#``/``##`` headings open a slide,
``###`` a sub-slide. Cells are packed onto a slide while their estimated height fits
:data:`BUDGET_PX`; the next cell that would not fit opens a sub-slide (↓ in reveal.js), so a
slide never runs off the bottom of a 1280×720 screen. For the notebooks in the class plan
(``vae_teach.course.LECTURE``, docs/lecturer.md), the ``##`` sections the class does not show
are ``skip``: the slideshow is the lecturer's path, the notebook keeps everything for
self-study. The heights are estimates from the cell's text and stored outputs; the browser
check of the decks measures the real ones.
"""

from __future__ import annotations

import base64
import re
import struct

from vae_teach.course import lecture_sections


WIDTH, HEIGHT = 1280, 720
BUDGET_PX = 600
#: reveal.js settings (notebook metadata ``rise``): a 1280×720 slide, scaled to the screen
RISE = {"width": WIDTH, "height": HEIGHT, "center": False, "scroll": True,
        "transition": "none", "slideNumber": True}
_CHARS_PER_LINE = 115
_PX = {"md_line": 25, "heading": 55, "math_block": 62, "table_row": 34,
       "code_base": 44, "code_line": 19, "text_line": 19, "output": 14}


def _png_height(b64: str, max_width: int = WIDTH - 120) -> int:
    raw = base64.b64decode(b64)
    if raw[:8] != b"\x89PNG\r\n\x1a\n":
        return 400
    w, h = struct.unpack(">II", raw[16:24])
    return int(h * min(1.0, max_width / w))


def _wrapped(text: str) -> int:
    return sum(max(1, -(-len(line) // _CHARS_PER_LINE)) for line in text.splitlines())


def markdown_height(source: str) -> int:
    """Estimated rendered height (px) of a markdown cell."""
    text = re.sub(r"\$\$.*?\$\$", lambda m: "\n" * 0 + "\x00", source, flags=re.S)
    px = text.count("\x00") * _PX["math_block"]
    for line in text.replace("\x00", "").splitlines():
        if line.startswith("#"):
            px += _PX["heading"]
        elif line.lstrip().startswith("|"):
            px += _PX["table_row"]
        elif line.strip():
            px += _PX["md_line"] * _wrapped(line)
        else:
            px += 8
    return px


def code_height(cell) -> int:
    """Estimated height (px) of a code cell with its stored outputs."""
    px = _PX["code_base"] + _PX["code_line"] * _wrapped(cell.source)
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        px += _PX["output"]
        if "image/png" in data:
            px += _png_height(data["image/png"])
        elif "text/html" in data:
            html = "".join(data["text/html"])
            px += max(1, html.count("<tr")) * _PX["table_row"] if "<tr" in html else 60
        elif "text/markdown" in data:
            px += markdown_height("".join(data["text/markdown"]))
        elif "application/vnd.jupyter.widget-view+json" in data:
            px += 420
        else:
            text = out.get("text", "") or "".join(data.get("text/plain", ""))
            px += _PX["text_line"] * _wrapped(text)
    return px


def cell_height(cell) -> int:
    return markdown_height(cell.source) if cell.cell_type == "markdown" else code_height(cell)


def _heading(cell) -> tuple[int, str] | None:
    if cell.cell_type != "markdown":
        return None
    first = cell.source.lstrip().split("\n", 1)[0]
    m = re.match(r"(#{1,3}) (.*)", first)
    return (len(m.group(1)), m.group(2).strip()) if m else None


def assign_slides(nb, shown: tuple | None = None) -> None:
    """Give every cell of ``nb`` its RISE slide type, in place (see the module's docstring).

    shown: the ``##`` sections a class deck keeps, by their opening words (``("1.", "3.")``);
    None keeps every section. The title cell (``#``) always stays.
    """
    nb.metadata["rise"] = dict(RISE)
    used, visible = 0, True
    for cell in nb.cells:
        level = _heading(cell)
        height = cell_height(cell)
        if level and level[0] <= 2:
            kind, used = "slide", height
            if level[0] == 2 and shown is not None:
                visible = any(level[1].startswith(prefix) for prefix in shown)
            elif level[0] == 1:
                visible = True
        elif level and level[0] == 3:
            kind, used = "subslide", height
        elif used + height > BUDGET_PX and used > 0:
            kind, used = "subslide", height
        else:
            kind, used = "-", used + height
        cell.metadata["slideshow"] = {"slide_type": kind if visible else "skip"}


def assign_course_slides(nb, stem: str) -> None:
    """:func:`assign_slides` with the class plan's sections for notebook ``stem``."""
    assign_slides(nb, lecture_sections(stem + ".ipynb"))
