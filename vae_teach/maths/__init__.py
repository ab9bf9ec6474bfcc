"""The mathematics of the lecture, exact where it can be: numpy and scipy only.

No torch, no matplotlib: every formula here can be checked against a closed form or a
quadrature, and the notebooks 03, 04, 06 and 07 run on it alone. One module per idea:
``gaussian`` (log N, KL, entropy, log 2π, log-determinant), ``lemma`` (the slide's Gaussian
lemma), ``ppca`` (the one linear-Gaussian model), ``marginal`` and ``quadrature`` (p_θ(x) by
grid / Monte Carlo / closed form), ``mle``, ``bound`` (exact L_b and its gap), ``em``,
``factorise`` and ``minibatch`` (independent samples), ``regulariser``, ``vae_loss``
(L_VAE ↔ L_b, β), ``prior`` (N(0, I) in latent space) and ``lines`` (a slide line as a number).
"""
