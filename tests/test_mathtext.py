"""LaTeX -> terminal text: pinned cases, and no LaTeX left in any formula or $...$ of the shipped banks."""

from __future__ import annotations

import re
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlquiz import bank, mathtext
from dlquiz.mathtext import inline_math, latex_to_text, math_segments

from .conftest import CONTENT

LATEX_COMMAND = re.compile(r"\\[A-Za-z]+")


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"\frac{m_t}{1-\beta_1^t}", "mₜ/(1−β₁ᵗ)"),  # the fraction keeps its grouping
        (r"\theta_{t+1}", "θₜ₊₁"),
        (r"X^\top", "Xᵀ"),
        (
            r"f(x) = \begin{cases} x & x > 0 \\ 0 & \text{otherwise} \end{cases}",
            "f(x) = { x, if x > 0; 0, otherwise }",
        ),
        (r"\hat x_i", "x̂ᵢ"),
        (r"\hat\mu", "μ̂"),
        (r"\bar{x}", "x̄"),
        (r"\sqrt{\sigma^2+\epsilon}", "√(σ²+ϵ)"),
        (r"\sqrt[3]{x}", "³√x"),
        (r"\tfrac12", "½"),
        (r"\frac{1}{m}\sum_{i=1}^{m} x_i", "1/m ∑ᵢ₌₁ᵐ xᵢ"),
        (r"\frac{\partial L_{CE}}{\partial z} = p - y", "∂L_CE/∂z = p − y"),
        (r"\frac{p - y}{p(1-p)}", "(p − y)/(p(1−p))"),
        (r"\operatorname{softmax}(z)_i", "softmax(z)ᵢ"),
        (r"\mathbb{E}[\hat g_B] = \nabla J", "𝔼[g\u0302_B] = ∇J"),  # a combining hat
        (r"\|w\|_2^2", "‖w‖₂²"),
        (r"\{1, 2\}", "{1, 2}"),
        (r"\log p", "log p"),
        (r"e^{-y_i z_i}", "e^(−yᵢ zᵢ)"),
        (r"\left( a + b \right)", "(a + b)"),
        # a script without Unicode form is spelled out, and must end before the next symbol
        (r"\operatorname{conv}(T_\delta x) = T_\delta \operatorname{conv}(x)", "conv(T_δ x) = T_δ conv(x)"),
        (r"\nabla_\theta L", "∇_θ L"),
        (r"\int_0^\infty z\,dz", "∫₀^(∞) z dz"),  # a script with no Unicode form is grouped
        (r"\mathrm{Var}[x] = \frac{m}{m-1}E_B[\sigma_B^2]", "Var[x] = m/(m−1) E_B[σ_B²]"),
        (r"a \le b, \quad x \in S", "a ≤ b, x ∈ S"),
    ],
)
def test_pinned_expressions(latex: str, text: str):
    assert latex_to_text(latex) == text


# Issue 10: math reads like math. Primes, operator spacing, grouped scripts, unambiguous fractions; each
# line is a case that came out wrong before (f'' as ”, "N ×H", "max _(…)", "∑ᵢ₌₁^C", "gₜ ⊙gₜ", ...).
TRICKY = [
    ("f''(x_k)", "f″(xₖ)"),
    ("f'(x)", "f′(x)"),
    ("\\sigma'(z) = \\sigma(z)(1-\\sigma(z))", "σ′(z) = σ(z)(1−σ(z))"),
    ("N \\times H \\times W", "N × H × W"),
    ("3\\times 3", "3×3"),
    ("\\alpha \\le \\beta", "α ≤ β"),
    ("\\|w\\|^2", "‖w‖²"),
    ("\\beta > 0", "β > 0"),
    ("(1-\\alpha)\\hat\\mu + \\alpha\\mu_B", "(1−α)μ̂ + αμ_B"),
    ("\\int_0^\\infty e^{-x}\\,dx", "∫₀^(∞) e⁻ˣ dx"),
    ("\\max_{(u,v)\\in\\Omega} f(u,v)", "max_((u,v)∈Ω) f(u,v)"),
    ("\\sum_{i=1}^C e^{z_i}", "∑ᵢ₌₁^(C) e^(zᵢ)"),
    ("\\sum_{i=1}^{N} dy_i", "∑ᵢ₌₁ᴺ dyᵢ"),
    ("\\frac{\\partial}{\\partial z}\\frac{1}{2}(p-y)^2", "∂/∂z ½(p−y)²"),
    ("g_t \\odot g_t", "gₜ ⊙ gₜ"),
    ("G_t = G_{t-1} + g_t\\odot g_t", "Gₜ = Gₜ₋₁ + gₜ⊙gₜ"),
    ("\\Phi(\\beta/ \\gamma)", "Φ(β/γ)"),
    ("x^{(k)}", "x⁽ᵏ⁾"),
    ("W^{[l]}", "W^([l])"),
    ("e^{x_i}", "e^(xᵢ)"),
    ("\\arg\\min_\\theta L(\\theta)", "arg min_θ L(θ)"),
    ("a \\cdot b", "a · b"),
    ("x \\sim \\mathcal{N}(0, 1)", "x ∼ 𝒩(0, 1)"),
    ("\\mathrm{softmax}(z)_i = \\frac{e^{z_i}}{\\sum_j e^{z_j}}", "softmax(z)ᵢ = e^(zᵢ)/(∑ⱼ e^(zⱼ))"),
    ("a \\ne b", "a ≠ b"),
    ("\\lim_{n\\to\\infty} a_n", "lim_(n→∞) aₙ"),
    ("\\frac{d}{dx} f(x)", "d/dx f(x)"),
    ("H_{ij} = \\frac{\\partial^2 f}{\\partial x_i \\partial x_j}", "Hᵢⱼ = ∂²f/∂xᵢ∂xⱼ"),
    ("\\lfloor x \\rfloor", "⌊x⌋"),
    ("\\left\\lfloor \\frac{n+2p-k}{s} \\right\\rfloor + 1", "⌊(n+2p−k)/s⌋ + 1"),
    ("\\eta < 2/L", "η < 2/L"),
    ("W \\ast x", "W ∗ x"),
    ("\\theta_{t+1} = \\theta_t - \\eta \\nabla J(\\theta_t)", "θₜ₊₁ = θₜ − η∇J(θₜ)"),
    ("\\hat m_t = \\frac{m_t}{1-\\beta_1^t}", "m̂ₜ = mₜ/(1−β₁ᵗ)"),
    ("\\theta \\leftarrow \\theta - \\alpha \\frac{\\hat m}{\\sqrt{\\hat v}+\\epsilon}", "θ ← θ − αm̂/(√v̂+ϵ)"),
    ("\\mathbb{E}[g^2]", "𝔼[g²]"),
    ("y \\in \\{0, 1\\}", "y ∈ {0, 1}"),
    ("\\mathbf{1}^\\top x", "1ᵀx"),
    ("p(y=1|x) = \\sigma(w^\\top x + b)", "p(y = 1|x) = σ(wᵀx + b)"),
    (
        "L = -\\frac{1}{m}\\sum_{i=1}^m [y_i \\log p_i + (1-y_i)\\log(1-p_i)]",
        "L = −1/m ∑ᵢ₌₁ᵐ [yᵢ log pᵢ + (1−yᵢ) log(1−pᵢ)]",
    ),
    ("\\kappa = \\lambda_{\\max}/\\lambda_{\\min}", "κ = λₘₐₓ/λₘᵢₙ"),
    ("\\|e_{k+1}\\| \\approx \\|e_k\\|^2", "‖eₖ₊₁‖ ≈ ‖eₖ‖²"),
    ("\\rho^{-1}", "ρ⁻¹"),
    ("\\tfrac{1}{2}\\delta^\\top H\\delta", "½δᵀHδ"),
    ("\\mathcal{T}_i(x)", "𝒯ᵢ(x)"),
    ("O(n^3)", "O(n³)"),
    ("10^{-8}", "10⁻⁸"),
    ("\\frac{\\sqrt{\\kappa}-1}{\\sqrt{\\kappa}+1}", "(√κ−1)/(√κ+1)"),
    ("x_{\\ell-1}", "x_(ℓ−1)"),
    ("f: \\mathbb{R}^n \\to \\mathbb{R}", "f: ℝⁿ → ℝ"),
    ("d = -H^{-1} g", "d = −H⁻¹ g"),
    ("\\Delta x = -\\eta \\nabla f", "Δx = −η∇f"),
    ("\\gamma \\hat x + \\beta", "γx̂ + β"),
]


@pytest.mark.parametrize(("latex", "text"), TRICKY)
def test_tricky_formulas(latex: str, text: str):
    assert latex_to_text(latex) == text


def test_at_least_forty_tricky_formulas_are_pinned():
    assert len({latex for latex, _ in TRICKY}) >= 40


def test_unknown_macro_prints_its_bare_name():
    assert latex_to_text(r"\foo x") == "foo x"
    assert latex_to_text(r"\frac{a}{").count("\\") == 0  # broken input degrades, never raises


def test_inline_math_replaces_each_segment():
    assert inline_math(r"normalize $\hat x = x - \mu$ then scale by $\gamma$.") == (
        "normalize x̂ = x − μ then scale by γ."
    )
    assert inline_math(r"display $$\beta_1^t$$ math") == "display β₁ᵗ math"
    assert inline_math(r"costs \$5 or \$6, no math") == r"costs \$5 or \$6, no math"


def test_inline_math_escapes_markdown_only_when_asked():
    assert inline_math(r"$L_{CE}$ and $a*b$") == "L_CE and a*b"
    assert inline_math(r"$L_{CE}$ and $a*b$", markdown=True) == r"L\_CE and a\*b"


def test_math_segments():
    assert math_segments(r"a $x$ b $$\frac12$$ c \$d") == ["x", r"\frac12"]


def test_primed_renderings_are_served_without_parsing(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(mathtext, "_PRIMED", {})
    mathtext.prime({r"\alpha": "from-cache"})
    assert latex_to_text(r"\alpha") == "from-cache"
    assert latex_to_text(r"\beta") == "β"


MACROS = [
    r"\alpha",
    r"\hat x",
    r"\frac{a}{b}",
    r"\sqrt{x}",
    r"\sum_{i=1}^{n}",
    r"x_{i}",
    r"y^{2}",
    r"\mathbf{W}",
    r"\operatorname{sign}(x)",
    r"\left(",
    r"\right)",
    r"\cdot",
    r"\,",
    r"\quad",
    r"\nabla",
    r"\partial",
    r"\mathcal{L}",
    r"\lVert w \rVert",
    r"\tilde{y}",
    r"\le",
    r"\infty",
    r"+",
    "-",
    "=",
    "z",
    "3",
    " ",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(MACROS), min_size=1, max_size=12))
def test_no_backslash_or_brace_survives_any_combination(parts: list[str]):
    text = latex_to_text(" ".join(parts))
    assert "\\" not in text
    assert "{" not in text and "}" not in text


# --- every formula and $...$ segment in the shipped banks ----------------------------------------------


@cache
def shipped_sources() -> tuple[str, ...]:
    from dlquiz.catalog import _strings

    catalog = bank.load([CONTENT]).catalog
    found: set[str] = set()
    for q in catalog.questions:
        found.update(f.latex for f in q.formulas)
        for text in _strings(q.raw):
            found.update(math_segments(text))
    return tuple(sorted(found))


def test_the_banks_have_math():
    sources = shipped_sources()
    assert len(sources) > 200
    assert any(r"\frac" in s for s in sources) and any(r"\begin{cases}" in s for s in sources)


def test_no_latex_left_in_any_shipped_formula():
    bad = []
    for latex in shipped_sources():
        text = latex_to_text(latex)
        # Braces may come only from a literal \{ or from the one "{ a, if …; b, otherwise }" of a cases block.
        allowed = latex.count(r"\{") + latex.count(r"\begin{cases}")
        if LATEX_COMMAND.search(text) or "\\" in text or max(text.count("{"), text.count("}")) > allowed:
            bad.append(f"{latex!r} -> {text!r}")
    assert bad == []


def test_cases_blocks_read_as_value_and_condition():
    cases = [s for s in shipped_sources() if r"\begin{cases}" in s]
    assert cases
    for latex in cases:
        text = latex_to_text(latex)
        assert re.search(r"\{ .+, if .+; .+, otherwise \}", text), text
