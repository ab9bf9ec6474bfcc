"""Checkers of notebook 08: correct / not yet solved / wrong, each with a hint, slips named."""
from __future__ import annotations

import math

import numpy as np
import pytest
from exercise_helpers import assert_verdicts

from vae_teach.exercises import (check_first_failing_line, check_regulariser_per_dim,
                                 check_simpler_close_form)
from vae_teach.exercises.nb08_closed_form_elbo import first_failing_line
from vae_teach.maths.lines import SlideLine
from vae_teach.measure.slide_lines import CLOSE, SIMPLER


LOG_2PI = math.log(2 * math.pi)


def _bracket(mu, s2):
    return mu ** 2 + s2 - np.log(s2) - 1


def _bracket_as_printed(mu, s2):         # the slide's line 4: ½ log|Σ_θ| = 0, no log σ̃²
    return mu ** 2 + s2 - 1


def _kl_per_dim(mu, s2):
    return 0.5 * _bracket(mu, s2)


def simpler(sq_err, mu_tilde, s2, M):
    return -M / 2 * LOG_2PI - 0.5 * (sq_err.mean() + mu_tilde @ mu_tilde
                                     + (s2 - np.log(s2) - 1).sum())


def simpler_sum(sq_err, mu_tilde, s2, M):      # sums the draws instead of averaging
    return -M / 2 * LOG_2PI - 0.5 * (sq_err.sum() + mu_tilde @ mu_tilde
                                     + (s2 - np.log(s2) - 1).sum())


@pytest.mark.parametrize("checker,right,wrong,slip", [
    (check_regulariser_per_dim, _bracket, _bracket_as_printed, "line 4 as printed"),
    (check_regulariser_per_dim, _bracket, _kl_per_dim, "a ½ too many"),
    (check_simpler_close_form, simpler, simpler_sum, "a sum over the draws"),
], ids=["as-printed", "half", "sum-vs-mean"])
def test_function_checkers(checker, right, wrong, slip):
    assert_verdicts(checker, right, wrong, slip=slip)


def _lines(failing):
    rows = [SlideLine("LHS", 0.0, 0.1, section=CLOSE, kind="reference", holds=True)]
    for label in ("1", "2", "3 (as typeset)", "3 (as intended)", "4 (as printed)"):
        kind = "intended" if "intended" in label else "slide"
        rows.append(SlideLine(label, 0.0, 0.1, section=CLOSE, kind=kind,
                              holds=label.split()[0] not in failing or kind != "slide"))
    rows.append(SlideLine("S1 (as printed)", 0.0, 0.1, section=SIMPLER, holds=False))
    return rows


def test_first_failing_line_reads_the_table():
    assert first_failing_line(_lines({"3", "4"})) == "3"
    assert first_failing_line(_lines({"4"})) == "4"
    assert first_failing_line(_lines(set())) == "none"


def test_first_failing_line_prediction():
    def check(prediction):
        return check_first_failing_line(prediction, _lines({"3", "4"}), verbose=False)

    assert_verdicts(check, lambda: "3", lambda: "none", slip="trusting a derivation")


def test_first_failing_line_on_the_shipped_model():
    assert check_first_failing_line(lambda: "3", verbose=False)
