"""Training loop (minibatch −L_b with Adam), fixed seeds, and SHA-256-checked checkpoints.

The whole data set lives in one tensor on the model's device; each epoch slices minibatches
from a seeded random permutation (no DataLoader, no per-item Python work). Evaluation runs
under ``torch.no_grad``. Two runs with the same model seed, data and ``seed`` give
bit-identical losses on the same machine and thread count.
"""
from __future__ import annotations

import copy
import json
import math
import pickle
import time
from os import PathLike
from pathlib import Path

import numpy as np
import torch

from ._checks import check_int, check_seed
from .elbo import loss_terms
from ._files import file_hexdigest
from .model import build_model

__all__ = ["train", "evaluate_loss", "save_checkpoint", "load_checkpoint", "sha256_file"]


def _check_model(model) -> None:
    if not isinstance(getattr(model, "config", None), dict) or not hasattr(model, "M"):
        raise TypeError(f"model must be a vae_teach VAE or AE, got {type(model).__name__}; "
                        f"build one with vae_teach.model.VAE(M, m) or pretrained.load(name).")


def _as_data(X, model, name: str) -> torch.Tensor:
    _check_model(model)
    if X is None:
        raise ValueError(f"{name} is None; pass an (N, M) array of training images.")
    if not isinstance(X, torch.Tensor):
        if np.iscomplexobj(X):
            raise TypeError(f"{name} holds complex numbers; pass real pixel values.")
        try:
            X = torch.as_tensor(np.asarray(X, dtype=np.float32))
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must be an (N, M) array of numbers ({exc}); pass a "
                            f"numpy float array such as load_digits_split(...)[0].") from None
    elif X.is_complex():
        raise TypeError(f"{name} holds complex numbers; pass real pixel values.")
    X = X.to(device=model.device, dtype=torch.float32)
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] != model.M:
        raise ValueError(f"{name} must have shape (N, {model.M}) with N ≥ 1, got "
                         f"{tuple(X.shape)}; flatten images to rows of length M = {model.M}.")
    return model.check_data(X, name)


def _check_number(value, name: str, minimum: float, strict: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"{name} must be a number, got {value!r}.")
    value = float(value)
    bad = value <= minimum if strict else value < minimum
    if not math.isfinite(value) or bad:
        op = ">" if strict else "≥"
        raise ValueError(f"{name} must be a finite number {op} {minimum}, got {value}.")
    return value


def _adam(model, lr: float, weight_decay: float) -> torch.optim.Adam:
    """Adam; the fused kernel (one call per step, ~30 % faster on CPU) where torch has it."""
    try:
        return torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay, fused=True)
    except (RuntimeError, TypeError, ValueError):
        return torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)


@torch.no_grad()
def evaluate_loss(model, X, beta: float = 1.0, seed: int = 0, batch_size: int = 4096
                  ) -> dict[str, float]:
    """Mean per-image ``loss`` (= rec + β·kl), ``rec`` and ``kl`` over X with one z per image.

    Uses its own generator (``seed``), so it never disturbs a training run's random stream.
    """
    X = _as_data(X, model, "X")
    seed = check_seed(seed)
    was_training = model.training
    model.eval()
    gen = torch.Generator(device=model.device).manual_seed(seed)
    totals = np.zeros(3)
    for start in range(0, len(X), batch_size):
        xb = X[start:start + batch_size]
        terms = loss_terms(model, xb, beta, gen)
        totals += np.array([t.item() for t in terms]) * len(xb)
    model.train(was_training)
    loss, rec, kl = totals / len(X)
    return {"loss": float(loss), "rec": float(rec), "kl": float(kl)}


def train(model, X_train, X_val=None, epochs: int = 100, batch_size: int = 100,
          lr: float = 1e-3, beta: float = 1.0, seed: int = 0, progress: bool = True,
          weight_decay: float = 0.0, keep_best: bool = False, eval_every: int = 1,
          beta_warmup_epochs: int = 0, lr_decay: float = 1.0, drop_last: bool = False,
          desc: str | None = None, callback=None) -> dict:
    """Fit ``model`` (VAE or AE) by minibatch Adam on the per-image loss rec + β·kl.

    X_train, X_val: (N, M) numpy arrays or tensors. ``beta`` weights the KL term (β-VAE);
    ``beta_warmup_epochs`` ramps β linearly from 0. ``lr_decay`` multiplies the learning rate
    after every epoch. With ``keep_best`` (needs X_val) the weights of the epoch with the lowest
    validation −L_b (rec + kl) are restored at the end. ``callback(epoch, history)`` runs after
    each epoch. ``progress`` shows a tqdm.auto bar.

    Returns the history: lists per epoch of ``train_loss``/``train_rec``/``train_kl`` (running
    minibatch means over the epoch, nats per image) and, with X_val, ``val_loss``/``val_rec``/
    ``val_kl`` (every ``eval_every`` epochs, else NaN), plus ``epoch``, ``seconds``,
    ``best_epoch``.
    """
    _check_model(model)
    seed = check_seed(seed)
    epochs = check_int(epochs, "epochs", 1)
    batch_size = check_int(batch_size, "batch_size", 1)
    eval_every = check_int(eval_every, "eval_every", 1)
    warm = check_int(beta_warmup_epochs, "beta_warmup_epochs", 0)
    lr = _check_number(lr, "lr", 0.0, strict=True)
    beta = _check_number(beta, "beta", 0.0, strict=False)
    lr_decay = _check_number(lr_decay, "lr_decay", 0.0, strict=True)
    if keep_best and X_val is None:
        raise ValueError("keep_best=True needs X_val (the best epoch is chosen on it).")
    X = _as_data(X_train, model, "X_train")
    if model.data_range is None:        # from now on the model refuses data on another scale
        model.data_range = (float(X.min()), float(X.max()))
    V = None if X_val is None else _as_data(X_val, model, "X_val")
    N = len(X)
    from tqdm.auto import tqdm

    perm_gen = torch.Generator().manual_seed(seed)
    noise_gen = torch.Generator(device=model.device).manual_seed(seed + 1)
    opt = _adam(model, lr, weight_decay)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=lr_decay)
    keys = ["train_loss", "train_rec", "train_kl", "val_loss", "val_rec", "val_kl", "seconds"]
    history: dict = {"epoch": [], **{k: [] for k in keys}, "best_epoch": None}
    best, best_state = math.inf, None
    stop = N - N % batch_size if drop_last and N >= batch_size else N
    bar = tqdm(range(1, epochs + 1), desc=desc or "train", disable=not progress, leave=False)
    t0 = time.perf_counter()
    model.train()
    for epoch in bar:
        b = beta * min(1.0, epoch / warm) if warm else beta
        order = torch.randperm(N, generator=perm_gen).to(model.device)
        sums = torch.zeros(3, dtype=torch.float64, device=model.device)
        for start in range(0, stop, batch_size):
            xb = X[order[start:start + batch_size]]
            loss, rec, kl = loss_terms(model, xb, b, noise_gen)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sums += torch.stack([loss.detach(), rec.detach(), kl.detach()]).double() * len(xb)
        sched.step()
        tr = (sums / stop).tolist()
        history["epoch"].append(epoch)
        for key, value in zip(keys[:3], tr):
            history[key].append(value)
        va = [math.nan] * 3
        if V is not None and (epoch % eval_every == 0 or epoch == epochs):
            ev = evaluate_loss(model, V, b, seed=seed)
            va = [ev["loss"], ev["rec"], ev["kl"]]
            if keep_best and ev["rec"] + ev["kl"] < best:
                best, history["best_epoch"] = ev["rec"] + ev["kl"], epoch
                best_state = copy.deepcopy(model.state_dict())
            model.train()
        for key, value in zip(keys[3:6], va):
            history[key].append(value)
        history["seconds"].append(time.perf_counter() - t0)
        bar.set_postfix(loss=f"{tr[0]:.3f}", **({} if math.isnan(va[0]) else
                                                {"val": f"{va[0]:.3f}"}))
        if callback is not None:
            callback(epoch, history)
    bar.close()
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return history


# --------------------------------------------------------------------------- checkpoints

def sha256_file(path) -> str:
    """Hex SHA-256 of the file at ``path``."""
    return file_hexdigest(path, "sha256")


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def save_checkpoint(model, path, meta: dict | None = None) -> str:
    """Write ``{"config", "state_dict", "meta"}`` to ``path`` and its SHA-256 to ``path.sha256``.

    ``meta``: JSON-able facts to keep with the weights (data scale, training settings).
    Returns the hex SHA-256 of the written file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _check_model(model)
    try:
        meta = json.loads(json.dumps(meta or {}))  # plain types only: weights_only must load it
        if model.data_range is not None:
            meta.setdefault("data_range", [float(v) for v in model.data_range])
    except (TypeError, ValueError) as exc:
        raise TypeError(f"meta must hold only JSON types (str, numbers, lists, dicts) so that "
                        f"torch.load(weights_only=True) can read it back ({exc}); convert "
                        f"arrays with .tolist() and numbers with float().") from None
    state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    torch.save({"config": dict(model.config), "state_dict": state, "meta": meta}, path)
    digest = sha256_file(path)
    _sidecar(path).write_text(f"{digest}  {path.name}\n")
    return digest


def load_checkpoint(path, expected_sha256: str | None = None, device="cpu", model=None,
                    verify: bool = True):
    """Load a checkpoint written by :func:`save_checkpoint`; returns the model in eval mode.

    The file's SHA-256 must equal ``expected_sha256`` (or, if that is None, the ``.sha256``
    sidecar that ``save_checkpoint`` writes). With neither, loading is refused unless
    ``verify=False``. Loads with ``torch.load(..., weights_only=True)``, so a file holding
    pickled Python objects is refused. If ``model`` is given its architecture must match the
    checkpoint's config and it is filled in place; otherwise the model is rebuilt from the
    config. ``model.checkpoint_meta`` holds the meta.

    Raises FileNotFoundError (no file), ValueError (no hash to check, hash mismatch, corrupt
    file, pickled objects, other architecture).
    """
    if not isinstance(path, (str, PathLike)):
        raise TypeError(f"path must be a file path (str or pathlib.Path), got "
                        f"{type(path).__name__}.")
    if expected_sha256 is not None and not isinstance(expected_sha256, str):
        raise TypeError(f"expected_sha256 must be a hex string (64 characters), got "
                        f"{type(expected_sha256).__name__}.")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint {str(path)!r} does not exist; train and save a "
                                f"model first (save_checkpoint) or run `make weights`.")
    digest = sha256_file(path)
    if expected_sha256 is None and _sidecar(path).is_file():
        expected_sha256 = (_sidecar(path).read_text().split() or [""])[0]
    if expected_sha256 is None and verify:
        raise ValueError(f"checkpoint {str(path)!r} has no SHA-256 to be checked against: pass "
                         f"expected_sha256= (e.g. from weights/MANIFEST.json) or keep the "
                         f"{_sidecar(path).name!r} file that save_checkpoint wrote next to it; "
                         f"verify=False loads it unchecked (only for files you made yourself).")
    if expected_sha256 is not None and digest != expected_sha256.strip().lower():
        raise ValueError(f"checkpoint {str(path)!r} has SHA-256 {digest[:16]}… but "
                         f"{expected_sha256[:16]}… was expected: the file was modified or "
                         f"replaced; rebuild it (`make weights`) instead of loading it.")
    try:
        ckpt = torch.load(path, map_location=device, weights_only=True)
    except pickle.UnpicklingError:
        raise ValueError(f"checkpoint {str(path)!r} holds pickled Python objects, not only "
                         f"tensors and plain data; torch.load(weights_only=True) refuses them "
                         f"because unpickling can run arbitrary code. Load only files written "
                         f"by vae_teach.train.save_checkpoint, or rebuild it.") from None
    except Exception as exc:  # zip and EOF errors all mean the same to the user
        raise ValueError(f"checkpoint {str(path)!r} is corrupt or not a vae_teach checkpoint "
                         f"({type(exc).__name__}); rebuild it.") from None
    if not (isinstance(ckpt, dict) and isinstance(ckpt.get("config"), dict)
            and isinstance(ckpt.get("state_dict"), dict)):
        raise ValueError(f"checkpoint {str(path)!r} lacks 'config'/'state_dict'; it was not "
                         f"written by vae_teach.train.save_checkpoint.")
    if model is None:
        try:
            model = build_model(ckpt["config"], device=device)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"checkpoint {str(path)!r} holds an invalid model config "
                             f"({exc}); rebuild it.") from None
    elif not isinstance(getattr(model, "config", None), dict):
        _check_model(model)
    elif dict(model.config) != ckpt["config"]:
        raise ValueError(f"checkpoint {str(path)!r} holds a different architecture "
                         f"{ckpt['config']} than the model given {model.config}; build the "
                         f"model from the checkpoint instead (model=None).")
    try:
        model.load_state_dict(ckpt["state_dict"])
    except RuntimeError as exc:
        raise ValueError(f"checkpoint {str(path)!r} does not fit its config "
                         f"({str(exc).splitlines()[0]}); rebuild it.") from None
    model.checkpoint_meta = ckpt.get("meta", {})
    data_range = model.checkpoint_meta.get("data_range") if isinstance(model.checkpoint_meta,
                                                                        dict) else None
    if data_range is not None:
        model.data_range = (float(data_range[0]), float(data_range[1]))
    return model.eval()
