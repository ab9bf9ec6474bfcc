"""Smoke test of the speed reference (benchmarks/pytorch_examples_vae.py) on synthetic data.

No MNIST needed: a few batches of random 28×28 uint8 images through the torchvision-like
per-item Dataset, the default DataLoader collate and main.py's train/test functions.
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest
import torch


sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
ref = pytest.importorskip("pytorch_examples_vae")


@pytest.fixture
def synthetic():
    rng = np.random.default_rng(0)
    images = (rng.random((300, 28, 28)) < 0.2).astype(np.uint8) * rng.integers(
        100, 256, size=(300, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=300)
    return images, labels


def test_dataset_item_matches_totensor(synthetic):
    images, labels = synthetic
    ds = ref.TorchvisionLikeMNIST(images, labels)
    img, target = ds[7]
    assert img.shape == (1, 28, 28) and img.dtype == torch.float32
    assert isinstance(target, int) and target == labels[7]
    np.testing.assert_allclose(img[0].numpy(), images[7] / 255.0, rtol=0, atol=1e-7)


def test_loader_batches_like_torchvision(synthetic):
    train_loader, test_loader = ref.make_loaders(*synthetic, *synthetic, batch_size=128)
    data, target = next(iter(test_loader))
    assert data.shape == (128, 1, 28, 28) and target.dtype == torch.int64
    assert len(train_loader) == 3  # 300 images / 128, last batch partial


@pytest.fixture
def one_thread():
    """One torch thread: on a busy 2-core machine two OpenMP threads can be 10× slower."""
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


@pytest.mark.slow
def test_reference_trains_a_few_batches(synthetic, one_thread):
    images, labels = synthetic
    train_loader, test_loader = ref.make_loaders(images, labels, images, labels, batch_size=32)
    model, optimizer = ref.setup(seed=1)
    assert sum(p.numel() for p in model.parameters()) == (784 * 400 + 400 + 2 * (400 * 20 + 20)
                                                          + 20 * 400 + 400 + 400 * 784 + 784)
    before = ref.test(model, test_loader)
    train_losses = [ref.train(epoch, model, optimizer, train_loader, max_batches=5)
                    for epoch in (1, 2)]
    after = ref.test(model, test_loader)
    assert all(math.isfinite(v) for v in [before, after, *train_losses])
    # an untrained sigmoid decoder costs about 784·log 2 ≈ 543 nats per image; 10 Adam steps
    # at lr 1e-3 must lower the test loss clearly
    assert 400 < before < 700
    assert after < before - 50
    assert ref.sample(model).shape == (64, 784)


def test_bench_summary_and_results_section(tmp_path):
    """time_to_target / ratios from a made-up curve, and RESULTS.md keeps other sections."""
    bench = pytest.importorskip("bench_mnist_speed")

    def run(losses, dt):
        return {"curve": [{"epoch": i + 1, "train_wall_s": dt * (i + 1),
                           "train_cpu_s": dt * (i + 1) / 2, "test_loss": v}
                          for i, v in enumerate(losses)]}

    runs = [run([130, 110, 105.0], 10.0), run([120, 104.9, 104], 4.0), run([140, 139], 1.0)]
    summary = bench.summarise(runs, epochs_ref=3)
    assert summary["target_test_loss"] == 105.0
    assert runs[0]["time_to_target"] == {"epoch": 3, "wall_s": 30.0, "cpu_s": 15.0}
    assert runs[1]["ratio_to_reference"] == {"wall": round(8 / 30, 3), "cpu": round(4 / 15, 3)}
    assert runs[2]["time_to_target"] is None and runs[2]["ratio_to_reference"] is None
    # runs[1] is the compute reference: ratios to its CPU time for the same 3 epochs (6.0 s)
    assert runs[1]["ratio_to_compute"] == {"cpu": round(4 / 6, 3)}
    assert runs[2]["ratio_to_compute"] is None

    path = tmp_path / "RESULTS.md"
    path.write_text("# Benchmark results\n\n## Other engineer's section\nkeep me\n")
    bench.write_section(path, "## MNIST speed vs pytorch/examples\nfirst\n")
    bench.write_section(path, "## MNIST speed vs pytorch/examples\nsecond\n")
    text = path.read_text()
    assert "keep me" in text and "second" in text and "first" not in text
    assert text.count("BEGIN mnist_speed") == 1
