"""``dlquiz stats`` in the terminal: review heatmap, figures, due forecast, mastery and mock scores."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text as RichText

from dlquiz.render import langs
from dlquiz.schedule import parse_time
from dlquiz.stats import Stats

# Shades from "no reviews" to "a busy day", as on GitHub's contribution graph.
SHADES = ("grey30", "dark_green", "green4", "green3", "bright_green")
EIGHTHS = " ▁▂▃▄▅▆▇█"
WEEKDAYS = ("Mon", "", "Wed", "", "Fri", "", "Sun")


def duration(ms: int) -> str:
    seconds = round(ms / 1000)
    if seconds < 60:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes}m {seconds % 60:02d}s"
    return f"{minutes // 60}h {minutes % 60:02d}m"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def shade(count: int, busiest: int) -> str:
    """The colour of a heatmap cell: four equal steps up to the busiest day shown."""
    if count <= 0:
        return SHADES[0]
    return SHADES[min(4, 1 + (4 * (count - 1)) // max(1, busiest))]


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
            name = first.strftime("%b")
            months[col : col + len(name)] = name
            free_from = col + len(name) + 1
    lines = [RichText("".join(months).rstrip(), style="dim")]
    for weekday in range(7):
        line = RichText.assemble((WEEKDAYS[weekday].ljust(4), "dim"))  # a span: the cells must not be dim
        for week in weeks:
            if weekday < len(week):
                line.append("■ ", style=shade(week[weekday][1], busiest))
        lines.append(line)
    lines.append(RichText.assemble(("less ", "dim"), *[("■ ", s) for s in SHADES], ("more", "dim")))
    if busiest:
        lines.append(RichText(f"busiest day: {busiest} reviews", style="dim"))
    return Group(*lines)


def figures(stats: Stats) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("", style="bold", no_wrap=True)
    table.add_column("reviews", justify="right", no_wrap=True)
    table.add_column("time", justify="right", no_wrap=True)
    table.add_column("retention", no_wrap=True)
    for key, label in (("today", "today"), ("week", "7 days"), ("month", "30 days"), ("all", "all")):
        r = stats.retention.get(key)
        if r is None:
            cell = RichText("")
        elif r.total:
            cell = RichText.assemble(
                (f"{percent(r.rate):>4}", _rate_style(r.rate)), (f" of {r.total}", "dim")
            )
        else:
            cell = RichText("   —", style="dim")
        n = stats.reviews.get(key)
        ms = stats.time_ms.get(key)
        table.add_row(label, "" if n is None else str(n), "" if ms is None else duration(ms), cell)
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
        tag = "today" if i == 0 else (today + timedelta(days=i)).strftime("%b %d")
        ticks[5 + 2 * i : 5 + 2 * i + len(tag)] = tag
    lines.append(RichText("".join(ticks).rstrip(), style="dim"))
    lines.append(
        RichText.assemble(
            "     ",
            (str(sum(counts)), "bold"),
            (" due in 30 days · ", "dim"),
            (str(counts[0] if counts else 0), "bold"),
            (" today, with overdue", "dim"),
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
    table.add_column("section", no_wrap=True, max_width=26, overflow="ellipsis")
    table.add_column("cards", justify="right", no_wrap=True)
    table.add_column("recall today", no_wrap=True)
    if interview:
        kept = " (kept up)" if interview.get("kept_up") else ""
        table.add_column(f"interview day{kept}", no_wrap=True)
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
        return RichText("No mock interviews yet: dlquiz mock runs one.", style="dim")
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("date", no_wrap=True)
    table.add_column("questions", justify="right", no_wrap=True)
    table.add_column("key points", justify="right", no_wrap=True)
    table.add_column("score", no_wrap=True)
    table.add_column("time", justify="right", no_wrap=True)
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
            RichText.assemble(("trend ", "dim"), (trend, "magenta"), (f"  ({len(stats.mocks)} mocks)", "dim"))
        )
    return Group(*parts)


def render(stats: Stats, lang: str = "en") -> RenderableType:
    streak = RichText.assemble(
        ("streak ", "dim"),
        (
            f"{stats.streak} day" + ("" if stats.streak == 1 else "s"),
            "bold yellow" if stats.streak else "dim",
        ),
    )
    top = Table.grid(padding=(0, 3))
    top.add_column()
    top.add_column()
    top.add_row(heatmap(stats.heatmap), Group(streak, RichText(), figures(stats)))
    parts: list[RenderableType] = [
        Panel(top, title="reviews · last 12 weeks", title_align="left", border_style="blue", box=box.ROUNDED),
        Panel(
            forecast_chart(stats.forecast, stats.today),
            title="due forecast · next 30 days",
            title_align="left",
            border_style="cyan",
            box=box.ROUNDED,
        ),
    ]
    title = "mastery · mean predicted recall (unseen cards count 0)"
    if stats.interview:
        left = stats.interview["days_left"]
        day = date.fromisoformat(stats.interview["date"]).strftime("%b %d")
        title = (
            f"mastery · predicted recall, unseen cards 0 · interview {day}, in {left} day{'s' * (left != 1)}"
        )
    parts.append(
        Panel(mastery(stats, lang), title=title, title_align="left", border_style="green", box=box.ROUNDED)
    )
    parts.append(
        Panel(
            mocks(stats), title="mock interviews", title_align="left", border_style="magenta", box=box.ROUNDED
        )
    )
    if stats.bad_rows:
        parts.append(
            RichText(
                f"warning: {stats.bad_rows} stored row(s) could not be read and were left out; "
                "run dlquiz doctor to list them",
                style="yellow",
            )
        )
    return Group(*parts)


def to_json(stats: Stats) -> dict[str, Any]:
    return stats.to_dict()
