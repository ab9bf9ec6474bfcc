"""Checkers for notebook 05 (slide VAE V.S. EM ALGORITHM).

* ``check_e_step_gap(prediction, floor=, approximation=)`` — predict-then-run: where does the
  KL of the VAE's E-step (θ fixed, φ trained) stop? "zero" (like EM's E-step), "the
  approximation gap" (the best diagonal q per point) or "above the approximation gap". The
  measured choice is computed from the notebook's numbers.
* ``check_amortisation_gap(fn, floor=, approximation=, kl_start=, N=)`` — interpret a figure:
  fn() returns the amortisation gap read off the E-step figure, nats per image (within 40 %).
* ``check_sigma2_update(fn)`` — find the slip: fn(X, W, mu, q_mean, q_cov) → the M-step's σ²
  for fixed W, μ: (1/NM) Σ_n (‖x_n − μ − W a_n‖² + Tr(WᵀW S_n)); the notebook's given version
  forgets the trace term.
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np

from vae_teach.exercises._core import (WRONG, CheckResult, _report, _stages,
                                       check_function, check_prediction)


__all__ = ['check_e_step_gap', 'check_amortisation_gap', 'check_sigma2_update']


def _predict(title: str, prediction, choices: Sequence[str], measured: str | None, why: str,
             hint: Sequence[str], slips: Mapping[str, str], verbose: bool) -> CheckResult:
    """``check_prediction`` for a checker called with the measured numbers (``measured`` is
    None when the checking cell left them out: a valid prediction is then 'wrong', with a
    note to pass them)."""
    if measured is None:
        def missing():
            raise ValueError("pass the measured numbers too (see the exercise's checking cell)")
        try:
            value = prediction() if callable(prediction) else prediction
        except Exception:
            value = None
        valid = isinstance(value, str) and value.strip().lower() in [c.lower() for c in choices]
        if valid:
            return _report(CheckResult(title, WRONG, "Pass the measured numbers too (see the "
                                       "exercise's checking cell).", _stages(hint)), verbose)
        measured = missing
    return check_prediction(title, prediction, choices, measured, why, hint, verbose=verbose,
                            slips=slips)


# ----------------------------------------------------------------------------- the E-step
E_STEP_CHOICES = ("zero", "the approximation gap", "above the approximation gap")


def e_step_outcome(floor: float, approximation: float) -> str:
    """Which of ``E_STEP_CHOICES`` the measured floor (nats per image) supports."""
    if floor < 1e-6:
        return "zero"
    if floor < 1.5 * approximation + 1e-3:
        return "the approximation gap"
    return "above the approximation gap"


def check_e_step_gap(prediction: Callable, floor: float | None = None,
                     approximation: float | None = None, verbose: bool = True) -> CheckResult:
    """prediction() → one of "zero", "the approximation gap", "above the approximation gap":
    where the KL(q_φ ‖ p_θ(·|X)) of the VAE's E-step levels off. ``floor``, ``approximation``:
    the measured floor and approximation gap (nats per image)."""
    measured = None if floor is None or approximation is None else e_step_outcome(
        float(floor), float(approximation))
    hint = ["EM's E-step can set q to the exact posterior. What stops the VAE's q from being "
            "the exact posterior, even with θ fixed and as many steps as you like? Count the "
            "restrictions on q.",
            "Two restrictions: q is diagonal (the family), and q is one network for every x, "
            "trained by noisy gradient steps (amortisation). Only the first has the "
            "approximation gap as its price."]
    why = ("The KL stops where the encoder stops improving. A diagonal Gaussian can at best "
           "reach the approximation gap (the posterior's correlation, tiny here); one network "
           "for all x, trained on one-sample estimates, stays above that: the rest of the "
           "floor is the amortisation gap. EM's E-step computes the posterior exactly, so its "
           "gap is 0.")
    slips = {"zero": "the E-step is exact only when q can be the posterior itself; q_φ is "
                     "diagonal and amortised",
             "the approximation gap": "that is the best diagonal q for each x separately; one "
                                      "encoder for all x does not reach it (amortisation)",
             "above the approximation gap": "the encoder reached the best q of its family"}
    return _predict("Where the VAE's E-step stops", prediction, E_STEP_CHOICES, measured, why,
                    hint, slips, verbose)


def check_amortisation_gap(fn: Callable, floor: float | None = None,
                           approximation: float | None = None, kl_start: float | None = None,
                           N: int | None = None, verbose: bool = True) -> CheckResult:
    """fn() → the amortisation gap (nats per image) read off the figure: floor − approximation.
    Accepted within 40 % (a reading off a log axis). The measured numbers are keyword
    arguments; the slips need ``kl_start`` (the first KL plotted) and ``N``."""
    known = floor is not None and approximation is not None
    want = float(floor) - float(approximation) if known else float("nan")
    slips = {}
    if known:
        slips["the approximation gap, not the amortisation gap"] = lambda: float(approximation)
        if N is not None:
            slips["the sum over all N images, not nats per image"] = lambda: want * int(N)
        if kl_start is not None:
            slips["the KL where the E-step started, not where it levelled off"] = \
                lambda: float(kl_start)
    hint = ["The floor of the right panel is the sum of two gaps. One of them has its own line; "
            "the other is the distance from that line up to the floor. Read both heights on the "
            "log axis.",
            "amortisation = floor − approximation gap, in nats per image. When one of the two "
            "is a hundred times smaller, the difference is almost the floor itself."]
    return check_function("Amortisation gap, read off the figure", fn, lambda: want, [()],
                          hint, rtol=0.4, atol=1e-4, verbose=verbose, slips=slips)


# ----------------------------------------------------------------------------- the M-step
def _problem(seed, N=12, M=5, m=2):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(N, M)) * 2 + 1, rng.normal(size=(M, m)), rng.normal(size=M),
            float(rng.uniform(0.2, 2.0)))


def _covs(seed, N=12, m=2):
    A = np.random.default_rng(seed).normal(size=(N, m, m))
    return A @ np.swapaxes(A, 1, 2) + 0.3 * np.eye(m)


def _sigma2(X, W, mu, q_mean, q_cov):
    sq = np.sum((X - mu - q_mean @ W.T) ** 2) + np.trace(W.T @ W @ q_cov.sum(0))
    return sq / X.size


def check_sigma2_update(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(X, W, mu, q_mean (N, m), q_cov (N, m, m)) → σ² maximising E_q[log p(X, Z; W, μ, σ²)]
    for fixed W, μ."""
    cases = []
    for seed in (6, 7):
        X, W, mu, _ = _problem(seed)
        q_mean = np.random.default_rng(seed).normal(size=(X.shape[0], W.shape[1]))
        cases.append((X, W, mu, q_mean, _covs(seed + 10)))
    means_only = lambda X, W, mu, a, S: np.sum((X - mu - a @ W.T) ** 2) / X.size  # noqa: E731
    slips = {
        "leaving out Tr(WᵀW S_n): the error of q's means only, as if z were known":
            means_only,
        "dividing by N instead of N·M (σ² is per pixel)":
            lambda X, W, mu, a, S: _sigma2(X, W, mu, a, S) * X.shape[1],
        "σ for σ² (a square root too many)":
            lambda X, W, mu, a, S: np.sqrt(_sigma2(X, W, mu, a, S)),
        "Tr(S_n) for Tr(WᵀW S_n) (the spread of z, not of Wz)":
            lambda X, W, mu, a, S: means_only(X, W, mu, a, S) + np.trace(S.sum(0)) / X.size,
    }
    hint = ["σ² is the average squared error per pixel in expectation over q. Under q the code "
            "z is uncertain, so the error has two parts: the error at q's mean, and what the "
            "spread of z adds after the decoder's W. Which one does the given function miss?",
            "For z with mean a and covariance S: E‖x − μ − Wz‖² = ‖x − μ − W a‖² + Tr(Wᵀ W S). "
            "Sum over n and divide by N·M.",
            "In NumPy: np.trace(W.T @ W @ q_cov.sum(axis=0)) is Σ_n Tr(WᵀW S_n)."]
    return check_function("M-step: σ² update", fn, _sigma2, cases, hint, rtol=1e-8,
                          verbose=verbose, slips=slips)
