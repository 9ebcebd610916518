"""Every test runs with its own DLQUIZ_HOME, a pinned terminal width and no user banks."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "dlquiz-home"
    monkeypatch.setenv("DLQUIZ_HOME", str(home))
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("TZ", "UTC")
    for name in ("DLQUIZ_DB", "DLQUIZ_BANKS", "DLQUIZ_LANG"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def cli():
    """Run the real typer app: ``cli("show", "bn-backward")`` -> click Result (exit_code, stdout, stderr)."""
    from typer.testing import CliRunner

    from dlquiz.cli import app

    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None):
        return runner.invoke(app, list(args), input=input, env={"COLUMNS": "100", **(env or {})},
                             catch_exceptions=False)

    return invoke


@pytest.fixture
def dlquiz_cmd() -> list[str]:
    """The command line that starts dlquiz in a subprocess with this interpreter."""
    return [sys.executable, "-m", "dlquiz"]


@pytest.fixture
def subprocess_env(isolated_home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["DLQUIZ_HOME"] = str(isolated_home)
    return env
