"""The study session core: queue order, daily limits, grading, undo, bury, card identity, status.

Built on a small in-memory catalog and a real SQLite store, with the clock passed in.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlquiz.doctor import check, replay_card
from dlquiz.errors import DlquizError
from dlquiz.model import Catalog
from dlquiz.schedule import LEARNING, RELEARNING, REVIEW, parse_time
from dlquiz.session import StudySession, day_start, parse_setting, status, streak, undo_last
from dlquiz.store import CardState, Store
from tests.lab import basic_drills, catalog_of, question_data

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)  # a Monday noon, far from the 04:00 day boundary


@pytest.fixture(autouse=True)
def utc_local_time(isolated_home: Path):
    time.tzset()  # conftest pins TZ=UTC; make the process's local time follow it


def question(qid: str, prompt: str = "", n_drills: int = 0, section: str = "lab") -> dict[str, Any]:
    return question_data(qid, section, prompt, basic_drills(qid, n_drills))


def flat_catalog(n: int) -> Catalog:
    return catalog_of(*(question(f"q{i:02d}") for i in range(n)))


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "study.db", now=NOW)
    yield s
    s.close()


def review_rows(store: Store) -> list[dict[str, Any]]:
    return [dict(r) for r in store.conn.execute("SELECT * FROM reviews ORDER BY id")]


def grade_through(session: StudySession, now: datetime, ratings: list[int]) -> list[str]:
    shown = []
    for rating in ratings:
        card = session.next_card(now)
        assert card is not None
        shown.append(card.id)
        session.grade(card, rating, now, duration_ms=1500)
        now += timedelta(seconds=30)
    return shown


# --- the review log and the card state -------------------------------------------------------------------


def test_grade_writes_log_row_and_state(store):
    catalog = flat_catalog(3)
    session = StudySession(store, catalog, NOW)
    card = session.next_card(NOW)
    graded = session.grade(card, 3, NOW, duration_ms=4200)
    [row] = review_rows(store)
    assert row["card_id"] == card.id == "q00"
    assert row["reviewed_at"] == "2026-03-02T12:00:00.000000+00:00"
    assert row["rating"] == 3 and row["duration_ms"] == 4200 and row["kind"] == "study"
    assert row["state_before"] is None
    assert row["content_hash"] == card.content_hash
    assert row["id"] == graded.review_id
    stored = store.card_state("q00")
    assert stored == graded.state
    assert stored.state == LEARNING and stored.reps == 1
    import json

    assert json.loads(row["state_after"]) == stored.to_dict()
    # A second review logs the state before it.
    later = parse_time(stored.due)
    session.grade(card, 3, later, duration_ms=None)
    second = review_rows(store)[1]
    assert json.loads(second["state_before"]) == stored.to_dict()
    assert store.card_state("q00").state == REVIEW


def test_grade_is_one_transaction(store, monkeypatch):
    """If writing the state fails, the log row is rolled back too: never a review without its state."""
    catalog = flat_catalog(2)
    session = StudySession(store, catalog, NOW)

    def broken(state):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store, "put_card_state", broken)
    with pytest.raises(DlquizError, match="input/output error"):
        session.grade(catalog.get("q00"), 3, NOW)
    assert review_rows(store) == []
    assert not store.conn.in_transaction


def test_grade_is_committed_before_it_returns(store, tmp_path):
    catalog = flat_catalog(2)
    StudySession(store, catalog, NOW).grade(catalog.get("q01"), 4, NOW)
    other = sqlite3.connect(tmp_path / "study.db")  # another connection sees it at once
    try:
        assert other.execute("SELECT card_id, rating FROM reviews").fetchall() == [("q01", 4)]
        assert other.execute("SELECT reps FROM cards WHERE card_id = 'q01'").fetchone() == (1,)
    finally:
        other.close()


# --- queue order and limits --------------------------------------------------------------------------------


def test_new_cards_come_in_the_article_order_with_drills_after_their_question(store):
    catalog = catalog_of(question("first", n_drills=2), question("second", n_drills=1))
    session = StudySession(store, catalog, NOW)
    shown = grade_through(session, NOW, [4, 4, 4, 4, 4])
    assert shown == ["first", "first.d0", "first.d1", "second", "second.d0"]
    assert session.next_card(NOW + timedelta(minutes=5)) is None


def test_queue_order_learning_then_reviews_then_new(store):
    catalog = flat_catalog(8)
    day0 = NOW - timedelta(days=30)
    setup = StudySession(store, catalog, day0)
    # q00, q01 graduate to review (Easy) long ago; q02 is in learning.
    for cid in ("q00", "q01"):
        setup.grade(catalog.get(cid), 4, day0)
    setup.grade(catalog.get("q02"), 1, NOW - timedelta(minutes=5))
    session = StudySession(store, catalog, NOW, new_limit=None)
    learning, reviews, new = session.queues(NOW)
    assert [c.id for c in learning] == ["q02"]
    assert [c.id for c in reviews] == ["q00", "q01"]
    assert [c.id for c in new] == ["q03", "q04", "q05", "q06", "q07"]
    counts = session.counts(NOW)
    assert (counts.learning, counts.due, counts.new) == (1, 2, 5)
    assert session.next_card(NOW).id == "q02"  # the due learning step first
    shown = grade_through(session, NOW, [3] * 7)
    assert shown[0] == "q02"
    assert [c for c in shown if c >= "q03"] == ["q03", "q04", "q05", "q06"]  # new cards in article order
    assert {"q00", "q01"} <= set(shown)
    assert shown.index("q00") < shown.index("q06")  # reviews are mixed in, not left for the end


def test_new_cards_mixed_evenly_among_reviews(store):
    catalog = flat_catalog(12)
    day0 = NOW - timedelta(days=60)
    setup = StudySession(store, catalog, day0, new_limit=8)
    for cid in [f"q{i:02d}" for i in range(8)]:
        setup.grade(catalog.get(cid), 4, day0)
    session = StudySession(store, catalog, NOW)
    shown = grade_through(session, NOW, [4] * 12)
    kinds = ["new" if int(c[1:]) >= 8 else "review" for c in shown]
    # 8 reviews and 4 new cards: one new card in every three.
    assert kinds == ["review", "review", "new"] * 4


def test_learning_step_not_yet_due_waits_until_the_rest_is_done(store):
    catalog = flat_catalog(2)
    session = StudySession(store, catalog, NOW)
    session.grade(catalog.get("q00"), 3, NOW)  # next step in 10 minutes
    assert session.next_card(NOW).id == "q01"
    session.grade(catalog.get("q01"), 4, NOW)
    # Nothing else left: learn ahead rather than stop.
    assert session.next_card(NOW).id == "q00"
    assert session.counts(NOW).learning == 0
    assert session.counts(NOW + timedelta(minutes=10)).learning == 1


def test_new_cards_per_day_default_is_10(store):
    catalog = flat_catalog(15)
    session = StudySession(store, catalog, NOW)
    assert session.counts(NOW).new == 10
    shown = grade_through(session, NOW, [4] * 10)
    assert len(set(shown)) == 10
    assert session.next_card(NOW) is None
    # A new session later the same day still respects the limit; the next day brings 5 more.
    assert StudySession(store, catalog, NOW + timedelta(hours=3)).counts(NOW + timedelta(hours=3)).new == 0
    tomorrow = NOW + timedelta(days=1)
    assert StudySession(store, catalog, tomorrow).counts(tomorrow).new == 5


def test_new_option_adds_cards_beyond_the_daily_limit(store):
    catalog = flat_catalog(15)
    grade_through(StudySession(store, catalog, NOW), NOW, [4] * 10)
    later = NOW + timedelta(hours=1)
    session = StudySession(store, catalog, later, new_limit=3)
    assert session.counts(later).new == 3
    grade_through(session, later, [4] * 3)
    assert session.next_card(later) is None


def test_new_per_day_setting(store):
    store.set_setting("new_per_day", 2)
    session = StudySession(store, flat_catalog(5), NOW)
    assert session.counts(NOW).new == 2


def test_reviews_per_day_limit(store):
    catalog = flat_catalog(6)
    day0 = NOW - timedelta(days=40)
    grade_through(StudySession(store, catalog, day0), day0, [4] * 6)
    store.set_setting("reviews_per_day", 4)
    session = StudySession(store, catalog, NOW)
    assert session.counts(NOW).due == 4
    earliest = sorted(catalog.index, key=lambda cid: store.card_state(cid).due)[:4]
    shown = grade_through(session, NOW, [3] * 4)
    assert shown == earliest  # reviews come in due order
    assert session.next_card(NOW) is None
    assert StudySession(store, catalog, NOW + timedelta(hours=1)).counts(NOW + timedelta(hours=1)).due == 0


def test_reviews_per_day_default_is_200(store):
    session = StudySession(store, flat_catalog(1), NOW)
    assert session.reviews_per_day == 200 and session.new_per_day == 10


def test_limit_stops_the_session(store):
    session = StudySession(store, flat_catalog(5), NOW, limit=2)
    grade_through(session, NOW, [4, 4])
    assert session.next_card(NOW) is None
    assert len(review_rows(store)) == 2


def test_sections_restrict_the_queue(store):
    catalog = catalog_of(question("a1", section="alpha"), question("b1", section="beta"))
    session = StudySession(store, catalog, NOW, sections=["beta"])
    assert [c.id for c in session.queues(NOW)[2]] == ["b1"]


def test_day_starts_at_4am_local():
    assert day_start(datetime(2026, 3, 2, 3, 59, tzinfo=timezone.utc)) == datetime(
        2026, 3, 1, 4, tzinfo=timezone.utc
    )
    assert day_start(datetime(2026, 3, 2, 4, 0, tzinfo=timezone.utc)) == datetime(
        2026, 3, 2, 4, tzinfo=timezone.utc
    )


# --- undo --------------------------------------------------------------------------------------------------


def test_undo_restores_previous_state_and_log_exactly(store):
    catalog = flat_catalog(3)
    session = StudySession(store, catalog, NOW)
    grade_through(session, NOW, [3, 3])
    before_rows, before_states = review_rows(store), store.card_states()
    card = catalog.get("q00")
    later = NOW + timedelta(minutes=15)
    session.grade(card, 1, later)
    assert store.card_state("q00") != before_states["q00"]
    assert session.undo() == "q00"
    assert review_rows(store) == before_rows
    assert store.card_states() == before_states
    assert session.states == before_states
    assert len(session.graded) == 2


def test_undo_of_a_first_review_makes_the_card_new_again(store):
    catalog = flat_catalog(2)
    session = StudySession(store, catalog, NOW)
    grade_through(session, NOW, [4])
    assert session.counts(NOW).new == 1
    assert session.undo() == "q00"
    assert store.card_state("q00") is None and review_rows(store) == []
    assert session.counts(NOW).new == 2
    assert session.new_done == 0
    assert session.next_card(NOW).id == "q00"


def test_undo_then_same_grade_gives_same_due(store):
    catalog = flat_catalog(1)
    session = StudySession(store, catalog, NOW)
    card = catalog.get("q00")
    for _ in range(3):
        session.grade(card, 3, parse_time(session.states["q00"].due) if "q00" in session.states else NOW)
    when = parse_time(session.states["q00"].due)
    first = session.grade(card, 3, when).state
    session.undo()
    assert session.grade(card, 3, when).state == first


def test_undo_with_nothing_to_undo(store):
    session = StudySession(store, flat_catalog(1), NOW)
    assert session.undo() is None
    assert undo_last(store) is None


def test_undo_reaches_reviews_of_earlier_sessions(store):
    catalog = flat_catalog(2)
    grade_through(StudySession(store, catalog, NOW), NOW, [3])
    later = NOW + timedelta(hours=1)
    session = StudySession(store, catalog, later)
    assert session.undo() == "q00"
    assert review_rows(store) == []
    assert session.graded == []


# --- bury --------------------------------------------------------------------------------------------------


def test_bury_hides_the_card_until_tomorrow(store):
    catalog = flat_catalog(3)
    session = StudySession(store, catalog, NOW)
    session.bury(catalog.get("q00"), NOW)
    assert session.next_card(NOW).id == "q01"
    assert session.counts(NOW).new == 2
    assert store.card_state("q00").buried_until == "2026-03-03T04:00:00.000000+00:00"
    assert review_rows(store) == []  # burying is not a review
    # Still hidden in a fresh session today; back the next study day.
    assert StudySession(store, catalog, NOW).next_card(NOW).id == "q01"
    tomorrow = NOW + timedelta(days=1)
    assert StudySession(store, catalog, tomorrow).next_card(tomorrow).id == "q00"


def test_bury_keeps_the_schedule_of_a_reviewed_card(store):
    catalog = flat_catalog(2)
    session = StudySession(store, catalog, NOW)
    grade_through(session, NOW, [3])
    before = store.card_state("q00")
    session.bury(catalog.get("q00"), NOW)
    assert store.card_state("q00").schedule_dict() == before.schedule_dict()
    assert check(store, {"q00", "q01"}).healthy


def test_grading_a_buried_new_card_starts_it_as_new(store):
    catalog = flat_catalog(1)
    session = StudySession(store, catalog, NOW)
    session.bury(catalog.get("q00"), NOW)
    graded = session.grade(catalog.get("q00"), 3, NOW)
    assert graded.state.reps == 1 and graded.state.buried_until is None
    assert review_rows(store)[0]["state_before"] is None


# --- card identity -----------------------------------------------------------------------------------------


def test_editing_text_keeps_history_and_marks_the_card(store):
    old = catalog_of(question("q00", prompt="Old wording?"))
    session = StudySession(store, old, NOW)
    session.grade(old.get("q00"), 3, NOW)
    assert not session.text_changed(old.get("q00"))
    new = catalog_of(question("q00", prompt="New wording?"))
    later = NOW + timedelta(minutes=20)
    session = StudySession(store, new, later)
    card = new.get("q00")
    assert session.text_changed(card)
    assert session.next_card(later).id == "q00"  # still a learning card, not new again
    graded = session.grade(card, 3, later)
    assert graded.changed_text
    assert graded.state.reps == 2 and graded.state.state == REVIEW
    assert not session.text_changed(card)  # reviewed since the edit


def test_editing_a_drill_does_not_mark_its_question(store):
    before = catalog_of(question("q00", n_drills=1))
    StudySession(store, before, NOW).grade(before.get("q00"), 3, NOW)
    edited_data = question("q00", n_drills=1)
    edited_data["drills"][0]["back"] = {"en": "a better back", "zh": "背"}
    after = catalog_of(edited_data)
    assert not StudySession(store, after, NOW).text_changed(after.get("q00"))


def test_removed_card_keeps_history_and_leaves_the_queue(store):
    full = flat_catalog(3)
    session = StudySession(store, full, NOW)
    grade_through(session, NOW, [3, 3, 3])
    smaller = catalog_of(question("q01"), question("q02"))
    later = NOW + timedelta(hours=1)
    session = StudySession(store, smaller, later)
    shown = grade_through(session, later, [4, 4])
    assert "q00" not in shown and session.next_card(later) is None
    assert store.card_state("q00") is not None
    assert [r.card_id for r in store.reviews_of("q00")] == ["q00"]
    report = check(store, set(smaller.index))
    assert report.orphans == ["q00"] and report.healthy
    # A card that comes back picks up its history.
    back = StudySession(store, full, later)
    assert back.states["q00"].reps == 1 and back.new_available() == 0


def test_next_due_ignores_removed_cards(store):
    full = flat_catalog(2)
    session = StudySession(store, full, NOW)
    session.grade(full.get("q00"), 1, NOW)
    session.grade(full.get("q01"), 4, NOW)
    only_q01 = catalog_of(question("q01"))
    assert StudySession(store, only_q01, NOW).next_due() == parse_time(store.card_state("q01").due)


# --- settings, status, streak -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "raw", "message"),
    [
        ("new_per_day", "ten", "whole number"),
        ("new_per_day", "-1", "between 0 and 10000"),
        ("reviews_per_day", "1e9", "whole number"),
        ("desired_retention", "0.5", "between 0.70 and 0.99"),
        ("desired_retention", "high", "must be a number"),
        ("lang", "fr", "en, zh or both"),
        ("new_per_dya", "3", "unknown setting"),
    ],
)
def test_bad_settings_are_refused(key, raw, message):
    from dlquiz.errors import DlquizError

    with pytest.raises(DlquizError, match=message):
        parse_setting(key, raw)


def test_good_settings_parse():
    assert parse_setting("new_per_day", "0") == 0
    assert parse_setting("desired_retention", "0.95") == 0.95
    assert parse_setting("lang", "both") == "both"


def test_desired_retention_changes_the_intervals(store):
    catalog = flat_catalog(1)
    card = catalog.get("q00")

    def interval_after_three_goods() -> timedelta:
        session = StudySession(store, catalog, NOW)
        when = NOW
        for _ in range(3):
            session.grade(card, 3, when)
            when, before = parse_time(session.states["q00"].due), when
        return when - before

    loose = interval_after_three_goods()
    while undo_last(store):
        pass
    store.set_setting("desired_retention", 0.97)
    strict = interval_after_three_goods()
    assert strict < loose


def test_status_counts(store):
    catalog = flat_catalog(14)
    data = status(store, catalog, NOW)
    assert (data["due"], data["new_today"], data["new_available"], data["reviewed_today"]) == (0, 10, 14, 0)
    assert data["streak"] == 0 and data["next_due"] is None
    assert data["next_command"] == "dlquiz study"
    grade_through(StudySession(store, catalog, NOW), NOW, [4] * 10)
    data = status(store, catalog, NOW)
    assert (data["new_today"], data["new_available"], data["reviewed_today"], data["streak"]) == (0, 4, 10, 1)
    assert data["next_command"].startswith("dlquiz study --new")
    assert data["next_due"] is not None


def test_streak_counts_consecutive_study_days(store):
    catalog = flat_catalog(5)
    for days_ago in (4, 2, 1):
        when = NOW - timedelta(days=days_ago)
        StudySession(store, catalog, when).grade(catalog.get(f"q0{days_ago}"), 3, when)
    assert streak(store, NOW) == 2  # yesterday and the day before; today not yet
    StudySession(store, catalog, NOW).grade(catalog.get("q00"), 3, NOW)
    assert streak(store, NOW) == 3


# --- properties --------------------------------------------------------------------------------------------

ratings_and_gaps = st.lists(
    st.tuples(st.integers(1, 4), st.integers(0, 60 * 24 * 400)),  # gap in minutes, up to 400 days
    min_size=1,
    max_size=14,
)


def test_replaying_the_log_gives_the_stored_state(tmp_path):
    db = Store.open(tmp_path / "p.db", now=NOW)
    db.conn.execute("PRAGMA synchronous = OFF")  # speed only: durability is tested in test_reliability
    ids = iter(range(10**6))

    @settings(max_examples=60, deadline=None)
    @given(steps=ratings_and_gaps)
    def prop(steps):
        catalog = catalog_of(question(f"c{next(ids)}"))
        [card] = catalog.cards()
        session = StudySession(db, catalog, NOW)
        when = NOW
        for rating, gap in steps:
            when += timedelta(minutes=gap)
            state = session.grade(card, rating, when).state
            assert parse_time(state.due) >= when
            assert parse_time(state.last_review) == when
            assert state.stability > 0
            assert 1 <= state.difficulty <= 10
            assert state.state in (LEARNING, REVIEW, RELEARNING)
        stored = db.card_state(card.id)
        assert stored == session.states[card.id]
        assert stored.reps == len(steps)
        assert replay_card(db, db.reviews_of(card.id), {}) == stored

    try:
        prop()
        report = check(db, set())
        assert report.healthy and report.cards_checked > 0
    finally:
        db.close()


def test_undo_restores_the_previous_state_exactly(tmp_path):
    db = Store.open(tmp_path / "u.db", now=NOW)
    db.conn.execute("PRAGMA synchronous = OFF")
    ids = iter(range(10**6))

    @settings(max_examples=40, deadline=None)
    @given(steps=ratings_and_gaps, last=st.integers(1, 4), gap=st.integers(0, 60 * 24 * 100))
    def prop(steps, last, gap):
        catalog = catalog_of(question(f"c{next(ids)}"))
        [card] = catalog.cards()
        session = StudySession(db, catalog, NOW)
        when = NOW
        for rating, minutes in steps:
            when += timedelta(minutes=minutes)
            session.grade(card, rating, when)
        rows, states, memory = review_rows(db), db.card_states(), dict(session.states)
        session.grade(card, last, when + timedelta(minutes=gap))
        assert session.undo() == card.id
        assert review_rows(db) == rows
        assert db.card_states() == states
        assert session.states == memory

    try:
        prop()
    finally:
        db.close()


def test_card_state_round_trips_through_the_store(store):
    state = CardState(
        "x",
        REVIEW,
        None,
        3.5,
        5.25,
        "2026-03-04T00:00:00.000000+00:00",
        "2026-03-01T00:00:00.000000+00:00",
        reps=4,
        lapses=1,
        content_hash="abc",
    )
    store.put_card_state(state)
    assert store.card_state("x") == state
    store.put_card_state(replace(state, buried_until="2026-03-05T04:00:00.000000+00:00"))
    assert store.card_states()["x"].buried_until == "2026-03-05T04:00:00.000000+00:00"
