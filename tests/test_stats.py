"""dlquiz stats: the pure pieces on hand-made data, the whole report on a real store, and the command."""

from __future__ import annotations

import json
import sys
import time
import types
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from dlquiz.model import Catalog
from dlquiz.schedule import REVIEW
from dlquiz.session import StudySession
from dlquiz.stats import Retention, compute, due_forecast, heatmap, mock_results, retention, study_day
from dlquiz.store import Store
from tests.lab import catalog_of, flat, question_data

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=timezone.utc)  # a Wednesday noon
TODAY = date(2026, 3, 4)


@pytest.fixture(autouse=True)
def utc_local_time(isolated_home: Path):
    time.tzset()


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "stats.db", now=NOW)
    yield s
    s.close()


def two_sections() -> Catalog:
    qs = [question_data("a1", "alpha"), question_data("a2", "alpha"), question_data("b1", "beta")]
    return catalog_of(*qs, titles={"alpha": ("Alpha", "甲"), "beta": ("Beta", "乙")})


# --- pure pieces ----------------------------------------------------------------------------------------


def test_study_day_starts_at_four_in_the_morning():
    assert study_day(datetime(2026, 3, 4, 3, 59, tzinfo=timezone.utc)) == date(2026, 3, 3)
    assert study_day(datetime(2026, 3, 4, 4, 0, tzinfo=timezone.utc)) == date(2026, 3, 4)


def test_heatmap_counts_per_day_from_a_monday_twelve_weeks_back():
    days = [TODAY, TODAY, date(2026, 3, 2), date(2025, 12, 15), date(2025, 12, 14), date(2026, 3, 5)]
    cells = heatmap(days, TODAY)
    assert (
        cells[0][0] == date(2025, 12, 15) and cells[0][0].weekday() == 0
    )  # the Monday 11 weeks before this one
    assert cells[-1][0] == TODAY and len(cells) == 7 * 11 + 3
    counts = dict(cells)
    assert counts[TODAY] == 2 and counts[date(2026, 3, 2)] == 1 and counts[date(2025, 12, 15)] == 1
    assert counts[date(2026, 3, 3)] == 0
    assert sum(counts.values()) == 4  # the day before the grid and the day after today are left out


def test_true_retention_on_a_hand_made_log():
    d0, d1, d8 = TODAY, TODAY - timedelta(days=1), TODAY - timedelta(days=8)
    log = [
        (d0, 3, "study", REVIEW),
        (d0, 1, "study", REVIEW),  # today: 1 of 2
        (d0, 1, "study", 1),  # a learning step: not a review-state card
        (d0, 3, "study", None),  # a new card
        (d0, 1, "cram", REVIEW),  # cram does not count
        (d1, 2, "study", REVIEW),
        (d1, 4, "study", REVIEW),  # yesterday: 2 of 2 (Hard is recalled)
        (d8, 1, "study", REVIEW),  # 8 days ago: only in the month
    ]
    assert retention(log, TODAY, 1) == Retention(1, 2)
    assert retention(log, TODAY, 7) == Retention(3, 4)
    assert retention(log, TODAY, 30) == Retention(3, 5)
    assert retention(log, TODAY, 30).rate == pytest.approx(0.6)
    assert retention([], TODAY, 7).rate is None


def test_due_forecast_puts_overdue_cards_today_and_drops_later_ones():
    dues = [
        TODAY - timedelta(days=3),
        TODAY,
        TODAY + timedelta(days=1),
        TODAY + timedelta(days=1),
        TODAY + timedelta(days=29),
        TODAY + timedelta(days=30),
    ]
    forecast = due_forecast(dues, TODAY)
    assert len(forecast) == 30
    assert forecast[:3] == [2, 2, 0] and forecast[29] == 1 and sum(forecast) == 5


def test_mock_results_score_per_mock():
    mocks = [
        {
            "started_at": "2026-03-01T10:00:00",
            "answers": [
                {"covered": [0, 1], "total": 4, "duration_ms": 60_000},
                {"covered": [], "total": 2, "duration_ms": 30_000},
            ],
        },
        {"started_at": "2026-03-02T10:00:00", "answers": []},
    ]
    [result] = mock_results(mocks)
    assert (result.questions, result.covered, result.total, result.seconds) == (2, 2, 6, 90.0)
    assert result.score == pytest.approx(1 / 3)


# --- the whole report on a real store -------------------------------------------------------------------


def test_compute_on_a_graded_history(store):
    catalog = two_sections()
    a1, a2 = catalog.get("a1"), catalog.get("a2")
    day0 = NOW - timedelta(days=20)
    session = StudySession(store, catalog, day0)
    session.grade(a1, 3, day0, 10_000)  # learning
    session.grade(a1, 4, day0 + timedelta(minutes=1), 5_000)  # Easy: now in Review
    session.grade(a2, 4, day0, 2_000)  # Easy on first sight: Review
    later = NOW - timedelta(hours=1)
    session = StudySession(store, catalog, later)
    session.grade(a1, 1, later, 20_000)  # forgot: a lapse in the true-retention sense
    session.grade(a2, 3, later + timedelta(minutes=5), 1_000)
    stats = compute(store, catalog, NOW)
    assert stats.today == TODAY
    assert stats.reviews == {"today": 2, "week": 2, "month": 5, "all": 5}
    assert stats.time_ms == {"today": 21_000, "week": 21_000, "month": 38_000, "all": 38_000}
    assert stats.retention["today"] == Retention(1, 2)
    assert stats.retention["month"] == Retention(1, 2)  # the first reviews were of new cards
    counts = dict(stats.heatmap)
    assert counts[TODAY] == 2 and counts[study_day(day0)] == 3
    assert stats.streak == 1
    # a1 relearns today; a2 is due when its state says, if within 30 days; b1 was never seen.
    a2_in = (study_day(datetime.fromisoformat(store.card_state("a2").due)) - TODAY).days
    assert stats.forecast[0] == 1 and sum(stats.forecast) == 1 + (a2_in < 30)
    assert a2_in >= 30 or stats.forecast[a2_in] == 1
    alpha, beta = stats.mastery
    assert (alpha.section, alpha.cards, alpha.reviewed) == ("alpha", 2, 2)
    assert 0.5 < alpha.recall_now <= 1.0
    assert (beta.section, beta.reviewed, beta.recall_now) == ("beta", 0, 0.0)  # never reviewed counts 0
    assert alpha.recall_interview is None and stats.interview is None
    data = stats.to_dict()
    assert data["retention"]["today"] == {"recalled": 1, "total": 2, "rate": 0.5}
    assert len(data["forecast"]) == 30 and data["forecast"][0]["date"] == "2026-03-04"
    json.dumps(data)  # plain data all the way down


def test_interview_day_from_the_plan(store, monkeypatch):
    catalog = two_sections()
    session = StudySession(store, catalog, NOW - timedelta(days=2))
    session.grade(catalog.get("a1"), 4, NOW - timedelta(days=2))
    forecast = {
        "plan": {"date": "2026-04-03", "at": "2026-04-03T09:00:00+00:00", "target": 0.9},
        "days_left": 30,
        "sections": [{"section": "alpha", "cards": 2, "studied": 1, "recall_kept_up": 0.96}],
    }
    fake = types.ModuleType("dlquiz.plan")
    fake.interview_forecast = lambda store, catalog, now: forecast  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "dlquiz.plan", fake)
    stats = compute(store, catalog, NOW)
    assert stats.interview is not None
    assert (stats.interview["date"], stats.interview["days_left"]) == ("2026-04-03", 30)
    alpha, beta = stats.mastery
    assert alpha.recall_interview is not None and 0 < alpha.recall_interview < alpha.recall_now
    assert alpha.recall_kept_up == pytest.approx(0.48)  # the plan's 0.96 over 1 studied card, of 2 cards
    assert beta.recall_interview == 0.0 and beta.recall_kept_up is None
    fake.interview_forecast = lambda store, catalog, now: {"plan": None}  # type: ignore[attr-defined]
    assert compute(store, catalog, NOW).interview is None


def test_stats_with_a_real_interview_plan(cli):
    target = (datetime.now(timezone.utc) + timedelta(days=20)).date().isoformat()
    if cli("plan", "--help").exit_code != 0:
        pytest.skip("dlquiz plan is not available")
    assert cli("plan", "--interview", target).exit_code == 0
    assert cli("grade", "bn-what", "easy").exit_code == 0
    data = json.loads(cli("stats", "--json").output)
    assert data["interview"]["date"] == target and data["interview"]["days_left"] in (19, 20)
    bn = next(m for m in data["mastery"] if m["section"] == "batch-norm")
    assert bn["recall_interview"] is not None and bn["recall_kept_up"] is not None
    assert "interview day" in flat(cli("stats").output)


# --- the command ----------------------------------------------------------------------------------------


def test_stats_json_on_an_empty_home(cli):
    result = cli("stats", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["reviews"]["all"] == 0 and data["streak"] == 0
    assert len(data["forecast"]) == 30 and sum(f["due"] for f in data["forecast"]) == 0
    assert 7 * 11 < len(data["heatmap"]) <= 7 * 12
    assert {m["section"] for m in data["mastery"]} == {"batch-norm", "cnn", "loss", "optimization"}
    assert all(m["recall_now"] == 0 for m in data["mastery"]) and data["mocks"] == []


def test_stats_after_grading_and_the_screen(cli):
    assert cli("grade", "bn-what", "easy").exit_code == 0
    data = json.loads(cli("stats", "--json").output)
    assert data["reviews"]["today"] == 1 and data["streak"] == 1
    assert data["heatmap"][-1]["reviews"] == 1
    bn = next(m for m in data["mastery"] if m["section"] == "batch-norm")
    assert bn["reviewed"] == 1 and 0 < bn["recall_now"] < 1
    for width in ("80", "120"):
        text = cli("stats", env={"COLUMNS": width}).output
        assert all(len(line) <= int(width) for line in text.splitlines())
        for heading in (
            "reviews · last 12 weeks",
            "due forecast",
            "mastery",
            "mock interviews",
            "streak 1 day",
        ):
            assert heading in text
        assert "Batch normalization" in text and "No mock interviews yet" in text


@pytest.mark.parametrize("width", [20, 24, 30, 40, 52, 64])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_stats_is_whole_in_a_narrow_terminal(cli, width, lang):
    """Nothing cut or wrapped apart: every section with its percentage, every period, every title."""
    from rich.cells import cell_len

    assert cli("grade", "bn-what", "easy").exit_code == 0
    data = json.loads(cli("stats", "--json").output)
    text = cli("stats", "--lang", lang, env={"COLUMNS": str(width)}).output
    lines = text.splitlines()
    assert all(cell_len(line) <= width for line in lines)
    assert "…" not in text
    words = flat(text).replace(" ", "")
    for word in ("Batch", "normalization") if lang == "en" else ("批归一化",):  # a name may fold in its cell
        assert word in words
    bar_lines = [line for line in lines if ("·" in line or "█" in line) and "%" in line]
    assert len(bar_lines) >= len(data["mastery"])
    periods = ("today", "7 days", "30 days") if lang == "en" else ("今天", "近7天", "近30天")
    assert all(p.replace(" ", "") in words for p in periods)
    title = "mastery·meanpredictedrecall(unseencardscount0)" if lang == "en" else "掌握程度"
    assert title in words
