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

from vae_teach.exercises import (check_batch_size, check_log_q_factorised,
                                 check_minibatch_estimate, check_one_code_prediction)
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
# every single draw — that is what section 1.1 showed.)
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
# \log q_\phi(z_i|x_i)$ in place of $\ell_i$. That is doubly random: the batch and the codes.
#
# **Exercise 1 — predict before you run.** Compared with the $B = 32$ row above (exact $\ell_i$),
# what does drawing one code per point do to the estimates? Record one of `"biased"` (their mean
# moves away from $L_b$), `"wider"` (unbiased, larger spread), `"same"` (unbiased, same spread) or
# `"narrower"`, *then* run the next cell. Whether a training step's noisy value is still aimed at
# the right objective is exactly this question.

# %% tags=["solution"]
def one_code_prediction():
    """Your prediction: "biased", "wider", "same" or "narrower"."""
    ### BEGIN SOLUTION
    return "wider"
    ### END SOLUTION


# %%
# NBVAL_CHECK_OUTPUT
doubly = minibatch_mc_estimates(model, X_big, mu_big, Sigma_big, batch_size=32, n_batches=4000,
                                rng=rng)
c = mean_check(doubly, L_b)
print(f"batch + one code per point, B = 32: {c.mean:.2f} ± {c.standard_error:.2f}   z = {c.z:.2f}"
      f"   std = {doubly.std(ddof=1):.1f}   (exact ℓ_i: std = {estimates[32].std(ddof=1):.1f})")

# %%
check_one_code_prediction(one_code_prediction, exact=estimates[32], one_code=doubly, L_b=L_b);

# %%
fig_minibatch({"exact ℓ_i, B = 32": estimates[32], "one code per point, B = 32": doubly}, L_b)

# %% [markdown]
# Both histograms centre on the full-data $L_b$ (dashed); drawing the codes widens the spread but
# adds no bias. An unbiased *value* is not yet an unbiased *gradient*: the codes are drawn from
# $q_\phi$, so differentiating with respect to $\phi$ must go through the sampling. Writing the
# draw as $z = \tilde\mu_\phi(x) + \tilde\sigma_\phi(x)\odot\varepsilon$ with fixed noise
# $\varepsilon$ (reparameterisation), or adding a score-function term, makes the minibatch
# gradient unbiased too; only then does stochastic gradient ascent on minibatches maximise the
# same $L_b$ as the full-data objective. Notebook 10 measures both gradient estimators.
#
# ## Exercises
# ### Exercise 2 (warm-up) — $\log q_\phi(\mathcal Z|\mathcal X)$ as a sum
# For a diagonal-Gaussian encoder, $q_\phi(z_i|x_i) = \mathcal N(z_i;\ \tilde\mu_i,\
# \mathrm{diag}\,\tilde\sigma^2_i)$. Complete `log_q_factorised` to return
# $\log q_\phi(\mathcal Z|\mathcal X)$ for `Z`, `mu_tilde`, `sigma2_tilde` of shape `(N, m)` (one
# float). The checker compares with one $Nm$-dimensional Gaussian — the factorisation of section 1.1.

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
# ### Exercise 3 — find the slip
# A colleague's training loop logs this "minibatch estimate of $L_b$". Averaged over many
# random batches of the $N = 1000$ points of section 2 it should be the full-data $L_b$; the
# next cell measures what it gives instead. Find the slip and write the corrected
# `minibatch_estimate` (same arguments: `L_b_i` of shape `(N,)`, `batch` indices of shape
# `(B,)`). Why it matters: a wrongly scaled value silently changes the balance between the
# terms of a loss.

# %%
def minibatch_estimate_as_given(L_b_i, batch):
    """A colleague's minibatch estimate of L_b = Σ_i ℓ_i."""
    return float(np.mean(L_b_i[batch]))


# %%
# NBVAL_CHECK_OUTPUT
batches = [rng.choice(len(ell), size=32, replace=False) for _ in range(2000)]
given = np.array([minibatch_estimate_as_given(ell, b) for b in batches])
print(f"full-data L_b = {L_b:.1f};  the given estimate, averaged over 2000 batches of 32: "
      f"{given.mean():.2f}")

# %% tags=["solution"]
def minibatch_estimate(L_b_i, batch):
    """An unbiased estimate of L_b = Σ_i ℓ_i from the terms of one batch → float."""
    ### BEGIN SOLUTION
    return len(L_b_i) / len(batch) * float(np.sum(L_b_i[batch]))
    ### END SOLUTION


# %%
check_minibatch_estimate(minibatch_estimate);

# %%
try:
    fixed = mean_check(np.array([minibatch_estimate(ell, b) for b in batches]), L_b)
    print(f"your estimate, averaged over the same batches: {fixed.mean:.1f} ± "
          f"{fixed.standard_error:.1f}   (z = {fixed.z:.2f})")
except NotImplementedError:
    print("Complete Exercise 3 first; then this cell averages your estimate over the batches.")

# %% [markdown]
# ### Exercise 4 — choose the batch size
# How large must a batch be for the estimate to be within 2 % of $|L_b|$ — one standard
# deviation — on these 1000 points? Complete `batch_size_for(L_b_i, target)`: the **smallest**
# $B$ for which $\mathrm{std}(\hat L_b) = N\sqrt{(1 - B/N)\,s^2/B}$ is at most `target`
# ($s^2$: the variance, `ddof=1`, of the per-sample terms). Solve the inequality for $B$ rather
# than searching. The cell after the checker runs your $B$ (and $B - 1$) through 4000 batches.

# %% tags=["solution"]
def batch_size_for(L_b_i, target):
    """The smallest B with N √((1 − B/N) s²/B) ≤ target; L_b_i: (N,) → int."""
    ### BEGIN SOLUTION
    N, s2 = len(L_b_i), np.var(L_b_i, ddof=1)
    return int(np.ceil(N * N * s2 / (target ** 2 + N * s2)))
    ### END SOLUTION


# %%
check_batch_size(batch_size_for);

# %%
target = 0.02 * abs(L_b)
try:
    B_star = batch_size_for(ell, target)
except NotImplementedError:
    B_star = None
    print("Complete Exercise 4 first; then this cell runs your batch size.")
if B_star is not None:
    print(f"target: std ≤ {target:.1f}")
    for B in (B_star - 1, B_star):
        if 1 <= B <= len(ell):
            est = minibatch_estimates(ell, B, n_batches=4000, rng=rng)
            print(f"B = {B:>4}: std by the formula {minibatch_std(ell, B):7.2f} (≤ target: "
                  f"{minibatch_std(ell, B) <= target}), observed over 4000 batches "
                  f"{est.std(ddof=1):7.2f}")

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
