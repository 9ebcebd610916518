"""Questions and drill cards for the terminal: ``list``, ``show`` and ``check`` output."""

from __future__ import annotations

import json
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text as RichText

from dlquiz import markup, sanitize
from dlquiz.i18n import N_, _, in_language
from dlquiz.mathtext import inline_math, latex_to_text
from dlquiz.model import CLOZE_RE, Catalog, Drill, Question, Text
from dlquiz.render import langs, print_record
from dlquiz.render.layout import WholePanel
from dlquiz.render.markup import render_markdown, spans_text
from dlquiz.render.prose import Prose, prose

LANG_LABEL = {"en": "EN", "zh": "中文"}
TYPE_STYLE = {
    "basic": "cyan",
    "cloze": "magenta",
    "choice": "yellow",
    "numeric": "green",
    "code": "bright_blue",
}
# Drill types as shown (the bank format keeps the English names): _(card.type) where a type is printed.
TYPE_NAMES = (N_("basic"), N_("cloze"), N_("choice"), N_("numeric"), N_("code"))


def plain(text: str) -> str:
    """Prose with its inline math rendered as Unicode (no Markdown), controls shown as notation.

    The console escapes them too (``render.console``); doing it here first keeps the layout right.
    """
    return sanitize.terminal(inline_math(text))


def md(text: str) -> RenderableType:
    """A field that may hold paragraphs, lists and tables (answers), as Markdown that never crops."""
    return render_markdown(markup.tree(markup.source(text)))


def inline(text: str, style: str = "") -> Prose:
    """A one-paragraph field (a prompt, an option, a key point) with its Markdown emphasis and code
    rendered as styles, so ``*after*`` prints in italics rather than with its asterisks."""
    return spans_text(markup.inline_spans(markup.source(text)), style=style)


def _same(text: Text) -> bool:
    return text.en.strip() == text.zh.strip()


def codes(text: Text, lang: str) -> tuple[str, ...]:
    """The languages to print ``text`` in: with ``both``, a text that is the same in en and zh (a
    formula, a name) once."""
    return ("en",) if lang == "both" and _same(text) else langs(lang)


def _texts(text: Text, lang: str, markdown: bool = False) -> RenderableType:
    """One text in the chosen language(s); with ``both``, Chinese follows English, dimmed label."""
    shown = codes(text, lang)
    parts: list[RenderableType] = []
    for code in shown:
        if markdown:
            parts.append(md(text.get(code)))
        elif len(shown) > 1:
            line = Prose.assemble((f"{LANG_LABEL[code]} ", "dim"))
            line.append_text(inline(text.get(code)))
            parts.append(line)
        else:
            parts.append(inline(text.get(code)))
    return Group(*parts)


def joined(text: Text, lang: str, sep: str = " / ") -> Prose:
    """Both languages on one line (a formula name, an option), or one of them."""
    out = Prose()
    for i, code in enumerate(codes(text, lang)):
        if i:
            out.append(sep)
        out.append_text(inline(text.get(code)))
    return out


def cloze_blanks(text: str, reveal: bool = False) -> Prose:
    """A cloze prompt with its deletions hidden as [...] (or the hint), or revealed and highlighted."""
    out = Prose()
    pos = 0
    for match in CLOZE_RE.finditer(text):
        out.append_text(inline(text[pos : match.start()]))
        if reveal:
            out.append_text(inline(match.group(2), style="bold green"))
        else:
            hint = match.group(3)
            out.append_text(inline(f"[{hint if hint else '...'}]", style="bold magenta"))
        pos = match.end()
    out.append_text(inline(text[pos:]))
    return out


def _drill_prompt(drill: Drill, lang: str) -> RenderableType:
    if drill.type != "cloze":
        return _texts(drill.prompt, lang)
    return Group(*(cloze_blanks(drill.prompt.get(code)) for code in codes(drill.prompt, lang)))


def list_json(catalog: Catalog) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for q in catalog.questions:
        rows.append(
            {
                "id": q.id,
                "section": q.section,
                "kind": "question",
                "question": None,
                "type": None,
                "prompt": q.prompt.to_dict(),
                "drills": len(q.drills),
            }
        )
        for d in q.drills:
            rows.append(
                {
                    "id": d.id,
                    "section": d.section,
                    "kind": "drill",
                    "question": q.id,
                    "type": d.type,
                    "prompt": d.prompt.to_dict(),
                }
            )
    return rows


# --- show ---------------------------------------------------------------------------------------------


def card_json(catalog: Catalog, card: Question | Drill) -> dict[str, Any]:
    """Every field of the card as loaded, plus what identifies it."""
    data = dict(card.raw)
    if isinstance(card, Question):
        return {"kind": "question", **data, "file": card.file}
    return {"kind": "drill", "question": card.question, "section": card.section, **data}


def render_question(
    console: Console, catalog: Catalog, q: Question, lang: str, demo_titles: dict[str, str]
) -> None:
    section = catalog.section(q.section)
    section_title = joined(section.title, lang, " · ").plain if section else q.section
    console.print(
        WholePanel(
            _texts(q.prompt, lang),
            title=f"[bold]{q.id}[/]",
            subtitle=f"{section_title} · " + _("article {source}").format(source=q.source),
            border_style="blue",
            title_align="left",
            subtitle_align="right",
        )
    )
    console.print(_heading(N_("Short answer"), lang))
    for code in codes(q.answer_short, lang):
        console.print(WholePanel(md(q.answer_short.get(code)), border_style="green", box=box.ROUNDED))
    console.print(_heading(N_("Key points"), lang))
    for point in q.key_points:
        for code in codes(point, lang):
            console.print(_item("•", point.get(code), "green"))
    if q.formulas:
        console.print(_heading(N_("Formulas"), lang))
        # A name above its formula: side by side, a narrow terminal would have to fold the formula.
        for f in q.formulas:
            name = joined(f.name, lang)
            name.stylize("dim")
            console.print(_item("•", name, "dim"))
            console.print(_item("", Prose(latex_to_text(f.latex), style="bold"), indent=4))
    console.print(_heading(N_("Detailed answer"), lang))
    for code in codes(q.answer_detailed, lang):
        console.print(md(q.answer_detailed.get(code)))
        console.print()
    if q.pitfalls:
        console.print(_heading(N_("Pitfalls"), lang))
        for p in q.pitfalls:
            for code in codes(p.wrong, lang):
                console.print(_item("✗", inline(p.wrong.get(code), style="red"), "bold red"))
            for code in codes(p.right, lang):
                console.print(_item("✓", p.right.get(code), "bold green"))
            if p.source:
                console.print(_item("", Prose(f"— {p.source}", style="dim")))
    if q.follow_ups:
        console.print(_heading(N_("Follow-ups"), lang))
        for f in q.follow_ups:
            if f.question:
                target = catalog.get(f.question)
                line = joined(target.prompt, lang) if isinstance(target, Question) else Prose(f.question)
                line.append("  ")
                line.append_together(f"(dlquiz show {f.question})", "dim")
                console.print(_item("→", line, "cyan"))
            elif f.prompt:
                for code in codes(f.prompt, lang):
                    body: list[RenderableType] = [inline(f.prompt.get(code))]
                    if f.hint:
                        body.append(inline(f.hint.get(code), style="dim italic"))
                    console.print(_item("→", Group(*body), "cyan"))
    console.print(_heading(N_("References"), lang))
    for r in q.references:
        line = Prose.assemble((f"{r.authors} ({r.year}). ", ""), (r.title, "italic"), f". {r.venue}.")
        if r.url:
            line.append(" ")
            line.append_together(r.url, "dim")
        console.print(_item("•", line, "dim"))
    if q.demos:
        console.print(_heading(N_("Prove it"), lang))
        for demo_id in q.demos:
            line = Prose().append_together(f"dlquiz prove {demo_id}", "bold")
            line.append(f"  {demo_titles.get(demo_id, '')}", "dim")
            console.print(_item("$", line, "dim"))
    if q.drills:
        console.print(_heading(N_("Drill cards ({n})"), lang, n=len(q.drills)))
        for d in q.drills:
            console.print(Prose.assemble("  ", (d.id, "dim"), " ", (_(d.type), TYPE_STYLE[d.type])))


def render_drill(console: Console, catalog: Catalog, d: Drill, lang: str) -> None:
    console.print(
        WholePanel(
            _drill_prompt(d, lang),
            title=f"[bold]{d.id}[/] · [{TYPE_STYLE[d.type]}]{_(d.type)}[/]",
            subtitle=_("drill of {question}").format(question=d.question),
            border_style="blue",
            title_align="left",
            subtitle_align="right",
        )
    )
    console.print(drill_answer(d, lang))


def drill_answer(d: Drill, lang: str) -> RenderableType:
    parts: list[RenderableType] = []
    if d.type == "basic" and d.back:
        parts.append(_texts(d.back, lang))
    elif d.type == "cloze":
        parts.extend(cloze_blanks(d.prompt.get(c), reveal=True) for c in codes(d.prompt, lang))
    elif d.type == "choice":
        for i, option in enumerate(d.options):
            mark = ("✓", "bold green") if option.correct else ("✗", "red")
            parts.append(_item(f"{chr(65 + i)}. {mark[0]}", joined(option.text, lang), mark[1]))
    elif d.type == "code":
        parts.append(Prose(_("Hints"), style="bold"))
        for i, hint in enumerate(d.hints, start=1):
            for c in codes(hint, lang):
                parts.append(_item(f"{i}.", hint.get(c), "dim"))
        start = Prose(_("try it: "), style="dim").append_together(f"dlquiz code start {d.judge}", "bold")
        solution = Prose(_("reference: "), style="dim")
        solution.append_together(f"dlquiz code solution {d.judge}", "bold")
        parts.extend((start, solution))
    elif d.type == "numeric":
        tol = f" ± {d.tolerance:g}" if d.tolerance else ""
        unit = f" {d.unit}" if d.unit else ""
        parts.append(Prose.assemble((_("Answer:") + " ", "bold"), (f"{d.answer:g}{tol}{unit}", "bold green")))
    if d.explanation:
        parts.append(Prose())
        parts.append(_texts(d.explanation, lang))
    return WholePanel(Group(*parts), border_style="green", title=_("answer"), title_align="left")


def _item(mark: str, body: RenderableType | str, mark_style: str = "", indent: int = 2) -> Table:
    """A list item whose wrapped lines hang under the text, not under the mark. A string body is one
    paragraph with Markdown emphasis; a rich Text becomes Prose, so it wraps and never crops."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=indent + cell_len(mark), justify="right", style=mark_style, no_wrap=True)
    grid.add_column(ratio=1)
    if isinstance(body, str):
        body = inline(body)
    elif isinstance(body, RichText):
        body = prose(body)
    grid.add_row(Prose(mark), body)
    return grid


def _heading(en: str, lang: str, **fields: object) -> Prose:
    """A heading in the content's language(s): with ``both``, "English · 中文"."""
    label = " · ".join(in_language(code, en).format(**fields) for code in langs(lang))
    return Prose(f"\n{label}", style="bold underline")


# --- check --------------------------------------------------------------------------------------------


def render_problems(
    console: Console, problems: list[Any], files: list[str], n_questions: int, n_drills: int
) -> None:
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    for p in problems:
        style = "red" if p.severity == "error" else "yellow"
        print_record(console, RichText(str(p), style=style))
    summary = _("{files} file(s), {questions} questions, {drills} drill cards").format(
        files=len(files), questions=n_questions, drills=n_drills
    )
    if errors:
        line = _("✗ {errors} error(s), {warnings} warning(s) in {summary}")
        console.print(
            RichText(
                line.format(errors=len(errors), warnings=len(warnings), summary=summary), style="bold red"
            )
        )
    else:
        line = _("✓ {summary}: no errors, {warnings} warning(s)") if warnings else _("✓ {summary}: no errors")
        console.print(RichText(line.format(summary=summary, warnings=len(warnings)), style="bold green"))


def dumps(data: Any) -> str:
    """JSON for scripts. json escapes C0 controls itself; C1 controls and bidi controls get ``\\uXXXX``
    too (still the same JSON value), so printing the JSON cannot drive a terminal either."""
    return sanitize.json_safe(json.dumps(data, ensure_ascii=False, indent=2))
