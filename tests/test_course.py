"""The course map in vae_teach.course matches the notebooks on disk and the README."""
from pathlib import Path

from vae_teach.course import CONTENTS, contents_markdown, notation_markdown


ROOT = Path(__file__).resolve().parents[1]


def test_every_listed_notebook_exists():
    missing = [p.notebook for p in CONTENTS if not (ROOT / "notebooks" / p.notebook).exists()]
    assert not missing, f"listed in vae_teach.course but absent: {missing}"


def test_every_notebook_is_listed():
    listed = {p.notebook for p in CONTENTS} | {"00_index.ipynb"}
    on_disk = {p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    assert on_disk <= listed, f"not in vae_teach.course: {sorted(on_disk - listed)}"


def test_tables_render():
    assert contents_markdown().count("\n") == len(CONTENTS) + 1
    assert "`zeta`" in notation_markdown()
