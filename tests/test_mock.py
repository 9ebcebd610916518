"""dlquiz mock: question choice, tick parsing, score math, saving, and the screen in a pipe and a pty."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from dlquiz.mock import (
    MockAnswer,
    MockReport,
    Typed,
    _edit,
    finish,
    parse_ticks,
    pick_questions,
    weakest_points,
)
from dlquiz.store import Store

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def shipped():
    from dlquiz import catalog

    return catalog.load().catalog


@pytest.mark.parametrize(
    ("text", "total", "expected"),
    [
        ("1 3 4", 5, {0, 2, 3}),
        ("1,3-4", 5, {0, 2, 3}),
        (" 2  2 ", 3, {1}),
        ("a", 4, {0, 1, 2, 3}),
        ("ALL", 2, {0, 1}),
        ("", 4, set()),
        ("none", 4, set()),
        ("5", 5, {4}),
    ],
)
def test_parse_ticks(text, total, expected):
    assert parse_ticks(text, total) == frozenset(expected)


@pytest.mark.parametrize("text", ["6", "0 1", "x", "1 b", "3-1", "1.5", "-2"])
def test_parse_ticks_rejects(text):
    assert parse_ticks(text, 5) is None


def test_pick_questions_seeded_distinct_and_filtered(shipped):
    first = pick_questions(shipped, [], 5, seed=42)
    assert [q.id for q in first] == [q.id for q in pick_questions(shipped, [], 5, seed=42)]
    assert len({q.id for q in first}) == 5
    assert {tuple(q.id for q in pick_questions(shipped, [], 5, seed=s)) for s in range(5)} != {
        tuple(q.id for q in first)
    }
    only = pick_questions(shipped, ["loss"], 100, seed=1)
    assert {q.section for q in only} == {"loss"}
    assert len(only) == sum(1 for q in shipped.questions if q.section == "loss")  # capped at what exists


def test_score_math_and_weakest_points():
    a = MockAnswer("q1", "", frozenset({0, 2}), 4, 30_000, False)
    b = MockAnswer("q2", "text", frozenset(), 2, 125_000, True)
    assert a.score == 0.5 and a.missed == [1, 3]
    assert b.score == 0.0 and b.missed == [0, 1]
    report = MockReport(NOW, 1, 120, (), (a, b))
    assert (report.covered, report.total, report.duration_ms) == (2, 6, 155_000)
    assert report.score == pytest.approx(1 / 3)
    assert MockAnswer("q3", "", frozenset(), 0, 0, False).score == 0.0  # no key points: no division by zero
    history = [
        {
            "answers": [
                {"question_id": "q2", "covered": [0], "total": 2},
                {"question_id": "q1", "covered": [1], "total": 4},
            ]
        },
        {"answers": [{"question_id": "q1", "covered": [], "total": 4}]},
    ]
    # q1#3 and q1#4 were missed twice before, q2#2 once, q1#2 and q2#1 once each: then the order of this mock.
    assert weakest_points([a, b], history) == [("q1", 3), ("q1", 1), ("q2", 1), ("q2", 0)]


def test_finish_saves_the_mock_and_its_answers(tmp_path):
    store = Store.open(tmp_path / "m.db", now=NOW)
    try:
        a = MockAnswer("q1", "typed\nlines", frozenset({1}), 3, 5000, True)
        report = finish(store, NOW, 7, 90, ["cnn"], [a])
        assert report.mock_id == 1
        saved = store.mocks()
        assert len(saved) == 1 and saved[0]["seed"] == 7 and saved[0]["sections"] == ["cnn"]
        assert saved[0]["seconds_per_question"] == 90
        [row] = saved[0]["answers"]
        assert (row["question_id"], row["answer"], row["covered"], row["total"], row["timed_out"]) == (
            "q1",
            "typed\nlines",
            [1],
            3,
            True,
        )
        assert finish(store, NOW, 8, 90, [], []).mock_id is None  # nothing answered: nothing saved
        assert len(store.mocks()) == 1
    finally:
        store.close()


def test_line_editing():
    typed = Typed()
    assert not _edit(typed, "helo\x7flo\rwor")
    assert typed.lines == ["hello"] and typed.current == "wor"
    assert not _edit(typed, "\x7f\x7f\x7f\x7f")  # back into the previous line
    assert typed.current == "hello" and typed.lines == []
    assert not _edit(typed, "\x1b[A!")  # an arrow key is ignored
    assert typed.current == "hello!"
    assert _edit(typed, "\r\r")
    assert typed.text == "hello!"
    assert _edit(Typed(), "\r")  # Enter alone: answered aloud


@pytest.mark.usefixtures("wide")
def test_mock_piped_run_saves_and_stats_show_it(cli, isolated_home, shipped):
    questions = pick_questions(shipped, ["batch-norm"], 2, seed=3)
    totals = [len(q.key_points) for q in questions]
    script = "BN normalizes with\nbatch statistics\n\n1 2\n" + "\n" + "9\na\n"
    result = cli("mock", "-s", "batch-norm", "-n", "2", "--seed", "3", input=script)
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.index(questions[0].id) < out.index(questions[1].id)
    assert f"numbers from 1 to {totals[1]}" in out  # "9" was not a key point: asked again
    assert f"total {2 + totals[1]}/{sum(totals)} key points" in out
    assert "mock interview report" in out and "Weakest key points" in out
    store = Store.open(isolated_home / "dlquiz.db")
    try:
        [mock] = store.mocks()
    finally:
        store.close()
    assert [a["question_id"] for a in mock["answers"]] == [q.id for q in questions]
    assert mock["answers"][0]["answer"] == "BN normalizes with\nbatch statistics"
    assert [a["covered"] for a in mock["answers"]] == [[0, 1], list(range(totals[1]))]
    import json

    stats = json.loads(cli("stats", "--json").output)
    assert len(stats["mocks"]) == 1
    assert stats["mocks"][0]["score"] == pytest.approx((2 + totals[1]) / sum(totals))
    assert f"{2 + totals[1]}/{sum(totals)}" in cli("stats").output.split("mock interviews")[1]


@pytest.mark.usefixtures("wide")
def test_mock_end_of_input_saves_what_was_answered(cli, isolated_home):
    result = cli("mock", "-n", "3", "--seed", "9", input="\n1\n")
    assert result.exit_code == 0, result.output
    assert "total 1/" in result.output
    empty = cli("mock", "-n", "3", "--seed", "9", input="")
    assert "nothing was saved" in empty.output


@pytest.mark.slow
def test_mock_in_a_terminal_counts_down_and_times_out(dlquiz_cmd, subprocess_env):
    pexpect = pytest.importorskip("pexpect")
    env = dict(subprocess_env, COLUMNS="100", TERM="xterm")
    child = pexpect.spawn(
        dlquiz_cmd[0],
        [*dlquiz_cmd[1:], "mock", "-n", "2", "--seed", "4", "--minutes", "0.1"],
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 100),
    )
    try:
        child.expect("question 1 of 2")
        child.expect("Enter starts it")  # the clock waits for you
        child.send("\r")
        child.expect(r"0:0\d(\x1b\[[0-9;]*m)* left")  # the live countdown
        child.send("first line")
        child.send("\r")
        child.send("second\r\r")
        child.expect("which did you cover")
        child.expect("covered> ")
        child.sendline("1")
        child.expect("question 2 of 2")
        child.expect("Enter starts it")
        child.send("\r")
        child.expect("time is up")  # nothing typed: after 6 s the self-check starts on its own
        child.expect("covered> ")
        child.sendline("")
        child.expect("mock interview report")
        child.expect(pexpect.EOF)
        text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", child.before or "")
        assert "⏰" in text or "0:06" in text
    finally:
        child.close()
    assert child.exitstatus == 0
    store = Store.open(Path(subprocess_env["DLQUIZ_HOME"]) / "dlquiz.db")
    try:
        [mock] = store.mocks()
    finally:
        store.close()
    first, second = mock["answers"]
    assert first["answer"] == "first line\nsecond" and first["covered"] == [0] and not first["timed_out"]
    assert second["answer"] == "" and second["covered"] == [] and second["timed_out"]
