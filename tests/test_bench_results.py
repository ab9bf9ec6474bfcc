"""benchmarks/_results.py: each benchmark rewrites only its own section of RESULTS.md."""
import importlib.util
from pathlib import Path


PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "_results.py"
spec = importlib.util.spec_from_file_location("_results", PATH)
results = importlib.util.module_from_spec(spec)
spec.loader.exec_module(results)

DOC = ("# Benchmark results\n\n## Lemma\n\nold lemma\n\n<!-- BEGIN speed -->\n## Speed\nold speed\n"
       "<!-- END speed -->\n\n## Last\n\nkeep\n")


def test_heading_section_stops_at_the_next_marker(tmp_path):
    path = tmp_path / "RESULTS.md"
    path.write_text(DOC)
    results.write_section("## Lemma\n\nnew lemma\n", path, heading="## Lemma")
    text = path.read_text()
    assert "new lemma" in text and "old lemma" not in text
    assert "<!-- BEGIN speed -->" in text and "old speed" in text and "keep" in text


def test_marker_section_is_replaced_once_and_others_kept(tmp_path):
    path = tmp_path / "RESULTS.md"
    path.write_text(DOC)
    for body in ("## Speed\nfirst\n", "## Speed\nsecond\n"):
        results.write_section(body, path, key="speed")
    text = path.read_text()
    assert text.count("BEGIN speed") == 1 and "second" in text and "first" not in text
    assert "old lemma" in text and "keep" in text


def test_missing_section_is_appended_and_file_created(tmp_path):
    path = tmp_path / "RESULTS.md"
    results.write_section("## New\nx\n", path, key="new")
    assert path.read_text().startswith("# Benchmark results")
    assert path.read_text().rstrip().endswith("<!-- END new -->")
