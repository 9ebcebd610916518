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
from dlquiz.export.html import cloze_html, escape, mark_chinese, math_html, to_html, whole_numbers
from dlquiz.i18n import N_, in_language
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


# Interface words of the cards (headings, demo labels), through the interface catalog (dlquiz/i18n.py):
# the export's language picks them, whatever the interface language is; "both" shows "English · 中文".
LABELS = {
    "details": N_("Details"),
    "key_points": N_("Key points"),
    "formulas": N_("Formulas"),
    "pitfalls": N_("Pitfalls"),
    "proof": N_("Proof"),
    "references": N_("References"),
    "seed": N_("seed"),
    "measured": N_("measured"),
    "needs": N_("wanted"),
    "failed": N_("failed at export time"),
}
ZH = 'lang="zh-CN"'  # so devices pick Chinese glyph forms (直 骨 值), not Japanese ones


def label(key: str, lang: str) -> str:
    """An interface word as HTML: the Chinese one carries ``lang``; "both" gives "English · 中文"."""
    english = LABELS[key]
    zh = f"<span {ZH}>{escape(in_language('zh', english))}</span>"
    if lang == "both":
        return f"{escape(english)} · {zh}"
    return zh if lang == "zh" else escape(english)


def _lang(text: Text | None, lang: str, render: Callable[[str], str], block: bool = False) -> str:
    """One bank text in the export language. Chinese carries ``lang``.

    With "both", English comes first and Chinese on the next line of the same item (no separator, so
    a key point or an option still reads as one item); ``block`` is for whole answers, which stack as
    two blocks with a light rule between them.
    """
    if text is None:
        return ""
    tag = "div" if block else "span"
    if lang == "zh":
        return f"<{tag} {ZH}>{render(text.zh)}</{tag}>"
    english = mark_chinese(render(text.en))  # a Chinese term quoted in English text is marked too
    if lang == "both" and text.zh.strip() != text.en.strip():  # "L-BFGS" once, not twice
        return f'<{tag} class="en">{english}</{tag}><{tag} class="zh" {ZH}>{render(text.zh)}</{tag}>'
    return english


def _inline(text: str) -> str:
    return to_html(text, inline=True)


def _block(text: str) -> str:
    return to_html(text)


def _list(items: list[str], cls: str) -> str:
    return f'<ul class="{cls}">' + "".join(f"<li>{item}</li>" for item in items) + "</ul>" if items else ""


def marked(ok: bool, body: str, extra: str = "") -> str:
    """A line led by a ✓ or ✗ mark: only the mark is coloured, and it stays on the body's first line."""
    mark, cls = ("✓", "yes") if ok else ("✗", "no")
    mark_html = f'<span class="mark">{mark}</span>'
    return f'<div class="marked {cls}">{mark_html}<div class="body">{body}{extra}</div></div>'


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
    from dlquiz.render.demos import fmt  # the terminal's number format, so both show the same digits

    return escape(fmt(value))


_NUM = ' class="num"'  # numbers never wrap inside a cell


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def demo_html(result: Any, lang: str = "en", title: str | None = None) -> str:
    """A demo's output (``DemoResult``) as HTML: title, summary, tables and checks; plots are left out.

    Tables sit in a box that scrolls sideways on a narrow screen; numeric cells never wrap.
    """
    from dlquiz import i18n

    seed = f"{label('seed', lang)} {result.seed}"
    # The demo wrote its summary, tables and checks in the interface language it ran in.
    marked_lang = f" {ZH}" if i18n.language() == "zh" else ""
    parts = [
        f'<div class="demo"{marked_lang}><div class="demo-title">{title or escape(result.title)} '
        f'<span class="demo-id">{escape(result.demo_id)}, {seed}</span></div>'
    ]
    if result.summary:
        parts.append(f'<p class="demo-summary">{escape(result.summary)}</p>')
    for table in result.tables:
        head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
        rows = "".join(
            "<tr>" + "".join(f"<td{_NUM if _is_number(v) else ''}>{_cell(v)}</td>" for v in row) + "</tr>"
            for row in table.rows
        )
        parts.append(
            f'<div class="scroll"><table class="demo-table"><caption>{escape(table.title)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>"
        )
    if result.checks:
        items = []
        for check in result.checks:
            note = (
                f"({label('measured', lang)} {whole_numbers(_cell(check.measured))}, "
                f"{label('needs', lang)} {whole_numbers(escape(check.tolerance))})"
            )
            claim = f'{escape(check.claim)} <span class="measured">{note}</span>'
            cls = "pass" if check.passed else "fail"
            items.append(f'<li class="{cls}">{marked(check.passed, claim)}</li>')
        parts.append('<ul class="checks">' + "".join(items) + "</ul>")
    parts.append("</div>")
    return "".join(parts)


class DemoOutputs:
    """Runs each demo once per export, with its default seed and parameters; unknown ids are skipped."""

    def __init__(self, lang: str = "en") -> None:
        self.lang = lang
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
                demo = demos[demo_id]
                try:
                    names = Text(demo.title["en"], demo.title.get("zh") or demo.title["en"])
                    title = _lang(names, self.lang, escape)
                    self._html[demo_id] = demo_html(demo.run(), self.lang, title)
                except Exception as error:  # one broken demo must not sink the whole export
                    failed = f"{escape(demo_id)} {label('failed', self.lang)}"
                    message = f"{failed}: {type(error).__name__}: {escape(str(error))}"
                    self._html[demo_id] = f'<div class="demo demo-error">{message}</div>'
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


def _section_title(title: Text, lang: str) -> str:
    if lang == "both":
        return f"{escape(title.en)} · <span {ZH}>{escape(title.zh)}</span>"
    return _lang(title, lang, escape)


def question_note(catalog: Catalog, q: Question, lang: str, demos: DemoOutputs | None) -> NoteData:
    section = catalog.section(q.section)
    formulas = [
        f'<div class="formula"><div class="formula-name">{_lang(f.name, lang, _inline)}</div>'
        f"{math_html(f.latex, display=True)}</div>"
        for f in q.formulas
    ]
    pitfalls = [
        marked(False, _lang(p.wrong, lang, _inline))
        + marked(
            True,
            _lang(p.right, lang, _inline),
            f' <span class="source">({escape(p.source)})</span>' if p.source else "",
        )
        for p in q.pitfalls
    ]
    refs = [mark_chinese(escape(r.cite())) + (" " + html_link(r.url) if r.url else "") for r in q.references]
    fields = {
        "Id": escape(q.id),
        "Section": _section_title(section.title, lang) if section else escape(q.section),
        "Question": _lang(q.prompt, lang, _inline),
        "Answer": _lang(q.answer_short, lang, _block, block=True),
        "Details": _lang(q.answer_detailed, lang, _block, block=True),
        "KeyPoints": _list([_lang(k, lang, _inline) for k in q.key_points], "key-points"),
        "Formulas": "".join(formulas),
        "Pitfalls": _list(pitfalls, "pitfalls"),
        "Demo": demos.html(q.demos) if demos else "",
        "References": _list(refs, "references"),
    }
    return NoteData(q.id, "question", deck_name(catalog, q.section, lang), tags_for(q), fields)


def _number(value: float) -> str:
    from dlquiz.render.demos import fmt  # the terminal's number format: 70,144, not 70144

    # An exact count stays exact (150,529,000, not 1.51e+08): whole numbers go in as integers.
    return fmt(int(value)) if float(value).is_integer() else fmt(float(value))


def _choice_options(d: Drill, lang: str) -> tuple[str, str]:
    """The options as the front lists them, and as the back marks them in place: ✓ and bold text for a
    right option, ✗ for a wrong one, the letter on the first line in every language."""
    front = "".join(f"<li>{_lang(o.text, lang, _inline)}</li>" for o in d.options)
    back = "".join(
        f'<li class="{"correct" if o.correct else "incorrect"}">'
        + marked(o.correct, f'<span class="letter">{letter}.</span><div>{_lang(o.text, lang, _inline)}</div>')
        + "</li>"
        for letter, o in zip("ABCDEFGHIJ", d.options, strict=False)
    )
    return f'<ol class="options" type="A">{front}</ol>', f'<ul class="options marked-options">{back}</ul>'


def drill_note(catalog: Catalog, d: Drill, lang: str) -> NoteData:
    deck, tags = deck_name(catalog, d.section, lang), tags_for(d)
    explanation = _lang(d.explanation, lang, _block, block=True)
    if d.type == "cloze":
        # Extra holds the drill's explanation; a cloze written without one gets its question's short
        # answer, so the back says why and not only the sentence again.
        if not explanation:
            parent = catalog.get(d.question)
            if isinstance(parent, Question):
                explanation = _lang(parent.answer_short, lang, _block, block=True)
        fields = {"Id": escape(d.id), "Text": _lang(d.prompt, lang, cloze_html), "Extra": explanation}
        return NoteData(d.id, "cloze", deck, tags, fields)
    front = _lang(d.prompt, lang, _block, block=True)
    if d.type == "basic":
        back = _lang(d.back, lang, _block, block=True)
    elif d.type == "choice":
        options, back = _choice_options(d, lang)
        front += options
    elif d.type == "code":
        # The judge runs in the terminal; the card keeps the task, the steps and where to run it.
        steps = "".join(f"<li>{_lang(h, lang, _inline)}</li>" for h in d.hints)
        command = escape(f"dlquiz code start {d.judge}")
        back = f'<ol class="hints">{steps}</ol><p class="command"><code>{command}</code></p>'
    else:  # numeric; a zero tolerance means "exactly", which needs no "± 0"
        unit = f" {escape(d.unit)}" if d.unit else ""
        tolerance = f' <span class="tolerance">± {_number(d.tolerance)}</span>' if d.tolerance else ""
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
