"""The mathematics notebooks (03, 04, 06, 07) never import torch.

A kernel that imports torch costs a student about 270 MB more on a shared JupyterHub
(benchmarks/RESULTS.md, "A class on the local JupyterHub"), and these notebooks need only
numpy/scipy. Each is executed in a fresh kernel with one cell appended that reports whether
torch (or anything under it) was imported by the notebook or by the package code it used.
"""
from pathlib import Path

import nbformat
import pytest


ROOT = Path(__file__).resolve().parents[1]
MATH_NOTEBOOKS = ["03_generative_model_mle", "04_elbo", "06_independent_samples",
                  "07_gaussian_lemma"]
PROBE = 'import sys; print(sorted(m for m in sys.modules if m.split(".")[0] == "torch")[:3])'

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", MATH_NOTEBOOKS)
def test_math_notebook_does_not_import_torch(name):
    from nbclient import NotebookClient

    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs).strip()
    assert printed == "[]", f"{name} imported {printed}: keep torch out of the maths notebooks"
