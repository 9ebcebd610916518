"""Fast start: ``dlquiz --help`` and shell completion import none of NumPy, sqlite-utils, PyYAML or fsrs.

Each check runs in a fresh interpreter (a test process has imported everything already) and prints which
heavy modules ended up in ``sys.modules``.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("numpy", "sqlite_utils", "yaml", "fsrs", "jsonschema", "pylatexenc")

PRELUDE = f"""
import json, sys
HEAVY = {HEAVY!r}
def report(**extra):
    print("\\n@@" + json.dumps({{"heavy": [m for m in HEAVY if m in sys.modules], **extra}}))
"""


def run(code: str, env: dict[str, str], extra_env: dict[str, str] | None = None) -> tuple[dict, str]:
    proc = subprocess.run(
        [sys.executable, "-c", PRELUDE + code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, **(extra_env or {})},
    )
    assert proc.returncode == 0, proc.stderr
    before, _, data = proc.stdout.rpartition("\n@@")
    return json.loads(data), before


@pytest.fixture
def warm_cache(dlquiz_cmd, subprocess_env):
    """One ``dlquiz list`` builds the bank cache that completion reads."""
    proc = subprocess.run(
        [*dlquiz_cmd, "list", "--json"], capture_output=True, text=True, env=subprocess_env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr


def test_help_imports_nothing_heavy(subprocess_env):
    data, out = run(
        """
from dlquiz.cli import app
try:
    app(["--help"], prog_name="dlquiz")
except SystemExit as e:
    code = e.code
report(code=code)
""",
        subprocess_env,
    )
    assert data["code"] == 0
    assert "Usage: dlquiz" in out and "show" in out
    assert data["heavy"] == []


def test_command_help_imports_nothing_heavy(subprocess_env):
    data, out = run(
        """
from dlquiz.cli import app
try:
    app(["show", "--help"], prog_name="dlquiz")
except SystemExit as e:
    code = e.code
report(code=code)
""",
        subprocess_env,
    )
    assert data["code"] == 0 and "--lang" in out
    assert data["heavy"] == []


def test_completion_function_reads_the_cache(subprocess_env, warm_cache):
    data, _ = run(
        """
from dlquiz.cli import complete_card_id
report(ids=complete_card_id("bn"))
""",
        subprocess_env,
    )
    assert "bn-backward" in data["ids"] and "bn-backward.paths" in data["ids"]
    assert all(i.startswith("bn") for i in data["ids"])
    assert data["heavy"] == []


def test_completion_without_a_cache_is_empty_not_an_error(subprocess_env):
    data, _ = run(
        "from dlquiz.cli import complete_card_id\nreport(ids=complete_card_id('bn'))\n", subprocess_env
    )
    assert data["ids"] == [] and data["heavy"] == []


def test_shell_completion_path(subprocess_env, warm_cache):
    data, out = run(
        """
sys.argv[0] = "dlquiz"
from dlquiz.cli import main
try:
    main()
except SystemExit as e:
    code = e.code
report(code=code)
""",
        subprocess_env,
        {"_DLQUIZ_COMPLETE": "complete_bash", "COMP_WORDS": "dlquiz show bn-b", "COMP_CWORD": "2"},
    )
    assert data["code"] in (0, None)
    ids = out.split()
    assert "bn-backward" in ids and "bn-backward.dgamma" in ids
    assert all(i.startswith("bn-b") for i in ids)
    assert data["heavy"] == []


@pytest.mark.parametrize(("lang", "icu"), [("en", False), ("zh", True)])
def test_icu_line_breaking_is_loaded_only_for_chinese(subprocess_env, warm_cache, lang, icu):
    """UAX #14 line breaking (ICU, ~30 ms to import) is for text with CJK characters; English pays nothing."""
    data, out = run(
        f"""
sys.argv = ["dlquiz", "show", "bn-backward", "--lang", "{lang}"]
from dlquiz.cli import main
try:
    main()
except SystemExit as e:
    pass
report(icu="icu4py" in sys.modules)
""",
        subprocess_env,
    )
    assert "bn-backward" in out
    assert data["icu"] is icu
