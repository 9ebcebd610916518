"""The quiz's screens: the card, the verdict, the final score."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text as RichText

from dlquiz.model import Catalog, Drill
from dlquiz.render.cards import drill_answer, plain
from dlquiz.render.study import front as study_front

HINTS = {
    "choice": "type the correct letters (e.g. AC)",
    "numeric": "type a number",
    "cloze": "type the missing words (for several blanks, separate them with ;)",
}


def header(n: int, total: int, correct: int, answered: int) -> RichText:
    text = RichText.assemble(("dlquiz quiz", "bold"), "  ", (f"card {n} of {total}", "bold"))
    if answered:
        text.append(
            f"  ·  {correct}/{answered} right so far", style="green" if correct == answered else "yellow"
        )
    return text


def front(card: Drill, lang: str) -> RenderableType:
    return Group(
        study_front(card, lang, changed=False),
        RichText(f"{HINTS[card.type]} · Enter alone: don't know · q quit", style="dim"),
    )


def bad_answer(card: Drill) -> RichText:
    what = (
        "letters such as A or AC"
        if card.type == "choice"
        else "a number"
        if card.type == "numeric"
        else "text"
    )
    return RichText(f"type {what}, or Enter alone if you don't know", style="yellow")


def verdict(card: Drill, checked: Any, lang: str, recorded: bool = True) -> RenderableType:
    if checked.correct:
        line = RichText.assemble(("✓ correct", "bold green"), ("  recorded as Good", "dim"))
        if card.type == "cloze":
            line.append(f" · expected {checked.expected}", style="dim")
        return line
    if checked.given:
        line = RichText.assemble(
            ("✗ not quite", "bold red"),
            f"  you answered {checked.given}; expected ",
            (checked.expected, "bold"),
        )
    else:  # Enter alone: "I don't know" is not a wrong answer, but it is not a recall either
        line = RichText.assemble(("– skipped", "bold yellow"), "  the answer: ", (checked.expected, "bold"))
    if recorded:
        line.append("  · recorded as Again", style="dim")
    return Group(line, drill_answer(card, lang))


def overrule_prompt() -> RichText:
    return RichText("Right in other words? y: count it as Good; any other key: keep Again", style="dim")


def recorded(correct: bool) -> RichText:
    return RichText.assemble(("✓ recorded as Good", "green") if correct else ("recorded as Again", "dim"))


def summary(result: Any, catalog: Catalog, lang: str) -> RenderableType:
    if not result.items:
        return RichText("No card was answered.", style="dim")
    style = "green" if result.score >= 0.8 else "yellow" if result.score >= 0.5 else "red"
    parts: list[RenderableType] = [
        RichText.assemble(
            ("score ", "bold"),
            (f"{result.correct}/{len(result.items)} ({100 * result.score:.0f}%)", f"bold {style}"),
            (
                f" · {len(result.items)} of {result.asked} cards answered"
                if len(result.items) < result.asked
                else "",
                "dim",
            ),
        )
    ]
    wrong = [i for i in result.items if not i.correct]
    if wrong:
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
        table.add_column("to review", no_wrap=True, style="bold")
        table.add_column("expected")
        for item in wrong:
            table.add_row(item.card_id, plain(item.expected))
        parts.extend([RichText(), table])
    parts.append(
        RichText("\nevery answer was recorded as a review: Good when right, Again when wrong", style="dim")
    )
    return Panel(Group(*parts), title="quiz result", title_align="left", border_style="blue", box=box.ROUNDED)
