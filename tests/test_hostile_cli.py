"""Hostile command-line options and environment, through the real entry point: each is refused (or
handled) with a message, never a traceback, never a raw escape, within a bound, and the database is
byte-identical afterwards (none of these commands may write)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ESC = "\x1b]0;pwned\x07\x1b[2J"

# (name, arguments, extra environment, accepted exit codes)
CASES: list[tuple[str, list[str], dict[str, str], set[int]]] = [
    ("db in memory", ["--db", ":memory:", "grade", "bn-what", "good"], {}, {2}),
    ("db is a device", ["--db", "/dev/null", "grade", "bn-what", "good"], {}, {2}),
    ("db is a folder", ["--db", "{tmp}", "grade", "bn-what", "good"], {}, {2}),
    ("home is a file", ["grade", "bn-what", "good"], {"DLQUIZ_HOME": "{tmp}/afile"}, {1, 2}),
    ("unknown lang in env", ["show", "bn-what"], {"DLQUIZ_LANG": "xx" + ESC}, {0, 2}),
    ("banks env with escapes", ["list"], {"DLQUIZ_BANKS": "/nonexistent" + ESC}, {0, 2}),
    ("columns negative", ["show", "bn-what"], {"COLUMNS": "-5"}, {0}),
    ("columns text", ["show", "bn-what"], {"COLUMNS": "abc"}, {0}),
    ("columns huge", ["show", "bn-what"], {"COLUMNS": "9" * 30}, {0}),
    ("bad time zone", ["stats"], {"TZ": "Nowhere/Invalid"}, {0}),
    ("id with escapes", ["show", "bn-what" + ESC], {}, {2}),
    ("id with newline", ["show", "bn-what\n"], {}, {2}),
    ("rating out of range", ["grade", "bn-what", "7"], {}, {2}),
    ("rating with escapes", ["grade", "bn-what", ESC], {}, {2}),
    ("setting overflow", ["config", "new_per_day", "1e999"], {}, {2}),
    ("setting nan", ["config", "desired_retention", "nan"], {}, {2}),
    ("unknown setting with escapes", ["config", ESC, "1"], {}, {2}),
    ("mock minutes inf", ["mock", "--minutes", "inf"], {}, {2}),
    ("quiz negative count", ["quiz", "-n", "-1"], {}, {2}),
    ("study negative new", ["study", "--new", "-3"], {}, {2}),
    ("prove set overflow", ["prove", "optimizer-race", "--set", "steps=1e999"], {}, {2}),
    ("prove set without value", ["prove", "optimizer-race", "--set", "steps"], {}, {2}),
    ("prove unknown demo with escapes", ["prove", ESC], {}, {2}),
    ("plan year 99999", ["plan", "--interview", "99999-01-01"], {}, {2}),
    ("plan 30 February", ["plan", "--interview", "2027-02-30"], {}, {2}),
    ("export name too long", ["export", "md", "-o", "{tmp}/" + "x" * 300 + ".md"], {}, {2}),
    ("export into a missing folder", ["export", "md", "-o", "{tmp}/missing/guide.md"], {}, {2}),
    ("history import from /dev/zero", ["history", "import", "/dev/zero"], {}, {2}),
    ("code check /dev/zero", ["code", "check", "/dev/zero"], {}, {2}),
    ("section with escapes", ["list", "-s", ESC], {}, {2}),
    ("bank path with markup", ["--bank", "[/]" + ESC, "list"], {}, {0, 2}),
]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    """A home with a database that holds one review, shared by the cases (none may change it)."""
    home = tmp_path_factory.mktemp("hostile-cli-home")
    env = dict(os.environ, DLQUIZ_HOME=str(home))
    subprocess.run([sys.executable, "-m", "dlquiz", "grade", "bn-what", "good"], env=env, check=True,
                   capture_output=True, timeout=120)  # fmt: skip
    return home


@pytest.mark.parametrize(("name", "args", "extra", "codes"), CASES, ids=[c[0] for c in CASES])
def test_hostile_option_or_environment(name, args, extra, codes, seeded, tmp_path):
    (tmp_path / "afile").write_text("not a folder")
    fill = {"tmp": str(tmp_path)}
    env = dict(os.environ, DLQUIZ_HOME=str(seeded))
    env.update({k: v.format(**fill) for k, v in extra.items()})
    db = seeded / "dlquiz.db"
    before = _digest(db)
    run = subprocess.run(
        [sys.executable, "-m", "dlquiz", *(a.format(**fill) if "{tmp}" in a else a for a in args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        cwd=tmp_path,
    )
    output = run.stdout + run.stderr
    assert "Traceback" not in output, output[-2000:]
    assert "\x1b]" not in output and "\x1b[2J" not in output, f"{name}: a raw escape reached the terminal"
    assert run.returncode in codes, f"{name}: exit {run.returncode}\n{output[-1500:]}"
    if run.returncode:
        assert run.stderr.strip(), f"{name}: failed without a message"
    assert _digest(db) == before, f"{name}: the database changed"
