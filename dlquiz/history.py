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
import io
import json
import math
import re
import stat
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from dlquiz.errors import DlquizError
from dlquiz.i18n import N_, _
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

SCHEMA_PATH = Path(__file__).with_name("history.schema.json")
MAX_BYTES = 256 * 1024 * 1024  # about 300,000 reviews with their states; refused before reading
MAX_SHOWN = 20  # problems listed when a file is refused
MAX_COUNTED = 10_000  # counting stops here: a hostile file can hold millions
EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
FUTURE_SLACK = timedelta(days=1)  # clocks drift and time zones differ; a week ahead is a broken file
ID_RE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)?")
UID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True)
class Problem:
    where: str  # "review 3 (line 4)", "$.schedulers.ab12", "line 7"
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def read(path: Path, now: datetime | None = None) -> dict[str, Any]:
    """A history file as plain data (the shape ``collect`` returns), after every row was checked.

    Nothing is written here; a file with any problem raises one DlquizError listing the first problems,
    each with its review number and line (CSV) or JSON path, so a bad file never half-imports.
    """
    kind = _kind_of(path)
    text = _read_text(path)
    lines: list[int] | None = None
    if kind == "json":
        data = _read_json(path, text)
    else:
        data, lines = _read_csv(path, text)
    problems = validate(data, now or datetime.now(timezone.utc), lines)
    if problems:
        raise refused(path, problems)
    return data


def refused(path: Path, problems: list[Problem]) -> DlquizError:
    shown = "\n".join(f"  {p}" for p in problems[:MAX_SHOWN])
    more = len(problems) - MAX_SHOWN
    plus = "+" if len(problems) >= MAX_COUNTED else ""
    tail = "\n  " + _("... and {n} more").format(n=f"{more}{plus}") if more > 0 else ""
    return DlquizError(
        _("{path}: {n} problem(s); nothing was imported").format(path=path, n=f"{len(problems)}{plus}")
        + f"\n{shown}{tail}",
        hint=_(
            "the format is described by {schema} (shipped with dlquiz); fix the file or export it again "
            "with: dlquiz history export FILE"
        ).format(schema=SCHEMA_PATH.name),
    )


def _read_text(path: Path) -> str:
    # Only a regular file of bounded size: a FIFO would block and /dev/zero never ends.
    try:
        info = path.stat()
    except FileNotFoundError:
        raise DlquizError(_("{path}: no such file").format(path=path)) from None
    except OSError as error:
        raise DlquizError(
            _("cannot read {path}: {reason}").format(path=path, reason=error.strerror)
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise DlquizError(
            _("{path}: not a regular file (a history file is a .csv or .json file)").format(path=path)
        )
    if info.st_size > MAX_BYTES:
        raise DlquizError(
            _("{path}: {mb} MB is more than the {limit} MB a history file may have").format(
                path=path, mb=round(info.st_size / 2**20), limit=MAX_BYTES // 2**20
            )
        )
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
        return raw.decode("utf-8-sig")
    except OSError as error:
        raise DlquizError(
            _("cannot read {path}: {reason}").format(path=path, reason=error.strerror)
        ) from None
    except UnicodeDecodeError as error:
        raise DlquizError(_("{path}: not UTF-8 text (byte {n})").format(path=path, n=error.start)) from None


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400 parses as infinity
        raise ValueError(f"{text[:40]} is too large")
    return value


def _read_json(path: Path, text: str) -> dict[str, Any]:
    try:
        # NaN and Infinity are not JSON; Python would accept them and they pass every range check.
        data = json.loads(text, parse_constant=_no_constants, parse_float=_finite)
    except RecursionError:
        raise DlquizError(
            _("{path}: not a dlquiz history file (nested too deeply)").format(path=path)
        ) from None
    except ValueError as error:
        raise DlquizError(
            _("{path}: not valid JSON ({error})").format(path=path, error=str(error)[:200])
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise DlquizError(
            _("{path}: not a dlquiz history file").format(path=path),
            hint=_("write one with: dlquiz history export FILE"),
        )
    if data.get("version") != VERSION:
        version = data.get("version")
        raise DlquizError(
            _("{path}: history format version {version!r}; this dlquiz reads {supported}").format(
                path=path,
                version=version if isinstance(version, int) else str(version)[:40],
                supported=VERSION,
            ),
            hint=_("upgrade dlquiz on this machine"),
        )
    return data


def _read_csv(path: Path, text: str) -> tuple[dict[str, Any], list[int]]:
    """The CSV as the JSON shape, and the line of each review. Cells that do not convert are kept as
    they are, so the schema reports every bad cell with its line instead of stopping at the first."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None) or []
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise DlquizError(
                _("{path}: not a dlquiz history file (missing column(s) {columns})").format(
                    path=path, columns=", ".join(missing)
                ),
                hint=_("write one with: dlquiz history export FILE.csv"),
            )
        # The day columns are optional: files written before issue 16 do not have them.
        index = {name: header.index(name) for name in COLUMNS + DAY_COLUMNS if name in header}
        schedulers: dict[str, Any] = {}
        reviews: list[dict[str, Any]] = []
        lines: list[int] = []
        for cells in reader:
            if not cells:
                continue
            line = reader.line_num
            row = {name: cells[i] if i < len(cells) else "" for name, i in index.items()}
            if row["scheduler_config"]:
                schedulers[row["scheduler"]] = _cell_json(row["scheduler_config"])
            reviews.append(
                {
                    "uid": row["uid"],
                    "card_id": row["card_id"],
                    "reviewed_at": row["reviewed_at"],
                    "rating": _cell_int(row["rating"]),
                    "duration_ms": _cell_int(row["duration_ms"]) if row["duration_ms"] else None,
                    "kind": row["kind"],
                    "content_hash": row["content_hash"] or None,
                    "scheduler": row["scheduler"] or None,
                    "state_before": _cell_json(row["state_before"]) if row["state_before"] else None,
                    "state_after": _cell_json(row["state_after"]) if row["state_after"] else None,
                    "study_day": row.get("study_day") or None,
                    "utc_offset": _cell_int(row["utc_offset"]) if row.get("utc_offset") else None,
                }
            )
            lines.append(line)
            if len(reviews) > MAX_REVIEWS:
                break  # the schema reports the count
    except csv.Error as error:
        raise DlquizError(
            _("{path}:{line}: not valid CSV ({error})").format(path=path, line=reader.line_num, error=error)
        ) from None
    data = {"format": FORMAT, "version": VERSION, "schedulers": schedulers, "reviews": reviews}
    return data, lines


MAX_REVIEWS = 1_000_000  # as in the schema


def _cell_int(text: str) -> Any:
    try:
        return int(text) if len(text) < 20 else text
    except ValueError:
        return text


class _BadJson(str):
    """A cell that is not JSON: kept as text, which the schema then reports as the wrong type."""


def _cell_json(text: str) -> Any:
    try:
        return json.loads(text, parse_constant=_no_constants, parse_float=_finite)
    except (ValueError, RecursionError):
        return _BadJson(text)


def _short(value: Any, limit: int = 60) -> str:
    """A value for a message: repr (so control characters are escaped), cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _validator() -> Any:
    import jsonschema

    return jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def _where(path: Any, lines: list[int] | None) -> str:
    parts = list(path)
    if len(parts) >= 2 and parts[0] == "reviews" and isinstance(parts[1], int):
        n = parts[1]
        if lines and n < len(lines):
            at = _("review {n} (line {line})").format(n=n + 1, line=lines[n])
        else:
            at = _("review {n}").format(n=n + 1)
        rest = ".".join(str(p) for p in parts[2:])
        return f"{at}{': ' + rest if rest else ''}"
    if len(parts) >= 2 and parts[0] == "schedulers":
        key = ".".join(_short(p, 40) if i == 0 else str(p) for i, p in enumerate(parts[1:]))
        return _("scheduler {key}").format(key=key)
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


TYPE_NAMES = {
    "object": N_("an object"),
    "array": N_("a list"),
    "string": N_("a string"),
    "integer": N_("an integer"),
    "number": N_("a number"),
    "boolean": N_("true or false"),
    "null": N_("null"),
}
BOUNDS = {
    "minimum": N_("{value} must be at least {limit}"),
    "maximum": N_("{value} must be at most {limit}"),
    "exclusiveMinimum": N_("{value} must be more than {limit}"),
    "exclusiveMaximum": N_("{value} must be less than {limit}"),
}


def _schema_message(error: Any) -> str:
    kind = error.validator
    value = error.instance
    if isinstance(value, _BadJson):
        return _("not valid JSON: {text}").format(text=_short(str(value)))
    if kind == "type":
        expected = (
            error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        )
        names = _(" or ").join(_(TYPE_NAMES[t]) if t in TYPE_NAMES else t for t in expected)
        return _("{value} is not {expected}").format(value=_short(value), expected=names)
    if kind in BOUNDS:
        return _(BOUNDS[kind]).format(value=_short(value), limit=error.validator_value)
    if kind == "pattern":
        return _("{value} does not match the pattern {pattern}").format(
            value=_short(value), pattern=error.validator_value
        )
    if kind == "required":
        missing = [k for k in error.validator_value if isinstance(value, dict) and k not in value]
        return _("missing field(s): {fields}").format(fields=", ".join(missing))
    if kind == "additionalProperties":
        extra = sorted(set(value) - set(error.schema.get("properties", {})), key=str)
        return _("unknown field(s): {fields}").format(fields=", ".join(_short(e, 40) for e in extra[:5]))
    if kind in ("enum", "const"):
        allowed = error.validator_value if kind == "enum" else [error.validator_value]
        return _("{value} is not one of {allowed}").format(
            value=_short(value), allowed=", ".join(map(str, allowed))
        )
    if kind in ("maxLength", "maxItems", "maxProperties"):
        size = len(value) if hasattr(value, "__len__") else "?"
        return _("has {size}; at most {limit} allowed").format(size=size, limit=error.validator_value)
    if kind in ("minLength", "minItems"):
        size = len(value) if hasattr(value, "__len__") else "?"
        return _("has {size}; at least {limit} needed").format(size=size, limit=error.validator_value)
    if kind == "anyOf":  # our anyOfs are "null or <one thing>": report the one thing
        best = [e for e in error.context if e.validator != "type" or e.validator_value != "null"]
        return _schema_message(best[0]) if best else _("{value} is not valid").format(value=_short(value))
    return error.message[:200]


def validate(data: dict[str, Any], now: datetime, lines: list[int] | None = None) -> list[Problem]:
    """Every problem in a history file (up to ``MAX_COUNTED``), in file order; empty when it may be merged.

    The schema checks types and ranges; this adds what a schema cannot say: parsed times, ids matched in
    full, scheduler references, configs that FSRS accepts, and uids that appear more than once.
    """
    problems: list[Problem] = []
    bad_rows: set[int] = set()
    bad_schedulers: set[str] = set()
    for error in _validator().iter_errors(data):
        path = list(error.absolute_path)
        if path[:1] == ["reviews"] and len(path) > 1:
            bad_rows.add(path[1])
        if path[:1] == ["schedulers"] and len(path) > 1:
            bad_schedulers.add(path[1])
        if path[-1:] == ["rating"] and error.validator in ("minimum", "maximum", "type"):
            where = _where(path[:-1], lines)
            message = _("rating must be 1-4, got {value}").format(value=_short(error.instance))
        else:
            where, message = _where(path, lines), _schema_message(error)
        problems.append(Problem(where, message))
        if len(problems) >= MAX_COUNTED:
            return problems
    if not isinstance(data.get("reviews"), list) or not isinstance(data.get("schedulers"), dict):
        return problems
    schedulers = data["schedulers"]
    # Only the configs a sound review uses are ever stored, so only those must build a scheduler.
    used = {r.get("scheduler") for n, r in enumerate(data["reviews"]) if n not in bad_rows}
    for key, config in schedulers.items():
        if key in bad_schedulers or key not in used:
            continue
        reason = _config_problem(config)
        if reason:
            bad_schedulers.add(key)
            problems.append(Problem(_where(["schedulers", key], lines), reason))
    latest = now + FUTURE_SLACK
    seen: dict[str, list[int]] = {}
    for n, r in enumerate(data["reviews"]):
        if isinstance(r, dict) and isinstance(r.get("uid"), str):
            seen.setdefault(r["uid"], []).append(n)  # every row counts for duplicates, sound or not
        if n in bad_rows:
            continue
        where = _where(["reviews", n], lines)
        for key, pattern in (("uid", UID_RE), ("card_id", ID_RE)):
            if not pattern.fullmatch(r[key]):  # the schema's $ also matches before a final newline
                problems.append(
                    Problem(
                        where, _("{field} {value} is not a valid id").format(field=key, value=_short(r[key]))
                    )
                )
        reason = _time_problem(r["reviewed_at"], latest)
        if reason:
            problems.append(Problem(where, f"reviewed_at: {reason}"))
        if r.get("study_day") is not None:
            try:
                date.fromisoformat(r["study_day"])
            except (TypeError, ValueError):
                problems.append(
                    Problem(
                        where,
                        _("study_day {value} is not a YYYY-MM-DD date").format(value=_short(r["study_day"])),
                    )
                )
            if r.get("utc_offset") is None:
                problems.append(Problem(where, _("utc_offset (whole minutes) must come with study_day")))
        key = r.get("scheduler")
        if key is not None and key not in schedulers:
            problems.append(
                Problem(where, _("scheduler {key} is not defined in the file").format(key=_short(key)))
            )
        if len(problems) >= MAX_COUNTED:
            return problems
    for uid, rows in seen.items():
        if len(rows) > 1:
            numbers = ", ".join(str(i + 1) for i in rows[:10]) + (", ..." if len(rows) > 10 else "")
            first = _where(["reviews", rows[0]], lines)
            message = _("uid {uid} appears {n} times (reviews {numbers})").format(
                uid=_short(uid), n=len(rows), numbers=numbers
            )
            problems.append(Problem(first, message))
    return problems


def _time_problem(text: str, latest: datetime) -> str | None:
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        return _("{value} is not an ISO 8601 time").format(value=_short(text))
    if stamp.tzinfo is None or stamp.utcoffset() is None:
        return _("{value} has no time zone").format(value=_short(text))
    if stamp < EARLIEST:
        return _("{value} is before 1970").format(value=_short(text))
    if stamp > latest:
        return _("{value} is in the future (later than a day from now)").format(value=_short(text))
    return None


def _config_problem(config: dict[str, Any]) -> str | None:
    """Why FSRS would refuse this config, or None (the schema already checked its shape)."""
    from dlquiz.schedule import SchedulerConfig, scheduler

    if config.get("interview_at") is not None:
        reason = _time_problem(config["interview_at"], datetime.max.replace(tzinfo=timezone.utc))
        if reason:
            return f"interview_at: {reason}"
    if config.get("interview_date") is not None:
        try:
            date.fromisoformat(config["interview_date"])
        except ValueError:
            return _("interview_date: {value} is not a date").format(value=_short(config["interview_date"]))
    try:
        scheduler(SchedulerConfig.from_dict(config))
    except (ValueError, TypeError, KeyError, OverflowError) as error:
        return _("not a usable scheduler config: {reason}").format(reason=str(error).splitlines()[-1][:200])
    return None


def merge(store: Store, data: dict[str, Any]) -> ImportResult:
    """Add the reviews ``store`` lacks, then replay every card that gained one; all in one transaction."""
    from dlquiz.schedule import SchedulerConfig, iso

    present = store.review_uids()
    local = {config_key(c): sid for sid, c in store.scheduler_configs().items()}
    new_schedulers = 0
    added: list[dict[str, Any]] = []
    seen: set[str] = set()
    for r in data["reviews"]:
        if r["uid"] not in present and r["uid"] not in seen:
            seen.add(r["uid"])
            added.append(r)
    first_id: int | None = None
    with store.write():
        for r in added:
            key = r.get("scheduler")
            if key is not None and key not in local:
                SchedulerConfig.from_dict(data["schedulers"][key])  # a malformed config fails here, not later
                local[key] = store.scheduler_id(data["schedulers"][key])
                new_schedulers += 1
            review_id = store.add_review(
                {
                    "uid": r["uid"],
                    "card_id": r["card_id"],
                    # One form (UTC, microseconds) for every stored time, so that ordering the strings
                    # orders the instants: "10:00+05:00" is before "06:00+00:00".
                    "reviewed_at": iso(datetime.fromisoformat(r["reviewed_at"])),
                    "rating": r["rating"],
                    "duration_ms": r.get("duration_ms"),
                    "kind": r["kind"],
                    "content_hash": r.get("content_hash"),
                    "scheduler_id": local[key] if key is not None else None,
                    "state_before": r.get("state_before"),
                    "state_after": r.get("state_after"),
                    "study_day": r.get("study_day"),
                    "utc_offset": r.get("utc_offset"),
                }
            )
            first_id = review_id if first_id is None else first_id
        if first_id is not None:
            store.mark_imported(first_id, review_id)
        cards = sorted({r["card_id"] for r in added})
        configs: dict[int | None, SchedulerConfig] = {}
        for card_id in cards:
            _rebuild(store, card_id, configs)
    return ImportResult(
        len(data["reviews"]), len(added), len(data["reviews"]) - len(added), len(cards), new_schedulers
    )


def _rebuild(store: Store, card_id: str, configs: dict[int | None, Any]) -> None:
    """Replay one card's study reviews in time order; store its state and the states logged per review."""
    from dlquiz.doctor import chronological, replay_steps

    state: CardState | None = None
    for r, before, state in replay_steps(store, chronological(store.reviews_of(card_id)), configs):  # noqa: B007
        logged_before = before.to_dict() if before is not None else None
        if (r.state_before, r.state_after) != (logged_before, state.to_dict()):
            store.set_review_states(r.id, logged_before, state.to_dict())
    if state is None:
        return
    existing = store.card_state(card_id)
    store.put_card_state(replace(state, buried_until=existing.buried_until if existing else None))


def rebuild_card(store: Store, card_id: str) -> CardState | None:
    """Replay one card from its log (after a review was removed); its state, or None when none is left."""
    _rebuild(store, card_id, {})
    if not any(r.kind == "study" and not r.problem for r in store.reviews_of(card_id)):
        store.delete_card_state(card_id)
        return None
    return store.card_state(card_id)


def import_file(store: Store, path: Path, now: datetime | None = None) -> ImportResult:
    return merge(store, read(path, now))
