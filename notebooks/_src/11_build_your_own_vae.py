# %% [markdown]
# # 11 · Build your own VAE (applies the slide VAE LOSS FUNCTION)
#
# The last slide says: take $\zeta_j(x_i) = \log\tilde\sigma_j^2(x_i)$ and minimise
#
# $$L_{VAE} = \sum_{i=1}^N\Big(\|x_i-\hat x_i\|^2 + \sum_{j=1}^m\big(\|\tilde\mu_j(x_i)\|^2 + \exp(\zeta_j(x_i)) - (1+\zeta_j(x_i))\big)\Big),
#   \qquad \hat x_i = \mu_\theta(z_i),\ z_i \sim q_\phi(\cdot|x_i).$$
#
# Notebooks 08–10 derived this loss, related it to $L_b$ and differentiated through the sample.
# Here you write the whole model yourself — encoder, reparameterised $z$, decoder, $L_{VAE}$ and the
# training step, about thirty lines of PyTorch — train it live on real digits, and check that it is
# **the same model** as the package's `VAE`: same layers, weights that move both ways, same numbers.
#
# ## Learning goals
# After this notebook you can
# 1. **write** the encoder $x\mapsto(\tilde\mu, \zeta)$ and the decoder $z\mapsto\mu_\theta(z)$ as
#    `nn.Module`s and **move** weights between yours and the package's;
# 2. **draw** $z = \tilde\mu + \exp(\zeta/2)\odot\varepsilon$ so that gradients reach the encoder;
# 3. **write** $L_{VAE}$ in torch and the training step (`zero_grad`, `backward`, `step`), and
#    **train** on digits with a progress bar;
# 4. **predict** what summing instead of averaging (and dropping the ½) does under Adam, and
#    **choose** a setting — the pixel scale, that is β — that switches every latent dimension off.
#
# *Time: about 40 minutes. Trains three small VAEs on the shipped MNIST digits, a second or
# two each.*

# %%
# %matplotlib inline
import math
import time

import numpy as np
import torch
from IPython.display import display
from torch import nn
from tqdm.auto import tqdm

from vae_teach.claims import claim
from vae_teach.data.mnist import load_mnist_split
from vae_teach.exercises import (all_correct, check_collapse_scale, check_decoder,
                                 check_encoder, check_L_VAE_torch, check_reparameterize,
                                 check_sum_vs_mean, check_training_step)
from vae_teach.nets import objectives
from vae_teach.nets.handwritten import as_state_dict_of, output_gap
from vae_teach.nets.model import VAE, reparameterize
from vae_teach.nets.train import evaluate_loss, train
from vae_teach.viz.latent import fig_sample_grids
from vae_teach.viz.style import new_figure, style

SEED = 0
torch.manual_seed(SEED)
torch.set_num_threads(1)                    # small networks: one thread is fastest on a shared CPU
X_train, _ = load_mnist_split("train")      # 8000 real 28×28 digits, pixels / 255 in [0, 1]
X_val, _ = load_mnist_split("val")          # 1000 more, never trained on
N, M = X_train.shape
m, H = 8, 200                               # latent dimension, hidden units
EPOCHS, BATCH, LR = 3, 100, 3e-3

# %% [markdown]
# The package's model with the slide's assumptions — Gaussian decoder with $\Sigma_\theta = I$,
# Gaussian encoder with diagonal $\tilde\Sigma_\phi$ — for these digits. Untrained; its weights
# will be the common starting point:

# %%
# NBVAL_CHECK_OUTPUT
start = VAE(M, m, hidden=[H], decoder="gaussian", seed=SEED)
print(start)

# %% [markdown]
# ## 1. The encoder $q_\phi(z|x) = \mathcal N\big(\tilde\mu_\phi(x), \operatorname{diag} e^{\zeta(x)}\big)$
# One hidden layer (`Linear(784, 200)`, ReLU), then two **heads** that both read it: `mu_head`
# gives $\tilde\mu$, `zeta_head` gives $\zeta = \log\tilde\sigma^2$. No activation after the heads: a
# log-variance can be any real number (notebook 09 showed why the network outputs $\zeta$ and not
# $\tilde\sigma$). Two details of the package's `Encoder`, neither of which you need to copy:
# * it divides $x$ by a fixed `x_scale` first, which is 1 for pixels in $[0, 1]$;
# * it builds its hidden layers for any depth, as a `Sequential` inside `body`, so its first weight
#   is called `body.0.0.weight` where yours will be `body.0.weight`. `as_state_dict_of` matches
#   the names up, so weights move between the two.
#
# **Exercise 1 — the encoder.** Complete `MyEncoder(M, m, h)` with the layers `body`
# (`Linear(M, h)` then ReLU), `mu_head` and `zeta_head` (each `Linear(h, m)`), in this order;
# `forward(x)` returns `(mu_tilde, zeta)`. The checker loads the package's weights into your
# module and compares the outputs.

# %% tags=["solution"]
class MyEncoder(nn.Module):
    """x (N, M) ↦ (μ̃ (N, m), ζ = log σ̃² (N, m)); layers body, mu_head, zeta_head."""

    def __init__(self, M, m, h):
        super().__init__()
        ### BEGIN SOLUTION
        self.body = nn.Sequential(nn.Linear(M, h), nn.ReLU())
        self.mu_head = nn.Linear(h, m)
        self.zeta_head = nn.Linear(h, m)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        hidden = self.body(x)
        return self.mu_head(hidden), self.zeta_head(hidden)
        ### END SOLUTION


# %%
encoder_result = check_encoder(MyEncoder)

# %% [markdown]
# ## 2. The reparameterised $z$
# $z = \tilde\mu + \tilde\sigma\odot\varepsilon$ with $\varepsilon\sim\mathcal N(0, I)$ is a sample of
# $q_\phi(z|x)$ *and* a differentiable function of $(\tilde\mu, \zeta)$, so `backward()` reaches the
# encoder (notebook 10). The encoder gives $\zeta = \log\tilde\sigma^2$, not $\tilde\sigma$.
#
# **Exercise 2 — the sample.** Complete `my_reparameterize(mu_tilde, zeta, eps)`. The noise ε is
# an argument, so that your model and the package's can be fed the same ε.

# %% tags=["solution"]
def my_reparameterize(mu_tilde, zeta, eps):
    """z = μ̃ + σ̃ ⊙ ε with σ̃ obtained from ζ = log σ̃²; all (N, m) → z (N, m)."""
    ### BEGIN SOLUTION
    return mu_tilde + torch.exp(zeta / 2) * eps
    ### END SOLUTION


# %%
reparameterize_result = check_reparameterize(my_reparameterize)

# %% [markdown]
# ## 3. The decoder $\mu_\theta(z)$
# With the slide's $\Sigma_\theta = I$, $p_\theta(x|z) = \mathcal N(x; \mu_\theta(z), I)$ and the decoder
# outputs only the mean. The package's `GaussianDecoder` mirrors the encoder: `Linear(8, 200)`,
# ReLU, `Linear(200, 784)` and nothing after it (a Gaussian mean can be any real number). The
# shipped MNIST models of notebooks 01 and 12 use the same layers with a Bernoulli decoder on
# binarised pixels (the output read as logits); here we stay with the slide's Gaussian.
#
# **Exercise 3 — the decoder.** Complete `MyDecoder(M, m, h)` with one layer attribute `net`, an
# `nn.Sequential` of those three; its parameter names are then exactly the package's.

# %% tags=["solution"]
class MyDecoder(nn.Module):
    """z (N, m) ↦ μ_θ(z) (N, M); one attribute net = Linear(m, h), ReLU, Linear(h, M)."""

    def __init__(self, M, m, h):
        super().__init__()
        ### BEGIN SOLUTION
        self.net = nn.Sequential(nn.Linear(m, h), nn.ReLU(), nn.Linear(h, M))
        ### END SOLUTION

    def forward(self, z):
        ### BEGIN SOLUTION
        return self.net(z)
        ### END SOLUTION


# %%
decoder_result = check_decoder(MyDecoder)

# %% [markdown]
# ## 4. $L_{VAE}$ in torch
# Notebook 09 wrote the slide's loss in NumPy. Training needs it as a torch tensor, so that
# `backward()` can differentiate it with respect to $\hat x$, $\tilde\mu$ and $\zeta$ — and through them
# with respect to every weight.
#
# **Exercise 4 — the loss.** Complete `my_L_VAE(x, x_hat, mu_tilde, zeta)`, exactly the slide's
# sum (no ½, no mean). The checker compares the value *and* the gradients with autograd on the
# package's `objectives.L_VAE`.

# %% tags=["solution"]
def my_L_VAE(x, x_hat, mu_tilde, zeta):
    """Σ_i (‖x_i − x̂_i‖² + Σ_j (μ̃_ij² + exp(ζ_ij) − (1 + ζ_ij))): a 0-d tensor."""
    ### BEGIN SOLUTION
    reconstruction = ((x - x_hat) ** 2).sum()
    regularisation = (mu_tilde ** 2 + torch.exp(zeta) - (1 + zeta)).sum()
    return reconstruction + regularisation
    ### END SOLUTION


# %%
loss_result = check_L_VAE_torch(my_L_VAE)

# %% [markdown]
# ### Your model against the package's, on the same weights and the same noise
# The untrained package model's weights go into your modules; one minibatch of 100 digits, one
# draw of ε for both. The package trains on the per-image mean of $-\log p_\theta(x|z)$ plus the
# KL (`objectives.loss_terms`); with $\Sigma_\theta = I$ that is
# $\frac{1}{2B}\big(L_{VAE} + BM\log 2\pi\big)$ for a minibatch of $B$ digits:

# %%
# NBVAL_CHECK_OUTPUT
x = torch.as_tensor(X_train[:BATCH]).double()               # float64: the same digits on every CPU
reference = VAE(M, m, hidden=[H], decoder="gaussian", seed=SEED).double()     # `start`, in float64
with torch.no_grad():
    loss = objectives.loss_terms(reference, x, generator=torch.Generator().manual_seed(SEED))[0]
package_value = 2 * BATCH * loss.item() - BATCH * M * math.log(2 * math.pi)
print(f"package: 2B·loss − B·M·log 2π = {package_value:.2f}")
if all_correct([encoder_result, reparameterize_result, decoder_result, loss_result],
               "this cell shows the package's side only"):
    my_encoder, my_decoder = MyEncoder(M, m, H).double(), MyDecoder(M, m, H).double()
    my_encoder.load_state_dict(as_state_dict_of(reference.encoder, my_encoder))  # package → yours
    my_decoder.load_state_dict(reference.decoder.state_dict())                   # same names
    with torch.no_grad():
        mu_tilde, zeta = my_encoder(x)
        eps = torch.randn(mu_tilde.shape, generator=torch.Generator().manual_seed(SEED),
                          dtype=torch.float64)                   # the package's ε
        z = my_reparameterize(mu_tilde, zeta, eps)
        mine = my_L_VAE(x, my_decoder(z), mu_tilde, zeta).item()
    print(f"yours:   L_VAE                 = {mine:.2f}")
    claim(abs(mine - package_value) < 1e-9 * package_value,
          "your L_VAE is the package's training loss, rescaled and shifted")

# %% [markdown]
# ## 5. Training: the step, the loop and a progress bar
# One training step on a minibatch: encode, sample, decode, evaluate the loss; then clear the
# gradients of the previous step (`zero_grad`), backpropagate (`backward`) and move the weights
# (`step`). PyTorch *adds* every new gradient to the stored one, hence `zero_grad`.
#
# **Exercise 5 — the training step.** Complete `my_training_step(encoder, decoder, optimiser, x,
# eps)` with your `my_reparameterize` and `my_L_VAE`; it returns the minibatch's $L_{VAE}$ as a
# float. The checker runs two Adam steps on the package's modules and compares the losses and
# the weights with the reference's.

# %% tags=["solution"]
def my_training_step(encoder, decoder, optimiser, x, eps):
    """One optimiser step on L_VAE for the minibatch x (B, M) with noise eps (B, m) → float."""
    ### BEGIN SOLUTION
    mu_tilde, zeta = encoder(x)
    z = my_reparameterize(mu_tilde, zeta, eps)
    loss = my_L_VAE(x, decoder(z), mu_tilde, zeta)
    optimiser.zero_grad()
    loss.backward()
    optimiser.step()
    return loss.item()
    ### END SOLUTION


# %%
step_result = check_training_step(my_training_step)

# %% [markdown]
# The loop around the step is given: Adam, minibatches of a seeded permutation, one ε per digit
# from its own seeded generator — the same batches and the same noise as the package's
# `train(model, X, seed=SEED)` draws, so the two runs can be compared step for step.

# %%
def fit(encoder, decoder, step, X, epochs=EPOCHS, batch_size=BATCH, lr=LR, seed=SEED):
    """Minibatch Adam with `step`; returns L_VAE per digit of every minibatch."""
    optimiser = torch.optim.Adam([*encoder.parameters(), *decoder.parameters()], lr=lr)
    perm_gen = torch.Generator().manual_seed(seed)         # which digits form which minibatch
    noise_gen = torch.Generator().manual_seed(seed + 1)    # the ε of every z
    X = torch.as_tensor(X)
    losses = []
    bar = tqdm(range(epochs), desc="your VAE")
    for epoch in bar:
        order = torch.randperm(len(X), generator=perm_gen)
        for first in range(0, len(X), batch_size):
            x = X[order[first:first + batch_size]]
            eps = torch.randn((len(x), m), generator=noise_gen)
            losses.append(float(step(encoder, decoder, optimiser, x, eps)) / len(x))
        bar.set_postfix(L_VAE_per_digit=f"{np.mean(losses[-(len(X) // batch_size):]):.2f}")
    return losses


# %% [markdown]
# Both models will be scored the same way: the slide's $L_{VAE}$ per validation digit, one $z$ per
# digit from the same ε (the package's `reparameterize`), with the package's `objectives.L_VAE`.

# %%
@torch.no_grad()
def val_L_VAE(encoder, decoder, X=X_val, seed=SEED):
    """The slide's L_VAE per digit on X (N, M), one z per digit, the same ε for every model."""
    x = torch.as_tensor(X)
    mu_tilde, zeta = encoder(x)
    z = reparameterize(mu_tilde, zeta, torch.Generator().manual_seed(seed))
    return objectives.L_VAE(x, decoder(z), mu_tilde, zeta).item() / len(x)


# %% [markdown]
# **Exercise 6 — predict, then train.** The package's `train` minimises the per-image *mean* of
# $\frac12\|x-\hat x\|^2 + \mathrm{KL}$ (plus a constant); your loop minimises $L_{VAE}$ *summed* over the
# minibatch, without the ½. Same starting weights, same minibatches, same ε, Adam with the same
# learning rate, three epochs. Measured by the slide's $L_{VAE}$ per validation digit, your model
# will be — `"clearly better"`, `"about the same"` (within 1 %) or `"clearly worse"` — than the
# package's? Record your answer before you run the training.

# %% tags=["solution"]
def my_prediction():
    """One of "clearly better", "about the same", "clearly worse"."""
    ### BEGIN SOLUTION
    return "about the same"
    ### END SOLUTION


# %%
# NBVAL_IGNORE_OUTPUT
package_model = VAE(M, m, hidden=[H], decoder="gaussian", seed=SEED)    # the same start
package_history = train(package_model, X_train, epochs=EPOCHS, batch_size=BATCH, lr=LR,
                        seed=SEED, desc="package's VAE")
if all_correct([encoder_result, reparameterize_result, decoder_result, loss_result,
                step_result], "the package's run stands in for yours below"):
    encoder, decoder = MyEncoder(M, m, H), MyDecoder(M, m, H)
    encoder.load_state_dict(as_state_dict_of(start.encoder, encoder))
    decoder.load_state_dict(start.decoder.state_dict())
    began = time.perf_counter()
    my_losses = fit(encoder, decoder, my_training_step, X_train)
    print(f"your loop: {time.perf_counter() - began:.1f} s for {EPOCHS} epochs")
else:                                   # the package's run stands in for yours
    encoder, decoder = package_model.encoder, package_model.decoder
    my_losses = list(np.repeat([2 * v - M * math.log(2 * math.pi)
                                for v in package_history["train_loss"]], N // BATCH))
print(f"package's train: {package_history['seconds'][-1]:.1f} s for {EPOCHS} epochs")
val_mine = val_L_VAE(encoder, decoder)
val_package = val_L_VAE(package_model.encoder, package_model.decoder)
print(f"L_VAE per validation digit: yours {val_mine:.3f}, the package's {val_package:.3f} "
      f"({100 * (val_mine - val_package) / val_package:+.2f} %)")

# %%
check_sum_vs_mean(my_prediction, mine=val_mine, package=val_package);

# %% [markdown]
# The training curves: yours per minibatch, both per epoch (the package's history converted to
# $L_{VAE}$ per digit, $2\cdot\text{loss} - M\log 2\pi$):

# %%
epochs = np.arange(1, EPOCHS + 1)
mine_epoch = np.mean(np.reshape(my_losses, (EPOCHS, -1)), axis=1)
package_epoch = 2 * np.array(package_history["train_loss"]) - M * math.log(2 * math.pi)
with style():
    fig = new_figure(5.5, 3.0)
    ax = fig.add_subplot()
    ax.plot(np.arange(1, len(my_losses) + 1) / (N // BATCH), my_losses, lw=0.8, alpha=0.5,
            label="yours, per minibatch")
    ax.plot(epochs - 0.5, mine_epoch, "o-", label="yours, epoch mean")
    ax.plot(epochs - 0.5, package_epoch, "x--", ms=9, label="package's train, epoch mean")
    ax.set(xlabel="epochs of training", ylabel="$L_{VAE}$ per digit")
    ax.legend()
display(fig)
claim(np.all(np.abs(mine_epoch - package_epoch) < 0.01 * package_epoch),
      "the two epoch means agree within 1 %")

# %% [markdown]
# Reconstructions $\mu_\theta(\tilde\mu(x))$ of validation digits, and new digits: $z\sim\mathcal N(0, I)$
# decoded, by your model and by the package's:

# %%
with torch.no_grad():
    x = torch.as_tensor(X_val[:20])
    z_prior = torch.randn((20, m), generator=torch.Generator().manual_seed(SEED))
    panels = {"validation digits": x,
              "your reconstructions": decoder(encoder(x)[0]),
              "your prior samples": decoder(z_prior),
              "package's prior samples": package_model.decoder(z_prior)}
display(fig_sample_grids({k: v.numpy() for k, v in panels.items()}, ncols=5, side=28))

# %% [markdown]
# Blurry, but digits — and your samples look like the package's because they *are* nearly the
# same network. Why blurry? $\Sigma_\theta = I$ says every pixel carries Gaussian noise of standard
# deviation 1, as large as the whole range $[0, 1]$ of a pixel: the likelihood hardly rewards fine
# detail, so the KL term keeps the codes vague. How much of the code is in use? A latent dimension
# is **active** when its code mean $\tilde\mu_j(x)$ varies across digits ($\mathrm{Var}_x\,\tilde\mu_j > 0.01$):

# %%
with torch.no_grad():
    activity = encoder(torch.as_tensor(X_val))[0].var(dim=0)
print("Var_x μ̃_j per dimension:", np.round(activity.numpy(), 2))
claim(int((activity > 0.01).sum()) == m, "all eight latent dimensions of your model are active")

# %% [markdown]
# ## 6. Choose a setting: make the KL win
# Put the pixels on a scale $s$, $x' = s\,x$, and let the networks still see $x$: the encoder reads
# $x'/s$ and the decoder outputs $s\cdot\mathrm{net}(z)$ (the package's `x_scale = s`). Then
# $\|x' - \hat x'\|^2 = s^2\|x - \hat x\|^2$ while the regulariser does not change:
#
# $$L_{VAE}(s\,x) = s^2\Big(\sum_i \|x_i - \hat x_i\|^2 + \frac{1}{s^2}\sum_{i,j}\big(\tilde\mu_{ij}^2 + e^{\zeta_{ij}} - 1 - \zeta_{ij}\big)\Big).$$
#
# The factor $s^2$ does not matter to Adam (Exercise 6); the ratio does: the slide's loss on
# pixels of size $s$ is a β-VAE with $\beta = 1/s^2$ (notebook 09). Notebook 02 trained the other
# end, grey levels $0..255$ ($s = 255$, a tiny β), where $\tilde\sigma$ collapses towards 0.
#
# **Exercise 7 — choose a setting that produces an effect.** Return a pixel scale $s$ for which
# the slide's loss switches **every** latent dimension off: no $\tilde\mu_j$ varies across digits by
# more than 0.01 any more (*posterior collapse*: every $q_\phi(z|x)$ is the prior and the decoder
# draws one average digit whatever $x$). The checker trains the package's VAE with `x_scale = s`
# on $s\,x$ (2000 digits, three epochs, under a second) and counts the active dimensions.

# %% tags=["solution"]
def my_scale():
    """A pixel scale s > 0 (a number)."""
    ### BEGIN SOLUTION
    return 0.25
    ### END SOLUTION


# %%
check_collapse_scale(my_scale, n=2000, epochs=3);

# %% [markdown]
# ## 7. What you built is the package's model
# Your trained weights go into a fresh package `VAE`; it must compute exactly what your modules
# compute. Then everything the other notebooks do with a `VAE` (evaluation in nats, decoding,
# the latent explorer) works on what you built.

# %%
# NBVAL_CHECK_OUTPUT
built = VAE(M, m, hidden=[H], decoder="gaussian")
built.encoder.load_state_dict(as_state_dict_of(encoder, built.encoder))
built.decoder.load_state_dict(as_state_dict_of(decoder, built.decoder))
for name, package_name in zip(encoder.state_dict(), built.encoder.state_dict()):
    print(f"{name:18s} → encoder.{package_name}")
gap = output_gap(encoder, decoder, built, torch.as_tensor(X_val))
print(f"largest difference of μ̃, ζ and μ_θ(μ̃) on the validation digits: {gap:g}")
claim(gap == 0.0, "the package's VAE with your weights computes exactly what your modules do")

# %% [markdown]
# The package's own evaluation (`evaluate_loss`: $-L_b$ per digit with one $z$, from the same seed)
# of the model you built agrees with your $L_{VAE}$ through $L_{VAE} = -2L_b - NM\log 2\pi$ (notebook 09),
# per digit:

# %%
# NBVAL_IGNORE_OUTPUT
minus_L_b = evaluate_loss(built, X_val, seed=SEED)["loss"]
print(f"package: −L_b per digit {minus_L_b:.3f}  →  2·(−L_b) − M log 2π = "
      f"{2 * minus_L_b - M * math.log(2 * math.pi):.3f};  your L_VAE per digit {val_mine:.3f}")
claim(abs(2 * minus_L_b - M * math.log(2 * math.pi) - val_mine) < 1e-3 * val_mine,
      "the package's −L_b and your L_VAE agree through L_VAE = −2 L_b − N M log 2π")

# %% [markdown]
# ## Summary
# * A VAE is four small pieces: an encoder with two heads $(\tilde\mu, \zeta = \log\tilde\sigma^2)$, the
#   sample $z = \tilde\mu + \exp(\zeta/2)\odot\varepsilon$ (so gradients reach the encoder), a decoder
#   $\mu_\theta(z)$, and the slide's $L_{VAE}$ — plus the step `zero_grad`, `backward`, `step`.
# * Yours has the package's layers: its weights load into the package's `VAE` (the hidden layers'
#   names differ by one index) and give exactly the same outputs, so what the other notebooks
#   measure is what you built.
# * Summing over the minibatch instead of averaging, and dropping the ½, only multiply the loss by
#   a positive number: under Adam the training is the same (within 1 % here). What changes the
#   model is the *ratio* of the two terms, β — and the pixel scale $s$ under $\Sigma_\theta = I$ is
#   such a ratio, $\beta = 1/s^2$: small pixels let the KL switch every latent dimension off.
#
# Next: [notebook 12, the latent-space explorer](12_latent_space_explorer.ipynb).
#
# **References.** D. P. Kingma, M. Welling, *Auto-Encoding Variational Bayes*, ICLR 2014.
# D. P. Kingma, J. Ba, *Adam: A Method for Stochastic Optimization*, ICLR 2015.
