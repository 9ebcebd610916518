"""The README's command reference comes from --help (cog) and must not drift; CI runs its test command."""

from __future__ import annotations

import re

from cogapp import Cog

from tests.conftest import ROOT


def test_command_reference_is_current(capsys) -> None:
    # cog --check exits non-zero when regenerating would change the file.
    status = Cog().main(["cog", "--check", str(ROOT / "README.md")])
    assert status == 0, "README.md is stale: run `cog -r README.md`"


def test_every_command_is_in_the_readme() -> None:
    from dlquiz.cli import app

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert len(names) >= 5
    for name in names:
        assert f"$ dlquiz {name} --help" in text


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)\n```", readme, re.DOTALL)
    test_command = next(b for b in blocks if "pytest" in b).strip()
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
