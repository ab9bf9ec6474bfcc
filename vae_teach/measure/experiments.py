"""Training runs that compare settings, and what the balance β does to a trained VAE.

``train_with_and_without_kl`` trains one VAE per β from the same initial weights and
minibatches (β = 0: "only reconstruction"; β = 1: the slide's L_VAE). ``beta_stats`` then
measures reconstruction, KL and active latent dimensions:

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

from vae_teach._checks import as_float_array, check_int
from vae_teach.maths.regulariser import regulariser_formula
from vae_teach.measure.codes import CodeTracker
from vae_teach.nets.threads import one_thread


__all__ = ["train_with_and_without_kl", "BetaStats", "beta_stats", "beta_panel", "beta_stats_table"]


def train_with_and_without_kl(X, m: int = 2, epochs: int = 30, lr: float = 3e-3,
                              betas=(0.0, 1.0), seed: int = 0, progress: bool = True,
                              decoder: str = "gaussian", hidden=(128, 128),
                              **model_kwargs) -> dict:
    """Train one VAE per β (same architecture, initial weights and minibatches) on X (N, M).

    β = 0 is "only the reconstruction error"; β = 1 is the slide's L_VAE. ``hidden`` layer
    sizes, ``decoder`` "gaussian" (the slide's Σ_θ = I) or "bernoulli" (X in {0, 1}); further
    ``model_kwargs`` go to ``VAE`` (e.g. ``x_scale``). One torch thread, so a rerun repeats
    exactly. Returns {β: (model in eval mode, CodeTracker)}.
    """
    from vae_teach.nets.model import VAE
    from vae_teach.nets.train import train

    X = as_float_array(X, "X", ndim=2)
    epochs = check_int(epochs, "epochs", 1)
    out = {}
    with one_thread():
        for beta in betas:
            model = VAE(X.shape[1], m, hidden=tuple(hidden), decoder=decoder, seed=seed,
                        **model_kwargs)
            tracker = CodeTracker(model, X)
            train(model, X, epochs=epochs, lr=lr, beta=float(beta), seed=seed,
                  progress=progress, desc=f"β = {beta:g}", callback=tracker)
            out[beta] = (model.eval(), tracker)
    return out


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
    kl_dims = 0.5 * np.mean(regulariser_formula(mu_tilde, zeta), axis=0)
    activity = np.var(mu_tilde, axis=0)
    return BetaStats(rec, float(kl_dims.sum()), kl_dims, int(np.sum(activity > threshold)),
                     activity)


def beta_panel(model, X, title: str, n_samples: int = 36, seed: int = 0) -> dict:
    """Inputs for ``viz.vae_loss.fig_beta_effects``: code means of X and decoded prior
    samples (``measure.quality.decode_prior_samples``)."""
    from vae_teach.measure.quality import decode_prior_samples

    mu_tilde, _ = model.encode_numpy(X)
    samples = decode_prior_samples(model, n_samples, seed)
    return {"title": title, "mu_tilde": mu_tilde, "samples": samples}


def beta_stats_table(named_models: dict, X, threshold: float = 0.01) -> str:
    """Plain-text table, one row per (name → model)."""
    rows = [f"{'model':<14}{'‖x − x̂‖²':>10}{'KL (nats)':>11}{'KL per dim':>24}{'active':>8}"]
    for name, model in named_models.items():
        s = beta_stats(model, X, threshold)
        dims = " ".join(f"{k:.2f}" for k in s.kl_per_dim)
        rows.append(f"{name:<14}{s.rec:>10.1f}{s.kl:>11.2f}{dims:>24}{s.active:>5}/{len(s.kl_per_dim)}")
    return "\n".join(rows)
