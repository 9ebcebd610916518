"""Code drills on screen: the list, the task, the judge's verdict, the solution."""

from __future__ import annotations

import re
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text as RichText

from dlquiz.i18n import N_, _
from dlquiz.render import langs
from dlquiz.render.cards import _item, _texts
from dlquiz.render.layout import WholePanel

STARS = {1: "★", 2: "★★", 3: "★★★"}
# The judge names its checks in English (stable keys in --json); shown in the interface language.
CHECK_TITLES = {
    "signature": N_("signature"),
    "shapes and dtypes": N_("shapes and dtypes"),
    "gradient check": N_("gradient check"),
    "inputs not modified": N_("inputs not modified"),
    "stable on extreme inputs": N_("stable on extreme inputs"),
}
REFERENCE_CHECK = re.compile(r"matches the reference on (\d+) random cases")
PRINTED_LINES = 12  # of the user's own prints: enough to debug, short enough to keep the verdict in view


def drill_list(rows: list[dict[str, Any]]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    # fold, never crop: an id or a function name cut with an ellipsis cannot be typed back
    table.add_column(_("drill"), style="bold", overflow="fold")
    table.add_column(_("question"), style="dim", overflow="fold")
    table.add_column(_("level"), no_wrap=True)
    table.add_column(_("functions"), overflow="fold")
    table.add_column(_("last result"), overflow="fold")
    for r in rows:
        table.add_row(r["id"], r["question"], STARS[r["difficulty"]], ", ".join(r["functions"]), _last(r))
    return table


def _last(row: dict[str, Any]) -> RichText:
    last = row.get("last")
    if not last:
        return RichText(_("not tried"), style="dim")
    if last["passed"]:
        return RichText("✓ " + _("passed"), style="green")
    mistake = f" ({last['mistake']})" if last.get("mistake") else ""
    return RichText("✗ " + _("failed") + mistake, style="red")


def task(drill: Any, card: Any, lang: str, hints_shown: int = 0) -> Panel:
    parts: list[RenderableType] = []
    if card is not None:
        parts.append(_texts(card.prompt, lang))
    parts.append(RichText())
    parts.append(Syntax(drill.template.strip(), "python", theme="ansi_dark", word_wrap=True))
    if card is not None and hints_shown:
        parts.append(RichText("\n" + _("Hints"), style="bold"))
        for i, hint in enumerate(card.hints[:hints_shown], start=1):
            for code in langs(lang):
                parts.append(_item(f"{i}.", hint.get(code), "dim"))
    steps = [
        f"dlquiz code start {drill.id}",
        f"dlquiz code check {drill.file_name}",
        f"dlquiz code hint {drill.id}",
        f"dlquiz prove {drill.question}",
    ]
    parts.append(RichText("\n" + _("Next"), style="bold"))
    for step in steps:
        parts.append(_item("$", RichText(step, style="bold"), "dim"))
    return WholePanel(
        Group(*parts),
        title=f"[bold]{drill.id}[/] · {_('code')} {STARS[drill.difficulty]}",
        subtitle=_("drill of {question}").format(question=drill.question),
        title_align="left",
        subtitle_align="right",
        border_style="blue",
    )


def verdict(result: dict[str, Any], lang: str, file: str = "") -> RenderableType:
    """The judge's findings, one line each, then the named mistake: readable without colour."""
    lines: list[RenderableType] = []
    for check in result.get("checks", []):
        mark = ("✓", "green") if check["ok"] else ("✗", "bold red")
        said = _detail(check)
        detail = "  " + _("({detail})").format(detail=said) if said else ""
        lines.append(
            RichText.assemble(mark, " ", _check_title(check["name"]), (detail, "dim" if check["ok"] else ""))
        )
    if result.get("error"):
        lines.append(RichText.assemble(("✗ ", "bold red"), _("your code raised an error:")))
        lines.append(RichText(_indent(result["error"]), style="red"))
    mistake = result.get("mistake")
    if mistake:
        said = {"en": mistake["en"], "zh": mistake["zh"], "both": f"{mistake['en']}\n{mistake['zh']}"}[lang]
        lines.append(_item("→", RichText.assemble((_("looks like: "), "bold"), said)))
    elif not result.get("passed") and result.get("checks") and not result.get("error"):
        hint = _("no known mistake matches: compare with the hints (dlquiz code hint {id})")
        hint = hint.format(id=result.get("drill", "ID"))
        lines.append(_item("→", RichText(hint, style="dim")))
    if result.get("output"):
        printed = result["output"].rstrip().splitlines()
        lines.append(RichText("\n" + _("your code printed:"), style="dim"))
        lines.append(RichText(_indent("\n".join(printed[:PRINTED_LINES]))))
        if len(printed) > PRINTED_LINES:
            more = _("({n} more lines)").format(n=len(printed) - PRINTED_LINES)
            lines.append(RichText("    " + more, style="dim"))
    passed = result.get("passed")
    head = _("PASSED") if passed else _("FAILED")
    seconds = f" · {result['seconds']:.2f} s" if "seconds" in result else ""
    return WholePanel(
        Group(*lines),
        title=f"[bold]{'✓' if passed else '✗'} {head}[/] · {result.get('drill', '')}{seconds}",
        subtitle=file,
        title_align="left",
        subtitle_align="right",
        border_style="green" if passed else "red",
    )


def _check_title(name: str) -> str:
    found = REFERENCE_CHECK.fullmatch(name)
    if found:
        return _("matches the reference on {n} random cases").format(n=found.group(1))
    return _(CHECK_TITLES[name]) if name in CHECK_TITLES else name


def _detail(check: dict[str, Any]) -> str:
    """The check's findings in the interface language (the judge sends templates and values)."""
    parts = check.get("parts")
    if not parts:
        return check.get("detail", "")
    try:
        return _("; ").join(_(p["msg"]).format(**p["args"]) for p in parts)
    except (KeyError, IndexError, TypeError, ValueError):  # a translation that lost a field: English
        return check.get("detail", "")


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def solution(drill: Any) -> Group:
    return Group(
        RichText(
            _("Looking counts as Again when you record this drill: try it again tomorrow."), style="yellow"
        ),
        Syntax(drill.solution.strip(), "python", theme="ansi_dark", word_wrap=True),
    )
