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
    Part("03_generative_model_mle.ipynb", "VAE GENERATIVE MODEL AND MLE", 40,
         "Compute p_θ(x) = ∫ p_θ(x|z) p_θ(z) dz exactly on pPCA; watch prior-sampling Monte Carlo fail as the data dimension grows; fit the model by gradient ascent and in closed form."),
    Part("04_elbo.ipynb", "LOG-LIKELIHOOD LOWER BOUND", 50,
         "Measure log p(X) = L_b + KL(q ‖ p(Z|X)) to 1e-6, move q with a widget to watch the gap, then use q for importance sampling and watch L_k climb from L_b to log p."),
    Part("05_vae_vs_em.ipynb", "VAE V.S. EM ALGORITHM", 40,
         "Run EM on pPCA (the gap closes at each E-step) and a VAE on the same data; then the VAE's own E-step (θ fixed): its KL falls to a floor, approximation + amortisation gap."),
    Part("06_independent_samples.ipynb", "VAE WITH INDEPENDENT SAMPLES", 25,
         "Check that q and p factorise over samples and that the minibatch estimate of L_b is unbiased."),
    Part("07_gaussian_lemma.ipynb", "CLOSE FORM (Lemma and proof)", 30,
         "Check E log N(ξ; μ, Σ) = log N(μ̃; μ, Σ) − Tr(Σ̃Σ⁻¹)/2 by Monte-Carlo, line by line through the proof."),
    Part("08_closed_form_elbo.ipynb", "CLOSE FORM OF L_b; SIMPLER CLOSE FORM OF L_b", 40,
         "Evaluate every line of the closed-form derivation on a trained VAE and find the line that does not hold."),
    Part("09_vae_loss_and_training.ipynb", "VAE LOSS FUNCTION (last two)", 45,
         "Write L_VAE with ζ = log σ̃², relate it to L_b, see what β does, train and evaluate a VAE."),
    Part("10_gradients_through_sampling.ipynb", "(between VAE WITH INDEPENDENT SAMPLES and VAE LOSS FUNCTION)", 30,
         "Differentiate E_q[f(z)] with respect to φ by reparameterisation and by the score function: both unbiased, measure their variances on a toy and on a trained encoder."),
    Part("11_build_your_own_vae.ipynb", "(applies VAE LOSS FUNCTION, last slide)", 40,
         "Write the encoder, the reparameterised z, the decoder, L_VAE and the training loop yourself (about 30 lines) and train it live on real digits."),
    Part("12_latent_space_explorer.ipynb", "(applies everything)", 20,
         "Explore a 2-D latent space: sliders and clicks decode images, interpolate, compare AE, VAE and β."),
]


class Stop(NamedTuple):
    """One stop of the 2-hour class (docs/lecturer.md): what is on the projector when."""
    start: int            # minute the stop begins
    end: int              # minute it ends
    notebook: str         # file name in notebooks/ ("" for the break)
    sections: tuple       # "## " headings shown, by their opening words ("2." or "Map of")
    slide: str            # the lecture's slide titles
    drive: str            # what to run or move live
    ask: str              # the question for the room


LECTURE = [
    Stop(0, 5, "00_index.ipynb", ("Map of the collection",), "—",
         "scroll the course map", "What would you want a generative model of digits to do?"),
    Stop(5, 15, "01_autoencoder_vs_vae.ipynb", ("1.", "2."), "AUTO ENCODER V.S. VAE",
         "run the cell that encodes one digit twice; point at σ̃",
         "The AE's code is the same twice. Why can't the VAE's be?"),
    Stop(15, 25, "01_autoencoder_vs_vae.ipynb", ("4.", "5."), "WHY VAE?",
         "stop at the *Predict before you run* line, take votes, then run the table",
         "At m = 2 the AE with a fitted Gaussian is as good as the VAE. Why not at m = 16?"),
    Stop(25, 40, "02_vae_loss_intuition.ipynb", ("3.", "4."),
         "VAE LOSS FUNCTION; WHY VAE REGULARIZATION?",
         "let the progress bars run; read the σ̃ checks aloud",
         "What does gradient descent do to σ̃ if nothing charges for making it small?"),
    Stop(40, 45, "02_vae_loss_intuition.ipynb", ("6.",), "(same)", "run the two cells",
         "The KL term is there. Why does σ̃ still collapse?"),
    Stop(45, 60, "03_generative_model_mle.ipynb", ("1.", "3."), "VAE GENERATIVE MODEL AND MLE",
         "the grid and Monte-Carlo values of log p next to the closed form; the naive Monte "
         "Carlo failing as the dimension grows",
         "Which is the same for p and log p: the maximum or the maximiser?"),
    Stop(60, 65, "", (), "", "", ""),
    Stop(65, 77, "04_elbo.ipynb", ("1.", "2.", "3."), "LOG-LIKELIHOOD LOWER BOUND",
         "drive the gap widget in §3: move μ̃ and ζ, press *q = best Gaussian*",
         "Which q makes the gap zero? Can a Gaussian q always do it?"),
    Stop(77, 82, "04_elbo.ipynb", ("4.",), "(same)",
         "the L_k figure: more importance samples, a tighter bound",
         "Why is the log of an average of p(x, z)/q(z|x) below log p(x)?"),
    Stop(82, 92, "05_vae_vs_em.ipynb", ("2.", "5."), "VAE V.S. EM ALGORITHM",
         "the EM figure, then the VAE's own E-step: the gap falls to a floor, not to 0",
         "EM closes the gap at every E-step. What stops the VAE's encoder from doing the same?"),
    Stop(92, 96, "06_independent_samples.ipynb", ("2.",), "VAE WITH INDEPENDENT SAMPLES",
         "the minibatch table: means within their standard errors",
         "The minibatch value is unbiased. Is its gradient, when the codes are sampled?"),
    Stop(96, 100, "07_gaussian_lemma.ipynb", ("1.", "2."), "CLOSE FORM (Lemma and proof)",
         "the lemma's Monte-Carlo check and its 1/√n line",
         "How many samples for one more correct digit?"),
    Stop(100, 105, "08_closed_form_elbo.ipynb", ("5.",), "CLOSE FORM OF L_b",
         "the derivation as a table: the lines that do not hold",
         "Line 4 misses by a fixed amount. Where does that amount come from?"),
    Stop(105, 110, "09_vae_loss_and_training.ipynb", ("1.", "4."), "VAE LOSS FUNCTION (last two)",
         "the β table and its figure",
         "Which β would you pick for sharp samples? For smooth interpolations?"),
    Stop(110, 114, "10_gradients_through_sampling.ipynb", ("2.",), "(between the last slides)",
         "the two gradient estimators on the toy: same mean, different spread",
         "Both estimators are unbiased. Which one would you train with, and why?"),
    Stop(114, 120, "12_latent_space_explorer.ipynb", ("2.",), "(everything)",
         "sliders, clicks, the AE/VAE drop-down, a prior grid (or `make demo`)",
         "Where in the AE's map are the holes? Find one."),
]


def lecture_sections(notebook: str) -> tuple | None:
    """The "## " sections of ``notebook`` the class shows (None: not in the class plan)."""
    stops = [s for s in LECTURE if s.notebook == notebook]
    return tuple(sec for s in stops for sec in s.sections) if stops else None


def lecture_markdown() -> str:
    """The class plan as the markdown table of docs/lecturer.md."""
    rows = ["| min | notebook · sections | slide | drive live | ask the room |",
            "|---|---|---|---|---|"]
    for s in LECTURE:
        where = (f"{s.notebook[:2]} · " + ", ".join(f"§{x.rstrip('.')}" if x[0].isdigit()
                                                    else x for x in s.sections)
                 if s.notebook else "break")
        ask = f'"{s.ask}"' if s.ask else ""
        rows.append(f"| {s.start}–{s.end} | {where} | {s.slide} | {s.drive} | {ask} |")
    return "\n".join(rows)


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
