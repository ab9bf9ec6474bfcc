# %% [markdown]
# # 06 · Independent samples and minibatches (slide: VAE WITH INDEPENDENT SAMPLES)
#
# The bound of notebook 04 is an integral over **all** codes $\mathcal Z = (z_1, \dots, z_N)$ at
# once. The slide *VAE WITH INDEPENDENT SAMPLES* assumes that the pairs $(x_i, z_i)$ are independent
# under both $p_\theta$ and $q_\phi$, and turns $L_b$ into a **sum over data points** — which is what
# lets a VAE train on minibatches. We check every line of the slide on probabilistic PCA, see what
# goes wrong without the assumption, and measure that the minibatch estimate of $L_b$ is unbiased.

# %% [markdown]
# ## Learning goals
# After this notebook you can
# 1. **verify** each line of the slide numerically, with joint densities over all $N$ codes and
#    with per-sample densities;
# 2. **check** the factorisations $q_\phi(\mathcal Z|\mathcal X) = \prod_i q_\phi(z_i|x_i)$,
#    $p_\theta(\mathcal X|\mathcal Z) = \prod_i p_\theta(x_i|z_i)$, $p_\theta(\mathcal Z) = \prod_i p_\theta(z_i)$;
# 3. **explain** what the per-sample formula misses when $q$ couples samples;
# 4. **show** that the minibatch estimate $\frac NB\sum_{i\in\mathcal B}\ell_i$ is unbiased, with
#    standard errors, and how its spread depends on the batch size.
#
# *Time: about 25 minutes. Needs only NumPy/SciPy.*

# %%
# %matplotlib inline
import numpy as np

from vae_teach.exercises import check_log_q_factorised, check_minibatch_estimate
from vae_teach.maths.bound import lower_bound, random_q, sample_q
from vae_teach.maths.factorise import (correlated_cov, factorisation_check,
                                       independent_samples_lines, joint_lower_bound,
                                       total_correlation)
from vae_teach.maths.lemma import proof_lines_hold
from vae_teach.maths.minibatch import (mean_check, minibatch_estimates, minibatch_mc_estimates,
                                       minibatch_std)
from vae_teach.maths.ppca import PPCA
from vae_teach.viz.bounds import fig_minibatch

SEED = 0
rng = np.random.default_rng(SEED)

# %% [markdown]
# ## 1. The slide, line by line
# The model is pPCA with $M = 5$, $m = 2$ (notebooks 03–04), and $N = 20$ data points — few enough
# that $\mathcal Z \in \mathbb R^{Nm}$ and $\mathcal X \in \mathbb R^{NM}$ can be handled as single
# vectors with dense $40\times 40$ and $100\times 100$ covariances. The encoder gives point $i$ its
# own Gaussian $\mathcal N(\tilde\mu_i, \tilde\Sigma_i)$ (random here, like an untrained encoder).

# %%
model = PPCA(W=rng.normal(size=(5, 2)), mu=rng.normal(size=5), sigma2=0.3)
X = model.sample(20, rng=rng)
mu_tilde, Sigma_tilde = random_q(model, X, spread=0.3, rng=rng)
print("X:", X.shape, " mu_tilde:", mu_tilde.shape, " Sigma_tilde:", Sigma_tilde.shape)

# %% [markdown]
# ### 1.1 The factorisation
# Slide: *assume $(x_1, z_1), \dots, (x_N, z_N)$ are independent w.r.t. $p_\theta$ and $q_\phi$, then*
#
# $$q_\phi(\mathcal Z|\mathcal X) = \prod_{i=1}^N q_\phi(z_i|x_i),\quad
#   p_\theta(\mathcal X|\mathcal Z) = \prod_{i=1}^N p_\theta(x_i|z_i),\quad
#   p_\theta(\mathcal Z) = \prod_{i=1}^N p_\theta(z_i).$$
#
# Left sides: ONE Gaussian each — $q$ over $\mathbb R^{Nm}$ with the block-diagonal covariance
# $\mathrm{blockdiag}(\tilde\Sigma_1,\dots,\tilde\Sigma_N)$; $p_\theta(\mathcal X|\mathcal Z) =
# \mathcal N(\mathrm{vec}\,\mathcal X;\ (I_N\otimes W)\,\mathrm{vec}\,\mathcal Z + 1_N\otimes\mu,\ \sigma^2 I_{NM})$;
# $p_\theta(\mathcal Z) = \mathcal N(0, I_{Nm})$. Right sides: sums of the per-sample log-densities.
# We compare them at 200 draws $\mathcal Z \sim q_\phi(\cdot|\mathcal X)$.

# %%
# NBVAL_CHECK_OUTPUT
Z = sample_q(mu_tilde, Sigma_tilde, 200, rng=rng)                       # (200, N, m)
check = factorisation_check(model, X, mu_tilde, Sigma_tilde, Z)
for name, worst in check._asdict().items():
    print(f"{name:<15}: max |joint − Σ_i per-sample| < 1e-9: {worst < 1e-9}")

# %% [markdown]
# ### 1.2 Every line of the slide
#
# $$\begin{aligned} L_b(p_\theta, q_\phi, \mathcal{X}) &= \mathbb{E}_{\mathcal Z \sim q_\phi(\cdot|\mathcal{X})} \left[ \log \frac{p_\theta(\mathcal{X}, \mathcal Z)}{q_\phi(\mathcal Z|\mathcal{X})} \right] &&(1)\\ &= \mathbb{E}_{\mathcal Z} \left[ \log \frac{p_\theta(\mathcal{X}|\mathcal Z)}{q_\phi(\mathcal Z|\mathcal{X})} \right] + \mathbb{E}_{\mathcal Z} [\log p_\theta(\mathcal Z)] &&(2)\\
# &= \sum_{i=1}^N \mathbb{E}_{\mathcal Z} \left[ \log \frac{p_\theta(x_i|z_i)}{q_\phi(z_i|x_i)} \right] + \sum_{i=1}^N \mathbb{E}_{\mathcal Z} [\log p_\theta(z_i)] &&(3)\\
# &= \sum_{i=1}^N \mathbb{E}_{z_i \sim q_\phi(\cdot|x_i)} \left[ \log \frac{p_\theta(x_i|z_i)}{q_\phi(z_i|x_i)} + \log p_\theta(z_i) \right] &&(4)\end{aligned}$$
#
# Lines (1)–(3) are Monte-Carlo averages over the same 2000 joint draws of $\mathcal Z$ (with joint
# densities in (1)–(2), per-sample densities in (3)); line (4) draws each $z_i$ from its own
# $q_\phi(\cdot|x_i)$, separately. Then two closed forms: the per-sample sum (notebook 04) and the
# joint one, computed with the $Nm$-dimensional Gaussians and no per-sample split.

# %%
# NBVAL_CHECK_OUTPUT
lines = independent_samples_lines(model, X, mu_tilde, Sigma_tilde, n_samples=2000, rng=rng)
for line, ok in zip(lines, proof_lines_hold(lines)):
    se = f"± {line.standard_error:.3f}" if line.standard_error is not None else "(exact)"
    print(f"{line.label:<62} {line.value:10.4f} {se:>9}   holds: {ok}")

# %% [markdown]
# Every line holds: the Monte-Carlo lines within their standard errors of the closed form, the
# two closed forms to rounding error. (Lines 1–3 print the same number because they are equal at
# every single draw — that is what 1.1 showed.)
#
# ### 1.3 What the assumption buys
# Independence under $p_\theta$ is a modelling choice (the data points are i.i.d.). Independence
# under $q_\phi$ is a design choice of the VAE: the encoder maps each $x_i$ to its own
# $q_\phi(z_i|x_i)$. What if $q$ coupled the codes of different points? Take the same marginals
# $\mathcal N(\tilde\mu_i, \tilde\Sigma)$ but $\mathrm{cov}(z_i, z_j) = \rho\,\tilde\Sigma$ for $i \ne j$.
# The per-sample formula (4) only sees the marginals, so it no longer equals $L_b$; the difference
# is the *total correlation* $\sum_i H(q_i) - H(q) \ge 0$.

# %%
# NBVAL_CHECK_OUTPUT
shared = np.broadcast_to(Sigma_tilde[0], Sigma_tilde.shape)
per_sample = lower_bound(model, X, mu_tilde, shared)
print(f"{'ρ':>4} {'joint L_b':>12} {'per-sample (4)':>15} {'difference':>11} {'total corr.':>12}")
for rho in [0.0, 0.3, 0.6, 0.9]:
    Sigma_joint = correlated_cov(shared, rho)
    joint = joint_lower_bound(model, X, mu_tilde, Sigma_joint)
    print(f"{rho:>4} {joint:>12.4f} {per_sample:>15.4f} {per_sample - joint:>11.4f} "
          f"{total_correlation(Sigma_joint, 2):>12.4f}")

# %% [markdown]
# With $\rho = 0$ the two agree; otherwise formula (4) overstates the bound by exactly the total
# correlation. The slide's last line is right **because** of its assumption.
#
# ## 2. Minibatches: an unbiased estimate of $L_b$
# Line (4) is a sum of per-sample terms $\ell_i$, so a random batch $\mathcal B$ of $B$ indices
# gives an estimate
#
# $$\hat L_b = \frac NB\sum_{i\in\mathcal B}\ell_i,\qquad
#   \mathbb E[\hat L_b] = \frac NB\sum_{i=1}^N \Pr(i\in\mathcal B)\,\ell_i = \frac NB\cdot\frac BN\sum_i\ell_i = L_b .$$
#
# We take $N = 1000$ points, compute the exact $\ell_i$ (closed form) and draw 4000 independent
# batches per batch size. The mean of the estimates should match $L_b$ within a few standard
# errors, and their spread should match the formula
# $\mathrm{std}(\hat L_b) = N\sqrt{(1 - B/N)\,s^2/B}$ ($s^2$: variance of the $\ell_i$).

# %%
# NBVAL_CHECK_OUTPUT
X_big = model.sample(1000, rng=rng)
mu_big, Sigma_big = random_q(model, X_big, spread=0.3, rng=rng)
ell = lower_bound(model, X_big, mu_big, Sigma_big, per_sample=True)   # ℓ_i, (N,)
L_b = ell.sum()
print(f"full-data L_b = {L_b:.2f}")
print(f"{'B':>4} {'mean ± s.e.':>20} {'z':>6} {'std (observed)':>15} {'std (formula)':>14}")
estimates = {}
for B in [1, 8, 32, 256]:
    estimates[B] = minibatch_estimates(ell, B, n_batches=4000, rng=rng)
    c = mean_check(estimates[B], L_b)
    print(f"{B:>4} {c.mean:>11.2f} ± {c.standard_error:<6.2f} {c.z:>6.2f} "
          f"{estimates[B].std(ddof=1):>15.1f} {minibatch_std(ell, B):>14.1f}")

# %% [markdown]
# Unbiased for every batch size ($|z| < 3$), and the spread falls like $1/\sqrt B$ as the formula
# says. A VAE does not know the $\ell_i$ exactly either: each training step draws **one** code
# $z_i \sim q_\phi(\cdot|x_i)$ per point and uses $\log p_\theta(x_i|z_i) + \log p_\theta(z_i) -
# \log q_\phi(z_i|x_i)$. That is doubly random (batch and code) — and still unbiased:

# %%
# NBVAL_CHECK_OUTPUT
doubly = minibatch_mc_estimates(model, X_big, mu_big, Sigma_big, batch_size=32, n_batches=4000,
                                rng=rng)
c = mean_check(doubly, L_b)
print(f"batch + one code per point, B = 32: {c.mean:.2f} ± {c.standard_error:.2f}   z = {c.z:.2f}"
      f"   std = {doubly.std(ddof=1):.1f}")

# %%
fig_minibatch({"exact ℓ_i, B = 32": estimates[32], "one code per point, B = 32": doubly}, L_b)

# %% [markdown]
# Both histograms centre on the full-data $L_b$ (dashed); drawing the codes widens the spread but
# adds no bias. This is why stochastic gradient ascent on minibatches maximises the same $L_b$ as
# the full-data objective.
#
# ## Exercises
# ### Exercise 1 — $\log q_\phi(\mathcal Z|\mathcal X)$ as a sum
# For a diagonal-Gaussian encoder, $q_\phi(z_i|x_i) = \mathcal N(z_i;\ \tilde\mu_i,\
# \mathrm{diag}\,\tilde\sigma^2_i)$. Complete `log_q_factorised` to return
# $\log q_\phi(\mathcal Z|\mathcal X)$ for `Z`, `mu_tilde`, `sigma2_tilde` of shape `(N, m)` (one
# float). The checker compares with one $Nm$-dimensional Gaussian.

# %% tags=["solution"]
def log_q_factorised(Z, mu_tilde, sigma2_tilde):
    """log q(𝒵|𝒳) = Σ_i Σ_j log N(z_ij; μ̃_ij, σ̃²_ij) for arrays (N, m) → float."""
    ### BEGIN SOLUTION
    terms = -0.5 * (np.log(2 * np.pi * sigma2_tilde) + (Z - mu_tilde) ** 2 / sigma2_tilde)
    return float(terms.sum())
    ### END SOLUTION


# %%
check_log_q_factorised(log_q_factorised);

# %% [markdown]
# ### Exercise 2 — the minibatch estimate
# Complete `minibatch_estimate`: given the per-sample terms `L_b_i` (shape `(N,)`) and a batch of
# indices `batch` (shape `(B,)`), return the unbiased estimate $\frac NB\sum_{i\in\mathcal B}\ell_i$.

# %% tags=["solution"]
def minibatch_estimate(L_b_i, batch):
    """(N / B) Σ_{i ∈ batch} L_b_i."""
    ### BEGIN SOLUTION
    return len(L_b_i) / len(batch) * float(np.sum(L_b_i[batch]))
    ### END SOLUTION


# %%
check_minibatch_estimate(minibatch_estimate);

# %% [markdown]
# ## Summary
# * Every line of VAE WITH INDEPENDENT SAMPLES holds numerically: the joint densities over all
#   $N$ codes equal the sums of per-sample ones to rounding error, and each line of $L_b$ agrees
#   with the closed form within its Monte-Carlo standard error.
# * The final per-sample formula needs the independence assumption: a $q$ that couples samples
#   makes it overstate $L_b$ by the total correlation.
# * $\frac NB\sum_{i\in\mathcal B}\ell_i$ is an unbiased estimate of $L_b$ for every batch size, also
#   with one sampled code per point — the estimate a VAE training step uses.
# * Next: notebooks 07–08 turn each $\ell_i$ into a closed form for Gaussian encoders and decoders.
#
# **References.** D. P. Kingma, M. Welling, *Auto-Encoding Variational Bayes*, ICLR 2014 (§2.3,
# the minibatch estimator). Code: `vae_teach/maths/factorise.py`, `vae_teach/maths/minibatch.py`.
