"""Small pretrained digits models for the notebooks, with SHA-256-checked weights.

``load(name)`` returns a model in eval mode, verified against ``weights/MANIFEST.json``; when
the weights are absent it trains a short version instead (and says so). ``list_models()``
describes each model. Build (or rebuild) every file with::

    python -m vae_teach.tools.weights --build        # = make weights

All models are trained on the digits training split (images 0–999), best epoch chosen on the
validation split (1000–1349), with one CPU thread and fixed seeds, so a rebuild reproduces the
files on the same platform.

Pixel scale per model (``info(name)["scale"]``, data via ``load_data(name, split)``):

* Bernoulli models use binarised digits ({0,1}, see ``data``): p(x|z) is then a proper
  likelihood and −L_b is a bound in nats.
* The slide's Gaussian Σ_θ = I model uses the raw digits (0..16). With Σ_θ = I on pixels in
  [0, 1] the decoder noise (std 1) would swamp the whole pixel range: the reconstruction term
  could gain at most ~½·Σ_k Var(x_k) ≈ 3 nats per image while every informative code costs KL,
  so q_φ collapses to the prior. On the 0..16 scale std 1 is one grey level. Its networks use
  ``x_scale=16`` (see ``model``): they read x/16 and output μ_θ/16, which only speeds up
  training; the likelihood is still N(x; μ_θ(z), I) on 0..16.

To train a model with a pretrained model's architecture, use
``nets.model.build_model(info(name)["config"], seed=0)``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from vae_teach.data.digits import load_digits_split
from vae_teach.data.mnist import load_mnist_split
from vae_teach.nets.checkpoints import load_checkpoint
from vae_teach.nets.train import train


__all__ = ["load_many", "SPECS", "WEIGHTS_DIR", "list_models", "info", "load", "load_data",
           "read_manifest"]


WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"


MANIFEST = "MANIFEST.json"


HIDDEN = [128, 128]


_BERNOULLI_2D = {"model": "VAE", "M": 64, "m": 2, "hidden": HIDDEN, "decoder": "bernoulli"}


#: MNIST models (shipped split, binarised 28 × 28): one hidden layer of 200 units each way
_MNIST = {"model": "VAE", "M": 784, "m": 2, "hidden": [200], "decoder": "bernoulli"}

#: name → what it is, its config, data set and scale and training settings ("data" defaults
#: to the 8×8 digits; "lr_decay" to 1)
SPECS: dict[str, dict] = {
    "vae_mnist2": dict(
        description="VAE with a 2-D latent space on real 28×28 digits (the shipped MNIST "
                    "split, binarised), Bernoulli decoder: maps and the explorer.",
        config=_MNIST, data="mnist", scale="binary", beta=1.0, epochs=80, lr=2e-3,
        lr_decay=0.97),
    "ae_mnist2": dict(
        description="Auto-encoder with vae_mnist2's layers (2-D code, binary cross-entropy), "
                    "the baseline of notebook 01.",
        config={**_MNIST, "model": "AE"}, data="mnist", scale="binary", beta=0.0, epochs=80,
        lr=2e-3, lr_decay=0.97),
    "vae_mnist16": dict(
        description="VAE with a 16-D latent space on the shipped MNIST split: where a larger "
                    "code changes the AE-vs-VAE story.",
        config={**_MNIST, "m": 16}, data="mnist", scale="binary", beta=1.0, epochs=80,
        lr=2e-3, lr_decay=0.97),
    "ae_mnist16": dict(
        description="Auto-encoder with vae_mnist16's layers (16-D code).",
        config={**_MNIST, "model": "AE", "m": 16}, data="mnist", scale="binary", beta=0.0,
        epochs=80, lr=2e-3, lr_decay=0.97),
    "vae2d": dict(
        description="2-D latent VAE, Bernoulli decoder, binarised digits: the latent "
                    "explorer's and the figures' model.",
        config=_BERNOULLI_2D, scale="binary", beta=1.0, epochs=300, lr=1e-3),
    "vae2d_beta0.5": dict(
        description="As vae2d with β = 0.5 (weaker KL: sharper reconstructions, a latent map "
                    "that fills the prior less).",
        config=_BERNOULLI_2D, scale="binary", beta=0.5, epochs=300, lr=1e-3),
    "vae2d_beta4": dict(
        description="As vae2d with β = 4 (strong KL: codes close to N(0, I), blurrier "
                    "reconstructions).",
        config=_BERNOULLI_2D, scale="binary", beta=4.0, epochs=300, lr=1e-3),
    "ae2d": dict(
        description="Plain auto-encoder with vae2d's architecture (2-D code, binary "
                    "cross-entropy), the baseline of notebook 01.",
        config={**_BERNOULLI_2D, "model": "AE"}, scale="binary", beta=0.0, epochs=300,
        lr=1e-3),
    "vae8": dict(
        description="8-D latent VAE, Bernoulli decoder, binarised digits: the quality model "
                    "(test ELBO / IWAE in benchmarks/RESULTS.md).",
        config={**_BERNOULLI_2D, "m": 8}, scale="binary", beta=1.0, epochs=300, lr=1e-3),
    "vae_slide": dict(
        description="The slides' model: Gaussian decoder with Σ_θ = I, 2-D latent, raw "
                    "digits 0..16 (one grey level = one unit of noise std); notebooks 08/09 "
                    "evaluate the closed form of L_b and L_VAE on it.",
        config={**_BERNOULLI_2D, "decoder": "gaussian", "x_scale": 16.0}, scale="raw",
        beta=1.0, epochs=300, lr=1e-3),
    "vae_learned_var": dict(
        description="As vae_slide but with a learned scalar decoder variance σ_x² "
                    "(Σ_θ = σ_x² I), raw digits 0..16: shows the decoder-variance effect.",
        config={**_BERNOULLI_2D, "decoder": "gaussian_learned", "var": "scalar",
                "min_log_sigma2": -6.0, "x_scale": 16.0}, scale="raw", beta=1.0, epochs=500,
        lr=1e-3),
}


#: fraction of the epochs used by the fallback training when weights are missing
QUICK_FRACTION = 0.2


#: data scale → the range of the pixels a model trained on it has seen (``model.data_range``)
SCALE_RANGE = {"unit": (0.0, 1.0), "binary": (0.0, 1.0), "raw": (0.0, 16.0)}


def _check_name(name) -> dict:
    if not isinstance(name, str) or name not in SPECS:
        raise ValueError(f"unknown pretrained model {name!r}; choose one of {list(SPECS)} "
                         f"(see vae_teach.nets.pretrained.list_models()).")
    return SPECS[name]


def list_models() -> dict[str, dict]:
    """name → {description, model, decoder, m, beta, scale} for every pretrained model."""
    return {name: {"description": s["description"], "model": s["config"]["model"],
                   "decoder": s["config"]["decoder"], "m": s["config"]["m"],
                   "beta": s["beta"], "scale": s["scale"]} for name, s in SPECS.items()}


def info(name: str) -> dict:
    """The spec of model ``name``: description, config, scale, beta and training settings;
    ``pixel_max`` is 16 for raw-scale models, else 1 (divide decoder means by it to display)."""
    spec = dict(_check_name(name))
    spec["pixel_max"] = 16.0 if spec["scale"] == "raw" else 1.0
    return spec


def load_data(name: str, split: str = "test"):
    """The data ``split`` model ``name`` was trained on, on its pixel scale: (X float32 (N, M),
    y (N,)) — the 8×8 digits (M = 64) or the shipped MNIST split (M = 784)."""
    spec = _check_name(name)
    if spec.get("data") == "mnist":
        return load_mnist_split(split, spec["scale"])
    return load_digits_split(split, spec["scale"])


def read_manifest(weights_dir=None) -> dict:
    """The weights manifest (name → file, sha256, bytes, config, meta); {} when absent."""
    path = Path(weights_dir or WEIGHTS_DIR) / MANIFEST
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text())["models"]
    except (ValueError, KeyError) as exc:
        raise ValueError(f"{path} is not a valid weights manifest ({exc}); rebuild it with "
                         f"`python -m vae_teach.nets.pretrained --build`.") from None

def _fit(name: str, seed: int, progress: bool, fraction: float = 1.0, device="cpu"):
    """Train model ``name`` from its spec; returns (model, history, seconds)."""
    from vae_teach.nets.model import build_model

    spec = SPECS[name]
    model = build_model(spec["config"], device=device, seed=seed)
    X, _ = load_data(name, "train")
    V, _ = load_data(name, "val")
    epochs = max(1, round(spec["epochs"] * fraction))
    t0 = time.perf_counter()
    history = train(model, X, V, epochs=epochs, batch_size=100, lr=spec["lr"],
                    beta=spec["beta"], seed=seed, progress=progress, keep_best=True,
                    lr_decay=spec.get("lr_decay", 1.0),
                    desc=name)
    return model.eval(), history, time.perf_counter() - t0


def load_many(names, split: str = "test") -> tuple[dict, dict]:
    """``({name: load(name)}, {name: load_data(name, split)})`` for models ``names``: what
    ``widgets.explorer.LatentExplorer(models, data)`` takes, each model with its own data."""
    names = list(names)
    return ({name: load(name) for name in names},
            {name: load_data(name, split) for name in names})


def load(name: str, train_if_missing: bool = True, seed: int = 0, progress: bool = True,
         device="cpu", weights_dir=None):
    """Model ``name`` in eval mode, its weights verified against the manifest's SHA-256.

    When the weights file is absent and ``train_if_missing``: prints a message and trains a
    short version (``QUICK_FRACTION`` of the epochs, seeded by ``seed``; a few seconds).
    Raises FileNotFoundError when absent and not ``train_if_missing``; ValueError when the
    file does not match the manifest (modified) or the spec (other architecture).
    """
    spec = _check_name(name)
    weights_dir = Path(weights_dir or WEIGHTS_DIR)
    entry = read_manifest(weights_dir).get(name)
    path = weights_dir / f"{name}.pt"
    if entry is not None and path.is_file():
        if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str):
            raise ValueError(f"{weights_dir / MANIFEST} has no SHA-256 for {name!r}; the "
                             f"weights cannot be verified. Rebuild them (make weights).")
        model = load_checkpoint(path, expected_sha256=entry["sha256"], device=device)
        if model.config != spec["config"]:
            raise ValueError(f"weights {path} hold {model.config}, but {name!r} is specified "
                             f"as {spec['config']}; rebuild them (make weights).")
        model.data_range = SCALE_RANGE[spec["scale"]]
        return model
    if not train_if_missing:
        raise FileNotFoundError(f"no pretrained weights for {name!r} in {weights_dir}; run "
                                f"`make weights` or pass train_if_missing=True.")
    epochs = max(1, round(spec["epochs"] * QUICK_FRACTION))
    print(f"Pretrained weights for {name!r} not found in {weights_dir}; training a short "
          f"version instead ({epochs} epochs, seed {seed}). Run `make weights` for the full "
          f"model.")
    model, _, _ = _fit(name, seed, progress, QUICK_FRACTION, device)
    return model
