"""Gradient of the one-sample L_b estimate with respect to a trained encoder's outputs, by
reparameterisation and by the score function (torch in, numpy out).

For image x_i the encoder gives q_φ(z|x_i) = N(μ̃_i, diag e^{ζ_i}) with μ̃_i, ζ_i ∈ R^m. The
one-sample estimate a training step uses (KL in closed form, as in ``nets.objectives.loss_terms``)

    ℓ̂_i = log p_θ(x_i|z) − KL(q_φ(·|x_i) ‖ N(0, I)),   z ~ q_φ(·|x_i),

has mean ℓ_i, the per-sample term of L_b. Its gradient in the encoder's weights φ is
J_φᵀ g with J the Jacobian of (μ̃_i, ζ_i) in φ, so everything about bias and variance is already
visible in g = (∂ℓ_i/∂μ̃_i, ∂ℓ_i/∂ζ_i), shape (m, 2) per image. With f(z) = log p_θ(x_i|z),
ε ~ N(0, I), z = μ̃ + e^{ζ/2} ⊙ ε and −∇KL = (−μ̃, −½(e^ζ − 1)):

* reparam:  g = (∇_z f(z), ∇_z f(z) ⊙ e^{ζ/2} ε / 2) − ∇KL            (autograd through z)
* score:    g = (f(z) − b) · ((z − μ̃)/e^ζ, ½((z − μ̃)²/e^ζ − 1)) − ∇KL  (z held fixed)
* detached: z held fixed and differentiated anyway: only −∇KL is left (biased).

``reference_gradient`` gives E g without sampling (Gauss–Hermite product rule over the m ≤ 3
latent dimensions), a reference that is neither estimator. The noise ε comes from NumPy's seeded
generator, so every CPU draws the same codes.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import torch

from vae_teach._checks import check_int, check_seed
from vae_teach.maths.gradients import score_terms
from vae_teach.maths.minibatch import MeanCheck, mean_check


__all__ = ["EncoderGradients", "encoder_gradients", "reference_gradient", "kl_gradient"]


def _inputs(model, x):
    if getattr(model, "config", {}).get("model") != "VAE":
        raise TypeError(f"model must be a VAE (with an encoder q_φ), got "
                        f"{type(model).__name__}; an AE has no q_φ to differentiate.")
    x = model._as_input(x, model.M, "x")
    with torch.no_grad():
        mu_tilde, zeta = model.encode(x)
    return x, mu_tilde, zeta


def kl_gradient(mu_tilde: torch.Tensor, zeta: torch.Tensor) -> torch.Tensor:
    """−∇_(μ̃, ζ) KL(N(μ̃, diag e^ζ) ‖ N(0, I)) = (−μ̃, −½(e^ζ − 1)): (N, m, 2)."""
    return torch.stack([-mu_tilde, -0.5 * (torch.exp(zeta) - 1)], dim=-1)


def _grad_f(model, x, z):
    """f(z) = log p_θ(x|z) (S, N) and ∇_z f (S, N, m) for codes z (S, N, m)."""
    z = z.detach().requires_grad_(True)
    with torch.enable_grad():
        f = model.log_px_given_z(x, z)
        (g,) = torch.autograd.grad(f.sum(), z)
    return f.detach(), g


def reference_gradient(model, x, n_nodes: int = 80) -> np.ndarray:
    """E_ε[g] of the one-sample estimate, exactly: (N, m, 2), columns (∂/∂μ̃, ∂/∂ζ).

    A Gauss–Hermite product rule with ``n_nodes`` points per latent dimension on
    z = μ̃ + e^{ζ/2} ⊙ ε (n_nodes^m decoder evaluations per image), so only m ≤ 3. It
    integrates (f(z) − f(μ̃)) ∇ log q, which equals E[∇_z f ∂z/∂φ] (integration by parts) but
    is continuous in z, while ∇_z f of a ReLU decoder jumps: the quadrature then converges
    fast (about 0.02 from the limit at 80 nodes for ``vae_mnist2``, against gradients of
    order 1 to 60).
    """
    x, mu_tilde, zeta = _inputs(model, x)
    n_nodes = check_int(n_nodes, "n_nodes", 2)
    N, m = mu_tilde.shape
    if m > 3:
        raise ValueError(f"the quadrature reference needs n_nodes^m points; m = {m} is too "
                         f"many. Use a model with a latent dimension m ≤ 3 (e.g. vae_mnist2).")
    nodes, weights = np.polynomial.hermite_e.hermegauss(n_nodes)
    weights = weights / math.sqrt(2 * math.pi)
    grids = np.meshgrid(*([nodes] * m), indexing="ij")
    eps = np.stack([g.ravel() for g in grids], axis=-1)                      # (P, m)
    w = np.prod(np.meshgrid(*([weights] * m), indexing="ij"), axis=0).ravel()  # (P,)
    dtype = mu_tilde.dtype
    eps_t = torch.as_tensor(eps, dtype=dtype)[:, None, :].expand(-1, N, -1)   # (P, N, m)
    with torch.no_grad():
        f = model.log_px_given_z(x, mu_tilde + torch.exp(zeta / 2) * eps_t)     # (P, N)
        f = f - model.log_px_given_z(x, mu_tilde)
        terms = torch.stack([eps_t / torch.exp(zeta / 2), 0.5 * (eps_t ** 2 - 1)], dim=-1)
        mean = torch.tensordot(torch.as_tensor(w, dtype=dtype), f[..., None, None] * terms,
                               dims=([0], [0]))
    return (mean + kl_gradient(mu_tilde, zeta)).cpu().numpy().astype(np.float64)


class EncoderGradients(NamedTuple):
    """Per-sample gradient estimates for N images, each (S, N, m, 2) (columns ∂/∂μ̃, ∂/∂ζ),
    with the encoder's outputs (N, m), the exact ``reference`` (N, m, 2) and the
    ``detached`` (wrong) gradient (N, m, 2), which no draw changes, and the noise ``eps``
    (S, N, m) behind the draws z = μ̃ + e^{ζ/2} ⊙ ε."""

    mu_tilde: np.ndarray
    zeta: np.ndarray
    reference: np.ndarray
    reparam: np.ndarray
    score: np.ndarray
    score_baseline: np.ndarray
    detached: np.ndarray
    eps: np.ndarray

    def estimates(self, method: str) -> np.ndarray:
        if method not in ("reparam", "score", "score_baseline"):
            raise ValueError(f"method must be 'reparam', 'score' or 'score_baseline', got "
                             f"{method!r}.")
        return getattr(self, method)

    def z_scores(self, method: str) -> np.ndarray:
        """(mean over the S draws − reference) / s.e., (N, m, 2): |z| ≲ 3 means unbiased."""
        g = self.estimates(method)
        se = g.std(axis=0, ddof=1) / math.sqrt(g.shape[0])
        return (g.mean(axis=0) - self.reference) / se

    def variance(self, method: str) -> np.ndarray:
        """Per-sample variance of each gradient entry, (N, m, 2)."""
        return self.estimates(method).var(axis=0, ddof=1)

    def variance_ratio(self, method: str, other: str = "reparam") -> float:
        """Σ per-sample variance of ``method`` / Σ that of ``other`` (over all entries)."""
        return float(self.variance(method).sum() / self.variance(other).sum())

    def mean_check(self, method: str) -> MeanCheck:
        """Mean ± s.e. of Σ_entries (estimate − reference) over the draws vs 0: one number
        that is unbiased when every entry is."""
        g = self.estimates(method) - self.reference
        return mean_check(g.reshape(g.shape[0], -1).sum(axis=1), 0.0)


def encoder_gradients(model, x, n_samples: int = 500, seed: int = 0,
                      n_nodes: int = 80) -> EncoderGradients:
    """Gradient estimates of the one-sample ℓ̂_i with respect to (μ̃_i, ζ_i) for each row of x
    (N, M): ``n_samples`` draws by each estimator, the same ε for all of them. The score
    estimator with a baseline uses b = f(μ̃_i), the decoder's log-likelihood at the code mean.
    Use ``model.double()`` for numbers that agree across CPUs."""
    x, mu_tilde, zeta = _inputs(model, x)
    S = check_int(n_samples, "n_samples", 2)
    rng = np.random.default_rng(check_seed(seed))
    dtype = mu_tilde.dtype
    eps = torch.as_tensor(rng.standard_normal((S,) + tuple(mu_tilde.shape)), dtype=dtype)
    sigma2 = torch.exp(zeta)
    z = mu_tilde + torch.sqrt(sigma2) * eps                                    # (S, N, m)
    f, gz = _grad_f(model, x, z)
    kl = kl_gradient(mu_tilde, zeta)
    reparam = torch.stack([gz, gz * torch.sqrt(sigma2) * eps / 2], dim=-1) + kl
    terms = torch.as_tensor(score_terms(z.numpy(), mu_tilde.numpy(), sigma2.numpy()),
                            dtype=dtype)                                      # (S, N, m, 2)
    with torch.no_grad():
        b = model.log_px_given_z(x, mu_tilde)                                 # (N,)
    score = f[..., None, None] * terms + kl
    score_b = (f - b)[..., None, None] * terms + kl
    as_np = lambda t: t.detach().cpu().numpy().astype(np.float64)  # noqa: E731
    return EncoderGradients(as_np(mu_tilde), as_np(zeta), reference_gradient(model, x, n_nodes),
                            as_np(reparam), as_np(score), as_np(score_b), as_np(kl), as_np(eps))
