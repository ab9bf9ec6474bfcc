"""Checkers for notebook 12 (latent-space explorer).

* ``check_interpolate(fn)`` — warm-up: fn(z_a (m,), z_b (m,), n) → (n, m), the straight line
  z(t) = (1 − t)·z_a + t·z_b at t = 0, 1/(n−1), …, 1.
* ``check_midpoint_prediction(prediction, digit_like)`` — predict-then-run: do the midpoints
  between the codes of two real digits decode to digit-like images for the VAE, the AE, both or
  neither? ``digit_like``: the measured fraction of digit-like midpoints per model.
* ``check_prior_grid(fn)`` — warm-up: fn(n) → (n², 2), every pair (Φ⁻¹(u_i), Φ⁻¹(u_j)) with
  u_k = (k + ½)/n (row order is free).
* ``check_beta_for_grid(choice)`` — choose a setting: the largest β (0.5, 1 or 4) whose decoded
  10 × 10 equal-mass grid still shows at least 8 different digits; checked by decoding the
  grid with each shipped 8×8 model and classifying the images.

References: the formulas above (numpy, scipy.stats.norm) and the shipped models.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import combinations
from typing import Callable

import numpy as np
from scipy.stats import norm

from vae_teach.exercises._core import CheckResult, check_function, check_prediction


__all__ = ['check_interpolate', 'check_midpoint_prediction', 'check_prior_grid',
           'check_beta_for_grid']


# ----------------------------------------------------------------------------- interpolation
def _line(z_a, z_b, n, t=None):
    z_a, z_b = np.asarray(z_a, float), np.asarray(z_b, float)
    t = (np.linspace(0.0, 1.0, n) if t is None else t)[:, None]
    return (1 - t) * z_a + t * z_b


def check_interpolate(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(z_a, z_b, n) → (n, m) codes on the segment from z_a (first row) to z_b (last)."""
    rng = np.random.default_rng(10)
    cases = [(np.array([0.0, 0.0]), np.array([1.0, 2.0]), 3),
             (rng.normal(size=2), rng.normal(size=2), 8),
             (rng.normal(size=5), rng.normal(size=5), 2)]
    hint = ["You need n evenly spaced values of t from 0 to 1, both ends included, and one "
            "code per value: a row of the result is the code at one t. The first row must be "
            "z_a and the last z_b.",
            "t = np.linspace(0, 1, n)[:, None] (a column); return (1 − t)·z_a + t·z_b, shape "
            "(n, m)."]
    slips = {"t without its end point (t = k/n: the last row misses z_b)":
             lambda a, b, n: _line(a, b, n, np.arange(n) / n),
             "the direction reversed (from z_b to z_a)": lambda a, b, n: _line(b, a, n)}
    return check_function("Interpolation in latent space", fn, _line, cases, hint,
                          verbose=verbose, slips=slips)


# ----------------------------------------------------------------------------- midpoints
MIDPOINT_CHOICES = ["both", "VAE only", "AE only", "neither"]


def midpoint_choice(digit_like: dict, at_least: float = 0.5) -> str:
    """The measured choice: which models decode at least ``at_least`` of the midpoints to
    digit-like images. digit_like: {"VAE": fraction, "AE": fraction}."""
    try:
        vae, ae = float(digit_like["VAE"]), float(digit_like["AE"])
    except (KeyError, TypeError, ValueError):
        raise ValueError("digit_like must be {'VAE': fraction, 'AE': fraction}, the measured "
                         "fractions of digit-like midpoints.") from None
    ok_vae, ok_ae = vae >= at_least, ae >= at_least
    return ("both" if ok_vae and ok_ae else "VAE only" if ok_vae else "AE only" if ok_ae
            else "neither")


def _default_digit_like() -> dict:
    """The notebook's measurement on the shipped 2-D MNIST models: the first test digit of each
    class, the 45 midpoints of their pairs, digit-like = within the failure threshold of a
    training digit."""
    from vae_teach.measure import quality
    from vae_teach.measure.codes import latent_codes
    from vae_teach.nets import pretrained

    names = {"VAE": "vae_mnist2", "AE": "ae_mnist2"}
    models = {k: pretrained.load(v) for k, v in names.items()}
    X_test, y_test = pretrained.load_data("vae_mnist2", "test")
    X_train, _ = pretrained.load_data("vae_mnist2", "train")
    threshold = quality.failure_threshold([quality.reconstruct(m, X_test)
                                           for m in models.values()], X_train)
    firsts = [int(np.flatnonzero(y_test == k)[0]) for k in range(10)]
    out = {}
    for key, model in models.items():
        Z = latent_codes(model, X_test[firsts])
        mids = np.array([(Z[i] + Z[j]) / 2 for i, j in combinations(range(10), 2)])
        images = model.decode_numpy(mids.astype(np.float32))
        out[key] = float(np.mean(quality.nearest_train_distance(images, X_train) <= threshold))
    return out


def check_midpoint_prediction(prediction: Callable[[], str], digit_like: dict | None = None,
                              verbose: bool = True) -> CheckResult:
    """prediction() → "both", "VAE only", "AE only" or "neither"; ``digit_like``: {"VAE": f,
    "AE": f}, the measured fractions of digit-like midpoints (measured here when not given).
    A model counts when at least half of its midpoints are digit-like."""
    def measured():
        return midpoint_choice(digit_like if digit_like is not None else _default_digit_like())

    hint = ["Where does a midpoint lie: next to codes of real digits, or far from all of them? "
            "Each decoder was trained on the codes its encoder produces — think about what the "
            "segment between two such codes passes through, for a map with and without holes.",
            "Look at the two maps of section 1: a segment between two codes of real digits "
            "mostly runs through, or close to, regions the decoder has seen, for either model. "
            "The AE's empty regions are elsewhere — where prior samples land (section 4)."]
    why = ("A midpoint between two codes of real digits lies between regions the decoder was "
           "trained on, so both decoders give digit-like images there. What separates the VAE "
           "from the AE is what happens away from the codes: the prior samples of section 4.")
    slips = {"VAE only": "expecting the AE's holes on the segment between two of its own codes "
                         "(they lie where no code is: prior samples find them)",
             "neither": "thinking every blend of two digits is a non-digit",
             "AE only": "expecting the KL term to blur the VAE's midpoints"}
    return check_prediction("Midpoints between two digits", prediction, MIDPOINT_CHOICES,
                            measured, why, hint, verbose=verbose, slips=slips)


# ----------------------------------------------------------------------------- prior grid
def _sorted_rows(Z):
    Z = np.asarray(Z, dtype=float)
    if Z.ndim != 2:
        return Z
    return Z[np.lexsort(Z.T[::-1])]


def _grid_reference(n):
    q = norm.ppf((np.arange(n) + 0.5) / n)
    z1, z2 = np.meshgrid(q, q)
    return _sorted_rows(np.column_stack([z1.ravel(), z2.ravel()]))


def check_prior_grid(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(n) → (n², 2) codes whose coordinates are the N(0, 1) quantiles (k + ½)/n."""
    def sorted_fn(n):
        out = fn(n)
        return out if out is None or out is Ellipsis else _sorted_rows(out)

    def linear(n):
        q = np.linspace(-2, 2, n)
        return _sorted_rows(np.array([(a, b) for a in q for b in q]))

    def edges(n):
        q = norm.ppf(np.clip(np.arange(n) / n, 1e-12, 1))
        return _sorted_rows(np.array([(a, b) for a in q for b in q]))

    hint = ["Equal prior mass per cell means equal steps in probability, not in z: pick n "
            "probabilities in the middle of n equal slices of (0, 1), turn each into a "
            "coordinate with the inverse of the normal distribution's CDF, and pair every "
            "coordinate with every other.",
            "q = scipy.stats.norm.ppf((np.arange(n) + 0.5) / n); every pair (q_i, q_j) as the "
            "rows of an (n², 2) array, e.g. from np.meshgrid(q, q)."]
    slips = {"evenly spaced z (equal steps in z, not in prior mass)": linear,
             "the slice edges k/n instead of their midpoints (k + ½)/n": edges}
    return check_function("Prior quantile grid", sorted_fn, _grid_reference, [(1,), (3,), (6,)],
                          hint, verbose=verbose, slips=slips)


# ----------------------------------------------------------------------------- β for the grid
BETA_MODELS = {"0.5": "vae2d_beta0.5", "1": "vae2d", "4": "vae2d_beta4"}
MIN_DIGITS = 8


@lru_cache(maxsize=1)
def grid_digit_counts(n: int = 10) -> dict:
    """β → number of different digits the shipped 8×8 model with that β shows on the decoded
    n × n equal-mass grid of z (kNN labels, classifier fitted on the 8×8 training digits)."""
    from vae_teach.maths.prior import prior_quantile_grid
    from vae_teach.measure import quality
    from vae_teach.nets import pretrained

    X_train, y_train = pretrained.load_data("vae2d", "train")
    clf = quality.fit_digit_classifier(X_train, y_train)
    Z = prior_quantile_grid(n).astype(np.float32)
    counts = {}
    for beta, name in BETA_MODELS.items():
        images = np.asarray(pretrained.load(name).decode_numpy(Z), dtype=float)
        counts[beta] = int(np.unique(clf.predict(images)).size)
    return counts


def largest_beta(counts: dict, at_least: int = MIN_DIGITS) -> str:
    """The largest β whose grid shows at least ``at_least`` digits (``grid_digit_counts``)."""
    good = [b for b, c in counts.items() if c >= at_least]
    if not good:
        raise ValueError(f"no β shows {at_least} digits: {counts}")
    return max(good, key=float)


def check_beta_for_grid(choice: Callable[[], float], verbose: bool = True) -> CheckResult:
    """choice() → 0.5, 1 or 4: the largest β whose decoded 10 × 10 equal-mass grid shows at
    least 8 different digits (the checker decodes and classifies the grids itself)."""
    def measured():
        return largest_beta(grid_digit_counts())

    hint = ["A larger β pulls the codes harder towards the prior; past some point a latent "
            "dimension stops carrying information. What does a grid over a latent space look "
            "like when one of its two directions no longer changes the image?",
            "Look at the axis sweeps of section 4 and the β table of notebook 09: at β = 4 one "
            "dimension collapsed, so the 10 × 10 grid is effectively ten images repeated — too "
            "few digits. The largest β that still uses both dimensions is the answer."]
    counts_note = ("Decoded on the 10 × 10 equal-mass grid and classified, the three models show "
                   "{}.")

    def why():
        counts = grid_digit_counts()
        shown = ", ".join(f"β = {b}: {c} digits" for b, c in counts.items())
        return (counts_note.format(shown) + f" At least {MIN_DIGITS} were asked for; above "
                "β = 1 the KL term switches a dimension off and the grid collapses to a line.")

    slips = {"4": "a β so large that a latent dimension collapses (posterior collapse)",
             "0.5": "a β that works but is not the largest that does"}
    return check_prediction("A β whose grid shows the digits", choice, list(BETA_MODELS),
                            measured, why, hint, verbose=verbose, slips=slips)
