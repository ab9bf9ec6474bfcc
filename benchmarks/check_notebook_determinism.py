"""Run every notebook twice in fresh kernels — here and on a simulated other CPU — and compare
the checked outputs.

For each ``notebooks/NN_*.ipynb`` (sorted):

1. execute it top to bottom twice with nbclient, each time in a fresh ``python3`` kernel with
   ``notebooks/`` as working directory (as ``vae_teach.tools.nbbuild`` and nbval do): run 1 on this
   machine as it is, run 2 under one of the simulated machines of
   ``tests/simulated_machines.py`` (``--machine``, default ``sse42-generic``: numpy's baseline
   SIMD loops, torch's generic kernels, another OpenBLAS core; ``--machine native`` repeats
   run 1's settings);
2. compare the outputs of the ``# NBVAL_CHECK_OUTPUT`` cells between the two runs, and
   against the outputs stored in the ``.ipynb``; outputs are compared as nbval does
   (consecutive stream outputs merged; ``image/png``, ``image/jpeg``, widget model ids,
   metadata and execution counts ignored);
3. also count other cells (not ``# NBVAL_IGNORE_OUTPUT``) whose text outputs differ between
   the two runs: not checked by nbval, shown for information (training trajectories and
   float32 sums move there; that is why they are not checked).

Prints a table, writes ``benchmarks/out/notebook_determinism.json`` and exits 1 when a
checked cell differs (run vs run or run vs stored) or a notebook fails. Slow (each notebook
runs twice); on the shared machine take the lock::

    flock /tmp/vae_bench.lock .venv/bin/python benchmarks/check_notebook_determinism.py [04 07]
    flock /tmp/vae_bench.lock .venv/bin/python benchmarks/check_notebook_determinism.py \
        --machine avx2-1thread
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import time
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from simulated_machines import MACHINES, environment  # noqa: E402


NOTEBOOKS = ROOT / "notebooks"
OUT = ROOT / "benchmarks" / "out" / "notebook_determinism.json"
CHECK, IGNORE = "# NBVAL_CHECK_OUTPUT", "# NBVAL_IGNORE_OUTPUT"
SKIP_KEYS = {"metadata", "traceback", "prompt_number", "output_type", "name",
             "execution_count", "transient"}
SKIP_MIME = {"image/png", "image/jpeg", "application/vnd.jupyter.widget-view+json"}


def marker(cell) -> str | None:
    """``CHECK``/``IGNORE`` when the code cell's first line is an nbval marker, else None."""
    if cell.cell_type != "code":
        return None
    first = cell.source.lstrip().split("\n", 1)[0].strip()
    return {CHECK: "check", IGNORE: "ignore"}.get(first)


def merge_streams(outputs: list) -> list:
    """Consecutive stream outputs of the same stream joined into one (as nbval does)."""
    merged: list = []
    for out in outputs:
        if (out.get("output_type") == "stream" and merged
                and merged[-1].get("output_type") == "stream"
                and merged[-1].get("name") == out.get("name")):
            merged[-1] = dict(merged[-1], text=merged[-1]["text"] + out["text"])
        else:
            merged.append(dict(out))
    return merged


def comparable(outputs: list) -> list:
    """What nbval compares: per output the non-skipped keys, MIME data without images."""
    result = []
    for out in merge_streams(outputs):
        item = {}
        for key, value in out.items():
            if key in SKIP_KEYS:
                continue
            if key == "data":
                for mime, payload in value.items():
                    if mime not in SKIP_MIME:
                        item[mime] = payload if isinstance(payload, str) else json.dumps(
                            payload, sort_keys=True)
            else:
                item[key] = value
        if out.get("output_type") == "stream":
            item["stream"] = out.get("name")
        result.append(item)
    return result


def execute(nb, timeout: int, env: dict | None = None):
    """A fresh kernel (with environment ``env``) runs a copy of ``nb``; returns (executed
    notebook, seconds, error)."""
    from nbclient import NotebookClient

    nb = copy.deepcopy(nb)
    start = time.perf_counter()
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                       resources={"metadata": {"path": str(NOTEBOOKS)}}).execute(
                           **({"env": env} if env else {}))
        error = None
    except Exception as exc:  # report and go on with the next notebook
        error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1][:200]}"
    return nb, time.perf_counter() - start, error


def compare(stored, run1, run2) -> dict:
    """Indices of checked cells that differ (run1 vs run2, run1 vs stored) and of other
    non-ignored cells whose outputs differ between the runs."""
    checked, diff_runs, diff_stored, other_diff = [], [], [], []
    for i, (c0, c1, c2) in enumerate(zip(stored.cells, run1.cells, run2.cells)):
        kind = marker(c0)
        if c0.cell_type != "code" or kind == "ignore":
            continue
        o0, o1, o2 = (comparable(c.get("outputs", [])) for c in (c0, c1, c2))
        if kind == "check":
            checked.append(i)
            if o1 != o2:
                diff_runs.append(i)
            if o1 != o0:
                diff_stored.append(i)
        elif o1 != o2:
            other_diff.append(i)
    return {"checked": len(checked), "diff_runs": diff_runs, "diff_stored": diff_stored,
            "other_diff": other_diff}


def check(path: Path, timeout: int, machine: str = "native") -> dict:
    import nbformat

    stored = nbformat.read(path, as_version=4)
    run1, t1, e1 = execute(stored, timeout)
    run2, t2, e2 = execute(stored, timeout,
                           None if machine == "native" else environment(machine))
    row = {"notebook": path.name, "seconds": [round(t1, 1), round(t2, 1)],
           "error": e1 or e2}
    row.update(compare(stored, run1, run2))
    row["ok"] = row["error"] is None and not row["diff_runs"] and not row["diff_stored"]
    return row


def table(rows: list[dict]) -> str:
    head = ("| notebook | checked cells | run 1 = run 2 | run = stored | other cells differing "
            "(info) | s (run 1, run 2) |\n|---|---|---|---|---|---|")
    lines = [head]
    for r in rows:
        same = "yes" if not r["diff_runs"] else f"NO: cells {r['diff_runs']}"
        stored = "yes" if not r["diff_stored"] else f"NO: cells {r['diff_stored']}"
        if r["error"]:
            same = stored = f"ERROR {r['error']}"
        lines.append(f"| {r['notebook']} | {r['checked']} | {same} | {stored} | "
                     f"{len(r['other_diff'])} {r['other_diff'] or ''} | "
                     f"{r['seconds'][0]}, {r['seconds'][1]} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("prefixes", nargs="*", help="only notebooks starting with these")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    parser.add_argument("--machine", default="sse42-generic",
                        choices=["native", *MACHINES],
                        help="simulated machine for run 2 (tests/simulated_machines.py)")
    args = parser.parse_args(argv)
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if args.prefixes:
        paths = [p for p in paths if any(p.name.startswith(x) for x in args.prefixes)]
    if not paths:
        print(f"no notebooks found in {NOTEBOOKS}", file=sys.stderr)
        return 1
    load = os.getloadavg()[0]
    start = time.perf_counter()
    rows = []
    for path in paths:
        row = check(path, args.timeout, args.machine)
        rows.append(row)
        print(f"{path.name}: {'ok' if row['ok'] else 'DIFFERS'} "
              f"({row['seconds'][0]} s + {row['seconds'][1]} s)", flush=True)
    total = time.perf_counter() - start
    print()
    print(table(rows))
    ok = all(r["ok"] for r in rows)
    print(f"\nrun 2 on: {args.machine}"
          + ("" if args.machine == "native" else f" ({MACHINES[args.machine][0]})"))
    print(f"{sum(r['checked'] for r in rows)} checked cells in {len(rows)} notebooks; "
          f"{'all identical' if ok else 'DIFFERENCES FOUND'}; {total:.0f} s; load average "
          f"{load:.1f} before, {os.getloadavg()[0]:.1f} after.")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"rows": rows, "ok": ok, "seconds": round(total, 1),
                               "machine": args.machine}, indent=1)
                   + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
