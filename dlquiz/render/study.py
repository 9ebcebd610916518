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


def header(
    done: int,
    left: int,
    learning: int,
    due: int,
    new: int,
    *,
    cram_total: int | None = None,
    early: timedelta | None = None,
) -> RichText:
    """What is left today, counted the same way as the queues: the card on screen is one of them."""
    if cram_total is not None:
        text = RichText.assemble(
            ("cram", "bold magenta"),
            "  ",
            (f"card {done + 1} of {cram_total}", "bold"),
            "  ·  ",
            ("your schedule is left unchanged", "dim"),
        )
    else:
        text = RichText.assemble(
            ("study", "bold"),
            "  ",
            (f"{done} done · {left} left today", "bold"),
            "  ·  ",
            (f"learning {learning}", "yellow"),
            "  ",
            (f"due {due}", "green"),
            "  ",
            (f"new {new}", "blue"),
        )
    if early is not None:
        text.append(f"  ·  shown early (due in {format_interval(early)})", style="italic yellow")
    return text


def front(card: Card, lang: str, changed: bool, catalog: Catalog | None = None) -> Panel:
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
    section = catalog.section(card.section) if catalog is not None else None
    return Panel(
        Group(*parts),
        title=f"[bold]{card.id}[/] · {kind}",
        title_align="left",
        # The section sits on the panel's border, not in the header, so the header fits 60 columns.
        subtitle=" · ".join(section.title.get(c) for c in langs(lang)) if section else None,
        subtitle_align="right",
        border_style="blue",
        box=box.ROUNDED,
    )


def keys_hint(card: Card, revealed: bool, width: int = 80, more: bool = False) -> RichText:
    """The keys that work now, broken between hints (never inside one) to fit ``width``."""
    if not revealed:
        if isinstance(card, Drill) and card.type == "choice":
            items = ["type letters (e.g. AC) + Enter", "Enter alone reveals"]
        elif isinstance(card, Drill) and card.type == "numeric":
            items = ["type a number + Enter", "Enter alone reveals"]
        else:
            items = ["space/Enter reveal"]
        items += ["p prove it", "s bury", "u undo", "q quit"]
    else:
        items = ["1-4 grade", "Enter accept"]
        if isinstance(card, Question) and not more:
            items.append("d details")
        elif more:
            items.append("d whole answer")
        items += ["p prove it", "s bury", "u undo", "q quit"]
    return RichText(pack(items, width), style="dim")


def pack(items: list[str], width: int, sep: str = " · ") -> str:
    """Items joined by ``sep``, a new line started before an item that would not fit."""
    lines: list[str] = []
    for item in items:
        if lines and len(lines[-1]) + len(sep) + len(item) <= width:
            lines[-1] += sep + item
        else:
            lines.append(item)
    return "\n".join(lines)


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


def grade_bar(preview: dict[int, timedelta] | None, suggested: int | None = None) -> RichText:
    """Each grade with the interval it would give; without a preview (cram), the grades alone and why."""
    text = RichText()
    for rating in (1, 2, 3, 4):
        style = GRADE_STYLE[rating] + (" bold reverse" if rating == suggested else "")
        after = f" · {format_interval(preview[rating])}" if preview is not None else ""
        text.append(f" {rating} {RATING_NAMES[rating]}{after} ", style=style)
        text.append("  ")
    if preview is None:
        text.append("(logged only)", style="dim")  # the header says the schedule is unchanged
    return text


def verdict(correct: bool, given: str, expected: str) -> RichText:
    if correct:
        return RichText.assemble(("✓ correct", "bold green"), f"  (you answered {given})")
    return RichText.assemble(("✗ not quite", "bold red"), f"  you answered {given}; expected {expected}")


def recorded(rating: int, due_in: timedelta | None) -> RichText:
    """The confirmation of a grade; ``due_in`` None for a cram review, which moves no due date."""
    if due_in is None:
        return RichText.assemble(
            ("✓ logged ", "green"),
            (RATING_NAMES[rating], GRADE_STYLE[rating]),
            " · schedule unchanged (cram)",
        )
    return RichText.assemble(
        ("✓ recorded ", "green"),
        (RATING_NAMES[rating], GRADE_STYLE[rating]),
        f" · next in {format_interval(due_in)}",
    )


def undone(card_id: str, earlier: bool) -> RichText:
    where = " from an earlier session" if earlier else ""
    return RichText(f"↶ undid the last review of {card_id}{where}; it is shown again", style="cyan")


def ask_undo_earlier(card_id: str, rating: int, ago: timedelta) -> RichText:
    return RichText.assemble(
        ("u: ", "bold"),
        f"nothing graded in this session yet; the last review is {card_id} "
        f"({RATING_NAMES[rating]}, {format_interval(ago)} ago, an earlier session). ",
        ("y undoes it · any other key keeps it", "bold"),
    )


def cut_note(hidden: int) -> RichText:
    return RichText(f"… {hidden} more line(s): d shows the whole answer", style="italic dim")


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


def summary(
    graded: list[Any], seconds: float, due_today: int, due_tomorrow: int, cram_total: int | None = None
) -> Panel:
    n = len(graded)
    correct = sum(1 for g in graded if g.rating > 1)
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    if cram_total is not None:
        table.add_row("cards crammed", f"{len({g.card_id for g in graded})} of {cram_total}")
    else:
        table.add_row("cards reviewed", str(n))
    table.add_row("correct", f"{correct}/{n} ({100 * correct / n:.0f}%)" if n else "—")
    minutes, secs = divmod(int(seconds), 60)
    table.add_row("time", f"{minutes}m {secs:02d}s")
    if cram_total is not None:
        table.add_row("schedule", "unchanged: cram reviews are logged only")
    else:
        table.add_row("still due today", str(due_today))
        table.add_row("due tomorrow", str(due_tomorrow))
    title = "cram summary" if cram_total is not None else "session summary"
    return Panel(table, title=f"{title} · everything is saved", title_align="left", border_style="blue")


def status(data: dict[str, Any]) -> Panel:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    table.add_row(
        "due now", f"[green]{data['due']}[/] review(s), [yellow]{data['learning']}[/] learning step(s)"
    )
    table.add_row("new", f"[blue]{data['new_today']}[/] for today ({data['new_available']} not yet studied)")
    table.add_row("reviewed today", str(data["reviewed_today"]))
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
