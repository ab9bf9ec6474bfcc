"""Checkers of notebook 10: correct / not yet solved / wrong, each slip named."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from exercise_helpers import assert_verdicts

from vae_teach.exercises import (CORRECT, NOT_SOLVED, WRONG, check_detach_fix,
                                 check_reparam_gradient, check_score_terms,
                                 check_variance_prediction)
from vae_teach.nets.objectives import kl_to_prior


def terms(z, mu, sigma2):
    return np.stack([(z - mu) / sigma2, 0.5 * ((z - mu) ** 2 / sigma2 - 1)], axis=-1)


def terms_no_half(z, mu, sigma2):
    return np.stack([(z - mu) / sigma2, (z - mu) ** 2 / sigma2 - 1], axis=-1)


def terms_sigma(z, mu, sigma2):
    s = np.sqrt(sigma2)
    return np.stack([(z - mu) / s, 0.5 * ((z - mu) ** 2 / s - 1)], axis=-1)


def terms_sign(z, mu, sigma2):
    return np.stack([(mu - z) / sigma2, 0.5 * ((z - mu) ** 2 / sigma2 - 1)], axis=-1)


def terms_no_minus_one(z, mu, sigma2):
    return np.stack([(z - mu) / sigma2, 0.5 * (z - mu) ** 2 / sigma2], axis=-1)


def reparam(df, mu, zeta, eps):
    sigma = np.exp(zeta / 2)
    g = df(mu + sigma * eps)
    return np.stack([g, g * sigma * eps / 2], axis=-1)


def reparam_exp(df, mu, zeta, eps):
    sigma = np.exp(zeta)
    g = df(mu + sigma * eps)
    return np.stack([g, g * sigma * eps / 2], axis=-1)


def reparam_no_half(df, mu, zeta, eps):
    sigma = np.exp(zeta / 2)
    g = df(mu + sigma * eps)
    return np.stack([g, g * sigma * eps], axis=-1)


def reparam_no_eps(df, mu, zeta, eps):
    sigma = np.exp(zeta / 2)
    g = df(mu + sigma * eps)
    return np.stack([g, g * sigma / 2], axis=-1)


def _grad(log_px, mu_tilde, zeta, eps, detach=False, scale="half", kl_sign=-1.0):
    mu_tilde = mu_tilde.detach().requires_grad_(True)
    zeta = zeta.detach().requires_grad_(True)
    z = mu_tilde + torch.exp(zeta / 2 if scale == "half" else zeta) * eps
    if detach:
        z = z.detach()
    L = log_px(z).sum() + kl_sign * kl_to_prior(mu_tilde, zeta).sum()
    return torch.autograd.grad(L, (mu_tilde, zeta))


def fixed(*a):
    return _grad(*a)


def detached(*a):
    return _grad(*a, detach=True)


def exp_zeta(*a):
    return _grad(*a, scale="full")


def kl_plus(*a):
    return _grad(*a, kl_sign=1.0)


RIGHT = "reparam, more than 10× smaller"


CASES = [
    (check_score_terms, terms, terms_no_half, "a missing ½"),
    (check_score_terms, terms, terms_sigma, "σ for σ²"),
    (check_score_terms, terms, terms_sign, "the sign"),
    (check_score_terms, terms, terms_no_minus_one, "normaliser"),
    (check_reparam_gradient, reparam, reparam_exp, "exp(ζ) instead of exp(ζ/2)"),
    (check_reparam_gradient, reparam, reparam_no_half, "a missing ½"),
    (check_reparam_gradient, reparam, reparam_no_eps, "without the noise"),
    (check_variance_prediction, lambda: RIGHT, lambda: "within a factor of 10", None),
    (check_variance_prediction, lambda: RIGHT, lambda: "score, more than 10× smaller", None),
    (check_detach_fix, fixed, detached, "the detached z"),
    (check_detach_fix, fixed, exp_zeta, "exp(ζ) instead of exp(ζ/2)"),
    (check_detach_fix, fixed, kl_plus, "the sign"),
]


@pytest.mark.parametrize("checker,right,wrong,slip", CASES,
                         ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CASES)])
def test_checker_verdicts(checker, right, wrong, slip, capsys):
    assert_verdicts(checker, right, wrong, slip=slip)
    assert "wrong" in capsys.readouterr().out


@pytest.mark.parametrize("checker", [check_score_terms, check_reparam_gradient,
                                     check_variance_prediction, check_detach_fix])
def test_checkers_never_raise_on_garbage(checker):
    assert checker(lambda *a: "nonsense", verbose=False).status == WRONG
    assert checker(lambda *a: None, verbose=False).status == NOT_SOLVED
    assert checker(lambda *a: 1 / 0, verbose=False).status == WRONG


def test_prediction_follows_the_measured_ratio():
    says = lambda choice: (lambda: choice)  # noqa: E731
    assert check_variance_prediction(says("within a factor of 10"), ratio=3.0,
                                     verbose=False).status == CORRECT
    assert check_variance_prediction(says("score, more than 10× smaller"), ratio=0.05,
                                     verbose=False).status == CORRECT
    result = check_variance_prediction(says(RIGHT), ratio=0.05, verbose=False)
    assert result.status == WRONG and "0.05" in result.message


def test_detach_fix_accepts_a_stacked_pair_of_numpy_arrays():
    def as_numpy(*a):
        g_mu, g_zeta = fixed(*a)
        return g_mu.numpy(), g_zeta.numpy()
    assert check_detach_fix(as_numpy, verbose=False).status == CORRECT
