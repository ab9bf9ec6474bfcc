"""One record for "a line of a slide, evaluated as a number", and the mean ± standard error.

Every notebook that checks a slide line by line (the Gaussian lemma, the independent-samples
slide, the exact lower bound, the closed form of L_b on a trained VAE) returns these records,
so one table function and one plot can show any of them.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


__all__ = ['SlideLine', 'mean_se']


class SlideLine(NamedTuple):
    """One line of a slide's derivation, evaluated as a number (the course's one such record).

    ``label``: the line as the slide numbers it; ``value``: the line's value (nats);
    ``standard_error``: its Monte Carlo s.e., None when the line is exact. Lines checked
    against a reference also carry ``section`` (the slide), ``kind`` ("reference" = the LHS,
    "slide" = as printed, "intended" = typesetting read as meant, "corrected" = our fix),
    ``text``, ``difference`` = value − LHS with its paired s.e. ``difference_se``, and
    ``holds`` = |difference| ≤ n_se · difference_se (+ round-off).
    """

    label: str
    value: float
    standard_error: float | None
    section: str = ""
    kind: str = "slide"
    text: str = ""
    difference: float = float("nan")
    difference_se: float = float("nan")
    holds: bool | None = None


def mean_se(values) -> tuple[float, float]:
    """The mean of ``values`` (n,) and its standard error s / √n (s with ddof = 1)."""
    values = np.asarray(values, dtype=float)
    return float(values.mean()), float(values.std(ddof=1) / np.sqrt(values.size))
