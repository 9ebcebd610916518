"""The mock interview's screens: the question with its clock, the self-check, the report."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text as RichText

from dlquiz.model import Catalog, Question
from dlquiz.render import langs
from dlquiz.render.cards import _item, _texts, md, plain

TICK_PROMPT = "covered> "


def clock(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.999))  # 0:01 until the last second is really gone
    return f"{seconds // 60}:{seconds % 60:02d}"


def intro(n: int, seconds: int, seed: int, tty: bool) -> RenderableType:
    how = (
        "Type your answer (Enter on an empty line finishes it), or answer aloud and press Enter."
        if tty
        else "Type your answer, ending with an empty line; an empty line alone means you answered aloud."
    )
    return Panel(
        Group(
            RichText.assemble(
                ("Mock interview", "bold"),
                f" · {n} question{'s' if n != 1 else ''} · ",
                (clock(seconds), "bold"),
                " each",
            ),
            RichText(how, style="dim"),
            RichText("Then tick the key points you covered.", style="dim"),
            RichText(f"seed {seed} (dlquiz mock --seed {seed} asks the same questions)", style="dim"),
        ),
        border_style="magenta",
        box=box.ROUNDED,
    )


def question(q: Question, n: int, total: int, seconds: int, lang: str) -> Panel:
    return Panel(
        _texts(q.prompt, lang),
        title=f"[bold]question {n} of {total}[/] · {q.id}",
        subtitle=f"{clock(seconds)} to answer",
        title_align="left",
        subtitle_align="right",
        border_style="blue",
        box=box.ROUNDED,
    )


def typing(lines: list[str], current: str, left: float, seconds: int, done: bool = False) -> RenderableType:
    """The live part: the countdown, then the answer so far with a cursor."""
    ratio = max(0.0, left) / seconds if seconds else 0.0
    style = "green" if ratio > 0.5 else "yellow" if ratio > 0.2 else "bold red"
    width = 24
    filled = round(width * ratio)
    head = RichText.assemble(
        ("⏱ ", style),
        (clock(left), style),
        " left  ",
        ("━" * filled, style),
        ("━" * (width - filled), "grey30"),
    )
    if not done:
        head.append("   Enter on an empty line: done", style="dim")
    body = [RichText("› " + line) for line in lines]
    body.append(RichText.assemble("› ", current, ("" if done else "▌", "blink")))
    return Group(head, *body)


def times_up() -> RichText:
    return RichText("⏰ time is up — on to the self-check", style="bold red")


def key_points(q: Question, lang: str) -> RenderableType:
    rows: list[RenderableType] = [RichText("Key points — which did you cover?", style="bold")]
    for i, point in enumerate(q.key_points, 1):
        for j, code in enumerate(langs(lang)):
            rows.append(_item(f"{i}." if j == 0 else "", point.get(code), "bold cyan", indent=1))
    rows.append(RichText("type their numbers (e.g. 1 3 4), a for all, Enter for none", style="dim"))
    return Group(*rows)


def bad_ticks(total: int) -> RichText:
    return RichText(f"numbers from 1 to {total} (e.g. 1 3), a for all, or Enter for none", style="yellow")


def score_style(score: float) -> str:
    return "green" if score >= 0.8 else "yellow" if score >= 0.5 else "red"


def short_answer(q: Question, answer: Any, lang: str) -> RenderableType:
    verdict = RichText.assemble(
        ("✓ " if answer.score >= 0.8 else "• ", score_style(answer.score)),
        (f"{len(answer.covered)}/{answer.total} key points", score_style(answer.score)),
        (f" · {clock(answer.duration_ms / 1000)} used", "dim"),
    )
    return Group(
        verdict,
        Panel(
            Group(*(md(q.answer_short.get(c)) for c in langs(lang))),
            title="short answer",
            title_align="left",
            border_style="green",
            box=box.ROUNDED,
        ),
    )


def report(r: Any, catalog: Catalog, lang: str) -> RenderableType:
    if not r.answers:
        return RichText("No question was answered; nothing was saved.", style="dim")
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, expand=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("question", max_width=34, overflow="fold")
    table.add_column("key points", justify="right", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("time", justify="right", no_wrap=True)
    for n, a in enumerate(r.answers, 1):
        q = catalog.get(a.question_id)
        label = plain(q.prompt.get("zh" if lang == "zh" else "en")) if q is not None else a.question_id
        table.add_row(
            str(n),
            label,
            f"{len(a.covered)}/{a.total}",
            RichText(f"{100 * a.score:.0f}%", style=score_style(a.score)),
            RichText(
                clock(a.duration_ms / 1000) + (" ⏰" if a.timed_out else ""),
                style="red" if a.timed_out else "",
            ),
        )
    total = RichText.assemble(
        ("total ", "bold"),
        (f"{r.covered}/{r.total} key points · {100 * r.score:.0f}%", f"bold {score_style(r.score)}"),
        (f" · {clock(r.duration_ms / 1000)} used", "dim"),
    )
    parts: list[RenderableType] = [table, total]
    if r.weakest:
        parts.append(RichText("\nWeakest key points (missed; the most often missed first)", style="bold"))
        for qid, index in r.weakest[:8]:
            q = catalog.get(qid)
            text = q.key_points[index].get("zh" if lang == "zh" else "en") if isinstance(q, Question) else ""
            parts.append(
                _item("✗", RichText.assemble(plain(text), (f"  ({qid} #{index + 1})", "dim")), "red")
            )
        if len(r.weakest) > 8:
            parts.append(RichText(f"  … and {len(r.weakest) - 8} more", style="dim"))
    saved = "saved · dlquiz stats shows your mock scores over time" if r.mock_id else "not saved"
    return Panel(
        Group(*parts),
        title="mock interview report",
        subtitle=saved,
        title_align="left",
        subtitle_align="right",
        border_style="magenta",
        box=box.ROUNDED,
    )
