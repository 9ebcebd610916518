"""Long output through a pager, as git does: only in a terminal, only when it does not fit.

``LESS=FRX`` (git's default when LESS is unset): quit if the text fits one screen, keep colours, leave
the text on the screen after quitting. ``$PAGER`` is respected (``PAGER=cat`` turns paging off).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any


def rendered(console: Any, draw: Callable[[Any], None]) -> str:
    """What ``draw(console)`` prints, with its colours, as a string."""
    with console.capture() as capture:
        draw(console)
    return capture.get()


def page_text(console: Any, text: str) -> None:
    """Show ``text`` in the pager (the terminal is known to be one)."""
    import pydoc

    os.environ.setdefault("LESS", "FRX")
    console.file.flush()
    pydoc.pager(text)


def show(console: Any, draw: Callable[[Any], None], use_pager: bool = True) -> bool:
    """Print what ``draw`` prints; through the pager when stdout is a terminal and it is taller than it.

    Returns whether the pager was used.
    """
    if not use_pager or not console.is_terminal:
        draw(console)
        return False
    text = rendered(console, draw)
    if text.count("\n") < console.height:
        console.file.write(text)
        console.file.flush()
        return False
    page_text(console, text)
    return True
