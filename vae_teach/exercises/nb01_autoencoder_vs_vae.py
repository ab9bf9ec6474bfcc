"""Checkers for notebook 01 (slides AUTO ENCODER V.S. VAE; WHY VAE?).

* ``check_spread_prediction(prediction, Z_ae=, Z_vae=)`` — predict-then-run: whose codes
  (m = 2) spread wider, "the AE's", "the VAE's" or "about the same"; measured from the codes'
  standard deviations.
* ``check_generation_prediction(prediction, ae_failures=, vae_failures=)`` — predict-then-run: at
  m = 16, which turns a random code into a digit-like image more often, "the AE with a fitted
  Gaussian", "the VAE with N(0, I)" or "about the same"; measured from the failure rates.
* ``check_nearest_distance(fn)`` — fn(X_gen (n, M), X_train (N, M)) → (n,) RMS distance
  sqrt(min_i ‖x − x_i‖² / M) to the nearest training image.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from vae_teach.exercises._core import CheckResult, check_function
from vae_teach.exercises.nb05_vae_vs_em import _predict
from vae_teach.measure.quality import nearest_train_distance


__all__ = ['check_spread_prediction', 'check_generation_prediction', 'check_nearest_distance']


SPREAD_CHOICES = ("the AE's", "the VAE's", "about the same")


def spread_outcome(Z_ae, Z_vae) -> str:
    """Which of ``SPREAD_CHOICES`` the codes support: mean per-dimension std, ratio ≥ 1.5."""
    s_ae = float(np.mean(np.std(np.asarray(Z_ae, float), axis=0)))
    s_vae = float(np.mean(np.std(np.asarray(Z_vae, float), axis=0)))
    if s_ae > 1.5 * s_vae:
        return "the AE's"
    if s_vae > 1.5 * s_ae:
        return "the VAE's"
    return "about the same"


def check_spread_prediction(prediction: Callable, Z_ae=None, Z_vae=None,
                            verbose: bool = True) -> CheckResult:
    """prediction() → one of "the AE's", "the VAE's", "about the same": whose codes of the
    training digits spread wider. ``Z_ae``, ``Z_vae``: the codes (N, m) the notebook computed."""
    measured = None if Z_ae is None or Z_vae is None else spread_outcome(Z_ae, Z_vae)
    hint = ["Both networks have the same layers, so look at the losses. Which of the two losses "
            "says anything about where the codes should lie, and what does it say?",
            "The AE's loss is the reconstruction only: shifting or stretching all codes costs "
            "it nothing. The VAE's loss adds the KL to N(0, I), which pulls each code's mean "
            "towards 0 and its spread towards 1."]
    why = ("Nothing in the AE's loss says where its codes should be, and spreading them apart "
           "makes them easy to tell apart for the decoder, so they spread over several units. "
           "The VAE's KL term pulls the codes towards N(0, I): its codes stay within a few units "
           "of the origin.")
    slips = {"the vae's": "the VAE's noise is in q, around each code; the KL keeps the codes "
                          "themselves near N(0, I)",
             "about the same": "same layers, different losses: only the VAE's loss says where "
                               "the codes should lie",
             "the ae's": "nothing limits the AE's codes, so they spread"}
    return _predict("Whose codes spread wider", prediction, SPREAD_CHOICES, measured, why,
                    hint, slips, verbose)


GENERATION_CHOICES = ("the AE with a fitted Gaussian", "the VAE with N(0, I)", "about the same")


def generation_outcome(ae_failures: float, vae_failures: float) -> str:
    """Which of ``GENERATION_CHOICES`` the failure rates support (fewer failures = more
    digit-like; a ratio of 1.2 or more counts as a difference)."""
    if ae_failures > 1.2 * vae_failures:
        return "the VAE with N(0, I)"
    if vae_failures > 1.2 * ae_failures:
        return "the AE with a fitted Gaussian"
    return "about the same"


def check_generation_prediction(prediction: Callable, ae_failures: float | None = None,
                                vae_failures: float | None = None,
                                verbose: bool = True) -> CheckResult:
    """prediction() → one of ``GENERATION_CHOICES``: at m = 16, whose decoded random codes are
    digit-like more often. ``ae_failures``, ``vae_failures``: the measured failure rates."""
    measured = (None if ae_failures is None or vae_failures is None
                else generation_outcome(float(ae_failures), float(vae_failures)))
    hint = ["A random code decodes well when it lands where the decoder was trained. Where was "
            "each decoder trained — on points, or on neighbourhoods? And how much of a "
            "16-dimensional Gaussian can 8000 codes fill?",
            "The AE's decoder only ever saw its 8000 codes; a Gaussian fitted to them puts most "
            "of its mass between them in 16 dimensions. The VAE's decoder was trained on "
            "clouds around codes that the KL pulls onto N(0, I)."]
    why = ("In 16 dimensions 8000 codes cannot fill their fitted Gaussian: most of its draws land "
           "between codes, where the AE's decoder was never trained. The VAE's decoder was "
           "trained on neighbourhoods of its codes, which the KL pulls onto N(0, I), so its "
           "prior draws land where it has learned to draw digits.")
    slips = {"the ae with a fitted gaussian": "a fitted Gaussian covers the codes densely at "
                                              "m = 2, but not at m = 16: there its draws fall "
                                              "into the holes between codes",
             "about the same": "what works at m = 2 need not at m = 16: the holes between codes "
                               "grow with the code size",
             "the vae with n(0, i)": "the VAE failed more often here"}
    return _predict("AE or VAE at m = 16", prediction, GENERATION_CHOICES, measured, why, hint,
                    slips, verbose)


def check_nearest_distance(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(X_gen, X_train) → RMS distance from each row of X_gen to its nearest row of X_train."""
    rng = np.random.default_rng(5)
    X_train = rng.uniform(size=(40, 6))
    cases = [(rng.uniform(size=(7, 6)), X_train), (X_train[:3], X_train),
             (rng.uniform(size=(1, 6)) * 3, X_train)]

    def d2(G, T):
        return ((G[:, None, :] - T[None, :, :]) ** 2).sum(-1)

    slips = {"the mean over training images instead of the nearest one":
             lambda G, T: np.sqrt(d2(G, T).mean(1) / T.shape[1]),
             "forgetting to divide by the number of pixels M":
             lambda G, T: np.sqrt(d2(G, T).min(1)),
             "the squared distance (no square root)": lambda G, T: d2(G, T).min(1) / T.shape[1],
             "the farthest training image instead of the nearest":
             lambda G, T: np.sqrt(d2(G, T).max(1) / T.shape[1])}
    hint = ["For one generated image: compare it with every training image, keep only the "
            "closest one, and express that distance per pixel. A copy of a training image must "
            "give 0.",
            "Squared distances ‖x − x_i‖² to ALL training images, the smallest over i, divided "
            "by the number of pixels M, then the square root.",
            "Broadcasting: X_gen[:, None, :] − X_train[None, :, :] has shape (n, N, M); sum "
            "over the last axis, take .min(axis=1)."]
    return check_function("Nearest-training-image distance", fn, nearest_train_distance, cases,
                          hint, rtol=1e-6, atol=1e-6, verbose=verbose, slips=slips)
