"""A study guide in Markdown: each question with its answer, key points, formulas, pitfalls and references.

The bank text is already Markdown with ``$...$`` math, which GitHub renders as is; formulas become
``$$`` blocks. Drill cards are left out: they are for testing oneself, not for reading. The output
carries no date or version, so the same banks always give the same file.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from dlquiz import sanitize
from dlquiz.export import write_atomic
from dlquiz.model import Catalog, Drill, Question, Text

LABELS = {
    "en": {
        "title": "dlquiz study guide",
        "answer": "Answer",
        "details": "In detail",
        "key_points": "Key points",
        "formulas": "Formulas",
        "pitfalls": "Pitfalls",
        "references": "References",
        "contents": "Contents",
        "see_also": "Follow-up questions",
        "code": "Code drill",
        "hints": "Hints",
    },
    "zh": {
        "title": "dlquiz 复习手册",
        "answer": "回答",
        "details": "详解",
        "key_points": "要点",
        "formulas": "公式",
        "pitfalls": "常见误区",
        "references": "参考文献",
        "contents": "目录",
        "see_also": "追问",
        "code": "编程练习",
        "hints": "提示",
    },
}


def _label(key: str, lang: str) -> str:
    if lang == "both":
        return f"{LABELS['en'][key]} · {LABELS['zh'][key]}"
    return LABELS[lang][key]


_MATH = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$")


def github(text: str) -> str:
    """Bank Markdown as GitHub reads it: a ``|`` inside math on a table row must be ``\\|``.

    GitHub splits table cells before it renders math, so ``$|x|$`` in a cell would end the cell.
    """
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.lstrip().startswith("|"):
            lines[i] = _MATH.sub(lambda m: m.group(0).replace("|", "\\|"), line)
    return "\n".join(lines)


def _texts(text: Text | None, lang: str) -> list[str]:
    if text is None:
        return []
    chosen = [text.en, text.zh] if lang == "both" else [text.get(lang)]
    return [github(no_html(t.strip())) for t in chosen]


# A Markdown link whose target has a scheme other than http(s): "](" escaped, so it stays text; the
# same for an autolink (<javascript:...>). An image becomes a plain link: no viewer fetches a URL unasked.
_UNSAFE_LINK = re.compile(r"\]\((?=\s*<?\s*[A-Za-z][\w+.-]*:)(?!\s*<?\s*https?://)")
_UNSAFE_AUTOLINK = re.compile(r"<(?=[A-Za-z][\w+.-]{1,31}:[^\s<>]*>)(?!https?:)", re.IGNORECASE)
_IMAGE = re.compile(r"(?<!\\)!\[")


@cache
def _html_finder() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def no_html(text: str) -> str:
    """Bank Markdown with its raw HTML turned into text, and links to other schemes than http(s) unlinked.

    GitHub sanitizes what it renders, but pandoc and many editors' previews pass HTML through: a shared
    bank's ``<img onerror=...>`` must reach the guide as text, as it reaches the Anki export.
    """
    if "<" not in text and "](" not in text and "![" not in text:
        return text
    lines = text.split("\n")
    for token in _html_finder().parse(text):
        if not token.map:
            continue
        first, last = token.map
        block = "\n".join(lines[first:last])
        if token.type == "html_block":
            block = html.escape(block, quote=False)
        for child in token.children or []:
            if child.type == "html_inline":
                block = block.replace(child.content, html.escape(child.content, quote=False), 1)
        lines[first:last] = block.split("\n")
    text = _UNSAFE_LINK.sub(r"]\\(", "\n".join(lines))
    return _IMAGE.sub(r"\\![", _UNSAFE_AUTOLINK.sub("&lt;", text))


def _one_line(text: Text, lang: str) -> str:
    return " / ".join(" ".join(t.split()) for t in _texts(text, lang))


def _bullet(text: str, marker: str = "- ") -> str:
    """A list item; continuation lines are indented so they stay inside it."""
    lines = text.strip().splitlines() or [""]
    pad = " " * len(marker)
    return "\n".join([marker + lines[0]] + [(pad + line) if line.strip() else "" for line in lines[1:]])


def anchor(title: str) -> str:
    """GitHub's heading anchor: lowercase, punctuation dropped, spaces to hyphens."""
    slug = re.sub(r"[^\w\- ]", "", title.strip().lower())
    return slug.replace(" ", "-")


def _link(url: str | None) -> str:
    """An autolink for an http(s) URL; any other scheme is shown as code, never as a link."""
    if not url:
        return ""
    return f" <{url}>" if sanitize.safe_url(url) else f" `{url.replace('`', '')}`"


def _question(catalog: Catalog, q: Question, number: int, lang: str) -> list[str]:
    prompts = _texts(q.prompt, lang)
    out = [f"### {number}. {' '.join(prompts[0].split())}", ""]
    out += [f"*{' '.join(p.split())}*\n" for p in prompts[1:]]
    out += [f"<sub>{no_html(sanitize.html_text(q.source))} · `{q.id}`</sub>", ""]
    out += [f"**{_label('answer', lang)}.**", ""]
    out += [t + "\n" for t in _texts(q.answer_short, lang)]
    out += [f"**{_label('details', lang)}.**", ""]
    out += [t + "\n" for t in _texts(q.answer_detailed, lang)]
    out += [f"**{_label('key_points', lang)}**", ""]
    out += [_bullet(" / ".join(_texts(k, lang))) for k in q.key_points] + [""]
    if q.formulas:
        out += [f"**{_label('formulas', lang)}**", ""]
        for f in q.formulas:
            out += [f"{_one_line(f.name, lang)}:", "", "$$", no_html(f.latex.strip()), "$$", ""]
    if q.pitfalls:
        out += [f"**{_label('pitfalls', lang)}**", ""]
        for p in q.pitfalls:
            source = f" ({no_html(p.source)})" if p.source else ""
            out.append(_bullet(f"✗ {_one_line(p.wrong, lang)}  \n✓ {_one_line(p.right, lang)}{source}"))
        out.append("")
    follow = []
    for f in q.follow_ups:
        if f.question and catalog.get(f.question) is not None:
            target = catalog.get(f.question)
            follow.append(f"`{f.question}`: {_one_line(target.prompt, lang)}")  # type: ignore[union-attr]
        elif f.prompt is not None:
            follow.append(_one_line(f.prompt, lang))
    if follow:
        out += [f"**{_label('see_also', lang)}**", ""] + [_bullet(x) for x in follow] + [""]
    out += [f"**{_label('references', lang)}**", ""]
    out += [_bullet(no_html(r.cite()) + _link(r.url)) for r in q.references] + [""]
    for d in q.drills:
        if d.type == "code":
            out += _code_drill(d, lang)
    return out


def _code_drill(d: Drill, lang: str) -> list[str]:
    """The task, the signatures to fill in, and the hints folded away: practice on paper or with the judge."""
    from dlquiz.coding.registry import all_drills

    drill = all_drills()[str(d.judge)]
    out = [f"**{_label('code', lang)}: `{drill.id}`**", ""]
    out += [t + "\n" for t in _texts(d.prompt, lang)]
    out += ["```python", drill.template.strip(), "```", ""]
    hints = [_bullet(" / ".join(_texts(h, lang)), f"{i}. ") for i, h in enumerate(d.hints, 1)]
    out += ["<details>", f"<summary>{_label('hints', lang)}</summary>", "", *hints, "", "</details>", ""]
    out += [f"`dlquiz code start {drill.id}` · `dlquiz code check {drill.file_name}`", ""]
    return out


def render(catalog: Catalog, lang: str = "en") -> str:
    lines = [f"# {_label('title', lang)}", ""]
    headings = {s.id: " / ".join(_texts(s.title, lang)) for s in catalog.sections}
    lines += [f"**{_label('contents', lang)}**", ""]
    for s in catalog.sections:
        count = sum(1 for q in catalog.questions if q.section == s.id)
        lines.append(f"- [{headings[s.id]}](#{anchor(headings[s.id])}) ({count})")
    lines.append("")
    for s in catalog.sections:
        lines += [f"## {headings[s.id]}", ""]
        questions = [q for q in catalog.questions if q.section == s.id]
        for number, q in enumerate(questions, 1):
            lines += _question(catalog, q, number, lang)
    text = sanitize.terminal("\n".join(lines))  # controls and bidi overrides as visible notation
    return re.sub(r"\n{3,}", "\n\n", text).rstrip() + "\n"


def write(
    catalog: Catalog, path: Path, lang: str = "en", fmt: str = "md", now: datetime | None = None
) -> dict[str, int]:
    text = render(catalog, lang)
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return {"questions": len(catalog.questions)}
