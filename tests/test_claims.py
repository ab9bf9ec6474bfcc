import numpy as np
import pytest

from vae_teach.claims import ClaimFailed, claim


def test_true_claim_prints_a_tick(capsys):
    claim(0.002 < 0.01, "σ̃ falls below 0.01")
    claim(np.all(np.array([1, 2]) > 0), "every entry is positive")
    assert capsys.readouterr().out == "✓ σ̃ falls below 0.01\n✓ every entry is positive\n"


def test_false_claim_raises_with_the_sentence(capsys):
    with pytest.raises(ClaimFailed, match="σ̃ falls below 0.01"):
        claim(0.05 < 0.01, "σ̃ falls below 0.01")
    assert capsys.readouterr().out == ""
    assert issubclass(ClaimFailed, AssertionError)


@pytest.mark.parametrize("holds", [np.array([True, False]), 1, "yes", None, 0.5])
def test_a_claim_needs_one_bool(holds):
    with pytest.raises(TypeError, match="one bool"):
        claim(holds, "something")


@pytest.mark.parametrize("statement", ["", "  ", None, 3])
def test_a_claim_needs_a_sentence(statement):
    with pytest.raises(TypeError, match="sentence"):
        claim(True, statement)
