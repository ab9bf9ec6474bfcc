"""MNIST and Fashion-MNIST from the original gzip IDX files, checked by MD5.

The four files of one data set live in one folder (the user names it; nothing is downloaded
unless ``download=True`` is passed)::

    train-images-idx3-ubyte.gz  train-labels-idx1-ubyte.gz
    t10k-images-idx3-ubyte.gz   t10k-labels-idx1-ubyte.gz

IDX layout (big-endian): a 4-byte magic ``0x0000 0x08 ndim`` (2051 for images, ndim 3; 2049 for
labels, ndim 1), then ``ndim`` uint32 sizes, then the uint8 payload.

``load_mnist`` returns ``X: (N, M)`` float32 pixels / 255 in [0, 1] with M = 784 and
``y: (N,)`` int64 labels 0–9; N = 60000 (train) or 10000 (test). numpy only.
"""

from __future__ import annotations

import gzip
import hashlib
import functools
import os
import tempfile
import urllib.request
import zlib
from pathlib import Path

import numpy as np

from vae_teach._checks import check_choice, file_hexdigest


__all__ = ['load_mnist_split', 'MNIST_SPLITS', 'SHIPPED_DIR', 'load_mnist']


#: The official MNIST test split (10 000 images), shipped with the package: licence and
#: attribution in ``shipped/mnist/LICENSE.md`` (CC BY-SA 3.0, Y. LeCun and C. Cortes).
SHIPPED_DIR = Path(__file__).resolve().parent / "shipped" / "mnist"

#: The teaching split of the shipped images, by index (images 0–7999 train, 8000–8999
#: validation, 9000–9999 test). The official test set's first half was written by Census
#: employees, its second by students, so every part holds some of the students' digits.
MNIST_SPLITS = {"train": (0, 8000), "val": (8000, 9000), "test": (9000, 10000),
                "all": (0, 10000)}

#: Pixel scales of ``load_mnist_split``: pixels / 255 in [0, 1], or 1 where that is > 0.5.
MNIST_SCALES = ("unit", "binary")


KINDS = ("mnist", "fashion")


SPLITS = ("train", "test")


IMAGES_MAGIC = 2051


LABELS_MAGIC = 2049


FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}


# Official MD5 of each .gz; equal to torchvision's MNIST.resources / FashionMNIST.resources.
OFFICIAL_MD5 = {
    "mnist": {
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    },
    "fashion": {
        "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    },
}


OFFICIAL_PAGE = {
    "mnist": "http://yann.lecun.com/exdb/mnist/",
    "fashion": "https://github.com/zalandoresearch/fashion-mnist",
}


# Download mirrors, as in torchvision's MNIST.mirrors / FashionMNIST.mirrors.
MIRRORS = {
    "mnist": ("https://ossci-datasets.s3.amazonaws.com/mnist/",
              "http://yann.lecun.com/exdb/mnist/"),
    "fashion": ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
}


DATA_ENV_VAR = "VAE_TEACH_DATA"


def default_data_root() -> Path:
    """Folder that holds ``mnist/`` and ``fashion/``.

    ``$VAE_TEACH_DATA`` when set, else ``<repo>/../shared/data`` (the shared folder next to the
    clone). The folder may not exist; ``load_mnist`` then says how to get the files.
    """
    env = os.environ.get(DATA_ENV_VAR)
    if env:
        return Path(env).expanduser()
    return Path(__file__).resolve().parents[3] / "shared" / "data"


def _how_to_get(kind: str, filename: str) -> str:
    mirror = MIRRORS[kind][0]
    return (f"Get it from the official page {OFFICIAL_PAGE[kind]} (or torchvision's mirror "
            f"{mirror}{filename}), or call load_mnist(root, kind={kind!r}, download=True).")


def dataset_dir(root=None, kind: str = "mnist") -> Path:
    """Folder with the four .gz files of ``kind``: ``root/kind`` if that exists, else ``root``.

    ``root=None`` uses ``default_data_root()``.
    """
    check_choice(kind, "kind", KINDS)
    if root is None:
        root = default_data_root()
    if not isinstance(root, (str, os.PathLike)):
        raise TypeError(f"root must be a folder path (str or pathlib.Path), got "
                        f"{type(root).__name__}.")
    root = Path(root).expanduser()
    return root / kind if (root / kind).is_dir() else root


def md5sum(path) -> str:
    """Hex MD5 of the file at ``path`` (read in 1 MiB chunks)."""
    return file_hexdigest(path, "md5")


def check_md5(path, expected: str, kind: str = "mnist") -> None:
    """Raise ``ValueError`` naming ``path`` unless its MD5 equals ``expected``."""
    got = md5sum(path)
    if got != expected:
        raise ValueError(f"{path} has MD5 {got}, but the official file has {expected}; it is "
                         f"corrupt, truncated or a different data set. Delete it and download it "
                         f"again. {_how_to_get(kind, Path(path).name)}")


def parse_idx(raw: bytes, expected_magic: int, name: str = "IDX data") -> np.ndarray:
    """uint8 array from the bytes of an uncompressed IDX file.

    Checks the magic (2051 images, 2049 labels), that the payload has exactly
    prod(sizes) bytes, and returns an array of shape ``sizes``.
    """
    if len(raw) < 4:
        raise ValueError(f"{name} is too short ({len(raw)} bytes) to be an IDX file.")
    magic = int.from_bytes(raw[:4], "big")
    if magic != expected_magic:
        raise ValueError(f"{name} has IDX magic number {magic}, expected {expected_magic} "
                         f"({'images' if expected_magic == IMAGES_MAGIC else 'labels'}); "
                         f"is it the right file (images vs labels, uncorrupted)?")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{name} is truncated inside its header ({len(raw)} bytes).")
    sizes = tuple(int.from_bytes(raw[4 + 4 * k: 8 + 4 * k], "big") for k in range(ndim))
    n_bytes = int(np.prod(sizes, dtype=np.int64))
    if len(raw) - header != n_bytes:
        raise ValueError(f"{name} declares sizes {sizes} ({n_bytes} bytes of data) but holds "
                         f"{len(raw) - header}; the file is truncated or corrupt.")
    return np.frombuffer(bytearray(memoryview(raw)[header:]), dtype=np.uint8).reshape(sizes)  # writable


def read_idx_gz(path, expected_magic: int, kind: str = "mnist") -> np.ndarray:
    """Decompress the gzip IDX file at ``path`` and parse it (see ``parse_idx``)."""
    path = Path(path)
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"{path} is not a valid gzip file ({exc}); it is truncated or "
                         f"corrupt. Delete it and download it again. "
                         f"{_how_to_get(kind, path.name)}") from None
    try:
        return parse_idx(raw, expected_magic, name=str(path))
    except ValueError as exc:  # add what to do: the file itself is bad
        raise ValueError(f"{exc} Delete it and download it again. "
                         f"{_how_to_get(kind, path.name)}") from None


def _check_images_labels(images: np.ndarray, labels: np.ndarray, paths) -> None:
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(f"{paths[0]} holds images of shape {images.shape[1:]}, expected "
                         f"(28, 28); it is not an MNIST-format image file.")
    if labels.ndim != 1 or len(labels) != len(images):
        raise ValueError(f"{paths[0]} has {len(images)} images but {paths[1]} has "
                         f"{labels.shape} labels; the two files must come from the same split.")
    if labels.size and labels.max() > 9:
        raise ValueError(f"{paths[1]} holds label {int(labels.max())}; MNIST labels are 0–9.")


def load_mnist_raw(root=None, split: str = "train", kind: str = "mnist",
                   download: bool = False, verify: bool = True, md5: dict | None = None):
    """``(images uint8 (N, 28, 28), labels uint8 (N,))`` exactly as stored in the IDX files.

    Same arguments as ``load_mnist``.
    """
    check_choice(split, "split", SPLITS)
    folder = dataset_dir(root, kind)
    if download:
        download_mnist(folder, kind=kind, split=split)
    table = OFFICIAL_MD5[kind] if md5 is None else md5
    paths = [folder / name for name in FILES[split]]
    if not folder.is_dir():
        raise FileNotFoundError(f"data folder {folder} does not exist; pass root= the folder "
                                f"with {FILES[split][0]} (or set ${DATA_ENV_VAR}). "
                                f"{_how_to_get(kind, FILES[split][0])}")
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing. {_how_to_get(kind, path.name)}")
        if verify:
            if path.name not in table:
                raise ValueError(f"md5 has no entry for {path.name}; pass a table "
                                 f"{{filename: hexdigest}} with all four files, or verify=False.")
            check_md5(path, table[path.name], kind)
    images = read_idx_gz(paths[0], IMAGES_MAGIC, kind)
    labels = read_idx_gz(paths[1], LABELS_MAGIC, kind)
    _check_images_labels(images, labels, paths)
    return images, labels


def load_mnist(root=None, split: str = "train", kind: str = "mnist", download: bool = False,
               verify: bool = True, md5: dict | None = None):
    """MNIST / Fashion-MNIST as ``(X, y)``: ``X: (N, 784)`` float32 = pixels / 255, ``y: (N,)`` int64.

    root: folder with the four ``.gz`` files, or its parent holding ``mnist/`` and
        ``fashion/``; ``None`` = ``default_data_root()``.
    split: ``"train"`` (N = 60000) or ``"test"`` (N = 10000).
    kind: ``"mnist"`` or ``"fashion"``.
    download: fetch missing files from the standard mirrors first (off by default).
    verify: check each ``.gz`` against the official MD5 (``md5`` overrides the table:
        ``{filename: hexdigest}``).
    Raises ``FileNotFoundError`` (missing folder/file) or ``ValueError`` (MD5 mismatch,
    bad gzip, wrong magic, wrong sizes) naming the file and how to get it.
    """
    images, labels = load_mnist_raw(root, split, kind, download, verify, md5)
    X = images.reshape(len(images), -1).astype(np.float32) / np.float32(255.0)
    return X, labels.astype(np.int64)


def _download_one(url: str, target: Path, expected_md5: str) -> None:
    """Download ``url`` to ``target`` atomically (temp file + rename) after checking its MD5."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as resp:
            h = hashlib.md5()
            for chunk in iter(lambda: resp.read(1 << 20), b""):
                out.write(chunk)
                h.update(chunk)
        if h.hexdigest() != expected_md5:
            raise ValueError(f"{url} has MD5 {h.hexdigest()}, expected {expected_md5}.")
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def download_mnist(folder, kind: str = "mnist", split: str | None = None) -> Path:
    """Download the missing ``.gz`` files of ``kind`` into ``folder`` (network needed).

    Tries each mirror of ``MIRRORS[kind]``; each file is checked against ``OFFICIAL_MD5`` and
    written atomically. Files already present are left alone (``load_mnist`` verifies them).
    ``split=None`` fetches both splits. Returns ``folder``.
    """
    check_choice(kind, "kind", KINDS)
    splits = SPLITS if split is None else (check_choice(split, "split", SPLITS),)
    folder = Path(folder).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    for name in (n for s in splits for n in FILES[s]):
        target = folder / name
        if target.is_file():
            continue
        errors = []
        for mirror in MIRRORS[kind]:
            try:
                _download_one(mirror + name, target, OFFICIAL_MD5[kind][name])
                break
            except (OSError, ValueError) as exc:
                errors.append(f"{mirror}{name}: {exc}")
        else:
            raise FileNotFoundError(f"could not download {name} into {folder}: "
                                    + "; ".join(errors) + f". Get it by hand from "
                                    f"{OFFICIAL_PAGE[kind]}.")
    return folder


@functools.lru_cache(maxsize=1)
def _shipped() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_mnist(SHIPPED_DIR, split="test")      # MD5-checked against the official files
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


def load_mnist_split(split: str = "train", scale: str = "unit") -> tuple[np.ndarray, np.ndarray]:
    """Real 28 × 28 digits, offline: the shipped MNIST test split, split by index.

    split: ``"train"`` (N = 8000), ``"val"`` (1000), ``"test"`` (1000) or ``"all"`` (10 000),
    see ``MNIST_SPLITS``. scale: ``"unit"`` (pixels / 255 ∈ [0, 1]) or ``"binary"``
    (x > 0.5 → 1, else 0: the Bernoulli decoder's likelihood is a proper probability only on
    {0, 1}^M). Returns ``(X float32 (N, 784), y int64 (N,))``, fresh copies.
    Raises ``ValueError`` if the shipped files do not match their official MD5.
    """
    check_choice(split, "split", MNIST_SPLITS)
    check_choice(scale, "scale", MNIST_SCALES)
    X, y = _shipped()
    lo, hi = MNIST_SPLITS[split]
    X = X[lo:hi]
    X = (X > 0.5).astype(np.float32) if scale == "binary" else X.copy()
    return X, y[lo:hi].copy()
