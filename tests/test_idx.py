"""Tests for vae_teach.data.mnist: the MNIST / Fashion-MNIST gzip IDX loader.

Real-data tests read /work/shared/data (``$VAE_TEACH_DATA`` or ``<repo>/../shared/data``) and are
skipped when it is absent; the parser is tested on small files written in ``tmp_path``.
"""
from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path

import numpy as np
import pytest

from vae_teach.data import mnist as idx


DATA = Path(os.environ.get(idx.DATA_ENV_VAR)
            or Path(__file__).resolve().parents[2] / "shared" / "data")


def _has(kind: str) -> bool:
    return all((DATA / kind / name).is_file() for pair in idx.FILES.values() for name in pair)


needs_mnist = pytest.mark.skipif(not _has("mnist"), reason=f"MNIST .gz files not found in "
                                 f"{DATA / 'mnist'} (set ${idx.DATA_ENV_VAR} to the data folder)")
needs_fashion = pytest.mark.skipif(not _has("fashion"), reason=f"Fashion-MNIST .gz files not "
                                   f"found in {DATA / 'fashion'} (set ${idx.DATA_ENV_VAR})")


# ---------------------------------------------------------------- helpers: tiny IDX files
def idx_bytes(arr: np.ndarray, magic: int | None = None) -> bytes:
    """Uncompressed IDX bytes of a uint8 array (magic defaults to 0x0800 | ndim)."""
    magic = (0x0800 | arr.ndim) if magic is None else magic
    head = magic.to_bytes(4, "big") + b"".join(int(s).to_bytes(4, "big") for s in arr.shape)
    return head + np.ascontiguousarray(arr, dtype=np.uint8).tobytes()


def write_split(folder: Path, images: np.ndarray, labels: np.ndarray, split="train",
                image_bytes: bytes | None = None, label_bytes: bytes | None = None) -> dict:
    """Write the two .gz files of ``split``; return their {filename: md5} table."""
    folder.mkdir(parents=True, exist_ok=True)
    names = idx.FILES[split]
    blobs = (image_bytes if image_bytes is not None else idx_bytes(images),
             label_bytes if label_bytes is not None else idx_bytes(labels))
    for name, blob in zip(names, blobs):
        (folder / name).write_bytes(gzip.compress(blob))
    return {name: hashlib.md5((folder / name).read_bytes()).hexdigest() for name in names}


@pytest.fixture
def tiny(tmp_path):
    """A 5-image train split with its md5 table."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    images[0, 0, 0], images[0, 0, 1] = 0, 255
    labels = np.array([3, 0, 9, 1, 1], dtype=np.uint8)
    folder = tmp_path / "mnist"
    table = write_split(folder, images, labels)
    return folder, images, labels, table


# ---------------------------------------------------------------- parser on tiny files
def test_tiny_roundtrip_values_shapes_dtypes(tiny):
    folder, images, labels, table = tiny
    X, y = idx.load_mnist(folder, "train", md5=table)
    assert X.shape == (5, 784) and X.dtype == np.float32
    assert y.shape == (5,) and y.dtype == np.int64
    np.testing.assert_array_equal(y, labels)
    np.testing.assert_allclose(X, images.reshape(5, 784) / 255.0, rtol=0, atol=1e-7)
    assert X[0, 0] == 0.0 and X[0, 1] == 1.0
    raw_images, raw_labels = idx.load_mnist_raw(folder, "train", verify=False)
    np.testing.assert_array_equal(raw_images, images)
    assert raw_images.flags.writeable and raw_labels.flags.writeable  # torch.from_numpy-safe


def test_root_may_be_parent_of_kind_folder(tiny):
    folder, _, labels, table = tiny
    _, y = idx.load_mnist(folder.parent, "train", kind="mnist", md5=table)
    np.testing.assert_array_equal(y, labels)


def test_official_md5_rejects_other_file(tiny):
    folder = tiny[0]
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz has MD5") as err:
        idx.load_mnist(folder, "train")
    assert "download=True" in str(err.value) and "ossci-datasets" in str(err.value)


def test_custom_md5_mismatch_and_missing_entry(tiny):
    folder, _, _, table = tiny
    bad = dict(table, **{"train-labels-idx1-ubyte.gz": "0" * 32})
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte.gz has MD5"):
        idx.load_mnist(folder, "train", md5=bad)
    with pytest.raises(ValueError, match="no entry for train-labels"):
        idx.load_mnist(folder, "train", md5={"train-images-idx3-ubyte.gz": table[
            "train-images-idx3-ubyte.gz"]})


def test_missing_folder_and_missing_file(tmp_path, tiny):
    with pytest.raises(FileNotFoundError, match="does not exist") as err:
        idx.load_mnist(tmp_path / "nowhere", "train")
    assert "download=True" in str(err.value) and "yann.lecun.com" in str(err.value)
    folder = tiny[0]
    with pytest.raises(FileNotFoundError, match="t10k-images-idx3-ubyte.gz is missing"):
        idx.load_mnist(folder, "test")
    (folder / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match="train-labels-idx1-ubyte.gz is missing"):
        idx.load_mnist(folder, "train", verify=False)


def test_fashion_hint_names_its_page(tmp_path):
    with pytest.raises(FileNotFoundError, match="zalandoresearch/fashion-mnist"):
        idx.load_mnist(tmp_path, "train", kind="fashion")


def test_truncated_gzip(tiny):
    folder = tiny[0]
    path = folder / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz is not a valid gzip"):
        idx.load_mnist(folder, "train", verify=False)


def test_not_gzip_at_all(tiny):
    folder = tiny[0]
    (folder / "train-labels-idx1-ubyte.gz").write_bytes(b"<html>404 Not Found</html>")
    with pytest.raises(ValueError, match="not a valid gzip"):
        idx.load_mnist(folder, "train", verify=False)


def test_wrong_magic_swapped_files(tmp_path, tiny):
    _, images, labels, _ = tiny
    folder = tmp_path / "swapped"
    write_split(folder, images, labels, image_bytes=idx_bytes(labels),
                label_bytes=idx_bytes(images))
    with pytest.raises(ValueError, match="magic number 2049, expected 2051"):
        idx.load_mnist(folder, "train", verify=False)


def test_truncated_payload_inside_valid_gzip(tmp_path, tiny):
    _, images, labels, _ = tiny
    folder = tmp_path / "short"
    write_split(folder, images, labels, image_bytes=idx_bytes(images)[:-100])
    with pytest.raises(ValueError, match="truncated or corrupt"):
        idx.load_mnist(folder, "train", verify=False)


def test_count_mismatch_and_wrong_image_size(tmp_path, tiny):
    _, images, labels, _ = tiny
    write_split(tmp_path / "a", images, labels[:4])
    with pytest.raises(ValueError, match="5 images but"):
        idx.load_mnist(tmp_path / "a", "train", verify=False)
    write_split(tmp_path / "b", images[:, :14, :14], labels)
    with pytest.raises(ValueError, match=r"\(14, 14\), expected \(28, 28\)"):
        idx.load_mnist(tmp_path / "b", "train", verify=False)


def test_parse_idx_header_checks():
    with pytest.raises(ValueError, match="too short"):
        idx.parse_idx(b"\x00\x00", idx.LABELS_MAGIC)
    with pytest.raises(ValueError, match="truncated inside its header"):
        idx.parse_idx((2051).to_bytes(4, "big") + b"\x00\x00", idx.IMAGES_MAGIC)
    arr = idx.parse_idx(idx_bytes(np.arange(6, dtype=np.uint8)), idx.LABELS_MAGIC)
    np.testing.assert_array_equal(arr, np.arange(6))


def test_bad_arguments(tiny):
    folder = tiny[0]
    with pytest.raises(ValueError, match="split must be one of"):
        idx.load_mnist(folder, "valid")
    with pytest.raises(ValueError, match="kind must be one of"):
        idx.load_mnist(folder, "train", kind="kmnist")
    with pytest.raises(TypeError, match="root must be a folder path"):
        idx.load_mnist(42, "train")


def test_nothing_downloads_by_default(tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("load_mnist tried the network without download=True")
    monkeypatch.setattr(idx.urllib.request, "urlopen", no_network)
    with pytest.raises(FileNotFoundError):
        idx.load_mnist(tmp_path, "test")


def test_download_from_a_local_mirror(tmp_path, tiny, monkeypatch):
    """download=True path, served from a file:// mirror (no network): MD5 checked, atomic."""
    mirror_dir, _, labels, table = tiny
    for name, digest in table.items():
        monkeypatch.setitem(idx.OFFICIAL_MD5["mnist"], name, digest)
    monkeypatch.setitem(idx.MIRRORS, "mnist",
                        ("file:///nonexistent-mirror/", mirror_dir.as_uri() + "/"))
    target = tmp_path / "downloaded"
    _, y = idx.load_mnist(target, "train", download=True)
    np.testing.assert_array_equal(y, labels)
    assert sorted(p.name for p in target.iterdir()) == sorted(table)  # no .part left
    # a mirror serving a file with the wrong MD5 is refused and nothing is written
    monkeypatch.setitem(idx.OFFICIAL_MD5["mnist"], "t10k-images-idx3-ubyte.gz", "0" * 32)
    monkeypatch.setitem(idx.MIRRORS, "mnist", (mirror_dir.as_uri() + "/",))
    write_split(mirror_dir, np.zeros((2, 28, 28), np.uint8), np.zeros(2, np.uint8), "test")
    with pytest.raises(FileNotFoundError, match="could not download t10k-images"):
        idx.download_mnist(target, split="test")
    assert not any(p.name.startswith("t10k") for p in target.iterdir())


def test_default_data_root_env_and_relative(monkeypatch, tmp_path):
    monkeypatch.setenv(idx.DATA_ENV_VAR, str(tmp_path))
    assert idx.default_data_root() == tmp_path
    monkeypatch.delenv(idx.DATA_ENV_VAR)
    monkeypatch.chdir(tmp_path)  # independent of the working directory
    repo = Path(idx.__file__).resolve().parents[2]
    assert idx.default_data_root() == repo.parent / "shared" / "data"


# ---------------------------------------------------------------- the real files
@needs_mnist
def test_official_md5_table_matches_shared_md5sums():
    for kind in idx.KINDS:
        sums = DATA / kind / "MD5SUMS"
        if sums.is_file():
            listed = dict(line.split()[::-1] for line in sums.read_text().splitlines() if line)
            assert listed == idx.OFFICIAL_MD5[kind]


@needs_mnist
def test_real_mnist_train_and_test():
    X, y = idx.load_mnist(DATA, "train", "mnist")
    assert X.shape == (60000, 784) and X.dtype == np.float32 and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.bincount(y, minlength=10).tolist() == [5923, 6742, 5958, 6131, 5842,
                                                     5421, 5918, 6265, 5851, 5949]
    assert y[:5].tolist() == [5, 0, 4, 1, 9]  # the well-known first training labels
    Xt, yt = idx.load_mnist(DATA / "mnist", "test", "mnist")
    assert Xt.shape == (10000, 784)
    assert np.bincount(yt, minlength=10).tolist() == [980, 1135, 1032, 1010, 982,
                                                      892, 958, 1028, 974, 1009]
    assert yt[0] == 7




@needs_mnist
def test_real_mnist_default_root_when_env_points_there(monkeypatch):
    monkeypatch.setenv(idx.DATA_ENV_VAR, str(DATA))
    _, y = idx.load_mnist(None, "test")
    assert len(y) == 10000


@needs_fashion
def test_real_fashion_test_split_and_train_labels():
    X, y = idx.load_mnist(DATA, "test", "fashion")
    assert X.shape == (10000, 784) and np.bincount(y).tolist() == [1000] * 10
    images, labels = idx.load_mnist_raw(DATA, "train", "fashion")
    assert images.shape == (60000, 28, 28) and np.bincount(labels).tolist() == [6000] * 10


@needs_mnist
def test_real_mnist_is_not_fashion():
    """The mnist folder checked against the fashion table fails on MD5, naming the file."""
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz has MD5"):
        idx.load_mnist(DATA / "mnist", "test", "fashion")
