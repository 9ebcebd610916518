"""The content model: sections, questions and drill cards as frozen dataclasses.

Built from validated bank data (see ``bank.py``); nothing here parses YAML or touches the disk, so the
read commands can build it from the JSON cache without importing PyYAML.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

LANGS = ("en", "zh")
DRILL_TYPES = ("basic", "cloze", "choice", "numeric", "code")
CLOZE_RE = re.compile(r"\{\{c(\d{1,3})::(.*?)(?:::(.*?))?\}\}", re.DOTALL)


@dataclass(frozen=True)
class Text:
    en: str
    zh: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def to_dict(self) -> dict[str, str]:
        return {"en": self.en, "zh": self.zh}

    @classmethod
    def of(cls, data: dict[str, str]) -> Text:
        return cls(data["en"], data["zh"])


def _text(data: dict[str, Any] | None) -> Text | None:
    return None if data is None else Text.of(data)


@dataclass(frozen=True)
class Formula:
    name: Text
    latex: str


@dataclass(frozen=True)
class Pitfall:
    wrong: Text
    right: Text
    source: str | None = None


@dataclass(frozen=True)
class FollowUp:
    question: str | None = None  # id of another question
    prompt: Text | None = None
    hint: Text | None = None


@dataclass(frozen=True)
class Reference:
    authors: str
    year: int
    title: str
    venue: str
    url: str | None = None

    def cite(self) -> str:
        title = self.title if self.title.endswith(("?", "!", ".")) else self.title + "."
        return f"{self.authors} ({self.year}). {title} {self.venue}."


@dataclass(frozen=True)
class Option:
    text: Text
    correct: bool


@dataclass(frozen=True)
class Drill:
    id: str
    question: str  # parent question id
    section: str
    type: str
    prompt: Text
    back: Text | None = None
    options: tuple[Option, ...] = ()
    answer: float | None = None
    tolerance: float | None = None
    unit: str | None = None
    explanation: Text | None = None
    judge: str | None = None  # a code drill: the id of its judge in dlquiz.coding
    hints: tuple[Text, ...] = ()  # a code drill's hints, revealed one at a time
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    kind = "drill"

    @property
    def content_hash(self) -> str:
        return content_hash(self.raw)

    def cloze_numbers(self, lang: str) -> list[int]:
        return sorted({int(m.group(1)) for m in CLOZE_RE.finditer(self.prompt.get(lang))})


@dataclass(frozen=True)
class Question:
    id: str
    section: str
    source: str
    prompt: Text
    answer_short: Text
    answer_detailed: Text
    key_points: tuple[Text, ...]
    formulas: tuple[Formula, ...]
    pitfalls: tuple[Pitfall, ...]
    follow_ups: tuple[FollowUp, ...]
    references: tuple[Reference, ...]
    demos: tuple[str, ...]
    drills: tuple[Drill, ...]
    file: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    kind = "question"

    @property
    def content_hash(self) -> str:
        # The drills are cards of their own: editing one must not mark the question as changed.
        return content_hash({k: v for k, v in self.raw.items() if k != "drills"})


@dataclass(frozen=True)
class Section:
    id: str
    title: Text
    order: int


Card = Question | Drill


def content_hash(raw: dict[str, Any]) -> str:
    blob = json.dumps(raw, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def build_question(data: dict[str, Any], file: str = "") -> Question:
    """A Question from schema-valid data (``bank.load`` validates before calling this)."""
    qid, section = data["id"], data["section"]
    drills = tuple(
        Drill(
            id=d["id"],
            question=qid,
            section=section,
            type=d["type"],
            prompt=Text.of(d["prompt"]),
            back=_text(d.get("back")),
            options=tuple(Option(Text.of(o["text"]), bool(o["correct"])) for o in d.get("options", ())),
            answer=d.get("answer"),
            tolerance=d.get("tolerance"),
            unit=d.get("unit"),
            explanation=_text(d.get("explanation")),
            judge=d.get("judge"),
            hints=tuple(Text.of(h) for h in d.get("hints", ())),
            raw=d,
        )
        for d in data["drills"]
    )
    return Question(
        id=qid,
        section=section,
        source=data["source"],
        prompt=Text.of(data["prompt"]),
        answer_short=Text.of(data["answer"]["short"]),
        answer_detailed=Text.of(data["answer"]["detailed"]),
        key_points=tuple(Text.of(k) for k in data["key_points"]),
        formulas=tuple(Formula(Text.of(f["name"]), f["latex"]) for f in data["formulas"]),
        pitfalls=tuple(
            Pitfall(Text.of(p["wrong"]), Text.of(p["right"]), p.get("source")) for p in data["pitfalls"]
        ),
        follow_ups=tuple(
            FollowUp(f.get("question"), _text(f.get("prompt")), _text(f.get("hint")))
            for f in data["follow_ups"]
        ),
        references=tuple(
            Reference(r["authors"], r["year"], r["title"], r["venue"], r.get("url"))
            for r in data["references"]
        ),
        demos=tuple(data["demos"]),
        drills=drills,
        file=file,
        raw=data,
    )


@dataclass(frozen=True)
class Catalog:
    """Every loaded section, question and drill, in the article's order.

    ``questions`` is a tuple, or the bank cache's sequence (``catalog.CachedQuestions``) that reads and
    builds each question when first used and knows every card's place without building any: then
    ``dlquiz show X`` builds X's question and the few it links to, not the whole banks.
    """

    sections: tuple[Section, ...]
    questions: Sequence[Question]

    def __post_init__(self) -> None:
        places: dict[str, tuple[int, int]] | None = getattr(self.questions, "places", None)
        if places is None:
            places = {}
            for n, q in enumerate(self.questions):
                places[q.id] = (n, -1)
                for k, d in enumerate(q.drills):
                    places[d.id] = (n, k)
        object.__setattr__(self, "_places", places)  # card id -> (question, drill or -1)

    def ids(self) -> list[str]:
        """Every card id, questions each followed by their drills, without building any card."""
        return list(self._places)  # type: ignore[attr-defined]

    @property
    def index(self) -> dict[str, Card]:
        return {card_id: self.get(card_id) for card_id in self._places}  # type: ignore[attr-defined,misc]

    def cards(self) -> list[Card]:
        """Questions and drills in study order: each question followed by its drills."""
        out: list[Card] = []
        for q in self.questions:
            out.append(q)
            out.extend(q.drills)
        return out

    def get(self, card_id: str) -> Card | None:
        place = self._places.get(card_id)  # type: ignore[attr-defined]
        if place is None:
            return None
        question = self.questions[place[0]]
        return question if place[1] < 0 else question.drills[place[1]]

    def question_of(self, card: Card) -> Question:
        return card if isinstance(card, Question) else self.get(card.question)  # type: ignore[return-value]

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)
