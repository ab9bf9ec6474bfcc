"""The VAE's E-step and M-step one at a time, measured exactly on pPCA (VAE V.S. EM ALGORITHM).

The slide reads the VAE as an approximate EM:

* **E-step**: *adjust q_φ to decrease* KL(q_φ(·|X) ‖ p_θ(·|X)) with θ fixed, so that
  q_φ ≈ p_θ(·|X). Since log p_θ(X) does not depend on φ, raising L_b over φ is lowering
  KL = log p_θ(X) − L_b(θ, q_φ).
* **M-step**: *fix q_φ and adjust p_θ* to raise L_b(θ, q_φ).

Here the decoder is linear, μ_θ(z) = W z + μ with p_θ(x|z) = N(x; μ_θ(z), σ² I): exactly pPCA
(``measure.linear_vae``), so log p_θ(X), L_b and the KL are exact at every step while the
networks are trained the VAE way (Adam on a one-sample estimate of −L_b, minibatches).

What the E-step cannot reach, its **floor**, has two parts (Cremer, Li & Duvenaud 2018):

* **approximation gap** — Σ_n min over *diagonal* Gaussians q_n of KL(q_n ‖ p_θ(z|x_n)): the
  price of the family alone. For p_θ(z|x) = N(m_n, Σ) with precision Λ = Σ⁻¹ the best diagonal
  q_n = N(m_n, diag(1/Λ_jj)) and KL = ½(Σ_j log Λ_jj − log|Λ|) (``best_diagonal_q``);
* **amortisation gap** — the rest, floor − approximation: the price of one encoder network for
  every x (trained by noisy gradient steps) instead of the best q_n for each x_n.

EM's E-step sets q to p_θ(·|X) itself, so its gap is 0 (``em_round``).

Shapes: X (N, M) float; θ a ``maths.ppca.PPCA``; nats **per image** in every record here
(summed over the N rows and divided by N), unlike ``maths.em`` which sums.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from vae_teach._checks import as_float_array, check_int
from vae_teach.maths import em
from vae_teach.maths.ppca import PPCA
from vae_teach.measure import linear_vae


__all__ = ["best_diagonal_q", "approximation_gap", "vae_at_theta", "StepRecord",
           "train_encoder", "train_decoder", "em_round", "iwae_curve"]


def _check_X(X, M: int | None = None) -> np.ndarray:
    X = as_float_array(X, "X", ndim=2)
    if M is not None and X.shape[1] != M:
        raise ValueError(f"X has {X.shape[1]} columns but the model has M = {M}; pass the data "
                         f"the model was built for.")
    return X


def _check_theta(theta) -> PPCA:
    if not isinstance(theta, PPCA):
        raise TypeError(f"theta must be a vae_teach.maths.ppca.PPCA (W, mu, sigma2), got "
                        f"{type(theta).__name__}; take one from em.run_em(...).thetas or "
                        f"PPCA.fit(X, m).")
    return theta


def best_diagonal_q(theta: PPCA, X) -> tuple[np.ndarray, np.ndarray]:
    """The best diagonal Gaussian q_n for every x_n: argmin KL(q_n ‖ p_θ(z|x_n)).

    Returns means (N, m) = the posterior means, and covariances (N, m, m) = diag(1/Λ_jj) with
    Λ = (σ² (WᵀW + σ²I)⁻¹)⁻¹ the posterior precision (the same for every n on pPCA).
    """
    theta = _check_theta(theta)
    X = _check_X(X, theta.M)
    mean, cov = theta.posterior(X)
    diag = np.diag(1.0 / np.diag(np.linalg.inv(cov)))
    return mean, np.broadcast_to(diag, (X.shape[0], theta.m, theta.m)).copy()


def approximation_gap(theta: PPCA, X) -> float:
    """Σ_n min_{q_n diagonal} KL(q_n ‖ p_θ(z|x_n)) / N = ½(Σ_j log Λ_jj − log|Λ|), nats per image.

    ≥ 0 (Hadamard's inequality), = 0 exactly when the posterior covariance is diagonal.
    """
    theta = _check_theta(theta)
    X = _check_X(X, theta.M)
    return em.kl_gap(X, theta, *best_diagonal_q(theta, X)) / X.shape[0]


def vae_at_theta(theta: PPCA, hidden=(32,), seed: int = 0):
    """A ``linear_vae.linear_decoder_vae`` whose decoder *is* θ (W, μ, σ²) and whose encoder
    (one hidden layer of ``hidden``) is fresh: the starting point of a VAE E-step at θ."""
    import torch

    theta = _check_theta(theta)
    model = linear_vae.linear_decoder_vae(theta.M, theta.m, hidden=hidden, seed=seed)
    with torch.no_grad():
        model.decoder.net.weight.copy_(torch.from_numpy(np.asarray(theta.W, np.float64)))
        model.decoder.net.bias.copy_(torch.from_numpy(np.asarray(theta.mu, np.float64)))
        model.decoder.log_sigma2_x.fill_(float(np.log(theta.sigma2)))
    return model


@dataclass
class StepRecord:
    """Exact values every ``every`` gradient steps (nats per image): ``step`` (K,) ints,
    ``log_lik`` (K,) = log p_θ(X)/N, ``L_b`` (K,) = L_b(θ, q_φ)/N, ``kl`` (K,) = their
    difference, computed directly as KL(q_φ ‖ p_θ(·|X))/N. ``model`` is the trained copy."""

    step: np.ndarray
    log_lik: np.ndarray
    L_b: np.ndarray
    kl: np.ndarray
    model: object

    @property
    def floor(self) -> float:
        """Where the curve levelled off: the mean KL over the last quarter of the records."""
        return float(np.mean(self.kl[-max(1, len(self.kl) // 4):]))


def _train_part(model, X, part: str, steps: int, lr: float, batch_size: int, every: int,
                seed: int) -> StepRecord:
    """Adam on the one-sample −L_b (``nets.objectives.loss_terms``, β = 1) over the encoder
    (``part="encoder"``, θ frozen) or the decoder (``part="decoder"``, φ frozen), on a copy."""
    import torch

    from vae_teach.nets.objectives import loss_terms
    from vae_teach.nets.threads import one_thread

    linear_vae.vae_as_ppca(model)                       # a linear-decoder VAE, or a clear error
    X = _check_X(X, model.M)
    steps, batch_size = check_int(steps, "steps", 1), check_int(batch_size, "batch_size", 1)
    every, seed = check_int(every, "every", 1), check_int(seed, "seed", 0)
    if not (isinstance(lr, (int, float)) and np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive number, got {lr!r}.")
    model = copy.deepcopy(model).float()
    train, frozen = ((model.encoder, model.decoder) if part == "encoder"
                     else (model.decoder, model.encoder))
    for p in frozen.parameters():
        p.requires_grad_(False)
    for p in train.parameters():
        p.requires_grad_(True)
    N = X.shape[0]
    x = torch.from_numpy(X.astype(np.float32))
    gen = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    opt = torch.optim.Adam(train.parameters(), lr=float(lr))
    rec = {"step": [], "log_lik": [], "L_b": [], "kl": []}

    def record(step):
        terms = linear_vae.exact_terms(model, X)
        rec["step"].append(step)
        rec["log_lik"].append(terms["log_lik"] / N)
        rec["L_b"].append(terms["L_b"] / N)
        rec["kl"].append(terms["gap"] / N)

    with one_thread():
        record(0)
        order = rng.permutation(N)
        pos = 0
        for step in range(1, steps + 1):
            if pos + batch_size > N:
                order, pos = rng.permutation(N), 0
            idx = torch.from_numpy(order[pos:pos + batch_size])
            pos += batch_size
            loss = loss_terms(model, x[idx], generator=gen)[0]
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % every == 0 or step == steps:
                record(step)
    for p in model.parameters():
        p.requires_grad_(True)
    return StepRecord(**{k: np.asarray(v) for k, v in rec.items()}, model=model)


def train_encoder(model, X, steps: int = 400, lr: float = 1e-2, batch_size: int = 100,
                  every: int = 10, seed: int = 0) -> StepRecord:
    """The VAE's E-step: θ fixed, train φ only. On a copy of ``model`` (a linear-decoder VAE,
    e.g. ``vae_at_theta``); log_lik stays constant, L_b rises, the KL falls to its floor."""
    return _train_part(model, X, "encoder", steps, lr, batch_size, every, seed)


def train_decoder(model, X, steps: int = 200, lr: float = 3e-2, batch_size: int = 100,
                  every: int = 10, seed: int = 1) -> StepRecord:
    """The VAE's M-step: φ fixed, train θ = (W, μ, σ²) only, on a copy of ``model``.

    Its target, the exact argmax_θ L_b(θ, q_φ), is ``maths.em.m_step(X, *encoder_q(model, X))``.
    """
    return _train_part(model, X, "decoder", steps, lr, batch_size, every, seed)


def em_round(X, theta: PPCA) -> dict:
    """One EM step from θ, per image: ``log_lik`` = log p(X; θ), ``L_b_after_E`` (= log_lik),
    ``kl_after_E`` (0 up to rounding), ``log_lik_after_M`` = log p(X; θ'), ``L_b_after_M`` =
    L_b(θ', q) with q = p(·|X; θ) and θ' = the M-step's argmax; ``theta`` = θ'."""
    theta = _check_theta(theta)
    X = _check_X(X, theta.M)
    N = X.shape[0]
    q = em.e_step(X, theta)
    new = em.m_step(X, *q)
    return {"log_lik": theta.log_likelihood(X) / N, "L_b_after_E": em.lower_bound(X, theta, *q) / N,
            "kl_after_E": em.kl_gap(X, theta, *q) / N,
            "log_lik_after_M": new.log_likelihood(X) / N,
            "L_b_after_M": em.lower_bound(X, new, *q) / N, "theta": new}


def iwae_curve(model, X, ks=(1, 2, 5, 10, 50, 200), repeats: int = 4, seed: int = 0) -> dict:
    """The IWAE bound L_k = E[log (1/k) Σ_s p_θ(x, z_s)/q_φ(z_s|x)] for each k, per image.

    ``repeats`` independent estimates per k (float32, through the torch model) give the mean
    ``L_k`` (len(ks),) and its standard error ``se``; ``L_b`` and ``log_lik`` are exact (a
    linear-decoder VAE), so L_1 ≈ L_b ≤ L_k ≤ log p can be checked. Also returns ``k``.
    """
    import torch

    from vae_teach.nets.objectives import iwae_bound

    linear_vae.vae_as_ppca(model)
    X = _check_X(X, model.M)
    ks = [check_int(k, "k", 1) for k in ks]
    repeats = check_int(repeats, "repeats", 2)
    N = X.shape[0]
    x = torch.from_numpy(X.astype(np.float32))
    gen = torch.Generator().manual_seed(check_int(seed, "seed", 0))
    model = copy.deepcopy(model).float()
    est = np.array([[iwae_bound(model, x, k, generator=gen).item() / N for _ in range(repeats)]
                    for k in ks])
    exact = linear_vae.exact_terms(model, X)
    return {"k": np.asarray(ks), "L_k": est.mean(1), "se": est.std(1, ddof=1) / np.sqrt(repeats),
            "L_b": exact["L_b"] / N, "log_lik": exact["log_lik"] / N}
