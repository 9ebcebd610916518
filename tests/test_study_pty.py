"""The interactive study screen in a real pseudo-terminal: single keys, as a person would type them."""

from __future__ import annotations

import re
import sqlite3
import sys
from pathlib import Path

import pytest

from tests.test_study_cli import shared_lab, use_lab

pexpect = pytest.importorskip("pexpect")

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")]

TIMEOUT = 30  # CI machines are slow; a passing test never waits this long
CLEAR = "\x1b[2J"
_GAP = r"(?:\s|\x1b\[[0-9;]*m)+"  # spaces and the colour codes rich puts between styled words


def words(text: str) -> str:
    """A pattern for ``text`` that lets colour codes sit between its words."""
    return _GAP.join(re.escape(w) for w in text.split())


@pytest.fixture(scope="module")
def banks(tmp_path_factory) -> Path:
    return shared_lab(tmp_path_factory)[0]


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory) -> Path:
    return shared_lab(tmp_path_factory)[1]


@pytest.fixture
def child_env(subprocess_env: dict[str, str], isolated_home: Path, banks: Path, warm_cache: Path):
    use_lab(isolated_home, warm_cache)
    env = dict(subprocess_env)
    env.update(DLQUIZ_BANKS=str(banks), COLUMNS="100", LINES="40", TERM="xterm-256color", TZ="UTC")
    env.pop("NO_COLOR", None)
    return env


@pytest.fixture
def spawn(child_env, dlquiz_cmd):
    children = []

    def start(*args: str):
        child = pexpect.spawn(
            dlquiz_cmd[0],
            [*dlquiz_cmd[1:], *args],
            env=child_env,
            encoding="utf-8",
            timeout=TIMEOUT,
            dimensions=(40, 100),
        )
        children.append(child)
        return child

    yield start
    for child in children:
        if child.isalive():
            child.kill(9)
        child.close(force=True)


def expect(child, text: str) -> str:
    """Wait for ``text``; returns what came before it."""
    child.expect(words(text))
    return child.before


def finish(child) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def rows(home: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(home / "dlquiz.db")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_reveal_grade_undo_bury_and_quit(spawn, isolated_home):
    child = spawn("study", "--section", "lab", "--limit", "10")
    expect(child, "What is the first lab question?")
    expect(child, "space/Enter reveal")
    child.send(" ")  # space reveals
    expect(child, "The first answer.")
    expect(child, "Good · 10m")  # the grade bar shows what each key would do
    expect(child, "1-4 grade")
    child.send("1")
    # The screen clears between cards and keeps the confirmation on top.
    between = expect(child, "✓ recorded Again · next in 1m")
    assert CLEAR in between
    expect(child, "Basic front?")

    child.send("u")  # undo: the first card comes back, as new
    expect(child, "undid the last review of lab-one")
    expect(child, "What is the first lab question?")
    assert rows(isolated_home, "SELECT COUNT(*) FROM reviews") == [(0,)]
    child.send("\r")  # Enter reveals too
    expect(child, "Easy")
    child.send("4")
    expect(child, "✓ recorded Easy")

    expect(child, "Basic front?")
    child.send("s")
    expect(child, "buried lab-one.basic until tomorrow")

    expect(child, "Pick the right one.")
    expect(child, "answer>")
    child.send("A\r")  # a choice card is answered by typing
    expect(child, "✓ correct")
    child.send("\r")  # and Enter accepts the suggested Good
    expect(child, "✓ recorded Good")

    expect(child, "How many?")
    expect(child, "answer>")
    child.send("7\r")
    expect(child, "✗ not quite")
    child.send("2")  # overriding the suggested Again
    expect(child, "✓ recorded Hard")

    expect(child, "What is the second lab question?")
    child.send("q")
    expect(child, "session summary")
    out = expect(child, "due tomorrow")
    assert re.search(words("cards reviewed 3"), out)
    assert finish(child) == 0
    assert rows(isolated_home, "SELECT card_id, rating FROM reviews ORDER BY id") == [
        ("lab-one", 4),
        ("lab-one.pick", 3),
        ("lab-one.count", 2),
    ]
    assert rows(
        isolated_home, "SELECT buried_until IS NOT NULL FROM cards WHERE card_id = 'lab-one.basic'"
    ) == [(1,)]


@pytest.mark.parametrize("where", ["single key", "typed answer"])
def test_ctrl_c_ends_the_session_with_everything_saved(spawn, isolated_home, where):
    child = spawn("study", "--section", "lab", "--limit", "10")
    expect(child, "What is the first lab question?")
    child.send(" ")
    expect(child, "Good · 10m")
    child.send("3")
    expect(child, "✓ recorded Good")
    if where == "single key":
        expect(child, "Basic front?")
    else:
        child.send(" ")
        expect(child, "Basic back.")
        child.send("3")
        expect(child, "Pick the right one.")
        expect(child, "answer>")
        child.send("A")  # half-typed
    child.send("\x03")
    expect(child, "interrupted — everything graded so far is saved")
    expect(child, "session summary")
    assert finish(child) == 0
    graded = 1 if where == "single key" else 2
    assert rows(isolated_home, "SELECT COUNT(*) FROM reviews") == [(graded,)]
    assert rows(isolated_home, "SELECT COUNT(*) FROM cards WHERE state IS NOT NULL") == [(graded,)]


def test_p_runs_the_demo_inside_the_session(spawn, isolated_home):
    child = spawn("study", "--section", "lab")  # bury the first question's cards to reach lab-two
    for front in ("What is the first lab question?", "Basic front?"):
        expect(child, front)
        child.send("s")
    expect(child, "Pick the right one.")
    expect(child, "answer>")
    child.send("s\r")
    expect(child, "How many?")
    expect(child, "answer>")
    child.send("s\r")
    expect(child, "What is the second lab question?")
    child.send("p")
    expect(child, "bn-param-count")
    expect(child, "p prove it")
    child.send(" ")
    expect(child, "The second answer.")
    child.send("3")
    expect(child, "✓ recorded Good")
    child.send("q")
    assert finish(child) == 0
    assert rows(isolated_home, "SELECT card_id FROM reviews") == [("lab-two",)]
