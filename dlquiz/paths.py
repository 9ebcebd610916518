"""Where dlquiz keeps things: the user's home folder, the database, the cache, the shipped banks."""

from __future__ import annotations

import os
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).parent


def home() -> Path:
    """``$DLQUIZ_HOME``, else the platform's user data folder."""
    env = os.environ.get("DLQUIZ_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("dlquiz", appauthor=False)


def quick_home() -> Path:
    """``home()``, without importing platformdirs (about 3 ms) where its answer is plain: for ``--help``.

    On Linux (not Android) with an absolute $HOME, platformdirs' user data folder is $XDG_DATA_HOME/dlquiz
    when $XDG_DATA_HOME is absolute, else ~/.local/share/dlquiz; elsewhere this is ``home()``. A test
    checks that both agree under each of those environments with the installed platformdirs.
    """
    env = os.environ.get("DLQUIZ_HOME")
    if env:
        return Path(env).expanduser()
    plain = (
        sys.platform == "linux"
        and not hasattr(sys, "getandroidapilevel")
        and "ANDROID_DATA" not in os.environ
    )
    if plain and os.path.isabs(os.environ.get("HOME", "")):
        data = os.environ.get("XDG_DATA_HOME", "")
        return Path(data if os.path.isabs(data) else os.path.expanduser("~/.local/share")) / "dlquiz"
    return home()


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
