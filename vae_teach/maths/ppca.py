"""Probabilistic PCA (Tipping & Bishop 1999): a generative model whose p_θ(x) is exact.

    z ~ N(0, I_m),   x | z ~ N(W z + μ, σ² I_M),   so   x ~ N(μ, C),  C = W Wᵀ + σ² I_M,

with θ = (W (M, m), μ (M,), σ² > 0). The posterior is Gaussian too:

    p(z | x) = N(B⁻¹ Wᵀ (x − μ), σ² B⁻¹),   B = Wᵀ W + σ² I_m,

and the maximum-likelihood θ has a closed form from the eigen-decomposition of the sample
covariance S = (1/N) Σ_i (x_i − x̄)(x_i − x̄)ᵀ with eigenvalues λ_1 ≥ … ≥ λ_M:

    μ = x̄,   σ² = mean(λ_{m+1}, …, λ_M),   W = U_m (Λ_m − σ² I)^{1/2}   (rotation R = I).

This is the tractable model on which notebooks 03–05 measure log p(X), L_b and the KL gap.
Shapes: X (N, M), Z (N, m). Log-likelihoods are nats, summed over samples unless the name says
``per_sample``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vae_teach._checks import as_float_array, check_int, check_positive
from vae_teach.maths.gaussian import LOG_2PI, log_normal
from vae_teach.maths.prior import log_standard_normal


__all__ = ['PPCA', 'as_ppca', 'as_point']


@dataclass(frozen=True)
class PPCA:
    """pPCA parameters θ = (W, mu, sigma2): W (M, m), mu (M,), sigma2 > 0 (a float)."""

    W: np.ndarray
    mu: np.ndarray
    sigma2: float

    def __post_init__(self) -> None:
        W = as_float_array(self.W, "W", ndim=2)
        mu = as_float_array(self.mu, "mu", ndim=1)
        if mu.shape[0] != W.shape[0]:
            raise ValueError(f"mu has length {mu.shape[0]} but W is {W.shape} = (M, m); mu "
                             f"must be an (M,) = ({W.shape[0]},) vector.")
        sigma2 = as_float_array(self.sigma2, "sigma2", ndim=0)
        check_positive(sigma2, "sigma2")
        object.__setattr__(self, "W", W)
        object.__setattr__(self, "mu", mu)
        object.__setattr__(self, "sigma2", float(sigma2))

    # ------------------------------------------------------------------ sizes, matrices
    @property
    def M(self) -> int:
        """Data dimension M."""
        return self.W.shape[0]

    @property
    def m(self) -> int:
        """Latent dimension m."""
        return self.W.shape[1]

    def covariance(self) -> np.ndarray:
        """Marginal covariance C = W Wᵀ + σ² I_M, (M, M)."""
        return self.W @ self.W.T + self.sigma2 * np.eye(self.M)

    def _X(self, X) -> np.ndarray:
        X = as_float_array(X, "X", ndim=2)
        if X.shape[1] != self.M:
            raise ValueError(f"X has {X.shape[1]} columns but the model has M = {self.M}; "
                             f"pass data of shape (N, {self.M}).")
        return X

    def _Z(self, Z, N: int) -> np.ndarray:
        Z = as_float_array(Z, "Z", ndim=2)
        if Z.shape != (N, self.m):
            raise ValueError(f"Z must have shape (N, m) = ({N}, {self.m}), got {Z.shape}; one "
                             f"latent code per row of X.")
        return Z

    # ------------------------------------------------------------------ densities
    def log_likelihood_per_sample(self, X) -> np.ndarray:
        """log p_θ(x_i) = log N(x_i; μ, W Wᵀ + σ² I), exact. X: (N, M) → (N,)."""
        return np.atleast_1d(log_normal(self._X(X), self.mu, self.covariance()))

    def log_likelihood(self, X) -> float:
        """log p_θ(X) = Σ_i log p_θ(x_i) (independent samples), nats. X: (N, M)."""
        return float(np.sum(self.log_likelihood_per_sample(X)))

    def decoder_mean(self, Z) -> np.ndarray:
        """μ_θ(z) = W z + μ. Z: (N, m) → (N, M)."""
        Z = as_float_array(Z, "Z", ndim=2)
        if Z.shape[1] != self.m:
            raise ValueError(f"Z has {Z.shape[1]} columns but the model has m = {self.m}.")
        return Z @ self.W.T + self.mu

    def log_px_given_z(self, X, Z) -> np.ndarray:
        """log p_θ(x_i | z_i) = log N(x_i; W z_i + μ, σ² I). X: (N, M), Z: (N, m) → (N,)."""
        X = self._X(X)
        Z = self._Z(Z, X.shape[0])
        resid = X - self.decoder_mean(Z)
        return -0.5 * (self.M * (LOG_2PI + np.log(self.sigma2))
                       + np.sum(resid ** 2, axis=1) / self.sigma2)

    def log_pz(self, Z) -> np.ndarray:
        """log p(z_i) = log N(z_i; 0, I_m). Z: (N, m) → (N,)."""
        Z = as_float_array(Z, "Z", ndim=2)
        if Z.shape[1] != self.m:
            raise ValueError(f"Z has {Z.shape[1]} columns but the model has m = {self.m}.")
        return log_standard_normal(Z)

    def joint_log_prob(self, X, Z) -> np.ndarray:
        """log p_θ(x_i, z_i) = log p_θ(x_i | z_i) + log p(z_i). X: (N, M), Z: (N, m) → (N,)."""
        return self.log_px_given_z(X, Z) + self.log_pz(Z)

    def posterior(self, X) -> tuple[np.ndarray, np.ndarray]:
        """Exact p(z_i | x_i) = N(B⁻¹ Wᵀ(x_i − μ), σ² B⁻¹), B = Wᵀ W + σ² I_m.

        X: (N, M) → ``(mean (N, m), cov (m, m))``; the covariance is the same for every x_i.
        """
        X = self._X(X)
        B = self.W.T @ self.W + self.sigma2 * np.eye(self.m)
        mean = np.linalg.solve(B, self.W.T @ (X - self.mu).T).T
        cov = self.sigma2 * np.linalg.inv(B)
        return mean, (cov + cov.T) / 2

    # ------------------------------------------------------------------ sampling, fitting
    def sample(self, n: int, rng=None, return_latent: bool = False):
        """Draw x = W z + μ + σ ε, z ~ N(0, I_m), ε ~ N(0, I_M).

        Returns X (n, M), or ``(X, Z)`` with Z (n, m) when ``return_latent``.
        rng: seed or ``numpy.random.Generator``.
        """
        n = check_int(n, "n", 1)
        rng = np.random.default_rng(rng)
        Z = rng.standard_normal((n, self.m))
        X = self.decoder_mean(Z) + np.sqrt(self.sigma2) * rng.standard_normal((n, self.M))
        return (X, Z) if return_latent else X

    @classmethod
    def fit(cls, X, m: int) -> "PPCA":
        """Closed-form maximum-likelihood pPCA with m latent dimensions (Tipping & Bishop).

        μ = x̄; eigen-decompose S = (1/N) Σ (x_i − x̄)(x_i − x̄)ᵀ; σ² = mean of the M − m
        discarded eigenvalues; W = U_m (Λ_m − σ² I)^{1/2}. X: (N, M) with N ≥ 2, 1 ≤ m < M.
        """
        X = as_float_array(X, "X", ndim=2)
        N, M = X.shape
        check_int(N, "number of rows of X (samples)", 2)
        m = check_int(m, "m", 1)
        if m >= M:
            raise ValueError(f"m = {m} latent dimensions need m < M = {M} (the data dimension):"
                             f" σ² is the mean of the M − m discarded eigenvalues.")
        mu = X.mean(axis=0)
        S = (X - mu).T @ (X - mu) / N
        eigval, eigvec = np.linalg.eigh(S)
        eigval, eigvec = eigval[::-1], eigvec[:, ::-1]
        sigma2 = float(np.mean(eigval[m:]))
        if sigma2 <= 1e-12 * max(float(eigval[0]), np.finfo(float).tiny):  # 0 up to rounding
            raise ValueError(f"the {M - m} discarded eigenvalues of the sample covariance are 0"
                             f" (X has rank ≤ {m}); σ² = 0 has no density: use a smaller m or "
                             f"add noise to X.")
        W = eigvec[:, :m] * np.sqrt(np.maximum(eigval[:m] - sigma2, 0.0))
        return cls(W, mu, sigma2)


def as_ppca(model) -> PPCA:
    """``model`` itself if it is a :class:`PPCA`, else a TypeError naming how to build one."""
    if not isinstance(model, PPCA):
        raise TypeError(f"model must be a vae_teach.maths.ppca.PPCA, got {type(model).__name__}; "
                        f"build one with PPCA(W, mu, sigma2) or PPCA.fit(X, m).")
    return model


def as_point(model: PPCA, x) -> np.ndarray:
    """One data point x: (M,) as floats, checked against the model's M."""
    x = as_float_array(x, "x", ndim=1)
    if x.shape[0] != model.M:
        raise ValueError(f"x has length {x.shape[0]} but the model has M = {model.M}; pass "
                         f"one data point of shape ({model.M},).")
    return x
