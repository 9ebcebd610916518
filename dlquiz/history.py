"""Move the review log between machines: export it to CSV or JSON, import (merge) a file, replay states.

Reviews carry a globally unique ``uid``, so an import adds only the reviews the database lacks: importing
the same file twice, or two machines' logs into each other, never duplicates one. The scheduler config
each review was graded with travels with it, keyed by a hash of the config (ids differ between
databases). After the merge, every card that gained reviews is replayed from its whole log (the log is
the source of truth), and the states logged with its reviews are rewritten to the merged timeline, so
``dlquiz doctor`` and ``undo`` agree with it.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from dlquiz.errors import DlquizError
from dlquiz.i18n import _
from dlquiz.store import CardState, Store

FORMAT = "dlquiz-history"
VERSION = 1
COLUMNS = (
    "uid",
    "card_id",
    "reviewed_at",
    "rating",
    "duration_ms",
    "kind",
    "content_hash",
    "scheduler",
    "scheduler_config",
    "state_before",
    "state_after",
)
# Written since reviews record their study day; optional on reading (older files get the local zone's).
DAY_COLUMNS = ("study_day", "utc_offset")
KINDS = ("study", "cram")


@dataclass(frozen=True)
class ImportResult:
    read: int
    added: int
    skipped: int  # already present (same uid)
    cards_rebuilt: int
    schedulers: int  # scheduler configs the database did not have

    def to_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def config_key(config: dict[str, Any]) -> str:
    """A short, stable name for a scheduler config, the same on every machine."""
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:12]


def _kind_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise DlquizError(
            _("{path}: history files are .csv or .json, not {suffix!r}").format(
                path=path, suffix=suffix or _("without an extension")
            )
        )
    return suffix[1:]


# --- export ------------------------------------------------------------------------------------------


def collect(store: Store) -> dict[str, Any]:
    """The whole log as plain data: reviews in time order, and the scheduler configs they reference."""
    configs = store.scheduler_configs()
    keys = {sid: config_key(c) for sid, c in configs.items()}
    reviews = []
    used: dict[str, dict[str, Any]] = {}
    for r in store.all_reviews():
        key = keys.get(r.scheduler_id) if r.scheduler_id is not None else None
        if key is not None:
            used[key] = configs[r.scheduler_id]  # type: ignore[index]
        reviews.append(
            {
                "uid": r.uid,
                "card_id": r.card_id,
                "reviewed_at": r.reviewed_at,
                "rating": r.rating,
                "duration_ms": r.duration_ms,
                "kind": r.kind,
                "content_hash": r.content_hash,
                "scheduler": key,
                "state_before": r.state_before,
                "state_after": r.state_after,
                "study_day": r.study_day,
                "utc_offset": r.utc_offset,
            }
        )
    return {"format": FORMAT, "version": VERSION, "schedulers": used, "reviews": reviews}


def export(store: Store, path: Path, force: bool = False) -> int:
    """Write the log to ``path`` (.csv or .json); returns the number of reviews written."""
    from dlquiz.export import check_target, write_atomic

    kind = _kind_of(path)
    check_target(path, force)
    data = collect(store)
    if kind == "json":
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    else:
        write_atomic(path, lambda tmp: _write_csv(tmp, data))
    return len(data["reviews"])


def _write_csv(path: Path, data: dict[str, Any]) -> None:
    written: set[str] = set()
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS + DAY_COLUMNS)
        for r in data["reviews"]:
            key = r["scheduler"]
            config = ""
            if key is not None and key not in written:  # each config once, on the first row that uses it
                config = json.dumps(data["schedulers"][key], sort_keys=True)
                written.add(key)
            writer.writerow(
                [
                    r["uid"],
                    r["card_id"],
                    r["reviewed_at"],
                    r["rating"],
                    "" if r["duration_ms"] is None else r["duration_ms"],
                    r["kind"],
                    r["content_hash"] or "",
                    key or "",
                    config,
                    json.dumps(r["state_before"], sort_keys=True) if r["state_before"] is not None else "",
                    json.dumps(r["state_after"], sort_keys=True) if r["state_after"] is not None else "",
                    r.get("study_day") or "",
                    "" if r.get("utc_offset") is None else r["utc_offset"],
                ]
            )


# --- import --------------------------------------------------------------------------------------------


def read(path: Path) -> dict[str, Any]:
    """A history file as plain data (the shape ``collect`` returns), or a DlquizError saying what is wrong."""
    kind = _kind_of(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DlquizError(_("{path}: no such file").format(path=path)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise DlquizError(_("cannot read {path}: {reason}").format(path=path, reason=error)) from None
    data = _read_json(path, text) if kind == "json" else _read_csv(path, text)
    for i, r in enumerate(data["reviews"], 1):
        _check_review(path, i, r, data["schedulers"])
    return data


def _read_json(path: Path, text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError as error:
        raise DlquizError(_("{path}: not valid JSON ({error})").format(path=path, error=error)) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise DlquizError(
            _("{path}: not a dlquiz history file").format(path=path),
            hint=_("write one with: dlquiz history export FILE"),
        )
    if data.get("version") != VERSION:
        raise DlquizError(
            _("{path}: history format version {version!r}; this dlquiz reads {supported}").format(
                path=path, version=data.get("version"), supported=VERSION
            ),
            hint=_("upgrade dlquiz on this machine"),
        )
    if not isinstance(data.get("reviews"), list) or not isinstance(data.get("schedulers"), dict):
        raise DlquizError(f"{path}: 'reviews' must be a list and 'schedulers' a mapping")
    return data


def _read_csv(path: Path, text: str) -> dict[str, Any]:
    rows = csv.DictReader(text.splitlines())
    missing = [c for c in COLUMNS if c not in (rows.fieldnames or [])]
    if missing:
        raise DlquizError(
            _("{path}: not a dlquiz history file (missing column(s) {columns})").format(
                path=path, columns=", ".join(missing)
            ),
            hint=_("write one with: dlquiz history export FILE.csv"),
        )
    schedulers: dict[str, Any] = {}
    reviews = []
    for line, row in enumerate(rows, 2):
        try:
            if row["scheduler_config"]:
                schedulers[row["scheduler"]] = json.loads(row["scheduler_config"])
            reviews.append(
                {
                    "uid": row["uid"],
                    "card_id": row["card_id"],
                    "reviewed_at": row["reviewed_at"],
                    "rating": int(row["rating"]),
                    "duration_ms": int(row["duration_ms"]) if row["duration_ms"] else None,
                    "kind": row["kind"],
                    "content_hash": row["content_hash"] or None,
                    "scheduler": row["scheduler"] or None,
                    "state_before": json.loads(row["state_before"]) if row["state_before"] else None,
                    "state_after": json.loads(row["state_after"]) if row["state_after"] else None,
                    "study_day": row.get("study_day") or None,
                    "utc_offset": int(row["utc_offset"]) if row.get("utc_offset") else None,
                }
            )
        except (ValueError, TypeError) as error:
            raise DlquizError(f"{path}:{line}: {error}") from None
    return {"format": FORMAT, "version": VERSION, "schedulers": schedulers, "reviews": reviews}


def _check_review(path: Path, number: int, r: Any, schedulers: dict[str, Any]) -> None:
    where = f"{path}: review {number}"
    if not isinstance(r, dict):
        raise DlquizError(f"{where}: expected a mapping")
    for key in ("uid", "card_id", "reviewed_at"):
        if not isinstance(r.get(key), str) or not r[key]:
            raise DlquizError(f"{where}: missing {key!r}")
    if r.get("rating") not in (1, 2, 3, 4):
        raise DlquizError(f"{where}: rating must be 1-4, got {r.get('rating')!r}")
    if r.get("kind") not in KINDS:
        raise DlquizError(f"{where}: kind must be study or cram, got {r.get('kind')!r}")
    try:
        stamp = datetime.fromisoformat(r["reviewed_at"])
    except ValueError:
        raise DlquizError(f"{where}: reviewed_at {r['reviewed_at']!r} is not an ISO 8601 time") from None
    if stamp.tzinfo is None:
        raise DlquizError(f"{where}: reviewed_at {r['reviewed_at']!r} has no time zone")
    if r.get("study_day") is not None:
        try:
            date.fromisoformat(r["study_day"])
        except (TypeError, ValueError):
            raise DlquizError(f"{where}: study_day {r['study_day']!r} is not a YYYY-MM-DD date") from None
        if not isinstance(r.get("utc_offset"), int) or isinstance(r.get("utc_offset"), bool):
            raise DlquizError(f"{where}: utc_offset must be whole minutes with study_day")
    if r.get("scheduler") is not None and r["scheduler"] not in schedulers:
        raise DlquizError(f"{where}: scheduler {r['scheduler']!r} is not defined in the file")


def merge(store: Store, data: dict[str, Any]) -> ImportResult:
    """Add the reviews ``store`` lacks, then replay every card that gained one; all in one transaction."""
    from dlquiz.schedule import SchedulerConfig

    present = store.review_uids()
    local = {config_key(c): sid for sid, c in store.scheduler_configs().items()}
    new_schedulers = 0
    added: list[dict[str, Any]] = []
    seen: set[str] = set()
    for r in data["reviews"]:
        if r["uid"] not in present and r["uid"] not in seen:
            seen.add(r["uid"])
            added.append(r)
    with store.write():
        for r in added:
            key = r["scheduler"]
            if key is not None and key not in local:
                SchedulerConfig.from_dict(data["schedulers"][key])  # a malformed config fails here, not later
                local[key] = store.scheduler_id(data["schedulers"][key])
                new_schedulers += 1
            store.add_review(
                {
                    "uid": r["uid"],
                    "card_id": r["card_id"],
                    "reviewed_at": r["reviewed_at"],
                    "rating": r["rating"],
                    "duration_ms": r["duration_ms"],
                    "kind": r["kind"],
                    "content_hash": r["content_hash"],
                    "scheduler_id": local[key] if key is not None else None,
                    "state_before": r["state_before"],
                    "state_after": r["state_after"],
                    "study_day": r.get("study_day"),
                    "utc_offset": r.get("utc_offset"),
                }
            )
        cards = sorted({r["card_id"] for r in added})
        configs: dict[int | None, SchedulerConfig] = {}
        for card_id in cards:
            _rebuild(store, card_id, configs)
    return ImportResult(
        len(data["reviews"]), len(added), len(data["reviews"]) - len(added), len(cards), new_schedulers
    )


def _rebuild(store: Store, card_id: str, configs: dict[int | None, Any]) -> None:
    """Replay one card's study reviews in time order; store its state and the states logged per review."""
    from dlquiz.doctor import replay_steps

    state: CardState | None = None
    for r, before, state in replay_steps(store, store.reviews_of(card_id), configs):  # noqa: B007
        logged_before = before.to_dict() if before is not None else None
        if (r.state_before, r.state_after) != (logged_before, state.to_dict()):
            store.set_review_states(r.id, logged_before, state.to_dict())
    if state is None:
        return
    existing = store.card_state(card_id)
    store.put_card_state(replace(state, buried_until=existing.buried_until if existing else None))


def import_file(store: Store, path: Path) -> ImportResult:
    return merge(store, read(path))
