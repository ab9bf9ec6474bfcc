"""Input validation shared by every module, and the file digest behind MD5 and SHA-256 checks.

Each check raises one ``ValueError`` (or ``TypeError`` for a wrong type) whose message names
the argument, says what is wrong and how to fix it, so that bad input never becomes a wrong
number silently. ``file_hexdigest`` serves the MNIST loader (MD5) and checkpoints (SHA-256).
"""

from __future__ import annotations

import hashlib

import numpy as np


def file_hexdigest(path, algorithm: str) -> str:
    """Hex digest of the file at ``path`` with ``algorithm`` ("md5", "sha256"), in 1 MiB chunks."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def as_float_array(value, name: str, ndim: int | tuple[int, ...] | None = None) -> np.ndarray:
    """Return ``value`` as a float64 array, checking it is numeric, finite and has ``ndim``.

    ``ndim`` may be one int or a tuple of allowed ints.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}; "
                        f"pass a numpy array or a list of floats.")
    if np.iscomplexobj(value):  # float() would drop the imaginary part silently
        raise TypeError(f"{name} holds complex numbers; pass real numbers (take .real if the "
                        f"imaginary part is rounding noise).")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of numbers ({exc}); "
                        f"pass a numpy array or a list of floats.") from None
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(str(a) for a in allowed)
            raise ValueError(f"{name} must have {want} dimension(s), got shape {arr.shape}; "
                             f"reshape it (e.g. x[None, :] for a single sample).")
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); pass at least one value.")
    check_finite(arr, name)
    return arr


def check_finite(arr: np.ndarray, name: str) -> None:
    """Raise if ``arr`` holds NaN or ±inf."""
    bad = ~np.isfinite(arr)
    if bad.any():
        kind = "NaN" if np.isnan(arr).any() else "infinite"
        raise ValueError(f"{name} contains {int(bad.sum())} {kind} value(s); "
                         f"remove or replace them before calling.")


def check_positive(arr: np.ndarray, name: str) -> None:
    """Raise unless every entry of ``arr`` is > 0 (variances, standard deviations)."""
    if np.any(arr <= 0):
        raise ValueError(f"{name} must be strictly positive (variances), but its smallest "
                         f"entry is {float(np.min(arr)):.3g}; pass variances σ² > 0 "
                         f"(or use zeta = log σ² and exponentiate).")


def check_last_dim(arr: np.ndarray, name: str, size: int, other: str) -> None:
    """Raise unless ``arr.shape[-1] == size`` (the dimension of ``other``)."""
    if arr.shape[-1] != size:
        raise ValueError(f"{name} has last dimension {arr.shape[-1]} but {other} has {size}; "
                         f"both must describe vectors of the same dimension.")


def cholesky_spd(Sigma: np.ndarray, name: str) -> np.ndarray:
    """Lower Cholesky factor of the symmetric positive-definite matrix (or stack) ``Sigma``.

    Sigma: (..., m, m). Raises a ``ValueError`` for a non-square, non-symmetric or
    non-positive-definite matrix.
    """
    if Sigma.ndim < 2 or Sigma.shape[-1] != Sigma.shape[-2]:
        raise ValueError(f"{name} must be a square (m, m) covariance matrix, got shape "
                         f"{Sigma.shape}; for a diagonal covariance use np.diag(variances).")
    scale = max(1.0, float(np.max(np.abs(Sigma))))
    if not np.allclose(Sigma, np.swapaxes(Sigma, -1, -2), rtol=1e-8, atol=1e-10 * scale):
        raise ValueError(f"{name} is not symmetric; a covariance must equal its transpose "
                         f"(use (S + S.T) / 2 if the asymmetry is rounding error).")
    try:
        return np.linalg.cholesky(Sigma)
    except np.linalg.LinAlgError:
        eig = np.linalg.eigvalsh(Sigma).min()
        raise ValueError(f"{name} is not positive definite (smallest eigenvalue {eig:.3g}); "
                         f"a covariance needs all eigenvalues > 0, e.g. A @ A.T + eps * I."
                         ) from None


def check_choice(value, name: str, choices) -> str:
    """``value`` if it is one of the strings ``choices``, else a ValueError listing them."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}.")
    return value


def check_int(value, name: str, minimum: int) -> int:
    """Return ``value`` as int, requiring an integer ≥ ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}.")
    return int(value)


def check_seed(seed, name: str = "seed") -> int:
    """``seed`` as an int ≥ 0 (numpy and torch seeds), or one clear TypeError/ValueError."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{name} must be an integer ≥ 0 such as 0 or 42, got {seed!r}; the "
                        f"same {name} gives the same random numbers.")
    if seed < 0:
        raise ValueError(f"{name} must be ≥ 0, got {seed}; use e.g. {name}=0.")
    return int(seed)


def as_covariance(value, name: str, batched: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(Sigma, L)``: ``value`` as a float covariance and its lower Cholesky factor.

    Sigma: (m, m), or (N, m, m) when ``batched``. A 1-D input gets a message pointing to
    ``np.diag`` and the ``*_diag`` functions (a vector of variances is not a matrix).
    """
    arr = as_float_array(value, name)
    allowed = (2, 3) if batched else (2,)
    if arr.ndim not in allowed:
        shape = "(m, m) or (N, m, m)" if batched else "(m, m)"
        raise ValueError(f"{name} must be a covariance matrix of shape {shape}, got shape "
                         f"{arr.shape}; for a vector of variances use np.diag(variances) or "
                         f"the *_diag function.")
    return arr, cholesky_spd(arr, name)


def batch_shape(shapes: dict[str, tuple[int, ...]]) -> tuple[int, ...]:
    """Common leading (batch) shape of several arguments, or a ``ValueError`` naming them.

    ``shapes`` maps argument name → its batch shape (the shape without the trailing vector /
    matrix axes), e.g. ``{"x": (N,), "mu": (), "Sigma": ()}``.
    """
    try:
        return tuple(np.broadcast_shapes(*shapes.values()))
    except ValueError:
        listing = ", ".join(f"{k}: batch {v}" for k, v in shapes.items())
        raise ValueError(f"batch sizes do not match ({listing}); give every batched argument "
                         f"the same leading size N, or pass a single (unbatched) one.") from None
