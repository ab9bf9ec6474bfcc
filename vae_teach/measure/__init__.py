"""The bridge: a trained torch model in, numpy numbers out.

``codes`` (latent codes, decoded images, code statistics), ``holes`` (gaps in a 2-D latent
space and what the decoder makes of them), ``quality`` (is a decoded image a digit?),
``slide_lines`` (the slide's closed-form lines evaluated on a trained VAE), ``linear_vae``
(a VAE with a linear decoder = pPCA, so its bound is exact), ``experiments`` (training runs
that compare settings). The only place where ``nets`` and ``maths`` meet; no pictures.
"""
