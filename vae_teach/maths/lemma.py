"""The Lemma of the slide "CLOSE FORM OF L_b", in closed form, by Monte Carlo and line by line.

For ξ ~ N(μ̃, Σ̃) in R^m,

    E[log N(ξ; μ, Σ)] = log 1/√((2π)^m |Σ|) − ½((μ̃ − μ)ᵀ Σ⁻¹ (μ̃ − μ) + Tr(Σ̃ Σ⁻¹))
                      = log N(μ̃; μ, Σ) − Tr(Σ̃ Σ⁻¹)/2,

and in particular (μ̃ = μ, Σ̃ = Σ) E[log N(ξ; μ, Σ)] = −m/2 · log(2πe |Σ|^{1/m}).
``lemma_closed_form`` (full covariances) and ``lemma_closed_form_diag``; ``lemma_monte_carlo``
with its standard error and ``mc_error_vs_n`` (the 1/√n law); ``lemma_proof_lines`` (each line
of the slide's proof as a number). Shapes as in ``maths.gaussian``.
"""

from __future__ import annotations

from typing import Iterator, NamedTuple

import numpy as np

from vae_teach._checks import as_covariance, batch_shape, check_int, check_last_dim
from vae_teach.maths.gaussian import (LOG_2PI, _gaussian_pair, _log_normal_chol, _out, _rng,
                                      _same_m, _solve_lower, _trace_term, _variances, _vector,
                                      _whiten_factor, log_normal_diag, logdet_chol, random_spd)
from vae_teach.maths.lines import SlideLine, mean_se


__all__ = ["lemma_closed_form", "lemma_closed_form_diag", "lemma_monte_carlo", "lemma_sample_std",
           "mc_error_vs_n", "MCErrorCurve", "lemma_proof_lines", "proof_lines_hold",
           "neg_entropy_slide_form", "random_lemma_args"]


# ----------------------------------------------------------------------------- the lemma


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
    const = -0.5 * (m * LOG_2PI + float(logdet_chol(L)))
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


def lemma_proof_lines(mu_tilde, Sigma_tilde, mu, Sigma, n_samples: int = 100_000,
                      rng=None) -> list[SlideLine]:
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

    lhs = mean_se(_log_normal_chol(d, L))
    line1 = mean_se(log_c - 0.5 * quad)
    mean2, se2 = mean_se(quad)
    line3 = log_c - 0.5 * np.trace(outer_mean @ Sigma_inv)
    se3 = 0.5 * mean_se(per_sample_trace)[1]
    line5 = log_c - 0.5 * np.trace((d_prime.T @ d_prime / n_samples) @ Sigma_inv)
    se5 = 0.5 * mean_se(trace_prime)[1]
    line6a = log_c - 0.5 * np.trace((Sigma_tilde + np.outer(delta, delta)) @ Sigma_inv)
    line6b = log_c - 0.5 * (delta @ Sigma_inv @ delta + np.trace(Sigma_tilde @ Sigma_inv))
    lemma = lemma_closed_form(mu_tilde, Sigma_tilde, mu, Sigma)
    return [
        SlideLine("LHS  E[log N(ξ; μ, Σ)]  (Monte Carlo)", *lhs),
        SlideLine("1  E[log 1/√((2π)^m|Σ|) − ½(ξ−μ)ᵀΣ⁻¹(ξ−μ)]", *line1),
        SlideLine("2  log 1/√((2π)^m|Σ|) − ½E[Tr((ξ−μ)ᵀΣ⁻¹(ξ−μ))]", float(log_c - 0.5 * mean2),
                  0.5 * se2),
        SlideLine("3  log 1/√((2π)^m|Σ|) − ½Tr(E[(ξ−μ)(ξ−μ)ᵀΣ⁻¹])", float(line3), se3),
        SlideLine("4  (the slide repeats line 3)", float(line3), se3),
        SlideLine("5  … − ½Tr(E_{ξ'~N(0,Σ̃)}[(ξ'+μ̃−μ)(ξ'+μ̃−μ)ᵀΣ⁻¹])", float(line5), se5),
        SlideLine("6a … − ½Tr((Σ̃ + (μ̃−μ)(μ̃−μ)ᵀ)Σ⁻¹)", float(line6a), None),
        SlideLine("6b … − ½((μ̃−μ)ᵀΣ⁻¹(μ̃−μ) + Tr(Σ̃Σ⁻¹))", float(line6b), None),
        SlideLine("lemma  log N(μ̃; μ, Σ) − Tr(Σ̃Σ⁻¹)/2", float(lemma), None),
    ]


def proof_lines_hold(lines: list[SlideLine], n_se: float = 4.0,
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


def neg_entropy_slide_form(Sigma) -> float:
    """The special case exactly as printed on the slide: −m/2 · log(2πe · det(Σ)^{1/m}).

    Literal (det then the 1/m-th power), for comparison with :func:`neg_entropy`; det(Σ) can
    under/overflow for large m. Sigma: (m, m).
    """
    Sigma, _ = as_covariance(Sigma, "Sigma", batched=False)
    m = Sigma.shape[-1]
    return float(-m / 2 * np.log(2 * np.pi * np.e * np.linalg.det(Sigma) ** (1.0 / m)))


def random_lemma_args(m: int, rng=None, condition_number: float = 10.0):
    """Random (mu_tilde, Sigma_tilde, mu, Sigma) in R^m for checking the lemma."""
    rng = _rng(rng)
    mu_tilde, mu = rng.normal(size=m), rng.normal(size=m)
    Sigma_tilde = random_spd(m, condition_number, rng)
    Sigma = random_spd(m, condition_number, rng)
    return mu_tilde, Sigma_tilde, mu, Sigma
