"""Study days (issue 16): elapsed days as the learner lives them, history that stays where it happened,
the interview as a calendar date, and one forecast. The core with the clock and the zone passed in;
tests/test_days_cli.py runs the real CLI under libfaketime."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlite_utils
from sqlite_utils.migrations import Migrations

from dlquiz import days
from dlquiz import migrations as dlquiz_migrations
from dlquiz.doctor import check
from dlquiz.optimize import build_items, study_reviews
from dlquiz.plan import interview_forecast, parse_plan, set_plan
from dlquiz.schedule import PERIODS, REVIEW, STUDY_DAYS, SchedulerConfig, parse_time, review, to_fsrs
from dlquiz.session import StudySession, record_review, status, streak
from dlquiz.stats import compute
from dlquiz.store import Store
from tests.lab import catalog_of, question_data

CONFIG = SchedulerConfig()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture
def zone(isolated_home: Path, monkeypatch: pytest.MonkeyPatch):
    """Move the process to another time zone, as a traveller's laptop does."""

    def move(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    move("UTC")
    yield move
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


@pytest.fixture
def store(tmp_path: Path, zone):
    s = Store.open(tmp_path / "days.db", now=utc(2027, 1, 1))
    yield s
    s.close()


def catalog(n: int):
    return catalog_of(*(question_data(f"q{i:02d}") for i in range(n)))


def learned_on_jan_4():
    """The issue's card: good, again, good, good on Jan 4, the last at 08:20 (UTC here)."""
    state = None
    for rating, minute in ((3, 0), (1, 10), (3, 11), (3, 20)):
        state = review(CONFIG, "cnn-resnet.gradient", state, rating, utc(2027, 1, 4, 8, minute))
    assert state is not None and state.state == REVIEW
    return state


# --- elapsed time in study days -----------------------------------------------------------------------------


def test_a_next_day_review_counts_as_a_day_before_or_after_the_exact_due_time(zone):
    state = learned_on_jan_4()
    assert parse_time(state.due) == utc(2027, 1, 5, 8, 20)
    early = review(CONFIG, state.card_id, state, 3, utc(2027, 1, 5, 8, 15))
    late = review(CONFIG, state.card_id, state, 3, utc(2027, 1, 5, 8, 25))
    assert early.stability == pytest.approx(late.stability, rel=1e-12)
    assert parse_time(early.due) - utc(2027, 1, 5, 8, 15) == parse_time(late.due) - utc(2027, 1, 5, 8, 25)
    assert parse_time(early.due) - utc(2027, 1, 5, 8, 15) >= timedelta(days=2)
    # What whole 24-hour periods gave at 08:15 (the bug): the same-day update, stability 0.93, 1 day.
    import fsrs

    from dlquiz.schedule import scheduler

    old, _ = scheduler(CONFIG).review_card(
        to_fsrs(state.card_id, state, utc(2027, 1, 5, 8, 15)), fsrs.Rating.Good, utc(2027, 1, 5, 8, 15)
    )
    assert old.stability == pytest.approx(0.93, abs=0.01) and early.stability > 2.5


def test_same_study_day_reviews_stay_short_term(zone):
    state = learned_on_jan_4()
    # 23:50 and 00:10 are one study day apart from nothing: both belong to Jan 4 (the day starts at 4 a.m.).
    late_night = review(CONFIG, state.card_id, state, 3, utc(2027, 1, 4, 23, 50))
    after_midnight = review(CONFIG, state.card_id, state, 3, utc(2027, 1, 5, 0, 10))
    at_two = review(CONFIG, state.card_id, state, 3, utc(2027, 1, 5, 2, 0))
    assert late_night.stability == after_midnight.stability == at_two.stability < 1.5
    next_morning = review(CONFIG, state.card_id, state, 3, utc(2027, 1, 5, 4, 0))
    assert next_morning.stability > 2.5


def test_good_ten_days_running_gives_growing_intervals(zone):
    state = learned_on_jan_4()
    plain = SchedulerConfig(fuzz=False)  # fuzz would blur the order of neighbouring intervals
    intervals = []
    for day in range(10):
        when = utc(2027, 1, 5 + day, 8, 0) - timedelta(minutes=5 * day)  # a little earlier each day
        state = review(plain, state.card_id, state, 3, when)
        intervals.append(round((parse_time(state.due) - when) / timedelta(days=1)))
    assert intervals == sorted(intervals) and intervals[-1] > intervals[0] >= 2
    assert intervals.count(1) == 0


def test_learning_steps_keep_their_minutes(zone):
    first = review(CONFIG, "q", None, 3, utc(2027, 1, 4, 3, 55))
    assert parse_time(first.due) - utc(2027, 1, 4, 3, 55) == timedelta(minutes=10)
    again = review(CONFIG, "q", first, 1, utc(2027, 1, 4, 4, 5))  # the next study day, a step all the same
    assert parse_time(again.due) - utc(2027, 1, 4, 4, 5) == timedelta(minutes=1)


# --- study days and zones -----------------------------------------------------------------------------------


def test_study_day_from_4am_in_the_zone_in_force(zone):
    zone("Asia/Shanghai")
    assert days.study_day(utc(2027, 1, 4, 18, 0)) == date(2027, 1, 4)  # 02:00 on Jan 5 in Shanghai
    assert days.study_day(utc(2027, 1, 4, 20, 0)) == date(2027, 1, 5)  # 04:00
    assert days.utc_offset(utc(2027, 1, 4)) == 480
    zone("America/Los_Angeles")
    assert days.study_day(utc(2027, 1, 4, 18, 0)) == date(2027, 1, 4)
    assert days.study_day(utc(2027, 1, 4, 18, 0), 480) == date(2027, 1, 4)  # a recorded offset wins
    # DST: on 2027-03-14 Los Angeles skips 02:00-03:00; the study day still starts at 04:00 PDT (11:00Z).
    assert days.utc_offset(utc(2027, 3, 14, 12)) == -420 and days.utc_offset(utc(2027, 3, 13, 12)) == -480
    assert days.study_day(utc(2027, 3, 14, 10, 59)) == date(2027, 3, 13)
    assert days.study_day(utc(2027, 3, 14, 11, 0)) == date(2027, 3, 14)
    assert days.day_start(utc(2027, 3, 14, 20)) == utc(2027, 3, 14, 11)
    assert days.day_start(utc(2027, 3, 13, 20)) == utc(2027, 3, 13, 12)


def test_going_west_keeps_the_study_day_until_the_local_day_changes():
    assert days.today(utc(2027, 1, 5, 2), None) == date(2027, 1, 4)  # TZ=UTC: 02:00
    assert days.today(utc(2027, 1, 5, 2), date(2027, 1, 5)) == date(2027, 1, 5)  # recorded one day ahead
    assert days.today(utc(2027, 1, 5, 2), date(2027, 1, 9)) == date(2027, 1, 4)  # a wrong clock: ignored


def study_daily(store: Store, n_cards: int, first: datetime, n_days: int) -> datetime:
    """Study every due card once a day at ``first``'s time of day; returns the moment after the last."""
    cat = catalog(n_cards)
    now = first
    for day in range(n_days):
        now = first + timedelta(days=day)
        session = StudySession(store, cat, now)
        while (card := session.next_card(now)) is not None:
            session.grade(card, 3, now)
            now += timedelta(seconds=20)
    return now


def test_a_move_from_shanghai_to_los_angeles_keeps_streak_heatmap_and_replay(store, zone):
    zone("Asia/Shanghai")
    # Twelve days of study at 21:00 Shanghai time, Jan 1-12.
    last = study_daily(store, 130, utc(2027, 1, 1, 13, 0), 12)  # new cards every day
    cat = catalog(130)
    before = compute(store, cat, last)
    assert before.streak == streak(store, last) == 12
    zone("America/Los_Angeles")  # the flight lands: it is Jan 12, 22:00 in Los Angeles
    after = compute(store, cat, last + timedelta(hours=9))
    assert after.streak == 12
    assert after.heatmap == before.heatmap and after.today == date(2027, 1, 12)
    assert status(store, cat, last + timedelta(hours=9))["reviewed_today"] > 0
    assert check(store, set(cat.index)).healthy  # replay counts the recorded days, not LA's
    # Study goes on in Los Angeles the next evening: the streak grows by one.
    study_daily(store, 130, utc(2027, 1, 14, 4, 0), 1)  # Jan 13, 20:00 in Los Angeles
    assert streak(store, utc(2027, 1, 14, 5)) == 13
    assert check(store, set(cat.index)).healthy


def test_sessions_at_2am_and_around_midnight_count_for_the_evening_before(store, zone):
    cat = catalog(4)
    for when in (utc(2027, 1, 4, 23, 50), utc(2027, 1, 5, 0, 10), utc(2027, 1, 5, 2, 0)):
        session = StudySession(store, cat, when)
        card = session.next_card(when)
        assert card is not None
        session.grade(card, 4, when)
    rows = store.conn.execute("SELECT study_day, utc_offset FROM reviews").fetchall()
    assert [tuple(r) for r in rows] == [("2027-01-04", 0)] * 3
    assert streak(store, utc(2027, 1, 5, 3)) == 1
    assert StudySession(store, cat, utc(2027, 1, 5, 3)).new_done == 3  # still "today"
    assert StudySession(store, cat, utc(2027, 1, 5, 4)).new_done == 0


def test_reviews_record_their_study_day_and_offset_across_dst(store, zone):
    zone("America/Los_Angeles")
    cat = catalog(2)
    for when in (utc(2027, 3, 13, 17), utc(2027, 3, 14, 17)):  # 09:00 PST, then 10:00 PDT
        session = StudySession(store, cat, when)
        session.grade(session.next_card(when), 4, when)
    rows = [tuple(r) for r in store.conn.execute("SELECT study_day, utc_offset FROM reviews ORDER BY id")]
    assert rows == [("2027-03-13", -480), ("2027-03-14", -420)]
    assert streak(store, utc(2027, 3, 14, 18)) == 2


def test_optimizer_items_count_recorded_study_days(store, zone):
    cat = catalog(1)
    card = cat.get("q00")
    session = StudySession(store, cat, utc(2027, 1, 4, 8))
    for when in (utc(2027, 1, 4, 8), utc(2027, 1, 4, 8, 10), utc(2027, 1, 5, 8, 5)):
        session.grade(card, 3, when)
    items, _ = build_items(study_reviews(store))
    assert len(items) == 1 and "delta_t: 1" in repr(items[0].reviews[-1])


def test_reviews_graded_before_study_days_replay_as_they_were_graded(store, zone):
    cat = catalog(1)
    card = cat.get("q00")
    stored = {k: v for k, v in SchedulerConfig().to_dict().items() if k != "elapsed"}  # as logged before
    old = SchedulerConfig.from_dict(stored)
    assert old.elapsed == PERIODS and SchedulerConfig().elapsed == STUDY_DAYS
    sid = store.scheduler_id(old.to_dict())
    steps = ((3, 0), (1, 10), (3, 11), (3, 20))
    for rating, minute in steps:
        graded = record_review(store, old, sid, card, rating, utc(2027, 1, 4, 8, minute), None, None)
    graded = record_review(store, old, sid, card, 3, utc(2027, 1, 5, 8, 15), None, None)
    assert graded.state.stability == pytest.approx(0.93, abs=0.01)  # the old count, kept by its config
    assert check(store, {"q00"}).healthy  # so doctor finds what it expects after the upgrade
    now = parse_time(graded.state.due)
    StudySession(store, cat, now).grade(card, 3, now)  # graded today: study days
    assert check(store, {"q00"}).healthy
    logged = {json.loads(r[0]).get("elapsed") for r in store.conn.execute("SELECT config FROM schedulers")}
    assert logged == {None, STUDY_DAYS}


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_history_files_carry_the_recorded_days(store, zone, tmp_path: Path, suffix: str):
    from dlquiz.history import export, import_file

    zone("Asia/Shanghai")
    cat = catalog(3)
    study_daily(store, 3, utc(2027, 1, 1, 17, 30), 3)  # 01:30 in Shanghai: the evening before
    path = tmp_path / f"log{suffix}"
    export(store, path)
    zone("America/Los_Angeles")
    other = Store.open(tmp_path / f"other{suffix}.db", now=utc(2027, 1, 5))
    try:
        import_file(other, path, now=utc(2027, 1, 5))  # the file's reviews are not in the future then
        days_of = [
            tuple(r) for r in other.conn.execute("SELECT study_day, utc_offset FROM reviews ORDER BY id")
        ]
        assert days_of == [
            tuple(r) for r in store.conn.execute("SELECT study_day, utc_offset FROM reviews ORDER BY id")
        ]
        assert days_of[0] == ("2027-01-01", 480)  # 01:30 on Jan 2 in Shanghai: the evening before
        assert check(other, set(cat.index)).healthy
    finally:
        other.close()


# --- the migration ------------------------------------------------------------------------------------------


def test_existing_reviews_get_their_study_day_back_filled(tmp_path: Path, zone):
    zone("Asia/Shanghai")
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    db = sqlite_utils.Database(conn)
    old = Migrations("dlquiz")
    shipped = [m for m in dlquiz_migrations.migrations._migrations if m.name < "m003"]
    for migration in shipped:
        old(name=migration.name)(migration.fn)
    old.apply(db)
    conn.execute(f"PRAGMA user_version = {len(shipped)}")
    for i, stamp in enumerate(("2027-01-04T19:30:00+00:00", "2027-01-04T20:30:00+00:00")):
        db["reviews"].insert(
            {"uid": f"u{i}", "card_id": "q00", "reviewed_at": stamp, "rating": 3, "kind": "study"}
        )
    conn.commit()
    conn.close()
    store = Store.open(path, now=utc(2027, 1, 6))
    try:
        rows = [tuple(r) for r in store.conn.execute("SELECT study_day, utc_offset FROM reviews ORDER BY id")]
    finally:
        store.close()
    # 03:30 and 04:30 in Shanghai: either side of the day's start.
    assert rows == [("2027-01-04", 480), ("2027-01-05", 480)]


# --- counts and the one forecast ----------------------------------------------------------------------------


def test_learning_steps_do_not_use_up_the_review_limit(store, zone):
    cat = catalog(8)
    day0 = utc(2027, 1, 1, 9)
    session = StudySession(store, cat, day0, new_limit=8)
    for card in cat.cards():
        session.grade(card, 4, day0)
    store.set_setting("reviews_per_day", 6)
    now = utc(2027, 3, 1, 9)  # all eight are due
    session = StudySession(store, cat, now)
    shown = 0
    while (card := session.next_card(now)) is not None and shown < 40:
        session.grade(card, 1 if shown < 3 else 3, now)  # the first three are forgotten: relearning steps
        shown += 1
        now += timedelta(minutes=4)
    reviewed = {
        r.card_id for r in store.all_reviews() if r.state_before and r.state_before["state"] == REVIEW
    }
    assert len(reviewed) == 6  # the limit counts reviews, not the relearning steps that followed the lapses
    assert StudySession(store, cat, now).reviews_done == 6
    assert status(store, cat, now)["reviewed_today"] == shown > 6  # what was done, steps included


def test_next_mixes_new_cards_as_study_does(store, zone):
    cat = catalog(12)
    day0 = utc(2027, 1, 1, 9)
    setup = StudySession(store, cat, day0, new_limit=8)
    for cid in [f"q{i:02d}" for i in range(8)]:
        setup.grade(cat.get(cid), 4, day0)
    now = utc(2027, 3, 1, 9)
    kinds = []
    for _ in range(12):  # one process per card, as `dlquiz next` then `dlquiz grade` do
        session = StudySession(store, cat, now)
        card = session.next_card(now)
        kinds.append("new" if int(card.id[1:]) >= 8 else "review")
        session.grade(card, 4, now)
        now += timedelta(seconds=30)
    assert kinds == ["review", "review", "new"] * 4


def test_due_tomorrow_is_tomorrow_only_and_status_says_when_a_step_is_due(store, zone):
    cat = catalog(3)
    now = utc(2027, 1, 4, 9)
    session = StudySession(store, cat, now)
    session.grade(cat.get("q00"), 4, now)  # review state, due in a few days
    session.grade(cat.get("q01"), 3, now)  # a learning step in 10 minutes (today)
    forecast = session.forecast(now, 30)
    assert forecast[0] == 1 and sum(forecast) == 2  # the step today, q00 on its day
    assert session.due_tomorrow(now) == forecast[1] == 0
    data = status(store, cat, now + timedelta(minutes=1))
    assert data["learning"] == 0 and data["learning_in_min"] == 9
    assert "9 min" in data["next_command"] or data["new_today"] > 0


def test_stats_forecast_includes_cards_the_interview_brings_forward(store, zone):
    cat = catalog(10)
    now = utc(2027, 1, 4, 9)
    session = StudySession(store, cat, now, new_limit=10)
    for card in cat.cards():
        session.grade(card, 4, now)  # long first intervals, past the interview
    set_plan(store, parse_plan("2027-01-20", 0.97, now))
    later = utc(2027, 1, 6, 9)
    stats = compute(store, cat, later)
    forecast = StudySession(store, cat, later).forecast(later, 30)
    assert stats.forecast == forecast
    assert sum(forecast[: 20 - 6 + 1]) > 0  # brought forward before the 20th


# --- the interview is a date on the calendar ----------------------------------------------------------------


def test_interview_set_in_shanghai_is_read_in_los_angeles_as_that_date(store, zone):
    zone("Asia/Shanghai")
    cat = catalog(2)
    set_plan(store, parse_plan("2027-02-24", 0.95, utc(2027, 1, 10, 2)))
    stored = store.get_setting("interview")
    assert stored == {"date": "2027-02-24", "target": 0.95}
    zone("America/Los_Angeles")
    evening = utc(2027, 2, 24, 2)  # Feb 23, 18:00 in Los Angeles
    data = interview_forecast(store, cat, evening)
    assert (data["passed"], data["days_left"], data["when"]) == (False, 1, "tomorrow")
    assert data["plan"]["at"].startswith("2027-02-24T17:00")  # 09:00 PST
    assert interview_forecast(store, cat, utc(2027, 2, 24, 20))["when"] == "today"
    gone = interview_forecast(store, cat, utc(2027, 3, 17, 20))
    assert gone["passed"] and gone["when"] == "was 21 days ago"
    assert days.when_words(5) == "in 5 days" and days.when_words(-1) == "was 1 day ago"
