"""dlquiz quiz: card choice, cloze answer matching, and the piped quiz recording reviews."""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from dlquiz.model import Catalog
from dlquiz.quiz import QUIZ_TYPES, check, cloze_answers, match_cloze, matches, pick_cards
from dlquiz.store import CardState
from tests.lab import catalog_of, question_data

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def utc_local_time(isolated_home: Path):
    time.tzset()


def drill(did: str, kind: str, **extra) -> dict:
    base = {
        "id": did,
        "type": kind,
        "prompt": {"en": extra.pop("en", f"front {did}"), "zh": extra.pop("zh", "正")},
    }
    return base | extra


def catalog_with(drills: list[dict]) -> Catalog:
    return catalog_of(question_data("q", drills=drills))


# --- matching a cloze answer ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("the statistics of the current mini-batch", "the statistics of the current mini-batch"),
        ("  The   Statistics of the current MINI-BATCH. ", "the statistics of the current mini-batch"),
        ("current mini-batch statistics", "the statistics of the current mini-batch"),  # same content words
        ("paramter sharing", "parameter sharing"),  # a typo in a long answer
        ("\\hat{x}_i", "$\\hat x_i$"),
        ("x̂ᵢ", "$\\hat x_i$"),  # the Unicode rendering
        ("O(n^2)", "$O(n^2)$"),
        ("O(n²)", "$O(n^2)$"),
        ("sigma(z)(1-sigma(z))", "$\\sigma(z)(1 - \\sigma(z))$"),
        ("σ(z)(1 − σ(z))", "$\\sigma(z)(1 - \\sigma(z))$"),
        ("0.00000001", "1e-8"),  # equal as numbers
        ("缓冲区(buffer)", "缓冲区（buffer）"),  # full-width brackets
        ("relu", "ReLU"),
    ],
)
def test_cloze_answers_that_match(typed, answer):
    assert matches(typed, answer)


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("", "ReLU"),
        ("mean", "its batch mean"),  # one word of two is not the answer
        ("L2", "L1"),
        ("1e-7", "1e-8"),
        ("batch", "the statistics of the current mini-batch"),
        ("statistics of the current mini-batch and more words", "the statistics of the current mini-batch"),
        ("tanh", "ReLU"),
        ("O(n^3)", "$O(n^2)$"),
    ],
)
def test_cloze_answers_that_do_not_match(typed, answer):
    assert not matches(typed, answer)


def test_cloze_any_deletion_either_language_or_all_of_them():
    card = catalog_with(
        [
            drill(
                "q.c",
                "cloze",
                en="BN uses {{c1::batch statistics}} and {{c2::running averages}}.",
                zh="BN 用{{c1::批统计量}}和{{c2::滑动平均}}。",
            )
        ]
    ).get("q.c")
    assert cloze_answers(card) == ["batch statistics", "running averages", "批统计量", "滑动平均"]
    assert match_cloze(card, "running averages")
    assert match_cloze(card, "Batch statistics")
    assert match_cloze(card, "滑动平均")
    assert match_cloze(card, "batch statistics; running averages")
    assert not match_cloze(card, "batch statistics; dropout")
    assert not match_cloze(card, "averages")
    checked = check(card, "nonsense")
    assert checked is not None and not checked.correct
    assert checked.expected == "batch statistics / running averages / 批统计量 / 滑动平均"


def test_check_choice_and_numeric_use_the_study_grader():
    cat = catalog_with(
        [
            drill(
                "q.ch",
                "choice",
                options=[
                    {"text": {"en": "yes", "zh": "是"}, "correct": True},
                    {"text": {"en": "no", "zh": "否"}, "correct": False},
                    {"text": {"en": "also", "zh": "也"}, "correct": True},
                ],
            ),
            drill("q.num", "numeric", answer=4.0, tolerance=0.05),
        ]
    )
    choice, numeric = cat.get("q.ch"), cat.get("q.num")
    assert check(choice, "ca").correct and not check(choice, "A").correct
    assert check(choice, "Z") is None  # not an option: asked again, not graded
    assert check(numeric, "4.04").correct and not check(numeric, "4.1").correct
    assert check(numeric, "four") is None


# --- choosing cards -------------------------------------------------------------------------------------


def five_kinds() -> Catalog:
    return catalog_with(
        [drill(f"q.c{i}", "cloze", en=f"x {{{{c1::a{i}}}}}", zh=f"x {{{{c1::a{i}}}}}") for i in range(6)]
        + [drill("q.b", "basic", back={"en": "b", "zh": "背"})]
    )


def state(card_id: str, due: datetime) -> CardState:
    return CardState(card_id, 2, None, 5.0, 5.0, due.isoformat(), (due - timedelta(days=5)).isoformat(), 2)


def test_pick_cards_due_first_then_new_then_the_rest_and_only_typed_kinds():
    cat = five_kinds()
    states = {
        "q.c0": state("q.c0", NOW + timedelta(days=9)),  # not due
        "q.c1": state("q.c1", NOW - timedelta(days=1)),  # overdue
        "q.c2": state("q.c2", NOW + timedelta(hours=3)),
    }  # due later today
    picked = [c.id for c in pick_cards(cat, states, [], 10, seed=1, now=NOW)]
    assert sorted(picked[:2]) == ["q.c1", "q.c2"]
    assert sorted(picked[2:5]) == ["q.c3", "q.c4", "q.c5"]
    assert picked[5:] == ["q.c0"]
    assert "q.b" not in picked and all(cat.get(i).type in QUIZ_TYPES for i in picked)
    assert [c.id for c in pick_cards(cat, states, [], 3, seed=1, now=NOW)] == picked[:3]
    orders = {tuple(c.id for c in pick_cards(cat, {}, [], 6, seed=s, now=NOW)) for s in range(8)}
    assert len(orders) > 1  # the seed shuffles


# --- the command ----------------------------------------------------------------------------------------


def shipped_answer(card) -> str:
    if card.type == "choice":
        return "".join(chr(65 + i) for i, o in enumerate(card.options) if o.correct)
    if card.type == "numeric":
        return repr(card.answer)
    return cloze_answers(card)[0]


def reviews(home: Path) -> list[tuple]:
    with sqlite3.connect(home / "dlquiz.db") as conn:
        return conn.execute("SELECT card_id, rating, kind FROM reviews ORDER BY id").fetchall()


def test_quiz_all_right_records_good_reviews(cli, isolated_home):
    from dlquiz import catalog

    cat = catalog.load().catalog
    cards = pick_cards(cat, {}, ["loss"], 4, seed=11, now=NOW)
    result = cli(
        "quiz",
        "-s",
        "loss",
        "-n",
        "4",
        "--seed",
        "11",
        input="".join(shipped_answer(c) + "\n" for c in cards),
    )
    assert result.exit_code == 0, result.output
    assert "score 4/4 (100%)" in result.output
    assert reviews(isolated_home) == [(c.id, 3, "study") for c in cards]


def test_quiz_wrong_and_unknown_answers_record_again_and_show_the_answer(cli, isolated_home):
    from dlquiz import catalog

    cat = catalog.load().catalog
    cards = pick_cards(cat, {}, ["cnn"], 2, seed=5, now=NOW)
    result = cli("quiz", "-s", "cnn", "-n", "2", "--seed", "5", input="\n" + shipped_answer(cards[1]) + "\n")
    assert result.exit_code == 0, result.output
    assert "score 1/2 (50%)" in result.output
    assert "– skipped" in result.output and "✗ not quite" not in result.output  # Enter alone: skipped
    assert cards[0].id in result.output.split("quiz result")[1]
    assert reviews(isolated_home) == [(cards[0].id, 1, "study"), (cards[1].id, 3, "study")]


def test_quiz_quit_early_and_unknown_section(cli, isolated_home):
    result = cli("quiz", "-n", "3", "--seed", "2", input="q\n")
    assert result.exit_code == 0
    assert "No card was answered." in result.output
    assert not (isolated_home / "dlquiz.db").exists() or reviews(isolated_home) == []
    bad = cli("quiz", "-s", "nope")
    assert bad.exit_code == 2 and "unknown section 'nope'" in bad.stderr


class TerminalKeys:
    """Keys as a terminal would give them: typed lines, then single keys."""

    tty = True

    def __init__(self, lines: list[str], keys: list[str]):
        self.lines, self.keys = list(lines), list(keys)

    def line(self, prompt: str, console) -> str:
        return self.lines.pop(0)

    def key(self) -> str:
        return self.keys.pop(0)


@pytest.mark.parametrize(("key", "rating"), [("y", 3), ("n", 1)])
def test_in_a_terminal_a_cloze_answer_in_other_words_can_be_overruled(isolated_home: Path, key, rating):
    import io

    from rich.console import Console

    from dlquiz.quiz import QuizScreen
    from dlquiz.store import Store

    catalog = catalog_with(
        [drill("q.c", "cloze", en="BN uses {{c1::batch statistics}}.", zh="用{{c1::批统计量}}。")]
    )
    store = Store.open(isolated_home / "dlquiz.db", NOW)
    out = io.StringIO()
    try:
        screen = QuizScreen(
            store,
            catalog,
            Console(file=out, width=100),
            TerminalKeys(["mean and var"], [key]),
            "en",
            [catalog.get("q.c")],
            clock=lambda: NOW,
        )
        result = screen.run()
        [(card_id, given)] = [(r.card_id, r.rating) for r in store.all_reviews()]
    finally:
        store.close()
    assert card_id == "q.c" and given == rating
    assert result.items[0].correct is (key == "y")
    assert "Right in other words?" in out.getvalue()
