"""The interview plan: validation, the bring-forward rule, exact replay with a plan, and cram."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from dlquiz.doctor import check
from dlquiz.model import Catalog
from dlquiz.plan import Plan, interview_forecast, interview_moment, set_plan
from dlquiz.schedule import PLAN_WINDOW_DAYS, REVIEW, SchedulerConfig, iso, parse_time, recall_at, review
from dlquiz.session import StudySession, undo_last
from dlquiz.store import CardState, Store
from tests.lab import catalog_of as lab_catalog
from tests.lab import question_data

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
INTERVIEW = NOW + timedelta(days=30)


@pytest.fixture(autouse=True)
def utc_local_time(isolated_home: Path):
    time.tzset()


def catalog_of(n: int) -> Catalog:
    return lab_catalog(*(question_data(f"q{i:02d}") for i in range(n)))


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "plan.db", now=NOW)
    yield s
    s.close()


# --- validation ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--interview", "2030-13-01"), "must look like"),
        (("--interview", "next friday"), "must look like"),
        (("--interview", "2001-01-01"), "is not in the future"),
        (("--interview", "2099-01-01", "--target", "1.5"), "between 0.70 and 0.99"),
        (("--interview", "2099-01-01", "--target", "0.5"), "between 0.70 and 0.99"),
        (("--target", "0.9"), "needs an interview date"),
        (("--clear", "--interview", "2099-01-01"), "--clear takes no"),
    ],
)
def test_plan_validation_errors_are_clean(cli, args, message):
    result = cli("plan", *args)
    assert result.exit_code == 2
    assert message in result.stderr and result.stderr.startswith("error:")
    assert "Traceback" not in result.output


def test_plan_is_stored_shown_and_cleared(cli):
    result = cli("plan", "--interview", "2099-01-01", "--target", "0.97", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["plan"]["date"] == "2099-01-01" and data["plan"]["target"] == 0.97
    assert "interview" in cli().stdout  # the status panel shows it
    assert cli("plan", "--clear").exit_code == 0
    assert cli("plan", "--clear").exit_code == 1  # nothing left to clear


# --- the rule ------------------------------------------------------------------------------------------


PLAN = SchedulerConfig(interview_at=iso(INTERVIEW), interview_target=0.95)
PLAIN = SchedulerConfig()


def reviewed(card_id: str, stability: float) -> CardState:
    """A review card last seen ``stability`` days ago, due now."""
    return CardState(
        card_id, REVIEW, None, stability, 5.0, iso(NOW), iso(NOW - timedelta(days=stability)), reps=4
    )


def test_card_jumping_past_the_interview_below_target_is_brought_forward():
    before = reviewed("weak", 12.0)
    plain = review(PLAIN, "weak", before, 3, NOW)
    assert parse_time(plain.due) > INTERVIEW and recall_at(PLAIN, plain, INTERVIEW) < 0.95  # the case at hand
    planned = review(PLAN, "weak", before, 3, NOW)
    due = parse_time(planned.due)
    assert INTERVIEW - timedelta(days=PLAN_WINDOW_DAYS) <= due <= INTERVIEW - timedelta(days=1)
    assert replace(planned, due=plain.due) == plain  # only the due date moved; the memory state is FSRS's
    # A successful review there reaches the target on the day, and is not brought forward again.
    after = review(PLAN, "weak", planned, 3, due)
    assert recall_at(PLAN, after, INTERVIEW) >= 0.95 and parse_time(after.due) > INTERVIEW


def test_card_above_target_on_the_day_is_left_alone():
    before = reviewed("strong", 400.0)
    plain = review(PLAIN, "strong", before, 3, NOW)
    assert parse_time(plain.due) > INTERVIEW and recall_at(PLAIN, plain, INTERVIEW) >= 0.95
    assert review(PLAN, "strong", before, 3, NOW) == plain


def test_brought_forward_cards_are_spread_over_the_last_days():
    dues = {parse_time(review(PLAN, f"c{i}", reviewed(f"c{i}", 12.0), 3, NOW).due).date() for i in range(40)}
    assert len(dues) >= 3 and all(d < INTERVIEW.date() for d in dues)


# --- replay with a plan, and the status forecast -------------------------------------------------------


def test_doctor_replays_exactly_with_a_plan_active(store):
    catalog = catalog_of(12)
    interview = interview_moment(date(2026, 3, 16))  # the plan's hour on its date, in the local zone
    set_plan(store, Plan("2026-03-16", iso(interview), 0.97))
    now = NOW
    for day in range(13):
        now = NOW + timedelta(days=day)
        session = StudySession(store, catalog, now, new_limit=12 if day == 0 else 0)
        while (card := session.next_card(now)) is not None:
            session.grade(card, 1 if (day + len(session.graded)) % 7 == 0 else 3, now)
            now += timedelta(minutes=2)
    report = check(store, set(catalog.index))
    assert report.healthy and report.cards_checked == 12 and report.mismatched == []
    # ...and the plan did move cards: some stored due dates differ from plain FSRS for the same review.
    moved = 0
    for r in store.all_reviews():
        config = SchedulerConfig.from_dict(store.scheduler_config(r.scheduler_id))
        assert config.interview_at == iso(interview)
        before = CardState(**r.state_before) if r.state_before else None
        plain = review(
            replace(config, interview_at=None, interview_target=None),
            r.card_id,
            before,
            r.rating,
            parse_time(r.reviewed_at),
            r.content_hash,
        )
        moved += plain.due != r.state_after["due"]
    assert moved >= 1
    forecast = interview_forecast(store, catalog, now)
    assert forecast["days_left"] == 2 and forecast["studied"] == 12
    assert forecast["recall_kept_up"] >= 0.9 and forecast["sections"][0]["section"] == "lab"


# --- cram ----------------------------------------------------------------------------------------------


def test_cram_leaves_states_alone_is_logged_and_undone(store):
    catalog = catalog_of(4)
    session = StudySession(store, catalog, NOW, new_limit=4)
    for card in catalog.cards():
        session.grade(card, 4, NOW)  # Easy: straight to review
    later = NOW + timedelta(days=1)
    session.grade(catalog.get("q02"), 1, later)  # a lapse: the weakest card on the day
    set_plan(store, Plan("2026-03-12", iso(NOW + timedelta(days=10)), 0.95))
    states = store.card_states()
    cram = StudySession(store, catalog, later, cram=True)
    first = cram.next_card(later)
    assert first is not None and cram.counts(later).due == len(cram.cram_queue)
    weakest = min(
        cram.cram_queue, key=lambda c: recall_at(cram.config, states[c.id], NOW + timedelta(days=10))
    )
    assert first.id == weakest.id
    n_before = store.conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]
    cram.grade(first, 1, later)
    assert store.card_states() == states  # no state changed
    last = store.conn.execute("SELECT kind, card_id FROM reviews ORDER BY id DESC LIMIT 1").fetchone()
    assert tuple(last) == ("cram", first.id)
    assert cram.next_card(later).id != first.id  # each card once per cram session
    assert check(store, set(catalog.index)).healthy  # replay ignores cram reviews
    assert cram.undo() == first.id
    assert store.conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == n_before
    assert store.card_states() == states
    assert undo_last(store)[0] == "q02"  # the next undo reaches the study review before it


def test_study_cram_from_the_command_line(cli, isolated_home):
    for card_id in ("bn-backward", "opt-newton"):
        assert cli("grade", card_id, "easy").exit_code == 0
    db = isolated_home / "dlquiz.db"
    store = Store.open(db)
    states = store.card_states()
    store.close()
    result = cli("study", "--cram", input="\n3\nq\n")
    assert result.exit_code == 0, result.output
    store = Store.open(db)
    kinds = [r.kind for r in store.all_reviews()]
    assert store.card_states() == states
    store.close()
    assert kinds.count("cram") == 1 and kinds.count("study") == 2
    assert cli("undo").exit_code == 0
    store = Store.open(db)
    assert [r.kind for r in store.all_reviews()] == ["study", "study"]
    store.close()
