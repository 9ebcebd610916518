"""The interview plan: a date to be ready by, the recall to reach on it, and what to cram.

The rule that brings cards forward lives in ``schedule.plan_due`` (it is part of scheduling, and replay
must reproduce it); this module validates and stores the plan and forecasts recall on the day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Any

from dlquiz.days import when_words  # noqa: F401 (part of the plan's API)
from dlquiz.errors import DlquizError
from dlquiz.i18n import _
from dlquiz.model import Card, Catalog
from dlquiz.schedule import REVIEW, SchedulerConfig, iso, parse_time, recall_at, recall_on, review
from dlquiz.store import CardState, Store

DEFAULT_TARGET = 0.95
INTERVIEW_HOUR = 9  # local time: recall is predicted for a morning interview
TARGET_RANGE = (0.70, 0.99)


def interview_moment(day: date) -> datetime:
    """INTERVIEW_HOUR on ``day`` in the zone the user is in now, in UTC: the date is what is stored, so a
    plan made in Shanghai is read in Los Angeles as that date on the Los Angeles calendar."""
    return datetime.combine(day, time(INTERVIEW_HOUR)).astimezone().astimezone(timezone.utc)


@dataclass(frozen=True)
class Plan:
    date: str  # YYYY-MM-DD, the user's calendar date (the stored fact)
    at: str  # UTC ISO of INTERVIEW_HOUR on that date in the current zone (derived when read)
    target: float

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.date, "at": self.at, "target": self.target}

    def stored(self) -> dict[str, Any]:
        return {"date": self.date, "target": self.target}


def parse_plan(text: str, target: float, now: datetime) -> Plan:
    """A validated plan from ``--interview YYYY-MM-DD`` and ``--target``, or a DlquizError (exit 2)."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise DlquizError(
            _("the interview date must look like 2026-12-01 (YYYY-MM-DD), got {text!r}").format(text=text),
            hint=_("the date is your local calendar day"),
        ) from None
    local_now = now.astimezone()
    if day <= local_now.date():
        raise DlquizError(
            _("the interview date {day} is not in the future").format(day=day.isoformat()),
            hint=_("today is {today}; give a later date").format(today=local_now.date().isoformat()),
        )
    if not TARGET_RANGE[0] <= target <= TARGET_RANGE[1]:
        low, high = TARGET_RANGE
        raise DlquizError(
            _("--target must be between {low:.2f} and {high:.2f}, got {target}").format(
                low=low, high=high, target=target
            ),
            hint=_("the predicted recall to reach on the day; {default} is the default").format(
                default=DEFAULT_TARGET
            ),
        )
    return Plan(day.isoformat(), iso(interview_moment(day)), float(target))


def get_plan(store: Store) -> Plan | None:
    data = store.get_setting("interview")
    if not data:
        return None
    return Plan(data["date"], iso(interview_moment(date.fromisoformat(data["date"]))), float(data["target"]))


def set_plan(store: Store, plan: Plan) -> None:
    store.set_setting("interview", plan.stored())


def clear_plan(store: Store) -> bool:
    """Remove the plan; False if there was none."""
    had = store.get_setting("interview") is not None
    store.set_setting("interview", None)
    return had


def forecast_state(config: SchedulerConfig, state: CardState, until: datetime) -> CardState:
    """The card's state at ``until`` if every review due before then is done on time and recalled (Good)."""
    for _step in range(50):  # a handful in practice; bounded in case of a zero interval
        if state.state is None or not state.due:
            return state
        due = parse_time(state.due)
        if due >= until:
            return state
        state = review(config, state.card_id, state, 3, due, state.content_hash)
    return state


def _config(store: Store) -> SchedulerConfig:
    from dlquiz.session import scheduler_config

    return scheduler_config(store)


def interview_forecast(store: Store, catalog: Catalog, now: datetime) -> dict[str, Any]:
    """Days left and predicted recall on the interview day, overall and per section.

    ``recall_now`` is the recall on the day if no card is reviewed again; ``recall_kept_up`` assumes the
    reviews the scheduler asks for before the day are done and recalled. Both average over studied cards;
    cards never studied are counted apart (they will not be recalled by an unprepared candidate).
    """
    plan = get_plan(store)
    if plan is None:
        return {"plan": None}
    config = _config(store)
    at = parse_time(plan.at)
    day = date.fromisoformat(plan.date)
    from dlquiz.session import StudySession

    session = StudySession(store, catalog, now)
    states = store.card_states()
    sections: dict[str, dict[str, Any]] = {}

    def empty(section_id: str, title: str) -> dict[str, Any]:
        return {
            "section": section_id,
            "title": title,
            "cards": 0,
            "studied": 0,
            "recall_now": 0.0,
            "recall_kept_up": 0.0,
            "below_target": 0,
        }

    for section in catalog.sections:
        sections[section.id] = empty(section.id, section.title.get("en"))
    for card in catalog.cards():
        row = sections.setdefault(card.section, empty(card.section, card.section))
        row["cards"] += 1
        state = states.get(card.id)
        if state is None or state.state is None:
            continue
        row["studied"] += 1
        # Study days, as the scheduler counts them (the interview's is its date).
        r_now = recall_on(config, state, day, session.last_day(card.id))
        r_kept = recall_on(config, forecast_state(config, state, at), day) if now < at else r_now
        row["recall_now"] += r_now
        row["recall_kept_up"] += r_kept
        row["below_target"] += r_kept < plan.target
    total = {"cards": 0, "studied": 0, "recall_now": 0.0, "recall_kept_up": 0.0, "below_target": 0}
    rows = []
    for row in sections.values():
        if not row["cards"]:
            continue
        for key in total:
            total[key] += row[key]
        studied = row["studied"]
        row["expected_forgotten"] = round(studied - row["recall_kept_up"], 2)
        row["recall_now"] = round(row["recall_now"] / studied, 4) if studied else None
        row["recall_kept_up"] = round(row["recall_kept_up"] / studied, 4) if studied else None
        rows.append(row)
    studied = total["studied"]
    days_left = days_until(plan, now)
    return {
        "plan": plan.to_dict(),
        "days_left": days_left,
        "when": when_words(days_left),
        "passed": now >= at,
        # Cards due on each study day from today through the interview's (the one forecast, see session).
        "due_forecast": session.forecast(now, max(1, min(days_left, 365) + 1)),
        "cards": total["cards"],
        "studied": studied,
        "recall_now": round(total["recall_now"] / studied, 4) if studied else None,
        "recall_kept_up": round(total["recall_kept_up"] / studied, 4) if studied else None,
        "expected_forgotten": round(studied - total["recall_kept_up"], 2),
        "below_target": total["below_target"],
        "sections": rows,
    }


def cram_order(
    config: SchedulerConfig, cards: Sequence[Card], states: dict[str, CardState], now: datetime
) -> list[Card]:
    """Studied cards, lowest predicted recall on the interview day first (today, without a plan).

    Only cards in review are crammed: new and (re)learning cards are in the normal queue already.
    """
    when = parse_time(config.interview_at) if config.interview_at else now
    when = max(when, now)
    scored = []
    for i, card in enumerate(cards):
        state = states.get(card.id)
        if state is None or state.state != REVIEW:
            continue
        scored.append((recall_at(config, state, when), i, card))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [card for _, _, card in scored]


def days_until(plan: Plan, now: datetime) -> int:
    """Calendar days from today (in the current zone) to the interview; negative once it is past."""
    return (date.fromisoformat(plan.date) - now.astimezone().date()).days
