"""The slide "VAE WITH INDEPENDENT SAMPLES", checked on probabilistic PCA (numpy only).

Two views of the same L_b(p_θ, q_φ, 𝒳) = E_{𝒵~q(·|𝒳)}[log p_θ(𝒳, 𝒵) − log q_φ(𝒵|𝒳)]:

* joint — 𝒵 = (z_1, …, z_N) is ONE vector in R^{Nm} and q(𝒵|𝒳) = N(vec μ̃, Σ_joint) is one
  Gaussian; p_θ(𝒳|𝒵) = N(vec 𝒳; (I_N ⊗ W) vec 𝒵 + 1_N ⊗ μ, σ² I_{NM}) and
  p_θ(𝒵) = N(0, I_{Nm}) are big Gaussians too (``joint_*`` below, dense matrices);
* per sample — the slide's last line, Σ_i E_{z_i~q(·|x_i)}[log p_θ(x_i|z_i)/q_φ(z_i|x_i)
  + log p_θ(z_i)] (``maths.bound.lower_bound``).

They agree when q is block-diagonal (independent samples: Σ_joint = blockdiag(Σ̃_1 … Σ̃_N)).
When q correlates different samples, the per-sample formula evaluated with q's marginals
overstates the joint L_b by the total correlation Σ_i H(q_i) − H(q) ≥ 0.

Minibatches: with i.i.d. uniform batches ℬ of size B (without replacement inside a batch),
L̂_b = (N/B) Σ_{i∈ℬ} ℓ_i is unbiased for L_b = Σ_i ℓ_i, with
Var L̂_b = N² (1 − B/N) s² / B, s² the (ddof=1) variance of the per-sample terms ℓ_i.
Replacing ℓ_i by a one-draw Monte-Carlo term log p(x_i|z_i) + log p(z_i) − log q(z_i|x_i),
z_i ~ q(·|x_i), keeps it unbiased (that is what VAE training uses).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.linalg import block_diag

from vae_teach._checks import as_float_array, check_int
from vae_teach.maths.bound import _model, _q, log_q, lower_bound_terms, sample_q
from vae_teach.maths.gaussian import log_normal, log_normal_diag, neg_entropy
from vae_teach.maths.lemma import lemma_closed_form
from vae_teach.maths.lines import SlideLine, mean_se


__all__ = ["block_diag_cov", "correlated_cov", "joint_log_q", "joint_log_px_given_z",
           "joint_log_pz", "joint_lower_bound", "total_correlation", "FactorisationCheck",
           "factorisation_check", "independent_samples_lines"]


MAX_JOINT_DIM = 2000


def _check_joint(size: int, what: str) -> None:
    if size > MAX_JOINT_DIM:
        raise ValueError(f"{what} would be a dense {size}×{size} matrix; pass fewer samples "
                         f"(e.g. X[:50]) — the joint view exists to check the slide on small N.")


# ----------------------------------------------------------------------------- joint densities
def block_diag_cov(Sigma_tilde, N: int | None = None) -> np.ndarray:
    """Σ_joint = blockdiag(Σ̃_1, …, Σ̃_N): (Nm, Nm) from (N, m, m) (or (m, m) and N)."""
    Sigma_tilde = as_float_array(Sigma_tilde, "Sigma_tilde", ndim=(2, 3))
    if Sigma_tilde.ndim == 2:
        Sigma_tilde = np.broadcast_to(Sigma_tilde, (check_int(N, "N", 1),) + Sigma_tilde.shape)
    _check_joint(Sigma_tilde.shape[0] * Sigma_tilde.shape[1], "block_diag_cov")
    return block_diag(*Sigma_tilde)


def correlated_cov(Sigma_tilde, rho: float) -> np.ndarray:
    """A q that correlates samples: Σ_joint = ((1−ρ) I_N + ρ 11ᵀ) ⊗ Σ̃ (Σ̃ shared, (m, m)).

    Each marginal q(z_i|x_i) is still N(μ̃_i, Σ̃); cov(z_i, z_j) = ρ Σ̃ for i ≠ j. Needs
    −1/(N−1) < ρ < 1 for positive definiteness; here −0.99 < ρ < 1 is checked by Cholesky.
    """
    Sigma_tilde = as_float_array(Sigma_tilde, "Sigma_tilde", ndim=3)
    N = Sigma_tilde.shape[0]
    if not np.allclose(Sigma_tilde, Sigma_tilde[0]):
        raise ValueError("correlated_cov needs one shared Σ̃ (all Sigma_tilde[i] equal).")
    if not -1.0 < rho < 1.0:
        raise ValueError(f"rho must be in (−1, 1) (a correlation), got {rho!r}.")
    return np.kron((1 - rho) * np.eye(N) + rho * np.ones((N, N)), Sigma_tilde[0])


def joint_log_q(Z, mu_tilde, Sigma_joint) -> np.ndarray:
    """log q(𝒵|𝒳) = log N(vec 𝒵; vec μ̃, Σ_joint). Z: (N, m) or (S, N, m) → float or (S,)."""
    mu_tilde = as_float_array(mu_tilde, "mu_tilde", ndim=2)
    Z = as_float_array(Z, "Z", ndim=(2, 3))
    lead = Z.shape[:-2]
    return log_normal(Z.reshape(lead + (-1,)), mu_tilde.reshape(-1), Sigma_joint)


def joint_log_px_given_z(model, X, Z) -> np.ndarray:
    """log p_θ(𝒳|𝒵) = log N(vec 𝒳; (I_N ⊗ W) vec 𝒵 + 1_N ⊗ μ, σ² I_{NM}), as one Gaussian.

    The mean is built with the Kronecker matrix (I_N ⊗ W), not per row. Z: (N, m) or
    (S, N, m) → float or (S,).
    """
    model = _model(model)
    X = model._X(X)
    N, M = X.shape
    _check_joint(N * M, "joint_log_px_given_z")
    A = np.kron(np.eye(N), model.W)                                       # (NM, Nm)
    Z = as_float_array(Z, "Z", ndim=(2, 3))
    lead = Z.shape[:-2]
    mean = Z.reshape(lead + (-1,)) @ A.T + np.tile(model.mu, N)
    return log_normal_diag(X.reshape(-1), mean, np.full(N * M, model.sigma2))


def joint_log_pz(Z) -> np.ndarray:
    """log p_θ(𝒵) = log N(vec 𝒵; 0, I_{Nm}). Z: (N, m) or (S, N, m) → float or (S,)."""
    Z = as_float_array(Z, "Z", ndim=(2, 3))
    flat = Z.reshape(Z.shape[:-2] + (-1,))
    return log_normal_diag(flat, np.zeros(flat.shape[-1]), np.ones(flat.shape[-1]))


def joint_lower_bound(model, X, mu_tilde, Sigma_joint) -> float:
    """L_b in closed form with the big Gaussians (no per-sample split):

    E_q[log p(𝒳|𝒵)] = log N(vec 𝒳; A vec μ̃ + 1⊗μ, σ² I) − Tr(A Σ_joint Aᵀ)/(2σ²), A = I_N ⊗ W;
    E_q[log p(𝒵)] = lemma(vec μ̃, Σ_joint; 0, I);  E_q[log q] = neg_entropy(Σ_joint).
    Sigma_joint: (Nm, Nm), any SPD matrix (need not be block-diagonal).
    """
    model = _model(model)
    X = model._X(X)
    N, M = X.shape
    mu_tilde = as_float_array(mu_tilde, "mu_tilde", ndim=2)
    Sigma_joint = as_float_array(Sigma_joint, "Sigma_joint", ndim=2)
    Nm = mu_tilde.size
    if Sigma_joint.shape != (Nm, Nm) or mu_tilde.shape != (N, model.m):
        raise ValueError(f"mu_tilde must be (N, m) = ({N}, {model.m}) and Sigma_joint "
                         f"(Nm, Nm) = ({N * model.m}, {N * model.m}); got {mu_tilde.shape} "
                         f"and {Sigma_joint.shape}.")
    A = np.kron(np.eye(N), model.W)
    rec = (log_normal_diag(X.reshape(-1), A @ mu_tilde.reshape(-1) + np.tile(model.mu, N),
                           np.full(N * M, model.sigma2))
           - np.sum(A * (A @ Sigma_joint)) / (2 * model.sigma2))
    prior = lemma_closed_form(mu_tilde.reshape(-1), Sigma_joint, np.zeros(Nm), np.eye(Nm))
    return float(rec + prior - neg_entropy(Sigma_joint))


def total_correlation(Sigma_joint, m: int) -> float:
    """Σ_i H(q_i) − H(q) = ½(Σ_i log|Σ_ii| − log|Σ_joint|) ≥ 0, Σ_ii the (m, m) diagonal blocks.

    Zero exactly when q(𝒵|𝒳) factorises over samples.
    """
    Sigma_joint = as_float_array(Sigma_joint, "Sigma_joint", ndim=2)
    m = check_int(m, "m", 1)
    n = Sigma_joint.shape[0] // m
    blocks = [Sigma_joint[i * m:(i + 1) * m, i * m:(i + 1) * m] for i in range(n)]
    return 0.5 * float(sum(np.linalg.slogdet(b)[1] for b in blocks)
                       - np.linalg.slogdet(Sigma_joint)[1])


class FactorisationCheck(NamedTuple):
    """Largest |joint − Σ_i per-sample| over the draws, for each density of the slide."""

    log_q: float            # log q(𝒵|𝒳) vs Σ_i log q(z_i|x_i)
    log_px_given_z: float   # log p(𝒳|𝒵) vs Σ_i log p(x_i|z_i)
    log_pz: float           # log p(𝒵) vs Σ_i log p(z_i)


def factorisation_check(model, X, mu_tilde, Sigma_tilde, Z) -> FactorisationCheck:
    """Evaluate each density of the slide both ways at the draws Z (S, N, m).

    Joint: one Gaussian over R^{Nm} or R^{NM} (``joint_*``, q with blockdiag(Σ̃_i));
    per sample: Σ_i of the small densities (``PPCA.log_px_given_z``, ``PPCA.log_pz``,
    ``maths.bound.log_q``). The slide's products hold when every entry is rounding error.
    """
    model = _model(model)
    X, mu_tilde, Sigma_tilde = _q(model, X, mu_tilde, Sigma_tilde)
    Z = as_float_array(Z, "Z", ndim=3)
    S, N, m = Z.shape
    Xs = np.broadcast_to(X, (S,) + X.shape).reshape(S * N, -1)
    per_q = log_q(Z, mu_tilde, Sigma_tilde).sum(1)
    per_x = model.log_px_given_z(Xs, Z.reshape(-1, m)).reshape(S, N).sum(1)
    per_z = model.log_pz(Z.reshape(-1, m)).reshape(S, N).sum(1)
    joint_q = joint_log_q(Z, mu_tilde, block_diag_cov(Sigma_tilde))
    return FactorisationCheck(float(np.max(np.abs(joint_q - per_q))),
                              float(np.max(np.abs(joint_log_px_given_z(model, X, Z) - per_x))),
                              float(np.max(np.abs(joint_log_pz(Z) - per_z))))


def independent_samples_lines(model, X, mu_tilde, Sigma_tilde, n_samples: int = 2000,
                              rng=None) -> list[SlideLine]:
    """Every line of the slide by Monte Carlo (± s.e.), then closed forms; last the reference.

    Draws 𝒵 ~ q(𝒵|𝒳) jointly (as one Nm-vector from Σ_joint = blockdiag(Σ̃_i)) for lines 1–3;
    line 4 draws each z_i from its own q(·|x_i) separately (fresh draws).
    """
    model = _model(model)
    X, mu_tilde, Sigma_tilde = _q(model, X, mu_tilde, Sigma_tilde)
    N, m = mu_tilde.shape
    rng = np.random.default_rng(rng)
    n_samples = check_int(n_samples, "n_samples", 2)
    Sigma_joint = block_diag_cov(Sigma_tilde)
    Lj = np.linalg.cholesky(Sigma_joint)
    Zj = (mu_tilde.reshape(-1) + rng.standard_normal((n_samples, N * m)) @ Lj.T)
    Z = Zj.reshape(n_samples, N, m)
    lq_joint = joint_log_q(Z, mu_tilde, Sigma_joint)
    lpxz_joint = joint_log_px_given_z(model, X, Z)
    lpz_joint = joint_log_pz(Z)
    Xs = np.broadcast_to(X, Z.shape[:1] + X.shape).reshape(-1, X.shape[1])
    lpxz_i = model.log_px_given_z(Xs, Z.reshape(-1, m)).reshape(n_samples, N)
    lpz_i = model.log_pz(Z.reshape(-1, m)).reshape(n_samples, N)
    lq_i = log_q(Z, mu_tilde, Sigma_tilde)
    Z4 = sample_q(mu_tilde, Sigma_tilde, n_samples, rng)                  # fresh, per sample
    lpxz4 = model.log_px_given_z(Xs, Z4.reshape(-1, m)).reshape(n_samples, N)
    line4 = lpxz4 + model.log_pz(Z4.reshape(-1, m)).reshape(n_samples, N) \
        - log_q(Z4, mu_tilde, Sigma_tilde)
    return [
        SlideLine("1  E_𝒵[log p(𝒳,𝒵)/q(𝒵|𝒳)]  (joint densities)",
                  *mean_se(lpxz_joint + lpz_joint - lq_joint)),
        SlideLine("2  E_𝒵[log p(𝒳|𝒵)/q(𝒵|𝒳)] + E_𝒵[log p(𝒵)]  (joint)",
                  *mean_se(lpxz_joint - lq_joint + lpz_joint)),
        SlideLine("3  Σ_i E_𝒵[log p(x_i|z_i)/q(z_i|x_i)] + Σ_i E_𝒵[log p(z_i)]",
                  *mean_se((lpxz_i - lq_i + lpz_i).sum(1))),
        SlideLine("4  Σ_i E_{z_i~q(·|x_i)}[log p(x_i|z_i)/q(z_i|x_i) + log p(z_i)]",
                  *mean_se(line4.sum(1))),
        SlideLine("closed form, per sample, summed", float(lower_bound_terms(
            model, X, mu_tilde, Sigma_tilde).L_b.sum()), None),
        SlideLine("closed form, joint (Nm-dim Gaussians)",
                  joint_lower_bound(model, X, mu_tilde, Sigma_joint), None),
    ]
