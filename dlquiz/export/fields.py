"""The note fields shared by the Anki exports (package and text): HTML per card, tags, decks, GUIDs.

Every card of the catalog becomes one Anki note: a question note (its own note type in the package,
``Basic`` in text files), a front/back note for basic, choice and numeric drills, and a cloze note for
cloze drills. GUIDs come from the card ids, so a newer export updates the notes it exported before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dlquiz import sanitize
from dlquiz.export.html import cloze_html, escape, math_html, to_html
from dlquiz.model import Catalog, Drill, Question, Text
from dlquiz.sanitize import html_link

DECK_ROOT = "dlquiz"


@dataclass(frozen=True)
class NoteData:
    card_id: str
    kind: str  # "question", "basic" (also choice and numeric drills) or "cloze"
    deck: str
    tags: tuple[str, ...]
    fields: dict[str, str]  # field name -> HTML, in note-type order

    @property
    def guid(self) -> str:
        return guid_for(self.card_id)


def guid_for(card_id: str) -> str:
    """Anki's base91 GUID of the card id, as ``genanki.guid_for("dlquiz", card_id)`` computes it.

    Recomputed here (a few lines) so the text exports do not pay for importing genanki.
    """
    table = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~"
    value = int.from_bytes(hashlib.sha256(f"dlquiz__{card_id}".encode()).digest()[:8], "big")
    out = []
    while value > 0:
        value, digit = divmod(value, len(table))
        out.append(table[digit])
    return "".join(reversed(out))


def _lang(text: Text | None, lang: str, render: Callable[[str], str]) -> str:
    if text is None:
        return ""
    if lang == "both":
        return f'<div class="en">{render(text.en)}</div><div class="zh">{render(text.zh)}</div>'
    return render(text.get(lang))


def _inline(text: str) -> str:
    return to_html(text, inline=True)


def _list(items: list[str], cls: str) -> str:
    return f'<ul class="{cls}">' + "".join(f"<li>{item}</li>" for item in items) + "</ul>" if items else ""


def deck_name(catalog: Catalog, section_id: str, lang: str) -> str:
    section = catalog.section(section_id)
    title = section.title.get("zh" if lang == "zh" else "en") if section else section_id
    return f"{DECK_ROOT}::{sanitize.name(title).replace('::', ':')}"


def tags_for(card: Question | Drill) -> tuple[str, ...]:
    kind = "question" if isinstance(card, Question) else "drill"
    kind_tags = (f"kind::{kind}",) if kind == "question" else (f"kind::{kind}", f"type::{card.type}")
    return (DECK_ROOT, f"section::{card.section}", *kind_tags)


# --- demos -------------------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return escape(f"{value:.4g}")
    return escape(str(value))


def demo_html(result: Any) -> str:
    """A demo's output (``DemoResult``) as HTML: title, summary, tables and checks; plots are left out."""
    parts = [
        f'<div class="demo"><div class="demo-title">{escape(result.title)} '
        f'<span class="demo-id">{escape(result.demo_id)}, seed {result.seed}</span></div>'
    ]
    if result.summary:
        parts.append(f'<p class="demo-summary">{escape(result.summary)}</p>')
    for table in result.tables:
        head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
        rows = "".join("<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>" for row in table.rows)
        parts.append(
            f'<table class="demo-table"><caption>{escape(table.title)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
        )
    if result.checks:
        items = []
        for check in result.checks:
            mark, cls = ("✓", "pass") if check.passed else ("✗", "fail")
            note = f"(measured {_cell(check.measured)}, needs {escape(check.tolerance)})"
            measured = f'<span class="measured">{note}</span>'
            items.append(f'<li class="{cls}">{mark} {escape(check.claim)} {measured}</li>')
        parts.append('<ul class="checks">' + "".join(items) + "</ul>")
    parts.append("</div>")
    return "".join(parts)


class DemoOutputs:
    """Runs each demo once per export, with its default seed and parameters; unknown ids are skipped."""

    def __init__(self) -> None:
        self._html: dict[str, str] = {}
        self.failed: list[str] = []

    def html(self, demo_ids: tuple[str, ...]) -> str:
        if not demo_ids:
            return ""
        from dlquiz.demos import all_demos

        demos = all_demos()
        out = []
        for demo_id in demo_ids:
            if demo_id not in self._html and demo_id in demos:
                try:
                    self._html[demo_id] = demo_html(demos[demo_id].run())
                except Exception as error:  # one broken demo must not sink the whole export
                    message = f"{demo_id} failed at export time: {type(error).__name__}: {error}"
                    self._html[demo_id] = f'<div class="demo demo-error">{escape(message)}</div>'
                    self.failed.append(demo_id)
            out.append(self._html.get(demo_id, ""))
        return "".join(out)


# --- notes ---------------------------------------------------------------------------------------------


QUESTION_FIELDS = (
    "Id",
    "Section",
    "Question",
    "Answer",
    "Details",
    "KeyPoints",
    "Formulas",
    "Pitfalls",
    "Demo",
    "References",
)
DRILL_FIELDS = ("Id", "Front", "Back", "Explanation")
CLOZE_FIELDS = ("Id", "Text", "Extra")


def question_note(catalog: Catalog, q: Question, lang: str, demos: DemoOutputs | None) -> NoteData:
    section = catalog.section(q.section)
    formulas = [
        f'<div class="formula"><div class="formula-name">{_lang(f.name, lang, _inline)}</div>'
        f"{math_html(f.latex, display=True)}</div>"
        for f in q.formulas
    ]
    pitfalls = [
        f'<div class="wrong">✗ {_lang(p.wrong, lang, _inline)}</div>'
        f'<div class="right">✓ {_lang(p.right, lang, _inline)}'
        + (f' <span class="source">({escape(p.source)})</span>' if p.source else "")
        + "</div>"
        for p in q.pitfalls
    ]
    refs = [escape(r.cite()) + (" " + html_link(r.url) if r.url else "") for r in q.references]
    fields = {
        "Id": escape(q.id),
        "Section": _lang(section.title, lang, escape) if section else escape(q.section),
        "Question": _lang(q.prompt, lang, _inline),
        "Answer": _lang(q.answer_short, lang, to_html),
        "Details": _lang(q.answer_detailed, lang, to_html),
        "KeyPoints": _list([_lang(k, lang, _inline) for k in q.key_points], "key-points"),
        "Formulas": "".join(formulas),
        "Pitfalls": _list(pitfalls, "pitfalls"),
        "Demo": demos.html(q.demos) if demos else "",
        "References": _list(refs, "references"),
    }
    return NoteData(q.id, "question", deck_name(catalog, q.section, lang), tags_for(q), fields)


def _number(value: float) -> str:
    return f"{value:g}"


def drill_note(catalog: Catalog, d: Drill, lang: str) -> NoteData:
    deck, tags = deck_name(catalog, d.section, lang), tags_for(d)
    explanation = _lang(d.explanation, lang, to_html)
    if d.type == "cloze":
        fields = {"Id": escape(d.id), "Text": _lang(d.prompt, lang, cloze_html), "Extra": explanation}
        return NoteData(d.id, "cloze", deck, tags, fields)
    front = _lang(d.prompt, lang, to_html)
    if d.type == "basic":
        back = _lang(d.back, lang, to_html)
    elif d.type == "choice":
        letters = "ABCDEFGH"
        options = "".join(f"<li>{_lang(o.text, lang, _inline)}</li>" for o in d.options)
        front += f'<ol class="options" type="A">{options}</ol>'
        correct = [
            f"<li>{letters[i]}. {_lang(o.text, lang, _inline)}</li>"
            for i, o in enumerate(d.options)
            if o.correct
        ]
        back = f'<ul class="correct">{"".join(correct)}</ul>'
    elif d.type == "code":
        # The judge runs in the terminal; the card keeps the task, the steps and where to run it.
        steps = "".join(f"<li>{_lang(h, lang, _inline)}</li>" for h in d.hints)
        command = escape(f"dlquiz code start {d.judge}")
        back = f'<ol class="hints">{steps}</ol><p class="command"><code>{command}</code></p>'
    else:  # numeric
        unit = f" {escape(d.unit)}" if d.unit else ""
        tolerance = f' <span class="tolerance">(± {_number(d.tolerance or 0)})</span>'
        back = f'<div class="number">{_number(d.answer or 0)}{unit}{tolerance}</div>'
    fields = {"Id": escape(d.id), "Front": front, "Back": back, "Explanation": explanation}
    return NoteData(d.id, "basic", deck, tags, fields)


def notes(catalog: Catalog, lang: str, demos: DemoOutputs | None) -> list[NoteData]:
    """Every card of ``catalog`` as note data, each question followed by its drills."""
    out: list[NoteData] = []
    for q in catalog.questions:
        out.append(question_note(catalog, q, lang, demos))
        out.extend(drill_note(catalog, d, lang) for d in q.drills)
    return out
