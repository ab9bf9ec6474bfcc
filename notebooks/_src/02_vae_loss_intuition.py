# %% [markdown]
# # 02 · What the VAE loss does (slides: VAE LOSS FUNCTION (1st); WHY VAE REGULARIZATION?)
#
# The first **VAE LOSS FUNCTION** slide writes the loss as a reconstruction term plus a
# regularisation term and asks: *what will happen if we only minimize reconstruction error?*
# The slide **WHY VAE REGULARIZATION?** answers intuitively: *we want the code to have zero mean
# and unit variance*. Here we run both experiments and measure the answers.
#
# **Learning goals.** After this notebook you can
# 1. **name** the two terms of $L_{VAE}$ and **compute** each on a VAE;
# 2. **find** the minimum of the per-dimension regulariser $\tilde\mu_j^2 + e^{\zeta_j} - (1+\zeta_j)$
#    by calculus and check it numerically;
# 3. **predict** and **observe** what happens to $\tilde\sigma$ when only the reconstruction
#    error is minimised;
# 4. **measure** how the regulariser pulls the codes towards zero mean and unit variance, and why
#    that makes samples from $\mathcal N(0, I)$ decode to digits.
#
# *Time: about 30 minutes. Trains three small VAEs on real 28×28 digits, a few seconds each.*

# %%
# %matplotlib inline
import numpy as np
import torch
from IPython.display import display

from vae_teach.claims import claim
from vae_teach.data.mnist import load_mnist_split
from vae_teach.exercises import (check_aggregate_moments, check_regulariser,
                                 check_regulariser_gradient, check_sigma_prediction)
from vae_teach.maths.regulariser import minimise_regulariser
from vae_teach.measure import codes, experiments, quality
from vae_teach.nets import objectives
from vae_teach.nets.model import VAE
from vae_teach.nets.train import evaluate_loss
from vae_teach.viz.latent import fig_code_traces, fig_sample_grids
from vae_teach.viz.lecture import fig_only_reconstruction
from vae_teach.viz.vae_loss import fig_regulariser

SEED = 0
rng = np.random.default_rng(SEED)
X, y = load_mnist_split("train", scale="binary")    # 8000 real digits, pixels in {0, 1}
X_test, y_test = load_mnist_split("test", scale="binary")
X_raw = 255 * load_mnist_split("train", scale="unit")[0]   # the same digits, grey levels 0..255
N, M = X.shape                                       # M = 784 pixels
m = 2                                                # a 2-D code, so that we can look at it

# %% [markdown]
# The data are 8000 real handwritten digits (the MNIST split shipped with the package). The
# slide's loss is written for a Gaussian decoder $p_\theta(x|z) = \mathcal N(x;\mu_\theta(z), I)$,
# whose reconstruction term is $\|x - \hat x\|^2$; section 1 evaluates it on the raw grey levels
# 0..255. For the experiments of sections 3–5 the pixels are binarised and the decoder is
# Bernoulli, the likelihood that fits pixels in $\{0, 1\}$: its reconstruction term is the binary
# cross-entropy, the regulariser is the same. Section 6 shows why the slide's $\Sigma_\theta = I$ on
# raw pixels would have hidden the effect we want to see.
#
# ## 1. The loss on the slide: reconstruction + regularisation
# $$L_{VAE} = \sum_{i=1}^N \Big( \underbrace{\|x_i - \hat{x}_i\|^2}_{\text{Reconstruction loss}}
#   + \underbrace{\sum_{j=1}^m \big( \|\tilde{\mu}_j(x_i)\|^2 + \exp(\tilde{\zeta}_j(x_i))
#   - (1 + \tilde{\zeta}_j(x_i)) \big)}_{\text{Regularization loss}} \Big)$$
#
# with $\tilde\zeta_j = \log\tilde\sigma_j^2$ (the last slide drops the tilde: same quantity) and
# $\hat x_i = \mu_\theta(z_i)$ for one draw $z_i \sim q_\phi(\cdot|x_i)$. We evaluate both terms for
# an untrained VAE and check that `objectives.L_VAE` is exactly their sum.

# %%
# NBVAL_CHECK_OUTPUT
vae0 = VAE(M, m, hidden=(200,), seed=SEED, x_scale=255.0).double()   # float64: 6.3 M terms
x = torch.from_numpy(X_raw).double()
with torch.no_grad():
    x_hat, mu_tilde, zeta, z = vae0(x, generator=torch.Generator().manual_seed(SEED))
    reconstruction = ((x - x_hat) ** 2).sum()
    regularisation = objectives.regulariser(mu_tilde, zeta).sum()
    total = objectives.L_VAE(x, x_hat, mu_tilde, zeta)
print(f"reconstruction loss  {reconstruction.item():10.4g}")
print(f"regularisation loss  {regularisation.item():10.4g}")
print(f"L_VAE                {total.item():10.4g}   (sum matches: "
      f"{torch.isclose(total, reconstruction + regularisation).item()})")

# %% [markdown]
# What is the regulariser? For one latent dimension it is **twice the KL divergence** from the
# encoder's $q_\phi(z_j|x_i) = \mathcal N(\tilde\mu_j, e^{\tilde\zeta_j})$ to the prior $\mathcal N(0,1)$:
# $\tilde\mu_j^2 + e^{\tilde\zeta_j} - (1 + \tilde\zeta_j) = 2\,\mathrm{KL}\big(q_\phi(z_j|x_i)\,\|\,\mathcal N(0,1)\big)$.
# We check it against `torch.distributions` (an independent implementation):

# %%
# NBVAL_CHECK_OUTPUT
q = torch.distributions.Normal(mu_tilde, torch.exp(0.5 * zeta))
kl_torch = torch.distributions.kl_divergence(q, torch.distributions.Normal(0.0, 1.0))
gap = (objectives.regulariser(mu_tilde, zeta) - 2 * kl_torch).abs().max().item()
print(f"max |regulariser − 2·KL| over all {N}×{m} entries < 1e-12 (float64 rounding): {gap < 1e-12}")

# %% [markdown]
# ## 2. WHY VAE REGULARIZATION? The regulariser and its minimum
# Per dimension (slide):
# $$r(\tilde\mu_j, \tilde\zeta_j) = \|\tilde{\mu}_j(x_i)\|^2 + \exp(\tilde{\zeta}_j(x_i)) - (1 + \tilde{\zeta}_j(x_i)).$$
# Its gradient is $\big(\partial r/\partial\tilde\mu_j,\ \partial r/\partial\tilde\zeta_j\big) = \big(2\tilde\mu_j,\ e^{\tilde\zeta_j} - 1\big)$,
# zero only at $\tilde\mu_j = 0,\ \tilde\zeta_j = 0$, and its Hessian $\mathrm{diag}(2, e^{\tilde\zeta_j})$ is
# positive definite: one global minimum, $r = 0$, at **mean 0 and variance $\tilde\sigma_j^2 = e^0 = 1$**
# — the slide's "zero mean and unit variance". A numerical minimiser agrees:

# %%
# NBVAL_CHECK_OUTPUT
mu_star, zeta_star, r_star = minimise_regulariser(start=(2.0, -3.0))
print(f"argmin: mu_tilde = {round(mu_star, 6) + 0:.6f}, zeta = {round(zeta_star, 6) + 0:.6f}"
      f"  (sigma_tilde = {np.exp(zeta_star / 2):.6f}),  minimum r = {round(r_star, 9) + 0:.9f}")

# %%
display(fig_regulariser())

# %% [markdown]
# The picture is lopsided in $\zeta$: making $\tilde\sigma$ tiny ($\zeta \to -\infty$) costs only
# $-\zeta$ (linear), making it large costs $e^{\zeta}$ (exponential). Both sides are finite,
# though — without this term nothing at all stops $\tilde\sigma \to 0$, as we see next.
#
# ## 3. What will happen if we only minimize reconstruction error?
# We train two VAEs with the **same** architecture (784 → 200 → 2 → 200 → 784, Bernoulli
# decoder), initial weights and minibatches for 6 epochs: one on the reconstruction error only
# ($\beta = 0$), one on reconstruction + regularisation ($\beta = 1$, i.e. $-L_b$; $\beta$ multiplies
# the regulariser). After every epoch we record the median $\tilde\sigma_j(x)$ over the training
# digits and the mean and standard deviation of the codes (see Exercise 4 for the formula).
#
# ### Exercise 1 — predict: what does $\tilde\sigma$ do without the KL?
# Before you run the training cell, predict what the median $\tilde\sigma$ does in the $\beta = 0$
# run (reconstruction error only): `"falls towards 0"`, `"stays about where it started"` or
# `"grows"`. Think about what noise in $z = \tilde\mu + \tilde\sigma\varepsilon$ does to the
# reconstruction.

# %% tags=["solution"]
def my_sigma_prediction():
    """One of "falls towards 0", "stays about where it started", "grows"."""
    ### BEGIN SOLUTION
    return "falls towards 0"
    ### END SOLUTION


# %%
# NBVAL_IGNORE_OUTPUT
runs = experiments.train_with_and_without_kl(X, m=m, epochs=6, lr=3e-3, seed=SEED,
                                             decoder="bernoulli", hidden=(200,))
vae_rec, tracker_rec = runs[0.0]     # only reconstruction
vae, tracker = runs[1.0]             # reconstruction + regularisation

# %%
untrained = VAE(M, m, hidden=(200,), decoder="bernoulli", seed=SEED)   # the runs' starting point
check_sigma_prediction(my_sigma_prediction,
                       sigma_start=codes.code_stats(untrained, X).sigma_tilde_median,
                       sigma_end=tracker_rec.series("sigma_tilde_median")[-1]);

# %%
display(fig_code_traces(runs))

# %%
sigma_rec, sigma_kl = tracker_rec.series("sigma_tilde_median"), tracker.series("sigma_tilde_median")
for name, s in [("only reconstruction (β = 0)", sigma_rec), ("L_VAE (β = 1)", sigma_kl)]:
    print(f"{name:28s} median σ̃ epoch 1: {s[0].round(3)},  epoch 6: {s[-1].round(4)}")

# %%
# NBVAL_CHECK_OUTPUT
claim(np.all(sigma_rec[-1] < 0.01), "without the KL term, σ̃ falls below 0.01 in both dimensions")
claim(np.all(sigma_rec[-1] < sigma_rec[0]), "… and is still falling after the first epoch")
claim(np.all(sigma_kl[-1] > 10 * sigma_rec[-1]),
      "with it, σ̃ stays more than 10 times larger in both dimensions")

# %% [markdown]
# **Only reconstruction: $\tilde\sigma$ collapses.** The decoder sees $z = \tilde\mu + \tilde\sigma\,\varepsilon$; any
# noise in $z$ can only blur the reconstruction, so gradient descent shrinks $\tilde\sigma$ — below
# 0.01 within 6 epochs, and still falling (the checks above). With $\tilde\sigma \approx 0$ the
# encoder is deterministic: **the VAE has become an auto-encoder**. The regulariser, which this
# run does not pay, keeps $\tilde\sigma$ more than ten times larger in the $\beta = 1$ run.
#
# ## 4. With the regulariser, the codes are pulled to zero mean and unit variance
# Each ellipse below is one digit's $q_\phi(z|x_i)$ (2 standard deviations); grey dots are all
# $\tilde\mu(x_i)$; dashed circles are 1σ and 2σ of the prior $\mathcal N(0, I)$.

# %%
display(fig_only_reconstruction(codes.encoder_codes(vae_rec, X),
                                codes.encoder_codes(vae, X), y))

# %%
stats = {name: codes.code_stats(model, X)
         for name, model in [("only reconstruction (β = 0)", vae_rec), ("L_VAE (β = 1)", vae)]}
for name, st in stats.items():
    print(f"{name:28s} {st}")
st_rec, st_kl = stats.values()

# %%
# NBVAL_CHECK_OUTPUT
claim(np.linalg.norm(st_rec.code_mean) > 3 * np.linalg.norm(st_kl.code_mean),
      "the regulariser brings the codes' mean more than 3 times closer to 0")
claim(np.all(np.abs(st_kl.code_std - 1) < np.abs(st_rec.code_std - 1)),
      "… and their standard deviations closer to 1, in both dimensions")
claim(st_rec.regulariser > 3 * st_kl.regulariser,
      "without it, the regulariser it ignores is more than 3 times larger")

# %% [markdown]
# Without the regulariser the codes sit wherever training left them (the numbers above) — the
# decoder does not care, it can undo any shift or scale — and the regulariser it ignores, twice
# the KL to the prior, is large. With it, the codes move towards mean 0 and spread 1.
# *Pulled towards*, not *equal to*: the reconstruction term pulls the other way, because codes
# that all looked like $\mathcal N(0, I)$ would carry no information about $x$.
#
# ## 5. Why we want that: decode samples from the prior
# A VAE generates by drawing $z \sim p(z) = \mathcal N(0, I)$ and decoding $\mu_\theta(z)$. We decode 500
# prior draws through both models and **measure** how digit-like they are (`vae_teach.measure.quality`):
# the mean confidence $\max_k p(k|x)$ of a 10-nearest-neighbour digit classifier (the share of
# the 10 closest training digits that vote for the majority label; a logistic regression would
# be fooled — it is *more* confident on uniform noise than on real digits), and the RMS pixel
# distance to the nearest training digit. Real test digits give the reference values.

# %%
clf = quality.fit_digit_classifier(X, y)
samples = {"test digits (reference)": X_test,
           "β = 0, decoded z ~ N(0, I)": quality.decode_prior_samples(vae_rec, 500, SEED),
           "β = 1, decoded z ~ N(0, I)": quality.decode_prior_samples(vae, 500, SEED)}
scores = {name: quality.quality(S, clf, X) for name, S in samples.items()}
for name, qual in scores.items():
    print(f"{name:28s} {qual}")

# %%
# NBVAL_CHECK_OUTPUT
q_ref, q_rec, q_kl = scores.values()
claim(q_kl.distance < q_rec.distance, "β = 1 prior samples are closer to real digits than β = 0's")
claim(abs(q_kl.confidence - q_rec.confidence) < 0.1,
      "… while the classifier's confidence hardly tells the two apart")

# %%
display(fig_sample_grids({f"{name}\nconfidence {qual.confidence:.2f}, distance "
                          f"{qual.distance:.2f}": S[:40] for (name, S), qual
                          in zip(samples.items(), scores.values())}, side=28))

# %% [markdown]
# With only the reconstruction loss, prior samples land in a corner of code space the decoder
# never saw during training (far from where the codes live): by distance, its images are farther
# from every real digit than the $\beta = 1$ model's. The classifier's confidence hardly tells the
# two apart (the checks above): the decoder turns that corner into a few thick, very common shapes
# (look at the left panel), which the neighbours vote on easily.
# One score never tells the whole story; notebook 01 adds failure rates and label diversity.
#
# ## 6. The slide's $\Sigma_\theta = I$ on raw pixels is a low-$\beta$ model
# Now train the slide's own loss, $\|x - \hat x\|^2$ + regulariser, on the same digits in grey
# levels 0..255. **Predict:** does $\tilde\sigma$ behave like the $\beta = 1$ run or like $\beta = 0$?

# %%
# NBVAL_IGNORE_OUTPUT
slide_run = experiments.train_with_and_without_kl(X_raw, m=m, epochs=6, lr=3e-3, seed=SEED,
                                                  betas=(1.0,), decoder="gaussian",
                                                  hidden=(200,), x_scale=255.0)
vae_slide, tracker_slide = slide_run[1.0]
st_slide = codes.code_stats(vae_slide, X_raw)
terms = {"Bernoulli, binary pixels": evaluate_loss(vae, X),
         "slide's Σ_θ = I, pixels 0..255": evaluate_loss(vae_slide, X_raw)}
for name, t in terms.items():
    print(f"{name:32s} reconstruction {t['rec']:10.1f}  KL {t['kl']:6.2f}  nats per image")
print(f"slide's model: {st_slide}")

# %%
# NBVAL_CHECK_OUTPUT
ratio = {name: t["rec"] / t["kl"] for name, t in terms.items()}
claim(ratio["slide's Σ_θ = I, pixels 0..255"] > 100 * ratio["Bernoulli, binary pixels"],
      "on raw pixels the reconstruction term outweighs the KL over 100 times more than with the "
      "Bernoulli decoder")
claim(np.all(st_slide.sigma_tilde_median < 0.01), "… and σ̃ collapses below 0.01, as with β = 0")
claim(np.linalg.norm(st_slide.code_mean) < 0.5 and np.all(np.abs(st_slide.code_std - 1) < 0.35),
      "… while the codes' mean and spread stay near N(0, I)'s (0 and 1)")

# %% [markdown]
# With $\Sigma_\theta = I$ on grey levels 0..255 one unit of decoder noise is one grey level, so the
# reconstruction term $\tfrac12\|x - \hat x\|^2$ is enormous next to the KL: the loss behaves like a
# tiny $\beta$, and $\tilde\sigma$ collapses just as without the regulariser. The codes' *moments*
# stay near the prior's — moving and rescaling codes costs the decoder nothing, so the cheap part of
# the regulariser ($\tilde\mu^2$) is paid in full — but each $q_\phi(z|x)$ is a near-point: the
# slide's "zero mean and unit variance" holds for the codes as a whole, not for each encoder.
# The balance between the terms depends on the likelihood's scale; notebook 09 makes that
# precise with $\beta$ and a learned $\sigma_x^2$.
#
# ## Exercises
# ### Exercise 2 — find the slip in a regulariser
# A colleague coded the slide's per-dimension regulariser
# $\tilde\mu^2 + \tilde\sigma^2 - (1 + \log\tilde\sigma^2)$ from the encoder's outputs as below. At
# $\tilde\mu = 0, \zeta = 0$ it gives the right value, 0; elsewhere it disagrees with twice the KL
# from `torch.distributions` (next cell). Find the slip, and write a corrected `my_regulariser`
# (elementwise: inputs of any shape, output of the same shape). Which way does the slip bias
# $\tilde\sigma$ during training?

# %%
def colleagues_regulariser(mu_tilde, zeta):
    """μ̃² + σ̃² − (1 + log σ̃²), elementwise — with a slip."""
    sigma_tilde = np.exp(zeta)
    return mu_tilde ** 2 + sigma_tilde ** 2 - (1 + np.log(sigma_tilde ** 2))


for mu_j, zeta_j in [(0.0, 0.0), (0.0, 1.0), (0.5, -2.0)]:
    q_j = torch.distributions.Normal(torch.tensor(mu_j), torch.exp(torch.tensor(zeta_j / 2)))
    two_kl = 2 * torch.distributions.kl_divergence(q_j, torch.distributions.Normal(0.0, 1.0))
    print(f"mu_tilde = {mu_j:4.1f}, zeta = {zeta_j:4.1f}:  colleague "
          f"{colleagues_regulariser(mu_j, zeta_j):7.4f},  2·KL {two_kl.item():7.4f}")

# %% tags=["solution"]
def my_regulariser(mu_tilde, zeta):
    ### BEGIN SOLUTION
    return mu_tilde ** 2 + np.exp(zeta) - (1 + zeta)
    ### END SOLUTION


# %%
check_regulariser(my_regulariser);

# %% [markdown]
# ### Exercise 3 — where is the minimum? (derive)
# Return the gradient $(\partial r/\partial\tilde\mu,\ \partial r/\partial\zeta)$ as a pair of arrays
# (the checker compares with PyTorch's autograd). Where do both vanish?

# %% tags=["solution"]
def my_regulariser_gradient(mu_tilde, zeta):
    ### BEGIN SOLUTION
    return 2 * mu_tilde, np.exp(zeta) - 1
    ### END SOLUTION


# %%
check_regulariser_gradient(my_regulariser_gradient);

# %% [markdown]
# ### Exercise 4 — mean and variance of the codes (derive)
# "The code" of a data set is $z$ drawn by picking a digit $i$ at random and then
# $z \sim \mathcal N(\tilde\mu_i, \mathrm{diag}\,e^{\zeta_i})$. Return its mean and variance per
# dimension from `mu_tilde`, `zeta` of shape (N, m). (Hint: the law of total variance.) These are
# the numbers printed in section 4.

# %% tags=["solution"]
def my_aggregate_moments(mu_tilde, zeta):
    ### BEGIN SOLUTION
    mean = mu_tilde.mean(axis=0)
    var = mu_tilde.var(axis=0) + np.exp(zeta).mean(axis=0)
    return mean, var
    ### END SOLUTION


# %%
check_aggregate_moments(my_aggregate_moments);

# %% [markdown]
# ## Summary
# * $L_{VAE}$ = reconstruction error + $\sum_j \tilde\mu_j^2 + e^{\zeta_j} - (1+\zeta_j)$; the second term is
#   $2\,\mathrm{KL}(q_\phi(z|x)\,\|\,\mathcal N(0, I))$, minimal (zero) exactly at $\tilde\mu = 0$, $\tilde\sigma = 1$.
# * **Only reconstruction:** $\tilde\sigma$ collapses towards 0 and the codes drift anywhere — the VAE
#   turns into an auto-encoder, and decoded prior samples land farther from real digits.
# * **With the regulariser** (Bernoulli decoder on binary pixels): each $q_\phi(z|x)$ keeps a real
#   spread, the codes as a whole move towards zero mean and unit variance (section 4), and decoded
#   prior samples come closer to real digits (section 5).
# * **The likelihood's scale sets the balance:** the slide's $\Sigma_\theta = I$ on raw grey levels makes
#   the KL negligible — a low-$\beta$ model whose $\tilde\sigma$ collapses although its codes' moments
#   look like the prior's (section 6).
#
# Next: [01](01_autoencoder_vs_vae.ipynb) compares with a plain auto-encoder;
# [09](09_vae_loss_and_training.ipynb) derives $L_{VAE}$ from the lower bound $L_b$ and varies $\beta$.
#
# *References:* Kingma & Welling, *Auto-Encoding Variational Bayes* (2014), appendix B (the
# KL term in closed form); Higgins et al., *β-VAE* (2017).
