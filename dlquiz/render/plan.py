"""Output of ``dlquiz optimize`` and ``dlquiz plan``, and the interview lines of the status panel."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text as RichText

from dlquiz.i18n import N_, _, language
from dlquiz.render.layout import TableOrLines, WholePanel
from dlquiz.render.prose import prose, prose_markup


def optimized(result: Any, stored: bool) -> RenderableType:
    table = Table(box=box.SIMPLE, pad_edge=False)
    table.add_column(_("parameters"))
    table.add_column(_("log loss"), justify="right")
    table.add_column(_("RMSE (bins)"), justify="right")
    table.add_row(_("current"), f"{result.before.log_loss:.4f}", f"{result.before.rmse_bins:.4f}")
    table.add_row(_("fitted"), f"{result.after.log_loss:.4f}", f"{result.after.rmse_bins:.4f}")
    if result.accepted and stored:
        verdict = _(
            "[green]✓ the fitted parameters predict your reviews better: "
            "stored; they schedule your next reviews[/]"
        )
    elif result.accepted:
        verdict = _("[green]✓ the fitted parameters predict your reviews better: not stored (--dry-run)[/]")
    else:
        verdict = _("[yellow]kept the current parameters: the fit does not predict your reviews better[/]")
    lines: list[RenderableType] = [
        RichText(
            _(
                "{reviews} study reviews, {items} usable for fitting (on a later day than the "
                "card's previous review)"
            ).format(reviews=result.reviews, items=result.items)
        ),
        table,
        RichText.from_markup(verdict),
    ]
    return WholePanel(
        Group(*lines), title=_("dlquiz optimize · FSRS parameters"), title_align="left", border_style="blue"
    )


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


READINESS = N_(
    "ready: the share of all cards you are expected to recall on the interview day if you do the "
    "reviews dlquiz schedules until then; cards never studied count as forgotten."
)


def interview_line(data: dict[str, Any]) -> str:
    """One line for the status panel: days left and readiness on the day (the same number as stats)."""
    plan = data["plan"]
    from dlquiz.days import when_words

    days = data["days_left"]
    when = when_words(days)
    if data["passed"] and days >= 0:  # later on the day itself
        return _("{date} has passed · [bold]dlquiz plan --clear[/] ends the plan").format(date=plan["date"])
    if data["passed"]:
        return _("{date} {when} · [bold]dlquiz plan --clear[/] ends the plan").format(
            date=plan["date"], when=when
        )
    ready = data.get("readiness")
    style = "green" if ready is not None and ready >= plan["target"] else "yellow"
    return _(
        "{date} ({when}) · [bold]ready {ready}[/] on the day (target {target}) · {studied}/{cards} studied"
    ).format(
        date=plan["date"],
        when=when,
        ready=f"[{style}]{_pct(ready)}[/]",
        target=_pct(plan["target"]),
        studied=data["studied"],
        cards=data["cards"],
    )


def pace_line(data: dict[str, Any]) -> str | None:
    """What seeing every card before the day takes: new cards a day and the reviews that follow."""
    pace = data.get("pace")
    if not pace or data.get("passed") or not pace["unseen"]:
        return None
    if not pace["possible"] and pace["reason"] == "no_days":
        return _("[red]not possible:[/] {n} card(s) never studied and no study day left").format(
            n=pace["unseen"]
        )
    line = _(
        "{per_day} new card(s) a day to see all {unseen} unseen before the day, then about {avg:.0f} "
        "review(s) a day (up to {peak}), ~{minutes:.0f} min a day"
    ).format(
        per_day=pace["new_per_day"],
        unseen=pace["unseen"],
        avg=pace["reviews_per_day_avg"],
        peak=pace["reviews_per_day_peak"],
        minutes=pace["minutes_per_day_avg"],
    )
    if not pace["possible"]:
        why = (
            _("more than 3 hours a day")
            if pace["reason"] == "too_long"
            else _("more cards a day than reviews_per_day lets through")
        )
        return _("[red]not possible:[/] {line}: {why}").format(line=line, why=why)
    setting = pace.get("new_per_day_setting")
    if setting is not None and setting < pace["new_per_day"]:
        line += " · " + _("raise it: [bold]dlquiz config new_per_day {n}[/]").format(n=pace["new_per_day"])
    return line


def section_title(row: dict[str, Any]) -> str:
    """A section's title in the interface language (the plan's rows carry both)."""
    if language() == "zh" and row.get("title_zh"):
        return row["title_zh"]
    return row["title"] or row["section"]


def section_rows(data: dict[str, Any]) -> list[tuple[str, str]]:
    rows = []
    for row in data["sections"]:
        rows.append(
            (
                section_title(row),
                _("ready {ready} · {studied}/{cards} studied").format(
                    ready=_pct(row.get("readiness")), studied=row["studied"], cards=row["cards"]
                )
                + (
                    " · " + _("{n} below target").format(n=row["below_target"]) if row["below_target"] else ""
                ),
            )
        )
    return rows


def forecast(data: dict[str, Any]) -> RenderableType:
    if data.get("plan") is None:
        return RichText.from_markup(
            _(
                "No interview date set. [bold]dlquiz plan --interview YYYY-MM-DD[/] sets "
                "one (--target 0.95 by default)."
            )
        )
    plan = data["plan"]
    table = Table(box=box.SIMPLE, pad_edge=False)
    table.add_column(_("section"))
    table.add_column(_("studied"), justify="right")
    table.add_column(_("ready"), justify="right")
    table.add_column(_("studied: recall"), justify="right")
    table.add_column(_("< target"), justify="right")
    lines: list[RenderableType] = []  # the same rows for a narrow terminal: a title, then its figures
    everything = {**data, "title": "[bold]" + _("all") + "[/]", "title_zh": "[bold]" + _("all") + "[/]"}
    for row in [*data["sections"], everything]:
        cells = (
            f"{row['studied']}/{row['cards']}",
            _pct(row.get("readiness")),
            _pct(row["recall_kept_up"]),
            str(row["below_target"]),
        )
        table.add_row(section_title(row), *cells)
        lines.append(prose_markup(section_title(row), style="bold"))
        figures = " · ".join(
            f"{column.header} {cell}" for column, cell in zip(table.columns[1:], cells, strict=True)
        )
        lines.append(Padding(prose(RichText(figures)), (0, 0, 0, 2)))
    notes = RichText(
        _(READINESS)
        + " "
        + _(
            "studied: recall: the same for the studied cards alone; cards due after the interview with "
            "too little recall on the day are brought forward into its last four days. < target: studied "
            "cards still below the target on the day. dlquiz plan --json has more."
        ),
        style="dim",
    )
    parts: list[RenderableType] = [RichText.from_markup(interview_line(data))]
    pace = pace_line(data)
    if pace:
        parts.append(RichText.from_markup(pace))
    return WholePanel(
        Group(*parts, TableOrLines(table, lines), notes),
        title=_("dlquiz plan · interview {date}").format(date=plan["date"]),
        title_align="left",
        border_style="blue",
    )
