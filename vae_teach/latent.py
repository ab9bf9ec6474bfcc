"""A trained model's latent space, as numbers and pictures (pure functions, no widgets).

Everything the latent-space explorer (``vae_teach.widgets``) shows is computed here, so it can
be tested and reused in static figures:

* ``latent_codes(model, X)``: the code of each image: μ̃_φ(x) for a VAE, z = f(x) for an AE.
* ``decode_image(model, z)``: the decoder mean μ_θ(z) (or pixel probabilities) as an image.
* ``interpolate_codes(z_a, z_b, n)``: z(t) = (1 − t)·z_a + t·z_b on a straight line.
* ``prior_samples(m, n, seed)``: z ~ p_θ(z) = N(0, I); ``prior_quantile_grid(n)``: an n × n
  grid of z whose coordinates are evenly spaced quantiles of N(0, 1).
* ``log_prior(Z)``, ``code_stats(Z)``: how far the codes sit from the prior N(0, I).
* ``latent_map(model, X, y)``, ``compare_maps(models, data)``: the 2-D codes of a data set
  coloured by label, with the prior's 1σ and 2σ circles (Figures).
* ``to_png(image)``: an image (or a tiled grid of them) as PNG bytes for an ``ipywidgets.Image``.

Models are the package's torch ``VAE``/``AE`` (anything with ``m``, ``M``, ``encode_numpy``
and ``decode_numpy``). Shapes: X (N, M), Z (N, m), images (..., side, side) with M = side².
"""
from __future__ import annotations

import io
import math

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from ._checks import as_float_array, check_int
from .style import new_figure, style

__all__ = ["latent_dim", "image_side", "check_2d_latent", "latent_codes", "decode_images",
           "decode_image", "check_in_box", "latent_box", "interpolate_codes", "prior_samples",
           "prior_quantile_grid", "log_prior", "code_stats", "axis_sweep", "tile", "to_png",
           "draw_latent_map", "latent_map", "compare_maps", "image_grid"]

#: Colours for the ten digit classes (one per label), shared by every latent map.
LABEL_CMAP = "tab10"
#: Ink dark on white paper, as the digits are usually shown.
IMAGE_CMAP = "gray_r"


def latent_dim(model) -> int:
    """The latent dimension m of ``model`` (its ``m`` attribute)."""
    m = getattr(model, "m", None)
    if not isinstance(m, (int, np.integer)) or not hasattr(model, "decode_numpy"):
        raise TypeError(f"model must be a vae_teach VAE or AE (with .m and .decode_numpy), "
                        f"got {type(model).__name__}; load one with vae_teach.pretrained.load.")
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
                         f"vae_teach.pretrained.load('vae2d').")


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


def check_in_box(z, limit: float, name: str = "z") -> np.ndarray:
    """Return z (m,) as floats if every coordinate lies in [−limit, limit], else ValueError."""
    z = as_float_array(z, name, ndim=1)
    outside = np.flatnonzero(np.abs(z) > limit)
    if outside.size:
        j = int(outside[0])
        raise ValueError(f"{name}[{j}] = {z[j]:.3g} is outside the explorer's range "
                         f"[{-limit:.3g}, {limit:.3g}]; choose values inside it (the prior "
                         f"N(0, I) puts 99.99% of its mass within ±4 per coordinate).")
    return z


def latent_box(Z, minimum: float = 4.0) -> float:
    """Half-width of a square box centred at 0 that holds the codes Z (N, m) with a margin.

    At least ``minimum`` (±4 covers the prior N(0, I)); wider for an AE, whose codes are not
    pulled towards N(0, I). Rounded up to a whole number so the slider steps stay readable.
    """
    Z = as_float_array(Z, "Z", ndim=2)
    return float(max(minimum, math.ceil(1.1 * float(np.max(np.abs(Z))))))


def interpolate_codes(z_a, z_b, n: int) -> np.ndarray:
    """n codes on the straight line z(t) = (1 − t)·z_a + t·z_b, t = 0, 1/(n−1), …, 1: (n, m)."""
    n = check_int(n, "n", 2)
    z_a = as_float_array(z_a, "z_a", ndim=1)
    z_b = as_float_array(z_b, "z_b", ndim=1)
    if z_a.shape != z_b.shape:
        raise ValueError(f"z_a {z_a.shape} and z_b {z_b.shape} must have the same length m.")
    t = np.linspace(0.0, 1.0, n)[:, None]
    return (1.0 - t) * z_a + t * z_b


def prior_samples(m: int, n: int, seed: int = 0) -> np.ndarray:
    """n draws z ~ p_θ(z) = N(0, I_m) from ``np.random.default_rng(seed)``: (n, m)."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((check_int(n, "n", 1), check_int(m, "m", 1)))


def prior_quantile_grid(n: int) -> np.ndarray:
    """n² codes (z₁, z₂) on a grid whose coordinates are the quantiles Φ⁻¹((k + ½)/n),
    k = 0 … n−1, of N(0, 1): each grid cell holds the same prior mass 1/n². Rows run over z₁
    fastest, top row = largest z₂ (as an image is read): (n², 2)."""
    from scipy.stats import norm

    q = norm.ppf((np.arange(check_int(n, "n", 1)) + 0.5) / n)
    z1, z2 = np.meshgrid(q, q[::-1])
    return np.column_stack([z1.ravel(), z2.ravel()])


def log_prior(Z) -> np.ndarray:
    """log p_θ(z) = log N(z; 0, I) = −m/2·log 2π − ½‖z‖² for each row of Z (N, m): (N,)."""
    Z = as_float_array(Z, "Z", ndim=2)
    return -0.5 * Z.shape[1] * math.log(2 * math.pi) - 0.5 * np.sum(Z ** 2, axis=1)


def code_stats(Z) -> dict[str, float]:
    """How prior-like the codes Z (N, m) are, as plain floats:

    ``mean_norm`` ‖mean of Z‖, ``std_min``/``std_max`` the smallest/largest per-coordinate
    standard deviation (N(0, I): 1), ``in_95`` the fraction with ‖z‖² ≤ χ²_m(0.95) (the
    prior's 95 % ball; N(0, I): 0.95), ``log_prior`` the mean of log N(z; 0, I).
    """
    from scipy.stats import chi2

    Z = as_float_array(Z, "Z", ndim=2)
    std = Z.std(axis=0)
    radius2 = chi2.ppf(0.95, Z.shape[1])
    return {"mean_norm": float(np.linalg.norm(Z.mean(axis=0))), "std_min": float(std.min()),
            "std_max": float(std.max()),
            "in_95": float(np.mean(np.sum(Z ** 2, axis=1) <= radius2)),
            "log_prior": float(log_prior(Z).mean())}


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


def tile(images, ncols: int | None = None, pad: int = 1, fill: float = 0.0) -> np.ndarray:
    """Lay images (n, h, w) out on a grid with ``ncols`` columns and ``pad`` pixels between.

    Returns one 2-D array; empty cells and gaps hold ``fill``.
    """
    images = as_float_array(images, "images", ndim=3)
    n, h, w = images.shape
    ncols = n if ncols is None else check_int(ncols, "ncols", 1)
    nrows = -(-n // ncols)
    out = np.full((nrows * (h + pad) - pad, ncols * (w + pad) - pad), float(fill))
    for k, img in enumerate(images):
        r, c = divmod(k, ncols)
        out[r * (h + pad):r * (h + pad) + h, c * (w + pad):c * (w + pad) + w] = img
    return out


def to_png(image, vmax: float = 1.0, zoom: int = 24, cmap: str = IMAGE_CMAP) -> bytes:
    """PNG bytes of a 2-D array, values in [0, vmax] coloured by ``cmap``, each pixel a
    ``zoom`` × ``zoom`` block (nearest neighbour, so the 8×8 pixels stay visible)."""
    from PIL import Image

    image = as_float_array(image, "image", ndim=2)
    if not vmax > 0:
        raise ValueError(f"vmax must be > 0 (the brightest pixel value), got {vmax}.")
    zoom = check_int(zoom, "zoom", 1)
    rgb = colormaps[cmap](np.clip(image / vmax, 0.0, 1.0), bytes=True)[..., :3]
    rgb = np.repeat(np.repeat(rgb, zoom, axis=0), zoom, axis=1)
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb), "RGB").save(buf, "png", compress_level=1)
    return buf.getvalue()


def draw_latent_map(ax, Z, y, limit: float | None = None, title: str = "",
                    legend: bool = True) -> None:
    """Scatter the codes Z (N, 2) on ``ax`` coloured by their labels y (N,), with the prior
    N(0, I)'s 1σ and 2σ circles (dashed) and a legend of the labels."""
    Z = as_float_array(Z, "Z", ndim=2)
    y = np.asarray(y)
    if Z.shape[1] != 2 or y.shape != (Z.shape[0],):
        raise ValueError(f"Z must be (N, 2) and y (N,), got Z {Z.shape}, y {y.shape}.")
    cmap = colormaps[LABEL_CMAP]
    for label in np.unique(y):
        pts = Z[y == label]
        ax.scatter(pts[:, 0], pts[:, 1], s=9, color=cmap(int(label) % 10), label=str(label),
                   linewidths=0)
    t = np.linspace(0, 2 * np.pi, 97)
    for r in (1.0, 2.0):
        ax.plot(r * np.cos(t), r * np.sin(t), ls="--", lw=0.8, color="#555555", zorder=0.5)
    if limit is not None:
        ax.set_xlim(-limit, limit)
        ax.set_ylim(-limit, limit)
    ax.set_aspect("equal")
    ax.set_xlabel("$z_1$")
    ax.set_ylabel("$z_2$")
    ax.set_title(title)
    if legend:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), markerscale=1.5, fontsize=8,
                  handletextpad=0.2, borderaxespad=0.2)


def latent_map(model, X, y, title: str = "", limit: float | None = None) -> Figure:
    """Figure: the codes μ̃_φ(x) (VAE) or z (AE) of X (N, M), coloured by label y (N,).

    The model must have m = 2. ``limit`` fixes the axes to [−limit, limit]² (default: a box
    around the codes, see ``latent_box``).
    """
    check_2d_latent(model)
    Z = latent_codes(model, X)
    with style():
        fig = new_figure(4.4, 3.6)
        draw_latent_map(fig.add_subplot(), Z, y, latent_box(Z) if limit is None else limit,
                        title)
    return fig


def compare_maps(models: dict, data, ncols: int = 3) -> Figure:
    """Figure: one latent map per model of ``models`` {name: 2-D model}, each on its own
    axes range; ``data`` is (X, y) for all models or {name: (X, y)} (per pixel scale)."""
    names = list(models)
    ncols = min(check_int(ncols, "ncols", 1), len(names))
    nrows = -(-len(names) // ncols)
    with style():
        fig = new_figure(3.3 * ncols + 0.6, 3.2 * nrows)
        for k, name in enumerate(names):
            check_2d_latent(models[name], f"model {name!r}")
            X, y = data[name] if isinstance(data, dict) else data
            Z = latent_codes(models[name], X)
            ax = fig.add_subplot(nrows, ncols, k + 1)
            draw_latent_map(ax, Z, y, latent_box(Z, minimum=3.0), name,
                            legend=(k == ncols - 1))
    return fig


def image_grid(images, ncols: int | None = None, vmax: float = 1.0, title: str = "",
               width: float = 4.0) -> Figure:
    """Figure: images (n, h, w) tiled with ``ncols`` columns, grey ink on white in [0, vmax]."""
    grid = tile(images, ncols, pad=1, fill=0.0)
    with style():
        fig = new_figure(width, width * grid.shape[0] / grid.shape[1] + 0.35)
        ax = fig.add_subplot()
        ax.imshow(grid, cmap=IMAGE_CMAP, vmin=0.0, vmax=vmax)
        ax.set_axis_off()
        ax.set_title(title)
    return fig
