"""Claims are code: a sentence the notebook states about its numbers is checked where it stands.

``claim(holds, statement)`` prints ``✓ statement`` when ``holds`` is true and raises
:class:`ClaimFailed` (an ``AssertionError``) otherwise, so a notebook whose text no longer
matches its numbers stops with the sentence that became false. Claims are also how a result
that a training trajectory can move (a σ̃ after 30 epochs, a gap after 40) is checked on every
machine: the claim says what the text says ("σ̃ falls below 0.01"), with the tolerance the
experiment determines, instead of printing digits that another CPU would round differently.

A claim that fails is a finding: change the text or the experiment, never loosen the check.
"""

from __future__ import annotations

import numpy as np


__all__ = ['ClaimFailed', 'claim']


class ClaimFailed(AssertionError):
    """A sentence of the notebook does not hold for the numbers it computed."""


def claim(holds, statement: str) -> None:
    """Print ``✓ statement`` if ``holds`` is true; else raise :class:`ClaimFailed`.

    holds: a bool, a numpy bool or a 0-d array (``np.all(...)`` of an array condition).
    statement: the sentence, as the notebook's text states it.
    """
    if not isinstance(statement, str) or not statement.strip():
        raise TypeError(f"statement must be the sentence being checked, got {statement!r}.")
    value = np.asarray(holds)
    if value.dtype != bool or value.ndim != 0:
        raise TypeError(f"holds must be one bool (wrap array conditions in np.all(...)), got "
                        f"{type(holds).__name__} of shape {value.shape} for claim "
                        f"{statement!r}.")
    if not bool(value):
        raise ClaimFailed(f"✗ {statement} — does not hold for the numbers computed above; "
                          f"the text must change, not the check.")
    print(f"✓ {statement}")
