"""Health of the user's database: integrity, card states against the replay of the log, orphans."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from dlquiz.schedule import SchedulerConfig, parse_time, review
from dlquiz.store import CardState, Review, Store


@dataclass
class Report:
    integrity: str
    cards_checked: int = 0
    mismatched: list[str] = field(default_factory=list)  # stored state differs from the replay
    orphans: list[str] = field(default_factory=list)  # reviewed cards no longer in the banks
    bad_rows: list[str] = field(default_factory=list)  # "review 12: rating 9 is not 1-4": skipped by replay
    fixed: int = 0
    backup: Path | None = None

    @property
    def healthy(self) -> bool:
        return self.integrity == "ok" and not self.mismatched and not self.bad_rows

    def to_dict(self) -> dict[str, object]:
        return {
            "integrity": self.integrity,
            "cards_checked": self.cards_checked,
            "mismatched": self.mismatched,
            "orphans": self.orphans,
            "bad_rows": self.bad_rows,
            "fixed": self.fixed,
            "backup": str(self.backup) if self.backup else None,
            "healthy": self.healthy,
        }


def chronological(reviews: list[Review]) -> list[Review]:
    """Reviews by the instant they happened (then by insertion), not by their text: ``10:00+05:00`` is
    before ``06:00+00:00``. Rows whose time does not parse keep their place at the end (replay skips them)."""

    def key(r: Review) -> tuple[int, datetime, int]:
        try:
            return (0, parse_time(r.reviewed_at), r.id)
        except (ValueError, TypeError):
            return (1, datetime.min.replace(tzinfo=timezone.utc), r.id)

    return sorted(reviews, key=key)


def replay_steps(
    store: Store,
    reviews: list[Review],
    configs: dict[int | None, SchedulerConfig],
    bad: list[str] | None = None,
) -> Iterator[tuple[Review, CardState | None, CardState]]:
    """(review, state before, state after) for each study review of one card, in the order given, each
    graded again under the scheduler config it was first graded with (cached in ``configs``).

    A row that cannot be replayed (see ``Review.problem``, or a scheduler config that is missing or
    unreadable) is skipped and described in ``bad``, so one hand-edited row never stops a command."""
    state: CardState | None = None
    last_day = None
    for r in reviews:
        if r.problem:
            if bad is not None:
                bad.append(f"review {r.id} ({r.card_id!r:.60}): {r.problem}")
            continue
        if r.kind != "study":
            continue
        try:
            if r.scheduler_id not in configs:
                configs[r.scheduler_id] = (
                    SchedulerConfig.from_dict(store.scheduler_config(r.scheduler_id))
                    if r.scheduler_id is not None
                    else SchedulerConfig()
                )
            # Elapsed time in the study days the log recorded, as the live review counted it (dlquiz.days).
            day = r.day()
            after = review(
                configs[r.scheduler_id],
                r.card_id,
                state,
                r.rating,
                parse_time(r.reviewed_at),
                r.content_hash,
                today=day,
                last_day=last_day,
            )
        except (ValueError, TypeError, KeyError, OverflowError, ArithmeticError) as error:
            if bad is not None:
                bad.append(f"review {r.id} ({r.card_id!r:.60}): cannot be replayed ({str(error)[:120]})")
            continue
        before, state, last_day = state, after, day
        yield r, before, state


def replay_card(
    store: Store,
    reviews: list[Review],
    configs: dict[int | None, SchedulerConfig],
    bad: list[str] | None = None,
) -> CardState | None:
    """The card's state rebuilt from its study reviews."""
    steps = list(replay_steps(store, reviews, configs, bad))
    return steps[-1][2] if steps else None


def check(store: Store, known_ids: set[str], fix: bool = False, now: datetime | None = None) -> Report:
    report = Report(integrity=store.integrity())
    if report.integrity != "ok":
        return report
    states = store.card_states()
    by_card: dict[str, list[Review]] = {}
    for r in store.all_reviews():
        by_card.setdefault(r.card_id, []).append(r)
    for card_id in by_card:
        by_card[card_id] = chronological(by_card[card_id])
    configs: dict[int | None, SchedulerConfig] = {}
    rebuilt: dict[str, CardState | None] = {}
    for card_id in sorted(set(by_card) | {c for c, s in states.items() if s.state is not None}):
        report.cards_checked += 1
        expected = replay_card(store, by_card.get(card_id, []), configs, report.bad_rows)
        stored = states.get(card_id)
        stored_sched = stored.schedule_dict() if stored and stored.state is not None else None
        if (expected.schedule_dict() if expected else None) != stored_sched:
            report.mismatched.append(card_id)
            rebuilt[card_id] = expected
        if card_id not in known_ids:
            report.orphans.append(card_id)
    if fix and report.mismatched:
        report.backup = store.backup(now or datetime.now().astimezone(), reason="doctor")
        with store.write():
            for card_id, expected in rebuilt.items():
                if expected is None:
                    store.delete_card_state(card_id)
                else:
                    buried = states[card_id].buried_until if card_id in states else None
                    store.put_card_state(replace(expected, buried_until=buried))
                report.fixed += 1
    return report
