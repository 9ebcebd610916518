"""Glue over the ``fsrs`` package: pure functions of (config, state, rating, now).

Elapsed time is counted in study days (``dlquiz.days``), as Anki counts it: fsrs counts whole 24-hour
periods, so it is given a last review moved to exactly that many days before ``now`` (the card's stored
``last_review`` stays the real moment). Within one study day that is 0 days: learning steps and same-day
reviews get fsrs's short-term update, and their intervals stay in minutes.

Fuzz is on, as in Anki, but drawn from a generator seeded by the card id and its review count, so an
undo followed by the same grade, or a replay of the log, lands on exactly the same due date.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

import fsrs

from dlquiz.days import elapsed, study_day
from dlquiz.i18n import N_, _
from dlquiz.store import CardState

# How elapsed time between reviews is counted: in study days (dlquiz.days, since issue 16), or in whole
# 24-hour periods as py-fsrs counts by itself (every review logged before; their configs lack the key, so a
# replay grades them as they were graded and ``doctor`` finds the stored states it expects).
STUDY_DAYS, PERIODS = "study_days", "periods"

RATINGS = {"again": 1, "hard": 2, "good": 3, "easy": 4}
RATING_NAMES = {v: k.capitalize() for k, v in RATINGS.items()}
# The same names for the screen, marked for the interface catalog (Anki's Chinese names: 重来 困难 良好 简单).
SHOWN_RATING_NAMES = {1: N_("Again"), 2: N_("Hard"), 3: N_("Good"), 4: N_("Easy")}


def rating_name(rating: int) -> str:
    """A grade's name in the interface language."""
    return _(SHOWN_RATING_NAMES[rating])


LEARNING, REVIEW, RELEARNING = 1, 2, 3


@dataclass(frozen=True)
class SchedulerConfig:
    desired_retention: float = 0.9
    parameters: tuple[float, ...] = field(default_factory=lambda: tuple(fsrs.scheduler.DEFAULT_PARAMETERS))
    learning_steps_min: tuple[float, ...] = (1.0, 10.0)
    relearning_steps_min: tuple[float, ...] = (10.0,)
    maximum_interval: int = 36500
    fuzz: bool = True
    # An interview plan (``dlquiz plan``): the moment of the interview (UTC ISO) and the recall to reach
    # on it. Part of the config stored with each review, so a replay brings cards forward exactly as the
    # live session did.
    interview_at: str | None = None
    interview_target: float | None = None
    # The interview's calendar date (YYYY-MM-DD): its study day, whatever the zone of a later replay.
    interview_date: str | None = None
    elapsed: str = STUDY_DAYS  # STUDY_DAYS or PERIODS (see above)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "desired_retention": self.desired_retention,
            "parameters": list(self.parameters),
            "learning_steps_min": list(self.learning_steps_min),
            "relearning_steps_min": list(self.relearning_steps_min),
            "maximum_interval": self.maximum_interval,
            "fuzz": self.fuzz,
        }
        if self.interview_at is not None:  # absent otherwise: configs stored before plans keep their ids
            data["interview_at"] = self.interview_at
            data["interview_target"] = self.interview_target
        if self.interview_date is not None:
            data["interview_date"] = self.interview_date
        if self.elapsed != PERIODS:  # absent for the old count, so configs stored before keep their ids
            data["elapsed"] = self.elapsed
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SchedulerConfig:
        return cls(
            desired_retention=float(data["desired_retention"]),
            parameters=tuple(float(p) for p in data["parameters"]),
            learning_steps_min=tuple(data["learning_steps_min"]),
            relearning_steps_min=tuple(data["relearning_steps_min"]),
            maximum_interval=int(data["maximum_interval"]),
            fuzz=bool(data["fuzz"]),
            interview_at=data.get("interview_at"),
            interview_target=(
                float(data["interview_target"]) if data.get("interview_target") is not None else None
            ),
            interview_date=data.get("interview_date"),
            elapsed=str(data.get("elapsed", PERIODS)),
        )

    def interview_day(self) -> date | None:
        """The interview's study day: its date, or (configs stored before dates) that of its moment."""
        if self.interview_date is not None:
            return date.fromisoformat(self.interview_date)
        return study_day(parse_time(self.interview_at)) if self.interview_at is not None else None


_SCHEDULERS: dict[SchedulerConfig, fsrs.Scheduler] = {}


def scheduler(config: SchedulerConfig) -> fsrs.Scheduler:
    found = _SCHEDULERS.get(config)
    if found is None:
        found = fsrs.Scheduler(
            parameters=config.parameters,
            desired_retention=config.desired_retention,
            learning_steps=tuple(timedelta(minutes=m) for m in config.learning_steps_min),
            relearning_steps=tuple(timedelta(minutes=m) for m in config.relearning_steps_min),
            maximum_interval=config.maximum_interval,
            enable_fuzzing=config.fuzz,
        )
        _SCHEDULERS[config] = found
    return found


def _fsrs_id(card_id: str) -> int:
    # fsrs wants an int id (and would sleep 1 ms to invent one): derive a stable one from ours.
    return int.from_bytes(hashlib.sha256(card_id.encode()).digest()[:6], "big")


def to_fsrs(card_id: str, state: CardState | None, now: datetime) -> fsrs.Card:
    if state is None or state.state is None:
        return fsrs.Card(card_id=_fsrs_id(card_id), due=now)
    return fsrs.Card(
        card_id=_fsrs_id(card_id),
        state=fsrs.State(state.state),
        step=state.step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=parse_time(state.due) if state.due else now,
        last_review=parse_time(state.last_review) if state.last_review else None,
    )


def parse_time(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def iso(value: datetime) -> str:
    return value.astimezone(timezone.utc).isoformat(timespec="microseconds")


def days_since(
    state: CardState | None, now: datetime, today: date | None, last_day: date | None
) -> int | None:
    """Study days from the card's last review to ``now``; None for a card never reviewed.

    ``today`` and ``last_day`` are the recorded study days when known (the log's, so a replay in another
    time zone counts what the learner lived); each missing one is the local study day of its moment.
    """
    if state is None or not state.last_review:
        return None
    return elapsed(last_day or study_day(parse_time(state.last_review)), today or study_day(now))


def review(
    config: SchedulerConfig,
    card_id: str,
    state: CardState | None,
    rating: int,
    now: datetime,
    content_hash: str | None = None,
    today: date | None = None,
    last_day: date | None = None,
) -> CardState:
    """The state after grading ``card_id`` with ``rating`` at ``now`` (UTC-aware).

    ``today`` is the study day of ``now`` and ``last_day`` that of the card's last review, when recorded.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(timezone.utc)
    before = to_fsrs(card_id, state, now)
    days = days_since(state, now, today, last_day) if config.elapsed == STUDY_DAYS else None
    if days is not None:
        # fsrs takes (now - last_review).days: make it the study days (the real moment is kept below).
        before.last_review = now - timedelta(days=days)
    reps = state.reps if state else 0
    seed = int.from_bytes(hashlib.sha256(f"{card_id}:{reps}".encode()).digest()[:8], "big")
    saved = random.getstate()
    random.seed(seed)  # fsrs draws its fuzz from the global generator
    try:
        after, _log = scheduler(config).review_card(before, fsrs.Rating(rating), review_datetime=now)
    finally:
        random.setstate(saved)
    lapses = (state.lapses if state else 0) + (1 if before.state == fsrs.State.Review and rating == 1 else 0)
    after_state = CardState(
        card_id=card_id,
        state=int(after.state),
        step=after.step,
        stability=after.stability,
        difficulty=after.difficulty,
        due=iso(after.due),
        last_review=iso(after.last_review) if after.last_review else None,
        reps=reps + 1,
        lapses=lapses,
        content_hash=content_hash,
        buried_until=None,
    )
    if config.interview_at is not None:
        forward = plan_due(config, after_state, now, today)
        if forward is not None:
            after_state = replace(after_state, due=iso(forward))
    return after_state


# --- the interview plan ------------------------------------------------------------------------------------

PLAN_WINDOW_DAYS = 4  # brought-forward reviews are spread over the last four days before the interview


def recall(parameters: tuple[float, ...], stability: float, elapsed_days: float) -> float:
    """FSRS-6's forgetting curve (any number of days; the scheduler itself uses whole study days)."""
    decay = -parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    return float((1 + factor * max(0.0, elapsed_days) / stability) ** decay)


def recall_at(config: SchedulerConfig, state: CardState | None, when: datetime) -> float:
    """Predicted probability of recall at ``when`` (0 for a card never reviewed), fractional days."""
    if state is None or state.state is None or not state.stability or not state.last_review:
        return 0.0
    days = (when - parse_time(state.last_review)).total_seconds() / 86400
    return recall(config.parameters, state.stability, days)


def recall_on(
    config: SchedulerConfig, state: CardState | None, day: date, last_day: date | None = None
) -> float:
    """Predicted recall on study day ``day``, counted in study days since the last review, as the
    scheduler counts them (0 for a card never reviewed)."""
    if state is None or state.state is None or not state.stability or not state.last_review:
        return 0.0
    days = elapsed(last_day or study_day(parse_time(state.last_review)), day) or 0
    return recall(config.parameters, state.stability, days)


def _stability_after_recall(config: SchedulerConfig, state: CardState, when: datetime, days: int) -> float:
    card = to_fsrs(state.card_id, state, when)
    if config.elapsed == STUDY_DAYS:
        card.last_review = when - timedelta(days=days)
    plain = scheduler(replace(config, fuzz=False))
    after, _log = plain.review_card(card, fsrs.Rating.Good, review_datetime=when)
    return float(after.stability)


def plan_due(
    config: SchedulerConfig, state: CardState, now: datetime, today: date | None = None
) -> datetime | None:
    """The earlier due date the interview plan gives a card just reviewed at ``now``, or None to keep FSRS's.

    A card is brought forward only when FSRS would next show it after the interview and its predicted
    recall on the day is below the target. It then gets one review in the last ``PLAN_WINDOW_DAYS`` days
    before the interview, on a day from which a successful review keeps it above the target through the
    interview; the day is picked by a hash of the card and its review count, so such cards spread over the
    window instead of piling up on the eve, and a replay picks the same day. Days are study days: ``today``
    is the study day of ``now`` (recorded, or the local one), the interview's is its date.
    """
    if config.interview_at is None or config.interview_target is None or state.state != REVIEW:
        return None
    if not state.stability or not state.last_review or not state.due:
        return None
    at = parse_time(config.interview_at)
    day = config.interview_day()
    assert day is not None
    today = today or study_day(now)
    due = parse_time(state.due)
    if now >= at or due <= at:
        return None  # the interview has passed, or FSRS already shows the card before it
    target = config.interview_target
    periods = config.elapsed == PERIODS  # as graded before study days (fractional days, a 20-hour gap)
    if (recall_at(config, state, at) if periods else recall_on(config, state, day, today)) >= target:
        return None
    candidates = []
    for days_before in range(1, PLAN_WINDOW_DAYS + 1):
        slot_day = day - timedelta(days=days_before)
        slot = at - timedelta(days=days_before)
        if (slot < now + timedelta(hours=20)) if periods else (slot_day <= today):
            break  # a brought-forward review lands on a later study day, not the same one
        stability = _stability_after_recall(config, state, slot, (slot_day - today).days)
        if recall(config.parameters, stability, days_before) >= target:
            candidates.append(slot)
    if not candidates:
        # Too close to the interview for a review on a later day, or no single review in the window is
        # enough: one more look on the eve (or later today) is the best a single review can do.
        eve = at - timedelta(days=1)
        if eve > now + timedelta(hours=1):
            return eve
        return None
    pick = int.from_bytes(hashlib.sha256(f"{state.card_id}:{state.reps}:plan".encode()).digest()[:4], "big")
    return candidates[pick % len(candidates)]


def preview(
    config: SchedulerConfig,
    card_id: str,
    state: CardState | None,
    now: datetime,
    today: date | None = None,
    last_day: date | None = None,
) -> dict[int, timedelta]:
    """What each grade would give: rating -> time until due."""
    return {
        r: parse_time(review(config, card_id, state, r, now, None, today, last_day).due) - now
        for r in RATINGS.values()
    }


def retrievability(config: SchedulerConfig, state: CardState | None, when: datetime) -> float:
    """Predicted probability of recall at ``when`` (0 for a card never reviewed), in study days."""
    return recall_on(config, state, study_day(when))


def replay(card_id: str, steps: list[tuple[SchedulerConfig, int, datetime, str | None]]) -> CardState | None:
    """The state reached by grading ``card_id`` through ``steps`` of (config, rating, time, content hash)."""
    state: CardState | None = None
    for config, rating, when, content in steps:
        state = review(config, card_id, state, rating, when, content)
    return state


def format_interval(delta: timedelta) -> str:
    seconds = max(0, delta.total_seconds())
    if seconds < 3600:
        return _("{n}m").format(n=max(1, round(seconds / 60)))
    if seconds < 86400:
        return _("{n}h").format(n=round(seconds / 3600))
    days = seconds / 86400
    if days < 30:
        return _("{n}d").format(n=round(days))
    if days < 365:
        return _("{n}mo").format(n=f"{days / 30:.1f}".removesuffix(".0"))
    return _("{n}y").format(n=f"{days / 365:.1f}".removesuffix(".0"))
