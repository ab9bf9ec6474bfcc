"""``make figures``: write the lecture's pictures (``viz.lecture``) to ``figures/``.

Each builder loads or trains what its figure needs (tools may import every layer) and hands
numbers to the figure function. Usage: ``python -m vae_teach.tools.figures --out figures [name …]``.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from matplotlib.figure import Figure

from vae_teach.measure.codes import encoder_codes
from vae_teach.measure.experiments import train_with_and_without_kl
from vae_teach.measure.holes import why_vae_pair
from vae_teach.viz.lecture import (fig_ae_vs_vae, fig_em, fig_gaussian_encoder_decoder,
                                   fig_lower_bound, fig_only_reconstruction, fig_why_vae)
from vae_teach.viz.style import savefig


# ------------------------------------------------------------------ builders for ``make figures``

#: The 2-D digits models of the "WHY VAE?" picture (``vae_teach.nets.pretrained`` names).
WHY_VAE_MODELS = ("ae_mnist2", "vae_mnist2")


def _build_why_vae() -> Figure:
    from vae_teach.nets import pretrained

    ae, vae = (pretrained.load(name, progress=False) for name in WHY_VAE_MODELS)
    X_ref, y_ref = pretrained.load_data(WHY_VAE_MODELS[1], "train")
    X, y = X_ref[:2000], y_ref[:2000]            # as notebook 01: codes of 2000 training digits
    return fig_why_vae(*why_vae_pair(ae, vae, X, X_ref, y_ref), y)


#: notebook 02's two runs: 784 → 200 → 2 → 200 → 784, Bernoulli decoder, 6 epochs
ONLY_RECONSTRUCTION_RUNS = dict(m=2, epochs=6, lr=3e-3, seed=0, decoder="bernoulli",
                                hidden=(200,), progress=False)


def _build_only_reconstruction() -> Figure:
    from vae_teach.data.mnist import load_mnist_split

    X_train, _ = load_mnist_split("train", "binary")
    runs = train_with_and_without_kl(X_train, **ONLY_RECONSTRUCTION_RUNS)
    models = {beta: model for beta, (model, _) in runs.items()}
    X, y = load_mnist_split("test", "binary")
    return fig_only_reconstruction(encoder_codes(models[0.0], X), encoder_codes(models[1.0], X), y)


def _build_lower_bound() -> Figure:
    from vae_teach.data.digits import load_digits_split
    from vae_teach.maths.ppca import PPCA

    X, _ = load_digits_split("train", scale="raw")
    return fig_lower_bound(X, PPCA.fit(X, 2), data_label="pPCA, m = 2, on digits 0–999")


def _build_em() -> Figure:
    from vae_teach.data.digits import load_digits_split
    from vae_teach.maths import em

    X, _ = load_digits_split("train", scale="raw")
    history = em.run_em(X, 2, n_steps=20, theta0=em.init_params(X.shape[1], 2, seed=0),
                        seed=0)
    return fig_em(X, history)


# --------------------------------------------------------------------------------------------
# Registry and the ``make figures`` script
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureSpec:
    """How ``make figures`` builds one figure: a zero-argument builder and its file formats."""
    build: Callable[[], Figure]
    formats: tuple[str, ...] = ("png",)
    slide: str = ""


FIGURES: dict[str, FigureSpec] = {
    "ae_vs_vae": FigureSpec(fig_ae_vs_vae, ("png", "svg"), "AUTO ENCODER V.S. VAE"),
    "why_vae": FigureSpec(_build_why_vae, ("png",), "WHY VAE? (Intuitive Reason)"),
    "only_reconstruction": FigureSpec(_build_only_reconstruction, ("png",),
                                      "VAE LOSS FUNCTION; WHY VAE REGULARIZATION?"),
    "gaussian_encoder_decoder": FigureSpec(fig_gaussian_encoder_decoder, ("png",),
                                           "VAE AND GAUSSIAN DISTRIBUTION"),
    "lower_bound": FigureSpec(_build_lower_bound, ("png",), "LOG-LIKELIHOOD LOWER BOUND"),
    "em": FigureSpec(_build_em, ("png",), "VAE V.S. EM ALGORITHM"),
}


def write_figures(out: str | Path = "figures", names: list[str] | None = None) -> list[Path]:
    """Build the figures ``names`` (all when None) and save them under ``out``; return paths."""
    names = list(FIGURES) if not names else names
    unknown = [n for n in names if n not in FIGURES]
    if unknown:
        raise ValueError(f"unknown figure name(s) {unknown}; choose from {sorted(FIGURES)}.")
    written = []
    for name in names:
        spec = FIGURES[name]
        fig = spec.build()
        for fmt in spec.formats:
            written.append(savefig(fig, Path(out) / f"{name}.{fmt}"))
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m vae_teach.viz.lecture [--out DIR] [names...]``."""
    import matplotlib
    matplotlib.use("Agg")
    parser = argparse.ArgumentParser(prog="python -m vae_teach.viz.lecture", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help=f"figures to draw (default: all of "
                                                 f"{', '.join(FIGURES)})")
    parser.add_argument("--out", default="figures", help="output folder (default: figures)")
    args = parser.parse_args(argv)
    try:
        paths = write_figures(args.out, args.names)
    except ValueError as exc:
        parser.error(str(exc))
    for p in paths:
        print(f"wrote {p} ({p.stat().st_size / 1024:.0f} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
