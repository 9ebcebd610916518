"""Every screen whole in a narrow terminal, in both languages: nothing cut with "…", no line wider than the
terminal. (A cloze blank prints as "[…]": that is a hidden answer, not a cut.)

The terminal is simulated (TTY_COMPATIBLE), so the commands draw what a person sees, not pipe records.
"""

from __future__ import annotations

import re

import pytest
from rich.cells import cell_len

ANSI = re.compile(r"\x1b\[[0-9;?]*[a-zA-Z]|\x1b\][^\x07]*\x07")

SCREENS = [
    (),  # the status screen
    ("list", "-s", "bn"),
    ("search", "gradient"),
    ("show", "bn-backward", "--no-pager"),
    ("show", "loss-ce-vs-mse.code-softmax-ce", "--no-pager"),
    ("show", "bn-backward.dgamma", "--no-pager"),
    ("stats",),
    ("plan",),
    ("config",),
    ("prove", "--list"),
    ("code", "list"),
    ("code", "show", "adam-step"),
    ("--help",),
    ("show", "--help"),
    ("code", "--help"),
]


@pytest.fixture
def studied(cli):
    """A home with a review and an interview date, so that status, stats and plan show every part."""
    assert cli("grade", "bn-what", "good").exit_code == 0
    assert cli("plan", "--interview", "2099-01-01").exit_code == 0
    return cli


@pytest.mark.parametrize("width", [30, 40, 60])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_screen_cuts_anything(studied, width, lang):
    env = {"COLUMNS": str(width), "TTY_COMPATIBLE": "1", "DLQUIZ_LANG": lang, "PAGER": "cat"}
    for args in SCREENS:
        result = studied(*args, env=env)
        assert result.exit_code == 0, (args, result.output)
        text = ANSI.sub("", result.stdout)
        cut = [line for line in text.splitlines() if "…" in line.replace("[…]", "")]
        assert cut == [], (args, cut)
        # rich cuts a panel title without an ellipsis: the title then runs into the border ("(un─╮")
        titles = [line.strip() for line in text.splitlines() if line.strip()[:1] in ("╭", "╰")]
        assert [t for t in titles if re.search(r"[^─ ╭╰]─+[╮╯]$", t)] == [], (args, titles)
        # A path is one record on purpose (the terminal wraps it; a copy gets it whole): not checked here.
        wide = [line for line in text.splitlines() if cell_len(line) > width and "dlquiz.db" not in line]
        assert wide == [], (args, wide)
