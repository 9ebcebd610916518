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
    """One formula with MathJax delimiters; HTML-escaped so a ``<`` in LaTeX cannot open a tag."""
    body = sanitize.html_text(latex.strip())
    return f"\\[{body}\\]" if display else f"\\({body}\\)"


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
    return _PLACEHOLDER.sub(lambda m: saved[int(m.group(1))], text)


def to_html(text: str, inline: bool = False) -> str:
    """Markdown + ``$math$`` -> HTML. With ``inline``, a lone paragraph loses its ``<p>`` wrapper."""
    protected, saved = _protect(text)
    rendered = _markdown().render(protected)
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


def escape(text: str) -> str:
    """Text for element content or a quoted attribute (quote=True): the one HTML escape of the exports."""
    return sanitize.html_text(text)
