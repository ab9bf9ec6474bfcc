"""``make weights``: retrain the pretrained models of ``nets.pretrained`` and rewrite their manifest.

Usage: ``python -m vae_teach.tools.weights --build [name …]``. One CPU thread and fixed seeds,
so a rebuild reproduces the files bit for bit on the same platform.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from vae_teach.nets.checkpoints import save_checkpoint
from vae_teach.nets.pretrained import (MANIFEST, SPECS, WEIGHTS_DIR, _check_name, _fit, list_models,
                                       load_data, read_manifest)


__all__ = ['build']


def build(names=None, weights_dir=None, seed: int = 0, progress: bool = True) -> dict:
    """Train the models ``names`` (default: all), write ``<name>.pt`` and the manifest."""
    names = list(SPECS) if names is None else [n for n in names if _check_name(n)]
    weights_dir = Path(weights_dir or WEIGHTS_DIR)
    weights_dir.mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(weights_dir)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # reproducible files and fair timings on a shared 2-core box
    try:
        for name in names:
            _build_one(name, weights_dir, manifest, seed, progress)
    finally:
        torch.set_num_threads(threads)
    (weights_dir / MANIFEST).write_text(json.dumps({"models": manifest}, indent=1) + "\n")
    return manifest


def _build_one(name: str, weights_dir: Path, manifest: dict, seed: int, progress: bool):
    """Train model ``name``, save it and record it in ``manifest`` (in place)."""
    from vae_teach.nets.evaluate import evaluate

    model, history, seconds = _fit(name, seed, progress)
    spec = SPECS[name]
    meta = {"name": name, "scale": spec["scale"], "beta": spec["beta"], "seed": seed,
            "epochs": spec["epochs"], "best_epoch": history["best_epoch"],
            "torch": torch.__version__}
    if spec["config"]["model"] == "VAE":
        X_test, _ = load_data(name, "test")
        res = evaluate(model, X_test, k=100, n_samples=20, seed=seed)
        meta.update(test_elbo=round(res["elbo"], 3), test_iwae100=round(res["iwae"], 3))
    path = weights_dir / f"{name}.pt"
    digest = save_checkpoint(model, path, meta=meta)
    path.with_name(path.name + ".sha256").unlink()  # the manifest holds the hash
    manifest[name] = {"file": path.name, "sha256": digest, "bytes": path.stat().st_size,
                      "config": spec["config"], "meta": meta,
                      "train_seconds": round(seconds, 1)}
    print(f"{name}: {seconds:.1f} s, best epoch {history['best_epoch']}, "
          + ", ".join(f"{k}={v}" for k, v in meta.items() if k.startswith("test_")))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", action="store_true", help="train and write all weights")
    parser.add_argument("--only", nargs="*", help="build only these models")
    parser.add_argument("--dir", default=None, help=f"weights folder (default {WEIGHTS_DIR})")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    if not args.build:
        for name, d in list_models().items():
            print(f"{name:16s} {d['description']}")
        return
    t0 = time.perf_counter()
    build(args.only, args.dir, progress=not args.quiet)
    print(f"built in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
