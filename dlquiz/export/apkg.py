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
from dlquiz.export.fields import CLOZE_FIELDS, DRILL_FIELDS, QUESTION_FIELDS, DemoOutputs, label, notes
from dlquiz.model import Catalog

# Fixed ids: changing one makes Anki see a new note type (and duplicate every note). Never change them.
QUESTION_MODEL_ID = 1_607_392_311
DRILL_MODEL_ID = 1_607_392_312
CLOZE_MODEL_ID = 1_607_392_313

# Cards are mostly reviewed on a phone, often at night. So: nothing wider than the screen (tables, display
# math and code scroll sideways in their own box; URLs and long words wrap), long sections collapsed,
# and one palette per mode with at least 4.5:1 contrast for text and links (WCAG AA). Anki marks night
# mode with .nightMode or .night_mode, on the element that has .card or on one of its ancestors.
CSS = """\
.card { --fg: #1f2328; --muted: #59636e; --bg: #fff; --link: #0969da; --line: #d0d7de;
        --code-bg: #f6f8fa; --no: #cf222e; --yes: #1a7f37; --cloze: #0550ae; --hl: rgba(9, 105, 218, 0.1);
        font-family: -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", "PingFang SC",
        "Microsoft YaHei", sans-serif; font-size: 18px; line-height: 1.5; text-align: left;
        color: var(--fg); background: var(--bg); max-width: 46em; margin: 0 auto; padding: 0 0.5em;
        overflow-wrap: break-word; }
.nightMode.card, .nightMode .card, .night_mode.card, .night_mode .card {
        --fg: #e6edf3; --muted: #a3adb8; --bg: #1e1e1e; --link: #6cb6ff; --line: #3d444d;
        --code-bg: #2a2f36; --no: #ff8a80; --yes: #56d364; --cloze: #8cc8ff;
        --hl: rgba(108, 182, 255, 0.15); }
.card a { color: var(--link); overflow-wrap: anywhere; }
.section { font-size: 0.75em; color: var(--muted); text-transform: uppercase; letter-spacing: 0.05em; }
.prompt { font-size: 1.15em; font-weight: 600; margin: 0.3em 0 0.6em; }
.prompt .options { font-size: 0.87em; font-weight: normal; }
h3, details > summary { font-size: 0.85em; font-weight: 600; color: var(--muted); margin: 1.2em 0 0.3em;
        text-transform: uppercase; letter-spacing: 0.03em; }
details > summary { cursor: pointer; color: var(--link); }
details[open] > summary { margin-bottom: 0.5em; }
hr { border: 0; border-top: 1px solid var(--line); }
span.zh { display: block; }
div.zh { border-top: 1px dashed var(--line); margin-top: 0.5em; padding-top: 0.5em; }
.scroll { overflow-x: auto; max-width: 100%; margin: 0.5em 0; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { border: 1px solid var(--line); padding: 0.2em 0.5em; }
th { background: rgba(127, 127, 127, 0.12); }
td.num, .nowrap, .number { white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font-family: ui-monospace, "SF Mono", Menlo, Consolas, "Noto Sans Mono", monospace; font-size: 0.88em;
       background: var(--code-bg); padding: 0 0.25em; border-radius: 3px; overflow-wrap: anywhere; }
pre { background: var(--code-bg); border: 1px solid var(--line); border-radius: 6px; padding: 0.6em 0.8em;
      overflow-x: auto; max-width: 100%; box-sizing: border-box; line-height: 1.4; }
pre code { background: none; padding: 0; font-size: 0.8em; white-space: pre; overflow-wrap: normal; }
mjx-container[display="true"] { overflow-x: auto; overflow-y: hidden; max-width: 100%;
        padding: 0.1em 0; }
mjx-assistive-mml { right: 0; }  /* MathJax's hidden MathML copy: as wide as its formula, never wider */
.formula { margin: 0.4em 0; }
.formula-name { font-size: 0.85em; color: var(--muted); }
ul.pitfalls, ul.checks, ul.marked-options { list-style: none; padding-left: 0; }
ul.pitfalls > li { margin: 0.2em 0 0.7em; }
.marked { display: flex; gap: 0.4em; align-items: baseline; }
.marked > .mark { flex: none; font-weight: 700; }
.marked > .body { flex: 1; min-width: 0; }
.marked.no > .mark { color: var(--no); }
.marked.yes > .mark { color: var(--yes); }
.marked-options .body { display: flex; gap: 0.35em; }  /* the letter, then the option in its own column */
.options .correct .body { font-weight: 700; }
.letter { font-weight: normal; flex: none; }
.source, .measured, .demo-id, .tolerance { color: var(--muted); font-size: 0.85em; }
.demo { border-left: 3px solid var(--line); padding-left: 0.7em; margin: 0.6em 0; }
.demo-title { font-weight: 600; }
.demo-table caption { text-align: left; font-size: 0.85em; color: var(--muted); }
.number { font-size: 1.3em; font-weight: 600; }
/* The cloze answer: bold, underlined and tinted, not told by colour alone. */
.cloze { font-weight: 700; color: var(--cloze); background: var(--hl); border-bottom: 2px solid currentColor;
         border-radius: 2px; padding: 0 0.1em; }
.back-side .prompt ol.options { display: none; }
"""

# Template headings in the export language; the note types keep their ids, so a later export in another
# language updates them in place.
HEADINGS = ("details", "key_points", "formulas", "pitfalls", "proof", "references")

QUESTION_FRONT = '<div class="section">{{Section}}</div>\n<div class="prompt">{{Question}}</div>'
# The short answer, key points and pitfalls stay in view; the long parts open on a tap.
QUESTION_BACK = """\
{{FrontSide}}
<hr id="answer">
<div class="answer">{{Answer}}</div>
{{#KeyPoints}}<h3>%(key_points)s</h3>{{KeyPoints}}{{/KeyPoints}}
{{#Pitfalls}}<h3>%(pitfalls)s</h3>{{Pitfalls}}{{/Pitfalls}}
{{#Details}}<details class="details"><summary>%(details)s</summary>{{Details}}</details>{{/Details}}
{{#Formulas}}<details class="formulas"><summary>%(formulas)s</summary>{{Formulas}}</details>{{/Formulas}}
{{#Demo}}<details class="proof"><summary>%(proof)s</summary>{{Demo}}</details>{{/Demo}}
{{#References}}<details class="references"><summary>%(references)s</summary>\
{{References}}</details>{{/References}}
<div class="section">{{Id}}</div>"""

DRILL_FRONT = '<div class="prompt">{{Front}}</div>'
# On the back, a choice drill's plain option list is hidden: the Back field lists the same options with
# the right ones marked in place.
DRILL_BACK = """\
<div class="back-side">{{FrontSide}}</div>
<hr id="answer">
<div class="answer">{{Back}}</div>
{{#Explanation}}<div class="explanation">{{Explanation}}</div>{{/Explanation}}
<div class="section">{{Id}}</div>"""

CLOZE_FRONT = '<div class="prompt">{{cloze:Text}}</div>'
CLOZE_BACK = """\
<div class="prompt">{{cloze:Text}}</div>
{{#Extra}}<hr id="answer"><div class="explanation">{{Extra}}</div>{{/Extra}}
<div class="section">{{Id}}</div>"""


def question_back(lang: str) -> str:
    return QUESTION_BACK % {key: label(key, lang) for key in HEADINGS}


def _models(lang: str = "en") -> dict[str, Any]:
    import genanki

    def fields(names: tuple[str, ...]) -> list[dict[str, str]]:
        return [{"name": n} for n in names]

    question = genanki.Model(
        QUESTION_MODEL_ID,
        "dlquiz question",
        fields=fields(QUESTION_FIELDS),
        templates=[{"name": "Question", "qfmt": QUESTION_FRONT, "afmt": question_back(lang)}],
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

    models = _models(lang)
    decks: dict[str, Any] = {}
    n_cards = 0
    demos = DemoOutputs(lang)
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
