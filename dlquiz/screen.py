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

from rich.text import Text as RichText

from dlquiz.i18n import _
from dlquiz.model import Card, Catalog, Drill, Question
from dlquiz.render import study as view
from dlquiz.schedule import format_interval
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
            tty.setcbreak(fd, termios.TCSANOW)  # keep keys typed ahead (TCSAFLUSH, the default, drops them)
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
    """One card at a time. In a terminal each step redraws the whole screen: the last action's
    confirmation on top, then the header, the card, and (revealed) the answer cut to fit above the grade
    bar and the keys, so the question and the grades stay in view; ``d`` and ``p`` open long text in the
    pager. From a pipe, everything is printed in order, once.
    """

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
        self.flash: Any = None  # the last action's confirmation, shown on top of the next screen
        self.verdict: Any = None  # the typed answer's verdict, part of the revealed card
        self.suggested: int | None = None
        self.details = False  # d was pressed: the detailed answer is part of the back
        self.cut = False  # the back did not fit the terminal and was cut
        self.cram_total = len(session.cram_queue) if session.cram else None

    def run(self) -> None:
        started = time.monotonic()
        try:
            self._loop()
        except KeyboardInterrupt:
            self.console.print("\n" + _("[dim]interrupted — everything graded so far is saved[/]"))
        now = self.clock()
        if self.session.graded:
            today, tomorrow = due_split(self.session, now)
            self.console.print(
                view.summary(
                    self.session.graded, time.monotonic() - started, today, tomorrow, self.cram_total
                )
            )

    def _say(self, message: Any) -> None:
        """An action's confirmation: on top of the next screen in a terminal, at once from a pipe."""
        self.flash = message
        if not self.keys.tty:
            self.console.print(message)

    def _loop(self) -> None:
        forced: Card | None = None
        while True:
            now = self.clock()
            card = forced or self.session.next_card(now)
            forced = None
            if card is None:
                if self.keys.tty and self.flash is not None:
                    self.console.print(self.flash)  # the last grade's confirmation, not cleared away
                self._finished(now)
                return
            action = self._show(card)
            if action == "quit":
                return
            if isinstance(action, tuple) and action[0] == "undo":
                forced = self.catalog.get(action[1]) if action[1] else None

    def _finished(self, now: datetime) -> None:
        s, out = self.session, self.console
        if s.cram:
            if not s.cram_queue:
                out.print(_("Nothing to cram: no card has been studied yet. [dim]dlquiz study first.[/]"))
            else:
                out.print(
                    _(
                        "[bold green]Cram done:[/] {n} of {total} studied card(s) covered; "
                        "your schedule is unchanged."
                    ).format(n=len({g.card_id for g in s.graded}), total=self.cram_total)
                )
        elif not s.graded:
            out.print(view.nothing_due(s.next_due(), now, s.new_available(), s.counts(now).new))
        elif s.limit is not None and len(s.graded) >= s.limit:
            left = s.counts(now).total
            out.print(
                _("[bold green]Done:[/] the {limit} card(s) of --limit; {left} more to study today.").format(
                    limit=s.limit, left=left
                )
            )
        else:
            later = s.next_due()
            done = _("[bold green]Done for now.[/] Nothing else is due.")
            if later is not None and later > now:
                done += " " + _("The next card is due in {interval}.").format(
                    interval=format_interval(later - now)
                )
            out.print(done)

    # --- drawing ---------------------------------------------------------------------------------------

    def _header(self, card: Card, now: datetime) -> Any:
        s = self.session
        if s.cram:
            return view.header(len(s.graded), 0, 0, 0, 0, cram_total=self.cram_total)
        learning, reviews, new = s.queues(now)
        state = s.states.get(card.id)
        early = None
        if state is not None and state.state in (1, 3) and state.due:  # a learning step brought forward
            from dlquiz.schedule import parse_time

            due = parse_time(state.due)
            early = due - now if due > now else None
        left = len(learning) + len(reviews) + len(new)
        return view.header(len(s.graded), left, len(learning), len(reviews), len(new), early=early)

    def _bottom(self, card: Card, revealed: bool, more: bool = False) -> list[Any]:
        width = self.console.width
        if not revealed:
            return [view.keys_hint(card, False, width)]
        s = self.session
        preview = None if s.cram else s.preview(card, self.clock())
        more = more or (self.details and self.cut)  # after d: d pages the whole back
        return [view.grade_bar(preview, self.suggested, width), view.keys_hint(card, True, width, more)]

    def _back(self, card: Card) -> Any:
        from rich.console import Group

        parts = [view.answer(card, self.lang)]
        if self.details and isinstance(card, Question):
            parts.append(view.detailed(card, self.lang))
        return Group(*parts)

    def _draw(self, card: Card, revealed: bool) -> None:
        s, out = self.session, self.console
        now = self.clock()
        if not self.keys.tty:
            out.rule(style="dim")
            out.print(self._header(card, now))
            out.print(view.front(card, self.lang, s.text_changed(card), self.catalog))
            if revealed:
                if self.verdict is not None:
                    out.print(self.verdict)
                out.print(self._back(card))
            for part in self._bottom(card, revealed):
                out.print(part)
            return
        out.clear()
        top = [self.flash] if self.flash is not None else []
        top += [self._header(card, now), view.front(card, self.lang, s.text_changed(card), self.catalog)]
        if revealed and self.verdict is not None:
            top.append(self.verdict)
        for part in top:
            out.print(part)
        if not revealed:
            for part in self._bottom(card, False):
                out.print(part)
            return
        # One line is kept free below the keys, for the cursor (and a typed command's echo).
        room = out.height - self._height(top) - self._height(self._bottom(card, True, more=True)) - 1
        lines = out.render_lines(self._back(card), out.options, pad=False)
        cut = len(lines) > max(room, 0)
        if cut:
            shown = max(room - 1, 3)  # a few lines at least, even on a tiny terminal
            self._print_lines(lines[:shown])
            out.print(view.cut_note(len(lines) - shown))
        else:
            self._print_lines(lines)
        for part in self._bottom(card, True, more=cut):
            out.print(part)
        self.cut = cut

    def _height(self, parts: list[Any]) -> int:
        out = self.console
        return sum(len(out.render_lines(p, out.options, pad=False)) for p in parts)

    def _print_lines(self, lines: list[Any]) -> None:
        from rich.segment import Segment, Segments

        flat: list[Any] = []
        for line in lines:
            flat.extend(line)
            flat.append(Segment.line())
        self.console.print(Segments(flat), end="")

    def _page(self, draw: Callable[[Any], None], card: Card, revealed: bool) -> None:
        """Long text (a proof, the whole answer): the pager in a terminal when it does not fit, then the
        card again with the keys that work now; from a pipe, printed, then the grade bar and keys again."""
        from dlquiz.render import pager

        out = self.console
        if not self.keys.tty:
            draw(out)
            for part in self._bottom(card, revealed):
                out.print(part)
            return
        text = pager.rendered(out, draw)
        if text.count("\n") + self._height(self._bottom(card, revealed)) < out.height:
            out.file.write(text)  # short: below the card, and the keys again under it
            for part in self._bottom(card, revealed):
                out.print(part)
            return
        pager.page_text(out, text)
        self._draw(card, revealed)

    # --- one card ------------------------------------------------------------------------------------

    def _show(self, card: Card) -> Any:
        """Show one card until it is graded, buried, undone or the user quits."""
        s = self.session
        self.verdict, self.suggested, self.details, self.cut = None, None, False, False
        self._draw(card, revealed=False)
        shown_at = time.monotonic()
        while True:  # the front side
            if isinstance(card, Drill) and card.type in ("choice", "numeric"):
                typed = self.keys.line(_("answer> "), self.console)
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
                        self.console.print(hint)
                        continue
                    correct, given, expected = graded
                    self.verdict = view.verdict(correct, given, expected)
                    self.suggested = 3 if correct else 1
                    key = "enter"
            else:
                key = self.keys.key()
            outcome = self._common_key(card, key, revealed=False)
            if outcome is not None:
                return outcome
            if isinstance(card, Drill) and card.type == "code":
                if key == "r":
                    self.suggested = 1  # revealing the hints before it passes is a lapse
                    break
                if key in ("enter", "space"):
                    passed, self.suggested = self._judge_code(card)
                    if passed:
                        break
                continue
            if key in ("enter", "space"):
                break
        if not self.keys.tty and self.verdict is not None:
            self.console.print(self.verdict)
            self.verdict = None  # printed: not again with the answer
        self._draw(card, revealed=True) if self.keys.tty else self._draw_back_piped(card)
        while True:  # the back side
            key = self.keys.key()
            outcome = self._common_key(card, key, revealed=True)
            if outcome is not None:
                return outcome
            if key == "d" and (isinstance(card, Question) or self.cut):
                self._open_back(card)
                continue
            rating = {"1": 1, "2": 2, "3": 3, "4": 4}.get(key)
            if rating is None and key in ("enter", "space"):
                rating = self.suggested or 3
            if rating is None:
                continue
            now = self.clock()
            graded = s.grade(card, rating, now, int((time.monotonic() - shown_at) * 1000))
            if isinstance(card, Drill) and card.type == "code":
                from dlquiz.coding.workspace import reset_attempts

                reset_attempts(str(card.judge))  # the next attempt is judged afresh
            # Confirmed only after the transaction committed: what the screen says is on disk.
            from dlquiz.schedule import parse_time

            self._say(view.recorded(rating, None if s.cram else parse_time(graded.state.due) - now))
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
        shown = verdict(result, self.lang, str(path))
        self.console.print(shown)
        passed = bool(result.get("passed"))
        if passed:
            self.verdict = shown  # part of the revealed card, which is redrawn
        if not passed:
            self.console.print(
                "[dim]" + _("fix it and press Enter to judge again · r reveals the hints") + "[/]"
            )
        return passed, RATINGS[workspace.suggested_rating(entry, passed)]

    def _open_back(self, card: Card) -> None:
        """``d``: the detailed answer joins the back; all of it in the pager when it does not fit."""
        was_shown = self.details
        self.details = True
        if not self.keys.tty:
            if isinstance(card, Question) and not was_shown:
                self.console.print(view.detailed(card, self.lang))
            for part in self._bottom(card, True):
                self.console.print(part)
            return
        self._draw(card, True)
        if self.cut:
            from dlquiz.render import pager

            pager.page_text(
                self.console, pager.rendered(self.console, lambda out: out.print(self._back(card)))
            )
            self._draw(card, True)

    def _draw_back_piped(self, card: Card) -> None:
        out = self.console
        out.print(self._back(card))
        for part in self._bottom(card, True):
            out.print(part)

    def _common_key(self, card: Card, key: str, revealed: bool) -> Any:
        s = self.session
        if key == "q":
            return "quit"
        if key == "u":
            return self._undo(card, revealed)
        if key == "s":
            s.bury(card, self.clock())
            self._say(RichText(_("buried {card} until tomorrow").format(card=card.id), style="dim"))
            return "buried"
        if key == "p":
            question = self.catalog.question_of(card)
            self._page(lambda out: run_demos_inline(question, out, self.lang), card, revealed)
            return None
        return None

    def _undo(self, card: Card, revealed: bool) -> Any:
        s = self.session
        earlier = not s.graded
        if earlier:
            last = s.store.last_review(kinds=("study", "cram"))
            if last is None:
                self._say(RichText(_("nothing to undo"), style="yellow"))
                self._redraw(card, revealed)
                return None
            from dlquiz.schedule import parse_time

            # Undoing a review from another day is rarely meant: ask before touching it.
            self.console.print(
                view.ask_undo_earlier(last.card_id, last.rating, self.clock() - parse_time(last.reviewed_at))
            )
            if self.keys.key() != "y":
                self._say(
                    RichText(_("kept the earlier review of {card}").format(card=last.card_id), style="dim")
                )
                self._redraw(card, revealed)
                return None
        undone = s.undo()
        if undone is None:
            self._say(RichText(_("nothing to undo"), style="yellow"))
            self._redraw(card, revealed)
            return None
        self._say(view.undone(undone, earlier))
        return ("undo", undone)

    def _redraw(self, card: Card, revealed: bool) -> None:
        if self.keys.tty:
            self._draw(card, revealed)
        else:
            for part in self._bottom(card, revealed):
                self.console.print(part)


def due_split(session: StudySession, now: datetime) -> tuple[int, int]:
    """(cards still due today, cards due tomorrow), by the study day that starts at 4 a.m."""
    from datetime import timedelta

    from dlquiz.session import day_start

    tomorrow = day_start(now) + timedelta(days=1)
    today = later = 0
    for card_id, state in session.states.items():
        if card_id not in session.order or state.state is None or not state.due:
            continue
        due = session.due_of(card_id)
        if due < tomorrow:
            today += 1
        elif due < tomorrow + timedelta(days=1):
            later += 1
    return today, later
