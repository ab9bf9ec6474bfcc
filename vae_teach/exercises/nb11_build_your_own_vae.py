"""Checkers for notebook 11 (build your own VAE: the last VAE LOSS FUNCTION slide, by hand).

Every piece is compared with the package's own on the same weights and the same noise ε:

* ``check_encoder(cls)`` — cls(M, m, h): x (N, M) ↦ (μ̃, ζ), the layers of
  ``nets.model.Encoder(M, m, [h])`` (its weights are loaded into the learner's module);
* ``check_reparameterize(fn)`` — fn(mu_tilde, zeta, eps) → z = μ̃ + exp(ζ/2) ⊙ ε, (N, m), and
  its gradients with respect to μ̃ and ζ;
* ``check_decoder(cls)`` — cls(M, m, h): z (N, m) ↦ μ_θ(z) (N, M), the layers of
  ``nets.model.GaussianDecoder(M, m, [h])``;
* ``check_L_VAE_torch(fn)`` — fn(x, x_hat, mu_tilde, zeta) → the slide's L_VAE as a torch
  scalar, and its gradients (autograd on ``nets.objectives.L_VAE``);
* ``check_training_step(fn)`` — fn(encoder, decoder, optimiser, x, eps) → the minibatch's
  L_VAE; two Adam steps on the package's modules must move the weights as the reference does;
* ``check_sum_vs_mean(prediction, mine, package)`` — predict-then-run: L_VAE summed over the
  batch versus the package's per-image mean of ½‖x − x̂‖² + KL, trained with Adam;
* ``check_collapse_scale(fn)`` — choose a setting: fn() → the pixel scale s for which the
  slide's loss on s·x switches every latent dimension off; checked by training.

``all_correct`` lets later cells use the learner's pieces when they pass and the package's
otherwise (with a note). Slips are named: exp(ζ) for exp(ζ/2), a missing or extra ½, a mean
where the slide sums, the regulariser's sign, σ̃ for σ̃², activations where none belong.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import torch
from torch import nn

from vae_teach.data.mnist import load_mnist_split
from vae_teach.exercises._core import (CORRECT, NOT_SOLVED, WRONG, CheckResult, _report,
                                       _stages, _unsolved, check_function, check_prediction)
from vae_teach.measure.experiments import beta_stats
from vae_teach.nets import objectives
from vae_teach.nets.handwritten import as_state_dict_of
from vae_teach.nets.model import VAE, Encoder, GaussianDecoder
from vae_teach.nets.train import evaluate_loss, train


__all__ = ["check_encoder", "check_reparameterize", "check_decoder", "check_L_VAE_torch",
           "check_training_step", "check_sum_vs_mean", "check_collapse_scale",
           "all_correct"]


LOG_2PI = math.log(2 * math.pi)


# ----------------------------------------------------------------------------- shared
def _seeded(build: Callable, seed: int):
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()


def _x(N: int, M: int, seed: int) -> torch.Tensor:
    return torch.from_numpy(np.random.default_rng(seed).uniform(0, 1, size=(N, M)))


def _as_tensor_output(out: Any, what: str) -> torch.Tensor:
    if not isinstance(out, torch.Tensor):
        raise TypeError(f"{what} must be a torch tensor, got {type(out).__name__}")
    return out


def all_correct(results, instead: str) -> bool:
    """Whether every checker result in ``results`` is correct; if not, print a note naming the
    open exercises and what happens ``instead`` (so the cells after them still run)."""
    results = list(results)
    if results and all(getattr(r, "status", None) == CORRECT for r in results):
        return True
    open_ = [getattr(r, "title", repr(r)) for r in results
             if getattr(r, "status", None) != CORRECT]
    print(f"Note: not solved yet: {'; '.join(open_)}. Until they are, {instead}. Solve them "
          f"and run this cell again.")
    return False


# ----------------------------------------------------------------------------- encoder
def _module_outputs(cls: Any, reference: Callable, M: int, m: int, h: int, seed: int,
                    x: torch.Tensor, two: bool):
    """Build cls(M, m, h), give it the package module's weights, run it on x."""
    mine = cls(M, m, h)
    if _unsolved(mine):
        return mine
    ref = _seeded(reference, seed).double()
    if not isinstance(mine, nn.Module):
        raise TypeError(f"{getattr(cls, '__name__', 'it')}(M, m, h) must build a torch "
                        f"nn.Module, got {type(mine).__name__}")
    mine.load_state_dict(as_state_dict_of(ref, mine))
    with torch.no_grad():
        out = mine.double()(x)
    if _unsolved(out):
        return out
    if two:
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            raise TypeError("forward must return the pair (mu_tilde, zeta), got "
                            f"{type(out).__name__}")
        return torch.stack([_as_tensor_output(o, "mu_tilde and zeta") for o in out])
    return _as_tensor_output(out, "the decoder's output")


def _encoder_variant(change: Callable) -> Callable:
    def run(M, m, h, seed, x):
        enc = _seeded(lambda: Encoder(M, m, [h]), seed).double()
        with torch.no_grad():
            return torch.stack(change(enc, x))
    return run


def _heads(enc, x, body=None):
    h = enc.body(x) if body is None else body(x)
    return enc.mu_head(h), enc.zeta_head(h)


ENCODER_SLIPS = {
    "a ReLU after the heads (then ζ ≥ 0: σ̃ can never fall below 1)":
        _encoder_variant(lambda e, x: [torch.relu(t) for t in _heads(e, x)]),
    "no ReLU after the hidden layer (the encoder is then linear in x)":
        _encoder_variant(lambda e, x: _heads(e, x, body=e.body[0])),
    "μ̃ and ζ swapped": _encoder_variant(lambda e, x: _heads(e, x)[::-1]),
    "returning σ̃² = exp(ζ) instead of ζ":
        _encoder_variant(lambda e, x: [_heads(e, x)[0], _heads(e, x)[1].exp()]),
    "returning σ̃ = exp(ζ/2) instead of ζ":
        _encoder_variant(lambda e, x: [_heads(e, x)[0], (_heads(e, x)[1] / 2).exp()]),
}


def check_encoder(cls: Any, verbose: bool = True) -> CheckResult:
    """cls(M, m, h) is an nn.Module whose forward maps x (N, M) to (μ̃, ζ), both (N, m), with
    the layers of the package's ``Encoder(M, m, [h])``."""
    cases = [(6, 2, 5, 110, _x(3, 6, 110)), (12, 3, 7, 111, _x(5, 12, 111)),
             (784, 8, 200, 112, _x(4, 784, 112))]
    hint = ["The encoder is one hidden layer of h units followed by a ReLU, then two separate "
            "linear heads that both read that hidden layer: one gives μ̃, the other ζ. ζ is a "
            "log-variance, any real number, so nothing comes after the heads.",
            "In __init__ (after super().__init__()): self.body = nn.Sequential(nn.Linear(M, h), "
            "nn.ReLU()); self.mu_head = nn.Linear(h, m); self.zeta_head = nn.Linear(h, m), with "
            "these names, in this order.",
            "forward(self, x): hidden = self.body(x); return self.mu_head(hidden), "
            "self.zeta_head(hidden)."]

    def run(M, m, h, seed, x):
        return _module_outputs(cls, lambda: Encoder(M, m, [h]), M, m, h, seed, x, two=True)

    return check_function("the encoder x ↦ (μ̃, ζ)", run, _encoder_variant(_heads), cases,
                          hint, rtol=1e-9, atol=1e-10, verbose=verbose, slips=ENCODER_SLIPS)


# ----------------------------------------------------------------------------- z
def _with_grads(fn: Callable) -> Callable:
    """fn(mu_tilde, zeta, eps) → z; returns [z, ∂(w·z)/∂μ̃, ∂(w·z)/∂ζ] for a fixed weight w."""
    def run(mu_tilde, zeta, eps):
        mu_tilde = mu_tilde.clone().requires_grad_(True)
        zeta = zeta.clone().requires_grad_(True)
        z = fn(mu_tilde, zeta, eps)
        if _unsolved(z) or not isinstance(z, torch.Tensor):
            return z
        if z.shape != mu_tilde.shape:
            raise ValueError(f"z has shape {tuple(z.shape)}, expected {tuple(mu_tilde.shape)} "
                             f"(one code per row of mu_tilde)")
        if not z.requires_grad:
            raise ValueError("z is not connected to mu_tilde and zeta, so no gradient can flow "
                             "back to the encoder; compute it with torch operations")
        w = torch.linspace(-1.0, 2.0, z.numel(), dtype=z.dtype).reshape(z.shape)
        g_mu, g_zeta = torch.autograd.grad((w * z).sum(), (mu_tilde, zeta), allow_unused=True)
        g_mu = torch.zeros_like(mu_tilde) if g_mu is None else g_mu
        g_zeta = torch.zeros_like(zeta) if g_zeta is None else g_zeta
        return torch.stack([z.detach(), g_mu, g_zeta])
    return run


REPARAMETERIZE_SLIPS = {
    "exp(ζ) instead of exp(ζ/2) (that is σ̃², not σ̃)": lambda mu, zeta, eps: mu + zeta.exp() * eps,
    "ζ used as σ̃ (ζ is log σ̃²)": lambda mu, zeta, eps: mu + zeta * eps,
    "σ̃ added without the noise ε": lambda mu, zeta, eps: mu + (zeta / 2).exp(),
    "ε added, not multiplied by σ̃": lambda mu, zeta, eps: mu + (zeta / 2).exp() + eps,
    "μ̃ and σ̃ swapped": lambda mu, zeta, eps: (zeta / 2).exp() + mu * eps,
}


def check_reparameterize(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(mu_tilde (N, m), zeta (N, m), eps (N, m)) → z = μ̃ + exp(ζ/2) ⊙ ε, differentiable."""
    rng = np.random.default_rng(113)
    cases = []
    for N, m in [(1, 1), (4, 2), (3, 8)]:
        mu, zeta, eps = (torch.from_numpy(rng.normal(size=(N, m))) for _ in range(3))
        cases.append((mu, zeta, eps))
    hint = ["z must have the distribution N(μ̃, σ̃²) per coordinate, built from standard normal "
            "noise ε by shifting and scaling, and the encoder outputs ζ = log σ̃², not σ̃. "
            "Which function of ζ is the standard deviation σ̃?",
            "σ̃ = exp(ζ/2) (since σ̃² = exp(ζ)); z = mu_tilde + torch.exp(zeta / 2) * eps."]
    return check_function("the reparameterised z", _with_grads(fn), _with_grads(
        lambda mu, zeta, eps: mu + torch.exp(zeta / 2) * eps), cases, hint, rtol=1e-9,
        atol=1e-12, verbose=verbose,
        slips={k: _with_grads(v) for k, v in REPARAMETERIZE_SLIPS.items()})


# ----------------------------------------------------------------------------- decoder
def _decoder_variant(change: Callable) -> Callable:
    def run(M, m, h, seed, z):
        dec = _seeded(lambda: GaussianDecoder(M, m, [h]), seed).double()
        with torch.no_grad():
            return change(dec.net, z)
    return run


DECODER_SLIPS = {
    "a sigmoid on the output (the package's Gaussian decoder outputs μ_θ(z) unbounded)":
        _decoder_variant(lambda net, z: torch.sigmoid(net(z))),
    "a ReLU on the output": _decoder_variant(lambda net, z: torch.relu(net(z))),
    "no ReLU in the hidden layer (the decoder is then linear in z)":
        _decoder_variant(lambda net, z: net[2](net[0](z))),
}


def check_decoder(cls: Any, verbose: bool = True) -> CheckResult:
    """cls(M, m, h) is an nn.Module whose forward maps z (N, m) to μ_θ(z) (N, M), with the
    layers of the package's ``GaussianDecoder(M, m, [h])``."""
    rng = np.random.default_rng(114)
    cases = [(M, m, h, seed, torch.from_numpy(rng.normal(size=(N, m))))
             for M, m, h, seed, N in [(6, 2, 5, 115, 3), (12, 3, 7, 116, 5),
                                      (784, 8, 200, 117, 4)]]
    hint = ["The decoder mirrors the encoder: one hidden layer of h units with a ReLU, then a "
            "linear layer to the M pixels. Its output is the mean μ_θ(z) of a Gaussian with "
            "Σ_θ = I, so nothing comes after the last layer.",
            "In __init__: self.net = nn.Sequential(nn.Linear(m, h), nn.ReLU(), nn.Linear(h, M)); "
            "forward(self, z): return self.net(z)."]

    def run(M, m, h, seed, z):
        return _module_outputs(cls, lambda: GaussianDecoder(M, m, [h]), M, m, h, seed, z,
                               two=False)

    return check_function("the decoder z ↦ μ_θ(z)", run, _decoder_variant(lambda net, z: net(z)),
                          cases, hint, rtol=1e-9, atol=1e-10, verbose=verbose,
                          slips=DECODER_SLIPS)


# ----------------------------------------------------------------------------- L_VAE
def _loss_with_grads(fn: Callable) -> Callable:
    """fn(x, x_hat, mu_tilde, zeta) → scalar; returns [L, ∂L/∂x̂, ∂L/∂μ̃, ∂L/∂ζ] flattened."""
    def run(x, x_hat, mu_tilde, zeta):
        leaves = [t.clone().requires_grad_(True) for t in (x_hat, mu_tilde, zeta)]
        loss = fn(x, *leaves)
        if _unsolved(loss) or not isinstance(loss, torch.Tensor):
            return loss
        if loss.numel() != 1:
            raise ValueError(f"the loss must be one number (a 0-d tensor), got shape "
                             f"{tuple(loss.shape)}; sum over samples i and dimensions")
        if not loss.requires_grad:
            raise ValueError("the loss is not connected to x_hat, mu_tilde and zeta, so "
                             "backward() cannot train anything; compute it with torch "
                             "operations (no numpy, no .item())")
        grads = torch.autograd.grad(loss.reshape(()), leaves, allow_unused=True)
        grads = [torch.zeros_like(t) if g is None else g for t, g in zip(leaves, grads)]
        return torch.cat([loss.detach().reshape(1)] + [g.flatten() for g in grads])
    return run


def _R(x, x_hat):
    return ((x - x_hat) ** 2).sum()


def _K(mu, zeta):
    return (mu ** 2 + zeta.exp() - (1 + zeta)).sum()


L_VAE_SLIPS = {
    "a mean over the minibatch instead of the sum over i (L_VAE / N)":
        lambda x, xh, mu, zeta: (_R(x, xh) + _K(mu, zeta)) / x.shape[0],
    "a mean over every entry, as F.mse_loss does":
        lambda x, xh, mu, zeta: ((x - xh) ** 2).mean() + (mu ** 2 + zeta.exp() - 1 - zeta).mean(),
    "a ½ on the regulariser (that is R + KL, the slide has R + 2·KL)":
        lambda x, xh, mu, zeta: _R(x, xh) + 0.5 * _K(mu, zeta),
    "a ½ in front (that is −L_b without its constant, not the slide's L_VAE)":
        lambda x, xh, mu, zeta: 0.5 * (_R(x, xh) + _K(mu, zeta)),
    "the regulariser's sign flipped (R − K)":
        lambda x, xh, mu, zeta: _R(x, xh) - _K(mu, zeta),
    "(1 − ζ) for (1 + ζ)":
        lambda x, xh, mu, zeta: _R(x, xh) + (mu ** 2 + zeta.exp() - (1 - zeta)).sum(),
    "exp(ζ/2) for exp(ζ) (σ̃ for σ̃²)":
        lambda x, xh, mu, zeta: _R(x, xh) + (mu ** 2 + (zeta / 2).exp() - (1 + zeta)).sum(),
}


def _loss_cases():
    rng = np.random.default_rng(118)
    cases = []
    for N, M, m in [(1, 4, 1), (5, 16, 2), (8, 784, 8)]:
        x = rng.uniform(0, 1, size=(N, M))
        arrays = (x, x + rng.normal(0, 0.3, size=(N, M)), rng.normal(size=(N, m)),
                  rng.normal(-0.5, 1.0, size=(N, m)))
        cases.append(tuple(torch.from_numpy(a) for a in arrays))
    return cases


def check_L_VAE_torch(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(x (N, M), x_hat (N, M), mu_tilde (N, m), zeta (N, m)) → L_VAE, a torch scalar that
    autograd can differentiate; value and gradients are compared with ``objectives.L_VAE``."""
    hint = ["Two sums over the minibatch: the squared reconstruction error of every pixel, plus "
            "the regulariser of every latent coordinate, written with ζ itself (the encoder's "
            "output). The slide has no ½ and no mean, and the loss must stay a torch tensor so "
            "that autograd can differentiate it.",
            "((x - x_hat) ** 2).sum() + (mu_tilde ** 2 + torch.exp(zeta) - (1 + zeta)).sum()."]
    return check_function("L_VAE in torch (value and gradients)", _loss_with_grads(fn),
                          _loss_with_grads(objectives.L_VAE), _loss_cases(), hint, rtol=1e-9,
                          atol=1e-9, verbose=verbose,
                          slips={k: _loss_with_grads(v) for k, v in L_VAE_SLIPS.items()})


# ----------------------------------------------------------------------------- training step
_STEP = dict(M=10, m=2, h=6, B=5, lr=0.05)


def _reference_step(sample=None, loss=None, order="zbs"):
    """The correct step, or a slip: ``order`` is the sequence of zero_grad (z), backward (b),
    step (s); ``sample``/``loss`` replace the reparameterisation / the loss."""
    sample = sample or (lambda mu, zeta, eps: mu + torch.exp(zeta / 2) * eps)
    loss_fn = loss or objectives.L_VAE

    def step(encoder, decoder, optimiser, x, eps):
        mu_tilde, zeta = encoder(x)
        value = loss_fn(x, decoder(sample(mu_tilde, zeta, eps)), mu_tilde, zeta)
        for op in order:
            {"z": optimiser.zero_grad, "b": value.backward, "s": optimiser.step}[op]()
        return value.item()
    return step


def _run_steps(fn: Callable) -> Callable:
    """Two Adam steps of fn on fresh package modules (float64); [loss₁, loss₂, weights…]."""
    def run(seed):
        p = _STEP
        enc = _seeded(lambda: Encoder(p["M"], p["m"], [p["h"]]), seed).double()
        dec = _seeded(lambda: GaussianDecoder(p["M"], p["m"], [p["h"]]), seed + 1).double()
        opt = torch.optim.Adam([*enc.parameters(), *dec.parameters()], lr=p["lr"])
        rng = np.random.default_rng(seed)
        losses = []
        for _ in range(2):
            x = torch.from_numpy(rng.uniform(0, 1, size=(p["B"], p["M"])))
            eps = torch.from_numpy(rng.normal(size=(p["B"], p["m"])))
            value = fn(enc, dec, opt, x, eps)
            if _unsolved(value):
                return value
            if isinstance(value, torch.Tensor):
                value = value.detach()
            losses.append(float(value))
        weights = [t.detach().flatten() for t in [*enc.parameters(), *dec.parameters()]]
        return torch.cat([torch.tensor(losses, dtype=torch.float64)] + weights)
    return run


TRAINING_STEP_SLIPS = {
    "no zero_grad (each step adds the new gradient to the old ones)": _reference_step(order="bs"),
    "no optimiser step, or zero_grad between backward and step (the weights never move)":
        _reference_step(order="zb"),
    "exp(ζ) instead of exp(ζ/2) in the sample":
        _reference_step(sample=lambda mu, zeta, eps: mu + zeta.exp() * eps),
    "a mean over the minibatch instead of the sum (L_VAE / N)":
        _reference_step(loss=lambda x, xh, mu, zeta: objectives.L_VAE(x, xh, mu, zeta)
                        / x.shape[0]),
    "a ½ in front of the loss": _reference_step(
        loss=lambda x, xh, mu, zeta: 0.5 * objectives.L_VAE(x, xh, mu, zeta)),
    "the sample z not used (decoding μ̃ directly)":
        _reference_step(sample=lambda mu, zeta, eps: mu),
}


def check_training_step(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(encoder, decoder, optimiser, x (B, M), eps (B, m)) → L_VAE of the minibatch (a float)
    after one optimiser step on it; checked by two Adam steps on the package's modules."""
    hint = ["One step: encode the minibatch, draw z from your reparameterisation with the given "
            "ε, decode, evaluate your L_VAE; then clear the old gradients, backpropagate, and let "
            "the optimiser move the weights. Hand back the loss as a plain number.",
            "mu_tilde, zeta = encoder(x); z = my_reparameterize(mu_tilde, zeta, eps); loss = "
            "my_L_VAE(x, decoder(z), mu_tilde, zeta); then optimiser.zero_grad(); "
            "loss.backward(); optimiser.step(); return loss.item().",
            "It uses your my_reparameterize and my_L_VAE: if those are not correct yet, this "
            "step cannot be either; their checkers come first."]
    return check_function("one training step", _run_steps(fn), _run_steps(_reference_step()),
                          [(119,), (120,)], hint, rtol=1e-7, atol=1e-9, verbose=verbose,
                          slips={k: _run_steps(v) for k, v in TRAINING_STEP_SLIPS.items()})


# ----------------------------------------------------------------------------- sum vs mean
SUM_VS_MEAN_CHOICES = ("clearly better", "about the same", "clearly worse")


def _sum_vs_mean_effect(mine: float, package: float, tol: float = 0.01) -> str:
    """The choice the two validation losses support (lower is better; ``tol`` relative)."""
    rel = (mine - package) / abs(package)
    if abs(rel) <= tol:
        return "about the same"
    return "clearly better" if rel < 0 else "clearly worse"


def _fit_sum(vae: VAE, X: torch.Tensor, epochs: int, lr: float, seed: int,
             batch_size: int = 100) -> None:
    """Adam on L_VAE summed over each minibatch, with ``train``'s batches and noise."""
    opt = torch.optim.Adam(vae.parameters(), lr=lr)
    perm_gen = torch.Generator().manual_seed(seed)
    noise_gen = torch.Generator().manual_seed(seed + 1)
    for _ in range(epochs):
        order = torch.randperm(len(X), generator=perm_gen)
        for start in range(0, len(X), batch_size):
            x = X[order[start:start + batch_size]]
            mu_tilde, zeta = vae.encoder(x)
            eps = torch.randn(mu_tilde.shape, generator=noise_gen)
            z = mu_tilde + torch.exp(zeta / 2) * eps
            loss = objectives.L_VAE(x, vae.decoder(z), mu_tilde, zeta)
            opt.zero_grad()
            loss.backward()
            opt.step()
    vae.eval()


def _default_sum_vs_mean(n: int = 2000, epochs: int = 2, m: int = 8, h: int = 200,
                         seed: int = 0) -> tuple[float, float]:
    """A small run of both losses on the shipped digits: validation loss per image of each."""
    X, _ = load_mnist_split("train", "unit")
    X_val, _ = load_mnist_split("val", "unit")
    mine = VAE(784, m, hidden=[h], decoder="gaussian", seed=seed)
    package = VAE(784, m, hidden=[h], decoder="gaussian", seed=seed)
    _fit_sum(mine, torch.from_numpy(X[:n]), epochs, 3e-3, seed)
    train(package, X[:n], epochs=epochs, lr=3e-3, seed=seed, progress=False)
    return (evaluate_loss(mine, X_val, seed=seed)["loss"],
            evaluate_loss(package, X_val, seed=seed)["loss"])


def check_sum_vs_mean(prediction: Callable[[], str], mine: float | None = None,
                      package: float | None = None, verbose: bool = True) -> CheckResult:
    """prediction() → one of ``SUM_VS_MEAN_CHOICES``: your model (Adam on L_VAE summed over
    the minibatch) against the package's (Adam on the per-image mean of ½‖x − x̂‖² + KL),
    same start, batches and noise. ``mine``, ``package``: their validation losses per image
    (a small run of its own is made when they are not given)."""
    hint = ["Write the package's per-image loss in terms of the minibatch's L_VAE: what is "
            "left besides a positive factor and a constant? Then recall what Adam divides each "
            "gradient coordinate by.",
            "Per minibatch of B images, package loss = (L_VAE + B·M·log 2π) / (2B): the same "
            "minimiser, a gradient 2B times smaller. Adam's step is the gradient's running mean "
            "over its running root-mean-square, so that factor cancels."]
    why = ("Per minibatch the package's loss is (L_VAE + B·M·log 2π)/(2B): the constant has no "
           "gradient and the factor 2B cancels in Adam's update (the running mean of the "
           "gradient divided by its running root-mean-square). Sum or mean, with or without the "
           "½, is the same model and nearly the same trajectory. Plain SGD would not forgive "
           "it: its step grows with the factor, so the learning rate would have to shrink by "
           "2B. Only a change of the RATIO between the two terms (β) changes the model.")
    slips = {"clearly worse": "thinking the sum or the missing ½ changes what is minimised (it "
                              "only rescales the loss)",
             "clearly better": "thinking a larger loss makes larger, faster steps (Adam's step "
                               "does not grow with the gradient's scale)"}
    stages = _stages(hint)
    title = "prediction: summed L_VAE vs the package's mean"
    try:
        choice = prediction() if callable(prediction) else prediction
    except NotImplementedError:
        return check_prediction(title, _raise_not_implemented, SUM_VS_MEAN_CHOICES,
                                SUM_VS_MEAN_CHOICES[1], why, stages, verbose=verbose)
    except Exception as exc:  # the learner's code may fail in any way; report, do not crash
        return _report(CheckResult(title, WRONG, f"Your prediction raised "
                                   f"{type(exc).__name__}: {exc}.", stages), verbose)
    if _unsolved(choice):
        return check_prediction(title, lambda: choice, SUM_VS_MEAN_CHOICES,
                                SUM_VS_MEAN_CHOICES[1], why, stages, verbose=verbose)
    if not isinstance(choice, str) or choice.strip().lower() not in SUM_VS_MEAN_CHOICES:
        return _report(CheckResult(title, WRONG, f"{choice!r} is not one of "
                                   f"{list(SUM_VS_MEAN_CHOICES)}.", stages), verbose)
    if mine is None or package is None:
        mine, package = _default_sum_vs_mean()
    measured = _sum_vs_mean_effect(float(mine), float(package))
    result = check_prediction(title, lambda: choice, SUM_VS_MEAN_CHOICES, measured, why, stages,
                              verbose=False)
    key = choice.strip().lower()
    if result.status == WRONG and key in slips:
        result = CheckResult(result.title, result.status, f"{result.message} (That choice is "
                             f"the slip of {slips[key]}.)", result.hints)
    return _report(result, verbose)


def _raise_not_implemented():
    raise NotImplementedError()


# ----------------------------------------------------------------------------- scale
def collapse_run(s: float, n: int = 2000, epochs: int = 3, m: int = 8, h: int = 200,
                 seed: int = 0, threshold: float = 0.01):
    """Train the slide's loss (Σ_θ = I, β = 1) on the pixels s·x of n shipped digits; returns
    the package's ``beta_stats`` on the validation digits (same scale)."""
    X, _ = load_mnist_split("train", "unit")
    X_val, _ = load_mnist_split("val", "unit")
    vae = VAE(784, m, hidden=[h], decoder="gaussian", x_scale=float(s), seed=seed)
    train(vae, s * X[:n], epochs=epochs, lr=3e-3, seed=seed, progress=False)
    return beta_stats(vae, s * X_val, threshold)


def check_collapse_scale(fn: Callable[[], float], n: int = 2000, epochs: int = 3,
                         verbose: bool = True) -> CheckResult:
    """fn() → a pixel scale s > 0 for which the slide's loss trained on s·x (Σ_θ = I, the
    networks seeing x itself) leaves no active latent dimension (Var_x μ̃_j ≤ 0.01 for all j).
    Checked by training on n shipped digits for ``epochs`` epochs."""
    title = "a pixel scale that makes the KL win"
    hint = ["Scale the pixels by s and the reconstruction term grows like s squared while the "
            "regulariser does not change: which β does that correspond to, and which direction "
            "of β switches latent dimensions off?",
            "L_VAE on s·x is s²·(‖x − x̂‖² summed) + regulariser = s²·(R + β·K) with β = 1/s². "
            "A large β means a small s.",
            "Try s = 0.25 (β = 16)."]
    stages = _stages(hint)
    try:
        s = fn() if callable(fn) else fn
    except NotImplementedError:
        return _report(CheckResult(title, NOT_SOLVED, "Return your pixel scale s (a number), "
                                   "then run this cell again.", stages[:1]), verbose)
    except Exception as exc:  # the learner's code may fail in any way; report, do not crash
        return _report(CheckResult(title, WRONG, f"Your function raised {type(exc).__name__}: "
                                   f"{exc}.", stages), verbose)
    if _unsolved(s):
        return _report(CheckResult(title, NOT_SOLVED, f"Your function returned {s!r}: return "
                                   f"a number s.", stages[:1]), verbose)
    if isinstance(s, bool) or not isinstance(s, (int, float, np.integer, np.floating)):
        return _report(CheckResult(title, WRONG, f"Return a number s, not "
                                   f"{type(s).__name__}.", stages), verbose)
    s = float(s)
    if not (math.isfinite(s) and 1e-3 <= s <= 1e3):
        return _report(CheckResult(title, WRONG, f"s = {s!r}: choose a pixel scale between "
                                   f"0.001 and 1000.", stages), verbose)
    stats = collapse_run(s, n=n, epochs=epochs)
    m = len(stats.kl_per_dim)
    measured = (f"With s = {s:g} (β = 1/s² = {1 / s ** 2:.3g}) {stats.active} of {m} latent "
                f"dimensions stay active (KL {stats.kl:.2f} nats per digit).")
    if stats.active == 0:
        return _report(CheckResult(title, CORRECT, f"{measured} Every q_φ(z|x) is the prior: "
                                   f"the decoder outputs one average digit whatever the "
                                   f"input (posterior collapse)."), verbose)
    slip = (" Pixels larger than 1 make the reconstruction term weigh MORE (β < 1): the "
            "opposite direction." if s >= 1 else " Right direction; go further.")
    return _report(CheckResult(title, WRONG, measured + slip, stages), verbose)
