"""Time every notebook under nbval, each in a fresh kernel (goal: each ≤ 30 s, all ≤ 120 s).

Runs `pytest --nbval-lax --nbval-current-env <notebook>` once per notebook, in sequence, and
reports wall time per notebook (kernel start, imports and all cells) and the total. Also the
reference run in the same process: a notebook with a single `pass` cell, i.e. the fixed cost
of pytest + a kernel. Run it on an idle machine: `python benchmarks/bench_notebook_suite.py
[--write]` (--write updates the section in benchmarks/RESULTS.md).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parent))  # for _results
import nbformat
from _results import write_section as _write_section  # noqa: E402


ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
BEGIN, END = "<!-- BEGIN notebook_suite -->", "<!-- END notebook_suite -->"


def nbval_seconds(path: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "--nbval-lax", "--nbval-current-env", str(path)],
                          cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{path.name} failed under nbval:\n{proc.stdout[-2000:]}")
    return seconds


def empty_notebook(folder: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("pass")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = folder / "empty.ipynb"
    nbformat.write(nb, path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        reference = nbval_seconds(empty_notebook(Path(tmp)))
    rows = [(p.name, nbval_seconds(p)) for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))]
    total = sum(s for _, s in rows)
    lines = [BEGIN, "## Notebook suite under nbval", "",
             "`python benchmarks/bench_notebook_suite.py --write` — each notebook in its own "
             "`pytest --nbval-lax --nbval-current-env` process with a fresh kernel, in sequence. "
             f"Reference: an empty one-cell notebook, {reference:.1f} s (pytest + kernel start).",
             "", "| notebook | wall s | × reference | goal ≤ 30 s |", "|---|---|---|---|"]
    lines += [f"| {name} | {s:.1f} | {s / reference:.1f} | {'met' if s <= 30 else 'MISSED'} |"
              for name, s in rows]
    lines += ["", f"Total: **{total:.1f} s** for {len(rows)} notebooks (goal ≤ 120 s: "
              f"{'met' if total <= 120 else 'MISSED'}). Load average (1 min) "
              f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after; 2 cores.", END]
    text = "\n".join(lines)
    print(text)
    if args.write:
        _write_section(text, RESULTS, key="notebook_suite")


if __name__ == "__main__":
    main()
