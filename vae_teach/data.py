"""Data sets for the notebooks: sklearn's 8×8 digits (offline), 2-D toy sets, MNIST hook.

Digits split (fixed, by index into ``sklearn.datasets.load_digits``):

* ``"train"``: images 0–999 (N = 1000)
* ``"val"``:   images 1000–1349 (N = 350)
* ``"test"``:  images 1350–1796 (N = 447)
* ``"all"``:   all 1797 images

Pixel scales (``scale=``); the raw digits are counts 0..16 of "on" pixels in a 4×4 block:

* ``"unit"``   – x / 16 ∈ [0, 1] (default; for display and the AE).
* ``"binary"`` – 1 if x / 16 > 0.5 else 0. The Bernoulli decoder's likelihood
  p(x|z) = Π_k p_k^{x_k} (1 − p_k)^{1 − x_k} is a proper probability only for x ∈ {0, 1}^M,
  so every Bernoulli model in ``pretrained`` is trained and evaluated on binarised digits,
  and its −L_b is an honest bound in nats.
* ``"raw"``    – x ∈ [0, 16] as stored. Used by the slide's Gaussian decoder with Σ_θ = I:
  unit noise variance is then one grey level of sixteen. On the unit scale the same Σ_θ = I
  would be a noise std as large as the whole pixel range, so the KL term dominates and the
  codes collapse to the prior (see ``pretrained.list_models()``).

All loaders return ``(X, y)`` with ``X`` float32 of shape ``(N, M)`` and ``y`` int64 ``(N,)``.
"""
from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import numpy as np

from ._checks import check_int

DIGITS_SPLITS = {"train": (0, 1000), "val": (1000, 1350), "test": (1350, 1797), "all": (0, 1797)}
SCALES = ("unit", "binary", "raw")
TOY_SETS = ("moons", "rings")

__all__ = ["DIGITS_SPLITS", "SCALES", "TOY_SETS", "load_digits_split", "apply_scale",
           "to_tensor", "load_digits_tensors", "make_toy", "load_mnist"]


def _check_choice(value, name: str, choices) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}.")
    return value


def apply_scale(X_raw: np.ndarray, scale: str = "unit") -> np.ndarray:
    """Map raw digit counts ``X_raw`` ∈ [0, 16] to the pixel ``scale`` (see module doc).

    X_raw: (N, 64) → float32 (N, 64).
    """
    _check_choice(scale, "scale", SCALES)
    X = np.asarray(X_raw, dtype=np.float32)
    if scale == "raw":
        return X.copy()
    X = X / np.float32(16.0)
    if scale == "binary":
        return (X > 0.5).astype(np.float32)
    return X


def load_digits_split(split: str = "train", scale: str = "unit") -> tuple[np.ndarray, np.ndarray]:
    """The fixed digits split as ``(X, y)``: X float32 (N, 64) on ``scale``, y int64 (N,).

    split: "train" (0–999), "val" (1000–1349), "test" (1350–1796) or "all".
    scale: "unit" (x/16 ∈ [0,1]), "binary" ({0,1}, threshold 0.5) or "raw" ([0,16]).
    """
    _check_choice(split, "split", DIGITS_SPLITS)
    _check_choice(scale, "scale", SCALES)
    data, target = _digits()
    lo, hi = DIGITS_SPLITS[split]
    return apply_scale(data[lo:hi], scale), target[lo:hi].copy()


@functools.lru_cache(maxsize=1)
def _digits() -> tuple[np.ndarray, np.ndarray]:
    """sklearn's bundled digits (no download), read once: raw counts (1797, 64), labels.

    Reads sklearn's ``digits.csv.gz`` directly (what ``load_digits`` parses) to skip the
    seconds-long ``sklearn.datasets`` import; falls back to ``load_digits`` if it moved.
    """
    spec = importlib.util.find_spec("sklearn")
    path = Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "digits.csv.gz"
    if path.is_file():
        table = np.loadtxt(path, delimiter=",", dtype=np.float32)
        data, target = table[:, :-1], table[:, -1].astype(np.int64)
    else:  # pragma: no cover - depends on sklearn's layout
        from sklearn.datasets import load_digits

        digits = load_digits()
        data, target = digits.data.astype(np.float32), digits.target.astype(np.int64)
    if data.shape != (1797, 64):
        raise RuntimeError(f"sklearn's digits have shape {data.shape}, expected (1797, 64).")
    data.flags.writeable = target.flags.writeable = False
    return data, target


def to_tensor(X, device="cpu"):
    """``X`` (numpy or tensor, (N, M)) as a float32 torch tensor on ``device``."""
    import torch

    if isinstance(X, torch.Tensor):
        return X.to(device=device, dtype=torch.float32)
    arr = np.asarray(X, dtype=np.float32)
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(f"X must be a non-empty (N, M) array, got shape {arr.shape}; "
                         f"reshape images to rows, e.g. X.reshape(len(X), -1).")
    return torch.from_numpy(arr).to(device)


def load_digits_tensors(split: str = "train", scale: str = "unit", device="cpu"):
    """``load_digits_split`` as torch tensors: X float32 (N, 64), y int64 (N,), on ``device``."""
    import torch

    X, y = load_digits_split(split, scale)
    return to_tensor(X, device), torch.from_numpy(y).to(device)


def make_toy(name: str = "moons", n: int = 1000, noise: float = 0.05,
             seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A 2-D toy set ``(X, y)``: X float32 (n, 2), y int64 (n,) in {0, 1}, shuffled.

    name: "moons" (two interleaved half circles, as sklearn's ``make_moons``) or "rings" (two
    concentric circles, radius 1 for y = 0 and 0.5 for y = 1). Angles are uniform at random;
    ``noise`` is the std of the Gaussian jitter added to each coordinate. Same ``seed`` → same
    points (numpy ``default_rng``).
    """
    _check_choice(name, "name", TOY_SETS)
    n = check_int(n, "n", 2)
    if isinstance(noise, bool) or not isinstance(noise, (int, float, np.integer, np.floating)):
        raise TypeError(f"noise must be a number (the jitter's std), got {noise!r}.")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number ≥ 0, got {noise!r}.")
    seed = check_int(seed, "seed", 0)
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    if name == "moons":
        t = rng.uniform(0.0, np.pi, n)
        X = np.where(y[:, None] == 0, np.c_[np.cos(t), np.sin(t)],
                     np.c_[1 - np.cos(t), 0.5 - np.sin(t)])
    else:
        t = rng.uniform(0.0, 2 * np.pi, n)
        X = np.c_[np.cos(t), np.sin(t)] * np.where(y == 0, 1.0, 0.5)[:, None]
    X = X + noise * rng.standard_normal((n, 2))
    order = rng.permutation(n)
    return X[order].astype(np.float32), y[order].astype(np.int64)


def load_mnist(root=None, split: str = "train", kind: str = "mnist", **kwargs):
    """MNIST / Fashion-MNIST from IDX files: ``(X float32 (N, 784) in [0, 1], y int64 (N,))``.

    Delegates to ``vae_teach.idx.load_mnist`` (MD5-checked IDX reader; keyword arguments such
    as ``download``/``verify`` pass through).
    """
    from .idx import load_mnist as _load

    return _load(root, split=split, kind=kind, **kwargs)
