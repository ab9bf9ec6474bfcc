"""Test-set numbers for a trained VAE, per image, in nats.

* ELBO: L_b / N by plain Monte Carlo (``nets.objectives.L_b_monte_carlo``), a lower bound on log p_θ(x).
* IWAE-k: the importance-weighted bound L_k (``nets.objectives.iwae_bound``), L_1 = ELBO ≤ L_k ≤ log p_θ(x);
  −L_k with k = 1000 is the usual "test NLL" of a VAE.

Rows are processed in batches and the k draws in chunks, so k = 1000 fits in memory even for
MNIST; each call seeds its own generator, so numbers are reproducible.
"""

from __future__ import annotations

import math

import torch

from vae_teach._checks import check_int, check_seed
from vae_teach.nets.objectives import L_b_monte_carlo, _check_vae, iwae_bound


__all__ = ['elbo_per_image', 'log_likelihood_per_image', 'evaluate']


def _rows(model, X, batch_size: int):
    from vae_teach.nets.train import _as_data

    X = _as_data(X, model, "X")
    batch_size = check_int(batch_size, "batch_size", 1)
    for start in range(0, len(X), batch_size):
        yield X[start:start + batch_size]


def _chunk(k: int, batch: int, M: int, budget: int = 4_000_000) -> int:
    """Draws per chunk so one (chunk, batch, M) decoder output stays under ``budget`` floats."""
    return max(1, min(k, budget // max(1, batch * M)))


@torch.no_grad()
def elbo_per_image(model, X, n_samples: int = 100, seed: int = 0, batch_size: int = 500
                   ) -> tuple[float, float]:
    """Monte-Carlo L_b per image (nats), averaged over the rows of X: ``(mean, standard_error)``.

    X: (N, M). The standard error is over the n_samples draws per image.
    """
    _check_vae(model)
    seed = check_seed(seed)
    model.eval()
    S = check_int(n_samples, "n_samples", 2)
    gen = torch.Generator(device=model.device).manual_seed(seed)
    rows = max(1, min(batch_size, 4_000_000 // (S * model.M)))  # (S, rows, M) stays small
    total, var, N = 0.0, 0.0, 0
    for xb in _rows(model, X, rows):
        mean, se = L_b_monte_carlo(model, xb, S, gen)
        total, var, N = total + mean.item(), var + se.item() ** 2, N + len(xb)
    return total / N, math.sqrt(var) / N


@torch.no_grad()
def log_likelihood_per_image(model, X, k: int = 1000, seed: int = 0, batch_size: int = 500
                             ) -> float:
    """IWAE-k lower bound on log p_θ(x) per image (nats), averaged over the rows of X (N, M)."""
    _check_vae(model)
    seed = check_seed(seed)
    model.eval()
    k = check_int(k, "k", 1)
    gen = torch.Generator(device=model.device).manual_seed(seed)
    total, N = 0.0, 0
    for xb in _rows(model, X, batch_size):
        total += iwae_bound(model, xb, k, gen, chunk=_chunk(k, len(xb), model.M)).item()
        N += len(xb)
    return total / N


def evaluate(model, X, k: int = 1000, n_samples: int = 100, seed: int = 0,
             batch_size: int = 500) -> dict:
    """ELBO and IWAE-k per image on X (nats): keys ``N``, ``nets.objectives``, ``elbo_se``, ``iwae``,
    ``nll`` (= −iwae), ``k``."""
    elbo, se = elbo_per_image(model, X, n_samples, seed, batch_size)
    iwae = log_likelihood_per_image(model, X, k, seed, batch_size)
    return {"N": len(X), "elbo": elbo, "elbo_se": se, "iwae": iwae, "nll": -iwae, "k": k}
