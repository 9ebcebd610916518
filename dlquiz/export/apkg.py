"""An Anki package (.apkg) built with genanki: one deck per section, three note types, MathJax math.

Model and deck ids are fixed and note GUIDs come from card ids, so importing a newer export updates the
notes instead of adding copies. Anki updates a note only when the incoming modification time is newer,
in whole seconds; genanki stamps every note with the ``timestamp`` given to ``write_to_file``, so each
export takes a stamp strictly greater than the one before (kept in ``DLQUIZ_HOME/export.json``), even
two exports within the same second.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from dlquiz import paths
from dlquiz.export import write_atomic
from dlquiz.export.fields import CLOZE_FIELDS, DRILL_FIELDS, QUESTION_FIELDS, DemoOutputs, notes
from dlquiz.model import Catalog

# Fixed ids: changing one makes Anki see a new note type (and duplicate every note). Never change them.
QUESTION_MODEL_ID = 1_607_392_311
DRILL_MODEL_ID = 1_607_392_312
CLOZE_MODEL_ID = 1_607_392_313

CSS = """\
.card { font-family: -apple-system, "Segoe UI", Roboto, "Noto Sans", "PingFang SC", "Microsoft YaHei",
        sans-serif; font-size: 18px; line-height: 1.5; text-align: left; color: #1f2328;
        background: #fff; max-width: 46em; margin: 0 auto; padding: 0 0.5em; }
.nightMode.card, .night_mode .card { color: #e6edf3; background: #1e1e1e; }
.section { font-size: 0.75em; color: #8b949e; text-transform: uppercase; letter-spacing: 0.05em; }
.prompt { font-size: 1.15em; font-weight: 600; margin: 0.3em 0 0.6em; }
h3 { font-size: 0.85em; color: #8b949e; margin: 1.2em 0 0.3em; text-transform: uppercase; }
.zh { border-top: 1px dashed #8b949e; margin-top: 0.5em; padding-top: 0.5em; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; }
th, td { border: 1px solid #d0d7de; padding: 0.2em 0.5em; }
th { background: rgba(127,127,127,0.12); }
code { font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace; font-size: 0.9em;
       background: rgba(127,127,127,0.15); padding: 0 0.2em; border-radius: 3px; }
.formula { margin: 0.4em 0; }
.formula-name { font-size: 0.85em; color: #8b949e; }
.wrong { color: #cf222e; }
.right { color: #1a7f37; margin-bottom: 0.5em; }
.source, .measured, .demo-id, .tolerance { color: #8b949e; font-size: 0.85em; }
.demo { border-left: 3px solid #0969da; padding-left: 0.7em; margin: 0.6em 0; }
.demo-title { font-weight: 600; }
.demo-table caption { text-align: left; font-size: 0.85em; color: #8b949e; }
.checks { list-style: none; padding-left: 0; }
.checks .pass { color: #1a7f37; }
.checks .fail { color: #cf222e; }
.options li { margin: 0.2em 0; }
.number { font-size: 1.3em; font-weight: 600; }
.cloze { font-weight: 600; color: #0969da; }
details summary { cursor: pointer; color: #0969da; }
"""

QUESTION_FRONT = '<div class="section">{{Section}}</div>\n<div class="prompt">{{Question}}</div>'
QUESTION_BACK = """\
{{FrontSide}}
<hr id="answer">
<div class="answer">{{Answer}}</div>
{{#Details}}<details><summary>Details · 详解</summary>{{Details}}</details>{{/Details}}
{{#KeyPoints}}<h3>Key points · 要点</h3>{{KeyPoints}}{{/KeyPoints}}
{{#Formulas}}<h3>Formulas · 公式</h3>{{Formulas}}{{/Formulas}}
{{#Pitfalls}}<h3>Pitfalls · 误区</h3>{{Pitfalls}}{{/Pitfalls}}
{{#Demo}}<h3>Proof · 验证</h3>{{Demo}}{{/Demo}}
{{#References}}<h3>References · 参考文献</h3>{{References}}{{/References}}
<div class="section">{{Id}}</div>"""

DRILL_FRONT = '<div class="prompt">{{Front}}</div>'
DRILL_BACK = """\
{{FrontSide}}
<hr id="answer">
<div class="answer">{{Back}}</div>
{{#Explanation}}<div class="explanation">{{Explanation}}</div>{{/Explanation}}
<div class="section">{{Id}}</div>"""

CLOZE_FRONT = '<div class="prompt">{{cloze:Text}}</div>'
CLOZE_BACK = """\
<div class="prompt">{{cloze:Text}}</div>
{{#Extra}}<hr id="answer"><div class="explanation">{{Extra}}</div>{{/Extra}}
<div class="section">{{Id}}</div>"""


def _models() -> dict[str, Any]:
    import genanki

    def fields(names: tuple[str, ...]) -> list[dict[str, str]]:
        return [{"name": n} for n in names]

    question = genanki.Model(
        QUESTION_MODEL_ID,
        "dlquiz question",
        fields=fields(QUESTION_FIELDS),
        templates=[{"name": "Question", "qfmt": QUESTION_FRONT, "afmt": QUESTION_BACK}],
        css=CSS,
        sort_field_index=QUESTION_FIELDS.index("Question"),
    )
    drill = genanki.Model(
        DRILL_MODEL_ID,
        "dlquiz drill",
        fields=fields(DRILL_FIELDS),
        templates=[{"name": "Drill", "qfmt": DRILL_FRONT, "afmt": DRILL_BACK}],
        css=CSS,
        sort_field_index=DRILL_FIELDS.index("Front"),
    )
    cloze = genanki.Model(
        CLOZE_MODEL_ID,
        "dlquiz cloze",
        fields=fields(CLOZE_FIELDS),
        templates=[{"name": "Cloze", "qfmt": CLOZE_FRONT, "afmt": CLOZE_BACK}],
        css=CSS,
        model_type=genanki.Model.CLOZE,
        sort_field_index=CLOZE_FIELDS.index("Text"),
    )
    return {"question": question, "basic": drill, "cloze": cloze}


def deck_id(name: str) -> int:
    # Stable per deck name, inside the range Anki accepts for ids (positive, below 2**63).
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:6], "big") + (1 << 40)


def next_stamp(now: datetime) -> int:
    """A note modification time (seconds) greater than every earlier export's from this home folder."""
    record = paths.home() / "export.json"
    try:
        last = int(json.loads(record.read_text(encoding="utf-8"))["apkg_stamp"])
    except (OSError, ValueError, KeyError, TypeError):
        last = 0
    stamp = max(int(now.timestamp()), last + 1)
    try:
        record.parent.mkdir(parents=True, exist_ok=True)
        tmp = record.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"apkg_stamp": stamp}), encoding="utf-8")
        os.replace(tmp, record)
    except OSError:
        pass  # a read-only home: fall back on the clock, which is right unless two exports share a second
    return stamp


def write_package(package: Any, path: Path, stamp: float) -> None:
    """``genanki.Package.write_to_file``, with its temporary database in a folder that is always removed
    (genanki's own ``mkstemp`` file is never deleted: one leaked file in /tmp per export)."""
    import itertools
    import sqlite3
    import tempfile
    import zipfile

    with tempfile.TemporaryDirectory(prefix="dlquiz-apkg-") as folder:
        db = Path(folder) / "collection.anki2"
        conn = sqlite3.connect(db)
        try:
            package.write_to_db(conn.cursor(), stamp, itertools.count(int(stamp * 1000)))
            conn.commit()
        finally:
            conn.close()
        with zipfile.ZipFile(path, "w") as out:
            out.write(db, "collection.anki2")
            media = dict(enumerate(package.media_files))
            out.writestr("media", json.dumps({i: os.path.basename(m) for i, m in media.items()}))
            for i, m in media.items():
                out.write(m, str(i))


def write(
    catalog: Catalog, path: Path, lang: str = "en", fmt: str = "apkg", now: datetime | None = None
) -> dict[str, int]:
    import genanki

    models = _models()
    decks: dict[str, Any] = {}
    n_cards = 0
    demos = DemoOutputs()
    for data in notes(catalog, lang, demos):
        deck = decks.get(data.deck)
        if deck is None:
            deck = decks[data.deck] = genanki.Deck(deck_id(data.deck), data.deck)
        note = genanki.Note(
            model=models[data.kind], fields=list(data.fields.values()), guid=data.guid, tags=list(data.tags)
        )
        n_cards += len(note.cards)
        deck.add_note(note)
    stamp = next_stamp(now or datetime.now(timezone.utc))
    package = genanki.Package(list(decks.values()))
    write_atomic(path, lambda tmp: write_package(package, tmp, stamp))
    return {
        "notes": sum(len(d.notes) for d in decks.values()),
        "cards": n_cards,
        "decks": len(decks),
        "timestamp": stamp,
        **({"failed demos": len(demos.failed)} if demos.failed else {}),
    }
