"""How many CPU threads torch may use here — safe defaults for shared machines.

Why: torch sizes its intra-op thread pool from the machine's cores and ignores the limits a
container or a JupyterHub spawner puts on the process. On a hub with a CPU limit of 1 per
student, every kernel would still start one thread per *host* core; the kernels then fight over
the cores the quota allows and each runs many times slower than with one thread. The same
happens on a shared lab machine restricted with ``taskset``.

What: :func:`allowed_cpus` reads the CPUs this process may really use — its CPU affinity and the
cgroup CPU quota (v2 ``cpu.max``, v1 ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us``), whichever is
smaller. :func:`cap_torch_threads` lowers torch's thread count to that number, or sets exactly
what the environment variable ``VAE_TEACH_THREADS`` asks for. ``vae_teach.nets.model`` calls it once,
right after importing torch, so every notebook that trains or decodes gets the cap.
"""

from __future__ import annotations

import math
import os
from contextlib import contextmanager
from pathlib import Path


__all__ = ['one_thread', 'ENV_VAR', 'allowed_cpus', 'cap_torch_threads', 'cgroup_cpu_limit']


@contextmanager
def one_thread():
    """Run torch on one CPU thread inside the block (same numbers on every machine with the
    same CPU kind, and faster for these tiny networks), then restore the thread count."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


ENV_VAR = "VAE_TEACH_THREADS"


CGROUP_ROOT = "/sys/fs/cgroup"


PROC_SELF_CGROUP = "/proc/self/cgroup"


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except (OSError, UnicodeDecodeError):
        return None


def _own_cgroups(proc_self_cgroup) -> dict[str, str]:
    """Controller → this process's cgroup path, from /proc/self/cgroup ('' is the v2 entry)."""
    text = _read(Path(proc_self_cgroup)) or ""
    paths = {}
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        for controller in parts[1].split(",") if parts[1] else [""]:
            paths[controller] = parts[2]
    return paths


def _ancestors(base: Path, cgroup_path: str | None) -> list[Path]:
    """``base/<cgroup_path>`` and every folder above it up to ``base`` (all their limits apply)."""
    folders = [base]
    if cgroup_path:
        parts = [p for p in cgroup_path.split("/") if p and p != ".."]
        folders = [base.joinpath(*parts[:k]) for k in range(len(parts), -1, -1)]
    return folders


def _v2_limit(folder: Path) -> float | None:
    text = _read(folder / "cpu.max")             # "max 100000" or "150000 100000"
    if not text:
        return None
    fields = text.split()
    try:
        if fields[0] == "max":
            return None
        quota, period = int(fields[0]), int(fields[1]) if len(fields) > 1 else 100_000
    except (ValueError, IndexError):
        return None
    return quota / period if quota > 0 and period > 0 else None


def _v1_limit(folder: Path) -> float | None:
    quota, period = _read(folder / "cpu.cfs_quota_us"), _read(folder / "cpu.cfs_period_us")
    try:
        quota_us, period_us = int(quota), int(period)
    except (TypeError, ValueError):
        return None
    return quota_us / period_us if quota_us > 0 and period_us > 0 else None   # -1: no limit


def cgroup_cpu_limit(root=CGROUP_ROOT, proc_self_cgroup=PROC_SELF_CGROUP) -> float | None:
    """The cgroup CPU quota of this process in CPUs (e.g. ``1.5``), or ``None`` when unlimited.

    Looks at cgroup v2 (``cpu.max``) and v1 (``cpu/cpu.cfs_quota_us`` over
    ``cpu.cfs_period_us``), in this process's own cgroup and every cgroup above it, and
    returns the smallest quota found. Missing or unreadable files mean "no limit there"; this
    function never raises for them. ``root`` and ``proc_self_cgroup`` exist for tests.
    """
    root = Path(root)
    own = _own_cgroups(proc_self_cgroup)
    limits = []
    for folder in _ancestors(root, own.get("")):                       # v2, unified hierarchy
        limits.append(_v2_limit(folder))
    for mount in ("cpu", "cpu,cpuacct", "cpuacct,cpu"):                # v1, the cpu controller
        for folder in _ancestors(root / mount, own.get("cpu")):
            limits.append(_v1_limit(folder))
    found = [x for x in limits if x is not None]
    return min(found) if found else None


def allowed_cpus(root=CGROUP_ROOT, proc_self_cgroup=PROC_SELF_CGROUP, affinity=None) -> int:
    """The number of CPUs this process may use: affinity and cgroup quota, the smaller, ≥ 1.

    ``affinity`` is the set of CPUs the process may run on (default:
    ``os.sched_getaffinity(0)``, or ``os.cpu_count()`` where that does not exist). A fractional
    quota is rounded down (1.5 CPUs → 1), because a thread pool larger than the quota is
    throttled by the kernel and runs slower, not faster. The result is never below 1.
    """
    if affinity is None:
        if hasattr(os, "sched_getaffinity"):
            affinity = os.sched_getaffinity(0)
        else:                                                           # macOS, Windows
            affinity = range(os.cpu_count() or 1)
    n = len(affinity)
    quota = cgroup_cpu_limit(root, proc_self_cgroup)
    if quota is not None:
        n = min(n, math.floor(quota))
    return max(1, n)


def _threads_from_env(value: str) -> int:
    try:
        n = int(value.strip())
    except ValueError:
        n = 0
    if n < 1:
        raise ValueError(f"{ENV_VAR}={value!r} is not a whole number of threads ≥ 1; set it to "
                         f"e.g. {ENV_VAR}=1 (one thread per student on a hub), or unset it to "
                         f"use the CPUs this process may use ({allowed_cpus()} here).")
    return n


def cap_torch_threads(environ=None, **cpu_kwargs) -> int:
    """Set torch's intra-op thread count for a shared machine; return the count now in use.

    * ``VAE_TEACH_THREADS=n`` set (e.g. by the hub to the student's CPU limit): exactly ``n``
      threads. A value that is not an integer ≥ 1 raises a ``ValueError`` naming the variable.
    * unset: at most :func:`allowed_cpus` threads. The count is only lowered, never raised, so
      an earlier ``torch.set_num_threads(1)`` (benchmarks, notebook 12) is kept.

    torch is imported here, inside the function, so importing this module stays cheap.
    ``environ`` (default ``os.environ``) and ``cpu_kwargs`` (passed to :func:`allowed_cpus`)
    exist for tests.
    """
    environ = os.environ if environ is None else environ
    value = environ.get(ENV_VAR)
    wanted = _threads_from_env(value) if value not in (None, "") else None

    import torch

    current = torch.get_num_threads()
    if wanted is None:
        wanted = min(current, allowed_cpus(**cpu_kwargs))
    if wanted != current:
        torch.set_num_threads(wanted)
    return torch.get_num_threads()
