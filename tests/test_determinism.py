"""Same seed → bit-identical numbers; different seed → different numbers; no hidden global RNG.

* training (``nets.train.train``): loss histories and final parameters,
* evaluation (``evaluate``: ELBO, IWAE-k) and ``nets.train.evaluate_loss``,
* the numpy Monte-Carlo helpers,
* a source scan: every random call in ``vae_teach`` takes a seed / Generator (no
  ``np.random.<fn>`` global state, no ``random`` module, torch samplers get ``generator=``).
"""
from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
import torch
from source_scan import dotted_name

from vae_teach.data import digits as data
from vae_teach.maths import bound as elbo_exact
from vae_teach.maths import em
from vae_teach.maths import gaussian, lemma, minibatch
from vae_teach.maths import prior as maths_prior
from vae_teach.maths.ppca import PPCA
from vae_teach.nets import checkpoints, evaluate, train
from vae_teach.nets.model import VAE


torch.set_num_threads(1)
PACKAGE = Path(__file__).resolve().parents[1] / "vae_teach"
HISTORY_KEYS = ("train_loss", "train_rec", "train_kl", "val_loss", "val_rec", "val_kl")


@pytest.fixture(scope="module")
def digits():
    X, _ = data.load_digits_split("train", "binary")
    V, _ = data.load_digits_split("val", "binary")
    return X[:200], V[:100]


def _run(digits, model_seed=0, seed=0, disturb_global=False):
    X, V = digits
    model = VAE(64, 2, hidden=[16], decoder="bernoulli", seed=model_seed)
    if disturb_global:  # whatever the user did before must not matter
        torch.manual_seed(12345)
        torch.randn(1000)
        np.random.seed(999)
    history = train.train(model, X, V, epochs=3, batch_size=50, lr=3e-3, seed=seed,
                          progress=False, keep_best=True)
    return model, history


def _same_history(h1, h2) -> bool:
    return all(np.array_equal(h1[k], h2[k], equal_nan=True) for k in HISTORY_KEYS) \
        and h1["best_epoch"] == h2["best_epoch"]


def _same_params(m1, m2) -> bool:
    s1, s2 = m1.state_dict(), m2.state_dict()
    return s1.keys() == s2.keys() and all(torch.equal(s1[k], s2[k]) for k in s1)


@pytest.mark.slow
def test_training_same_seed_is_bit_identical(digits):
    m1, h1 = _run(digits)
    m2, h2 = _run(digits, disturb_global=True)
    assert _same_history(h1, h2)
    assert _same_params(m1, m2)
    assert len(h1["train_loss"]) == 3 and np.all(np.isfinite(h1["train_loss"]))
    # a different training seed (minibatch order and z noise) changes the numbers
    m3, h3 = _run(digits, seed=1)
    assert not np.array_equal(h1["train_loss"], h3["train_loss"])
    assert not _same_params(m1, m3)
    # a different model seed (initial weights) too
    m4, h4 = _run(digits, model_seed=1)
    assert not np.array_equal(h1["train_loss"], h4["train_loss"])


@pytest.mark.slow
def test_checkpoint_round_trip_keeps_numbers(digits, tmp_path):
    model, _ = _run(digits)
    X, V = digits
    checkpoints.save_checkpoint(model, tmp_path / "m.pt")
    again = checkpoints.load_checkpoint(tmp_path / "m.pt")
    assert _same_params(model, again)
    assert train.evaluate_loss(model, V, seed=3) == train.evaluate_loss(again, V, seed=3)


@pytest.fixture(scope="module")
def model():
    return VAE(64, 2, hidden=[16], decoder="bernoulli", seed=0).eval()


def test_evaluation_same_seed_is_bit_identical(model, digits):
    _, V = digits
    kwargs = dict(k=20, n_samples=10, batch_size=40)
    r1 = evaluate.evaluate(model, V, seed=0, **kwargs)
    torch.manual_seed(777)                                 # global RNG must not matter
    torch.randn(10)
    r2 = evaluate.evaluate(model, V, seed=0, **kwargs)
    assert r1 == r2
    r3 = evaluate.evaluate(model, V, seed=1, **kwargs)
    assert r3["elbo"] != r1["elbo"] and r3["iwae"] != r1["iwae"]
    assert train.evaluate_loss(model, V, seed=5) == train.evaluate_loss(model, V, seed=5)
    assert train.evaluate_loss(model, V, seed=5) != train.evaluate_loss(model, V, seed=6)


def test_evaluation_leaves_the_global_rngs_alone(model, digits):
    _, V = digits
    torch_state, np_state = torch.get_rng_state(), np.random.get_state()
    evaluate.evaluate(model, V, k=5, n_samples=3, seed=0)
    train.evaluate_loss(model, V, seed=0)
    maths_prior.prior_samples(2, 10, seed=0)
    lemma.lemma_monte_carlo(np.zeros(2), np.eye(2), np.ones(2), np.eye(2), 100, rng=0)
    assert torch.equal(torch.get_rng_state(), torch_state)
    after = np.random.get_state()
    assert np_state[0] == after[0] and np.array_equal(np_state[1], after[1])


def test_numpy_monte_carlo_same_seed_is_bit_identical():
    mu_tilde, Sigma_tilde, mu, Sigma = lemma.random_lemma_args(3, rng=0)
    calls = {
        "lemma_monte_carlo": lambda s: lemma.lemma_monte_carlo(mu_tilde, Sigma_tilde, mu,
                                                                  Sigma, 500, rng=s),
        "random_spd": lambda s: gaussian.random_spd(3, rng=s),
        "ppca.sample": lambda s: PPCA(np.ones((3, 1)), np.zeros(3), 0.5).sample(20, rng=s),
        "em.run_em": lambda s: em.run_em(np.random.default_rng(0).normal(size=(30, 3)), 1,
                                         n_steps=3, seed=s).log_lik,
        "elbo_exact.sample_q": lambda s: elbo_exact.sample_q(np.zeros((4, 2)), np.eye(2), 5,
                                                             rng=s),
        "minibatch_estimates": lambda s: minibatch.minibatch_estimates(np.arange(10.0), 3, 5,
                                                                       rng=s),
        "prior_samples": lambda s: maths_prior.prior_samples(2, 5, seed=s),
    }
    for name, call in calls.items():
        a, b, c = (np.asarray(call(s), dtype=float) for s in (0, 0, 1))
        assert np.array_equal(a, b), name
        assert not np.array_equal(a, c), name


# ----------------------------------------------------------------------------- source scan
NP_SEEDED = {"default_rng", "Generator", "SeedSequence", "PCG64", "BitGenerator"}
TORCH_SAMPLERS = {"randn", "rand", "randint", "randperm", "normal", "bernoulli", "multinomial",
                  "poisson", "randn_like", "rand_like", "randint_like"}
INPLACE_SAMPLERS = {"normal_", "uniform_", "bernoulli_", "exponential_", "random_",
                    "cauchy_", "log_normal_", "geometric_"}


def unseeded_random_calls(source: str) -> list[str]:
    """Calls that draw from a global random state: ``np.random.<fn>``, the ``random`` module,
    torch samplers without ``generator=``, ``default_rng()`` without a seed."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) \
                else [node.module or ""]
            if "random" in names:
                found.append(f"line {node.lineno}: import random")
        if not isinstance(node, ast.Call):
            continue
        name = dotted_name(node.func)
        kwargs = {k.arg for k in node.keywords}
        head, _, fn = name.rpartition(".")
        if head in ("np.random", "numpy.random") and fn not in NP_SEEDED:
            found.append(f"line {node.lineno}: {name}()")
        elif fn == "default_rng" and not node.args and not kwargs:
            found.append(f"line {node.lineno}: {name}() without a seed")
        elif head == "torch" and fn in TORCH_SAMPLERS and "generator" not in kwargs:
            found.append(f"line {node.lineno}: {name}() without generator=")
        elif fn in INPLACE_SAMPLERS and "generator" not in kwargs:
            found.append(f"line {node.lineno}: .{fn}() without generator=")
    return found


def test_scanner_finds_unseeded_calls():
    bad = ("import random\nimport numpy as np\nimport torch\n"
           "a = np.random.normal(size=3)\nb = torch.randn(3)\nc = np.random.default_rng()\n"
           "d = torch.empty(3).normal_()\n")
    good = ("import numpy as np\nimport torch\nr = np.random.default_rng(seed)\n"
            "g = torch.Generator().manual_seed(0)\nb = torch.randn(3, generator=g)\n")
    assert len(unseeded_random_calls(bad)) == 5
    assert unseeded_random_calls(good) == []


def test_package_has_no_unseeded_randomness():
    report = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        found = unseeded_random_calls(path.read_text())
        if found:
            report[str(path.relative_to(PACKAGE))] = found
    assert report == {}, f"random calls without a seed/generator: {report}"


# ----------------------------------------------------------------------------- notebook checker
def _checker():
    import importlib.util

    path = PACKAGE.parent / "benchmarks" / "check_notebook_determinism.py"
    spec = importlib.util.spec_from_file_location("check_notebook_determinism", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_notebook_checker_compares_like_nbval():
    import nbformat

    chk = _checker()

    def nb(value: str, png: str, model_id: str, other: str):
        cells = [
            nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(x)", outputs=[
                nbformat.v4.new_output("stream", name="stdout", text="L_b = "),
                nbformat.v4.new_output("stream", name="stdout", text=value),
                nbformat.v4.new_output("display_data", data={
                    "image/png": png, "text/plain": "<Figure size 640x480 with 1 Axes>"}),
                nbformat.v4.new_output("display_data", data={
                    "application/vnd.jupyter.widget-view+json": {"model_id": model_id}})]),
            nbformat.v4.new_code_cell("# NBVAL_IGNORE_OUTPUT\nprint(time)", outputs=[
                nbformat.v4.new_output("stream", name="stdout", text=other)]),
            nbformat.v4.new_code_cell("print(y)", outputs=[
                nbformat.v4.new_output("stream", name="stdout", text=other)]),
        ]
        return nbformat.v4.new_notebook(cells=cells)

    a = nb("-1.2345\n", "AAAA", "id1", "1.0 s")
    b = nb("-1.2345\n", "BBBB", "id2", "1.0 s")          # only images / widget ids differ
    r = chk.compare(a, a, b)
    assert r == {"checked": 1, "diff_runs": [], "diff_stored": [], "other_diff": []}
    merged = chk.comparable(a.cells[0].outputs)
    assert merged[0]["text"] == "L_b = -1.2345\n"        # streams joined as in nbval
    c = nb("-1.2346\n", "AAAA", "id1", "2.0 s")          # a checked number changed
    r = chk.compare(a, a, c)
    assert r["diff_runs"] == [0] and r["diff_stored"] == [] and r["other_diff"] == [2]
    assert chk.compare(c, a, a)["diff_stored"] == [0]
