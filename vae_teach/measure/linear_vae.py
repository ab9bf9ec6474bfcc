"""A VAE whose generative model *is* pPCA, so that its log p and L_b are exact.

The VAE has the package's encoder q_φ(z|x) = N(μ̃_φ(x), diag e^{ζ_φ(x)}) (an MLP) and a **linear**
Gaussian decoder with a learned scalar variance,

    p_θ(x|z) = N(x; W z + μ, σ² I),   p(z) = N(0, I)   ⇒   p_θ(x) = N(x; μ, W Wᵀ + σ² I),

exactly the pPCA model of ``vae_teach.maths.em``. So for every training epoch we can compute, in
closed form and without sampling,

* log p_θ(X)                       (``PPCA.log_likelihood``),
* L_b(θ, q_φ) = E_q[log p_θ(X, Z)] + H(q_φ)   (``maths.em.lower_bound``),
* KL(q_φ ‖ p_θ(·|X)) = log p_θ(X) − L_b        (``maths.em.kl_gap``, computed directly),

while the VAE itself is trained the usual way: minibatch Adam on a one-sample Monte-Carlo
estimate of −L_b (``vae_teach.nets.train``). Unlike EM's E-step, the amortised diagonal q_φ cannot
match the exact posterior, whose covariance σ²(WᵀW + σ²I)⁻¹ is shared by all x and in general
not diagonal — a gap remains.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from vae_teach._checks import as_float_array, check_int
from vae_teach.maths import em
from vae_teach.maths.ppca import PPCA


__all__ = ["linear_decoder_vae", "vae_as_ppca", "encoder_q", "exact_terms", "ExactTracker",
           "train_linear_vae", "amortised_m_step_check", "gap_decomposition"]


def linear_decoder_vae(M: int, m: int, hidden=(64,), seed: int = 0, X=None):
    """A ``nets.model.VAE`` (decoder "gaussian_learned", scalar σ²) whose decoder mean is one linear
    layer μ_θ(z) = W z + μ. Its config still says "gaussian_learned" with ``hidden``: rebuild
    it with this function, not with ``nets.model.build_model``.

    With data X (N, M) the decoder starts at μ = mean(X) and σ² = mean pixel variance (W stays
    random): Adam moves each parameter by about ``lr`` per step, so starting μ at 0 would spend
    hundreds of steps just walking the bias to the mean image."""
    import torch
    from torch import nn

    from vae_teach.nets.model import VAE

    M, m = check_int(M, "M", 1), check_int(m, "m", 1)
    model = VAE(M, m, hidden=hidden, decoder="gaussian_learned", var="scalar", seed=seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed + 1)
        model.decoder.net = nn.Linear(m, M)
    if X is not None:
        X = as_float_array(X, "X", ndim=2)
        if X.shape[1] != M:
            raise ValueError(f"X has {X.shape[1]} columns but M = {M}; pass the training data.")
        with torch.no_grad():
            model.decoder.net.bias.copy_(torch.from_numpy(X.mean(0)))
            model.decoder.log_sigma2_x.fill_(float(np.log(X.var(0).mean())))
    model.config["decoder_mean"] = "linear"
    return model


def _check_linear(model) -> None:
    from torch import nn

    if not isinstance(getattr(getattr(model, "decoder", None), "net", None), nn.Linear):
        raise TypeError("model must come from vae_em.linear_decoder_vae (a VAE whose decoder "
                        "mean is one linear layer); other VAEs have no exact log p.")


def vae_as_ppca(model) -> PPCA:
    """θ = (W (M, m), μ (M,), σ²) of the VAE's generative model, as float64 numpy."""
    _check_linear(model)
    net = model.decoder.net
    sigma2 = float(np.exp(model.decoder.log_sigma2(None).detach().double().numpy()[0]))
    return PPCA(net.weight.detach().double().numpy(), net.bias.detach().double().numpy(),
                         sigma2)


def encoder_q(model, X) -> tuple[np.ndarray, np.ndarray]:
    """The encoder's q_φ(z_n|x_n) for every row of X (N, M): means (N, m), covariances
    (N, m, m) = diag(e^{ζ_n}), float64."""
    mu_tilde, zeta = (np.asarray(a, dtype=np.float64) for a in model.encode_numpy(X))
    return mu_tilde, np.apply_along_axis(np.diag, 1, np.exp(zeta))


def exact_terms(model, X) -> dict:
    """Exact log p_θ(X), L_b(θ, q_φ) and KL(q_φ ‖ p_θ(·|X)) (nats, summed over the N rows)."""
    X = as_float_array(X, "X", ndim=2)
    theta, q = vae_as_ppca(model), encoder_q(model, X)
    return {"log_lik": theta.log_likelihood(X), "L_b": em.lower_bound(X, theta, *q),
            "gap": em.kl_gap(X, theta, *q)}


@dataclass
class ExactTracker:
    """``train(..., callback=tracker)``: exact log p, L_b and gap on X after every epoch."""

    model: object
    X: np.ndarray
    log_lik: list = field(default_factory=list)
    L_b: list = field(default_factory=list)
    gap: list = field(default_factory=list)

    def __call__(self, epoch: int, history: dict) -> None:
        terms = exact_terms(self.model, self.X)
        for key in ("log_lik", "L_b", "gap"):
            getattr(self, key).append(terms[key])

    def arrays(self) -> dict:
        """{"log_lik", "L_b", "gap"} → (epochs,) arrays."""
        return {k: np.asarray(getattr(self, k)) for k in ("log_lik", "L_b", "gap")}


def train_linear_vae(X, m: int = 2, epochs: int = 60, lr: float = 1e-2, hidden=(64,),
                     seed: int = 0, progress: bool = True):
    """Train ``linear_decoder_vae`` (data-initialised μ, σ²) on X (N, M) with the package's
    trainer (β = 1, minibatches of 100, one CPU thread); returns (model, tracker) with the
    exact terms per epoch."""
    from vae_teach.nets.threads import one_thread
    from vae_teach.nets.train import train

    X = as_float_array(X, "X", ndim=2).astype(np.float32)
    model = linear_decoder_vae(X.shape[1], m, hidden=hidden, seed=seed, X=X)
    tracker = ExactTracker(model, X)
    with one_thread():
        train(model, X, epochs=check_int(epochs, "epochs", 1), lr=lr, beta=1.0, seed=seed,
              progress=progress, desc="linear-decoder VAE", callback=tracker)
    return model, tracker


def amortised_m_step_check(model, X) -> dict:
    """The slide's "≈ Q(θ|θ^(t))" for the VAE's q_φ, with θ^(t) = the VAE's θ.

    Returns Q with the exact posterior vs E_{q_φ}[log p(X, Z; θ)] at θ = θ^(t) and at the
    maximisers of each (``maths.em.m_step`` with either q), and log p at both maximisers.
    """
    X = as_float_array(X, "X", ndim=2)
    theta_t = vae_as_ppca(model)
    q_phi, q_exact = encoder_q(model, X), em.e_step(X, theta_t)
    theta_phi, theta_em = em.m_step(X, *q_phi), em.m_step(X, *q_exact)
    return {"Q_at_theta_t": em.expected_complete_log_lik(X, theta_t, *q_exact),
            "Eq_phi_at_theta_t": em.expected_complete_log_lik(X, theta_t, *q_phi),
            "log_lik_theta_t": theta_t.log_likelihood(X),
            "log_lik_after_em_m_step": theta_em.log_likelihood(X),
            "log_lik_after_q_phi_m_step": theta_phi.log_likelihood(X)}


def gap_decomposition(model, X) -> dict:
    """Split the VAE's KL gap (nats, summed over X's rows) into two exact parts.

    * ``approximation``: min over *diagonal* Gaussians q of KL(q ‖ p(z|x)), summed — the price of
      the mean-field family alone. For p(z|x) = N(m, Σ) with precision Λ = Σ⁻¹ the best diagonal
      q has mean m and variances 1/Λ_jj, and KL = ½(Σ_j log Λ_jj − log|Λ|) ≥ 0 (Hadamard).
    * ``amortisation``: the rest, total − approximation: the price of one encoder network for
      all x instead of a separate best q per x (Cremer, Li & Duvenaud 2018).
    """
    X = as_float_array(X, "X", ndim=2)
    theta = vae_as_ppca(model)
    total = em.kl_gap(X, theta, *encoder_q(model, X))
    _, post_cov = theta.posterior(X)
    Lam = np.linalg.inv(post_cov)
    per = 0.5 * (np.sum(np.log(np.diag(Lam))) - np.linalg.slogdet(Lam)[1])
    approximation = float(X.shape[0] * per)
    return {"total": total, "approximation": approximation,
            "amortisation": total - approximation}
