"""Pretrained digits models: registry, manifest hashes, loading, fallback training."""
import json
import shutil

import numpy as np
import pytest
import torch

from vae_teach.nets import pretrained
from vae_teach.nets.checkpoints import sha256_file
from vae_teach.nets.evaluate import evaluate
from vae_teach.tools import weights


torch.set_num_threads(1)
NEEDED = {"vae2d", "vae2d_beta0.5", "vae2d_beta4", "ae2d", "vae8", "vae_slide",
          "vae_learned_var"}


def test_list_models_describes_every_model():
    models = pretrained.list_models()
    assert NEEDED <= set(models)
    for name, d in models.items():
        assert d["description"] and d["scale"] in ("binary", "raw", "unit")
        assert pretrained.info(name)["config"]["m"] == d["m"]
    assert models["vae2d"]["m"] == 2 and models["vae_slide"]["decoder"] == "gaussian"
    assert models["ae2d"]["model"] == "AE"
    assert pretrained.info("ae2d")["config"]["hidden"] == pretrained.info("vae2d")["config"]["hidden"]
    assert pretrained.info("vae_slide")["pixel_max"] == 16.0


def test_manifest_matches_the_files_and_is_small():
    manifest = pretrained.read_manifest()
    assert NEEDED <= set(manifest), "run `make weights`"
    total = 0
    for name, entry in manifest.items():
        path = pretrained.WEIGHTS_DIR / entry["file"]
        assert sha256_file(path) == entry["sha256"], name
        assert entry["config"] == pretrained.info(name)["config"]
        total += path.stat().st_size
    assert total <= 8_000_000          # all shipped weights together ≤ 8 MB


@pytest.mark.parametrize("name", sorted(NEEDED))
def test_load_every_model(name):
    model = pretrained.load(name, train_if_missing=False)
    assert not model.training and model.config == pretrained.info(name)["config"]
    X, y = pretrained.load_data(name, "test")
    assert X.shape == (447, 64)
    codes = model.encode_numpy(X[:5])
    z = codes[0] if isinstance(codes, tuple) else codes
    assert z.shape == (5, model.m)
    assert model.decode_numpy(z).shape == (5, 64)


def test_pretrained_quality_and_latent_use():
    """The stored models are trained: vae8 test −ELBO ≤ 24 nats; vae_slide's codes are used."""
    X, _ = pretrained.load_data("vae8", "test")
    res = evaluate(pretrained.load("vae8"), X, k=20, n_samples=10)
    assert -res["elbo"] <= 24.0 and res["iwae"] >= res["elbo"] - 3 * res["elbo_se"]
    slide = pretrained.load("vae_slide")
    Xr, _ = pretrained.load_data("vae_slide", "test")
    mu_tilde, zeta = slide.encode_numpy(Xr)
    kl = 0.5 * (mu_tilde ** 2 + np.exp(zeta) - 1 - zeta).sum(1)
    assert kl.mean() > 2.0  # not collapsed to the prior
    assert np.corrcoef(mu_tilde.T)[0, 1] ** 2 < 0.9  # both latent dims carry information


def test_unknown_name():
    with pytest.raises(ValueError, match="unknown pretrained model"):
        pretrained.load("vae3d")
    with pytest.raises(ValueError, match="unknown"):
        pretrained.info(None)


def test_missing_weights(tmp_path, monkeypatch, capsys):
    with pytest.raises(FileNotFoundError, match="make weights"):
        pretrained.load("vae2d", train_if_missing=False, weights_dir=tmp_path)
    monkeypatch.setattr(pretrained, "QUICK_FRACTION", 0.01)  # 3 epochs: keep the test fast
    model = pretrained.load("vae2d", weights_dir=tmp_path, progress=False)
    assert "not found" in capsys.readouterr().out
    assert not model.training and model.config == pretrained.info("vae2d")["config"]


def test_tampered_weights_are_refused(tmp_path):
    shutil.copy(pretrained.WEIGHTS_DIR / "MANIFEST.json", tmp_path)
    shutil.copy(pretrained.WEIGHTS_DIR / "vae2d.pt", tmp_path)
    raw = bytearray((tmp_path / "vae2d.pt").read_bytes())
    raw[-100] ^= 1
    (tmp_path / "vae2d.pt").write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="SHA-256"):
        pretrained.load("vae2d", weights_dir=tmp_path)


def test_swapped_weights_are_refused(tmp_path):
    """A valid file of another model under this name: hash (and architecture) mismatch."""
    manifest = json.loads((pretrained.WEIGHTS_DIR / "MANIFEST.json").read_text())
    shutil.copy(pretrained.WEIGHTS_DIR / "vae8.pt", tmp_path / "vae2d.pt")
    (tmp_path / "MANIFEST.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="SHA-256"):
        pretrained.load("vae2d", weights_dir=tmp_path)
    manifest["models"]["vae2d"]["sha256"] = sha256_file(tmp_path / "vae2d.pt")
    (tmp_path / "MANIFEST.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="rebuild"):
        pretrained.load("vae2d", weights_dir=tmp_path)


@pytest.mark.slow
def test_build_is_reproducible(tmp_path, monkeypatch):
    """Two builds of the same spec give byte-identical files (same SHA-256)."""
    spec = dict(pretrained.SPECS["vae2d"], epochs=2)
    monkeypatch.setitem(pretrained.SPECS, "vae2d", spec)
    threads = torch.get_num_threads()
    try:
        a = weights.build(["vae2d"], tmp_path / "a", progress=False)
        b = weights.build(["vae2d"], tmp_path / "b", progress=False)
    finally:
        torch.set_num_threads(threads)
    assert a["vae2d"]["sha256"] == b["vae2d"]["sha256"]
    model = pretrained.load("vae2d", weights_dir=tmp_path / "a", train_if_missing=False)
    assert model.config == spec["config"]
