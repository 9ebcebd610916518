"""The study screen's pieces: header, card front, answer, grade bar, verdicts, summaries, status."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text as RichText

from dlquiz.model import Card, Catalog, Drill, Question
from dlquiz.render import langs
from dlquiz.render.cards import TYPE_STYLE, _item, _texts, cloze_blanks, drill_answer, md, plain
from dlquiz.schedule import RATING_NAMES, format_interval

GRADE_STYLE = {1: "red", 2: "yellow", 3: "green", 4: "cyan"}


def header(counts: Any, done: int, catalog: Catalog, card: Card, lang: str) -> RichText:
    section = catalog.section(card.section)
    title = " · ".join(section.title.get(c) for c in langs(lang)) if section else card.section
    total = done + counts.total
    return RichText.assemble(
        ("dlquiz study", "bold"),
        "  ",
        (f"card {done + 1} of {max(total, done + 1)}", "bold"),
        "  ·  ",
        (f"due {counts.due}", "green"),
        "  ",
        (f"new {counts.new}", "blue"),
        "  ",
        (f"learning {counts.learning}", "yellow"),
        "  ·  ",
        (title, "dim"),
    )


def front(card: Card, lang: str, changed: bool) -> Panel:
    parts: list[RenderableType] = []
    if isinstance(card, Question):
        parts.append(_texts(card.prompt, lang))
        kind = "question"
    else:
        kind = f"[{TYPE_STYLE[card.type]}]{card.type}[/]"
        if card.type == "cloze":
            parts.extend(cloze_blanks(card.prompt.get(c)) for c in langs(lang))
        else:
            parts.append(_texts(card.prompt, lang))
        if card.type == "choice":
            parts.append(RichText())
            for i, option in enumerate(card.options):
                text = " / ".join(plain(option.text.get(c)) for c in langs(lang))
                parts.append(_item(f"{chr(65 + i)}.", text, "bold"))
    if changed:
        parts.append(RichText("\n✎ the text changed since your last review", style="italic yellow"))
    return Panel(
        Group(*parts),
        title=f"[bold]{card.id}[/] · {kind}",
        title_align="left",
        border_style="blue",
        box=box.ROUNDED,
    )


def keys_hint(card: Card, revealed: bool) -> RichText:
    if not revealed:
        if isinstance(card, Drill) and card.type == "choice":
            first = "type letters (e.g. AC) + Enter · Enter alone reveals"
        elif isinstance(card, Drill) and card.type == "numeric":
            first = "type a number + Enter · Enter alone reveals"
        else:
            first = "space/Enter reveal"
        rest = "p prove it · s bury · u undo · q quit"
        return RichText(f"{first} · {rest}", style="dim")
    more = "d detailed answer · " if isinstance(card, Question) else ""
    return RichText(f"1-4 grade · Enter accept · {more}p prove it · s bury · u undo · q quit", style="dim")


def answer(card: Card, lang: str) -> RenderableType:
    if isinstance(card, Drill):
        return drill_answer(card, lang)
    parts: list[RenderableType] = []
    for code in langs(lang):
        parts.append(md(card.answer_short.get(code)))
    parts.append(RichText("\nKey points" if lang != "zh" else "\n要点", style="bold"))
    for point in card.key_points:
        for code in langs(lang):
            parts.append(_item("☐", point.get(code), "green"))
    if card.formulas:
        from dlquiz.mathtext import latex_to_text

        parts.append(RichText("\nFormulas" if lang != "zh" else "\n公式", style="bold"))
        for f in card.formulas:
            parts.append(_item("∙", RichText(latex_to_text(f.latex), style="bold"), "dim"))
    if card.pitfalls:
        parts.append(RichText("\nPitfalls" if lang != "zh" else "\n常见误区", style="bold"))
        for p in card.pitfalls:
            for code in langs(lang):
                parts.append(_item("✗", RichText(plain(p.wrong.get(code)), style="red"), "bold red"))
                parts.append(_item("✓", p.right.get(code), "bold green"))
    return Panel(Group(*parts), title="answer", title_align="left", border_style="green", box=box.ROUNDED)


def detailed(card: Question, lang: str) -> RenderableType:
    return Panel(
        Group(*(md(card.answer_detailed.get(c)) for c in langs(lang))),
        title="detailed answer",
        title_align="left",
        border_style="cyan",
        box=box.ROUNDED,
    )


def grade_bar(preview: dict[int, timedelta], suggested: int | None = None) -> RichText:
    text = RichText()
    for rating, delta in preview.items():
        style = GRADE_STYLE[rating] + (" bold reverse" if rating == suggested else "")
        text.append(f" {rating} {RATING_NAMES[rating]} · {format_interval(delta)} ", style=style)
        text.append("  ")
    return text


def verdict(correct: bool, given: str, expected: str) -> RichText:
    if correct:
        return RichText.assemble(("✓ correct", "bold green"), f"  (you answered {given})")
    return RichText.assemble(("✗ not quite", "bold red"), f"  you answered {given}; expected {expected}")


def recorded(rating: int, due_in: timedelta) -> RichText:
    return RichText.assemble(
        ("✓ recorded ", "green"),
        (RATING_NAMES[rating], GRADE_STYLE[rating]),
        f" · next in {format_interval(due_in)}",
    )


def nothing_due(next_due: datetime | None, now: datetime, new_available: int, new_today_left: int) -> Panel:
    lines = [RichText("Nothing due right now. 🎉", style="bold green")]
    if next_due is not None:
        local = next_due.astimezone()
        when = (
            local.strftime("%H:%M")
            if next_due - now < timedelta(days=1)
            else local.strftime("%Y-%m-%d %H:%M")
        )
        lines.append(RichText(f"The next card is due in {format_interval(next_due - now)} (at {when})."))
    if new_available:
        hint = (
            "" if new_today_left else " — today's new-card limit is reached; `dlquiz study --new 5` adds more"
        )
        lines.append(RichText(f"{new_available} new card(s) not yet studied{hint}."))
    return Panel(Group(*lines), border_style="green", box=box.ROUNDED)


def summary(graded: list[Any], seconds: float, due_tomorrow: int) -> Panel:
    n = len(graded)
    correct = sum(1 for g in graded if g.rating > 1)
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    table.add_row("cards reviewed", str(n))
    table.add_row("correct", f"{correct}/{n} ({100 * correct / n:.0f}%)" if n else "—")
    minutes, secs = divmod(int(seconds), 60)
    table.add_row("time", f"{minutes}m {secs:02d}s")
    table.add_row("due tomorrow", str(due_tomorrow))
    return Panel(
        table, title="session summary · everything is saved", title_align="left", border_style="blue"
    )


def status(data: dict[str, Any]) -> Panel:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    due_now = f"[green]{data['due']}[/] review(s), [yellow]{data['learning']}[/] learning step(s)"
    if not data["learning"] and data.get("learning_in_min"):
        due_now += f" · a learning step is due in {data['learning_in_min']} min"
    table.add_row("due now", due_now)
    table.add_row("new", f"[blue]{data['new_today']}[/] for today ({data['new_available']} not yet studied)")
    table.add_row("reviewed today", str(data["reviewed_today"]))
    if data.get("due_tomorrow") is not None:
        table.add_row("due tomorrow", str(data["due_tomorrow"]))
    table.add_row("streak", f"{data['streak']} day(s)")
    if data.get("interview") and data["interview"].get("plan"):
        from dlquiz.render.plan import interview_line, section_rows

        table.add_row("interview", interview_line(data["interview"]))
        if not data["interview"]["passed"]:
            for title, text in section_rows(data["interview"]):
                table.add_row(f"  {title}", f"[dim]{text}[/]")
    return Panel(
        Group(table, RichText(), RichText.assemble(("next: ", "dim"), (data["next_command"], "bold"))),
        title="dlquiz · today",
        title_align="left",
        border_style="blue",
    )
