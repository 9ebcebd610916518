"""Fit FSRS parameters to the user's own review log with fsrs-rs-python, the way Anki does.

Pure: reviews in, an ``Optimized`` result out; the CLI stores the parameters when they are accepted.
Only ``study`` reviews count (cram reviews do not change the schedule, so they are not what FSRS models).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from dlquiz.errors import DlquizError
from dlquiz.i18n import _

# The fewest training items we fit on. fsrs-rs itself returns the defaults below 8 items (later versions
# skip training below 64), and the keep-if-better check is on the same items, so it cannot catch a fit
# that only matches the first weeks. On simulated learners whose memory differs from the defaults
# (benchmarks/scheduler.py's), fits on a card deck's first 200-800 items did worse than the defaults on
# the last thousand reviews of the year (log loss +0.01 to +0.06), about 1000-1200 items broke even, and
# 2000 won. 1000 is where fitting stops doing harm; with a 240-card bank it is roughly six weeks of study.
MIN_ITEMS = 1000


@dataclass(frozen=True)
class LoggedReview:
    card_id: str
    reviewed_at: datetime  # UTC-aware
    rating: int  # 1-4
    day: date | None = None  # the study day it was logged on; None: the local one of reviewed_at

    def study_day(self) -> date:
        from dlquiz.days import study_day

        return self.day if self.day is not None else study_day(self.reviewed_at)


@dataclass(frozen=True)
class Fit:
    log_loss: float
    rmse_bins: float


@dataclass(frozen=True)
class Optimized:
    items: int  # training items (reviews on a later day than the card's previous one)
    reviews: int  # study reviews read
    current: tuple[float, ...]
    fitted: tuple[float, ...]
    before: Fit  # current parameters on the items
    after: Fit  # fitted parameters on the same items
    accepted: bool  # fitted has a lower log loss than current
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def parameters(self) -> tuple[float, ...]:
        """What to use from now on."""
        return self.fitted if self.accepted else self.current

    def to_dict(self) -> dict[str, Any]:
        return {
            "reviews": self.reviews,
            "items": self.items,
            "before": {"log_loss": self.before.log_loss, "rmse_bins": self.before.rmse_bins},
            "after": {"log_loss": self.after.log_loss, "rmse_bins": self.after.rmse_bins},
            "accepted": self.accepted,
            "current": list(self.current),
            "fitted": list(self.fitted),
            "parameters": list(self.parameters),
        }


def elapsed_days(before: LoggedReview, after: LoggedReview) -> int:
    """Whole study days between two reviews, counted as the scheduler counts them (``dlquiz.days``).

    This is Anki's count, on which FSRS's default parameters were fitted: a review on the next study day
    is one day later however few hours have passed, and reviews on the same study day are 0 days apart.
    """
    return max(0, (after.study_day() - before.study_day()).days)


def build_items(
    reviews: Iterable[LoggedReview], delta: Callable[[LoggedReview, LoggedReview], int] = elapsed_days
) -> tuple[list[Any], list[int]]:
    """FSRS training items and their card numbers, as Anki builds them.

    For each card, one item per review after the first, holding the card's history up to and including
    that review, with each review's delta in whole days since the one before (0 for same-day reviews).
    Only items whose last review is on a later day than the one before are kept (a same-day review is a
    step inside an item, not something to predict), and items are sorted by the time of their last
    review.
    """
    from fsrs_rs_python import FSRSItem, FSRSReview

    by_card: dict[str, list[LoggedReview]] = {}
    for r in reviews:
        by_card.setdefault(r.card_id, []).append(r)
    keyed: list[tuple[datetime, int, Any]] = []
    for number, (_card, history) in enumerate(sorted(by_card.items())):
        history.sort(key=lambda r: r.reviewed_at)
        steps = [FSRSReview(history[0].rating, 0)]
        for i in range(1, len(history)):
            days = delta(history[i - 1], history[i])
            steps.append(FSRSReview(history[i].rating, days))
            if days > 0:
                keyed.append((history[i].reviewed_at, number, FSRSItem(list(steps))))
    keyed.sort(key=lambda t: (t[0], t[1]))
    return [item for _, _, item in keyed], [number for _, number, _ in keyed]


def evaluate(parameters: Sequence[float], items: list[Any]) -> Fit:
    from fsrs_rs_python import FSRS

    result = FSRS(list(parameters)).evaluate(items)
    return Fit(float(result.log_loss), float(result.rmse_bins))


def fit(items: list[Any], card_numbers: list[int] | None = None) -> tuple[float, ...]:
    from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS

    return tuple(float(p) for p in FSRS(DEFAULT_PARAMETERS).compute_parameters(items, card_ids=card_numbers))


def not_enough(items: int) -> DlquizError:
    return DlquizError(
        _(
            "not enough review history to fit FSRS parameters yet: {items} usable review(s), "
            "{needed} needed ({more} more)"
        ).format(items=items, needed=MIN_ITEMS, more=MIN_ITEMS - items),
        exit_code=1,
        hint=_(
            "a review counts when it comes on a later day than the card's previous one; keep studying "
            "with `dlquiz study` and try again in a few weeks"
        ),
    )


def optimize(
    reviews: Iterable[LoggedReview],
    current: Sequence[float],
    min_items: int = MIN_ITEMS,
) -> Optimized:
    """Fit parameters to ``reviews``; keep ``current`` unless the fit has a lower log loss on the same
    items."""
    reviews = list(reviews)
    items, numbers = build_items(reviews)
    if len(items) < min_items:
        raise not_enough(len(items))
    fitted = fit(items, numbers)
    before = evaluate(current, items)
    after = evaluate(fitted, items)
    return Optimized(
        items=len(items),
        reviews=len(reviews),
        current=tuple(float(p) for p in current),
        fitted=fitted,
        before=before,
        after=after,
        accepted=after.log_loss < before.log_loss,
    )


def study_reviews(store: Any) -> list[LoggedReview]:
    """The ``study`` reviews in the user's log (cram reviews are left out)."""
    from dlquiz.schedule import parse_time

    return [
        LoggedReview(r.card_id, parse_time(r.reviewed_at), r.rating, r.day())
        for r in store.all_reviews()
        if r.kind == "study" and not r.problem  # a hand-edited row doctor reports is left out
    ]
