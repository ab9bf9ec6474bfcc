"""The exercise core: staged hints, named slips, and predict-then-run verdicts."""
import pytest
from exercise_helpers import stub

from vae_teach.exercises._core import (CORRECT, NOT_SOLVED, WRONG, check_function,
                                       check_prediction, check_value)


CHOICES = ["grows", "falls", "unchanged"]
HINT = ["Think about what is rewarded.", "The second, more specific hint."]


def _predict(answer, **kw):
    ran = []
    result = check_prediction("trend", answer, CHOICES,
                              measured=lambda: ran.append(1) or "falls",
                              why="Because nothing charges for it.", hint=HINT, verbose=False,
                              slips={"grows": "confusing the variance with its inverse"}, **kw)
    return result, ran


def test_prediction_verdicts_and_the_experiment_runs_only_after_a_prediction():
    right, ran = _predict(lambda: "falls")
    assert right.status == CORRECT and "nothing charges" in right.message and ran
    unsolved, ran = _predict(stub)
    assert unsolved.status == NOT_SOLVED and len(unsolved.hints) == 1 and not ran
    assert "nothing charges" not in unsolved.message
    wrong, _ = _predict(lambda: "Grows ")
    assert wrong.status == WRONG and "variance with its inverse" in wrong.message
    assert wrong.hints == tuple(HINT) and "nothing charges" in wrong.message
    other, _ = _predict(lambda: "unchanged")
    assert other.status == WRONG and "slip" not in other.message


def test_prediction_that_raises_or_is_not_a_choice_is_wrong_not_a_crash():
    assert _predict(lambda: 1 / 0)[0].status == WRONG
    assert _predict(lambda: "sideways")[0].status == WRONG
    assert _predict(lambda: None)[0].status == NOT_SOLVED


def test_a_number_matches_its_choice_string():
    result = check_prediction("k", lambda: 10.0, ["1", "10", "100"], "10", "why", verbose=False)
    assert result.status == CORRECT


def test_measured_must_be_a_choice():
    with pytest.raises(ValueError, match="measured must be one of"):
        check_prediction("t", lambda: "grows", CHOICES, "sideways", "why", verbose=False)


def test_function_slip_is_named_and_stub_shows_only_the_nudge():
    def ref(x):
        return 2 * x

    cases = [(1.0,), (3.0,)]
    bad = check_function("double", lambda x: x * x + 1 - 1 + x - x, ref, cases, HINT,
                         slips={"squaring": lambda x: x * x}, verbose=False)
    assert bad.status == WRONG and "squaring" in bad.message and bad.hints == tuple(HINT)
    unsolved = check_function("double", stub, ref, cases, HINT, verbose=False)
    assert unsolved.status == NOT_SOLVED and unsolved.hints == (HINT[0],)
    assert "Hint 1/1" in str(unsolved) and HINT[1] not in str(unsolved)


def test_value_slip_and_later_hint_stages_on_request(capsys):
    result = check_value("half", 0.25, 0.5, HINT, slips={"a squared ½": 0.25}, verbose=False)
    assert result.status == WRONG and "a squared ½" in result.message
    assert "second" in result.hint(2) and "Hint 2/2" in capsys.readouterr().out
    with pytest.raises(ValueError):
        result.hint(0)
