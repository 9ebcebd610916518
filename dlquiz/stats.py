"""Figures for ``dlquiz stats``: pure functions of (store, catalog, now) returning a ``Stats`` result.

Days are study days (``dlquiz.days``: from 4 a.m.), as for the streak and the daily limits, so a review
at 1 a.m. counts for the day before; past reviews count on the study day they recorded, so a move to
another time zone leaves the heatmap as it was. Only the last weeks of the log are read row by
row; all-time totals are summed by SQLite.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from dlquiz import days
from dlquiz.model import Catalog
from dlquiz.schedule import REVIEW, parse_time, retrievability
from dlquiz.session import StudySession, scheduler_config, streak
from dlquiz.store import Store

HEATMAP_WEEKS = 12
FORECAST_DAYS = 30
RETENTION_WINDOWS = {"today": 1, "week": 7, "month": 30}  # study days, counting today
TIME_WINDOWS = {"today": 1, "week": 7, "month": 30}


def study_day(moment: datetime) -> date:
    """The local date of the study day that ``moment`` falls in."""
    return days.study_day(moment)


@dataclass(frozen=True)
class Retention:
    """True retention: the share of reviews of cards in the Review state that were recalled (rating > 1)."""

    recalled: int
    total: int

    @property
    def rate(self) -> float | None:
        return self.recalled / self.total if self.total else None

    def to_dict(self) -> dict[str, Any]:
        return {"recalled": self.recalled, "total": self.total, "rate": self.rate}


@dataclass(frozen=True)
class SectionMastery:
    section: str
    title: dict[str, str]
    cards: int
    reviewed: int
    recall_now: float  # mean predicted recall, never-reviewed cards counting 0
    recall_interview: float | None = None  # the same on the interview day with no more reviews, when set
    recall_kept_up: float | None = None  # on the interview day if the scheduled reviews are done (the plan's)


@dataclass(frozen=True)
class MockResult:
    started_at: str
    questions: int
    covered: int
    total: int
    seconds: float

    @property
    def score(self) -> float:
        return self.covered / self.total if self.total else 0.0


@dataclass(frozen=True)
class Stats:
    today: date
    heatmap: list[tuple[date, int]]  # every day from a Monday HEATMAP_WEEKS - 1 weeks back through today
    streak: int
    reviews: dict[str, int]  # today, week, month, all
    time_ms: dict[str, int]  # today, week, month, all
    retention: dict[str, Retention]  # today, week, month
    forecast: list[int]  # cards due on each of the next FORECAST_DAYS days; day 0 includes overdue ones
    mastery: list[SectionMastery]
    interview: dict[str, Any] | None = None  # date, days_left (and the plan's own forecast)
    mocks: list[MockResult] = field(default_factory=list)
    bad_rows: int = 0  # stored rows skipped because they are unsound (``dlquiz doctor`` lists them)

    def to_dict(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "streak": self.streak,
            "reviews": self.reviews,
            "time_ms": self.time_ms,
            "retention": {k: v.to_dict() for k, v in self.retention.items()},
            "heatmap": [{"date": d.isoformat(), "reviews": n} for d, n in self.heatmap],
            "forecast": [
                {"date": (self.today + timedelta(days=i)).isoformat(), "due": n}
                for i, n in enumerate(self.forecast)
            ],
            "mastery": [asdict(m) for m in self.mastery],
            "interview": self.interview,
            "mocks": [dict(asdict(m), score=m.score) for m in self.mocks],
            "bad_rows": self.bad_rows,
        }


# --- the pieces, each a pure function of plain data ---------------------------------------------------------


def heatmap(days: Iterable[date], today: date, weeks: int = HEATMAP_WEEKS) -> list[tuple[date, int]]:
    """Reviews per day from the Monday ``weeks - 1`` weeks before this week's through ``today``."""
    first = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    counts = Counter(d for d in days if first <= d <= today)
    return [
        (first + timedelta(days=i), counts[first + timedelta(days=i)])
        for i in range((today - first).days + 1)
    ]


def retention(facts: Iterable[tuple[date, int, str, int | None]], today: date, window_days: int) -> Retention:
    """True retention over the last ``window_days`` study days, from (day, rating, kind, state before).

    Only ``study`` reviews count: a cram review is an extra look that the schedule did not ask for.
    """
    first = today - timedelta(days=window_days - 1)
    recalled = total = 0
    for day, rating, kind, before in facts:
        if kind == "study" and before == REVIEW and first <= day <= today:
            total += 1
            recalled += rating > 1
    return Retention(recalled, total)


def due_forecast(dues: Iterable[date], today: date, days: int = FORECAST_DAYS) -> list[int]:
    """Cards due on each of the next ``days`` days; overdue cards are due today."""
    out = [0] * days
    for due in dues:
        index = max(0, (due - today).days)
        if index < days:
            out[index] += 1
    return out


def mock_results(mocks: Sequence[dict[str, Any]]) -> list[MockResult]:
    return [
        MockResult(
            started_at=m["started_at"],
            questions=len(m["answers"]),
            covered=sum(len(a["covered"]) for a in m["answers"]),
            total=sum(a["total"] for a in m["answers"]),
            seconds=sum(a["duration_ms"] or 0 for a in m["answers"]) / 1000,
        )
        for m in mocks
        if m["answers"]
    ]


# --- the whole report ---------------------------------------------------------------------------------------


def interview_day(store: Store, catalog: Catalog, now: datetime) -> dict[str, Any] | None:
    """The interview date and the plan's forecast, when ``dlquiz plan --interview`` has set one."""
    # INTERVIEW CALL SITE: dlquiz/plan.py (dlquiz plan --interview) provides interview_forecast. Until it
    # exists, or when no date is set, stats shows no interview column.
    try:
        from dlquiz.plan import interview_forecast  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    forecast = interview_forecast(store, catalog, now)
    plan = (forecast or {}).get("plan")
    when = _interview_date(plan if isinstance(plan, dict) else forecast or {})
    if when is None:
        return None
    days_left = forecast.get("days_left")
    if not isinstance(days_left, int):
        days_left = (when - study_day(now)).days
    from dlquiz.days import when_words

    at = plan.get("at") if isinstance(plan, dict) else None
    # The plan's "kept up" recall averages over studied cards; stats counts unseen cards as 0, so rescale.
    kept_up = {}
    for row in forecast.get("sections") or []:
        if isinstance(row, dict) and row.get("cards") and row.get("recall_kept_up") is not None:
            kept_up[row["section"]] = row["recall_kept_up"] * row.get("studied", 0) / row["cards"]
    return {
        "date": when.isoformat(),
        "at": at,
        "days_left": days_left,
        "when": when_words(days_left),
        "kept_up": kept_up,
        "forecast": forecast,
    }


def _interview_date(forecast: dict[str, Any]) -> date | None:
    for key in ("date", "interview", "interview_date", "day"):
        value = forecast.get(key)
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value[:10])
            except ValueError:
                continue
    return None


Fact = tuple[date, int, int, str, "int | None"]


def _fact(recorded_day: Any, rating: Any, ms: Any, kind: Any, before: Any) -> Fact | None:
    """A review row as (study day, rating, ms, kind, state before), or None when the row is unsound."""
    if rating not in (1, 2, 3, 4) or kind not in ("study", "cram"):
        return None
    try:
        day = date.fromisoformat(recorded_day)
    except (ValueError, TypeError):
        return None
    ms = ms if isinstance(ms, int) and 0 <= ms <= 86_400_000 else 0
    return day, rating, ms, kind, before if isinstance(before, int) else None


def compute(store: Store, catalog: Catalog, now: datetime) -> Stats:
    today = days.today(now, store.latest_study_day())
    earliest = today - timedelta(days=max(HEATMAP_WEEKS * 7, max(RETENTION_WINDOWS.values())))
    facts = []
    bad_rows = 0  # hand-edited rows are skipped and counted, never a crash (doctor lists them)
    for recorded_day, rating, ms, kind, before in store.review_facts(earliest):
        fact = _fact(recorded_day, rating, ms, kind, before)
        if fact is None:
            bad_rows += 1
        else:
            facts.append(fact)
    n_all, ms_all = store.review_totals()

    def since(n_days: int) -> list[tuple[date, int, int, str, int | None]]:
        first = today - timedelta(days=n_days - 1)
        return [f for f in facts if first <= f[0] <= today]

    reviews = {name: len(since(n)) for name, n in TIME_WINDOWS.items()} | {"all": n_all}
    time_ms = {name: sum(f[2] for f in since(n)) for name, n in TIME_WINDOWS.items()} | {"all": ms_all}
    rows = [(d, rating, kind, before) for d, rating, _, kind, before in facts]

    config = scheduler_config(store)
    states = store.card_states()
    cards = catalog.cards()
    # The one forecast (the queue's due dates, the interview plan's earlier ones included).
    forecast = StudySession(store, catalog, now).forecast(now, FORECAST_DAYS)

    interview = interview_day(store, catalog, now)
    # Predicted recall at the interview (the plan's time, else 09:00 local on the day).
    moment = None
    if interview:
        moment = (
            parse_time(interview["at"])
            if interview.get("at")
            else datetime.combine(date.fromisoformat(interview["date"]), time(9)).astimezone()
        )
    mastery = []
    for section in catalog.sections:
        members = [c for c in cards if c.section == section.id]
        if not members:
            continue
        reviewed = [states.get(c.id) for c in members]
        now_r = [_recall(config, s, now) for s in reviewed]
        day_r = [_recall(config, s, moment) for s in reviewed] if moment else None
        mastery.append(
            SectionMastery(
                section=section.id,
                title=section.title.to_dict(),
                cards=len(members),
                reviewed=sum(1 for s in reviewed if s is not None and s.state is not None),
                recall_now=sum(now_r) / len(members),
                recall_interview=sum(day_r) / len(members) if day_r is not None else None,
                recall_kept_up=interview["kept_up"].get(section.id) if interview else None,
            )
        )

    return Stats(
        today=today,
        heatmap=heatmap((f[0] for f in facts), today),
        streak=streak(store, now),
        reviews=reviews,
        time_ms=time_ms,
        retention={name: retention(rows, today, n) for name, n in RETENTION_WINDOWS.items()},
        forecast=forecast,
        mastery=mastery,
        interview=interview,
        mocks=mock_results(store.mocks()),
        bad_rows=bad_rows,
    )


def _recall(config: Any, state: Any, when: datetime) -> float:
    """Predicted recall; 0 for a stored state that cannot be read (edited by hand)."""
    try:
        return retrievability(config, state, when)
    except (ValueError, TypeError, OverflowError, ArithmeticError):
        return 0.0
