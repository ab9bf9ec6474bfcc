"""benchmarks/bench_gaussian_lemma.py: the report and the RESULTS.md section it owns."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np


PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_gaussian_lemma.py"
spec = importlib.util.spec_from_file_location("bench_gaussian_lemma", PATH)
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def test_naive_reference_agrees_with_fast_estimator_on_same_draws():
    from vae_teach.maths.lemma import lemma_monte_carlo, random_lemma_args

    args = random_lemma_args(4, np.random.default_rng(0))
    fast = lemma_monte_carlo(*args, 5000, 3)
    naive = bench.naive_reference(*args, 5000, 3)
    np.testing.assert_allclose(fast, naive, rtol=1e-9)


def _fake_results():
    return dict(exact=-1.0, fast_mean=-1.01, fast_se=0.01, ref_mean=-1.01, ref_se=0.01,
                fast_best=0.2, fast_median=0.25, ref_best=1.0, ref_median=1.2, fast_cpu=0.2,
                ref_cpu=1.1, load=(0.5, 0.5, 0.5), cpus=2)


def test_write_section_replaces_only_its_own_section(tmp_path):
    path = tmp_path / "RESULTS.md"
    path.write_text("# Benchmark results\n\n## Other\n\nkeep me\n\n"
                    f"{bench.HEADING}\n\nold numbers\n\n## Last\n\nkeep me too\n")
    text = bench.report(_fake_results())
    bench.write_section(text, path)
    new = path.read_text()
    assert "old numbers" not in new and text in new
    assert new.count("keep me") == 2 and new.count(bench.HEADING) == 1
    assert new.index("## Other") < new.index(bench.HEADING) < new.index("## Last")
    assert "meets the ≤ 0.3 s goal in wall-clock" in text and "4.8× wall-clock" in text


def test_write_section_creates_or_appends(tmp_path):
    path = tmp_path / "RESULTS.md"
    bench.write_section("## Gaussian lemma Monte-Carlo\n\nx\n", path)
    assert path.read_text().startswith("# Benchmark results")
    path.write_text("# Benchmark results\n\n## Other\n\ny\n")
    bench.write_section("## Gaussian lemma Monte-Carlo\n\nx\n", path)
    assert path.read_text().endswith("## Other\n\ny\n\n## Gaussian lemma Monte-Carlo\n\nx\n\n")
