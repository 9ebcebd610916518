"""Every test runs with its own DLQUIZ_HOME, no user banks, and a terminal width drawn at random for the run.

The width is an input like any other: a test that passes at 100 columns and fails at 41 was relying on
where a line happened to break. Each run draws COLUMNS from 40..200 (``DLQUIZ_TEST_COLUMNS`` repeats a
run's width) and prints it in pytest's header; a test that needs a width pins it with ``env=``.
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
COLUMNS = os.environ.get("DLQUIZ_TEST_COLUMNS") or str(random.SystemRandom().randint(40, 200))


def pytest_report_header(config) -> str:  # type: ignore[no-untyped-def]
    return f"dlquiz: COLUMNS={COLUMNS} for this run (repeat it with DLQUIZ_TEST_COLUMNS={COLUMNS})"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "dlquiz-home"
    monkeypatch.setenv("DLQUIZ_HOME", str(home))
    monkeypatch.setenv("COLUMNS", COLUMNS)
    monkeypatch.setenv("TZ", "UTC")
    for name in ("DLQUIZ_DB", "DLQUIZ_BANKS", "DLQUIZ_LANG"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pin 100 columns, for a test that reads a phrase inside a panel or table laid out at the width."""
    monkeypatch.setenv("COLUMNS", "100")


@pytest.fixture
def cli():
    """Run the real typer app: ``cli("show", "bn-backward")`` -> click Result (exit_code, stdout, stderr)."""
    from typer.testing import CliRunner

    from dlquiz.cli import lazy_app

    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None):
        return runner.invoke(
            lazy_app(),  # what main() runs: subcommands converted when used
            list(args),
            input=input,
            env={"COLUMNS": os.environ["COLUMNS"], **(env or {})},
            catch_exceptions=False,
        )

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


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    """Print the content coverage table (questions, drills by type, bilingual) at the end of every run."""
    try:
        from tests.test_content import coverage, shipped

        rows = coverage(shipped())
    except Exception as error:  # the content tests themselves report the failure
        terminalreporter.write_line(f"content coverage unavailable: {error}")
        return
    terminalreporter.section("content coverage")
    header = (
        f"{'section':14} {'questions':>9} {'drills':>6} {'basic':>5} {'cloze':>5} {'choice':>6} "
        f"{'numeric':>7} {'code':>4} {'en+zh':>5}"
    )
    terminalreporter.write_line(header)
    for r in rows:
        terminalreporter.write_line(
            f"{r['section']:14} {r['questions']:>9} {r['drills']:>6} {r['basic']:>5} {r['cloze']:>5} "
            f"{r['choice']:>6} {r['numeric']:>7} {r['code']:>4} {r['bilingual']:>5}"
        )
