# %% [markdown]
# # Variational Autoencoders, slide by slide
#
# An interactive companion to Pei-Yuan Wu's lecture **Variational Autoencoder** (National Taiwan
# University). Each notebook follows a part of the slides, uses the slides' symbols, and checks
# every step of the derivation *numerically* — including the steps where the slides slip.
#
# ## Learning goals of the collection
# After working through the notebooks you will be able to
# 1. **explain** why a VAE, unlike an autoencoder, gives a latent space you can sample from;
# 2. **derive** the lower bound `log p(X) = L_b + KL(q ‖ p(Z|X))` and **measure** its gap;
# 3. **compute** the closed form of `L_b` for Gaussian encoders and decoders, line by line;
# 4. **train** a VAE in PyTorch with the slides' loss `L_VAE` and **evaluate** it in nats;
# 5. **explore** a trained latent space with interactive widgets.

# %% [markdown]
# ## How to run
# * `make lab` opens this collection in JupyterLab; `make test` runs every test and notebook.
# * Run a notebook top to bottom (*Run → Run All Cells*). Each runs in under 30 seconds on a laptop
#   CPU: the models are small and ship pretrained (`make weights` retrains them).
# * Exercises: complete the function in the cell marked *Exercise*, run the checker cell below it;
#   it answers ✓ correct, … not yet solved, or ✗ wrong with a hint. `make student` builds a copy
#   with the solutions removed.
# * Lecturers: [the 2-hour class plan](../docs/lecturer.md); every notebook is also a slide deck
#   for a 1280×720 projector (command palette → *Render as Reveal Slideshow*, jupyterlab-rise), and
#   `make demo` starts the latent-space explorer as a Voilà app.

# %% [markdown]
# ## Map of the collection
# The table below is generated from `vae_teach.course`, the same list the README uses.

# %%
from IPython.display import Markdown

from vae_teach import __version__
from vae_teach.course import CONTENTS, contents_markdown, notation_markdown

Markdown(contents_markdown())

# %% [markdown]
# ## Self-study path
# Work through the notebooks in order. Prerequisites: Python and NumPy, the multivariate Gaussian,
# Bayes' rule, and what a neural network and gradient descent are. Notebooks 03, 04, 06 and 07
# need only NumPy/SciPy; 01, 02, 05 and 08–12 use PyTorch.

# %%
# NBVAL_CHECK_OUTPUT
total = sum(part.minutes for part in CONTENTS)
print(f"vae_teach {__version__}: {len(CONTENTS)} notebooks, about {total / 60:.1f} hours")

# %% [markdown]
# ## Notation: slide symbol ↔ code name

# %%
Markdown(notation_markdown())

# %% [markdown]
# ## Summary
# Start with [01_autoencoder_vs_vae](01_autoencoder_vs_vae.ipynb). Where a slide contains a
# mistake, the notebook says so at that step, shows the numbers, and gives the corrected line.
