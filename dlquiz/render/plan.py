"""Output of ``dlquiz optimize`` and ``dlquiz plan``, and the interview lines of the status panel."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text as RichText


def optimized(result: Any, stored: bool) -> RenderableType:
    table = Table(box=box.SIMPLE, pad_edge=False)
    table.add_column("parameters")
    table.add_column("log loss", justify="right")
    table.add_column("RMSE (bins)", justify="right")
    table.add_row("current", f"{result.before.log_loss:.4f}", f"{result.before.rmse_bins:.4f}")
    table.add_row("fitted", f"{result.after.log_loss:.4f}", f"{result.after.rmse_bins:.4f}")
    if result.accepted:
        verdict = "[green]✓ the fitted parameters predict your reviews better: " + (
            "stored; they schedule your next reviews[/]" if stored else "not stored (--dry-run)[/]"
        )
    else:
        verdict = "[yellow]kept the current parameters: the fit does not predict your reviews better[/]"
    lines: list[RenderableType] = [
        RichText(
            f"{result.reviews} study reviews, {result.items} usable for fitting (on a later day than the "
            "card's previous review)"
        ),
        table,
        RichText.from_markup(verdict),
    ]
    return Panel(
        Group(*lines), title="dlquiz optimize · FSRS parameters", title_align="left", border_style="blue"
    )


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def interview_line(data: dict[str, Any]) -> str:
    """One line for the status panel: days left and predicted recall on the day."""
    plan = data["plan"]
    from dlquiz.days import when_words

    days = data["days_left"]
    when = when_words(days)
    if data["passed"]:
        past = f"{plan['date']} ({when}) has passed" if days >= 0 else f"{plan['date']} {when}"
        return f"{past} · [bold]dlquiz plan --clear[/] ends the plan"
    recall = data["recall_kept_up"]
    style = "green" if recall is not None and recall >= plan["target"] else "yellow"
    return (
        f"{plan['date']} ({when}) · predicted recall on the day [{style}]{_pct(recall)}[/] "
        f"(target {_pct(plan['target'])}) · {data['studied']}/{data['cards']} cards studied"
    )


def section_rows(data: dict[str, Any]) -> list[tuple[str, str]]:
    rows = []
    for row in data["sections"]:
        rows.append(
            (
                row["title"] or row["section"],
                f"{_pct(row['recall_kept_up'])} on the day · {row['studied']}/{row['cards']} studied"
                + (f" · {row['below_target']} below target" if row["below_target"] else ""),
            )
        )
    return rows


def forecast(data: dict[str, Any]) -> RenderableType:
    if data.get("plan") is None:
        return RichText.from_markup(
            "No interview date set. [bold]dlquiz plan --interview YYYY-MM-DD[/] sets "
            "one (--target 0.95 by default)."
        )
    plan = data["plan"]
    table = Table(box=box.SIMPLE, pad_edge=False)
    table.add_column("section")
    table.add_column("studied", justify="right")
    table.add_column("on the day", justify="right")
    table.add_column("no review", justify="right")
    table.add_column("< target", justify="right")
    table.add_column("forgotten", justify="right")
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
        "[bold]all[/]",
        f"{data['studied']}/{data['cards']}",
        _pct(data["recall_kept_up"]),
        _pct(data["recall_now"]),
        str(data["below_target"]),
        f"{data['expected_forgotten']:.1f}",
    )
    notes = RichText(
        "on the day: predicted recall if you do the reviews dlquiz schedules and recall them; cards due "
        "after the interview with too little recall on the day are brought forward into its last four days. "
        "no review: if no card is reviewed again. forgotten: expected number of studied cards forgotten on "
        "the day. Cards not yet studied are not counted.",
        style="dim",
    )
    return Panel(
        Group(RichText.from_markup(interview_line(data)), table, notes),
        title=f"dlquiz plan · interview {plan['date']}",
        title_align="left",
        border_style="blue",
    )
