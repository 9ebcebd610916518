"""``list`` and ``search`` rows: one card per row.

In a terminal the columns are aligned under a header and the prompt wraps under its own column, never
cut; in a pipe every field is whole and tab-separated with no header, so ``dlquiz list | grep hessian``
gives complete records with their ids, and ``cut -f1`` gives the ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rich.cells import cell_len
from rich.padding import Padding
from rich.table import Table
from rich.text import Text as RichText

from dlquiz import sanitize
from dlquiz.finder import Row, due_label
from dlquiz.mathtext import inline_math
from dlquiz.model import CLOZE_RE
from dlquiz.render import langs
from dlquiz.render.prose import prose

STATE_STYLE = {"new": "blue", "learning": "yellow", "relearning": "yellow", "due": "green"}
MIN_PROMPT = 40  # a narrower text column wraps into a tall ribbon: the text goes under the id instead


def one_line(text: str) -> str:
    """A prompt on one line: math as Unicode, cloze deletions hidden, whitespace collapsed."""

    def blank(match: Any) -> str:
        return f"[{match.group(3)}]" if match.group(3) else "[…]"

    return " ".join(inline_math(CLOZE_RE.sub(blank, text)).split())


def _text(row: Row, lang: str) -> str:
    """The last column: the prompt, or for a search hit the field and the sentence that matched."""
    prompt = " / ".join(one_line(row.prompt[c]) for c in langs(lang))
    if row.match is None or row.match[0] == "prompt":
        return prompt
    field, snippet = row.match
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
    if room < MIN_PROMPT:  # narrow: each card's text under its id line, indented, as wide as the terminal
        table = Table.grid()
        table.add_column(overflow="fold")  # an id folds, never cut: it must be typed back whole
        for cell in cells:
            state = RichText(cell[3], style=STATE_STYLE.get(cell[3], ""))
            table.add_row(prose(RichText.assemble((cell[0], "bold"), "  ", (cell[2], "dim"), "  ", state)))
            table.add_row(Padding(prose(cell[4]), (0, 0, 0, 2)))
        console.print(table)
        return
    table = Table.grid(padding=(0, 2))
    for i, width in enumerate(widths):
        if width:
            table.add_column(width=width, no_wrap=True, style=("bold", "dim", "", "")[i])
    table.add_column(ratio=1)  # the text: wrapped in its column, never cut
    shown = [i for i, width in enumerate(widths) if width]
    table.add_row(*(RichText(head[i], style="dim") for i in shown), RichText(head[4], style="dim"))
    for cell in cells:
        fixed = [RichText(cell[i], style=STATE_STYLE.get(cell[i], "") if i == 3 else "") for i in shown]
        table.add_row(*fixed, prose(cell[4]))
    console.print(table)
