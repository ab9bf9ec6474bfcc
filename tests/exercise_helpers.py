"""Shared pieces of the exercise-checker tests (tests/test_exercises_*.py)."""
from vae_teach.exercises import CORRECT, NOT_SOLVED, WRONG


def stub(*args, **kwargs):
    """What `make student` (and nbgrader) leave in an exercise: the body raises."""
    raise NotImplementedError()


def assert_verdicts(checker, right, wrong, slip: str | None = None) -> None:
    """The reference answer is correct; a stub is 'not yet solved' with at most the first
    (conceptual) hint and never a later one; a wrong answer is 'wrong' with hints, and names
    ``slip`` when given."""
    assert checker(right).status == CORRECT
    result = checker(stub)
    assert result.status == NOT_SOLVED and len(result.hints) <= 1, result
    bad = checker(wrong)
    assert bad.status == WRONG and bad.hints, bad
    assert len(bad.hints) >= len(result.hints)
    if slip is not None:
        assert slip in bad.message, bad.message
