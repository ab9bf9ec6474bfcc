"""Pictures: numbers in, a matplotlib ``Figure`` out (built without pyplot).

Never trains, never loads a file, never imports torch: a figure function takes arrays (or a
``maths`` object such as a pPCA) and draws them. ``style`` (one look), ``images`` (tiling, PNG
bytes), ``latent`` (latent maps, code traces, sample grids), ``lecture`` (the slides' pictures),
``bounds``, ``em``, ``vae_loss``, ``lemma``.
"""
