# %% [markdown]
# # 05 · VAE vs EM (slide: VAE V.S. EM ALGORITHM)
#
# The slide **VAE V.S. EM ALGORITHM** puts the two algorithms side by side. EM alternates an
# **E-step**, which sets $q$ to the exact posterior $p(\mathcal Z|\mathcal X;\theta^{(t)})$, and an
# **M-step**, which maximises $Q(\theta|\theta^{(t)})$. A VAE does the same two moves approximately:
# it *adjusts $q_\phi$ to decrease* $\mathrm{KL}(q_\phi \,\|\, p_{\theta^{(t)}}(\cdot|\mathcal X))$, and it
# *fixes $q_\phi$ and adjusts $p_\theta$* to increase $L_b$. We run both on **the same model and the
# same data** — probabilistic PCA, where every quantity is exact — and measure each line.
#
# **Learning goals.** After this notebook you can
# 1. **run** EM on pPCA and **verify** that the E-step closes the KL gap and the M-step raises $Q$;
# 2. **show** that, with $q$ fixed, maximising $L_b$ over $\theta$ is maximising
#    $\mathbb E_q[\log p(\mathcal X, \mathcal Z;\theta)]$: the two differ by the entropy $H(q)$, constant in $\theta$;
# 3. **train** a VAE whose decoder is the same pPCA model and **measure** the gap its amortised
#    $q_\phi$ leaves, split into its two causes;
# 4. **run** the VAE's E-step alone (θ fixed, train φ) and its M-step alone (φ fixed), and
#    **compare** the round with EM's from the same θ;
# 5. **tell** exact numbers from Monte-Carlo estimates (ELBO, IWAE's $L_k$).
#
# *Time: about 40 minutes. Trains a tiny VAE, then its encoder and decoder one at a time, a few
# seconds each.*

# %%
# %matplotlib inline
import numpy as np
import torch
from IPython.display import display

from vae_teach.claims import claim
from vae_teach.data.digits import load_digits_split
from vae_teach.exercises import check_amortisation_gap, check_e_step_gap, check_sigma2_update
from vae_teach.maths import em
from vae_teach.maths.ppca import PPCA
from vae_teach.measure import e_step, linear_vae
from vae_teach.nets import objectives
from vae_teach.viz.e_step import fig_e_and_m_steps
from vae_teach.viz.em import fig_em_vs_vae
from vae_teach.viz.lecture import fig_em

SEED = 0
rng = np.random.default_rng(SEED)
X = load_digits_split("train", scale="raw")[0].astype(np.float64)   # (N, M) = (1000, 64)
N, M = X.shape
m = 2

# %% [markdown]
# ## 1. The model: probabilistic PCA, where everything is exact
# $$p(z) = \mathcal N(0, I_m),\qquad p(x|z;\theta) = \mathcal N(x;\, Wz + \mu,\ \sigma^2 I_M),\qquad
#   \theta = (W, \mu, \sigma^2).$$
# Integrating $z$ out gives $p(x;\theta) = \mathcal N(x;\mu, WW^T + \sigma^2 I)$, and Bayes gives the
# posterior $p(z|x;\theta) = \mathcal N\big(P^{-1}W^T(x-\mu),\ \sigma^2 P^{-1}\big)$ with
# $P = W^TW + \sigma^2 I$. So $\log p(\mathcal X;\theta)$, $L_b$ for any Gaussian $q$, and the KL gap can
# all be computed in closed form (`vae_teach.maths.em`). The maximum-likelihood $\theta$ is known in
# closed form too (Tipping & Bishop): it is the target of both algorithms.

# %%
# NBVAL_CHECK_OUTPUT
log_lik_mle = PPCA.fit(X, m).log_likelihood(X)
print(f"max log p(X; θ) = {log_lik_mle / N:.4f} nats per image  (closed-form MLE, m = {m})")

# %% [markdown]
# ## 2. EM, step by step
# The slide's algorithm: randomly initialise $\theta^{(1)}$, then for $t = 1, 2, \dots$
# * **E-step**: compute $Q(\theta|\theta^{(t)}) = \sum_{\mathcal Z} p(\mathcal Z|\mathcal X;\theta^{(t)})\,\log p(\mathcal X,\mathcal Z;\theta)$,
#   i.e. set $q^{(t)} = p(\mathcal Z|\mathcal X;\theta^{(t)})$;
# * **M-step**: $\theta^{(t+1)} = \operatorname{argmax}_\theta Q(\theta|\theta^{(t)})$.
#
# > **Slide note.** Here $\mathcal Z$ is continuous, so the sum $\sum_{\mathcal Z}$ is an integral:
# > $Q(\theta|\theta^{(t)}) = \int p(\mathcal Z|\mathcal X;\theta^{(t)})\log p(\mathcal X,\mathcal Z;\theta)\,d\mathcal Z$ (the sum is
# > right for a discrete latent, e.g. a mixture's component label). For pPCA the integral has a
# > closed form (`em.Q`).
#
# `em.run_em` records at every step: $\log p(\mathcal X;\theta^{(t)})$, $L_b$ before the E-step (with the
# previous $q^{(t-1)}$; $q^{(0)}$ = the prior) and after it, $L_b$ after the M-step, the KL gap
# computed *directly* as $\sum_n\mathrm{KL}(q_n\,\|\,p(z_n|x_n))$, and $Q$ before and after the M-step.

# %%
# NBVAL_CHECK_OUTPUT
h = em.run_em(X, m, n_steps=30, seed=SEED)
print(f"{'t':>3} {'log p':>10} {'L_b before E':>13} {'L_b after E':>12} {'Q(θt|θt)':>10} "
      f"{'Q(θt+1|θt)':>11} {'L_b after M':>12}   (nats per image)")
for t in [0, 1, 2, 3, 4, 9, 19, 29]:
    print(f"{t + 1:>3} {h.log_lik[t] / N:10.3f} {h.L_b_before_E[t] / N:13.3f} "
          f"{h.L_b_after_E[t] / N:12.3f} {h.Q_old[t] / N:10.3f} {h.Q_new[t] / N:11.3f} "
          f"{h.L_b_after_M[t] / N:12.3f}")

# %% [markdown]
# The slide's claims, checked at every one of the 30 steps:
# $$\text{E-step: } \mathrm{KL}\big(q^{(t)} \,\|\, p(\cdot|\mathcal X;\theta^{(t)})\big) = 0 \iff L_b = \log p(\mathcal X;\theta^{(t)}),\qquad
#   \text{M-step: } Q(\theta^{(t+1)}|\theta^{(t)}) \ge Q(\theta^{(t)}|\theta^{(t)}),$$
# and as a consequence $\log p(\mathcal X;\theta^{(t+1)}) \ge L_b(\theta^{(t+1)}, q^{(t)}) \ge L_b(\theta^{(t)}, q^{(t)}) = \log p(\mathcal X;\theta^{(t)})$.

# %%
# NBVAL_CHECK_OUTPUT
lls = np.r_[h.log_lik, h.log_lik_final]
rel_gap = np.abs(h.log_lik - h.L_b_after_E) / np.abs(h.log_lik)
print(f"E-step closes the gap: max |log p − L_b| / |log p| ≤ 1e-8: {rel_gap.max() <= 1e-8}; "
      f"KL computed directly after E ≤ 1e-8 nats: {h.gap_after_E.max() <= 1e-8}")
print(f"M-step raises Q at every step: {bool(np.all(h.Q_new > h.Q_old))}; "
      f"smallest rise {np.min(h.Q_new - h.Q_old) / N:.4f} nats per image")
print(f"log p never decreases: {bool(np.all(np.diff(lls) >= 0))}; "
      f"after 30 steps {h.log_lik_final / N:.4f} vs maximum {log_lik_mle / N:.4f}")

# %% [markdown]
# The same run as a picture: the bound (blue) touches $\log p$ (black) after every E-step and is
# pushed up by every M-step; the middle panel follows one M-step along the straight path
# $\theta^{(t)} \to \theta^{(t+1)}$.

# %%
display(fig_em(X, h))

# %% [markdown]
# ## 3. "Fix $q_\phi$ and adjust $p_\theta$ to maximize $L_b$ … is equivalent to maximizing $\mathbb E_q[\log p_\theta(\mathcal X,\mathcal Z)] \approx Q(\theta|\theta^{(t)})$"
# Split the bound:
# $$L_b(p_\theta, q, \mathcal X) = \mathbb E_{\mathcal Z\sim q}\Big[\log\frac{p_\theta(\mathcal X,\mathcal Z)}{q(\mathcal Z|\mathcal X)}\Big]
#   = \mathbb E_{\mathcal Z\sim q}[\log p_\theta(\mathcal X,\mathcal Z)] + H(q),\qquad H(q) = -\mathbb E_q[\log q].$$
# $H(q)$ does not contain $\theta$, so with $q$ fixed both sides have the same maximiser. We check
# it for $q = q^{(3)}$ (the E-step's posterior at $\theta^{(3)}$) and four very different $\theta$: the
# difference is the same number, $H(q)$, every time. With $q$ the exact posterior, the middle
# term *is* $Q(\theta|\theta^{(3)})$ (last column) — the slide's "≈" is "=" for EM.

# %%
# NBVAL_CHECK_OUTPUT
t = 2
q_t = em.e_step(X, h.thetas[t])
H = em.entropy_q(q_t[1], N)
thetas = {"θ(3)": h.thetas[t], "θ(4) (M-step)": h.thetas[t + 1], "θ_MLE": PPCA.fit(X, m),
          "random θ": em.init_params(M, m, seed=7, scale=3.0)}
print(f"H(q) = {H / N:.6f} nats per image\n")
print(f"{'θ':15s} {'L_b':>14s} {'E_q log p(X,Z;θ)':>17s} {'difference':>11s} {'Q(θ|θ(3))':>14s}")
for name, theta in thetas.items():
    L_b = em.lower_bound(X, theta, *q_t)
    Eq = em.expected_complete_log_lik(X, theta, *q_t)
    print(f"{name:15s} {L_b / N:14.4f} {Eq / N:17.4f} {(L_b - Eq) / N:11.6f} "
          f"{em.Q(X, theta, h.thetas[t]) / N:14.4f}")

# %% [markdown]
# Note the θ_MLE row: with $q$ fixed to $q^{(3)}$, the bound prefers the M-step's $\theta^{(4)}$ to
# the final answer: the codes in $q^{(3)}$ were inferred under $\theta^{(3)}$, and $\theta_{MLE}$'s latent axes need
# not line up with them (pPCA's $W$ is only defined up to a rotation of $z$). Maximising $L_b$
# with $q$ fixed is one step uphill, not the whole climb: EM has to alternate.
#
# ## 4. A VAE on the same model
# Now the VAE way. Keep the generative model — a **linear** decoder $\mu_\theta(z) = Wz + \mu$ with a
# learned scalar variance $\sigma^2$, i.e. exactly pPCA — but replace the E-step by an **encoder**
# network $q_\phi(z|x) = \mathcal N(\tilde\mu_\phi(x), \mathrm{diag}\,e^{\zeta_\phi(x)})$ (one hidden layer of 32),
# and train $\phi$ and $\theta$ *together* by minibatch gradient steps on a one-sample estimate of
# $-L_b$ (`vae_teach.nets.train`, β = 1). Because the decoder is pPCA, after every epoch we can still
# compute $\log p(\mathcal X;\theta)$, $L_b(\theta, q_\phi)$ and the gap **exactly** (`vae_teach.measure.linear_vae`).
# (The decoder starts at $\mu$ = mean image and $\sigma^2$ = mean pixel variance; $W$ is random.)

# %%
# NBVAL_IGNORE_OUTPUT
vae, tracker = linear_vae.train_linear_vae(X, m=m, epochs=40, lr=1e-2, hidden=(32,), seed=SEED)
vae_terms = tracker.arrays()

# %%
print("exact, per image        log p(X;θ)        L_b    KL gap")
print(f"EM after 30 steps   {h.log_lik_final / N:14.4f} {h.L_b_after_M[-1] / N:10.4f} "
      f"{(h.log_lik_final - h.L_b_after_M[-1]) / N:9.4f}   (before its next E-step)")
print(f"EM after E-step 30  {h.log_lik[-1] / N:14.4f} {h.L_b_after_E[-1] / N:10.4f} "
      f"{h.gap_after_E[-1] / N:9.4f}")
print(f"VAE after 40 epochs {vae_terms['log_lik'][-1] / N:14.4f} {vae_terms['L_b'][-1] / N:10.4f}"
      f" {vae_terms['gap'][-1] / N:9.4f}")

# %%
# NBVAL_CHECK_OUTPUT
vae_gap = vae_terms["gap"] / N                                   # nats per image, per epoch
claim(abs(vae_terms["log_lik"][-1] - log_lik_mle) / N < 0.5,
      "after 40 epochs the VAE's log p is within 0.5 nats per image of the maximum")
claim(np.all(vae_gap[len(vae_gap) // 2:] > 100 * h.gap_after_E.max() / N + 0.01),
      "over the second half of training the VAE's gap stays above 0.01 nats per image, "
      "where EM's E-step leaves none")

# %%
display(fig_em_vs_vae(h, vae_terms, N, log_lik_mle))

# %% [markdown]
# Both runs climb towards the same maximum. EM's bound is *on* $\log p$ after every E-step; the
# VAE's exact bound stays a visible distance below its exact $\log p$ for the whole run (right
# panel): its $q_\phi$ is never the exact posterior. That gap is what the VAE gives up for not
# having to compute $p(\mathcal Z|\mathcal X;\theta)$ — which for a non-linear decoder it could not.
#
# ### Where does the VAE's gap come from?
# Two restrictions make $q_\phi \ne p_\theta(\cdot|\mathcal X)$ (Cremer, Li & Duvenaud, 2018):
# * **approximation**: $q_\phi$ is *diagonal*, the posterior covariance $\sigma^2P^{-1}$ need not be. The
#   best diagonal Gaussian for one $x$ has the posterior mean and variances $1/\Lambda_{jj}$
#   ($\Lambda = P/\sigma^2$ the posterior precision); its KL is $\tfrac12(\sum_j\log\Lambda_{jj} - \log|\Lambda|)$.
# * **amortisation**: one network $\tilde\mu_\phi, \zeta_\phi$ serves all $x$, instead of the best $q$ per $x$.

# %%
parts = linear_vae.gap_decomposition(vae, X)
for name in ["total", "approximation", "amortisation"]:
    print(f"{name:14s} {parts[name] / N:8.4f} nats per image")

# %%
# NBVAL_CHECK_OUTPUT
claim(abs(parts["approximation"] + parts["amortisation"] - parts["total"]) < 1e-9 * N,
      "approximation + amortisation = total gap")
claim(parts["amortisation"] > 10 * parts["approximation"],
      "amortisation is more than 10 times the approximation gap")

# %% [markdown]
# Almost all of the gap is amortisation: the VAE has learned a $W$ whose posterior is nearly
# diagonal (a known property of linear VAEs), but its encoder network has not yet learned the
# exact (linear) map $x \mapsto P^{-1}W^T(x-\mu)$.
#
# ### The slide's "≈ Q" for the VAE's $q_\phi$
# With the VAE's own $q_\phi$ instead of the exact posterior at $\theta^{(t)}$ = the VAE's $\theta$, the
# M-step objective $\mathbb E_{q_\phi}[\log p(\mathcal X,\mathcal Z;\theta)]$ is only *approximately* $Q(\theta|\theta^{(t)})$. How
# approximately, and does an exact M-step with either $q$ still increase $\log p$?

# %%
r = linear_vae.amortised_m_step_check(vae, X)
print(f"at θ(t):  Q(θ|θ(t)) = {r['Q_at_theta_t'] / N:.4f},  E_qφ[log p(X,Z;θ)] = "
      f"{r['Eq_phi_at_theta_t'] / N:.4f}  nats per image")
print(f"log p(X; θ(t))                          {r['log_lik_theta_t'] / N:.4f}")
print(f"log p after an M-step with exact q      {r['log_lik_after_em_m_step'] / N:.4f}")
print(f"log p after an M-step with the VAE's q  {r['log_lik_after_q_phi_m_step'] / N:.4f}")

# %%
# NBVAL_CHECK_OUTPUT
rise_em = r["log_lik_after_em_m_step"] - r["log_lik_theta_t"]
rise_phi = r["log_lik_after_q_phi_m_step"] - r["log_lik_theta_t"]
claim(abs(r["Q_at_theta_t"] - r["Eq_phi_at_theta_t"]) / N < 1,
      "the two M-step objectives differ by less than a nat per image")
claim(rise_em > 0 and rise_phi > 0, "an M-step with either q raises log p")
claim(abs(rise_em - rise_phi) < 0.5 * max(rise_em, rise_phi),
      "… by amounts within a factor of 2 of each other")

# %% [markdown]
# The two objectives differ by a fraction of a nat per image, and a closed-form M-step with
# either $q$ raises $\log p$ by about the same amount. Only EM's $q$ comes with a *guarantee*
# (the E-step made the bound tight, so raising it raises $\log p$); with $q_\phi$ the bound
# could, in principle, rise while $\log p$ falls.
#
# ## 5. The VAE's E-step and M-step, one at a time
# The slide's right column reads the VAE as EM with two approximate steps:
# * **E-step**: *adjust $q_\phi$ to decrease* $\mathrm{KL}(q_\phi(\cdot|\mathcal X)\,\|\,p_{\theta^{(t)}}(\cdot|\mathcal X))$, so that
#   $q_\phi \approx p_{\theta^{(t)}}(\cdot|\mathcal X)$;
# * **M-step**: *fix $q_\phi$ and adjust $p_\theta$* to increase $L_b$.
#
# Section 4 did both at once. Here we separate them, starting from the same $\theta^{(t)}$ as EM:
# $\theta^{(3)}$, EM's third iterate (section 3). The VAE gets a fresh encoder (the same
# architecture as in section 4) and a decoder that *is* $\theta^{(3)}$
# (`vae_teach.measure.e_step`). Its E-step trains $\phi$ only — 400 Adam steps on minibatches of
# 100, 40 passes over the data — while $\theta$ stays fixed, so $\log p(\mathcal X;\theta)$ is constant and
# every rise of $L_b$ is a fall of the KL, which we compute exactly every 10 steps:
# $$\mathrm{KL}\big(q_\phi \,\|\, p_\theta(\cdot|\mathcal X)\big) = \log p(\mathcal X;\theta) - L_b(\theta, q_\phi).$$
# Where the KL levels off (its *floor*, the mean over the last quarter of the steps) has two parts:
# the **approximation gap**, the KL of the best diagonal Gaussian for each $x$ separately (closed
# form, section 4), and the **amortisation gap**, what one encoder for all $x$ adds on top.
#
# ### Exercise 1 — predict: does the VAE's E-step close the gap?
# EM's E-step leaves a KL of exactly 0 (section 2). Before you run the next cell, predict where
# the VAE's E-step KL levels off: `"zero"`, `"the approximation gap"`, or
# `"above the approximation gap"`.

# %% tags=["solution"]
def my_e_step_prediction():
    """One of "zero", "the approximation gap", "above the approximation gap"."""
    ### BEGIN SOLUTION
    return "above the approximation gap"
    ### END SOLUTION


# %%
# NBVAL_IGNORE_OUTPUT
theta_t = h.thetas[t]                                   # θ(3), as in section 3
e_run = e_step.train_encoder(e_step.vae_at_theta(theta_t, hidden=(32,), seed=SEED), X,
                             steps=400, lr=1e-2, seed=SEED)
approx_gap = e_step.approximation_gap(theta_t, X)
em_r = e_step.em_round(X, theta_t)
print(f"VAE E-step at θ(3): KL after 10 steps {e_run.kl[1]:.3f}, floor {e_run.floor:.4f} nats "
      f"per image")
print(f"  approximation gap {approx_gap:.5f} + amortisation gap "
      f"{e_run.floor - approx_gap:.4f}")
print(f"EM E-step at θ(3):  KL {em_r['kl_after_E']:.1e}")

# %%
check_e_step_gap(my_e_step_prediction, floor=e_run.floor, approximation=approx_gap);

# %%
# NBVAL_CHECK_OUTPUT
claim(np.ptp(e_run.log_lik) < 1e-9 * abs(e_run.log_lik[0]),
      "during the E-step log p(X; θ) does not move: θ is fixed")
claim(e_run.floor < e_run.kl[1] / 20, "the E-step lowers the KL more than 20-fold")
claim(e_run.floor > 0.02 and e_run.floor > 20 * approx_gap,
      "but it levels off above 0.02 nats per image, more than 20 times the approximation gap")
claim(abs(em_r["kl_after_E"]) < 1e-8, "EM's E-step from the same θ leaves a KL of 0")

# %% [markdown]
# The KL falls fast and then stops: the VAE's E-step does **not** reach 0, nor even the best
# diagonal $q$. At $\theta^{(3)}$ the exact posterior is almost uncorrelated, so the approximation
# gap is tiny; nearly all of the floor is amortisation — one network, trained on one-sample
# estimates of the gradient, for a thousand different $x$.
#
# Now the **M-step**: fix $\phi$ and train $\theta = (W, \mu, \sigma^2)$ only, 200 steps. Its target
# is the exact maximiser of $L_b(\theta, q_\phi)$ over $\theta$, `em.m_step` with the VAE's $q_\phi$ in
# place of the posterior. EM does its own round from the same $\theta^{(3)}$: exact E-step, exact
# M-step, to $\theta^{(4)}$.

# %%
# NBVAL_IGNORE_OUTPUT
m_run = e_step.train_decoder(e_run.model, X, steps=200, lr=3e-2, seed=SEED + 1)
theta_cf = em.m_step(X, *linear_vae.encoder_q(e_run.model, X))
log_lik_cf = theta_cf.log_likelihood(X) / N
rows = [("θ(3), after EM's E-step", em_r["log_lik"], em_r["L_b_after_E"]),
        ("θ(3), after the VAE's E-step", e_run.log_lik[-1], e_run.L_b[-1]),
        ("VAE: E-step, then 200 M steps", m_run.log_lik[-1], m_run.L_b[-1]),
        ("VAE: E-step, then exact M-step", log_lik_cf,
         em.lower_bound(X, theta_cf, *linear_vae.encoder_q(e_run.model, X)) / N),
        ("EM: E-step, then M-step", em_r["log_lik_after_M"], em_r["L_b_after_M"])]
print(f"{'nats per image':32s} {'log p':>10s} {'L_b':>10s}")
for name, lp, lb in rows:
    print(f"{name:32s} {lp:10.3f} {lb:10.3f}")

# %%
# NBVAL_CHECK_OUTPUT
rise_vae, rise_em = log_lik_cf - em_r["log_lik"], em_r["log_lik_after_M"] - em_r["log_lik"]
claim(m_run.log_lik[-1] > m_run.log_lik[0] and m_run.L_b[-1] > m_run.L_b[0],
      "the VAE's M-step raises both L_b and log p")
claim(abs(m_run.log_lik[-1] - log_lik_cf) < 0.1,
      "200 gradient steps bring log p within 0.1 nats per image of the exact M-step's")
claim(0.5 * rise_em < rise_vae < rise_em,
      "the VAE's round raises log p by less than EM's round, but by more than half as much")

# %%
display(fig_e_and_m_steps(e_run, m_run, em_r, approx_gap, log_lik_cf))

# %% [markdown]
# Left: during the VAE's E-step (θ fixed) $\log p$ is flat and $L_b$ climbs towards it but stays
# below; EM's E-step puts $L_b$ *on* $\log p$ (orange star). In the M-step both curves rise; the
# VAE ends close to the exact maximiser for its $q_\phi$ (dashed line), a little short of EM's
# round (black star), because it started from a looser bound. Right: the same E-step as a KL on
# a log axis, with its floor and the approximation gap as dashed lines.
#
# ### Exercise 2 — read the amortisation gap off the figure
# From the right panel alone, how large is the VAE's amortisation gap after its E-step, in nats
# per image? Return your reading (a rough one is fine: within 40 %).

# %% tags=["solution"]
def my_amortisation_gap():
    """The amortisation gap read off the right panel, nats per image."""
    ### BEGIN SOLUTION
    return 0.15
    ### END SOLUTION


# %%
check_amortisation_gap(my_amortisation_gap, floor=e_run.floor, approximation=approx_gap,
                       kl_start=e_run.kl[1], N=N);

# %% [markdown]
# ## 6. Exact numbers and estimates
# Everything above is **exact** (closed form, float64). In a real VAE (non-linear decoder)
# $\log p$ and even $L_b$ are only available as **Monte-Carlo estimates**. On this model we can see
# how good they are: the plain MC estimate of $L_b$ (with its standard error) and the IWAE bound
# $L_k = \mathbb E\big[\log\frac1k\sum_{s=1}^k p(x,z_s)/q(z_s|x)\big]$, which rises from $L_1 = L_b$ towards
# $\log p$ as $k$ grows (Burda et al.). For section 4's VAE, four independent estimates of each
# $L_k$ (float32, through the torch model):

# %%
x = torch.from_numpy(X.astype(np.float32))
gen = torch.Generator().manual_seed(SEED)
mc, se = (v.item() / N for v in objectives.L_b_monte_carlo(vae, x, n_samples=100, generator=gen))
curve = e_step.iwae_curve(vae, X, ks=(1, 2, 5, 10, 50, 200), repeats=4, seed=SEED)
print(f"L_b     exact {curve['L_b']:10.4f}   MC estimate (100 draws) {mc:10.4f} ± {se:.4f}")
print("k      " + "".join(f"{k:>10d}" for k in curve["k"]))
print("L_k    " + "".join(f"{v:10.4f}" for v in curve["L_k"]))
print("± s.e. " + "".join(f"{v:10.4f}" for v in curve["se"]))
print(f"log p   exact {curve['log_lik']:10.4f}")

# %%
# NBVAL_CHECK_OUTPUT
L_k, noise = curve["L_k"], 4 * curve["se"] + 0.005      # 4 s.e. plus float32 rounding
claim(abs(mc - curve["L_b"]) < 4 * se, "the MC estimate of L_b is within 4 standard errors of "
      "the exact L_b")
claim(abs(L_k[0] - curve["L_b"]) < noise[0], "L_1 is L_b, up to its Monte-Carlo noise")
claim(np.all(np.diff(L_k) > -(noise[:-1] + noise[1:])), "L_k never falls as k grows, up to noise")
claim(L_k[-1] < curve["log_lik"] + noise[-1] and L_k[-1] > curve["L_b"],
      "L_b < L_200 ≤ log p, up to Monte-Carlo noise")
claim(L_k[-1] - curve["L_b"] > 0.5 * (curve["log_lik"] - curve["L_b"]),
      "L_200 recovers more than half of the gap")

# %% [markdown]
# The estimates bracket correctly: $L_1 = L_b \le L_k \le \log p$ up to their Monte-Carlo noise,
# $L_k$ climbs with $k$, and $L_{200}$ recovers more than half of the gap. On a real VAE only
# the estimate row exists; "log p" in a paper's table is usually such an IWAE estimate.
#
# ## Exercises
# ### Exercise 3 — find the slip in an M-step
# For fixed $W, \mu$ and $q_n = \mathcal N(a_n, S_n)$, the $\sigma^2$ that maximises
# $\mathbb E_q[\log p(\mathcal X,\mathcal Z;\theta)]$ is the expected squared error per pixel. A colleague
# wrote the function below; `em.m_step` disagrees with it (try it: the next cell compares the two
# on EM's own $q^{(3)}$). Find the slip and write a corrected `my_sigma2_update`
# (`q_mean` (N, m), `q_cov` (N, m, m)). Why does the slip always make $\sigma^2$ too *small*?

# %%
def colleagues_sigma2_update(X, W, mu, q_mean, q_cov):
    """σ² for fixed W, μ and q_n = N(q_mean[n], q_cov[n]) — with a slip."""
    return np.sum((X - mu - q_mean @ W.T) ** 2) / X.size


q3 = em.e_step(X, theta_t)
q3_cov = np.broadcast_to(q3[1], (N, m, m))
theta4 = em.m_step(X, *q3)
print(f"em.m_step σ² = {theta4.sigma2:.4f};  colleague's σ² with W, μ of the same M-step = "
      f"{colleagues_sigma2_update(X, theta4.W, theta4.mu, q3[0], q3_cov):.4f}")

# %% tags=["solution"]
def my_sigma2_update(X, W, mu, q_mean, q_cov):
    """σ² maximising E_q[log p(X, Z; W, μ, σ²)] for fixed W, μ; a float."""
    ### BEGIN SOLUTION
    sq = np.sum((X - mu - q_mean @ W.T) ** 2) + np.trace(W.T @ W @ q_cov.sum(axis=0))
    return sq / X.size
    ### END SOLUTION


# %%
check_sigma2_update(my_sigma2_update);

# %% [markdown]
# ## Summary
# * EM on pPCA: the E-step sets $q$ to the exact posterior, so $L_b = \log p$ (measured: relative
#   difference ≤ 1e-8, the KL computed directly is 0); the M-step raises $Q$ at every step, and
#   $\log p$ never decreases.
# * With $q$ fixed, $L_b(\theta) - \mathbb E_q[\log p(\mathcal X,\mathcal Z;\theta)] = H(q)$ for every $\theta$: maximising one is
#   maximising the other, and with $q$ the exact posterior the second *is* $Q(\theta|\theta^{(t)})$.
# * A VAE with the same generative model replaces the E-step by an encoder; trained jointly with
#   the decoder (section 4) its amortised diagonal $q_\phi$ leaves a KL gap, and its M-step
#   objective is only ≈ $Q$.
# * The VAE's own E-step (section 5: θ fixed, φ trained) lowers the KL more than 20-fold but levels
#   off above 0: the approximation gap (the diagonal family) is tiny on this model, the
#   amortisation gap (one encoder for all $x$) is most of the floor. Its M-step then raises
#   $\log p$ by more than half as much as EM's round from the same $\theta$.
# * Exact vs estimated: on pPCA all of $\log p$, $L_b$, KL are exact; MC-ELBO and IWAE's $L_k$,
#   which climbs from $L_b$ towards $\log p$ as $k$ grows, are the estimates one must use for a real VAE.
#
# *References:* Dempster, Laird & Rubin (1977), EM; Tipping & Bishop, *Probabilistic PCA* (1999);
# Neal & Hinton, *A view of the EM algorithm…* (1998); Cremer, Li & Duvenaud, *Inference
# suboptimality in VAEs* (2018); Burda et al., *Importance weighted autoencoders* (2016).
