"""The lazy checker index finds every topic's checkers and imports them on demand."""
import re
import importlib
import sys

import pytest
from exercise_helpers import stub as exercise_stub

import vae_teach.exercises as ex


def test_every_indexed_checker_resolves_to_a_callable():
    for name in ex.__all__:
        assert callable(getattr(ex, name)) or name in ("CORRECT", "NOT_SOLVED", "WRONG")


def test_index_matches_each_topic_modules_all():
    for name, topic in ex._INDEX.items():
        module = importlib.import_module(f"vae_teach.exercises.{topic}")
        assert name in module.__all__


def test_unknown_checker_is_a_clear_error():
    with pytest.raises(AttributeError, match="available: "):
        ex.check_no_such_thing


def test_topics_are_imported_lazily():
    for mod in [m for m in sys.modules if m.startswith("vae_teach.exercises.")]:
        if mod != "vae_teach.exercises._core":
            del sys.modules[mod]
    ex.__dict__.pop("check_lemma_closed_form", None)
    ex.check_lemma_closed_form
    assert "vae_teach.exercises.nb07_gaussian_lemma" in sys.modules
    assert "vae_teach.exercises.nb12_latent_space_explorer" not in sys.modules


CHECKERS = [name for name in ex.__all__ if name.startswith("check_")
            and name not in ("check_function", "check_value", "check_prediction")]

CODE = re.compile(r"np\.|torch\.|scipy|\*\*|\.sum\(|\.mean\(|\breturn\b|[a-z_]+\([a-z_]")


@pytest.mark.parametrize("name", CHECKERS)
def test_every_checker_handles_stubs_and_garbage_without_raising(name, capsys):
    """What `make student` relies on: a stub gives 'not yet solved', never a crash, and at most
    the first hint, a conceptual nudge without code (the answer never appears unasked)."""
    checker = getattr(ex, name)
    stub = checker(exercise_stub)
    assert stub.status == ex.NOT_SOLVED and len(stub.hints) == 1
    assert not CODE.search(stub.hints[0]), f"the first hint gives code away: {stub.hints[0]!r}"
    assert "not yet solved" in capsys.readouterr().out
    assert checker(lambda *a, **k: None, verbose=False).status == ex.NOT_SOLVED
    assert checker(lambda *a, **k: "nonsense", verbose=False).status == ex.WRONG
    assert checker(lambda *a, **k: 1 / 0, verbose=False).status == ex.WRONG
