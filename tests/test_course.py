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


def test_class_plan_fills_two_hours_in_order():
    from vae_teach.course import LECTURE

    assert LECTURE[0].start == 0 and LECTURE[-1].end == 120
    assert all(a.end == b.start and a.start < a.end for a, b in zip(LECTURE, LECTURE[1:]))


def test_class_plan_names_sections_that_exist():
    from vae_teach.course import LECTURE

    for stop in LECTURE:
        if not stop.notebook:
            continue
        src = ROOT / "notebooks" / "_src" / stop.notebook.replace(".ipynb", ".py")
        headings = [line[5:] for line in src.read_text(encoding="utf-8").splitlines()
                    if line.startswith("# ## ")]
        for section in stop.sections:
            assert any(h.startswith(section) for h in headings), (
                f"{stop.notebook} has no section '## {section}…' (the class plan names it)")


def test_lecturer_guide_shows_the_class_plan():
    from vae_teach.course import lecture_markdown

    text = (ROOT / "docs" / "lecturer.md").read_text(encoding="utf-8")
    assert lecture_markdown() in text, ("docs/lecturer.md's plan differs from "
                                        "vae_teach.course.LECTURE: paste lecture_markdown()")


def test_readme_states_the_course_maps_total_time():
    import re

    total = sum(p.minutes for p in CONTENTS) / 60
    stated = re.findall(r"about (\d+\.\d) hours in all", (ROOT / "README.md").read_text())
    assert stated == [f"{total:.1f}"], f"README states {stated} hours; the map adds up to {total:.1f}"
