"""Data sets, as numpy arrays: sklearn's 8×8 digits, 2-D toy sets, MNIST from IDX files.

``digits`` (the fixed train / val / test split and pixel scales), ``toys`` (moons, rings),
``mnist`` (the MD5-checked gzip IDX reader). No torch, no matplotlib.
"""
