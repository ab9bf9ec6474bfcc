"""Estimating p_θ(x) by sampling: the prior as proposal, q as proposal, and the IWAE bound L_k.

All exact on probabilistic PCA (``vae_teach.maths.ppca.PPCA``), where log p_θ(x) is known, so every
estimate below can be compared with the truth (numpy/scipy only).

**Importance sampling.** For any proposal density r(z) that is > 0 wherever p_θ(x, z) is,

    p_θ(x) = ∫ p_θ(x, z) dz = E_{z~r}[ w(z) ],   w(z) = p_θ(x, z) / r(z),

    p̂(x) = (1/n) Σ_k w(z_k),   z_k ~ r   (unbiased for p_θ(x)).

* r = p_θ(z), the prior (notebook 03): w = p_θ(x|z) — ``naive_log_px``;
* r = q_φ(z|x), the encoder (notebook 04): w = p_θ(x, z) / q_φ(z|x) — ``importance_log_px``;
* r = p_θ(z|x), the posterior: w = p_θ(x) for every z, an estimate with zero variance.

**Effective sample size.** ESS = (Σ_k w_k)² / Σ_k w_k² ∈ [1, n]: n when all weights are equal,
1 when one draw carries all the weight (``effective_sample_size``; ``WeightSummary.max_weight``
is the share max_k w_k / Σ_k w_k of the best draw).

**Jensen and IWAE.** log p̂ is biased low, E[log p̂] ≤ log E[p̂] = log p_θ(x) (log is concave).
With k draws from q this expectation is the importance-weighted bound (Burda et al., 2016)

    L_k = E_{z_1..z_k ~ q}[ log (1/k) Σ_j p_θ(x, z_j) / q_φ(z_j|x) ],

    L_1 = L_b  ≤  L_k  ≤  L_{k+1}  ≤  log p_θ(x),   L_k → log p_θ(x)  (k → ∞),

and for large k the gap is log p − L_k ≈ Var_q(w) / (2k p_θ(x)²) = χ²(p_θ(·|x) ‖ q) / (2k)
(delta method), with χ²(p ‖ q) = ∫ p² / q − 1 (``chi2_gaussian`` for two Gaussians).

Shapes: x (M,); q_mean (m,); q_cov (m, m); log-weights (n,) or (R, k) (R repeats of k draws).
Log-probabilities are nats.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.special import logsumexp

from vae_teach._checks import as_covariance, as_float_array, check_int
from vae_teach.maths.gaussian import log_normal
from vae_teach.maths.ppca import PPCA, as_point as _point, as_ppca as _model


__all__ = ["log_mean_exp", "effective_sample_size", "WeightSummary", "summarize_weights",
           "naive_log_px", "importance_log_px", "importance_log_weights", "IWAECurve",
           "iwae_from_log_weights", "iwae_curve", "chi2_gaussian", "DimensionSweep",
           "naive_mc_by_dimension"]


# ----------------------------------------------------------------------------- validation
def _proposal(model: PPCA, q_mean, q_cov) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    q_mean = as_float_array(q_mean, "q_mean", ndim=1)
    if q_mean.shape != (model.m,):
        raise ValueError(f"q_mean must be one code of shape (m,) = ({model.m},), got "
                         f"{q_mean.shape}; for a batch, call once per data point.")
    q_cov = as_float_array(q_cov, "q_cov", ndim=2)
    if q_cov.shape != (model.m, model.m):
        raise ValueError(f"q_cov must be an (m, m) = ({model.m}, {model.m}) covariance, got "
                         f"{q_cov.shape}.")
    q_cov, L = as_covariance(q_cov, "q_cov")
    return q_mean, q_cov, L


def _log_weights(log_w, name: str = "log_w", ndim=(1,)) -> np.ndarray:
    """log-weights as a float array of an allowed ndim; −inf (a weight of 0) is allowed."""
    if isinstance(log_w, (str, bytes)) or log_w is None:
        raise TypeError(f"{name} must be an array of log-weights, got {type(log_w).__name__}.")
    try:
        arr = np.asarray(log_w, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of numbers ({exc}).") from None
    allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
    if arr.ndim not in allowed or arr.size == 0:
        want = " or ".join(str(a) for a in allowed)
        raise ValueError(f"{name} must be a non-empty array with {want} dimension(s), got shape "
                         f"{arr.shape}.")
    if np.isnan(arr).any() or np.isposinf(arr).any():
        raise ValueError(f"{name} contains NaN or +inf; log-weights must be finite numbers "
                         f"(−inf, a weight of 0, is allowed).")
    if np.isneginf(arr).all(axis=-1).any():
        raise ValueError(f"{name}: every weight of a row is 0 (all log-weights −inf); the "
                         f"proposal never reached the data point — use more draws or a "
                         f"proposal closer to the posterior.")
    return arr


# ----------------------------------------------------------------------------- weights
def log_mean_exp(log_w, axis: int = -1):
    """log (1/n) Σ_k exp(log_w_k) along ``axis``, without under/overflow (log-sum-exp).

    log_w: (..., n, ...) → the shape without ``axis``; a float for 1-D input.
    """
    arr = np.asarray(log_w, dtype=float)
    if arr.ndim == 0 or arr.size == 0:
        raise ValueError(f"log_w must hold at least one log-weight along axis {axis}, got "
                         f"shape {arr.shape}.")
    out = logsumexp(arr, axis=axis) - np.log(arr.shape[axis])
    return float(out) if np.ndim(out) == 0 else out


def effective_sample_size(log_w):
    """ESS = (Σ_k w_k)² / Σ_k w_k² from log-weights (any common factor cancels).

    log_w: (n,) → float in [1, n]; (R, n) → (R,), one ESS per row.
    """
    arr = _log_weights(log_w, ndim=(1, 2))
    return _out(np.exp(2 * logsumexp(arr, axis=-1) - logsumexp(2 * arr, axis=-1)))


def _out(value):
    return float(value) if np.ndim(value) == 0 else np.asarray(value)


class WeightSummary(NamedTuple):
    """What n importance weights say about log p(x).

    log_p: log (1/n) Σ w_k; standard_error: s.e.(p̂) / p̂, the delta-method s.e. of log_p
    (computed from the same weights, so it is unreliable when the ESS is small);
    ess: (Σ w)² / Σ w²; max_weight: max_k w_k / Σ_k w_k, the share of the best draw; n: draws.
    """

    log_p: float
    standard_error: float
    ess: float
    max_weight: float
    n: int


def summarize_weights(log_w) -> WeightSummary:
    """Estimate, s.e., ESS and best-draw share from log-weights log_w (n,), n ≥ 2."""
    arr = _log_weights(log_w, ndim=1)
    n = check_int(arr.shape[0], "number of log-weights", 2)
    w = np.exp(arr - arr.max())                         # w_k up to a common factor
    return WeightSummary(float(np.log(w.mean()) + arr.max()),
                         float(w.std(ddof=1) / np.sqrt(n) / w.mean()),
                         float(w.sum() ** 2 / np.sum(w * w)), float(w.max() / w.sum()), n)


def _log_px_given_z(model: PPCA, x: np.ndarray, Z: np.ndarray) -> np.ndarray:
    return model.log_px_given_z(np.broadcast_to(x, (Z.shape[0], model.M)), Z)


def naive_log_px(model, x, n_samples: int, rng=None) -> WeightSummary:
    """Prior sampling: z_k ~ p_θ(z) = N(0, I_m), w_k = p_θ(x|z_k), p̂ = (1/n) Σ_k w_k.

    model: PPCA; x: (M,); n_samples ≥ 2; rng: seed or Generator. Returns a WeightSummary.
    """
    model = _model(model)
    x = _point(model, x)
    n_samples = check_int(n_samples, "n_samples", 2)
    Z = np.random.default_rng(rng).standard_normal((n_samples, model.m))
    return summarize_weights(_log_px_given_z(model, x, Z))


def importance_log_weights(model, x, q_mean, q_cov, shape, rng=None) -> np.ndarray:
    """log w = log p_θ(x, z) − log q(z), z ~ q = N(q_mean, q_cov), one per entry of ``shape``.

    model: PPCA; x: (M,); q_mean: (m,); q_cov: (m, m); shape: e.g. (n,) or (R, k).
    Returns log-weights of that shape.
    """
    model = _model(model)
    x = _point(model, x)
    q_mean, q_cov, L = _proposal(model, q_mean, q_cov)
    shape = tuple(check_int(s, "each entry of shape", 1) for s in np.atleast_1d(shape))
    n = int(np.prod(shape))
    Z = q_mean + np.random.default_rng(rng).standard_normal((n, model.m)) @ L.T
    log_w = (_log_px_given_z(model, x, Z) + model.log_pz(Z)
             - np.atleast_1d(log_normal(Z, q_mean, q_cov)))
    return log_w.reshape(shape)


def importance_log_px(model, x, q_mean, q_cov, n_samples: int, rng=None) -> WeightSummary:
    """Importance sampling with q as proposal: p̂ = (1/n) Σ_k p_θ(x, z_k) / q(z_k), z_k ~ q.

    model: PPCA; x: (M,); q_mean: (m,); q_cov: (m, m); n_samples ≥ 2. Returns a WeightSummary.
    """
    n_samples = check_int(n_samples, "n_samples", 2)
    return summarize_weights(importance_log_weights(model, x, q_mean, q_cov, (n_samples,), rng))


# ----------------------------------------------------------------------------- IWAE
class IWAECurve(NamedTuple):
    """L_k for several k, each the mean of R repeats of log (1/k) Σ_j w_j.

    ks: (K,) ints; L_k, standard_error: (K,); per_repeat: (R, K), the R values behind each L_k
    (repeat r uses the first k of the same draws for every k, so differences between k are
    paired); log_p, L_b: the exact values when known (else nan).
    """

    ks: np.ndarray
    L_k: np.ndarray
    standard_error: np.ndarray
    per_repeat: np.ndarray
    log_p: float = float("nan")
    L_b: float = float("nan")

    @property
    def gap(self) -> np.ndarray:
        """log p − L_k, (K,): the Jensen bias of the log of a k-sample mean."""
        return self.log_p - self.L_k

    def step_standard_error(self) -> np.ndarray:
        """s.e. of L_{k_i} − L_{k_{i−1}} from the paired repeats, (K − 1,)."""
        d = np.diff(self.per_repeat, axis=1)
        return d.std(axis=0, ddof=1) / np.sqrt(d.shape[0])


def iwae_from_log_weights(log_w, ks) -> IWAECurve:
    """L_k from a pool of log-weights log_w (R, K): row r, first k columns → one sample of
    log (1/k) Σ_j w_j; L_k is their mean over the R rows, with s.e. std / √R.

    ks: increasing ints in [1, K]. Needs R ≥ 2. log_p and L_b are left nan.
    """
    arr = _log_weights(log_w, ndim=2)
    R, K = arr.shape
    check_int(R, "number of repeats R (rows of log_w)", 2)
    ks = np.asarray([check_int(k, "each k", 1) for k in np.atleast_1d(ks)])
    if ks.max() > K or np.any(np.diff(ks) <= 0):
        raise ValueError(f"ks must increase and stay ≤ K = {K} (the columns of log_w), got "
                         f"{ks.tolist()}.")
    per = np.stack([log_mean_exp(arr[:, :k], axis=1) for k in ks], axis=1)
    return IWAECurve(ks, per.mean(axis=0), per.std(axis=0, ddof=1) / np.sqrt(R), per)


def iwae_curve(model, x, q_mean, q_cov, ks, n_repeats: int, rng=None) -> IWAECurve:
    """L_k on pPCA for each k in ``ks`` (R = n_repeats repeats), with the exact log p_θ(x)
    and the closed-form L_b = L_1 (``maths.bound.lower_bound``) attached.

    model: PPCA; x: (M,); q_mean: (m,); q_cov: (m, m); ks: increasing ints ≥ 1.
    Draws R × max(ks) codes from q once (``importance_log_weights``).
    """
    from vae_teach.maths.bound import lower_bound

    model = _model(model)
    x = _point(model, x)
    ks = [check_int(k, "each k", 1) for k in np.atleast_1d(ks)]
    n_repeats = check_int(n_repeats, "n_repeats", 2)
    log_w = importance_log_weights(model, x, q_mean, q_cov, (n_repeats, max(ks)), rng)
    curve = iwae_from_log_weights(log_w, ks)
    q_mean = np.asarray(q_mean, dtype=float)
    return curve._replace(log_p=float(model.log_likelihood_per_sample(x[None])[0]),
                          L_b=lower_bound(model, x[None], q_mean[None], q_cov))


def chi2_gaussian(mean_p, cov_p, mean_q, cov_q) -> float:
    """χ²(p ‖ q) = ∫ p(z)² / q(z) dz − 1 for p = N(a, P), q = N(b, Q) in R^m:

    log ∫ p²/q = ½ log|Q| − log|P| − ½ log|A| + ½ hᵀA⁻¹h − c/2,
    A = 2P⁻¹ − Q⁻¹,  h = 2P⁻¹a − Q⁻¹b,  c = 2aᵀP⁻¹a − bᵀQ⁻¹b.

    Infinite (returned as ``inf``) unless A is positive definite, i.e. q must be wider than
    p/2 in every direction. Var_q(p/q) = χ²(p ‖ q): the variance of the importance weights
    (in units of p(x)²) when p is the posterior and q the proposal.
    mean_p, mean_q: (m,); cov_p, cov_q: (m, m).
    """
    a = as_float_array(mean_p, "mean_p", ndim=1)
    b = as_float_array(mean_q, "mean_q", ndim=1)
    P, _ = as_covariance(as_float_array(cov_p, "cov_p", ndim=2), "cov_p")
    Q, _ = as_covariance(as_float_array(cov_q, "cov_q", ndim=2), "cov_q")
    m = a.shape[0]
    if b.shape != (m,) or P.shape != (m, m) or Q.shape != (m, m):
        raise ValueError(f"mean_p (m,), cov_p (m, m), mean_q (m,), cov_q (m, m) must share one m;"
                         f" got {a.shape}, {P.shape}, {b.shape}, {Q.shape}.")
    Pi, Qi = np.linalg.inv(P), np.linalg.inv(Q)
    A = 2 * Pi - Qi
    if np.linalg.eigvalsh((A + A.T) / 2).min() <= 0:
        return float("inf")
    h = 2 * Pi @ a - Qi @ b
    c = 2 * a @ Pi @ a - b @ Qi @ b
    log_int = (0.5 * np.linalg.slogdet(Q)[1] - np.linalg.slogdet(P)[1]
               - 0.5 * np.linalg.slogdet(A)[1] + 0.5 * h @ np.linalg.solve(A, h) - c / 2)
    return float(np.expm1(log_int))


# ----------------------------------------------------------------------------- notebook 03
class DimensionSweep(NamedTuple):
    """Prior-sampling Monte Carlo at several data dimensions M, each entry (len(dims),),
    averaged over the data points: exact log p(x), error = estimate − exact, the estimate's own
    s.e., ESS (of n draws) and the best draw's share of the total weight."""

    dims: np.ndarray
    exact: np.ndarray
    error: np.ndarray
    standard_error: np.ndarray
    ess: np.ndarray
    max_weight: np.ndarray
    n_samples: int
    n_points: int


def naive_mc_by_dimension(model, dims, n_samples: int = 1000, n_points: int = 20,
                          rng=None) -> DimensionSweep:
    """Prior sampling on the same pPCA observed through its first M coordinates, M in ``dims``.

    model: PPCA with M ≥ max(dims) (its first M rows of W and μ make the M-dimensional model;
    the latent dimension m stays the same, so more coordinates mean a sharper posterior).
    n_points data points are drawn from the full model and truncated; each gets n_samples prior
    draws (``naive_log_px``). rng: seed or Generator.
    """
    model = _model(model)
    dims = np.asarray([check_int(d, "each M in dims", 1) for d in np.atleast_1d(dims)])
    if dims.max() > model.M:
        raise ValueError(f"dims go up to {dims.max()} but the model has only M = {model.M} "
                         f"coordinates; build a model with M ≥ max(dims).")
    n_samples = check_int(n_samples, "n_samples", 2)
    n_points = check_int(n_points, "n_points", 1)
    rng = np.random.default_rng(rng)
    X = model.sample(n_points, rng=rng)
    rows = []
    for M in dims:
        sub = PPCA(model.W[:M], model.mu[:M], model.sigma2)
        exact = sub.log_likelihood_per_sample(X[:, :M])
        runs = [naive_log_px(sub, x, n_samples, rng) for x in X[:, :M]]
        rows.append([exact.mean(), np.mean([r.log_p for r in runs] - exact),
                     np.mean([r.standard_error for r in runs]),
                     np.mean([r.ess for r in runs]), np.mean([r.max_weight for r in runs])])
    cols = np.asarray(rows).T
    return DimensionSweep(dims, *cols, n_samples=n_samples, n_points=n_points)
