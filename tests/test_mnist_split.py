"""The MNIST test split shipped with the package: offline, MD5-checked, split by index."""
import shutil

import numpy as np
import pytest

from vae_teach.data import mnist


@pytest.mark.parametrize("split, n", [("train", 8000), ("val", 1000), ("test", 1000),
                                      ("all", 10000)])
def test_sizes_types_and_labels(split, n):
    X, y = mnist.load_mnist_split(split)
    assert X.shape == (n, 784) and X.dtype == np.float32
    assert y.shape == (n,) and y.dtype == np.int64
    assert X.min() >= 0.0 and X.max() <= 1.0
    assert set(np.unique(y)) == set(range(10))          # every digit in every part


def test_parts_partition_the_shipped_images_by_index():
    X_all, y_all = mnist.load_mnist_split("all")
    parts = [mnist.load_mnist_split(s) for s in ("train", "val", "test")]
    np.testing.assert_array_equal(np.concatenate([p[0] for p in parts]), X_all)
    np.testing.assert_array_equal(np.concatenate([p[1] for p in parts]), y_all)
    # the official test-set class counts (data README): the shipped files are the real ones
    assert np.bincount(y_all).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_binary_scale_thresholds_at_one_half():
    X, _ = mnist.load_mnist_split("val")
    B, _ = mnist.load_mnist_split("val", "binary")
    assert set(np.unique(B)) == {0.0, 1.0}
    np.testing.assert_array_equal(B, (X > 0.5).astype(np.float32))


def test_returned_arrays_are_fresh_copies():
    X, y = mnist.load_mnist_split("test")
    X[:] = 7.0
    y[:] = -1
    X2, y2 = mnist.load_mnist_split("test")
    assert X2.max() <= 1.0 and y2.min() >= 0


@pytest.mark.parametrize("split, scale, words", [("training", "unit", "split"),
                                                 ("train", "raw", "scale"),
                                                 (0, "unit", "split")])
def test_bad_arguments(split, scale, words):
    with pytest.raises(ValueError, match=words):
        mnist.load_mnist_split(split, scale)


def test_a_modified_shipped_file_is_refused(tmp_path, monkeypatch):
    copy = tmp_path / "mnist"
    shutil.copytree(mnist.SHIPPED_DIR, copy)
    path = copy / "t10k-labels-idx1-ubyte.gz"
    data = bytearray(path.read_bytes())
    data[-9] ^= 0xFF
    path.write_bytes(bytes(data))
    monkeypatch.setattr(mnist, "SHIPPED_DIR", copy)
    mnist._shipped.cache_clear()
    try:
        with pytest.raises(ValueError, match="MD5"):
            mnist.load_mnist_split("train")
    finally:
        mnist._shipped.cache_clear()


def test_shipped_folder_holds_the_licence():
    text = (mnist.SHIPPED_DIR / "LICENSE.md").read_text(encoding="utf-8")
    assert "CC BY-SA 3.0" in text and "LeCun" in text and "Cortes" in text
