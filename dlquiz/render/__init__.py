"""Rendering: the only place that styles text. One module per kind of result (cards, study, demos, ...)."""

from __future__ import annotations

import os
import sys
from typing import Any


def console(stderr: bool = False) -> Any:
    """A rich Console made when the command runs, so it sees the terminal's current width."""
    from rich.console import Console

    width = os.environ.get("COLUMNS")
    return Console(
        stderr=stderr,
        width=int(width) if width and width.isdigit() else None,
        highlight=False,
        soft_wrap=False,
        file=sys.stderr if stderr else sys.stdout,
    )


def langs(lang: str) -> tuple[str, ...]:
    return ("en", "zh") if lang == "both" else (lang,)
