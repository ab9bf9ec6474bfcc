"""A class on the local JupyterHub: N students at once, bounded, loopback only.

    flock /tmp/vae_bench.lock .venv/bin/python benchmarks/bench_hub_load.py      # N = 10
    .venv/bin/python benchmarks/bench_hub_load.py --students 3 --no-write        # a quick look

What it does (deploy/jupyterhub_config.py, driven through deploy/hubkit.py):
1. starts the hub on free 127.0.0.1 ports (state in a temporary folder);
2. one student alone on the idle hub ("probe") runs, each in a fresh kernel, the math
   notebooks 07 and 03 (no torch) and the candidates for the heaviest notebook (08, 09), cell by
   cell over the kernel websocket; the candidate that needs the most CPU-seconds is "the
   heaviest" (CPU time is steadier than wall time on a shared machine);
3. N students log in through the login form, spawn, open the heaviest notebook, run it cell by
   cell, then open the latent-space explorer (notebook 12's setup cell and the cell that creates
   it, in the same kernel) and move a slider with the comm message a browser sends; the kernel
   must answer with a new decoded image;
4. records spawn time (p50/p95), memory per student (the student's server process and all its
   kernels: RSS and USS, psutil), the notebook's run time alone vs under load, CPU seconds per
   student and errors (must be 0), and writes a section into benchmarks/RESULTS.md.

Bounded: a fixed number of students and a hard time limit (--time-limit, default 900 s); on
timeout, Ctrl-C, SIGTERM or any error the hub, the proxy and every student's server and kernel
are stopped (process group by process group) before it exits.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(ROOT / "benchmarks"))
import hubkit  # noqa: E402
from _results import write_section  # noqa: E402


NB = ROOT / "notebooks"
CANDIDATES = ("08_closed_form_elbo.ipynb", "09_vae_loss_and_training.ipynb")
MATH = ("07_gaussian_lemma.ipynb", "03_generative_model_mle.ipynb")
EXPLORER = "12_latent_space_explorer.ipynb"
TORCH_PROBE = "import sys; print('torch' in sys.modules)"


class Aborted(Exception):
    pass


def _explorer_cells() -> list[int]:
    """Notebook 12's first code cell (imports, models) and the cell that creates the explorer."""
    cells = json.loads((NB / EXPLORER).read_text())["cells"]
    code = [i for i, c in enumerate(cells) if c["cell_type"] == "code"]
    make = [i for i in code if "LatentExplorer(" in "".join(cells[i]["source"])]
    if not make:
        raise LookupError(f"{EXPLORER} has no cell that creates a LatentExplorer")
    return [code[0], make[0]]


def pct(values, q):
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def run_in_fresh_kernel(hub, user, notebook, timeout, cells=None, keep=False):
    """Open ``notebook`` in a new session of ``user``'s server and run it; measurements."""
    server = hub.server_process(user)
    kernel = hubkit.Kernel(hub, user, f"notebooks/{notebook}")
    try:
        cpu0 = hubkit.tree_memory(server)["cpu_s"]
        t0 = time.perf_counter()
        errors = kernel.run_notebook(NB / notebook, timeout=timeout, cells=cells)
        run_s = time.perf_counter() - t0
        torch_loaded = kernel.output_text(TORCH_PROBE).strip() == "True"
        mem = hubkit.tree_memory(server, uss=True)
        return {"notebook": notebook, "run_s": run_s, "errors": errors, "torch": torch_loaded,
                "cpu_s": mem["cpu_s"] - cpu0, "rss_mb": mem["rss_mb"], "uss_mb": mem["uss_mb"],
                "kernel": kernel if keep else None}
    finally:
        if not keep:
            kernel.close()


def widget_step(kernel, timeout):
    """Notebook 12's explorer in the student's kernel, then a slider move; errors, latency."""
    errors = kernel.run_notebook(NB / EXPLORER, timeout=timeout, cells=_explorer_cells())
    if errors:
        return errors, float("nan")
    t0 = time.perf_counter()
    answer = kernel.move_slider(1.0, timeout=timeout)
    latency = time.perf_counter() - t0
    errors = list(answer["errors"])
    if not answer["image"]:
        errors.append(f"slider moved, but the kernel updated no image (updated: "
                      f"{answer['updated']})")
    return errors, latency


def student(hub, name, notebook, deadline, barrier, out):
    """One student's session; fills ``out`` (errors as strings, never raises)."""
    out.update(name=name, errors=[])
    kernel = None
    try:
        t0 = time.perf_counter()
        hub.login(name)
        out["login_s"] = time.perf_counter() - t0
        out["spawn_s"] = hub.spawn(name, timeout=max(10, deadline - time.monotonic()))
        out["server"] = hub.server_process(name)
        left = max(10, deadline - time.monotonic())
        res = run_in_fresh_kernel(hub, name, notebook, left, keep=True)
        kernel = res.pop("kernel")
        out.update(run_s=res["run_s"], torch=res["torch"])
        out["errors"] += res["errors"]
        if not res["errors"]:
            errors, out["slider_s"] = widget_step(kernel, max(10, deadline - time.monotonic()))
            out["errors"] += errors
        out["cpu_s"] = hubkit.tree_memory(out["server"])["cpu_s"]
    except Exception as exc:            # noqa: BLE001 -- every failure is a counted error
        out["errors"].append(f"{type(exc).__name__}: {exc}")
    finally:
        try:
            barrier.wait(timeout=max(1, deadline - time.monotonic()))
        except threading.BrokenBarrierError:
            pass
        out["done"] = True
        out["kernel"] = kernel


def sampler(hub, results, stop, series):
    """Every second: RSS of each student's tree and the machine's load (for the peak)."""
    while not stop.wait(1.0):
        total, per = 0.0, {}
        for r in results:
            if "server" in r:
                rss = hubkit.tree_memory(r["server"])["rss_mb"]
                per[r["name"]] = rss
                total += rss
        series.append({"t": time.monotonic(), "total_rss_mb": total, "per": per,
                       "load1": os.getloadavg()[0]})


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=10)
    ap.add_argument("--time-limit", type=float, default=900.0,
                    help="hard limit in seconds for the whole run (default 900)")
    ap.add_argument("--no-write", action="store_true", help="print, do not touch RESULTS.md")
    args = ap.parse_args(argv)
    if not 1 <= args.students <= 60:
        raise ValueError(f"--students {args.students}: pick 1..60 (each needs ≈ 0.5 GB)")
    if args.time_limit < 60:
        raise ValueError(f"--time-limit {args.time_limit}: give at least 60 s")
    t_start = time.monotonic()
    deadline = t_start + args.time_limit

    def on_signal(signum, _frame):
        raise Aborted(f"signal {signal.Signals(signum).name}")
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGALRM, on_signal)
    signal.alarm(int(args.time_limit) + 1)          # the hard limit, even if a thread hangs

    load_before = os.getloadavg()
    hub = hubkit.Hub(Path(tempfile.mkdtemp(prefix="vae_hub_load_")))
    results: list[dict] = []
    try:
        hub.start()
        base = {p.pid: p for p in hub.processes()}
        hub_rss = sum(p.memory_info().rss for p in base.values()) / 2**20

        # -- one student alone on the idle hub ---------------------------------------------
        hub.login("probe")
        spawn_alone = hub.spawn("probe")
        server_alone = hubkit.tree_memory(hub.server_process("probe"), uss=True)
        alone = {}
        for nb in MATH + CANDIDATES:
            alone[nb] = run_in_fresh_kernel(hub, "probe", nb, deadline - time.monotonic())
            print(f"alone {nb}: {alone[nb]['run_s']:.1f} s, torch {alone[nb]['torch']}, "
                  f"tree RSS {alone[nb]['rss_mb']:.0f} MB USS {alone[nb]['uss_mb']:.0f} MB, "
                  f"errors {alone[nb]['errors']}", flush=True)
        heaviest = max(CANDIDATES, key=lambda nb: alone[nb]["cpu_s"])   # the most CPU work
        res = run_in_fresh_kernel(hub, "probe", heaviest, deadline - time.monotonic(), keep=True)
        wkernel = res.pop("kernel")
        w_errors, slider_alone = widget_step(wkernel, deadline - time.monotonic())
        probe_full = hubkit.tree_memory(hub.server_process("probe"), uss=True)
        wkernel.close()
        alone_errors = sum(len(a["errors"]) for a in alone.values()) + len(w_errors)
        hub.api("DELETE", "/users/probe/server")
        hubkit.wait_for(lambda: not hub.api("GET", "/users/probe").json()["servers"], 60,
                        "probe server stopped")

        # -- N students at once ------------------------------------------------------------
        n = args.students
        barrier = threading.Barrier(n + 1)
        results = [{} for _ in range(n)]
        stop, series = threading.Event(), []
        threads = [threading.Thread(target=student, daemon=True,
                                    args=(hub, f"student{i:02d}", heaviest, deadline, barrier,
                                          results[i])) for i in range(n)]
        watch = threading.Thread(target=sampler, args=(hub, results, stop, series), daemon=True)
        t_load = time.monotonic()
        watch.start()
        for t in threads:
            t.start()
        barrier.wait(timeout=max(1, deadline - time.monotonic()))   # all students done
        load_wall = time.monotonic() - t_load
        for r in results:                              # steady state: every kernel still open
            if "server" in r:
                r.update({k: v for k, v in hubkit.tree_memory(r["server"], uss=True).items()
                          if k in ("rss_mb", "uss_mb")})
        stop.set()
        for r in results:
            if r.get("kernel"):
                r["kernel"].close()
    except (Aborted, KeyboardInterrupt) as exc:
        print(f"aborted ({exc}); stopping the hub and every student's server", file=sys.stderr)
        return 2
    finally:
        signal.alarm(0)
        leftovers = hub.stop()
        print(f"hub stopped; processes killed after SIGTERM: {len(leftovers)}")

    errors = [e for r in results for e in r.get("errors", [])]
    if len(errors) + alone_errors:
        print("errors:", *errors, sep="\n  ")
    spawn = [r["spawn_s"] for r in results if "spawn_s" in r]
    run = [r["run_s"] for r in results if "run_s" in r]
    rss = [r["rss_mb"] for r in results if "rss_mb" in r]
    uss = [r["uss_mb"] for r in results if "uss_mb" in r]
    cpu = [r["cpu_s"] for r in results if "cpu_s" in r]
    slider = [r["slider_s"] for r in results if r.get("slider_s") == r.get("slider_s")
              and "slider_s" in r]
    peak_total = max((s["total_rss_mb"] for s in series), default=float("nan"))
    peak_student = max((v for s in series for v in s["per"].values()), default=float("nan"))
    load_peak = max((s["load1"] for s in series), default=float("nan"))
    cores = len(os.sched_getaffinity(0))
    mem_gb = psutil.virtual_memory().total / 2**30

    math_nb = MATH[0]
    math_uss = alone[math_nb]["uss_mb"]                 # probe server + the math kernel
    torch_uss = max(uss + [alone[nb]["uss_mb"] for nb in CANDIDATES])   # the largest measured
    shared_mb = max(r["rss_mb"] - r["uss_mb"] for r in results if "uss_mb" in r)
    cpu_student = statistics.median(cpu)
    math_cpu = alone[math_nb]["cpu_s"]
    accept_s = 60.0
    rule = {
        "torch_per_gb": 1024 / torch_uss, "math_per_gb": 1024 / math_uss,
        "fixed_mb": hub_rss + shared_mb,
        "torch_per_core": accept_s / cpu_student, "math_per_core": accept_s / max(math_cpu, 0.1),
    }
    summary = {"students": n, "errors": len(errors) + alone_errors, "heaviest": heaviest,
               "spawn_p50": pct(spawn, 50), "spawn_p95": pct(spawn, 95), "spawn_alone": spawn_alone,
               "run_alone": alone[heaviest]["run_s"], "run_p50": pct(run, 50),
               "run_p95": pct(run, 95), "run_max": max(run, default=float("nan")),
               "rss_p50": pct(rss, 50), "rss_max": max(rss), "uss_p50": pct(uss, 50),
               "uss_max": max(uss), "peak_student_rss": peak_student, "peak_total": peak_total,
               "slider_alone": slider_alone, "slider_p50": pct(slider, 50),
               "slider_p95": pct(slider, 95), "cpu_p50": cpu_student, "load_wall": load_wall,
               "hub_rss": hub_rss, "server_alone": server_alone, "probe_full": probe_full,
               "load_before": load_before, "load_peak": load_peak, "cores": cores,
               "mem_gb": mem_gb, "rule": rule, "alone": {k: {kk: vv for kk, vv in v.items()
                                                             if kk != "kernel"}
                                                         for k, v in alone.items()},
               "wall_total": time.monotonic() - t_start}
    print(json.dumps(summary, indent=1, default=str))
    text = report(summary)
    print(text)
    if not args.no_write:
        write_section(text, key="hub_load")
        print("wrote the hub_load section of benchmarks/RESULTS.md")
    return 0 if summary["errors"] == 0 else 1


def report(s: dict) -> str:
    a, r = s["alone"], s["rule"]
    rows = "\n".join(
        f"| {nb} | {v['run_s']:.1f} | {v['cpu_s']:.1f} | {'yes' if v['torch'] else 'no'} | "
        f"{v['rss_mb']:.0f} | {v['uss_mb']:.0f} |" for nb, v in a.items())
    return f"""## A class on the local JupyterHub

`flock /tmp/vae_bench.lock .venv/bin/python benchmarks/bench_hub_load.py` — `deploy/jupyterhub_config.py` (JupyterHub, DummyAuthenticator, SimpleLocalProcessSpawner, configurable-http-proxy) on 127.0.0.1; {s['cores']} cores, {s['mem_gb']:.0f} GB, load average {s['load_before'][0]:.2f} before (the machine is shared), peak {s['load_peak']:.1f} during the load phase; every kernel gets `VAE_TEACH_THREADS=1`. Each student logs in through the login form, spawns, opens **{s['heaviest']}** (the heaviest: the most CPU-seconds alone among {', '.join(CANDIDATES)}, table below) and runs it cell by cell over the kernel websocket, then opens the latent-space explorer (notebook 12's setup cell + the cell that creates it, same kernel) and moves a slider with a comm message; the kernel must answer with a new image. Memory: the student's server process and all its kernels (psutil), measured with every student's kernel still open after the work.

| measured | one student, idle hub | {s['students']} students at once |
|---|---|---|
| spawn (API call → server ready), s | {s['spawn_alone']:.1f} | p50 {s['spawn_p50']:.1f} · p95 {s['spawn_p95']:.1f} |
| {s['heaviest']} run time, s | {s['run_alone']:.1f} | p50 {s['run_p50']:.1f} · p95 {s['run_p95']:.1f} · max {s['run_max']:.1f} |
| slider → new image in the kernel, s | {s['slider_alone']:.2f} | p50 {s['slider_p50']:.2f} · p95 {s['slider_p95']:.2f} |
| memory per student, RSS, MB | {s['probe_full']['rss_mb']:.0f} | p50 {s['rss_p50']:.0f} · max {s['rss_max']:.0f} (peak while running {s['peak_student_rss']:.0f}) |
| memory per student, USS, MB | {s['probe_full']['uss_mb']:.0f} | p50 {s['uss_p50']:.0f} · max {s['uss_max']:.0f} |
| CPU per student (server + kernel, whole session), s | — | p50 {s['cpu_p50']:.1f} |
| errors | 0 expected | **{s['errors']}** |

All students together: peak {s['peak_total'] / 1024:.1f} GB RSS (summed over their process trees; shared library pages counted once per process), load phase {s['load_wall']:.0f} s wall. Hub + proxy: {s['hub_rss']:.0f} MB RSS. An idle single-user server: {s['server_alone']['rss_mb']:.0f} MB RSS, {s['server_alone']['uss_mb']:.0f} MB USS.

Each notebook alone, one student on the idle hub, fresh kernel (memory: server + that kernel):

| notebook | run s | CPU s | imports torch | RSS MB | USS MB |
|---|---|---|---|---|---|
{rows}

**Capacity rule for lecturers** (from these numbers; RSS counts shared libraries once per process, so memory is planned on USS plus a fixed part):
* memory: with torch (notebooks 01, 02, 05, 08–10), **{r['torch_per_gb']:.1f} students per GB** (USS {1024 / r['torch_per_gb']:.0f} MB each, the largest measured, alone or under load) plus a fixed {r['fixed_mb']:.0f} MB (hub, proxy and one copy of the shared libraries); when the class works only in the math notebooks (03, 04, 06, 07: no torch import, measured on {MATH[0]}: {a[MATH[0]]['uss_mb']:.0f} MB), **{r['math_per_gb']:.1f} students per GB**. Plan on the torch figure: one torch notebook puts a student there for the rest of the session, and the kernel keeps its memory until it is shut down (kernels are culled after 30 min idle).
* CPU: the whole exercise costs {s['cpu_p50']:.1f} CPU-seconds per student (server start, kernel, {s['heaviest']}, explorer). When everyone presses *Run All* at the same moment and a run may take up to 60 s, one core serves **{r['torch_per_core']:.0f} students** ({MATH[0]}: {a[MATH[0]]['cpu_s']:.1f} CPU-s, **{r['math_per_core']:.0f} students per core**); measured here, {s['students']} students on {s['cores']} cores took {s['run_p50']:.0f} s (p50) for what takes {s['run_alone']:.0f} s alone. Spawning is CPU-bound too (p95 {s['spawn_p95']:.0f} s for {s['students']} at once): let students log in before the lecture starts.
* give each kernel one thread (`VAE_TEACH_THREADS=1`, set by the hub config and the z2jh values): torch otherwise starts one thread per host core in every kernel.
"""


if __name__ == "__main__":
    sys.exit(main())
