"""The checker machinery behind every exercise: check, diagnose the slip, hint in stages.

An exercise is a function the learner completes. A checker calls it on a few inputs, compares
with a reference implementation (scipy, torch.distributions or the package itself) and prints
one of three verdicts:

* ``correct``        – every case matches the reference;
* ``not yet solved`` – the stub still raises ``NotImplementedError`` or returns ``None``/``...``;
  the checker says what to do and gives the first, conceptual hint — never the answer;
* ``wrong``          – it ran but a case differs (or it raised). If the answer equals a known
  slip (``exp(ζ)`` for ``exp(ζ/2)``, a missing ½, a sum where a mean belongs, the KL's
  sign, …) the checker names it; otherwise it says which case differs and by how much.

Hints come in stages (a nudge first, then more specific). A verdict shows the first stage;
``result.hint(2)`` prints the second, and so on: the learner asks for more, nothing is hidden in
global state.

A *prediction* is an exercise whose answer is one of a few choices, recorded by a function
*before* the cell that measures it runs: ``check_prediction(title, my_prediction, choices,
measured, why)`` compares the recorded choice with the measurement and only then explains.

Checkers never raise, so a student notebook with stubs still runs top to bottom.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np


CORRECT, NOT_SOLVED, WRONG = "correct", "not yet solved", "wrong"


def _stages(hint: str | Sequence[str]) -> tuple[str, ...]:
    stages = (hint,) if isinstance(hint, str) else tuple(hint)
    if not stages or not all(isinstance(s, str) and s.strip() for s in stages):
        raise ValueError("hint must be a non-empty string or a sequence of non-empty strings "
                         "(a conceptual nudge first, then more specific ones).")
    return stages


@dataclass(frozen=True)
class CheckResult:
    """Outcome of a checker: ``status`` is one of ``correct``, ``not yet solved``, ``wrong``.

    ``hints`` are the staged hints; the verdict shows the first, ``hint(k)`` the k-th.
    """

    title: str
    status: str
    message: str
    hints: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.status == CORRECT

    def __str__(self) -> str:
        mark = {CORRECT: "✓", NOT_SOLVED: "…", WRONG: "✗"}[self.status]
        text = f"{mark} {self.title}: {self.status}. {self.message}".rstrip()
        if self.status != CORRECT and self.hints:
            text += f"\n  Hint 1/{len(self.hints)}: {self.hints[0]}"
            if len(self.hints) > 1:
                text += "\n  (more help: add .hint(2) to this check's call)"
        return text

    def hint(self, k: int = 1) -> str:
        """Print and return hint ``k`` (1 = the nudge shown with the verdict)."""
        if not self.hints:
            text = "No hints for this exercise."
        elif isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"k must be a whole number from 1 to {len(self.hints)}, got {k!r}.")
        else:
            k = min(int(k), len(self.hints))
            more = (f"  (next: .hint({k + 1}))" if k < len(self.hints) else "")
            text = f"Hint {k}/{len(self.hints)}: {self.hints[k - 1]}{more}"
        print(text)
        return text

    def _repr_html_(self) -> str:  # shown in notebooks when the result is the last expression
        import html

        colour = {CORRECT: "#1a7f37", NOT_SOLVED: "#9a6700", WRONG: "#cf222e"}[self.status]
        mark = {CORRECT: "✓", NOT_SOLVED: "…", WRONG: "✗"}[self.status]
        head = html.escape(f"{mark} {self.title}: {self.status}. {self.message}".rstrip())
        out = f'<div style="color:{colour};font-weight:600">{head}</div>'
        if self.status != CORRECT and self.hints:
            out += f"<div>Hint 1: {html.escape(self.hints[0])}</div>"
            for k, h in enumerate(self.hints[1:], start=2):
                out += (f"<details><summary>Hint {k}</summary>{html.escape(h)}</details>")
        return out


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


def _matches(got: list, fn: Callable, cases: list, rtol: float, atol: float) -> bool:
    """Whether ``fn`` gives the outputs ``got`` on the first ``len(got)`` cases."""
    try:
        for args, g in zip(cases, got):
            want = _to_numpy(fn(*args))
            if want.shape != g.shape or not np.allclose(g, want, rtol=rtol, atol=atol):
                return False
    except Exception:  # a slip that does not apply to these inputs
        return False
    return True


def check_function(title: str, fn: Callable, reference: Callable, cases: Iterable[Sequence],
                   hint: str | Sequence[str], rtol: float = 1e-6, atol: float = 1e-8,
                   verbose: bool = True,
                   slips: Mapping[str, Callable] | None = None) -> CheckResult:
    """Compare ``fn(*args)`` with ``reference(*args)`` for every ``args`` in ``cases``.

    ``hint``: the staged hints (a string, or a nudge followed by more specific ones); never the
    answer in the first stage. ``slips``: the usual mistakes, ``{"exp(ζ) instead of exp(ζ/2)":
    wrong_fn}``; a wrong answer that equals one of them on every case so far is named.
    Prints and returns a :class:`CheckResult`.
    """
    stages = _stages(hint)
    cases = list(cases)
    if not callable(fn):
        return _report(CheckResult(title, WRONG, f"Pass your function itself, not {fn!r}.",
                                   stages), verbose)
    got_so_far: list[np.ndarray] = []
    for i, args in enumerate(cases):
        try:
            got = fn(*args)
        except NotImplementedError:
            return _report(CheckResult(title, NOT_SOLVED, "Replace the `raise "
                                       "NotImplementedError()` line with your answer, then run "
                                       "this cell again.", stages[:1]), verbose)
        except Exception as exc:  # the learner's code may fail in any way; report, do not crash
            return _report(CheckResult(title, WRONG, f"Case {i + 1} raised "
                                       f"{type(exc).__name__}: {exc}.", stages), verbose)
        if _unsolved(got):
            return _report(CheckResult(title, NOT_SOLVED, f"Your function returned {got!r}: "
                                       "write your answer and return it.", stages[:1]), verbose)
        want = _to_numpy(reference(*args))
        try:
            got_arr = _to_numpy(got)
        except (TypeError, ValueError):
            return _report(CheckResult(title, WRONG, f"Case {i + 1}: expected numbers, got "
                                       f"{type(got).__name__}.", stages), verbose)
        got_so_far.append(got_arr)
        if got_arr.shape != want.shape or not np.allclose(got_arr, want, rtol=rtol, atol=atol):
            for name, slip in (slips or {}).items():
                if _matches(got_so_far, slip, cases, rtol, atol):
                    return _report(CheckResult(title, WRONG, f"Your answer is what {name} "
                                               "gives.", stages), verbose)
            if got_arr.shape != want.shape:
                return _report(CheckResult(title, WRONG, f"Case {i + 1}: shape "
                                           f"{got_arr.shape}, expected {want.shape}.", stages),
                               verbose)
            diff = float(np.nanmax(np.abs(got_arr - want))) if got_arr.size else float("nan")
            return _report(CheckResult(title, WRONG, f"Case {i + 1}: largest difference "
                                       f"from the reference is {diff:.3g}.", stages), verbose)
    return _report(CheckResult(title, CORRECT, "Well done."), verbose)


def check_value(title: str, value: Any, expected: Any, hint: str | Sequence[str],
                rtol: float = 1e-6, atol: float = 1e-8, verbose: bool = True,
                slips: Mapping[str, Any] | None = None) -> CheckResult:
    """Compare a computed answer ``value`` with ``expected`` (a number or array).

    ``slips``: ``{"name of the mistake": the value it gives}``.
    """
    return check_function(title, lambda: value, lambda: expected, [()], hint,
                          rtol=rtol, atol=atol, verbose=verbose,
                          slips={k: (lambda v=v: v) for k, v in (slips or {}).items()})


def check_prediction(title: str, prediction: Callable[[], Any], choices: Sequence[str],
                     measured: str | Callable[[], str], why: str | Callable[[], str],
                     hint: str | Sequence[str] | None = None, verbose: bool = True,
                     slips: Mapping[str, str] | None = None) -> CheckResult:
    """Compare a recorded prediction with what the cell measured, then explain.

    ``prediction``: the learner's function returning one of ``choices`` (written before the
    measurement ran); ``measured``: the choice the computation supports (computed by the
    caller from the measurement, never typed in); ``why``: the explanation, shown only once a
    prediction was recorded. A callable ``measured`` or ``why`` is called only then, so a stub
    never runs the experiment. ``slips``: {choice: "the misconception that leads to it"},
    named when that choice is predicted. A wrong prediction is a verdict, not a failure: the
    explanation follows either way, with the hints. Never raises on the learner's code.
    """
    choices = [str(c) for c in choices]
    stages = _stages(hint) if hint is not None else ()
    try:
        choice = prediction() if callable(prediction) else prediction
    except NotImplementedError:
        return _report(CheckResult(title, NOT_SOLVED, "Record your prediction (one of "
                                   f"{choices}) before you look at the result; the explanation "
                                   "appears once you have.", stages[:1]), verbose)
    except Exception as exc:  # the learner's code may fail in any way; report, do not crash
        return _report(CheckResult(title, WRONG, f"Your prediction raised {type(exc).__name__}: "
                                   f"{exc}; return one of {choices}.", stages), verbose)
    if _unsolved(choice):
        return _report(CheckResult(title, NOT_SOLVED, f"Record your prediction: one of "
                                   f"{choices}.", stages[:1]), verbose)
    if isinstance(choice, (int, float, np.integer, np.floating)) and not isinstance(choice, bool):
        value = float(choice)       # 1.0 → "1", 0.5 → "0.5": a number matches its choice
        choice = str(int(value)) if value.is_integer() else repr(value)
    key = str(choice).strip().lower()
    if key not in [c.lower() for c in choices]:
        return _report(CheckResult(title, WRONG, f"{choice!r} is not one of {choices}.",
                                   stages), verbose)
    measured = measured() if callable(measured) else measured
    why = why() if callable(why) else why
    if measured not in choices:
        raise ValueError(f"measured must be one of {choices}, got {measured!r}.")
    if key == measured.lower():
        return _report(CheckResult(title, CORRECT, f"You predicted {measured!r}, and so it is. "
                                   f"{why}"), verbose)
    names = {str(k).strip().lower(): v for k, v in (slips or {}).items()}
    slip = f" (That choice is the slip of {names[key]}.)" if key in names else ""
    return _report(CheckResult(title, WRONG, f"You predicted {str(choice).strip()!r}; the "
                               f"measurement says {measured!r}.{slip} {why}", stages), verbose)
