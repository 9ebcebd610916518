"""Health of the user's database: integrity, card states against the replay of the log, orphans."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from dlquiz.schedule import SchedulerConfig, parse_time, review
from dlquiz.store import CardState, Review, Store


@dataclass
class Report:
    integrity: str
    cards_checked: int = 0
    mismatched: list[str] = field(default_factory=list)  # stored state differs from the replay
    orphans: list[str] = field(default_factory=list)  # reviewed cards no longer in the banks
    fixed: int = 0
    backup: Path | None = None

    @property
    def healthy(self) -> bool:
        return self.integrity == "ok" and not self.mismatched

    def to_dict(self) -> dict[str, object]:
        return {
            "integrity": self.integrity,
            "cards_checked": self.cards_checked,
            "mismatched": self.mismatched,
            "orphans": self.orphans,
            "fixed": self.fixed,
            "backup": str(self.backup) if self.backup else None,
            "healthy": self.healthy,
        }


def replay_steps(
    store: Store, reviews: list[Review], configs: dict[int | None, SchedulerConfig]
) -> Iterator[tuple[Review, CardState | None, CardState]]:
    """(review, state before, state after) for each study review of one card, in the order given, each
    graded again under the scheduler config it was first graded with (cached in ``configs``)."""
    state: CardState | None = None
    last_day = None
    for r in reviews:
        if r.kind != "study":
            continue
        if r.scheduler_id not in configs:
            configs[r.scheduler_id] = (
                SchedulerConfig.from_dict(store.scheduler_config(r.scheduler_id))
                if r.scheduler_id is not None
                else SchedulerConfig()
            )
        before = state
        # Elapsed time in the study days the log recorded, as the live review counted it (dlquiz.days).
        day = r.day()
        state = review(
            configs[r.scheduler_id],
            r.card_id,
            before,
            r.rating,
            parse_time(r.reviewed_at),
            r.content_hash,
            today=day,
            last_day=last_day,
        )
        last_day = day
        yield r, before, state


def replay_card(
    store: Store, reviews: list[Review], configs: dict[int | None, SchedulerConfig]
) -> CardState | None:
    """The card's state rebuilt from its study reviews."""
    steps = list(replay_steps(store, reviews, configs))
    return steps[-1][2] if steps else None


def check(store: Store, known_ids: set[str], fix: bool = False, now: datetime | None = None) -> Report:
    report = Report(integrity=store.integrity())
    if report.integrity != "ok":
        return report
    states = store.card_states()
    by_card: dict[str, list[Review]] = {}
    for r in store.all_reviews():
        by_card.setdefault(r.card_id, []).append(r)
    configs: dict[int | None, SchedulerConfig] = {}
    rebuilt: dict[str, CardState | None] = {}
    for card_id in sorted(set(by_card) | {c for c, s in states.items() if s.state is not None}):
        report.cards_checked += 1
        expected = replay_card(store, by_card.get(card_id, []), configs)
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
