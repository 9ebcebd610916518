"""LaTeX math -> readable terminal text (Unicode), on top of pylatexenc's parser and symbol tables.

pylatexenc alone loses grouping (``\\frac{m_t}{1-\\beta_1^t}`` comes out as ``m_t/1-β_1^t``), so this module
walks the parsed nodes itself: fractions keep their parentheses, scripts become Unicode sub/superscripts
where every character has one (``θ_{t+1}`` -> ``θₜ₊₁``) and ``_( )``/``^( )`` otherwise, accents combine
(``\\hat x`` -> ``x̂``), and ``cases`` reads as ``{ a, if …; b, otherwise``. pylatexenc supplies the Unicode
for every other symbol. No backslash command survives: an unknown macro prints its bare name.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

SUP = dict(
    zip(
        "0123456789+-−=()niabcdefghjklmoprstuvwxyzABDEGHIJKLMNOPRTUVWβγδθφχ⊤*′",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱᵃᵇᶜᵈᵉᶠᵍʰʲᵏˡᵐᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵝᵞᵟᶿᵠᵡᵀ*′",
        strict=True,
    )
)
SUB = dict(
    zip("0123456789+-−=()aehijklmnoprstuvxβγρφχ", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ", strict=True)
)
ACCENTS = {
    "hat": "\u0302",
    "widehat": "\u0302",
    "bar": "\u0304",
    "overline": "\u0305",
    "tilde": "\u0303",
    "widetilde": "\u0303",
    "dot": "\u0307",
    "ddot": "\u0308",
    "vec": "\u20d7",
}
FONTS = {
    "mathbf",
    "mathrm",
    "mathit",
    "boldsymbol",
    "bm",
    "mathsf",
    "mathtt",
    "textbf",
    "textit",
    "mathnormal",
}
SPACES = {",": " ", ":": " ", ";": " ", " ": " ", "quad": "  ", "qquad": "    ", "!": "", "enspace": " "}
DROP = {
    "left",
    "right",
    "big",
    "Big",
    "bigg",
    "Bigg",
    "bigl",
    "bigr",
    "Bigl",
    "Bigr",
    "displaystyle",
    "textstyle",
    "limits",
    "nolimits",
}
LITERALS = {
    "|": "‖",
    "{": "{",
    "}": "}",
    "%": "%",
    "&": "&",
    "#": "#",
    "_": "_",
    "$": "$",
    "lVert": "‖",
    "rVert": "‖",
    "lvert": "|",
    "rvert": "|",
    "vert": "|",
    "Vert": "‖",
    "langle": "⟨",
    "rangle": "⟩",
    "ne": "≠",
    "neq": "≠",
}
# A fraction of two small numbers is one symbol: "∂/∂z ½(p−y)²" cannot be read as 1/(2(p−y)²).
VULGAR = {
    ("1", "2"): "½",
    ("1", "3"): "⅓",
    ("2", "3"): "⅔",
    ("1", "4"): "¼",
    ("3", "4"): "¾",
    ("1", "8"): "⅛",
}
# Relations are always spaced ("α ≤ β", "β > 0"); binary operators spaced on one side get both
# ("N × H × W"), and written tight they stay tight ("3×3"). Script groups keep theirs: "_((u,v)∈Ω)".
RELATIONS = ("=", "≈", "≤", "≥", "<", ">", "≠", "∈", "∉", "∼", "≡", "∝", "←", "→", "⇒", "⇔", "↦")
BINARY = ("+", "×", "⊙", "·", "∗", "⊗")
OPERATORS = ("=", "≈", "≤", "≥", "<", ">", "←", "→", "⇒", "∈", "≠", "∝", "≡", ":=")
_SCRIPTS = re.escape("".join(sorted(set(SUP.values()) | set(SUB.values()))))
# One symbol: a number, or a letter with accents and scripts, optionally after ∂, ∂² or ∇ (∂L, x̂ᵢ, β₁ᵗ,
# 0.5, ∂²f), with at most one spelled-out script (L_CE, e^(zᵢ)).
_ATOMIC = re.compile(
    rf"(?:[∂∇][²³]?)?(?:\d+(?:\.\d+)?|[^\W\d_][\u0300-\u036f\u20d7]*)[{_SCRIPTS}]*(?:_\w+|[_^]\([^()]*\))?"
)
_INLINE_MATH = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$", re.DOTALL)
_MD_SPECIAL = re.compile(r"([*_`\[\]<>#|~])")


@cache
def _tools() -> tuple[Any, Any]:
    from pylatexenc.latex2text import LatexNodes2Text
    from pylatexenc.latexwalker import LatexWalker

    return LatexWalker, LatexNodes2Text(math_mode="text", strict_latex_spaces=True)


_PRIMED: dict[str, str] = {}


def prime(rendered: dict[str, str]) -> None:
    """Seed renderings computed earlier (the bank cache), so showing a card needs no LaTeX parser."""
    _PRIMED.update(rendered)


# Bounds on one formula. The shipped banks' longest is about 200 characters and nests 3 groups deep;
# pylatexenc and the walker below recurse once per group, so depth is what could exhaust the stack.
MAX_FORMULA_CHARS = 1000
MAX_FORMULA_DEPTH = 20


def _nesting(latex: str) -> int:
    depth = deepest = 0
    for char in latex:
        if char == "{":
            depth += 1
            deepest = max(deepest, depth)
        elif char == "}":
            depth = max(depth - 1, 0)
    return deepest + latex.count("\\begin")


def problem(latex: str) -> str | None:
    """Why the renderer cannot handle ``latex`` (a short message), or None.

    ``check`` runs every formula of a bank through this, so what it accepts is exactly what ``show`` renders
    without falling back to stripped source.
    """
    if len(latex) > MAX_FORMULA_CHARS:
        return f"formula is {len(latex)} characters long; the limit is {MAX_FORMULA_CHARS}"
    if _nesting(latex) > MAX_FORMULA_DEPTH:
        return f"formula nests groups more than {MAX_FORMULA_DEPTH} deep"
    return _verdict(latex)


@cache
def _verdict(latex: str) -> str | None:
    # Cached: a bank repeats its formulas (prose, key points, drills), and check parses every one.
    walker_cls, l2t = _tools()
    try:
        nodes, _, _ = walker_cls(latex, tolerant_parsing=False).get_latex_nodes()
    except Exception as error:  # pylatexenc's parse errors carry a message without the position
        message = str(getattr(error, "msg", None) or error).splitlines()[0]
        return f"cannot parse formula ${latex}$: {message}"
    try:
        _PRIMED[latex] = _finish(nodes, l2t)  # the same text show would print; the cache build reuses it
    except Exception as error:
        return f"cannot render formula ${latex}$ ({type(error).__name__})"
    return None


def latex_to_text(latex: str) -> str:
    """Render one LaTeX math expression (no ``$``) as a single line of Unicode text. Never raises.

    A formula ``problem`` rejects (too long, too deep, unparsable) comes out as its source with the
    backslashes stripped: a bank that skipped ``check`` still shows every card.
    """
    if latex in _PRIMED:
        return _PRIMED[latex]
    if len(latex) > MAX_FORMULA_CHARS or _nesting(latex) > MAX_FORMULA_DEPTH:
        return _strip_commands(latex)
    try:
        text = _render_text(latex)
    except Exception:  # pylatexenc's own errors, or a construct the walker below does not expect
        return _strip_commands(latex)
    _PRIMED[latex] = text  # a formula seen twice is parsed once
    return text


def _render_text(latex: str) -> str:
    walker_cls, l2t = _tools()
    nodes, _, _ = walker_cls(latex, tolerant_parsing=True).get_latex_nodes()
    return _finish(nodes, l2t)


def _finish(nodes: Any, l2t: Any) -> str:
    text = _render(nodes or [], l2t)
    text = _space_operators(re.sub(r"[ \t]+", " ", text).strip())
    text = re.sub(
        r"\b(log|ln|exp|max|min|sup|inf|arg|det|tanh|sinh|cosh|sin|cos|tan|lim|Pr) \(", r"\1(", text
    )
    text = re.sub(r"\(\s+", "(", text)
    text = re.sub(r"\s+\)", ")", text)
    return _strip_commands(text).replace("′′′", "‴").replace("′′", "″")


def _strip_commands(text: str) -> str:
    # Last resort so the terminal never shows LaTeX source: "\foo" -> "foo".
    return re.sub(r"\\([A-Za-z]+)", r"\1", text).replace("\\", "")


def _space_operators(text: str) -> str:
    """Consistent spacing of operators outside script groups; '-' becomes a real minus."""
    text = re.sub(r"(?<=[\w)\]}|′″⁰¹²³⁴⁵⁶⁷⁸⁹ᵀ\u0300-\u036f]) ?- (?=\S)|(?<=\S) -(?= )", " − ", text)
    text = text.replace("-", "−")
    parts = _split_script_groups(text)
    for i in range(0, len(parts), 2):  # even parts are outside script groups
        part = parts[i]
        for op in RELATIONS + (":=",):
            part = re.sub(rf"(?<=\S) *{re.escape(op)} *(?=\S)", f" {op} ", part)
        part = re.sub(r"([⌊⌈⟨]) +", r"\1", part)
        part = re.sub(r" +([⌋⌉⟩])", r"\1", part)
        for op in BINARY:
            part = re.sub(
                rf" ?{re.escape(op)} ?",
                lambda m: f" {m.group(0).strip()} " if " " in m.group(0) else m.group(0),
                part,
            )
        parts[i] = re.sub(r"(?<=\S) /(?=\S)|(?<=\S)/ (?=\S)", "/", part)  # "β/ γ" -> "β/γ"
    return re.sub(r" {2,}", " ", "".join(parts))


def _split_script_groups(text: str) -> list[str]:
    """``text`` cut into [outside, group, outside, group, ...] where a group is a spelled-out script
    "_(…)" or "^(…)" with balanced parentheses."""
    parts: list[str] = []
    start = 0
    for match in re.finditer(r"[_^]\(", text):
        if match.start() < start:
            continue
        end = match.end() - 1 + _closing(text[match.end() - 1 :])
        if end < match.end():
            continue
        parts += [text[start : match.start()], text[match.start() : end + 1]]
        start = end + 1
    parts.append(text[start:])
    return parts


TAKES_GROUP = {"operatorname", "mathop", "text", "mathrm", "mathbf", "mathit", "boldsymbol", "bm"}
FRACTIONS = {"frac", "dfrac", "tfrac"}


def _render(nodes: list[Any], l2t: Any) -> str:
    atoms: list[str] = []
    pending: list[int] = []
    skip = False
    for i, node in enumerate(nodes):
        if skip:
            skip = False
            continue
        # pylatexenc does not know every macro's arguments (\operatorname{..}): take the next group.
        nxt = nodes[i + 1] if i + 1 < len(nodes) else None
        if (
            type(node).__name__ == "LatexMacroNode"
            and node.macroname in TAKES_GROUP
            and not _args(node)
            and type(nxt).__name__ == "LatexGroupNode"
        ):
            atoms.append("\x00" + _render(nxt.nodelist or [], l2t))
            skip = True
            continue
        if type(node).__name__ == "LatexMacroNode" and node.macroname in FRACTIONS and len(_args(node)) < 2:
            # \tfrac12 style: the two arguments are the next two tokens.
            pending.append(len(atoms))
            atoms.append("\x01")
            continue
        atoms.extend(_atoms(node, l2t))
    for index in reversed(pending):
        tokens = [j for j in range(index + 1, len(atoms)) if atoms[j] != " "][:2]
        if len(tokens) == 2:
            top, bottom = (atoms[j].lstrip("\x00") for j in tokens)
            atoms[index] = _fraction(top, bottom)[0]
            for j in reversed(tokens):
                del atoms[j]
        else:
            atoms[index] = ""
    return _apply_scripts(atoms)


def _atoms(node: Any, l2t: Any) -> list[str]:
    """A node as a list of atoms: single characters, rendered groups, or the markers '^' and '_'."""
    kind = type(node).__name__
    if kind == "LatexCharsNode":
        return list(node.chars.replace("'", "′"))  # f' is f prime, not an apostrophe
    if kind == "LatexGroupNode":
        return ["\x00" + _render(node.nodelist or [], l2t)]  # \x00 marks one grouped atom
    if kind == "LatexMathNode":
        return list(_render(node.nodelist or [], l2t))
    if kind == "LatexCommentNode":
        return []
    if kind == "LatexSpecialsNode":
        # In math '' is a double prime (f''), not TeX's closing quotation mark.
        return [{"~": " ", "&": " ", "``": "“", "''": "″"}.get(node.specials_chars, node.specials_chars)]
    if kind == "LatexEnvironmentNode":
        return ["\x00" + _environment(node, l2t)]
    if kind == "LatexMacroNode":
        return _macro(node, l2t)
    return []


def _args(node: Any) -> list[Any]:
    argd = getattr(node, "nodeargd", None)
    return [a for a in (argd.argnlist if argd else []) if a is not None]


def _arg_text(arg: Any, l2t: Any) -> str:
    if type(arg).__name__ == "LatexGroupNode":
        return _render(arg.nodelist or [], l2t)
    return _render([arg], l2t)


def _macro(node: Any, l2t: Any) -> list[str]:
    name = node.macroname
    args = _args(node)
    if name in DROP:
        return []
    if name in SPACES:
        return [SPACES[name]]
    if name in ("frac", "dfrac", "tfrac") and len(args) >= 2:
        top, bottom = (_arg_text(a, l2t).strip() for a in args[:2])
        return _fraction(top, bottom)
    if name == "sqrt" and args:
        inner = _arg_text(args[-1], l2t).strip()
        root = _arg_text(args[0], l2t).strip() if len(args) > 1 else ""
        prefix = "".join(SUP.get(c, c) for c in root) if root else ""
        return ["\x00" + prefix + "√" + _wrap(inner)]
    if name in ACCENTS and args:
        inner = _arg_text(args[0], l2t).strip()
        mark = ACCENTS[name]
        return ["\x00" + (inner + mark if len(inner) == 1 else f"({inner}){mark}")]
    if name in FONTS and args:
        return ["\x00" + _arg_text(args[0], l2t)]
    if name in ("text", "mbox", "textrm", "operatorname", "mathop") and args:
        return ["\x00" + _arg_text(args[0], l2t)]
    if name == "\\":
        return ["; "]
    if name in LITERALS:
        return ["\x00" + LITERALS[name]]
    rendered = l2t.nodelist_to_text([node])
    if "\\" in rendered or not rendered.strip():
        rendered = name if name.isalpha() else rendered.replace("\\", "")
    # Named operators read as words: keep a space after them ("log p", not "logp").
    if name.isalpha() and rendered == name:
        return ["\x03", "\x00" + name + " "]  # \x03: a space if a letter comes before ("y log p")
    return ["\x00" + rendered]


def _fraction(top: str, bottom: str) -> list[str]:
    if (top, bottom) in VULGAR:
        return ["\x00" + VULGAR[top, bottom]]
    if top[:1] in ("d", "∂") and re.fullmatch(r"(?:[d∂]\S+ ?)+", bottom):
        bottom = bottom.replace(" ", "")  # a derivative: d/dx, ∂²f/∂xᵢ∂xⱼ
        top = re.sub(r"^([d∂][²³]?) ", r"\1", top)
        return ["\x00" + f"{_wrap(top)}/{bottom}", "\x02"]
    return ["\x00" + f"{_wrap(top)}/{_wrap(bottom)}", "\x02"]  # \x02: space if a symbol follows


def _environment(node: Any, l2t: Any) -> str:
    if node.environmentname not in ("cases", "dcases"):
        return _render(node.nodelist or [], l2t)
    rows: list[list[str]] = [[]]
    cell: list[Any] = []
    for child in node.nodelist or []:
        kind = type(child).__name__
        if kind == "LatexSpecialsNode" and child.specials_chars == "&":
            rows[-1].append(_render(cell, l2t).strip())
            cell = []
        elif kind == "LatexMacroNode" and child.macroname == "\\":
            rows[-1].append(_render(cell, l2t).strip())
            rows.append([])
            cell = []
        else:
            cell.append(child)
    rows[-1].append(_render(cell, l2t).strip())
    parts = []
    for row in rows:
        row = [c for c in row if c]
        if not row:
            continue
        value, *conds = row
        cond = " ".join(conds)
        if cond and not cond.startswith(("if", "otherwise", "else", "for")):
            cond = "if " + cond
        parts.append(f"{value}, {cond}" if cond else value)
    return "{ " + "; ".join(parts) + " }"


def _wrap(text: str) -> str:
    """Parenthesize a fraction part or root argument that is more than one symbol."""
    if len(text) <= 1 or _ATOMIC.fullmatch(text):
        return text
    body = text[1:] if text.startswith("√") else text
    if body.startswith("(") and body.endswith(")") and _closing(body) == len(body) - 1:
        return text  # already one group: (a+b) or √(a+b)
    return f"({text})"


def _closing(text: str) -> int:
    """Index of the parenthesis closing the one at text[0]."""
    depth = 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return i
    return -1


_SCRIPT_CHARS = frozenset(SUP.values()) | frozenset(SUB.values())


def _script(text: str, table: dict[str, str], marker: str, after_script: bool = False) -> str:
    """A script in Unicode where every character has a form (ᵢ₌₁, ⁽ᵏ⁾); else spelled out: bare when it is
    one plain word (_B, _max, ^T), grouped otherwise (^(∞), _((u,v)∈Ω), ^(xᵢ)), and grouped after a
    Unicode script, so that ∑ᵢ₌₁^(C) does not read as ∑ᵢ₌₁^C…"""
    text = text.strip()
    if text and all(c in table or c in ", " for c in text):
        return "".join(table.get(c, c) for c in text if c != " ")
    if not after_script and re.fullmatch(r"[^\W_]+", text) and not _SCRIPT_CHARS & set(text):
        return marker + text
    return f"{marker}({text})"


def _apply_scripts(atoms: list[str]) -> str:
    out: list[str] = []
    i = 0
    while i < len(atoms):
        atom = atoms[i]
        if atom in ("^", "_") and i + 1 < len(atoms):
            j = i + 1
            while j < len(atoms) and atoms[j] == " ":
                j += 1
            target = atoms[j].lstrip("\x00") if j < len(atoms) else ""
            table = SUP if atom == "^" else SUB
            while out and out[-1].endswith(" "):  # "max_(…)", not "max _(…)"
                out[-1] = out[-1].rstrip()
                if not out[-1]:
                    out.pop()
            after = bool(out) and out[-1][-1:] in _SCRIPT_CHARS
            script = _script(target, table, atom, after_script=after)
            out.append(script)
            i = j + 1
            # "T_δ x" must not read as "T_δx": a spelled-out script ends before the next letter or digit.
            nxt = atoms[i].lstrip("\x00")[:1] if i < len(atoms) else ""
            if script[:1] in "^_" and (nxt.isalnum() or nxt in "∂∇√∑∏∫"):
                out.append(" ")
            continue
        if atom == "\x03":
            out.append(" " if out and (out[-1][-1:].isalnum() or out[-1][-1:] in ")]") else "")
        elif atom == "\x02":
            nxt = atoms[i + 1].lstrip("\x00") if i + 1 < len(atoms) else ""
            out.append(" " if nxt[:1].isalnum() or nxt[:1] in "∑∏∫(√∂∇" else "")
        else:
            out.append(atom.lstrip("\x00") if atom.startswith("\x00") else atom)
        i += 1
    return "".join(out)


def inline_math(text: str, markdown: bool = False) -> str:
    """Replace every ``$...$`` in prose by its Unicode rendering (escaped for Markdown if asked)."""

    def repl(match: re.Match[str]) -> str:
        rendered = latex_to_text(match.group(1))
        return _MD_SPECIAL.sub(r"\\\1", rendered) if markdown else rendered

    text = text.replace("$$", "$")
    return _INLINE_MATH.sub(repl, text)


def math_segments(text: str) -> list[str]:
    """The LaTeX sources of the ``$...$`` segments in ``text`` (to pre-render them into the cache)."""
    return [m.group(1) for m in _INLINE_MATH.finditer(text.replace("$$", "$"))]
