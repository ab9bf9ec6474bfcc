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
# 4. **tell** exact numbers from Monte-Carlo estimates (ELBO, IWAE).
#
# *Time: about 35 minutes. Trains one tiny VAE for a few seconds.*

# %%
# %matplotlib inline
import numpy as np
import torch
from IPython.display import display

from vae_teach.claims import claim
from vae_teach.data.digits import load_digits_split
from vae_teach.exercises import check_e_step, check_entropy_q, check_sigma2_update
from vae_teach.maths import em
from vae_teach.maths.ppca import PPCA
from vae_teach.measure import linear_vae
from vae_teach.nets import objectives
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
# ## 5. Exact numbers and estimates
# Everything above is **exact** (closed form, float64). In a real VAE (non-linear decoder)
# $\log p$ and even $L_b$ are only available as **Monte-Carlo estimates**. On this model we can see
# how good they are: the plain MC estimate of $L_b$ (with its standard error) and the IWAE bound
# $L_k = \mathbb E\big[\log\frac1k\sum_{s=1}^k p(x,z_s)/q(z_s|x)\big]$, which rises from $L_1 = L_b$ towards
# $\log p$ as $k$ grows. (These run in float32 through the torch model.)

# %%
x = torch.from_numpy(X.astype(np.float32))
gen = torch.Generator().manual_seed(SEED)
mc, se = (v.item() / N for v in objectives.L_b_monte_carlo(vae, x, n_samples=100, generator=gen))
exact = {k: v / N for k, v in linear_vae.exact_terms(vae, X).items()}
iwae = {k: objectives.iwae_bound(vae, x, k, generator=gen).item() / N for k in [1, 10, 100]}
print(f"L_b     exact {exact['L_b']:10.4f}   MC estimate (100 draws) {mc:10.4f} ± {se:.4f}")
for k, value in iwae.items():
    print(f"IWAE k = {k:<4d} estimate {value:10.4f}")
print(f"log p   exact {exact['log_lik']:10.4f}")

# %%
# NBVAL_CHECK_OUTPUT
gap, noise = exact["log_lik"] - exact["L_b"], 4 * se * np.sqrt(100)   # 4 s.e. of one draw
claim(abs(mc - exact["L_b"]) < 4 * se, "the MC estimate of L_b is within 4 standard errors of "
      "the exact L_b")
claim(abs(iwae[1] - exact["L_b"]) < noise, "L_1 is L_b, up to its Monte-Carlo noise")
claim(exact["L_b"] < iwae[10] < iwae[100] + noise and iwae[100] < exact["log_lik"] + noise,
      "L_b < L_10 ≤ L_100 ≤ log p, up to Monte-Carlo noise")
claim(iwae[100] - exact["L_b"] > 0.5 * gap, "L_100 recovers more than half of the gap")

# %% [markdown]
# The estimates bracket correctly: $L_b \le L_k \le \log p$ up to their Monte-Carlo noise, and
# $L_{100}$ recovers more than half of the gap. On a real VAE only the estimate column exists;
# "log p" in a paper's table is usually such an IWAE estimate.
#
# ## Exercises
# ### Exercise 1 — the E-step
# Return the exact pPCA posterior $p(z_n|x_n) = \mathcal N\big(P^{-1}W^T(x_n-\mu),\ \sigma^2P^{-1}\big)$,
# $P = W^TW + \sigma^2I$, as `(means (N, m), cov (m, m))`.

# %% tags=["solution"]
def my_e_step(X, W, mu, sigma2):
    ### BEGIN SOLUTION
    P = W.T @ W + sigma2 * np.eye(W.shape[1])
    means = np.linalg.solve(P, W.T @ (X - mu).T).T
    return means, sigma2 * np.linalg.inv(P)
    ### END SOLUTION


# %%
check_e_step(my_e_step);

# %% [markdown]
# ### Exercise 2 — the constant of section 3
# Return $H(q) = \sum_n \tfrac12\log\det(2\pi e\,S_n)$ for covariances `q_cov` of shape (N, m, m).

# %% tags=["solution"]
def my_entropy_q(q_cov):
    ### BEGIN SOLUTION
    m = q_cov.shape[-1]
    return float(np.sum(0.5 * (m * np.log(2 * np.pi * np.e) + np.linalg.slogdet(q_cov)[1])))
    ### END SOLUTION


# %%
check_entropy_q(my_entropy_q);

# %% [markdown]
# ### Exercise 3 — the M-step for $\sigma^2$
# For fixed $W, \mu$ and $q_n = \mathcal N(a_n, S_n)$, the $\sigma^2$ that maximises
# $\mathbb E_q[\log p(\mathcal X,\mathcal Z;\theta)]$ is the expected squared error per pixel. Write it
# (`q_mean` (N, m), `q_cov` (N, m, m)).

# %% tags=["solution"]
def my_sigma2_update(X, W, mu, q_mean, q_cov):
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
# * A VAE with the same generative model replaces the E-step by an encoder trained jointly with
#   the decoder; its amortised diagonal $q_\phi$ leaves a KL gap (almost all of it amortisation,
#   section 4), and its M-step objective is only ≈ $Q$.
# * Exact vs estimated: on pPCA all of $\log p$, $L_b$, KL are exact; MC-ELBO and IWAE are the
#   estimates one must use for a real VAE.
#
# *References:* Dempster, Laird & Rubin (1977), EM; Tipping & Bishop, *Probabilistic PCA* (1999);
# Neal & Hinton, *A view of the EM algorithm…* (1998); Cremer, Li & Duvenaud, *Inference
# suboptimality in VAEs* (2018); Burda et al., *Importance weighted autoencoders* (2016).
