"""Gaussian log-densities and the Lemma of the slide "CLOSE FORM OF L_b" (numpy/scipy, no torch).

Lemma: for ξ ~ N(μ̃, Σ̃) in R^m,

    E[log N(ξ; μ, Σ)] = log 1/√((2π)^m |Σ|) − ½((μ̃ − μ)ᵀ Σ⁻¹ (μ̃ − μ) + Tr(Σ̃ Σ⁻¹))
                      = log N(μ̃; μ, Σ) − Tr(Σ̃ Σ⁻¹)/2,

and in particular (μ̃ = μ, Σ̃ = Σ) E[log N(ξ; μ, Σ)] = −m/2 · log(2πe |Σ|^{1/m}).

Shapes: a vector is (m,) or a batch (N, m); a covariance is (m, m) or a batch (N, m, m);
batched arguments share one N, unbatched ones broadcast against them. A function returns a
``float`` for unbatched input and an ``(N,)`` array otherwise. Every covariance goes through its
Cholesky factor L (Σ = L Lᵀ): log|Σ| = 2 Σ_j log L_jj, (x − μ)ᵀ Σ⁻¹ (x − μ) = ‖L⁻¹(x − μ)‖²
and Tr(Σ̃ Σ⁻¹) = ‖L⁻¹ L̃‖_F², so nothing is inverted explicitly.

Diagonal fast paths (``*_diag``) take the **variances** σ² as vectors (m,) or (N, m).
"""
from __future__ import annotations

from typing import Iterator, NamedTuple

import numpy as np
from scipy.linalg.lapack import dtrtrs

from ._checks import (as_covariance, as_float_array, batch_shape, check_int, check_last_dim,
                      check_positive)

__all__ = [
    "log_normal", "log_normal_diag", "lemma_closed_form", "lemma_closed_form_diag",
    "lemma_monte_carlo", "lemma_sample_std", "mc_error_vs_n", "MCErrorCurve",
    "lemma_proof_lines", "proof_lines_hold", "ProofLine", "neg_entropy", "neg_entropy_diag",
    "neg_entropy_slide_form", "kl_gaussian", "kl_diag_std_normal", "random_spd",
    "random_lemma_args",
]

LOG_2PI = float(np.log(2.0 * np.pi))


# ----------------------------------------------------------------------------- helpers
def _vector(value, name: str, m: int, other: str, batched: bool = True) -> np.ndarray:
    arr = as_float_array(value, name, ndim=(1, 2) if batched else 1)
    check_last_dim(arr, name, m, other)
    return arr


def _variances(value, name: str) -> np.ndarray:
    arr = as_float_array(value, name, ndim=(1, 2))
    check_positive(arr, name)
    return arr


def _same_m(Sigma_b: np.ndarray, name_b: str, m: int, name_a: str) -> None:
    if Sigma_b.shape[-1] != m:
        raise ValueError(f"{name_b} is {Sigma_b.shape[-1]}×{Sigma_b.shape[-1]} but {name_a} is "
                         f"{m}×{m}; both covariances must live in the same dimension m.")


def _out(value):
    """float for a 0-d result, the array otherwise."""
    return float(value) if np.ndim(value) == 0 else np.asarray(value)


def _rng(rng) -> np.random.Generator:
    if rng is None or (isinstance(rng, (int, np.integer, np.random.Generator))
                       and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be None, an int seed or a numpy.random.Generator, got "
                    f"{type(rng).__name__}; e.g. rng=np.random.default_rng(0).")


def _logdet(L: np.ndarray) -> np.ndarray:
    """log|Σ| = 2 Σ_j log L_jj for L (..., m, m) → (...)."""
    return 2.0 * np.sum(np.log(np.diagonal(L, axis1=-2, axis2=-1)), axis=-1)


def _trsm(L: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """L⁻¹ rhs for one lower-triangular L (m, m) and rhs (m, K).

    Large problems use LAPACK's triangular solve (dtrtrs). Small ones use ``np.linalg.solve``:
    measured on the shared 2-core development machine, OpenBLAS's threaded trsm took up to
    ~20 ms per 10×10 solve while the CPUs were busy, against ~50 µs for numpy's solver.
    """
    if rhs.size <= 32_768:
        return np.linalg.solve(L, rhs)
    y, info = dtrtrs(L, rhs, lower=1)
    if info != 0:  # L comes from a Cholesky factorisation, so this cannot happen
        raise np.linalg.LinAlgError(f"triangular solve failed (LAPACK info={info}).")
    return y


def _forward_substitution(L: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """L⁻¹ rhs for batches: L (..., m, m), rhs (..., m, K); m vectorised steps."""
    m = L.shape[-1]
    shape = np.broadcast_shapes(L.shape[:-2], rhs.shape[:-2]) + rhs.shape[-2:]
    y = np.empty(shape)
    for j in range(m):
        acc = rhs[..., j, :] - np.einsum("...k,...kn->...n", L[..., j, :j], y[..., :j, :])
        y[..., j, :] = acc / L[..., j, j, None]
    return y


def _solve_lower(L: np.ndarray, b: np.ndarray) -> np.ndarray:
    """L⁻¹ b for vectors b (..., m); L is (m, m) or a batch (B, m, m)."""
    m = L.shape[-1]
    if L.ndim == 2:
        return _trsm(L, b.reshape(-1, m).T).T.reshape(b.shape)
    return _forward_substitution(L, b[..., None])[..., 0]


def _whiten_factor(L: np.ndarray, L_tilde: np.ndarray) -> np.ndarray:
    """L⁻¹ L̃ for factors (m, m) or batches (B, m, m)."""
    if L.ndim == 2:  # one solve with all right-hand sides side by side: (m, B·m)
        m = L.shape[-1]
        rhs = np.moveaxis(L_tilde, -2, 0).reshape(m, -1)
        return np.moveaxis(_trsm(L, rhs).reshape((m,) + L_tilde.shape[:-2] + (m,)), 0, -2)
    return _forward_substitution(L, L_tilde)


def _trace_term(L: np.ndarray, L_tilde: np.ndarray) -> np.ndarray:
    """Tr(Σ̃ Σ⁻¹) = ‖L⁻¹ L̃‖_F² (≥ 0 by construction)."""
    B = _whiten_factor(L, L_tilde)
    return np.sum(B * B, axis=(-2, -1))


def _log_normal_chol(diff: np.ndarray, L: np.ndarray) -> np.ndarray:
    """log N(x; μ, Σ) from diff = x − μ (..., m) and the Cholesky factor L of Σ."""
    y = _solve_lower(L, diff)
    m = L.shape[-1]
    return -0.5 * (m * LOG_2PI + _logdet(L) + np.sum(y * y, axis=-1))


# ----------------------------------------------------------------------------- densities
def log_normal(x, mu, Sigma):
    """log N(x; μ, Σ) = −½(m log 2π + log|Σ| + (x − μ)ᵀ Σ⁻¹ (x − μ)), via Cholesky.

    x: (m,) or (N, m); mu: (m,) or (N, m); Sigma: (m, m) or (N, m, m). Returns float or (N,).
    """
    Sigma, L = as_covariance(Sigma, "Sigma")
    m = Sigma.shape[-1]
    x = _vector(x, "x", m, "Sigma")
    mu = _vector(mu, "mu", m, "Sigma")
    batch_shape({"x": x.shape[:-1], "mu": mu.shape[:-1], "Sigma": Sigma.shape[:-2]})
    return _out(_log_normal_chol(x - mu, L))


def log_normal_diag(x, mu, var):
    """log N(x; μ, diag(var)) = −½ Σ_j (log 2π + log var_j + (x_j − μ_j)² / var_j).

    x, mu: (m,) or (N, m); var: variances σ² > 0, (m,) or (N, m). Returns float or (N,).
    """
    var = _variances(var, "var")
    m = var.shape[-1]
    x = _vector(x, "x", m, "var")
    mu = _vector(mu, "mu", m, "var")
    batch_shape({"x": x.shape[:-1], "mu": mu.shape[:-1], "var": var.shape[:-1]})
    return _out(-0.5 * np.sum(LOG_2PI + np.log(var) + (x - mu) ** 2 / var, axis=-1))


# ----------------------------------------------------------------------------- the lemma
def _gaussian_pair(mu_a, Sigma_a, mu_b, Sigma_b, names: tuple[str, str, str, str]):
    """Validate N(mu_a, Sigma_a) and N(mu_b, Sigma_b): same dimension m, broadcastable batches.

    ``names`` are the four argument names for the messages. Returns
    (mu_a, L_a, mu_b, L_b, m) with L the lower Cholesky factors.
    """
    n_mu_a, n_Sigma_a, n_mu_b, n_Sigma_b = names
    Sigma_b, L_b = as_covariance(Sigma_b, n_Sigma_b)
    m = Sigma_b.shape[-1]
    Sigma_a, L_a = as_covariance(Sigma_a, n_Sigma_a)
    _same_m(Sigma_a, n_Sigma_a, m, n_Sigma_b)
    mu_a = _vector(mu_a, n_mu_a, m, n_Sigma_b)
    mu_b = _vector(mu_b, n_mu_b, m, n_Sigma_b)
    batch_shape({n_mu_a: mu_a.shape[:-1], n_Sigma_a: Sigma_a.shape[:-2],
                 n_mu_b: mu_b.shape[:-1], n_Sigma_b: Sigma_b.shape[:-2]})
    return mu_a, L_a, mu_b, L_b, m


def lemma_closed_form(mu_tilde, Sigma_tilde, mu, Sigma):
    """E_{ξ~N(μ̃, Σ̃)}[log N(ξ; μ, Σ)] = log N(μ̃; μ, Σ) − Tr(Σ̃ Σ⁻¹)/2.

    mu_tilde, mu: (m,) or (N, m); Sigma_tilde, Sigma: (m, m) or (N, m, m).
    Returns float or (N,).
    """
    mu_tilde, L_tilde, mu, L, _ = _gaussian_pair(
        mu_tilde, Sigma_tilde, mu, Sigma, ("mu_tilde", "Sigma_tilde", "mu", "Sigma"))
    return _out(_log_normal_chol(mu_tilde - mu, L) - 0.5 * _trace_term(L, L_tilde))


def lemma_closed_form_diag(mu_tilde, var_tilde, mu, var):
    """The lemma for diagonal covariances: log N(μ̃; μ, diag var) − ½ Σ_j var̃_j / var_j.

    mu_tilde, mu: (m,) or (N, m); var_tilde = σ̃², var = σ²: variances, (m,) or (N, m).
    E.g. the slide's E_q[log p(z)] with p = N(0, I) is
    ``lemma_closed_form_diag(mu_tilde, np.exp(zeta), 0 * mu_tilde, np.ones(m))``.
    """
    var = _variances(var, "var")
    var_tilde = _variances(var_tilde, "var_tilde")
    check_last_dim(var_tilde, "var_tilde", var.shape[-1], "var")
    batch_shape({"var_tilde": var_tilde.shape[:-1], "var": var.shape[:-1]})
    trace = np.sum(var_tilde / var, axis=-1)
    return _out(np.asarray(log_normal_diag(mu_tilde, mu, var)) - 0.5 * trace)


class _RunningMoments:
    """Mean and sum of squared deviations over chunks (Chan et al.'s pairwise update)."""

    def __init__(self) -> None:
        self.n, self.mean, self.m2 = 0, 0.0, 0.0

    def add(self, values: np.ndarray) -> None:
        n_b, mean_b = values.size, float(np.mean(values))
        m2_b = float(np.sum((values - mean_b) ** 2))
        n = self.n + n_b
        delta = mean_b - self.mean
        self.mean += delta * n_b / n
        self.m2 += m2_b + delta * delta * self.n * n_b / n
        self.n = n

    @property
    def standard_error(self) -> float:
        return float(np.sqrt(self.m2 / (self.n - 1) / self.n))


def _chunks(n: int, size: int) -> Iterator[int]:
    while n > 0:
        yield min(n, size)
        n -= size


def _lemma_args_single(mu_tilde, Sigma_tilde, mu, Sigma):
    Sigma, L = as_covariance(Sigma, "Sigma", batched=False)
    m = Sigma.shape[-1]
    Sigma_tilde, L_tilde = as_covariance(Sigma_tilde, "Sigma_tilde", batched=False)
    _same_m(Sigma_tilde, "Sigma_tilde", m, "Sigma")
    mu_tilde = _vector(mu_tilde, "mu_tilde", m, "Sigma", batched=False)
    mu = _vector(mu, "mu", m, "Sigma", batched=False)
    return mu_tilde, Sigma_tilde, L_tilde, mu, Sigma, L


def lemma_monte_carlo(mu_tilde, Sigma_tilde, mu, Sigma, n_samples: int, rng=None,
                      chunk_size: int = 2048) -> tuple[float, float]:
    """Monte-Carlo estimate of E_{ξ~N(μ̃, Σ̃)}[log N(ξ; μ, Σ)] → ``(mean, standard_error)``.

    Draws ξ = μ̃ + L̃ ε with ε ~ N(0, I) (Σ̃ = L̃ L̃ᵀ) and averages log N(ξ; μ, Σ); the
    quadratic form uses y = L⁻¹(ξ − μ) = L⁻¹(μ̃ − μ) + (L⁻¹ L̃) ε, one small matrix product per
    chunk. standard_error = sample std (ddof=1) / √n_samples. It does not use the lemma.

    mu_tilde, mu: (m,); Sigma_tilde, Sigma: (m, m); n_samples ≥ 2; rng: seed or Generator.
    chunk_size: samples per chunk; the default keeps each chunk in cache and the matrix product
    small enough that OpenBLAS does not spread it over threads. The random stream does not
    depend on it, so results agree across chunk sizes up to rounding.
    """
    mu_tilde, _, L_tilde, mu, _, L = _lemma_args_single(mu_tilde, Sigma_tilde, mu, Sigma)
    n_samples = check_int(n_samples, "n_samples", 2)
    chunk_size = check_int(chunk_size, "chunk_size", 1)
    rng = _rng(rng)
    m = L.shape[-1]
    B_t = _whiten_factor(L, L_tilde).T                      # (L⁻¹ L̃)ᵀ, so y = c + ε B_t
    c = _solve_lower(L, mu_tilde - mu)                      # L⁻¹(μ̃ − μ)
    const = -0.5 * (m * LOG_2PI + float(_logdet(L)))
    moments = _RunningMoments()
    eps, y = np.empty((chunk_size, m)), np.empty((chunk_size, m))   # reused buffers
    for n in _chunks(n_samples, chunk_size):
        rng.standard_normal(out=eps[:n])
        np.matmul(eps[:n], B_t, out=y[:n])
        y[:n] += c
        moments.add(const - 0.5 * np.einsum("ij,ij->i", y[:n], y[:n]))
    return moments.mean, moments.standard_error


def lemma_sample_std(mu_tilde, Sigma_tilde, mu, Sigma) -> float:
    """Exact standard deviation of log N(ξ; μ, Σ) for ξ ~ N(μ̃, Σ̃) (so MC s.e. = it / √n).

    With y = L⁻¹(ξ − μ) ~ N(c, A), c = L⁻¹(μ̃ − μ), A = L⁻¹ Σ̃ L⁻ᵀ:
    Var(‖y‖²) = 2 Tr(A²) + 4 cᵀ A c, and log N = const − ½‖y‖², so std = ½ √Var(‖y‖²).
    """
    mu_tilde, _, L_tilde, mu, _, L = _lemma_args_single(mu_tilde, Sigma_tilde, mu, Sigma)
    B = _whiten_factor(L, L_tilde)
    A = B @ B.T
    c = _solve_lower(L, mu_tilde - mu)
    return float(0.5 * np.sqrt(2.0 * np.sum(A * A) + 4.0 * c @ A @ c))


class MCErrorCurve(NamedTuple):
    """Monte-Carlo error against sample size: ``rms_error[k]`` over repeats at ``n[k]``."""

    n: np.ndarray               # (K,) sample sizes
    rms_error: np.ndarray       # (K,) root-mean-square of (MC mean − closed form)
    predicted: np.ndarray       # (K,) exact std / √n: the 1/√n line
    mean_standard_error: np.ndarray  # (K,) average of the estimator's own s.e.


def mc_error_vs_n(mu_tilde, Sigma_tilde, mu, Sigma, ns, n_repeats: int = 20,
                  rng=None) -> MCErrorCurve:
    """Run ``lemma_monte_carlo`` ``n_repeats`` times at each n in ``ns`` (ints ≥ 2)."""
    n_repeats = check_int(n_repeats, "n_repeats", 2)
    ns = [check_int(n, "each entry of ns", 2) for n in ns]
    if not ns:
        raise ValueError("ns is empty; pass sample sizes such as [10, 100, 1000].")
    rng = _rng(rng)
    exact = lemma_closed_form(mu_tilde, Sigma_tilde, mu, Sigma)
    std = lemma_sample_std(mu_tilde, Sigma_tilde, mu, Sigma)
    rms, mean_se = [], []
    for n in ns:
        runs = np.array([lemma_monte_carlo(mu_tilde, Sigma_tilde, mu, Sigma, n, rng)
                         for _ in range(n_repeats)])
        rms.append(np.sqrt(np.mean((runs[:, 0] - exact) ** 2)))
        mean_se.append(np.mean(runs[:, 1]))
    n_arr = np.asarray(ns, dtype=float)
    return MCErrorCurve(n_arr, np.asarray(rms), std / np.sqrt(n_arr), np.asarray(mean_se))


# ----------------------------------------------------------------------------- the proof
class ProofLine(NamedTuple):
    """One line of the slide's proof evaluated numerically (``standard_error`` None if exact)."""

    label: str
    value: float
    standard_error: float | None


def _mean_se(values: np.ndarray) -> tuple[float, float]:
    return float(np.mean(values)), float(np.std(values, ddof=1) / np.sqrt(values.size))


def lemma_proof_lines(mu_tilde, Sigma_tilde, mu, Sigma, n_samples: int = 100_000,
                      rng=None) -> list[ProofLine]:
    """Evaluate every line of the Lemma's proof on the CLOSE FORM slide, literally.

    Lines with an expectation are sample means over n_samples draws (± standard error); the
    last lines are exact. Each line uses the slide's own formula (Σ⁻¹ = ``np.linalg.inv``,
    |Σ| from ``slogdet``), not the Cholesky shortcuts of this module, so a wrong line shows.
    Line 5 draws fresh ξ' ~ N(0, Σ̃) (the change of variables ξ = ξ' + μ̃).
    mu_tilde, mu: (m,); Sigma_tilde, Sigma: (m, m).
    """
    mu_tilde, Sigma_tilde, L_tilde, mu, Sigma, L = _lemma_args_single(mu_tilde, Sigma_tilde,
                                                                        mu, Sigma)
    n_samples = check_int(n_samples, "n_samples", 2)
    rng = _rng(rng)
    m = mu.size
    Sigma_inv = np.linalg.inv(Sigma)
    log_c = -0.5 * (m * LOG_2PI + np.linalg.slogdet(Sigma)[1])  # log 1/√((2π)^m |Σ|)
    xi = mu_tilde + rng.standard_normal((n_samples, m)) @ L_tilde.T
    d = xi - mu
    quad = np.einsum("ni,ij,nj->n", d, Sigma_inv, d)        # (ξ−μ)ᵀ Σ⁻¹ (ξ−μ), a 1×1 trace
    outer_mean = d.T @ d / n_samples                          # Ê[(ξ−μ)(ξ−μ)ᵀ]
    per_sample_trace = np.einsum("ni,nj,ji->n", d, d, Sigma_inv)
    xi_prime = rng.standard_normal((n_samples, m)) @ L_tilde.T  # ξ' ~ N(0, Σ̃)
    d_prime = xi_prime + mu_tilde - mu
    trace_prime = np.einsum("ni,nj,ji->n", d_prime, d_prime, Sigma_inv)
    delta = mu_tilde - mu

    lhs = _mean_se(_log_normal_chol(d, L))
    line1 = _mean_se(log_c - 0.5 * quad)
    mean2, se2 = _mean_se(quad)
    line3 = log_c - 0.5 * np.trace(outer_mean @ Sigma_inv)
    se3 = 0.5 * _mean_se(per_sample_trace)[1]
    line5 = log_c - 0.5 * np.trace((d_prime.T @ d_prime / n_samples) @ Sigma_inv)
    se5 = 0.5 * _mean_se(trace_prime)[1]
    line6a = log_c - 0.5 * np.trace((Sigma_tilde + np.outer(delta, delta)) @ Sigma_inv)
    line6b = log_c - 0.5 * (delta @ Sigma_inv @ delta + np.trace(Sigma_tilde @ Sigma_inv))
    lemma = lemma_closed_form(mu_tilde, Sigma_tilde, mu, Sigma)
    return [
        ProofLine("LHS  E[log N(ξ; μ, Σ)]  (Monte Carlo)", *lhs),
        ProofLine("1  E[log 1/√((2π)^m|Σ|) − ½(ξ−μ)ᵀΣ⁻¹(ξ−μ)]", *line1),
        ProofLine("2  log 1/√((2π)^m|Σ|) − ½E[Tr((ξ−μ)ᵀΣ⁻¹(ξ−μ))]", float(log_c - 0.5 * mean2),
                  0.5 * se2),
        ProofLine("3  log 1/√((2π)^m|Σ|) − ½Tr(E[(ξ−μ)(ξ−μ)ᵀΣ⁻¹])", float(line3), se3),
        ProofLine("4  (the slide repeats line 3)", float(line3), se3),
        ProofLine("5  … − ½Tr(E_{ξ'~N(0,Σ̃)}[(ξ'+μ̃−μ)(ξ'+μ̃−μ)ᵀΣ⁻¹])", float(line5), se5),
        ProofLine("6a … − ½Tr((Σ̃ + (μ̃−μ)(μ̃−μ)ᵀ)Σ⁻¹)", float(line6a), None),
        ProofLine("6b … − ½((μ̃−μ)ᵀΣ⁻¹(μ̃−μ) + Tr(Σ̃Σ⁻¹))", float(line6b), None),
        ProofLine("lemma  log N(μ̃; μ, Σ) − Tr(Σ̃Σ⁻¹)/2", float(lemma), None),
    ]


def proof_lines_hold(lines: list[ProofLine], n_se: float = 4.0,
                     rtol: float = 1e-9) -> list[bool]:
    """Does each line agree with the last (the lemma's closed form)?

    A Monte-Carlo line holds when it lies within ``n_se`` standard errors; an exact line when
    it agrees to relative tolerance ``rtol``.
    """
    reference = lines[-1].value
    return [abs(line.value - reference) <= n_se * line.standard_error
            if line.standard_error is not None
            else abs(line.value - reference) <= rtol * max(1.0, abs(reference))
            for line in lines]


# ----------------------------------------------------------------------------- entropy, KL
def neg_entropy(Sigma):
    """E_{ξ~N(μ, Σ)}[log N(ξ; μ, Σ)] = −½(m(log 2π + 1) + log|Σ|) = −m/2 · log(2πe|Σ|^{1/m}).

    The slide's special case of the lemma (= minus the differential entropy), computed from
    log|Σ| so it neither over- nor underflows. Sigma: (m, m) or (N, m, m) → float or (N,).
    """
    Sigma, L = as_covariance(Sigma, "Sigma")
    m = Sigma.shape[-1]
    return _out(-0.5 * (m * (LOG_2PI + 1.0) + _logdet(L)))


def neg_entropy_diag(var):
    """neg_entropy for diag(var): −½ Σ_j (log 2π + 1 + log var_j). var: (m,) or (N, m)."""
    var = _variances(var, "var")
    return _out(-0.5 * np.sum(LOG_2PI + 1.0 + np.log(var), axis=-1))


def neg_entropy_slide_form(Sigma) -> float:
    """The special case exactly as printed on the slide: −m/2 · log(2πe · det(Σ)^{1/m}).

    Literal (det then the 1/m-th power), for comparison with :func:`neg_entropy`; det(Σ) can
    under/overflow for large m. Sigma: (m, m).
    """
    Sigma, _ = as_covariance(Sigma, "Sigma", batched=False)
    m = Sigma.shape[-1]
    return float(-m / 2 * np.log(2 * np.pi * np.e * np.linalg.det(Sigma) ** (1.0 / m)))


def kl_gaussian(mu0, Sigma0, mu1, Sigma1):
    """KL(N(μ0, Σ0) ‖ N(μ1, Σ1)) = ½[Tr(Σ1⁻¹Σ0) + (μ1−μ0)ᵀΣ1⁻¹(μ1−μ0) − m + log|Σ1| − log|Σ0|].

    Equals neg_entropy(Σ0) − lemma_closed_form(μ0, Σ0, μ1, Σ1). mu0, mu1: (m,) or (N, m);
    Sigma0, Sigma1: (m, m) or (N, m, m). Returns nats, float or (N,).
    """
    mu0, L0, mu1, L1, m = _gaussian_pair(mu0, Sigma0, mu1, Sigma1,
                                         ("mu0", "Sigma0", "mu1", "Sigma1"))
    y = _solve_lower(L1, mu1 - mu0)
    maha = np.sum(y * y, axis=-1)
    return _out(0.5 * (_trace_term(L1, L0) + maha - m + _logdet(L1) - _logdet(L0)))


def kl_diag_std_normal(mu_tilde, zeta):
    """KL(N(μ̃, diag e^ζ) ‖ N(0, I)) = ½ Σ_j (μ̃_j² + e^{ζ_j} − 1 − ζ_j), ζ = log σ̃².

    Half the slide's regularisation loss. mu_tilde, zeta: (m,) or (N, m) → float or (N,).
    """
    zeta = as_float_array(zeta, "zeta", ndim=(1, 2))
    mu_tilde = _vector(mu_tilde, "mu_tilde", zeta.shape[-1], "zeta")
    batch_shape({"mu_tilde": mu_tilde.shape[:-1], "zeta": zeta.shape[:-1]})
    return _out(0.5 * np.sum(mu_tilde ** 2 + np.exp(zeta) - 1.0 - zeta, axis=-1))


# ----------------------------------------------------------------------------- test inputs
def random_spd(m: int, condition_number: float = 10.0, rng=None, scale: float = 1.0):
    """Random symmetric positive-definite (m, m) matrix with the given condition number.

    Eigenvalues are log-spaced in [scale/√κ, scale·√κ] (so |Σ| = scale^m), eigenvectors a
    random orthogonal matrix. For m = 1 the matrix is [[scale]] (κ is necessarily 1).
    """
    m = check_int(m, "m", 1)
    kappa = float(condition_number)
    if not np.isfinite(kappa) or kappa < 1:
        raise ValueError(f"condition_number must be a finite number ≥ 1, got {condition_number}"
                         f"; it is λ_max / λ_min, e.g. 10 (well) or 1e6 (ill-conditioned).")
    if not np.isfinite(scale) or scale <= 0:
        raise ValueError(f"scale must be a positive number, got {scale}.")
    rng = _rng(rng)
    if m == 1:
        return np.array([[float(scale)]])
    eig = scale * np.geomspace(kappa ** -0.5, kappa ** 0.5, m)
    Q, R = np.linalg.qr(rng.standard_normal((m, m)))
    Q = Q * np.sign(np.diag(R))
    S = (Q * eig) @ Q.T
    return (S + S.T) / 2


def random_lemma_args(m: int, rng=None, condition_number: float = 10.0):
    """Random (mu_tilde, Sigma_tilde, mu, Sigma) in R^m for checking the lemma."""
    rng = _rng(rng)
    mu_tilde, mu = rng.normal(size=m), rng.normal(size=m)
    Sigma_tilde = random_spd(m, condition_number, rng)
    Sigma = random_spd(m, condition_number, rng)
    return mu_tilde, Sigma_tilde, mu, Sigma
