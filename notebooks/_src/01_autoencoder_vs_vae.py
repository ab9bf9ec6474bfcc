# %% [markdown]
# # 01 · Auto-encoder vs VAE (slides: AUTO ENCODER V.S. VAE; WHY VAE?)
#
# The slide **AUTO ENCODER V.S. VAE** draws two networks that look almost the same: an
# auto-encoder maps $x$ to a code $z$ and back to $\hat x$; a VAE's encoder outputs a mean
# $\tilde\mu$ and a spread $\tilde\sigma$, and the decoder reads a code *sampled* around $\tilde\mu$.
# **WHY VAE?** gives the reason intuitively: a VAE's codes fill the latent space, so *new* codes
# decode to sensible images, while an AE's latent space has holes. Here we take AEs and VAEs with
# the same layers, trained on the same real 28 × 28 digits, with a 2-D code (where we can look)
# and a 16-D code (where generative models usually live), and **measure** that claim.
#
# **Learning goals.** After this notebook you can
# 1. **describe** the one architectural difference between an AE and a VAE, and **draw** a code
#    from a VAE encoder (reparameterisation);
# 2. **compare** the latent spaces of a trained AE and VAE with the prior $\mathcal N(0, I)$;
# 3. **measure** the quality and diversity of images decoded from new codes with two yardsticks
#    (a neighbour classifier, the distance to the nearest training digit);
# 4. **explain** when the AE's "holes" matter — and why they matter more as the code grows.
#
# *Time: about 30 minutes. Uses four small pretrained models (no training).*

# %%
# %matplotlib inline
import numpy as np
import torch
from IPython.display import display

from vae_teach.claims import claim
from vae_teach.exercises import (check_generation_prediction, check_nearest_distance,
                                 check_spread_prediction)
from vae_teach.maths.prior import prior_samples
from vae_teach.measure import quality
from vae_teach.measure.codes import latent_codes
from vae_teach.measure.holes import failures_by_gap, why_vae_pair
from vae_teach.nets import pretrained
from vae_teach.viz.latent import fig_codes_and_prior, fig_sample_grids
from vae_teach.viz.lecture import fig_ae_vs_vae, fig_why_vae

SEED = 0
rng = np.random.default_rng(SEED)
# run in float64, so that the checked numbers below round the same way on every CPU
models = {(kind, m): pretrained.load(f"{kind}_mnist{m}", train_if_missing=False).double()
          for kind in ("ae", "vae") for m in (2, 16)}
ae, vae = models["ae", 2], models["vae", 2]
X, y = pretrained.load_data("vae_mnist2", "train")             # 8000 binarised 28×28 digits
X_test, y_test = pretrained.load_data("vae_mnist2", "test")    # 1000 more, never trained on

# %% [markdown]
# The data are real handwritten digits: MNIST's official test split, shipped with the package
# (CC BY-SA 3.0, Y. LeCun and C. Cortes) and split by index into 8000 training, 1000 validation
# and 1000 test images, binarised ($M = 784$ pixels in $\{0, 1\}$). The four models were trained
# by `make weights` (`vae_teach.nets.pretrained`) on the same 8000 images with the same layers
# ($784 \to 200 \to m \to 200 \to 784$) and a Bernoulli decoder: the AE minimises the binary
# cross-entropy $-\log p_\theta(x|z)$ at $z = f(x)$; the VAE minimises $-L_b$, the same
# reconstruction term at a *sampled* $z$ plus the KL regulariser of notebook 02.
#
# ## 1. AUTO ENCODER V.S. VAE: the architectures

# %%
display(fig_ae_vs_vae())

# %% [markdown]
# The only structural difference is the encoder's output: the AE's last layer gives $z$ ($m$
# numbers), the VAE's gives $\tilde\mu$ and $\zeta = \log\tilde\sigma^2$ ($2m$ numbers). Counting
# parameters shows exactly that extra head:

# %%
# NBVAL_CHECK_OUTPUT
n_params = {name: sum(p.numel() for p in model.parameters()) for name, model
            in [("AE", ae), ("VAE", vae)]}
print(f"m = 2: parameters AE {n_params['AE']}, VAE {n_params['VAE']}, "
      f"difference {n_params['VAE'] - n_params['AE']} = one 200 → 2 layer (200·2 + 2)")

# %% [markdown]
# ## 2. Encoding one digit
# The AE's code is a function of $x$: encode twice, get the same $z$. The VAE's encoder gives a
# distribution $q_\phi(z|x) = \mathcal N(\tilde\mu, \mathrm{diag}\,\tilde\sigma^2)$ and the decoder reads a
# sample from it, drawn by **reparameterisation**
# $$z = \tilde\mu + \tilde\sigma \odot \varepsilon,\qquad \tilde\sigma = e^{\zeta/2},\qquad
#   \varepsilon\sim\mathcal N(0, I).$$

# %%
# NBVAL_CHECK_OUTPUT
x0 = torch.from_numpy(X_test[:1]).double()
with torch.no_grad():
    z_ae = [ae.encode(x0)[0].numpy().round(3) for _ in range(2)]
    mu_tilde, zeta = (t[0].numpy() for t in vae.encode(x0))
print(f"digit {y_test[0]}: AE code, twice: {z_ae[0]}, {z_ae[1]}")
print(f"VAE: mu_tilde = {mu_tilde.round(3)}, sigma_tilde = {np.exp(zeta / 2).round(3)}")
eps = rng.standard_normal((3, 2))
print("three VAE codes z = mu_tilde + sigma_tilde * eps:\n", (mu_tilde + np.exp(zeta / 2) * eps)
      .round(3))

# %% [markdown]
# During training each VAE code is a little cloud of width $\tilde\sigma$ rather than a point, so
# the decoder must turn every point *near* $\tilde\mu$ into this digit — it is trained on a
# neighbourhood, the AE's decoder only on a point.
#
# ## 3. The two latent spaces (m = 2)
# Codes of the 8000 training digits — $z = f(x)$ for the AE, $\tilde\mu(x)$ for the VAE —
# coloured by label, over 500 grey draws from the prior $\mathcal N(0, I)$ that a generator would
# decode.
#
# ### Exercise 1 — predict: whose codes spread wider?
# Both networks have the same layers; only their losses differ (reconstruction for the AE,
# reconstruction + KL to $\mathcal N(0, I)$ for the VAE). Before you run the plot, predict whose
# codes spread wider: `"the AE's"`, `"the VAE's"` or `"about the same"`.

# %% tags=["solution"]
def my_spread_prediction():
    """One of "the AE's", "the VAE's", "about the same"."""
    ### BEGIN SOLUTION
    return "the AE's"
    ### END SOLUTION


# %%
Z_ae, Z_vae = latent_codes(ae, X), latent_codes(vae, X)
display(fig_codes_and_prior({"auto-encoder: z = f(x)": Z_ae,
                             "VAE: z = μ̃(x)": Z_vae}, y, n_prior=500, seed=SEED))

# %%
check_spread_prediction(my_spread_prediction, Z_ae=Z_ae, Z_vae=Z_vae);

# %%
# NBVAL_CHECK_OUTPUT
for name, Z in [("AE ", Z_ae), ("VAE", Z_vae)]:
    print(f"{name} codes: mean {Z.mean(0).round(2)}, std {Z.std(0).round(2)}")
claim(np.linalg.norm(Z_ae.mean(0)) > 3 * np.linalg.norm(Z_vae.mean(0))
      and Z_ae.std(0).min() > 2 * Z_vae.std(0).max(),
      "the AE's codes sit farther from the origin and spread wider than the VAE's")

# %% [markdown]
# Nothing in the AE's loss says where its codes should be: they spread over a region several
# units wide, away from the origin, so $\mathcal N(0, I)$ covers only a corner of it. The VAE's
# KL term pulls $\tilde\mu$ towards mean 0 and std 1: the prior and the codes overlap.
#
# ## 4. WHY VAE? What the decoders make of the space between codes
# The figure (the slide's *intuitive reason*, redrawn) puts a 9 × 9 grid over each latent map
# (codes of 2000 training digits) and decodes every grid point; red frames mark **gap** points,
# at least 4 code spacings away from every code. The titles give, for gap and non-gap points, the
# confidence of a digit classifier and the distance to the nearest real digit.

# %%
ae_grid, vae_grid = why_vae_pair(ae, vae, X[:2000], X_ref=X, y_ref=y)
display(fig_why_vae(ae_grid, vae_grid, y[:2000]))

# %%
# NBVAL_CHECK_OUTPUT
for name, r in [("AE ", ae_grid), ("VAE", vae_grid)]:
    print(f"{name}: {int(r['in_gap'].sum()):2d} gap points, confidence gap {r['confidence_gap']:.2f}"
          f" vs near {r['confidence_near']:.2f}; distance gap {r['distance_gap']:.3f}"
          f" vs near {r['distance_near']:.3f}")
claim(ae_grid["confidence_gap"] < ae_grid["confidence_near"]
      and ae_grid["distance_gap"] > ae_grid["distance_near"],
      "the AE's gap points decode to less digit-like images than its points near codes")

# %% [markdown]
# With real digits the slide's hole shows: the AE's gap points decode to images that the
# classifier trusts less and that lie farther from every real digit than its near-code points.
# But in 2-D the gaps are shallow (the numbers differ by a few hundredths), because the decoder
# interpolates smoothly between nearby codes. Whether they matter for *generating* depends on
# where new codes come from — the next section measures it.
#
# ## 5. Generate: decode new codes — and measure, at m = 2 and m = 16
# A generator draws $z\sim p(z) = \mathcal N(0, I)$ and outputs $\mu_\theta(z)$. We decode 500
# prior draws through each model and score the images (`vae_teach.measure.quality`):
#
# * **confidence** — mean $\max_k p(k|x)$ of a 10-nearest-neighbour digit classifier fitted on
#   the training digits (the share of the 10 closest digits that vote for the winner);
# * **distance** — mean RMS pixel distance to the nearest training digit;
# * **failures** — fraction of images farther from every training digit than 95 % of the four
#   models' *reconstructions* of test digits are (decoder outputs are grey-level probabilities,
#   so decoder outputs are the fair reference, not binary digits);
# * **entropy** — entropy of the predicted labels, a diversity score: $\log 10 = 2.30$ if all
#   ten digits are equally frequent, 0 if every sample is the same digit.
#
# The AE has no prior of its own, so as a fair second chance we also sample it from the Gaussian
# fitted to its own codes (mean and covariance of its $Z$). The next cell decodes the draws;
# the one after it scores them.

# %%
clf = quality.fit_digit_classifier(X, y)
recon = {key: quality.reconstruct(model, X_test) for key, model in models.items()}
threshold = quality.failure_threshold(recon.values(), X, quantile=0.95)
codes = {("ae", 2): Z_ae, ("vae", 2): Z_vae,
         **{key: latent_codes(models[key], X) for key in [("ae", 16), ("vae", 16)]}}
images = {}
for m in (2, 16):
    ae_m, vae_m = models["ae", m], models["vae", m]
    images[f"m = {m}: AE reconstructions"] = recon["ae", m]
    images[f"m = {m}: VAE reconstructions"] = recon["vae", m]
    images[f"m = {m}: AE, z ~ N(0, I)"] = quality.decode_prior_samples(ae_m, 500, SEED)
    images[f"m = {m}: AE, z ~ Gaussian fit"] = quality.gaussian_fit_samples(ae_m, codes["ae", m],
                                                                           500, SEED)
    images[f"m = {m}: VAE, z ~ N(0, I)"] = quality.decode_prior_samples(vae_m, 500, SEED)

# %% [markdown]
# ### Exercise 2 — predict: AE or VAE, at m = 16?
# At m = 16, which turns a random code into a digit-like image (fewer *failures*) more often:
# `"the AE with a fitted Gaussian"`, `"the VAE with N(0, I)"`, or `"about the same"`? Record your
# prediction before the table below appears. (Then think about m = 2: would you answer the
# same?)

# %% tags=["solution"]
def my_generation_prediction():
    """One of "the AE with a fitted Gaussian", "the VAE with N(0, I)", "about the same"."""
    ### BEGIN SOLUTION
    return "the VAE with N(0, I)"
    ### END SOLUTION


# %%
# NBVAL_CHECK_OUTPUT
reports = {name: quality.report(S, clf, X, threshold) for name, S in images.items()}
lines = [f"failure threshold: RMS distance > {threshold:.3f}", "",
         f"{'images':32s} {'confidence':>10s} {'distance':>9s} {'failures':>9s} {'entropy':>8s}"]
lines += [f"{name:32s} {r.confidence:10.3f} {r.distance:9.3f} {r.failures:9.3f} {r.entropy:8.3f}"
          for name, r in reports.items()]
print("\n".join(lines))

# %%
check_generation_prediction(my_generation_prediction,
                            ae_failures=reports["m = 16: AE, z ~ Gaussian fit"].failures,
                            vae_failures=reports["m = 16: VAE, z ~ N(0, I)"].failures);

# %%
display(fig_sample_grids({f"{name}\nfailures {reports[name].failures:.2f}, entropy "
                          f"{reports[name].entropy:.2f}": images[name][:40]
                          for name in ["m = 16: AE, z ~ N(0, I)", "m = 16: AE, z ~ Gaussian fit",
                                       "m = 16: VAE, z ~ N(0, I)"]}, side=28))

# %%
claim(reports["m = 2: AE, z ~ N(0, I)"].entropy < 0.6 * reports["m = 2: VAE, z ~ N(0, I)"].entropy
      and reports["m = 16: AE, z ~ N(0, I)"].entropy < 0.1,
      "the AE's N(0, I) samples collapse onto few digits (onto one at m = 16)")
claim(reports["m = 2: AE, z ~ Gaussian fit"].failures
      <= reports["m = 2: VAE, z ~ N(0, I)"].failures,
      "at m = 2 the AE with a fitted Gaussian fails no more often than the VAE")
claim(reports["m = 16: AE, z ~ Gaussian fit"].failures
      > 1.5 * reports["m = 16: VAE, z ~ N(0, I)"].failures,
      "at m = 16 the AE with a fitted Gaussian fails far more often than the VAE")

# %% [markdown]
# **Reading the table.**
# * *The AE with $\mathcal N(0, I)$* makes few outright failures but almost no variety: the prior
#   only visits the part of its code space around the origin, so its samples collapse onto a few
#   digits at m = 2 and onto a single one at m = 16 (entropy near 0).
# * *At m = 2 a Gaussian fitted to the AE's codes is as good as the VAE*: it fails no more often
#   and covers the digits about as evenly. In two dimensions the codes fill their own Gaussian
#   densely, so its draws rarely land in a deep hole: an AE plus a density fitted afterwards
#   generates fine, and the slide's argument is not needed here.
# * *At m = 16 it is not*: the fitted Gaussian's draws fail about twice as often as the VAE's
#   prior samples. In 16 dimensions 8000 codes cannot fill a Gaussian; much of its mass lies
#   between codes, where the AE's decoder was never trained. The VAE was trained on
#   neighbourhoods of its codes (section 2), which the KL pulls onto $\mathcal N(0, I)$
#   (notebook 02), so its prior draws land where its decoder has learned to draw digits.
# * *Reconstructions* are the reference: decoder outputs are smooth grey levels, so they are
#   compared with other decoder outputs, which is why the failure threshold comes from them.
#
# The last step measures the holes directly: split the AE's fitted-Gaussian draws (and the VAE's
# prior draws) by their distance to the nearest code, in units of the codes' own spacing, and
# compare the failure rates of far and near draws.

# %%
# NBVAL_CHECK_OUTPUT
holes = {}
for m in (2, 16):
    Z = codes["ae", m]
    fit = quality.gaussian_fit_codes(Z, 500, SEED)     # the draws decoded in the table above
    holes["AE, Gaussian fit", m] = failures_by_gap(models["ae", m], Z, fit, X, threshold)
    holes["VAE, N(0, I)", m] = failures_by_gap(models["vae", m], codes["vae", m],
                                               prior_samples(m, 500, SEED), X, threshold)
print(f"{'draws':18s} {'m':>3s} {'share ≥ 2 spacings away':>24s} {'fail there':>11s} "
      f"{'fail near codes':>16s}")
for (name, m), h in holes.items():
    print(f"{name:18s} {m:3d} {h['share_far']:24.2f} {h['fail_far']:11.2f} {h['fail_near']:16.2f}")
claim(all(holes["AE, Gaussian fit", m]["fail_far"]
          > 1.5 * holes["AE, Gaussian fit", m]["fail_near"] for m in (2, 16)),
      "the AE's draws fail at least 1.5 times as often far from its codes as near them")
claim(all(holes["VAE, N(0, I)", m]["share_far"] < holes["AE, Gaussian fit", m]["share_far"]
          for m in (2, 16)),
      "the VAE's prior draws land far from its codes less often than the AE's fitted draws")

# %% [markdown]
# Far from every code, the AE's decoder fails much more often than near one — at both sizes:
# the holes are real. What changes with m is how bad "near" already is: in 16 dimensions even the
# fitted Gaussian's near draws fail often, because a point a code-spacing or two from the nearest
# code still differs from it in most directions. The VAE's prior draws land far from its codes
# less often: training put the codes where the prior samples.
#
# ## Exercises
# ### Exercise 3 — distance to the nearest training digit
# Return, for each row of `X_gen` (n, M), the RMS distance $\sqrt{\min_i\|x - x_i\|^2 / M}$ to the
# nearest row of `X_train` (N, M) — the *distance* column above.

# %% tags=["solution"]
def my_nearest_distance(X_gen, X_train):
    ### BEGIN SOLUTION
    d2 = ((X_gen[:, None, :] - X_train[None, :, :]) ** 2).sum(axis=-1)
    return np.sqrt(d2.min(axis=1) / X_train.shape[1])
    ### END SOLUTION


# %%
check_nearest_distance(my_nearest_distance);

# %% [markdown]
# ## Summary
# * An AE and a VAE can share every layer; the VAE's encoder outputs $(\tilde\mu, \zeta)$ and its
#   decoder reads $z = \tilde\mu + \tilde\sigma\odot\varepsilon$, so it is trained on
#   *neighbourhoods* of codes.
# * The AE's codes land anywhere; the VAE's are pulled towards $\mathcal N(0, I)$ (notebook 02
#   shows how). Sampling an AE from $\mathcal N(0, I)$ gives little variety (one digit at m = 16).
# * The AE's latent space has holes: draws far from its codes decode to non-digits much more
#   often than draws near them. With a 2-D code they are shallow, and a Gaussian fitted to the AE's
#   codes generates as well as the VAE; with a 16-D code the fitted Gaussian fails about twice as
#   often as the VAE's prior samples. The slide's WHY VAE? is a statement about larger codes.
#
# Next: [02](02_vae_loss_intuition.ipynb) — what the two terms of the VAE loss do.
#
# *References:* Kingma & Welling, *Auto-Encoding Variational Bayes* (2014); Doersch,
# *Tutorial on Variational Autoencoders* (2016), section 2.
