"""Images on screen: tiling a batch into one array, PNG bytes for widgets, a grid Figure.

``tile(images (n, h, w), ncols)``, ``to_png(image)``, ``image_grid(images, ncols)``; the two
colour maps every picture uses (``IMAGE_CMAP`` ink on paper, ``LABEL_CMAP`` digit labels).
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from vae_teach._checks import as_float_array, check_int
from vae_teach.viz.style import new_figure, style


__all__ = ['IMAGE_CMAP', 'LABEL_CMAP', 'tile', 'to_png', 'image_grid']


#: Colours for the ten digit classes (one per label), shared by every latent map.
LABEL_CMAP = "tab10"


#: Ink dark on white paper, as the digits are usually shown.
IMAGE_CMAP = "gray_r"


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
