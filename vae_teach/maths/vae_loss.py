"""The last VAE LOSS FUNCTION slides: L_VAE ↔ L_b, why ζ = log σ̃², and the balance β.

**L_VAE and L_b.** With Σ_θ = I the SIMPLER CLOSE FORM gives, for the same samples x̂_i,

    L_b = N log(1/√((2π)^M)) − ½ Σ_i ( ‖x_i − x̂_i‖² + Σ_j [μ̃²_ij + σ̃²_ij − (1 + log σ̃²_ij)] )
        = −N·M/2 · log 2π − ½ L_VAE,   hence   L_VAE = −2·L_b − N·M·log 2π.

(``L_VAE_from_L_b``; the variant "−2·L_b + N·M·log 2π" has the wrong sign on the constant.)

**Why ζ.** One latent dimension j with a linear decoder of gain² a (= ‖w_j‖²) adds
a·σ̃² to the expected reconstruction error, so the σ̃-part of L_VAE is

    f(σ̃) = a σ̃² + σ̃² − log σ̃² − 1 = (1 + a) e^ζ − ζ − 1,   minimum at σ̃² = e^ζ = 1/(1 + a).

In σ̃ (or σ̃²) the problem has a constraint (θ > 0, else log σ̃² is NaN), a barrier −log σ̃²
whose slope −2/σ̃ explodes near 0, and a curvature at the optimum that grows with a
(4(1 + a) in σ̃, (1 + a)² in σ̃²). In ζ it is unconstrained and f(ζ) = g(ζ − ζ*) + log(1 + a)
with g(u) = e^u − u − 1: the same bowl for every a, only shifted, so f''(ζ*) = 1 and one
learning rate suits every latent dimension (``toy_sigma_loss``, ``toy_zeta_loss``, ``descend``).

**The balance β.** Every common way of writing the loss is c·(R + β·K) + const with
R = Σ_i ‖x_i − x̂_i‖² (reconstruction) and K = Σ_i Σ_j [μ̃² + e^ζ − (1 + ζ)] (regulariser); only
β changes the optimum (c rescales the gradient, const nothing). ``LOSS_VARIANTS`` lists them with
their predicted (c, β); ``measure_scale_beta`` recovers (c, β, const) from the code numerically.
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple

import numpy as np

from vae_teach._checks import check_int
from vae_teach.maths.gaussian import LOG_2PI
from vae_teach.maths.regulariser import regulariser_formula


__all__ = ["LOG_2PI", "L_VAE_from_L_b", "toy_sigma_loss", "toy_zeta_loss", "toy_optimum",
           "toy_curvatures", "descend", "Descent", "PARAMS", "reconstruction_R", "regulariser_K",
           "LossVariant", "LOSS_VARIANTS", "measure_scale_beta", "ScaleBeta", "beta_table",
           "random_batch"]


# ----------------------------------------------------------------------------- L_VAE ↔ L_b
def L_VAE_from_L_b(L_b: float, N: int, M: int) -> float:
    """L_VAE = −2·L_b − N·M·log 2π (Σ_θ = I, same samples x̂_i in both)."""
    N, M = check_int(N, "N", 1), check_int(M, "M", 1)
    return -2.0 * float(L_b) - N * M * LOG_2PI


# ----------------------------------------------------------------------------- why ζ
def _gain(a) -> float:
    if isinstance(a, bool) or not isinstance(a, (int, float, np.integer, np.floating)) \
            or not np.isfinite(a) or a < 0:
        raise ValueError(f"a (the decoder gain² ‖w_j‖²) must be a finite number ≥ 0, got {a!r}.")
    return float(a)


def toy_sigma_loss(sigma_tilde, a: float = 0.0):
    """f(σ̃) = a σ̃² + σ̃² − log σ̃² − 1, elementwise; NaN where σ̃ ≤ 0 (log of a negative).

    sigma_tilde: any shape. a = 0 is the bare regulariser σ̃² − (1 + log σ̃²).
    """
    a = _gain(a)
    s = np.asarray(sigma_tilde, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (1 + a) * s ** 2 - np.log(s ** 2) - 1
    return np.where(s > 0, out, np.nan)


def toy_zeta_loss(zeta, a: float = 0.0):
    """f(ζ) = (1 + a) e^ζ − ζ − 1, elementwise (the same f with σ̃² = e^ζ); defined for all ζ."""
    a = _gain(a)
    zeta = np.asarray(zeta, dtype=float)
    return (1 + a) * np.exp(zeta) - zeta - 1


def toy_optimum(a: float = 0.0) -> tuple[float, float]:
    """(σ̃*, ζ*) minimising f: σ̃*² = e^{ζ*} = 1/(1 + a)."""
    a = _gain(a)
    return 1.0 / math.sqrt(1.0 + a), -math.log1p(a)


def toy_curvatures(a: float = 0.0) -> dict[str, float]:
    """Curvature of f at its optimum in each parameter: {"sigma": 4(1 + a),
    "sigma2": (1 + a)², "zeta": 1}. A stable plain-GD step needs lr < 2 / curvature."""
    s, z = toy_optimum(a)
    a = _gain(a)
    return {"sigma": 2 * (1 + a) + 2 / s ** 2, "sigma2": 1 / s ** 4,
            "zeta": (1 + a) * math.exp(z)}


class Descent(NamedTuple):
    """Gradient descent on f: ``sigma_tilde[k]`` after k steps (NaN from the first invalid
    step on), ``loss[k]``, ``failed_at`` (first step whose σ̃ or σ̃² is ≤ 0, else None)."""

    sigma_tilde: np.ndarray
    loss: np.ndarray
    failed_at: int | None


PARAMS = {"sigma": "σ̃", "sigma2": "σ̃²", "zeta": "ζ = log σ̃²"}


def _to_theta(param: str, sigma: float) -> float:
    return {"sigma": sigma, "sigma2": sigma ** 2, "zeta": math.log(sigma ** 2)}[param]


def _to_sigma(param: str, theta: float) -> float:
    """σ̃ from the parameter; NaN where the code's log σ̃² (2 log σ̃ or log σ̃²) is undefined."""
    if param == "zeta":
        return math.exp(0.5 * theta)
    return math.sqrt(theta) if param == "sigma2" and theta > 0 else \
        (theta if param == "sigma" and theta > 0 else math.nan)


def _grad(param: str, theta: float, a: float) -> float:
    """df/dθ for θ = σ̃: 2(1+a)σ̃ − 2/σ̃; θ = σ̃²: (1+a) − 1/σ̃²; θ = ζ: (1+a)e^ζ − 1."""
    if param == "sigma":
        return 2 * (1 + a) * theta - 2 / theta
    if param == "sigma2":
        return (1 + a) - 1 / theta
    return (1 + a) * math.exp(theta) - 1


def descend(param: str, a: float, start: float, lr: float, steps: int) -> Descent:
    """Plain gradient descent θ ← θ − lr·df/dθ with θ = σ̃ ("sigma"), σ̃² ("sigma2") or ζ ("zeta").

    What a network that outputs θ sees: for "sigma" and "sigma2" the loss's log σ̃² is NaN
    once a step makes θ ≤ 0 (``failed_at``); ζ is unconstrained. ``start`` is σ̃₀ > 0 in every
    case. Returns the σ̃ path so that the parametrisations compare directly.
    """
    a = _gain(a)
    steps = check_int(steps, "steps", 1)
    if param not in PARAMS:
        raise ValueError(f"param must be one of {list(PARAMS)} (descend on σ̃, σ̃² or "
                         f"ζ = log σ̃²), got {param!r}.")
    if not (isinstance(start, (int, float)) and np.isfinite(start) and start > 0):
        raise ValueError(f"start is the initial σ̃ and must be > 0, got {start!r}.")
    if not (isinstance(lr, (int, float)) and np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive number, got {lr!r}.")
    path = np.full(steps + 1, np.nan)
    theta, failed = _to_theta(param, float(start)), None
    for k in range(steps + 1):
        sigma = _to_sigma(param, theta)
        if not np.isfinite(sigma):
            failed = k
            break
        path[k] = sigma
        theta = theta - lr * _grad(param, theta, a)
    return Descent(path, toy_sigma_loss(path, a), failed)


# ----------------------------------------------------------------------------- the balance β
def reconstruction_R(x, x_hat):
    """R = Σ_i ‖x_i − x̂_i‖² (the slide's reconstruction loss). x, x_hat: (N, M) → float."""
    return float(np.sum((np.asarray(x, float) - np.asarray(x_hat, float)) ** 2))


def regulariser_K(mu_tilde, zeta):
    """K = Σ_i Σ_j [μ̃_ij² + e^{ζ_ij} − (1 + ζ_ij)] = 2·Σ_i KL(q_φ(·|x_i) ‖ N(0, I)). (N, m) → float."""
    mu_tilde, zeta = np.asarray(mu_tilde, float), np.asarray(zeta, float)
    return float(np.sum(regulariser_formula(mu_tilde, zeta)))


class LossVariant(NamedTuple):
    """A way of writing the VAE loss: ``fn(x, x_hat, mu_tilde, zeta)`` (numpy, (N, M)/(N, m))
    with the scale c, balance β and constant it should equal c(R + βK) + const for."""

    name: str
    formula: str
    fn: Callable
    c: Callable      # (N, M) -> predicted c
    beta: Callable   # (N, M) -> predicted β
    const: Callable  # (N, M) -> predicted constant


def _kl(mu_tilde, zeta):
    """Σ_i KL_i = ½ K."""
    return 0.5 * regulariser_K(mu_tilde, zeta)


def _variants(sigma2_x: float = 0.1, beta: float = 4.0) -> list[LossVariant]:
    s2, b = sigma2_x, beta
    return [
        LossVariant("slide L_VAE", "Σ_i ‖x_i − x̂_i‖² + Σ_ij [μ̃² + e^ζ − (1 + ζ)]",
                    lambda x, xh, mu, z: reconstruction_R(x, xh) + regulariser_K(mu, z),
                    lambda N, M: 1.0, lambda N, M: 1.0, lambda N, M: 0.0),
        LossVariant("−L_b (Σ_θ = I)", "N·M/2·log 2π + ½ Σ_i ‖x_i − x̂_i‖² + Σ_i KL_i",
                    lambda x, xh, mu, z: (x.size / 2 * LOG_2PI + 0.5 * reconstruction_R(x, xh)
                                          + _kl(mu, z)),
                    lambda N, M: 0.5, lambda N, M: 1.0, lambda N, M: N * M / 2 * LOG_2PI),
        LossVariant("mean over the batch", "(1/N) · L_VAE",
                    lambda x, xh, mu, z: (reconstruction_R(x, xh) + regulariser_K(mu, z))
                    / len(x),
                    lambda N, M: 1.0 / N, lambda N, M: 1.0, lambda N, M: 0.0),
        LossVariant("MSE sum + KL", "Σ_i ‖x_i − x̂_i‖² + Σ_i KL_i  (½ on the KL only)",
                    lambda x, xh, mu, z: reconstruction_R(x, xh) + _kl(mu, z),
                    lambda N, M: 1.0, lambda N, M: 0.5, lambda N, M: 0.0),
        LossVariant("MSE mean + KL mean", "mse_loss(x̂, x, 'mean') + (1/N) Σ_i KL_i",
                    lambda x, xh, mu, z: (reconstruction_R(x, xh) / x.size
                                          + _kl(mu, z) / len(x)),
                    lambda N, M: 1.0 / (N * M), lambda N, M: M / 2, lambda N, M: 0.0),
        LossVariant(f"−L_b, σ_x² = {s2:g}", "Σ_i [‖x_i − x̂_i‖²/(2σ_x²) + M/2·log 2πσ_x²]"
                    " + Σ_i KL_i",
                    lambda x, xh, mu, z: (reconstruction_R(x, xh) / (2 * s2)
                                          + x.size / 2 * math.log(2 * math.pi * s2)
                                          + _kl(mu, z)),
                    lambda N, M: 1 / (2 * s2), lambda N, M: s2,
                    lambda N, M: N * M / 2 * math.log(2 * math.pi * s2)),
        LossVariant(f"β-VAE, β = {b:g}", "Σ_i ‖x_i − x̂_i‖² + β Σ_ij [μ̃² + e^ζ − (1 + ζ)]",
                    lambda x, xh, mu, z: reconstruction_R(x, xh) + b * regulariser_K(mu, z),
                    lambda N, M: 1.0, lambda N, M: b, lambda N, M: 0.0),
    ]


LOSS_VARIANTS = _variants()


class ScaleBeta(NamedTuple):
    """Measured ``loss = c·(R + β·K) + const`` and the largest residual on fresh inputs."""

    c: float
    beta: float
    const: float
    max_residual: float


def random_batch(N: int = 8, M: int = 64, m: int = 2, rng=None):
    """Random (x, x_hat, mu_tilde, zeta) with shapes (N, M), (N, M), (N, m), (N, m)."""
    N, M, m = check_int(N, "N", 1), check_int(M, "M", 1), check_int(m, "m", 1)
    rng = np.random.default_rng(rng)
    return (rng.random((N, M)), rng.random((N, M)), rng.normal(size=(N, m)),
            rng.normal(scale=0.7, size=(N, m)))


def measure_scale_beta(fn: Callable, N: int = 8, M: int = 64, m: int = 2, seed: int = 0,
                       n_checks: int = 5) -> ScaleBeta:
    """Find c, β, const with fn(x, x̂, μ̃, ζ) = c·(R + β·K) + const, from three probes:

    const = fn at R = 0, K = 0 (x̂ = x, μ̃ = 0, ζ = 0); c = (fn at K = 0 − const)/R;
    c·β = (fn at R = 0 − const)/K. Then checks the identity on ``n_checks`` fresh random
    batches and reports the largest |fn − (c(R + βK) + const)| as ``max_residual``.
    """
    n_checks = check_int(n_checks, "n_checks", 1)
    rng = np.random.default_rng(seed)
    x, x_hat, mu, zeta = random_batch(N, M, m, rng)
    zeros = np.zeros_like(mu)
    const = float(fn(x, x, zeros, zeros))
    c = (float(fn(x, x_hat, zeros, zeros)) - const) / reconstruction_R(x, x_hat)
    c_beta = (float(fn(x, x, mu, zeta)) - const) / regulariser_K(mu, zeta)
    beta = c_beta / c
    worst = 0.0
    for _ in range(n_checks):
        x, x_hat, mu, zeta = random_batch(N, M, m, rng)
        model = c * (reconstruction_R(x, x_hat) + beta * regulariser_K(mu, zeta)) + const
        worst = max(worst, abs(float(fn(x, x_hat, mu, zeta)) - model))
    return ScaleBeta(c, beta, const, worst)


def beta_table(variants=None, N: int = 8, M: int = 64, m: int = 2, seed: int = 0,
               digits: int = 4) -> str:
    """Plain-text table: variant, measured c and β, predicted β, largest residual."""
    variants = LOSS_VARIANTS if variants is None else variants
    rows = [f"{'loss as written':<22}{'c':>10}{'β measured':>12}{'β predicted':>13}"
            f"  identity c(R + βK) + const holds"]
    for v in variants:
        s = measure_scale_beta(v.fn, N, M, m, seed)
        ok = "yes" if s.max_residual <= 1e-9 * max(1.0, abs(s.const)) else "NO"
        rows.append(f"{v.name:<22}{s.c:>10.{digits}g}{s.beta:>12.{digits}g}"
                    f"{v.beta(N, M):>13.{digits}g}  {ok}")
    return "\n".join(rows)
