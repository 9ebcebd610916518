"""Small made-up questions for tests that need a catalog but not the shipped content."""

from __future__ import annotations

from typing import Any

from dlquiz.model import Catalog, Section, Text, build_question


def question_data(
    qid: str, section: str = "lab", prompt: str = "", drills: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A schema-valid question (as loaded from YAML) with the given drills."""
    return {
        "id": qid,
        "section": section,
        "source": "Lab",
        "prompt": {"en": prompt or f"What is {qid}?", "zh": "问题"},
        "answer": {"short": {"en": "short", "zh": "短"}, "detailed": {"en": "long", "zh": "长"}},
        "key_points": [{"en": "point", "zh": "要点"}],
        "formulas": [],
        "pitfalls": [],
        "follow_ups": [],
        "references": [{"authors": "A", "year": 2020, "title": "T", "venue": "V"}],
        "demos": [],
        "drills": list(drills or []),
    }


def basic_drills(qid: str, n: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{qid}.d{i}",
            "type": "basic",
            "prompt": {"en": f"front {i}", "zh": "正"},
            "back": {"en": f"back {i}", "zh": "背"},
        }
        for i in range(n)
    ]


def catalog_of(*questions: dict[str, Any], titles: dict[str, tuple[str, str]] | None = None) -> Catalog:
    """A catalog of ``questions``; sections in sorted order, titled by ``titles`` or by their ids."""
    ids = sorted({q["section"] for q in questions})
    sections = tuple(Section(s, Text(*(titles or {}).get(s, (s, s))), i) for i, s in enumerate(ids))
    return Catalog(sections, tuple(build_question(q) for q in questions))


def flat(text: str) -> str:
    """Screen text as one line of words: box borders dropped and line breaks undone, so a test can look
    for a phrase whatever the width made of it."""
    for border in "│╭╮╰╯─┃":
        text = text.replace(border, " ")
    return " ".join(text.split())
