"""vae_teach.maths.gaussian against scipy.stats and Monte Carlo (the CLOSE FORM slide's Lemma)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import multivariate_normal

from vae_teach.maths import gaussian as g
from vae_teach.maths import lemma


FAST = settings(max_examples=50, derandomize=True, deadline=None)
dims = st.integers(1, 10)
conds = st.sampled_from([1.0, 10.0, 1e3, 1e6])
seeds = st.integers(0, 2**31 - 1)


def _args(m, cond, seed):
    return lemma.random_lemma_args(m, np.random.default_rng(seed), condition_number=cond)


# ----------------------------------------------------------------------------- densities
@FAST
@given(m=dims, cond=conds, n=st.integers(1, 5), seed=seeds)
def test_log_normal_matches_scipy(m, cond, n, seed):
    rng = np.random.default_rng(seed)
    Sigma = g.random_spd(m, cond, rng)
    mu, x = rng.normal(size=m), rng.normal(size=(n, m))
    want = multivariate_normal(mu, Sigma).logpdf(x)
    np.testing.assert_allclose(g.log_normal(x, mu, Sigma), np.atleast_1d(want),
                               rtol=1e-7, atol=1e-6)


def test_log_normal_unbatched_returns_float():
    Sigma = g.random_spd(3, rng=0)
    value = g.log_normal(np.ones(3), np.zeros(3), Sigma)
    assert isinstance(value, float)
    assert value == pytest.approx(multivariate_normal(np.zeros(3), Sigma).logpdf(np.ones(3)))


def test_log_normal_batched_covariances():
    rng = np.random.default_rng(1)
    Sigmas = np.stack([g.random_spd(4, 100.0, rng) for _ in range(6)])
    x, mu = rng.normal(size=(6, 4)), rng.normal(size=4)
    want = [multivariate_normal(mu, S).logpdf(xi) for xi, S in zip(x, Sigmas)]
    np.testing.assert_allclose(g.log_normal(x, mu, Sigmas), want, rtol=1e-10)


@FAST
@given(m=dims, n=st.integers(1, 4), seed=seeds)
def test_log_normal_diag_matches_full(m, n, seed):
    rng = np.random.default_rng(seed)
    var = np.exp(rng.normal(size=(n, m)))
    x, mu = rng.normal(size=(n, m)), rng.normal(size=m)
    full = [g.log_normal(xi, mu, np.diag(v)) for xi, v in zip(x, var)]
    np.testing.assert_allclose(g.log_normal_diag(x, mu, var), full, rtol=1e-10)


# ----------------------------------------------------------------------------- the lemma
@FAST
@given(m=dims, cond=conds, seed=seeds)
def test_lemma_closed_form_agrees_with_monte_carlo(m, cond, seed):
    args = _args(m, cond, seed)
    mean, se = lemma.lemma_monte_carlo(*args, n_samples=20_000, rng=seed)
    exact = lemma.lemma_closed_form(*args)
    assert abs(mean - exact) <= 4 * se, (mean, exact, se)


@FAST
@given(m=dims, cond=conds, seed=seeds)
def test_lemma_closed_form_equals_slide_first_line(m, cond, seed):
    """log 1/√((2π)^m|Σ|) − ½((μ̃−μ)ᵀΣ⁻¹(μ̃−μ) + Tr(Σ̃Σ⁻¹)) with scipy's logpdf for the rest."""
    mu_tilde, Sigma_tilde, mu, Sigma = _args(m, cond, seed)
    trace = np.trace(Sigma_tilde @ np.linalg.inv(Sigma))
    want = multivariate_normal(mu, Sigma).logpdf(mu_tilde) - trace / 2
    got = lemma.lemma_closed_form(mu_tilde, Sigma_tilde, mu, Sigma)
    assert got == pytest.approx(want, rel=1e-6, abs=1e-6 * max(1.0, abs(trace)))


def test_lemma_closed_form_batched_matches_loop():
    rng = np.random.default_rng(2)
    N, m = 5, 3
    mu_t = rng.normal(size=(N, m))
    S_t = np.stack([g.random_spd(m, 10.0, rng) for _ in range(N)])
    mu, Sigma = rng.normal(size=m), g.random_spd(m, 10.0, rng)
    want = [lemma.lemma_closed_form(a, b, mu, Sigma) for a, b in zip(mu_t, S_t)]
    np.testing.assert_allclose(lemma.lemma_closed_form(mu_t, S_t, mu, Sigma), want, rtol=1e-12)


def test_lemma_closed_form_diag_matches_full():
    rng = np.random.default_rng(3)
    mu_t, mu = rng.normal(size=(4, 5)), rng.normal(size=5)
    var_t, var = np.exp(rng.normal(size=(4, 5))), np.exp(rng.normal(size=5))
    want = [lemma.lemma_closed_form(a, np.diag(b), mu, np.diag(var)) for a, b in zip(mu_t, var_t)]
    np.testing.assert_allclose(lemma.lemma_closed_form_diag(mu_t, var_t, mu, var), want, rtol=1e-12)


def test_monte_carlo_equals_naive_scipy_average_on_same_draws():
    """The fast chunked estimator averages exactly the log-densities of ξ = μ̃ + L̃ε."""
    mu_t, S_t, mu, Sigma = _args(6, 100.0, 4)
    n = 10_000
    eps = np.random.default_rng(7).standard_normal((n, 6))
    xi = mu_t + eps @ np.linalg.cholesky(S_t).T
    values = multivariate_normal(mu, Sigma).logpdf(xi)
    mean, se = lemma.lemma_monte_carlo(mu_t, S_t, mu, Sigma, n, rng=7, chunk_size=3000)
    assert mean == pytest.approx(values.mean(), rel=1e-10)
    assert se == pytest.approx(values.std(ddof=1) / np.sqrt(n), rel=1e-8)


def test_monte_carlo_is_deterministic_given_seed():
    args = _args(3, 10.0, 5)
    assert lemma.lemma_monte_carlo(*args, 1000, rng=11) == lemma.lemma_monte_carlo(*args, 1000, rng=11)
    assert lemma.lemma_monte_carlo(*args, 1000, rng=11) != lemma.lemma_monte_carlo(*args, 1000, rng=12)


def test_lemma_sample_std_matches_empirical_std():
    mu_t, S_t, mu, Sigma = _args(5, 30.0, 6)
    xi = np.random.default_rng(0).multivariate_normal(mu_t, S_t, size=200_000)
    empirical = multivariate_normal(mu, Sigma).logpdf(xi).std(ddof=1)
    assert lemma.lemma_sample_std(mu_t, S_t, mu, Sigma) == pytest.approx(empirical, rel=0.02)


def test_mc_error_shrinks_like_one_over_sqrt_n():
    args = _args(4, 10.0, 8)
    curve = lemma.mc_error_vs_n(*args, ns=[10, 100, 1000, 10_000], n_repeats=30, rng=0)
    ratio = curve.rms_error / curve.predicted
    assert np.all((ratio > 0.6) & (ratio < 1.5)), ratio
    # the estimated s.e. is unbiased enough from n = 100 on; at n = 10 it is biased low
    np.testing.assert_allclose(curve.mean_standard_error[1:], curve.predicted[1:], rtol=0.15)
    slope = np.polyfit(np.log(curve.n), np.log(curve.rms_error), 1)[0]
    assert -0.65 < slope < -0.35


# ----------------------------------------------------------------------------- the proof
@settings(max_examples=15, derandomize=True, deadline=None)
@given(m=dims, cond=conds, seed=seeds)
def test_every_proof_line_holds(m, cond, seed):
    lines = lemma.lemma_proof_lines(*_args(m, cond, seed), n_samples=5000, rng=seed)
    assert len(lines) == 9
    assert all(lemma.proof_lines_hold(lines)), [(l.label, l.value, l.standard_error) for l in lines]


def test_proof_lines_literal_steps_agree_on_same_draws():
    lines = lemma.lemma_proof_lines(*_args(5, 10.0, 9), n_samples=4000, rng=1)
    values = [line.value for line in lines]
    np.testing.assert_allclose(values[:5], values[0], rtol=1e-10)   # LHS, lines 1–4: algebra
    np.testing.assert_allclose(values[6:], values[-1], rtol=1e-10)  # 6a, 6b, lemma: exact
    assert values[5] != values[0]                                    # line 5: fresh draws


def test_proof_lines_hold_flags_a_wrong_line():
    lines = lemma.lemma_proof_lines(*_args(3, 10.0, 10), n_samples=4000, rng=2)
    bad = lines[:6] + [lines[6]._replace(value=lines[6].value + 0.5)] + lines[7:]
    assert lemma.proof_lines_hold(bad) == [True] * 6 + [False, True, True]


# ----------------------------------------------------------------------------- entropy, KL
@FAST
@given(m=dims, cond=conds, seed=seeds)
def test_neg_entropy_is_lemma_special_case_and_scipy(m, cond, seed):
    rng = np.random.default_rng(seed)
    Sigma, mu = g.random_spd(m, cond, rng), rng.normal(size=m)
    ne = g.neg_entropy(Sigma)
    assert ne == pytest.approx(-multivariate_normal(mu, Sigma).entropy(), rel=1e-9)
    assert ne == pytest.approx(lemma.lemma_closed_form(mu, Sigma, mu, Sigma), rel=1e-9)
    assert ne == pytest.approx(lemma.neg_entropy_slide_form(Sigma), rel=1e-9)


def test_neg_entropy_batched_and_diag():
    var = np.exp(np.random.default_rng(0).normal(size=(3, 4)))
    Sigmas = np.stack([np.diag(v) for v in var])
    np.testing.assert_allclose(g.neg_entropy(Sigmas), g.neg_entropy_diag(var), rtol=1e-12)
    np.testing.assert_allclose(g.neg_entropy_diag(var),
                               [-multivariate_normal(np.zeros(4), S).entropy() for S in Sigmas])


def test_neg_entropy_stable_where_slide_form_overflows():
    Sigma = 1e4 * np.eye(80)  # det = 1e320 overflows; log|Σ| does not
    assert g.neg_entropy(Sigma) == pytest.approx(-multivariate_normal(cov=Sigma).entropy())
    with np.errstate(over="ignore"):
        assert not np.isfinite(lemma.neg_entropy_slide_form(Sigma))


@FAST
@given(m=dims, cond=conds, seed=seeds)
def test_kl_gaussian_is_neg_entropy_minus_lemma(m, cond, seed):
    mu0, S0, mu1, S1 = _args(m, cond, seed)
    kl = g.kl_gaussian(mu0, S0, mu1, S1)
    want = g.neg_entropy(S0) - lemma.lemma_closed_form(mu0, S0, mu1, S1)
    assert kl == pytest.approx(want, rel=1e-8, abs=1e-8 * max(1.0, abs(g.neg_entropy(S0))))
    assert kl >= -1e-9
    assert g.kl_gaussian(mu0, S0, mu0, S0) == pytest.approx(0.0, abs=1e-8)


def test_kl_gaussian_monte_carlo():
    mu0, S0, mu1, S1 = _args(3, 10.0, 12)
    xi = np.random.default_rng(0).multivariate_normal(mu0, S0, size=200_000)
    d = multivariate_normal(mu0, S0).logpdf(xi) - multivariate_normal(mu1, S1).logpdf(xi)
    se = d.std(ddof=1) / np.sqrt(d.size)
    assert abs(g.kl_gaussian(mu0, S0, mu1, S1) - d.mean()) < 4 * se


def test_kl_diag_std_normal_matches_kl_gaussian_batched():
    rng = np.random.default_rng(13)
    mu_t, zeta = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    want = [g.kl_gaussian(a, np.diag(np.exp(z)), np.zeros(3), np.eye(3))
            for a, z in zip(mu_t, zeta)]
    got = g.kl_diag_std_normal(mu_t, zeta)
    assert got.shape == (5,)
    np.testing.assert_allclose(got, want, rtol=1e-10)
    assert g.kl_diag_std_normal(np.zeros(3), np.zeros(3)) == 0.0


def test_kl_gaussian_batched_posteriors():
    """q covariances (N, m, m) against one shared (m, m) covariance, as em.py uses it."""
    rng = np.random.default_rng(14)
    S0 = np.stack([g.random_spd(2, 5.0, rng) for _ in range(4)])
    mu0, mu1, S1 = rng.normal(size=(4, 2)), rng.normal(size=(4, 2)), g.random_spd(2, rng=rng)
    want = [g.kl_gaussian(a, s, b, S1) for a, s, b in zip(mu0, S0, mu1)]
    np.testing.assert_allclose(g.kl_gaussian(mu0, S0, mu1, S1), want, rtol=1e-12)


# ----------------------------------------------------------------------------- test inputs
@pytest.mark.parametrize("m,kappa", [(1, 1.0), (2, 10.0), (7, 1e3), (10, 1e6)])
def test_random_spd_has_requested_condition_number(m, kappa):
    S = g.random_spd(m, kappa, rng=0)
    eig = np.linalg.eigvalsh(S)
    assert np.array_equal(S, S.T) and eig.min() > 0
    assert eig.max() / eig.min() == pytest.approx(kappa, rel=1e-6)
    np.testing.assert_array_equal(S, g.random_spd(m, kappa, rng=0))


# ----------------------------------------------------------------------------- validation
_S = np.array([[2.0, 0.3], [0.3, 1.0]])
_z = np.zeros(2)
BAD = [
    ("non-symmetric Sigma", lambda: g.log_normal(_z, _z, [[1.0, 0.5], [0.0, 1.0]]),
     "Sigma is not symmetric"),
    ("indefinite Sigma", lambda: g.log_normal(_z, _z, [[1.0, 2.0], [2.0, 1.0]]),
     "Sigma is not positive definite"),
    ("vector Sigma", lambda: g.log_normal(_z, _z, [1.0, 1.0]), "np.diag"),
    ("non-square Sigma", lambda: g.log_normal(_z, _z, np.ones((2, 3))), "square"),
    ("inf in Sigma", lambda: g.log_normal(_z, _z, [[np.inf, 0], [0, 1]]), "Sigma contains"),
    ("x wrong m", lambda: g.log_normal(np.zeros(3), _z, _S), "x has last dimension 3"),
    ("x 3-D", lambda: g.log_normal(np.zeros((1, 1, 2)), _z, _S), "x must have 1 or 2"),
    ("NaN in mu", lambda: g.log_normal(_z, [np.nan, 0.0], _S), "mu contains 1 NaN"),
    ("batch mismatch", lambda: g.log_normal(np.zeros((3, 2)), np.zeros((4, 2)), _S),
     "batch sizes do not match"),
    ("negative var", lambda: g.log_normal_diag(_z, _z, [1.0, -1.0]), "var must be strictly"),
    ("zero var", lambda: g.log_normal_diag(_z, _z, [1.0, 0.0]), "var must be strictly"),
    ("NaN var", lambda: g.log_normal_diag(_z, _z, [1.0, np.nan]), "var contains 1 NaN"),
    ("zero var_tilde", lambda: lemma.lemma_closed_form_diag(_z, [0.0, 1.0], _z, [1.0, 1.0]),
     "var_tilde must be strictly"),
    ("Sigma_tilde wrong size", lambda: lemma.lemma_closed_form(_z, np.eye(3), _z, _S),
     "Sigma_tilde is 3×3 but Sigma is 2×2"),
    ("Sigma_tilde indefinite", lambda: lemma.lemma_closed_form(_z, -np.eye(2), _z, _S),
     "Sigma_tilde is not positive definite"),
    ("n_samples 1", lambda: lemma.lemma_monte_carlo(_z, _S, _z, _S, 1), "n_samples must be at least 2"),
    ("MC batched mu_tilde", lambda: lemma.lemma_monte_carlo(np.zeros((2, 2)), _S, _z, _S, 10),
     "mu_tilde must have 1 dimension"),
    ("MC batched Sigma", lambda: lemma.lemma_monte_carlo(_z, _S, _z, np.stack([_S, _S]), 10),
     r"Sigma must be a covariance matrix of shape \(m, m\)"),
    ("kl zeta NaN", lambda: g.kl_diag_std_normal(_z, [0.0, np.nan]), "zeta contains"),
    ("kl Sigma0 size", lambda: g.kl_gaussian(_z, np.eye(3), _z, _S), "Sigma0 is 3×3"),
    ("neg_entropy indefinite", lambda: g.neg_entropy(np.diag([1.0, -1.0])),
     "Sigma is not positive definite"),
    ("random_spd kappa < 1", lambda: g.random_spd(3, 0.5), "condition_number must be"),
    ("random_spd m = 0", lambda: g.random_spd(0), "m must be at least 1"),
]


@pytest.mark.parametrize("call,match", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input_raises_clear_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("call", [
    lambda: lemma.lemma_monte_carlo(_z, _S, _z, _S, 10.5),
    lambda: lemma.lemma_monte_carlo(_z, _S, _z, _S, 10, rng="seed"),
    lambda: g.log_normal("x", _z, _S),
])
def test_wrong_types_raise_type_error(call):
    with pytest.raises(TypeError):
        call()


def test_gaussian_module_does_not_import_torch():
    import subprocess
    import sys
    code = "import sys, vae_teach.maths.gaussian, vae_teach.maths.ppca; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
