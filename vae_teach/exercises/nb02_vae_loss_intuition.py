"""Checkers for notebook 02 (slides VAE LOSS FUNCTION (1st) and WHY VAE REGULARIZATION?).

* ``check_sigma_prediction(prediction, sigma_start=, sigma_end=)`` — predict-then-run: what the
  median σ̃ does when only the reconstruction error is minimised ("falls towards 0", "stays
  about where it started", "grows"); measured from the training run's σ̃.
* ``check_regulariser(fn)`` — find the slip: fn(mu_tilde, zeta) → μ̃² + e^ζ − (1 + ζ),
  elementwise; the notebook's given version uses exp(ζ) for σ̃.
* ``check_regulariser_gradient(fn)`` — derive: fn(mu_tilde, zeta) → (∂r/∂μ̃, ∂r/∂ζ) =
  (2μ̃, e^ζ − 1), checked against torch autograd.
* ``check_aggregate_moments(fn)`` — derive: fn(mu_tilde (N, m), zeta (N, m)) → (mean (m,),
  var (m,)) of z ~ (1/N) Σ_i N(μ̃_i, diag e^{ζ_i}) (law of total variance).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from vae_teach.exercises._core import CheckResult, check_function
from vae_teach.exercises.nb05_vae_vs_em import _predict
from vae_teach.maths.regulariser import aggregate_moments, regulariser


__all__ = ['check_sigma_prediction', 'check_regulariser', 'check_regulariser_gradient',
           'check_aggregate_moments']


SIGMA_CHOICES = ("falls towards 0", "stays about where it started", "grows")


def sigma_outcome(sigma_start, sigma_end) -> str:
    """Which of ``SIGMA_CHOICES`` the median σ̃ per dimension supports: below a tenth of its
    start in every dimension = falls; above its start in every dimension = grows."""
    start, end = np.asarray(sigma_start, float), np.asarray(sigma_end, float)
    if np.all(end < 0.1 * start):
        return "falls towards 0"
    if np.all(end > start):
        return "grows"
    return "stays about where it started"


def check_sigma_prediction(prediction: Callable, sigma_start=None, sigma_end=None,
                           verbose: bool = True) -> CheckResult:
    """prediction() → one of ``SIGMA_CHOICES``: the median σ̃ of a VAE trained on the
    reconstruction error only. ``sigma_start``, ``sigma_end``: its median σ̃ per latent
    dimension after the first and the last epoch."""
    measured = (None if sigma_start is None or sigma_end is None
                else sigma_outcome(sigma_start, sigma_end))
    hint = ["The decoder reads z = μ̃ + σ̃ ε. Does noise in z help or hurt the reconstruction? "
            "Without the regulariser, which term of the loss could reward a larger σ̃?",
            "Noise in z can only blur the reconstruction, and only the regulariser's −ζ term "
            "pays for spread. Drop it, and every gradient step shrinks σ̃."]
    why = ("Any noise in z blurs the reconstruction, so the reconstruction error alone pushes σ̃ "
           "down at every step; only the regulariser's −(1 + ζ) term rewards a spread. Without "
           "it the encoder becomes deterministic: the VAE turns into an auto-encoder.")
    slips = {"stays about where it started": "nothing in the reconstruction error rewards a "
                                             "spread; noise in z only blurs x̂",
             "grows": "a wider q makes the decoder's input noisier, which the reconstruction "
                      "error punishes",
             "falls towards 0": "σ̃ did not collapse in this run"}
    return _predict("σ̃ without the KL term", prediction, SIGMA_CHOICES, measured, why, hint,
                    slips, verbose)


def _pairs():
    rng = np.random.default_rng(2)
    return [(np.array(0.0), np.array(0.0)), (np.array(1.5), np.array(-2.0)),
            (rng.normal(size=(5, 3)), rng.normal(size=(5, 3))),
            (rng.normal(size=4) * 3, rng.normal(size=4) * 3)]


def check_regulariser(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(mu_tilde, zeta) → the slide's per-dimension regulariser, same shape as its inputs."""
    slips = {
        "exp(ζ) for σ̃ (then σ̃² = e^{2ζ}: ζ is the log-VARIANCE)":
            lambda mu, ze: mu ** 2 + np.exp(2 * ze) - (1 + 2 * ze),
        "a missing 1 (the regulariser is not 0 at μ̃ = 0, ζ = 0)":
            lambda mu, ze: mu ** 2 + np.exp(ze) - ze,
        "a missing ½ the other way: KL(q ‖ N(0, 1)) itself, the slide's term is twice it":
            lambda mu, ze: 0.5 * (mu ** 2 + np.exp(ze) - (1 + ze)),
        "log σ̃ for log σ̃² (ζ/2 in the last term)":
            lambda mu, ze: mu ** 2 + np.exp(ze) - (1 + ze / 2),
        "the sign of ζ in the last term": lambda mu, ze: mu ** 2 + np.exp(ze) - 1 + ze,
    }
    hint = ["ζ is the log of the variance σ̃², not of σ̃. Write σ̃² and log σ̃² in terms of ζ, "
            "then compare each of the three pieces with the colleague's version.",
            "σ̃² = e^ζ and log σ̃² = ζ, so r = μ̃² + e^ζ − (1 + ζ), elementwise. At μ̃ = 0, "
            "ζ = 0 it is 0.",
            "In NumPy: mu_tilde ** 2 + np.exp(zeta) - (1 + zeta)."]
    return check_function("Regulariser μ̃² + e^ζ − (1 + ζ)", fn, regulariser, _pairs(), hint,
                          verbose=verbose, slips=slips)


def _autograd_gradient(mu_tilde, zeta):
    import torch

    mu = torch.tensor(np.asarray(mu_tilde, float), requires_grad=True)
    ze = torch.tensor(np.asarray(zeta, float), requires_grad=True)
    (mu ** 2 + torch.exp(ze) - (1 + ze)).sum().backward()
    return np.stack([mu.grad.numpy(), ze.grad.numpy()])


def check_regulariser_gradient(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(mu_tilde, zeta) → (∂r/∂μ̃, ∂r/∂ζ), each with the inputs' shape (vs torch autograd)."""
    hint = ["Differentiate the three pieces one at a time; a constant has no slope. Where do "
            "both partial derivatives vanish together?",
            "d(μ̃²)/dμ̃ = 2μ̃; d(e^ζ)/dζ = e^ζ and d(1 + ζ)/dζ = 1. Return a pair "
            "(d_mu_tilde, d_zeta); both vanish only at μ̃ = 0, ζ = 0."]
    slips = {"forgetting the 2 of d(μ̃²)/dμ̃":
             lambda mu, ze: np.stack([np.broadcast_to(mu, np.shape(mu)), np.exp(ze) - 1]),
             "forgetting the −1 from d(1 + ζ)/dζ":
             lambda mu, ze: np.stack([2 * mu, np.exp(ze)]),
             "the sign: the gradient of −r":
             lambda mu, ze: np.stack([-2 * mu, 1 - np.exp(ze)])}

    def wrapped(mu_tilde, zeta):
        out = fn(mu_tilde, zeta)
        if out is None or out is Ellipsis or isinstance(out, str):
            return out
        return np.stack([np.broadcast_to(np.asarray(o, float), np.shape(mu_tilde))
                         for o in out])

    return check_function("Gradient of the regulariser", wrapped, _autograd_gradient,
                          _pairs(), hint, rtol=1e-8, verbose=verbose, slips=slips)


def _moment_cases():
    rng = np.random.default_rng(3)
    return [(rng.normal(size=(50, 2)) * 2 + 1, rng.normal(size=(50, 2))),
            (np.zeros((10, 3)), np.zeros((10, 3))),
            (rng.normal(size=(7, 1)), np.full((7, 1), -3.0))]


def check_aggregate_moments(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(mu_tilde (N, m), zeta (N, m)) → (mean (m,), var (m,)) of the aggregate code q(z)."""
    hint = ["z is drawn in two stages: first a digit at random, then a draw from that digit's "
            "Gaussian. Its variance has two sources — how much the means differ between "
            "digits, and how wide each digit's Gaussian is.",
            "Law of total variance: Var z = Var_i(μ̃_i) + E_i[σ̃_i²], with σ̃² = exp(ζ) and 1/N "
            "averages over the inputs (axis 0). With μ̃ = 0 and ζ = 0 for all inputs it is 1.",
            "mean = mu_tilde.mean(axis=0); var = mu_tilde.var(axis=0) + np.exp(zeta).mean(axis=0)."]

    def reference(mu_tilde, zeta):
        return np.stack(aggregate_moments(mu_tilde, zeta))

    def wrapped(mu_tilde, zeta):
        out = fn(mu_tilde, zeta)
        if out is None or out is Ellipsis or isinstance(out, str):
            return out
        return np.stack([np.asarray(o, float) for o in out])

    slips = {"leaving out the encoders' own spread E[σ̃²]":
             lambda mu, ze: np.stack([mu.mean(0), mu.var(0)]),
             "leaving out the spread of the means Var(μ̃)":
             lambda mu, ze: np.stack([mu.mean(0), np.exp(ze).mean(0)]),
             "σ̃ for σ̃² (exp(ζ/2) instead of exp(ζ))":
             lambda mu, ze: np.stack([mu.mean(0), mu.var(0) + np.exp(ze / 2).mean(0)])}
    return check_function("Mean and variance of the codes", wrapped, reference,
                          _moment_cases(), hint, verbose=verbose, slips=slips)
