"""Rendering: the only place that styles text. One module per kind of result (cards, study, demos, ...)."""

from __future__ import annotations

import functools
import os
import sys
from typing import Any

# A width outside this range is a mistake in the environment (COLUMNS=0, COLUMNS=1000000), not a wish:
# panels and rules fill the width, so an unbounded one prints megabytes of padding.
MIN_WIDTH, MAX_WIDTH = 20, 400


def terminal_width() -> int | None:
    """COLUMNS clamped to a sane range, or None to let rich ask the terminal."""
    width = os.environ.get("COLUMNS", "").strip()
    if not width.isdigit():
        return None
    return min(max(int(width), MIN_WIDTH), MAX_WIDTH)


def console(stderr: bool = False) -> Any:
    """A rich Console made when the command runs, so it sees the terminal's current width.

    It is a ``SafeConsole``: whatever a renderer prints, untrusted text cannot control the terminal.
    """
    Console = _safe_console_class()
    stream = sys.stderr if stderr else sys.stdout
    width = terminal_width()
    if width is None and not _isatty(stream):
        width = 80  # rich's own default for a pipe, said here so that the clamp always holds
    return Console(stderr=stderr, width=width, highlight=False, soft_wrap=False, file=stream)


@functools.cache
def _safe_console_class() -> Any:
    """Console whose every rendered segment goes through the terminal sanitizer (built on first use).

    Hooking ``render`` (which ``print``, ``log`` and every nested renderable go through) instead of the
    call sites means no renderer can forget it. Control segments that rich makes itself (cursor moves,
    screen clearing for the study screen) carry ``segment.control`` and pass; text segments never do.
    Links keep only http(s) targets, so a Markdown ``[x](javascript:..)`` or a URL carrying an escape
    never becomes an OSC 8 hyperlink.
    """
    from rich.console import Console
    from rich.segment import Segment

    from dlquiz import sanitize

    class SafeConsole(Console):
        def render(self, renderable: Any, options: Any = None) -> Any:
            for segment in super().render(renderable, options):
                if segment.control:
                    yield segment
                    continue
                text, style = segment.text, segment.style
                clean = sanitize.terminal(text)
                if style is not None and style.link and not sanitize.safe_url(style.link):
                    style = style.update_link(None)
                yield segment if clean is text and style is segment.style else Segment(clean, style)

    return SafeConsole


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def print_record(console: Any, text: Any) -> None:
    """One record (a problem, an error, a list row) on one line: never wrapped to a width, so a pipe
    or a file gets whole records that grep and editors can use; a terminal wraps it visually."""
    console.print(text, soft_wrap=True, overflow="ignore", crop=False)


def langs(lang: str) -> tuple[str, ...]:
    return ("en", "zh") if lang == "both" else (lang,)
