"""Checkers of notebook 12: correct / not yet solved / wrong, each with a hint, slips named."""
import numpy as np
import pytest
from exercise_helpers import assert_verdicts
from scipy.stats import norm

from vae_teach.exercises import (NOT_SOLVED, check_beta_for_grid, check_interpolate,
                                 check_midpoint_prediction, check_prior_grid)
from vae_teach.exercises.nb12_latent_space_explorer import largest_beta, midpoint_choice


def _interp_right(z_a, z_b, n):
    t = np.linspace(0, 1, n)[:, None]
    return (1 - t) * z_a + t * z_b


def _interp_open_end(z_a, z_b, n):          # forgets the end point
    t = np.arange(n)[:, None] / n
    return (1 - t) * z_a + t * z_b


def _grid_right(n):                         # another row order: still correct
    q = norm.ppf((np.arange(n) + 0.5) / n)
    return np.array([(a, b) for b in q for a in q[::-1]])


def _grid_linear(n):                        # evenly spaced, not quantiles
    q = np.linspace(-2, 2, n)
    return np.array([(a, b) for a in q for b in q])


CASES = [(check_interpolate, _interp_right, _interp_open_end, "without its end point"),
         (check_prior_grid, _grid_right, _grid_linear, "evenly spaced z")]


@pytest.mark.parametrize("checker,right,wrong,slip", CASES, ids=[c[0].__name__ for c in CASES])
def test_checker_verdicts(checker, right, wrong, slip, capsys):
    assert_verdicts(checker, right, wrong, slip=slip)
    assert checker(lambda *a: None).status == NOT_SOLVED
    out = capsys.readouterr().out
    assert "✓" in out and "…" in out and "✗" in out


def test_package_solutions_pass():
    from vae_teach.maths.prior import interpolate_codes, prior_quantile_grid

    assert check_interpolate(interpolate_codes, verbose=False)
    assert check_prior_grid(prior_quantile_grid, verbose=False)


def test_midpoint_prediction_uses_the_measurement():
    def check(prediction):
        return check_midpoint_prediction(prediction, {"VAE": 0.8, "AE": 0.9}, verbose=False)

    assert_verdicts(check, lambda: "both", lambda: "VAE only", slip="AE's holes")
    assert midpoint_choice({"VAE": 0.9, "AE": 0.2}) == "VAE only"
    assert midpoint_choice({"VAE": 0.1, "AE": 0.2}) == "neither"
    with pytest.raises(ValueError, match="fractions"):
        midpoint_choice({"VAE": 0.5})


def test_largest_beta():
    assert largest_beta({"0.5": 9, "1": 9, "4": 4}) == "1"
    assert largest_beta({"0.5": 9, "1": 7, "4": 4}) == "0.5"


def test_shipped_models():
    """The measurements the notebook's two exercises rely on, on the shipped weights."""
    assert_verdicts(check_beta_for_grid, lambda: 1, lambda: 4.0, slip="collapses")
    assert check_beta_for_grid(lambda: 0.5, verbose=False).status == "wrong"
    assert check_midpoint_prediction(lambda: "both", verbose=False)
