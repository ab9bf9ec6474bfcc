# %% [markdown]
# # 07 · The Gaussian lemma (slides: CLOSE FORM OF $L_b$ — Lemma and proof)
#
# The closed form of the VAE's lower bound rests on one fact about Gaussians, stated on the slide
# **CLOSE FORM OF $L_b$** as a *Lemma*. Here we check it numerically — the statement, every line
# of its proof, and its special case — before notebook 08 uses it on a real VAE.
#
# **Learning goals.** After this notebook you can
# 1. **state** the lemma $\mathbb{E}_{\xi\sim\mathcal N(\tilde\mu,\tilde\Sigma)}[\log\mathcal N(\xi;\mu,\Sigma)]
#    = \log\mathcal N(\tilde\mu;\mu,\Sigma) - \mathrm{Tr}(\tilde\Sigma\Sigma^{-1})/2$ and its special case;
# 2. **verify** a closed form by Monte Carlo, reporting a standard error, and **judge** agreement
#    in standard errors;
# 3. **explain** why the Monte-Carlo error shrinks like $1/\sqrt n$, from a log-log plot;
# 4. **evaluate** each line of a proof numerically to see which algebraic step does what.
#
# *Time: about 30 minutes. Needs only NumPy/SciPy.*

# %%
# %matplotlib inline
import numpy as np
from scipy.stats import multivariate_normal

from vae_teach.exercises import check_lemma_closed_form, check_mc_scaling_prediction
from vae_teach.maths.gaussian import kl_diag_std_normal, neg_entropy, neg_entropy_diag, random_spd
from vae_teach.maths.lemma import (lemma_closed_form, lemma_closed_form_diag, lemma_monte_carlo,
                                   lemma_proof_lines, mc_error_vs_n, neg_entropy_slide_form,
                                   proof_lines_hold, random_lemma_args)
from vae_teach.viz.lemma import plot_mc_error_vs_n

SEED = 0
rng = np.random.default_rng(SEED)

# %% [markdown]
# ## 1. The lemma
# **Lemma** (slide). Let $\xi\sim\mathcal N(\tilde\mu,\tilde\Sigma)$ in $\mathbb R^m$. Then
#
# $$\mathbb{E}_{\xi\sim\mathcal N(\tilde\mu,\tilde\Sigma)}[\log\mathcal N(\xi;\mu,\Sigma)]
#   = \log\frac{1}{\sqrt{(2\pi)^m|\Sigma|}} - \frac12\Big((\tilde\mu-\mu)^T\Sigma^{-1}(\tilde\mu-\mu)
#     + \mathrm{Tr}(\tilde\Sigma\Sigma^{-1})\Big)
#   = \log\mathcal N(\tilde\mu;\mu,\Sigma) - \mathrm{Tr}(\tilde\Sigma\Sigma^{-1})/2 .$$
#
# Read it as: *the average log-density is the log-density at the average, minus a penalty for
# the spread of $\xi$, measured in the metric of $\Sigma$.* In a VAE the expectations
# $\mathbb E_q[\log p(z)]$ and $\mathbb E_q[\log q(z)]$ of the bound are exactly of this form.
#
# We draw a random case in $m = 3$ dimensions and compare the closed form with a Monte-Carlo
# average over $n = 10^5$ samples $\xi_k$:
# $\hat E = \frac1n\sum_k \log\mathcal N(\xi_k;\mu,\Sigma)$, with standard error
# $\mathrm{s.e.} = \mathrm{std}_k / \sqrt n$.

# %%
# NBVAL_CHECK_OUTPUT
mu_tilde, Sigma_tilde, mu, Sigma = random_lemma_args(3, rng)
closed = lemma_closed_form(mu_tilde, Sigma_tilde, mu, Sigma)
mc, se = lemma_monte_carlo(mu_tilde, Sigma_tilde, mu, Sigma, n_samples=100_000, rng=rng)
print(f"closed form : {closed:.4f}")
print(f"Monte Carlo : {mc:.4f} ± {se:.4f}   ({(mc - closed) / se:+.2f} standard errors)")

# %% [markdown]
# One case can agree by luck. The table repeats the check for dimensions $m$ from 1 to 10 and
# condition numbers $\kappa = \lambda_{\max}/\lambda_{\min}$ of $\Sigma$ and $\tilde\Sigma$ up to
# $10^6$ (nearly singular). The last column is $(\hat E - \text{closed form})/\mathrm{s.e.}$: for a
# correct closed form it behaves like a standard normal draw, so $|z| < 4$ in every row.

# %%
# NBVAL_CHECK_OUTPUT
print(f"{'m':>3} {'κ':>6} {'closed form':>13} {'Monte Carlo ± s.e.':>26} {'z':>6}")
for m, kappa in [(1, 1.0), (2, 10.0), (3, 1e2), (5, 1e3), (10, 10.0), (10, 1e6)]:
    args = random_lemma_args(m, rng, condition_number=kappa)
    cf = lemma_closed_form(*args)
    mc, se = lemma_monte_carlo(*args, n_samples=100_000, rng=rng)
    print(f"{m:>3} {kappa:>6.0e} {cf:>13.3f} {mc:>13.3f} ± {se:<10.3f} {(mc - cf) / se:>6.2f}")

# %% [markdown]
# ## 2. How fast does the Monte-Carlo estimate converge?
# The estimator averages $n$ independent values $\log\mathcal N(\xi_k;\mu,\Sigma)$ with standard
# deviation $s$. Below, for each $n$ from 10 to $10^5$ we repeat the estimate 20 times and plot
# the root-mean-square error against the closed form on log-log axes.
#
# **Exercise 1 — predict before you run.** When $n$ grows a hundredfold, by what factor does the
# error shrink: `"100"`, `"10"`, `"3.2"` or `"1"`? Record your answer, then run the cell that
# measures it. This is what decides how many samples a Monte-Carlo check (or a training step)
# can afford.

# %% tags=["solution"]
def error_factor_prediction():
    """Your prediction: "100", "10", "3.2" or "1"."""
    ### BEGIN SOLUTION
    return "10"
    ### END SOLUTION


# %%
args = random_lemma_args(5, rng, condition_number=10.0)
curve = mc_error_vs_n(*args, ns=[10, 100, 1_000, 10_000, 100_000], n_repeats=20, rng=rng)
plot_mc_error_vs_n(curve)

# %%
check_mc_scaling_prediction(error_factor_prediction, curve);

# %% [markdown]
# The variance of a mean of $n$ independent values is $s^2/n$, so its error is about
# $s/\sqrt n$: each extra correct digit costs a hundred times more samples, a straight line of
# slope $-\tfrac12$ on log-log axes. The plot also shows the exact $s/\sqrt n$ (for a quadratic
# form of a Gaussian, $s$ has a closed form too: `lemma_sample_std`).

# %%
# NBVAL_CHECK_OUTPUT
slope = np.polyfit(np.log(curve.n), np.log(curve.rms_error), 1)[0]
print(f"fitted slope of log(error) against log(n): {slope:.1f}   (theory: -0.5)")
for n, err, pred, est in zip(curve.n, curve.rms_error, curve.predicted,
                             curve.mean_standard_error):
    print(f"n = {n:>7.0f}   RMS error {err:.4f}   s/√n {pred:.4f}   mean estimated s.e. {est:.4f}")

# %% [markdown]
# At $n = 10$ the *estimated* standard error (dashed) lies below the truth: with few samples of a
# skewed quantity the sample standard deviation is biased low. Trust a Monte-Carlo error bar only
# once $n$ is in the hundreds.

# %% [markdown]
# ## 3. The proof, line by line
# The slide proves the lemma in six lines. Each line is an expression we can evaluate: expectations
# by a sample mean over the same $10^5$ draws of $\xi$ (line 5 draws fresh $\xi'$), the last lines
# exactly. `lemma_proof_lines` evaluates each line *literally* (with `np.linalg.inv(Sigma)` and the
# determinant), not with the package's Cholesky shortcuts, so a wrong line would show.
#
# $$\begin{aligned}
# \mathbb E[\log\mathcal N(\xi;\mu,\Sigma)]
# &\overset{1}{=} \mathbb E\Big[\log\tfrac{1}{\sqrt{(2\pi)^m|\Sigma|}} - \tfrac12(\xi-\mu)^T\Sigma^{-1}(\xi-\mu)\Big]\\
# &\overset{2}{=} \log\tfrac{1}{\sqrt{(2\pi)^m|\Sigma|}} - \tfrac12\,\mathbb E\big[\mathrm{Tr}((\xi-\mu)^T\Sigma^{-1}(\xi-\mu))\big]\\
# &\overset{3,4}{=} \log\tfrac{1}{\sqrt{(2\pi)^m|\Sigma|}} - \tfrac12\,\mathrm{Tr}\big(\mathbb E[(\xi-\mu)(\xi-\mu)^T\Sigma^{-1}]\big)\\
# &\overset{5}{=} \log\tfrac{1}{\sqrt{(2\pi)^m|\Sigma|}} - \tfrac12\,\mathrm{Tr}\big(\mathbb E_{\xi'\sim\mathcal N(0,\tilde\Sigma)}[(\xi'+\tilde\mu-\mu)(\xi'+\tilde\mu-\mu)^T\Sigma^{-1}]\big)\\
# &\overset{6}{=} \log\tfrac{1}{\sqrt{(2\pi)^m|\Sigma|}} - \tfrac12\,\mathrm{Tr}\big((\tilde\Sigma+(\tilde\mu-\mu)(\tilde\mu-\mu)^T)\Sigma^{-1}\big)
#   = \log\tfrac{1}{\sqrt{(2\pi)^m|\Sigma|}} - \tfrac12\big((\tilde\mu-\mu)^T\Sigma^{-1}(\tilde\mu-\mu)+\mathrm{Tr}(\tilde\Sigma\Sigma^{-1})\big)
# \end{aligned}$$
#
# Line 2 uses that a number is its own trace, line 3 the cyclic rule
# $\mathrm{Tr}(a^TBa) = \mathrm{Tr}(aa^TB)$ and linearity, line 5 the substitution
# $\xi = \xi' + \tilde\mu$, line 6 $\mathbb E[\xi'\xi'^T] = \tilde\Sigma$ and $\mathbb E[\xi'] = 0$.

# %%
# NBVAL_CHECK_OUTPUT
args = random_lemma_args(4, rng, condition_number=10.0)
lines = lemma_proof_lines(*args, n_samples=100_000, rng=rng)
for line, ok in zip(lines, proof_lines_hold(lines)):
    se = "exact" if line.standard_error is None else f"± {line.standard_error:.4f}"
    print(f"{line.label:<52} {line.value:>10.4f} {se:>10}   holds: {'yes' if ok else 'NO'}")

# %% [markdown]
# **Every line holds** (Monte-Carlo lines within 4 standard errors of the closed form, exact lines
# to $10^{-9}$); the package's tests repeat this for random $m \le 10$ and condition numbers up to
# $10^6$. Lines LHS–4 agree to rounding because, on the same draws, they are the same numbers
# rearranged — which is exactly what those algebraic steps claim. Line 5 uses fresh draws, so it
# differs by Monte-Carlo noise only. One blemish, not an error: the slide prints line 3 twice
# (line 4 is a verbatim copy).
#
# ### Exercise 2 — find the slip in a transcribed line
# Below is someone's transcription of the proof's **last line** as code. Evaluated on the same
# case as the table, it misses the Monte-Carlo left-hand side by many standard errors (next
# cell). Compare it with line 6 term by term, then write the corrected `line_6`. Reading a
# formula into code is where most derivation errors enter; the numbers tell you *that* a line is
# wrong, the derivation tells you *where*.

# %%
def line_6_as_transcribed(mu_tilde, Sigma_tilde, mu, Sigma):
    """log 1/√((2π)^m|Σ|) − ½((μ̃−μ)ᵀΣ⁻¹(μ̃−μ) + Tr(Σ̃Σ⁻¹)), as someone typed it."""
    m = len(mu)
    log_c = -0.5 * (m * np.log(2 * np.pi) + np.linalg.slogdet(Sigma)[1])
    delta = mu_tilde - mu
    return log_c - 0.5 * delta @ np.linalg.inv(Sigma) @ delta - np.trace(Sigma_tilde @ Sigma)


# %%
# NBVAL_CHECK_OUTPUT
lhs = lines[0]
given = line_6_as_transcribed(*args)
print(f"LHS (Monte Carlo) {lhs.value:.3f} ± {lhs.standard_error:.3f};  transcribed line: "
      f"{given:.3f}  ({(given - lhs.value) / lhs.standard_error:+.0f} standard errors)")

# %% tags=["solution"]
def line_6(mu_tilde, Sigma_tilde, mu, Sigma):
    """The proof's last line, corrected → float."""
    ### BEGIN SOLUTION
    m = len(mu)
    log_c = -0.5 * (m * np.log(2 * np.pi) + np.linalg.slogdet(Sigma)[1])
    delta = mu_tilde - mu
    Sigma_inv = np.linalg.inv(Sigma)
    return log_c - 0.5 * delta @ Sigma_inv @ delta - 0.5 * np.trace(Sigma_tilde @ Sigma_inv)
    ### END SOLUTION


# %%
check_lemma_closed_form(line_6);

# %%
try:
    mine = line_6(*args)
    print(f"your line 6: {mine:.3f}  ({(mine - lhs.value) / lhs.standard_error:+.2f} standard "
          f"errors from the Monte-Carlo LHS)")
except NotImplementedError:
    print("Complete Exercise 2 first; then this cell compares your line with the LHS.")

# %% [markdown]
# ## 4. The special case: minus the entropy
# For $\tilde\mu = \mu$, $\tilde\Sigma = \Sigma$ the trace is $\mathrm{Tr}(I_m) = m$ and the slide gives
#
# $$\mathbb E_{\xi\sim\mathcal N(\mu,\Sigma)}[\log\mathcal N(\xi;\mu,\Sigma)]
#   = -\frac m2\log\big(2\pi e\,|\Sigma|^{1/m}\big),$$
#
# which is minus the differential entropy. We compare the slide's formula (typed literally),
# `neg_entropy` (the same, via $\log|\Sigma|$), the lemma with $\tilde\mu=\mu$, $\tilde\Sigma=\Sigma$,
# and `scipy.stats.multivariate_normal(mu, Sigma).entropy()`.

# %%
# NBVAL_CHECK_OUTPUT
print(f"{'m':>3} {'slide form':>11} {'neg_entropy':>12} {'lemma':>10} {'−scipy':>10}")
for m in [1, 2, 5, 10]:
    S, mu_m = random_spd(m, 100.0, rng, scale=2.0), rng.normal(size=m)
    print(f"{m:>3} {neg_entropy_slide_form(S):>11.5f} {neg_entropy(S):>12.5f} "
          f"{lemma_closed_form(mu_m, S, mu_m, S):>10.5f} "
          f"{-multivariate_normal(mu_m, S).entropy():>10.5f}")

# %% [markdown]
# The slide's form is correct but fragile as code: $|\Sigma|$ overflows long before
# $\log|\Sigma|$ does. For $\Sigma = 10\,I_{400}$, $|\Sigma| = 10^{400}$ is beyond the largest
# double ($\approx 1.8\cdot10^{308}$):

# %%
# NBVAL_CHECK_OUTPUT
big = 10.0 * np.eye(400)
with np.errstate(over="ignore"):
    print(f"slide form, det then log : {neg_entropy_slide_form(big)}")
print(f"neg_entropy, via log|Σ|   : {neg_entropy(big):.4f}")
print(f"-scipy entropy           : {-multivariate_normal(cov=big).entropy():.4f}")

# %% [markdown]
# ## 5. Where the lemma goes next
# With a diagonal encoder $q(z\,|\,x) = \mathcal N(\tilde\mu, \mathrm{diag}\,\tilde\sigma^2)$,
# $\zeta = \log\tilde\sigma^2$, and the prior $p(z) = \mathcal N(0, I)$, the lemma gives both terms
# of the KL divergence in the VAE's regulariser:
#
# $$\mathrm{KL}(q\,\|\,p) = \underbrace{\mathbb E_q[\log q(z)]}_{\text{special case}}
#   - \underbrace{\mathbb E_q[\log p(z)]}_{\text{lemma},\ \mu=0,\ \Sigma=I}
#   = \frac12\sum_{j=1}^m\big(\tilde\mu_j^2 + e^{\zeta_j} - 1 - \zeta_j\big),$$
#
# half of the per-sample regularisation loss on the slide *VAE LOSS FUNCTION*. Notebook 08 walks
# through the whole closed form of $L_b$.

# %%
# NBVAL_CHECK_OUTPUT
mu_q, zeta = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
via_lemma = neg_entropy_diag(np.exp(zeta)) - lemma_closed_form_diag(
    mu_q, np.exp(zeta), np.zeros(4), np.ones(4))
print("KL via the lemma      :", np.round(via_lemma, 6))
print("½ Σ(μ̃² + e^ζ − 1 − ζ) :", np.round(kl_diag_std_normal(mu_q, zeta), 6))

# %% [markdown]
# ## Exercises
# The two exercises of this notebook sit where they belong: the prediction of the error's
# scaling in section 2 (Exercise 1) and the slip in a transcribed proof line in section 3
# (Exercise 2).

# %% [markdown]
# **Going further.** Does your `line_6` still agree with `lemma_monte_carlo` when $\tilde\Sigma$
# is nearly singular (`random_spd(m, 1e8)`)? What happens to the standard error when $\Sigma$ is
# nearly singular but $\tilde\Sigma$ is not? (Look at $\mathrm{Tr}(\tilde\Sigma\Sigma^{-1})$.)
# Write the special case through $\log|\Sigma|$ yourself and check it with
# `vae_teach.exercises.check_neg_entropy`.

# %% [markdown]
# ## Summary
# * The lemma $\mathbb E_{\mathcal N(\tilde\mu,\tilde\Sigma)}[\log\mathcal N(\xi;\mu,\Sigma)] =
#   \log\mathcal N(\tilde\mu;\mu,\Sigma) - \mathrm{Tr}(\tilde\Sigma\Sigma^{-1})/2$ agrees with Monte
#   Carlo within a few standard errors for every dimension and conditioning we tried.
# * The Monte-Carlo error falls like $1/\sqrt n$ (slope $-\tfrac12$ on log-log axes); the
#   estimated standard error is reliable once $n$ is in the hundreds.
# * Every line of the slide's proof holds numerically; the slide repeats line 3 once.
# * The special case is minus the entropy, $-\frac m2\log(2\pi e|\Sigma|^{1/m})$ — compute it
#   through $\log|\Sigma|$, since $|\Sigma|$ itself overflows in high dimension.
# * With $p = \mathcal N(0, I)$ the lemma gives the KL regulariser of the VAE loss (notebook 08).
#
# **References.** Pei-Yuan Wu, *Variational Autoencoder* (lecture slides, NTU), slide CLOSE FORM
# OF $L_b$. K. B. Petersen, M. S. Pedersen, *The Matrix Cookbook*, §8.2 (expectations of
# quadratic forms). D. P. Kingma, M. Welling, *Auto-Encoding Variational Bayes*, ICLR 2014,
# Appendix B.
