"""Checkpoints are safe to load: weights_only=True everywhere, SHA-256 checked, clear errors.

* source scan: every ``torch.load`` in ``vae_teach`` passes ``weights_only=True`` (a literal),
  and nothing else unpickles (``pickle.load(s)``, ``np.load(allow_pickle=True)``,
  ``torch.jit.load``);
* behaviour: a file with a pickled arbitrary object is refused with a ValueError even when its
  hash is the expected one, and the object's code never runs;
* ``vae_teach/nets/weights/MANIFEST.json`` (when present) matches the files' SHA-256 and sizes.
"""
from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
import torch
from source_scan import dotted_name

from vae_teach.nets import checkpoints, pretrained
from vae_teach.nets.model import VAE


torch.set_num_threads(1)
PACKAGE = Path(__file__).resolve().parents[1] / "vae_teach"
WEIGHTS = PACKAGE / "nets" / "weights"


def unsafe_loads(source: str) -> list[str]:
    """Loader calls that could unpickle arbitrary objects."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = dotted_name(node.func)
        kw = {k.arg: k.value for k in node.keywords}
        if name.endswith("torch.load"):
            flag = kw.get("weights_only")
            if not (isinstance(flag, ast.Constant) and flag.value is True):
                found.append(f"line {node.lineno}: {name} without weights_only=True")
        elif name in ("pickle.load", "pickle.loads", "torch.jit.load", "dill.load",
                      "joblib.load", "cloudpickle.load"):
            found.append(f"line {node.lineno}: {name}")
        elif name.endswith("np.load") or name.endswith("numpy.load"):
            flag = kw.get("allow_pickle")
            if flag is not None and not (isinstance(flag, ast.Constant) and flag.value is False):
                found.append(f"line {node.lineno}: {name} with allow_pickle")
    return found


def test_scanner_catches_unsafe_loads():
    bad = ("import torch, pickle, numpy as np\n"
           "a = torch.load(p)\nb = torch.load(p, weights_only=False)\n"
           "c = torch.load(p, weights_only=flag)\nd = pickle.load(f)\n"
           "e = np.load(p, allow_pickle=True)\n")
    assert len(unsafe_loads(bad)) == 5
    good = "import torch\nx = torch.load(p, map_location='cpu', weights_only=True)\n"
    assert unsafe_loads(good) == []


def test_package_only_loads_with_weights_only():
    report = {}
    n_torch_load = 0
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text()
        n_torch_load += source.count("torch.load(")
        found = unsafe_loads(source)
        if found:
            report[str(path.relative_to(PACKAGE))] = found
    assert report == {}, report
    assert n_torch_load >= 1  # the checkpoint loader itself is scanned


class _Payload:
    def __reduce__(self):
        return (exec, ("import builtins; builtins._vae_teach_pwned = True",))


@pytest.fixture
def tiny():
    return VAE(64, 2, hidden=[8], decoder="bernoulli", seed=0)


def test_pickled_object_is_refused_even_with_matching_hash(tiny, tmp_path):
    import builtins

    path = tmp_path / "evil.pt"
    torch.save({"config": dict(tiny.config), "state_dict": tiny.state_dict(),
                "meta": {"note": _Payload()}}, path)
    digest = checkpoints.sha256_file(path)
    path.with_name("evil.pt.sha256").write_text(f"{digest}  evil.pt\n")
    with pytest.raises(ValueError, match=r"pickled Python objects.*weights_only=True"):
        checkpoints.load_checkpoint(path)
    with pytest.raises(ValueError, match="pickled Python objects"):
        checkpoints.load_checkpoint(path, expected_sha256=digest)
    assert not getattr(builtins, "_vae_teach_pwned", False)


def test_pickled_object_is_refused_through_the_manifest(tiny, tmp_path):
    path = tmp_path / "vae2d.pt"
    torch.save({"config": dict(tiny.config), "state_dict": tiny.state_dict(),
                "meta": _Payload()}, path)
    entry = {"file": path.name, "sha256": checkpoints.sha256_file(path)}
    (tmp_path / "MANIFEST.json").write_text(json.dumps({"models": {"vae2d": entry}}))
    with pytest.raises(ValueError, match="pickled Python objects"):
        pretrained.load("vae2d", weights_dir=tmp_path)


def test_save_then_load_round_trip_is_verified(tiny, tmp_path):
    digest = checkpoints.save_checkpoint(tiny, tmp_path / "m.pt", meta={"seed": 0})
    assert digest == checkpoints.sha256_file(tmp_path / "m.pt")
    model = checkpoints.load_checkpoint(tmp_path / "m.pt", expected_sha256=digest.upper())
    assert model.checkpoint_meta == {"seed": 0}
    for k, v in tiny.state_dict().items():
        assert torch.equal(v, model.state_dict()[k])
    (tmp_path / "m.pt.sha256").write_text("f" * 64 + "  m.pt\n")  # sidecar out of date
    with pytest.raises(ValueError, match="SHA-256"):
        checkpoints.load_checkpoint(tmp_path / "m.pt")


MANIFEST = pretrained.read_manifest()


@pytest.mark.skipif(not MANIFEST, reason="no vae_teach/nets/weights/MANIFEST.json in this checkout")
def test_manifest_matches_the_weight_files():
    assert set(MANIFEST) <= set(pretrained.SPECS)
    for name, entry in MANIFEST.items():
        path = WEIGHTS / entry["file"]
        assert path.is_file(), f"{name}: {path} listed in the manifest but missing"
        assert checkpoints.sha256_file(path) == entry["sha256"], f"{name}: SHA-256 differs"
        assert path.stat().st_size == entry["bytes"], f"{name}: size differs"
        assert entry["config"] == pretrained.SPECS[name]["config"], name
    listed = {entry["file"] for entry in MANIFEST.values()}
    on_disk = {p.name for p in WEIGHTS.glob("*.pt")}
    assert on_disk == listed, f"weight files without a manifest entry: {on_disk - listed}"


@pytest.mark.skipif(not MANIFEST, reason="no vae_teach/nets/weights/MANIFEST.json in this checkout")
def test_shipped_weights_load_verified_and_contain_only_tensors():
    for name, entry in MANIFEST.items():
        ckpt = torch.load(WEIGHTS / entry["file"], map_location="cpu", weights_only=True)
        assert set(ckpt) == {"config", "state_dict", "meta"}
        assert all(isinstance(v, torch.Tensor) for v in ckpt["state_dict"].values())
        model = pretrained.load(name, train_if_missing=False, progress=False)
        assert model.config == pretrained.SPECS[name]["config"]
