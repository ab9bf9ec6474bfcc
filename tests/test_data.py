"""Digits split, pixel scales, toy sets and their input checks."""
import numpy as np
import pytest

from vae_teach.data import digits as data
from vae_teach.data import toys


@pytest.mark.parametrize("split, n", [("train", 1000), ("val", 350), ("test", 447),
                                      ("all", 1797)])
def test_split_sizes_and_types(split, n):
    X, y = data.load_digits_split(split)
    assert X.shape == (n, 64) and X.dtype == np.float32
    assert y.shape == (n,) and y.dtype == np.int64 and set(np.unique(y)) <= set(range(10))


def test_splits_partition_all_by_index():
    parts = [data.load_digits_split(s, "raw") for s in ("train", "val", "test")]
    X_all, y_all = data.load_digits_split("all", "raw")
    np.testing.assert_array_equal(np.concatenate([p[0] for p in parts]), X_all)
    np.testing.assert_array_equal(np.concatenate([p[1] for p in parts]), y_all)
    from sklearn.datasets import load_digits
    np.testing.assert_array_equal(X_all[1350], load_digits().data[1350])


def test_scales():
    raw, _ = data.load_digits_split("test", "raw")
    unit, _ = data.load_digits_split("test", "unit")
    binary, _ = data.load_digits_split("test", "binary")
    assert raw.max() == 16 and raw.min() == 0
    np.testing.assert_allclose(unit * 16, raw)
    assert 0 <= unit.min() and unit.max() == 1
    assert set(np.unique(binary)) == {0.0, 1.0}
    np.testing.assert_array_equal(binary, (raw > 8).astype(np.float32))


@pytest.mark.parametrize("kwargs, word", [({"split": "training"}, "split"),
                                          ({"split": ""}, "split"),
                                          ({"scale": "255"}, "scale"),
                                          ({"split": None}, "split")])
def test_bad_arguments_name_the_argument(kwargs, word):
    with pytest.raises(ValueError, match=word):
        data.load_digits_split(**kwargs)




@pytest.mark.parametrize("name", toys.TOY_SETS)
def test_toy_sets_are_seeded(name):
    X, y = toys.make_toy(name, n=200, seed=3)
    X2, _ = toys.make_toy(name, n=200, seed=3)
    X3, _ = toys.make_toy(name, n=200, seed=4)
    assert X.shape == (200, 2) and X.dtype == np.float32 and y.shape == (200,)
    np.testing.assert_array_equal(X, X2)
    assert not np.array_equal(X, X3)
    assert set(np.unique(y)) == {0, 1}


def test_rings_radii():
    X, y = toys.make_toy("rings", n=400, noise=0.0, seed=0)
    r = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(r[y == 0], 1.0, atol=1e-5)
    np.testing.assert_allclose(r[y == 1], 0.5, atol=1e-5)


@pytest.mark.parametrize("kwargs, exc", [({"name": "spiral"}, ValueError),
                                         ({"n": 1}, ValueError), ({"n": 2.5}, TypeError),
                                         ({"noise": -0.1}, ValueError),
                                         ({"noise": float("nan")}, ValueError),
                                         ({"noise": "big"}, TypeError), ({"seed": -1}, ValueError)])
def test_toy_bad_arguments(kwargs, exc):
    with pytest.raises(exc):
        toys.make_toy(**kwargs)


def test_moons_shape_is_two_half_circles():
    X, y = toys.make_toy("moons", n=500, noise=0.0, seed=1)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.linalg.norm(upper, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(lower - [1.0, 0.5], axis=1), 1.0, atol=1e-5)
    assert (upper[:, 1] >= -1e-6).all() and (lower[:, 1] <= 0.5 + 1e-6).all()
    assert len(upper) == len(lower) == 250
