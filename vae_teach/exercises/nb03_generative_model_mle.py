"""Checkers for notebook 03 (generative model, MLE).

* ``check_naive_mc_trend(prediction, sweep)`` — predict-then-run: how the error of prior-sampling
  Monte Carlo changes from M = 5 to M = 64 observed dimensions (measured from ``sweep``);
* ``check_best_draw_dimension(reading, sweep)`` — interpret the figure: the smallest M at which
  the best of the n prior draws carries more than half of the total weight;
* ``check_log_marginal(fn)`` — find the slip in a given log p_θ(x) of pPCA (σ for σ²) and fix it;
* ``check_mle_sigma2(fn)`` — find the two slips in a given closed-form MLE of σ² and fix them.

``_predict`` and ``_reading`` are shared with notebook 04's checkers.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable, Sequence

import numpy as np
from scipy.stats import multivariate_normal

from vae_teach.exercises._core import (NOT_SOLVED, WRONG, CheckResult, _report, _stages,
                                       _unsolved, check_function, check_prediction)
from vae_teach.maths.importance import DimensionSweep, naive_mc_by_dimension
from vae_teach.maths.ppca import PPCA


__all__ = ['check_naive_mc_trend', 'check_best_draw_dimension', 'check_log_marginal',
           'check_mle_sigma2']


# ----------------------------------------------------------------------------- shared helpers
def _predict(title: str, prediction: Callable[[], Any], choices: Sequence[str],
             measure: Callable[[], tuple[str, str]], hint: Sequence[str],
             verbose: bool) -> CheckResult:
    """check_prediction, but the measurement runs only once a prediction is recorded, and a
    prediction function that raises is a 'wrong' verdict instead of an exception.
    ``measure()`` → (the measured choice, the explanation)."""
    stages = _stages(hint)
    try:
        choice = prediction() if callable(prediction) else prediction
    except NotImplementedError:
        return check_prediction(title, prediction, choices, choices[0], "", hint,
                                verbose=verbose)
    except Exception as exc:  # the learner's cell may fail in any way: report, never crash
        return _report(CheckResult(title, WRONG, f"Your prediction function raised "
                                   f"{type(exc).__name__}: {exc}. Return one of "
                                   f"{list(choices)}.", stages), verbose)
    if _unsolved(choice):
        return _report(CheckResult(title, NOT_SOLVED, f"Record your prediction: one of "
                                   f"{list(choices)}.", stages[:1]), verbose)
    measured, why = measure()
    return check_prediction(title, lambda: choice, choices, measured, why, hint,
                            verbose=verbose)


def _reading(title: str, reading: Callable[[], Any], expected: Callable[[], float],
             hint: Sequence[str], slips: dict[str, Callable[[], float]],
             verbose: bool) -> CheckResult:
    """A number read off a figure: ``reading()`` → the number. ``expected()`` and each slip's
    value are computed only when needed (the measurement may take a moment); a slip whose
    function raises does not apply to this measurement."""
    cache: dict = {}

    def want():
        if "value" not in cache:
            cache["value"] = expected()
        return cache["value"]

    return check_function(title, reading, want, [()], hint, rtol=0.0, atol=1e-9,
                          verbose=verbose, slips=slips)


# ----------------------------------------------------------------------------- naive MC vs M
#: The sweep of section 1.3: M = 256 coordinates, a 3-dimensional code, σ² = 0.3.
DIMS = (2, 5, 16, 64, 256)


def dimension_model(seed: int = 1) -> PPCA:
    """The pPCA of notebook 03's dimension sweep: W (256, 3), μ (256,) ~ N(0, 1), σ² = 0.3."""
    rng = np.random.default_rng(seed)
    return PPCA(W=rng.normal(size=(256, 3)), mu=rng.normal(size=256), sigma2=0.3)


@lru_cache(maxsize=1)
def _default_sweep() -> DimensionSweep:
    return naive_mc_by_dimension(dimension_model(), DIMS, n_samples=1000, n_points=30, rng=11)


def _sweep(sweep) -> DimensionSweep:
    if sweep is None:
        return _default_sweep()
    if not isinstance(sweep, DimensionSweep):
        raise TypeError(f"sweep must be the DimensionSweep you measured "
                        f"(naive_mc_by_dimension), got {type(sweep).__name__}.")
    return sweep


def _at(sweep: DimensionSweep, field: str, M: int) -> float:
    dims = list(np.asarray(sweep.dims))
    if M not in dims:
        raise ValueError(f"the sweep has no M = {M}; measure dims that include 5 and 64.")
    return float(np.asarray(getattr(sweep, field))[dims.index(M)])


TREND_CHOICES = ("smaller", "about the same", "larger")


def check_naive_mc_trend(prediction: Callable[[], str], sweep: DimensionSweep | None = None,
                         verbose: bool = True) -> CheckResult:
    """Prediction: the size of the error of prior-sampling log p̂(x) from M = 5 to M = 64 is
    'smaller', 'about the same' or 'larger' (measured from ``sweep``, mean over its points)."""
    hint = ["Think about where the posterior of the code sits compared with the prior when a "
            "data point has many coordinates that all depend on the same code, and how many "
            "prior draws then land there.",
            "Each coordinate adds information about z, so the posterior narrows as M grows; "
            "prior draws rarely land inside it, the average is carried by one or two draws, "
            "and the log of such an average falls far below log p(x)."]

    def measure():
        s = _sweep(sweep)
        e5, e64 = abs(_at(s, "error", 5)), abs(_at(s, "error", 64))
        measured = ("larger" if e64 > 2 * e5 + 0.05 else
                    "smaller" if e64 < e5 / 2 - 0.05 else "about the same")
        why = (f"Measured: the error is {_at(s, 'error', 5):+.2f} nats at M = 5 and "
               f"{_at(s, 'error', 64):+.2f} at M = 64. Every extra coordinate tells more about "
               f"z, so the posterior p(z|x) narrows and fewer prior draws explain x: at M = 64 "
               f"the best of {s.n_samples} draws carries {_at(s, 'max_weight', 64):.0%} of the "
               f"weight (ESS {_at(s, 'ess', 64):.1f}). The log of an average that rests on one "
               f"or two draws is biased low, and its own standard error does not show it.")
        return measured, why

    return _predict("naive Monte Carlo from M = 5 to M = 64", prediction, TREND_CHOICES,
                    measure, hint, verbose)


def check_best_draw_dimension(reading: Callable[[], int], sweep: DimensionSweep | None = None,
                              verbose: bool = True) -> CheckResult:
    """Read off the figure: the smallest M of the sweep at which the best prior draw carries
    more than half of the total weight."""
    hint = ["Use the right-hand panel: follow the curve of the best draw's share from the "
            "left and stop at the first measured point above the dotted line at one half.",
            "The share is max_k w_k / Σ_k w_k; above one half a single draw is most of the "
            "estimate. Answer one of the M values of the sweep."]

    def over_half():
        s = _sweep(sweep)
        idx = np.flatnonzero(np.asarray(s.max_weight) > 0.5)
        if not idx.size:
            raise ValueError("no M of this sweep has a best draw above one half")
        return s, int(idx[0])

    def expected():
        s, i = over_half()
        return float(s.dims[i])

    def too_early():
        s, i = over_half()
        if i == 0:
            raise ValueError("no earlier point")
        return float(s.dims[i - 1])

    def largest():
        s, i = over_half()
        if i == len(s.dims) - 1:
            raise ValueError("the first point above one half is the last one")
        return float(s.dims[-1])

    return _reading("the M where one draw carries half the weight", reading, expected, hint,
                    {"one point too early: there the best draw still carries less than half":
                     too_early,
                     "the largest M of the sweep, not the first one above one half": largest},
                    verbose)


# ----------------------------------------------------------------------------- find the slip
def _ppca_cases(seed: int, shapes=((3, 1, 4), (5, 2, 10), (8, 3, 25))):
    rng = np.random.default_rng(seed)
    cases = []
    for M, m, N in shapes:
        model = PPCA(rng.normal(size=(M, m)), rng.normal(size=M), float(rng.uniform(0.1, 2)))
        cases.append((model.sample(N, rng=rng), model.W, model.mu, model.sigma2))
    return cases


def _log_marginal_with(noise: Callable[[float], float]) -> Callable:
    def fn(X, W, mu, sigma2):
        C = W @ W.T + noise(sigma2) * np.eye(len(mu))
        return np.atleast_1d(multivariate_normal(mu, C).logpdf(X))
    return fn


def check_log_marginal(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(X (N, M), W (M, m), mu (M,), sigma2) → (N,) log N(x_i; μ, W Wᵀ + σ² I)."""
    hint = ["Write down the generative model and the covariance of x it implies; then compare "
            "it, term by term, with the matrix the given function builds. Which parameter is a "
            "variance, and which a standard deviation?",
            "x = W z + μ + ε with ε ~ N(0, σ² I): the noise adds its variance σ² I to W Wᵀ, "
            "not its standard deviation σ I.",
            "C = W @ W.T + sigma2 * np.eye(M); return multivariate_normal(mu, C).logpdf(X) "
            "(one value per row, shape (N,))."]
    slips = {"σ instead of σ² on the diagonal (the given function's slip)":
             _log_marginal_with(np.sqrt),
             "σ⁴ (σ² squared) on the diagonal": _log_marginal_with(lambda s2: s2 * s2)}
    return check_function("log p_θ(x_i) of pPCA", fn,
                          lambda X, W, mu, s2: PPCA(W, mu, s2).log_likelihood_per_sample(X),
                          _ppca_cases(31), hint, rtol=1e-8, verbose=verbose, slips=slips)


def _sigma2_with(ddof: int, largest: bool) -> Callable:
    def fn(X, m):
        eig = np.linalg.eigvalsh(np.cov(X.T, ddof=ddof))            # ascending
        return eig[m:].mean() if largest else eig[: X.shape[1] - m].mean()
    return fn


def check_mle_sigma2(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(X (N, M), m) → σ²_ML = mean of the M − m smallest eigenvalues of S (1/N)."""
    hint = ["The given function has two slips. Ask of each line: which normalisation does a "
            "maximum-likelihood covariance use, and in which order does the eigenvalue routine "
            "give its values?",
            "The MLE of a covariance divides by N (np.cov divides by N − 1 unless told "
            "otherwise), and σ² averages the M − m SMALLEST eigenvalues — the directions the "
            "code does not explain; eigvalsh sorts them in ascending order.",
            "S = np.cov(X.T, bias=True) (or D.T @ D / N with D = X − x̄); return "
            "np.linalg.eigvalsh(S)[: M − m].mean()."]
    slips = {"the given function unchanged (both slips: 1/(N − 1) and the largest "
             "eigenvalues)": _sigma2_with(1, True),
             "the largest M − m eigenvalues (eigvalsh sorts ascending)": _sigma2_with(0, True),
             "the 1/(N − 1) covariance (np.cov's default), not the MLE's 1/N":
             _sigma2_with(1, False)}
    cases = [(X, W.shape[1]) for X, W, _, _ in _ppca_cases(32)]
    return check_function("closed-form MLE of σ²", fn, lambda X, m: PPCA.fit(X, m).sigma2,
                          cases, hint, rtol=1e-8, verbose=verbose, slips=slips)
