"""The simulated machines of ``tests/simulated_machines.py`` really switch the code paths."""
import json
import subprocess
import sys

import pytest
from simulated_machines import MACHINES, PROBE, environment


def _probe(name: str) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE], env=environment(name),
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def test_there_are_at_least_two_machines():
    assert len(MACHINES) >= 2


@pytest.mark.slow
def test_old_x86_runs_baseline_numpy_generic_torch_and_nehalem_blas():
    got = _probe("sse42-generic")
    assert got["numpy SIMD"] == ["baseline only"]
    assert got["torch kernels"] == "DEFAULT"
    assert all("Nehalem" in b for b in got["BLAS"] if b.startswith("openblas")), got["BLAS"]


@pytest.mark.slow
def test_laptop_without_avx512_runs_one_thread_and_no_avx512():
    got = _probe("avx2-1thread")
    assert "X86_V4" not in got["numpy SIMD"] and "AVX512_ICL" not in got["numpy SIMD"]
    assert got["torch kernels"] in ("AVX2", "DEFAULT")     # DEFAULT on a CPU without AVX2
    assert got["torch threads"] == 1
    assert all(b.endswith("x1") for b in got["BLAS"]), got["BLAS"]
