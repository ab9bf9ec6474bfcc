"""vae_teach — the helper package behind the vae-teach notebooks (Pei-Yuan Wu's VAE lecture).

The folders are the layers; imports point one way, down this picture::

    tools/      command lines (nbbuild, student, demo, figures, weights) → may import anything
    exercises/  checkers, one module per notebook                        → maths, nets, measure, data
    widgets/    ipywidgets, headless-testable                            → viz, measure, maths
    viz/        matplotlib: numbers in, Figure out                       → maths
    measure/    a trained torch model in, numpy numbers out              → nets, maths, data
    nets/       torch: model, objectives, train, checkpoints, pretrained → maths, data
    maths/      numpy + scipy: every formula of the lecture, exact where it can be
    data/       numpy arrays: digits, toy sets, MNIST IDX files
    _checks, claims, course   shared by every layer (input checks, claims, the course map)

Rules behind the arrows (a test reads every module's imports, those inside functions too):
``maths/`` and ``data/`` never import torch or matplotlib, so the maths notebooks run without
torch; ``nets/`` and ``measure/`` never import matplotlib or ipywidgets; ``viz/`` never trains,
loads files or imports torch — it draws arrays that ``measure/`` computed; nothing imports
``tools/``. ``nets → data`` is allowed because a pretrained model knows the data it was trained
on. Every formula the course teaches lives once, in ``maths/`` (torch versions in ``nets/``
call the same expressions), and everything else calls it.
"""

__version__ = "0.1.0"
