"""Gaps in a 2-D latent space ("WHY VAE? Intuitive Reason"), measured.

A grid over the codes of real inputs; each grid point's distance to the nearest code in units
of the codes' own spacing (``gap_distance``); the decoder's image at every grid point, scored
by a digit classifier and by the distance to the nearest training digit (``why_vae_numbers``).
"""

from __future__ import annotations

import numpy as np

from vae_teach._checks import as_float_array


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
    """How far each point (n, m) lies from the codes Z (N, m), in units of the codes' own
    spacing: distance to the nearest code / median nearest-neighbour distance among the codes.
    Scale-free, so an AE (codes anywhere) and a VAE (codes near N(0, I)) compare; ≫ 1 = a gap.
    A k-d tree finds the neighbours, so N = 10 000 codes in m = 16 dimensions take well under
    a second (the pairwise (N, N) table would need gigabytes)."""
    from scipy.spatial import cKDTree

    Z = as_float_array(Z, "Z", ndim=2)
    points = as_float_array(points, "points", ndim=2)
    if points.shape[1] != Z.shape[1]:
        raise ValueError(f"points have {points.shape[1]} coordinates but the codes Z have "
                         f"{Z.shape[1]}; both must live in the same latent space.")
    if len(Z) < 2:
        raise ValueError("gap_distance needs at least 2 codes to measure their spacing.")
    tree = cKDTree(Z)
    spacing = float(np.median(tree.query(Z, k=2)[0][:, 1]))
    return tree.query(points, k=1)[0] / spacing


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


def failures_by_gap(model, Z, points, X_ref, threshold: float, gap: float = 2.0) -> dict:
    """Do decoded points fail more often in the gaps between codes? Works in any dimension m.

    Z: (N, m) codes of real inputs; points: (n, m) latent points (e.g. draws from N(0, I) or
    from a Gaussian fitted to Z), decoded by ``model``; a decoded image *fails* when its RMS
    distance to every image of X_ref (the training digits) exceeds ``threshold``. Returns
    ``{"share_far": fraction of points ≥ gap code spacings from every code (gap_distance),
    "fail_far": failure rate of those, "fail_near": failure rate of the others}`` (NaN where
    a group is empty).
    """
    from vae_teach.measure.quality import nearest_train_distance

    points = as_float_array(points, "points", ndim=2)
    far = gap_distance(Z, points) >= gap
    images = np.asarray(model.decode_numpy(points.astype(np.float32)), dtype=np.float64)
    failed = nearest_train_distance(images, X_ref) > threshold
    rate = lambda mask: float(failed[mask].mean()) if mask.any() else float("nan")  # noqa: E731
    return {"share_far": float(far.mean()), "fail_far": rate(far), "fail_near": rate(~far)}
