"""Questions and drill cards for the terminal: ``list``, ``show`` and ``check`` output."""

from __future__ import annotations

import json
from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table
from rich.text import Text as RichText

from dlquiz.i18n import N_, _, in_language
from dlquiz.mathtext import inline_math, latex_to_text
from dlquiz.model import CLOZE_RE, Catalog, Drill, Question, Text
from dlquiz.render import langs, print_record

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
    """Prose with its inline math rendered as Unicode (no Markdown)."""
    return inline_math(text)


def md(text: str) -> Markdown:
    return Markdown(inline_math(text, markdown=True))


def _texts(text: Text, lang: str, markdown: bool = False) -> RenderableType:
    """One text in the chosen language(s); with ``both``, Chinese follows English, dimmed label."""
    parts: list[RenderableType] = []
    for code in langs(lang):
        body = md(text.get(code)) if markdown else RichText(plain(text.get(code)))
        if lang == "both" and not markdown:
            line = RichText.assemble((f"{LANG_LABEL[code]} ", "dim"), plain(text.get(code)))
            parts.append(line)
        else:
            parts.append(body)
    return Group(*parts)


def cloze_blanks(text: str, reveal: bool = False) -> RichText:
    """A cloze prompt with its deletions hidden as [...] (or the hint), or revealed and highlighted."""
    out = RichText()
    pos = 0
    for match in CLOZE_RE.finditer(text):
        out.append(plain(text[pos : match.start()]))
        if reveal:
            out.append(plain(match.group(2)), style="bold green")
        else:
            hint = match.group(3)
            out.append(f"[{plain(hint) if hint else '…'}]", style="bold magenta")
        pos = match.end()
    out.append(plain(text[pos:]))
    return out


# --- list ---------------------------------------------------------------------------------------------


def render_list(console: Console, catalog: Catalog, lang: str, drills: bool = True) -> None:
    for section in catalog.sections:
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, expand=True, pad_edge=False)
        table.add_column(_("id"), style="bold", no_wrap=True)
        table.add_column(_("kind"), no_wrap=True)
        table.add_column(_("prompt"), ratio=1)
        questions = [q for q in catalog.questions if q.section == section.id]
        n_drills = sum(len(q.drills) for q in questions)
        for q in questions:
            table.add_row(q.id, RichText(_("question"), style="bold blue"), _texts(q.prompt, lang))
            if drills:
                for d in q.drills:
                    table.add_row(
                        RichText("  " + d.id, style="dim"),
                        RichText(_(d.type), style=TYPE_STYLE[d.type]),
                        _drill_prompt(d, lang),
                    )
        title = " · ".join(section.title.get(code) for code in langs(lang))
        console.print(
            RichText(
                title + "  " + _("({q} questions, {d} drills)").format(q=len(questions), d=n_drills),
                style="bold underline",
            )
        )
        console.print(table)


def _drill_prompt(drill: Drill, lang: str) -> RenderableType:
    if drill.type != "cloze":
        return _texts(drill.prompt, lang)
    return Group(*(cloze_blanks(drill.prompt.get(code)) for code in langs(lang)))


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
    section_title = " · ".join(section.title.get(c) for c in langs(lang)) if section else q.section
    console.print(
        Panel(
            _texts(q.prompt, lang),
            title=f"[bold]{q.id}[/]",
            subtitle=f"{section_title} · " + _("article {source}").format(source=q.source),
            border_style="blue",
            title_align="left",
            subtitle_align="right",
        )
    )
    console.print(_heading(N_("Short answer"), lang))
    for code in langs(lang):
        console.print(Panel(md(q.answer_short.get(code)), border_style="green", box=box.ROUNDED))
    console.print(_heading(N_("Key points"), lang))
    for point in q.key_points:
        for code in langs(lang):
            console.print(_item("•", point.get(code), "green"))
    if q.formulas:
        console.print(_heading(N_("Formulas"), lang))
        table = Table(box=box.SIMPLE, show_header=False, expand=True, pad_edge=False)
        table.add_column(style="dim", ratio=1)
        table.add_column(style="bold", ratio=3)
        for f in q.formulas:
            table.add_row(
                RichText(" / ".join(f.name.get(c) for c in langs(lang))), RichText(latex_to_text(f.latex))
            )
        console.print(table)
    console.print(_heading(N_("Detailed answer"), lang))
    for code in langs(lang):
        console.print(md(q.answer_detailed.get(code)))
        console.print()
    if q.pitfalls:
        console.print(_heading(N_("Pitfalls"), lang))
        for p in q.pitfalls:
            for code in langs(lang):
                console.print(_item("✗", RichText(plain(p.wrong.get(code)), style="red"), "bold red"))
                console.print(_item("✓", p.right.get(code), "bold green"))
            if p.source:
                console.print(_item("", RichText(f"— {p.source}", style="dim")))
    if q.follow_ups:
        console.print(_heading(N_("Follow-ups"), lang))
        for f in q.follow_ups:
            if f.question:
                target = catalog.get(f.question)
                prompt = target.prompt if isinstance(target, Question) else None
                label = " / ".join(plain(prompt.get(c)) for c in langs(lang)) if prompt else f.question
                console.print(
                    _item("→", RichText.assemble(label, (f"  (dlquiz show {f.question})", "dim")), "cyan")
                )
            elif f.prompt:
                for code in langs(lang):
                    body: list[RenderableType] = [RichText(plain(f.prompt.get(code)))]
                    if f.hint:
                        body.append(RichText(plain(f.hint.get(code)), style="dim italic"))
                    console.print(_item("→", Group(*body), "cyan"))
    console.print(_heading(N_("References"), lang))
    for r in q.references:
        line = RichText.assemble((f"{r.authors} ({r.year}). ", ""), (r.title, "italic"), f". {r.venue}.")
        if r.url:
            line.append(f" {r.url}", style="dim")
        console.print(_item("•", line, "dim"))
    if q.demos:
        console.print(_heading(N_("Prove it"), lang))
        for demo_id in q.demos:
            title = demo_titles.get(demo_id, "")
            console.print(
                _item(
                    "$", RichText.assemble((f"dlquiz prove {demo_id}", "bold"), (f"  {title}", "dim")), "dim"
                )
            )
    if q.drills:
        console.print(_heading(N_("Drill cards ({n})"), lang, n=len(q.drills)))
        for d in q.drills:
            console.print(RichText.assemble("  ", (d.id, "dim"), " ", (_(d.type), TYPE_STYLE[d.type])))


def render_drill(console: Console, catalog: Catalog, d: Drill, lang: str) -> None:
    console.print(
        Panel(
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
    codes = langs(lang)
    if d.type == "basic" and d.back:
        parts.append(_texts(d.back, lang))
    elif d.type == "cloze":
        parts.extend(cloze_blanks(d.prompt.get(c), reveal=True) for c in codes)
    elif d.type == "choice":
        for i, option in enumerate(d.options):
            mark = ("✓", "bold green") if option.correct else ("✗", "red")
            text = " / ".join(plain(option.text.get(c)) for c in codes)
            parts.append(RichText.assemble(f"  {chr(65 + i)}. ", mark, " ", text))
    elif d.type == "code":
        parts.append(RichText(_("Hints"), style="bold"))
        for i, hint in enumerate(d.hints, start=1):
            for c in codes:
                parts.append(_item(f"{i}.", hint.get(c), "dim"))
        solution = f"dlquiz code solution {d.judge}"
        start = f"dlquiz code start {d.judge}"
        parts.append(RichText.assemble((_("try it: "), "dim"), (start, "bold")))
        parts.append(RichText.assemble((_("reference: "), "dim"), (solution, "bold")))
    elif d.type == "numeric":
        tol = f" ± {d.tolerance:g}" if d.tolerance else ""
        unit = f" {d.unit}" if d.unit else ""
        parts.append(
            RichText.assemble((_("Answer:") + " ", "bold"), (f"{d.answer:g}{tol}{unit}", "bold green"))
        )
    if d.explanation:
        parts.append(RichText())
        parts.append(_texts(d.explanation, lang))
    return Panel(Group(*parts), border_style="green", title=_("answer"), title_align="left")


def _item(mark: str, body: RenderableType | str, mark_style: str = "", indent: int = 2) -> Table:
    """A list item whose wrapped lines hang under the text, not under the mark."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=indent + len(mark), justify="right", style=mark_style, no_wrap=True)
    grid.add_column(ratio=1)
    # Strings are Markdown (`code`, **bold**), never rich markup: "E[y]" must not be read as a style tag.
    grid.add_row(RichText(mark), md(body) if isinstance(body, str) else body)
    return grid


def _heading(en: str, lang: str, **fields: object) -> RichText:
    """A heading in the content's language(s): with ``both``, "English · 中文"."""
    label = " · ".join(in_language(code, en).format(**fields) for code in langs(lang))
    return RichText(f"\n{label}", style="bold underline")


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
    return json.dumps(data, ensure_ascii=False, indent=2)
