"""Run the notebooks again, under nbval, as if on other CPUs: the checked outputs must not move.

A student's laptop may lack AVX-512 (most do), may be an old x86-64 with SSE4.2 only, or may run
another number of threads. Each of those takes other code paths through numpy's SIMD loops,
OpenBLAS's and MKL's kernels and torch's vectorised ops, and so other rounding. This script
re-creates those paths on one machine with the libraries' own switches and runs
``pytest notebooks --nbval-lax`` under each:

================  =============================================================================
switch            what it changes
================  =============================================================================
``NPY_DISABLE_CPU_FEATURES``  numpy's dispatched SIMD loops (sums, exp/log, sorting, argpartition)
``OPENBLAS_CORETYPE``         numpy's and scipy's OpenBLAS kernels (matmul, solve, Cholesky)
``ATEN_CPU_CAPABILITY``       torch's vectorised CPU kernels (``default`` = no SIMD dispatch)
``MKL_ENABLE_INSTRUCTIONS``   torch's BLAS (MKL) code path
``ONEDNN_MAX_CPU_ISA``        torch's oneDNN (linear layers) code path
``*_NUM_THREADS``             how sums are split over threads
================  =============================================================================

What it cannot simulate: another instruction set (ARM/Apple Silicon use NEON/SVE kernels and
Accelerate), other library builds (conda-forge's numpy uses its own OpenBLAS/MKL), and more
threads than this machine has cores (the libraries cap the count at the cores they see). The
rounding rules in CONTRIBUTING.md ("Reproducible on every machine") are what cover those.

Usage::

    python tests/simulated_machines.py            # every machine, all notebooks
    python tests/simulated_machines.py --list     # the machines and what each switches
    python tests/simulated_machines.py avx2-1thread notebooks/06_independent_samples.ipynb

Exit status: 0 when every run passed, else the first failing pytest status.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]

# Each machine: a description and the environment that simulates it. numpy's features are named
# by its x86-64 "microarchitecture levels": X86_V3 = AVX2/FMA3, X86_V4 = AVX-512 (SKX).
MACHINES: dict[str, tuple[str, dict[str, str]]] = {
    "avx2-1thread": (
        "a laptop without AVX-512 (x86-64-v3: AVX2, FMA3), one thread",
        {"NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
         "OPENBLAS_CORETYPE": "Haswell",
         "ATEN_CPU_CAPABILITY": "avx2",
         "MKL_ENABLE_INSTRUCTIONS": "AVX2",
         "ONEDNN_MAX_CPU_ISA": "AVX2",
         "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}),
    "sse42-generic": (
        "an old x86-64 (x86-64-v2: SSE4.2, no AVX), numpy baseline loops, torch generic kernels, "
        "every core",
        {"NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR",
         "OPENBLAS_CORETYPE": "Nehalem",
         "ATEN_CPU_CAPABILITY": "default",
         "MKL_ENABLE_INSTRUCTIONS": "SSE4_2",
         "ONEDNN_MAX_CPU_ISA": "SSE41"}),
}

PROBE = """
import json, numpy as np, scipy.linalg, threadpoolctl, torch
from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
print(json.dumps({
    "numpy SIMD": [f for f in __cpu_dispatch__ if __cpu_features__[f]] or ["baseline only"],
    "torch kernels": torch.backends.cpu.get_cpu_capability(),
    "torch threads": torch.get_num_threads(),
    "BLAS": sorted({f"{d['internal_api']} {d.get('architecture') or ''} x{d['num_threads']}"
                    for d in threadpoolctl.threadpool_info()})}))
"""


def environment(name: str) -> dict[str, str]:
    """This process's environment with machine ``name``'s switches set."""
    env = dict(os.environ)
    env.pop("PYTEST_ADDOPTS", None)
    env.update(MACHINES[name][1])
    return env


def describe(name: str) -> str:
    env = environment(name)
    probe = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True,
                           text=True, check=True).stdout.strip()
    return f"== simulated machine {name}: {MACHINES[name][0]}\n   in effect: {probe}"


def run(name: str, paths: list[str]) -> int:
    print(describe(name), flush=True)
    cmd = [sys.executable, "-m", "pytest", *paths, "--nbval-lax", "--nbval-current-env",
           "-p", "no:cacheprovider", "-q", "-o", "addopts="]
    return subprocess.run(cmd, cwd=ROOT, env=environment(name)).returncode


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("args", nargs="*", help="machine names and/or notebook paths")
    parser.add_argument("--list", action="store_true", help="list the machines and exit")
    opts = parser.parse_args(argv)
    if opts.list:
        for name in MACHINES:
            print(describe(name))
        return 0
    names = [a for a in opts.args if a in MACHINES] or list(MACHINES)
    paths = [a for a in opts.args if a not in MACHINES] or ["notebooks"]
    status = 0
    for name in names:
        rc = run(name, paths)
        print(f"== {name}: {'passed' if rc == 0 else f'FAILED (pytest exit {rc})'}", flush=True)
        status = status or rc
    return status


if __name__ == "__main__":
    sys.exit(main())
