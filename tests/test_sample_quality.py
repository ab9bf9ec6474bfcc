"""vae_teach.measure.quality: the two yardsticks for decoded samples (notebooks 01, 02)."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.neighbors import NearestNeighbors

from vae_teach.data.digits import load_digits_split
from vae_teach.measure import quality as sq


class Linear:
    """A stand-in decoder: decode_numpy(Z) = Z @ A (so samples can be checked exactly)."""

    def __init__(self, m, M, seed=0):
        self.m, self.A = m, np.random.default_rng(seed).normal(size=(m, M))

    def decode_numpy(self, Z):
        return np.asarray(Z, float) @ self.A


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits_split("train", "unit")
    X_test, y_test = load_digits_split("test", "unit")
    return X, y, X_test, sq.fit_digit_classifier(X, y)


def test_nearest_distance_matches_sklearn_and_is_zero_on_training_images(digits):
    X, _, X_test, _ = digits
    d = sq.nearest_train_distance(X_test[:50], X)
    want = NearestNeighbors(n_neighbors=1).fit(X).kneighbors(X_test[:50])[0][:, 0]
    np.testing.assert_allclose(d, want / np.sqrt(X.shape[1]), rtol=1e-5, atol=1e-6)
    assert np.all(sq.nearest_train_distance(X[:20], X) < 1e-3)


def test_classifier_is_confident_on_digits_not_on_noise(digits):
    X, _, X_test, clf = digits
    real = sq.quality(X_test, clf, X)
    noise = sq.quality(np.random.default_rng(0).uniform(size=(200, 64)), clf, X)
    assert real.confidence > 0.85 and noise.distance > 2 * real.distance
    assert noise.confidence < real.confidence - 0.2
    blend = sq.quality(0.5 * (X_test[:200] + X_test[200:400]), clf, X)
    assert noise.confidence < blend.confidence < real.confidence - 0.1
    assert real.n == len(X_test) and "confidence" in str(real)


def test_prior_and_gaussian_fit_samples():
    model = Linear(2, 5)
    S = sq.decode_prior_samples(model, n=4000, seed=1)
    np.testing.assert_array_equal(S, sq.decode_prior_samples(model, n=4000, seed=1))
    Z = np.linalg.lstsq(model.A.T, S.T, rcond=None)[0].T       # the codes used
    np.testing.assert_allclose(Z.mean(0), 0.0, atol=0.06)
    np.testing.assert_allclose(np.cov(Z.T), np.eye(2), atol=0.08)
    codes = np.random.default_rng(2).normal(size=(500, 2)) * [3.0, 0.5] + [5.0, -1.0]
    G = sq.gaussian_fit_samples(model, codes, n=4000, seed=3)
    Zg = np.linalg.lstsq(model.A.T, G.T, rcond=None)[0].T
    np.testing.assert_allclose(Zg.mean(0), codes.mean(0), atol=0.15)
    np.testing.assert_allclose(Zg.std(0), codes.std(0), rtol=0.08)


@pytest.mark.parametrize("call, exc, words", [
    (lambda d: sq.nearest_train_distance(np.zeros((2, 3)), d[0]), ValueError, "pixels"),
    (lambda d: sq.fit_digit_classifier(d[0], d[1][:5]), ValueError, "y must"),
    (lambda d: sq.fit_digit_classifier(d[0], d[1], k=0), ValueError, "k"),
    (lambda d: sq.quality(np.zeros(64), d[3], d[0]), ValueError, "X_gen"),
    (lambda d: sq.decode_prior_samples(Linear(2, 3), n=0), ValueError, "n"),
])
def test_bad_input_raises_one_clear_error(digits, call, exc, words):
    with pytest.raises(exc, match=words):
        call(digits)


def test_label_entropy_matches_scipy():
    from scipy.stats import entropy

    labels = np.random.default_rng(0).integers(0, 10, size=300)
    assert sq.label_entropy(labels) == pytest.approx(entropy(np.bincount(labels, minlength=10)))
    assert sq.label_entropy(np.arange(10)) == pytest.approx(np.log(10))
    assert sq.label_entropy(np.full(5, 7)) == 0.0
    with pytest.raises(ValueError, match="integer class labels"):
        sq.label_entropy(np.array([0.5, 1.0]))


def test_report_and_reconstruct(digits):
    import torch

    from vae_teach.nets.model import AE, VAE

    X, _, X_test, clf = digits
    r = sq.report(X_test, clf, X, threshold=0.15)
    d = sq.nearest_train_distance(X_test, X)
    assert r.failures == pytest.approx(np.mean(d > 0.15)) and r.distance == pytest.approx(d.mean())
    assert 2.0 < r.entropy <= np.log(10) and r.n == len(X_test)
    for model in (AE(64, 2, seed=0), VAE(64, 2, seed=0)):
        R = sq.reconstruct(model, X_test[:5])
        with torch.no_grad():
            code = model.encode(torch.from_numpy(X_test[:5]))
            code = code[0] if isinstance(code, tuple) else code
            want = model.decode(code).numpy()
        np.testing.assert_allclose(R, want, rtol=1e-6)


def test_failure_threshold_is_a_quantile_of_reconstruction_distances():
    from vae_teach.measure import quality as q

    class Copy:                                 # reconstructs every image exactly …
        m = 2

        def encode_numpy(self, X):
            return X[:, :2], np.zeros((len(X), 2))

        def decode_numpy(self, Z):
            return np.hstack([Z, np.zeros((len(Z), 2))])

    X_ref = np.array([[0.0, 0.0, 0, 0], [1.0, 0.0, 0, 0]])
    X_test = np.array([[0.0, 0.0, 0, 0], [0.0, 2.0, 0, 0]])   # … the second lies 2 px away
    Copy.config = {"model": "AE"}
    t = q.failure_threshold([q.reconstruct(Copy(), X_test)], X_ref, quantile=1.0)
    assert t == pytest.approx(np.sqrt(4 / 4))


def test_passes_needs_few_failures_and_diverse_labels():
    from vae_teach.measure.quality import PASS, Report, passes

    good = Report(0.8, 0.2, PASS["max_failures"], PASS["min_entropy"], 500)
    assert passes(good)
    assert not passes(good._replace(failures=0.3))
    assert not passes(good._replace(entropy=PASS["min_entropy"] - 0.01))
