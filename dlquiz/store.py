"""The user's state in one SQLite file: review log, card states, settings. All SQL lives here.

Opened in WAL mode with a busy timeout, so a second dlquiz process waits instead of failing with
"database is locked"; every write runs in ``BEGIN IMMEDIATE`` so two writers queue up cleanly. A review is
committed (and fsync'd by SQLite) before the caller shows it as recorded.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from dlquiz.errors import DlquizError
from dlquiz.i18n import _

BUSY_TIMEOUT_MS = 30_000  # a loaded machine (fsync per commit) can keep a writer waiting for seconds
# The number of migrations in migrations.py, mirrored in PRAGMA user_version so that opening an
# up-to-date database needs no sqlite-utils import (it pulls in NumPy: ~0.2 s). A test keeps it in step.
SCHEMA_VERSION = 2
SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class CardState:
    """A card's scheduling state as stored (mirrors fsrs.Card plus our counters)."""

    card_id: str
    state: int | None  # None: never reviewed
    step: int | None
    stability: float | None
    difficulty: float | None
    due: str | None
    last_review: str | None
    reps: int = 0
    lapses: int = 0
    content_hash: str | None = None
    buried_until: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    def schedule_dict(self) -> dict[str, Any]:
        """What replay reproduces: the state without the bury flag."""
        data = self.to_dict()
        data.pop("buried_until")
        return data


@dataclass(frozen=True)
class Review:
    id: int
    uid: str
    card_id: str
    reviewed_at: str
    rating: int
    duration_ms: int | None
    kind: str
    scheduler_id: int | None
    state_before: dict[str, Any] | None
    state_after: dict[str, Any] | None
    content_hash: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Review:
        return cls(
            id=row["id"],
            uid=row["uid"],
            card_id=row["card_id"],
            reviewed_at=row["reviewed_at"],
            rating=row["rating"],
            duration_ms=row["duration_ms"],
            kind=row["kind"],
            scheduler_id=row["scheduler_id"],
            state_before=json.loads(row["state_before"]) if row["state_before"] else None,
            state_after=json.loads(row["state_after"]) if row["state_after"] else None,
            content_hash=row["content_hash"],
        )


def _is_busy(error: sqlite3.OperationalError) -> bool:
    return "locked" in str(error) or "busy" in str(error)


def _connect(path: Path, check: bool) -> sqlite3.Connection:
    """A connection with our pragmas; ``check`` runs a quick integrity check of an existing file."""
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    try:
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")  # persistent: only a new file needs the switch
        conn.execute("PRAGMA synchronous = FULL")  # a confirmed review survives power loss, too
        conn.execute("PRAGMA foreign_keys = ON")
        if check:
            ok = conn.execute("PRAGMA quick_check").fetchone()[0]
            if ok != "ok":
                raise sqlite3.DatabaseError(f"integrity check: {ok}")
    except BaseException:
        conn.close()
        raise
    return conn


def latest_backup(path: Path) -> Path | None:
    backups = sorted(path.parent.glob(path.name + ".*.bak"))
    return backups[-1] if backups else None


def _damaged(path: Path, detail: str) -> DlquizError:
    backup = latest_backup(path)
    hint = (
        _("the latest backup is {backup}; to restore it: cp '{backup}' '{path}'").format(
            backup=backup, path=path
        )
        if backup
        else _("no backup was found beside it; move the file away to start afresh")
    )
    return DlquizError(
        _("{path} is not a usable dlquiz database ({detail}); it was left untouched").format(
            path=path, detail=detail
        ),
        hint=hint,
    )


class Store:
    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.path = path
        self.conn = conn
        self._db: Any = None

    @property
    def db(self) -> Any:
        """The sqlite-utils view of the connection, for migrations and bulk work."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    # --- opening -----------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, now: datetime | None = None) -> Store:
        """Open (creating if needed) and migrate; a damaged or foreign file is reported, never overwritten."""
        existed = path.exists() and path.stat().st_size > 0
        if existed:
            try:
                with path.open("rb") as handle:
                    header = handle.read(16)
            except OSError as error:
                raise DlquizError(
                    _("cannot read {path}: {reason}").format(path=path, reason=error.strerror)
                ) from None
            if header != SQLITE_MAGIC:
                raise _damaged(path, _("it is not an SQLite file"))
        else:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise DlquizError(
                    _("cannot create {path}: {reason}").format(path=path.parent, reason=error.strerror)
                ) from None
        # SQLite answers "locked" at once, without waiting, where waiting could deadlock: two processes
        # that both switch a new file to WAL, or one that switches while the other migrates. Opening is
        # short and idempotent, so it is retried as a whole until the busy timeout runs out.
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            conn = None
            try:
                conn = _connect(path, check=existed)
                store = cls(conn, path)
                store._migrate(now or datetime.now(timezone.utc))
                return store
            except sqlite3.OperationalError as error:
                if conn is not None:
                    conn.close()
                if not _is_busy(error):
                    raise _damaged(path, str(error)) from None
                if time.monotonic() > deadline:
                    raise DlquizError(
                        _("{path} is busy: another program has held a lock on it for {seconds} s").format(
                            path=path, seconds=BUSY_TIMEOUT_MS // 1000
                        ),
                        exit_code=1,
                    ) from None
                time.sleep(random.uniform(0.01, 0.05))
            except sqlite3.DatabaseError as error:
                if conn is not None:
                    conn.close()
                raise _damaged(path, str(error)) from None

    def _migrate(self, now: datetime) -> None:
        if self.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return
        from dlquiz.migrations import migrations

        if migrations.pending(self.db):
            if self.db["_sqlite_migrations"].exists():
                self.backup(now, reason="migrate")
            with self.write():
                migrations.apply(self.db)  # each migration and its record commit together
        self.conn.execute(f"PRAGMA user_version = {len(migrations.applied(self.db))}")

    def backup(self, now: datetime, reason: str = "backup") -> Path:
        """A consistent copy beside the database: ``dlquiz.db.2026-11-27T190455.migrate.bak``."""
        target = self.path.with_name(f"{self.path.name}.{now.strftime('%Y-%m-%dT%H%M%S')}.{reason}.bak")
        dest = sqlite3.connect(target)
        try:
            self.conn.backup(dest)
        finally:
            dest.close()
        return target

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def write(self) -> Iterator[None]:
        """One write transaction, taken up front so concurrent writers wait instead of deadlocking."""
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # --- settings ----------------------------------------------------------------------------------

    def get_setting(self, key: str, default: Any = None) -> Any:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return json.loads(row["value"]) if row else default

    def settings(self) -> dict[str, Any]:
        return {
            row["key"]: json.loads(row["value"])
            for row in self.conn.execute("SELECT key, value FROM settings")
        }

    def set_setting(self, key: str, value: Any) -> None:
        with self.write():
            if value is None:
                self.conn.execute("DELETE FROM settings WHERE key = ?", (key,))
            else:
                self.conn.execute(
                    "INSERT INTO settings (key, value) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (key, json.dumps(value)),
                )

    # --- schedulers ----------------------------------------------------------------------------------

    def scheduler_id(self, config: dict[str, Any]) -> int:
        blob = json.dumps(config, sort_keys=True)
        with self.write():
            row = self.conn.execute("SELECT id FROM schedulers WHERE config = ?", (blob,)).fetchone()
            if row:
                return int(row["id"])
            return int(self.conn.execute("INSERT INTO schedulers (config) VALUES (?)", (blob,)).lastrowid)

    def scheduler_config(self, scheduler_id: int) -> dict[str, Any]:
        row = self.conn.execute("SELECT config FROM schedulers WHERE id = ?", (scheduler_id,)).fetchone()
        return json.loads(row["config"])

    # --- cards -------------------------------------------------------------------------------------------

    def card_states(self) -> dict[str, CardState]:
        rows = self.conn.execute("SELECT * FROM cards")
        return {row["card_id"]: CardState(**dict(row)) for row in rows}

    def card_state(self, card_id: str) -> CardState | None:
        row = self.conn.execute("SELECT * FROM cards WHERE card_id = ?", (card_id,)).fetchone()
        return CardState(**dict(row)) if row else None

    def put_card_state(self, state: CardState) -> None:
        data = state.to_dict()
        columns = ", ".join(data)
        marks = ", ".join("?" for _ in data)
        updates = ", ".join(f"{k} = excluded.{k}" for k in data if k != "card_id")
        with self.write():
            self.conn.execute(
                f"INSERT INTO cards ({columns}) VALUES ({marks}) "
                f"ON CONFLICT(card_id) DO UPDATE SET {updates}",
                tuple(data.values()),
            )

    def delete_card_state(self, card_id: str) -> None:
        with self.write():
            self.conn.execute("DELETE FROM cards WHERE card_id = ?", (card_id,))

    # --- reviews -----------------------------------------------------------------------------------------

    def add_review(self, review: dict[str, Any]) -> int:
        row = dict(review)
        for key in ("state_before", "state_after"):
            if row.get(key) is not None:
                row[key] = json.dumps(row[key], sort_keys=True)
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        with self.write():
            cursor = self.conn.execute(
                f"INSERT INTO reviews ({columns}) VALUES ({marks})", tuple(row.values())
            )
            return int(cursor.lastrowid)

    def delete_review(self, review_id: int) -> None:
        with self.write():
            self.conn.execute("DELETE FROM reviews WHERE id = ?", (review_id,))

    def last_review(self, kinds: tuple[str, ...] = ("study", "cram")) -> Review | None:
        marks = ", ".join("?" for _ in kinds)
        row = self.conn.execute(
            # The newest row, unless a later review of the same card exists (a history import can add old
            # reviews after new ones): only a card's latest review can be undone by restoring state_before.
            f"SELECT * FROM reviews AS r WHERE kind IN ({marks}) AND NOT EXISTS (SELECT 1 FROM reviews AS l "
            "WHERE l.card_id = r.card_id AND l.reviewed_at > r.reviewed_at) ORDER BY id DESC LIMIT 1",
            kinds,
        ).fetchone()
        return Review.from_row(dict(row)) if row else None

    def reviews_of(self, card_id: str) -> list[Review]:
        rows = self.conn.execute(
            "SELECT * FROM reviews WHERE card_id = ? ORDER BY reviewed_at, id", (card_id,)
        )
        return [Review.from_row(dict(r)) for r in rows]

    def all_reviews(self) -> Iterator[Review]:
        for row in self.conn.execute("SELECT * FROM reviews ORDER BY reviewed_at, id"):
            yield Review.from_row(dict(row))

    def reviewed_card_ids(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT DISTINCT card_id FROM reviews")]

    def count_reviews_since(self, since_iso: str, kind: str = "study", first_only: bool = False) -> int:
        """Reviews at or after ``since_iso``; with ``first_only``, only first-ever reviews (new cards)."""
        if first_only:
            sql = "SELECT COUNT(*) FROM reviews WHERE reviewed_at >= ? AND kind = ? AND state_before IS NULL"
        else:
            sql = "SELECT COUNT(*) FROM reviews WHERE reviewed_at >= ? AND kind = ?"
        return int(self.conn.execute(sql, (since_iso, kind)).fetchone()[0])

    def review_facts(self, since_iso: str) -> list[tuple[str, int, int | None, str, int | None]]:
        """(reviewed_at, rating, duration_ms, kind, state before) of reviews since ``since_iso``."""
        rows = self.conn.execute(
            "SELECT reviewed_at, rating, duration_ms, kind, json_extract(state_before, '$.state') "
            "FROM reviews WHERE reviewed_at >= ? ORDER BY reviewed_at, id",
            (since_iso,),
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]

    def review_totals(self) -> tuple[int, int]:
        """(number of reviews, total duration in ms) over the whole log."""
        row = self.conn.execute("SELECT COUNT(*), COALESCE(SUM(duration_ms), 0) FROM reviews").fetchone()
        return int(row[0]), int(row[1])

    # --- mock interviews ---------------------------------------------------------------------------

    def add_mock(self, mock: dict[str, Any], answers: list[dict[str, Any]]) -> int:
        """A mock interview and its answers, in one transaction."""
        row = dict(mock, sections=json.dumps(list(mock.get("sections") or [])))
        with self.write():
            columns, marks = ", ".join(row), ", ".join("?" for _ in row)
            mock_id = int(
                self.conn.execute(
                    f"INSERT INTO mocks ({columns}) VALUES ({marks})", tuple(row.values())
                ).lastrowid
            )
            for answer in answers:
                data = dict(answer, mock_id=mock_id, covered=json.dumps(sorted(answer["covered"])))
                columns, marks = ", ".join(data), ", ".join("?" for _ in data)
                self.conn.execute(
                    f"INSERT INTO mock_answers ({columns}) VALUES ({marks})", tuple(data.values())
                )
        return mock_id

    def mocks(self) -> list[dict[str, Any]]:
        """Every mock interview, oldest first, each with its answers in order."""
        out: dict[int, dict[str, Any]] = {}
        for row in self.conn.execute("SELECT * FROM mocks ORDER BY started_at, id"):
            out[row["id"]] = dict(row, sections=json.loads(row["sections"] or "[]"), answers=[])
        for row in self.conn.execute("SELECT * FROM mock_answers ORDER BY mock_id, position, id"):
            if row["mock_id"] in out:
                out[row["mock_id"]]["answers"].append(
                    dict(row, covered=json.loads(row["covered"] or "[]"), timed_out=bool(row["timed_out"]))
                )
        return list(out.values())

    # --- history (export and merge) ------------------------------------------------------------------

    def scheduler_configs(self) -> dict[int, dict[str, Any]]:
        return {
            row["id"]: json.loads(row["config"])
            for row in self.conn.execute("SELECT id, config FROM schedulers")
        }

    def review_uids(self) -> set[str]:
        return {row[0] for row in self.conn.execute("SELECT uid FROM reviews")}

    def set_review_states(
        self, review_id: int, before: dict[str, Any] | None, after: dict[str, Any] | None
    ) -> None:
        """Rewrite the states logged with a review (after a merge put other reviews before it)."""
        blobs = [json.dumps(s, sort_keys=True) if s is not None else None for s in (before, after)]
        with self.write():
            self.conn.execute(
                "UPDATE reviews SET state_before = ?, state_after = ? WHERE id = ?", (*blobs, review_id)
            )

    def integrity(self) -> str:
        return str(self.conn.execute("PRAGMA integrity_check").fetchone()[0])
