"""The pace an interview date asks for: new cards a day to see every card before it, and what that costs.

The cost comes from the FSRS simulator of fsrs-rs-python (the one Anki's "simulator" uses): it introduces
``per_day`` new cards a day for the days left, reviews each when FSRS schedules it, and counts reviews
and seconds per day. Its default costs are Anki users' median seconds per review and per new card.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

MAX_MINUTES = 180  # more than three hours a day on top of everything else is not a plan a person keeps


@dataclass(frozen=True)
class Pace:
    unseen: int  # cards never studied
    days: int  # study days before the interview day (today included)
    per_day: int  # new cards a day needed to see every card before the day
    reviews_avg: float  # simulated reviews a day, averaged over the days left
    reviews_peak: int  # the busiest day's reviews
    minutes_avg: float  # simulated study time a day, new cards included
    possible: bool
    # Why not, when not possible: "no_days", "too_long" (over MAX_MINUTES a day), "over_limit" (more
    # cards on the busiest day, new and review, than the reviews_per_day setting lets through).
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "unseen": self.unseen,
            "days": self.days,
            "new_per_day": self.per_day,
            "reviews_per_day_avg": round(self.reviews_avg, 1),
            "reviews_per_day_peak": self.reviews_peak,
            "minutes_per_day_avg": round(self.minutes_avg, 1),
            "possible": self.possible,
            "reason": self.reason,
        }


def pace(
    unseen: int,
    days: int,
    parameters: Sequence[float],
    desired_retention: float,
    reviews_per_day: int,
    seed: int = 0,
) -> Pace:
    """New cards a day for ``unseen`` cards over ``days`` study days, and the simulated daily cost."""
    if unseen <= 0:
        return Pace(0, days, 0, 0.0, 0, 0.0, True, None)
    if days <= 0:
        return Pace(unseen, days, unseen, 0.0, 0, 0.0, False, "no_days")
    per_day = math.ceil(unseen / days)
    from fsrs_rs_python import default_simulator_config, simulate

    config = default_simulator_config()
    config.deck_size = unseen
    config.learn_span = days
    config.learn_limit = per_day
    config.max_cost_perday = 24 * 3600.0  # no time cap: we want the cost of this pace, not a capped pace
    result = simulate(list(parameters), desired_retention, config, seed)
    reviews = list(result.review_cnt_per_day)[:days]
    costs = list(result.cost_per_day)[:days]
    avg = sum(reviews) / len(reviews) if reviews else 0.0
    peak = round(max(reviews, default=0))
    minutes = sum(costs) / len(costs) / 60 if costs else 0.0
    reason = None
    if minutes > MAX_MINUTES:
        reason = "too_long"
    elif peak + per_day > reviews_per_day:  # new cards are shown too, each with its learning steps
        reason = "over_limit"
    return Pace(unseen, days, per_day, avg, peak, minutes, reason is None, reason)
