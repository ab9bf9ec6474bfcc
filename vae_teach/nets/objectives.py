"""The lower bound L_b, the slide's loss L_VAE, the KL to the prior and the IWAE bound.

Notation (slides): q_φ(z|x) = N(μ̃, diag(σ̃²)), ζ = log σ̃², prior N(0, I), decoder p_θ(x|z).

    L_b = Σ_i E_{z_i ~ q_φ(·|x_i)} [ log p_θ(x_i|z_i) + log p_θ(z_i) − log q_φ(z_i|x_i) ]

With Σ_θ = I (the slides' simplifying assumption)

    L_b = −N·M/2·log 2π − ½ Σ_i ( E‖x_i − μ_θ(z_i)‖² + Σ_j [ μ̃_j² + e^{ζ_j} − (1 + ζ_j) ] )
    L_VAE = Σ_i ( ‖x_i − x̂_i‖² + Σ_j [ μ̃_j² + e^{ζ_j} − (1 + ζ_j) ] ),   x̂_i = μ_θ(z_i),

so −2·L_b = N·M·log 2π + L_VAE when the expectation is replaced by the same samples x̂_i.
All values are in nats; ``L_b``-named results are summed over the N samples unless
``per_sample=True`` (then shape (N,)).
"""

from __future__ import annotations

import math

import torch

from vae_teach._checks import check_int
from vae_teach.maths.gaussian import LOG_2PI
from vae_teach.maths.prior import log_standard_normal
from vae_teach.maths.regulariser import regulariser_formula


__all__ = ["regulariser", "kl_to_prior", "L_VAE", "L_b_closed_form", "gaussian_log_px",
           "bernoulli_log_px", "log_px_given_z", "log_prior", "log_q", "L_b_monte_carlo",
           "loss_terms", "iwae_bound"]


def _check_pair(mu_tilde: torch.Tensor, zeta: torch.Tensor) -> None:
    if not (isinstance(mu_tilde, torch.Tensor) and isinstance(zeta, torch.Tensor)):
        raise TypeError("mu_tilde and zeta must be torch tensors of shape (N, m).")
    if mu_tilde.shape != zeta.shape:
        raise ValueError(f"mu_tilde {tuple(mu_tilde.shape)} and zeta {tuple(zeta.shape)} must "
                         f"have the same shape (N, m); zeta is log σ̃², one per latent dim.")


def _check_x(x: torch.Tensor, x_hat: torch.Tensor) -> None:
    if not (isinstance(x, torch.Tensor) and isinstance(x_hat, torch.Tensor)):
        raise TypeError("x and x_hat must be torch tensors of shape (N, M).")
    if x_hat.shape[-2:] != x.shape or x.ndim != 2:
        raise ValueError(f"x_hat {tuple(x_hat.shape)} must be (N, M) or (S, N, M) with (N, M) "
                         f"= x's shape {tuple(x.shape)}.")


def regulariser(mu_tilde: torch.Tensor, zeta: torch.Tensor) -> torch.Tensor:
    """The slide's per-dimension regulariser μ̃_j² + e^{ζ_j} − (1 + ζ_j) = 2·KL_j: (N, m).

    Zero exactly when μ̃_j = 0 and ζ_j = 0 (σ̃_j = 1), i.e. when q_φ(z_j|x) is the prior.
    """
    _check_pair(mu_tilde, zeta)
    return regulariser_formula(mu_tilde, zeta)


def kl_to_prior(mu_tilde: torch.Tensor, zeta: torch.Tensor) -> torch.Tensor:
    """KL(N(μ̃, diag e^ζ) ‖ N(0, I)) = ½ Σ_j [μ̃_j² + e^{ζ_j} − (1 + ζ_j)], (N,) nats."""
    return 0.5 * regulariser(mu_tilde, zeta).sum(-1)


def L_VAE(x: torch.Tensor, x_hat: torch.Tensor, mu_tilde: torch.Tensor,
          zeta: torch.Tensor) -> torch.Tensor:
    """The last slide's loss, verbatim (a scalar):

    L_VAE = Σ_{i=1}^N ( ‖x_i − x̂_i‖² + Σ_{j=1}^m ( ‖μ̃_j(x_i)‖² + exp(ζ_j(x_i)) − (1 + ζ_j(x_i)) ) )

    x, x_hat: (N, M); mu_tilde, zeta: (N, m).
    """
    _check_x(x, x_hat)
    _check_pair(mu_tilde, zeta)
    reconstruction = ((x - x_hat) ** 2).sum(-1)
    regularisation = regulariser_formula(mu_tilde, zeta).sum(-1)
    return (reconstruction + regularisation).sum()


def L_b_closed_form(x: torch.Tensor, x_hat: torch.Tensor, mu_tilde: torch.Tensor,
                    zeta: torch.Tensor, per_sample: bool = False) -> torch.Tensor:
    """The slides' "simpler close form" of L_b for Σ_θ = I, with every constant:

    L_b = N log(1/√((2π)^M)) − ½ Σ_i ( E‖x_i − μ_θ(z_i)‖² + ‖μ̃_i‖² + Σ_j (σ̃²_ij − log σ̃²_ij − 1) )

    The expectation is the average over the S decoder means ``x_hat`` (S, N, M) (or the one
    sample (N, M)) at z ~ q_φ(·|x). Returns a scalar, or (N,) with ``per_sample=True``.
    """
    _check_x(x, x_hat)
    _check_pair(mu_tilde, zeta)
    M = x.shape[-1]
    sq_err = ((x - x_hat) ** 2).sum(-1)
    if sq_err.ndim == 2:
        sq_err = sq_err.mean(0)
    per = -0.5 * M * LOG_2PI - 0.5 * (sq_err + regulariser_formula(mu_tilde, zeta).sum(-1))
    return per if per_sample else per.sum()


def gaussian_log_px(x: torch.Tensor, mu_theta: torch.Tensor, log_sigma2=0.0) -> torch.Tensor:
    """Σ_k log N(x_k; μ_θ,k, σ²) with log σ² a number or a (M,) tensor: (..., N)."""
    log_sigma2 = torch.as_tensor(log_sigma2, dtype=mu_theta.dtype, device=mu_theta.device)
    return -0.5 * (LOG_2PI + log_sigma2 + (x - mu_theta) ** 2 / torch.exp(log_sigma2)).sum(-1)


def bernoulli_log_px(x: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    """Σ_k x_k log p_k + (1 − x_k) log(1 − p_k), p = sigmoid(logits): (..., N)."""
    return (x * logits - torch.nn.functional.softplus(logits)).sum(-1)


def log_px_given_z(model, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """log p_θ(x|z) for the model's decoder (Gaussian Σ_θ = I, Bernoulli or learned σ_x²).

    x: (N, M); z: (N, m) or (S, N, m) → (N,) or (S, N).
    """
    return model.log_px_given_z(x, z)


def log_prior(z: torch.Tensor) -> torch.Tensor:
    """log N(z; 0, I) summed over the m latent dims: (..., N) (``maths.prior``'s formula)."""
    return log_standard_normal(z)


def log_q(z: torch.Tensor, mu_tilde: torch.Tensor, zeta: torch.Tensor) -> torch.Tensor:
    """log N(z; μ̃, diag e^ζ) summed over latent dims: (..., N)."""
    return -0.5 * (LOG_2PI + zeta + (z - mu_tilde) ** 2 / torch.exp(zeta)).sum(-1)


def _log_weights(model, x, mu_tilde, zeta, n_samples, generator):
    """log w = log p(x|z) + log p(z) − log q(z|x) for S draws z ~ q: (S, N)."""
    from vae_teach.nets.model import reparameterize

    z = reparameterize(mu_tilde, zeta, generator, n_samples=n_samples)
    return model.log_px_given_z(x, z) + log_prior(z) - log_q(z, mu_tilde, zeta)


def _check_vae(model) -> None:
    if getattr(model, "config", {}).get("model") != "VAE":
        raise TypeError(f"this needs a VAE (with an encoder q_φ), got "
                        f"{type(model).__name__}; an AE has no ELBO.")


@torch.no_grad()
def L_b_monte_carlo(model, x: torch.Tensor, n_samples: int = 100,
                    generator: torch.Generator | None = None, per_sample: bool = False
                    ) -> tuple[torch.Tensor, torch.Tensor]:
    """Plain Monte-Carlo L_b: average of log p(x|z) + log p(z) − log q(z|x) over S draws.

    Returns ``(mean, standard_error)`` over the S = n_samples draws: scalars for L_b summed
    over the N rows of x, or (N,) each with ``per_sample=True``. No closed form is used.
    """
    _check_vae(model)
    S = check_int(n_samples, "n_samples", 2)
    x = model._as_input(x, model.M, "x")
    mu_tilde, zeta = model.encode(x)
    log_w = _log_weights(model, x, mu_tilde, zeta, S, generator)  # (S, N)
    draws = log_w if per_sample else log_w.sum(-1)
    return draws.mean(0), draws.std(0) / math.sqrt(S)


def loss_terms(model, x: torch.Tensor, beta: float = 1.0,
               generator: torch.Generator | None = None
               ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Training objective per image: ``(loss, rec, kl)`` averaged over the N rows of x.

    VAE: rec = −log p_θ(x|z) with one z ~ q_φ(·|x), kl = KL(q_φ ‖ N(0, I)) in closed form,
    loss = rec + β·kl (β = 1: loss = −L_b/N, an unbiased estimate). AE: rec = −log p_θ(x|z)
    at z = f(x) (½‖x − x̂‖² + const or BCE), kl = 0.
    """
    if model.config["model"] == "AE":
        rec = -model.log_px_given_z(x, model.encode(x)).mean()
        return rec, rec, torch.zeros((), device=rec.device)
    mu_tilde, zeta = model.encode(x)
    from vae_teach.nets.model import reparameterize

    z = reparameterize(mu_tilde, zeta, generator)
    rec = -model.log_px_given_z(x, z).mean()
    kl = kl_to_prior(mu_tilde, zeta).mean()
    return rec + beta * kl, rec, kl


@torch.no_grad()
def iwae_bound(model, x: torch.Tensor, k: int, generator: torch.Generator | None = None,
               per_sample: bool = False, chunk: int = 100) -> torch.Tensor:
    """Importance-weighted bound L_k = E[ log (1/k) Σ_{s=1}^k p(x, z_s) / q(z_s|x) ] ≤ log p(x).

    L_1 is the ELBO; L_k increases with k towards log p_θ(x). The k draws are made in chunks of
    ``chunk`` to bound memory. Returns the sum over the N rows (or (N,) with per_sample).
    """
    _check_vae(model)
    k = check_int(k, "k", 1)
    chunk = check_int(chunk, "chunk", 1)
    x = model._as_input(x, model.M, "x")
    mu_tilde, zeta = model.encode(x)
    parts = [_log_weights(model, x, mu_tilde, zeta, min(chunk, k - s), generator)
             for s in range(0, k, chunk)]
    bound = torch.logsumexp(torch.cat(parts, 0), 0) - math.log(k)
    return bound if per_sample else bound.sum()
