"""Notebook 02: the slide's regulariser, and what the codes do with and without it.

Slide "WHY VAE REGULARIZATION?": per latent dimension j and input x_i,

    r(μ̃, ζ) = μ̃² + e^ζ − (1 + ζ),   ζ = log σ̃²,
    ∂r/∂μ̃ = 2μ̃,   ∂r/∂ζ = e^ζ − 1,   Hessian diag(2, e^ζ) ≻ 0,

so r is strictly convex with its only minimum r = 0 at μ̃ = 0, ζ = 0 (σ̃ = 1): each
q_φ(z_j|x_i) is pulled to the prior N(0, 1). r = 2·KL(N(μ̃, e^ζ) ‖ N(0, 1)).

"Codes" of a data set: the aggregate q(z) = (1/N) Σ_i q_φ(z|x_i), whose moments follow from the
law of total variance: mean = mean_i μ̃_i, variance = var_i μ̃_i + mean_i σ̃²_i (per dimension).
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from ._checks import as_float_array, check_int

__all__ = ["regulariser", "regulariser_gradient", "minimise_regulariser", "aggregate_moments",
           "CodeStats", "code_stats", "CodeTracker", "train_with_and_without_kl", "one_thread"]


def _pair(mu_tilde, zeta):
    mu_tilde = as_float_array(mu_tilde, "mu_tilde")
    zeta = as_float_array(zeta, "zeta")
    try:
        np.broadcast_shapes(mu_tilde.shape, zeta.shape)
    except ValueError:
        raise ValueError(f"mu_tilde {mu_tilde.shape} and zeta {zeta.shape} must have the same "
                         f"(or broadcastable) shapes, e.g. both (N, m).") from None
    return mu_tilde, zeta


def regulariser(mu_tilde, zeta) -> np.ndarray:
    """The slide's r = μ̃² + e^ζ − (1 + ζ), elementwise (any broadcastable shapes)."""
    mu_tilde, zeta = _pair(mu_tilde, zeta)
    return mu_tilde ** 2 + np.exp(zeta) - (1.0 + zeta)


def regulariser_gradient(mu_tilde, zeta) -> tuple[np.ndarray, np.ndarray]:
    """(∂r/∂μ̃, ∂r/∂ζ) = (2μ̃, e^ζ − 1), elementwise."""
    mu_tilde, zeta = _pair(mu_tilde, zeta)
    return np.broadcast_arrays(2.0 * mu_tilde, np.exp(zeta) - 1.0)


def minimise_regulariser(start=(2.0, -3.0)) -> tuple[float, float, float]:
    """Minimise r numerically (scipy BFGS with the exact gradient) from ``start`` = (μ̃, ζ).

    Returns (μ̃*, ζ*, r*): a check of the calculus, which says (0, 0, 0).
    """
    from scipy.optimize import minimize

    x0 = as_float_array(start, "start", ndim=1)
    if x0.shape != (2,):
        raise ValueError(f"start must be one point (mu_tilde, zeta), got shape {x0.shape}.")
    res = minimize(lambda v: float(regulariser(v[0], v[1])), x0,
                   jac=lambda v: np.array([g.item() for g in regulariser_gradient(v[0], v[1])]),
                   method="BFGS", options={"gtol": 1e-12})
    return float(res.x[0]), float(res.x[1]), float(res.fun)


def aggregate_moments(mu_tilde, zeta) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance per dimension of z ~ (1/N) Σ_i N(μ̃_i, diag e^{ζ_i}).

    mu_tilde, zeta: (N, m) → (mean (m,), var (m,)); var = var_i μ̃_i + mean_i e^{ζ_i}.
    """
    mu_tilde = as_float_array(mu_tilde, "mu_tilde", ndim=2)
    zeta = as_float_array(zeta, "zeta", ndim=2)
    if mu_tilde.shape != zeta.shape:
        raise ValueError(f"mu_tilde {mu_tilde.shape} and zeta {zeta.shape} must both be (N, m).")
    return mu_tilde.mean(0), mu_tilde.var(0) + np.exp(zeta).mean(0)


@dataclass(frozen=True)
class CodeStats:
    """Summary of a VAE's codes on X: per-dimension arrays (m,) and per-image means (nats)."""

    code_mean: np.ndarray         # mean of the aggregate q(z)
    code_std: np.ndarray          # its standard deviation (law of total variance)
    sigma_tilde_median: np.ndarray  # median over inputs of σ̃_j(x)
    regulariser: float            # mean over inputs of Σ_j r(μ̃_j, ζ_j) (= 2·KL to the prior)

    def __str__(self) -> str:
        f = lambda a: "(" + ", ".join(f"{v:.3g}" for v in a) + ")"  # noqa: E731
        return (f"code mean {f(self.code_mean)}, code std {f(self.code_std)}, median σ̃ "
                f"{f(self.sigma_tilde_median)}, regulariser {self.regulariser:.4g} per image")


def code_stats(model, X) -> CodeStats:
    """CodeStats of the VAE ``model``'s encoder on X (N, M)."""
    mu_tilde, zeta = (np.asarray(a, dtype=np.float64) for a in model.encode_numpy(X))
    mean, var = aggregate_moments(mu_tilde, zeta)
    return CodeStats(mean, np.sqrt(var), np.median(np.exp(0.5 * zeta), axis=0),
                     float(regulariser(mu_tilde, zeta).sum(1).mean()))


@dataclass
class CodeTracker:
    """``train(..., callback=tracker)``: records ``code_stats(model, X)`` after every epoch."""

    model: object
    X: np.ndarray
    stats: list = field(default_factory=list)

    def __call__(self, epoch: int, history: dict) -> None:
        self.stats.append(code_stats(self.model, self.X))

    def series(self, name: str) -> np.ndarray:
        """One CodeStats field over the epochs: (epochs, m) or (epochs,)."""
        return np.array([getattr(s, name) for s in self.stats])


def train_with_and_without_kl(X, m: int = 2, epochs: int = 30, lr: float = 3e-3,
                              betas=(0.0, 1.0), seed: int = 0, progress: bool = True) -> dict:
    """Train one VAE per β (same architecture, initial weights and minibatches) on X (N, M).

    β = 0 is "only the reconstruction error"; β = 1 is the slide's L_VAE. Gaussian decoder
    Σ_θ = I, hidden (128, 128). Returns {β: (model, CodeTracker)}.
    """
    from .model import VAE
    from .train import train

    X = as_float_array(X, "X", ndim=2)
    epochs = check_int(epochs, "epochs", 1)
    out = {}
    with one_thread():
        for beta in betas:
            model = VAE(X.shape[1], m, hidden=(128, 128), seed=seed)
            tracker = CodeTracker(model, X)
            train(model, X, epochs=epochs, lr=lr, beta=float(beta), seed=seed,
                  progress=progress, desc=f"β = {beta:g}", callback=tracker)
            out[beta] = (model, tracker)
    return out


@contextmanager
def one_thread():
    """Run torch on one CPU thread inside the block (same numbers on every machine with the
    same CPU kind, and faster for these tiny networks), then restore the thread count."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
