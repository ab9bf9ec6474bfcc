"""Build the notebooks from their reviewed sources: ``notebooks/_src/NN_topic.py`` → ``.ipynb``.

The sources are jupytext "percent" scripts (``# %%`` code cells, ``# %% [markdown]`` text
cells, ``# %% tags=["solution"]`` for exercise answers). Building

1. reads a source with jupytext,
2. gives every ``solution`` cell nbgrader's metadata (so ``nbgrader generate_assignment`` makes
   the student copy) and RISE slide metadata (``vae_teach.tools.deck``: headings open slides,
   cells that would run off a 1280×720 screen open sub-slides, and in the notebooks of the
   class plan the sections the class does not show are skipped),
3. executes it top to bottom in a fresh kernel (so stored outputs come from a clean run),
4. writes ``notebooks/NN_topic.ipynb``.

Usage::

    python -m vae_teach.tools.nbbuild            # every notebook
    python -m vae_teach.tools.nbbuild 04 07      # only those whose name starts with 04 or 07
    python -m vae_teach.tools.nbbuild --no-execute 04
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from vae_teach.tools.deck import assign_course_slides


ROOT = Path(__file__).resolve().parents[2]


NOTEBOOKS = ROOT / "notebooks"


SOURCES = NOTEBOOKS / "_src"


def read_source(src: Path):
    """Read a percent-format source into a notebook object with slide metadata."""
    import jupytext

    nb = jupytext.read(src, fmt="py:percent")
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                 "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    exercise = 0
    for i, cell in enumerate(nb.cells):
        cell.id = f"c{i:03d}"  # stable ids keep rebuild diffs small
        if "solution" in cell.metadata.get("tags", []):
            exercise += 1
            cell.metadata["nbgrader"] = nbgrader_metadata(f"{src.stem[:2]}-ex{exercise}")
    assign_course_slides(nb, src.stem)
    return nb


def nbgrader_metadata(grade_id: str) -> dict:
    """nbgrader's metadata for an ungraded solution cell (``### BEGIN/END SOLUTION`` inside)."""
    return {"grade": False, "grade_id": grade_id, "locked": False, "schema_version": 3,
            "solution": True, "task": False}


def execute(nb, cwd: Path, timeout: int = 300) -> None:
    """Run every cell in a fresh kernel in ``cwd``; raises on the first error."""
    from nbclient import NotebookClient

    NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(cwd)}}).execute()


def build(src: Path, run: bool = True) -> Path:
    """Build one notebook from ``src``; returns the path of the written ``.ipynb``."""
    import nbformat

    nb = read_source(src)
    if run:
        execute(nb, NOTEBOOKS)
        assign_course_slides(nb, src.stem)    # again, now that the outputs' heights are known
    dst = NOTEBOOKS / (src.stem + ".ipynb")
    nbformat.write(nb, dst)
    return dst


def find_sources(prefixes: list[str]) -> list[Path]:
    """Sources whose file name starts with one of ``prefixes`` (all when empty)."""
    sources = sorted(SOURCES.glob("[0-9][0-9]_*.py"))
    if prefixes:
        sources = [s for s in sources if any(s.name.startswith(p) for p in prefixes)]
    if not sources:
        raise FileNotFoundError(f"no notebook sources match {prefixes or 'anything'} in "
                                f"{SOURCES}; names look like 07_gaussian_lemma.py.")
    return sources


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("prefixes", nargs="*", help="e.g. 04 07 (default: all)")
    parser.add_argument("--no-execute", action="store_true", help="write without running")
    args = parser.parse_args(argv)
    for src in find_sources(args.prefixes):
        start = time.perf_counter()
        dst = build(src, run=not args.no_execute)
        print(f"{dst.relative_to(ROOT)}  ({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
