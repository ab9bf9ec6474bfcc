"""Every line of the slides "CLOSE FORM OF L_b" and "SIMPLER CLOSE FORM OF L_b", as numbers.

For one input x_i and a trained VAE with a Gaussian decoder, each line of the slides'
derivation of

    LHS = E_{z_i ~ q_φ(·|x_i)} [ log p_θ(x_i|z_i)/q_φ(z_i|x_i) + log p_θ(z_i) ]

is evaluated **as printed**, term by term, with q_φ(z|x) = N(μ̃_φ(x), Σ̃_φ(x)), p_θ(z) = N(0, I),
p_θ(x|z) = N(μ_θ(z), Σ_θ(z)). Every expectation is a sample mean over the same draws
z_s = μ̃ + Σ̃^{1/2} ε_s, s = 1..n (common random numbers), so the difference between a line and
the Monte-Carlo LHS has a small, honest *paired* standard error. A line ``holds`` when it
agrees with the LHS within ``n_se`` paired standard errors (plus float64 round-off).

The LHS itself is computed from the model's own densities (``model.decoder.log_prob``,
``nets.objectives.log_prior``, ``nets.objectives.log_q``); the lines use ``vae_teach.maths.gaussian`` (the slide's N(·;·,·)),
so the two are independent implementations.

Slide errata found this way (see notebook 08):

* CLOSE FORM line 3 typesets exp(−½‖μ̃‖²) in a denominator: ``\\frac{1}{\\sqrt{(2π)^m}
  \\exp(−½‖μ̃‖²)}`` = e^{+½‖μ̃‖²}/√((2π)^m). Read literally, the line is off by +‖μ̃‖²; the
  intended numerator is N(μ̃; 0, I) = e^{−½‖μ̃‖²}/√((2π)^m).
* CLOSE FORM line 4 (and the first line of the SIMPLER form) has "+ ½ log|Σ_θ(z_i)|"; it must be
  "+ ½ log|Σ̃_φ(x_i)|", because log N(μ̃; 0, I) − log N(μ̃; μ̃, Σ̃) = −½‖μ̃‖² + ½ log|Σ̃|.
  (Outside the expectation z_i is not even bound; we evaluate the printed term as its mean
  over the same draws, which is exact for decoders whose Σ_θ does not depend on z.)
  The SIMPLER form's final line (with −log σ̃²_j) is correct again.

Shapes: x_i is one image (M,) (or (1, M)); Σ̃ is the encoder's diag(σ̃²) (m, m); Σ_θ(z) is the
decoder's diag(σ_x²) (M, M) — I for ``decoder="gaussian"``, σ_x² I or diag per pixel for
``decoder="gaussian_learned"``. All computations are in float64 on a copy of the model.
"""

from __future__ import annotations

import copy
import math
from typing import NamedTuple

import numpy as np

from vae_teach._checks import as_float_array, check_int
from vae_teach.maths.gaussian import LOG_2PI, log_normal, log_normal_diag
from vae_teach.maths.lines import SlideLine, mean_se


__all__ = ["SlideLine", "slide_lines", "close_form_lines", "simpler_form_lines", "Draws", "draw",
           "lines_table", "lines_markdown", "line_by_label", "CLOSE", "SIMPLER"]


CLOSE = "CLOSE FORM OF L_b"


SIMPLER = "SIMPLER CLOSE FORM OF L_b"


# The right-hand sides as printed on the slides (LaTeX, shortened: E = E_{z_i ~ N(μ̃, Σ̃)}).
TEXT = {
    "LHS": r"\mathbb{E}_{q_\phi}\left[\log\frac{p_\theta(x_i|z_i)}{q_\phi(z_i|x_i)}"
           r" + \log p_\theta(z_i)\right]",
    "1": r"\mathbb{E}\left[\log\frac{\mathcal{N}(x_i;\mu_\theta(z_i),\Sigma_\theta(z_i))}"
         r"{\mathcal{N}(z_i;\tilde\mu_\phi,\tilde\Sigma_\phi)} + \log\mathcal{N}(z_i;0,I)\right]",
    "2": r"\mathbb{E}[\log\mathcal{N}(x_i;\mu_\theta(z_i),\Sigma_\theta(z_i))]"
         r" + \log\frac{\mathcal{N}(\tilde\mu_\phi;0,I)}"
         r"{\mathcal{N}(\tilde\mu_\phi;\tilde\mu_\phi,\tilde\Sigma_\phi)}"
         r" - \frac{\mathrm{Tr}(\tilde\Sigma_\phi - I)}{2}",
    "3 typeset": r"\mathbb{E}\left[\log\left(\frac{1}{\sqrt{(2\pi)^M|\Sigma_\theta|}}"
                 r"e^{-\frac12(x_i-\mu_\theta)^T\Sigma_\theta^{-1}(x_i-\mu_\theta)}\right)\right]"
                 r" + \log\frac{\frac{1}{\sqrt{(2\pi)^m}\exp(-\frac12\|\tilde\mu_\phi\|^2)}}"
                 r"{1/\sqrt{(2\pi)^m|\tilde\Sigma_\phi|}}"
                 r" - \frac{\mathrm{Tr}(\tilde\Sigma_\phi - I)}{2}",
    "3 intended": r"\ldots + \log\frac{\frac{1}{\sqrt{(2\pi)^m}}\exp(-\frac12\|\tilde\mu_\phi\|^2)}"
                  r"{1/\sqrt{(2\pi)^m|\tilde\Sigma_\phi|}} - \ldots",
    "4 printed": r"\mathbb{E}\left[\log\frac{1}{\sqrt{(2\pi)^M|\Sigma_\theta(z_i)|}}"
                 r" - \frac12(x_i-\mu_\theta)^T\Sigma_\theta^{-1}(x_i-\mu_\theta)\right]"
                 r" + \frac12\log|\Sigma_\theta(z_i)| - \frac12\|\tilde\mu_\phi\|^2"
                 r" - \frac{\mathrm{Tr}(\tilde\Sigma_\phi - I)}{2}",
    "4 corrected": r"\ldots + \frac12\log|\tilde\Sigma_\phi(x_i)| - \frac12\|\tilde\mu_\phi\|^2"
                   r" - \ldots",
    "S1 printed": r"\mathbb{E}\left[\log\frac{1}{\sqrt{(2\pi)^M|\Sigma_\theta|}} - \frac12"
                  r"(x_i-\mu_\theta)^T\Sigma_\theta^{-1}(x_i-\mu_\theta)\right]"
                  r" + \frac12\log|\Sigma_\theta(z_i)| - \frac12\|\tilde\mu_\phi\|^2"
                  r" - \frac12\mathrm{Tr}(\tilde\Sigma_\phi - I)",
    "S1 corrected": r"\ldots + \frac12\log|\tilde\Sigma_\phi(x_i)| - \ldots",
    "S2": r"\log\frac{1}{\sqrt{(2\pi)^M}} - \frac12\left(\mathbb{E}\|x_i-\mu_\theta(z_i)\|^2"
          r" + \|\tilde\mu_\phi\|^2 + \sum_j(\tilde\sigma_j^2 - \log\tilde\sigma_j^2 - 1)\right)",
}


class Draws(NamedTuple):
    """Everything the lines need, float64: one x_i and n draws z_s ~ q_φ(·|x_i).

    x: (M,); mu_tilde: (m,); Sigma_tilde: (m, m) = diag(σ̃²); z: (n, m);
    mu_theta: (n, M); sigma2_theta: (n, M) = diagonal of Σ_θ(z_s);
    lhs: (n,) = log p_θ(x|z_s) + log p_θ(z_s) − log q_φ(z_s|x) from the model's own densities.
    """

    x: np.ndarray
    mu_tilde: np.ndarray
    Sigma_tilde: np.ndarray
    z: np.ndarray
    mu_theta: np.ndarray
    sigma2_theta: np.ndarray
    lhs: np.ndarray


# ----------------------------------------------------------------------------- sampling
def _gaussian_decoder_kind(model) -> str:
    config = getattr(model, "config", None)
    if not isinstance(config, dict) or config.get("model") != "VAE":
        raise TypeError(f"model must be a vae_teach VAE (encoder + decoder), got "
                        f"{type(model).__name__}.")
    kind = config.get("decoder")
    if kind not in ("gaussian", "gaussian_learned"):
        raise ValueError(f"the CLOSE FORM slides assume a Gaussian decoder N(μ_θ(z), Σ_θ(z)); "
                         f"this model's decoder is {kind!r}. Use a VAE with "
                         f"decoder='gaussian' (Σ_θ = I) or 'gaussian_learned'.")
    return kind


def _x_row(x_i, M: int) -> np.ndarray:
    if hasattr(x_i, "detach"):
        x_i = x_i.detach().cpu().numpy()
    x = as_float_array(x_i, "x_i", ndim=(1, 2))
    if x.ndim == 2:
        if x.shape[0] != 1:
            raise ValueError(f"x_i must be ONE input, shape (M,) or (1, M), got {x.shape}; "
                             f"pick a row, e.g. X[0].")
        x = x[0]
    if x.shape[0] != M:
        raise ValueError(f"x_i has {x.shape[0]} entries but the model's data dimension is "
                         f"M = {M}; pass one flattened image of length {M}.")
    return x


def draw(model, x_i, n_samples: int = 20_000, seed: int = 0) -> Draws:
    """Encode x_i, draw z_s = μ̃ + σ̃ ⊙ ε_s (ε_s ~ N(0, I), numpy seed), decode: a :class:`Draws`.

    The model is copied and run in float64; the caller's model is not changed.
    """
    import torch

    from vae_teach.nets.objectives import log_prior, log_q

    _gaussian_decoder_kind(model)
    n = check_int(n_samples, "n_samples", 2)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {seed!r}.")
    x = _x_row(x_i, model.M)
    net = copy.deepcopy(model).double().cpu().eval()
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        xt = torch.from_numpy(x)[None, :]
        mu_t, zeta_t = net.encoder(xt)                       # (1, m)
        eps = torch.from_numpy(rng.standard_normal((n, model.m)))
        z_t = mu_t + torch.exp(0.5 * zeta_t) * eps            # (n, m)
        out = net.decoder(z_t)                                # μ_θ(z_s), (n, M)
        log_s2 = net.decoder.log_sigma2(out).expand(n, model.M)
        lhs = (net.decoder.log_prob(xt, out) + log_prior(z_t)
               - log_q(z_t, mu_t, zeta_t))                    # (n,)
    sigma2_tilde = torch.exp(zeta_t[0]).numpy()
    return Draws(x, mu_t[0].numpy(), np.diag(sigma2_tilde), z_t.numpy(), out.numpy(),
                 torch.exp(log_s2).numpy(), lhs.numpy())


# ----------------------------------------------------------------------------- the lines
def _decoder_terms(d: Draws) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per draw: log|Σ_θ(z_s)|, (x − μ_θ)ᵀ Σ_θ⁻¹ (x − μ_θ) and log N(x; μ_θ(z_s), Σ_θ(z_s))."""
    logdet = np.sum(np.log(d.sigma2_theta), axis=-1)
    quad = np.sum((d.x - d.mu_theta) ** 2 / d.sigma2_theta, axis=-1)
    log_dec = np.asarray(log_normal_diag(d.x, d.mu_theta, d.sigma2_theta))
    return logdet, quad, log_dec


def _line(section, label, kind, text, per_draw, const, has_expectation, d, n_se):
    """Build a SlideLine from its per-draw integrand (n,) plus a constant."""
    mean, se = mean_se(per_draw)
    value = float(mean + const)
    se = se if has_expectation else None
    diff, diff_se = mean_se(per_draw + const - d.lhs)
    lhs_mean = float(np.mean(d.lhs))
    holds = abs(diff) <= n_se * diff_se + 1e-9 * max(1.0, abs(lhs_mean))
    return SlideLine(label, value, se, section=section, kind=kind, text=text,
                     difference=diff, difference_se=diff_se, holds=bool(holds))


def _lhs_line(section: str, d: Draws) -> SlideLine:
    value, se = mean_se(d.lhs)
    return SlideLine("LHS", value, se, section=section, kind="reference", text=TEXT["LHS"],
                     difference=0.0, difference_se=0.0, holds=True)


def close_form_lines(d: Draws, n_se: float = 4.0) -> list[SlideLine]:
    """The four lines of CLOSE FORM OF L_b evaluated on the draws ``d``, as printed.

    Rows: LHS (Monte Carlo), 1, 2, 3 (as typeset), 3 (as intended), 4 (as printed),
    4 (corrected: + ½ log|Σ̃_φ(x_i)| instead of + ½ log|Σ_θ(z_i)|).
    """
    m, M = d.mu_tilde.size, d.x.size
    I_m, zeros = np.eye(m), np.zeros(m)
    logdet_theta, quad, log_dec = _decoder_terms(d)
    log_q = np.asarray(log_normal(d.z, d.mu_tilde, d.Sigma_tilde))
    log_p_z = np.asarray(log_normal(d.z, zeros, I_m))
    trace_term = np.trace(d.Sigma_tilde - I_m) / 2
    mu2 = float(d.mu_tilde @ d.mu_tilde)
    det_tilde = float(np.linalg.det(d.Sigma_tilde))
    logdet_tilde = float(np.linalg.slogdet(d.Sigma_tilde)[1])
    # line 3's E[·]: log(1/√((2π)^M |Σ_θ|) · exp(−½ quad)), the log of each factor summed
    # (exp(−½ quad) alone would underflow for a poor reconstruction); the m-dimensional
    # fraction, where the typesetting question lies, is evaluated literally below.
    log_c_theta = -0.5 * (M * LOG_2PI + logdet_theta)
    e_line3 = log_c_theta - 0.5 * quad
    frac_typeset = (1 / (math.sqrt((2 * math.pi) ** m) * math.exp(-0.5 * mu2))) \
        / (1 / math.sqrt((2 * math.pi) ** m * det_tilde))
    frac_intended = (1 / math.sqrt((2 * math.pi) ** m) * math.exp(-0.5 * mu2)) \
        / (1 / math.sqrt((2 * math.pi) ** m * det_tilde))
    if not (np.isfinite(frac_typeset) and np.isfinite(frac_intended) and frac_typeset > 0
            and frac_intended > 0):
        raise ValueError(f"line 3's fraction over/underflows in float64 for ‖μ̃‖² = {mu2:.3g}, "
                         f"|Σ̃| = {det_tilde:.3g}; pick an input x_i whose code is nearer 0.")
    e_line4 = log_c_theta - 0.5 * quad
    s = CLOSE

    def line(label, kind, key, per_draw, const, has_e=True):
        return _line(s, label, kind, TEXT[key], per_draw, const, has_e, d, n_se)

    return [
        _lhs_line(s, d),
        line("1", "slide", "1", log_dec - log_q + log_p_z, 0.0),
        line("2", "slide", "2", log_dec,
             float(log_normal(d.mu_tilde, zeros, I_m)
                   - log_normal(d.mu_tilde, d.mu_tilde, d.Sigma_tilde)) - trace_term),
        line("3 (as typeset)", "slide", "3 typeset", e_line3,
             math.log(frac_typeset) - trace_term),
        line("3 (as intended)", "intended", "3 intended", e_line3,
             math.log(frac_intended) - trace_term),
        line("4 (as printed)", "slide", "4 printed", e_line4 + 0.5 * logdet_theta,
             -0.5 * mu2 - trace_term),
        line("4 (corrected)", "corrected", "4 corrected", e_line4,
             0.5 * logdet_tilde - 0.5 * mu2 - trace_term),
    ]


def simpler_form_lines(d: Draws, n_se: float = 4.0) -> list[SlideLine]:
    """The lines of SIMPLER CLOSE FORM OF L_b (Σ_θ = I, Σ̃ = diag σ̃²) on the draws ``d``.

    Rows: LHS, S1 (as printed: + ½ log|Σ_θ(z_i)|), S1 (corrected: + ½ log|Σ̃|), S2 (the final
    closed form). Requires Σ_θ(z) = I (the slide's assumption; ``decoder="gaussian"``).
    """
    if not np.allclose(d.sigma2_theta, 1.0, rtol=0, atol=1e-12):
        raise ValueError("the SIMPLER CLOSE FORM assumes Σ_θ(z) = I, but this decoder's "
                         "variance is not 1; use a VAE with decoder='gaussian'.")
    m, M = d.mu_tilde.size, d.x.size
    logdet_theta, quad, _ = _decoder_terms(d)
    sigma2 = np.diag(d.Sigma_tilde)
    mu2 = float(d.mu_tilde @ d.mu_tilde)
    trace_term = 0.5 * float(np.trace(d.Sigma_tilde - np.eye(m)))
    e_s1 = -0.5 * (M * LOG_2PI + logdet_theta) - 0.5 * quad
    sq_err = np.sum((d.x - d.mu_theta) ** 2, axis=-1)
    s = SIMPLER

    def line(label, kind, key, per_draw, const):
        return _line(s, label, kind, TEXT[key], per_draw, const, True, d, n_se)

    return [
        _lhs_line(s, d),
        line("S1 (as printed)", "slide", "S1 printed", e_s1 + 0.5 * logdet_theta,
             -0.5 * mu2 - trace_term),
        line("S1 (corrected)", "corrected", "S1 corrected", e_s1,
             0.5 * float(np.sum(np.log(sigma2))) - 0.5 * mu2 - trace_term),
        # S2 = log 1/√((2π)^M) − ½(E‖x − μ_θ‖² + ‖μ̃‖² + Σ_j(σ̃² − log σ̃² − 1)):
        # the expectation is the only random part, so −½‖x − μ_θ(z_s)‖² is its integrand.
        line("S2", "slide", "S2", -0.5 * sq_err,
             math.log(1 / math.sqrt((2 * math.pi) ** M))
             - 0.5 * (mu2 + float(np.sum(sigma2 - np.log(sigma2) - 1)))),
    ]


def slide_lines(model, x_i, n_samples: int = 20_000, seed: int = 0, simpler=None,
                n_se: float = 4.0) -> list[SlideLine]:
    """Every line of CLOSE FORM OF L_b (and SIMPLER CLOSE FORM when Σ_θ = I) for one x_i.

    model: a VAE with decoder "gaussian" (Σ_θ = I) or "gaussian_learned" (Σ_θ = σ_x² I or
    diag); x_i: (M,) one input; n_samples draws z ~ q_φ(·|x_i) from numpy seed ``seed``.
    ``simpler``: None → include the SIMPLER lines iff the decoder is "gaussian"; True forces
    them (ValueError when Σ_θ ≠ I); False leaves them out. A line ``holds`` when it equals
    the Monte-Carlo LHS within ``n_se`` paired standard errors.
    """
    kind = _gaussian_decoder_kind(model)
    if simpler is None:
        simpler = kind == "gaussian"
    if simpler and kind != "gaussian":
        raise ValueError("simpler=True needs Σ_θ = I (decoder='gaussian'): the SIMPLER CLOSE "
                         f"FORM slide assumes it, and this model's decoder is {kind!r}.")
    if not (isinstance(n_se, (int, float)) and n_se > 0):
        raise ValueError(f"n_se must be a positive number of standard errors, got {n_se!r}.")
    d = draw(model, x_i, n_samples, seed)
    rows = close_form_lines(d, n_se)
    if simpler:
        rows += simpler_form_lines(d, n_se)
    return rows


# ----------------------------------------------------------------------------- display
def line_by_label(lines: list[SlideLine], label: str, section: str | None = None) -> SlideLine:
    """The row with this ``label`` (and ``section``, if given); KeyError listing the labels."""
    for row in lines:
        if row.label == label and (section is None or row.section == section):
            return row
    raise KeyError(f"no line labelled {label!r}; labels are {[r.label for r in lines]}.")


def _fmt(value, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}g}"


def _is_exact(r: SlideLine, lhs: float) -> bool:
    """Line and LHS agree draw by draw up to float64 round-off (no Monte-Carlo difference)."""
    tol = 1e-9 * max(1.0, abs(lhs))
    return r.kind != "reference" and r.difference_se <= tol and abs(r.difference) <= tol


def _fmt_diff(r: SlideLine, lhs: float, digits: int) -> tuple[str, str]:
    """(difference, its s.e.) as text; round-off-level agreement prints as 0 / exact."""
    if r.kind == "reference":
        return "0", ""
    if _is_exact(r, lhs):
        return "0", "exact"
    return _fmt(r.difference, digits), _fmt(r.difference_se, 2)


def _lhs_of(lines: list[SlideLine], r: SlideLine) -> float:
    return next(x.value for x in lines if x.section == r.section and x.kind == "reference")


def lines_table(lines: list[SlideLine], digits: int = 5) -> str:
    """Plain-text table (rounded to ``digits`` significant digits) for printing.

    A line equal to the LHS draw by draw (up to float64 round-off) shows "0 ± exact".
    """
    head = f"{'line':<18}{'value':>12}{'± s.e.':>10}{'value − LHS':>14}{'± s.e.':>10}  holds"
    out, section = [], None
    for r in lines:
        if r.section != section:
            section = r.section
            out += [section, head]
        diff, diff_se = _fmt_diff(r, _lhs_of(lines, r), 3)
        mark = "—" if r.kind == "reference" else ("yes" if r.holds else "NO  ← differs")
        out.append(f"{r.label:<18}{_fmt(r.value, digits):>12}{_fmt(r.standard_error, 2):>10}"
                   f"{diff:>14}{diff_se:>10}  {mark}")
    return "\n".join(out)


def _markdown_math(tex: str) -> str:
    """LaTeX safe inside a Markdown table cell: no raw '|' (it would split the cell)."""
    return tex.replace(r"\|", r"\Vert ").replace("|", r"\vert ")


def lines_markdown(lines: list[SlideLine], digits: int = 5) -> str:
    """Markdown table with each line's LaTeX (for ``IPython.display.Markdown``)."""
    rows = ["| line | as on the slide | value | value − LHS | holds |",
            "|---|---|---|---|---|"]
    for r in lines:
        holds = "—" if r.kind == "reference" else ("✓" if r.holds else "**✗**")
        diff, diff_se = _fmt_diff(r, _lhs_of(lines, r), 3)
        value = _fmt(r.value, digits) + (f" ± {_fmt(r.standard_error, 2)}"
                                         if r.standard_error is not None else "")
        rows.append(f"| {r.section.split(' OF')[0].title()} {r.label} | "
                    f"${_markdown_math(r.text)}$ | {value} | "
                    f"{diff}{' ± ' + diff_se if diff_se else ''} | {holds} |")
    return "\n".join(rows)
