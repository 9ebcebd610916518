"""Where dlquiz keeps things: the user's home folder, the database, the cache, the shipped banks."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).parent


def home() -> Path:
    """``$DLQUIZ_HOME``, else the platform's user data folder."""
    env = os.environ.get("DLQUIZ_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("dlquiz", appauthor=False)


def database(override: str | None = None) -> Path:
    """``--db``, else ``$DLQUIZ_DB``, else ``<home>/dlquiz.db``."""
    chosen = override or os.environ.get("DLQUIZ_DB")
    return Path(chosen).expanduser() if chosen else home() / "dlquiz.db"


def cache_dir() -> Path:
    return home() / "cache"


def shipped_content() -> Path:
    """The banks that ship with dlquiz: inside the wheel, or at the top of a source checkout."""
    installed = PACKAGE_DIR / "content"
    return installed if installed.is_dir() else PACKAGE_DIR.parent / "content"


def user_banks(options: list[str] | None = None) -> list[Path]:
    """``--bank`` options first, then ``$DLQUIZ_BANKS`` (separated like PATH)."""
    found = [Path(p).expanduser() for p in options or []]
    env = os.environ.get("DLQUIZ_BANKS", "")
    found += [Path(p).expanduser() for p in env.split(os.pathsep) if p.strip()]
    return found
