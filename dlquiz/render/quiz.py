"""The quiz's screens: the card, the verdict, the final score."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text as RichText

from dlquiz.i18n import N_, _
from dlquiz.model import Catalog, Drill
from dlquiz.render.cards import drill_answer, plain
from dlquiz.render.layout import WholePanel
from dlquiz.render.study import front as study_front

HINTS = {
    "choice": N_("type the correct letters (e.g. AC)"),
    "numeric": N_("type a number"),
    "cloze": N_("type the missing words (for several blanks, separate them with ;)"),
}


def header(n: int, total: int, correct: int, answered: int) -> RichText:
    text = RichText.assemble(
        ("dlquiz quiz", "bold"), "  ", (_("card {n} of {total}").format(n=n, total=total), "bold")
    )
    if answered:
        text.append(
            "  ·  " + _("{correct}/{answered} right so far").format(correct=correct, answered=answered),
            style="green" if correct == answered else "yellow",
        )
    return text


def front(card: Drill, lang: str) -> RenderableType:
    return Group(
        study_front(card, lang, changed=False),
        RichText(_(HINTS[card.type]) + " · " + _("Enter alone: don't know · q quit"), style="dim"),
    )


def bad_answer(card: Drill) -> RichText:
    what = (
        _("type letters such as A or AC, or Enter alone if you don't know")
        if card.type == "choice"
        else _("type a number, or Enter alone if you don't know")
        if card.type == "numeric"
        else _("type text, or Enter alone if you don't know")
    )
    return RichText(what, style="yellow")


def verdict(card: Drill, checked: Any, lang: str, recorded: bool = True) -> RenderableType:
    if checked.correct:
        line = RichText.assemble((_("✓ correct"), "bold green"), ("  " + _("recorded as Good"), "dim"))
        if card.type == "cloze":
            line.append(" · " + _("expected {expected}").format(expected=checked.expected), style="dim")
        return line
    if checked.given:
        given = _("you answered {given};").format(given=checked.given) + " "
        line = RichText.assemble(
            (_("✗ not quite"), "bold red"), "  " + given + _("expected") + " ", (checked.expected, "bold")
        )
    else:  # Enter alone: "I don't know" is not a wrong answer, but it is not a recall either
        line = RichText.assemble(
            (_("– skipped"), "bold yellow"), "  " + _("the answer:") + " ", (checked.expected, "bold")
        )
    if recorded:
        line.append("  · " + _("recorded as Again"), style="dim")
    return Group(line, drill_answer(card, lang))


def overrule_prompt() -> RichText:
    return RichText(_("Right in other words? y: count it as Good; any other key: keep Again"), style="dim")


def recorded(correct: bool) -> RichText:
    return RichText.assemble(
        ("✓ " + _("recorded as Good"), "green") if correct else ("✗ " + _("recorded as Again"), "dim")
    )


def summary(result: Any, catalog: Catalog, lang: str) -> RenderableType:
    if not result.items:
        return RichText(_("No card was answered."), style="dim")
    style = "green" if result.score >= 0.8 else "yellow" if result.score >= 0.5 else "red"
    parts: list[RenderableType] = [
        RichText.assemble(
            (_("score") + " ", "bold"),
            (f"{result.correct}/{len(result.items)} ({100 * result.score:.0f}%)", f"bold {style}"),
            (
                " · " + _("{n} of {asked} cards answered").format(n=len(result.items), asked=result.asked)
                if len(result.items) < result.asked
                else "",
                "dim",
            ),
        )
    ]
    wrong = [i for i in result.items if not i.correct]
    if wrong:
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
        table.add_column(_("to review"), no_wrap=True, style="bold")
        table.add_column(_("expected"))
        for item in wrong:
            table.add_row(item.card_id, plain(item.expected))
        parts.extend([RichText(), table])
    parts.append(
        RichText(
            "\n" + _("every answer was recorded as a review: Good when right, Again when wrong"), style="dim"
        )
    )
    return WholePanel(
        Group(*parts), title=_("quiz result"), title_align="left", border_style="blue", box=box.ROUNDED
    )
