"""Every ``$ dlquiz …`` line in the README runs as written (issue 14: an example that fails teaches nothing).

The lines run in order, in a fresh home and working folder, through the real typer app; ``history import``
reads what ``history export`` wrote, and ``check my-bank.yaml`` gets a bank with the README's three problems.
The ``--help`` lines of the command reference are checked by cog (tests/test_readme.py).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from .conftest import ROOT
from .test_bank import VALID, broken
from .test_cli_read import built_cache, warm_cache  # noqa: F401  (fixtures: a warm bank cache)

README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = [
    line[len("$ dlquiz ") :].split("  #")[0].split(" | ")[0].strip()  # the dlquiz part of a pipe
    for line in README.splitlines()
    if line.startswith("$ dlquiz ") and not line.rstrip().endswith("--help")
]
EXPECTED_EXIT = {
    "check my-bank.yaml": 2,  # the README shows it reporting three problems
    "code check bn_backward.py": 1,  # the starter file, not yet written: the judge fails, as the README says
    "code check bn_backward.py --record": 1,
}


def my_bank() -> str:
    """A bank with the three problems the README's check example shows."""
    text = VALID.replace("bn-backward", "my-question")
    short_zh = next(line for line in text.splitlines() if line.startswith("        zh: 输入梯度为"))
    text = broken(short_zh + "\n", "", text)
    text = re.sub(r"demos: \[[^\]]*\]", "demos: [bn-backwrd]", text)
    return broken("        type: basic\n", "        type: basic\n        anwser: 42\n", text)


def test_the_readme_has_examples() -> None:
    assert len(COMMANDS) >= 10
    assert "study" in COMMANDS and "prove --list" in COMMANDS


def test_every_readme_command_runs(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my-bank.yaml").write_text(my_bank(), encoding="utf-8")
    for command in COMMANDS:
        result = cli(*shlex.split(command), input="")
        expected = EXPECTED_EXIT.get(command, 0)
        assert result.exit_code == expected, f"$ dlquiz {command}\n{result.output}"
        assert "Traceback" not in result.output
    checked = cli("check", "my-bank.yaml").stdout
    for problem in ("missing 'zh'", "unknown field 'anwser'", "no demo with id 'bn-backwrd'"):
        assert problem in checked  # all three in one run, as the README says
