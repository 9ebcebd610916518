"""``dlquiz export csv|tsv``: Anki's text format, imported with the official anki package."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.anki_helpers import FIXTURE_BANK, AnkiCollection

pytest.importorskip("anki")


def _rows(path: Path, delimiter: str) -> tuple[list[str], list[list[str]]]:
    lines = path.read_text(encoding="utf-8").split("\n")
    header = [line for line in lines if line.startswith("#")]
    body = "\n".join(lines[len(header) :])
    return header, list(csv.reader(body.splitlines(), delimiter=delimiter))


def test_csv_of_shipped_banks_imports_with_stock_note_types(cli, tmp_path: Path):
    from dlquiz import catalog as cat_module
    from dlquiz.export.fields import guid_for

    catalog = cat_module.load().catalog
    out = tmp_path / "dlquiz.csv"
    assert cli("export", "csv", "-o", str(out)).exit_code == 0
    header, rows = _rows(out, ",")
    assert header[:6] == [
        "#separator:comma",
        "#html:true",
        "#guid column:1",
        "#notetype column:2",
        "#deck column:3",
        "#tags column:4",
    ]
    assert len(rows) == len(catalog.cards()) and all(len(r) == 6 for r in rows)
    # One logical line per note: newlines became <br> (or vanished between tags).
    assert all("\n" not in field for r in rows for field in r)

    with AnkiCollection(tmp_path / "col.anki2") as anki:
        log = anki.import_text(out)
        assert log.new == len(rows) and log.conflicting == 0
        assert anki.col.note_count() == len(rows)
        assert anki.deck_names() == {"dlquiz"} | {f"dlquiz::{s.title.en}" for s in catalog.sections}
        q = catalog.questions[0]
        note = anki.note(guid_for(q.id))
        assert note.note_type()["name"] == "Basic"
        assert set(note.tags) == {"dlquiz", f"section::{q.section}", "kind::question"}
        # Headings follow the export language (English here), not both languages at once.
        assert "<h3>Key points</h3>" in note["Back"] and "<h3>References</h3>" in note["Back"]
        assert "要点" not in note["Back"]
        clozes = [d for qq in catalog.questions for d in qq.drills if d.type == "cloze"]
        assert len(anki.col.find_notes('"note:Cloze"')) == len(clozes)
        for n in anki.notes():
            assert all("$" not in v for v in n.values()), n.guid


def test_tsv_keeps_a_guid_starting_with_hash_and_updates_on_reimport(cli, tmp_path: Path):
    from dlquiz.export.fields import guid_for

    assert guid_for("fix-softmax.d98").startswith("#")  # the case an unquoted line would lose as a comment
    bank = tmp_path / "export_bank.yaml"
    bank.write_text(FIXTURE_BANK.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "fixture.tsv"
    assert cli("-b", str(bank), "export", "tsv", "-s", "fixture", "-o", str(out)).exit_code == 0
    header, rows = _rows(out, "\t")
    assert header[0] == "#separator:tab"
    assert out.read_text(encoding="utf-8").count('\n"#') == 1  # quoted: a field, not a comment
    assert [r[0] for r in rows].count(guid_for("fix-softmax.d98")) == 1

    with AnkiCollection(tmp_path / "col.anki2") as anki:
        first = anki.import_text(out)
        assert first.new == 7
        note = anki.note(guid_for("fix-softmax.d98"))
        assert note["Front"] == "<p>#1 rule of stable softmax?</p>"
        assert anki.note(guid_for("fix-softmax"))["Back"].count("<br>") == 2  # the two code lines
        cloze = anki.note(guid_for("fix-softmax.cloze"))
        assert cloze.note_type()["name"] == "Cloze" and len(cloze.cards()) == 3

        bank.write_text(bank.read_text(encoding="utf-8").replace("'#1 rule", "'First rule"), encoding="utf-8")
        assert cli("-b", str(bank), "export", "tsv", "-s", "fixture", "-o", str(out), "-f").exit_code == 0
        second = anki.import_text(out)
        assert second.new == 0 and second.updated >= 1
        assert anki.col.note_count() == 7
        assert anki.note(guid_for("fix-softmax.d98"))["Front"].startswith("<p>First rule")
