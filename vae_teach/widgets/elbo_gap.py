"""The ELBO-gap widget: move q = N(μ̃, e^ζ) and watch log p_θ(x) = L_b + KL(q ‖ p_θ(·|x)).

A thin wrapper around the pure drawing function ``viz.bounds.fig_elbo_gap``: two sliders
(μ̃ and ζ = log σ̃²), a "q = posterior" button (fits the best Gaussian q), an Output that
shows the figure, and a status line. A bad value (q outside the grid) shows its ValueError
in the status line; the kernel stays alive. Headless (nbval, Voilà without a browser):
building the widget draws the figure once, so the cell shows the starting picture and a
static copy (``ElboGapWidget.snapshot()``) is available for handouts.
"""

from __future__ import annotations

import ipywidgets as widgets
from IPython.display import display

from vae_teach.maths.quadrature import LatentGrid1D
from vae_teach.viz.bounds import fig_elbo_gap


__all__ = ['ElboGapWidget']


class ElboGapWidget:
    """Sliders for q's mean μ̃ and log-variance ζ on a :class:`LatentGrid1D` and one point x."""

    def __init__(self, grid: LatentGrid1D, x, mu_tilde: float = 0.0, zeta: float = 0.0,
                 mu_range: tuple[float, float] = (-3.0, 3.0),
                 zeta_range: tuple[float, float] = (-6.0, 0.8)):
        if not isinstance(grid, LatentGrid1D):
            raise TypeError(f"grid must be a LatentGrid1D, got {type(grid).__name__}.")
        self.grid, self.x = grid, grid._x(x)
        fig_elbo_gap(grid, self.x, mu_tilde, zeta)     # bad start values raise here, clearly
        self.mu = widgets.FloatSlider(value=mu_tilde, min=mu_range[0], max=mu_range[1],
                                      step=0.05, description="μ̃", continuous_update=False)
        self.zeta = widgets.FloatSlider(value=zeta, min=zeta_range[0], max=zeta_range[1],
                                        step=0.05, description="ζ = log σ̃²",
                                        continuous_update=False,
                                        style={"description_width": "initial"})
        self.fit = widgets.Button(description="q = best Gaussian", button_style="info")
        self.status = widgets.HTML()
        self.out = widgets.Output()
        self.mu.observe(self._on_change, names="value")
        self.zeta.observe(self._on_change, names="value")
        self.fit.on_click(self._on_fit)
        self.box = widgets.VBox([widgets.HBox([self.mu, self.zeta, self.fit]), self.status,
                                 self.out])
        self.show(mu_tilde, zeta)

    def _repr_mimebundle_(self, **kwargs):
        return self.box._repr_mimebundle_(**kwargs)

    def snapshot(self):
        """The figure for the current slider values (a static copy for handouts/headless)."""
        return fig_elbo_gap(self.grid, self.x, self.mu.value, self.zeta.value)

    def show(self, mu_tilde: float, zeta: float) -> bool:
        """Redraw for q = N(μ̃, e^ζ); on a ValueError show its message and keep the old picture.

        Returns True when the picture was redrawn.
        """
        try:
            fig = fig_elbo_gap(self.grid, self.x, mu_tilde, zeta)
        except ValueError as exc:
            self.status.value = f'<span style="color:#cf222e">{exc}</span>'
            return False
        r = self.grid.bound(self.x, mu_tilde, zeta)
        self.status.value = (f"log p(x) = {r.log_p:.4f} = L_b {r.L_b:.4f} + KL {r.kl:.4f} "
                             f"(residual {r.log_p - r.L_b - r.kl:.1e})")
        self.out.clear_output(wait=True)
        with self.out:
            display(fig)
        return True

    def _on_change(self, _change=None) -> None:
        self.show(self.mu.value, self.zeta.value)

    def _on_fit(self, _button=None) -> None:
        mu, zeta = self.grid.best_gaussian_q(self.x, self.mu.value, self.zeta.value)
        with self.mu.hold_trait_notifications(), self.zeta.hold_trait_notifications():
            self.mu.value = min(max(mu, self.mu.min), self.mu.max)
            self.zeta.value = min(max(zeta, self.zeta.min), self.zeta.max)
        self._on_change()
