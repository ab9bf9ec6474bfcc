"""Shared pieces of the exercise-checker tests (tests/test_exercises_*.py)."""
from vae_teach.exercises import CORRECT, NOT_SOLVED, WRONG


def stub(*args, **kwargs):
    """What `make student` leaves in an exercise: the body raises NotImplementedError."""
    raise NotImplementedError("Exercise: replace this line with your answer.")


def assert_verdicts(checker, right, wrong) -> None:
    """The reference answer is correct; a stub is 'not yet solved' and a wrong answer
    'wrong', each with a hint."""
    assert checker(right).status == CORRECT
    result = checker(stub)
    assert result.status == NOT_SOLVED and "Hint:" in result.message
    result = checker(wrong)
    assert result.status == WRONG and "Hint:" in result.message
