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
#    $q$ cannot close the gap when the posterior is not Gaussian;
# 5. **use** $q$ as an importance-sampling proposal for $p_\theta(x)$, **explain** why the log of
#    an average is biased low (Jensen), and **measure** the bound $L_k$ closing the gap as the
#    number of samples $k$ grows: $L_1 = L_b \le L_k \le \log p_\theta(x)$.
#
# *Time: about 50 minutes. Needs only NumPy/SciPy (and ipywidgets for section 3).*

# %%
# %matplotlib inline
import numpy as np

from vae_teach.data.digits import load_digits_split
from vae_teach.claims import claim
from vae_teach.exercises import (check_grid_lower_bound, check_k_within, check_L_k,
                                 check_optimal_q, check_posterior_L_k)
from vae_teach.maths.bound import (gap_check, kl_to_posterior, lower_bound, lower_bound_lines,
                                   random_q)
from vae_teach.maths.importance import (chi2_gaussian, effective_sample_size,
                                        importance_log_px, importance_log_weights, iwae_curve,
                                        iwae_from_log_weights)
from vae_teach.maths.lemma import proof_lines_hold
from vae_teach.maths.ppca import PPCA
from vae_teach.maths.quadrature import LatentGrid1D
from vae_teach.viz.bounds import fig_bound_vs_mean, fig_elbo_gap
from vae_teach.viz.importance import fig_iwae_curve
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

# %% [markdown]
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
print(f"grid                      : {grid.z.size} points, Δz = {grid.dz:.4f}")
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

# %% [markdown]
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

# %% [markdown]
# ## 4. More samples, a tighter bound: importance sampling and $L_k$
# Notebook 03 estimated $p_\theta(x)$ by drawing codes from the prior and saw it fail as $x$
# gets more coordinates. Any density $q$ that is positive wherever the posterior is can take the
# prior's place (**importance sampling**):
#
# $$p_\theta(x) = \int q_\phi(z|x)\,\frac{p_\theta(x, z)}{q_\phi(z|x)}\,dz
#   = \mathbb E_{z\sim q_\phi(\cdot|x)}\big[w(z)\big],\qquad
#   w(z) = \frac{p_\theta(x, z)}{q_\phi(z|x)},\qquad
#   \hat p(x) = \frac1k\sum_{j=1}^k w(z_j),\ z_j \sim q_\phi(\cdot|x).$$
#
# We take one point $x$ of section 1.2's data set and an encoder that is wrong on purpose: the
# posterior's mean shifted by one posterior standard deviation in each coordinate, and twice its
# covariance.

# %%
# NBVAL_CHECK_OUTPUT
x0 = X[0]
post_mean, post_cov = model.posterior(x0[None])
post_mean = post_mean[0]
q_mean, q_cov = post_mean + np.sqrt(np.diag(post_cov)), 2 * post_cov
log_p0 = model.log_likelihood(x0[None])
L_b0 = lower_bound(model, x0[None], q_mean[None], q_cov)
print(f"log p(x) = {log_p0:.4f}   L_b = {L_b0:.4f}   KL(q ‖ p(·|x)) = {log_p0 - L_b0:.4f}")
runs = {}
for name, (a, S) in {"prior N(0, I)": (np.zeros(2), np.eye(2)),
                     "encoder q": (q_mean, q_cov)}.items():
    runs[name] = r = importance_log_px(model, x0, a, S, n_samples=1000, rng=3)
    print(f"proposal {name:<14}: log p̂ = {r.log_p:.3f} ± {r.standard_error:.3f}   "
          f"ESS = {r.ess:.0f} of {r.n}")
claim(all(abs(r.log_p - log_p0) < 2 * r.standard_error for r in runs.values()),
      "both estimates lie within 2 standard errors of the exact log p(x)")
claim(runs["encoder q"].ess > runs["prior N(0, I)"].ess,
      "the encoder q gives the larger ESS")

# %% [markdown]
# Both estimates land within 2 standard errors of $\log p_\theta(x)$, and the encoder, though
# about 3 nats of KL away from the posterior, is the better proposal here (larger ESS). The
# average $\hat p(x)$ is unbiased for $p_\theta(x)$. Its **log** is not: $\log$ is concave, so
# (Jensen)
#
# $$\mathbb E\big[\log \hat p(x)\big] \le \log \mathbb E\big[\hat p(x)\big] = \log p_\theta(x).$$
#
# The left side, for $k$ draws, is the **importance-weighted bound** (Burda et al., 2016)
#
# $$L_k = \mathbb E_{z_1, \dots, z_k \sim q_\phi(\cdot|x)}\Big[\log \frac1k \sum_{j=1}^k
#   \frac{p_\theta(x, z_j)}{q_\phi(z_j|x)}\Big],\qquad
#   L_1 = \mathbb E_q\Big[\log\frac{p_\theta(x,z)}{q_\phi(z|x)}\Big] = L_b .$$
#
# To measure it we draw $R = 10\,000$ independent repeats of $k_{\max} = 128$ log-weights; the
# first $k$ columns of a row are one draw of $\log \hat p(x)$ from $k$ samples.

# %% [markdown]
# ### 4.1 Exercise 1 — find the slip
# A classmate estimated $L_k$ from these log-weights as below. Run it: it gives (nearly) the
# same number for every $k$. Which number is it, and what is the slip? Write the corrected
# `my_L_k` (log-weights `(R, k)` → one float). Computing the log of an average from
# log-weights near $-800$ must not underflow.

# %%
# NBVAL_CHECK_OUTPUT
log_w = importance_log_weights(model, x0, q_mean, q_cov, shape=(10_000, 128), rng=4)


def L_k_given(log_w):
    """L_k from R repeats of k log-weights, log_w (R, k) → float — as handed in."""
    log_average = np.mean(log_w, axis=1)          # the log of the average weight, per repeat
    return float(np.mean(log_average))


for k in (1, 16, 128):
    print(f"k = {k:>3}: L_k_given = {L_k_given(log_w[:, :k]):.3f}")
print(f"L_b = {L_b0:.3f}   log p(x) = {log_p0:.3f}")

# %% tags=["solution"]
def my_L_k(log_w):
    """(1/R) Σ_r log (1/k) Σ_j exp(log_w[r, j]) for log-weights log_w (R, k) → float."""
    from scipy.special import logsumexp
    ### BEGIN SOLUTION
    k = log_w.shape[1]
    return float(np.mean(logsumexp(log_w, axis=1) - np.log(k)))
    ### END SOLUTION


# %%
check_L_k(my_L_k);

# %% [markdown]
# ### 4.2 $L_k$ against $k$, exact on pPCA
# The bound for $k = 1, 2, 4, \dots, 128$ from the same repeats, with $\log p_\theta(x)$ and the
# closed-form $L_b$ as references (`iwae_from_log_weights` computes what `my_L_k` does, with
# standard errors).

# %%
# NBVAL_CHECK_OUTPUT
ks = 2 ** np.arange(8)
curve = iwae_from_log_weights(log_w, ks)._replace(log_p=log_p0, L_b=L_b0)
print(f"log p(x) = {log_p0:.4f}   L_b = {L_b0:.4f}")
for k, L, se in zip(curve.ks, curve.L_k, curve.standard_error):
    print(f"k = {k:>3}: L_k = {L:.4f} ± {se:.4f}")

# %%
chi2 = chi2_gaussian(post_mean, post_cov, q_mean, q_cov)
fig_iwae_curve(curve, chi2)

# %%
step_se = curve.step_standard_error()
print(f"χ²(p(·|x) ‖ q) / 2 = {chi2 / 2:.2f}")
claim(abs(curve.L_k[0] - L_b0) < 3 * curve.standard_error[0],
      "L_1 equals the closed-form L_b within 3 standard errors")
claim(np.all(np.diff(curve.L_k) > 3 * step_se),
      "L_k grows at every doubling of k, each step by more than 3 of its standard errors")
claim(np.all(curve.L_k + 3 * curve.standard_error < log_p0),
      "every L_k lies below log p(x), by more than 3 standard errors")
claim(curve.gap[-1] < 0.05, "at k = 128, L_k is within 0.05 nats of log p(x)")
large = curve.ks >= 8
halving = curve.gap[large][1:] / curve.gap[large][:-1]
claim(np.all((halving > 0.4) & (halving < 0.6)),
      "from k = 8 on, every doubling of k shrinks the gap log p − L_k by a factor 0.4 to 0.6")
claim(np.all((curve.ks[large] * curve.gap[large] > chi2 / 2)
             & (curve.ks[large] * curve.gap[large] < 1.25 * chi2 / 2)),
      "for k ≥ 8 the gap lies above χ²/(2k), by less than 25 %")

# %% [markdown]
# $L_k$ starts at $L_b$ and climbs towards $\log p_\theta(x)$ without passing it; from $k = 8$ on,
# doubling $k$ about halves the gap. That is the Jensen bias of $\log\hat p$, which the delta
# method ($\log(1+\varepsilon) \approx \varepsilon - \varepsilon^2/2$) puts at
# $\log p - L_k \approx \mathrm{Var}_q(w)/(2k\,p_\theta(x)^2) = \chi^2(p_\theta(\cdot|x)\,\|\,q)/(2k)$,
# with $\chi^2(p\,\|\,q) = \int p^2/q - 1$ (closed form for two Gaussians; the dashed line on the
# right). It is the limit for large $k$: at the $k$ measured here the gap is still somewhat above
# it, and at $k = 1$ the gap is the KL of section 2, not $\chi^2/2$ — the $1/k$ law holds only
# once the average of $k$ weights is close to its mean. A VAE trained on $L_k$ instead of $L_b$ (an
# IWAE) gets a tighter bound for $k$ times the decoder evaluations.

# %% [markdown]
# ### 4.3 Exercise 2 — read the figure
# How many importance samples does this encoder need before $L_k$ is within 0.1 nats of
# $\log p_\theta(x)$? Read the smallest such $k$ off the figure (one of the $k$ plotted).

# %% tags=["solution"]
def my_k():
    """The smallest k of the figure with log p − L_k ≤ 0.1 nats."""
    ### BEGIN SOLUTION
    return 64
    ### END SOLUTION


# %%
check_k_within(my_k, curve, tol=0.1);

# %% [markdown]
# ### 4.4 Exercise 3 — predict, then run
# Now let $q$ be the exact posterior $p_\theta(z|x)$. How does $L_k$ depend on $k$ then:
# `"rises towards log p"`, `"constant, equal to log p"` or `"constant, below log p"`? Record
# your prediction before you run the cell after it.

# %% tags=["solution"]
def my_posterior_prediction():
    """One of "rises towards log p", "constant, equal to log p", "constant, below log p"."""
    ### BEGIN SOLUTION
    return "constant, equal to log p"
    ### END SOLUTION


# %%
exact_q = iwae_curve(model, x0, post_mean, post_cov, ks, n_repeats=200, rng=5)
w_post = importance_log_weights(model, x0, post_mean, post_cov, shape=(1000,), rng=6)
print(f"largest |L_k − log p| over k = 1 … 128: {np.max(np.abs(exact_q.gap)):.1e} nats")
print(f"ESS of 1000 draws from the posterior   : {effective_sample_size(w_post):.1f}")
check_posterior_L_k(my_posterior_prediction, exact_q);

# %% [markdown]
# ## Exercises
# ### Exercise 4 (warm-up) — the lower bound on a grid
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

# %% [markdown]
# ### Exercise 5 — the encoder that closes the gap
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
# * $q$ is also an importance-sampling proposal: $p_\theta(x) = \mathbb E_q[p_\theta(x,z)/q_\phi(z|x)]$.
#   The log of a $k$-sample average is biased low (Jensen); its mean is the bound $L_k$, with
#   $L_1 = L_b \le L_k \le \log p_\theta(x)$ and a gap that shrinks like $\chi^2/(2k)$ — measured
#   exactly on pPCA. With $q$ equal to the posterior every weight is $p_\theta(x)$ and $L_k = \log p$
#   for every $k$.
# * Next: notebook 05 (EM closes the gap at every E-step), notebook 06 (splitting $L_b$ over
#   independent samples and minibatches).
#
# **References.** D. P. Kingma, M. Welling, *Auto-Encoding Variational Bayes*, ICLR 2014;
# Y. Burda, R. Grosse, R. Salakhutdinov, *Importance Weighted Autoencoders*, ICLR 2016;
# C. M. Bishop, *Pattern Recognition and Machine Learning* (2006), ch. 9.4 and ch. 12.2.
# Code: `vae_teach/maths/bound.py`, `vae_teach/maths/quadrature.py`, `vae_teach/maths/importance.py`,
# `vae_teach/widgets/elbo_gap.py`.
