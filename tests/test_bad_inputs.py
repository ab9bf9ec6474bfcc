"""Bad input across the public API: one clear exception that names the argument and the fix.

``CASES`` is one table: (call, exception type, regex for the argument's name, regex for the
fix hint). Each row must raise exactly that type (not a subclass, not a raw LinAlgError /
RuntimeError / KeyError), and the message must match both regexes. Nothing may return a
number. The widgets' callbacks must not raise: an out-of-range value shows a message in the
widget, which keeps working (tested below the table).
"""
from __future__ import annotations

import gzip
import json
import re
import shutil
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from vae_teach.data import digits as data
from vae_teach.data import mnist as idx
from vae_teach.maths import bound as elbo_exact
from vae_teach.maths import em
from vae_teach.maths import gaussian, lemma, minibatch
from vae_teach.maths.ppca import PPCA
from vae_teach.maths.quadrature import LatentGrid1D
from vae_teach.measure import codes as latent
from vae_teach.nets import checkpoints, evaluate
from vae_teach.nets import objectives as elbo
from vae_teach.nets import pretrained, train
from vae_teach.nets.model import VAE


torch.set_num_threads(1)

I2, Z2 = np.eye(2), np.zeros(2)
RNG = np.random.default_rng(0)
X_PPCA = RNG.normal(size=(6, 3))


def _idx_gz(arr: np.ndarray, magic: int) -> bytes:
    head = magic.to_bytes(4, "big") + b"".join(int(s).to_bytes(4, "big") for s in arr.shape)
    return gzip.compress(head + arr.astype(np.uint8).tobytes())


class _Evil:
    """Unpickling this would run code: weights_only=True must refuse it."""

    def __reduce__(self):
        return (print, ("arbitrary code ran",))


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """Tiny models, checkpoints, IDX files and a weights folder, built once."""
    tmp = tmp_path_factory.mktemp("bad_inputs")
    e = SimpleNamespace(tmp=tmp)
    e.vae = VAE(64, 2, hidden=[8], decoder="bernoulli", seed=0)
    e.vae8 = VAE(64, 8, hidden=[8], decoder="bernoulli", seed=0)
    e.X = data.load_digits_split("test", "binary")[0][:20]
    e.grid = LatentGrid1D.linear(np.ones(2), np.zeros(2), 0.5)
    # checkpoints: good (with sidecar), tampered, no hash, pickled object, text file
    e.ckpt = tmp / "vae.pt"
    checkpoints.save_checkpoint(e.vae, e.ckpt)
    e.tampered = tmp / "tampered" / "vae.pt"
    e.tampered.parent.mkdir()
    shutil.copy(e.ckpt, e.tampered)
    shutil.copy(e.ckpt.with_name("vae.pt.sha256"), e.tampered.with_name("vae.pt.sha256"))
    raw = bytearray(e.tampered.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    e.tampered.write_bytes(bytes(raw))
    e.no_hash = tmp / "no_hash.pt"
    shutil.copy(e.ckpt, e.no_hash)
    e.evil = tmp / "evil.pt"
    torch.save({"config": dict(e.vae.config), "state_dict": e.vae.state_dict(),
                "meta": _Evil()}, e.evil)
    e.evil_sha = checkpoints.sha256_file(e.evil)
    e.text = tmp / "notes.pt"
    e.text.write_text("these are my notes, not weights")
    e.text_sha = checkpoints.sha256_file(e.text)
    e.ckpt8 = tmp / "vae8.pt"
    checkpoints.save_checkpoint(e.vae8, e.ckpt8)
    # weights folders for pretrained.load: tampered file; file of another architecture
    for name in ("w_tampered", "w_arch"):
        folder = tmp / name
        folder.mkdir()
        shutil.copy(e.ckpt, folder / "vae2d.pt")
        entry = {"file": "vae2d.pt", "sha256": checkpoints.sha256_file(e.ckpt)}
        (folder / "MANIFEST.json").write_text(json.dumps({"models": {"vae2d": entry}}))
    with open(tmp / "w_tampered" / "vae2d.pt", "ab") as f:
        f.write(b"\0")
    e.w_empty = tmp / "w_empty"
    e.w_empty.mkdir()
    # MNIST folders: files whose MD5 is wrong; one file missing; corrupt/truncated IDX
    images = np.zeros((2, 28, 28), np.uint8)
    labels = np.array([1, 2], np.uint8)
    e.mnist_bad_md5 = tmp / "mnist_md5"
    e.mnist_bad_md5.mkdir()
    (e.mnist_bad_md5 / idx.FILES["test"][0]).write_bytes(_idx_gz(images, idx.IMAGES_MAGIC))
    (e.mnist_bad_md5 / idx.FILES["test"][1]).write_bytes(_idx_gz(labels, idx.LABELS_MAGIC))
    e.mnist_missing = tmp / "mnist_missing"
    e.mnist_missing.mkdir()
    (e.mnist_missing / idx.FILES["test"][0]).write_bytes(_idx_gz(images, idx.IMAGES_MAGIC))
    e.not_gzip = tmp / "not_gzip.gz"
    e.not_gzip.write_bytes(b"<html>404 Not Found</html>")
    full = _idx_gz(images, idx.IMAGES_MAGIC)
    e.cut_gzip = tmp / "cut.gz"
    e.cut_gzip.write_bytes(full[: len(full) // 2])
    e.short_payload = tmp / "short_payload.gz"
    e.short_payload.write_bytes(gzip.compress(gzip.decompress(full)[:-100]))
    e.labels_file = tmp / "labels.gz"
    e.labels_file.write_bytes(_idx_gz(labels, idx.LABELS_MAGIC))
    return e


def _flip(e):
    return e.tampered


# (id, call(env), exception type, argument-name regex, fix-hint regex)
CASES = [
    # ---------------------------------------------------------------- shapes and ndim
    ("log_normal-x-3d", lambda e: gaussian.log_normal(np.zeros((2, 2, 2)), Z2, I2),
     ValueError, r"^x must have 1 or 2 dim", r"reshape"),
    ("log_normal-x-vs-Sigma-dim", lambda e: gaussian.log_normal(np.zeros(3), Z2, I2),
     ValueError, r"x has last dimension 3 but Sigma has 2", r"same dimension"),
    ("kl_gaussian-m-mismatch", lambda e: gaussian.kl_gaussian(Z2, np.eye(3), Z2, I2),
     ValueError, r"Sigma0 is 3×3 but Sigma1 is 2×2", r"same dimension m"),
    ("log_normal-Sigma-is-vector", lambda e: gaussian.log_normal(Z2, Z2, [1.0, 1.0]),
     ValueError, r"Sigma must be a covariance matrix", r"np\.diag\(variances\)"),
    ("ppca-mu-length", lambda e: PPCA(np.ones((3, 1)), np.zeros(2), 1.0),
     ValueError, r"mu has length 2", r"must be an \(M,\) = \(3,\) vector"),
    ("elbo_exact-mu_tilde-shape",
     lambda e: elbo_exact.lower_bound(PPCA.fit(X_PPCA, 1), X_PPCA, np.zeros((6, 2)), I2),
     ValueError, r"mu_tilde must be \(N, m\) = \(6, 1\)", r"one encoder mean per row"),
    ("vae-encode-width", lambda e: e.vae.encode(torch.zeros(3, 10)),
     ValueError, r"x must have shape \(N, 64\)", r"flatten images"),
    ("vae-decode-latent-dim", lambda e: e.vae.decode(torch.zeros(3, 5)),
     ValueError, r"z must be .* m = 2", r"this model's latent dimension"),
    ("train-X-3d-images", lambda e: train.evaluate_loss(e.vae, e.X.reshape(-1, 8, 8)),
     ValueError, r"X must have shape \(N, 64\)", r"flatten images to rows"),
    # ---------------------------------------------------------------- covariances
    ("Sigma-not-symmetric", lambda e: gaussian.log_normal(Z2, Z2, [[1.0, 0.5], [0.0, 1.0]]),
     ValueError, r"Sigma is not symmetric", r"\(S \+ S\.T\) / 2"),
    ("Sigma-not-positive-definite", lambda e: gaussian.log_normal(Z2, Z2, [[1, 2], [2, 1]]),
     ValueError, r"Sigma is not positive definite", r"A @ A\.T \+ eps \* I"),
    ("Sigma_tilde-negative-definite",
     lambda e: lemma.lemma_closed_form(Z2, -I2, Z2, I2),
     ValueError, r"Sigma_tilde is not positive definite", r"eigenvalues > 0"),
    ("em-q_cov-not-PD",
     lambda e: em.kl_gap(X_PPCA, em.init_params(3, 1), np.zeros((6, 1)), -np.eye(1)),
     ValueError, r"q_cov must be positive definite", r"diagonal q pass"),
    # ---------------------------------------------------------------- variances
    ("var-negative", lambda e: gaussian.log_normal_diag(Z2, Z2, [1.0, -1.0]),
     ValueError, r"var must be strictly positive", r"pass variances σ² > 0"),
    ("var-zero", lambda e: lemma.lemma_closed_form_diag(Z2, [1.0, 0.0], Z2, [1.0, 1.0]),
     ValueError, r"var_tilde must be strictly positive", r"pass variances σ² > 0"),
    ("var-nan", lambda e: gaussian.log_normal_diag(Z2, Z2, [1.0, np.nan]),
     ValueError, r"var contains 1 NaN", r"remove or replace"),
    ("var-inf", lambda e: gaussian.neg_entropy_diag([np.inf, 1.0]),
     ValueError, r"var contains 1 infinite", r"remove or replace"),
    ("ppca-sigma2-zero", lambda e: PPCA(np.ones((3, 1)), np.zeros(3), 0.0),
     ValueError, r"sigma2 must be strictly positive", r"σ² > 0"),
    ("em-mle-rank-deficient", lambda e: PPCA.fit(np.zeros((5, 3)), 1),
     ValueError, r"X has rank ≤ 1", r"smaller m or add noise"),
    ("grid-sigma2-negative", lambda e: LatentGrid1D.linear(np.ones(2), np.zeros(2), -1.0),
     ValueError, r"sigma2 must be a positive", r"decoder variance"),
    # ---------------------------------------------------------------- empty data
    ("log_normal-x-empty", lambda e: gaussian.log_normal(np.zeros((0, 2)), Z2, I2),
     ValueError, r"x is empty", r"pass at least one value"),
    ("ppca-fit-empty", lambda e: PPCA.fit(np.zeros((0, 3)), 1),
     ValueError, r"X is empty", r"pass at least one value"),
    ("train-X_train-empty", lambda e: train.train(e.vae, e.X[:0], epochs=1, progress=False),
     ValueError, r"X_train must have shape \(N, 64\) with N ≥ 1", r"rows of length M = 64"),
    ("evaluate-X-empty", lambda e: evaluate.evaluate(e.vae, e.X[:0], k=2, n_samples=2),
     ValueError, r"X must have shape \(N, 64\) with N ≥ 1", r"rows of length M = 64"),
    ("minibatch-std-batch-gt-N", lambda e: minibatch.minibatch_std(np.ones(5), 6),
     ValueError, r"batch_size = 6", r"smaller batch_size"),
    # ---------------------------------------------------------------- wrong dtypes / values
    ("x-is-string", lambda e: gaussian.log_normal("ab", Z2, I2),
     TypeError, r"x must be an array of numbers, got str", r"pass a numpy array"),
    ("x-is-complex", lambda e: gaussian.log_normal(Z2 + 1j, Z2, I2),
     TypeError, r"x holds complex numbers", r"pass real numbers"),
    ("X_train-strings", lambda e: train.train(e.vae, np.array([["a"] * 64]), epochs=1,
                                              progress=False),
     TypeError, r"X_train must be an \(N, M\) array of numbers", r"numpy float array"),
    ("X_train-nan", lambda e: train.train(e.vae, np.full((4, 64), np.nan), epochs=1,
                                          progress=False),
     ValueError, r"X_train contains NaN", r"clean the data"),
    ("encode_numpy-nan", lambda e: e.vae.encode_numpy(np.full((2, 64), np.nan)),
     ValueError, r"X contains 128 NaN", r"remove or replace"),
    ("n_samples-float", lambda e: lemma.lemma_monte_carlo(Z2, I2, Z2, I2, 10.0),
     TypeError, r"n_samples must be an integer", r"integer, got 10\.0"),
    ("rng-string", lambda e: lemma.lemma_monte_carlo(Z2, I2, Z2, I2, 10, rng="a"),
     TypeError, r"rng must be None, an int seed", r"default_rng\(0\)"),
    ("seed-string", lambda e: evaluate.elbo_per_image(e.vae, e.X, n_samples=2, seed="a"),
     TypeError, r"seed must be an integer", r"such as 0 or 42"),
    ("seed-float-train", lambda e: train.train(e.vae, e.X, epochs=1, seed=1.5, progress=False),
     TypeError, r"seed must be an integer", r"such as 0 or 42"),
    ("lr-negative", lambda e: train.train(e.vae, e.X, epochs=1, lr=-1e-3, progress=False),
     ValueError, r"lr must be a finite number > 0", r"got -0\.001"),
    ("epochs-zero", lambda e: train.train(e.vae, e.X, epochs=0, progress=False),
     ValueError, r"epochs must be", r"at least 1"),
    ("keep_best-without-X_val",
     lambda e: train.train(e.vae, e.X, epochs=1, keep_best=True, progress=False),
     ValueError, r"keep_best=True needs X_val", r"chosen on it"),
    ("split-unknown", lambda e: data.load_digits_split("tst"),
     ValueError, r"split must be one of", r"'train', 'val', 'test'"),
    ("vae-m-zero", lambda e: VAE(64, 0), ValueError, r"\bm must be", r"at least 1"),
    ("vae-decoder-unknown", lambda e: VAE(64, 2, decoder="poisson"),
     ValueError, r"decoder must be one of", r"'gaussian', 'bernoulli'"),
    ("grid-mu_tilde-string", lambda e: e.grid.bound(np.zeros(2), "a", 0.0),
     TypeError, r"mu_tilde must be", r"one real number"),
    ("save_checkpoint-meta-not-json",
     lambda e: checkpoints.save_checkpoint(e.vae, e.tmp / "m.pt", meta={"a": object()}),
     TypeError, r"meta must hold only JSON types", r"\.tolist\(\)"),
    # ---------------------------------------------------------------- IWAE k
    ("iwae-k-zero", lambda e: elbo.iwae_bound(e.vae, torch.from_numpy(e.X), 0),
     ValueError, r"\bk must be", r"at least 1"),
    ("iwae-k-negative", lambda e: evaluate.log_likelihood_per_image(e.vae, e.X, k=-5),
     ValueError, r"\bk must be", r"at least 1"),
    ("iwae-k-float", lambda e: evaluate.log_likelihood_per_image(e.vae, e.X, k=10.0),
     TypeError, r"\bk must be an integer", r"integer, got 10\.0"),
    ("elbo-of-an-AE", lambda e: evaluate.elbo_per_image(
        __import__("vae_teach.nets.model", fromlist=["AE"]).AE(64, 2, hidden=[8]), e.X),
     TypeError, r"needs a VAE", r"an AE has no ELBO"),
    # ---------------------------------------------------------------- data folder, IDX, MD5
    ("mnist-folder-missing", lambda e: idx.load_mnist(e.tmp / "no_such_folder", "test"),
     FileNotFoundError, r"data folder .*no_such_folder does not exist",
     r"pass root=.*VAE_TEACH_DATA"),
    ("mnist-file-missing", lambda e: idx.load_mnist(e.mnist_missing, "test", verify=False),
     FileNotFoundError, r"t10k-labels-idx1-ubyte\.gz is missing", r"download=True"),
    ("mnist-md5-mismatch", lambda e: idx.load_mnist(e.mnist_bad_md5, "test"),
     ValueError, r"t10k-images-idx3-ubyte\.gz has MD5", r"download it again"),
    ("idx-not-gzip", lambda e: idx.read_idx_gz(e.not_gzip, idx.IMAGES_MAGIC),
     ValueError, r"not_gzip\.gz is not a valid gzip file", r"download it again"),
    ("idx-gzip-truncated", lambda e: idx.read_idx_gz(e.cut_gzip, idx.IMAGES_MAGIC),
     ValueError, r"cut\.gz is not a valid gzip file", r"download it again"),
    ("idx-payload-truncated", lambda e: idx.read_idx_gz(e.short_payload, idx.IMAGES_MAGIC),
     ValueError, r"short_payload\.gz declares sizes", r"download it again"),
    ("idx-wrong-magic", lambda e: idx.read_idx_gz(e.labels_file, idx.IMAGES_MAGIC),
     ValueError, r"labels\.gz has IDX magic number 2049", r"right file"),
    ("mnist-kind-unknown", lambda e: idx.load_mnist(e.tmp, kind="kmnist"),
     ValueError, r"kind must be one of", r"'mnist', 'fashion'"),
    # ---------------------------------------------------------------- checkpoints
    ("checkpoint-missing", lambda e: checkpoints.load_checkpoint(e.tmp / "nope.pt"),
     FileNotFoundError, r"checkpoint .*nope\.pt' does not exist", r"make weights"),
    ("checkpoint-tampered", lambda e: checkpoints.load_checkpoint(_flip(e)),
     ValueError, r"checkpoint .*vae\.pt' has SHA-256", r"rebuild it"),
    ("checkpoint-wrong-expected-sha",
     lambda e: checkpoints.load_checkpoint(e.ckpt, expected_sha256="0" * 64),
     ValueError, r"checkpoint .*vae\.pt' has SHA-256", r"rebuild it"),
    ("checkpoint-without-hash", lambda e: checkpoints.load_checkpoint(e.no_hash),
     ValueError, r"no_hash\.pt' has no SHA-256", r"pass expected_sha256="),
    ("checkpoint-pickled-object",
     lambda e: checkpoints.load_checkpoint(e.evil, expected_sha256=e.evil_sha),
     ValueError, r"evil\.pt' holds pickled Python objects", r"save_checkpoint"),
    ("checkpoint-not-a-checkpoint",
     lambda e: checkpoints.load_checkpoint(e.text, expected_sha256=e.text_sha),
     ValueError, r"notes\.pt' is corrupt or not a vae_teach checkpoint", r"rebuild it"),
    ("checkpoint-other-architecture",
     lambda e: checkpoints.load_checkpoint(e.ckpt8, model=VAE(64, 2, hidden=[8],
                                                        decoder="bernoulli")),
     ValueError, r"vae8\.pt' holds a different architecture", r"model=None"),
    ("pretrained-name-unknown", lambda e: pretrained.load("vae3d"),
     ValueError, r"unknown pretrained model 'vae3d'", r"list_models\(\)"),
    ("pretrained-tampered", lambda e: pretrained.load("vae2d", weights_dir=e.tmp / "w_tampered"),
     ValueError, r"vae2d\.pt' has SHA-256", r"make weights"),
    ("pretrained-other-architecture",
     lambda e: pretrained.load("vae2d", weights_dir=e.tmp / "w_arch"),
     ValueError, r"weights .*vae2d\.pt hold", r"rebuild them"),
    ("pretrained-missing-no-training",
     lambda e: pretrained.load("vae2d", train_if_missing=False, weights_dir=e.w_empty),
     FileNotFoundError, r"no pretrained weights for 'vae2d'", r"make weights"),
    # ---------------------------------------------------------------- model ↔ data mismatches
    ("bernoulli-model-raw-pixels",
     lambda e: elbo.L_b_monte_carlo(e.vae, data.load_digits_split("test", "raw")[0][:5]),
     ValueError, r"x has values in \[0, 16\].*Bernoulli decoder", r"Scale the data to \[0, 1\]"),
    ("bernoulli-model-negative-pixels", lambda e: e.vae.encode_numpy(-e.X),
     ValueError, r"X has values in \[-1, 0\].*Bernoulli", r"Gaussian decoder"),
    ("bernoulli-model-trains-on-raw-pixels",
     lambda e: train.train(VAE(64, 2, hidden=[8], decoder="bernoulli", seed=0),
                           data.load_digits_split("val", "raw")[0], epochs=1, progress=False),
     ValueError, r"X_train has values in \[0, 16\]", r"Scale the data to \[0, 1\]"),
    ("raw-scale-model-unit-pixels",
     lambda e: elbo.iwae_bound(pretrained.load("vae_slide", train_if_missing=False),
                               data.load_digits_split("test", "unit")[0][:5], k=2),
     ValueError, r"x lies in \[0, 1\].*0\.\.16 scale", r"load_digits_split\(split, 'raw'\)"),
    ("model-data-outside-training-range",
     lambda e: pretrained.load("vae_learned_var", train_if_missing=False).encode_numpy(
         5 * data.load_digits_split("test", "raw")[0][:5]),
     ValueError, r"X has values in \[0, 80\].*trained on data in \[0, 16\]",
     r"pretrained\.load_data"),
    ("model-data-empty", lambda e: e.vae.encode_numpy(np.zeros((0, 64))),
     ValueError, r"X is empty", r"at least one"),
    ("model-data-nan-tensor", lambda e: e.vae.encode(torch.full((2, 64), float("nan"))),
     ValueError, r"x contains NaN", r"clean the data"),
    # ---------------------------------------------------------------- latent space, widgets
    ("explorer-m-not-2", lambda e: __import__("vae_teach.widgets.explorer", fromlist=["x"])
     .LatentExplorer({"vae8": e.vae8}, (e.X, np.zeros(len(e.X)))),
     ValueError, r"model 'vae8' has a 8-D latent space", r"Pick a 2-D model"),
    ("decode_image-z-length", lambda e: latent.decode_image(e.vae, np.zeros(3)),
     ValueError, r"z has 3 coordinate", r"codes of length 2"),
    ("explorer-box", lambda e: __import__("vae_teach.viz.latent", fromlist=["x"]).check_in_box([9.0, 0.0], 4.0),
     ValueError, r"z\[0\] = 9 is outside", r"choose values inside"),
    ("elbo-widget-start-outside-grid",
     lambda e: __import__("vae_teach.widgets.elbo_gap", fromlist=["x"])
     .ElboGapWidget(e.grid, np.zeros(2), zeta=20.0),
     ValueError, r"q = N\(0, e\^20\) does not fit the grid", r"pick ζ in"),
]


@pytest.mark.parametrize("call, exc_type, name_re, fix_re",
                         [pytest.param(*row[1:], id=row[0]) for row in CASES])
def test_bad_input_raises_one_clear_error(env, call, exc_type, name_re, fix_re):
    with pytest.raises(Exception) as info:
        result = call(env)
        pytest.fail(f"returned {result!r} instead of raising")  # never a silent number
    err = info.value
    assert type(err) is exc_type, f"{type(err).__name__}: {err}"
    message = str(err)
    assert re.search(name_re, message), f"argument not named: {message}"
    assert re.search(fix_re, message), f"no fix hint: {message}"


def test_table_is_large_and_ids_unique():
    ids = [row[0] for row in CASES]
    assert len(ids) >= 30 and len(set(ids)) == len(ids)
    kinds = {row[2] for row in CASES}
    assert kinds == {ValueError, TypeError, FileNotFoundError}


def test_pickled_checkpoint_never_runs_code(env, capsys):
    with pytest.raises(ValueError):
        checkpoints.load_checkpoint(env.evil, expected_sha256=env.evil_sha)
    assert "arbitrary code ran" not in capsys.readouterr().out


def test_good_checkpoint_still_loads(env):
    model = checkpoints.load_checkpoint(env.ckpt)            # sidecar hash
    assert model.config == env.vae.config
    model = checkpoints.load_checkpoint(env.no_hash, verify=False)
    for a, b in zip(model.state_dict().values(), env.vae.state_dict().values()):
        assert torch.equal(a, b)


# -------------------------------------------------------------------- widgets keep working
@pytest.fixture(scope="module")
def explorer(env):
    from vae_teach.widgets.explorer import LatentExplorer

    y = data.load_digits_split("test", "binary")[1][:20]
    ex = LatentExplorer({"vae": env.vae}, (env.X, y), n_interp=3, grid=2)
    yield ex
    ex.close()


def _is_error(ex) -> bool:
    return "#cf222e" in ex.message.value


EXPLORER_BAD = [([99.0, 0.0], "outside the explorer"), ([0.0, -1e9], "outside the explorer"),
                ("abc", "could not read"), ("1, 2, 3", "two numbers"), ("nan, 0", "NaN"),
                ([np.inf, 0.0], "infinite")]


def test_explorer_out_of_range_shows_message_and_keeps_working(explorer):
    explorer.go_to([0.5, -0.5])
    before = explorer.z.copy()
    for bad, words in EXPLORER_BAD:
        assert explorer.go_to(bad) is None              # no exception leaves the callback
        assert _is_error(explorer) and words in explorer.message.value, (bad, words)
        np.testing.assert_array_equal(explorer.z, before)  # state unchanged
    explorer.go_to([1.0, 1.0])                          # and it still works
    assert not _is_error(explorer)
    np.testing.assert_array_equal(explorer.z, [1.0, 1.0])


def test_explorer_typed_text_out_of_range_shows_message(explorer):
    explorer.z_text.value = "50, 0"
    assert _is_error(explorer) and "outside the explorer" in explorer.message.value
    explorer.z_text.value = "0.25, 0.25"
    assert not _is_error(explorer)
    np.testing.assert_allclose(explorer.z, [0.25, 0.25])


def test_explorer_slider_beyond_its_range_is_clamped(explorer):
    explorer.sliders[0].value = 1e6                     # ipywidgets clamps to max
    assert explorer.sliders[0].value == explorer.sliders[0].max == explorer.entry.limit
    assert not _is_error(explorer)
    image = explorer.image.value
    assert image[:8] == b"\x89PNG\r\n\x1a\n"


def test_elbo_widget_out_of_range_shows_message_and_keeps_working(env):
    from vae_teach.widgets.elbo_gap import ElboGapWidget

    w = ElboGapWidget(env.grid, np.zeros(2))
    assert w.show(0.0, 20.0) is False
    assert "does not fit the grid" in w.status.value and "pick ζ in" in w.status.value
    assert w.show(14.0, 0.0) is False
    assert w.show(0.5, -1.0) is True
    assert "log p(x) =" in w.status.value
    w.zeta.value = 100.0                                # slider clamps; still a picture
    assert w.zeta.value == w.zeta.max
    assert "log p(x) =" in w.status.value
