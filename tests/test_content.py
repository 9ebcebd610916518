"""The shipped banks against the content brief: every id, complete in both languages, enough drills."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

import pytest

from dlquiz import bank, paths
from dlquiz.model import LANGS, Catalog

# The thirty question ids of ../shared/CONTENT_BRIEF.md, in the article's order: a contract with users'
# review history and exports, so they are spelled out here rather than read from the brief.
BRIEF = {
    "optimization": [
        "opt-methods",
        "opt-adaptive",
        "opt-local-minima",
        "opt-gd-principle",
        "opt-gd-improvements",
        "opt-newton",
        "opt-gd-vs-newton",
    ],
    "batch-norm": [
        "bn-what",
        "bn-params",
        "bn-effects",
        "bn-implement",
        "bn-where",
        "bn-why-rescale",
        "bn-backward",
        "bn-train-vs-test",
        "bn-vs-activation-order",
    ],
    "cnn": [
        "cnn-classic-models",
        "cnn-structure",
        "cnn-vs-fc",
        "cnn-layers",
        "cnn-why-conv",
        "cnn-resnet",
        "cnn-resnet-v2-resnext",
        "cnn-inception",
        "cnn-densenet",
    ],
    "loss": [
        "loss-smooth-l1",
        "loss-l1-vs-l2",
        "loss-ce-vs-mse",
        "loss-multilabel",
        "loss-logistic-regression",
    ],
}
CJK = re.compile(r"[\u4e00-\u9fff]")


@cache
def shipped() -> Catalog:
    return bank.load([paths.shipped_content()]).catalog


def coverage(catalog: Catalog) -> list[dict[str, object]]:
    """Per section: questions, drill cards by type, and questions complete in both languages."""
    rows = []
    for section in catalog.sections:
        questions = [q for q in catalog.questions if q.section == section.id]
        types = Counter(d.type for q in questions for d in q.drills)
        rows.append(
            {
                "section": section.id,
                "questions": len(questions),
                "drills": sum(types.values()),
                **{t: types.get(t, 0) for t in ("basic", "cloze", "choice", "numeric", "code")},
                "bilingual": sum(1 for q in questions if CJK.search(q.answer_short.zh) and q.answer_short.en),
            }
        )
    return rows


def test_every_brief_id_is_present_in_order() -> None:
    catalog = shipped()
    for section, ids in BRIEF.items():
        found = [q.id for q in catalog.questions if q.section == section]
        missing = [i for i in ids if i not in found]
        assert not missing, f"{section}: missing {missing}"
        assert found[: len(ids)] == ids, f"{section}: not in the brief's order"
    assert [s.id for s in catalog.sections] == list(BRIEF)


def test_shipped_banks_have_no_structural_problems() -> None:
    result = bank.load([paths.shipped_content()])
    assert [str(p) for p in result.problems if p.blocking] == []


@pytest.mark.parametrize("qid", [i for ids in BRIEF.values() for i in ids])
def test_question_is_complete(qid: str) -> None:
    q = shipped().get(qid)
    assert q is not None
    words = len(q.answer_short.en.split())
    assert 60 <= words <= 150, f"short answer has {words} English words"
    assert 3 <= len(q.key_points) <= 7
    assert q.formulas and q.pitfalls and q.follow_ups and q.references and q.demos
    assert all(r.year and r.venue and r.authors for r in q.references)
    assert len(q.drills) >= 4
    assert len({d.type for d in q.drills}) >= 3, "drills should mix types"
    assert any(d.type in ("choice", "numeric") for d in q.drills)
    for text in [q.prompt, q.answer_short, q.answer_detailed, *q.key_points]:
        assert text.en.strip() and text.zh.strip()
        assert CJK.search(text.zh), f"zh text without Chinese: {text.zh[:60]!r}"
    for lang in LANGS:
        paired = re.sub(
            r"\$\$.+?\$\$|\$[^$]+\$", "", q.answer_detailed.get(lang), flags=re.DOTALL
        )  # $$display$$ too
        assert "$" not in paired, f"unbalanced $ in {lang}"


def test_enough_drills_of_every_type() -> None:
    rows = coverage(shipped())
    totals = Counter()
    for row in rows:
        for key in ("drills", "basic", "cloze", "choice", "numeric"):
            totals[key] += row[key]  # type: ignore[operator]
    assert totals["drills"] >= 150
    assert all(totals[t] >= 20 for t in ("basic", "cloze", "choice", "numeric"))


def test_choice_and_numeric_cards_are_well_formed() -> None:
    for q in shipped().questions:
        for d in q.drills:
            if d.type == "choice":
                assert any(o.correct for o in d.options) and not all(o.correct for o in d.options), d.id
                assert len({o.text.en for o in d.options}) == len(d.options), f"{d.id}: repeated option"
            if d.type == "numeric":
                assert d.answer is not None and d.tolerance is not None and d.tolerance >= 0, d.id


def _zh_texts(obj: object) -> list[str]:
    """Every Chinese string of a question: fields named zh, found by walking the dataclasses."""
    import dataclasses

    found: list[str] = []
    if dataclasses.is_dataclass(obj):
        for field in dataclasses.fields(obj):
            value = getattr(obj, field.name)
            if field.name == "zh" and isinstance(value, str):
                found.append(value)
            else:
                found.extend(_zh_texts(value))
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            found.extend(_zh_texts(item))
    return found


def test_chinese_text_uses_chinese_punctuation() -> None:
    # Chinese prose quotes with “ ”, and a line fold after full-width punctuation must not leave a space
    # (the loader only joins breaks between two Han characters). Code spans and math are exempt.
    code_or_math = re.compile(r"`[^`]*`|\$[^$]*\$")
    problems = []
    for q in shipped().questions:
        texts = _zh_texts(q)
        assert texts, f"{q.id}: no zh text found"
        for text in texts:
            prose = code_or_math.sub("x", text)
            if '"' in prose:
                problems.append(f"{q.id}: ASCII quote in {prose[:40]!r}")
            if re.search(r"[，。、；：（][ \t]", prose):
                problems.append(f"{q.id}: space after full-width punctuation in {prose[:40]!r}")
    assert problems == []


def test_every_cloze_drill_explains_its_answer() -> None:
    # A cloze's back repeats its sentence; the explanation is what the Anki Extra field shows (issue 15).
    # It must say why, in both languages, and not be empty or a copy of the prompt.
    missing = []
    for q in shipped().questions:
        for d in q.drills:
            if d.type != "cloze":
                continue
            e = d.explanation
            if e is None or not e.en.strip() or not e.zh.strip() or not CJK.search(e.zh):
                missing.append(d.id)
            elif e.en.strip() == d.prompt.en.strip() or e.zh.strip() == d.prompt.zh.strip():
                missing.append(f"{d.id} (copies the prompt)")
    assert missing == []
