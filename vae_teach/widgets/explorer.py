"""The latent-space explorer: a thin ipywidgets wrapper around ``vae_teach.measure.codes``.

``LatentExplorer(models, data)`` shows, for 2-D models (m = 2):

* the latent map: codes μ̃_φ(x) of the test images coloured by label; click it to decode there
  (needs ipympl, ``%matplotlib widget``; without it the map is a static picture);
* sliders z₁, z₂ (and a "go to z" box) → the decoded image μ_θ(z);
* interpolation: decoded images on the straight line between the codes of two chosen inputs;
* a grid of decoded prior samples z ~ N(0, I);
* a switch between models (AE, VAE, β values).

Every handler catches bad input (a typed z outside the range, text that is not two numbers) and
shows the message in the widget: the kernel never sees an exception. Without a frontend
(nbval, tests) the widgets still build and update; ``snapshot()`` draws the current state as a
static Figure.
"""

from __future__ import annotations

import functools
import html

import numpy as np

from vae_teach._checks import as_float_array, check_int
from vae_teach.maths import prior as maths_prior
from vae_teach.measure import codes as latent
from vae_teach.measure.codes import decode_image
from vae_teach.viz import images as viz_images
from vae_teach.viz import latent as viz_latent
from vae_teach.viz.latent import latent_map
from vae_teach.viz.style import new_figure, style


__all__ = ['LatentExplorer', 'decode_image', 'latent_map']


_CSS_ERROR = "color:#cf222e;font-weight:600"


_CSS_OK = "color:#555555"


def _guarded(handler):
    """Run a widget callback; show any error as the widget's message instead of raising."""
    @functools.wraps(handler)
    def run(self, *args, **kwargs):
        try:
            return handler(self, *args, **kwargs)
        except Exception as exc:  # a callback must never take the kernel's attention
            self._say(f"{type(exc).__name__}: {exc}", error=True)
            return None
    return run


class _Entry:
    """One model with its data on the model's own pixel scale, its codes and its box."""

    def __init__(self, name: str, model, X, y):
        latent.check_2d_latent(model, f"model {name!r}")
        self.name, self.model = name, model
        self.X = as_float_array(X, f"X for {name!r}", ndim=2)
        self.y = np.asarray(y)
        if self.y.shape != (self.X.shape[0],):
            raise ValueError(f"y for {name!r} must have one label per row of X: X "
                             f"{self.X.shape}, y {self.y.shape}.")
        self.Z = latent.latent_codes(model, self.X)
        self.limit = viz_latent.latent_box(self.Z)
        self.vmax = max(1.0, float(np.max(self.X)))
        self.side = latent.image_side(model)

    def zoom(self, pixels: int) -> int:
        """PNG zoom that shows one image about ``pixels`` wide (8×8 and 28×28 digits alike)."""
        return max(1, round(pixels / self.side))


class LatentExplorer:
    """Interactive latent space of one or more 2-D models; display it as the cell's last line.

    models: {name: VAE or AE with m = 2}; data: (X (N, M), y (N,)) shared by all models, or
    {name: (X, y)} when models see different pixel scales. ``n_interp`` decoded steps between
    the two chosen inputs, ``grid`` × ``grid`` prior samples from ``seed``. A model with m ≠ 2
    raises ValueError here. Read the state from ``z``, ``image``, ``message``.
    """

    def __init__(self, models: dict, data, n_interp: int = 8, grid: int = 6, seed: int = 0,
                 pair: tuple[int, int] = (0, 1)):
        import ipywidgets as W

        if not isinstance(models, dict) or not models:
            raise TypeError("models must be a non-empty dict {name: model}, e.g. "
                            "{'VAE': pretrained.load('vae2d')}, or LatentExplorer(*pretrained.load_many(names)).")
        per_model = data if isinstance(data, dict) else {name: data for name in models}
        missing = set(models) - set(per_model)
        if missing:
            raise ValueError(f"data has no (X, y) for {sorted(missing)}; pass one (X, y) for "
                             f"all models or a dict with an entry per model.")
        self.entries = {name: _Entry(name, m, *per_model[name]) for name, m in models.items()}
        self.n_interp = check_int(n_interp, "n_interp", 2)
        self.grid = check_int(grid, "grid", 1)
        self.seed = check_int(seed, "seed", 0)
        self._quiet = False
        self._background = None  # the rendered map without marker and path (for blitting)
        self.entry = next(iter(self.entries.values()))
        N = self.entry.X.shape[0]
        self.model_select = W.Dropdown(options=list(self.entries), description="model")
        self.sliders = [W.FloatSlider(value=0.0, min=-self.entry.limit, max=self.entry.limit,
                                      step=0.05, description=f"z{j}", readout_format=".2f",
                                      continuous_update=True) for j in ("₁", "₂")]
        self.z_text = W.Text(description="go to z", placeholder="e.g. 1.5, -0.3",
                             continuous_update=False)
        self.message = W.HTML()
        self.image = W.Image(format="png", layout=W.Layout(width="192px", height="192px"))
        self.index = [W.BoundedIntText(value=min(i, N - 1), min=0, max=N - 1,
                                       description=d, layout=W.Layout(width="150px"))
                      for i, d in zip(pair, ("x_a #", "x_b #"))]
        self.strip = W.Image(format="png")
        self.resample = W.Button(description="new samples", icon="refresh",
                                 layout=W.Layout(width="auto"))
        self.prior = W.Image(format="png")
        self._build_map()
        self._wire()
        self._show_model()
        self.widget = self._layout(W)
        self._tag()

    # ------------------------------------------------------------------ building
    def _build_map(self) -> None:
        import ipywidgets as W
        import matplotlib.pyplot as plt

        with plt.ioff(), style():
            self.fig = plt.figure(figsize=(4.6, 3.8), dpi=80, layout="constrained")
            self.ax = self.fig.add_subplot()
        self.interactive = isinstance(self.fig.canvas, W.DOMWidget)
        if self.interactive:
            canvas = self.fig.canvas
            canvas.header_visible = canvas.footer_visible = canvas.toolbar_visible = False
            canvas.resizable = False
            canvas.mpl_connect("button_press_event", self._on_click)
            canvas.mpl_connect("draw_event", self._on_full_draw)
            self.map_view = canvas
        else:  # no ipympl: the map is a picture, redrawn when the state changes
            self.map_view = W.Image(format="png")

    def _wire(self) -> None:
        self.model_select.observe(lambda c: self._on_model(c["new"]), "value")
        for s in self.sliders:
            s.observe(self._on_slider, "value")
        self.z_text.observe(lambda c: self.go_to(c["new"]), "value")
        for box in self.index:
            box.observe(lambda c: self._on_pair(), "value")
        self.resample.on_click(lambda b: self._on_resample())

    def _layout(self, W):
        hint = "click the map" if self.interactive else "run %matplotlib widget to click"
        self.map_view.layout.flex = "0 0 auto"  # keep the map its own size, controls beside it
        row = W.Layout(justify_content="flex-start", align_items="flex-start")
        controls = W.VBox([*self.sliders, self.z_text, W.HTML(f"<i>or {hint}</i>"),
                           W.HTML("<b>decoded μ<sub>θ</sub>(z)</b>"), self.image],
                          layout=W.Layout(margin="0 0 0 24px"))
        interp = W.VBox([W.HTML("<b>interpolation</b> z(t) = (1−t)·μ̃(x<sub>a</sub>) + "
                                "t·μ̃(x<sub>b</sub>)"), W.HBox(self.index), self.strip])
        prior = W.VBox([W.HTML("<b>prior samples</b> z ~ N(0, I)"), self.resample, self.prior],
                       layout=W.Layout(margin="0 0 0 24px"))
        return W.VBox([W.HBox([self.model_select, self.message], layout=row),
                       W.HBox([self.map_view, controls], layout=row),
                       W.HBox([interp, prior], layout=row)])

    def _tag(self) -> None:
        """CSS classes ``vae-*`` so a browser test (or a lecturer's stylesheet) finds the parts."""
        parts = {"vae-explorer": self.widget, "vae-model": self.model_select,
                 "vae-z1": self.sliders[0], "vae-z2": self.sliders[1], "vae-ztext": self.z_text,
                 "vae-message": self.message, "vae-decoded": self.image, "vae-map": self.map_view,
                 "vae-strip": self.strip, "vae-prior": self.prior}
        for css, part in parts.items():
            part.add_class(css)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    # ------------------------------------------------------------------ state
    @property
    def z(self) -> np.ndarray:
        """The current code (z₁, z₂) read from the sliders: (2,)."""
        return np.array([s.value for s in self.sliders], dtype=float)

    def _say(self, text: str, error: bool = False) -> None:
        css = _CSS_ERROR if error else _CSS_OK
        self.message.value = f'<span style="{css}">{html.escape(text)}</span>'

    def _set_sliders(self, z) -> None:
        self._quiet = True
        try:
            for s, v in zip(self.sliders, z):
                s.value = float(v)
        finally:
            self._quiet = False

    # ------------------------------------------------------------------ handlers
    @_guarded
    def go_to(self, z) -> None:
        """Move to the code z: two numbers, or text "z1, z2". Out of range → message."""
        if isinstance(z, str):
            if not z.strip():
                return
            parts = z.replace(";", ",").replace(",", " ").split()
            try:
                z = [float(p) for p in parts]
            except ValueError:
                raise ValueError(f"could not read {z!r} as two numbers; type e.g. "
                                 f"'1.5, -0.3'.") from None
        z = as_float_array(z, "z", ndim=1)
        if z.shape != (2,):
            raise ValueError(f"z needs two numbers (z1, z2), got {z.size}.")
        z = viz_latent.check_in_box(z, self.entry.limit)
        self._set_sliders(z)
        self._show_z()

    def _on_slider(self, change) -> None:
        if not self._quiet:
            self._show_z()

    def _on_click(self, event) -> None:
        if event.inaxes is self.ax and event.xdata is not None:
            self.go_to([event.xdata, event.ydata])

    @_guarded
    def _on_model(self, name: str) -> None:
        self.entry = self.entries[name]
        self._show_model()

    @_guarded
    def _on_pair(self) -> None:
        self._draw_strip()
        self._redraw_map()

    @_guarded
    def _on_resample(self) -> None:
        self.seed += 1
        self._draw_prior()

    # ------------------------------------------------------------------ drawing
    @_guarded
    def _show_z(self) -> None:
        """Slider → image: decode z, encode the PNG, move the marker on the map."""
        z = self.z
        self.image.value = viz_images.to_png(decode_image(self.entry.model, z), self.entry.vmax,
                                             zoom=self.entry.zoom(192))
        self._marker.set_data([z[0]], [z[1]])
        self._redraw_map()
        self._say(f"{self.entry.name}: z = ({z[0]:.2f}, {z[1]:.2f})")

    def _show_model(self) -> None:
        e = self.entry
        self._quiet = True
        try:
            for s in self.sliders:
                s.min, s.max = -e.limit, e.limit  # symmetric boxes: min < max throughout
        finally:
            self._quiet = False
        self.ax.clear()
        with style():
            viz_latent.draw_latent_map(self.ax, e.Z, e.y, e.limit, title=f"{e.name}: codes of "
                                   f"{len(e.y)} test images")
            # animated: left out of full draws, blitted on top (see _redraw_map)
            (self._path,) = self.ax.plot([], [], "k--", lw=1.2, marker="o", ms=4,
                                         animated=self.interactive)
            (self._marker,) = self.ax.plot([], [], "k+", ms=16, mew=2.5,
                                           animated=self.interactive)
        self._background = None
        self._draw_strip()
        self._draw_prior()
        self._show_z()

    def _strip(self) -> tuple[np.ndarray, np.ndarray]:
        """(codes on the line (n, 2), images x_a | decoded z(t) | x_b tiled in one row)."""
        e = self.entry
        a, b = (box.value for box in self.index)
        Z_line = maths_prior.interpolate_codes(e.Z[a], e.Z[b], self.n_interp)
        side = latent.image_side(e.model)
        images = np.concatenate([e.X[[a]].reshape(1, side, side),
                                 latent.decode_images(e.model, Z_line),
                                 e.X[[b]].reshape(1, side, side)])
        return Z_line, viz_images.tile(images, pad=1, fill=0.3 * e.vmax)

    def _draw_strip(self) -> None:
        Z_line, strip = self._strip()
        self.strip.value = viz_images.to_png(strip, self.entry.vmax, zoom=self.entry.zoom(64))
        self._path.set_data(Z_line[:, 0], Z_line[:, 1])

    def _prior_grid(self) -> np.ndarray:
        """grid × grid decoded prior samples z ~ N(0, I) (seed ``self.seed``), tiled."""
        e = self.entry
        images = latent.decode_images(e.model, maths_prior.prior_samples(2, self.grid ** 2,
                                                                           self.seed))
        return viz_images.tile(images, self.grid, 1, 0.3 * e.vmax)

    def _draw_prior(self) -> None:
        self.prior.value = viz_images.to_png(self._prior_grid(), self.entry.vmax,
                                             zoom=self.entry.zoom(40))

    def _on_full_draw(self, event) -> None:
        """After ipympl renders the whole map: keep it as the background, add marker and path."""
        canvas = self.fig.canvas
        if canvas.is_saving():
            return
        self._background = canvas.copy_from_bbox(self.fig.bbox)
        self.ax.draw_artist(self._path)
        self.ax.draw_artist(self._marker)

    def _redraw_map(self) -> None:
        """Show the moved marker/path: blit them onto the saved background (a few ms), or
        ask the frontend for a full draw when there is no background yet."""
        if self.interactive:
            canvas = self.fig.canvas
            if self._background is None:
                canvas.draw_idle()  # ipympl renders when the frontend asks for it
                return
            canvas.restore_region(self._background)
            self.ax.draw_artist(self._path)
            self.ax.draw_artist(self._marker)
            canvas.blit(self.fig.bbox)  # webagg: send the changed pixels to the frontend
        else:
            import io

            buf = io.BytesIO()
            self.fig.savefig(buf, format="png")
            self.map_view.value = buf.getvalue()

    # ------------------------------------------------------------------ static view
    def snapshot(self):
        """The current state as a static Figure (map with z and the path, decoded image,
        interpolation strip, prior samples): what a headless run or a handout shows."""
        e, z = self.entry, self.z
        Z_line, strip = self._strip()
        with style():
            fig = new_figure(9.0, 4.4)
            grid = fig.add_gridspec(2, 3, width_ratios=[2.2, 1.0, 1.4], height_ratios=[3, 1])
            ax = fig.add_subplot(grid[0, 0])
            viz_latent.draw_latent_map(ax, e.Z, e.y, e.limit, title=f"{e.name}: test codes")
            ax.plot(Z_line[:, 0], Z_line[:, 1], "k--", lw=1.2, marker="o", ms=4)
            ax.plot([z[0]], [z[1]], "k+", ms=16, mew=2.5)
            self._imshow(fig.add_subplot(grid[0, 1]), decode_image(e.model, z),
                         f"decoded at z = ({z[0]:.2f}, {z[1]:.2f})")
            self._imshow(fig.add_subplot(grid[0, 2]), self._prior_grid(), "prior samples")
            self._imshow(fig.add_subplot(grid[1, :]), strip,
                         "x_a | decoded z(t), t = 0 … 1 | x_b")
        return fig

    def _imshow(self, ax, image, title: str) -> None:
        ax.imshow(image, cmap=viz_images.IMAGE_CMAP, vmin=0.0, vmax=self.entry.vmax)
        ax.set_axis_off()
        ax.set_title(title, fontsize=9)

    def close(self) -> None:
        """Close the widgets and the map figure (frees the figure in pyplot's registry)."""
        import matplotlib.pyplot as plt

        self.widget.close()
        plt.close(self.fig)
