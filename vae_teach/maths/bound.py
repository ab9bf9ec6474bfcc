"""The slide "LOG-LIKELIHOOD LOWER BOUND", every term exact on probabilistic PCA (numpy only).

For a Gaussian encoder q_φ(z_i|x_i) = N(μ̃_i, Σ̃_i) and pPCA p_θ (``vae_teach.maths.ppca.PPCA``):

    log p_θ(𝒳) = L_b(p_θ, q_φ, 𝒳) + KL(q_φ(·|𝒳) ‖ p_θ(·|𝒳)),   KL ≥ 0,

    L_b = Σ_i E_q[log p_θ(x_i|z_i)] + E_q[log p_θ(z_i)] − E_q[log q_φ(z_i|x_i)],

and each expectation has a closed form through the lemma of the slide "CLOSE FORM"
(``maths.lemma.lemma_closed_form``), applied in data space because μ_θ(z) = W z + μ is linear:

    E_q[log N(x_i; W z + μ, σ² I)] = log N(x_i; W μ̃_i + μ, σ² I) − Tr(W Σ̃_i Wᵀ) / (2σ²),
    E_q[log N(z; 0, I)]            = log N(μ̃_i; 0, I) − Tr(Σ̃_i) / 2,
    E_q[log q]                     = −½ (m log 2πe + log|Σ̃_i|)          (``neg_entropy``).

The three quantities of the identity are computed independently: log p from the marginal
N(μ, W Wᵀ + σ² I) (``PPCA.log_likelihood``), L_b from the terms above, KL from the Gaussian KL
formula against the exact posterior (``PPCA.posterior``; equal to ``maths.gaussian.kl_gaussian``).
Their residual log p − L_b − KL is rounding error (≈ 1e-12), and KL = 0 exactly when q is
the posterior.

``lower_bound_lines`` evaluates the slide's three lines literally by Monte Carlo over
𝒵 ~ q_φ(·|𝒳). Shapes: X (N, M); mu_tilde (N, m); Sigma_tilde (m, m) shared or (N, m, m).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from vae_teach._checks import as_covariance, as_float_array, check_int
from vae_teach.maths.gaussian import LOG_2PI, log_normal_diag, logdet, neg_entropy
from vae_teach.maths.lemma import lemma_closed_form_diag
from vae_teach.maths.lines import SlideLine, mean_se
from vae_teach.maths.ppca import PPCA


__all__ = ["BoundTerms", "lower_bound_terms", "lower_bound", "kl_to_posterior", "GapCheck",
           "gap_check", "random_q", "sample_q", "log_q", "lower_bound_lines"]


def _model(model) -> PPCA:
    if not isinstance(model, PPCA):
        raise TypeError(f"model must be a vae_teach.maths.ppca.PPCA, got {type(model).__name__}; "
                        f"build one with PPCA(W, mu, sigma2) or PPCA.fit(X, m).")
    return model


def _q(model: PPCA, X, mu_tilde, Sigma_tilde):
    """Validate and broadcast: X (N, M), mu_tilde (N, m), Sigma_tilde → (N, m, m)."""
    X = model._X(X)
    N, m = X.shape[0], model.m
    mu_tilde = as_float_array(mu_tilde, "mu_tilde", ndim=2)
    if mu_tilde.shape != (N, m):
        raise ValueError(f"mu_tilde must be (N, m) = ({N}, {m}) — one encoder mean per row "
                         f"of X — got {mu_tilde.shape}.")
    Sigma_tilde = as_float_array(Sigma_tilde, "Sigma_tilde", ndim=(2, 3))
    if Sigma_tilde.shape[-2:] != (m, m) or (Sigma_tilde.ndim == 3 and len(Sigma_tilde) != N):
        raise ValueError(f"Sigma_tilde must be (m, m) = ({m}, {m}) shared by all samples or "
                         f"(N, m, m) = ({N}, {m}, {m}), got {Sigma_tilde.shape}.")
    as_covariance(Sigma_tilde, "Sigma_tilde")          # SPD, or one clear ValueError
    return X, mu_tilde, np.broadcast_to(Sigma_tilde, (N, m, m))


# ----------------------------------------------------------------------------- closed forms
class BoundTerms(NamedTuple):
    """Per-sample terms of L_b, each (N,): L_b = log_px_given_z + log_pz − log_q."""

    log_px_given_z: np.ndarray   # E_q[log p_θ(x_i|z_i)]
    log_pz: np.ndarray           # E_q[log p_θ(z_i)]
    log_q: np.ndarray            # E_q[log q_φ(z_i|x_i)] = −entropy

    @property
    def L_b(self) -> np.ndarray:
        """L_b per sample, (N,)."""
        return self.log_px_given_z + self.log_pz - self.log_q


def lower_bound_terms(model, X, mu_tilde, Sigma_tilde) -> BoundTerms:
    """The three expectations of L_b in closed form (module doc), per sample."""
    model = _model(model)
    X, mu_tilde, Sigma_tilde = _q(model, X, mu_tilde, Sigma_tilde)
    N, M = X.shape
    W = model.W
    trace_W = np.einsum("ij,njk,ik->n", W, Sigma_tilde, W)          # Tr(W Σ̃_i Wᵀ)
    rec = (np.atleast_1d(log_normal_diag(X, mu_tilde @ W.T + model.mu,
                                         np.full(M, model.sigma2)))
           - trace_W / (2.0 * model.sigma2))
    # lemma with p(z) = N(0, I): log N(μ̃_i; 0, I) − Tr(Σ̃_i)/2 — only diag(Σ̃_i) enters
    var_tilde = np.diagonal(Sigma_tilde, axis1=1, axis2=2)
    prior = np.atleast_1d(lemma_closed_form_diag(mu_tilde, var_tilde, np.zeros(model.m),
                                                 np.ones(model.m)))
    return BoundTerms(rec, prior, np.atleast_1d(neg_entropy(Sigma_tilde)))


def lower_bound(model, X, mu_tilde, Sigma_tilde, per_sample: bool = False):
    """L_b(p_θ, q_φ, 𝒳): a float (sum over samples), or (N,) when ``per_sample``."""
    L_b = lower_bound_terms(model, X, mu_tilde, Sigma_tilde).L_b
    return L_b if per_sample else float(np.sum(L_b))


def kl_to_posterior(model, X, mu_tilde, Sigma_tilde, per_sample: bool = False):
    """KL(q_φ(·|𝒳) ‖ p_θ(·|𝒳)) = Σ_i KL(N(μ̃_i, Σ̃_i) ‖ N(m_i, P)), p_θ(z_i|x_i) = N(m_i, P):

    KL_i = ½ [Tr(P⁻¹ Σ̃_i) + (m_i − μ̃_i)ᵀ P⁻¹ (m_i − μ̃_i) − m + log|P| − log|Σ̃_i|] ≥ 0.

    P (the posterior covariance) is shared by all samples, so P⁻¹ is computed once and the
    rest is batched numpy (no per-sample LAPACK calls); ``maths.gaussian.kl_gaussian`` gives the
    same numbers (tested). Returns a float, or (N,) when ``per_sample``.
    """
    model = _model(model)
    X, mu_tilde, Sigma_tilde = _q(model, X, mu_tilde, Sigma_tilde)
    post_mean, P = model.posterior(X)
    P_inv = np.linalg.inv(P)
    d = post_mean - mu_tilde
    kl = 0.5 * (np.einsum("jk,nkj->n", P_inv, Sigma_tilde) + np.einsum("nj,jk,nk->n", d, P_inv, d)
                - model.m + np.linalg.slogdet(P)[1] - logdet(Sigma_tilde, "Sigma_tilde"))
    return kl if per_sample else float(np.sum(kl))


class GapCheck(NamedTuple):
    """log p(𝒳), L_b and KL (floats, summed over samples), computed independently."""

    log_p: float
    L_b: float
    kl: float

    @property
    def residual(self) -> float:
        """log p − (L_b + KL): zero up to rounding when the slide's identity holds."""
        return self.log_p - (self.L_b + self.kl)


def gap_check(model, X, mu_tilde, Sigma_tilde) -> GapCheck:
    """The identity log p_θ(𝒳) = L_b + KL with each side from its own formula."""
    model = _model(model)
    return GapCheck(model.log_likelihood(X), lower_bound(model, X, mu_tilde, Sigma_tilde),
                    kl_to_posterior(model, X, mu_tilde, Sigma_tilde))


def random_q(model, X, spread: float = 1.0, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """A random Gaussian encoder: μ̃_i = posterior mean + spread·N(0, I), Σ̃_i random SPD.

    Returns ``(mu_tilde (N, m), Sigma_tilde (N, m, m))``; spread = 0 keeps the posterior mean.
    """
    model = _model(model)
    rng = np.random.default_rng(rng)
    post_mean, _ = model.posterior(X)
    N, m = post_mean.shape
    A = rng.standard_normal((N, m, m)) * spread / np.sqrt(m)
    Sigma_tilde = A @ np.swapaxes(A, 1, 2) + 0.05 * np.eye(m)
    return post_mean + spread * rng.standard_normal((N, m)), Sigma_tilde


# ----------------------------------------------------------------------------- Monte Carlo
def sample_q(mu_tilde, Sigma_tilde, n_samples: int, rng=None) -> np.ndarray:
    """Draw 𝒵^(s) ~ q_φ(·|𝒳) = Π_i N(μ̃_i, Σ̃_i): (n_samples, N, m).

    mu_tilde: (N, m); Sigma_tilde: (m, m) or (N, m, m); rng: seed or Generator.
    """
    mu_tilde = as_float_array(mu_tilde, "mu_tilde", ndim=2)
    N, m = mu_tilde.shape
    Sigma_tilde = np.broadcast_to(as_float_array(Sigma_tilde, "Sigma_tilde", ndim=(2, 3)),
                                  (N, m, m))
    n_samples = check_int(n_samples, "n_samples", 1)
    L = np.linalg.cholesky(Sigma_tilde)
    eps = np.random.default_rng(rng).standard_normal((n_samples, N, m))
    return mu_tilde + np.einsum("njk,snk->snj", L, eps)


def log_q(Z, mu_tilde, Sigma_tilde) -> np.ndarray:
    """log q_φ(z_i|x_i) = log N(z_i; μ̃_i, Σ̃_i) for Z (..., N, m) → (..., N).

    One Cholesky factor L_i per sample (Σ̃_i = L_i L_iᵀ), reused for every draw:
    log N = −½(m log 2π + log|Σ̃_i| + ‖L_i⁻¹(z − μ̃_i)‖²).
    """
    Z = as_float_array(Z, "Z", ndim=(2, 3))
    mu_tilde = as_float_array(mu_tilde, "mu_tilde", ndim=2)
    N, m = mu_tilde.shape
    if Z.shape[-2:] != (N, m):
        raise ValueError(f"Z must end in (N, m) = ({N}, {m}) like mu_tilde, got {Z.shape}.")
    Sigma_tilde, L = as_covariance(Sigma_tilde, "Sigma_tilde")
    L = np.broadcast_to(L, (N, m, m))
    y = np.einsum("njk,...nk->...nj", np.linalg.inv(L), Z - mu_tilde)
    log_det = 2.0 * np.sum(np.log(np.diagonal(L, axis1=-2, axis2=-1)), axis=-1)
    return -0.5 * (m * LOG_2PI + log_det + np.sum(y * y, axis=-1))


def lower_bound_lines(model, X, mu_tilde, Sigma_tilde, n_samples: int = 2000,
                      rng=None) -> list[SlideLine]:
    """The three lines of the slide, evaluated literally by Monte Carlo over 𝒵 ~ q_φ(·|𝒳).

    log p(𝒳, 𝒵), log q(𝒵|𝒳) and log p(𝒵|𝒳) are the exact densities (sums over the
    samples, since the model and q factorise). Returns SlideLines (label, value, s.e.):

    1. ∫ q log p(𝒳) d𝒵 — the mean of a constant: exact because ∫ q d𝒵 = 1 (s.e. None);
    2. ∫ q (log p(𝒵,𝒳)/q − log p(𝒵|𝒳)/q) d𝒵 — the integrand equals log p(𝒳) at every
       sample (Bayes' rule: p(𝒵,𝒳)/p(𝒵|𝒳) = p(𝒳)), so it is exact too (s.e. None);
    3a. MC L_b + MC KL, the two terms from independent draws (s.e. of the sum);
    3b. closed-form L_b + closed-form KL;
    and last the exact log p(𝒳) (the reference for ``maths.lemma.proof_lines_hold``).
    """
    model = _model(model)
    X, mu_tilde, Sigma_tilde = _q(model, X, mu_tilde, Sigma_tilde)
    n_samples = check_int(n_samples, "n_samples", 2)
    rng = np.random.default_rng(rng)
    post_mean, post_cov = model.posterior(X)

    def log_densities(Z):  # (S, N, m) → log p(𝒵,𝒳), log q(𝒵|𝒳), log p(𝒵|𝒳), each (S,)
        S, N, m = Z.shape
        Xs = np.broadcast_to(X, (S,) + X.shape).reshape(S * N, -1)
        log_joint = model.joint_log_prob(Xs, Z.reshape(S * N, m)).reshape(S, N).sum(1)
        return (log_joint, log_q(Z, mu_tilde, Sigma_tilde).sum(1),
                log_q(Z, post_mean, post_cov).sum(1))

    log_joint, lq, log_post = log_densities(sample_q(mu_tilde, Sigma_tilde, n_samples, rng))
    log_p = model.log_likelihood(X)
    closed = gap_check(model, X, mu_tilde, Sigma_tilde)
    L_b_mc, L_b_se = mean_se(log_joint - lq)
    log_joint2, lq2, log_post2 = log_densities(sample_q(mu_tilde, Sigma_tilde, n_samples, rng))
    kl_mc, kl_se = mean_se(lq2 - log_post2)
    return [
        SlideLine("1  ∫ q(𝒵|𝒳) log p(𝒳) d𝒵", float(np.mean(np.full(n_samples, log_p))), None),
        SlideLine("2  ∫ q (log p(𝒵,𝒳)/q − log p(𝒵|𝒳)/q) d𝒵",
                  float(np.mean((log_joint - lq) - (log_post - lq))), None),
        SlideLine("3a L_b + KL  (Monte Carlo, independent draws)", L_b_mc + kl_mc,
                  float(np.hypot(L_b_se, kl_se))),
        SlideLine("3b L_b + KL  (closed forms)", closed.L_b + closed.kl, None),
        SlideLine("log p(𝒳)  (exact marginal)", log_p, None),
    ]


# --------------------------------------------------------------------------------------------
# LOG-LIKELIHOOD LOWER BOUND — log p(X) = L_b + KL on pPCA, where all three are exact
# --------------------------------------------------------------------------------------------


def lower_bound_table(X, model, qs: dict) -> list[dict]:
    """For each named q = (q_mean (N, m), q_cov (m, m) or (N, m, m)): the per-image
    log p(X; θ) (``PPCA.log_likelihood``), L_b(θ, q) (``maths.em.lower_bound``) and
    KL(q ‖ p(·|X; θ)) (``maths.gaussian.kl_gaussian`` against ``PPCA.posterior``) — three separate
    computations — and ``residual`` = L_b + KL − log p(X) (the slide's identity: ≈ 0)."""
    from vae_teach.maths import em
    from vae_teach.maths.gaussian import kl_gaussian

    N = X.shape[0]
    theta = model
    post_mean, post_cov = model.posterior(X)
    log_p = model.log_likelihood(X) / N
    rows = []
    for name, (q_mean, q_cov) in qs.items():
        L_b = em.lower_bound(X, theta, q_mean, q_cov) / N
        kl = float(np.sum(kl_gaussian(q_mean, q_cov, post_mean, post_cov))) / N
        rows.append({"q": name, "log_p": log_p, "L_b": L_b, "kl": kl,
                     "residual": L_b + kl - log_p})
    return rows


def example_qs(X, model) -> dict:
    """Encoders q(Z|X) of increasing error for the lower-bound picture: the exact posterior,
    the posterior with its covariance ×4 and ×¼, its means halved, and the prior N(0, I)."""
    mean, S = model.posterior(X)
    m = S.shape[0]
    return {
        r"$q = p_\theta(Z|\mathcal{X})$ (exact posterior)": (mean, S),
        r"posterior, $\tilde{\Sigma} \times 4$": (mean, 4 * S),
        r"posterior, $\tilde{\Sigma} \times \frac{1}{4}$": (mean, S / 4),
        r"posterior, $\tilde{\mu} \times \frac{1}{2}$": (0.5 * mean, S),
        r"$q = \mathcal{N}(0, I)$ (prior)": (np.zeros_like(mean), np.eye(m)),
    }
