"""The interview plan: a date to be ready by, the recall to reach on it, and what to cram.

The rule that brings cards forward lives in ``schedule.plan_due`` (it is part of scheduling, and replay
must reproduce it); this module validates and stores the plan and forecasts recall on the day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from dlquiz.days import INTERVIEW_HOUR, interview_moment, when_words  # noqa: F401 (part of the plan's API)
from dlquiz.errors import DlquizError
from dlquiz.i18n import _
from dlquiz.model import Catalog
from dlquiz.schedule import SchedulerConfig, iso, parse_time, recall_on, review

# The plan builds on the study session (its forecast and card states); the session never imports the plan.
from dlquiz.session import StudySession, cram_order  # noqa: F401 (cram_order: part of the plan's API)
from dlquiz.settings import scheduler_config, settings
from dlquiz.store import CardState, Store

DEFAULT_TARGET = 0.95
TARGET_RANGE = (0.70, 0.99)


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
    session = StudySession(store, catalog, now)
    states = store.card_states()
    sections: dict[str, dict[str, Any]] = {}

    def empty(section_id: str, title: str, title_zh: str | None = None) -> dict[str, Any]:
        return {
            "section": section_id,
            "title": title,
            "title_zh": title_zh or title,
            "cards": 0,
            "studied": 0,
            "recall_now": 0.0,
            "recall_kept_up": 0.0,
            "below_target": 0,
        }

    for section in catalog.sections:
        sections[section.id] = empty(section.id, section.title.get("en"), section.title.get("zh"))
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
        # Readiness, the one number dlquiz, plan and stats show: recall on the day over all the cards,
        # unseen ones counted as forgotten (render.plan.READINESS says it in words).
        row["readiness"] = round(row["recall_kept_up"] / row["cards"], 4)
        row["expected_forgotten"] = round(studied - row["recall_kept_up"], 2)
        row["recall_now"] = round(row["recall_now"] / studied, 4) if studied else None
        row["recall_kept_up"] = round(row["recall_kept_up"] / studied, 4) if studied else None
        rows.append(row)
    studied = total["studied"]
    days_left = days_until(plan, now)
    from dlquiz.pace import pace

    values = settings(store)
    per_day = pace(
        total["cards"] - studied,
        days_left,
        config.parameters,
        config.desired_retention,
        int(values["reviews_per_day"]),
    )
    return {
        "plan": plan.to_dict(),
        "days_left": days_left,
        "when": when_words(days_left),
        "passed": now >= at,
        # Cards due on each study day from today through the interview's (the one forecast, see session).
        "due_forecast": session.forecast(now, max(1, min(days_left, 365) + 1)),
        "cards": total["cards"],
        "studied": studied,
        "readiness": round(total["recall_kept_up"] / total["cards"], 4) if total["cards"] else None,
        "pace": {**per_day.to_dict(), "new_per_day_setting": int(values["new_per_day"])},
        "recall_now": round(total["recall_now"] / studied, 4) if studied else None,
        "recall_kept_up": round(total["recall_kept_up"] / studied, 4) if studied else None,
        "expected_forgotten": round(studied - total["recall_kept_up"], 2),
        "below_target": total["below_target"],
        "sections": rows,
    }


def days_until(plan: Plan, now: datetime) -> int:
    """Calendar days from today (in the current zone) to the interview; negative once it is past."""
    return (date.fromisoformat(plan.date) - now.astimezone().date()).days
