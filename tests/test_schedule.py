"""The scheduler glue: pinned interval sequences (fuzz off), seeded fuzz, and agreement with py-fsrs."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import fsrs
import pytest

from dlquiz.schedule import (
    LEARNING,
    RELEARNING,
    REVIEW,
    SchedulerConfig,
    format_interval,
    parse_time,
    preview,
    replay,
    retrievability,
    review,
    to_fsrs,
)

START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
NO_FUZZ = SchedulerConfig(fuzz=False)
FUZZ = SchedulerConfig()


def walk(config: SchedulerConfig, card_id: str, ratings: list[int], start: datetime = START):
    """Grade ``card_id`` with each rating exactly when it falls due; returns (intervals, states)."""
    state, now, intervals, states = None, start, [], []
    for rating in ratings:
        state = review(config, card_id, state, rating, now)
        due = parse_time(state.due)
        intervals.append(due - now)
        states.append(state)
        now = due
    return intervals, states


def test_interval_sequence_is_pinned_with_fuzz_off():
    ratings = [3, 3, 3, 3, 1, 3, 3, 4, 2]
    intervals, states = walk(NO_FUZZ, "bn-backward", ratings)
    minutes, days = timedelta(minutes=1), timedelta(days=1)
    assert intervals == [
        10 * minutes,
        2 * days,
        11 * days,
        46 * days,
        10 * minutes,
        3 * days,
        8 * days,
        28 * days,
        52 * days,
    ]
    assert [s.state for s in states] == [
        LEARNING,
        REVIEW,
        REVIEW,
        REVIEW,
        RELEARNING,
        REVIEW,
        REVIEW,
        REVIEW,
        REVIEW,
    ]
    assert [s.reps for s in states] == list(range(1, 10))
    assert [s.lapses for s in states] == [0, 0, 0, 0, 1, 1, 1, 1, 1]
    assert [s.step for s in states][:2] == [1, None]
    assert states[-1].stability == pytest.approx(52.1469, abs=1e-3)
    assert states[-1].difficulty == pytest.approx(7.6403, abs=1e-3)


def test_fuzz_off_matches_py_fsrs_directly():
    """An independent reference: the same reviews through fsrs.Scheduler give the same card."""
    ratings = [3, 4, 1, 2, 3, 3, 1, 1, 4]
    reference = fsrs.Scheduler(enable_fuzzing=False)
    card = fsrs.Card(card_id=1, due=START)
    state, now = None, START
    for rating in ratings:
        state = review(NO_FUZZ, "cnn-resnet", state, rating, now)
        card, _ = reference.review_card(card, fsrs.Rating(rating), review_datetime=now)
        assert parse_time(state.due) == card.due
        assert state.state == int(card.state)
        assert state.stability == pytest.approx(card.stability, rel=1e-12)
        assert state.difficulty == pytest.approx(card.difficulty, rel=1e-12)
        # A little late, as people are, but never past 4 a.m. (TZ=UTC here): whole 24-hour periods and
        # study days then agree, so py-fsrs's own count is a reference (they differ across 4 a.m.:
        # tests/test_days.py).
        now = card.due + timedelta(hours=1)


def test_fuzz_on_is_reproducible_for_the_same_card_and_review_count():
    ratings = [3] * 7
    first, _ = walk(FUZZ, "opt-adam", ratings)
    second, _ = walk(FUZZ, "opt-adam", ratings)
    assert first == second
    plain, _ = walk(NO_FUZZ, "opt-adam", ratings)
    assert first != plain  # the fuzz is really applied to the long intervals
    # Learning steps are never fuzzed.
    assert first[0] == plain[0] == timedelta(minutes=10)


def test_fuzz_depends_on_the_card_id():
    dues = {walk(FUZZ, f"card-{i}", [3] * 6)[0][-1] for i in range(8)}
    assert len(dues) > 1


def test_review_leaves_the_global_random_generator_alone():
    random.seed(1234)
    expected = random.random()
    random.seed(1234)
    walk(FUZZ, "bn-where", [3, 3, 3, 3])
    assert random.random() == expected


def test_same_grade_at_same_time_gives_same_due_after_undo():
    _, states = walk(FUZZ, "loss-focal", [3, 3, 3])
    when = parse_time(states[-1].due) + timedelta(days=2)
    a = review(FUZZ, "loss-focal", states[-1], 3, when)
    b = review(FUZZ, "loss-focal", states[-1], 3, when)
    assert a == b


def test_naive_datetimes_are_rejected():
    with pytest.raises(ValueError, match="timezone-aware"):
        review(NO_FUZZ, "x", None, 3, datetime(2026, 1, 1, 12, 0))


def test_non_utc_time_is_stored_as_utc():
    tokyo = timezone(timedelta(hours=9))
    state = review(NO_FUZZ, "x", None, 3, datetime(2026, 1, 1, 21, 0, tzinfo=tokyo))
    assert state.last_review == "2026-01-01T12:00:00.000000+00:00"
    assert state.due == "2026-01-01T12:10:00.000000+00:00"


def test_replay_equals_step_by_step_reviews():
    ratings = [1, 3, 3, 2, 4]
    times = [START + timedelta(days=i * 3, minutes=i) for i in range(len(ratings))]
    state = None
    for r, t in zip(ratings, times, strict=True):
        state = review(FUZZ, "cnn-vgg", state, r, t, "hash-1")
    assert replay("cnn-vgg", [(FUZZ, r, t, "hash-1") for r, t in zip(ratings, times, strict=True)]) == state
    assert replay("cnn-vgg", []) is None


def test_lapses_count_only_again_on_a_review_card():
    _, states = walk(NO_FUZZ, "x", [1, 1, 3, 3, 1, 1, 3, 1])
    # Again while learning or relearning is not a lapse; Again on a graduated card is.
    assert [s.state for s in states] == [
        LEARNING,
        LEARNING,
        LEARNING,
        REVIEW,
        RELEARNING,
        RELEARNING,
        REVIEW,
        RELEARNING,
    ]
    assert [s.lapses for s in states] == [0, 0, 0, 0, 1, 1, 1, 2]


def test_preview_matches_what_grading_gives():
    _, states = walk(FUZZ, "bn-why", [3, 3])
    now = parse_time(states[-1].due)
    shown = preview(FUZZ, "bn-why", states[-1], now)
    assert list(shown) == [1, 2, 3, 4]
    for rating, delta in shown.items():
        assert parse_time(review(FUZZ, "bn-why", states[-1], rating, now).due) - now == delta
    assert shown[1] < shown[2] < shown[3] < shown[4]


def test_retrievability_falls_with_time():
    _, states = walk(NO_FUZZ, "x", [3, 3, 3])
    last = parse_time(states[-1].last_review)
    values = [retrievability(NO_FUZZ, states[-1], last + timedelta(days=d)) for d in (0, 5, 30, 300)]
    assert values[0] == pytest.approx(1.0)
    assert values == sorted(values, reverse=True)
    assert retrievability(NO_FUZZ, None, START) == 0.0


def test_to_fsrs_of_a_new_card_is_due_now():
    card = to_fsrs("x", None, START)
    assert card.due == START and card.state == fsrs.State.Learning and card.stability is None


def test_config_round_trips_through_a_dict():
    config = SchedulerConfig(desired_retention=0.85, learning_steps_min=(5.0,), fuzz=False)
    assert SchedulerConfig.from_dict(config.to_dict()) == config


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=10), "1m"),
        (timedelta(minutes=10), "10m"),
        (timedelta(hours=5), "5h"),
        (timedelta(days=4), "4d"),
        (timedelta(days=45), "1.5mo"),
        (timedelta(days=60), "2mo"),
        (timedelta(days=730), "2y"),
        (timedelta(days=-1), "1m"),
    ],
)
def test_format_interval(delta, text):
    assert format_interval(delta) == text
