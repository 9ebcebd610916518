"""Study days: the calendar a learner lives by, as Anki counts it.

A study day starts at ``DAY_STARTS_AT`` local time, so a session at 1 a.m. belongs to the day before.
Elapsed time between reviews of a review-state card is counted in study days, not in 24-hour periods:
a card reviewed at 08:25 and again the next morning at 08:15 was seen one day later, as the learner
(and FSRS's parameters, fitted on Anki's study-day deltas) count it.

Each review records its study day and the UTC offset in force, so moving to another time zone never
rewrites the days already lived. Only the current moment is read in the local zone.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

DAY_STARTS_AT = 4  # local hour, as in Anki: a late-night session still counts for "today"
# A recorded day ahead of the local one by at most this much is a trip west across many zones (Shanghai
# to Los Angeles): the study day stays the recorded one until the local day catches up, instead of going
# back. A larger gap is a wrong clock or an imported log, and is ignored.
MAX_AHEAD = timedelta(days=1)


def utc_offset(moment: datetime) -> int:
    """The local zone's offset from UTC at ``moment``, in minutes (DST included)."""
    offset = moment.astimezone().utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


def study_day(moment: datetime, offset_minutes: int | None = None) -> date:
    """The study day ``moment`` falls in: in the local zone, or at the given UTC offset."""
    if offset_minutes is None:
        wall = moment.astimezone().replace(tzinfo=None)
    else:
        wall = moment.astimezone(timezone.utc).replace(tzinfo=None) + timedelta(minutes=offset_minutes)
    return (wall - timedelta(hours=DAY_STARTS_AT)).date()


def today(now: datetime, last_recorded: date | None = None) -> date:
    """The current study day: the local one, unless the latest recorded one is the next (see MAX_AHEAD)."""
    local = study_day(now)
    if last_recorded is not None and local < last_recorded <= local + MAX_AHEAD:
        return last_recorded
    return local


def day_start(now: datetime) -> datetime:
    """The start of the local study day containing ``now``, in UTC."""
    return start_of(study_day(now))


def start_of(day: date) -> datetime:
    """The UTC instant the local study day ``day`` starts."""
    return datetime.combine(day, time(DAY_STARTS_AT)).astimezone().astimezone(timezone.utc)


def elapsed(last: date | None, current: date) -> int | None:
    """Whole study days from ``last`` to ``current`` (never negative); None without a last day."""
    return None if last is None else max(0, (current - last).days)


def when_words(days: int) -> str:
    """The words for a date ``days`` away: today, tomorrow, in N days; was N days ago once past."""
    from dlquiz.i18n import _, ngettext

    if days == 0:
        return _("today")
    if days == 1:
        return _("tomorrow")
    if days > 1:
        return ngettext("in {n} day", "in {n} days", days).format(n=days)
    return ngettext("was {n} day ago", "was {n} days ago", -days).format(n=-days)
