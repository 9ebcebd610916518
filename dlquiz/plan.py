"""The interview plan: a date to be ready by, the recall to reach on it, and what to cram.

The rule that brings cards forward lives in ``schedule.plan_due`` (it is part of scheduling, and replay
must reproduce it); this module validates and stores the plan and forecasts recall on the day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Any

from dlquiz.errors import DlquizError
from dlquiz.i18n import _
from dlquiz.model import Card, Catalog
from dlquiz.schedule import REVIEW, SchedulerConfig, iso, parse_time, recall_at, review
from dlquiz.store import CardState, Store

DEFAULT_TARGET = 0.95
INTERVIEW_HOUR = 9  # local time: recall is predicted for a morning interview
TARGET_RANGE = (0.70, 0.99)


@dataclass(frozen=True)
class Plan:
    date: str  # YYYY-MM-DD, the user's local date
    at: str  # UTC ISO of INTERVIEW_HOUR local time on that date
    target: float

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.date, "at": self.at, "target": self.target}


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
    at = datetime.combine(day, time(INTERVIEW_HOUR)).astimezone()  # local wall time, local zone
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
    return Plan(day.isoformat(), iso(at.astimezone(timezone.utc)), float(target))


def get_plan(store: Store) -> Plan | None:
    data = store.get_setting("interview")
    return Plan(data["date"], data["at"], float(data["target"])) if data else None


def set_plan(store: Store, plan: Plan) -> None:
    store.set_setting("interview", plan.to_dict())


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
        r_now = recall_at(config, state, at)
        r_kept = recall_at(config, forecast_state(config, state, at), at) if now < at else r_now
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
        "passed": now >= at,
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
    return (date.fromisoformat(plan.date) - now.astimezone().date()).days
