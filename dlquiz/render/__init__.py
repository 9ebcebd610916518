"""Rendering: the only place that styles text. One module per kind of result (cards, study, demos, ...)."""

from __future__ import annotations

import codecs
import functools
import os
import re
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
    if not _isatty(stream):
        stream = TrimmedLines(stream)
    return Console(stderr=stderr, width=width, highlight=False, soft_wrap=False, file=stream)


_TRAILING = re.compile(r"[ \t]+(?=\n)")


class TrimmedLines:
    """A pipe or a file gets its lines without the spaces rich pads them with to fill the width, so
    ``dlquiz show ID > file`` has no trailing spaces. Terminals get rich's output unchanged."""

    def __init__(self, stream: Any):
        self.stream = stream
        self.pending = ""

    def write(self, text: str) -> int:
        head, newline, self.pending = (self.pending + text).rpartition("\n")
        if newline:
            self.stream.write(_TRAILING.sub("", head + newline))
        return len(text)

    def flush(self) -> None:
        # A prompt printed without a newline ("grade: ") must show now, its spaces included.
        if self.pending:
            self.stream.write(self.pending)
            self.pending = ""
        self.stream.flush()

    def isatty(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


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


# --- an output that cannot encode Chinese ---------------------------------------------------------------

_unencodable = {"count": 0, "encoding": ""}


def _replace(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    _unencodable["count"] += error.end - error.start
    _unencodable["encoding"] = error.encoding
    return "?" * (error.end - error.start), error.end


def guard_encoding() -> None:
    """Print "?" for what stdout or stderr cannot encode (PYTHONIOENCODING=ascii, LC_ALL=C without UTF-8
    mode) instead of dying with a UnicodeEncodeError traceback; ``encoding_note`` then names the fix."""
    codecs.register_error("dlquiz.replace", _replace)
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None)
        if not encoding:  # a stream of text (io.StringIO, an embedding host's), not of bytes: nothing to do
            continue
        try:
            "中·‖".encode(encoding)
        except UnicodeEncodeError:
            stream.reconfigure(errors="dlquiz.replace")  # type: ignore[union-attr]
        except (LookupError, AttributeError, ValueError):
            pass


def encoding_note() -> None:
    """One line on stderr after a run that printed "?" for characters the output could not encode."""
    if _unencodable["count"]:
        sys.stderr.write(
            f"dlquiz: {_unencodable['count']} character(s) could not be shown in the output's encoding "
            f"({_unencodable['encoding']}) and were printed as '?'; use a UTF-8 locale "
            "(LC_ALL=C.UTF-8) or set PYTHONIOENCODING=utf-8\n"
        )
