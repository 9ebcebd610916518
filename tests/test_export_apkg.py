"""``dlquiz export apkg``: imported into a fresh collection with the official anki package."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.anki_helpers import FIXTURE_BANK, AnkiCollection

pytest.importorskip("anki")


def _expected_cards(catalog) -> int:
    """One card per question and front/back drill; one per distinct cloze number of a cloze drill."""
    total = 0
    for q in catalog.questions:
        total += 1
        for d in q.drills:
            total += len(d.cloze_numbers("en")) if d.type == "cloze" else 1
    return total


def test_shipped_banks_import_with_counts_decks_tags_and_math(cli, tmp_path: Path):
    from dlquiz import catalog as cat_module
    from dlquiz.export.fields import guid_for

    catalog = cat_module.load().catalog
    out = tmp_path / "dlquiz.apkg"
    result = cli("export", "apkg", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "notes" in result.stdout and out.stat().st_size > 10_000

    with AnkiCollection(tmp_path / "col.anki2") as anki:
        log = anki.import_apkg(out)
        n_notes = len(catalog.cards())
        assert log.new == n_notes and log.conflicting == 0
        assert anki.col.note_count() == n_notes
        assert anki.col.card_count() == _expected_cards(catalog)
        assert anki.deck_names() == {"dlquiz"} | {f"dlquiz::{s.title.en}" for s in catalog.sections}
        # Every deck holds exactly its section's cards.
        for s in catalog.sections:
            in_deck = anki.col.find_notes(f'"deck:dlquiz::{s.title.en}"')
            assert len(in_deck) == sum(1 + len(q.drills) for q in catalog.questions if q.section == s.id)

        q = catalog.questions[0]
        note = anki.note(guid_for(q.id))
        assert note.note_type()["name"] == "dlquiz question"
        assert set(note.tags) == {"dlquiz", f"section::{q.section}", "kind::question"}
        assert note["Id"] == q.id
        assert note.keys()[:3] == ["Id", "Section", "Question"]
        cloze = next(d for qq in catalog.questions for d in qq.drills if d.type == "cloze")
        cnote = anki.note(guid_for(cloze.id))
        assert cnote.note_type()["name"] == "dlquiz cloze"
        assert {"kind::drill", "type::cloze"} <= set(cnote.tags)

        # Math only as MathJax delimiters: no raw $ anywhere, and \( \) balanced in every field.
        for n in anki.notes():
            for value in n.values():
                assert "$" not in value, (n["Id"], value[:200])
                assert value.count("\\(") == value.count("\\)"), n["Id"]
        formulas = [n["Formulas"] for n in anki.notes() if n.note_type()["name"] == "dlquiz question"]
        assert any(f.startswith('<div class="formula">') and "\\[" in f for f in formulas)

        # The proof travels with the card: a question with a demo carries its table and checks.
        with_demo = next(qq for qq in catalog.questions if qq.demos)
        demo_field = anki.note(guid_for(with_demo.id))["Demo"]
        assert "<table" in demo_field and 'class="pass"' in demo_field and with_demo.demos[0] in demo_field


def _fixture_copy(tmp_path: Path) -> Path:
    bank = tmp_path / "banks" / "export_bank.yaml"
    bank.parent.mkdir()
    bank.write_text(FIXTURE_BANK.read_text(encoding="utf-8"), encoding="utf-8")
    return bank


def test_reexport_updates_notes_instead_of_duplicating(cli, tmp_path: Path):
    from dlquiz.export.fields import guid_for

    bank = _fixture_copy(tmp_path)
    out = tmp_path / "fixture.apkg"
    assert cli("-b", str(bank), "export", "apkg", "-s", "fixture", "-o", str(out)).exit_code == 0
    with AnkiCollection(tmp_path / "col.anki2") as anki:
        first = anki.import_apkg(out)
        assert (first.new, first.updated) == (7, 0)
        assert (
            anki.col.card_count() == 1 + 1 + 3 + 1 + 1 + 1 + 1
        )  # question, basic, 3 clozes, choice, numeric, d98, q2
        text = bank.read_text(encoding="utf-8").replace(
            "before exponentiating in softmax", "before calling exp"
        )
        bank.write_text(text, encoding="utf-8")
        # Same second as the first export: the stamp file still makes the second one newer.
        again = cli("-b", str(bank), "export", "apkg", "-s", "fixture", "-o", str(out))
        assert again.exit_code != 0 and "already exists" in again.stderr
        assert (
            cli("-b", str(bank), "export", "apkg", "-s", "fixture", "-o", str(out), "--force").exit_code == 0
        )
        second = anki.import_apkg(out)
        assert second.new == 0 and second.updated >= 1 and second.conflicting == 0
        assert anki.col.note_count() == 7
        assert "before calling exp" in anki.note(guid_for("fix-softmax"))["Question"]


def test_cloze_and_rendered_cards(cli, tmp_path: Path):
    from dlquiz.export.fields import guid_for

    out = tmp_path / "fixture.apkg"
    assert cli("-b", str(FIXTURE_BANK), "export", "apkg", "-s", "fixture", "-o", str(out)).exit_code == 0
    with AnkiCollection(tmp_path / "col.anki2") as anki:
        anki.import_apkg(out)
        cloze = anki.note(guid_for("fix-softmax.cloze"))
        # }} inside math is spaced apart so it cannot close the deletion early.
        assert "{{c3::\\(\\frac{1}{\\sqrt{d} }\\)}}" in cloze["Text"]
        cards = sorted(cloze.cards(), key=lambda c: c.ord)
        assert [c.ord for c in cards] == [0, 1, 2]
        front = cards[2].question()
        assert "[...]" in front and "the largest logit" in front and "\\frac{1}{\\sqrt{d} }" not in front
        assert "\\frac{1}{\\sqrt{d} }" in cards[2].answer()

        question = anki.note(guid_for("fix-softmax"))
        # Escaped in math (a < b), tables survive a | inside math, and code stays code.
        assert "\\(a &lt; b\\)" in question["Details"] and "\\(|z_i|\\)" in question["Details"]
        assert '<code class="language-python">' in question["Details"]
        answer = question.cards()[0].answer()
        assert "<h3>Key points</h3>" in answer and "要点" not in answer
        assert "bn-moments" in answer and "<table" in answer
        # Long sections are collapsed; the short answer, key points and pitfalls are not.
        assert re.search(r"<details class=\"proof\"><summary>Proof</summary>", answer)
        assert '<details class="references">' in answer and '<details class="details">' in answer

        choice = anki.note(guid_for("fix-softmax.choice"))
        assert '<ol class="options" type="A">' in choice["Front"]
        # The back marks the right option in place (✓, bold via .correct) and the wrong one with ✗.
        back = choice["Back"]
        right = re.search(r'<li class="correct">.*?✓.*?A\.</span><div>\\\(e\^\{710\}\\\)', back)
        wrong = re.search(r'<li class="incorrect">.*?✗.*?B\.</span><div>\\\(e\^\{700\}\\\)', back)
        assert right and wrong, back
        numeric = anki.note(guid_for("fix-softmax.numeric"))
        assert re.search(r"0\.5 .*± 0\.01", numeric["Back"])
        # A cloze written without an explanation gets its question's short answer as Extra.
        assert "invariant to a shift" in cloze["Extra"]


def test_both_languages_stack_english_over_chinese(cli, tmp_path: Path):
    from dlquiz.export.fields import guid_for

    out = tmp_path / "both.apkg"
    assert (
        cli(
            "-b", str(FIXTURE_BANK), "export", "apkg", "-s", "fixture", "--lang", "both", "-o", str(out)
        ).exit_code
        == 0
    )
    with AnkiCollection(tmp_path / "col.anki2") as anki:
        anki.import_apkg(out)
        note = anki.note(guid_for("fix-softmax"))
        field = note["Question"]
        # One item, English first, Chinese (marked as such) on its next line.
        zh = '<span class="zh" lang="zh-CN">为什么'
        assert field.index('<span class="en">Why subtract') < field.index(zh)
        assert '<div class="zh" lang="zh-CN">' in note["Answer"]
        # The mark and the text start on one line: the mark is the first child of a flex row.
        assert (
            '<div class="marked no"><span class="mark">✗</span><div class="body"><span class="en">'
            in (note["Pitfalls"])
        )
        assert 'Key points · <span lang="zh-CN">要点</span>' in note.cards()[0].answer()
        assert anki.deck_names() == {"dlquiz", "dlquiz::Fixture section"}


def test_chinese_export_marks_chinese_and_translates_headings_and_proof(cli, tmp_path: Path):
    from dlquiz.export.fields import guid_for

    out = tmp_path / "zh.apkg"
    args = ("-b", str(FIXTURE_BANK), "export", "apkg", "-s", "fixture", "--lang", "zh", "-o", str(out))
    assert cli(*args).exit_code == 0
    with AnkiCollection(tmp_path / "col.anki2") as anki:
        anki.import_apkg(out)
        note = anki.note(guid_for("fix-softmax"))
        assert note["Question"].startswith('<span lang="zh-CN">为什么')
        answer = note.cards()[0].answer()
        for heading in ("要点", "常见误区", "详解", "验证", "参考文献"):
            assert f'<span lang="zh-CN">{heading}</span>' in answer
        assert "Key points" not in answer and "Proof" not in answer
        # The proof's own words: the demo's Chinese title, "随机种子", "实测", "要求".
        # (The demo's claims and tables are English-only in the demos themselves.)
        demo = note["Demo"]
        assert 'bn-moments, <span lang="zh-CN">随机种子</span>' in demo and ", seed " not in demo
        assert '(<span lang="zh-CN">实测</span>' in demo and '<span lang="zh-CN">要求</span>' in demo
        assert "(measured" not in demo


def test_a_failing_demo_is_noted_on_the_card_not_fatal(monkeypatch: pytest.MonkeyPatch):
    from dlquiz.demos import registry
    from dlquiz.export.fields import DemoOutputs

    real = registry.get("bn-moments")
    assert real is not None

    def boom(*args, **kwargs):
        raise FloatingPointError("overflow <here>")

    monkeypatch.setitem(registry._REGISTRY, "bn-moments", type(real)(**{**real.__dict__, "fn": boom}))
    outputs = DemoOutputs()
    html = outputs.html(("bn-moments", "no-such-demo"))
    assert "bn-moments failed at export time: FloatingPointError: overflow &lt;here&gt;" in html
    assert outputs.failed == ["bn-moments"]


def test_a_later_export_in_another_language_updates_notes_and_headings_in_place(cli, tmp_path: Path):
    """Headings live in the note type's template; the note type keeps its id, so it is updated too."""
    import json
    import time

    from dlquiz import paths
    from dlquiz.export.fields import guid_for

    base = ("-b", str(FIXTURE_BANK), "export", "apkg", "-s", "fixture", "--force")
    with AnkiCollection(tmp_path / "col.anki2") as anki:
        assert cli(*base, "-o", str(tmp_path / "en.apkg")).exit_code == 0
        anki.import_apkg(tmp_path / "en.apkg")
        note = anki.note(guid_for("fix-softmax"))
        assert "<h3>Key points</h3>" in note.cards()[0].answer()
        ids = {n.id for n in anki.notes()}
        # Anki stamps a note type it imports with the clock, and takes a newer one only if it is newer:
        # a later export is normally minutes or days later; here it is moved a minute on.
        (paths.home() / "export.json").write_text(json.dumps({"apkg_stamp": int(time.time()) + 60}))
        assert cli(*base, "--lang", "zh", "-o", str(tmp_path / "zh.apkg")).exit_code == 0
        log = anki.import_apkg(tmp_path / "zh.apkg")
        assert (log.new, log.updated, log.conflicting) == (0, 7, 0)
        assert {n.id for n in anki.notes()} == ids  # same notes, same GUIDs
        assert [m["name"] for m in anki.col.models.all()].count("dlquiz question") == 1
        answer = anki.note(guid_for("fix-softmax")).cards()[0].answer()
        assert '<h3><span lang="zh-CN">要点</span></h3>' in answer and "Key points" not in answer
