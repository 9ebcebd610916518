"""Layout that adapts to the width, so nothing is cut in a narrow terminal.

- ``SideBySide``: two blocks side by side when both fit whole, else one above the other (rich's grid
  squeezes a column below its content's width and then crops it with "…").
- ``WholePanel``: a rich Panel whose title or subtitle, when wider than the border, is printed inside
  as the first or last line (rich cuts it at the border).
- ``TableOrLines``: a table when every cell fits whole, else the same rows as lines of text.
"""

from __future__ import annotations

import copy
from typing import Any

from rich.console import Group
from rich.measure import Measurement
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from dlquiz.render.prose import prose


class SideBySide:
    def __init__(self, left: Any, right: Any, gap: int = 3):
        self.left, self.right, self.gap = left, right, gap

    def __rich_console__(self, console: Any, options: Any) -> Any:
        left = Measurement.get(console, options, self.left).maximum
        right = Measurement.get(console, options, self.right).maximum
        if left + self.gap + right <= options.max_width:
            grid = Table.grid(padding=(0, self.gap))
            grid.add_column()
            grid.add_column()
            grid.add_row(self.left, self.right)
            yield grid
        else:
            yield Group(self.left, Text(), self.right)

    def __rich_measure__(self, console: Any, options: Any) -> Measurement:
        left = Measurement.get(console, options, self.left)
        right = Measurement.get(console, options, self.right)
        return Measurement(max(left.minimum, right.minimum), left.maximum + self.gap + right.maximum)


class WholePanel(Panel):
    def __rich_console__(self, console: Any, options: Any) -> Any:
        width = options.max_width if self.width is None else min(options.max_width, self.width)

        def too_wide(label: Text | None) -> bool:  # rich draws "╭─ title ─╮": 4 cells besides the label
            return label is not None and label.cell_len > width - 4

        title, subtitle = self._title, self._subtitle  # each padded with a space on both sides
        if not (too_wide(title) or too_wide(subtitle)):
            yield from super().__rich_console__(console, options)
            return
        inside = copy.copy(self)
        parts: list[Any] = [self.renderable]
        if too_wide(title):
            parts.insert(0, prose(_label(self.title), style="bold"))
            inside.title = None
        if too_wide(subtitle):
            parts.append(prose(_label(self.subtitle), style="dim"))
            inside.subtitle = None
        inside.renderable = Group(*parts)
        yield from Panel.__rich_console__(inside, console, options)


def _label(label: Any) -> Text:
    return Text.from_markup(label) if isinstance(label, str) else label.copy()


class TableOrLines:
    """A table when its columns fit the width at their natural size, else ``lines`` (the same content, a
    block per row): a table squeezed below that wraps its headers into fragments or cuts them."""

    def __init__(self, table: Table, lines: list[Any]):
        self.table, self.lines = table, lines

    def __rich_console__(self, console: Any, options: Any) -> Any:
        natural = Measurement.get(console, options.update_width(10_000), self.table).maximum  # unclamped
        if natural <= options.max_width:
            yield self.table
        else:
            yield from self.lines
