"""EM for probabilistic PCA, recording the slide "VAE V.S. EM ALGORITHM" at every step (numpy).

Model (pPCA, Tipping & Bishop 1999): z ~ N(0, I_m), x | z ~ N(W z + μ, σ² I_M), so
p(x; θ) = N(x; μ, W Wᵀ + σ² I) is exact and so is the posterior

    p(z | x; θ) = N(z; P⁻¹ Wᵀ (x − μ), σ² P⁻¹),   P = Wᵀ W + σ² I_m   (m, m).

A variational q(Z|X) = Π_n N(z_n; a_n, S_n) gives the slide's bound

    L_b(θ, q) = E_q[log p(X, Z; θ)] + H(q) = log p(X; θ) − KL(q ‖ p(·|X; θ)).

EM (slide): E-step q ← p(Z|X; θ^(t)) makes the KL gap zero; M-step
θ^(t+1) = argmax_θ Q(θ|θ^(t)) with Q(θ|θ^(t)) = E_{p(Z|X;θ^(t))}[log p(X, Z; θ)]. Because
H(q) does not depend on θ, maximising L_b over θ with q fixed *is* maximising Q.
(Z is continuous here, so the slide's Σ_Z is an integral ∫ dZ.)

Shapes: X (N, M); θ = ``maths.ppca.PPCA(W (M, m), mu (M,), sigma2 float)`` (the one pPCA); q = ``(q_mean (N, m),
q_cov (m, m) shared or (N, m, m) per sample)``. All values in nats, **summed** over the N rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from vae_teach._checks import as_float_array, check_int
from vae_teach.maths.gaussian import LOG_2PI, logdet
from vae_teach.maths.ppca import PPCA


__all__ = ["init_params", "expected_complete_log_lik", "entropy_q", "lower_bound", "kl_gap", "Q",
           "e_step", "m_step", "EMHistory", "run_em", "prior_q"]


# ----------------------------------------------------------------------------- checks
def _check_X(X) -> np.ndarray:
    return as_float_array(X, "X", ndim=2)


def _check_theta(theta, M: int | None = None) -> PPCA:
    if not isinstance(theta, PPCA):
        raise TypeError(f"theta must be a PPCA(W, mu, sigma2) (vae_teach.maths.ppca), got "
                        f"{type(theta).__name__}; build one with init_params(...) or "
                        f"PPCA.fit(X, m).")
    if M is not None and theta.M != M:
        raise ValueError(f"theta.W has {theta.M} rows but X has M = {M} columns; fit θ on "
                         f"data of the same dimension.")
    return theta


def _check_q(q_mean, q_cov, N: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    q_mean = as_float_array(q_mean, "q_mean", ndim=2)
    q_cov = as_float_array(q_cov, "q_cov", ndim=(2, 3))
    if q_mean.shape != (N, m):
        raise ValueError(f"q_mean must have shape (N, m) = ({N}, {m}), got {q_mean.shape}.")
    if q_cov.shape[-2:] != (m, m) or (q_cov.ndim == 3 and q_cov.shape[0] != N):
        raise ValueError(f"q_cov must be ({m}, {m}) (shared) or ({N}, {m}, {m}) (per sample), "
                         f"got {q_cov.shape}.")
    try:
        np.linalg.cholesky(q_cov)
    except np.linalg.LinAlgError:
        raise ValueError("q_cov must be positive definite (covariances of q); for a diagonal "
                         "q pass np.apply_along_axis(np.diag, 1, variances).") from None
    return q_mean, q_cov


def _sum_cov(q_cov: np.ndarray, N: int) -> np.ndarray:
    """Σ_n S_n (m, m)."""
    return q_cov.sum(0) if q_cov.ndim == 3 else N * q_cov


# ----------------------------------------------------------------------------- the model
def init_params(M: int, m: int, seed=0, scale: float = 1.0) -> PPCA:
    """Random θ^(1): W, μ with N(0, scale²) entries, σ² = 1 (the slide's "randomly initialize")."""
    M, m = check_int(M, "M", 1), check_int(m, "m", 1)
    rng = np.random.default_rng(seed)
    return PPCA(scale * rng.standard_normal((M, m)), scale * rng.standard_normal(M), 1.0)


def prior_q(N: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """q(z_n|x_n) = N(0, I) for every n: the q before the first E-step (an untrained encoder)."""
    return np.zeros((check_int(N, "N", 1), check_int(m, "m", 1))), np.eye(m)


def expected_complete_log_lik(X, theta: PPCA, q_mean, q_cov) -> float:
    """E_q[log p(X, Z; θ)] = Σ_n E_{q_n}[log N(x_n; W z_n + μ, σ² I) + log N(z_n; 0, I)].

    = Σ_n −M/2 log 2πσ² − (‖x_n − μ − W a_n‖² + Tr(WᵀW S_n)) / 2σ² − m/2 log 2π
      − (‖a_n‖² + Tr S_n) / 2.
    """
    X = _check_X(X)
    theta = _check_theta(theta, X.shape[1])
    W, mu, sigma2 = theta.W, theta.mu, theta.sigma2
    (N, M), m = X.shape, W.shape[1]
    q_mean, q_cov = _check_q(q_mean, q_cov, N, m)
    S_sum = _sum_cov(q_cov, N)
    sq = np.sum((X - mu - q_mean @ W.T) ** 2) + np.trace(W.T @ W @ S_sum)
    log_px = -0.5 * N * M * (LOG_2PI + np.log(sigma2)) - 0.5 * sq / sigma2
    log_pz = -0.5 * N * m * LOG_2PI - 0.5 * (np.sum(q_mean ** 2) + np.trace(S_sum))
    return float(log_px + log_pz)


def entropy_q(q_cov, N: int | None = None) -> float:
    """H(q) = Σ_n ½ log det(2πe S_n); a shared (m, m) q_cov needs N (it counts N times)."""
    q_cov = as_float_array(q_cov, "q_cov", ndim=(2, 3))
    m = q_cov.shape[-1]
    per = 0.5 * (m * (LOG_2PI + 1.0) + logdet(q_cov))
    if q_cov.ndim == 3:
        return float(np.sum(per))
    return float(check_int(N, "N", 1) * per)


def lower_bound(X, theta: PPCA, q_mean, q_cov) -> float:
    """L_b(p_θ, q, X) = E_q[log p(X, Z; θ)] + H(q) (exact, closed form)."""
    X = _check_X(X)
    return expected_complete_log_lik(X, theta, q_mean, q_cov) + entropy_q(q_cov, X.shape[0])


def kl_gap(X, theta: PPCA, q_mean, q_cov, per_sample: bool = False):
    """KL(q ‖ p(·|X; θ)) = Σ_n KL(N(a_n, S_n) ‖ N(post_mean_n, post_cov)), computed directly.

    Equals log p(X; θ) − L_b(θ, q) (the slide's identity; checked in the tests).
    """
    X = _check_X(X)
    theta = _check_theta(theta, X.shape[1])
    N, m = X.shape[0], theta.W.shape[1]
    q_mean, q_cov = _check_q(q_mean, q_cov, N, m)
    p_mean, p_cov = theta.posterior(X)
    p_inv = np.linalg.inv(p_cov)
    d = p_mean - q_mean
    trace = np.einsum("ij,...ji->...", p_inv, q_cov)
    per = 0.5 * (trace + np.einsum("ni,ij,nj->n", d, p_inv, d) - m
                 + logdet(p_cov) - logdet(q_cov))
    per = np.broadcast_to(per, (N,))
    return per.copy() if per_sample else float(per.sum())


def Q(X, theta: PPCA, theta_t: PPCA) -> float:
    """Q(θ|θ^(t)) = E_{Z ~ p(·|X; θ^(t))}[log p(X, Z; θ)] (the slide's E-step quantity)."""
    return expected_complete_log_lik(X, theta, *theta_t.posterior(X))


# ----------------------------------------------------------------------------- EM steps
def e_step(X, theta: PPCA) -> tuple[np.ndarray, np.ndarray]:
    """q^(t) = p(Z | X; θ^(t)): the exact posterior (so KL(q ‖ p(·|X; θ^(t))) = 0)."""
    return _check_theta(theta).posterior(X)


def m_step(X, q_mean, q_cov) -> PPCA:
    """θ^(t+1) = argmax_θ E_q[log p(X, Z; θ)], jointly over W, μ and σ² (Tipping & Bishop).

    With z̃ = (z, 1) and W̃ = [W μ]: W̃ = (Σ_n x_n E[z̃_n]ᵀ)(Σ_n E[z̃_n z̃_nᵀ])⁻¹, then
    σ² = Σ_n E‖x_n − W̃ z̃_n‖² / (N M).
    """
    X = _check_X(X)
    N, M = X.shape
    q_mean, q_cov = _check_q(q_mean, q_cov, N, np.shape(q_mean)[-1])
    m = q_mean.shape[1]
    a = np.hstack([q_mean, np.ones((N, 1))])              # E[z̃_n]      (N, m+1)
    B = a.T @ a
    B[:m, :m] += _sum_cov(q_cov, N)                        # Σ E[z̃ z̃ᵀ]  (m+1, m+1)
    W_tilde = np.linalg.solve(B, a.T @ X).T                # (M, m+1)
    W, mu = W_tilde[:, :m], W_tilde[:, m]
    sq = np.sum((X - mu - q_mean @ W.T) ** 2) + np.trace(W.T @ W @ _sum_cov(q_cov, N))
    return PPCA(W, mu, float(sq / (N * M)))


# ----------------------------------------------------------------------------- a full run
@dataclass
class EMHistory:
    """Per-step record of EM, t = 1..T (arrays of length T, nats summed over N).

    ``log_lik[t]`` = log p(X; θ^(t)); ``L_b_before_E[t]`` = L_b(θ^(t), q^(t−1)) (q^(0) = prior);
    ``L_b_after_E[t]`` = L_b(θ^(t), q^(t)); ``L_b_after_M[t]`` = L_b(θ^(t+1), q^(t));
    ``gap_before_E``/``gap_after_E`` = KL(q ‖ p(·|X; θ^(t))) computed directly;
    ``Q_old[t]`` = Q(θ^(t)|θ^(t)), ``Q_new[t]`` = Q(θ^(t+1)|θ^(t)); ``entropy[t]`` = H(q^(t));
    ``log_lik_final`` = log p(X; θ^(T+1)); ``thetas`` = θ^(1..T+1).
    """

    log_lik: np.ndarray
    L_b_before_E: np.ndarray
    L_b_after_E: np.ndarray
    L_b_after_M: np.ndarray
    gap_before_E: np.ndarray
    gap_after_E: np.ndarray
    Q_old: np.ndarray
    Q_new: np.ndarray
    entropy: np.ndarray
    log_lik_final: float
    thetas: list = field(repr=False)

    @property
    def theta(self) -> PPCA:
        """The last parameters θ^(T+1)."""
        return self.thetas[-1]


def run_em(X, m: int, n_steps: int = 50, theta0: PPCA | None = None, seed=0) -> EMHistory:
    """Run ``n_steps`` EM steps on pPCA with latent dim ``m`` from ``theta0`` (random if None)."""
    X = _check_X(X)
    N, M = X.shape
    n_steps = check_int(n_steps, "n_steps", 1)
    theta = init_params(M, m, seed) if theta0 is None else _check_theta(theta0, M)
    m = theta.W.shape[1]
    q = prior_q(N, m)
    rec: dict[str, list] = {k: [] for k in ("log_lik", "L_b_before_E", "L_b_after_E",
                                            "L_b_after_M", "gap_before_E", "gap_after_E",
                                            "Q_old", "Q_new", "entropy")}
    thetas = [theta]
    for _ in range(n_steps):
        rec["log_lik"].append(theta.log_likelihood(X))
        rec["L_b_before_E"].append(lower_bound(X, theta, *q))
        rec["gap_before_E"].append(kl_gap(X, theta, *q))
        q = e_step(X, theta)                                          # E-step
        rec["L_b_after_E"].append(lower_bound(X, theta, *q))
        rec["gap_after_E"].append(kl_gap(X, theta, *q))
        rec["Q_old"].append(expected_complete_log_lik(X, theta, *q))
        rec["entropy"].append(entropy_q(q[1], N))
        theta = m_step(X, *q)                                         # M-step
        thetas.append(theta)
        rec["Q_new"].append(expected_complete_log_lik(X, theta, *q))
        rec["L_b_after_M"].append(lower_bound(X, theta, *q))
    arrays = {k: np.asarray(v) for k, v in rec.items()}
    return EMHistory(**arrays, log_lik_final=theta.log_likelihood(X), thetas=thetas)


# --------------------------------------------------------------------------------------------
# VAE V.S. EM ALGORITHM — coordinate ascent on L_b(θ, q), from a real EM run on pPCA
# --------------------------------------------------------------------------------------------


def _theta_path(theta_a, theta_b, s):
    """θ(s) on the way from θ_a (s = 0) to θ_b (s = 1): W, μ linear, log σ² linear."""

    return PPCA(theta_a.W + s * (theta_b.W - theta_a.W),
                      theta_a.mu + s * (theta_b.mu - theta_a.mu),
                      float(np.exp((1 - s) * np.log(theta_a.sigma2)
                                   + s * np.log(theta_b.sigma2))))


def em_slice(X, history, step: int, s=None):
    """log p(X; θ(s)) and L_b(θ(s), q_t) along θ(s) from θ^(t) (s = 0) to θ^(t+1) (s = 1),
    with q_t = p(Z|X; θ^(t)) the E-step's q (t = ``step``, 0-based into ``history``).
    Returns ``(s, log_p, L_b)``, per image."""
    from vae_teach.maths import em

    s = np.linspace(-0.6, 1.6, 45) if s is None else np.asarray(s, float)
    theta_a, theta_b = history.thetas[step], history.thetas[step + 1]
    q = em.e_step(X, theta_a)
    N = X.shape[0]
    log_p = np.array([_theta_path(theta_a, theta_b, si).log_likelihood(X) for si in s])
    L_b = np.array([em.lower_bound(X, _theta_path(theta_a, theta_b, si), *q) for si in s])
    return s, log_p / N, L_b / N
