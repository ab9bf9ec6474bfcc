"""Checkpoints: a model's weights and config in one file, verified by SHA-256 on load.

``save_checkpoint`` writes ``name.pt`` (tensors only) and ``name.pt.sha256``; ``load_checkpoint``
refuses a file whose hash does not match, and loads with ``torch.load(weights_only=True)`` so a
checkpoint can hold no code.
"""

from __future__ import annotations

import json
import pickle
from os import PathLike
from pathlib import Path

import torch

from vae_teach._checks import file_hexdigest
from vae_teach.nets.model import build_model
from vae_teach.nets.train import _check_model


__all__ = ['save_checkpoint', 'load_checkpoint', 'sha256_file']


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
    path = _verified_path(path, expected_sha256, verify)
    ckpt = _read(path, device)
    model = _model_for(ckpt, path, device, model)
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


def _verified_path(path, expected_sha256, verify: bool) -> Path:
    """``path`` as a Path once its SHA-256 matches ``expected_sha256`` or the sidecar."""
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
    if expected_sha256 is None and _sidecar(path).is_file():
        expected_sha256 = (_sidecar(path).read_text().split() or [""])[0]
    if expected_sha256 is None and verify:
        raise ValueError(f"checkpoint {str(path)!r} has no SHA-256 to be checked against: pass "
                         f"expected_sha256= (e.g. from weights/MANIFEST.json) or keep the "
                         f"{_sidecar(path).name!r} file that save_checkpoint wrote next to it; "
                         f"verify=False loads it unchecked (only for files you made yourself).")
    digest = sha256_file(path)
    if expected_sha256 is not None and digest != expected_sha256.strip().lower():
        raise ValueError(f"checkpoint {str(path)!r} has SHA-256 {digest[:16]}… but "
                         f"{expected_sha256[:16]}… was expected: the file was modified or "
                         f"replaced; rebuild it (`make weights`) instead of loading it.")
    return path


def _read(path: Path, device) -> dict:
    """The checkpoint's dict, read with ``torch.load(weights_only=True)`` (tensors only)."""
    try:
        ckpt = torch.load(path, map_location=device, weights_only=True)
    except pickle.UnpicklingError:
        raise ValueError(f"checkpoint {str(path)!r} holds pickled Python objects, not only "
                         f"tensors and plain data; torch.load(weights_only=True) refuses them "
                         f"because unpickling can run arbitrary code. Load only files written "
                         f"by vae_teach.nets.checkpoints.save_checkpoint, or rebuild it.") from None
    except Exception as exc:  # zip and EOF errors all mean the same to the user
        raise ValueError(f"checkpoint {str(path)!r} is corrupt or not a vae_teach checkpoint "
                         f"({type(exc).__name__}); rebuild it.") from None
    if not (isinstance(ckpt, dict) and isinstance(ckpt.get("config"), dict)
            and isinstance(ckpt.get("state_dict"), dict)):
        raise ValueError(f"checkpoint {str(path)!r} lacks 'config'/'state_dict'; it was not "
                         f"written by vae_teach.nets.checkpoints.save_checkpoint.")
    return ckpt


def _model_for(ckpt: dict, path: Path, device, model):
    """The model to fill: ``model`` when its config matches the checkpoint's, else rebuilt."""
    if model is None:
        try:
            return build_model(ckpt["config"], device=device)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"checkpoint {str(path)!r} holds an invalid model config "
                             f"({exc}); rebuild it.") from None
    if not isinstance(getattr(model, "config", None), dict):
        _check_model(model)
    elif dict(model.config) != ckpt["config"]:
        raise ValueError(f"checkpoint {str(path)!r} holds a different architecture "
                         f"{ckpt['config']} than the model given {model.config}; build the "
                         f"model from the checkpoint instead (model=None).")
    return model
