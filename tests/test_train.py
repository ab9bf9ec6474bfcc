"""Trainer: seeds, history, keep_best, input checks; checkpoints with SHA-256."""

import numpy as np
import pytest
import torch

from vae_teach.data.digits import load_digits_split
from vae_teach.nets.checkpoints import load_checkpoint, save_checkpoint, sha256_file
from vae_teach.nets.model import AE, VAE
from vae_teach.nets.train import evaluate_loss, train


torch.set_num_threads(1)
X_TRAIN = load_digits_split("train", "binary")[0][:300]
X_VAL = load_digits_split("val", "binary")[0][:100]


def _tiny(**kw):
    return VAE(64, 2, hidden=[32], decoder="bernoulli", **kw)


@pytest.mark.slow
def test_two_runs_are_bit_identical():
    h1 = train(_tiny(seed=0), X_TRAIN, X_VAL, epochs=3, batch_size=50, seed=5, progress=False)
    h2 = train(_tiny(seed=0), X_TRAIN, X_VAL, epochs=3, batch_size=50, seed=5, progress=False)
    for key in ("train_loss", "train_rec", "train_kl", "val_loss"):
        assert h1[key] == h2[key]  # exact equality, not approx
    h3 = train(_tiny(seed=0), X_TRAIN, X_VAL, epochs=3, batch_size=50, seed=6, progress=False)
    assert h3["train_loss"] != h1["train_loss"]


@pytest.mark.slow
def test_training_lowers_the_loss_and_records_history():
    model = _tiny()
    h = train(model, X_TRAIN, X_VAL, epochs=15, batch_size=50, lr=3e-3, progress=False,
              eval_every=5)
    assert h["epoch"] == list(range(1, 16))
    assert h["train_loss"][-1] < h["train_loss"][0] - 5
    for a, b, c in zip(h["train_loss"], h["train_rec"], h["train_kl"]):
        assert a == pytest.approx(b + c, rel=1e-5) and c >= 0
    val = np.array(h["val_loss"])
    assert np.isnan(val[[0, 1, 2, 3]]).all() and np.isfinite(val[[4, 9, 14]]).all()
    assert not model.training  # returned in eval mode


@pytest.mark.slow
def test_keep_best_restores_the_best_validation_epoch():
    model = _tiny()
    h = train(model, X_TRAIN, X_VAL, epochs=6, batch_size=50, lr=3e-2, seed=1, progress=False,
              keep_best=True)
    neg_elbo = [r + k for r, k in zip(h["val_rec"], h["val_kl"])]
    assert h["best_epoch"] == int(np.argmin(neg_elbo)) + 1
    ev = evaluate_loss(model, X_VAL, seed=1)
    assert ev["rec"] + ev["kl"] == pytest.approx(min(neg_elbo), rel=1e-6)


@pytest.mark.slow
def test_beta_and_ae():
    h0 = train(_tiny(), X_TRAIN, epochs=2, batch_size=100, beta=0.0, progress=False)
    assert h0["train_loss"] == pytest.approx(h0["train_rec"])  # β = 0: reconstruction only
    ae = AE(64, 2, hidden=[32], decoder="bernoulli")
    h = train(ae, X_TRAIN, X_VAL, epochs=2, batch_size=100, progress=False)
    assert h["train_kl"] == [0.0, 0.0] and h["train_loss"] == h["train_rec"]


@pytest.mark.parametrize("kwargs, exc, word", [
    ({"epochs": 0}, ValueError, "epochs"),
    ({"batch_size": 2.0}, TypeError, "batch_size"),
    ({"lr": -1.0}, ValueError, "lr"),
    ({"lr": float("nan")}, ValueError, "lr"),
    ({"beta": -0.5}, ValueError, "beta"),
    ({"keep_best": True}, ValueError, "X_val"),
])
def test_bad_training_arguments(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        train(_tiny(), X_TRAIN[:10], progress=False, **kwargs)


def test_bad_training_data():
    with pytest.raises(ValueError, match=r"X_train must have shape \(N, 64\)"):
        train(_tiny(), np.zeros((10, 63)), progress=False)
    with pytest.raises(ValueError, match="X_train must have shape"):
        train(_tiny(), np.zeros((0, 64)), progress=False)
    bad = X_TRAIN[:10].copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        train(_tiny(), bad, progress=False)
    with pytest.raises(ValueError, match="X_val"):
        train(_tiny(), X_TRAIN[:10], np.zeros((3, 5)), progress=False)


# ---------------------------------------------------------------- checkpoints

@pytest.fixture
def saved(tmp_path):
    model = VAE(64, 3, hidden=[16], decoder="gaussian_learned", var="pixel", seed=4)
    path = tmp_path / "m.pt"
    digest = save_checkpoint(model, path, meta={"scale": "raw"})
    return model, path, digest


def test_checkpoint_round_trip(saved):
    model, path, digest = saved
    assert digest == sha256_file(path)
    assert (path.parent / "m.pt.sha256").read_text().split()[0] == digest
    loaded = load_checkpoint(path, expected_sha256=digest)
    assert loaded.config == model.config and not loaded.training
    assert loaded.checkpoint_meta == {"scale": "raw"}
    for (k, a), (_, b) in zip(model.state_dict().items(), loaded.state_dict().items()):
        assert torch.equal(a, b), k
    into = VAE(64, 3, hidden=[16], decoder="gaussian_learned", var="pixel", seed=9)
    assert load_checkpoint(path, model=into) is into
    assert torch.equal(into.decoder.log_sigma2_x, model.decoder.log_sigma2_x)


def test_missing_checkpoint(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_checkpoint(tmp_path / "nope.pt")


def test_tampered_checkpoint(saved):
    model, path, digest = saved
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="SHA-256"):
        load_checkpoint(path)  # sidecar hash
    with pytest.raises(ValueError, match="SHA-256"):
        load_checkpoint(path, expected_sha256=digest)


def test_wrong_expected_hash(saved):
    _, path, _ = saved
    with pytest.raises(ValueError, match="modified or replaced"):
        load_checkpoint(path, expected_sha256="0" * 64)


def test_corrupt_checkpoint(tmp_path):
    path = tmp_path / "junk.pt"
    path.write_bytes(b"not a checkpoint at all")
    with pytest.raises(ValueError, match="no SHA-256"):
        load_checkpoint(path)  # no sidecar, no expected hash: refused before reading
    with pytest.raises(ValueError, match="corrupt"):
        load_checkpoint(path, expected_sha256=sha256_file(path))
    torch.save({"weights": torch.zeros(2)}, path)
    with pytest.raises(ValueError, match="config"):
        load_checkpoint(path, verify=False)


class _Payload:  # a pickled object that weights_only must refuse
    def __reduce__(self):
        return (print, ("should never run",))


def test_pickled_code_is_refused(tmp_path):
    path = tmp_path / "evil.pt"
    torch.save({"config": {}, "state_dict": {}, "x": _Payload()}, path)
    with pytest.raises(ValueError, match="pickled Python objects"):
        load_checkpoint(path, expected_sha256=sha256_file(path))


def test_other_architecture(saved, tmp_path):
    _, path, _ = saved
    with pytest.raises(ValueError, match="different architecture"):
        load_checkpoint(path, model=VAE(64, 2, hidden=[16]))
    # a config that does not fit its own state_dict
    ck = torch.load(path, weights_only=True)
    ck["config"]["m"] = 5
    other = tmp_path / "other.pt"
    torch.save(ck, other)
    with pytest.raises(ValueError, match="does not fit its config"):
        load_checkpoint(other, expected_sha256=sha256_file(other))


def test_training_leaves_the_global_rng_alone():
    state = torch.get_rng_state()
    train(_tiny(), X_TRAIN[:100], epochs=1, batch_size=50, progress=False)
    assert torch.equal(torch.get_rng_state(), state)
