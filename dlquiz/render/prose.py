"""Line breaking for prose in two languages: Unicode's rules (UAX #14) find where a line may break, and
a greedy fill puts as much on each line as fits. Nothing is ever cropped: a unit wider than the line is
folded, never cut with "…".

rich breaks lines only at spaces, so a run of Chinese (which has none) moves to the next line whole,
leaving the line before it half empty, or is cropped in a table cell. ICU (through icu4py) gives the
break opportunities of UAX #14: between Han characters, never before closing punctuation such as
"，。）" (kinsoku), never inside an English word. On top of that, a break is kept only next to a space or a
wide (CJK) character, so a formula without spaces such as "(x−μ)/√(σ²+ϵ)" is never split, and never just
before an operator, so a line does not start with "= …" (TeX, too, breaks inline math after a relation).

Text without wide characters breaks at spaces, exactly as rich does, and never imports ICU: English
output costs nothing extra. ``Prose`` is a rich ``Text`` that wraps this way; ``markup`` builds the
paragraphs, list items and table cells of Markdown out of it.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

from rich.cells import cell_len, chop_cells
from rich.containers import Lines
from rich.measure import Measurement
from rich.text import Text

# East Asian wide characters and the CJK punctuation blocks: text holding one of these needs UAX #14.
# Compiling this class takes a few milliseconds (re walks every code point of its ranges), so it is
# compiled only for text that may hold one: all but the Hangul Jamo lie at U+2E80 and above, while the
# math symbols of English text (∂, ∑, ≤, ᵢ) lie below.
_WIDE_CLASS = (
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3"
    "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]"
)
_JAMO = re.compile("[\u1100-\u115f]")


@cache
def _wide() -> re.Pattern[str]:
    return re.compile(_WIDE_CLASS)


# A line may not start with one of these when the break sits at a space: "x̂ = …" breaks after "=".
_OPERATORS = frozenset("=≈≠≤≥<>+−×·/→←⇒∈∝≡⊙")


def has_wide(text: str) -> bool:
    top = max(text, default="")
    if top < "\u2e80":
        return top >= "\u1100" and _JAMO.search(text) is not None
    return _wide().search(text) is not None


@lru_cache(maxsize=8192)
def break_points(text: str) -> tuple[int, ...]:
    """Offsets (0 < i < len) where a line may start: the UAX #14 opportunities that sit next to a space
    or a wide character, and not just before an operator."""
    if not has_wide(text):
        candidates = [m.end() for m in re.finditer(r"\s+", text)]
    else:
        from icu4py.breakers import LineBreaker  # ~30 ms to import: only for text that needs it

        candidates = [end for _, end in LineBreaker(text, "zh").segments()]
        if any(ord(c) > 0xFFFF for c in text):  # ICU counts UTF-16 units: "𝒯" is two of them
            index = [i for i, c in enumerate(text) for _ in range(2 if ord(c) > 0xFFFF else 1)]
            index.append(len(text))
            candidates = [index[end] for end in candidates]
    n = len(text)
    points = []
    for i in candidates:
        if not 0 < i < n:
            continue
        before, after = text[i - 1], text[i]
        if before.isspace():
            if after in _OPERATORS:
                continue
        elif not (has_wide(before) or has_wide(after)):
            continue  # inside a word or a formula: "fine-tune", "(x−μ)/√(σ²+ϵ)"
        points.append(i)
    return tuple(points)


def divide(text: str, width: int, breaks: tuple[int, ...] | list[int]) -> list[int]:
    """Greedy fill: the offsets at which to start new lines so that each line fits ``width`` cells.
    Trailing spaces may hang past the edge; a unit wider than a whole line is folded by cells."""
    width = max(width, 1)
    measure = len if text.isascii() else cell_len  # ASCII: one cell per character, and 10x faster
    if measure(text) <= width:
        return []
    offsets: list[int] = []
    used = 0
    start = 0
    for end in (*breaks, len(text)):
        unit = text[start:end]
        full = measure(unit)
        visible = full - (len(unit) - len(unit.rstrip()))
        if used + visible <= width:
            used += full
        else:
            if used and start:
                offsets.append(start)
            if visible <= width:
                used = full
            else:
                pieces = chop_cells(unit, width)
                position = start
                for piece in pieces[:-1]:
                    position += len(piece)
                    offsets.append(position)
                used = cell_len(pieces[-1]) if pieces else 0
        start = end
    return offsets


class Prose(Text):
    """A rich Text that breaks lines by Unicode's rules and folds instead of cropping.

    ``keep_together(start, end)`` marks a span that must stay on one line when it fits, such as a
    command to copy (``dlquiz show bn-implement``).
    """

    def keep_together(self, start: int = 0, end: int | None = None) -> Prose:
        spans = getattr(self, "_glue", [])
        spans.append((start, len(self.plain) if end is None else end))
        self._glue = spans
        return self

    def append_together(self, text: str, style: str = "") -> Prose:
        """Append ``text`` as one unbreakable span."""
        start = len(self.plain)
        self.append(text, style)
        return self.keep_together(start, len(self.plain))

    def copy(self) -> Prose:
        # rich copies a table heading or a Markdown heading before styling it: keep it Prose.
        out = Prose(self.plain, style=self.style, justify=self.justify, overflow=self.overflow, end=self.end)
        out._spans = list(self._spans)
        if hasattr(self, "_glue"):
            out._glue = list(self._glue)
        return out

    def _breaks(self, plain: str, offset: int) -> list[int]:
        glue = getattr(self, "_glue", [])
        points = break_points(plain)
        if not glue:
            return list(points)
        return [p for p in points if not any(a < offset + p < b for a, b in glue)]

    def wrap(
        self,
        console: Any,
        width: int,
        *,
        justify: Any = None,
        overflow: Any = None,
        tab_size: int = 8,
        no_wrap: bool | None = None,
    ) -> Lines:
        if overflow == "ignore":  # a record (print_record): one line whatever the width
            return super().wrap(console, width, justify=justify, overflow=overflow, no_wrap=no_wrap)
        justify = justify or self.justify or "default"
        lines = Lines()
        offset = 0
        for line in self.split("\n", allow_blank=True):
            if "\t" in line:
                line.expand_tabs(tab_size)
            plain = line.plain
            new_lines = line.divide(divide(plain, width, self._breaks(plain, offset)))
            offset += len(plain) + 1
            for part in new_lines:
                part.rstrip_end(width)
            if justify and justify != "default":
                new_lines.justify(console, width, justify=justify, overflow="fold")
            lines.extend(new_lines)
        return lines

    def __rich_measure__(self, console: Any, options: Any) -> Measurement:
        widest = narrowest = 0
        offset = 0
        for plain in self.plain.split("\n"):
            measure = len if plain.isascii() else cell_len
            widest = max(widest, measure(plain))
            start = 0
            for end in (*self._breaks(plain, offset), len(plain)):
                narrowest = max(narrowest, measure(plain[start:end].rstrip()))
                start = end
            offset += len(plain) + 1
        return Measurement(min(narrowest, widest), widest)


def prose_markup(markup: str, style: str = "") -> Prose:
    """rich console markup ("[dim]…[/]") as Prose: a table cell or line that breaks Chinese by the rules."""
    return prose(Text.from_markup(markup, style=style))


def prose(text: Text | str, style: str = "") -> Prose:
    """``text`` (a string or a rich Text with its styles) as Prose."""
    if isinstance(text, Prose):
        return text
    if isinstance(text, str):
        return Prose(text, style=style)
    out = Prose(text.plain, style=text.style, justify=text.justify, end=text.end)
    out._spans = list(text.spans)
    return out
