"""Mock interviews: random main questions against the clock, self-checked on their key points.

The core (picking, parsing ticks, scoring, saving) is pure: the seed and the clock come from the caller.
``MockScreen`` at the bottom is the interactive loop; it reads input through ``screen.Keys`` (single
keys and a live countdown in a terminal, whole lines from a pipe, so a mock can be scripted) and prints
through ``render.mock``.
"""

from __future__ import annotations

import random
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from dlquiz.errors import DlquizError
from dlquiz.i18n import _
from dlquiz.model import Catalog, Question
from dlquiz.schedule import iso
from dlquiz.store import Store


def pick_questions(catalog: Catalog, sections: Sequence[str], n: int, seed: int) -> list[Question]:
    """``n`` main questions (fewer if the sections hold fewer), drawn without replacement by ``seed``."""
    pool = [q for q in catalog.questions if not sections or q.section in sections]
    if not pool:
        if sections:
            raise DlquizError(_("no questions to ask in {sections}").format(sections=", ".join(sections)))
        raise DlquizError(_("no questions to ask in the loaded banks"))
    return random.Random(seed).sample(pool, min(n, len(pool)))


def parse_ticks(text: str, total: int) -> frozenset[int] | None:
    """The key points ticked as covered (0-based) from ``1 3 4``, ``1,3-4``, ``a`` (all) or "" (none).

    None when the text names a point that does not exist or is not a list of numbers.
    """
    text = text.strip().lower()
    if text in ("a", "all"):
        return frozenset(range(total))
    if text in ("", "-", "0", "none", "n"):
        return frozenset()
    chosen: set[int] = set()
    for part in re.split(r"[\s,;]+", text):
        match = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if not match:
            return None
        low, high = int(match.group(1)), int(match.group(2) or match.group(1))
        if not 1 <= low <= high <= total:
            return None
        chosen.update(range(low - 1, high))
    return frozenset(chosen)


@dataclass(frozen=True)
class MockAnswer:
    question_id: str
    answer: str  # "" when answered aloud
    covered: frozenset[int]
    total: int  # key points of the question
    duration_ms: int
    timed_out: bool

    @property
    def score(self) -> float:
        return len(self.covered) / self.total if self.total else 0.0

    @property
    def missed(self) -> list[int]:
        return [i for i in range(self.total) if i not in self.covered]

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question_id,
            "answer": self.answer,
            "covered": sorted(self.covered),
            "total": self.total,
            "score": self.score,
            "duration_ms": self.duration_ms,
            "timed_out": self.timed_out,
        }


@dataclass(frozen=True)
class MockReport:
    started_at: datetime
    seed: int
    seconds_per_question: int
    sections: tuple[str, ...]
    answers: tuple[MockAnswer, ...]
    # (question id, key point index) missed here, the most often missed across all saved mocks first.
    weakest: tuple[tuple[str, int], ...] = ()
    mock_id: int | None = None

    @property
    def covered(self) -> int:
        return sum(len(a.covered) for a in self.answers)

    @property
    def total(self) -> int:
        return sum(a.total for a in self.answers)

    @property
    def score(self) -> float:
        return self.covered / self.total if self.total else 0.0

    @property
    def duration_ms(self) -> int:
        return sum(a.duration_ms for a in self.answers)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.mock_id,
            "started_at": iso(self.started_at),
            "seed": self.seed,
            "seconds_per_question": self.seconds_per_question,
            "sections": list(self.sections),
            "covered": self.covered,
            "total": self.total,
            "score": self.score,
            "duration_ms": self.duration_ms,
            "answers": [a.to_dict() for a in self.answers],
            "weakest": [{"question": q, "key_point": i + 1} for q, i in self.weakest],
        }


def weakest_points(answers: Sequence[MockAnswer], history: Sequence[dict[str, Any]]) -> list[tuple[str, int]]:
    """The key points missed in ``answers``, the most often missed in ``history`` (saved mocks) first."""
    misses: Counter[tuple[str, int]] = Counter()
    for mock in history:
        for a in mock["answers"]:
            covered = set(a["covered"])
            misses.update((a["question_id"], i) for i in range(a["total"]) if i not in covered)
    missed = [(a.question_id, i) for a in answers for i in a.missed]
    order = {point: n for n, point in enumerate(missed)}
    return sorted(missed, key=lambda p: (-misses[p], order[p]))


def finish(
    store: Store,
    started_at: datetime,
    seed: int,
    seconds_per_question: int,
    sections: Sequence[str],
    answers: Sequence[MockAnswer],
) -> MockReport:
    """Save the mock (when anything was answered) and return its report."""
    mock_id = None
    if answers:
        mock_id = store.add_mock(
            {
                "uid": uuid.uuid4().hex,
                "started_at": iso(started_at),
                "seed": seed,
                "seconds_per_question": seconds_per_question,
                "sections": list(sections),
            },
            [
                {
                    "position": n,
                    "question_id": a.question_id,
                    "answer": a.answer,
                    "covered": sorted(a.covered),
                    "total": a.total,
                    "duration_ms": a.duration_ms,
                    "timed_out": int(a.timed_out),
                }
                for n, a in enumerate(answers)
            ],
        )
    weakest = weakest_points(answers, store.mocks())
    return MockReport(
        started_at, seed, seconds_per_question, tuple(sections), tuple(answers), tuple(weakest), mock_id
    )


# --- the interactive loop ---------------------------------------------------------------------------------


@dataclass
class Typed:
    lines: list[str] = field(default_factory=list)
    current: str = ""

    @property
    def text(self) -> str:
        return "\n".join([*self.lines, self.current] if self.current else self.lines).strip()


def _edit(typed: Typed, chars: str) -> bool:
    """Apply typed characters to the answer; True when the answer is finished (Enter on an empty line)."""
    skip = False
    for char in chars:
        if skip:  # the rest of an escape sequence (arrow keys and the like): ignored
            skip = not (char.isalpha() or char == "~")
            continue
        if char == "\x1b":
            skip = True
        elif char in ("\r", "\n"):
            if not typed.current.strip():
                return True
            typed.lines.append(typed.current)
            typed.current = ""
        elif char in ("\x7f", "\x08"):
            if typed.current:
                typed.current = typed.current[:-1]
            elif typed.lines:
                typed.current = typed.lines.pop()
        elif char == "\x04":  # Ctrl-D
            return True
        elif char == "\x15":  # Ctrl-U
            typed.current = ""
        elif char.isprintable():
            typed.current += char
    return False


class MockScreen:
    def __init__(
        self,
        store: Store,
        catalog: Catalog,
        console: Any,
        keys: Any,
        lang: str,
        questions: Sequence[Question],
        seed: int,
        seconds: int,
        sections: Sequence[str],
        clock: Callable[[], datetime] | None = None,
    ):
        self.store, self.catalog, self.console, self.keys, self.lang = store, catalog, console, keys, lang
        self.questions, self.seed, self.seconds, self.sections = (
            list(questions),
            seed,
            seconds,
            list(sections),
        )
        self.clock = clock or (lambda: datetime.now(timezone.utc))

    def run(self) -> MockReport:
        from dlquiz.render import mock as view

        started = self.clock()
        answers: list[MockAnswer] = []
        out = self.console
        out.print(view.intro(len(self.questions), self.seconds, self.seed, self.keys.tty))
        try:
            for n, question in enumerate(self.questions, 1):
                answer = self._ask(n, question)
                if answer is None:
                    break
                answers.append(answer)
        except KeyboardInterrupt:
            out.print("\n" + _("[dim]interrupted — the questions answered so far are saved[/]"))
        except BaseException:
            # The screen failed (output closed or full, terminal gone): what was answered is saved first.
            finish(self.store, started, self.seed, self.seconds, self.sections, answers)
            raise
        report = finish(self.store, started, self.seed, self.seconds, self.sections, answers)
        out.print(view.report(report, self.catalog, self.lang))
        return report

    def _ask(self, n: int, question: Question) -> MockAnswer | None:
        from dlquiz.render import mock as view

        out = self.console
        out.print(view.question(question, n, len(self.questions), self.seconds, self.lang))
        started = time.monotonic()
        if self.keys.tty:
            text, timed_out = self._timed_answer(started + self.seconds)
        else:
            text, ended = self._piped_answer()
            if ended and not text:
                return None
            timed_out = time.monotonic() - started > self.seconds
        used = int((time.monotonic() - started) * 1000)
        if timed_out:
            out.print(view.times_up())
        out.print(view.key_points(question, self.lang))
        total = len(question.key_points)
        while True:
            raw = self.keys.line(_(view.TICK_PROMPT), out)
            if raw.strip().lower() == "q" and not self.keys.tty:
                return None  # end of a piped script
            covered = parse_ticks(raw, total)
            if covered is not None:
                break
            out.print(view.bad_ticks(total))
        answer = MockAnswer(question.id, text, covered, total, used, timed_out)
        out.print(view.short_answer(question, answer, self.lang))
        return answer

    def _piped_answer(self) -> tuple[str, bool]:
        """Lines up to an empty line; (text, True) when the input ended."""
        typed = Typed()
        while True:
            raw = self.keys._readline()
            if raw == "":
                return typed.text, True
            if _edit(typed, raw.rstrip("\r\n") + "\n"):
                return typed.text, False

    def _timed_answer(self, deadline: float) -> tuple[str, bool]:
        """Read keys in cbreak mode while a rich Live shows the countdown and the answer so far."""
        import codecs
        import os
        import select
        import termios
        import tty

        from rich.live import Live

        from dlquiz.render import mock as view

        fd = self.keys.stream.fileno()
        saved = termios.tcgetattr(fd)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="ignore")
        typed = Typed()
        try:
            tty.setcbreak(fd, termios.TCSANOW)  # keep what was typed while the question was drawn
            with Live(
                view.typing(typed.lines, typed.current, deadline - time.monotonic(), self.seconds),
                console=self.console,
                refresh_per_second=4,
                transient=False,
            ) as live:
                while True:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        live.update(view.typing(typed.lines, typed.current, 0, self.seconds, done=True))
                        termios.tcflush(fd, termios.TCIFLUSH)  # keys typed in the last instant are not ticks
                        return typed.text, True
                    ready, _, _ = select.select([fd], [], [], min(0.25, left))
                    chunk = os.read(fd, 1024) if ready else None
                    if chunk == b"":  # the terminal closed: the answer so far is final
                        return typed.text, False
                    if chunk and _edit(typed, decoder.decode(chunk)):
                        live.update(view.typing(typed.lines, typed.current, left, self.seconds, done=True))
                        return typed.text, False
                    live.update(
                        view.typing(typed.lines, typed.current, deadline - time.monotonic(), self.seconds)
                    )
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
