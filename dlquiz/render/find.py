"""``list`` and ``search`` rows: one line per card.

In a terminal the columns are aligned under a header and the prompt is cut to the width, as ``gh`` and
``ls`` do; in a pipe every field is whole and tab-separated with no header, so ``dlquiz list | grep
hessian`` gives complete records with their ids, and ``cut -f1`` gives the ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.text import Text as RichText

from dlquiz import sanitize
from dlquiz.finder import Row, due_label
from dlquiz.mathtext import inline_math
from dlquiz.model import CLOZE_RE
from dlquiz.render import langs

STATE_STYLE = {"new": "blue", "learning": "yellow", "relearning": "yellow", "due": "green"}
MIN_PROMPT = 20  # below this a cut prompt says nothing: the line wraps in the terminal instead


def one_line(text: str) -> str:
    """A prompt on one line: math as Unicode, cloze deletions hidden, whitespace collapsed."""

    def blank(match: Any) -> str:
        return f"[{match.group(3)}]" if match.group(3) else "[…]"

    return " ".join(inline_math(CLOZE_RE.sub(blank, text)).split())


def _text(row: Row, lang: str, room: int | None = None) -> str:
    """The last column: the prompt, or for a search hit the field and the words around the match."""
    prompt = " / ".join(one_line(row.prompt[c]) for c in langs(lang))
    if row.match is None or row.match[0] == "prompt":
        return prompt
    field, snippet = row.match
    at = row.match_at
    if room is not None and len(field) + 2 + at + 12 > room:  # keep the match itself in view
        cut = min(at - 1, len(field) + 2 + at + 12 - room)
        snippet, at = "…" + snippet[cut + 1 :], at - cut
    return f"{field}: {snippet}"


def render_rows(console: Any, rows: Sequence[Row], lang: str, now: datetime) -> None:
    # Ids, sections and prompts may come from a stranger's bank: controls and bidi marks become visible
    # notation (sanitize.name), and a tab or newline inside a field can never split a record.
    cells = [
        tuple(sanitize.name(f) for f in (r.id, r.section, r.type, due_label(r, now), _text(r, lang)))
        for r in rows
    ]
    if not console.is_terminal:
        for cell in cells:
            console.file.write("\t".join(cell) + "\n")  # records as they are: no styling, no width
        return
    head = ("id", "section", "type", "state", "prompt" if not rows or rows[0].match is None else "match")
    widths = [max(cell_len(c[i]) for c in [head, *cells]) for i in range(4)]
    room = console.width - sum(widths) - 2 * 4
    if room < MIN_PROMPT + 10:  # narrow: the section is in the id's prefix anyway, give its room to the text
        room += widths[1] + 2
        widths[1] = 0
    room = max(MIN_PROMPT, room)
    console.print(_line(head, widths, room), style="dim", soft_wrap=True)
    for row, cell in zip(rows, cells, strict=True):
        text = sanitize.name(_text(row, lang, room))
        console.print(_line((*cell[:4], text), widths, room), soft_wrap=True)


def _line(cell: Sequence[str], widths: Sequence[int], room: int) -> RichText:
    line = RichText()
    for i, (value, width) in enumerate(zip(cell, widths, strict=False)):
        if not width:
            continue
        style = ("bold", "dim", "", STATE_STYLE.get(value, ""))[i]
        line.append(set_cell_size(value, width), style=style)
        line.append("  ")
    prompt = cell[4]
    if cell_len(prompt) > room:
        prompt = set_cell_size(prompt, room - 1) + "…"
    line.append(prompt)
    return line
