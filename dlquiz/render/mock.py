"""The mock interview's screens: the question with its clock, the self-check, the report."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text as RichText

from dlquiz.i18n import N_, _, ngettext
from dlquiz.model import Catalog, Question
from dlquiz.render import langs
from dlquiz.render.cards import _item, _texts, md, plain
from dlquiz.render.layout import WholePanel

TICK_PROMPT = N_("covered> ")


def clock(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.999))  # 0:01 until the last second is really gone
    return f"{seconds // 60}:{seconds % 60:02d}"


def intro(n: int, seconds: int, seed: int, tty: bool) -> RenderableType:
    how = (
        _("Type your answer (Enter on an empty line finishes it), or answer aloud and press Enter.")
        if tty
        else _("Type your answer, ending with an empty line; an empty line alone means you answered aloud.")
    )
    each = ngettext(
        "[bold]Mock interview[/] · {n} question · [bold]{clock}[/] each",
        "[bold]Mock interview[/] · {n} questions · [bold]{clock}[/] each",
        n,
    )
    return WholePanel(
        Group(
            RichText.from_markup(each.format(n=n, clock=clock(seconds))),
            RichText(how, style="dim"),
            RichText(_("Then tick the key points you covered."), style="dim"),
            RichText(
                _("seed {seed} (dlquiz mock --seed {seed} asks the same questions)").format(seed=seed),
                style="dim",
            ),
        ),
        border_style="magenta",
        box=box.ROUNDED,
    )


def question(q: Question, n: int, total: int, seconds: int, lang: str) -> Panel:
    return WholePanel(
        _texts(q.prompt, lang),
        title="[bold]" + _("question {n} of {total}").format(n=n, total=total) + f"[/] · {q.id}",
        subtitle=_("{clock} to answer").format(clock=clock(seconds)),
        title_align="left",
        subtitle_align="right",
        border_style="blue",
        box=box.ROUNDED,
    )


def typing(lines: list[str], current: str, left: float, seconds: int, done: bool = False) -> RenderableType:
    """The live part: the countdown, then the answer so far with a cursor.

    Colour is a second signal only: the time left is written out, the used part of the bar is drawn
    with a thinner line than the part left, and the last fifth says so in words.
    """
    ratio = max(0.0, left) / seconds if seconds else 0.0
    style = "green" if ratio > 0.5 else "yellow" if ratio > 0.2 else "bold red"
    width = 24
    filled = round(width * ratio)
    head = RichText.assemble(
        ("⏱ ", style),
        (_("{clock} left").format(clock=clock(left)), style),
        "  ",
        ("━" * filled, style),
        ("╌" * (width - filled), "grey30"),
    )
    if 0 < ratio <= 0.2:
        head.append("  " + _("almost out of time"), style=style)
    if not done:
        head.append("   " + _("Enter on an empty line: done"), style="dim")
    body = [RichText("› " + line) for line in lines]
    body.append(RichText.assemble("› ", current, ("" if done else "▌", "blink")))
    return Group(head, *body)


def times_up() -> RichText:
    return RichText(_("⏰ time is up — on to the self-check"), style="bold red")


def key_points(q: Question, lang: str) -> RenderableType:
    rows: list[RenderableType] = [RichText(_("Key points — which did you cover?"), style="bold")]
    for i, point in enumerate(q.key_points, 1):
        for j, code in enumerate(langs(lang)):
            rows.append(_item(f"{i}." if j == 0 else "", point.get(code), "bold cyan", indent=1))
    rows.append(RichText(_("type their numbers (e.g. 1 3 4), a for all, Enter for none"), style="dim"))
    return Group(*rows)


def bad_ticks(total: int) -> RichText:
    return RichText(
        _("numbers from 1 to {total} (e.g. 1 3), a for all, or Enter for none").format(total=total),
        style="yellow",
    )


def score_style(score: float) -> str:
    return "green" if score >= 0.8 else "yellow" if score >= 0.5 else "red"


def short_answer(q: Question, answer: Any, lang: str) -> RenderableType:
    verdict = RichText.assemble(
        ("✓ " if answer.score >= 0.8 else "• ", score_style(answer.score)),
        (
            _("{covered}/{total} key points").format(covered=len(answer.covered), total=answer.total),
            score_style(answer.score),
        ),
        (" · " + _("{clock} used").format(clock=clock(answer.duration_ms / 1000)), "dim"),
    )
    return Group(
        verdict,
        WholePanel(
            Group(*(md(q.answer_short.get(c)) for c in langs(lang))),
            title=_("short answer"),
            title_align="left",
            border_style="green",
            box=box.ROUNDED,
        ),
    )


def report(r: Any, catalog: Catalog, lang: str) -> RenderableType:
    if not r.answers:
        return RichText(_("No question was answered; nothing was saved."), style="dim")
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, expand=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column(_("question"), max_width=34, overflow="fold")
    table.add_column(_("key points"), justify="right", no_wrap=True)
    table.add_column(_("score"), justify="right", no_wrap=True)
    table.add_column(_("time"), justify="right", no_wrap=True)
    for n, a in enumerate(r.answers, 1):
        q = catalog.get(a.question_id)
        label = plain(q.prompt.get("zh" if lang == "zh" else "en")) if q is not None else a.question_id
        table.add_row(
            str(n),
            label,
            f"{len(a.covered)}/{a.total}",
            RichText(f"{100 * a.score:.0f}%", style=score_style(a.score)),
            RichText(
                clock(a.duration_ms / 1000) + (" ⏰ " + _("over time") if a.timed_out else ""),
                style="red" if a.timed_out else "",
            ),
        )
    total = RichText.assemble(
        (_("total") + " ", "bold"),
        (
            _("{covered}/{total} key points").format(covered=r.covered, total=r.total)
            + f" · {100 * r.score:.0f}%",
            f"bold {score_style(r.score)}",
        ),
        (" · " + _("{clock} used").format(clock=clock(r.duration_ms / 1000)), "dim"),
    )
    parts: list[RenderableType] = [table, total]
    if r.weakest:
        parts.append(
            RichText("\n" + _("Weakest key points (missed; the most often missed first)"), style="bold")
        )
        for qid, index in r.weakest[:8]:
            q = catalog.get(qid)
            text = q.key_points[index].get("zh" if lang == "zh" else "en") if isinstance(q, Question) else ""
            parts.append(
                _item("✗", RichText.assemble(plain(text), (f"  ({qid} #{index + 1})", "dim")), "red")
            )
        if len(r.weakest) > 8:
            parts.append(RichText("  " + _("… and {n} more").format(n=len(r.weakest) - 8), style="dim"))
    saved = _("saved · dlquiz stats shows your mock scores over time") if r.mock_id else _("not saved")
    return WholePanel(
        Group(*parts),
        title=_("mock interview report"),
        subtitle=saved,
        title_align="left",
        subtitle_align="right",
        border_style="magenta",
        box=box.ROUNDED,
    )


def ready(n: int, total: int, seconds: int) -> RichText:
    """Before each question in a terminal: the countdown waits for Enter."""
    minutes = f"{seconds // 60}:{seconds % 60:02d}"
    return RichText.assemble(
        ("\n", ""),
        (f"question {n} of {total}", "bold"),
        f" · {minutes} on the clock · ",
        ("Enter starts it", "bold"),
        (" · q ends the mock", "dim"),
    )
