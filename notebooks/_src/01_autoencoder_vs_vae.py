# %% [markdown]
# # 01 · Auto-encoder vs VAE (slides: AUTO ENCODER V.S. VAE; WHY VAE?)
#
# The slide **AUTO ENCODER V.S. VAE** draws two networks that look almost the same: an
# auto-encoder maps $x$ to a code $z$ and back to $\hat x$; a VAE's encoder outputs a mean
# $\tilde\mu$ and a spread $\tilde\sigma$, and the decoder reads a code *sampled* around $\tilde\mu$.
# **WHY VAE?** gives the reason intuitively: a VAE's codes fill the latent space, so *new* codes
# decode to sensible images. Here we take an AE and a VAE with the same architecture, trained on
# the same digits, and **measure** that claim.
#
# **Learning goals.** After this notebook you can
# 1. **describe** the one architectural difference between an AE and a VAE, and **draw** a code
#    from a VAE encoder (reparameterisation);
# 2. **compare** the latent spaces of a trained AE and VAE with the prior $\mathcal N(0, I)$;
# 3. **measure** the quality and diversity of images decoded from $z\sim\mathcal N(0,I)$ with
#    two yardsticks (a neighbour classifier, the distance to the nearest training digit);
# 4. **explain** why sampling works for the VAE and not for the AE.
#
# *Time: about 30 minutes. Uses two small pretrained models (no training).*

# %%
# %matplotlib inline
import numpy as np
import torch
from IPython.display import display

from vae_teach.exercises import check_label_entropy, check_nearest_distance, check_reparameterise
from vae_teach.measure import quality
from vae_teach.measure.codes import latent_codes
from vae_teach.measure.holes import why_vae_pair
from vae_teach.nets import pretrained
from vae_teach.viz.latent import fig_codes_and_prior, fig_sample_grids
from vae_teach.viz.lecture import fig_ae_vs_vae, fig_why_vae

SEED = 0
rng = np.random.default_rng(SEED)
# run in float64, so that the checked numbers below round the same way on every CPU
ae = pretrained.load("ae2d", train_if_missing=False).double()    # auto-encoder, 2-D code
vae = pretrained.load("vae2d", train_if_missing=False).double()  # VAE, same layers, 2-D code
X, y = pretrained.load_data("vae2d", "train")             # 1000 binarised 8×8 digits
X_test, y_test = pretrained.load_data("vae2d", "test")    # 447 more, never trained on

# %% [markdown]
# Both models were trained by `make weights` (`vae_teach.nets.pretrained`) for 300 epochs on the same
# 1000 binarised training digits ($M = 64$ pixels in $\{0, 1\}$), with the same layers
# (64 → 128 → 128 → code → 128 → 128 → 64) and a Bernoulli decoder: the AE minimises the binary
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
print(f"parameters: AE {n_params['AE']}, VAE {n_params['VAE']}, "
      f"difference {n_params['VAE'] - n_params['AE']} = one 128 → 2 layer (128·2 + 2)")

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
# neighbourhood, the AE's decoder only on a point. (Exercise 1 asks you to write the sampling line.)
#
# ## 3. The two latent spaces
# Codes of the 1000 training digits — $z = f(x)$ for the AE, $\tilde\mu(x)$ for the VAE —
# coloured by label, over 500 grey draws from the prior $\mathcal N(0, I)$ that a generator would
# decode:

# %%
Z_ae, Z_vae = latent_codes(ae, X), latent_codes(vae, X)
display(fig_codes_and_prior({"auto-encoder: z = f(x)": Z_ae,
                             "VAE: z = μ̃(x)": Z_vae}, y, n_prior=500, seed=SEED))

# %%
# NBVAL_CHECK_OUTPUT
for name, Z in [("AE ", Z_ae), ("VAE", Z_vae)]:
    print(f"{name} codes: mean {Z.mean(0).round(2)}, std {Z.std(0).round(2)}")

# %% [markdown]
# Nothing in the AE's loss says where its codes should be: they spread over a region several
# units wide, centred away from the origin, so $\mathcal N(0, I)$ covers only a corner of it. The
# VAE's KL term pulls $\tilde\mu$ to mean ≈ 0 and std ≈ 1: the prior and the codes overlap.
#
# ## 4. WHY VAE? What the decoders make of the space between codes
# The figure (the slide's *intuitive reason*, redrawn) puts a 9 × 9 grid over each latent map
# and decodes every grid point; the titles give the mean RMS distance from those images to the
# nearest real digit.

# %%
display(fig_why_vae(*why_vae_pair(ae, vae, X, X_ref=X, y_ref=y), y))

# %% [markdown]
# Compare the titles: in this small 2-D example even the AE's gap points (red frames, far from
# every code) decode to fairly digit-like images — its decoder interpolates smoothly, so the
# "holes" of the slide's cartoon are shallow here. The bigger difference is *where the prior puts
# its mass*, which the next section measures.

# %% [markdown]
# ## 5. Decode samples from $\mathcal N(0, I)$ — and measure
# A generator draws $z\sim p(z) = \mathcal N(0, I)$ and outputs $\mu_\theta(z)$. We decode the same 500
# prior draws through both models and score the images (`vae_teach.measure.quality`):
#
# * **confidence** — mean $\max_k p(k|x)$ of a 10-nearest-neighbour digit classifier fitted on
#   the training digits (the share of the 10 closest digits that vote for the winner);
# * **distance** — mean RMS pixel distance to the nearest training digit;
# * **failures** — fraction of images farther from every training digit than 95 % of the two
#   models' *reconstructions* of test digits are (decoder outputs are grey-level probabilities,
#   so decoder outputs are the fair reference, not binary digits);
# * **entropy** — entropy of the predicted labels, a diversity score: $\log 10 = 2.30$ if all
#   ten digits are equally frequent, 0 if every sample is the same digit.
#
# As a fair second chance for the AE we also sample from the Gaussian fitted to its own codes
# (mean and covariance of $Z_{AE}$), which the AE does not provide by itself.

# %%
clf = quality.fit_digit_classifier(X, y)
recon = {"AE": quality.reconstruct(ae, X_test), "VAE": quality.reconstruct(vae, X_test)}
threshold = np.quantile(quality.nearest_train_distance(np.vstack(list(recon.values())), X),
                        0.95)
images = {"test digits": X_test,
          "AE reconstructions": recon["AE"], "VAE reconstructions": recon["VAE"],
          "AE, z ~ N(0, I)": quality.decode_prior_samples(ae, 500, SEED),
          "VAE, z ~ N(0, I)": quality.decode_prior_samples(vae, 500, SEED),
          "AE, z ~ Gaussian fit to its codes": quality.gaussian_fit_samples(ae, Z_ae, 500,
                                                                                    SEED)}

# %%
# NBVAL_CHECK_OUTPUT
reports = {name: quality.report(S, clf, X, threshold) for name, S in images.items()}
lines = [f"failure threshold: RMS distance > {threshold:.3f}", "",
         f"{'images':36s} {'confidence':>10s} {'distance':>9s} {'failures':>9s} {'entropy':>8s}"]
lines += [f"{name:36s} {r.confidence:10.3f} {r.distance:9.3f} {r.failures:9.3f} {r.entropy:8.3f}"
          for name, r in reports.items()]
lines += ["", "predicted digit counts (0..9):"]
lines += [f"  {name:36s} {np.bincount(clf.predict(images[name]), minlength=10)}"
          for name in ["VAE reconstructions", "AE, z ~ N(0, I)", "VAE, z ~ N(0, I)"]]
print("\n".join(lines))

# %%
display(fig_sample_grids({f"{name}\nfailures {reports[name].failures:.2f}, entropy "
                          f"{reports[name].entropy:.2f}": images[name][:40]
                          for name in ["AE, z ~ N(0, I)", "VAE, z ~ N(0, I)",
                                       "AE, z ~ Gaussian fit to its codes"]}))

# %% [markdown]
# **Reading the table.**
# * *Prior samples:* 5 % of the VAE's samples are failures (its reconstructions of real digits:
#   3 %), and they cover the digits almost as evenly as real data (entropy 2.12 vs 2.29). The AE's
#   prior samples fail five times as often (25 %) and their labels collapse onto a few digits
#   (entropy 1.25; more than half are 7s, and there is no 0, 2 or 3 at all): $\mathcal N(0, I)$ only
#   visits the part of the AE's code space around the origin. (Neither model makes 8s — not even
#   when reconstructing real 8s: a 2-D code has no room left for them.)
# * *The fitted Gaussian* repairs most of this (9 % failures, entropy 2.16) — close to the AE's
#   own reconstructions (7 %). So, measured here, the AE's failure is mainly that it has **no
#   prior of its own**: to generate, it needs a density of its codes fitted afterwards. The VAE
#   learns codes and prior together, by training.
# * *The test-digit row* is the reference for confidence and entropy; its distances are larger
#   because real digits are binary while decoder outputs are smooth grey levels (which is why the
#   failure threshold comes from reconstructions).
# * *Confidence* moves least: a neighbour vote is fairly generous to blurry images. This is why
#   we look at several numbers, never at one.
#
# ## Exercises
# ### Exercise 1 — sample a VAE code
# Given the encoder's `mu_tilde`, `zeta` $= \log\tilde\sigma^2$ and standard normal noise `eps` (all
# of shape (N, m)), return the code $z$ the decoder reads.

# %% tags=["solution"]
def my_reparameterise(mu_tilde, zeta, eps):
    # BEGIN SOLUTION
    return mu_tilde + np.exp(zeta / 2) * eps
    # END SOLUTION


# %%
check_reparameterise(my_reparameterise);

# %% [markdown]
# ### Exercise 2 — distance to the nearest training digit
# Return, for each row of `X_gen` (n, M), the RMS distance $\sqrt{\min_i\|x - x_i\|^2 / M}$ to the
# nearest row of `X_train` (N, M) — the *distance* column above.

# %% tags=["solution"]
def my_nearest_distance(X_gen, X_train):
    # BEGIN SOLUTION
    d2 = ((X_gen[:, None, :] - X_train[None, :, :]) ** 2).sum(axis=-1)
    return np.sqrt(d2.min(axis=1) / X_train.shape[1])
    # END SOLUTION


# %%
check_nearest_distance(my_nearest_distance);

# %% [markdown]
# ### Exercise 3 — how diverse are the samples?
# Return the entropy (natural log) of the histogram of integer labels 0..9 — the *entropy*
# column. Then compute it yourself for the AE's prior samples: `clf.predict(images["AE, z ~ N(0, I)"])`.

# %% tags=["solution"]
def my_label_entropy(labels):
    # BEGIN SOLUTION
    p = np.bincount(labels, minlength=10) / len(labels)
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())
    # END SOLUTION


# %%
check_label_entropy(my_label_entropy);

# %% [markdown]
# ## Summary
# * An AE and a VAE can share every layer; the VAE's encoder outputs $(\tilde\mu, \zeta)$ and its
#   decoder reads $z = \tilde\mu + \tilde\sigma\odot\varepsilon$, so it is trained on
#   *neighbourhoods* of codes.
# * The AE's codes land anywhere; the VAE's are pulled to $\mathcal N(0, I)$ (notebook 02 shows how).
# * Measured on 500 draws from $\mathcal N(0, I)$: the VAE's samples fail almost as rarely as its
#   reconstructions and cover all digits; the AE's fail five times as often and collapse onto a
#   few digits. A Gaussian fitted afterwards to the AE's codes repairs most of that: the AE's
#   problem is that it has no prior; the VAE trains one in.
#
# Next: [02](02_vae_loss_intuition.ipynb) — what the two terms of the VAE loss do.
#
# *References:* Kingma & Welling, *Auto-Encoding Variational Bayes* (2014); Doersch,
# *Tutorial on Variational Autoencoders* (2016), section 2.
