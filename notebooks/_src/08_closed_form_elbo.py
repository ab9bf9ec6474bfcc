# %% [markdown]
# # 08 · The closed form of $L_b$, line by line (slides: CLOSE FORM OF $L_b$; SIMPLER CLOSE FORM OF $L_b$)
#
# The slide **CLOSE FORM OF $L_b$** turns the per-sample term of the lower bound,
# $\mathbb E_{z_i\sim q_\phi(\cdot|x_i)}\big[\log\frac{p_\theta(x_i|z_i)}{q_\phi(z_i|x_i)} + \log p_\theta(z_i)\big]$,
# into a formula with only one expectation left, in four lines; the next slides simplify it
# for $\Sigma_\theta = I$ and a diagonal $\tilde\Sigma_\phi$. Here we take a **trained** VAE and
# one digit $x_i$, and evaluate **every line as a number**, next to a Monte-Carlo estimate of the
# left-hand side with its standard error. Two slips show up; we find out why and correct them.
#
# **Learning goals.** After this notebook you can
# 1. **evaluate** each line of a derivation on a real model and **judge** it against a
#    Monte-Carlo estimate in units of its standard error;
# 2. **apply** the Gaussian lemma (notebook 07) to $\mathbb E_q[\log p(z)]$ and $\mathbb E_q[\log q(z|x)]$;
# 3. **spot and correct** two slips on the slides, by reading each line literally and by its
#    number;
# 4. **derive** the simpler closed form for $\Sigma_\theta = I$, $\tilde\Sigma_\phi = \mathrm{diag}(\tilde\sigma^2)$.
#
# *Time: about 40 minutes. Uses PyTorch models that ship pretrained.*

# %%
# %matplotlib inline
import numpy as np
import torch
from IPython.display import Markdown, display

from vae_teach.exercises import (check_first_failing_line, check_regulariser_per_dim,
                                 check_simpler_close_form)
from vae_teach.maths.gaussian import log_normal
from vae_teach.maths.lemma import lemma_closed_form
from vae_teach.measure import slide_lines
from vae_teach.nets.objectives import L_b_closed_form, L_b_monte_carlo
from vae_teach.nets.pretrained import load, load_data
from vae_teach.viz.lecture import fig_gaussian_encoder_decoder
from vae_teach.viz.vae_loss import fig_slide_lines

SEED = 0
rng = np.random.default_rng(SEED)
torch.set_num_threads(1)                 # small models: one thread is fastest on a shared CPU
N_DRAWS = 20_000                                     # Monte-Carlo draws z_s ~ q(·|x_i)

# float64 throughout: the checked sums below then round the same way on every CPU
vae = load("vae_slide").double()         # the slides' model: Σ_θ(z) = I, pixels 0..16
vae_s2 = load("vae_learned_var").double()  # the same with Σ_θ(z) = σ_x² I, σ_x² learned
X_raw, _ = load_data("vae_slide", "test")
x_i = X_raw[0]                           # one test digit, M = 64 pixels

# %% [markdown]
# ## 1. The model and the left-hand side
# The slide assumes a Gaussian prior, encoder and decoder:
#
# $$p_\theta(z) = \mathcal N(z; 0, I),\qquad p_\theta(x|z) = \mathcal N(x; \mu_\theta(z), \Sigma_\theta(z)),\qquad
#   q_\phi(z|x) = \mathcal N(z; \tilde\mu_\phi(x), \tilde\Sigma_\phi(x)).$$
#
# Our encoder outputs $\tilde\mu_\phi(x)\in\mathbb R^m$ and $\zeta = \log\tilde\sigma^2$, so
# $\tilde\Sigma_\phi = \mathrm{diag}(e^{\zeta})$; the decoder outputs $\mu_\theta(z)\in\mathbb R^M$.
# `slide_lines.draw` encodes $x_i$, draws $z_s = \tilde\mu + \tilde\sigma\odot\varepsilon_s$
# ($s = 1,\dots,n$) and decodes each $z_s$, all in float64.

# %% [markdown]
# The slide VAE AND GAUSSIAN DISTRIBUTION pictured these three densities. For a 1-D code and a
# 1-D linear-Gaussian decoder all three can be drawn exactly — the prior $p_\theta(z)$, the
# encoder $q_\phi(z|x_i)$ for one input, and the decoder $p_\theta(x|z)$ for a few codes:

# %%
fig_gaussian_encoder_decoder()

# %%
# NBVAL_CHECK_OUTPUT
d = slide_lines.draw(vae, x_i, N_DRAWS, seed=SEED)
print(f"M = {d.x.size} pixels, m = {d.mu_tilde.size} latent dims, n = {len(d.z)} draws")
print("mu_tilde(x_i)     =", np.round(d.mu_tilde, 3))
print("sigma2_tilde(x_i) =", np.round(np.diag(d.Sigma_tilde), 4))

# %% [markdown]
# The **left-hand side** is an expectation, so we estimate it by a sample mean over the draws,
# using the model's own densities (the same code the training loss uses):
#
# $$\text{LHS} = \mathbb E_{z_i\sim q_\phi(\cdot|x_i)}\Big[\log\frac{p_\theta(x_i|z_i)}{q_\phi(z_i|x_i)} + \log p_\theta(z_i)\Big]
#   \approx \frac1n\sum_{s=1}^n \big(\log p_\theta(x_i|z_s) + \log p_\theta(z_s) - \log q_\phi(z_s|x_i)\big).$$

# %%
# NBVAL_CHECK_OUTPUT
lhs, lhs_se = d.lhs.mean(), d.lhs.std(ddof=1) / np.sqrt(len(d.lhs))
print(f"LHS (Monte Carlo) = {lhs:.3f} ± {lhs_se:.3f} nats")

# %% [markdown]
# ## 2. Line 1 → line 2: the lemma does two of the three expectations
# Line 1 writes the densities as Gaussians; line 2 keeps the decoder's expectation and does the
# other two in closed form:
#
# $$\overset{1}{=}\ \mathbb E\Big[\log\frac{\mathcal N(x_i;\mu_\theta(z_i),\Sigma_\theta(z_i))}{\mathcal N(z_i;\tilde\mu_\phi(x_i),\tilde\Sigma_\phi(x_i))} + \log\mathcal N(z_i;0,I)\Big]
#   \ \overset{2}{=}\ \mathbb E[\log\mathcal N(x_i;\mu_\theta(z_i),\Sigma_\theta(z_i))]
#   + \log\frac{\mathcal N(\tilde\mu_\phi(x_i);0,I)}{\mathcal N(\tilde\mu_\phi(x_i);\tilde\mu_\phi(x_i),\tilde\Sigma_\phi(x_i))}
#   - \frac{\mathrm{Tr}(\tilde\Sigma_\phi(x_i)-I)}{2}$$
#
# by the lemma $\mathbb E_{\xi\sim\mathcal N(\tilde\mu,\tilde\Sigma)}[\log\mathcal N(\xi;\mu,\Sigma)] = \log\mathcal N(\tilde\mu;\mu,\Sigma) - \mathrm{Tr}(\tilde\Sigma\Sigma^{-1})/2$,
# once with $(\mu,\Sigma) = (0, I)$ (the prior) and once with $(\tilde\mu,\tilde\Sigma)$ itself (the encoder):
# $\mathbb E_q[\log p(z)] - \mathbb E_q[\log q(z|x)] = \log\mathcal N(\tilde\mu;0,I) - \tfrac{\mathrm{Tr}\tilde\Sigma}{2} - \log\mathcal N(\tilde\mu;\tilde\mu,\tilde\Sigma) + \tfrac{m}{2}$.
# Both terms, by Monte Carlo and by the lemma:

# %%
# NBVAL_CHECK_OUTPUT
m = d.mu_tilde.size
I_m, zeros = np.eye(m), np.zeros(m)
for name, mu, Sigma in [("E_q[log p(z)]  ", zeros, I_m), ("E_q[log q(z|x)]", d.mu_tilde, d.Sigma_tilde)]:
    draws = log_normal(d.z, mu, Sigma)
    exact = lemma_closed_form(d.mu_tilde, d.Sigma_tilde, mu, Sigma)
    print(f"{name}  Monte Carlo {draws.mean():8.4f} ± {draws.std(ddof=1) / np.sqrt(len(draws)):.4f}"
          f"   lemma {exact:8.4f}")

# %% [markdown]
# ### Exercise 1 — find the line that does not hold
# Lines 1 and 2 hold (the numbers above). The slide continues, **as printed**:
#
# $$\overset{3}{=}\ \mathbb E\Big[\log\Big(\tfrac{1}{\sqrt{(2\pi)^M|\Sigma_\theta(z_i)|}}\exp\big(-\tfrac12(x_i-\mu_\theta(z_i))^T\Sigma_\theta(z_i)^{-1}(x_i-\mu_\theta(z_i))\big)\Big)\Big]
#   + \log\left(\frac{\dfrac{1}{\sqrt{(2\pi)^m}\,\exp\!\left(-\frac12\|\tilde\mu_\phi(x_i)\|^2\right)}}{1/\sqrt{(2\pi)^m|\tilde\Sigma_\phi(x_i)|}}\right) - \frac{\mathrm{Tr}(\tilde\Sigma_\phi(x_i)-I)}{2}$$
#
# $$\overset{4}{=}\ \mathbb E\Big[\log\frac{1}{\sqrt{(2\pi)^M|\Sigma_\theta(z_i)|}} - \frac12(x_i-\mu_\theta(z_i))^T\Sigma_\theta(z_i)^{-1}(x_i-\mu_\theta(z_i))\Big]
#   + \frac12\log|\Sigma_\theta(z_i)| - \frac12\|\tilde\mu_\phi(x_i)\|^2 - \frac{\mathrm{Tr}(\tilde\Sigma_\phi(x_i)-I)}{2}$$
#
# Read every line literally, as typeset. Which is the **first** line of CLOSE FORM OF $L_b$
# that does not equal the left-hand side: `"1"`, `"2"`, `"3"`, `"4"` or `"none"`? Record your
# answer, then run the cell that evaluates every line on the trained model. A derivation whose
# last line is the familiar loss can still contain a false line — and a reader who copies it
# copies the error.

# %% tags=["solution"]
def first_wrong_line():
    """Your answer: "1", "2", "3", "4" or "none"."""
    ### BEGIN SOLUTION
    return "3"
    ### END SOLUTION


# %%
# NBVAL_CHECK_OUTPUT
lines = slide_lines.slide_lines(vae, x_i, N_DRAWS, seed=SEED)
for r in lines:
    if r.section == slide_lines.CLOSE and r.kind in ("reference", "slide"):
        print(f"line {r.label:<15} value − LHS = {r.difference:+8.3f} ± {r.difference_se:.3f}"
              f"   holds: {r.holds if r.kind != 'reference' else '—'}")

# %%
check_first_failing_line(first_wrong_line, lines);

# %% [markdown]
# ## 3. Line 3: writing out the densities
# Line 3 writes each Gaussian as its formula. As typeset on the slide, the middle term reads
#
# $$\log\left(\frac{\dfrac{1}{\sqrt{(2\pi)^m}\,\exp\!\left(-\frac12\|\tilde\mu_\phi(x_i)\|^2\right)}}{1/\sqrt{(2\pi)^m|\tilde\Sigma_\phi(x_i)|}}\right),$$
#
# which puts $\exp(-\frac12\|\tilde\mu\|^2)$ in the **denominator** of the inner fraction. The
# density $\mathcal N(\tilde\mu;0,I)$ it stands for is $\frac{1}{\sqrt{(2\pi)^m}}\exp(-\frac12\|\tilde\mu\|^2)$.
# We evaluate the fraction both ways:

# %%
# NBVAL_CHECK_OUTPUT
mu2 = d.mu_tilde @ d.mu_tilde
det_tilde = np.linalg.det(d.Sigma_tilde)
denominator = 1 / np.sqrt((2 * np.pi) ** m * det_tilde)             # N(μ̃; μ̃, Σ̃)
as_typeset = 1 / (np.sqrt((2 * np.pi) ** m) * np.exp(-0.5 * mu2)) / denominator
as_intended = 1 / np.sqrt((2 * np.pi) ** m) * np.exp(-0.5 * mu2) / denominator
as_in_line_2 = log_normal(d.mu_tilde, zeros, I_m) - log_normal(d.mu_tilde, d.mu_tilde, d.Sigma_tilde)
print(f"log(fraction) as typeset : {np.log(as_typeset):.4f}")
print(f"log(fraction) as intended: {np.log(as_intended):.4f}")
print(f"line 2's log N/N         : {as_in_line_2:.4f}")
print(f"typeset − intended = {np.log(as_typeset) - np.log(as_intended):.4f} = ‖μ̃‖² = {mu2:.4f}")

# %% [markdown]
# > **Slide erratum.** In line 3 of CLOSE FORM OF $L_b$ the LaTeX
# > `\frac{1}{\sqrt{(2\pi)^m} \exp(-\frac12\|\tilde\mu_\phi(x_i)\|^2)}` divides by the exponential.
# > Read literally, the line is larger than line 2 by exactly $\|\tilde\mu_\phi(x_i)\|^2$ (the
# > numbers above). It is a typesetting slip — line 4 continues with $-\frac12\|\tilde\mu\|^2$, as
# > intended. Corrected numerator: $\dfrac{1}{\sqrt{(2\pi)^m}}\exp\!\left(-\tfrac12\|\tilde\mu_\phi(x_i)\|^2\right)$.

# %% [markdown]
# ## 4. Line 4: taking the logarithms — and a second slip
# Line 4 takes the logarithms. As printed:
#
# $$\overset{4}{=}\ \mathbb E\Big[\log\frac{1}{\sqrt{(2\pi)^M|\Sigma_\theta(z_i)|}} - \frac12(x_i-\mu_\theta(z_i))^T\Sigma_\theta(z_i)^{-1}(x_i-\mu_\theta(z_i))\Big]
#   + \frac12\log|\Sigma_\theta(z_i)| - \frac12\|\tilde\mu_\phi(x_i)\|^2 - \frac{\mathrm{Tr}(\tilde\Sigma_\phi(x_i)-I)}{2}.$$
#
# The log of the fraction from line 3 is
# $\log\frac{(2\pi)^{-m/2}e^{-\|\tilde\mu\|^2/2}}{(2\pi)^{-m/2}|\tilde\Sigma|^{-1/2}} = -\frac12\|\tilde\mu\|^2 + \frac12\log|\tilde\Sigma_\phi(x_i)|$:
# the determinant is the **encoder's**. ($z_i$ is not even defined outside the expectation; we
# evaluate the printed $\frac12\log|\Sigma_\theta(z_i)|$ as its mean over the draws.) For the
# slides' decoder $\Sigma_\theta = I$ the printed term is $0$, while $\frac12\log|\tilde\Sigma|$ is not:

# %%
# NBVAL_CHECK_OUTPUT
print(f"½ log|Σ_θ(z_i)| (printed)  : {0.5 * np.log(d.sigma2_theta).sum(axis=1).mean():.4f}")
print(f"½ log|Σ̃_φ(x_i)| (correct)  : {0.5 * np.linalg.slogdet(d.Sigma_tilde)[1]:.4f}")

# %% [markdown]
# ## 5. The whole derivation as a table
# `slide_lines.slide_lines` evaluates every line **as printed**, term by term, on the same draws
# (common random numbers), and adds the readings "as intended" (line 3) and "corrected" (line 4).
# The column *value − LHS* has a **paired** standard error (the standard deviation of
# line − LHS over the draws, $/\sqrt n$), much smaller than each line's own; a line *holds* when
# it is within 4 of those standard errors of the LHS.

# %%
# NBVAL_CHECK_OUTPUT
print(slide_lines.lines_table(lines))

# %%
display(Markdown(slide_lines.lines_markdown(lines)))

# %%
fig_slide_lines(lines)

# %% [markdown]
# Line 4 must hold for any $\Sigma_\theta$, not only $I$. With $\Sigma_\theta = I$ the printed
# $\frac12\log|\Sigma_\theta|$ vanishes, so a second model with a **learned** decoder variance
# $\Sigma_\theta = \sigma_x^2 I$ (same digits, same scale) checks the general lines with a
# non-trivial $\log|\Sigma_\theta| = M\log\sigma_x^2$:

# %%
# NBVAL_CHECK_OUTPUT
lines_s2 = slide_lines.slide_lines(vae_s2, x_i, N_DRAWS, seed=SEED)
with torch.no_grad():
    sigma2_x = vae_s2.decoder.log_sigma2(torch.zeros(1)).exp().mean().item()
print(f"learned decoder variance σ_x² = {sigma2_x:.4g}")
print(slide_lines.lines_table(lines_s2))

# %% [markdown]
# > **Slide erratum.** The last line of CLOSE FORM OF $L_b$ has
# > $+\frac12\log|\Sigma_\theta(\mathbf z_i)|$; it must be $+\frac12\log|\tilde\Sigma_\phi(\mathbf x_i)|$:
# >
# > $$\mathbb{E}\Big[\log \frac{1}{\sqrt{(2\pi)^M |\Sigma_\theta(z_i)|}} - \frac{1}{2} (x_i - \mu_\theta(z_i))^T \Sigma_\theta(z_i)^{-1} (x_i - \mu_\theta(z_i)) \Big] + \frac{1}{2} \log |\tilde\Sigma_\phi(x_i)| - \frac{1}{2} \|\tilde\mu_\phi(x_i)\|^2 - \frac{\mathrm{Tr}(\tilde\Sigma_\phi(x_i) - I)}{2}.$$
# >
# > As printed the line misses the LHS by $\frac12(\log|\Sigma_\theta| - \log|\tilde\Sigma_\phi|)$
# > nats (rows "4 (as printed)" above, for both decoders); corrected, it agrees within Monte-Carlo
# > error. The first line of the SIMPLER form repeats the slip (section 6).

# %% [markdown]
# **Why the slips hide on an untrained model.** The two slips change the line by $\|\tilde\mu\|^2$ and by
# $\frac12\log|\tilde\Sigma|$ — both zero when $q_\phi(z|x)$ *is* the prior $\mathcal N(0, I)$. An
# untrained encoder is not far from that ($\tilde\mu\approx 0$, $\zeta\approx 0$), and its
# untrained decoder makes the LHS huge, so the slips are tiny **relative** errors there:

# %%
# NBVAL_CHECK_OUTPUT
from vae_teach.nets.model import build_model

untrained = build_model(vae.config, seed=SEED)          # same architecture, fresh weights
for label, rows in [("untrained", slide_lines.slide_lines(untrained, x_i, N_DRAWS, seed=SEED)),
                    ("trained", lines)]:
    for r in (slide_lines.line_by_label(rows, "3 (as typeset)"), slide_lines.line_by_label(rows, "4 (as printed)")):
        print(f"{label:<10} {r.label:<15} value − LHS = {r.difference:+7.3f} nats"
              f" = {r.difference / abs(rows[0].value):+.1e} of |LHS|")

# %% [markdown]
# Checked on the untrained model to three significant digits, both wrong lines would look right.
# To catch a wrong line, evaluate it where the encoder is far from the prior
# ($\tilde\mu\neq 0$, $\tilde\Sigma\neq I$, as in the trained model) and compare it with the
# left-hand side in *paired* standard errors (the same draws on both sides), as the table above
# does.

# %% [markdown]
# ## 6. The SIMPLER CLOSE FORM: $\Sigma_\theta = I$, $\tilde\Sigma_\phi = \mathrm{diag}(\tilde\sigma^2_{\phi,1},\dots,\tilde\sigma^2_{\phi,m})$
# ### Exercise 2 — derive the regulariser, one latent dimension at a time
# Start from the corrected line 4. Its part without the decoder,
# $-\frac12\|\tilde\mu_\phi(x_i)\|^2 + \frac12\log|\tilde\Sigma_\phi(x_i)| - \frac12\mathrm{Tr}(\tilde\Sigma_\phi(x_i) - I)$,
# is $-\mathrm{KL}(q_\phi(\cdot|x_i)\,\|\,\mathcal N(0, I))$. For
# $\tilde\Sigma_\phi = \mathrm{diag}(\tilde\sigma^2_1,\dots,\tilde\sigma^2_m)$ it can be written
# $-\frac12\sum_{j=1}^m r_j$. Derive $r_j$, the contribution of latent dimension $j$, and
# complete `regulariser_per_dim(mu_tilde, sigma2_tilde)` returning the $m$ values $r_j$ (shapes
# `(m,)` → `(m,)`). This is the next line of the derivation, and the regularisation loss of the
# slide VAE LOSS FUNCTION.

# %% tags=["solution"]
def regulariser_per_dim(mu_tilde, sigma2_tilde):
    """r_j with −½‖μ̃‖² + ½ log|Σ̃| − ½ Tr(Σ̃ − I) = −½ Σ_j r_j; (m,), (m,) → (m,)."""
    ### BEGIN SOLUTION
    return mu_tilde ** 2 + sigma2_tilde - np.log(sigma2_tilde) - 1
    ### END SOLUTION


# %%
check_regulariser_per_dim(regulariser_per_dim);

# %%
closed_part = (log_normal(d.mu_tilde, zeros, I_m) - log_normal(d.mu_tilde, d.mu_tilde, d.Sigma_tilde)
               - 0.5 * np.trace(d.Sigma_tilde - I_m))
try:
    mine = -0.5 * np.sum(regulariser_per_dim(d.mu_tilde, np.diag(d.Sigma_tilde)))
    print(f"−½ Σ_j r_j (yours): {mine:.4f}   the closed part of line 2 for x_i: {closed_part:.4f}")
except NotImplementedError:
    print(f"Complete Exercise 2 first (the closed part of line 2 for x_i is {closed_part:.4f}).")

# %% [markdown]
# With these assumptions the slide continues from line 4 (copied with the same
# $\frac12\log|\Sigma_\theta(z_i)|$) to
#
# $$\overset{S2}{=}\ \log\frac{1}{\sqrt{(2\pi)^M}} - \frac12\Big(\mathbb E_{z_i\sim\mathcal N(\tilde\mu_\phi(x_i),\tilde\Sigma_\phi(x_i))}\big[\|x_i-\mu_\theta(z_i)\|^2\big] + \|\tilde\mu_\phi(x_i)\|^2 + \sum_{j=1}^m\big(\tilde\sigma^2_{\phi,j}(x_i) - \log\tilde\sigma^2_{\phi,j}(x_i) - 1\big)\Big).$$
#
# The rows of the SIMPLER section in the table of section 5:

# %%
# NBVAL_CHECK_OUTPUT
for r in lines:
    if r.section == slide_lines.SIMPLER and r.kind != "reference":
        print(f"{r.label:<16} {r.value:10.3f}   value − LHS = {r.difference:+.4f} ± {r.difference_se:.4f}"
              f"   holds: {r.holds}")

# %% [markdown]
# > **Slide erratum.** The first line of the SIMPLER CLOSE FORM repeats
# > $+\frac12\log|\Sigma_\theta(z_i)|$, which is $0$ for $\Sigma_\theta = I$; with the correct
# > $+\frac12\log|\tilde\Sigma_\phi(x_i)| = \frac12\sum_j\log\tilde\sigma^2_{\phi,j}(x_i)$ it holds (row
# > "S1 (corrected)"). The slide's **final** line S2 is right: its $-\log\tilde\sigma^2_{\phi,j}$
# > inside $-\frac12(\dots)$ is exactly that corrected term, so the slip did not propagate into the
# > loss.

# %% [markdown]
# **Summing over the data.** The slide then sums over $i$:
# $L_b = N\log\frac{1}{\sqrt{(2\pi)^M}} - \frac12\sum_{i=1}^N\big(\mathbb E\|x_i-\mu_\theta(z_i)\|^2 + \|\tilde\mu_\phi(x_i)\|^2 + \sum_j(\tilde\sigma^2_{\phi,j} - \log\tilde\sigma^2_{\phi,j} - 1)\big)$.
# On the whole test set, with $S = 200$ draws per digit for the expectation, against the plain
# Monte-Carlo $L_b$ (independent draws, no closed form):

# %%
# NBVAL_CHECK_OUTPUT
X, S = torch.from_numpy(X_raw).double(), 200
gen = torch.Generator().manual_seed(SEED)
with torch.no_grad():
    mu_tilde, zeta = vae.encode(X)
    z = mu_tilde + torch.exp(zeta / 2) * torch.randn((S, *mu_tilde.shape), generator=gen,
                                                   dtype=torch.float64)
    x_hat = vae.decode(z)                                   # (S, N, M)
    closed = L_b_closed_form(X, x_hat, mu_tilde, zeta).item()
    per_draw = -0.5 * ((X - x_hat) ** 2).sum(dim=(1, 2))    # the only random term, per draw
closed_se = per_draw.std().item() / np.sqrt(S)
mc, mc_se = L_b_monte_carlo(vae, X, n_samples=S, generator=gen)
print(f"N = {len(X)} test digits, S = {S} draws each")
print(f"L_b, SIMPLER closed form : {closed:.0f} ± {closed_se:.0f}")
print(f"L_b, Monte Carlo         : {mc.item():.0f} ± {mc_se.item():.0f}")
print(f"difference: {(closed - mc.item()) / np.hypot(closed_se, mc_se.item()):+.2f} standard errors")

# %% [markdown]
# The closed form has the smaller error bar: of the three expectations only the reconstruction
# term is left to sampling.

# %% [markdown]
# ## Exercises
# Exercises 1 and 2 sit in sections 2 and 6, where they belong.
#
# **Exercise 3 (assembling the pieces) — the simpler closed form.** Complete
# `simpler_close_form(sq_err, mu_tilde, sigma2_tilde, M)`: the last line S2 for one $x_i$, where
# `sq_err[s]` $= \|x_i - \mu_\theta(z_s)\|^2$ for draws $z_s\sim q_\phi(\cdot|x_i)$ estimate the
# expectation. Then compare it with row S2 of the table, using the draws `d` of section 1.

# %% tags=["solution"]
def simpler_close_form(sq_err, mu_tilde, sigma2_tilde, M):
    """log(1/√((2π)^M)) − ½(mean(sq_err) + ‖μ̃‖² + Σ_j(σ̃_j² − log σ̃_j² − 1)) → float."""
    ### BEGIN SOLUTION
    reg = np.sum(sigma2_tilde - np.log(sigma2_tilde) - 1)
    return float(-M / 2 * np.log(2 * np.pi) - 0.5 * (np.mean(sq_err) + mu_tilde @ mu_tilde + reg))
    ### END SOLUTION


# %%
check_simpler_close_form(simpler_close_form);

# %%
# NBVAL_CHECK_OUTPUT
sq_err = ((d.x - d.mu_theta) ** 2).sum(axis=1)
try:
    mine = simpler_close_form(sq_err, d.mu_tilde, np.diag(d.Sigma_tilde), d.x.size)
    print(f"yours: {mine:.3f}   table row S2: {slide_lines.line_by_label(lines, 'S2').value:.3f}")
except NotImplementedError:
    print("Complete Exercise 3 first.")

# %% [markdown]
# ## Summary
# * Evaluating each line of a derivation on a **trained** model, next to a Monte-Carlo estimate
#   with its (paired) standard error, separates correct algebra from slips: correct lines agree to
#   within a few hundredths of a nat, wrong ones miss by whole nats.
# * Line 2 is the lemma applied twice: $\mathbb E_q[\log p(z)] - \mathbb E_q[\log q(z|x)] = -\mathrm{KL}(q\,\|\,p)$ in closed form.
# * **Errata:** line 3 of CLOSE FORM has $\exp(-\frac12\|\tilde\mu\|^2)$ typeset in a denominator
#   (off by $\|\tilde\mu\|^2$ if read literally); line 4 and the first SIMPLER line have
#   $+\frac12\log|\Sigma_\theta(z_i)|$ where $+\frac12\log|\tilde\Sigma_\phi(x_i)|$ belongs. The
#   final simpler form — the one the loss is built from — is correct.
# * Both slips vanish when $q_\phi(z|x)$ equals the prior, so a loose check on an untrained model misses them.
#
# Next: [09_vae_loss_and_training](09_vae_loss_and_training.ipynb) turns the simpler form into
# the loss $L_{VAE}$ and trains it.
#
# **References.** D. P. Kingma, M. Welling, *Auto-Encoding Variational Bayes*, ICLR 2014
# (Appendix B: the Gaussian KL in closed form). C. Doersch, *Tutorial on Variational
# Autoencoders*, arXiv:1606.05908 (2016).
