"""The lazy checker index finds every topic's checkers and imports them on demand."""
import importlib
import sys

import pytest

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
    assert "vae_teach.exercises.lemma" in sys.modules
    assert "vae_teach.exercises.explorer" not in sys.modules
