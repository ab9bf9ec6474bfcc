"""Exercise checkers with hints, one module per topic; see ``_core`` for the verdicts.

Usage in a notebook::

    from vae_teach.exercises import check_regulariser
    check_regulariser(my_regulariser)   # prints ✓ correct / … not yet solved / ✗ wrong + hint
"""
from ._core import CORRECT, NOT_SOLVED, WRONG, CheckResult, check_function, check_value

__all__ = ["CORRECT", "NOT_SOLVED", "WRONG", "CheckResult", "check_function", "check_value"]

# Topic modules register their checkers below (each exports its own ``__all__``).
from .lemma import *  # noqa: E402,F401,F403  (notebook 07: the Gaussian lemma)
from .closed_form import *  # noqa: E402,F401,F403  (notebook 08: closed form of L_b)
from .vae_loss import *  # noqa: E402,F401,F403  (notebook 09: L_VAE, training, IWAE)
from .elbo_exact import *  # noqa: E402,F401,F403  (notebooks 03, 04, 06: MLE, L_b, minibatches)
from .loss_intuition import *  # noqa: E402,F401,F403  (notebook 02: the regulariser, code moments)
from .explorer import *  # noqa: E402,F401,F403  (notebook 10: latent-space explorer)
from .ae_vs_vae import *  # noqa: E402,F401,F403  (notebook 01: reparameterisation, sample quality)
from .vae_vs_em import *  # noqa: E402,F401,F403  (notebook 05: E-step, H(q), σ² M-step)
