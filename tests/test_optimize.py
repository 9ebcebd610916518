"""dlquiz optimize: items built as Anki builds them, a fit that beats the defaults is stored, a short log
gets a clear message, cram reviews do not count."""

from __future__ import annotations

import json
import random
import re
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import fsrs

from dlquiz import optimize
from dlquiz.schedule import iso, recall
from dlquiz.store import Store

START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
# A learner who forgets faster than FSRS's defaults expect, with a steeper forgetting curve.
TRUE = (
    0.08,
    0.5,
    0.9,
    3.3,
    *fsrs.scheduler.DEFAULT_PARAMETERS[4:8],
    1.5,
    *fsrs.scheduler.DEFAULT_PARAMETERS[9:20],
    0.45,
)


def synthetic_log(n_cards: int, seed: int = 1) -> list[optimize.LoggedReview]:
    """Each card reviewed when a default scheduler says so; recall drawn from the TRUE memory model."""
    rng = random.Random(seed)
    sched = fsrs.Scheduler(enable_fuzzing=False, learning_steps=(), relearning_steps=())
    memory = fsrs.Scheduler(parameters=TRUE, enable_fuzzing=False, learning_steps=(), relearning_steps=())
    log = []
    for n in range(n_cards):
        card_id = f"c{n:03d}"
        when = START + timedelta(days=n // 10, seconds=n)
        shown, truth = fsrs.Card(card_id=n + 1, due=when), fsrs.Card(card_id=n + 1, due=when)
        rating = rng.choice((1, 3, 3, 4))
        for _ in range(9):
            log.append(optimize.LoggedReview(card_id, when, rating))
            shown = sched.review_card(shown, fsrs.Rating(rating), review_datetime=when)[0]
            truth = memory.review_card(truth, fsrs.Rating(rating), review_datetime=when)[0]
            when = shown.due
            r = recall(TRUE, truth.stability, (when - truth.last_review).total_seconds() / 86400)
            rating = 3 if rng.random() < r else 1
    return log


def write_log(path: Path, log: list[optimize.LoggedReview], kind: str = "study") -> None:
    store = Store.open(path, now=START)
    with store.write():
        for r in log:
            store.add_review(
                {
                    "uid": uuid.uuid4().hex,
                    "card_id": r.card_id,
                    "reviewed_at": iso(r.reviewed_at),
                    "rating": r.rating,
                    "kind": kind,
                }
            )
    store.close()


def test_items_follow_anki_rules():
    day = timedelta(days=1)
    log = [
        optimize.LoggedReview("a", START, 1),
        optimize.LoggedReview("a", START + timedelta(minutes=10), 3),
        optimize.LoggedReview("a", START + 2 * day, 3),
        optimize.LoggedReview("a", START + 2 * day + timedelta(hours=1), 3),
        optimize.LoggedReview("b", START + day, 3),
        optimize.LoggedReview("b", START + 5 * day, 1),
    ]
    items, cards = optimize.build_items(reversed(log))

    # a: only its day-2 review is predicted (the same-day steps are not); b: its day-5 review. Sorted by time.
    def pairs(item):  # FSRSReview exposes no attributes, only its repr
        return [tuple(int(x) for x in re.findall(r"\d+", repr(r))) for r in item.reviews]

    # Days are study days, as the scheduler (and Anki) counts them: day 2 09:00 is 2 days after day 0 09:10.
    assert [pairs(item) for item in items] == [[(1, 0), (3, 0), (3, 2)], [(3, 0), (1, 4)]]
    assert cards == [0, 1]


def test_fit_on_a_synthetic_log_beats_the_defaults_and_is_stored(cli, isolated_home):
    log = synthetic_log(160)
    write_log(isolated_home / "dlquiz.db", log)
    result = cli("optimize", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["items"] >= optimize.MIN_ITEMS
    assert data["after"]["log_loss"] < data["before"]["log_loss"] - 0.01
    assert data["accepted"] and data["stored"]
    store = Store.open(isolated_home / "dlquiz.db")
    stored = store.get_setting("fsrs_parameters")
    store.close()
    assert stored == data["fitted"] and stored != list(fsrs.scheduler.DEFAULT_PARAMETERS)
    # A second run starts from the stored parameters: the same fit is no better, so they are kept.
    again = json.loads(cli("optimize", "--json").stdout)
    assert again["before"]["log_loss"] == data["after"]["log_loss"]
    assert not again["accepted"] or again["after"]["log_loss"] < again["before"]["log_loss"]
    text = cli("optimize", "--dry-run")
    assert "log loss" in text.stdout and "RMSE" in text.stdout


def test_tiny_log_gets_a_clear_message(cli, isolated_home):
    write_log(isolated_home / "dlquiz.db", synthetic_log(3))
    result = cli("optimize")
    assert result.exit_code == 1
    assert "not enough review history" in result.stderr
    assert f"{optimize.MIN_ITEMS} needed" in result.stderr and "more)" in result.stderr
    assert "Traceback" not in result.output


def test_cram_reviews_are_not_fitted(isolated_home):
    path = isolated_home / "dlquiz.db"
    write_log(path, synthetic_log(5, seed=2))
    write_log(path, synthetic_log(5, seed=3), kind="cram")
    store = Store.open(path)
    reviews = optimize.study_reviews(store)
    store.close()
    assert len(reviews) == 45
