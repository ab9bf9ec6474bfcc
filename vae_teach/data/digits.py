"""sklearn's 8×8 digits (offline): the fixed train / val / test split and the pixel scales.

Digits split (fixed, by index into ``sklearn.datasets.load_digits``):

* ``"train"``: images 0–999 (N = 1000)
* ``"val"``:   images 1000–1349 (N = 350)
* ``"test"``:  images 1350–1796 (N = 447)
* ``"all"``:   all 1797 images

Pixel scales (``scale=``); the raw digits are counts 0..16 of "on" pixels in a 4×4 block:

* ``"unit"``   – x / 16 ∈ [0, 1] (default; for display and the AE).
* ``"binary"`` – 1 if x / 16 > 0.5 else 0. The Bernoulli decoder's likelihood
  p(x|z) = Π_k p_k^{x_k} (1 − p_k)^{1 − x_k} is a proper probability only for x ∈ {0, 1}^M,
  so every Bernoulli model in ``nets.pretrained`` is trained and evaluated on binarised digits,
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

from vae_teach._checks import check_choice


__all__ = ['DIGITS_SPLITS', 'SCALES', 'load_digits_split', 'apply_scale']


DIGITS_SPLITS = {"train": (0, 1000), "val": (1000, 1350), "test": (1350, 1797), "all": (0, 1797)}


SCALES = ("unit", "binary", "raw")


def apply_scale(X_raw: np.ndarray, scale: str = "unit") -> np.ndarray:
    """Map raw digit counts ``X_raw`` ∈ [0, 16] to the pixel ``scale`` (see module doc).

    X_raw: (N, 64) → float32 (N, 64).
    """
    check_choice(scale, "scale", SCALES)
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
    check_choice(split, "split", DIGITS_SPLITS)
    check_choice(scale, "scale", SCALES)
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


