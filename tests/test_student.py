"""`make student`: solutions become stubs, and every checker then says "not yet solved"."""
import re
from pathlib import Path

import nbformat
import pytest

from vae_teach.exercises import NOT_SOLVED, check_function
from vae_teach.tools.student import build, strip_solutions, student_notebook


ROOT = Path(__file__).resolve().parents[1]

SOLVED = '''def kl(mu_tilde, zeta):
    """KL to N(0, I)."""
    ### BEGIN SOLUTION
    total = mu_tilde**2 + np.exp(zeta) - 1 - zeta
    return 0.5 * total.sum()
    ### END SOLUTION
'''


def test_strip_solutions_keeps_signature_and_indent():
    stub = strip_solutions(SOLVED)
    assert "mu_tilde**2" not in stub
    assert stub.startswith("def kl(mu_tilde, zeta):")
    assert '    raise NotImplementedError(' in stub
    namespace = {}
    exec(stub, namespace)
    with pytest.raises(NotImplementedError):
        namespace["kl"](0.0, 0.0)


def test_unbalanced_markers_are_an_error():
    with pytest.raises(ValueError, match="unbalanced"):
        strip_solutions("# BEGIN SOLUTION\nx = 1\n")


def test_stub_makes_checker_say_not_yet_solved():
    namespace = {}
    exec(strip_solutions(SOLVED), namespace)
    result = check_function("kl", namespace["kl"], lambda m, z: 0.0, [(0.0, 0.0)], "hint",
                            verbose=False)
    assert result.status == NOT_SOLVED


def test_student_notebook_clears_outputs_and_requires_a_block():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(SOLVED, metadata={"tags": ["solution"]}),
                nbformat.v4.new_code_cell("print(1)")]
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="1\n")]
    out = student_notebook(nb)
    assert "NotImplementedError" in out.cells[0].source and not out.cells[1].outputs
    nb.cells[0].source = "x = 1"
    with pytest.raises(ValueError, match="no '### BEGIN SOLUTION'"):
        student_notebook(nb)


# Executing the student copies: tests/test_nbgrader.py (nbgrader's copies, which equal these).
