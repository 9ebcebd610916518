"""The user's state in one SQLite file: review log, card states, settings. All SQL lives here.

Opened in WAL mode with a busy timeout, so a second dlquiz process waits instead of failing with
"database is locked"; every write runs in ``BEGIN IMMEDIATE`` so two writers queue up cleanly. A review is
committed (and fsync'd by SQLite) before the caller shows it as recorded.
"""

from __future__ import annotations

import errno
import json
import os
import random
import sqlite3
import stat
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from dlquiz.errors import DlquizError
from dlquiz.i18n import _

BUSY_TIMEOUT_MS = 30_000  # a loaded machine (fsync per commit) can keep a writer waiting for seconds
# The number of migrations in migrations.py, mirrored in PRAGMA user_version so that opening an
# up-to-date database needs no sqlite-utils import (it pulls in NumPy: ~0.2 s). A test keeps it in step.
SCHEMA_VERSION = 3
SQLITE_MAGIC = b"SQLite format 3\x00"
IMPORTED_SETTING = "imported_reviews"  # [[first id, last id], ...] of rows added by history imports


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
    study_day: str | None = None  # YYYY-MM-DD, the study day it was logged on (dlquiz.days)
    utc_offset: int | None = None  # minutes east of UTC where it was logged
    # Why this stored row cannot be replayed (edited by hand, or written by a broken tool); None when
    # it is sound. Readers skip and report such a row instead of crashing on it.
    problem: str | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Review:
        problems = []
        states = []
        for key in ("state_before", "state_after"):
            try:
                value = json.loads(row[key]) if row[key] else None
                if value is not None and not isinstance(value, dict):
                    raise ValueError
            except (ValueError, TypeError, RecursionError):
                value = None
                problems.append(f"{key} is not a JSON object")
            states.append(value)
        if row["rating"] not in (1, 2, 3, 4) or isinstance(row["rating"], bool):
            problems.append(f"rating {row['rating']!r:.40} is not 1-4")
        if row["kind"] not in ("study", "cram"):
            problems.append(f"kind {row['kind']!r:.40} is not study or cram")
        when = row["reviewed_at"]
        try:
            if datetime.fromisoformat(when).utcoffset() is None:
                problems.append(f"reviewed_at {when!r:.60} has no time zone")
        except (ValueError, TypeError):
            problems.append(f"reviewed_at {when!r:.60} is not an ISO 8601 time")
        if row["duration_ms"] is not None and not isinstance(row["duration_ms"], int):
            problems.append(f"duration_ms {row['duration_ms']!r:.40} is not a number")
        return cls(
            id=row["id"],
            uid=row["uid"],
            card_id=row["card_id"],
            reviewed_at=row["reviewed_at"],
            rating=row["rating"],
            duration_ms=row["duration_ms"],
            kind=row["kind"],
            scheduler_id=row["scheduler_id"],
            state_before=states[0],
            state_after=states[1],
            content_hash=row["content_hash"],
            study_day=row.get("study_day"),
            utc_offset=row.get("utc_offset"),
            problem="; ".join(problems) or None,
        )

    def day(self) -> date:
        """Its study day: the recorded one (older rows: the local day of its time)."""
        if self.study_day:
            return date.fromisoformat(self.study_day)
        from dlquiz.days import study_day

        return study_day(_parse(self.reviewed_at))


def _parse(stamp: str) -> datetime:
    moment = datetime.fromisoformat(stamp)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _is_busy(error: sqlite3.Error) -> bool:
    return _code(error) in (SQLITE_BUSY, SQLITE_LOCKED) or "locked" in str(error) or "busy" in str(error)


# SQLite's primary result codes (the low byte of sqlite_errorcode), for naming a fault truthfully.
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR = 5, 6, 8, 10
SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 11, 13, 14, 26


_MESSAGES = {  # SQLite's own wording, for an error raised without a code
    "database or disk is full": SQLITE_FULL,
    "readonly database": SQLITE_READONLY,
    "disk I/O error": SQLITE_IOERR,
    "database disk image is malformed": SQLITE_CORRUPT,
    "file is not a database": SQLITE_NOTADB,
    "unable to open database file": SQLITE_CANTOPEN,
}


def _code(error: BaseException) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF
    return next((c for text, c in _MESSAGES.items() if text in str(error)), None)


def _no_space(path: Path) -> bool:
    """Whether the file system holding ``path`` has (almost) no room left: less than 64 KB."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        info = os.statvfs(folder)
    except OSError:
        return False
    return info.f_bavail * info.f_frsize < 65536


def _size_mb(path: Path) -> int:
    try:
        return max(1, round(path.stat().st_size / 2**20))
    except OSError:
        return 1


def _reads_work() -> str:
    return _("reading still works (list, show, next, stats, doctor, history export)")


def _named(error: DlquizError, kind: str) -> DlquizError:
    error.fault = kind  # type: ignore[attr-defined]  # lets a caller react to the kind, not to the words
    return error


def busy_error(path: Path) -> DlquizError:
    message = _("{path} is busy: another program has held a lock on it for {seconds} s").format(
        path=path, seconds=BUSY_TIMEOUT_MS // 1000
    )
    return _named(
        DlquizError(
            message + "; " + _("nothing was changed"),
            exit_code=1,
            hint=_("close the other dlquiz (or sqlite3) using this database and run the command again"),
        ),
        "busy",
    )


def read_only_error(path: Path, why: str) -> DlquizError:
    return _named(
        DlquizError(
            _("{path} is read-only ({why}): nothing was saved; {works}").format(
                path=path, why=why, works=_reads_work()
            ),
            exit_code=1,
            hint=_(
                "make the file and its folder writable (chmod u+w, or remount the disk read-write), "
                "or use another database with --db"
            ),
        ),
        "read-only",
    )


def newer_error(path: Path, why: str) -> DlquizError:
    return _named(
        DlquizError(
            _("{path} cannot be changed by this dlquiz: {why}; nothing was saved; {works}").format(
                path=path, why=why, works=_reads_work()
            ),
            exit_code=1,
            hint=_("upgrade dlquiz (pip install -U dlquiz); a database is never downgraded"),
        ),
        "newer",
    )


def full_error(path: Path) -> DlquizError:
    return _named(
        DlquizError(
            _(
                "the disk holding {path} is full: nothing was saved (the change was rolled back); {works}"
            ).format(path=path, works=_reads_work()),
            exit_code=1,
            hint=_("free some space on that disk, then run the command again"),
        ),
        "full",
    )


def fault(error: BaseException, path: Path) -> DlquizError:
    """A DlquizError that names what went wrong with the database file, truthfully.

    Only a file SQLite finds corrupt, or that is not an SQLite file, is called damaged; a full disk, a
    read-only file, a lock held too long or an I/O error each get their own message, since the file
    itself is fine and moving it away would be the wrong advice."""
    code = _code(error)
    errno_ = getattr(error, "errno", None)
    if code == SQLITE_FULL or errno_ == errno.ENOSPC:
        return full_error(path)
    if (code == SQLITE_IOERR or isinstance(error, OSError)) and _no_space(path):
        # A full disk often reaches SQLite as an I/O error (growing the WAL index or the WAL fails).
        return full_error(path)
    if code == SQLITE_READONLY or errno_ in (errno.EACCES, errno.EROFS):
        return read_only_error(path, _("the file, its folder or the disk does not allow writing"))
    if code is not None and code in (SQLITE_BUSY, SQLITE_LOCKED):
        return busy_error(path)
    if code in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return _named(_damaged(path, str(error)), "damaged")
    if code == SQLITE_CANTOPEN:
        return DlquizError(
            _("cannot open {path}: {reason}").format(path=path, reason=error),
            exit_code=1,
            hint=_("check that the file and its folder exist and can be read and written"),
        )
    if code == SQLITE_IOERR or isinstance(error, OSError):
        return DlquizError(
            _("input/output error on {path} ({reason}): the file was left as it was").format(
                path=path, reason=error
            ),
            exit_code=1,
            hint=_(
                "check the disk (a removed drive, a network folder gone away), then run the command again"
            ),
        )
    return DlquizError(_("database error on {path}: {reason}").format(path=path, reason=error), exit_code=1)


def _connect(path: Path, check: bool, read_only: bool = False) -> sqlite3.Connection:
    """A connection with our pragmas; ``check`` runs a quick integrity check of an existing file.

    ``read_only`` opens with ``mode=ro``; when even the WAL index cannot be created beside the file (a
    read-only folder or disk, or a full one), with ``immutable=1``: nothing can change the file there
    (a full disk cannot take a write either), so reading it without locks is safe."""
    if read_only:
        uri = "file:" + urllib.parse.quote(str(path.resolve()))
        try:
            conn = sqlite3.connect(uri + "?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA schema_version").fetchone()
        except sqlite3.OperationalError as error:
            if _code(error) not in (SQLITE_CANTOPEN, SQLITE_IOERR):  # no room or no right for the -shm
                raise
            conn = sqlite3.connect(
                uri + "?mode=ro&immutable=1", uri=True, isolation_level=None, check_same_thread=False
            )
    else:
        conn = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
    try:
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not read_only and conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
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


def _cannot_persist(path: Path) -> str | None:
    """Why a database at ``path`` would not keep what is written to it, or None."""
    if str(path) in ("", ":memory:") or str(path).startswith(("file:", ":memory:")):
        return _("an in-memory database keeps nothing")
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    except OSError as error:
        return _("it cannot be read ({reason})").format(reason=error.strerror)
    if stat.S_ISDIR(info.st_mode):
        return _("it is a folder")
    if not stat.S_ISREG(info.st_mode):
        return _("it is not a regular file (a device, a FIFO or a socket keeps nothing)")
    return None


def _writable(path: Path, existed: bool) -> str | None:
    """Why the database cannot be written here (file, folder or disk read-only), or None.

    os.access also answers EROFS for a read-only mount, even to root."""
    if existed and not os.access(path, os.W_OK):
        return _("the file is read-only")
    if not os.access(path.parent, os.W_OK):
        wal = path.with_name(path.name + "-wal")
        if existed and wal.exists() and os.access(wal, os.W_OK):
            return None  # SQLite can work in an existing WAL without creating files
        return _("its folder is read-only")
    return None


def latest_backup(path: Path) -> Path | None:
    """The newest backup beside ``path`` that is an SQLite file (a 0-byte or cut-off one is never offered)."""
    for backup in sorted(path.parent.glob(glob_escape(path.name) + ".*.bak"), reverse=True):
        try:
            with backup.open("rb") as handle:
                if handle.read(16) == SQLITE_MAGIC:
                    return backup
        except OSError:
            continue
    return None


def glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def _remove_new(path: Path) -> None:
    """Remove a file this run created and could not finish, with SQLite's side files."""
    for leftover in (path, *(path.with_name(path.name + s) for s in ("-journal", "-wal", "-shm"))):
        with suppress(OSError):
            leftover.unlink()


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
    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        read_only: str | None = None,
        refusal: Callable[[], DlquizError] | None = None,
    ):
        self.path = path
        self.conn = conn
        self._db: Any = None
        # Why writes are refused (a read-only file or folder, a full disk, a database from a newer
        # dlquiz), and the error each write raises; None when they are allowed. Reads work either way.
        self.read_only = read_only
        self.refusal = refusal or (
            (lambda: read_only_error(path, read_only)) if read_only is not None else None
        )

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
        """Open (creating if needed) and migrate; a damaged or foreign file is reported, never overwritten.

        A file that cannot be written (read-only file, folder or disk) or that a newer dlquiz wrote is
        opened for reading only: reads work, and every write says why it was refused."""
        why = _cannot_persist(path)
        if why:
            raise DlquizError(
                _("{path} cannot hold the database: {why}").format(path=path, why=why),
                hint=_("give a file path with --db or DLQUIZ_DB"),
            )
        absent = not path.exists()
        existed = not absent and path.stat().st_size > 0
        if existed:
            try:
                with path.open("rb") as handle:
                    header = handle.read(16)
            except OSError as error:
                raise DlquizError(
                    _("cannot read {path}: {reason}").format(path=path, reason=error.strerror), exit_code=1
                ) from None
            if header != SQLITE_MAGIC:
                raise _damaged(path, _("it is not an SQLite file"))
        else:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                if error.errno == errno.ENOSPC:
                    raise full_error(path) from None
                raise DlquizError(
                    _("cannot create {path}: {reason}").format(path=path.parent, reason=error.strerror),
                    exit_code=1,
                ) from None
        read_only = _writable(path, existed)
        if read_only and not existed:
            raise DlquizError(
                _("cannot create {path}: {reason}").format(path=path, reason=read_only),
                exit_code=1,
                hint=_("make the folder writable, or use another database with --db"),
            )
        # SQLite answers "locked" at once, without waiting, where waiting could deadlock: two processes
        # that both switch a new file to WAL, or one that switches while the other migrates. Opening is
        # short and idempotent, so it is retried as a whole until the busy timeout runs out.
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        refusal: Callable[[], DlquizError] | None = None
        while True:
            conn = None
            try:
                conn = _connect(path, check=existed, read_only=read_only is not None)
                store = cls(conn, path, read_only=read_only, refusal=refusal)
                store._migrate(now or datetime.now(timezone.utc))
                return store
            except sqlite3.Error as error:
                if conn is not None:
                    conn.close()
                if not _is_busy(error):
                    if absent:
                        _remove_new(path)  # a file we just created and could not set up is not left behind
                    found = fault(error, path)
                    if existed and read_only is None and getattr(found, "fault", None) == "full":
                        # A full disk cannot even hold the WAL index: open for reading, refuse writes.
                        read_only, refusal = _("the disk is full"), (lambda: full_error(path))
                        continue
                    raise found from None
                if time.monotonic() > deadline:
                    raise busy_error(path) from None
                time.sleep(random.uniform(0.01, 0.05))
            except BaseException:
                if conn is not None:
                    conn.close()
                raise

    def _migrate(self, now: datetime) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION and not self._more_migrations():
            return
        newer = self._newer(version)
        if newer:
            self.read_only = newer  # never downgraded, never migrated "back"
            self.refusal = lambda: newer_error(self.path, newer)
            return
        from dlquiz.migrations import migrations

        if migrations.pending(self.db):
            if self.read_only:  # checked before any backup: no backup of a migration that cannot run
                raise DlquizError(
                    _("{path} needs an upgrade to this dlquiz's format, which cannot be done: {why}").format(
                        path=self.path, why=self.read_only
                    ),
                    exit_code=1,
                    hint=_("make it writable and run dlquiz once, or use the dlquiz that wrote it"),
                )
            backup = self.backup(now, reason="migrate") if self.db["_sqlite_migrations"].exists() else None
            try:
                with self.write():
                    migrations.apply(self.db)  # each migration and its record commit together
            except BaseException:
                if backup is not None:  # nothing changed, so the copy is not needed (and takes space)
                    _remove_new(backup)
                raise
        if not self.read_only:
            self.conn.execute(f"PRAGMA user_version = {len(migrations.applied(self.db))}")

    def _more_migrations(self) -> bool:
        """More applied migrations than this dlquiz ships (one SQL count: sqlite-utils stays unimported)."""
        try:
            row = self.conn.execute(
                "SELECT COUNT(*) FROM _sqlite_migrations WHERE migration_set = 'dlquiz'"
            ).fetchone()
        except sqlite3.OperationalError:  # no such table: a new file
            return False
        return int(row[0]) > SCHEMA_VERSION

    def _newer(self, version: int) -> str | None:
        """Why this database is from a newer dlquiz (a higher user_version, or migrations this one does not
        know), or None."""
        if version > SCHEMA_VERSION:
            return _(
                "it was written by a newer dlquiz (format {version}; this dlquiz knows up to {known})"
            ).format(version=version, known=SCHEMA_VERSION)
        has_table = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'"
        ).fetchone()
        if not has_table:
            return None
        from dlquiz.migrations import migrations

        known = {m.name for m in migrations._migrations}
        applied = {
            row[0]
            for row in self.conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", (migrations.name,)
            )
        }
        unknown = sorted(applied - known)
        if unknown:
            return _("it was written by a newer dlquiz (migrations {names} are unknown here)").format(
                names=", ".join(unknown[:3])
            )
        return None

    def backup(self, now: datetime, reason: str = "backup") -> Path:
        """A consistent copy beside the database: ``dlquiz.db.2026-11-27T190455.migrate.bak``.

        A copy that cannot be finished (disk full) is removed, never left as a 0-byte file that a later
        hint could point at."""
        target = self.path.with_name(f"{self.path.name}.{now.strftime('%Y-%m-%dT%H%M%S')}.{reason}.bak")
        try:
            dest = sqlite3.connect(target)
            try:
                self.conn.backup(dest)
            finally:
                dest.close()
        except (sqlite3.Error, OSError) as error:
            _remove_new(target)
            found = fault(error, target)
            if getattr(found, "fault", None) == "full":
                found = _named(
                    DlquizError(
                        _(
                            "the disk holding {path} is full: there is no room for the backup taken before "
                            "any change, so nothing was changed; {works}"
                        ).format(path=self.path, works=_reads_work()),
                        exit_code=1,
                        hint=_("free some space (about {mb} MB), then run the command again").format(
                            mb=_size_mb(self.path)
                        ),
                    ),
                    "full",
                )
            raise found from None
        return target

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def write(self) -> Iterator[None]:
        """One write transaction, taken up front so concurrent writers wait instead of deadlocking.

        A fault of the file (read-only, disk full, busy past the timeout) rolls everything back and
        becomes a DlquizError that says what still works."""
        if self.refusal is not None:
            raise self.refusal()
        if self.conn.in_transaction:
            yield
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                if self.conn.in_transaction:  # SQLite may already have rolled back (SQLITE_FULL)
                    self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")
        except sqlite3.Error as error:
            if self.conn.in_transaction:
                with suppress(sqlite3.Error):
                    self.conn.execute("ROLLBACK")
            raise fault(error, self.path) from None

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
        """Append one review; without a ``study_day`` (an older history file), the local zone's is used."""
        row = dict(review)
        if not row.get("study_day"):
            from dlquiz.days import study_day, utc_offset

            moment = _parse(row["reviewed_at"])
            row["utc_offset"] = utc_offset(moment)
            row["study_day"] = study_day(moment, row["utc_offset"]).isoformat()
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

    def mark_imported(self, first_id: int, last_id: int) -> None:
        """Remember that reviews ``first_id..last_id`` came from a history import: undo never takes them."""
        ranges = self.get_setting(IMPORTED_SETTING, [])
        if ranges and ranges[-1][1] + 1 >= first_id:
            ranges[-1][1] = max(ranges[-1][1], last_id)
        else:
            ranges.append([first_id, last_id])
        self.set_setting(IMPORTED_SETTING, ranges)

    def last_local_review(self) -> Review | None:
        """The review graded on this machine most recently, by insertion order; imported ones are skipped."""
        ranges = self.get_setting(IMPORTED_SETTING, [])
        where = " AND ".join("id NOT BETWEEN ? AND ?" for _ in ranges) or "1"
        row = self.conn.execute(
            f"SELECT * FROM reviews WHERE {where} ORDER BY id DESC LIMIT 1",
            [bound for pair in ranges for bound in pair],
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

    def latest_study_day(self) -> date | None:
        """The latest study day any review was logged on (MAX over the study_day index)."""
        row = self.conn.execute("SELECT MAX(study_day) FROM reviews").fetchone()
        return date.fromisoformat(row[0]) if row and row[0] else None

    def last_study_day(self, card_id: str) -> date | None:
        """The study day of the card's latest study review (the one its state was graded from)."""
        row = self.conn.execute(
            "SELECT study_day FROM reviews WHERE card_id = ? AND kind = 'study' "
            "ORDER BY reviewed_at DESC, id DESC LIMIT 1",
            (card_id,),
        ).fetchone()
        return date.fromisoformat(row[0]) if row and row[0] else None

    def study_days(self, since: date) -> set[date]:
        """The study days with at least one study review, from ``since`` on."""
        rows = self.conn.execute(
            "SELECT DISTINCT study_day FROM reviews WHERE kind = 'study' AND study_day >= ?",
            (since.isoformat(),),
        )
        return {date.fromisoformat(r[0]) for r in rows}

    def count_reviews_on(self, day: date, first_only: bool = False, review_state: bool = False) -> int:
        """Study reviews logged on study day ``day``: all, only first-ever ones (new cards), or only those
        of cards in the Review state (what the daily review limit counts; learning steps do not)."""
        sql = "SELECT COUNT(*) FROM reviews WHERE study_day = ? AND kind = 'study'"
        if first_only:
            sql += " AND state_before IS NULL"
        if review_state:
            sql += " AND json_extract(state_before, '$.state') = 2"
        return int(self.conn.execute(sql, (day.isoformat(),)).fetchone()[0])

    def count_reviews_since(self, since_iso: str, kind: str = "study", first_only: bool = False) -> int:
        """Reviews at or after ``since_iso``; with ``first_only``, only first-ever reviews (new cards)."""
        if first_only:
            sql = "SELECT COUNT(*) FROM reviews WHERE reviewed_at >= ? AND kind = ? AND state_before IS NULL"
        else:
            sql = "SELECT COUNT(*) FROM reviews WHERE reviewed_at >= ? AND kind = ?"
        return int(self.conn.execute(sql, (since_iso, kind)).fetchone()[0])

    def review_facts(self, since: date) -> list[tuple[str, int, int | None, str, int | None]]:
        """(study day, rating, duration_ms, kind, state before) of reviews on study days from ``since``."""
        rows = self.conn.execute(
            # json_valid first: one hand-edited row must not make the whole query fail ("malformed JSON").
            "SELECT study_day, rating, duration_ms, kind, "
            "CASE WHEN json_valid(state_before) THEN json_extract(state_before, '$.state') END "
            "FROM reviews WHERE study_day >= ? ORDER BY reviewed_at, id",
            (since.isoformat(),),
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]

    def review_totals(self) -> tuple[int, int]:
        """(number of reviews, total duration in ms) over the whole log."""
        # TOTAL, not SUM: SUM raises "integer overflow" on one absurd value; text counts as 0 in both.
        row = self.conn.execute(
            "SELECT COUNT(*), TOTAL(duration_ms) FROM reviews WHERE typeof(duration_ms) = 'integer' "
            "AND duration_ms BETWEEN 0 AND 86400000"
        ).fetchone()
        total = int(self.conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0])
        return total, int(row[1])

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
