"""Benchmark: Monte-Carlo check of the CLOSE FORM slide's Lemma, 10^6 samples, m = 10, full Σ.

    python benchmarks/bench_gaussian_lemma.py            # print the figures
    python benchmarks/bench_gaussian_lemma.py --write    # also update benchmarks/RESULTS.md

Compares ``vae_teach.maths.lemma.lemma_monte_carlo`` (chunked, whitened: y = L⁻¹(ξ − μ) from one
small matrix product per chunk) with a naive reference in the same process: draw all ξ at once
and average ``scipy.stats.multivariate_normal.logpdf(ξ)``. Both must agree with the closed form
within 4 standard errors. Goal: ≤ 0.3 s for the fast path on the 2-core development machine.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parent))  # for _results
import numpy as np
from _results import write_section as _write_section  # noqa: E402
from scipy.stats import multivariate_normal

from vae_teach.maths.lemma import lemma_closed_form, lemma_monte_carlo, random_lemma_args


HEADING = "## Gaussian lemma Monte-Carlo"
RESULTS = Path(__file__).with_name("RESULTS.md")
N_SAMPLES, M, SEED, REPEATS = 10**6, 10, 0, 5


def _time(fn, repeats: int) -> tuple[list[float], list[float], object]:
    """Wall-clock and process CPU seconds of each of ``repeats`` calls, and the last result."""
    wall, cpu, out = [], [], None
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return wall, cpu, out


def naive_reference(mu_tilde, Sigma_tilde, mu, Sigma, n, seed):
    """Draw every ξ, then scipy's logpdf: (mean, standard error)."""
    eps = np.random.default_rng(seed).standard_normal((n, len(mu)))
    xi = mu_tilde + eps @ np.linalg.cholesky(Sigma_tilde).T
    values = multivariate_normal(mu, Sigma).logpdf(xi)
    return float(values.mean()), float(values.std(ddof=1) / np.sqrt(n))


def run() -> dict:
    args = random_lemma_args(M, np.random.default_rng(SEED), condition_number=100.0)
    exact = lemma_closed_form(*args)
    fast_t, fast_cpu, (fast_mean, fast_se) = _time(
        lambda: lemma_monte_carlo(*args, N_SAMPLES, SEED), REPEATS)
    ref_t, ref_cpu, (ref_mean, ref_se) = _time(
        lambda: naive_reference(*args, N_SAMPLES, SEED), 3)
    return dict(exact=exact, fast_mean=fast_mean, fast_se=fast_se, ref_mean=ref_mean,
                ref_se=ref_se, fast_best=min(fast_t), fast_median=float(np.median(fast_t)),
                ref_best=min(ref_t), ref_median=float(np.median(ref_t)),
                fast_cpu=float(np.median(fast_cpu)), ref_cpu=float(np.median(ref_cpu)),
                load=os.getloadavg(), cpus=os.cpu_count())


def report(r: dict) -> str:
    z_fast = (r["fast_mean"] - r["exact"]) / r["fast_se"]
    z_ref = (r["ref_mean"] - r["exact"]) / r["ref_se"]
    wall_ok = "meets" if r["fast_best"] <= 0.3 else "MISSES"
    cpu_ok = "meets" if r["fast_cpu"] <= 0.3 else "MISSES"
    ok = (f"{wall_ok} the ≤ 0.3 s goal in wall-clock time (best run) and {cpu_ok} it in CPU "
          f"time (median); on a busy machine the wall clock also counts waiting for a core")
    return "\n".join([
        HEADING,
        "",
        f"`python benchmarks/bench_gaussian_lemma.py --write` — 10^6 samples, m = {M}, full Σ and "
        f"Σ̃ (condition number 100), seed {SEED}; {platform.processor() or platform.machine()}, "
        f"{r['cpus']} CPUs, load average {r['load'][0]:.1f} during the run (the machine is shared "
        f"with other jobs, so times vary).",
        "",
        "| estimator | mean ± s.e. (nats) | (MC − closed form)/s.e. | wall, best | wall, "
        "median | CPU, median |",
        "|---|---|---|---|---|---|",
        f"| closed form `lemma_closed_form` | {r['exact']:.5f} | — | — | — | — |",
        f"| `lemma_monte_carlo` (chunked, whitened) | {r['fast_mean']:.5f} ± {r['fast_se']:.5f} "
        f"| {z_fast:+.2f} | {r['fast_best']:.3f} s | {r['fast_median']:.3f} s "
        f"| {r['fast_cpu']:.3f} s |",
        f"| naive: all ξ + `scipy.stats.multivariate_normal.logpdf` | {r['ref_mean']:.5f} ± "
        f"{r['ref_se']:.5f} | {z_ref:+.2f} | {r['ref_best']:.3f} s | {r['ref_median']:.3f} s "
        f"| {r['ref_cpu']:.3f} s |",
        "",
        f"Speed-up over the naive reference (median / median): "
        f"{r['ref_median'] / r['fast_median']:.1f}× wall-clock, "
        f"{r['ref_cpu'] / r['fast_cpu']:.1f}× CPU time; the fast path {ok}. Both estimators "
        f"use the same random draws, so their means agree to rounding.",
        "",
    ])


def write_section(text: str, path: Path = RESULTS) -> None:
    """Replace this benchmark's section of RESULTS.md (or append it), keeping the others."""
    _write_section(text, path, heading=HEADING)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    text = report(run())
    print(text)
    if parser.parse_args().write:
        write_section(text)
        print(f"wrote {RESULTS}")
