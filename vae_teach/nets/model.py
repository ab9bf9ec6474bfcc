"""The torch VAE in the slides' notation, and a plain auto-encoder baseline.

Encoder  q_φ(z|x) = N(z; μ̃_φ(x), diag(σ̃²_φ(x))), returned as ``(mu_tilde, zeta)`` with
ζ = log σ̃², both (N, m).  Prior p_θ(z) = N(0, I).  Decoders p_θ(x|z):

* ``"gaussian"``         – N(x; μ_θ(z), I): Σ_θ = I exactly as on the slides.
* ``"bernoulli"``        – Π_k Bernoulli(x_k; p_k), p = sigmoid(logits(z)); proper for x ∈ {0,1}^M.
* ``"gaussian_learned"`` – N(x; μ_θ(z), σ_x² I) (``var="scalar"``) or diag(σ_x²) per pixel
  (``var="pixel"``), with log σ_x² a learned parameter (clamped below at ``min_log_sigma2``).

Every model takes ``device=`` (default "cpu") and ``seed=`` (initial weights), and carries a
``config`` dict from which :func:`build_model` rebuilds it (used by checkpoints).

``x_scale`` (Gaussian decoders only) is a fixed unit of the network, not of the model: the
encoder reads x / x_scale and the decoder mean is μ_θ(z) = x_scale · net(z). With the raw
digits (0..16) and x_scale = 16 the networks work on O(1) numbers and train as fast as on
[0, 1], while p_θ(x|z) = N(x; μ_θ(z), I) keeps its unit variance on the raw scale.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import torch
from torch import nn

from vae_teach._checks import as_float_array, check_int
from vae_teach.maths.gaussian import LOG_2PI
from vae_teach.nets.threads import cap_torch_threads


__all__ = ["DECODERS", "Encoder", "GaussianDecoder", "BernoulliDecoder", "LearnedVarDecoder",
           "reparameterize", "VAE", "AE", "VAEOutput", "AEOutput", "build_model"]


cap_torch_threads()   # at most the CPUs this process may use (vae_teach/nets/threads.py)


DECODERS = ("gaussian", "bernoulli", "gaussian_learned")


def _mlp(sizes: list[int]) -> nn.Sequential:
    """Linear layers with ReLU between them (none after the last)."""
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def _check_hidden(hidden) -> list[int]:
    if isinstance(hidden, (int, np.integer)):
        hidden = [hidden]
    try:
        out = [check_int(h, "hidden", 1) for h in hidden]
    except TypeError:
        raise TypeError(f"hidden must be a list of layer widths such as [128, 128], "
                        f"got {hidden!r}.") from None
    return out


class Encoder(nn.Module):
    """x (N, M) ↦ (μ̃ (N, m), ζ = log σ̃² (N, m)): an MLP with two linear heads."""

    def __init__(self, M: int, m: int, hidden=(128, 128), x_scale: float = 1.0):
        super().__init__()
        hidden = _check_hidden(hidden)
        self.x_scale = float(x_scale)
        self.body = nn.Sequential(_mlp([M, *hidden]), nn.ReLU())
        self.mu_head = nn.Linear(hidden[-1], m)
        self.zeta_head = nn.Linear(hidden[-1], m)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.body(x / self.x_scale)
        return self.mu_head(h), self.zeta_head(h)


class GaussianDecoder(nn.Module):
    """z (N, m) ↦ μ_θ(z) (N, M); p_θ(x|z) = N(x; μ_θ(z), I) — the slides' Σ_θ = I."""

    kind = "gaussian"

    def __init__(self, M: int, m: int, hidden=(128, 128), x_scale: float = 1.0):
        super().__init__()
        self.x_scale = float(x_scale)
        self.net = _mlp([m, *reversed(_check_hidden(hidden)), M])

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """The decoder's raw output: here the mean μ_θ(z) = x_scale · net(z), (N, M)."""
        return self.net(z) * self.x_scale

    def mean(self, out: torch.Tensor) -> torch.Tensor:
        return out

    def log_sigma2(self, out: torch.Tensor) -> torch.Tensor:
        """log σ_x² per pixel (zeros: Σ_θ = I)."""
        return torch.zeros((), dtype=out.dtype, device=out.device)

    def log_prob(self, x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
        """log N(x; μ_θ, I) = −M/2 log 2π − ½‖x − μ_θ‖², summed over pixels: (..., N)."""
        M = x.shape[-1]
        return -0.5 * M * LOG_2PI - 0.5 * ((x - out) ** 2).sum(-1)


class LearnedVarDecoder(GaussianDecoder):
    """p_θ(x|z) = N(x; μ_θ(z), σ_x² I) with log σ_x² learned: one scalar or one per pixel."""

    kind = "gaussian_learned"

    def __init__(self, M: int, m: int, hidden=(128, 128), var: str = "scalar",
                 min_log_sigma2: float = -6.0, x_scale: float = 1.0):
        super().__init__(M, m, hidden, x_scale)
        if var not in ("scalar", "pixel"):
            raise ValueError(f"var must be 'scalar' or 'pixel', got {var!r}.")
        self.log_sigma2_x = nn.Parameter(torch.zeros(1 if var == "scalar" else M))
        self.min_log_sigma2 = float(min_log_sigma2)

    def log_sigma2(self, out: torch.Tensor) -> torch.Tensor:
        """log σ_x² = log_sigma2_x + 2 log x_scale (the parameter lives in the network's unit),
        clamped at ``min_log_sigma2`` so the density cannot collapse onto a pixel: (1,) or (M,)."""
        return (self.log_sigma2_x + 2 * math.log(self.x_scale)).clamp(min=self.min_log_sigma2)

    def log_prob(self, x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
        """Σ_k log N(x_k; μ_θ,k, σ_x,k²), (..., N)."""
        log_s2 = self.log_sigma2(out).expand(x.shape[-1])
        return -0.5 * (LOG_2PI + log_s2 + (x - out) ** 2 / log_s2.exp()).sum(-1)


class BernoulliDecoder(nn.Module):
    """z (N, m) ↦ logits (N, M); p_θ(x|z) = Π_k p_k^{x_k}(1−p_k)^{1−x_k}, p = sigmoid(logits)."""

    kind = "bernoulli"

    def __init__(self, M: int, m: int, hidden=(128, 128)):
        super().__init__()
        self.net = _mlp([m, *reversed(_check_hidden(hidden)), M])

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """The decoder's raw output: logits, (N, M)."""
        return self.net(z)

    def mean(self, out: torch.Tensor) -> torch.Tensor:
        """Pixel probabilities p = sigmoid(logits) = E[x|z]."""
        return torch.sigmoid(out)

    def log_prob(self, x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
        """Σ_k x_k log p_k + (1 − x_k) log(1 − p_k) = Σ_k x_k l_k − softplus(l_k) (= −BCE), (..., N).

        x (N, M) broadcasts against logits (S, N, M) for S samples of z.
        """
        return (x * out - nn.functional.softplus(out)).sum(-1)


def _make_decoder(kind: str, M: int, m: int, hidden, var: str, min_log_sigma2: float,
                  x_scale: float = 1.0):
    if kind == "gaussian":
        return GaussianDecoder(M, m, hidden, x_scale)
    if kind == "bernoulli":
        if x_scale != 1.0:
            raise ValueError(f"x_scale={x_scale} makes no sense for a Bernoulli decoder (pixels "
                             f"are 0/1); leave x_scale=1.")
        return BernoulliDecoder(M, m, hidden)
    if kind == "gaussian_learned":
        return LearnedVarDecoder(M, m, hidden, var=var, min_log_sigma2=min_log_sigma2,
                                 x_scale=x_scale)
    raise ValueError(f"decoder must be one of {list(DECODERS)}, got {kind!r}.")


def reparameterize(mu_tilde: torch.Tensor, zeta: torch.Tensor,
                   generator: torch.Generator | None = None, n_samples: int | None = None
                   ) -> torch.Tensor:
    """z = μ̃ + exp(ζ/2) ⊙ ε, ε ~ N(0, I): a differentiable sample from q_φ(z|x).

    mu_tilde, zeta: (N, m) → z: (N, m), or (n_samples, N, m) when ``n_samples`` is given.
    """
    if mu_tilde.shape != zeta.shape:
        raise ValueError(f"mu_tilde {tuple(mu_tilde.shape)} and zeta {tuple(zeta.shape)} must "
                         f"have the same shape (N, m).")
    shape = mu_tilde.shape if n_samples is None else (check_int(n_samples, "n_samples", 1),
                                                      *mu_tilde.shape)
    eps = torch.randn(shape, generator=generator, dtype=mu_tilde.dtype, device=mu_tilde.device)
    return mu_tilde + torch.exp(0.5 * zeta) * eps


class VAEOutput(NamedTuple):
    """``forward``'s result: x̂ = decoder mean at z, the encoder's (μ̃, ζ) and the sample z."""

    x_hat: torch.Tensor
    mu_tilde: torch.Tensor
    zeta: torch.Tensor
    z: torch.Tensor


class AEOutput(NamedTuple):
    x_hat: torch.Tensor
    z: torch.Tensor


class _Base(nn.Module):
    """Shared plumbing: config, device, numpy helpers, input checks."""

    #: ``(lo, hi)``: the range of the data the model was trained on (set by ``nets.train.train``,
    #: kept in checkpoints); None for a model that has seen no data yet.
    data_range: tuple[float, float] | None = None

    def _setup(self, config: dict, device, seed):
        self.config = dict(config)
        self.M, self.m = config["M"], config["m"]
        self.to(device)

    def check_data(self, x: torch.Tensor, name: str = "x") -> torch.Tensor:
        """Refuse data (N, M) for which this model's numbers would mean nothing.

        * NaN or infinite values;
        * a Bernoulli decoder's p_θ(x|z) gives probability to pixels in [0, 1] only: data outside
          that range have no likelihood under it;
        * data outside the range the model was trained on (``data_range``, 5 % margin), or
          [0, 1]-scaled images given to a model that reads pixels on a larger scale (such as
          the raw 0..16 digits): its encoder and log-likelihoods are then on the wrong scale.

        Returns ``x`` unchanged; raises one ValueError that names the fix.
        """
        if not torch.isfinite(x).all():
            raise ValueError(f"{name} contains NaN or infinite values; clean the data first.")
        lo, hi = float(x.min()) + 0.0, float(x.max()) + 0.0      # + 0.0: no "-0" in messages
        if self.decoder.kind == "bernoulli" and (lo < 0 or hi > 1):
            raise ValueError(
                f"{name} has values in [{lo:g}, {hi:g}], but this model's Bernoulli decoder "
                f"p_θ(x|z) gives probability to pixels in [0, 1] only, so its likelihood of "
                f"these data is meaningless. Scale the data to [0, 1] (e.g. "
                f"load_digits_split(split, 'binary'), or X / X.max()), or use a model with a "
                f"Gaussian decoder.")
        expected = self.data_range
        if expected is not None:
            span = expected[1] - expected[0]
            tol = 0.05 * span + 1e-6
            if lo < expected[0] - tol or hi > expected[1] + tol:
                raise ValueError(
                    f"{name} has values in [{lo:g}, {hi:g}], but this model was trained on data "
                    f"in [{expected[0]:g}, {expected[1]:g}]: its numbers for these data mean "
                    f"nothing. Pass data on the model's scale (pretrained.load_data(name, "
                    f"split) gives it for a pretrained model).")
        top = expected[1] if expected is not None else getattr(self.decoder, "x_scale", 1.0)
        bottom = expected[0] if expected is not None else 0.0
        if bottom >= 0 and top > 1.5 and x.shape[-1] >= 16 and hi <= 1.0:
            raise ValueError(
                f"{name} lies in [{lo:g}, {hi:g}], but this model reads pixels on a 0..{top:g} "
                f"scale: [0, 1]-scaled images look nearly black to it. Pass the data on the "
                f"model's scale (e.g. load_digits_split(split, 'raw'), or "
                f"pretrained.load_data(name, split)).")
        return x

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def _as_input(self, x, width: int, name: str) -> torch.Tensor:
        if not isinstance(x, torch.Tensor):
            x = torch.as_tensor(as_float_array(x, name))  # real numbers, finite, non-empty
        x = x.to(device=self.device, dtype=next(self.parameters()).dtype)
        if x.ndim != 2 or x.shape[-1] != width:
            raise ValueError(f"{name} must have shape (N, {width}), got {tuple(x.shape)}; "
                             f"flatten images to rows of length {width}.")
        if x.shape[0] == 0:
            raise ValueError(f"{name} is empty (shape {tuple(x.shape)}); pass at least one row.")
        if name in ("x", "X"):
            self.check_data(x, name)
        return x

    def _check_z(self, z: torch.Tensor) -> torch.Tensor:
        """Latent codes must end in the latent dimension m (else torch's matmul error)."""
        if not isinstance(z, torch.Tensor) or z.ndim < 1 or z.shape[-1] != self.m:
            shape = tuple(z.shape) if isinstance(z, torch.Tensor) else type(z).__name__
            raise ValueError(f"z must be a tensor of latent codes (..., m) with m = {self.m}, "
                             f"got {shape}; decode codes of this model's latent dimension "
                             f"(decode_numpy accepts numpy arrays).")
        return z

    def decode_params(self, z: torch.Tensor) -> torch.Tensor:
        """The decoder's raw output for z (..., m): μ_θ(z) (Gaussian) or logits (Bernoulli)."""
        return self.decoder(self._check_z(z))

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Decoder mean E[x|z]: μ_θ(z) (Gaussian) or pixel probabilities (Bernoulli), (N, M)."""
        return self.decoder.mean(self.decoder(self._check_z(z)))

    def log_px_given_z(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """log p_θ(x|z) summed over pixels. x (N, M), z (N, m) or (S, N, m) → (N,) or (S, N)."""
        return self.decoder.log_prob(x, self.decoder(z))

    @torch.no_grad()
    def decode_numpy(self, Z) -> np.ndarray:
        """Decoder means for latent codes ``Z`` (N, m) as a float32 numpy array (N, M)."""
        return self.decode(self._as_input(Z, self.m, "Z")).cpu().numpy()

    def extra_repr(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.config.items())


def _check_x_scale(x_scale) -> float:
    if isinstance(x_scale, bool) or not isinstance(x_scale, (int, float, np.floating,
                                                             np.integer)):
        raise TypeError(f"x_scale must be a positive number, got {x_scale!r}.")
    if not (np.isfinite(x_scale) and x_scale > 0):
        raise ValueError(f"x_scale must be a finite number > 0 (e.g. 16 for raw digits), got "
                         f"{x_scale}.")
    return float(x_scale)


def _seeded_init(seed, build):
    if seed is None:
        return build()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()


class VAE(_Base):
    """Variational auto-encoder: encoder q_φ(z|x), prior N(0, I), decoder p_θ(x|z).

    M: data dimension, m: latent dimension, hidden: encoder layer widths (the decoder mirrors
    them), decoder: one of ``DECODERS``; var / min_log_sigma2 only for "gaussian_learned".
    """

    def __init__(self, M: int, m: int, hidden=(128, 128), decoder: str = "gaussian",
                 var: str = "scalar", min_log_sigma2: float = -6.0, x_scale: float = 1.0,
                 device="cpu", seed=0):
        super().__init__()
        M, m = check_int(M, "M", 1), check_int(m, "m", 1)
        hidden = _check_hidden(hidden)
        if decoder not in DECODERS:
            raise ValueError(f"decoder must be one of {list(DECODERS)}, got {decoder!r}.")
        x_scale = _check_x_scale(x_scale)
        config = {"model": "VAE", "M": M, "m": m, "hidden": hidden, "decoder": decoder}
        if decoder == "gaussian_learned":
            config.update(var=var, min_log_sigma2=float(min_log_sigma2))
        if x_scale != 1.0:
            config["x_scale"] = x_scale

        def build():
            return (Encoder(M, m, hidden, x_scale),
                    _make_decoder(decoder, M, m, hidden, var, min_log_sigma2, x_scale))

        self.encoder, self.decoder = _seeded_init(seed, build)
        self._setup(config, device, seed)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x (N, M) ↦ (μ̃ (N, m), ζ = log σ̃² (N, m))."""
        return self.encoder(self._as_input(x, self.M, "x"))

    def forward(self, x: torch.Tensor, generator: torch.Generator | None = None) -> VAEOutput:
        """Encode, draw z ~ q_φ(z|x) by reparameterisation, decode: VAEOutput(x̂, μ̃, ζ, z)."""
        mu_tilde, zeta = self.encode(x)
        z = reparameterize(mu_tilde, zeta, generator)
        return VAEOutput(self.decode(z), mu_tilde, zeta, z)

    @torch.no_grad()
    def encode_numpy(self, X) -> tuple[np.ndarray, np.ndarray]:
        """(μ̃, ζ) for ``X`` (N, M) as float32 numpy arrays (N, m)."""
        mu_tilde, zeta = self.encode(self._as_input(X, self.M, "X"))
        return mu_tilde.cpu().numpy(), zeta.cpu().numpy()


class AE(_Base):
    """Plain auto-encoder with the VAE's architecture: z = f(x) deterministic, x̂ = decode(z).

    ``decoder`` picks the reconstruction loss the trainer uses: "gaussian" → ½‖x − x̂‖²,
    "bernoulli" → binary cross-entropy (x̂ are probabilities).
    """

    def __init__(self, M: int, m: int, hidden=(128, 128), decoder: str = "gaussian",
                 x_scale: float = 1.0, device="cpu", seed=0):
        super().__init__()
        M, m = check_int(M, "M", 1), check_int(m, "m", 1)
        hidden = _check_hidden(hidden)
        if decoder not in ("gaussian", "bernoulli"):
            raise ValueError(f"AE decoder must be 'gaussian' or 'bernoulli', got {decoder!r}.")
        x_scale = _check_x_scale(x_scale)
        config = {"model": "AE", "M": M, "m": m, "hidden": hidden, "decoder": decoder}
        if x_scale != 1.0:
            config["x_scale"] = x_scale
        self.x_scale = x_scale

        def build():
            enc = nn.Sequential(_mlp([M, *hidden]), nn.ReLU(), nn.Linear(hidden[-1], m))
            return enc, _make_decoder(decoder, M, m, hidden, "scalar", -6.0, x_scale)

        self.encoder, self.decoder = _seeded_init(seed, build)
        self._setup(config, device, seed)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """x (N, M) ↦ z (N, m)."""
        return self.encoder(self._as_input(x, self.M, "x") / self.x_scale)

    def forward(self, x: torch.Tensor, generator: torch.Generator | None = None) -> AEOutput:
        z = self.encode(x)
        return AEOutput(self.decode(z), z)

    @torch.no_grad()
    def encode_numpy(self, X) -> np.ndarray:
        """z for ``X`` (N, M) as a float32 numpy array (N, m)."""
        return self.encode(self._as_input(X, self.M, "X")).cpu().numpy()


def build_model(config: dict, device="cpu", seed=None) -> VAE | AE:
    """Build a model from its ``config`` dict (as stored in a checkpoint); ``seed`` fixes the
    initial weights (None: torch's global generator)."""
    if not isinstance(config, dict) or config.get("model") not in ("VAE", "AE"):
        raise ValueError(f"config must be a model config with model='VAE' or 'AE', got "
                         f"{config!r}.")
    kwargs = {k: v for k, v in config.items() if k != "model"}
    cls = VAE if config["model"] == "VAE" else AE
    try:
        return cls(**kwargs, device=device, seed=seed)
    except TypeError as exc:
        raise ValueError(f"config {config!r} does not describe a {cls.__name__}: {exc}") \
            from None
