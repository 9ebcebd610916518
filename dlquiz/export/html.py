"""Our bank text (Markdown with ``$...$`` math) as HTML with MathJax delimiters, for Anki fields.

Math is cut out before Markdown sees it (an ``_`` or ``*`` inside LaTeX would otherwise turn into
emphasis, a ``|`` into a table cell), replaced by private-use placeholders, and put back afterwards as
``\\(...\\)`` or ``\\[...\\]`` with ``<``, ``>`` and ``&`` escaped. Anki never sees a raw ``$``.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from dlquiz import sanitize

# $$...$$ first (display), then $...$ (inline); a backslash-escaped \$ is a dollar sign, not math.
_DISPLAY = re.compile(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$", re.DOTALL)
_INLINE = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$", re.DOTALL)
_PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")
_SINGLE_PARAGRAPH = re.compile(r"\A<p>((?:(?!<p>).)*)</p>\n?\Z", re.DOTALL)
# Punctuation that must not start a line ("，" "." after inline math) or end one ("（" before it): a
# browser may break next to math (it is an atomic box), so the punctuation is kept with the formula.
_PUNCT_MATH_PUNCT = re.compile("([（「『(]*)(\ue000\\d+\ue001)([，。、；：！？）」』,.;:!?)]*)")
# A number in scientific notation breaks at its "-" (1.501e- / 15) unless kept whole.
_EXPONENT = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?e[-+]\d+)(?![\w.])")
_TAG = re.compile(r"(<[^>]*>)")
# Runs of Chinese inside English text (a quoted term): marked so devices use Chinese glyph forms.
_HAN_RUN = re.compile("([\u3400-\u9fff\uf900-\ufaff][\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]*)")


@cache
def _markdown() -> Any:
    from markdown_it import MarkdownIt

    # html off: a "<" in the prose is text, not a tag; tables and ~~strike~~ as on GitHub. Images off: a
    # shared bank must not make Anki fetch a URL (a tracking pixel). Links: http(s) only, the rest is text.
    md = MarkdownIt("commonmark", {"html": False, "breaks": False}).enable(["table", "strikethrough"])
    md.disable("image")
    md.validateLink = sanitize.safe_url
    return md


def math_html(latex: str, display: bool = False) -> str:
    """One formula with MathJax delimiters; HTML-escaped so a ``<`` in LaTeX cannot open a tag.

    MathJax 3 never breaks inline math, so a long inline formula (a worked sum) is cut where TeX would
    break it, after its top-level relations and binary operators, into formulas joined by a zero-width
    space: the browser can then wrap it on a phone. Each piece but the last ends with ``{}``, so its
    closing operator keeps its spacing.
    """
    if display:
        return f"\\[{sanitize.html_text(latex.strip())}\\]"
    pieces = split_inline(latex.strip())
    last = len(pieces) - 1
    return ZWSP.join(
        f"\\({sanitize.html_text(piece)}{'' if i == last else '{}'}\\)" for i, piece in enumerate(pieces)
    )


ZWSP = "\u200b"
LONG_INLINE = 32  # characters of LaTeX; shorter formulas always fit a phone's line
_COMMAND = re.compile(r"\\([A-Za-z]+|.)")
_RELATIONS = {"approx", "le", "leq", "ge", "geq", "ne", "neq", "equiv", "Rightarrow", "implies", "iff", "sim"}
_BINARY = {"cdot", "times", "pm", "mp"}


def split_inline(latex: str) -> list[str]:
    """A long inline formula cut at its top-level break points: never inside braces, parentheses,
    ``\\left…\\right`` or an environment; at a binary operator only after an operand (a sign stays unary)."""
    if len(latex) < LONG_INLINE or "\\begin" in latex:
        return [latex]
    cuts: list[int] = []
    depth, i, after_operand = 0, 0, False
    while i < len(latex):
        char = latex[i]
        if char == "\\":
            match = _COMMAND.match(latex, i)
            name = match.group(1) if match else ""
            end = match.end() if match else i + 1
            if name == "left":
                depth += 1
            elif name == "right":
                depth -= 1
            if depth == 0 and (name in _RELATIONS or (name in _BINARY and after_operand)):
                cuts.append(end)
                after_operand = False
            elif name not in ("left", "right", ",", ";", ":", "!", " ", "quad", "qquad"):
                after_operand = name not in _RELATIONS | _BINARY
            i = end
            continue
        if char in "{(":  # no break inside parentheses either: (p - 1) stays whole
            depth += 1
        elif char in "})":
            depth -= 1
            after_operand = True
        elif depth == 0 and (char in "=<>" or (char in "+-" and after_operand)):
            if i > 0 and latex[i - 1] not in "^_":
                cuts.append(i + 1)
            after_operand = False
        elif char in "[,":
            after_operand = False
        elif not char.isspace():
            after_operand = True
        i += 1
    if depth != 0:  # unbalanced: leave it to MathJax to report
        return [latex]
    bounds = [0, *(c for c in cuts if c < len(latex)), len(latex)]
    pieces = [latex[a:b].strip() for a, b in zip(bounds, bounds[1:], strict=False)]
    return [p for p in pieces if p]


def _protect(text: str) -> tuple[str, list[str]]:
    text = sanitize.terminal(text)  # controls and bidi overrides as visible notation, as in the terminal
    saved: list[str] = []

    def keep(rendered: str) -> str:
        saved.append(rendered)
        return f"\ue000{len(saved) - 1}\ue001"

    text = _DISPLAY.sub(lambda m: keep(math_html(m.group(1), display=True)), text)
    text = _INLINE.sub(lambda m: keep(math_html(m.group(1))), text)
    return text.replace("\\$", "$"), saved


def _restore(text: str, saved: list[str]) -> str:
    def glue(m: re.Match[str]) -> str:
        before, index, after = m.groups()
        math = saved[int(index[1:-1])]
        if not (before or after) or not math.startswith("\\("):  # display math is a block: left alone
            return m.group(0)
        pieces = math.split(ZWSP)  # a split formula: glue to its first and last pieces only
        pieces[0] = before + pieces[0]
        pieces[-1] = pieces[-1] + after
        if len(pieces) == 1:
            return f'<span class="nowrap">{pieces[0]}</span>'
        first, last = (
            f'<span class="nowrap">{x}</span>' if g else x
            for x, g in ((pieces[0], before), (pieces[-1], after))
        )
        return ZWSP.join([first, *pieces[1:-1], last])

    text = _PUNCT_MATH_PUNCT.sub(glue, text)
    return _PLACEHOLDER.sub(lambda m: saved[int(m.group(1))], text)


def _phone_friendly(rendered: str) -> str:
    """Tables in a box that scrolls sideways (the card itself never does); exponent numbers kept whole."""
    rendered = rendered.replace("<table>", '<div class="scroll"><table>')
    rendered = rendered.replace("</table>", "</table></div>")
    parts = _TAG.split(rendered)
    for i in range(0, len(parts), 2):  # text between tags only, never inside an attribute
        parts[i] = whole_numbers(parts[i])
    return "".join(parts)


def whole_numbers(text: str) -> str:
    """Escaped text with each number in scientific notation kept on one line (no "1e-" / "12")."""
    return _EXPONENT.sub(r'<span class="nowrap">\1</span>', text)


def to_html(text: str, inline: bool = False) -> str:
    """Markdown + ``$math$`` -> HTML. With ``inline``, a lone paragraph loses its ``<p>`` wrapper."""
    protected, saved = _protect(text)
    rendered = _phone_friendly(_markdown().render(protected))
    if inline:
        single = _SINGLE_PARAGRAPH.match(rendered)
        if single:
            rendered = single.group(1)
    return _restore(rendered.strip(), saved)


def cloze_html(text: str) -> str:
    """A cloze prompt (``{{c1::...}}`` already in Anki's syntax) as HTML.

    ``}}`` inside math would close the deletion early, so it is spaced apart, as Anki's manual advises.
    """
    protected, saved = _protect(text)
    saved = [s.replace("}}", "} }") for s in saved]
    single = _SINGLE_PARAGRAPH.match(_markdown().render(protected))
    rendered = single.group(1) if single else _markdown().render(protected)
    while "}}}" in rendered:  # a deletion ending in a brace: keep Anki's closing }} at the end
        rendered = rendered.replace("}}}", "} }}")
    return _restore(rendered.strip(), saved)


def mark_chinese(rendered: str) -> str:
    """``lang="zh-CN"`` on each run of Chinese in HTML whose language is otherwise English."""
    if not _HAN_RUN.search(rendered):
        return rendered
    parts = _TAG.split(rendered)
    for i in range(0, len(parts), 2):
        parts[i] = _HAN_RUN.sub(r'<span lang="zh-CN">\1</span>', parts[i])
    return "".join(parts)


def escape(text: str) -> str:
    """Text for element content or a quoted attribute (quote=True): the one HTML escape of the exports."""
    return sanitize.html_text(text)
