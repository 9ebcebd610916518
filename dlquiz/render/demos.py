"""``dlquiz prove`` in the terminal: a demo's header, tables, curves (plotext) and checks; the demo list."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from dlquiz.demos.registry import Demo, DemoResult, Plot
from dlquiz.i18n import N_, _, in_language
from dlquiz.render import langs
from dlquiz.render.layout import WholePanel
from dlquiz.render.prose import Prose, prose

# Interface words, from the catalog; "both" shows them as "English · 中文".
WORDS = {
    "seed": N_("seed"),
    "parameters": N_("parameters"),
    "no parameters": N_("no parameters"),
    "checks": N_("Checks"),
    "measured": N_("measured"),
    "wanted": N_("wanted"),
    "questions": N_("questions"),
    "title": N_("title"),
}
TOPICS = {
    "optimization": N_("Optimization"),
    "batchnorm": N_("Batch normalization"),
    "cnn": N_("Convolutional networks"),
    "loss": N_("Loss functions"),
}
PLOT_HEIGHT = 16  # rows: enough to read a curve, small enough to keep the checks on screen
MAX_PLOT_WIDTH = 120  # wider plots add columns, not information
NARROW_LIST = 64  # below this, prove --list prints each demo as a block: the id column would fold ids


def _pick(message: str, lang: str) -> str:
    return " · ".join(in_language(code, message) for code in langs(lang))


def _word(key: str, lang: str) -> str:
    return _pick(WORDS[key], lang)


def _labelled(key: str, lang: str, value: str) -> str:
    """ "parameters: n = 3", with the colon of the interface language (参数：n = 3)."""
    return _("{label}: {value}").format(label=_word(key, lang), value=value)


def fmt(value: Any) -> str:
    """A number as a person reads it: 6 significant digits, scientific notation when very large or small."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value == 0:
            return "0"
        magnitude = abs(value)
        if magnitude >= 1e7 or magnitude < 1e-3:
            return f"{value:.3g}"
        if value.is_integer():
            return fmt(int(value))
        return f"{value:.6g}"
    return str(value)


def _titles(result: DemoResult, lang: str) -> list[str]:
    """The demo's title in the chosen language(s); the result itself only carries the English one."""
    from dlquiz.demos.registry import get

    demo = get(result.demo_id)
    if demo is None:
        return [result.title]
    return [demo.title.get(code, result.title) for code in langs(lang)]


def _header(result: DemoResult, lang: str) -> Panel:
    # Titles go in the body, where they can wrap: a panel's own title is cut at the terminal's width.
    body = [Text(title, style="bold") for title in _titles(result, lang)]
    if result.params:
        params = " · ".join(f"{name} = {fmt(value)}" for name, value in result.params.items())
    else:
        params = _word("no parameters", lang)
    body.append(Text(_labelled("parameters", lang, params), style="dim"))
    if result.summary:
        body.append(Text(""))
        body.append(Text(result.summary))
    return WholePanel(
        Group(*body),
        title=Text(result.demo_id, style="bold cyan"),
        subtitle=Text(f"{_word('seed', lang)} {result.seed}", style="dim"),
        title_align="left",
        subtitle_align="right",
        border_style="blue",
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Table:
    table = Table(title=title, title_style="bold", title_justify="left", box=box.SIMPLE_HEAD)
    for i, name in enumerate(columns):
        numeric = bool(rows) and all(_is_number(row[i]) for row in rows if i < len(row))
        table.add_column(name, justify="right" if numeric else "left", overflow="fold")
    for row in rows:
        table.add_row(*(fmt(cell) for cell in row))
    return table


# Line colours (xterm 256-colour codes, the same numbers for plotext and rich): distinct on dark and
# light backgrounds; more series than colours reuse them in order.
PALETTE = (12, 9, 10, 13, 11, 14, 208, 250)
# With several series, each is also drawn with its own glyph, which the legend shows: the curves stay
# apart without colour (NO_COLOR, a monochrome terminal, a printout). One series keeps fine braille dots.
MARKERS = ("•", "×", "+", "o", "*", "#", "%", "@")


def marker(plot: Plot, index: int) -> str:
    """The glyph that draws series ``index`` of ``plot`` ("braille" for a plot's only series)."""
    return "braille" if len(plot.series) == 1 else MARKERS[index % len(MARKERS)]


def _nice_step(span: float, count: int) -> float:
    """A round tick spacing (1, 2 or 5 times a power of ten) giving about ``count`` ticks over ``span``."""
    raw = span / max(1, count - 1)
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1.0, 2.0, 5.0, 10.0) if m * power >= raw * 0.999)


def _axis(lo: float, hi: float, count: int = 6) -> tuple[float, float, list[float]]:
    """Limits widened to whole tick steps, and the ticks between them (about ``count``)."""
    if not hi > lo:  # a flat line: give it some room
        pad = max(abs(lo) * 0.1, 1e-12) if lo else 1.0
        lo, hi = lo - pad, hi + pad
    step = _nice_step(hi - lo, count)
    first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
    ticks = [k * step for k in range(first, last + 1)]
    return ticks[0], ticks[-1], ticks


def _tick_label(value: float, step: float) -> str:
    if abs(value) < abs(step) * 1e-6:  # also turns -0.0 into 0
        return "0"
    if abs(value) >= 1e5 or step < 1e-3:
        return f"{value:.3g}"
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    return f"{value:.{decimals}f}"


def _decade_label(power: int) -> str:
    return fmt(10.0**power) if -2 <= power <= 4 else f"1e{power}"


def plot_text(plot: Plot, width: int, height: int = PLOT_HEIGHT) -> str:
    """Draw ``plot`` with plotext at ``width`` × ``height`` cells; returns text with ANSI colours.

    A log axis is drawn as log₁₀ of the values with ticks at whole decades; values that are not
    positive cannot be drawn there and are left out (a loss that reached exactly 0, say). Non-finite
    values are left out everywhere. Series take their colours from PALETTE, in order; the legend is
    not drawn here (see :func:`plot_legend`), so that it never covers a curve.
    """
    import plotext

    lines = []
    for series in plot.series:
        xs: Iterable[float] = series.x if series.x is not None else range(len(series.y))
        points = [
            (float(x), math.log10(y) if plot.logy else float(y))
            for x, y in zip(xs, series.y, strict=False)
            if math.isfinite(x) and math.isfinite(y) and (y > 0 or not plot.logy)
        ]
        lines.append(points)
    drawn = [p for points in lines for p in points]
    if not drawn:
        return _("{title}: nothing to draw").format(title=plot.title)
    x_lo, x_hi = min(p[0] for p in drawn), max(p[0] for p in drawn)
    y_lo, y_hi = min(p[1] for p in drawn), max(p[1] for p in drawn)

    figure = plotext.figure
    figure.clear()
    # size the plot from the console it is printed on, not from the process's own terminal (or none)
    plotext.terminal.limit(False, False)
    try:
        figure.theme("simple")  # no background colour: readable on dark and light terminals
        figure.plot_size(width, height)
        figure.legend(active=False)
        for i, points in enumerate(lines):
            if points:
                pixel = plotext.pixel(foreground=PALETTE[i % len(PALETTE)])
                signal = figure.signal(
                    [p[0] for p in points],
                    [p[1] for p in points],
                    marker=plotext.marker(marker(plot, i), pixel=pixel),
                )
                figure.draw(signal.lines())
        # x: the data's own range, ticks inside it; y: widened to round values, ticks at both ends
        _lo, _hi, x_ticks = _axis(x_lo, x_hi)
        x_ticks = [v for v in x_ticks if x_lo <= v <= x_hi] or [x_lo]
        x_step = x_ticks[1] - x_ticks[0] if len(x_ticks) > 1 else 1.0
        figure.ruler("x").ticks(x_ticks, [_tick_label(v, x_step) for v in x_ticks])
        if plot.logy:
            low, high = math.floor(y_lo), math.ceil(y_hi)
            high = max(high, low + 1)
            every = max(1, math.ceil((high - low) / 6))  # at most about six decade labels
            powers = list(range(low, high + 1, every))
            figure.ruler("y").lim(float(low), float(high))
            figure.ruler("y").ticks([float(k) for k in powers], [_decade_label(k) for k in powers])
        else:
            y_min, y_max, y_ticks = _axis(y_lo, y_hi, 5)
            y_step = y_ticks[1] - y_ticks[0] if len(y_ticks) > 1 else 1.0
            figure.ruler("y").lim(y_min, y_max)
            figure.ruler("y").ticks(y_ticks, [_tick_label(v, y_step) for v in y_ticks])
        if plot.title:
            figure.title(plot.title)
        if plot.xlabel:
            figure.label(plot.xlabel, axis="x")
        ylabel = _("{label} (log scale)").format(label=plot.ylabel) if plot.logy else plot.ylabel
        if ylabel:
            figure.label(ylabel, axis="y")
        return figure.build().string()
    finally:
        figure.clear()
        plotext.terminal.limit(True, True)


def plot_legend(plot: Plot, width: int = MAX_PLOT_WIDTH) -> Text:
    """Each series' glyph in its plot colour, then its name; lines break between entries, never inside one."""
    legend, used = Text("  "), 2
    for i, series in enumerate(plot.series):
        glyph = marker(plot, i)
        sample = "━━" if glyph == "braille" else glyph * 3
        entry = Text(sample + " ", style=f"color({PALETTE[i % len(PALETTE)]})") + Text(series.label)
        if used > 2 and used + 3 + entry.cell_len > width:
            legend.append("\n  ")
            used = 2
        elif used > 2:
            legend.append("   ")
            used += 3
        legend.append_text(entry)
        used += entry.cell_len
    return legend


def _checks(result: DemoResult, lang: str) -> Table:
    """One row per check: the mark, then the claim and what was measured (wrapped under the claim)."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for check in result.checks:
        mark = Text("✓", style="bold green") if check.passed else Text("✗", style="bold red")
        line = Text(check.claim)
        line.append(
            "  "
            + _("{measured} {value}, {wanted} {tolerance}").format(
                measured=_word("measured", lang),
                value=fmt(check.measured),
                wanted=_word("wanted", lang),
                tolerance=check.tolerance,
            ),
            style="dim" if check.passed else "red",
        )
        grid.add_row(Text(" ") + mark, line)
    return grid


def render_demo_result(console: Console, result: DemoResult, lang: str = "en", plots: bool = True) -> None:
    """Print one demo's result: header panel, tables, curves (if ``plots``), then one line per check."""
    console.print(_header(result, lang))
    for table in result.tables:
        console.print(_table(table.title, table.columns, table.rows))
    if plots:
        width = max(40, min(console.width, MAX_PLOT_WIDTH))
        for plot in result.plots:
            console.print(Text.from_ansi(plot_text(plot, width)))
            if len(plot.series) > 1 or plot.series[0].label:
                console.print(plot_legend(plot, width))
            console.print()
    console.print(Text(_word("checks", lang), style="bold"))
    console.print(_checks(result, lang))
    failed = sum(not check.passed for check in result.checks)
    total = len(result.checks)
    message = N_("{failed} of {total} checks failed") if failed else N_("all {total} checks passed")
    verdict = Text(
        " · ".join(in_language(code, message).format(failed=failed, total=total) for code in langs(lang)),
        style="bold red" if failed else "bold green",
    )
    console.print(verdict)
    console.print()


def _topic(demo: Demo) -> str:
    return demo.fn.__module__.rsplit(".", 1)[-1]


def param_range(p: Any) -> str:
    """The values ``--set`` accepts, in words: "500 to 20000", "one of a, b", "true or false"."""
    if p.choices:
        return _("one of {choices}").format(choices=", ".join(fmt(c) for c in p.choices))
    if isinstance(p.default, bool):
        return _("true or false")
    if p.min is not None and p.max is not None:
        return _("{min} to {max}").format(min=fmt(p.min), max=fmt(p.max))
    if p.min is not None:
        return _("at least {min}").format(min=fmt(p.min))
    if p.max is not None:
        return _("at most {max}").format(max=fmt(p.max))
    return ""


def render_demo_list(console: Console, demos: Iterable[Demo], lang: str = "en") -> None:
    """``dlquiz prove --list``: one table per topic; each demo's id, title, questions and parameters."""
    by_topic: dict[str, list[Demo]] = {}
    for demo in demos:
        by_topic.setdefault(_topic(demo), []).append(demo)
    for topic, members in by_topic.items():
        if console.width < NARROW_LIST:  # a two-column table would fold ids: each demo as a block
            console.print(Text(_pick(TOPICS.get(topic, topic), lang), style="bold"))
            for demo in members:
                console.print(Text(demo.id, style="bold cyan"))
                console.print(Padding(Group(*_details(demo, lang)), (0, 0, 0, 2)))
            console.print()
            continue
        table = Table(
            title=_pick(TOPICS.get(topic, topic), lang),
            title_style="bold",
            title_justify="left",
            box=box.SIMPLE_HEAD,
        )
        table.add_column("id", style="bold cyan", no_wrap=True)
        table.add_column(_word("title", lang), overflow="fold")
        for demo in members:
            table.add_row(demo.id, Group(*_details(demo, lang)))
        console.print(table)


def _details(demo: Demo, lang: str) -> list[Prose]:
    """A demo's title, its questions, and one line per parameter: name=default, the values --set
    accepts, what it does (wrapping as Prose: Chinese breaks between characters)."""
    lines = [prose(demo.title.get(code, demo.title["en"])) for code in langs(lang)]
    lines.append(prose(_labelled("questions", lang, ", ".join(demo.questions)), style="dim"))
    for p in demo.params:
        said = _("{label}: {value}").format(label=param_range(p), value=_(p.help))  # 「：」 in Chinese
        lines.append(prose(Text.assemble(f"{p.name}={fmt(p.default)}", ("  " + said, "dim"))))
    return lines
