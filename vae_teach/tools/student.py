"""Build the student copy of the notebooks: solutions replaced by ``TODO`` stubs.

In the instructor notebooks each exercise answer sits in a cell tagged ``solution`` (with
nbgrader's cell metadata) between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (inside the
function the learner completes). The student copy replaces each such block by nbgrader's stub,
``# YOUR CODE HERE`` / ``raise NotImplementedError()``, exactly as ``nbgrader
generate_assignment`` does, so the
exercise checker that follows prints "not yet solved" and a hint instead of crashing. Outputs
are cleared so the learner starts from a clean notebook.

Usage: ``python -m vae_teach.tools.student [--out build/student]``.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]


BLOCK = re.compile(r"^(?P<indent>[ \t]*)#+ BEGIN SOLUTION[^\n]*\n(?P<body>.*?)"
                   r"^[ \t]*#+ END SOLUTION[^\n]*(\n|$)", re.S | re.M)


STUB = '{indent}# YOUR CODE HERE\n{indent}raise NotImplementedError()\n'  # nbgrader's code_stub


def strip_solutions(source: str) -> str:
    """Replace every BEGIN/END SOLUTION block in ``source`` by a ``NotImplementedError`` stub."""
    if source.count("BEGIN SOLUTION") != source.count("END SOLUTION"):
        raise ValueError("unbalanced '### BEGIN SOLUTION' / '### END SOLUTION' markers; every "
                         "BEGIN needs its END on a later line.")
    return BLOCK.sub(lambda m: STUB.format(indent=m.group("indent")), source)


def student_notebook(nb):
    """Return a copy of ``nb`` with solutions stubbed and all outputs cleared."""
    import copy

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if "solution" in cell.metadata.get("tags", []):
            if "BEGIN SOLUTION" not in cell.source:
                raise ValueError("a cell tagged 'solution' has no '### BEGIN SOLUTION' block: "
                                 f"{cell.source[:60]!r}")
            cell.source = strip_solutions(cell.source)
        cell.outputs = []
        cell.execution_count = None
    return nb


def build(out: Path) -> list[Path]:
    """Write student copies of ``notebooks/*.ipynb`` into ``out``; returns the paths."""
    import nbformat

    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = student_notebook(nbformat.read(path, as_version=4))
        nbformat.write(nb, out / path.name)
        written.append(out / path.name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the student notebooks.")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "student")
    args = parser.parse_args(argv)
    for path in build(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
