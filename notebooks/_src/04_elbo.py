# %% [markdown]
# # 04 · The log-likelihood lower bound (slide: LOG-LIKELIHOOD LOWER BOUND)
#
# Notebook 03 ended with a problem: $\log p_\theta(\mathcal X)$ needs an integral over the codes
# that a neural decoder does not let us compute. The slide *LOG-LIKELIHOOD LOWER BOUND* splits it,
# for **any** distribution $q_\phi(\mathcal Z|\mathcal X)$ over the codes, into a tractable lower
# bound $L_b$ and a gap that is never negative:
#
# $$\log p_\theta(\mathcal X) = \underbrace{\int q_\phi(\mathcal Z|\mathcal X)\log\frac{p_\theta(\mathcal Z,\mathcal X)}{q_\phi(\mathcal Z|\mathcal X)}\,d\mathcal Z}_{L_b(p_\theta,\,q_\phi,\,\mathcal X)}
#   + \underbrace{\mathrm{KL}\big(q_\phi(\cdot|\mathcal X),\ p_\theta(\cdot|\mathcal X)\big)}_{\ge 0}.$$
#
# On probabilistic PCA every term — including the "intractable" KL — has a closed form, so we
# can measure all of them and check the identity to rounding error.

# %% [markdown]
# ## Learning goals
# After this notebook you can
# 1. **verify** each of the slide's three lines numerically, on a grid and by Monte Carlo;
# 2. **compute** $L_b$, $\log p_\theta(\mathcal X)$ and the KL gap exactly for a Gaussian encoder on pPCA;
# 3. **show** that KL $\ge 0$ always and that $L_b = \log p$ exactly when $q$ is the posterior;
# 4. **explore** with a widget how moving $q$ changes the bound, and **explain** why a Gaussian
#    $q$ cannot close the gap when the posterior is not Gaussian.
#
# *Time: about 35 minutes. Needs only NumPy/SciPy (and ipywidgets for section 3).*

# %%
# %matplotlib inline
import numpy as np

from vae_teach.data.digits import load_digits_split
from vae_teach.exercises import check_grid_lower_bound, check_optimal_q
from vae_teach.maths.bound import (gap_check, kl_to_posterior, lower_bound, lower_bound_lines,
                                   random_q)
from vae_teach.maths.lemma import proof_lines_hold
from vae_teach.maths.ppca import PPCA
from vae_teach.maths.quadrature import LatentGrid1D
from vae_teach.viz.bounds import fig_bound_vs_mean, fig_elbo_gap
from vae_teach.viz.lecture import fig_lower_bound
from vae_teach.widgets.elbo_gap import ElboGapWidget

SEED = 0
rng = np.random.default_rng(SEED)

# %% [markdown]
# ## 1. The three lines of the slide
#
# $$\begin{aligned} \log p_\theta(\mathcal{X}) &= \int q_\phi(\mathcal{Z}|\mathcal{X}) \log p_\theta(\mathcal{X}) d\mathcal{Z} &&(1)\\
# &= \int q_\phi(\mathcal{Z}|\mathcal{X}) \left( \log \frac{p_\theta(\mathcal{Z}, \mathcal{X})}{q_\phi(\mathcal{Z}|\mathcal{X})} - \log \frac{p_\theta(\mathcal{Z}|\mathcal{X})}{q_\phi(\mathcal{Z}|\mathcal{X})} \right) d\mathcal{Z} &&(2)\\
# &= \int q_\phi(\mathcal{Z}|\mathcal{X}) \log \frac{p_\theta(\mathcal{Z}, \mathcal{X})}{q_\phi(\mathcal{Z}|\mathcal{X})} d\mathcal{Z} + \mathrm{KL} \left( q_\phi(\cdot|\mathcal{X}), p_\theta(\cdot|\mathcal{X}) \right) &&(3)\end{aligned}$$
#
# * (1) holds because $q$ integrates to 1 and $\log p_\theta(\mathcal X)$ does not depend on $\mathcal Z$;
# * (2) because $p_\theta(\mathcal Z,\mathcal X) / p_\theta(\mathcal Z|\mathcal X) = p_\theta(\mathcal X)$
#   (Bayes' rule): the bracket equals $\log p_\theta(\mathcal X)$ at **every** $\mathcal Z$;
# * (3) splits the integral; $-\int q\log\frac{p}{q} = \int q\log\frac qp$ is the KL divergence.
#
# ### 1.1 One data point with a 1-D code: every integral is a sum on a grid
# pPCA with $m = 1$, $M = 2$: $p_\theta(z) = \mathcal N(0, 1)$,
# $p_\theta(x|z) = \mathcal N(x;\ wz + b,\ \sigma^2 I)$. On a grid of 4001 points over $[-15, 15]$
# each integral is $\sum_k (\cdot)\,\Delta z$. As encoder we take the prior itself,
# $q = \mathcal N(\tilde\mu = 0,\ \tilde\sigma^2 = e^{\zeta} = 1)$.

# %%
# NBVAL_CHECK_OUTPUT
w, b, sigma2 = np.array([1.5, -0.5]), np.array([0.2, 0.1]), 0.3
grid = LatentGrid1D.linear(w, b, sigma2)
x = np.array([1.0, 0.5])
r = grid.bound(x, mu_tilde=0.0, zeta=0.0)
closed = PPCA(w[:, None], b, sigma2).log_likelihood_per_sample(x[None])[0]
print(f"log p(x), closed form     : {closed:.10f}")
print(f"log p(x), grid            : {r.log_p:.10f}")
print(f"line (1)                  : {r.line1:.10f}   (∫ q dz = {r.q_mass:.12f})")
print(f"line (2)                  : {r.line2:.10f}")
print(f"line (3) = L_b + KL       : {r.L_b + r.kl:.10f}   (L_b = {r.L_b:.4f}, KL = {r.kl:.4f})")
print("all within 1e-6 of log p :", all(abs(v - closed) < 1e-6 for v in (r.log_p, r.line1, r.line2, r.L_b + r.kl)))

# %% [markdown]
# ### 1.2 A data set with a 2-D code: closed forms and Monte Carlo
# Now $\mathcal X$ holds $N = 100$ points from a pPCA with $M = 5$, $m = 2$, and the encoder gives
# each point its own Gaussian, $q_\phi(\mathcal Z|\mathcal X) = \prod_i \mathcal N(z_i;\ \tilde\mu_i,\
# \tilde\Sigma_i)$ — here random, as an untrained encoder would be. The three quantities are
# computed **independently** (`gap_check`):
# * $\log p_\theta(\mathcal X) = \sum_i \log\mathcal N(x_i;\ \mu,\ WW^T + \sigma^2 I)$;
# * $L_b = \sum_i \mathbb E_q[\log p_\theta(x_i|z_i)] + \mathbb E_q[\log p_\theta(z_i)] -
#   \mathbb E_q[\log q_\phi(z_i|x_i)]$, each expectation by the Gaussian lemma of notebook 07;
# * KL between $q$ and the exact posterior $p_\theta(z_i|x_i) = \mathcal N(B^{-1}W^T(x_i-\mu),\
#   \sigma^2 B^{-1})$, $B = W^TW + \sigma^2 I$.

# %%
# NBVAL_CHECK_OUTPUT
model = PPCA(W=rng.normal(size=(5, 2)), mu=rng.normal(size=5), sigma2=0.3)
X = model.sample(100, rng=rng)
mu_tilde, Sigma_tilde = random_q(model, X, spread=0.3, rng=rng)
g = gap_check(model, X, mu_tilde, Sigma_tilde)
print(f"log p(X)        = {g.log_p:.6f}")
print(f"L_b             = {g.L_b:.6f}")
print(f"KL(q ‖ p(·|X))  = {g.kl:.6f}")
print(f"log p − (L_b + KL) < 1e-6: {abs(g.residual) < 1e-6}")

# %% [markdown]
# The slide's lines, evaluated literally by Monte Carlo with 1000 draws
# $\mathcal Z^{(s)} \sim q_\phi(\cdot|\mathcal X)$ of all 100 codes at once (± standard error
# where the line is random; lines (1) and (2) are the same at every draw).

# %%
# NBVAL_CHECK_OUTPUT
lines = lower_bound_lines(model, X, mu_tilde, Sigma_tilde, n_samples=1000, rng=rng)
for line, ok in zip(lines, proof_lines_hold(lines)):
    se = f"± {line.standard_error:.3f}" if line.standard_error is not None else "(exact)"
    print(f"{line.label:<48} {line.value:12.4f} {se:>10}   holds: {ok}")

# %% [markdown]
# Every line holds: (1) and (2) to rounding error, (3) by Monte Carlo within its standard error
# and in closed form to rounding error. The slide is right.
#
# ## 2. KL ≥ 0, and the bound is tight only at the posterior
# The gap is a KL divergence, so it is never negative, whatever $q$ is. We try 300 random
# encoders of very different quality, and then $q$ equal to the posterior.

# %%
# NBVAL_CHECK_OUTPUT
spreads = np.geomspace(0.01, 3.0, 300)
checks = [gap_check(model, X, *random_q(model, X, spread=s, rng=rng)) for s in spreads]
print(f"smallest KL over 300 random q     : {min(c.kl for c in checks):.4f}")
print(f"largest KL                        : {max(c.kl for c in checks):.1f}")
print(f"L_b ≤ log p for all               : {all(c.L_b <= c.log_p for c in checks)}")
print(f"largest |log p − L_b − KL|        < 1e-6: {max(abs(c.residual) for c in checks) < 1e-6}")

# %% [markdown]
# At the posterior the gap closes: $L_b = \log p_\theta(\mathcal X)$. Moving the means away by
# $\varepsilon$ opens it again, quadratically ($\mathrm{KL} \approx \frac{\varepsilon^2}{2}\sum_i
# \mathbf 1^T P^{-1}\mathbf 1$ with $P$ the posterior covariance): the bound touches $\log p$ at
# exactly one $q$.

# %%
# NBVAL_CHECK_OUTPUT
post_mean, post_cov = model.posterior(X)
show = lambda v: f"{v:.4e}" if abs(v) > 1e-9 else "0 (|·| < 1e-9)"  # noqa: E731
for eps in [0.0, 1e-3, 1e-2, 1e-1]:
    kl = kl_to_posterior(model, X, post_mean + eps, post_cov)
    gap = model.log_likelihood(X) - lower_bound(model, X, post_mean + eps, post_cov)
    print(f"ε = {eps:<6}: KL = {show(kl):<15} log p − L_b = {show(gap)}")

# %% [markdown]
# **The slide's picture, on real data.** pPCA with $m = 2$ fitted to the 1000 training digits,
# and five encoders $q$: the exact posterior, its covariance ×4 and ×¼, its means halved, and
# the prior. Each bar is $L_b$ per image; the KL gap brings it back to $\log p_\theta(\mathcal X)$
# (black line), for every $q$.

# %%
X_digits, _ = load_digits_split("train", "raw")
fig_lower_bound(X_digits, PPCA.fit(X_digits, 2), data_label="digits, pixels 0..16")

# %% [markdown]
# ## 3. Moving $q$: when the posterior is not Gaussian
# A VAE's decoder is nonlinear, and then the posterior $p_\theta(z|x)$ is usually **not**
# Gaussian — while the encoder $q_\phi$ still is. Take a 1-D code with the decoder
# $\mu_\theta(z) = (z^2,\ 0.3z)$, $\sigma^2 = 0.1$, and the point $x = (1, 0)$: codes $z = +1$ and
# $z = -1$ explain $x$ equally well, so the posterior has **two modes**. The grid still gives every
# quantity exactly. First the bound as $q$'s mean slides along the axis (fixed $\zeta = -2$):

# %%
decoder = lambda z: np.stack([z ** 2, 0.3 * z], axis=-1)  # noqa: E731  μ_θ(z), (K,) → (K, 2)
bimodal = LatentGrid1D(decoder, sigma2=0.1)
x1 = np.array([1.0, 0.0])
fig_bound_vs_mean(bimodal, x1, zeta=-2.0, mus=np.linspace(-2.5, 2.5, 201))

# %% [markdown]
# Now move $q$ yourself: $\tilde\mu$ and $\zeta = \log\tilde\sigma^2$ on the sliders. The left panel
# shows $q$ over the posterior; the right panel the identity as levels — $\log p_\theta(x)$ (black)
# does not move, $L_b$ (blue) does, and the band between is the KL. *q = best Gaussian* maximises
# $L_b$ from the current position. (Without a browser, e.g. in a script, the cell shows the starting
# picture.)

# %%
# NBVAL_IGNORE_OUTPUT
explorer = ElboGapWidget(bimodal, x1, mu_tilde=0.5, zeta=-1.0)
explorer

# %% [markdown]
# The best Gaussian sits on **one** mode and leaves a gap of about $\log 2 \approx 0.69$ nats:
# $q$ covers half of the posterior's mass. On the linear model of section 1.1 the best Gaussian
# *is* the posterior and the gap closes.

# %%
# NBVAL_CHECK_OUTPUT
for name, g1, xx in [("bimodal posterior", bimodal, x1), ("pPCA (linear)", grid, x)]:
    mu_best, zeta_best = g1.best_gaussian_q(xx, mu0=0.5, zeta0=-1.0)
    rb = g1.bound(xx, mu_best, zeta_best)
    print(f"{name:<18}: best q = N({mu_best:.3f}, e^{zeta_best:.3f})   log p = {rb.log_p:.4f}   "
          f"L_b = {rb.L_b:.4f}   KL = {max(rb.kl, 0):.4f}")

# %%
fig_elbo_gap(bimodal, x1, *bimodal.best_gaussian_q(x1, mu0=0.5, zeta0=-1.0))

# %% [markdown]
# This is the price of a Gaussian encoder: maximising $L_b$ over $\phi$ makes $q$ as close to the
# posterior as a Gaussian can be, but the KL that remains is a bias of the VAE's bound
# (notebook 05 compares with EM, which uses the exact posterior).
#
# ## Exercises
# ### Exercise 1 — the lower bound on a grid
# Complete `grid_lower_bound`: given $\log p_\theta(x, z_k)$ (`log_joint`) and $\log q(z_k)$
# (`log_q`) on a uniform grid with spacing `dz`, return
# $L_b = \sum_k q(z_k)\,\Delta z\,\big(\log p_\theta(x, z_k) - \log q(z_k)\big)$.

# %% tags=["solution"]
def grid_lower_bound(log_joint, log_q, dz):
    """L_b = Σ_k q(z_k) Δz (log p(x, z_k) − log q(z_k)) for arrays (K,) on a uniform grid."""
    ### BEGIN SOLUTION
    weights = np.exp(log_q) * dz
    return float(np.sum(weights * (log_joint - log_q)))
    ### END SOLUTION


# %%
check_grid_lower_bound(grid_lower_bound);

# %% [markdown]
# Try it: `grid_lower_bound(bimodal.log_joint(x1), bimodal.log_q(0.9, -3.5), bimodal.dz)` should
# be close to the widget's $L_b$ for those slider values.
#
# ### Exercise 2 — the encoder that closes the gap
# For pPCA, return the Gaussian $q(z|x) = \mathcal N(\tilde\mu, \tilde\Sigma)$ with KL $= 0$ for one
# point `x` (shape `(M,)`): the exact posterior. Return the pair `(mu_tilde, Sigma_tilde)` with
# shapes `(m,)` and `(m, m)`.

# %% tags=["solution"]
def optimal_q(W, mu, sigma2, x):
    """(mu_tilde (m,), Sigma_tilde (m, m)) of p_θ(z|x) for pPCA θ = (W, mu, sigma2)."""
    ### BEGIN SOLUTION
    B = W.T @ W + sigma2 * np.eye(W.shape[1])
    return np.linalg.solve(B, W.T @ (x - mu)), sigma2 * np.linalg.inv(B)
    ### END SOLUTION


# %%
check_optimal_q(optimal_q);

# %% [markdown]
# ## Summary
# * All three lines of LOG-LIKELIHOOD LOWER BOUND hold numerically: on a grid and in closed form
#   to rounding error (≤ 1e-6 required, ~1e-12 seen), by Monte Carlo within the standard error.
# * The gap $\log p_\theta(\mathcal X) - L_b$ is $\mathrm{KL}(q\,\|\,p_\theta(\cdot|\mathcal X)) \ge 0$
#   for every $q$ we tried, and it is $0$ exactly at the posterior.
# * With a nonlinear decoder the posterior need not be Gaussian; the best Gaussian $q$ then
#   leaves a gap (≈ log 2 for two equal modes). Maximising $L_b$ trades model fit against this gap.
# * Next: notebook 05 (EM closes the gap at every E-step), notebook 06 (splitting $L_b$ over
#   independent samples and minibatches).
#
# **References.** D. P. Kingma, M. Welling, *Auto-Encoding Variational Bayes*, ICLR 2014;
# C. M. Bishop, *Pattern Recognition and Machine Learning*, §9.4 and §12.2 (2006).
# Code: `vae_teach/maths/bound.py`, `vae_teach/maths/quadrature.py`, `vae_teach/widgets/elbo_gap.py`.
