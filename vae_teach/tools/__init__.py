"""Command lines of the repository: ``python -m vae_teach.tools.<name>``.

``nbbuild`` (notebooks from notebooks/_src), ``student`` (the student copy), ``demo`` (the Voilà
app), ``figures`` (the lecture's pictures into figures/), ``weights`` (retrain the pretrained
models). They may import any layer; no layer imports them.
"""
