"""``dlquiz stats`` in the terminal: review heatmap, figures, due forecast, mastery and mock scores."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text as RichText

from dlquiz.i18n import N_, _, ngettext
from dlquiz.render import langs
from dlquiz.render.layout import SideBySide, TableOrLines, WholePanel
from dlquiz.render.prose import prose, prose_markup
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


class Heatmap:
    """The heatmap of the most recent weeks that fit the width (all 12 from 27 columns up)."""

    def __init__(self, days: list[tuple[date, int]]):
        self.days = days

    def __rich_console__(self, console: Any, options: Any) -> Any:
        weeks = [self.days[i : i + 7] for i in range(0, len(self.days), 7)]
        fit = max(1, (options.max_width - 3) // 2)  # "Mon " then two cells a week, the last space spare
        yield _heatmap(weeks[-fit:], max((n for _, n in self.days), default=0))


def heatmap(days: list[tuple[date, int]]) -> Heatmap:
    return Heatmap(days)


def _heatmap(weeks: list[list[tuple[date, int]]], busiest: int) -> Group:
    """Weekdays down, weeks across; a month's name over the first week that has its first day."""
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
        busiest_day = ngettext("busiest day: {n} review", "busiest day: {n} reviews", busiest)
        lines.append(RichText(busiest_day.format(n=busiest), style="dim"))
    return Group(*lines)


def _figure_rows(stats: Stats) -> list[tuple[str, str, str, RichText]]:
    rows = []
    periods = (
        ("today", N_("today")),
        ("week", N_("7 days")),
        ("month", N_("30 days")),
        ("all", N_("all")),
    )
    for key, label in periods:
        r = stats.retention.get(key)
        if r is None:
            cell = RichText("")
        elif r.total:
            cell = RichText.assemble(
                (f"{percent(r.rate):>4}", _rate_style(r.rate)),
                (" " + _("of {n}").format(n=r.total), "dim"),
            )
        else:
            cell = RichText("   —", style="dim")
        n = stats.reviews.get(key)
        ms = stats.time_ms.get(key)
        rows.append((_(label), "" if n is None else str(n), "" if ms is None else duration(ms), cell))
    return rows


def figures(stats: Stats) -> TableOrLines:
    """Reviews, time and retention per period: a table, or in a narrow terminal a line per period."""
    rows = _figure_rows(stats)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("", style="bold", overflow="fold")
    table.add_column(_("reviews"), justify="right", overflow="fold")
    table.add_column(_("time"), justify="right", overflow="fold")
    table.add_column(_("retention"), overflow="fold")
    lines = []
    for label, n, time, cell in rows:
        table.add_row(label, n, time, cell)
        line = RichText.assemble((_("{label}: {value}").format(label=label, value=""), "bold"))
        if n:  # "7 days: 12 reviews · 3m 10s · 92% of 12"
            line.append(ngettext("{n} review", "{n} reviews", int(n)).format(n=n))
        if time:
            line.append(" · " + time)
        if cell.plain.strip() and cell.plain.strip() != "—":
            line.append(" · ")
            line.append_text(cell)
        lines.append(prose(line))
    return TableOrLines(table, lines)


def _rate_style(rate: float | None) -> str:
    if rate is None:
        return "dim"
    return "green" if rate >= 0.85 else "yellow" if rate >= 0.7 else "red"


class ForecastChart:
    """Vertical bars, one per day, drawn with eighth blocks; day 0 (today) includes overdue cards.

    Two cells a day when the width allows, else one; in a very narrow terminal, the first days only.
    A date under the axis every week, where it fits without running into the one before.
    """

    def __init__(self, counts: list[int], today: date, height: int = 6):
        self.counts, self.today, self.height = counts, today, height

    def __rich_console__(self, console: Any, options: Any) -> Any:
        width = options.max_width
        step = 2 if 5 + 2 * len(self.counts) <= width else 1
        counts = self.counts[: max(1, (width - 5) // step)]
        top = max(counts, default=0)
        for level in range(self.height, 0, -1):
            label = str(top) if level == self.height and top else ("0" if level == 1 and not top else "")
            line = RichText.assemble((label.rjust(4) + " ", "dim"))
            for i, n in enumerate(counts):
                eighths = round(8 * self.height * n / top) if top else 0
                filled = max(0, min(8, eighths - 8 * (level - 1)))
                if n and level == 1 and filled == 0:
                    filled = 1  # a day with any card due is never invisible
                cell = (EIGHTHS[filled] if filled else " ").ljust(step)
                line.append(cell, style="bold cyan" if i == 0 else "cyan")
            yield line
        yield RichText("     " + "─" * (step * len(counts)), style="dim")
        ticks = [" "] * width
        free = 0  # the first cell a label may use
        for i in range(0, len(counts), 7):
            day = self.today + timedelta(days=i)
            tag = _cells(_("today") if i == 0 else _("{date:%b %d}").format(date=day))
            start = 5 + step * i
            if start >= free and start + len(tag) <= width:
                ticks[start : start + len(tag)] = tag
                free = start + len(tag) + 1
        yield RichText("".join(ticks).rstrip(), style="dim")
        summary = _(
            "[bold]{total}[/][dim] due in 30 days · [/][bold]{today}[/][dim] today, with overdue[/]"
        ).format(total=sum(self.counts), today=self.counts[0] if self.counts else 0)
        yield prose_markup(("     " if width >= 60 else "") + summary)


def bar(value: float, width: int = 20) -> RichText:
    eighths = round(max(0.0, min(1.0, value)) * width * 8)
    full, part = divmod(eighths, 8)
    text = "█" * full + (EIGHTHS[part] if part else "")
    style = "green" if value >= 0.85 else "yellow" if value >= 0.6 else "red" if value > 0 else "dim"
    return RichText.assemble((text, style), ("·" * (width - len(text)), "grey30"))


class Mastery:
    """Recall per section as bars, as wide as the terminal leaves room for (4 to 16 cells); in a
    terminal too narrow for the table, one section after another, its bars on the lines below."""

    def __init__(self, stats: Stats, lang: str):
        self.stats, self.lang = stats, lang

    def __rich_console__(self, console: Any, options: Any) -> Any:
        stats, interview = self.stats, self.stats.interview
        titles = [" · ".join(m.title.get(c, m.section) for c in langs(self.lang)) for m in stats.mastery]
        headers = [_("recall today")]
        if interview:
            headers.append(_("ready on the day") if interview.get("kept_up") else _("interview day"))
        rows = []
        for m in stats.mastery:
            values = [m.recall_now]
            if interview:
                values.append(m.recall_kept_up if m.recall_kept_up is not None else m.recall_interview or 0.0)
            rows.append(values)
        longest = max((cell_len(t) for t in titles), default=8)
        word = max((cell_len(w) for t in titles for w in t.split()), default=0)  # a column folds no narrower
        section = max(min(longest, 26, options.max_width // 3), word, cell_len(_("section")))
        cards = max(cell_len(_("cards")), 5)
        gaps = 3 * len(headers) + 3  # every inner column border: its (blank) rule and a space each side
        room = (options.max_width - section - cards - gaps) // len(headers)
        width = min(10 if interview else 16, room - 5)  # " 100%" after each bar
        if width < 4 or room < max(cell_len(h) for h in headers):
            yield from self._stacked(titles, headers, rows, options.max_width)
            return
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
        # The section width is set, not left to rich, which would rather wrap a bar than fold a name.
        table.add_column(_("section"), width=section, overflow="fold")
        table.add_column(_("cards"), justify="right", overflow="fold")
        for header in headers:
            table.add_column(header, overflow="fold")
        for title, m, values in zip(titles, stats.mastery, rows, strict=True):
            cells = [RichText.assemble(bar(v, width), f" {percent(v):>4}") for v in values]
            table.add_row(prose(title), RichText(f"{m.reviewed}/{m.cards}", style="dim"), *cells)
        yield table

    def _stacked(self, titles: list[str], headers: list[str], rows: list[list[float]], room: int) -> Any:
        width = max(4, min(16, room - 2 - 5))
        for title, m, values in zip(titles, self.stats.mastery, rows, strict=True):
            yield prose(RichText.assemble((title, "bold"), ("  " + f"{m.reviewed}/{m.cards}", "dim")))
            for header, value in zip(headers, values, strict=True):
                label = prose(RichText("  " + header, style="dim")) if len(headers) > 1 else None
                if label is not None:
                    yield label
                yield RichText.assemble("  ", bar(value, width), f" {percent(value):>4}")


def mastery(stats: Stats, lang: str) -> Mastery:
    return Mastery(stats, lang)


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
        WholePanel(
            top, title=_("reviews · last 12 weeks"), title_align="left", border_style="blue", box=box.ROUNDED
        ),
        WholePanel(
            ForecastChart(stats.forecast, stats.today),
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
    body: list[RenderableType] = [mastery(stats, lang)]
    forecast = (stats.interview or {}).get("forecast") or {}
    if forecast.get("readiness") is not None:
        from dlquiz.render.plan import READINESS, interview_line, pace_line

        # The same readiness as the status screen and dlquiz plan, with what it means.
        body += [RichText(), RichText.from_markup(interview_line(forecast))]
        pace = pace_line(forecast)
        if pace:
            body.append(RichText.from_markup(pace))
        body.append(RichText(_(READINESS), style="dim"))
    parts.append(
        WholePanel(Group(*body), title=title, title_align="left", border_style="green", box=box.ROUNDED)
    )
    parts.append(
        WholePanel(
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
