"""Today at a glance, for ``dlquiz`` with no arguments: the study session's counts and the interview plan.

Its own module because it reads both the session and the plan, which must not import each other.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dlquiz.i18n import _
from dlquiz.model import Catalog
from dlquiz.plan import interview_forecast
from dlquiz.schedule import iso
from dlquiz.session import StudySession, streak
from dlquiz.store import Store


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
    return interview_forecast(store, catalog, now)
