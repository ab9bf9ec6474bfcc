"""Checkers of notebook 12: correct / not yet solved / wrong, each with a hint."""
import numpy as np
import pytest
from exercise_helpers import assert_verdicts
from scipy.stats import norm

from vae_teach.exercises import NOT_SOLVED, check_interpolate, check_log_prior, check_prior_grid


def _interp_right(z_a, z_b, n):
    t = np.linspace(0, 1, n)[:, None]
    return (1 - t) * z_a + t * z_b


def _interp_open_end(z_a, z_b, n):          # forgets the end point
    t = np.arange(n)[:, None] / n
    return (1 - t) * z_a + t * z_b


def _log_prior_right(Z):
    return -0.5 * Z.shape[1] * np.log(2 * np.pi) - 0.5 * (Z ** 2).sum(1)


def _log_prior_wrong_m(Z):                  # uses N instead of m
    return -0.5 * Z.shape[0] * np.log(2 * np.pi) - 0.5 * (Z ** 2).sum(1)


def _grid_right(n):                         # another row order: still correct
    q = norm.ppf((np.arange(n) + 0.5) / n)
    return np.array([(a, b) for b in q for a in q[::-1]])


def _grid_linear(n):                        # evenly spaced, not quantiles
    q = np.linspace(-2, 2, n)
    return np.array([(a, b) for a in q for b in q])


CASES = [(check_interpolate, _interp_right, _interp_open_end),
         (check_log_prior, _log_prior_right, _log_prior_wrong_m),
         (check_prior_grid, _grid_right, _grid_linear)]


@pytest.mark.parametrize("checker,right,wrong", CASES, ids=[c[0].__name__ for c in CASES])
def test_checker_verdicts(checker, right, wrong, capsys):
    assert_verdicts(checker, right, wrong)
    assert checker(lambda *a: None).status == NOT_SOLVED
    out = capsys.readouterr().out
    assert "✓" in out and "…" in out and "✗" in out


def test_package_solutions_pass():
    from vae_teach.maths.prior import interpolate_codes, log_prior, prior_quantile_grid

    assert check_interpolate(interpolate_codes, verbose=False)
    assert check_log_prior(log_prior, verbose=False)
    assert check_prior_grid(prior_quantile_grid, verbose=False)
