"""The study, cram and mock screens as a person sees them (issue 14), at 60 and 80 columns.

The program runs in a real pseudo-terminal (pexpect) and its output is fed to a terminal emulator (pyte),
so the tests read the screen itself: what is in view after a key, not what was once printed and has
scrolled away. ``PAGER=cat`` stands in for less: the pager's text is printed and the program carries on.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.test_study_cli import shared_lab, use_lab

pexpect = pytest.importorskip("pexpect")
pyte = pytest.importorskip("pyte")

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")]

ROWS = 24
WIDTHS = [60, 80]
TIMEOUT = 40


class Terminal:
    """A child process in a pseudo-terminal of ``rows`` x ``cols``, and the screen it has drawn."""

    def __init__(self, args: list[str], env: dict[str, str], rows: int, cols: int):
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.Stream(self.screen)
        self.log = ""  # everything printed, for what a pager showed and the screen no longer does
        self.child = pexpect.spawn(
            sys.executable, ["-m", "dlquiz", *args], env=env, encoding="utf-8", dimensions=(rows, cols)
        )

    def pump(self, wait: float = 0.1) -> bool:
        """Feed what the child printed to the screen; False once it has exited."""
        try:
            while True:
                chunk = self.child.read_nonblocking(65536, timeout=wait)
                self.log += chunk
                self.stream.feed(chunk)
                wait = 0.05
        except pexpect.TIMEOUT:
            return True
        except pexpect.EOF:
            return False

    @property
    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.screen.display]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def until(self, ready: Callable[[Terminal], bool], what: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            alive = self.pump()
            if ready(self):
                self.pump(0.3)  # and let the rest of this screen arrive
                if ready(self):
                    return
            if not alive:
                break
        raise AssertionError(f"never saw {what}; the screen:\n{self.text}")

    def see(self, *texts: str) -> None:
        self.until(lambda t: all(x in t.text for x in texts), repr(texts))

    def top(self, text: str) -> None:
        """Wait until ``text`` is on the screen's first line (the place of the last action's confirmation)."""
        self.until(lambda t: text in t.lines[0], f"{text!r} on the first line")

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def close(self) -> None:
        if self.child.isalive():
            self.child.kill(9)
        self.child.close(force=True)


@pytest.fixture(scope="module")
def banks(tmp_path_factory) -> Path:
    return shared_lab(tmp_path_factory)[0]


@pytest.fixture(scope="module")
def lab_cache(tmp_path_factory) -> Path:
    return shared_lab(tmp_path_factory)[1]


@pytest.fixture
def base_env(subprocess_env: dict[str, str]) -> dict[str, str]:
    env = dict(subprocess_env)
    env.update(TERM="xterm-256color", TZ="UTC", PAGER="cat")
    for name in ("NO_COLOR", "LESS", "DLQUIZ_BANKS"):
        env.pop(name, None)
    return env


@pytest.fixture
def terminal(base_env):
    opened: list[Terminal] = []

    def start(*args: str, cols: int, env: dict[str, str] | None = None) -> Terminal:
        full = {**base_env, **(env or {}), "COLUMNS": str(cols), "LINES": str(ROWS)}
        term = Terminal(list(args), full, ROWS, cols)
        opened.append(term)
        return term

    yield start
    for term in opened:
        term.close()


@pytest.fixture
def lab(isolated_home: Path, banks: Path, lab_cache: Path) -> dict[str, str]:
    use_lab(isolated_home, lab_cache)
    return {"DLQUIZ_BANKS": str(banks)}


def grade(env: dict[str, str], *pairs: tuple[str, str]) -> None:
    for card_id, rating in pairs:
        done = subprocess.run(
            [sys.executable, "-m", "dlquiz", "grade", card_id, rating],
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr


def reviews(home: Path) -> int:
    conn = sqlite3.connect(home / "dlquiz.db")
    try:
        return conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]
    finally:
        conn.close()


HINT_ITEMS = ["space/Enter reveal", "p prove it", "s bury", "u undo", "q quit"]
BACK_ITEMS = ["1-4 grade", "Enter accept", "p prove it", "s bury", "u undo", "q quit"]


def hints_whole(term: Terminal, items: list[str]) -> bool:
    """Every key hint on the screen in one piece: the line breaks fall between hints."""
    return all(any(item in line for line in term.lines) for item in items)


# --- long answers, d and p ------------------------------------------------------------------------------


@pytest.mark.parametrize("cols", WIDTHS)
def test_a_long_answer_keeps_question_and_grades_in_view(terminal, cols):
    term = terminal("study", cols=cols)  # the shipped banks: opt-methods comes first, 50+ lines of answer
    term.see("space/Enter reveal")
    assert term.lines[0].startswith("study") and "left today" in term.lines[0] and "new" in term.lines[0]
    assert hints_whole(term, HINT_ITEMS)
    term.send(" ")
    term.see("more line(s)", "1-4 grade")
    screen = term.text
    assert "Which first-order" in screen  # the question, still in view
    assert re.search(r"1 Again · \S+ +2 Hard · \S+ +3 Good · \S+ +4 Easy · \S+", screen)
    assert hints_whole(term, BACK_ITEMS)

    term.send("d")  # the whole answer and the derivation (PAGER=cat prints it), then the card again
    term.until(
        lambda t: t.lines[0].startswith("study") and "1-4 grade" in t.text and "Which first-order" in t.text,
        "the card redrawn after d",
    )
    assert hints_whole(term, BACK_ITEMS) and "d whole answer" in term.text

    term.send("p")  # the proof, then the card again with the back's keys, not the front's
    term.until(
        lambda t: t.lines[0].startswith("study") and "1-4 grade" in t.text and "4 Easy" in t.text,
        "the card redrawn after p",
    )
    assert "space/Enter reveal" not in term.text
    term.send("3")
    term.top("✓ recorded Good · next in 10m")
    term.send("q")


@pytest.mark.parametrize("cols", WIDTHS)
def test_p_on_the_front_keeps_the_front_keys(terminal, lab, isolated_home, cols):
    term = terminal("study", "-s", "lab", cols=cols, env=lab)
    term.see("What is the first lab question?")
    for front in ("What is the first lab question?", "Basic front?"):
        term.see(front)
        term.send("s")
    term.see("Pick the right one.", "answer>")
    term.send("s\r")
    term.see("How many?", "answer>")
    term.send("s\r")
    term.see("What is the second lab question?")
    shown = len(term.log)
    term.send("p")  # the proof (in the pager when taller than the screen), then the front's keys again
    term.until(
        lambda t: "bn-param-count" in t.log[shown:] and t.lines[-1] == "" and "reveal" in t.text,
        "the proof, then the card's front",
    )
    assert hints_whole(term, HINT_ITEMS) and "1-4 grade" not in term.text
    term.send(" ")
    term.see("The second answer.", "1-4 grade")
    term.send("q")


# --- confirmations in place ----------------------------------------------------------------------------


@pytest.mark.parametrize("cols", WIDTHS)
def test_undo_and_bury_confirm_in_place(terminal, lab, isolated_home, cols):
    term = terminal("study", "-s", "lab", cols=cols, env=lab)
    term.see("What is the first lab question?")
    term.send(" ")
    term.see("1-4 grade")
    term.send("1")
    term.top("✓ recorded Again · next in 1m")
    term.see("Basic front?")
    term.send("u")
    term.top("↶ undid the last review of lab-one")
    assert "recorded Again" not in term.text  # no stale confirmation
    term.see("What is the first lab question?")
    assert reviews(isolated_home) == 0
    term.send(" ")
    term.see("1-4 grade")
    term.send("3")
    term.top("✓ recorded Good")
    term.see("Basic front?")
    term.send("s")
    term.top("buried lab-one.basic until tomorrow")
    assert "recorded Good" not in term.text
    term.send("s\r")  # the choice card reads a line: s + Enter buries it too
    term.top("buried lab-one.pick until tomorrow")
    term.send("q\r")
    term.see("session summary", "still due today")


@pytest.mark.parametrize("cols", WIDTHS)
def test_u_on_the_first_card_asks_before_undoing_an_earlier_session(
    terminal, lab, isolated_home, base_env, cols
):
    grade({**base_env, **lab}, ("lab-one", "good"))
    term = terminal("study", "-s", "lab", cols=cols, env=lab)
    term.see("Basic front?")
    term.send("u")
    term.see("earlier session", "y undoes it")
    term.send("n")
    term.top("kept the earlier review of lab-one")
    assert reviews(isolated_home) == 1
    term.send("u")
    term.see("y undoes it")
    term.send("y")
    term.top("↶ undid the last review of lab-one from an earlier session")
    term.see("What is the first lab question?")
    assert reviews(isolated_home) == 0
    term.send("q")


# --- the counter -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("cols", WIDTHS)
def test_header_counts_what_is_left_today(terminal, lab, cols):
    term = terminal("study", "-s", "lab", cols=cols, env=lab)
    term.see("What is the first lab question?")
    assert "0 done · 5 left today" in term.lines[0] and "new 5" in term.lines[0]
    term.send(" ")
    term.see("1-4 grade")
    term.send("1")  # Again: the card comes back today, so it is still left, now as a learning card
    term.see("Basic front?")
    assert (
        "1 done · 5 left today" in term.lines[1]
        and "learning 1" in term.lines[1]
        and "new 4" in term.lines[1]
    )
    term.send("q")


def test_a_learning_card_brought_forward_says_shown_early():
    from datetime import timedelta

    from dlquiz.render.study import header

    line = header(3, 1, 1, 0, 0, early=timedelta(minutes=8)).plain
    assert "shown early (due in 8m)" in line and "learning 1" in line


# --- cram --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cols", WIDTHS)
def test_cram_is_labelled_and_covers_every_studied_card(terminal, lab, base_env, cols):
    graded = ("lab-one", "good"), ("lab-one.basic", "again"), ("lab-two", "easy")
    grade({**base_env, **lab}, *graded)
    term = terminal("study", "--cram", "-s", "lab", cols=cols, env=lab)
    term.see("space/Enter reveal")
    assert term.lines[0].startswith("cram") and "card 1 of 3" in term.lines[0]
    assert "schedule is left unchanged" in term.lines[0]
    for n in (1, 2, 3):
        term.until(lambda t, n=n: f"card {n} of 3" in t.text and "reveal" in t.text, f"cram card {n}")
        term.send(" ")
        term.see("1-4 grade", "(logged only)")
        assert not re.search(r"Again · \d", term.text)  # no interval: the schedule does not move
        term.send("3")
    term.see("Cram done", "3 of 3", "cram summary")


# --- mock -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cols", WIDTHS)
def test_mock_countdown_starts_on_enter(terminal, cols):
    term = terminal("mock", "-n", "1", "--minutes", "0.2", "--seed", "3", cols=cols)
    term.see("Enter starts it")
    time.sleep(2)
    term.pump()
    assert "left" not in term.text.split("Enter starts it")[-1]  # no clock is running yet
    term.send("\r")
    term.until(lambda t: re.search(r"0:1[12] left", t.text) is not None, "a full countdown after Enter")
    term.send("\r")  # an empty answer
    term.see("Key points")
    term.send("\r")
    term.pump(1)


# --- show and the pager -------------------------------------------------------------------------------------


@pytest.mark.parametrize("cols", WIDTHS)
def test_show_pages_only_what_is_taller_than_the_terminal(terminal, cols):
    pager = {"PAGER": "echo PAGED-BY-THE-PAGER; cat > /dev/null"}  # a pager that says it was used
    long = terminal("show", "opt-methods", cols=cols, env=pager)
    long.until(lambda t: not t.child.isalive() or "PAGED-BY-THE-PAGER" in t.log, "the pager")
    assert "PAGED-BY-THE-PAGER" in long.log
    direct = terminal("show", "opt-methods", "--no-pager", cols=cols, env=pager)
    direct.until(lambda t: not t.pump(), "the end of show --no-pager")
    assert "PAGED-BY-THE-PAGER" not in direct.log and "References" in direct.log
    short = terminal("show", "bn-backward.dbeta", cols=cols, env=pager)  # a drill: fits the screen
    short.until(lambda t: not t.pump(), "the end of a short show")
    assert "PAGED-BY-THE-PAGER" not in short.log and "bn-backward.dbeta" in short.log
