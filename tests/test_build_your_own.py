"""nets.handwritten: weights move between hand-written modules and the package's VAE."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from vae_teach.nets.handwritten import as_state_dict_of, output_gap
from vae_teach.nets.model import VAE


class Encoder2(nn.Module):
    """A hand-written encoder with two hidden layers, flat names."""

    def __init__(self, M, m, h):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(M, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU())
        self.mu_head = nn.Linear(h, m)
        self.zeta_head = nn.Linear(h, m)

    def forward(self, x):
        hidden = self.body(x)
        return self.mu_head(hidden), self.zeta_head(hidden)


class Decoder2(nn.Module):
    def __init__(self, M, m, h):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(m, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU(),
                                 nn.Linear(h, M))

    def forward(self, z):
        return self.net(z)


class Encoder1(Encoder2):
    """One hidden layer, as notebook 11 writes it."""

    def __init__(self, M, m, h):
        super().__init__(M, m, h)
        self.body = nn.Sequential(nn.Linear(M, h), nn.ReLU())


class OneHead(nn.Module):
    def __init__(self, M, m, h):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(M, h), nn.ReLU())
        self.head = nn.Linear(h, 2 * m)


def test_deeper_bodies_match_layer_by_layer_in_order():
    vae = VAE(20, 3, hidden=[7, 7], decoder="gaussian", seed=5)
    enc, dec = Encoder2(20, 3, 7), Decoder2(20, 3, 7)
    names = as_state_dict_of(enc, vae.encoder)
    assert list(names) == list(vae.encoder.state_dict())           # the package's names
    enc.load_state_dict(as_state_dict_of(vae.encoder, enc))
    dec.load_state_dict(as_state_dict_of(vae.decoder, dec))
    assert output_gap(enc, dec, vae, torch.rand(4, 20)) == 0.0


def test_the_copy_is_detached_from_the_source():
    vae = VAE(20, 3, hidden=[7], decoder="gaussian", seed=5)
    copied = as_state_dict_of(vae.decoder, vae.decoder)
    copied["net.0.weight"].zero_()
    assert vae.decoder.net[0].weight.abs().sum() > 0


def test_mismatches_name_the_parameter_and_the_fix():
    vae = VAE(784, 8, hidden=[200], decoder="gaussian")
    with pytest.raises(ValueError, match=r"body\.0\.0\.weight.*\(200, 784\).*layer sizes differ"):
        as_state_dict_of(vae.encoder, Encoder1(784, 8, 100))
    with pytest.raises(ValueError, match="lacks"):
        as_state_dict_of(OneHead(784, 8, 200), vae.encoder)
    with pytest.raises(ValueError, match="lacks"):
        as_state_dict_of(Encoder2(784, 8, 200), vae.encoder)      # one hidden layer too many
    with pytest.raises(TypeError, match="nn.Module"):
        as_state_dict_of("encoder", vae.encoder)
    with pytest.raises(TypeError, match="nn.Module"):
        output_gap(None, vae.decoder, vae, torch.rand(2, 784))
