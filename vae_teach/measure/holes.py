"""Gaps in a 2-D latent space ("WHY VAE? Intuitive Reason"), measured.

A grid over the codes of real inputs; each grid point's distance to the nearest code in units
of the codes' own spacing (``gap_distance``); the decoder's image at every grid point, scored
by a digit classifier and by the distance to the nearest training digit (``why_vae_numbers``).
"""

from __future__ import annotations

import numpy as np


# --------------------------------------------------------------------------------------------
# WHY VAE? — real codes of the trained AE and VAE, and what their decoders make of the gaps
# --------------------------------------------------------------------------------------------


def grid_over_codes(Z, n_grid: int = 9, quantile: float = 0.01) -> tuple[np.ndarray, np.ndarray]:
    """An ``n_grid × n_grid`` grid spanning the codes Z (N, 2) between their ``quantile`` and
    1 − ``quantile`` quantiles per axis. Returns ``(g0, g1)``, the two axes' grid values."""
    lo, hi = np.quantile(Z, [quantile, 1 - quantile], axis=0)
    return np.linspace(lo[0], hi[0], n_grid), np.linspace(lo[1], hi[1], n_grid)


def grid_codes(g0, g1) -> np.ndarray:
    """The grid points as codes (n1·n0, 2), row by row from the top (largest z₂), so that
    ``tile(decode_images(model, grid_codes(g0, g1)), ncols=len(g0))`` looks like the map."""
    return np.array([[a, b] for b in np.asarray(g1)[::-1] for a in g0], dtype=float)


def gap_distance(Z, points) -> np.ndarray:
    """How far each point (n, 2) lies from the codes Z (N, 2), in units of the codes' own
    spacing: distance to the nearest code / median nearest-neighbour distance among the codes.
    Scale-free, so an AE (codes anywhere) and a VAE (codes near N(0, I)) compare; ≫ 1 = a gap."""
    Z = np.asarray(Z, float)
    d_zz = np.linalg.norm(Z[:, None] - Z[None], axis=-1)
    np.fill_diagonal(d_zz, np.inf)
    spacing = float(np.median(d_zz.min(1)))
    d_pz = np.linalg.norm(np.asarray(points, float)[:, None] - Z[None], axis=-1).min(1)
    return d_pz / spacing


def why_vae_numbers(model, X, X_ref, clf, n_grid: int = 9, gap: float = 4.0) -> dict:
    """What ``viz.lecture.fig_why_vae`` draws and measures for one model: codes Z of X, the grid, decoded
    images at the grid points, ``in_gap`` (grid point ≥ ``gap`` code spacings from every code),
    and for the gap / non-gap points the mean classifier confidence (``clf`` from
    ``measure.quality.fit_digit_classifier``) and RMS distance to the nearest image of X_ref."""
    from vae_teach.measure.codes import check_2d_latent, decode_images, latent_codes
    from vae_teach.measure.quality import classifier_confidence, nearest_train_distance

    check_2d_latent(model)
    Z = latent_codes(model, X)
    g0, g1 = grid_over_codes(Z, n_grid)
    points = grid_codes(g0, g1)
    images = decode_images(model, points)
    flat = images.reshape(len(points), -1)
    in_gap = gap_distance(Z, points) >= gap
    conf = classifier_confidence(clf, flat)
    dist = nearest_train_distance(flat, X_ref)
    out = {"Z": Z, "g0": g0, "g1": g1, "points": points, "images": images, "in_gap": in_gap,
           "n_grid": n_grid, "vmax": float(np.max(X_ref))}
    for key, mask in (("gap", in_gap), ("near", ~in_gap)):
        out[f"confidence_{key}"] = float(conf[mask].mean()) if mask.any() else float("nan")
        out[f"distance_{key}"] = float(dist[mask].mean()) if mask.any() else float("nan")
    return out


def why_vae_pair(ae, vae, X, X_ref, y_ref, n_grid: int = 9, gap: float = 4.0
                 ) -> tuple[dict, dict]:
    """``why_vae_numbers`` of the auto-encoder and of the VAE on the same inputs X (N, M),
    with one digit classifier fitted on (X_ref, y_ref): what ``viz.lecture.fig_why_vae``
    draws."""
    from vae_teach.measure.quality import fit_digit_classifier

    clf = fit_digit_classifier(X_ref, y_ref)
    return (why_vae_numbers(ae, X, X_ref, clf, n_grid, gap),
            why_vae_numbers(vae, X, X_ref, clf, n_grid, gap))
