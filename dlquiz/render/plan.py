"""Output of ``dlquiz optimize`` and ``dlquiz plan``, and the interview lines of the status panel."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text as RichText

from dlquiz.i18n import _


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
    return Panel(
        Group(*lines), title=_("dlquiz optimize · FSRS parameters"), title_align="left", border_style="blue"
    )


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def interview_line(data: dict[str, Any]) -> str:
    """One line for the status panel: days left and predicted recall on the day."""
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
    recall = data["recall_kept_up"]
    style = "green" if recall is not None and recall >= plan["target"] else "yellow"
    recall_text = f"[{style}]{_pct(recall)}[/]"
    return _(
        "{date} ({when}) · predicted recall on the day {recall} (target {target}) · "
        "{studied}/{cards} cards studied"
    ).format(
        date=plan["date"],
        when=when,
        recall=recall_text,
        target=_pct(plan["target"]),
        studied=data["studied"],
        cards=data["cards"],
    )


def section_rows(data: dict[str, Any]) -> list[tuple[str, str]]:
    rows = []
    for row in data["sections"]:
        rows.append(
            (
                row["title"] or row["section"],
                _("{recall} on the day · {studied}/{cards} studied").format(
                    recall=_pct(row["recall_kept_up"]), studied=row["studied"], cards=row["cards"]
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
    table.add_column(_("on the day"), justify="right")
    table.add_column(_("no review"), justify="right")
    table.add_column(_("< target"), justify="right")
    table.add_column(_("forgotten"), justify="right")
    for row in data["sections"]:
        table.add_row(
            row["title"] or row["section"],
            f"{row['studied']}/{row['cards']}",
            _pct(row["recall_kept_up"]),
            _pct(row["recall_now"]),
            str(row["below_target"]),
            f"{row['expected_forgotten']:.1f}",
        )
    table.add_row(
        "[bold]" + _("all") + "[/]",
        f"{data['studied']}/{data['cards']}",
        _pct(data["recall_kept_up"]),
        _pct(data["recall_now"]),
        str(data["below_target"]),
        f"{data['expected_forgotten']:.1f}",
    )
    notes = RichText(
        _(
            "on the day: predicted recall if you do the reviews dlquiz schedules and recall them; cards due "
            "after the interview with too little recall on the day are brought forward into its last four "
            "days. no review: if no card is reviewed again. forgotten: expected number of studied cards "
            "forgotten on the day. Cards not yet studied are not counted."
        ),
        style="dim",
    )
    return Panel(
        Group(RichText.from_markup(interview_line(data)), table, notes),
        title=_("dlquiz plan · interview {date}").format(date=plan["date"]),
        title_align="left",
        border_style="blue",
    )
