"""Gradients through sampling: ∇_φ E_{q_φ}[f(z)] for a 1-D Gaussian q_φ = N(μ, σ²), ζ = log σ².

L_b = E_{q_φ}[log p_θ(x|z)] + … depends on φ = (μ, ζ) through the distribution the codes are
drawn from, so the gradient of a Monte-Carlo *value* is not the Monte-Carlo estimate of the
*gradient* unless the derivative goes through the sampling. Two unbiased ways:

* **reparameterisation** — z = μ + σ ε with ε ~ N(0, 1) fixed, so ∂z/∂μ = 1, ∂z/∂ζ = σ ε / 2:

      ∂/∂μ E_q f = E_ε[f'(z)],        ∂/∂ζ E_q f = E_ε[f'(z) · σ ε / 2];

* **score function** (REINFORCE) — ∇_φ E_q f = E_q[f(z) ∇_φ log q_φ(z)] with

      ∂/∂μ log N(z; μ, σ²) = (z − μ)/σ²,    ∂/∂ζ log N(z; μ, σ²) = ½((z − μ)²/σ² − 1);

  since E_q[∇_φ log q_φ] = 0, any constant baseline b may be subtracted from f unbiasedly.

Per-sample estimates have shape (n, 2), columns (∂/∂μ, ∂/∂ζ); their mean over the n draws is
the n-sample estimator. ``GaussianToy`` holds q and f with the exact expectation, gradient and
per-sample variances (Gauss–Hermite quadrature, exact for polynomial f up to degree ~400);
``quadratic_toy`` and ``cosine_toy`` are the two toys of notebook 10, and ``spread_vs_n``
measures the spread of the n-sample estimators for several n.
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple

import numpy as np

from vae_teach._checks import as_float_array, check_choice, check_int, check_positive
from vae_teach.maths.minibatch import MeanCheck, mean_check


__all__ = ["METHODS", "score_terms", "reparam_gradient", "score_gradient", "GaussianToy",
           "quadratic_toy", "cosine_toy", "SpreadVsN", "spread_vs_n", "bias_checks"]


#: the two unbiased estimators
METHODS = ("reparam", "score")


def _number(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number such as 0.0, got {value!r}.")
    if not math.isfinite(float(value)):
        raise ValueError(f"{name} must be finite, got {value!r}.")
    return float(value)


def _callable(fn, name: str) -> Callable:
    if not callable(fn):
        raise TypeError(f"{name} must be a function of z (numpy array in, array of the same "
                        f"shape out), got {type(fn).__name__}.")
    return fn


def score_terms(z, mu, sigma2) -> np.ndarray:
    """∇_(μ, ζ) log N(z; μ, σ²) with ζ = log σ²: ``[(z − μ)/σ², ½((z − μ)²/σ² − 1)]``.

    z: (...) draws; mu, sigma2: numbers or arrays broadcasting against z (σ² > 0: a variance,
    not a standard deviation). Returns (..., 2). Both columns have mean 0 under z ~ N(μ, σ²).
    """
    z = as_float_array(z, "z")
    mu = as_float_array(mu, "mu")
    sigma2 = as_float_array(sigma2, "sigma2")
    check_positive(sigma2, "sigma2")
    u = (z - mu) / sigma2
    return np.stack(np.broadcast_arrays(u, 0.5 * ((z - mu) * u - 1.0)), axis=-1)


def reparam_gradient(df: Callable, mu: float, zeta: float, eps) -> np.ndarray:
    """Per-sample reparameterised estimates of ∇_(μ, ζ) E_{N(μ, e^ζ)}[f(z)]: (n, 2).

    z = μ + e^{ζ/2} ε for the standard-normal draws ``eps`` (n,); the chain rule through z gives
    ``[f'(z), f'(z) · e^{ζ/2} ε / 2]``. ``df``: the derivative f' (array in, array out).
    """
    df = _callable(df, "df")
    mu, zeta = _number(mu, "mu"), _number(zeta, "zeta")
    eps = as_float_array(eps, "eps", ndim=1)
    sigma = math.exp(zeta / 2)
    dfz = np.asarray(df(mu + sigma * eps), dtype=float)
    return np.stack([dfz, dfz * sigma * eps / 2], axis=-1)


def score_gradient(f: Callable, mu: float, zeta: float, z, baseline: float = 0.0,
                   terms: Callable | None = None) -> np.ndarray:
    """Per-sample score-function estimates (f(z) − b) ∇_(μ, ζ) log N(z; μ, e^ζ): (n, 2).

    z: draws from q = N(μ, e^ζ), (n,); ``baseline`` b: any number that does not depend on z
    (unbiased because the score has mean 0). ``terms``: the function giving ∇ log q
    (default :func:`score_terms`; notebook 10 passes the learner's).
    """
    f = _callable(f, "f")
    mu, zeta = _number(mu, "mu"), _number(zeta, "zeta")
    baseline = _number(baseline, "baseline")
    z = as_float_array(z, "z", ndim=1)
    s = np.asarray((terms or score_terms)(z, mu, math.exp(zeta)), dtype=float)
    if s.shape != z.shape + (2,):
        raise ValueError(f"terms must return shape {z.shape + (2,)} (columns ∂/∂μ, ∂/∂ζ), "
                         f"got {s.shape}.")
    return (np.asarray(f(z), dtype=float) - baseline)[:, None] * s


class GaussianToy:
    """q = N(μ, σ²), ζ = log σ², and a target f with its derivative f'.

    ``expectation()`` = E_q f, ``exact_gradient()`` = ∇_(μ, ζ) E_q f (2,), ``variance(method)``
    = the per-sample variance (2,) of the reparameterised or score-function estimate, all by
    Gauss–Hermite quadrature with ``nodes`` points (exact for polynomials of degree < 2·nodes);
    ``estimates(method, n, rng)`` = n per-sample estimates (n, 2).
    """

    def __init__(self, f: Callable, df: Callable, mu: float = 0.0, zeta: float = 0.0,
                 name: str = "f(z)", nodes: int = 200):
        self.f, self.df = _callable(f, "f"), _callable(df, "df")
        self.mu, self.zeta = _number(mu, "mu"), _number(zeta, "zeta")
        self.name = str(name)
        x, w = np.polynomial.hermite_e.hermegauss(check_int(nodes, "nodes", 2))
        self._eps, self._w = x, w / math.sqrt(2 * math.pi)        # E g(ε) = Σ w_k g(x_k)

    @property
    def sigma2(self) -> float:
        return math.exp(self.zeta)

    @property
    def sigma(self) -> float:
        return math.exp(self.zeta / 2)

    def __repr__(self) -> str:
        return f"GaussianToy({self.name}, μ = {self.mu:g}, σ² = {self.sigma2:g})"

    def _mean(self, values: np.ndarray) -> np.ndarray:
        return np.tensordot(self._w, values, axes=(0, 0))

    def _per_sample(self, method: str, eps: np.ndarray, baseline: float = 0.0) -> np.ndarray:
        """The ``method`` estimate (n, 2) at the draws z = μ + σ ε for the noise eps (n,)."""
        check_choice(method, "method", METHODS)
        if method == "reparam":
            return reparam_gradient(self.df, self.mu, self.zeta, eps)
        return score_gradient(self.f, self.mu, self.zeta, self.mu + self.sigma * eps, baseline)

    def expectation(self) -> float:
        """E_{z ~ q} f(z)."""
        return float(self._mean(np.asarray(self.f(self.mu + self.sigma * self._eps), float)))

    def exact_gradient(self) -> np.ndarray:
        """(∂/∂μ, ∂/∂ζ) E_q f, (2,): E[f'(z)] and E[f'(z) σ ε / 2]."""
        return self._mean(self._per_sample("reparam", self._eps))

    def variance(self, method: str, baseline: float = 0.0) -> np.ndarray:
        """Per-sample variance (2,) of the ``method`` estimate ("reparam" or "score"); the
        n-sample average has variance ``variance(method) / n``."""
        g = self._per_sample(method, self._eps, _number(baseline, "baseline"))
        return self._mean(g ** 2) - self._mean(g) ** 2

    def estimates(self, method: str, n: int, rng=None, baseline: float = 0.0) -> np.ndarray:
        """n independent per-sample estimates (n, 2) of ∇_(μ, ζ) E_q f by ``method``."""
        check_choice(method, "method", METHODS)
        eps = np.random.default_rng(rng).standard_normal(check_int(n, "n", 1))
        return self._per_sample(method, eps, _number(baseline, "baseline"))


def quadratic_toy(mu: float = 0.0, zeta: float = 0.0, a: float = 2.0) -> GaussianToy:
    """f(z) = (z − a)²: the shape of a Gaussian decoder's −log p(x|z) in z. In closed form

    E_q f = (μ − a)² + σ²,  ∇_(μ, ζ) E_q f = (2(μ − a), σ²);
    per-sample variances: reparam (4σ², σ²(μ − a)² + 2σ⁴),
    score ∂/∂μ: ((μ − a)⁴ + 18(μ − a)²σ² + 15σ⁴)/σ² − 4(μ − a)².
    """
    a = _number(a, "a")
    return GaussianToy(lambda z: (z - a) ** 2, lambda z: 2 * (z - a), mu, zeta,
                       name=f"(z − {a:g})²")


def cosine_toy(mu: float = 0.0, zeta: float = 0.0, k: float = 3.0) -> GaussianToy:
    """f(z) = cos(k z), which oscillates on the scale 1/k. In closed form
    E_q f = cos(kμ) e^{−k²σ²/2}, ∂/∂μ = −k sin(kμ) e^{−k²σ²/2}, ∂/∂ζ = −½k²σ² E_q f.
    For kσ ≫ 1 the reparameterised estimate −k sin(kz) has variance ≈ k²/2, the score
    estimate at most ≈ 1/σ²: here the score function wins."""
    k = _number(k, "k")
    return GaussianToy(lambda z: np.cos(k * z), lambda z: -k * np.sin(k * z), mu, zeta,
                       name=f"cos({k:g} z)")


class SpreadVsN(NamedTuple):
    """Spread of the n-sample estimator (mean of n per-sample estimates), for each n.

    ns: (K,); mean, variance: (K, 2) over ``n_repeats`` repetitions, columns (∂/∂μ, ∂/∂ζ).
    """

    ns: np.ndarray
    mean: np.ndarray
    variance: np.ndarray
    n_repeats: int


def spread_vs_n(toy: GaussianToy, method: str, ns=(1, 4, 16, 64, 256), n_repeats: int = 1000,
                rng=None) -> SpreadVsN:
    """Draw ``n_repeats`` n-sample estimates of ∇_(μ, ζ) E_q f for each n in ``ns`` and
    return their mean and variance (should be the exact gradient and ``toy.variance(method)/n``)."""
    if not isinstance(toy, GaussianToy):
        raise TypeError(f"toy must be a GaussianToy (e.g. quadratic_toy()), got "
                        f"{type(toy).__name__}.")
    check_choice(method, "method", METHODS)
    if isinstance(ns, (str, bytes)) or not hasattr(ns, "__iter__"):
        raise TypeError(f"ns must be a sequence of sample sizes such as (1, 4, 16), got {ns!r}.")
    ns = np.asarray([check_int(n, "ns entry", 1) for n in ns])
    if ns.size == 0:
        raise ValueError("ns is empty; pass sample sizes such as (1, 4, 16).")
    R = check_int(n_repeats, "n_repeats", 2)
    rng = np.random.default_rng(rng)
    means, variances = [], []
    for n in ns:
        est = toy.estimates(method, R * int(n), rng).reshape(R, int(n), 2).mean(axis=1)
        means.append(est.mean(axis=0))
        variances.append(est.var(axis=0, ddof=1))
    return SpreadVsN(ns, np.array(means), np.array(variances), R)


def bias_checks(estimates, exact) -> tuple[MeanCheck, MeanCheck]:
    """Mean ± s.e. of K per-sample estimates (K, 2) against the exact gradient (2,), one
    :class:`~vae_teach.maths.minibatch.MeanCheck` per column (∂/∂μ, ∂/∂ζ); |z| ≲ 3: unbiased."""
    estimates = as_float_array(estimates, "estimates", ndim=2)
    exact = as_float_array(exact, "exact", ndim=1)
    if estimates.shape[1] != 2 or exact.shape != (2,):
        raise ValueError(f"estimates must be (K, 2) and exact (2,) (columns ∂/∂μ, ∂/∂ζ), got "
                         f"{estimates.shape} and {exact.shape}.")
    return mean_check(estimates[:, 0], exact[0]), mean_check(estimates[:, 1], exact[1])
