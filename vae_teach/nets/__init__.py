"""The torch side: the VAE and AE modules, their objectives, training and checkpoints.

``model`` (encoder, decoders, reparameterisation), ``objectives`` (L_VAE, L_b in closed form and
by Monte Carlo, IWAE), ``train`` (the training loop), ``checkpoints`` (SHA-256-checked files),
``evaluate`` (per-image bounds on a data set), ``pretrained`` (the shipped models and their
weights/), ``threads`` (how many CPU threads torch may use), ``handwritten`` (weights both
ways between the VAE a learner writes in notebook 11 and the package's). Never imports
matplotlib or ipywidgets.
"""
