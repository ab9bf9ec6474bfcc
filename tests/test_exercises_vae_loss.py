"""Checkers of notebook 09: correct / not yet solved / wrong, each with a hint."""
from __future__ import annotations

import math

import numpy as np
import pytest
from exercise_helpers import assert_verdicts

from vae_teach.exercises import (NOT_SOLVED, WRONG, check_L_VAE, check_L_VAE_from_L_b,
                                 check_log_mean_exp)


LOG_2PI = math.log(2 * math.pi)



def L_VAE(x, x_hat, mu, zeta):
    return ((x - x_hat) ** 2).sum() + (mu ** 2 + np.exp(zeta) - (1 + zeta)).sum()


def L_VAE_half(x, x_hat, mu, zeta):
    return 0.5 * L_VAE(x, x_hat, mu, zeta)


def from_L_b(L_b, N, M):
    return -2 * L_b - N * M * LOG_2PI


def from_L_b_issue_sign(L_b, N, M):            # the sign-flipped constant
    return -2 * L_b + N * M * LOG_2PI


def lme(log_w):
    c = log_w.max(axis=0)
    return c + np.log(np.mean(np.exp(log_w - c), axis=0))


def lme_naive(log_w):
    with np.errstate(divide="ignore"):
        return np.log(np.mean(np.exp(log_w), axis=0))


CASES = [
    (check_L_VAE, L_VAE, L_VAE_half),
    (check_L_VAE_from_L_b, from_L_b, from_L_b_issue_sign),
    (check_log_mean_exp, lme, lme_naive),
]


@pytest.mark.parametrize("checker,right,wrong", CASES, ids=[c[0].__name__ for c in CASES])
def test_checker_verdicts(checker, right, wrong, capsys):
    assert_verdicts(checker, right, wrong)
    assert "wrong" in capsys.readouterr().out


def test_checkers_never_raise_on_garbage():
    for checker, _, _ in CASES:
        assert checker(lambda *a: "nonsense", verbose=False).status == WRONG
        assert checker(lambda *a: None, verbose=False).status == NOT_SOLVED
