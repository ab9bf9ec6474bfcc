"""vae_teach.nets.threads: CPU affinity and cgroup quotas (faked in tmp_path) → torch's thread count."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from vae_teach.nets.threads import ENV_VAR, allowed_cpus, cap_torch_threads, cgroup_cpu_limit


ROOT = Path(__file__).resolve().parents[1]


def _tree(tmp_path, files: dict[str, str], proc: str = "0::/\n"):
    """A fake /sys/fs/cgroup under tmp_path/cg and a fake /proc/self/cgroup; returns kwargs."""
    for rel, text in files.items():
        path = tmp_path / "cg" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (tmp_path / "self_cgroup").write_text(proc)
    return {"root": tmp_path / "cg", "proc_self_cgroup": tmp_path / "self_cgroup"}


@pytest.fixture
def threads_restored():
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def test_no_cgroup_files_means_no_limit_and_affinity_counts(tmp_path):
    kw = {"root": tmp_path / "missing", "proc_self_cgroup": tmp_path / "missing_too"}
    assert cgroup_cpu_limit(**kw) is None
    assert allowed_cpus(**kw, affinity={0, 1, 2, 3, 4, 5}) == 6


def test_v2_quota_smaller_than_affinity_wins(tmp_path):
    kw = _tree(tmp_path, {"cpu.max": "150000 100000\n"})
    assert cgroup_cpu_limit(**kw) == pytest.approx(1.5)
    assert allowed_cpus(**kw, affinity=set(range(8))) == 1        # 1.5 CPUs → 1 thread
    kw = _tree(tmp_path, {"cpu.max": "400000 100000\n"})
    assert allowed_cpus(**kw, affinity=set(range(8))) == 4
    assert allowed_cpus(**kw, affinity={3, 5}) == 2               # affinity smaller: it wins


def test_v2_max_means_unlimited(tmp_path):
    kw = _tree(tmp_path, {"cpu.max": "max 100000\n"})
    assert cgroup_cpu_limit(**kw) is None
    assert allowed_cpus(**kw, affinity={0, 1, 2}) == 3


def test_v2_own_cgroup_and_its_parents_are_read(tmp_path):
    kw = _tree(tmp_path, {"cpu.max": "max 100000\n",
                          "kubepods/pod1/cpu.max": "max 100000\n",
                          "kubepods/cpu.max": "200000 100000\n"},
               proc="0::/kubepods/pod1\n")
    assert cgroup_cpu_limit(**kw) == pytest.approx(2.0)
    assert allowed_cpus(**kw, affinity=set(range(16))) == 2


def test_v1_quota(tmp_path):
    kw = _tree(tmp_path, {"cpu,cpuacct/cpu.cfs_quota_us": "300000\n",
                          "cpu,cpuacct/cpu.cfs_period_us": "100000\n"},
               proc="4:memory:/x\n2:cpu,cpuacct:/\n1:name=systemd:/\n")
    assert cgroup_cpu_limit(**kw) == pytest.approx(3.0)
    assert allowed_cpus(**kw, affinity=set(range(8))) == 3


def test_v1_minus_one_is_unlimited_and_garbage_is_ignored(tmp_path):
    kw = _tree(tmp_path, {"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n",
                          "cpu.max": "not a quota\n"},
               proc="2:cpu:/\n")
    assert cgroup_cpu_limit(**kw) is None
    assert allowed_cpus(**kw, affinity={0, 1}) == 2


def test_quota_below_one_cpu_still_gives_one(tmp_path):
    kw = _tree(tmp_path, {"cpu.max": "50000 100000\n"})
    assert cgroup_cpu_limit(**kw) == pytest.approx(0.5)
    assert allowed_cpus(**kw, affinity=set(range(4))) == 1


def test_default_arguments_match_this_machine():
    n = allowed_cpus()
    assert 1 <= n <= len(os.sched_getaffinity(0))


def test_cap_lowers_torch_threads_to_the_quota(tmp_path, threads_restored):
    torch.set_num_threads(3)
    kw = _tree(tmp_path, {"cpu.max": "100000 100000\n"})
    assert cap_torch_threads(environ={}, **kw) == 1
    assert torch.get_num_threads() == 1


def test_cap_never_raises_an_earlier_lower_setting(tmp_path, threads_restored):
    torch.set_num_threads(1)
    kw = _tree(tmp_path, {"cpu.max": "800000 100000\n"})
    assert cap_torch_threads(environ={}, **kw, affinity=set(range(8))) == 1


def test_env_variable_sets_exactly(tmp_path, threads_restored):
    torch.set_num_threads(1)
    kw = _tree(tmp_path, {"cpu.max": "100000 100000\n"})
    assert cap_torch_threads(environ={ENV_VAR: "2"}, **kw) == 2     # the override wins
    assert torch.get_num_threads() == 2
    assert cap_torch_threads(environ={ENV_VAR: ""}, **kw) == 1      # empty = unset


@pytest.mark.parametrize("bad", ["0", "-2", "two", "1.5", " "])
def test_bad_env_value_is_a_clear_value_error(bad, threads_restored):
    before = torch.get_num_threads()
    with pytest.raises(ValueError, match=rf"{ENV_VAR}=.* whole number .*set it to e\.g\. "
                                         rf"{ENV_VAR}=1.*or unset it"):
        cap_torch_threads(environ={ENV_VAR: bad})
    assert torch.get_num_threads() == before


def test_importing_the_model_caps_threads_in_a_fresh_process():
    code = ("import torch; torch.set_num_threads(2); import vae_teach.nets.model; "
            "print(torch.get_num_threads())")
    env = {**os.environ, ENV_VAR: "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "1"
    env[ENV_VAR] = "lots"
    out = subprocess.run([sys.executable, "-c", "import vae_teach.nets.model"], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode != 0 and f"{ENV_VAR}='lots'" in out.stderr
