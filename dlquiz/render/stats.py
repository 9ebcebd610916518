"""``dlquiz stats`` in the terminal: review heatmap, figures, due forecast, mastery and mock scores."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text as RichText

from dlquiz.i18n import N_, _, ngettext
from dlquiz.render import langs
from dlquiz.render.layout import SideBySide
from dlquiz.schedule import parse_time
from dlquiz.stats import Stats

# Shades from "no reviews" to "a busy day", as on GitHub's contribution graph; each level has its own
# glyph as well, so that the levels read without colour (NO_COLOR, a monochrome terminal, a pipe).
SHADES = ("grey30", "dark_green", "green4", "green3", "bright_green")
GLYPHS = ("·", "░", "▒", "▓", "█")
EIGHTHS = " ▁▂▃▄▅▆▇█"
WEEKDAYS = (N_("Mon"), "", N_("Wed"), "", N_("Fri"), "", N_("Sun"))


def duration(ms: int) -> str:
    seconds = round(ms / 1000)
    if seconds < 60:
        return _("{s}s").format(s=seconds)
    minutes = seconds // 60
    if minutes < 60:
        return _("{m}m {s:02d}s").format(m=minutes, s=seconds % 60)
    return _("{h}h {m:02d}m").format(h=minutes // 60, m=minutes % 60)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def _cells(text: str) -> list[str]:
    """``text`` as terminal cells, for laying out by column: a wide (Chinese) character takes two, the
    second left empty, so that "11月" lines up over the weeks as "Nov" does."""
    cells: list[str] = []
    for char in text:
        cells.append(char)
        if cell_len(char) == 2:
            cells.append("")
    return cells


def level(count: int, busiest: int) -> int:
    """A heatmap cell's level, 0 (no reviews) to 4: four equal steps up to the busiest day shown."""
    if count <= 0:
        return 0
    return min(4, 1 + (4 * (count - 1)) // max(1, busiest))


def shade(count: int, busiest: int) -> str:
    """The colour of a heatmap cell."""
    return SHADES[level(count, busiest)]


def heatmap(days: list[tuple[date, int]]) -> Group:
    """Weekdays down, weeks across; a month's name over the first week that has its first day."""
    weeks = [days[i : i + 7] for i in range(0, len(days), 7)]
    busiest = max((n for _, n in days), default=0)
    months = [" "] * (4 + 2 * len(weeks) + 2)
    free_from = 0
    for w, week in enumerate(weeks):
        first = next((d for d, _ in week if d.day == 1), None)
        if w == 0 and first is None:
            first = week[0][0]
        col = 4 + 2 * w
        if first is not None and col >= free_from:
            name = _cells(_("{date:%b}").format(date=first))
            months[col : col + len(name)] = name
            free_from = col + len(name) + 1
    lines = [RichText("".join(months).rstrip(), style="dim")]
    for weekday in range(7):
        name = _(WEEKDAYS[weekday]) if WEEKDAYS[weekday] else ""
        line = RichText.assemble((name + " " * (4 - cell_len(name)), "dim"))  # a span: cells must not be dim
        for week in weeks:
            if weekday < len(week):
                n = level(week[weekday][1], busiest)
                line.append(GLYPHS[n] + " ", style=SHADES[n])
        lines.append(line)
    lines.append(
        RichText.assemble(
            (_("less") + " ", "dim"),
            *[(g + " ", s) for g, s in zip(GLYPHS, SHADES, strict=True)],
            (_("more"), "dim"),
        )
    )
    if busiest:
        lines.append(RichText(_("busiest day: {n} reviews").format(n=busiest), style="dim"))
    return Group(*lines)


def figures(stats: Stats) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("", style="bold", overflow="fold")
    table.add_column(_("reviews"), justify="right", overflow="fold")
    table.add_column(_("time"), justify="right", overflow="fold")
    table.add_column(_("retention"), overflow="fold")
    periods = (("today", N_("today")), ("week", N_("7 days")), ("month", N_("30 days")), ("all", N_("all")))
    for key, label in periods:
        r = stats.retention.get(key)
        if r is None:
            cell = RichText("")
        elif r.total:
            cell = RichText.assemble(
                (f"{percent(r.rate):>4}", _rate_style(r.rate)), (" " + _("of {n}").format(n=r.total), "dim")
            )
        else:
            cell = RichText("   —", style="dim")
        n = stats.reviews.get(key)
        ms = stats.time_ms.get(key)
        table.add_row(_(label), "" if n is None else str(n), "" if ms is None else duration(ms), cell)
    return table


def _rate_style(rate: float | None) -> str:
    if rate is None:
        return "dim"
    return "green" if rate >= 0.85 else "yellow" if rate >= 0.7 else "red"


def forecast_chart(counts: list[int], today: date, height: int = 6) -> Group:
    """Vertical bars, one per day, drawn with eighth blocks; day 0 (today) includes overdue cards."""
    top = max(counts, default=0)
    lines = []
    for level in range(height, 0, -1):
        label = str(top) if level == height and top else ("0" if level == 1 and not top else "")
        line = RichText.assemble((label.rjust(4) + " ", "dim"))
        for i, n in enumerate(counts):
            eighths = round(8 * height * n / top) if top else 0
            filled = max(0, min(8, eighths - 8 * (level - 1)))
            if n and level == 1 and filled == 0:
                filled = 1  # a day with any card due is never invisible
            line.append(EIGHTHS[filled] + " " if filled else "  ", style="bold cyan" if i == 0 else "cyan")
        lines.append(line)
    lines.append(RichText("     " + "─" * (2 * len(counts)), style="dim"))
    ticks = [" "] * (5 + 2 * len(counts) + 5)
    for i in range(0, len(counts), 7):
        tag = _cells(_("today") if i == 0 else _("{date:%b %d}").format(date=today + timedelta(days=i)))
        ticks[5 + 2 * i : 5 + 2 * i + len(tag)] = tag
    lines.append(RichText("".join(ticks).rstrip(), style="dim"))
    lines.append(
        RichText.from_markup(
            "     "
            + _(
                "[bold]{total}[/][dim] due in 30 days · [/][bold]{today}[/][dim] today, with overdue[/]"
            ).format(total=sum(counts), today=counts[0] if counts else 0)
        )
    )
    return Group(*lines)


def bar(value: float, width: int = 20) -> RichText:
    eighths = round(max(0.0, min(1.0, value)) * width * 8)
    full, part = divmod(eighths, 8)
    text = "█" * full + (EIGHTHS[part] if part else "")
    style = "green" if value >= 0.85 else "yellow" if value >= 0.6 else "red" if value > 0 else "dim"
    return RichText.assemble((text, style), ("·" * (width - len(text)), "grey30"))


def mastery(stats: Stats, lang: str) -> Table:
    interview = stats.interview
    width = 10 if interview else 16
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column(_("section"), max_width=26, overflow="fold")
    table.add_column(_("cards"), justify="right", overflow="fold")
    table.add_column(_("recall today"), overflow="fold")
    if interview:
        kept = _("interview day (kept up)") if interview.get("kept_up") else _("interview day")
        table.add_column(kept, overflow="fold")
    for m in stats.mastery:
        title = " · ".join(m.title.get(c, m.section) for c in langs(lang))
        row: list[RenderableType] = [
            RichText(title),
            RichText(f"{m.reviewed}/{m.cards}", style="dim"),
            RichText.assemble(bar(m.recall_now, width), f" {percent(m.recall_now):>4}"),
        ]
        if interview:
            value = m.recall_kept_up if m.recall_kept_up is not None else m.recall_interview or 0.0
            row.append(RichText.assemble(bar(value, width), f" {percent(value):>4}"))
        table.add_row(*row)
    return table


def mocks(stats: Stats, last: int = 8) -> RenderableType:
    if not stats.mocks:
        return RichText(_("No mock interviews yet: dlquiz mock runs one."), style="dim")
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column(_("date"), overflow="fold")
    table.add_column(_("questions"), justify="right", overflow="fold")
    table.add_column(_("key points"), justify="right", overflow="fold")
    table.add_column(_("score"), overflow="fold")
    table.add_column(_("time"), justify="right", overflow="fold")
    for m in stats.mocks[-last:]:
        table.add_row(
            parse_time(m.started_at).astimezone().strftime("%Y-%m-%d %H:%M"),
            str(m.questions),
            f"{m.covered}/{m.total}",
            RichText.assemble(bar(m.score, 12), f" {percent(m.score):>4}"),
            duration(int(m.seconds * 1000)),
        )
    parts: list[RenderableType] = [table]
    if len(stats.mocks) > 1:
        trend = "".join(EIGHTHS[max(1, round(8 * m.score))] for m in stats.mocks[-30:])
        parts.append(
            RichText.assemble(
                (_("trend") + " ", "dim"),
                (trend, "magenta"),
                ("  " + _("({n} mocks)").format(n=len(stats.mocks)), "dim"),
            )
        )
    return Group(*parts)


def render(stats: Stats, lang: str = "en") -> RenderableType:
    streak = RichText.assemble(
        (_("streak") + " ", "dim"),
        (
            ngettext("{n} day", "{n} days", stats.streak).format(n=stats.streak),
            "bold yellow" if stats.streak else "dim",
        ),
    )
    top = SideBySide(heatmap(stats.heatmap), Group(streak, RichText(), figures(stats)))
    parts: list[RenderableType] = [
        Panel(
            top, title=_("reviews · last 12 weeks"), title_align="left", border_style="blue", box=box.ROUNDED
        ),
        Panel(
            forecast_chart(stats.forecast, stats.today),
            title=_("due forecast · next 30 days"),
            title_align="left",
            border_style="cyan",
            box=box.ROUNDED,
        ),
    ]
    title = _("mastery · mean predicted recall (unseen cards count 0)")
    if stats.interview:
        from dlquiz.days import when_words

        day = _("{date:%b %d}").format(date=date.fromisoformat(stats.interview["date"]))
        when = when_words(stats.interview["days_left"])
        title = _("mastery · predicted recall, unseen cards 0 · interview {day}, {when}").format(
            day=day, when=when
        )
    parts.append(
        Panel(mastery(stats, lang), title=title, title_align="left", border_style="green", box=box.ROUNDED)
    )
    parts.append(
        Panel(
            mocks(stats),
            title=_("mock interviews"),
            title_align="left",
            border_style="magenta",
            box=box.ROUNDED,
        )
    )
    if stats.bad_rows:
        parts.append(
            RichText(
                _(
                    "warning: {n} stored row(s) could not be read and were left out; "
                    "run dlquiz doctor to list them"
                ).format(n=stats.bad_rows),
                style="yellow",
            )
        )
    return Group(*parts)


def to_json(stats: Stats) -> dict[str, Any]:
    return stats.to_dict()
