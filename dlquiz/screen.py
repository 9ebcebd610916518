"""The interactive study screen: reads keys, calls the session core, renders with ``render.study``.

In a real terminal it reads single keys (cbreak mode, so Ctrl-C still interrupts); when standard input
is not a terminal it reads whole lines, so a session can be scripted: an empty line reveals or accepts,
``1``-``4`` grade, letters answer a choice card, a number answers a numeric card.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, TextIO

from dlquiz.i18n import _
from dlquiz.model import Card, Catalog, Drill, Question
from dlquiz.render import study as view
from dlquiz.session import StudySession


class Keys:
    """Single keys from a terminal, or lines from a pipe."""

    def __init__(self, stream: TextIO | None = None):
        # A closed stdin ("<&-") leaves sys.stdin None: read it as an empty pipe, so the session ends saved.
        self.stream = stream or sys.stdin or io.StringIO("")
        try:
            self.tty = self.stream.isatty()
        except (OSError, ValueError):
            self.tty = False

    def key(self) -> str:
        if not self.tty:
            return self._line_command()
        import termios
        import tty

        fd = self.stream.fileno()
        saved = termios.tcgetattr(fd)
        try:
            tty.setcbreak(fd)
            raw = os.read(fd, 1)
        except OSError:
            raw = b""  # the terminal went away (EIO)
        finally:
            with contextlib.suppress(OSError, termios.error):
                termios.tcsetattr(fd, termios.TCSADRAIN, saved)
        if raw == b"":  # end of input: end the session, saved (never spin on a closed terminal)
            return "q"
        char = raw.decode(errors="ignore")
        if char in ("\r", "\n"):
            return "enter"
        if char == " ":
            return "space"
        if char == "\x04":  # Ctrl-D
            return "q"
        return char.lower()

    def line(self, prompt: str, console: Any) -> str:
        """A typed answer (Enter alone gives "")."""
        if self.tty:
            console.print(prompt, end="", markup=False, highlight=False)
            try:
                return input().strip()
            except (EOFError, OSError):
                return "q"
        raw = self._readline()
        return "q" if raw == "" else raw.strip()

    def _readline(self) -> str:
        try:
            return self.stream.readline()
        except (OSError, ValueError, UnicodeDecodeError):
            return ""  # a stream that cannot be read any more is the end of input

    def _line_command(self) -> str:
        raw = self._readline()
        if raw == "":
            return "q"  # end of input ends the session, saved
        text = raw.strip().lower()
        return "enter" if text == "" else text


def grade_typed(card: Drill, typed: str) -> tuple[bool, str, str] | None:
    """Auto-grade a typed answer: (correct, what was given, what was expected), or None if not gradable."""
    if card.type == "choice":
        letters = {c for c in typed.upper() if c.isalpha()}
        valid = {chr(65 + i) for i in range(len(card.options))}
        if not letters or not letters <= valid:
            return None
        expected = {chr(65 + i) for i, o in enumerate(card.options) if o.correct}
        return letters == expected, "".join(sorted(letters)), "".join(sorted(expected))
    if card.type == "numeric":
        try:
            value = float(typed.replace(",", "").replace("_", ""))
        except ValueError:
            return None
        answer = float(card.answer or 0)
        tol = float(card.tolerance or 0)
        ok = math.isfinite(value) and abs(value - answer) <= tol + 1e-12 * max(1.0, abs(answer))
        return ok, typed, f"{answer:g}" + (f" ± {tol:g}" if tol else "")
    return None


def run_demos_inline(question: Question, console: Any, lang: str) -> int:
    """Run the question's demos and draw them; returns how many ran. The study screen's ``p`` key."""
    from dlquiz.demos import get

    ran = 0
    for demo_id in question.demos:
        demo = get(demo_id)
        if demo is None:
            console.print(_("[yellow]demo {demo!r} is not available in this version[/]").format(demo=demo_id))
            continue
        result = demo.run()
        try:
            from dlquiz.render.demos import render_demo_result
        except ImportError:
            console.print(f"{demo_id}: " + (_("all checks pass") if result.passed else _("a check failed")))
        else:
            render_demo_result(console, result, lang=lang)
        ran += 1
    if not question.demos:
        console.print(_("[dim]this question has no demo yet[/]"))
    return ran


class StudyScreen:
    def __init__(
        self,
        session: StudySession,
        catalog: Catalog,
        console: Any,
        keys: Keys,
        lang: str,
        clock: Callable[[], datetime] | None = None,
    ):
        self.session = session
        self.catalog = catalog
        self.console = console
        self.keys = keys
        self.lang = lang
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.flash: Any = None  # the last "recorded" line, shown again after the screen is cleared

    def run(self) -> None:
        started = time.monotonic()
        try:
            self._loop()
        except KeyboardInterrupt:
            self.console.print("\n" + _("[dim]interrupted — everything graded so far is saved[/]"))
        now = self.clock()
        if self.session.graded:
            self.console.print(
                view.summary(self.session.graded, time.monotonic() - started, self.session.due_tomorrow(now))
            )

    def _loop(self) -> None:
        forced: Card | None = None
        while True:
            now = self.clock()
            card = forced or self.session.next_card(now)
            forced = None
            if card is None:
                if not self.session.graded:
                    self.console.print(
                        view.nothing_due(
                            self.session.next_due(),
                            now,
                            self.session.new_available(),
                            self.session.counts(now).new,
                        )
                    )
                elif self.session.limit is not None and len(self.session.graded) >= self.session.limit:
                    left = self.session.counts(now).total
                    self.console.print(
                        _(
                            "[bold green]Done:[/] the {limit} card(s) of --limit; {left} more to study today."
                        ).format(limit=self.session.limit, left=left)
                    )
                else:
                    self.console.print(_("[bold green]Done for now.[/] Nothing else is due."))
                return
            action = self._show(card)
            if action == "quit":
                return
            if isinstance(action, tuple) and action[0] == "undo":
                undone = self.catalog.get(action[1]) if action[1] else None
                forced = undone

    def _show(self, card: Card) -> Any:
        """Show one card until it is graded, buried, undone or the user quits."""
        s, out = self.session, self.console
        now = self.clock()
        if self.keys.tty:
            out.clear()
            if self.flash is not None:
                out.print(self.flash)
        else:
            out.rule(style="dim")
        out.print(view.header(s.counts(now), len(s.graded), self.catalog, card, self.lang))
        out.print(view.front(card, self.lang, s.text_changed(card)))
        out.print(view.keys_hint(card, revealed=False))
        shown_at = time.monotonic()
        suggested: int | None = None
        while True:  # the front side
            if isinstance(card, Drill) and card.type in ("choice", "numeric"):
                typed = self.keys.line(_("answer> "), out)
                command = typed.lower()
                if command in ("q", "u", "s", "p"):
                    key = command
                elif typed == "":
                    key = "enter"
                else:
                    graded = grade_typed(card, typed)
                    if graded is None:
                        hint = (
                            _("[yellow]type letters such as A or AC, or Enter to reveal[/]")
                            if card.type == "choice"
                            else _("[yellow]type a number, or Enter to reveal[/]")
                        )
                        out.print(hint)
                        continue
                    correct, given, expected = graded
                    out.print(view.verdict(correct, given, expected))
                    suggested = 3 if correct else 1
                    key = "enter"
            else:
                key = self.keys.key()
            outcome = self._common_key(card, key)
            if outcome is not None:
                return outcome
            if isinstance(card, Drill) and card.type == "code":
                if key == "r":
                    suggested = 1  # revealing the hints before it passes is a lapse
                    break
                if key in ("enter", "space"):
                    passed, suggested = self._judge_code(card)
                    if passed:
                        break
                continue
            if key in ("enter", "space"):
                break
        out.print(view.answer(card, self.lang))
        out.print(view.grade_bar(s.preview(card, self.clock()), suggested))
        out.print(view.keys_hint(card, revealed=True))
        while True:  # the back side
            key = self.keys.key()
            outcome = self._common_key(card, key)
            if outcome is not None:
                return outcome
            if key == "d" and isinstance(card, Question):
                out.print(view.detailed(card, self.lang))
                out.print(view.grade_bar(s.preview(card, self.clock()), suggested))
                continue
            rating = {"1": 1, "2": 2, "3": 3, "4": 4}.get(key)
            if rating is None and key in ("enter", "space"):
                rating = suggested or 3
            if rating is None:
                continue
            now = self.clock()
            graded = s.grade(card, rating, now, int((time.monotonic() - shown_at) * 1000))
            if isinstance(card, Drill) and card.type == "code":
                from dlquiz.coding.workspace import reset_attempts

                reset_attempts(str(card.judge))  # the next attempt is judged afresh
            # Printed only after the transaction committed: what the screen confirms is on disk.
            from dlquiz.schedule import parse_time

            self.flash = view.recorded(rating, parse_time(graded.state.due) - now)
            out.print(self.flash)
            return "graded"

    def _judge_code(self, card: Drill) -> tuple[bool, int]:
        """Judge the drill's file (writing the starter file first if there is none); suggest a grade."""
        from dlquiz.coding import workspace
        from dlquiz.coding.registry import all_drills
        from dlquiz.render.code import verdict
        from dlquiz.schedule import RATINGS

        drill = all_drills()[str(card.judge)]
        path = view.code_file(card)
        if not path.exists():
            workspace.start(drill, card, path.parent)
            self.console.print(_("wrote {path}: edit it, then press Enter to judge it").format(path=path))
            return False, 1
        result = workspace.judge_file(drill.id, path)
        entry = workspace.note_attempt(drill.id, result)
        self.console.print(verdict(result, self.lang, str(path)))
        passed = bool(result.get("passed"))
        if not passed:
            self.console.print(
                "[dim]" + _("fix it and press Enter to judge again · r reveals the hints") + "[/]"
            )
        return passed, RATINGS[workspace.suggested_rating(entry, passed)]

    def _common_key(self, card: Card, key: str) -> Any:
        s, out = self.session, self.console
        if key == "q":
            return "quit"
        if key == "u":
            undone = s.undo()
            if undone is None:
                out.print(_("[yellow]nothing to undo[/]"))
                return None
            # The id comes from the database (maybe an imported history): markup in it stays literal.
            from rich.text import Text as RichText

            out.print(RichText("↶ " + _("undid the last review of {card}").format(card=undone), style="cyan"))
            return ("undo", undone)
        if key == "s":
            s.bury(card, self.clock())
            out.print(_("[dim]buried {card} until tomorrow[/]").format(card=card.id))
            return "buried"
        if key == "p":
            question = self.catalog.question_of(card)
            run_demos_inline(question, out, self.lang)
            out.print(view.keys_hint(card, revealed=False))
            return None
        return None
