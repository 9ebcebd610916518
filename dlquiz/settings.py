"""Settings: their defaults and meanings, parsing ``dlquiz config KEY VALUE``, and the scheduler config.

Its own module so that the study loop (session) and the interview plan (plan) both read it; it imports
neither of them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from dlquiz.errors import DlquizError
from dlquiz.i18n import N_, _
from dlquiz.schedule import SchedulerConfig, iso
from dlquiz.store import Store

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
        from dlquiz.days import interview_moment

        # The date on the user's calendar, at the plan's hour in the zone they are in now.
        at = interview_moment(date.fromisoformat(plan["date"]))
        config = replace(
            config, interview_at=iso(at), interview_target=float(plan["target"]), interview_date=plan["date"]
        )
    return replace(config, parameters=tuple(params)) if params else config
