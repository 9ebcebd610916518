"""Anki's text import format (CSV or TSV) with its header lines, for the stock Basic and Cloze note types.

The header tells Anki the separator, that fields hold HTML, and which columns hold the GUID, note type,
deck and tags, so no import dialog needs filling in. Every field is quoted: Anki drops an unquoted line
starting with ``#`` as a comment, and a base91 GUID can start with ``#``. Newlines become ``<br>``.
The question notes use Anki's stock ``Basic`` type (present in every collection): the front holds the
question, the back the answer, key points, formulas, pitfalls, proof and references.
"""

from __future__ import annotations

import csv
import re
from datetime import datetime
from pathlib import Path

from dlquiz import sanitize
from dlquiz.export import write_atomic
from dlquiz.export.fields import DemoOutputs, NoteData, label, notes
from dlquiz.model import Catalog

_BETWEEN_TAGS = re.compile(r">\n+(?=<)")
_LABELS = {  # field -> heading key in fields.LABELS
    "Details": "details",
    "KeyPoints": "key_points",
    "Formulas": "formulas",
    "Pitfalls": "pitfalls",
    "Demo": "proof",
    "References": "references",
}


def one_line(html: str) -> str:
    """Newlines between block tags are dropped (they are only layout); the others become ``<br>``."""
    html = _BETWEEN_TAGS.sub(">", html.replace("\r\n", "\n"))
    return html.replace("\n", "<br>")


def _columns(note: NoteData, lang: str) -> tuple[str, str, str]:
    """(note type, first field, second field) for Anki's stock note types."""
    f = note.fields
    if note.kind == "cloze":
        return "Cloze", f["Text"], f["Extra"]
    if note.kind == "basic":
        return "Basic", f["Front"], f["Back"] + f["Explanation"]
    front = f'<div class="section">{f["Section"]}</div><div class="prompt">{f["Question"]}</div>'
    back = [f'<div class="answer">{f["Answer"]}</div>']
    for name, key in _LABELS.items():
        if f[name]:
            back.append(f"<h3>{label(key, lang)}</h3>{f[name]}")
    return "Basic", front, "".join(back)


def write(
    catalog: Catalog, path: Path, lang: str = "en", fmt: str = "csv", now: datetime | None = None
) -> dict[str, int]:
    delimiter = "\t" if fmt == "tsv" else ","
    header = [
        f"#separator:{'tab' if fmt == 'tsv' else 'comma'}",
        "#html:true",
        "#guid column:1",
        "#notetype column:2",
        "#deck column:3",
        "#tags column:4",
        "#columns:GUID"
        + delimiter
        + "Note type"
        + delimiter
        + "Deck"
        + delimiter
        + "Tags"
        + delimiter
        + "Front/Text"
        + delimiter
        + "Back/Back Extra",
    ]
    rows = []
    demos = DemoOutputs(lang)
    for note in notes(catalog, lang, demos):
        notetype, first, second = _columns(note, lang)
        cells = [note.guid, notetype, note.deck, " ".join(note.tags), one_line(first), one_line(second)]
        rows.append([sanitize.terminal(cell) for cell in cells])  # no control character in any cell

    def dump(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            handle.write("\n".join(header) + "\n")
            writer = csv.writer(handle, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\n")
            writer.writerows(rows)

    write_atomic(path, dump)
    return {"notes": len(rows), **({"failed demos": len(demos.failed)} if demos.failed else {})}
