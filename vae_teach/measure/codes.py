"""A trained model's latent space as numbers: codes, decoded images, code statistics.

* ``latent_codes(model, X)``: the code of each image: μ̃_φ(x) for a VAE, z = f(x) for an AE.
* ``decode_image(model, z)`` / ``decode_images(model, Z)``: decoder means μ_θ(z) (or pixel
  probabilities) as images; ``axis_sweep`` decodes a line along one latent axis.
* ``encoder_codes(model, X)``: μ̃, σ̃ and ``code_stats`` of q_φ(z|x) for a 2-D model.
* ``code_stats(model, X)``: moments of the aggregate q(z) and the median σ̃ (``CodeStats``);
  ``CodeTracker`` records them after every training epoch.

Models are the package's torch ``VAE``/``AE`` (anything with ``m``, ``M``, ``encode_numpy``
and ``decode_numpy``). Shapes: X (N, M), Z (N, m), images (..., side, side) with M = side².
The pictures of these numbers are in ``viz.latent``; the widget in ``widgets.explorer``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from vae_teach._checks import as_float_array, check_int
from vae_teach.maths.regulariser import aggregate_moments, regulariser


__all__ = ["CodeStats", "code_stats", "CodeTracker", "latent_dim", "image_side", "check_2d_latent",
           "latent_codes", "decode_images", "decode_image", "axis_sweep", "encoder_codes"]


@dataclass(frozen=True)
class CodeStats:
    """Summary of a VAE's codes on X: per-dimension arrays (m,) and per-image means (nats)."""

    code_mean: np.ndarray         # mean of the aggregate q(z)
    code_std: np.ndarray          # its standard deviation (law of total variance)
    sigma_tilde_median: np.ndarray  # median over inputs of σ̃_j(x)
    regulariser: float            # mean over inputs of Σ_j r(μ̃_j, ζ_j) (= 2·KL to the prior)

    def __str__(self) -> str:
        f = lambda a: "(" + ", ".join(f"{v:.3g}" for v in a) + ")"  # noqa: E731
        return (f"code mean {f(self.code_mean)}, code std {f(self.code_std)}, median σ̃ "
                f"{f(self.sigma_tilde_median)}, regulariser {self.regulariser:.4g} per image")


def code_stats(model, X) -> CodeStats:
    """CodeStats of the VAE ``model``'s encoder on X (N, M)."""
    mu_tilde, zeta = (np.asarray(a, dtype=np.float64) for a in model.encode_numpy(X))
    return _code_stats(mu_tilde, zeta)


def _code_stats(mu_tilde: np.ndarray, zeta: np.ndarray) -> CodeStats:
    mean, var = aggregate_moments(mu_tilde, zeta)
    return CodeStats(mean, np.sqrt(var), np.median(np.exp(0.5 * zeta), axis=0),
                     float(regulariser(mu_tilde, zeta).sum(1).mean()))


@dataclass
class CodeTracker:
    """``train(..., callback=tracker)``: records ``code_stats(model, X)`` after every epoch."""

    model: object
    X: np.ndarray
    stats: list = field(default_factory=list)

    def __call__(self, epoch: int, history: dict) -> None:
        self.stats.append(code_stats(self.model, self.X))

    def series(self, name: str) -> np.ndarray:
        """One CodeStats field over the epochs: (epochs, m) or (epochs,)."""
        return np.array([getattr(s, name) for s in self.stats])


def latent_dim(model) -> int:
    """The latent dimension m of ``model`` (its ``m`` attribute)."""
    m = getattr(model, "m", None)
    if not isinstance(m, (int, np.integer)) or not hasattr(model, "decode_numpy"):
        raise TypeError(f"model must be a vae_teach VAE or AE (with .m and .decode_numpy), "
                        f"got {type(model).__name__}; load one with vae_teach.nets.pretrained.load.")
    return int(m)


def image_side(model) -> int:
    """Side length of the square images the model decodes: M = side² (8 for the digits)."""
    M = int(getattr(model, "M", 0))
    side = math.isqrt(M)
    if M <= 0 or side * side != M:
        raise ValueError(f"model.M = {M} is not a square number of pixels; the explorer shows "
                         f"square images such as the 8×8 digits (M = 64).")
    return side


def check_2d_latent(model, name: str = "model") -> None:
    """Raise a ValueError unless ``model`` has a 2-D latent space (m = 2), which a map needs."""
    m = latent_dim(model)
    if m != 2:
        raise ValueError(f"{name} has a {m}-D latent space (m = {m}); the latent map and the "
                         f"two sliders need m = 2. Pick a 2-D model, e.g. "
                         f"vae_teach.nets.pretrained.load('vae2d').")


def latent_codes(model, X) -> np.ndarray:
    """Code of each row of X (N, M): μ̃_φ(x) for a VAE (the mean of q_φ(z|x)), z for an AE.

    Returns float64 (N, m).
    """
    X = as_float_array(X, "X", ndim=2)
    out = model.encode_numpy(X)
    mu_tilde = out[0] if isinstance(out, tuple) else out
    return np.asarray(mu_tilde, dtype=np.float64)


def _as_codes(Z, m: int, name: str) -> np.ndarray:
    Z = as_float_array(Z, name, ndim=(1, 2))
    if Z.shape[-1] != m:
        raise ValueError(f"{name} has {Z.shape[-1]} coordinate(s) but the model's latent "
                         f"space has m = {m}; pass codes of length {m}.")
    return Z


def decode_images(model, Z) -> np.ndarray:
    """Decoder means μ_θ(z) for the codes Z (N, m), reshaped to images (N, side, side)."""
    side = image_side(model)
    Z = _as_codes(Z, latent_dim(model), "Z")
    X_hat = model.decode_numpy(np.atleast_2d(Z).astype(np.float32))
    return np.asarray(X_hat, dtype=np.float64).reshape(-1, side, side)


def decode_image(model, z) -> np.ndarray:
    """The decoder mean μ_θ(z) for one code z (m,) as an image (side, side), e.g. (8, 8)."""
    z = _as_codes(z, latent_dim(model), "z")
    if z.ndim != 1:
        raise ValueError(f"z must be one code of shape ({z.shape[-1]},), got {z.shape}; "
                         f"use decode_images for several.")
    return decode_images(model, z[None, :])[0]


def axis_sweep(model, j: int, limit: float = 2.0, n: int = 9) -> np.ndarray:
    """Decoded images along latent axis j: z_j = −limit … limit, other coordinates 0.

    Returns (n, side, side). A dimension whose sweep leaves the image unchanged carries no
    information (the KL term switched it off: posterior collapse).
    """
    m = latent_dim(model)
    j = check_int(j, "j", 0)
    if j >= m:
        raise ValueError(f"j = {j} but the latent space has m = {m} axes (0 … {m - 1}).")
    Z = np.zeros((check_int(n, "n", 2), m))
    Z[:, j] = np.linspace(-limit, limit, n)
    return decode_images(model, Z)


def encoder_codes(model, X) -> dict:
    """The encoder's q_φ(z|x_i) = N(μ̃, diag σ̃²) for X (N, M): ``{"mu_tilde": (N, 2),
    "sigma_tilde": (N, 2), "stats": code_stats(model, X)}`` (a model with m = 2)."""
    check_2d_latent(model)
    mu_tilde, zeta = (np.asarray(a, dtype=np.float64) for a in model.encode_numpy(X))
    return {"mu_tilde": mu_tilde, "sigma_tilde": np.exp(0.5 * zeta),
            "stats": _code_stats(mu_tilde, zeta)}
