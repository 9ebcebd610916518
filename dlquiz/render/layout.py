"""Layout that adapts to the width: two blocks side by side when both fit whole, else one above the other.

rich's grid squeezes a column below its content's width and then crops it with "…"; stacking instead
keeps every cell whole in a narrow terminal.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text


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
