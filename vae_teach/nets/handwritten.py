"""Weights both ways between a VAE written by hand (notebook 11) and the package's VAE.

A hand-written encoder with ``body = Sequential(Linear(M, h), ReLU())``, ``mu_head`` and
``zeta_head`` (x (N, M) ↦ (μ̃, ζ), both (N, m)) has exactly the parameters of the package's
``Encoder(M, m, [h])``, with one naming difference: the package builds its hidden layers for
any depth as a Sequential inside ``body``, so its first weight is ``body.0.0.weight`` where the
hand-written one is ``body.0.weight``. A hand-written decoder ``net = Sequential(Linear(m, h),
ReLU(), Linear(h, M))`` has the names of ``GaussianDecoder(M, m, [h])`` already.

* :func:`as_state_dict_of` — ``target.load_state_dict(as_state_dict_of(src, target))`` copies
  src's weights into target when the two have the same layers, whatever the nesting;
* :func:`output_gap` — the largest difference between a hand-written (encoder, decoder) pair
  and a package VAE on the same images: μ̃, ζ and the decoder mean μ_θ(μ̃).
"""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn


__all__ = ["as_state_dict_of", "output_gap"]


def _skeleton(name: str) -> str:
    """'body.0.0.weight' → 'body.weight': the name without the Sequential indices."""
    return ".".join(part for part in name.split(".") if not part.isdigit())


def _check_module(module, name: str) -> None:
    if not isinstance(module, nn.Module):
        raise TypeError(f"{name} must be a torch nn.Module (an encoder or decoder), got "
                        f"{type(module).__name__}.")


def as_state_dict_of(src: nn.Module, target: nn.Module) -> OrderedDict:
    """src's parameters and buffers under target's names, for ``target.load_state_dict``.

    Names are matched exactly where they agree, else by their skeleton (the name without
    Sequential indices: ``body.0.weight`` ↔ ``body.0.0.weight``), in the order the layers were
    defined; every matched pair must have the same shape. Raises one ValueError naming the
    first parameter without a partner or with another shape.
    """
    _check_module(src, "src")
    _check_module(target, "target")
    s, t = src.state_dict(), target.state_dict()
    if list(s) == list(t):
        pairs = list(zip(s, t))
    else:
        pool: dict[str, list[str]] = {}
        for name in s:
            pool.setdefault(_skeleton(name), []).append(name)
        pairs = []
        for name in t:
            candidates = pool.get(_skeleton(name), [])
            if not candidates:
                raise ValueError(
                    f"{type(target).__name__} has a parameter {name!r} that "
                    f"{type(src).__name__} lacks (it has {list(s)}); give both modules the "
                    f"same layers with the same names")
            pairs.append((candidates.pop(0), name))
        left = [name for names in pool.values() for name in names]
        if left:
            raise ValueError(f"{type(src).__name__} has parameters {left} that "
                             f"{type(target).__name__} lacks (it has {list(t)}); give both "
                             f"modules the same layers")
    for a, b in pairs:
        if s[a].shape != t[b].shape:
            raise ValueError(f"{type(src).__name__}.{a} has shape {tuple(s[a].shape)} but "
                             f"{type(target).__name__}.{b} has {tuple(t[b].shape)}: the layer "
                             f"sizes differ")
    return OrderedDict((b, s[a].detach().clone()) for a, b in pairs)


@torch.no_grad()
def output_gap(encoder: nn.Module, decoder: nn.Module, vae, x: torch.Tensor) -> float:
    """max |difference| of μ̃, ζ (N, m) and μ_θ(μ̃) (N, M) between ``encoder``/``decoder`` and
    the package ``vae`` on images x (N, M); 0.0 when they compute the same functions."""
    _check_module(encoder, "encoder")
    _check_module(decoder, "decoder")
    mu_a, zeta_a = encoder(x)
    mu_b, zeta_b = vae.encode(x)
    gaps = [(mu_a - mu_b).abs().max(), (zeta_a - zeta_b).abs().max(),
            (decoder(mu_a) - vae.decode(mu_b)).abs().max()]
    return float(max(gaps))
