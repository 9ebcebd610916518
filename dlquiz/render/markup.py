"""Markdown trees (``dlquiz.markup``) drawn with rich: paragraphs, list items and table cells are
``Prose``, so they break lines in both languages and never crop.

The look follows ``rich.markdown``: " • " and right-aligned numbers for lists, a blank line between
blocks, rich's simple table, pygments for fenced code. One difference: no blank line before a list or
table that opens the text (rich adds one there).
"""

from __future__ import annotations

from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from dlquiz.render.prose import Prose


def spans_text(spans: list[Any], style: str = "", justify: Any = None) -> Prose:
    out = Prose(style=style, justify=justify)
    for span in spans:
        if len(span) > 2 and span[2]:
            out.append(span[0], Style.parse(span[1]) + Style(link=span[2]))
        else:
            out.append(span[0], span[1])
    return out


def render_markdown(blocks: list[Any]) -> RenderableType:
    """The blocks as one renderable, with a blank line between them as rich's Markdown prints."""
    parts: list[RenderableType] = []
    for block in blocks:
        if parts:
            parts.append(Text())
        parts.append(_block(block))
    return Group(*parts)


def _block(block: list[Any]) -> RenderableType:
    head = block[0]
    if head == "p":
        return spans_text(block[1], justify="left")
    if head == "h":
        level = block[1]
        return spans_text(
            block[2], style=f"markdown.h{min(level, 7)}", justify="center" if level == 1 else "left"
        )
    if head == "html":
        return Prose(block[1], justify="left")
    if head == "ul":
        return Group(*(_Marked(_items(item), " • ", "markdown.item.bullet") for item in block[1]))
    if head == "ol":
        start, items = block[1], block[2]
        width = len(str(start + len(items))) + 2
        return Group(
            *(
                _Marked(_items(item), f"{start + n}".rjust(width - 1) + " ", "markdown.item.number")
                for n, item in enumerate(items)
            )
        )
    if head == "quote":
        return _Marked(_items(block[1]), "▌ ", "markdown.block_quote", every_line=True)
    if head == "code":
        from rich.syntax import Syntax  # pygments: only for the rare fenced block

        return Syntax(block[2].rstrip(), block[1] or "text", theme="monokai", word_wrap=True, padding=1)
    if head == "table":
        return _table_renderable(block)
    if head == "hr":
        from rich.rule import Rule

        return Group(Rule(style="markdown.hr", characters="-"), Text())
    return Prose(str(block), justify="left")


def _items(blocks: list[Any]) -> RenderableType:
    return Group(*(_block(b) for b in blocks))  # inside a list item or quote: no blank lines


def _table_renderable(block: list[Any]) -> Table:
    _, aligns, header, rows = block
    table = Table(
        box=box.SIMPLE,
        pad_edge=False,
        style="markdown.table.border",
        show_edge=True,
        collapse_padding=True,
    )
    justify = [a if a in ("left", "center", "right") else "default" for a in aligns]
    for n, cell in enumerate(header):
        heading = spans_text(cell, justify=justify[n] if n < len(justify) else "default")
        heading.stylize("markdown.table.header")
        table.add_column(heading)
    for row in rows:
        table.add_row(
            *(
                spans_text(cell, justify=justify[n] if n < len(justify) else "default")
                for n, cell in enumerate(row)
            )
        )
    return table


class _Marked:
    """Blocks drawn beside a marker (a bullet, a number, a quote bar) and wrapped to the width left."""

    def __init__(self, body: RenderableType, marker: str, style: str, every_line: bool = False) -> None:
        self.body, self.marker, self.style, self.every_line = body, marker, style, every_line

    def __rich_console__(self, console: Any, options: Any) -> Any:
        style = console.get_style(self.style, default="none")
        width = cell_len(self.marker)
        lines = console.render_lines(self.body, options.update(width=max(options.max_width - width, 1)))
        first = Segment(self.marker, style)
        rest = first if self.every_line else Segment(" " * width, style)
        for n, line in enumerate(lines):
            yield first if n == 0 else rest
            yield from line
            yield Segment.line()
