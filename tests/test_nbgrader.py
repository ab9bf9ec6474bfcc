"""A lecturer's `nbgrader generate_assignment` makes the student copy, and `make student` the same.

The notebooks carry nbgrader's markup (``### BEGIN SOLUTION`` / ``### END SOLUTION``) and cell
metadata (``vae_teach.tools.nbbuild.nbgrader_metadata``). This test runs nbgrader itself (the dev
extra) on a course directory holding every notebook as one assignment, checks that its student
copies have the same code as ``python -m vae_teach.tools.student`` writes, and executes each
copy top to bottom: no cell may fail and every exercise's checker must say "not yet solved".
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from vae_teach.exercises import NOT_SOLVED
from vae_teach.tools.nbbuild import execute
from vae_teach.tools.student import student_notebook


ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
NBGRADER = Path(sys.executable).with_name("nbgrader")
ASSIGNMENT = "vae"

pytestmark = pytest.mark.skipif(not NBGRADER.exists(),
                                reason="nbgrader is not installed (it is in the dev extra)")


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    """nbgrader's student copies of every notebook: ``release/vae/NN_topic.ipynb``."""
    course = tmp_path_factory.mktemp("course")
    source = course / "source" / ASSIGNMENT
    source.mkdir(parents=True)
    for path in NOTEBOOKS:
        shutil.copy(path, source / path.name)
    run = subprocess.run([str(NBGRADER), "generate_assignment", ASSIGNMENT, "--force",
                          f"--CourseDirectory.root={course}"], cwd=course,
                         capture_output=True, text=True, timeout=600,
                         env={**os.environ,   # nbgrader runs the venv's `alembic` by name
                              "PATH": f"{NBGRADER.parent}{os.pathsep}{os.environ['PATH']}"})
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return course / "release" / ASSIGNMENT


def _code(nb) -> list[str]:
    return [c.source.rstrip() for c in nb.cells if c.cell_type == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_nbgrader_and_make_student_write_the_same_student_code(release, path):
    theirs = nbformat.read(release / path.name, as_version=4)
    ours = student_notebook(nbformat.read(path, as_version=4))
    assert _code(theirs) == _code(ours)
    assert not any(c.get("outputs") for c in theirs.cells if c.cell_type == "code")
    assert all("BEGIN SOLUTION" not in c.source for c in theirs.cells)


@pytest.mark.slow
@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if not p.name.startswith("00")],
                         ids=lambda p: p.stem)
def test_nbgrader_student_copy_runs_and_every_checker_says_not_yet_solved(release, path):
    nb = nbformat.read(release / path.name, as_version=4)
    n_exercises = sum(bool(c.metadata.get("nbgrader", {}).get("solution")) for c in nb.cells)
    assert n_exercises >= 2, f"{path.name}: nbgrader sees {n_exercises} solution cells"
    execute(nb, ROOT / "notebooks")     # raises if any cell errors
    text = "".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
                   for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert text.count(NOT_SOLVED) >= n_exercises, (
        f"{path.name}: {n_exercises} exercises but only {text.count(NOT_SOLVED)} "
        f"'not yet solved' verdicts")
    # claims ("✓ sentence") may hold; no checker verdict ("✓ title: correct.") may
    assert not re.search(r"✓ [^\n]*: correct\.", text), f"{path.name}: a checker passed a stub"
