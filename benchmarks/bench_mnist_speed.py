"""CPU speed: vae_teach's trainer vs pytorch/examples ``vae/main.py`` on MNIST, in one process.

Reference (a): ``pytorch_examples_vae.py``, a faithful copy of main.py (per-item torchvision-like
Dataset + DataLoader, BCE + KL summed, Adam 1e-3, batch 128, seed 1), 10 epochs.
Project (b): ``vae_teach.nets.train.train`` on ``vae_teach.nets.model.VAE(784, 20, hidden=[400],
decoder="bernoulli")`` — the same 784-400-20-400-784 network — once with the reference's
settings (lr 1e-3, batch 128) and once with a larger, decaying learning rate
(lr 3e-3 × 0.8^epoch, chosen from a short sweep: 105.6 nats after 8 epochs).

Every run is scored after each epoch by the SAME evaluator: main.py's test loss (BCE + KL summed
over the 10 000 test images / 10 000, one z per image) with a fixed noise seed (common random
numbers for all models). The clocks (wall = perf_counter, CPU = process_time, all threads) run
only while training; evaluation is paused out. Target = the reference's 10-epoch test loss;
each run's "time to target" is the training time at the first epoch whose test loss ≤ target.

    flock /tmp/vae_bench.lock .venv/bin/python benchmarks/bench_mnist_speed.py     # ≈ 10 min
    .venv/bin/python benchmarks/bench_mnist_speed.py --quick    # smoke: subset, 1 epoch each

Writes benchmarks/mnist_speed.json, figures/mnist_speed.png and the section
"MNIST speed vs pytorch/examples" of benchmarks/RESULTS.md (``--quick`` writes only under
benchmarks/out/).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parent))  # for _results
import numpy as np
import torch
from _results import write_section as _write_section  # noqa: E402


HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

import pytorch_examples_vae as ref  # noqa: E402

from vae_teach.data.mnist import default_data_root, load_mnist_raw  # noqa: E402


EVAL_SEED = 12345
SECTION = "MNIST speed vs pytorch/examples"


# ----------------------------------------------------------------------------- measuring
class Clock:
    """Wall and CPU seconds spent while running (``pause``/``resume`` exclude evaluation)."""

    def __init__(self):
        self.wall = self.cpu = 0.0
        self._t = None

    def resume(self):
        self._t = (time.perf_counter(), time.process_time())

    def pause(self):
        w, c = self._t
        self.wall += time.perf_counter() - w
        self.cpu += time.process_time() - c
        self._t = None


@torch.no_grad()
def test_loss(forward, X_test: torch.Tensor, batch: int = 1000) -> float:
    """main.py's test loss (BCE + KL summed) / N for ``forward(x) -> (x_hat, mu, logvar)``.

    The z noise comes from a forked global RNG seeded with EVAL_SEED: every model sees the same
    ε, and the training runs' random streams are not touched.
    """
    total = 0.0
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(EVAL_SEED)
        for start in range(0, len(X_test), batch):
            x = X_test[start:start + batch]
            x_hat, mu, logvar = forward(x)
            total += ref.loss_function(x_hat, x, mu, logvar).item()
    return total / len(X_test)


def record(curve: list, epoch: int, clock: Clock, loss: float, extra: dict | None = None):
    curve.append({"epoch": epoch, "train_wall_s": round(clock.wall, 3),
                  "train_cpu_s": round(clock.cpu, 3), "test_loss": round(loss, 4),
                  "loadavg_1m": round(os.getloadavg()[0], 2), **(extra or {})})
    print(f"  epoch {epoch:2d}  wall {clock.wall:7.1f}s  cpu {clock.cpu:7.1f}s  "
          f"test loss {loss:8.3f}", flush=True)


# ----------------------------------------------------------------------------- the runs
def run_reference(train_u8, train_y, test_u8, test_y, X_test, epochs: int) -> dict:
    """main.py, epoch by epoch; its own test()+sample() run (paused out) as in main.py."""
    train_loader, test_loader = ref.make_loaders(train_u8, train_y, test_u8, test_y)
    model, optimizer = ref.setup(ref.SEED)
    clock, curve, e2e = Clock(), [], time.perf_counter()
    for epoch in range(1, epochs + 1):
        clock.resume()
        train_loss = ref.train(epoch, model, optimizer, train_loader)
        clock.pause()
        own = ref.test(model, test_loader)  # main.py's test(epoch), global RNG as in main.py
        ref.sample(model)
        model.eval()
        record(curve, epoch, clock, test_loss(model, X_test),
               {"train_loss": round(train_loss, 4), "main_py_test_loss": round(own, 4)})
    return {"name": "pytorch/examples vae/main.py (reference)", "curve": curve,
            "settings": {"lr": ref.LR, "batch_size": ref.BATCH_SIZE, "seed": ref.SEED,
                         "data": "per-item Dataset (PIL + ToTensor) + DataLoader, num_workers=0"},
            "end_to_end_wall_s": round(time.perf_counter() - e2e, 2)}


def run_reference_tensor(X_train, X_test, epochs: int) -> dict:
    """main.py's compute alone: its model, loss, Adam 1e-3 and batch 128, but the minibatches
    sliced from one (N, 784) tensor by a seeded permutation — no per-item PIL/ToTensor path."""
    model, optimizer = ref.setup(ref.SEED)
    gen = torch.Generator().manual_seed(ref.SEED)
    clock, curve = Clock(), []
    for epoch in range(1, epochs + 1):
        clock.resume()
        model.train()
        order = torch.randperm(len(X_train), generator=gen)
        for start in range(0, len(X_train), ref.BATCH_SIZE):
            x = X_train[order[start:start + ref.BATCH_SIZE]]
            optimizer.zero_grad()
            recon, mu, logvar = model(x)
            loss = ref.loss_function(recon, x, mu, logvar)
            loss.backward()
            optimizer.step()
        clock.pause()
        model.eval()
        record(curve, epoch, clock, test_loss(model, X_test))
    return {"name": "main.py's model, loss, Adam and batch 128, fed from a tensor "
                    "(compute reference)", "curve": curve,
            "settings": {"lr": ref.LR, "batch_size": ref.BATCH_SIZE, "seed": ref.SEED,
                         "data": "whole (N, 784) float32 tensor, random permutation slices"}}


def gemm_gflops(n: int = 1024, repeats: int = 20) -> float:
    """Measured float32 GEMM rate (GFLOP/s) of an n × n matmul with the current threads."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    for _ in range(3):
        a @ b
    t = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return 2 * n ** 3 * repeats / (time.perf_counter() - t) / 1e9


#: floating-point operations of one training epoch on 60 000 images (forward + backward ≈ 3×
#: the forward's 2·Σ fan_in·fan_out multiply-adds per image), main.py's 784-400-20-400-784
EPOCH_GFLOP = 60_000 * 6 * (784 * 400 + 400 * 40 + 20 * 400 + 400 * 784) / 1e9


def run_project(X_train, X_test, epochs: int, lr: float, batch_size: int, label: str,
                lr_decay: float = 1.0) -> dict:
    """vae_teach.nets.train.train on the same architecture; the callback evaluates (paused out)."""
    from vae_teach.nets.model import VAE
    from vae_teach.nets.train import train

    clock, curve = Clock(), []
    model = VAE(784, 20, hidden=[400], decoder="bernoulli", seed=0)

    def forward(x):
        out = model(x)
        return out.x_hat, out.mu_tilde, out.zeta

    def callback(epoch, history):
        clock.pause()
        model.eval()
        record(curve, epoch, clock, test_loss(forward, X_test),
               {"train_loss": round(history["train_loss"][-1], 4)})
        model.train()
        clock.resume()

    clock.resume()
    train(model, X_train, epochs=epochs, batch_size=batch_size, lr=lr, lr_decay=lr_decay,
          seed=0, progress=False, callback=callback)
    clock.pause()
    return {"name": label, "curve": curve,
            "settings": {"lr": lr, "lr_decay": lr_decay, "batch_size": batch_size, "seed": 0,
                         "data": "whole (N, 784) float32 tensor, random permutation slices"}}


# ----------------------------------------------------------------------------- summary
def time_to_target(run: dict, target: float) -> dict | None:
    """Training time at the first epoch whose test loss ≤ target (None if never)."""
    for point in run["curve"]:
        if point["test_loss"] <= target:
            return {"epoch": point["epoch"], "wall_s": point["train_wall_s"],
                    "cpu_s": point["train_cpu_s"]}
    return None


def summarise(runs: list[dict], epochs_ref: int) -> dict:
    """Target = the per-item reference's ``epochs_ref``-epoch test loss; every run's time to it
    as a ratio to the per-item reference's time to it (runs[0]) and to the CPU time of
    main.py's compute for the same ``epochs_ref`` epochs (runs[1], the tensor-fed copy)."""
    reference = runs[0]
    target = reference["curve"][epochs_ref - 1]["test_loss"]
    ref_hit = time_to_target(reference, target)
    compute = runs[1]["curve"][epochs_ref - 1] if len(runs[1]["curve"]) >= epochs_ref else None
    compute_hit = None if compute is None else {"cpu_s": compute["train_cpu_s"]}
    for run in runs:
        hit = time_to_target(run, target)
        run["time_to_target"] = hit
        run["ratio_to_reference"] = None if hit is None else {
            "wall": round(hit["wall_s"] / ref_hit["wall_s"], 3),
            "cpu": round(hit["cpu_s"] / ref_hit["cpu_s"], 3)}
        run["ratio_to_compute"] = None if hit is None or compute_hit is None else {
            "cpu": round(hit["cpu_s"] / compute_hit["cpu_s"], 3)}
    return {"target_test_loss": target, "target_from": f"reference, epoch {epochs_ref}"}


def machine_info(threads: int) -> dict:
    return {"torch": torch.__version__, "numpy": np.__version__,
            "python": platform.python_version(), "cpu_count": os.cpu_count(),
            "processor": platform.processor() or platform.machine(),
            "torch_num_threads": torch.get_num_threads(),
            "torch_num_interop_threads": torch.get_num_interop_threads(),
            "threads_requested": threads,
            "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"),
            "MKL_NUM_THREADS": os.environ.get("MKL_NUM_THREADS"),
            "parallel_backend": next((line.split(":", 1)[1].strip() for line in
                                      torch.__config__.parallel_info().splitlines()
                                      if "parallel backend" in line), None)}


def plot(result: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    target = result["summary"]["target_test_loss"]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    for ax, key, xlabel in zip(axes, ["train_wall_s", "train_cpu_s"],
                               ["training wall time (s)", "training CPU time (s, all threads)"]):
        for run, style in zip(result["runs"], ["o-", "s-", "^-", "d-"]):
            xs = [0] + [p[key] for p in run["curve"]]
            ys = [np.nan] + [p["test_loss"] for p in run["curve"]]
            ax.plot(xs, ys, style, ms=4, label=run["name"])
        ax.axhline(target, color="gray", ls="--", lw=1, label=f"target {target:.2f} nats")
        ax.set_xlabel(xlabel)
        ax.set_xlim(left=0)
        ax.grid(alpha=0.3)
    lo = min(p["test_loss"] for r in result["runs"] for p in r["curve"])
    axes[0].set_ylim(lo - 1.0, target + 12)
    axes[0].set_ylabel("test loss = −ELBO per image (nats)")
    axes[0].legend(fontsize=8)
    m = result["machine"]
    fig.suptitle(f"MNIST VAE 784-400-20-400-784 on CPU — torch {m['torch']}, "
                 f"{m['torch_num_threads']} thread(s), {m['cpu_count']} cores")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def results_markdown(result: dict, json_rel: str, fig_rel: str) -> str:
    s, m = result["summary"], result["machine"]
    lines = [f"## {SECTION}", "",
             "`benchmarks/bench_mnist_speed.py` (one process, runs in sequence). Reference: a "
             "faithful copy of pytorch/examples `vae/main.py` (torchvision's per-item MNIST + "
             "`ToTensor` emulated; `benchmarks/pytorch_examples_vae.py`). Project: "
             "`vae_teach.nets.train.train` on `VAE(784, 20, hidden=[400], decoder=\"bernoulli\")`. "
             "Test loss = main.py's (BCE + KL summed)/10000, one z per image, same noise for "
             "all runs; clocks run only while training.", "",
             f"Target: **{s['target_test_loss']:.3f} nats** ({s['target_from']}).", "",
             "Ratios: CPU time to the target divided by (a) the per-item reference's time to "
             "it and (b) the CPU time of main.py's compute for its 10 epochs (the tensor-fed "
             "copy: same model, loss, Adam 1e-3, batch 128).", "",
             "| run | epochs to target | wall s | CPU s | CPU ratio vs per-item main.py | "
             "CPU ratio vs its compute | CPU s/epoch |",
             "|---|---|---|---|---|---|---|"]
    for run in result["runs"]:
        hit, ratio, last = run["time_to_target"], run["ratio_to_reference"], run["curve"][-1]
        comp = run.get("ratio_to_compute")
        per_epoch = last["train_cpu_s"] / last["epoch"]
        if hit is None:
            lines.append(f"| {run['name']} | not reached in {last['epoch']} (last "
                         f"{last['test_loss']:.3f}) | – | – | – | – | {per_epoch:.2f} |")
        else:
            lines.append(f"| {run['name']} | {hit['epoch']} | {hit['wall_s']:.1f} | "
                         f"{hit['cpu_s']:.1f} | {ratio['cpu']:.2f} | "
                         f"{'–' if comp is None else format(comp['cpu'], '.2f')} | "
                         f"{per_epoch:.2f} |")
    ref_run = result["runs"][0]
    project = [r for r in result["runs"][2:] if r.get("ratio_to_compute")]
    best = min((r["ratio_to_compute"]["cpu"] for r in project), default=None)
    best_item = min((r["ratio_to_reference"]["cpu"] for r in project), default=None)
    verdict = ("no project run reached the target" if best is None else
               f"best project CPU ratio {best:.2f} against main.py's compute (goal ≤ 0.3×: "
               f"{'met' if best <= 0.3 else 'NOT met'}) and {best_item:.2f} against main.py "
               f"with its per-item data path")
    floor = result.get("floor")
    if floor:
        fastest = min(r["curve"][-1]["train_cpu_s"] / r["curve"][-1]["epoch"]
                      for r in result["runs"][1:])
        epochs_needed = min((r["time_to_target"]["epoch"] for r in project), default=None)
        verdict += (f". FLOP floor: an epoch is {floor['epoch_gflop']:.0f} GFLOP; the measured "
                    f"1024² float32 GEMM rate on {m['torch_num_threads']} thread(s) is "
                    f"{floor['gemm_gflops']:.0f} GFLOP/s, so ≥ {floor['epoch_s']:.2f} s per "
                    f"epoch; the fastest run here takes {fastest:.2f} s/epoch")
        if epochs_needed:
            compute_cpu = result["runs"][1]["curve"][9]["train_cpu_s"]
            verdict += (f". Even at the floor, the fewest epochs any run needed "
                        f"({epochs_needed}) would take {epochs_needed * floor['epoch_s']:.1f} s "
                        f"= {epochs_needed * floor['epoch_s'] / compute_cpu:.2f}× the "
                        f"compute reference")
    lines += ["",
              f"Result: {verdict}. Time to target is read at epoch ends (each run is scored "
              f"once per epoch), so a run may cross the target earlier than shown. The network "
              f"and the per-batch arithmetic are the same on both sides; the per-epoch CPU "
              f"difference is the reference's per-item data path (PIL image + `ToTensor` per "
              f"image, default collate of 128 tensors per batch).",
              f"Threads: every run uses `torch.set_num_threads({m['threads_requested']})` "
              f"(`--threads`, 0 = torch's default): on this shared 2-core machine torch's "
              f"default of 2 OpenMP threads is many times slower whenever other jobs hold a "
              f"core, which would measure the neighbours rather than the code. Wall time on a "
              f"loaded machine includes waiting for a core; CPU time (process_time, all "
              f"threads) is the steadier of the two.",
              "",
              f"Reference end to end (with main.py's own test pass each epoch): "
              f"{ref_run['end_to_end_wall_s']:.1f} s wall; main.py's own {len(ref_run['curve'])}-epoch test loss "
              f"{ref_run['curve'][-1]['main_py_test_loss']:.3f}.",
              f"Machine: {m['cpu_count']} cores ({m['processor']}), torch {m['torch']}, "
              f"torch.get_num_threads() = {m['torch_num_threads']}, interop "
              f"{m['torch_num_interop_threads']}, backend {m['parallel_backend']}; "
              f"load average (1 min) {result['loadavg_before'][0]:.2f} before, "
              f"{result['loadavg_after'][0]:.2f} after (other jobs share the machine).",
              f"Raw numbers: `{json_rel}`; figure: `{fig_rel}`.", ""]
    return "\n".join(lines)


def write_section(path: Path, text: str) -> None:
    """Replace (or append) only this benchmark's section of RESULTS.md."""
    _write_section(text, path, key="mnist_speed")


# ----------------------------------------------------------------------------- main
def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true",
                   help="smoke run: 6000 train / 2000 test images, 1 epoch each, out/ only")
    p.add_argument("--epochs", type=int, default=10, help="reference epochs (main.py: 10)")
    p.add_argument("--project-epochs", type=int, default=11,
                   help="epochs for each project run (curves go past the target)")
    p.add_argument("--tuned-lr", type=float, default=3e-3,
                   help="learning rate of the second project run (0 = skip it)")
    p.add_argument("--tuned-lr-decay", type=float, default=0.8,
                   help="lr factor per epoch in the second project run")
    p.add_argument("--batch-run", type=float, nargs=3, default=(256, 3e-3, 0.85),
                   metavar=("BATCH", "LR", "DECAY"),
                   help="a third project run with a larger batch (batch 0 = skip)")
    p.add_argument("--threads", type=int, default=1,
                   help="torch.set_num_threads for all runs (0 = leave torch's default)")
    p.add_argument("--data", default=None, help="MNIST folder (default: vae_teach.data.mnist)")
    p.add_argument("--from-json", default=None, metavar="PATH",
                   help="no training: redraw the figure and RESULTS.md section from saved "
                        "raw numbers (benchmarks/mnist_speed.json)")
    return p.parse_args(argv)


def render(result: dict, json_path: Path, fig_path: Path, write_results: bool) -> str:
    """Figure + RESULTS.md section from a result dict (fresh, or read back with --from-json)."""
    plot(result, fig_path)
    text = results_markdown(result, str(json_path.relative_to(REPO)),
                            str(fig_path.relative_to(REPO)))
    if write_results:
        write_section(HERE / "RESULTS.md", text)
    return text


def main(argv=None) -> dict:
    args = parse_args(argv)
    if args.from_json:
        json_path = Path(args.from_json).resolve()
        result = json.loads(json_path.read_text())
        result["summary"] = summarise(result["runs"], len(result["runs"][0]["curve"]))
        print(render(result, json_path, REPO / "figures" / "mnist_speed.png",
                     write_results=not result["quick"]))
        return result
    if args.threads:
        torch.set_num_threads(args.threads)
    quick = args.quick
    epochs = 1 if quick else args.epochs
    p_epochs = 1 if quick else args.project_epochs
    out_dir = HERE / "out" if quick else HERE
    json_path = out_dir / ("mnist_speed_quick.json" if quick else "mnist_speed.json")
    fig_path = (HERE / "out" / "mnist_speed_quick.png") if quick else \
        REPO / "figures" / "mnist_speed.png"

    root = args.data or default_data_root()
    train_u8, train_y = load_mnist_raw(root, "train")
    test_u8, test_y = load_mnist_raw(root, "test")
    if quick:
        train_u8, train_y, test_u8, test_y = (train_u8[:6000], train_y[:6000],
                                              test_u8[:2000], test_y[:2000])
    X_train = torch.from_numpy(train_u8.reshape(len(train_u8), 784).astype(np.float32) / 255)
    X_test = torch.from_numpy(test_u8.reshape(len(test_u8), 784).astype(np.float32) / 255)

    result = {"loadavg_before": os.getloadavg(), "machine": machine_info(args.threads),
              "quick": quick, "eval_seed": EVAL_SEED,
              "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    print(f"threads={torch.get_num_threads()} loadavg={result['loadavg_before']}", flush=True)
    runs = []
    print("reference: pytorch/examples vae/main.py", flush=True)
    runs.append(run_reference(train_u8, train_y, test_u8, test_y, X_test, epochs))
    print("compute reference: main.py's model/loss/Adam/batch 128 from a tensor", flush=True)
    runs.append(run_reference_tensor(X_train, X_test, epochs))
    print("project: vae_teach.nets.train.train, lr 1e-3, batch 128", flush=True)
    runs.append(run_project(X_train, X_test, p_epochs, 1e-3, 128,
                            "vae_teach.nets.train, same settings (lr 1e-3, batch 128)"))
    if args.tuned_lr:
        label = (f"vae_teach.nets.train, lr {args.tuned_lr:g} × {args.tuned_lr_decay:g}^epoch, "
                 f"batch 128")
        print(f"project: {label}", flush=True)
        runs.append(run_project(X_train, X_test, p_epochs, args.tuned_lr, 128, label,
                                lr_decay=args.tuned_lr_decay))
    if args.batch_run and args.batch_run[0] > 0:
        bs, lr, decay = args.batch_run
        label = f"vae_teach.nets.train, lr {lr:g} × {decay:g}^epoch, batch {int(bs)}"
        print(f"project: {label}", flush=True)
        runs.append(run_project(X_train, X_test, p_epochs, lr, int(bs), label, lr_decay=decay))
    gflops = gemm_gflops()
    result["floor"] = {"epoch_gflop": round(EPOCH_GFLOP, 1), "gemm_gflops": round(gflops, 1),
                       "epoch_s": round(EPOCH_GFLOP / gflops, 3)}
    result["runs"] = runs
    result["loadavg_after"] = os.getloadavg()
    result["summary"] = summarise(runs, epochs)

    out_dir.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(result, indent=1) + "\n")
    print(render(result, json_path, fig_path, write_results=not quick))
    return result


if __name__ == "__main__":
    main()
