"""vae_teach — the helper package behind the vae-teach notebooks.

Follows Pei-Yuan Wu's VAE lecture slide by slide. The numpy/scipy modules (``gaussian``,
``ppca``, ``em``) never import torch, so ``import vae_teach`` stays fast; the torch modules
(``model``, ``elbo``, ``train``, ``evaluate``, ``pretrained``) are imported on demand.
"""
__version__ = "0.1.0"
