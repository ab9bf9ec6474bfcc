"""Exercise checkers with hints, one module per topic; see ``_core`` for the verdicts.

Usage in a notebook::

    from vae_teach.exercises import check_regulariser
    check_regulariser(my_regulariser)   # prints ✓ correct / … not yet solved / ✗ wrong + hint

Each topic module (``nb07_gaussian_lemma.py`` for notebook 07, ``nb08_closed_form_elbo.py`` for 08, …) lists its
checkers in ``__all__``. They are imported lazily: asking for ``check_regulariser`` imports only
``nb02_vae_loss_intuition.py``, so a notebook does not pay for every other topic's imports (torch,
scikit-learn, …).
"""

import ast
import importlib
from pathlib import Path

from vae_teach.exercises._core import (CORRECT, NOT_SOLVED, WRONG, CheckResult,  # noqa: F401
                                       check_function, check_value)


_CORE = ["CORRECT", "NOT_SOLVED", "WRONG", "CheckResult", "check_function", "check_value"]


def _topic_index() -> dict[str, str]:
    """checker name → topic module, read from each module's literal ``__all__``."""
    index = {}
    for path in sorted(Path(__file__).parent.glob("[a-z]*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and any(
                    getattr(t, "id", None) == "__all__" for t in node.targets):
                for name in ast.literal_eval(node.value):
                    index[name] = path.stem
    return index


_INDEX = _topic_index()
__all__ = _CORE + sorted(_INDEX)


def __getattr__(name: str):
    if name not in _INDEX:
        raise AttributeError(f"vae_teach.exercises has no checker {name!r}; "
                             f"available: {', '.join(sorted(_INDEX))}")
    value = getattr(importlib.import_module(f".{_INDEX[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
