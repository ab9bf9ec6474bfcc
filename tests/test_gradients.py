"""Gradients through sampling on the 1-D Gaussian toy (vae_teach.maths.gradients) and its figure."""
import math

import numpy as np
import pytest
from matplotlib.figure import Figure

from vae_teach.maths import gradients as grad
from vae_teach.viz.gradients import fig_gradient_spread


@pytest.mark.parametrize("mu,zeta,a", [(0.0, 0.0, 2.0), (1.5, math.log(0.3), -1.0),
                                       (-0.5, math.log(4.0), 0.7)])
def test_quadratic_toy_matches_its_closed_form(mu, zeta, a):
    toy = grad.quadratic_toy(mu, zeta, a)
    s2, d = math.exp(zeta), mu - a
    assert toy.expectation() == pytest.approx(d ** 2 + s2, rel=1e-12)
    np.testing.assert_allclose(toy.exact_gradient(), [2 * d, s2], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(toy.variance("reparam"), [4 * s2, s2 * d ** 2 + 2 * s2 ** 2],
                               rtol=1e-10)
    score_mu = (d ** 4 + 18 * d ** 2 * s2 + 15 * s2 ** 2) / s2 - 4 * d ** 2
    assert toy.variance("score")[0] == pytest.approx(score_mu, rel=1e-10)


def test_exact_gradient_is_the_derivative_of_the_expectation():
    for toy_at in (lambda mu, zeta: grad.quadratic_toy(mu, zeta, 2.0),
                   lambda mu, zeta: grad.cosine_toy(mu, zeta, 3.0)):
        h = 1e-5
        g = toy_at(0.3, -0.4).exact_gradient()
        d_mu = (toy_at(0.3 + h, -0.4).expectation() - toy_at(0.3 - h, -0.4).expectation()) / (2 * h)
        d_zeta = (toy_at(0.3, -0.4 + h).expectation()
                  - toy_at(0.3, -0.4 - h).expectation()) / (2 * h)
        np.testing.assert_allclose(g, [d_mu, d_zeta], rtol=1e-6, atol=1e-9)


def test_cosine_toy_closed_form():
    toy = grad.cosine_toy(0.5, 0.0, 3.0)
    e = math.cos(1.5) * math.exp(-4.5)
    assert toy.expectation() == pytest.approx(e, rel=1e-9)
    np.testing.assert_allclose(toy.exact_gradient(), [-3 * math.sin(1.5) * math.exp(-4.5),
                                                      -4.5 * e], rtol=1e-8)
    assert np.all(toy.variance("score") < toy.variance("reparam"))


@pytest.mark.parametrize("method", grad.METHODS)
@pytest.mark.parametrize("toy", [grad.quadratic_toy(), grad.cosine_toy(0.5, 0.0, 3.0),
                                 grad.quadratic_toy(1.0, math.log(0.2), -1.0)],
                         ids=["quadratic", "cosine", "quadratic-narrow"])
def test_both_estimators_are_unbiased_and_have_the_predicted_variance(toy, method):
    g = toy.estimates(method, 400_000, rng=1)
    for check in grad.bias_checks(g, toy.exact_gradient()):
        assert abs(check.z) < 4, check
    np.testing.assert_allclose(g.var(axis=0), toy.variance(method), rtol=0.1)


def test_score_baseline_keeps_the_mean_and_lowers_the_variance():
    toy = grad.quadratic_toy()
    b = toy.expectation()
    g = toy.estimates("score", 400_000, rng=2, baseline=b)
    assert all(abs(c.z) < 4 for c in grad.bias_checks(g, toy.exact_gradient()))
    assert np.all(toy.variance("score", baseline=b) < toy.variance("score"))


def test_estimators_from_the_same_noise_match_the_toy():
    toy = grad.quadratic_toy(0.2, -0.3, 1.0)
    eps = np.random.default_rng(3).standard_normal(10)
    z = toy.mu + toy.sigma * eps
    np.testing.assert_allclose(grad.reparam_gradient(toy.df, toy.mu, toy.zeta, eps),
                               toy.estimates("reparam", 10, rng=3))
    np.testing.assert_allclose(grad.score_gradient(toy.f, toy.mu, toy.zeta, z),
                               toy.estimates("score", 10, rng=3))
    s = grad.score_terms(z, toy.mu, toy.sigma2)
    np.testing.assert_allclose(s, np.stack([(z - toy.mu) / toy.sigma2,
                                            0.5 * ((z - toy.mu) ** 2 / toy.sigma2 - 1)], -1))


def test_score_terms_have_mean_zero():
    nodes, w = np.polynomial.hermite_e.hermegauss(40)
    s = grad.score_terms(1.0 + 0.5 * nodes, 1.0, 0.25)
    np.testing.assert_allclose(w @ s / math.sqrt(2 * math.pi), [0, 0], atol=1e-12)


def test_reparam_variance_is_much_smaller_for_the_quadratic():
    toy = grad.quadratic_toy()
    ratio = toy.variance("score") / toy.variance("reparam")
    np.testing.assert_allclose(ratio, [87 / 4, 86.5 / 6])


def test_spread_vs_n_falls_like_one_over_n():
    toy = grad.quadratic_toy()
    for method in grad.METHODS:
        s = grad.spread_vs_n(toy, method, ns=(1, 16, 256), n_repeats=2000, rng=4)
        assert s.variance.shape == (3, 2) and s.mean.shape == (3, 2) and s.n_repeats == 2000
        np.testing.assert_allclose(s.variance * s.ns[:, None], np.tile(toy.variance(method),
                                                                      (3, 1)), rtol=0.5)
        np.testing.assert_allclose(s.mean[-1], toy.exact_gradient(), atol=0.1)


def test_figure_renders():
    toy = grad.quadratic_toy()
    spreads = {m: grad.spread_vs_n(toy, m, ns=(1, 4), n_repeats=50, rng=0) for m in grad.METHODS}
    fig = fig_gradient_spread(spreads, {m: toy.variance(m) for m in grad.METHODS}, title="t")
    assert isinstance(fig, Figure) and len(fig.axes) == 2


@pytest.mark.parametrize("call,exc,match", [
    (lambda: grad.score_terms(np.zeros(3), 0.0, -1.0), ValueError, "sigma2"),
    (lambda: grad.score_terms("z", 0.0, 1.0), TypeError, "z"),
    (lambda: grad.reparam_gradient(3.0, 0.0, 0.0, np.zeros(3)), TypeError, "df"),
    (lambda: grad.reparam_gradient(np.cos, "0", 0.0, np.zeros(3)), TypeError, "mu"),
    (lambda: grad.reparam_gradient(np.cos, 0.0, float("nan"), np.zeros(3)), ValueError, "zeta"),
    (lambda: grad.reparam_gradient(np.cos, 0.0, 0.0, np.zeros((2, 2))), ValueError, "eps"),
    (lambda: grad.score_gradient(np.cos, 0.0, 0.0, np.zeros(3), terms=lambda *a: np.zeros(3)),
     ValueError, "terms"),
    (lambda: grad.quadratic_toy().variance("pathwise"), ValueError, "method"),
    (lambda: grad.quadratic_toy().estimates("score", 0), ValueError, "n"),
    (lambda: grad.spread_vs_n("toy", "score"), TypeError, "toy"),
    (lambda: grad.spread_vs_n(grad.quadratic_toy(), "score", ns=(1.5,)), TypeError, "ns"),
    (lambda: grad.spread_vs_n(grad.quadratic_toy(), "score", ns=()), ValueError, "ns"),
    (lambda: grad.bias_checks(np.zeros((5, 3)), np.zeros(2)), ValueError, "estimates"),
    (lambda: fig_gradient_spread({}, {}), TypeError, "spreads"),
    (lambda: fig_gradient_spread({"a": 1}, {"b": 1}), ValueError, "per_sample_variance"),
    (lambda: fig_gradient_spread({"a": 1}, {"a": np.ones(2)}), TypeError, "SpreadVsN"),
])
def test_bad_input_is_one_clear_error(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
