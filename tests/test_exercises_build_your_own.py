"""Checkers of notebook 11 (build your own VAE): correct / not yet solved / wrong, slips named,
and the hand-written modules load the package's weights (and back)."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from exercise_helpers import assert_verdicts
from torch import nn

from vae_teach.exercises import (CORRECT, WRONG, all_correct, check_collapse_scale,
                                 check_decoder, check_encoder, check_L_VAE_torch,
                                 check_reparameterize, check_sum_vs_mean, check_training_step)
from vae_teach.nets.handwritten import as_state_dict_of, output_gap
from vae_teach.nets.model import VAE


# ----------------------------------------------------------------------------- right answers
class MyEncoder(nn.Module):
    def __init__(self, M, m, h):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(M, h), nn.ReLU())
        self.mu_head = nn.Linear(h, m)
        self.zeta_head = nn.Linear(h, m)

    def forward(self, x):
        hidden = self.body(x)
        return self.mu_head(hidden), self.zeta_head(hidden)


class MyDecoder(nn.Module):
    def __init__(self, M, m, h):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(m, h), nn.ReLU(), nn.Linear(h, M))

    def forward(self, z):
        return self.net(z)


def reparameterize(mu_tilde, zeta, eps):
    return mu_tilde + torch.exp(zeta / 2) * eps


def L_VAE(x, x_hat, mu_tilde, zeta):
    return ((x - x_hat) ** 2).sum() + (mu_tilde ** 2 + torch.exp(zeta) - (1 + zeta)).sum()


def step(encoder, decoder, optimiser, x, eps):
    mu_tilde, zeta = encoder(x)
    loss = L_VAE(x, decoder(reparameterize(mu_tilde, zeta, eps)), mu_tilde, zeta)
    optimiser.zero_grad()
    loss.backward()
    optimiser.step()
    return loss.item()


# ----------------------------------------------------------------------------- slips
class EncoderReluHeads(MyEncoder):
    def forward(self, x):
        return tuple(torch.relu(t) for t in super().forward(x))


class EncoderSigma2(MyEncoder):
    def forward(self, x):
        mu, zeta = super().forward(x)
        return mu, zeta.exp()


class EncoderOneHead(nn.Module):            # another structure: cannot take the weights
    def __init__(self, M, m, h):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(M, h), nn.ReLU())
        self.head = nn.Linear(h, 2 * m)

    def forward(self, x):
        return self.head(self.body(x)).chunk(2, dim=-1)


class DecoderSigmoid(MyDecoder):
    def forward(self, z):
        return torch.sigmoid(self.net(z))


def reparameterize_exp_zeta(mu_tilde, zeta, eps):
    return mu_tilde + torch.exp(zeta) * eps


def reparameterize_numpy(mu_tilde, zeta, eps):
    mu, zeta, eps = (t.detach().numpy() for t in (mu_tilde, zeta, eps))
    return torch.from_numpy(mu + np.exp(zeta / 2) * eps)


def L_VAE_mean(x, x_hat, mu_tilde, zeta):
    return L_VAE(x, x_hat, mu_tilde, zeta) / x.shape[0]


def L_VAE_half_kl(x, x_hat, mu_tilde, zeta):
    return ((x - x_hat) ** 2).sum() + 0.5 * (mu_tilde ** 2 + zeta.exp() - 1 - zeta).sum()


def L_VAE_sign(x, x_hat, mu_tilde, zeta):
    return ((x - x_hat) ** 2).sum() - (mu_tilde ** 2 + zeta.exp() - 1 - zeta).sum()


def L_VAE_item(x, x_hat, mu_tilde, zeta):
    return torch.tensor(L_VAE(x, x_hat, mu_tilde, zeta).item())


def step_no_zero_grad(encoder, decoder, optimiser, x, eps):
    mu_tilde, zeta = encoder(x)
    loss = L_VAE(x, decoder(reparameterize(mu_tilde, zeta, eps)), mu_tilde, zeta)
    loss.backward()
    optimiser.step()
    return loss.item()


def step_zero_grad_late(encoder, decoder, optimiser, x, eps):
    mu_tilde, zeta = encoder(x)
    loss = L_VAE(x, decoder(reparameterize(mu_tilde, zeta, eps)), mu_tilde, zeta)
    loss.backward()
    optimiser.zero_grad()
    optimiser.step()
    return loss.item()


def step_exp_zeta(encoder, decoder, optimiser, x, eps):
    mu_tilde, zeta = encoder(x)
    loss = L_VAE(x, decoder(reparameterize_exp_zeta(mu_tilde, zeta, eps)), mu_tilde, zeta)
    optimiser.zero_grad()
    loss.backward()
    optimiser.step()
    return loss.item()


def step_zero_grad_at_end(encoder, decoder, optimiser, x, eps):    # also right
    mu_tilde, zeta = encoder(x)
    loss = L_VAE(x, decoder(reparameterize(mu_tilde, zeta, eps)), mu_tilde, zeta)
    loss.backward()
    optimiser.step()
    optimiser.zero_grad()
    return loss


CASES = [
    (check_encoder, MyEncoder, EncoderReluHeads, "a ReLU after the heads"),
    (check_encoder, MyEncoder, EncoderSigma2, "returning σ̃² = exp(ζ) instead of ζ"),
    (check_reparameterize, reparameterize, reparameterize_exp_zeta,
     "exp(ζ) instead of exp(ζ/2)"),
    (check_decoder, MyDecoder, DecoderSigmoid, "a sigmoid on the output"),
    (check_L_VAE_torch, L_VAE, L_VAE_mean, "a mean over the minibatch"),
    (check_L_VAE_torch, L_VAE, L_VAE_half_kl, "a ½ on the regulariser"),
    (check_L_VAE_torch, L_VAE, L_VAE_sign, "the regulariser's sign flipped"),
    (check_training_step, step, step_no_zero_grad, "no zero_grad"),
    (check_training_step, step, step_zero_grad_late, "the weights never move"),
    (check_training_step, step, step_exp_zeta, "exp(ζ) instead of exp(ζ/2) in the sample"),
]


@pytest.mark.parametrize("checker,right,wrong,slip", CASES,
                         ids=[f"{c[0].__name__}-{c[3][:20]}" for c in CASES])
def test_checker_verdicts_and_slips(checker, right, wrong, slip, capsys):
    assert_verdicts(checker, right, wrong, slip=slip)
    assert "wrong" in capsys.readouterr().out


def test_other_structures_and_broken_graphs_are_wrong_with_a_reason():
    bad = check_encoder(EncoderOneHead, verbose=False)
    assert bad.status == WRONG and "head" in bad.message
    cut = check_reparameterize(reparameterize_numpy, verbose=False)
    assert cut.status == WRONG and "no gradient can flow" in cut.message
    detached = check_L_VAE_torch(L_VAE_item, verbose=False)
    assert detached.status == WRONG and "not connected" in detached.message


def test_zero_grad_at_the_end_and_a_tensor_loss_are_accepted():
    assert check_training_step(step_zero_grad_at_end, verbose=False).status == CORRECT


def test_sum_vs_mean_prediction_uses_the_measurement():
    same = dict(mine=100.0, package=100.4)
    assert check_sum_vs_mean(lambda: "about the same", **same, verbose=False).status == CORRECT
    worse = check_sum_vs_mean(lambda: "clearly worse", **same, verbose=False)
    assert worse.status == WRONG and "only rescales" in worse.message
    assert check_sum_vs_mean(lambda: "clearly worse", mine=110.0, package=100.0,
                             verbose=False).status == CORRECT


def test_sum_vs_mean_measures_when_not_given():
    """The small run of its own: the two losses agree (Adam cancels the factor 2B)."""
    assert check_sum_vs_mean(lambda: "about the same", verbose=False).status == CORRECT


def test_collapse_scale_is_checked_by_training():
    assert_verdicts(lambda fn: check_collapse_scale(fn, n=2000, epochs=3, verbose=False),
                    lambda: 0.25, lambda: 2.0)
    wrong = check_collapse_scale(lambda: 2.0, n=2000, epochs=3, verbose=False)
    assert "opposite direction" in wrong.message
    assert check_collapse_scale(lambda: -1.0, verbose=False).status == WRONG


def test_all_correct_reads_the_verdicts_and_says_what_happens_instead(capsys):
    ok = check_reparameterize(reparameterize, verbose=False)
    open_ = check_reparameterize(lambda *a: None, verbose=False)
    assert all_correct([ok], "the package's is used")
    assert capsys.readouterr().out == ""
    assert not all_correct([ok, open_], "the package's is used")
    out = capsys.readouterr().out
    assert "the reparameterised z" in out and "the package's is used" in out
    assert not all_correct([], "nothing")


# ----------------------------------------------------------------------------- weights
def test_hand_written_modules_and_the_package_vae_share_weights_both_ways():
    torch.manual_seed(0)
    M, m, h = 784, 8, 200
    vae = VAE(M, m, hidden=[h], decoder="gaussian", seed=3)
    enc, dec = MyEncoder(M, m, h), MyDecoder(M, m, h)
    x = torch.rand(5, M)
    assert output_gap(enc, dec, vae, x) > 1e-3                      # different random weights
    enc.load_state_dict(as_state_dict_of(vae.encoder, enc))       # package → mine
    dec.load_state_dict(vae.decoder.state_dict())                 # same names already
    assert output_gap(enc, dec, vae, x) == 0.0
    fresh = VAE(M, m, hidden=[h], decoder="gaussian", seed=4)      # mine → package
    fresh.encoder.load_state_dict(as_state_dict_of(enc, fresh.encoder))
    fresh.decoder.load_state_dict(dec.state_dict())
    assert output_gap(enc, dec, fresh, x) == 0.0
    assert list(as_state_dict_of(enc, vae.encoder))[0] == "body.0.0.weight"
