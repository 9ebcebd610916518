"""The one setting every command reads before it starts: ``lang``, straight from the database.

All other SQL lives in ``store.py``; this single read-only SELECT is kept apart because ``show`` and
``list`` otherwise never open the store, and importing ``store.py`` (its dataclasses, ``random``,
``datetime``) costs them 5-10 ms of a start-up budget measured in tens. No migration, no write: a
missing, locked or damaged database just means "not set", and the command reports any real problem
when it opens the store itself.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any


def peek_setting(path: Path, key: str) -> Any:
    """One setting as ``Store.get_setting`` would return it, or None if it cannot be read."""
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1.0)
        try:
            row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        finally:
            conn.close()
        return json.loads(row[0]) if row else None
    except (sqlite3.Error, ValueError):
        return None
