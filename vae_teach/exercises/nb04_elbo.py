"""Checkers for notebook 04 (the lower bound, importance sampling, L_k).

* ``check_L_k(fn)`` — find the slip: a given L_k estimator takes the mean of the logs; the
  learner's fn(log_w (R, k)) → float averages, over the R repeats, log (1/k) Σ_j w_j;
* ``check_k_within(reading, curve)`` — interpret the figure: the smallest k of the curve with
  log p − L_k ≤ 0.1 nats;
* ``check_posterior_L_k(prediction, curve)`` — predict-then-run: L_k against k when q is the
  exact posterior (measured from ``curve``);
* ``check_grid_lower_bound(fn)`` — warm-up: L_b as a sum on a 1-D grid;
* ``check_optimal_q(fn)`` — the Gaussian q with KL = 0 (the pPCA posterior).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

import numpy as np
from scipy.special import logsumexp

from vae_teach.exercises._core import CheckResult, check_function
from vae_teach.exercises.nb03_generative_model_mle import _ppca_cases, _predict, _reading
from vae_teach.maths.importance import IWAECurve, iwae_curve
from vae_teach.maths.ppca import PPCA
from vae_teach.maths.quadrature import LatentGrid1D


__all__ = ['check_L_k', 'check_k_within', 'check_posterior_L_k', 'check_grid_lower_bound',
           'check_optimal_q']


# ----------------------------------------------------------------------------- L_k: the slip
def _lme(a, axis):
    return logsumexp(a, axis=axis) - np.log(a.shape[axis])


def _L_k_reference(log_w):
    return float(np.mean(_lme(np.asarray(log_w, dtype=float), axis=1)))


def _L_k_cases():
    rng = np.random.default_rng(41)
    return [(rng.normal(-5.0, 1.5, size=(50, 7)),),
            (rng.normal(0.0, 3.0, size=(6, 40)),),
            (rng.normal(-800.0, 2.0, size=(5, 3)),)]          # exp underflows to 0 here


def check_L_k(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(log_w (R, k)) → float: (1/R) Σ_r log (1/k) Σ_j exp(log_w[r, j]), computed stably."""
    hint = ["The bound takes the log of an average of the k weights, and only then averages "
            "over the repeats. In which order do the log and the average over the k draws "
            "come, and along which axis does each act?",
            "Per row r (one repeat): log of the mean of the k weights exp(log_w[r, j]), done "
            "stably by log-sum-exp (subtract the row's maximum before exponentiating); then "
            "the mean of the R row values. The mean of the logs is L_1 = L_b for every k.",
            "return float(np.mean(scipy.special.logsumexp(log_w, axis=1) - np.log(k))) with "
            "k = log_w.shape[1]."]
    slips = {
        "the mean of the logs (that is L_1 = L_b for every k — the given function's slip)":
            lambda lw: float(np.mean(lw)),
        "log of the sum without the 1/k (too high by log k)":
            lambda lw: float(np.mean(logsumexp(lw, axis=1))),
        "log-mean-exp over the repeats (axis 0), not over the k draws":
            lambda lw: float(np.mean(_lme(lw, axis=0))),
        "one log-mean-exp over all R·k weights (a single draw of L_{R·k}, not L_k)":
            lambda lw: float(_lme(lw.ravel(), axis=0)),
        "exp before averaging without subtracting the maximum (underflows to −inf)":
            lambda lw: float(np.mean(np.log(np.mean(np.exp(lw), axis=1)))),
    }
    with np.errstate(divide="ignore", under="ignore"):
        return check_function("L_k from R repeats of k log-weights", fn, _L_k_reference,
                              _L_k_cases(), hint, rtol=1e-9, atol=1e-9, verbose=verbose,
                              slips=slips)


# ----------------------------------------------------------------------------- the L_k curve
KS = tuple(2 ** np.arange(8))


def section4_setup():
    """Notebook 04's section 4: the pPCA of section 1.2 (M = 5, m = 2, seed 0), x = X[0], the
    posterior N(m_x, P) of x and the encoder q = N(m_x + √diag P, 2P) → (model, x, post_mean,
    post_cov, q_mean, q_cov)."""
    rng = np.random.default_rng(0)
    model = PPCA(W=rng.normal(size=(5, 2)), mu=rng.normal(size=5), sigma2=0.3)
    x = model.sample(100, rng=rng)[0]
    post_mean, post_cov = model.posterior(x[None])
    post_mean = post_mean[0]
    return (model, x, post_mean, post_cov, post_mean + np.sqrt(np.diag(post_cov)),
            2.0 * post_cov)


@lru_cache(maxsize=2)
def _default_curve(posterior: bool = False) -> IWAECurve:
    model, x, pm, pc, qm, qc = section4_setup()
    if posterior:
        return iwae_curve(model, x, pm, pc, KS, 200, rng=5)
    return iwae_curve(model, x, qm, qc, KS, 10_000, rng=4)


def _curve(curve, posterior: bool) -> IWAECurve:
    if curve is None:
        return _default_curve(posterior)
    if not isinstance(curve, IWAECurve) or not np.isfinite(curve.log_p):
        raise TypeError(f"curve must be the IWAECurve you measured (iwae_curve, with log_p), "
                        f"got {type(curve).__name__}.")
    return curve


def check_k_within(reading: Callable[[], int], curve: IWAECurve | None = None,
                   tol: float = 0.1, verbose: bool = True) -> CheckResult:
    """Read off the figure: the smallest k of ``curve.ks`` with log p − L_k ≤ ``tol`` nats."""
    hint = ["Use the panel that shows the distance from log p itself, not the level of L_k, "
            "and find the first measured k at or below the requested distance.",
            "The right-hand panel plots the gap on a log scale; find where it crosses 0.1 "
            "(a grid line) and take the first measured k at or below it. Answer one of the "
            "k of the figure."]

    def first():
        c = _curve(curve, False)
        idx = np.flatnonzero(c.gap <= tol)
        if not idx.size:
            raise ValueError(f"no k of this curve has log p − L_k ≤ {tol}")
        return c, int(idx[0])

    def expected():
        c, i = first()
        return float(c.ks[i])

    def too_early():
        c, i = first()
        if i == 0:
            raise ValueError("no earlier point")
        return float(c.ks[i - 1])

    def largest():
        c, i = first()
        if i == len(c.ks) - 1:
            raise ValueError("the first point is the last one")
        return float(c.ks[-1])

    return _reading(f"k until L_k is within {tol} nats of log p", reading, expected, hint,
                    {f"one point too early: there L_k is still more than {tol} nats below "
                     f"log p": too_early,
                     "the largest k of the figure, not the first one close enough": largest},
                    verbose)


POSTERIOR_CHOICES = ("rises towards log p", "constant, equal to log p",
                     "constant, below log p")


def check_posterior_L_k(prediction: Callable[[], str], curve: IWAECurve | None = None,
                        verbose: bool = True) -> CheckResult:
    """Prediction: how L_k depends on k when q is the exact posterior (one of
    POSTERIOR_CHOICES), measured from ``curve`` (an IWAECurve with q = p_θ(z|x))."""
    hint = ["Write one importance weight, the joint over q, with q replaced by the posterior, "
            "and use Bayes' rule: what is left of it, and does it still depend on the draw?",
            "With q = p_θ(z|x) every weight equals p_θ(x, z) / p_θ(z|x) = p_θ(x), whatever z "
            "is: the average of k equal numbers is that number, for every k."]

    def measure():
        c = _curve(curve, True)
        spread = float(np.max(np.abs(c.L_k - c.log_p)))
        measured = ("constant, equal to log p" if spread < 1e-8 else
                    "rises towards log p" if c.L_k[-1] > c.L_k[0] + 3 * c.standard_error[0]
                    else "constant, below log p")
        why = (f"Measured: for every k from {int(c.ks[0])} to {int(c.ks[-1])}, L_k differs "
               f"from log p by at most {spread:.1e} nats. With q = p_θ(z|x) every weight is "
               f"p_θ(x, z) / p_θ(z|x) = p_θ(x), the same number for every z: the average has "
               f"no variance, so there is no Jensen gap to close, and L_1 = L_b = log p "
               f"(KL = 0).")
        return measured, why

    return _predict("L_k when q is the posterior", prediction, POSTERIOR_CHOICES, measure,
                    hint, verbose)


# ----------------------------------------------------------------------------- warm-ups
def _grid_reference(log_joint, log_q, dz):
    w = np.exp(log_q) * dz
    return float(w @ (log_joint - log_q))


def _grid_cases():
    grids = [LatentGrid1D.linear(np.array([1.5, -0.5]), np.array([0.2, 0.1]), 0.3,
                                 n_points=1201),
             LatentGrid1D(lambda z: np.stack([z ** 2, 0.3 * z], axis=-1), 0.1, n_points=1201)]
    cases = []
    for grid, x, mu_tilde, zeta in [(grids[0], [1.0, 0.5], 0.0, 0.0),
                                    (grids[0], [-2.0, 1.0], 1.0, -2.0),
                                    (grids[1], [1.0, 0.0], 0.9, -3.5)]:
        x = np.asarray(x, dtype=float)
        cases.append((grid.log_joint(x), grid.log_q(mu_tilde, zeta), grid.dz))
    return cases


def check_grid_lower_bound(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(log_joint (K,), log_q (K,), dz) → Σ_k q(z_k) Δz · (log p(x, z_k) − log q(z_k))."""
    hint = ["L_b is an expectation under q of the log of the joint over q. On a grid an "
            "expectation is a weighted sum: what is the weight of one grid point?",
            "The weight of grid point k is q(z_k) Δz = exp(log_q) · dz, and the integrand is "
            "log_joint − log_q; sum their product and return one float.",
            "return float(np.sum(np.exp(log_q) * dz * (log_joint - log_q)))"]
    slips = {"no entropy term (log q left out of the integrand)":
             lambda lj, lq, dz: float(np.sum(np.exp(lq) * dz * lj)),
             "the weights without Δz": lambda lj, lq, dz: float(np.sum(np.exp(lq) * (lj - lq))),
             "the sign of the log-ratio (log q − log p)":
             lambda lj, lq, dz: float(np.sum(np.exp(lq) * dz * (lq - lj)))}
    return check_function("L_b on the grid", fn, _grid_reference, _grid_cases(), hint,
                          rtol=1e-8, verbose=verbose, slips=slips)


def _flatten_q(result):
    """(mu_tilde (m,), Sigma_tilde (m, m)) → one vector; None/... stay (\"not yet solved\")."""
    if result is None or result is Ellipsis:
        return result
    mu_tilde, Sigma_tilde = result
    return np.concatenate([np.ravel(mu_tilde), np.ravel(Sigma_tilde)])


def _posterior_reference(W, mu, sigma2, x):
    mean, cov = PPCA(W, mu, sigma2).posterior(np.asarray(x)[None, :])
    return _flatten_q((mean[0], cov))


def _posterior_without_sigma2(W, mu, sigma2, x):
    B = W.T @ W + sigma2 * np.eye(W.shape[1])
    return _flatten_q((np.linalg.solve(B, W.T @ (x - mu)), np.linalg.inv(B)))


def check_optimal_q(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(W (M, m), mu (M,), sigma2, x (M,)) → (mu_tilde (m,), Sigma_tilde (m, m)), KL = 0."""
    hint = ["The gap is a KL divergence, and a KL divergence is zero only when its two "
            "distributions are equal. Which distribution must q then be, and where in this "
            "notebook is its formula?",
            "q must be the posterior p_θ(z|x) = N(B⁻¹Wᵀ(x − μ), σ²B⁻¹) with B = WᵀW + σ²I_m "
            "(m × m, not M × M). Return the pair (mean of shape (m,), covariance (m, m)).",
            "B = W.T @ W + sigma2 * np.eye(m); return np.linalg.solve(B, W.T @ (x - mu)), "
            "sigma2 * np.linalg.inv(B)"]
    cases = [(W, mu, s2, X[0]) for X, W, mu, s2 in _ppca_cases(33)]
    slips = {"the covariance B⁻¹ without its factor σ²": _posterior_without_sigma2}
    return check_function("q that closes the gap", lambda *a: _flatten_q(fn(*a)),
                          _posterior_reference, cases, hint, rtol=1e-7, verbose=verbose,
                          slips=slips)
