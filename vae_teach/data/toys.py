"""2-D toy data sets (two moons, concentric rings) for quick latent-space pictures."""

from __future__ import annotations

import numpy as np

from vae_teach._checks import check_choice, check_int


TOY_SETS = ("moons", "rings")


__all__ = ['make_toy']


def make_toy(name: str = "moons", n: int = 1000, noise: float = 0.05,
             seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A 2-D toy set ``(X, y)``: X float32 (n, 2), y int64 (n,) in {0, 1}, shuffled.

    name: "moons" (two interleaved half circles, as sklearn's ``make_moons``) or "rings" (two
    concentric circles, radius 1 for y = 0 and 0.5 for y = 1). Angles are uniform at random;
    ``noise`` is the std of the Gaussian jitter added to each coordinate. Same ``seed`` → same
    points (numpy ``default_rng``).
    """
    check_choice(name, "name", TOY_SETS)
    n = check_int(n, "n", 2)
    if isinstance(noise, bool) or not isinstance(noise, (int, float, np.integer, np.floating)):
        raise TypeError(f"noise must be a number (the jitter's std), got {noise!r}.")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number ≥ 0, got {noise!r}.")
    seed = check_int(seed, "seed", 0)
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    if name == "moons":
        t = rng.uniform(0.0, np.pi, n)
        X = np.where(y[:, None] == 0, np.c_[np.cos(t), np.sin(t)],
                     np.c_[1 - np.cos(t), 0.5 - np.sin(t)])
    else:
        t = rng.uniform(0.0, 2 * np.pi, n)
        X = np.c_[np.cos(t), np.sin(t)] * np.where(y == 0, 1.0, 0.5)[:, None]
    X = X + noise * rng.standard_normal((n, 2))
    order = rng.permutation(n)
    return X[order].astype(np.float32), y[order].astype(np.int64)
