"""Checkers for notebook 10 (gradients through sampling): the score terms of a Gaussian, the
reparameterised estimator of the toy, the variance prediction, and the fix of an encoder
gradient that detaches z.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import torch

from vae_teach.exercises._core import CheckResult, check_function, check_prediction
from vae_teach.maths.gradients import quadratic_toy, reparam_gradient, score_terms
from vae_teach.nets.objectives import kl_to_prior


__all__ = ["check_score_terms", "check_reparam_gradient", "check_variance_prediction",
           "check_detach_fix"]


# ----------------------------------------------------------------------------- score terms
def _score_cases():
    rng = np.random.default_rng(100)
    cases = []
    for n, mu, sigma2 in [(5, 0.0, 1.0), (7, 1.5, 0.25), (6, -2.0, 4.0)]:
        cases.append((mu + math.sqrt(sigma2) * rng.standard_normal(n), mu, sigma2))
    return cases


def _score_slip(kind: str) -> Callable:
    def slip(z, mu, sigma2):
        d_mu, d_zeta = score_terms(z, mu, sigma2)[..., 0], score_terms(z, mu, sigma2)[..., 1]
        if kind == "half":
            d_zeta = 2 * d_zeta
        elif kind == "sigma":
            s = math.sqrt(sigma2)
            d_mu, d_zeta = (z - mu) / s, 0.5 * ((z - mu) ** 2 / s - 1)
        elif kind == "sign":
            d_mu = -d_mu
        elif kind == "minus_one":
            d_zeta = d_zeta + 0.5
        return np.stack([d_mu, d_zeta], axis=-1)
    return slip


def check_score_terms(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(z (n,), mu, sigma2) → (n, 2): [∂/∂μ, ∂/∂ζ] log N(z; μ, σ²), ζ = log σ²."""
    hint = ["Write log N(z; μ, σ²) with σ² = exp(ζ): a constant, minus half of ζ, minus half "
            "of the squared distance times exp(−ζ). Differentiate it once in μ and once in ζ, "
            "holding z fixed.",
            "log N = −½ log 2π − ½ζ − ½(z − μ)² e^{−ζ}, so ∂/∂μ = (z − μ)/σ² and "
            "∂/∂ζ = −½ + ½(z − μ)²/σ² = ½((z − μ)²/σ² − 1).",
            "return np.stack([(z - mu) / sigma2, 0.5 * ((z - mu) ** 2 / sigma2 - 1)], axis=-1)"]
    slips = {"a missing ½ in ∂/∂ζ": _score_slip("half"),
             "σ for σ² (dividing by the standard deviation)": _score_slip("sigma"),
             "the sign of ∂/∂μ ((μ − z) instead of (z − μ))": _score_slip("sign"),
             "forgetting the −½ from the normaliser's −½ log σ²": _score_slip("minus_one")}
    return check_function("score terms ∇ log N(z; μ, σ²)", fn, score_terms, _score_cases(),
                          hint, rtol=1e-9, atol=1e-12, verbose=verbose, slips=slips)


# ----------------------------------------------------------------------------- reparam
def _df_quadratic(z):
    return 2 * (z - 2.0)


def _df_cubic(z):
    return 3 * z ** 2 - 1.0


def _df_cosine(z):
    return -3.0 * np.sin(3.0 * z)


def _reparam_cases():
    rng = np.random.default_rng(101)
    return [(_df_quadratic, 0.0, 0.0, rng.standard_normal(6)),
            (_df_cubic, 0.5, math.log(0.3), rng.standard_normal(5)),
            (_df_cosine, -1.0, math.log(2.0), rng.standard_normal(7))]


def _reparam_slip(kind: str) -> Callable:
    def slip(df, mu, zeta, eps):
        sigma = math.exp(zeta) if kind == "exp" else math.exp(zeta / 2)
        dfz = df(mu + sigma * eps)
        dz_dzeta = {"exp": sigma * eps / 2, "half": sigma * eps,
                    "no_eps": sigma / 2}.get(kind, sigma * eps / 2)
        return np.stack([dfz, dfz * dz_dzeta], axis=-1)
    return slip


def check_reparam_gradient(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(df, mu, zeta, eps (n,)) → (n, 2): per-sample [f'(z), f'(z) ∂z/∂ζ], z = μ + e^{ζ/2} ε."""
    hint = ["Write the draw as a function of μ and ζ with the noise held fixed; then the "
            "chain rule gives each derivative as f′ at the draw times how much the draw moves "
            "when μ or ζ moves.",
            "z = μ + σ ε with σ = e^{ζ/2}: ∂z/∂μ = 1 and ∂z/∂ζ = ½ e^{ζ/2} ε = σ ε / 2.",
            "sigma = np.exp(zeta / 2); z = mu + sigma * eps; g = df(z); "
            "return np.stack([g, g * sigma * eps / 2], axis=-1)"]
    slips = {"exp(ζ) instead of exp(ζ/2)": _reparam_slip("exp"),
             "a missing ½ in ∂z/∂ζ = ½ e^{ζ/2} ε": _reparam_slip("half"),
             "∂z/∂ζ without the noise ε": _reparam_slip("no_eps")}
    return check_function("reparameterised gradient estimate", fn, reparam_gradient,
                          _reparam_cases(), hint, rtol=1e-9, atol=1e-12, verbose=verbose,
                          slips=slips)


# ----------------------------------------------------------------------------- prediction
#: the choices of the variance prediction
VARIANCE_CHOICES = ("reparam, more than 10× smaller", "within a factor of 10",
                    "score, more than 10× smaller")


def variance_choice(ratio: float) -> str:
    """The choice a measured ratio var(score) / var(reparam) supports."""
    if isinstance(ratio, bool) or not isinstance(ratio, (int, float, np.floating)) \
            or not ratio > 0 or not math.isfinite(ratio):
        raise ValueError(f"ratio must be a positive finite number var(score) / var(reparam), "
                         f"got {ratio!r}.")
    if ratio > 10:
        return VARIANCE_CHOICES[0]
    if ratio < 0.1:
        return VARIANCE_CHOICES[2]
    return VARIANCE_CHOICES[1]


def check_variance_prediction(prediction: Callable, ratio: float | None = None,
                              verbose: bool = True) -> CheckResult:
    """Compare the recorded prediction with the measured variance ratio var(score)/var(reparam)
    of the ∂/∂μ estimate for f(z) = (z − 2)², q = N(0, 1) (computed exactly when ``ratio`` is
    None)."""
    if ratio is None:
        toy = quadratic_toy()
        ratio = float(toy.variance("score")[0] / toy.variance("reparam")[0])
    why = (f"The measured ratio is {ratio:.3g}. The reparameterised estimate 2(z − 2) uses the "
           f"slope of f, which changes little across the draws; the score estimate multiplies "
           f"the value f(z) ≥ 0, large wherever z is, by a factor (z − μ)/σ² of mean 0, so "
           f"large positive and negative terms must cancel on average.")
    hint = ["Think about what each estimator multiplies: the slope of f at the draw, or the "
            "value of f at the draw times a random factor whose average is zero. Which of "
            "the two varies more from draw to draw when f is a smooth bowl?"]
    return check_prediction("which estimator has the smaller variance", prediction,
                            VARIANCE_CHOICES, variance_choice(ratio), why, hint=hint,
                            verbose=verbose)


# ----------------------------------------------------------------------------- detach fix
def _log_px_factory(seed: int, M: int, m: int, N: int):
    g = torch.Generator().manual_seed(seed)
    A = torch.randn(M, m, generator=g, dtype=torch.float64)
    b = torch.randn(N, M, generator=g, dtype=torch.float64)

    def log_px(z):
        """−½‖A z − b‖² (a Gaussian decoder's log-likelihood up to a constant): (N,)."""
        return -0.5 * ((z @ A.T - b) ** 2).sum(-1) - torch.tanh(z).sum(-1)
    return log_px


def _detach_cases():
    cases = []
    for seed, (N, M, m) in enumerate([(3, 5, 2), (4, 6, 3), (2, 8, 2)]):
        g = torch.Generator().manual_seed(200 + seed)
        mu = torch.randn(N, m, generator=g, dtype=torch.float64)
        zeta = 0.5 * torch.randn(N, m, generator=g, dtype=torch.float64) - 1.0
        eps = torch.randn(N, m, generator=g, dtype=torch.float64)
        cases.append((_log_px_factory(300 + seed, M, m, N), mu, zeta, eps))
    return cases


def _detach_reference(log_px, mu_tilde, zeta, eps, kind: str = "right"):
    mu_tilde = mu_tilde.detach().clone().requires_grad_(True)
    zeta = zeta.detach().clone().requires_grad_(True)
    scale = torch.exp(zeta) if kind == "exp" else torch.exp(zeta / 2)
    z = mu_tilde + scale * eps
    if kind == "detached":
        z = z.detach()
    sign = 1.0 if kind == "kl_sign" else -1.0
    L = log_px(z).sum() + sign * kl_to_prior(mu_tilde, zeta).sum()
    g_mu, g_zeta = torch.autograd.grad(L, (mu_tilde, zeta), allow_unused=True)
    return _pair(g_mu, g_zeta, mu_tilde)


def _pair(g_mu, g_zeta, like=None):
    """(g_mu, g_zeta) → numpy (N, m, 2); None (an unused input) counts as zeros."""
    parts = []
    for g in (g_mu, g_zeta):
        if g is None and like is not None:
            g = torch.zeros_like(like)
        if isinstance(g, torch.Tensor):
            g = g.detach().cpu().numpy()
        parts.append(np.asarray(g, dtype=float))
    return np.stack(parts, axis=-1)


def check_detach_fix(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(log_px, mu_tilde, zeta, eps) → (g_mu, g_zeta), the gradient of the one-sample
    estimate log p_θ(x|z) − KL(q ‖ N(0, I)) with z = μ̃ + e^{ζ/2} ⊙ ε, all (N, m) float64."""

    def wrapped(*args):
        out = fn(*args)
        if out is None or out is Ellipsis or isinstance(out, str):
            return out
        try:
            g_mu, g_zeta = out
        except (TypeError, ValueError):
            return out
        return _pair(g_mu, g_zeta)

    hint = ["Ask of each line whether the gradient can still flow from the estimate back "
            "to the encoder's outputs. The code must stay a function of the mean and the "
            "log-variance, with only the noise held fixed.",
            "z.detach() cuts z off from μ̃ and ζ: autograd then sees log p_θ(x|z) as a "
            "constant and returns only the KL term's gradient. Keep z = μ̃ + exp(ζ/2) ε "
            "attached.",
            "z = mu_tilde + torch.exp(zeta / 2) * eps   # no .detach()"]
    slips = {"the detached z (only the KL term's gradient is left)":
             lambda *a: _detach_reference(*a, kind="detached"),
             "exp(ζ) instead of exp(ζ/2)": lambda *a: _detach_reference(*a, kind="exp"),
             "the KL added instead of subtracted (the sign)":
             lambda *a: _detach_reference(*a, kind="kl_sign")}
    return check_function("the one-sample gradient without the detached z", wrapped,
                          _detach_reference, _detach_cases(), hint, rtol=1e-9, atol=1e-12,
                          verbose=verbose, slips=slips)
