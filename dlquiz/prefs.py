"""The one setting every command reads before it starts: ``lang``, straight from the database.

All other SQL lives in ``store.py``; this single read-only SELECT is kept apart because ``show`` and
``list`` otherwise never open the store, and importing ``store.py`` (its dataclasses, ``random``,
``datetime``) costs them 5-10 ms of a start-up budget measured in tens. No migration, no write: a
missing, locked or damaged database just means "not set", and the command reports any real problem
when it opens the store itself.

``--help`` needs the setting too (help in Chinese), but ``import sqlite3`` and a connection cost it about
4 ms, more than its whole start-up budget; so it reads ``remembered_lang``, a copy kept beside the bank
cache while the database files are unchanged. sqlite3 and json are imported by ``peek_setting`` only.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any


def peek_setting(path: Path, key: str) -> Any:
    """One setting as ``Store.get_setting`` would return it, or None if it cannot be read."""
    if not path.is_file():
        return None
    import json
    import sqlite3

    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1.0)
        try:
            row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        finally:
            conn.close()
        return json.loads(row[0]) if row else None
    except (sqlite3.Error, ValueError):
        return None


# The remembered copy is trusted only while the database and its WAL have the same size, inode and
# modification time as when it was written. A write in the same clock tick as the stat could leave the
# time unchanged (file times are coarse), so, as git does for its "racily clean" index entries, a copy
# is only written when the files are older than SETTLED seconds: nothing written since can look unchanged.
SETTLED = 2.0


def remembered_lang(path: Path, cache: Path) -> str | None:
    """``peek_setting(path, "lang")`` when it is a string, without sqlite3 while the database is unchanged.

    The copy is kept in the folder ``cache``.
    """
    try:
        stamp = _stamp(path)
    except OSError:
        return None  # no database: not set
    copy = cache / "lang"
    head = f"{os.path.abspath(path)}\n{stamp}\n"
    try:
        text = copy.read_text(encoding="utf-8")
        if text.startswith(head):
            return text[len(head) :].strip() or None
    except (OSError, ValueError):
        pass
    value = peek_setting(path, "lang")
    value = value if isinstance(value, str) and "\n" not in value else None
    if time.time() - _newest(path) >= SETTLED and stamp == _stamp(path):
        try:
            copy.parent.mkdir(parents=True, exist_ok=True)
            tmp = copy.with_name(f"lang.{os.getpid()}.tmp")
            tmp.write_text(head + (value or "") + "\n", encoding="utf-8")
            os.replace(tmp, copy)
        except OSError:
            pass  # an unwritable cache only costs the read next time
    return value


def _stamp(path: Path) -> str:
    """What changes when the database changes: size, inode and modification time of the file and its WAL.

    An empty WAL counts as none: a reader creates one (peek_setting does), and it holds no change.
    """
    st = os.stat(path)
    parts = [f"{st.st_size}:{st.st_ino}:{st.st_mtime_ns}"]  # not st_ctime: SQLite chowns files as root
    wal = _wal(path)
    parts.append(f"{wal.st_size}:{wal.st_ino}:{wal.st_mtime_ns}" if wal else "-")
    return " ".join(parts)


def _newest(path: Path) -> float:
    wal = _wal(path)
    return max(os.stat(path).st_mtime, wal.st_mtime if wal else 0.0)


def _wal(path: Path) -> os.stat_result | None:
    try:
        st = os.stat(path.with_name(path.name + "-wal"))
    except OSError:
        return None
    return st if st.st_size else None
