"""A quick typed quiz over drill cards (choice, numeric, cloze), graded automatically.

Every answer is recorded as a study review (Good when right, Again when wrong), so the quiz feeds the
schedule like a study session does. The core (choosing cards, matching a cloze answer) is pure; the
``QuizScreen`` at the bottom reads lines through ``screen.Keys`` and prints through ``render.quiz``.
"""

from __future__ import annotations

import difflib
import random
import re
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from dlquiz.errors import DlquizError
from dlquiz.i18n import _
from dlquiz.model import CLOZE_RE, Catalog, Drill
from dlquiz.schedule import parse_time
from dlquiz.session import day_start
from dlquiz.store import CardState, Store

QUIZ_TYPES = ("choice", "numeric", "cloze")
GOOD, AGAIN = 3, 1
# Words that carry no content in a cloze answer: "the running estimates" and "running estimates" are equal.
STOPWORDS = frozenset(
    ["a", "an", "the", "of", "its", "it", "their", "to", "and", "or", "with", "by", "in", "on", "for", "is"]
)
FUZZY_RATIO = 0.85  # difflib similarity accepted for a typo in an answer of FUZZY_MIN_LENGTH or more
FUZZY_MIN_LENGTH = 8


# --- choosing -----------------------------------------------------------------------------------------------


def pick_cards(
    catalog: Catalog, states: dict[str, CardState], sections: Sequence[str], n: int, seed: int, now: datetime
) -> list[Drill]:
    """``n`` typed-answer drills: due ones, then new ones, then the rest; each group shuffled by ``seed``."""
    pool = [
        d
        for q in catalog.questions
        if not sections or q.section in sections
        for d in q.drills
        if d.type in QUIZ_TYPES
    ]
    if not pool:
        if sections:
            raise DlquizError(
                _("no choice, numeric or cloze cards in {sections}").format(sections=", ".join(sections))
            )
        raise DlquizError(_("no choice, numeric or cloze cards in the loaded banks"))
    tomorrow = day_start(now) + timedelta(days=1)
    due, new, rest = [], [], []
    for card in pool:
        state = states.get(card.id)
        if state and state.buried_until and parse_time(state.buried_until) > now:
            rest.append(card)
        elif state is None or state.state is None:
            new.append(card)
        elif state.due and parse_time(state.due) < tomorrow:
            due.append(card)
        else:
            rest.append(card)
    rng = random.Random(seed)
    for group in (due, new, rest):
        rng.shuffle(group)
    return (due + new + rest)[:n]


# --- matching a cloze answer --------------------------------------------------------------------------------


def _key(text: str) -> str:
    """Case, width, spaces and math markup folded away: ``$\\hat{x}_i$`` -> ``hatxi``, ``n²`` -> ``n2``."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("−", "-").replace("–", "-").replace("×", "x").replace("·", "*")
    text = re.sub(r"\\(left|right|operatorname|mathrm|text|,|;|!)", "", text)
    text = re.sub(r"[$\\{}^_`]", "", text)
    return re.sub(r"\s+", "", text).strip(".;:!?")


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).casefold().replace("−", "-")
    return [w for w in re.findall(r"[\w][\w\-/.+]*", text) if w not in STOPWORDS]


def _number(text: str) -> float | None:
    try:
        return float(text.replace("−", "-").replace(",", "").replace(" ", ""))
    except ValueError:
        return None


def cloze_answers(card: Drill) -> list[str]:
    """Every deletion's answer, in both languages, without duplicates."""
    seen: dict[str, None] = {}
    for lang in ("en", "zh"):
        for match in CLOZE_RE.finditer(card.prompt.get(lang)):
            seen.setdefault(match.group(2).strip(), None)
    return list(seen)


def _variants(answer: str) -> list[str]:
    """The answer as written, and with its math rendered as Unicode (``$O(n^2)$`` is also ``O(n²)``)."""
    from dlquiz.mathtext import inline_math

    rendered = inline_math(answer) if "$" in answer else answer
    return [answer, rendered] if rendered != answer else [answer]


def matches(typed: str, answer: str) -> bool:
    """Lenient but not silly: equal after folding case, spaces and math markup; equal as numbers; the same
    content words in any order; or a small typo in a long answer."""
    typed = typed.strip()
    if not typed:
        return False
    for variant in _variants(answer):
        want, got = _key(variant), _key(typed)
        if not want:
            continue
        if want == got:
            return True
        a, b = _number(variant.strip("$ ")), _number(typed)
        if a is not None and b is not None and abs(a - b) <= 1e-9 * max(1.0, abs(a)):
            return True
        expected_words, typed_words = _words(variant), _words(typed)
        if len(expected_words) >= 2 and set(expected_words) == set(typed_words):
            return True
        if len(want) >= FUZZY_MIN_LENGTH and difflib.SequenceMatcher(None, want, got).ratio() >= FUZZY_RATIO:
            return True
    return False


def match_cloze(card: Drill, typed: str) -> bool:
    """Right if the text matches any deletion's answer, or if each ``;``-separated part matches one."""
    answers = cloze_answers(card)
    if any(matches(typed, a) for a in answers):
        return True
    parts = [p for p in typed.split(";") if p.strip()]
    return len(parts) > 1 and all(any(matches(p, a) for a in answers) for p in parts)


@dataclass(frozen=True)
class Checked:
    correct: bool
    given: str
    expected: str


def expected_text(card: Drill) -> str:
    if card.type == "cloze":
        from dlquiz.mathtext import inline_math

        return " / ".join(inline_math(a) for a in cloze_answers(card))
    if card.type == "choice":
        return "".join(chr(65 + i) for i, o in enumerate(card.options) if o.correct)
    tol = f" ± {card.tolerance:g}" if card.tolerance else ""
    return f"{float(card.answer or 0):g}{tol}"


def check(card: Drill, typed: str) -> Checked | None:
    """Grade a typed answer; None when it is not an answer to this kind of card (e.g. ``Z`` for a choice)."""
    if card.type == "cloze":
        return Checked(match_cloze(card, typed), typed, expected_text(card))
    from dlquiz.screen import grade_typed

    graded = grade_typed(card, typed)
    return None if graded is None else Checked(*graded)


# --- the result ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuizItem:
    card_id: str
    type: str
    typed: str
    correct: bool
    expected: str
    duration_ms: int


@dataclass(frozen=True)
class QuizResult:
    items: tuple[QuizItem, ...]
    asked: int  # cards chosen (more than answered when the quiz was quit early)

    @property
    def correct(self) -> int:
        return sum(1 for i in self.items if i.correct)

    @property
    def score(self) -> float:
        return self.correct / len(self.items) if self.items else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "answered": len(self.items),
            "asked": self.asked,
            "correct": self.correct,
            "score": self.score,
            "items": [i.__dict__ for i in self.items],
        }


# --- the interactive loop ---------------------------------------------------------------------------------


class QuizScreen:
    def __init__(
        self,
        store: Store,
        catalog: Catalog,
        console: Any,
        keys: Any,
        lang: str,
        cards: Sequence[Drill],
        clock: Callable[[], datetime] | None = None,
    ):
        from dlquiz.session import scheduler_config

        self.store, self.catalog, self.console, self.keys, self.lang = store, catalog, console, keys, lang
        self.cards = list(cards)
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.config = scheduler_config(store)
        self.scheduler_id = store.scheduler_id(self.config.to_dict())

    def run(self) -> QuizResult:
        from dlquiz.render import quiz as view

        items: list[QuizItem] = []
        try:
            for n, card in enumerate(self.cards, 1):
                item = self._ask(card, n, items)
                if item is None:
                    break
                items.append(item)
        except KeyboardInterrupt:
            self.console.print("\n" + _("[dim]interrupted — every answer so far is recorded[/]"))
        result = QuizResult(tuple(items), len(self.cards))
        self.console.print(view.summary(result, self.catalog, self.lang))
        return result

    def _ask(self, card: Drill, n: int, done: list[QuizItem]) -> QuizItem | None:
        from dlquiz.render import quiz as view
        from dlquiz.session import record_review

        out = self.console
        out.print(view.header(n, len(self.cards), sum(1 for i in done if i.correct), len(done)))
        out.print(view.front(card, self.lang))
        started = time.monotonic()
        while True:
            typed = self.keys.line(_("answer> "), out)
            if typed.lower() == "q":
                return None
            # Enter alone means "I don't know": wrong, and the answer is shown.
            checked = check(card, typed) if typed else Checked(False, "", expected_text(card))
            if checked is not None:
                break
            out.print(view.bad_answer(card))
        duration = int((time.monotonic() - started) * 1000)
        asked = not checked.correct and bool(typed) and card.type == "cloze" and self.keys.tty
        if asked:
            # Free text can be right in other words: in a terminal, the candidate may overrule the match.
            out.print(view.verdict(card, checked, self.lang, recorded=False))
            out.print(view.overrule_prompt())
            if self.keys.key() == "y":
                checked = replace(checked, correct=True)
        now = self.clock()
        record_review(
            self.store,
            self.config,
            self.scheduler_id,
            card,
            GOOD if checked.correct else AGAIN,
            now,
            duration,
            self.store.card_state(card.id),
            kind="study",
        )
        out.print(view.recorded(checked.correct) if asked else view.verdict(card, checked, self.lang))
        return QuizItem(card.id, card.type, typed, checked.correct, checked.expected, duration)
