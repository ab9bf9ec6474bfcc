"""What the balance β does to a trained VAE: reconstruction, KL, active latent dimensions.

For a VAE trained on rec + β·KL (β-VAE; β = 1 is −L_b), on data X (N, M):

* ``rec``  = mean_i ‖x_i − μ_θ(μ̃_φ(x_i))‖²: squared error of the decoded code means;
* ``kl``   = mean_i KL(q_φ(·|x_i) ‖ N(0, I)) in nats, and ``kl_per_dim`` (m,);
* ``active`` = number of latent dims j with Var_i(μ̃_j(x_i)) > ``threshold`` (Burda et al.'s
  activity statistic): a dim whose code mean does not vary with x carries no information —
  posterior collapse (q_φ(z_j|x) = prior for every x).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["BetaStats", "beta_stats", "beta_panel", "beta_stats_table"]


class BetaStats(NamedTuple):
    """Summary of one model on X: see the module docstring."""

    rec: float
    kl: float
    kl_per_dim: np.ndarray
    active: int
    activity: np.ndarray


def beta_stats(model, X, threshold: float = 0.01) -> BetaStats:
    """rec, KL, per-dim KL and active units of ``model`` on ``X`` (N, M)."""
    if not (isinstance(threshold, (int, float)) and threshold > 0):
        raise ValueError(f"threshold must be a positive variance, got {threshold!r}.")
    mu_tilde, zeta = model.encode_numpy(X)
    mu_tilde, zeta = mu_tilde.astype(float), zeta.astype(float)
    x_hat = model.decode_numpy(mu_tilde.astype(np.float32)).astype(float)
    rec = float(np.mean(np.sum((np.asarray(X, float) - x_hat) ** 2, axis=1)))
    kl_dims = 0.5 * np.mean(mu_tilde ** 2 + np.exp(zeta) - 1 - zeta, axis=0)
    activity = np.var(mu_tilde, axis=0)
    return BetaStats(rec, float(kl_dims.sum()), kl_dims, int(np.sum(activity > threshold)),
                     activity)


def beta_panel(model, X, title: str, n_samples: int = 36, seed: int = 0) -> dict:
    """Inputs for ``plots_loss.fig_beta_effects``: code means of X and decoded prior samples."""
    import torch

    mu_tilde, _ = model.encode_numpy(X)
    gen = torch.Generator().manual_seed(seed)
    samples = model.sample(n_samples, generator=gen).cpu().numpy()
    return {"title": title, "mu_tilde": mu_tilde, "samples": samples}


def beta_stats_table(named_models: dict, X, threshold: float = 0.01) -> str:
    """Plain-text table, one row per (name → model)."""
    rows = [f"{'model':<14}{'‖x − x̂‖²':>10}{'KL (nats)':>11}{'KL per dim':>24}{'active':>8}"]
    for name, model in named_models.items():
        s = beta_stats(model, X, threshold)
        dims = " ".join(f"{k:.2f}" for k in s.kl_per_dim)
        rows.append(f"{name:<14}{s.rec:>10.1f}{s.kl:>11.2f}{dims:>24}{s.active:>5}/{len(s.kl_per_dim)}")
    return "\n".join(rows)
