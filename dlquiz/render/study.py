"""The study screen's pieces: header, card front, answer, grade bar, verdicts, summaries, status."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text as RichText

from dlquiz.i18n import _
from dlquiz.model import Card, Catalog, Drill, Question
from dlquiz.render import langs
from dlquiz.render.cards import TYPE_STYLE, _item, _texts, cloze_blanks, drill_answer, md, plain
from dlquiz.render.layout import WholePanel
from dlquiz.render.prose import prose_markup
from dlquiz.schedule import format_interval, rating_name

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
            (_("cram"), "bold magenta"),
            "  ",
            (_("card {n} of {total}").format(n=done + 1, total=cram_total), "bold"),
            "  ·  ",
            (_("your schedule is left unchanged"), "dim"),
        )
    else:
        text = RichText.assemble(
            (_("study"), "bold"),
            "  ",
            (_("{done} done · {left} left today").format(done=done, left=left), "bold"),
            "  ·  ",
            (_("learning {n}").format(n=learning), "yellow"),
            "  ",
            (_("due {n}").format(n=due), "green"),
            "  ",
            (_("new {n}").format(n=new), "blue"),
        )
    if early is not None:
        note = _("shown early (due in {interval})").format(interval=format_interval(early))
        text.append("  ·  " + note, style="italic yellow")
    return text


def front(card: Card, lang: str, changed: bool, catalog: Catalog | None = None) -> Panel:
    parts: list[RenderableType] = []
    if isinstance(card, Question):
        parts.append(_texts(card.prompt, lang))
        kind = _("question")
    else:
        kind = f"[{TYPE_STYLE[card.type]}]{_(card.type)}[/]"
        if card.type == "cloze":
            parts.extend(cloze_blanks(card.prompt.get(c)) for c in langs(lang))
        else:
            parts.append(_texts(card.prompt, lang))
        if card.type == "code":
            file = code_file(card)
            edit = _("(edit it, then press Enter to judge it)")
            write = _("(Enter writes it; edit it, then press Enter to judge it)")
            parts.append(RichText())
            parts.append(
                RichText.assemble(
                    (_("file: "), "dim"),
                    (str(file), "bold"),
                    ("  " + (edit if file.exists() else write), "dim"),
                )
            )
        if card.type == "choice":
            parts.append(RichText())
            for i, option in enumerate(card.options):
                text = " / ".join(plain(option.text.get(c)) for c in langs(lang))
                parts.append(_item(f"{chr(65 + i)}.", text, "bold"))
    if changed:
        parts.append(RichText("\n" + _("✎ the text changed since your last review"), style="italic yellow"))
    section = catalog.section(card.section) if catalog is not None else None
    return WholePanel(
        Group(*parts),
        title=f"[bold]{card.id}[/] · {kind}",
        title_align="left",
        # The section sits on the panel's border, not in the header, so the header fits 60 columns.
        subtitle=" · ".join(section.title.get(c) for c in langs(lang)) if section else None,
        subtitle_align="right",
        border_style="blue",
        box=box.ROUNDED,
    )


def code_file(card: Drill) -> Path:
    """Where a code drill's file is: the one ``dlquiz code start`` writes in the current folder."""
    return Path(str(card.judge).replace("-", "_") + ".py")


def keys_hint(card: Card, revealed: bool, width: int = 80, more: bool = False) -> RichText:
    """The keys that work now, broken between hints (never inside one) to fit ``width``."""
    if not revealed:
        if isinstance(card, Drill) and card.type == "code":
            items = [_("Enter judges the file"), _("r reveals the hints")]
        elif isinstance(card, Drill) and card.type == "choice":
            items = [_("type letters (e.g. AC) + Enter"), _("Enter alone reveals")]
        elif isinstance(card, Drill) and card.type == "numeric":
            items = [_("type a number + Enter"), _("Enter alone reveals")]
        else:
            items = [_("space/Enter reveal")]
        items += [_("p prove it"), _("s bury"), _("u undo"), _("q quit")]
    else:
        items = [_("1-4 grade"), _("Enter accept")]
        if isinstance(card, Question) and not more:
            items.append(_("d details"))
        elif more:
            items.append(_("d whole answer"))
        items += [_("p prove it"), _("s bury"), _("u undo"), _("q quit")]
    return RichText(pack(items, width), style="dim")


def pack(items: list[str], width: int, sep: str = " · ") -> str:
    """Items joined by ``sep``, a new line started before an item that would not fit."""
    from rich.cells import cell_len

    lines: list[str] = []
    for item in items:
        if lines and cell_len(lines[-1]) + len(sep) + cell_len(item) <= width:
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
    parts.append(RichText("\n" + _("Key points"), style="bold"))
    for point in card.key_points:
        for code in langs(lang):
            parts.append(_item("☐", point.get(code), "green"))
    if card.formulas:
        from dlquiz.mathtext import latex_to_text

        parts.append(RichText("\n" + _("Formulas"), style="bold"))
        for f in card.formulas:
            parts.append(_item("∙", RichText(latex_to_text(f.latex), style="bold"), "dim"))
    if card.pitfalls:
        parts.append(RichText("\n" + _("Pitfalls"), style="bold"))
        for p in card.pitfalls:
            for code in langs(lang):
                parts.append(_item("✗", RichText(plain(p.wrong.get(code)), style="red"), "bold red"))
                parts.append(_item("✓", p.right.get(code), "bold green"))
    return WholePanel(
        Group(*parts), title=_("answer"), title_align="left", border_style="green", box=box.ROUNDED
    )


def detailed(card: Question, lang: str) -> RenderableType:
    return WholePanel(
        Group(*(md(card.answer_detailed.get(c)) for c in langs(lang))),
        title=_("detailed answer"),
        title_align="left",
        border_style="cyan",
        box=box.ROUNDED,
    )


def grade_bar(
    preview: dict[int, timedelta] | None, suggested: int | None = None, width: int = 80
) -> RichText:
    """Each grade with the interval it would give; without a preview (cram), the grades alone.

    The suggestion is marked with ▶ and brackets as well as reverse video: it must show without colour.
    A narrow screen breaks the bar between grades, never inside one ("3 Good · 10m" stays whole).
    """
    from rich.cells import cell_len

    chunks: list[tuple[str, str]] = []
    for rating in (1, 2, 3, 4):
        style = GRADE_STYLE[rating] + (" bold reverse" if rating == suggested else "")
        after = f" · {format_interval(preview[rating])}" if preview is not None else ""
        label = f"{rating} {rating_name(rating)}{after}"
        chunks.append((f"▶[{label}]" if rating == suggested else f" {label} ", style))
    if preview is None:
        chunks.append((_("(logged only)"), "dim"))  # the header says the schedule is unchanged
    text, used = RichText(), 0
    for chunk, style in chunks:
        if used and used + 2 + cell_len(chunk) > width:
            text.append("\n")
            used = 0
        elif used:
            text.append("  ")
            used += 2
        text.append(chunk, style=style)
        used += cell_len(chunk)
    return text


def verdict(correct: bool, given: str, expected: str) -> RichText:
    if correct:
        return RichText.assemble(
            (_("✓ correct"), "bold green"), "  " + _("(you answered {given})").format(given=given)
        )
    return RichText.assemble(
        (_("✗ not quite"), "bold red"),
        "  " + _("you answered {given}; expected {expected}").format(given=given, expected=expected),
    )


def recorded(rating: int, due_in: timedelta | None) -> RichText:
    """The confirmation of a grade; ``due_in`` None for a cram review, which moves no due date."""
    if due_in is None:
        return RichText.assemble(
            (_("✓ logged") + " ", "green"),
            (rating_name(rating), GRADE_STYLE[rating]),
            " · " + _("schedule unchanged (cram)"),
        )
    return RichText.assemble(
        (_("✓ recorded") + " ", "green"),
        (rating_name(rating), GRADE_STYLE[rating]),
        " · " + _("next in {interval}").format(interval=format_interval(due_in)),
    )


def undone(card_id: str, earlier: bool) -> RichText:
    if earlier:
        text = _("↶ undid the last review of {card} from an earlier session; it is shown again")
    else:
        text = _("↶ undid the last review of {card}; it is shown again")
    return RichText(text.format(card=card_id), style="cyan")


def ask_undo_earlier(card_id: str, rating: int, ago: timedelta) -> RichText:
    return RichText.assemble(
        ("u: ", "bold"),
        _(
            "nothing graded in this session yet; the last review is {card} "
            "({rating}, {ago} ago, an earlier session)."
        ).format(card=card_id, rating=rating_name(rating), ago=format_interval(ago))
        + " ",
        (_("y undoes it · any other key keeps it"), "bold"),
    )


def cut_note(hidden: int) -> RichText:
    return RichText(_("… {n} more line(s): d shows the whole answer").format(n=hidden), style="italic dim")


def nothing_due(next_due: datetime | None, now: datetime, new_available: int, new_today_left: int) -> Panel:
    lines = [RichText(_("Nothing due right now. 🎉"), style="bold green")]
    if next_due is not None:
        local = next_due.astimezone()
        when = (
            local.strftime("%H:%M")
            if next_due - now < timedelta(days=1)
            else local.strftime("%Y-%m-%d %H:%M")
        )
        lines.append(
            RichText(
                _("The next card is due in {interval} (at {when}).").format(
                    interval=format_interval(next_due - now), when=when
                )
            )
        )
    if new_available:
        if new_today_left:
            line = _("{n} new card(s) not yet studied.")
        else:
            line = _(
                "{n} new card(s) not yet studied — today's new-card limit is reached; "
                "`dlquiz study --new 5` adds more."
            )
        lines.append(RichText(line.format(n=new_available)))
    return WholePanel(Group(*lines), border_style="green", box=box.ROUNDED)


def summary(
    graded: list[Any], seconds: float, due_today: int, due_tomorrow: int, cram_total: int | None = None
) -> Panel:
    n = len(graded)
    correct = sum(1 for g in graded if g.rating > 1)
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    if cram_total is not None:
        crammed = len({g.card_id for g in graded})
        table.add_row(_("cards crammed"), _("{n} of {total}").format(n=crammed, total=cram_total))
    else:
        table.add_row(_("cards reviewed"), str(n))
    share = (
        _("{correct}/{n} ({percent:.0f}%)").format(correct=correct, n=n, percent=100 * correct / n)
        if n
        else "—"
    )
    table.add_row(_("correct"), share)
    minutes, secs = divmod(int(seconds), 60)
    table.add_row(_("time"), _("{m}m {s:02d}s").format(m=minutes, s=secs))
    if cram_total is not None:
        table.add_row(_("schedule"), _("unchanged: cram reviews are logged only"))
    else:
        table.add_row(_("still due today"), str(due_today))
        table.add_row(_("due tomorrow"), str(due_tomorrow))
    title = _("cram summary · everything is saved") if cram_total is not None else None
    title = title or _("session summary · everything is saved")
    return WholePanel(table, title=title, title_align="left", border_style="blue")


def status(data: dict[str, Any]) -> Panel:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    due_now = _("[green]{due}[/] review(s), [yellow]{learning}[/] learning step(s)").format(
        due=data["due"], learning=data["learning"]
    )
    if not data["learning"] and data.get("learning_in_min"):
        # A step pending later today: "0 learning steps" alone would hide it.
        due_now += _(" · a learning step is due in {n} min").format(n=data["learning_in_min"])
    table.add_row(_("due now"), prose_markup(due_now))
    table.add_row(
        _("new"),
        prose_markup(
            _("[blue]{today}[/] for today ({available} not yet studied)").format(
                today=data["new_today"], available=data["new_available"]
            )
        ),
    )
    table.add_row(_("reviewed today"), str(data["reviewed_today"]))
    if data.get("due_tomorrow") is not None:
        table.add_row(_("due tomorrow"), str(data["due_tomorrow"]))
    table.add_row(_("streak"), _("{n} day(s)").format(n=data["streak"]))
    sections = Table.grid(padding=(0, 2))  # apart: long section titles must not widen the labels above
    sections.add_column(style="bold")
    sections.add_column()
    if data.get("interview") and data["interview"].get("plan"):
        from dlquiz.render.plan import interview_line, pace_line, section_rows

        table.add_row(_("interview"), prose_markup(interview_line(data["interview"])))
        pace = pace_line(data["interview"])
        if pace:
            table.add_row(_("pace"), prose_markup(pace))
        if not data["interview"]["passed"]:
            for title, text in section_rows(data["interview"]):
                sections.add_row(prose_markup(f"  {title}"), prose_markup(f"[dim]{text}[/]"))
    return WholePanel(
        Group(
            table,
            sections,
            RichText(),
            RichText.from_markup(
                _("[dim]next:[/] {command}").format(command=f"[bold]{escape(data['next_command'])}[/]")
            ),
        ),
        title=_("dlquiz · today"),
        title_align="left",
        border_style="blue",
    )
