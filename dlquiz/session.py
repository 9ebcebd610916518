"""The study loop's core: which card comes next, grading, undo, bury, daily limits. Prints nothing.

Card states are read once into memory and kept in step with the database on every grade, so choosing
the next card costs the same with a million logged reviews as with none: the log is only appended to,
plus an indexed count of today's reviews.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from dlquiz import days
from dlquiz.days import DAY_STARTS_AT, day_start  # noqa: F401 (day_start: part of this module's API)
from dlquiz.errors import DlquizError
from dlquiz.i18n import N_, _
from dlquiz.model import Card, Catalog
from dlquiz.schedule import LEARNING, RELEARNING, REVIEW, SchedulerConfig, iso, parse_time, plan_due, review
from dlquiz.store import CardState, Store

LEARN_AHEAD = timedelta(minutes=20)  # with nothing else left, show a learning step due this soon

SETTINGS: dict[str, tuple[Any, str]] = {
    "new_per_day": (10, N_("New cards introduced per day.")),
    "reviews_per_day": (200, N_("Reviews shown per day at most.")),
    "desired_retention": (0.9, N_("Target probability of recall when a card comes due (0.70-0.99).")),
    "lang": ("en", N_("Language of every command (content and interface): en, zh or both.")),
}


def parse_setting(key: str, raw: str) -> Any:
    """A validated setting value from text, or a DlquizError saying what is allowed."""
    if key not in SETTINGS:
        from dlquiz.errors import unknown

        raise unknown("setting", key, SETTINGS)
    if key in ("new_per_day", "reviews_per_day"):
        try:
            value = int(raw)
        except ValueError:
            raise DlquizError(
                _("{key} must be a whole number, got {raw!r}").format(key=key, raw=raw)
            ) from None
        if not 0 <= value <= 10_000:
            raise DlquizError(
                _("{key} must be between 0 and 10000, got {value}").format(key=key, value=value)
            )
        return value
    if key == "desired_retention":
        try:
            value = float(raw)
        except ValueError:
            raise DlquizError(_("desired_retention must be a number, got {raw!r}").format(raw=raw)) from None
        if not 0.7 <= value <= 0.99:
            raise DlquizError(
                _("desired_retention must be between 0.70 and 0.99, got {raw}").format(raw=raw),
                hint=_("0.9 is FSRS's default; higher means more reviews"),
            )
        return value
    if raw not in ("en", "zh", "both"):
        raise DlquizError(_("lang must be en, zh or both, got {raw!r}").format(raw=raw))
    return raw


def settings(store: Store) -> dict[str, Any]:
    stored = store.settings()
    return {key: stored.get(key, default) for key, (default, _) in SETTINGS.items()}


def scheduler_config(store: Store) -> SchedulerConfig:
    values = settings(store)
    params = store.get_setting("fsrs_parameters")
    config = SchedulerConfig(desired_retention=float(values["desired_retention"]))
    plan = store.get_setting("interview")  # set by ``dlquiz plan``: {"date", "target"}
    if plan:
        from dlquiz.plan import interview_moment

        # The date on the user's calendar, at the plan's hour in the zone they are in now.
        at = interview_moment(date.fromisoformat(plan["date"]))
        config = replace(
            config, interview_at=iso(at), interview_target=float(plan["target"]), interview_date=plan["date"]
        )
    return replace(config, parameters=tuple(params)) if params else config


@dataclass(frozen=True)
class Counts:
    learning: int  # (re)learning steps due now
    # (the learning steps later today are not counted: ``StudySession.next_learning`` says when)
    due: int  # reviews due today, within today's limit
    new: int  # new cards still to introduce today

    @property
    def total(self) -> int:
        return self.learning + self.due + self.new


@dataclass(frozen=True)
class Graded:
    card_id: str
    rating: int
    review_id: int
    state: CardState
    changed_text: bool
    day: date  # the study day it was logged on


class StudySession:
    """Chooses and grades cards for one study session; every grade is committed before it returns."""

    def __init__(
        self,
        store: Store,
        catalog: Catalog,
        now: datetime,
        sections: Sequence[str] = (),
        new_limit: int | None = None,
        limit: int | None = None,
        cram: bool = False,
    ):
        self.store = store
        self.catalog = catalog
        self.config = scheduler_config(store)
        self._scheduler_id: int | None = None
        values = settings(store)
        self.new_per_day = int(values["new_per_day"]) if new_limit is None else new_limit
        self.reviews_per_day = int(values["reviews_per_day"])
        self.limit = limit
        self.cards = [c for c in catalog.cards() if not sections or c.section in sections]
        self.order = {c.id: i for i, c in enumerate(self.cards)}
        self.states = store.card_states()
        self.started = now
        # Today's study day; the recorded days of the log decide what was done today (see dlquiz.days).
        self.today = days.today(now, store.latest_study_day())
        self.day = days.start_of(self.today)
        self.new_done = store.count_reviews_on(self.today, first_only=True)
        # Only reviews of cards in the Review state use up the review limit, as in Anki's v3 scheduler:
        # learning and relearning steps (a failed review's 10 minutes) do not.
        self.reviews_done = store.count_reviews_on(self.today, review_state=True)
        self._last_days: dict[str, date | None] = {}  # card id -> its last review's study day, as read
        self.new_extra = 0 if new_limit is None else self.new_done  # --new N means N more today
        self.graded: list[Graded] = []
        self._plan_dues: dict[tuple[str, str | None, str | None], datetime | None] = {}
        # --cram: reviewed cards, lowest predicted recall on the interview day first; each shown once.
        self.cram = cram
        self.cram_queue: list[Card] = []
        if cram:
            from dlquiz.plan import cram_order

            self.cram_queue = cram_order(self.config, self.cards, self.states, now)

    def last_day(self, card_id: str) -> date | None:
        """The recorded study day of the card's last review (read once, on demand: an indexed lookup)."""
        if card_id not in self._last_days:
            self._last_days[card_id] = self.store.last_study_day(card_id)
        return self._last_days[card_id]

    def due_of(self, card_id: str) -> datetime:
        """When the card is due: its stored due, or earlier if the interview plan brings it forward.

        Cards graded while a plan is active already store the earlier date; this also covers cards last
        graded before the plan was set, applying the same rule as of their last review.
        """
        state = self.states[card_id]
        due = parse_time(state.due)  # type: ignore[arg-type]
        if self.config.interview_at is None or state.state != REVIEW or not state.last_review:
            return due
        key = (card_id, state.due, state.last_review)
        if key not in self._plan_dues:
            self._plan_dues[key] = plan_due(
                self.config, state, parse_time(state.last_review), self.last_day(card_id)
            )
        forward = self._plan_dues[key]
        return min(due, forward) if forward else due

    @property
    def scheduler_id(self) -> int:
        # Recorded on the first grade, not on opening: ``dlquiz next`` and the status screen write nothing.
        if self._scheduler_id is None:
            self._scheduler_id = self.store.scheduler_id(self.config.to_dict())
        return self._scheduler_id

    # --- choosing ------------------------------------------------------------------------------------

    def _buried(self, state: CardState | None, now: datetime) -> bool:
        return bool(state and state.buried_until and parse_time(state.buried_until) > now)

    def queues(self, now: datetime) -> tuple[list[Card], list[Card], list[Card]]:
        """(learning due, reviews due today, new) in the order they will be shown."""
        tomorrow = days.start_of(self.today + timedelta(days=1))
        learning, reviews, new = [], [], []
        for card in self.cards:
            state = self.states.get(card.id)
            if self._buried(state, now):
                continue
            if state is None or state.state is None:
                new.append(card)
            elif state.state in (LEARNING, RELEARNING):
                if parse_time(state.due) <= now + LEARN_AHEAD:
                    learning.append(card)
            elif state.state == REVIEW and self.due_of(card.id) < tomorrow:
                reviews.append(card)
        learning.sort(key=lambda c: self.states[c.id].due)
        reviews.sort(key=lambda c: (self.due_of(c.id), self.order[c.id]))
        reviews = reviews[: max(0, self.reviews_per_day - self.reviews_done)]
        new = new[: max(0, self.new_per_day + self.new_extra - self.new_done)]
        return learning, reviews, new

    def counts(self, now: datetime) -> Counts:
        if self.cram:
            return Counts(0, len(self.cram_left()), 0)
        learning, reviews, new = self.queues(now)
        due_now = [c for c in learning if parse_time(self.states[c.id].due) <= now]
        return Counts(len(due_now), len(reviews), len(new))

    def next_card(self, now: datetime) -> Card | None:
        if self.limit is not None and len(self.graded) >= self.limit:
            return None
        if self.cram:
            left = self.cram_left()
            return left[0] if left else None
        learning, reviews, new = self.queues(now)
        due_learning = [c for c in learning if parse_time(self.states[c.id].due) <= now]
        if due_learning:
            return due_learning[0]
        # New cards are spread evenly through the reviews, as Anki's "mix with reviews" does: a new card
        # comes next when the new cards shown today would otherwise fall behind their share of the day's.
        # Counted over the study day, not this session, so ``dlquiz next`` and one ``grade`` at a time
        # see new cards as a study session would.
        if new and reviews:
            new_seen = self.new_done
            done = new_seen + self.reviews_done
            total, total_new = done + len(reviews) + len(new), new_seen + len(new)
            return new[0] if (new_seen + 1) * total <= (done + 1) * total_new else reviews[0]
        if reviews or new:
            return (reviews or new)[0]
        return learning[0] if learning else None  # learn ahead rather than stop

    def next_learning(self, now: datetime) -> datetime | None:
        """When the next (re)learning step not yet due falls due, if one does later this study day."""
        end = days.start_of(self.today + timedelta(days=1))
        dues = [
            parse_time(s.due)
            for cid, s in self.states.items()
            if cid in self.order and s.state in (LEARNING, RELEARNING) and s.due and not self._buried(s, now)
        ]
        later = [d for d in dues if now < d < end]
        return min(later) if later else None

    def forecast(self, now: datetime, n_days: int) -> list[int]:
        """Cards due on each of the next ``n_days`` study days, today first (overdue ones count today).

        The one forecast: status, stats, plan and the session summary all read it. It uses the same due
        dates the queue does, including the interview plan's earlier ones.
        """
        out = [0] * n_days
        for cid, s in self.states.items():
            if cid not in self.order or s.state is None or not s.due:
                continue
            due = self.due_of(cid) if s.state == REVIEW else parse_time(s.due)
            index = max(0, (days.study_day(due) - self.today).days)
            if index < n_days:
                out[index] += 1
        return out

    def next_due(self) -> datetime | None:
        """When the next scheduled card falls due (for "nothing due" messages)."""
        dues = [
            self.due_of(cid)
            for cid, s in self.states.items()
            if s.state is not None and s.due and cid in self.order
        ]
        return min(dues) if dues else None

    def cram_left(self) -> list[Card]:
        done = {g.card_id for g in self.graded}
        return [c for c in self.cram_queue if c.id not in done]

    def new_available(self) -> int:
        return sum(1 for c in self.cards if self.states.get(c.id) is None or self.states[c.id].state is None)

    # --- grading -------------------------------------------------------------------------------------

    def text_changed(self, card: Card) -> bool:
        state = self.states.get(card.id)
        return bool(state and state.content_hash and state.content_hash != card.content_hash)

    def preview(self, card: Card, now: datetime) -> dict[int, timedelta]:
        from dlquiz.schedule import preview

        state = self.states.get(card.id)
        if self.cram and state is not None and state.due:
            return {r: parse_time(state.due) - now for r in (1, 2, 3, 4)}  # cram leaves the schedule alone
        return preview(self.config, card.id, state, now, self.today, self.last_day(card.id))

    def grade(self, card: Card, rating: int, now: datetime, duration_ms: int | None = None) -> Graded:
        """Record a review: log row and new state in one transaction, committed before returning."""
        if self.cram:
            graded = record_cram(
                self.store, self.scheduler_id, card, rating, now, duration_ms, self.states[card.id]
            )
            self.graded.append(graded)
            return graded
        was_review = (previous := self.states.get(card.id)) is not None and previous.state == REVIEW
        graded = record_review(
            self.store,
            self.config,
            self.scheduler_id,
            card,
            rating,
            now,
            duration_ms,
            self.states.get(card.id),
        )
        self.states[card.id] = graded.state
        self._last_days[card.id] = graded.day
        if graded.state.reps == 1:
            self.new_done += 1
        elif was_review:
            self.reviews_done += 1
        self.graded.append(graded)
        return graded

    def undo(self) -> str | None:
        """Undo the most recent review (of any session); returns the card id, or None if there is none."""
        undone = undo_last(self.store)
        if undone is None:
            return None
        card_id, restored = undone
        self._last_days.pop(card_id, None)
        if restored is None:
            self.states.pop(card_id, None)
        else:
            self.states[card_id] = restored
        if self.graded and self.graded[-1].card_id == card_id:
            last = self.graded.pop()
            if self.cram:
                return card_id
            if last.state.reps == 1:
                self.new_done -= 1
            elif restored is not None and restored.state == REVIEW:
                self.reviews_done -= 1
        return card_id

    def bury(self, card: Card, now: datetime) -> None:
        """Hide the card until the next study day."""
        until = iso(days.start_of(self.today + timedelta(days=1)))
        state = self.states.get(card.id) or CardState(card.id, None, None, None, None, None, None)
        state = replace(state, buried_until=until)
        self.store.put_card_state(state)
        self.states[card.id] = state

    def due_tomorrow(self, now: datetime) -> int:
        """Cards due on the next study day (not counting what is left of today)."""
        return self.forecast(now, 2)[1]


def record_review(
    store: Store,
    config: SchedulerConfig,
    scheduler_id: int,
    card: Card,
    rating: int,
    now: datetime,
    duration_ms: int | None,
    before: CardState | None,
    kind: str = "study",
) -> Graded:
    """Log the review and store the card's new state in one transaction.

    The state graded from is read again under the write lock (``before`` is only the caller's copy):
    another dlquiz process may have graded the card since, and a review must build on the last one
    committed, or that one's effect is lost and the state no longer equals the replay of the log.
    """
    with store.write():
        before = store.card_state(card.id)
        if before is not None and before.last_review and parse_time(before.last_review) > now:
            now = parse_time(before.last_review)  # keep the log in time order, as replay reads it
        today = days.today(now, store.latest_study_day())
        last_day = store.last_study_day(card.id)
        after = review(
            config,
            card.id,
            before if before and before.state is not None else None,
            rating,
            now,
            card.content_hash,
            today=today,
            last_day=last_day,
        )
        changed = bool(before and before.content_hash and before.content_hash != card.content_hash)
        logged_before = before if before and before.state is not None else None
        row = _review_row(card, rating, now, duration_ms, kind, scheduler_id, logged_before, after, today)
        review_id = store.add_review(row)
        store.put_card_state(after)
    return Graded(card.id, rating, review_id, after, changed, today)


def _review_row(
    card: Card,
    rating: int,
    now: datetime,
    duration_ms: int | None,
    kind: str,
    scheduler_id: int,
    before: CardState | None,
    after: CardState,
    today: date,
) -> dict[str, Any]:
    """One row of the review log: a fresh uid, so logs of two machines merge without duplicates; the
    study day it counts for and the UTC offset in force, so history stays where it happened."""
    return {
        "uid": uuid.uuid4().hex,
        "card_id": card.id,
        "reviewed_at": iso(now),
        "rating": rating,
        "duration_ms": duration_ms,
        "kind": kind,
        "scheduler_id": scheduler_id,
        "state_before": before.to_dict() if before else None,
        "state_after": after.to_dict(),
        "content_hash": card.content_hash,
        "study_day": today.isoformat(),
        "utc_offset": days.utc_offset(now),
    }


def record_cram(
    store: Store,
    scheduler_id: int,
    card: Card,
    rating: int,
    now: datetime,
    duration_ms: int | None,
    state: CardState,
) -> Graded:
    """Log a cram review: the row says how it went, the card's long-term FSRS state is left as it is."""
    today = days.today(now, store.latest_study_day())
    review_id = store.add_review(
        _review_row(card, rating, now, duration_ms, "cram", scheduler_id, state, state, today)
    )
    return Graded(card.id, rating, review_id, state, False, today)


def undo_last(store: Store) -> tuple[str, CardState | None] | None:
    """Remove the review last graded on this machine (by insertion order; never an imported one) and put
    the card back as it was before it, in one transaction.

    Undoing a cram review only removes its log row: it never changed the card's state. When an import put
    later reviews of the same card after it, the card is replayed from what is left of its log."""
    with store.write():
        last = store.last_local_review()
        if last is None:
            return None
        store.delete_review(last.id)
        if last.kind == "cram":
            current = store.card_state(last.card_id)
            return last.card_id, current
        if last.problem or _has_later(store, last):
            from dlquiz.history import rebuild_card

            return last.card_id, rebuild_card(store, last.card_id)
        if last.state_before is None:
            store.delete_card_state(last.card_id)
            return last.card_id, None
        restored = CardState(**last.state_before)
        store.put_card_state(restored)
        return last.card_id, restored


def _has_later(store: Store, undone: Any) -> bool:
    """Whether the card has a review after ``undone`` in time (an import can add one)."""
    try:
        when = parse_time(undone.reviewed_at)
        return any(
            not r.problem and parse_time(r.reviewed_at) > when for r in store.reviews_of(undone.card_id)
        )
    except (ValueError, TypeError):
        return True  # cannot tell: replaying is always right


def streak(store: Store, now: datetime) -> int:
    """Consecutive study days ending today, or yesterday if not yet today, from the recorded days."""
    today = days.today(now, store.latest_study_day())
    studied = store.study_days(today - timedelta(days=400))
    day = today if today in studied else today - timedelta(days=1)
    count = 0
    while day in studied:
        count += 1
        day -= timedelta(days=1)
    return count


def status(store: Store, catalog: Catalog, now: datetime) -> dict[str, Any]:
    """Today at a glance, for ``dlquiz`` with no arguments."""
    session = StudySession(store, catalog, now)
    counts = session.counts(now)
    reviewed_today = store.count_reviews_on(session.today)  # learning steps too (the limit leaves them out)
    if counts.total:
        command = "dlquiz study"
    elif session.reviews_done >= session.reviews_per_day:
        command = _(
            "today's review limit ({limit}) is reached: come back tomorrow, "
            "or raise it with dlquiz config reviews_per_day N"
        ).format(limit=session.reviews_per_day)
    elif session.new_available():
        command = "dlquiz study --new 5   " + _("(today's new-card limit is reached)")
    else:
        command = _("nothing due: come back later, or read a question with dlquiz show ID")
    next_due = session.next_due()
    next_learning = session.next_learning(now)
    learning_in = max(1, round((next_learning - now).total_seconds() / 60)) if next_learning else None
    if not counts.total and learning_in is not None:
        command = _("a learning step is due in {n} min: dlquiz study then").format(n=learning_in)
    forecast = session.forecast(now, 2)
    return {
        "due": counts.due,
        "learning": counts.learning,
        "new_today": counts.new,
        "new_available": session.new_available(),
        "reviewed_today": reviewed_today,
        "streak": streak(store, now),
        "next_due": iso(next_due) if next_due else None,
        # A (re)learning step pending later today, and the minutes until it (the "due now" count is 0).
        "learning_next": iso(next_learning) if next_learning else None,
        "learning_in_min": learning_in,
        "due_tomorrow": forecast[1],
        "next_command": command,
        "interview": _interview(store, catalog, now),
    }


def _interview(store: Store, catalog: Catalog, now: datetime) -> dict[str, Any] | None:
    if store.get_setting("interview") is None:
        return None
    from dlquiz.plan import interview_forecast

    return interview_forecast(store, catalog, now)
