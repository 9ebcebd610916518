"""Code drills on screen: the list, the task, the judge's verdict, the solution."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text as RichText

from dlquiz.render import langs
from dlquiz.render.cards import _item, _texts

STARS = {1: "★", 2: "★★", 3: "★★★"}
PRINTED_LINES = 12  # of the user's own prints: enough to debug, short enough to keep the verdict in view


def drill_list(rows: list[dict[str, Any]], lang: str) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    # fold, never crop: an id or a function name cut with "…" cannot be typed back
    table.add_column("drill" if lang != "zh" else "题目", style="bold", overflow="fold")
    table.add_column("question" if lang != "zh" else "对应问题", style="dim", overflow="fold")
    table.add_column("level" if lang != "zh" else "难度", no_wrap=True)
    table.add_column("functions" if lang != "zh" else "要写的函数", overflow="fold")
    table.add_column("last result" if lang != "zh" else "上次结果", overflow="fold")
    for r in rows:
        table.add_row(
            r["id"], r["question"], STARS[r["difficulty"]], ", ".join(r["functions"]), _last(r, lang)
        )
    return table


def _last(row: dict[str, Any], lang: str) -> RichText:
    last = row.get("last")
    if not last:
        return RichText("not tried" if lang != "zh" else "未尝试", style="dim")
    if last["passed"]:
        return RichText("✓ passed" if lang != "zh" else "✓ 通过", style="green")
    mistake = f" ({last['mistake']})" if last.get("mistake") else ""
    return RichText(("✗ failed" if lang != "zh" else "✗ 未通过") + mistake, style="red")


def task(drill: Any, card: Any, lang: str, hints_shown: int = 0) -> Panel:
    parts: list[RenderableType] = []
    if card is not None:
        parts.append(_texts(card.prompt, lang))
    parts.append(RichText())
    parts.append(Syntax(drill.template.strip(), "python", theme="ansi_dark", word_wrap=True))
    if card is not None and hints_shown:
        parts.append(RichText("\nHints" if lang != "zh" else "\n提示", style="bold"))
        for i, hint in enumerate(card.hints[:hints_shown], start=1):
            for code in langs(lang):
                parts.append(_item(f"{i}.", hint.get(code), "dim"))
    steps = [
        f"dlquiz code start {drill.id}",
        f"dlquiz code check {drill.file_name}",
        f"dlquiz code hint {drill.id}",
        f"dlquiz prove {drill.question}",
    ]
    parts.append(RichText("\n" + ("Next" if lang != "zh" else "下一步"), style="bold"))
    for step in steps:
        parts.append(_item("$", RichText(step, style="bold"), "dim"))
    return Panel(
        Group(*parts),
        title=f"[bold]{drill.id}[/] · code {STARS[drill.difficulty]}",
        subtitle=f"drill of {drill.question}",
        title_align="left",
        subtitle_align="right",
        border_style="blue",
    )


def verdict(result: dict[str, Any], lang: str, file: str = "") -> RenderableType:
    """The judge's findings, one line each, then the named mistake: readable without colour."""
    lines: list[RenderableType] = []
    for check in result.get("checks", []):
        mark = ("✓", "green") if check["ok"] else ("✗", "bold red")
        detail = f"  ({check['detail']})" if check.get("detail") else ""
        lines.append(RichText.assemble(mark, " ", check["name"], (detail, "dim" if check["ok"] else "")))
    if result.get("error"):
        title = "your code raised an error" if lang != "zh" else "你的代码出错了"
        lines.append(RichText.assemble(("✗ ", "bold red"), title + ":"))
        lines.append(RichText(_indent(result["error"]), style="red"))
    mistake = result.get("mistake")
    if mistake:
        said = mistake["zh"] if lang == "zh" else mistake["en"]
        if lang == "both":
            said = f"{mistake['en']}\n    {mistake['zh']}"
        lines.append(
            _item("→", RichText.assemble(("looks like: " if lang != "zh" else "看起来是：", "bold"), said))
        )
    elif not result.get("passed") and result.get("checks"):
        lines.append(
            RichText(
                "  → no known mistake matches: compare with the hints (dlquiz code hint ID)"
                if lang != "zh"
                else "  → 没有匹配到已知错误：对照提示检查（dlquiz code hint ID）",
                style="dim",
            )
        )
    if result.get("output"):
        printed = result["output"].rstrip().splitlines()
        lines.append(RichText("\nyour code printed:" if lang != "zh" else "\n你的代码输出：", style="dim"))
        lines.append(RichText(_indent("\n".join(printed[:PRINTED_LINES]))))
        if len(printed) > PRINTED_LINES:
            more = len(printed) - PRINTED_LINES
            lines.append(
                RichText(
                    f"    ({more} more lines)" if lang != "zh" else f"    （另有 {more} 行）", style="dim"
                )
            )
    passed = result.get("passed")
    head = ("PASSED" if lang != "zh" else "通过") if passed else ("FAILED" if lang != "zh" else "未通过")
    seconds = f" · {result['seconds']:.2f} s" if "seconds" in result else ""
    return Panel(
        Group(*lines),
        title=f"[bold]{'✓' if passed else '✗'} {head}[/] · {result.get('drill', '')}{seconds}",
        subtitle=file,
        title_align="left",
        subtitle_align="right",
        border_style="green" if passed else "red",
    )


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def solution(drill: Any, lang: str) -> Group:
    note = (
        "Looking counts as Again when you record this drill: try it again tomorrow."
        if lang != "zh"
        else "看过参考答案后，记录这道题时按“重来”（Again）计：明天再试一次。"
    )
    return Group(
        RichText(note, style="yellow"),
        Syntax(drill.solution.strip(), "python", theme="ansi_dark", word_wrap=True),
    )
