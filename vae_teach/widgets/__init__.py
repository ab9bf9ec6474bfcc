"""Interactive widgets over ``viz`` and ``measure``, each usable headless (CI, nbval).

``explorer.LatentExplorer`` (the latent space of 2-D models), ``elbo_gap.ElboGapWidget``
(log p = L_b + KL on a 1-D latent, with a slider per q parameter).
"""
