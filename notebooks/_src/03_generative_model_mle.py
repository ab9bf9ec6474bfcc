# %% [markdown]
# # 03 · The generative model and maximum likelihood (slide: VAE GENERATIVE MODEL AND MLE)
#
# A VAE is first of all a **generative model**: draw a code $z \sim p_\theta(z)$, then data
# $x \sim p_\theta(x\,|\,z)$. The slide *VAE GENERATIVE MODEL AND MLE* writes the probability of a
# data point as an integral over all codes and asks for the parameters $\theta$ that make the
# data most probable. For a neural decoder that integral has no closed form — which is why the
# rest of the lecture builds a lower bound. Here we use a model where it **is** exact,
# probabilistic PCA, and check every line of the slide against the closed form.

# %% [markdown]
# ## Learning goals
# After this notebook you can
# 1. **compute** $p_\theta(x) = \int p_\theta(x|z)\,p_\theta(z)\,dz$ by quadrature and by Monte
#    Carlo, and **judge** the agreement with the closed form in standard errors;
# 2. **measure** how sampling codes from the prior fails as the data dimension $M$ grows
#    (error, effective sample size, the share of the best draw), and **say why**;
# 3. **explain** why the log-likelihood of independent samples is a sum, and why code never
#    multiplies the densities;
# 4. **fit** $\theta$ by gradient ascent on $\log p_\theta(\mathcal X)$ and **compare** it with the
#    closed-form maximum-likelihood estimate;
# 5. **distinguish** $\max$ from $\arg\max$ (the slide mixes them up).
#
# *Time: about 40 minutes. Needs only NumPy/SciPy.*

# %%
# %matplotlib inline
import numpy as np
from sklearn.decomposition import PCA

from vae_teach.claims import claim
from vae_teach.exercises import (check_best_draw_dimension, check_log_marginal, check_mle_sigma2,
                                 check_naive_mc_trend)
from vae_teach.maths.importance import naive_mc_by_dimension
from vae_teach.maths.marginal import log_px_grid, log_px_monte_carlo, log_px_stacked
from vae_teach.maths.mle import loglik_sigma2_path, mle_gradient_ascent
from vae_teach.maths.ppca import PPCA
from vae_teach.maths.quadrature import LatentGrid1D
from vae_teach.viz.bounds import (fig_argmax, fig_marginal_integrand, fig_mc_convergence,
                                  fig_mle_ascent)
from vae_teach.viz.importance import fig_naive_mc_dimension

SEED = 0
rng = np.random.default_rng(SEED)

# %% [markdown]
# ## 1. The generative model
# Slide: *each data point $x_i$ is generated according to*
#
# $$p_\theta(x) = \int p_\theta(x|z)\,p_\theta(z)\,dz .$$
#
# **Probabilistic PCA** is the VAE of the slides with a *linear* decoder:
# $p_\theta(z) = \mathcal N(0, I_m)$, $p_\theta(x|z) = \mathcal N(x;\ \mu_\theta(z) = Wz + \mu,\
# \Sigma_\theta = \sigma^2 I_M)$, $\theta = (W, \mu, \sigma^2)$. A linear map of a Gaussian is
# Gaussian, so the integral is known:
# $p_\theta(x) = \mathcal N(x;\ \mu,\ C)$ with $C = WW^T + \sigma^2 I_M$.
#
# We make a "true" model with $M = 5$ data dimensions and $m = 2$ latent dimensions and draw
# $N = 500$ samples from it.

# %%
M, m, N = 5, 2, 500
true = PPCA(W=rng.normal(size=(M, m)), mu=rng.normal(size=M), sigma2=0.3)
X = true.sample(N, rng=rng)
x = X[0]
print("X:", X.shape, "  W:", true.W.shape, "  C = WWᵀ + σ²I:", true.covariance().shape)

# %% [markdown]
# ### 1.1 The integral as a sum over a grid
# With one latent dimension ($m = 1$) the integrand $p_\theta(x|z)\,p_\theta(z)$ is a bump over
# the $z$-axis and $p_\theta(x)$ is its area. On a fine grid $z_1, \dots, z_K$ with spacing
# $\Delta z$: $p_\theta(x) \approx \sum_k p_\theta(x|z_k)\,p_\theta(z_k)\,\Delta z$.
# We keep the first column of $W$ to get an $m = 1$ model.

# %%
one = PPCA(true.W[:, :1], true.mu, true.sigma2)
fig_marginal_integrand(LatentGrid1D.linear(one.W[:, 0], one.mu, one.sigma2), x)

# %%
# NBVAL_CHECK_OUTPUT
for name, model, n_points in [("m = 1", one, 401), ("m = 2", true, 201)]:
    closed = model.log_likelihood_per_sample(x[None])[0]
    grid = log_px_grid(model, x, n_points=n_points)
    print(f"{name}: closed form {closed:.10f}   grid {grid:.10f}   "
          f"|diff| < 1e-9: {abs(grid - closed) < 1e-9}")

# %% [markdown]
# The grid sum matches the closed form to about ten digits — but it needs $K^m$ points, hopeless
# for the $m = 20$ codes of a real VAE.

# %% [markdown]
# ### 1.2 The integral as an average: Monte Carlo
# The integral is an expectation over the prior, $p_\theta(x) = \mathbb E_{z\sim p_\theta(z)}
# [p_\theta(x|z)] \approx \frac1n\sum_{k=1}^n p_\theta(x|z_k)$, $z_k \sim \mathcal N(0, I)$, in
# any dimension. The table reports $\log$ of the estimate with its standard error.

# %%
# NBVAL_CHECK_OUTPUT
closed = true.log_likelihood_per_sample(x[None])[0]
ns = [10, 100, 1_000, 10_000, 100_000]
runs = [log_px_monte_carlo(true, x, n, rng=rng) for n in ns]
print(f"closed form log p(x) = {closed:.4f}")
for n, (est, se) in zip(ns, runs):
    print(f"n = {n:>7}: {est:8.4f} ± {se:.4f}   z = {(est - closed) / se:+.2f}")

# %%
fig_mc_convergence(ns, [r[0] for r in runs], [r[1] for r in runs], closed)

# %% [markdown]
# It converges, slowly ($1/\sqrt n$), for this $x$ with $M = 5$ coordinates. But most codes
# drawn from the *prior* explain $x$ badly; only those near the posterior $p_\theta(z|x)$
# contribute. Does that stay harmless when $x$ has more coordinates?

# %% [markdown]
# ### 1.3 When prior sampling fails: more observed dimensions
# One pPCA with $M = 256$ coordinates and a 3-dimensional code ($\sigma^2 = 0.3$), observed
# through its first $M$ coordinates, $M \in \{2, 5, 16, 64, 256\}$: the code stays the same,
# each extra coordinate is one more noisy view of it. For 30 data points per $M$ we estimate
# $\log p_\theta(x)$ from $n = 1000$ prior draws and compare with the closed form. Besides the
# error we count how many draws carry the average: the **effective sample size**
# $\mathrm{ESS} = (\sum_k w_k)^2 / \sum_k w_k^2$ of the weights $w_k = p_\theta(x|z_k)$
# ($n$ when all weights are equal, 1 when one draw has them all), and the share
# $\max_k w_k / \sum_k w_k$ of the best draw.
#
# **Exercise 1 — predict, then run.** Before you run the next cell: from $M = 5$ to $M = 64$,
# does the size of the error of the estimate get `"smaller"`, stay `"about the same"`, or get
# `"larger"`? Record your answer in `my_prediction`; the check after the measurement explains.

# %% tags=["solution"]
def my_prediction():
    """One of "smaller", "about the same", "larger"."""
    ### BEGIN SOLUTION
    return "larger"
    ### END SOLUTION


# %%
# NBVAL_CHECK_OUTPUT
rng_dim = np.random.default_rng(1)
big = PPCA(W=rng_dim.normal(size=(256, 3)), mu=rng_dim.normal(size=256), sigma2=0.3)
sweep = naive_mc_by_dimension(big, dims=[2, 5, 16, 64, 256], n_samples=1000, n_points=30,
                              rng=11)
print("   M   exact log p(x)   error (nats)   its own s.e.   ESS of 1000")
for dim, exact, err, se, ess in zip(sweep.dims, sweep.exact, sweep.error,
                                    sweep.standard_error, sweep.ess):
    print(f"{dim:>4}   {exact:14.2f}   {err:+12.2f}   {se:12.2f}   {ess:11.1f}")

# %%
check_naive_mc_trend(my_prediction, sweep);

# %%
fig_naive_mc_dimension(sweep)

# %%
by_M = lambda values: dict(zip(sweep.dims, values))  # noqa: E731  M → value
err, se, share = by_M(sweep.error), by_M(sweep.standard_error), by_M(sweep.max_weight)
claim(abs(err[2]) < 0.1 and abs(err[5]) < 0.1,
      "at M = 2 and M = 5 the estimate is within 0.1 nats of the exact log p(x)")
claim(err[64] < -1 and err[256] < -10,
      "at M = 64 it is more than 1 nat too low, at M = 256 more than 10 nats")
claim(abs(err[256]) > 10 * se[256],
      "at M = 256 the error is more than 10 times the estimate's own standard error")
claim(share[256] > 0.9, "at M = 256 a single draw carries more than 90 % of the total weight")

# %% [markdown]
# The estimate fails quietly. Every extra coordinate is more evidence about $z$, so the
# posterior narrows (its covariance $\sigma^2 B^{-1}$, $B = W^TW + \sigma^2 I$, shrinks like
# $1/M$) and fewer prior draws land where $p_\theta(x|z)$ is large. The average then rests on
# one or two lucky draws: the ESS falls towards 1, the log of the average is far too low (log is
# concave, and the rare large weights that would fix it were never drawn), and the standard
# error — computed from the same few weights — does not show it. Images have hundreds of
# coordinates, so a VAE cannot estimate $p_\theta(x)$ from prior draws. It draws codes from an
# *encoder* $q_\phi(z|x)$ close to the posterior instead — notebook 04 builds the lower bound on
# that idea and then returns to these weights.
#
# **Exercise 2 — read the figure.** In the right-hand panel, at which $M$ of the sweep does the
# best of the 1000 draws first carry more than half of the total weight? Return that $M$.

# %% tags=["solution"]
def my_reading():
    """The smallest M of the sweep whose best draw carries more than half the weight."""
    ### BEGIN SOLUTION
    return 64
    ### END SOLUTION


# %%
check_best_draw_dimension(my_reading, sweep);

# %% [markdown]
# ## 2. Independent samples: the log-likelihood is a sum
# Slide: *if each data point $x_i$ is generated independently, then*
#
# $$\log p_\theta(\mathcal X) = \log\Big(\prod_{i=1}^N p_\theta(x_i)\Big)
#   = \sum_{i=1}^N \log p_\theta(x_i),\qquad p_\theta(x_i) = \int p_\theta(x_i|z_i)\,p_\theta(z_i)\,dz_i .$$
#
# Independence means the stacked vector $(x_1, \dots, x_N) \in \mathbb R^{NM}$ is Gaussian with a
# **block-diagonal** covariance $I_N \otimes C$. `log_px_stacked` evaluates that single
# $NM$-dimensional density (no sum inside), which we compare with the sum and the product.

# %%
# NBVAL_CHECK_OUTPUT
per_sample = true.log_likelihood_per_sample(X)
first = slice(0, 50)
print(f"one Gaussian in R^{50 * M}  : {log_px_stacked(true, X[first]):.8f}")
print(f"Σ_i log p(x_i)          : {per_sample[first].sum():.8f}")
print(f"log Π_i p(x_i)          : {np.log(np.prod(np.exp(per_sample[first]))):.8f}")

# %% [markdown]
# All three agree. For all $N = 500$ samples the product is a number far below the smallest
# positive double ($\approx 10^{-308}$): it **underflows to 0** and its log is $-\infty$. The sum
# of logs is the only way to compute $\log p_\theta(\mathcal X)$ — and the reason the slide, and
# every VAE loss, works with logs.

# %%
# NBVAL_CHECK_OUTPUT
with np.errstate(divide="ignore"):
    print(f"Π_i p(x_i)      = {np.prod(np.exp(per_sample))}")
    print(f"log Π_i p(x_i)  = {np.log(np.prod(np.exp(per_sample)))}")
print(f"Σ_i log p(x_i)  = {per_sample.sum():.4f}")

# %% [markdown]
# ## 3. Maximum likelihood
# Slide: *Goal: maximum log-likelihood parameter estimation*
#
# $$\theta^* = \max_{\theta\in\Theta} p_\theta(\mathcal X) = \max_{\theta\in\Theta} \log p_\theta(\mathcal X).$$
#
# We scan one parameter, $\sigma^2$, with $W$ and $\mu$ fixed at the true values, on the first
# $N = 20$ samples (so that $p_\theta(\mathcal X)$ itself does not underflow), and look at the two
# curves.

# %%
# NBVAL_CHECK_OUTPUT
sigma2s = np.linspace(0.1, 1.0, 181)
loglik = loglik_sigma2_path(true, X[:20], sigma2s)  # log p_θ(X) for each σ², W and μ fixed
k_p, k_log = np.argmax(np.exp(loglik)), np.argmax(loglik)
print(f"arg max p_θ(X)     : σ² = {sigma2s[k_p]:.3f}")
print(f"arg max log p_θ(X) : σ² = {sigma2s[k_log]:.3f}")
print(f"max p_θ(X)         : {np.exp(loglik).max():.4g}")
print(f"max log p_θ(X)     : {loglik.max():.4f}")

# %%
fig_argmax(sigma2s, loglik)

# %% [markdown]
# > **Slide erratum.** The slide writes $\theta^* = \max_\theta p_\theta(\mathcal X) =
# > \max_\theta \log p_\theta(\mathcal X)$. Read literally, neither equality holds: the two maxima
# > are *values*, $\max p_\theta(\mathcal X) \approx 6\cdot 10^{-56}$ and
# > $\max \log p_\theta(\mathcal X) \approx -127.16$ (printed above): they differ from each
# > other, and neither is a parameter. What is equal is the **maximiser** ($\sigma^2 = 0.370$
# > for both curves), because $\log$ is strictly increasing. Corrected line:
# >
# > $$\theta^* = \arg\max_{\theta\in\Theta} p_\theta(\mathcal X) = \arg\max_{\theta\in\Theta}
# >   \log p_\theta(\mathcal X).$$

# %% [markdown]
# ### 3.1 Gradient ascent vs the closed form
# For pPCA the maximiser is known (Tipping & Bishop, 1999): $\mu^* = \bar x$, and with the
# eigenvalues $\lambda_1 \ge \dots \ge \lambda_M$ of the sample covariance $S$,
# $\sigma^{2*} = \frac{1}{M-m}\sum_{j>m}\lambda_j$ and $W^* = U_m(\Lambda_m - \sigma^{2*} I)^{1/2}$
# (`PPCA.fit`). A VAE has no such formula; it climbs the gradient. We do the same here,
#
# $$\theta \leftarrow \theta + \eta\,\nabla_\theta \tfrac1N \log p_\theta(\mathcal X),\qquad
#   \nabla_C \log p_\theta(\mathcal X) = -\tfrac N2\big(C^{-1} - C^{-1} S_\mu C^{-1}\big),$$
#
# with $S_\mu = \frac1N\sum_i (x_i-\mu)(x_i-\mu)^T$, the chain rule to $W$ ($\nabla_W = 2\nabla_C W$)
# and $\sigma^2 = e^s$ (so $\sigma^2$ stays positive). We standardise the data first, so that
# one step size $\eta = 0.2$ suits every coordinate.

# %%
# NBVAL_CHECK_OUTPUT
Xs = (X - X.mean(0)) / X.std(0)
ascent = mle_gradient_ascent(Xs, m=2, lr=0.2, n_steps=150, seed=SEED)
closed_mle = PPCA.fit(Xs, m=2)
sklearn_score = PCA(n_components=2).fit(Xs).score(Xs) * len(Xs)  # sklearn's pPCA log-lik
print(f"log p(X), gradient ascent (150 steps): {ascent.loglik[-1]:.6f}")
print(f"log p(X), closed-form MLE            : {closed_mle.log_likelihood(Xs):.6f}")
print(f"log p(X), sklearn PCA.score × N      : {sklearn_score:.6f}")
print(f"closed form − ascent < 1e-6 nats     : "
      f"{closed_mle.log_likelihood(Xs) - ascent.loglik[-1] < 1e-6}")
print(f"σ²: ascent {ascent.model.sigma2:.6f}, closed form {closed_mle.sigma2:.6f}")
WWt = lambda model: model.W @ model.W.T  # noqa: E731  (W is identified only up to a rotation)
print(f"W Wᵀ agree to 1e-6                   : "
      f"{np.allclose(WWt(ascent.model), WWt(closed_mle), atol=1e-6)}")

# %%
fig_mle_ascent(ascent.loglik, closed_mle.log_likelihood(Xs))

# %% [markdown]
# Gradient ascent reaches the closed-form maximum to better than $10^{-6}$ nats; the right panel
# shows the distance shrinking geometrically. $W$ itself can differ by a rotation ($WR$ with
# $RR^T = I$ gives the same $C$), so we compare $WW^T$. sklearn's `PCA.score` evaluates the same
# pPCA log-likelihood but at its estimate from the $\frac{1}{N-1}$ covariance, hence a hair below
# the maximum.

# %% [markdown]
# ## Exercises
# ### Exercise 3 — find the slip: the marginal log-likelihood
# A classmate wrote $\log p_\theta(x_i) = \log\mathcal N(x_i;\ \mu,\ WW^T + \sigma^2 I_M)$ as
# below. It runs, returns one number per row, and disagrees with the closed form. Find the slip,
# then write the corrected `log_marginal` (same arguments, shape `(N,)`). A slip like this one
# survives every shape check — only a comparison with an independent value catches it.

# %%
from scipy.stats import multivariate_normal


def log_marginal_given(X, W, mu, sigma2):
    """log N(x_i; μ, W Wᵀ + σ² I) for each row x_i of X (N, M) → (N,) — as handed in."""
    C = W @ W.T + np.sqrt(sigma2) * np.eye(len(mu))
    return multivariate_normal(mu, C).logpdf(X)


given = log_marginal_given(X, true.W, true.mu, true.sigma2)
print("agrees with the closed form:", np.allclose(given, true.log_likelihood_per_sample(X)))

# %% tags=["solution"]
def log_marginal(X, W, mu, sigma2):
    """log N(x_i; μ, W Wᵀ + σ² I) for each row x_i of X (N, M) → (N,)."""
    ### BEGIN SOLUTION
    C = W @ W.T + sigma2 * np.eye(len(mu))
    return np.atleast_1d(multivariate_normal(mu, C).logpdf(X))
    ### END SOLUTION


# %%
check_log_marginal(log_marginal);

# %% [markdown]
# ### Exercise 4 — find the two slips: the closed-form MLE of $\sigma^2$
# $\sigma^{2*}$ is the average of the $M - m$ smallest eigenvalues of the maximum-likelihood
# sample covariance $S = \frac1N\sum_i(x_i - \bar x)(x_i - \bar x)^T$ (section 3.1). The function
# below has two slips; it gives a different number from `PPCA.fit`. Find both and write the
# corrected `mle_sigma2`.

# %%
def mle_sigma2_given(X, m):
    """σ²_ML of pPCA with m latent dimensions, X (N, M) — as handed in."""
    S = np.cov(X.T)                          # sample covariance, (M, M)
    eigenvalues = np.linalg.eigvalsh(S)
    return eigenvalues[m:].mean()            # mean of the M − m discarded eigenvalues


print(f"given: {mle_sigma2_given(Xs, 2):.4f}   PPCA.fit: {PPCA.fit(Xs, 2).sigma2:.4f}")

# %% tags=["solution"]
def mle_sigma2(X, m):
    """σ²_ML = mean of the M − m smallest eigenvalues of S (1/N normalisation)."""
    ### BEGIN SOLUTION
    D = X - X.mean(axis=0)
    eigenvalues = np.linalg.eigvalsh(D.T @ D / len(X))      # ascending
    return eigenvalues[: X.shape[1] - m].mean()
    ### END SOLUTION


# %%
check_mle_sigma2(mle_sigma2);

# %% [markdown]
# ## Summary
# * $p_\theta(x) = \int p_\theta(x|z)p_\theta(z)dz$ is a sum on a grid and an average over the
#   prior; both match pPCA's closed form $\mathcal N(x;\mu, WW^T+\sigma^2 I)$, the grid to ~10
#   digits, Monte Carlo within its standard error — and neither scales to a real VAE.
# * Sampling codes from the prior fails as the data dimension grows: the posterior narrows, the
#   effective sample size falls towards 1, a single draw carries most of the weight, and the
#   log of the average is far too low while its own standard error looks small (section 1.3).
# * For independent samples $\log p_\theta(\mathcal X) = \sum_i \log p_\theta(x_i)$ (checked against
#   one $NM$-dimensional Gaussian); the product itself underflows, the sum never does.
# * $\theta^*$ is an **arg max** (slide erratum): $p$ and $\log p$ share the maximiser, not the
#   maximum. Gradient ascent finds the same $\log p_\theta(\mathcal X)$ as the closed form.
# * Next, notebook 04: when the integral is intractable, maximise a lower bound instead.
#
# **References.** M. E. Tipping, C. M. Bishop, *Probabilistic principal component analysis*,
# J. R. Statist. Soc. B (1999). D. P. Kingma, M. Welling, *Auto-Encoding Variational Bayes*, ICLR 2014.
# Code: `vae_teach/maths/marginal.py`, `vae_teach/maths/importance.py`,
# `vae_teach/maths/ppca.py`.
