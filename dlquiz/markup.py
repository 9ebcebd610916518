"""Markdown in card text, parsed ahead of time into small trees that the terminal renders.

markdown-it parses; importing it (directly or through ``rich.markdown``) costs about 28 ms, a sixth of
``dlquiz show``. So a field is parsed once into a tree of plain lists (``parse``), the bank cache stores
the trees of the banks' text (``write_cache``), and ``render.markup`` draws a tree with rich. Text with no
Markdown in it at all, most of the banks, needs no tree (``plain_paragraph``); text the cache does not
hold is parsed on the spot by the same code, so the two paths cannot disagree.

A tree is a list of blocks; each block is a list whose head names it:

- ``["p", spans]``, ``["h", level, spans]``, ``["html", text]``, ``["hr"]``
- ``["ul", items]``, ``["ol", start, items]`` (an item is a list of blocks), ``["quote", blocks]``
- ``["code", language, text]``
- ``["table", aligns, header_cells, rows]`` (a cell is a list of spans)

and a span is ``[text, style]`` or ``[text, style, link]``, the style a rich style string. Raw HTML is
kept as text rather than dropped, so nothing a bank says is hidden.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from dlquiz import sanitize
from dlquiz.mathtext import inline_math

# Inline styles, the same for a prompt as for an answer; "code" is rich's markdown.code minus its black
# background, which shows as a black box on a light terminal.
INLINE_STYLES = {"strong": "bold", "em": "italic", "s": "strike", "code": "bold cyan"}
LINK_STYLE = "blue underline"

_TREES: dict[str, list[Any]] = {}  # the stored trees read so far
_CACHE: list[Path] = []  # the folder of stored trees, once the bank cache names it
_SHARDS_READ: set[str] = set()


def source(text: str) -> str:
    """What is parsed: the text with its math in Unicode (escaped for Markdown) and its controls shown
    as notation. Also the key of a cached tree."""
    return sanitize.terminal(inline_math(text, markdown=True))


# A line that could open a block (heading, quote, list, rule, setext underline, table row, indented
# code, HTML) or any inline syntax: such text goes through the parser.
_INLINE_SYNTAX = re.compile(r"[*_`~\\&<\[!|\t\r\x00]")
_BLOCK_START = re.compile(r"^(?: {4}| {0,3}(?:[#>+=*-]|\d{1,9}[.)]))", re.MULTILINE)


def plain_paragraph(source: str) -> str | None:
    """The text of ``source`` when Markdown would read it as one paragraph of plain text, else None.

    Conservative: anything that might be syntax returns None and is parsed. A line break inside a
    paragraph is a soft break, printed as a space; the indent of a continued line is dropped.
    """
    if _INLINE_SYNTAX.search(source) or _BLOCK_START.search(source):
        return None
    body = source.strip()
    if not body and source.strip(" \n"):  # other white space only: to markdown-it, a paragraph
        return None
    lines = body.split("\n")
    if any(not line.strip() or line.endswith(" ") for line in lines[:-1]):  # blank line; hard break
        return None
    return " ".join(line.lstrip(" ") for line in lines)  # as markdown-it: spaces, not all whitespace


# The stored trees are split into 256 small files by a hash of their source: a command reads only the
# few files that hold the text it shows (a card), not the whole banks' Markdown (0.4 MB of JSON).
def _shard(source: str) -> str:
    return hashlib.blake2b(source.encode("utf-8", "surrogatepass"), digest_size=1).hexdigest()


def write_cache(folder: Path, sources: Iterable[str]) -> None:
    """Parse every source that needs it and store the trees in ``folder`` (which exists)."""
    shards: dict[str, dict[str, list[Any]]] = {}
    for text in sources:
        if plain_paragraph(text) is None:  # plain text needs no tree
            shards.setdefault(_shard(text), {})[text] = parse(text)
    for name, trees in shards.items():
        (folder / f"{name}.json").write_text(json.dumps(trees, ensure_ascii=False), encoding="utf-8")


def use_cache(folder: Path) -> None:
    """Look trees up in ``folder`` (made by ``write_cache``); a file is read when first needed."""
    _CACHE[:] = [folder]
    _SHARDS_READ.clear()


def _cached(source: str) -> list[Any] | None:
    found = _TREES.get(source)
    if found is None and _CACHE:
        name = _shard(source)
        if name not in _SHARDS_READ:
            _SHARDS_READ.add(name)
            try:
                trees = json.loads((_CACHE[0] / f"{name}.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):  # missing or damaged: the text is parsed instead
                trees = None
            if isinstance(trees, dict):
                _TREES.update(trees)
                found = _TREES.get(source)
    return found


def tree(source: str) -> list[Any]:
    """The blocks of ``source``: from the cache, or parsed now."""
    text = plain_paragraph(source)
    if text is not None:
        return [["p", [[text, ""]]]] if text else []
    found = _cached(source)
    if found is None:
        found = parse(source)
    return found


def inline_spans(source: str) -> list[Any]:
    """The spans of a one-paragraph field: as written when it has no inline syntax, else from the cached
    tree when that is one paragraph, else parsed now as inline text."""
    if not _INLINE_SYNTAX.search(source):
        return [[source, ""]]
    found = _cached(source)
    if found is not None and len(found) == 1 and found[0][0] == "p":
        return found[0][1]
    return parse_spans(source)


# --- parsing: markdown-it tokens to a tree ---------------------------------------------------------------


@cache
def _parser() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["strikethrough", "table"])


def parse(source: str) -> list[Any]:
    """Parse ``source`` into a tree (plain lists, so it can be stored as JSON)."""
    blocks, _ = _blocks(_parser().parse(source), 0, None)
    return blocks


def parse_spans(source: str) -> list[Any]:
    """The spans of ``source`` read as one paragraph's inline text (a prompt, an option, a key point)."""
    tokens = _parser().parseInline(source)
    return _spans(tokens[0].children or []) if tokens else []


def _blocks(tokens: list[Any], i: int, closing: str | None) -> tuple[list[Any], int]:
    out: list[Any] = []
    while i < len(tokens):
        token = tokens[i]
        kind = token.type
        if kind == closing:
            return out, i + 1
        if kind in ("paragraph_open", "heading_open"):
            spans = _spans(tokens[i + 1].children or [])
            out.append(["p", spans] if kind == "paragraph_open" else ["h", int(token.tag[1:]), spans])
            i += 3  # open, inline, close
        elif kind in ("bullet_list_open", "ordered_list_open"):
            items: list[Any] = []
            i += 1
            while tokens[i].type == "list_item_open":
                item, i = _blocks(tokens, i + 1, "list_item_close")
                items.append(item)
            i += 1  # the list's close
            if kind == "bullet_list_open":
                out.append(["ul", items])
            else:
                out.append(["ol", int(token.attrs.get("start", 1)), items])
        elif kind == "blockquote_open":
            inner, i = _blocks(tokens, i + 1, "blockquote_close")
            out.append(["quote", inner])
        elif kind in ("fence", "code_block"):
            out.append(["code", (token.info or "").partition(" ")[0], token.content])
            i += 1
        elif kind == "table_open":
            table, i = _table(tokens, i + 1)
            out.append(table)
        elif kind == "hr":
            out.append(["hr"])
            i += 1
        else:  # html_block, and anything a future markdown-it adds: shown as text, never dropped
            if token.content.strip():
                out.append(["html", token.content.rstrip("\n")])
            i += 1
    return out, i


def _table(tokens: list[Any], i: int) -> tuple[list[Any], int]:
    aligns: list[str] = []
    header: list[Any] = []
    rows: list[Any] = []
    in_head = False
    while tokens[i].type != "table_close":
        token = tokens[i]
        if token.type in ("thead_open", "thead_close"):
            in_head = token.type == "thead_open"
        elif token.type == "tr_open" and not in_head:
            rows.append([])
        elif token.type in ("th_open", "td_open"):
            cell = _spans(tokens[i + 1].children or [])
            if in_head:
                style = str(token.attrs.get("style") or "")
                aligns.append(style.removeprefix("text-align:") or "default")
                header.append(cell)
            else:
                rows[-1].append(cell)
            i += 3  # open, inline, close
            continue
        i += 1
    return ["table", aligns, header, rows], i + 1


def _spans(children: list[Any]) -> list[Any]:
    spans: list[Any] = []
    styles: list[str] = []
    links: list[str] = []

    def add(text: str, style: str = "") -> None:
        if not text:
            return
        style = " ".join(filter(None, [*styles, style, LINK_STYLE if links else ""]))
        spans.append([text, style, links[-1]] if links else [text, style])

    for token in children:
        kind = token.type
        if kind.endswith("_open") and kind[:-5] in INLINE_STYLES:
            styles.append(INLINE_STYLES[kind[:-5]])
        elif kind.endswith("_close") and kind[:-6] in INLINE_STYLES:
            if styles:
                styles.pop()
        elif kind == "link_open":
            links.append(str(token.attrs.get("href", "")))
        elif kind == "link_close":
            if links:
                links.pop()
        elif kind == "code_inline":
            add(token.content, INLINE_STYLES["code"])
        elif kind == "softbreak":
            add(" ")
        elif kind == "hardbreak":
            add("\n")
        elif kind == "image":
            add("".join(child.content for child in token.children or []) or str(token.attrs.get("src", "")))
        else:  # text, html_inline (shown as written), and anything else with content
            add(token.content)
    return spans
