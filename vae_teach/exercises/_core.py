"""The checker machinery behind every exercise (udlbook/UvA style: check, then hint).

An exercise is a function the learner completes. A checker calls it on a few inputs, compares
with a reference implementation (scipy, torch.distributions or the package itself) and prints
one of three verdicts:

* ``correct``        – every case matches the reference;
* ``not yet solved`` – the stub still raises ``NotImplementedError`` or returns ``None``/``...``;
* ``wrong``          – it ran but a case differs (or it raised): the hint says what to look at.

Checkers never raise, so a student notebook with stubs still runs top to bottom.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

import numpy as np


CORRECT, NOT_SOLVED, WRONG = "correct", "not yet solved", "wrong"


@dataclass(frozen=True)
class CheckResult:
    """Outcome of a checker: ``status`` is one of ``correct``, ``not yet solved``, ``wrong``."""

    title: str
    status: str
    message: str

    def __bool__(self) -> bool:
        return self.status == CORRECT

    def __str__(self) -> str:
        mark = {CORRECT: "✓", NOT_SOLVED: "…", WRONG: "✗"}[self.status]
        return f"{mark} {self.title}: {self.status}. {self.message}".rstrip()

    def _repr_html_(self) -> str:  # shown in notebooks when the result is the last expression
        colour = {CORRECT: "#1a7f37", NOT_SOLVED: "#9a6700", WRONG: "#cf222e"}[self.status]
        return f'<div style="color:{colour};font-weight:600">{str(self)}</div>'


def _to_numpy(value: Any) -> np.ndarray:
    if hasattr(value, "detach"):  # torch tensor, without importing torch
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=float)


def _unsolved(value: Any) -> bool:
    return value is None or value is Ellipsis


def _report(result: CheckResult, verbose: bool) -> CheckResult:
    if verbose:
        print(result)
    return result


def check_function(title: str, fn: Callable, reference: Callable, cases: Iterable[Sequence],
                   hint: str, rtol: float = 1e-6, atol: float = 1e-8,
                   verbose: bool = True) -> CheckResult:
    """Compare ``fn(*args)`` with ``reference(*args)`` for every ``args`` in ``cases``.

    Prints and returns a :class:`CheckResult`. ``hint`` is shown on any verdict but ``correct``.
    """
    if not callable(fn):
        return _report(CheckResult(title, WRONG, f"Pass your function itself, not {fn!r}. "
                                   f"Hint: {hint}"), verbose)
    for i, args in enumerate(cases):
        try:
            got = fn(*args)
        except NotImplementedError:
            return _report(CheckResult(title, NOT_SOLVED, f"Replace the `raise "
                                       f"NotImplementedError` line. Hint: {hint}"), verbose)
        except Exception as exc:  # the learner's code may fail in any way; report, do not crash
            return _report(CheckResult(title, WRONG, f"Case {i + 1} raised "
                                       f"{type(exc).__name__}: {exc}. Hint: {hint}"), verbose)
        if _unsolved(got):
            return _report(CheckResult(title, NOT_SOLVED, f"Your function returned {got!r}. "
                                       f"Hint: {hint}"), verbose)
        want = _to_numpy(reference(*args))
        try:
            got_arr = _to_numpy(got)
        except (TypeError, ValueError):
            return _report(CheckResult(title, WRONG, f"Case {i + 1}: expected numbers, got "
                                       f"{type(got).__name__}. Hint: {hint}"), verbose)
        if got_arr.shape != want.shape:
            return _report(CheckResult(title, WRONG, f"Case {i + 1}: shape {got_arr.shape}, "
                                       f"expected {want.shape}. Hint: {hint}"), verbose)
        if not np.allclose(got_arr, want, rtol=rtol, atol=atol, equal_nan=False):
            diff = float(np.max(np.abs(got_arr - want)))
            return _report(CheckResult(title, WRONG, f"Case {i + 1}: largest difference "
                                       f"from the reference is {diff:.3g}. Hint: {hint}"), verbose)
    return _report(CheckResult(title, CORRECT, "Well done."), verbose)


def check_value(title: str, value: Any, expected: Any, hint: str, rtol: float = 1e-6,
                atol: float = 1e-8, verbose: bool = True) -> CheckResult:
    """Compare a computed answer ``value`` with ``expected`` (a number or array)."""
    return check_function(title, lambda: value, lambda: expected, [()], hint,
                          rtol=rtol, atol=atol, verbose=verbose)
