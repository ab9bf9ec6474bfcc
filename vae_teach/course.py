"""The map of the course: which notebook follows which slides, in what order, for how long.

One source of truth for ``00_index.ipynb`` and the README's self-study path; a test checks
that every notebook named here exists.
"""

from __future__ import annotations

from typing import NamedTuple


class Part(NamedTuple):
    notebook: str   # file name in notebooks/
    slides: str     # slide titles in the lecture
    minutes: int    # time for self-study
    goal: str       # what the learner sees and runs


CONTENTS = [
    Part("01_autoencoder_vs_vae.ipynb", "AUTO ENCODER V.S. VAE; WHY VAE?", 30,
         "Compare AEs and VAEs on real 28×28 digits (m = 2 and 16): decode new codes and measure where the holes matter."),
    Part("02_vae_loss_intuition.ipynb", "VAE LOSS FUNCTION (1st); WHY VAE REGULARIZATION?", 30,
         "On real digits: drop the KL and watch σ̃ collapse; restore it and the codes move towards N(0, I); the slide's Σ_θ = I on raw pixels is a low-β model."),
    Part("03_generative_model_mle.ipynb", "VAE GENERATIVE MODEL AND MLE", 30,
         "Compute p_θ(x) = ∫ p_θ(x|z) p_θ(z) dz exactly on pPCA; fit it by gradient ascent and in closed form."),
    Part("04_elbo.ipynb", "LOG-LIKELIHOOD LOWER BOUND", 35,
         "Measure log p(X) = L_b + KL(q ‖ p(Z|X)) to 1e-6 and move q with a widget to watch the gap."),
    Part("05_vae_vs_em.ipynb", "VAE V.S. EM ALGORITHM", 35,
         "Run EM on pPCA (the gap closes at each E-step) and a VAE on the same data (its amortised q leaves a gap)."),
    Part("06_independent_samples.ipynb", "VAE WITH INDEPENDENT SAMPLES", 25,
         "Check that q and p factorise over samples and that the minibatch estimate of L_b is unbiased."),
    Part("07_gaussian_lemma.ipynb", "CLOSE FORM (Lemma and proof)", 30,
         "Check E log N(ξ; μ, Σ) = log N(μ̃; μ, Σ) − Tr(Σ̃Σ⁻¹)/2 by Monte-Carlo, line by line through the proof."),
    Part("08_closed_form_elbo.ipynb", "CLOSE FORM OF L_b; SIMPLER CLOSE FORM OF L_b", 40,
         "Evaluate every line of the closed-form derivation on a trained VAE and find the line that does not hold."),
    Part("09_vae_loss_and_training.ipynb", "VAE LOSS FUNCTION (last two)", 40,
         "Write L_VAE with ζ = log σ̃², relate it to L_b, see what β does, train and evaluate a VAE."),
    Part("12_latent_space_explorer.ipynb", "(applies everything)", 20,
         "Explore a 2-D latent space: sliders and clicks decode images, interpolate, compare AE, VAE and β."),
]


NOTATION = [
    ("x_i, 𝒳 = {x_1, …, x_N}", "x, X", "data, shape (N, M); M = 64 for the 8×8 digits"),
    ("z_i, 𝒵", "z, Z", "latent codes, shape (N, m)"),
    ("μ̃_φ(x), Σ̃_φ(x)", "mu_tilde, Sigma_tilde", "encoder q_φ(z|x) = N(μ̃, Σ̃)"),
    ("σ̃²_j(x)", "sigma2_tilde", "diagonal of Σ̃"),
    ("ζ_j(x) = log σ̃²_j(x)", "zeta", "what the encoder outputs instead of σ̃²"),
    ("μ_θ(z), Σ_θ(z)", "mu_theta, Sigma_theta", "decoder p_θ(x|z) = N(μ_θ, Σ_θ); slides: Σ_θ = I"),
    ("x̂_i", "x_hat", "decoder mean for a sample z_i ~ q_φ(·|x_i)"),
    ("L_b(p_θ, q_φ, 𝒳)", "L_b", "the log-likelihood lower bound (ELBO), in nats"),
    ("L_VAE", "L_VAE", "the loss on the last slide: −2 L_b − N M log 2π"),
    ("KL(q ‖ p)", "kl", "Kullback–Leibler divergence, ≥ 0"),
]


def contents_markdown() -> str:
    """The course map as a markdown table (notebook, slides, minutes, what you do)."""
    rows = ["| # | notebook | slides | min | what you do |", "|---|---|---|---|---|"]
    for part in CONTENTS:
        rows.append(f"| {part.notebook[:2]} | [{part.notebook}]({part.notebook}) | "
                    f"{part.slides} | {part.minutes} | {part.goal} |")
    return "\n".join(rows)


def notation_markdown() -> str:
    """The notation table (slide symbol ↔ code name) as markdown."""
    rows = ["| slide | code | meaning |", "|---|---|---|"]
    rows += [f"| {s} | `{c}` | {m} |" for s, c, m in NOTATION]
    return "\n".join(rows)
