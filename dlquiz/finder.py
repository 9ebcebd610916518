"""Finding cards: ids and sections as people type them, one row per card for ``list``, text search.

Pure functions of the catalog (and the card states, for the state column); the CLI renders the rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dlquiz.errors import DlquizError, closest
from dlquiz.i18n import _
from dlquiz.model import Card, Catalog, Drill, Question, Text

STATE_NAMES = {None: "new", 1: "learning", 2: "review", 3: "relearning"}


def state_name(state: int | None) -> str:
    """The one word every JSON output uses for a card's FSRS state: new, learning, review, relearning."""
    return STATE_NAMES.get(state, "new")


def schedule_json(state: Any) -> dict[str, Any]:
    """A card's schedule for JSON output: the stored state, with ``state`` as a word, never a number."""
    if state is None or state.state is None:
        return {"state": "new", "due": None, "reps": 0, "lapses": 0}
    data = state.to_dict()
    data["state"] = state_name(state.state)
    data.pop("content_hash", None)  # internal: which text the card was graded against
    return data


def _squash(text: str) -> str:
    """Lower case without spaces or punctuation: "Batch norm" and "batch-norm" meet on "batchnorm"."""
    return re.sub(r"[\W_]+", "", text.casefold())


# --- card ids ---------------------------------------------------------------------------------------------


def find_card(catalog: Catalog, word: str) -> Card:
    """The card with this id, in any case; or a DlquizError naming the nearest ids."""
    card = catalog.get(word) or catalog.get(word.lower())  # case only: "bn-what\n" is not an id
    if card is not None:
        return card
    message = _("unknown {kind} {word!r}").format(kind=_("card id"), word=word)
    raise DlquizError(message, hint=card_hint(catalog, word))


def card_hint(catalog: Catalog, word: str) -> str:
    """Ids close to ``word``: by spelling, or the questions of a section whose name it resembles."""
    lowered = word.strip().lower()
    near = closest(lowered, catalog.ids())
    if not near:
        squashed = _squash(word)
        near = [i for i in catalog.ids() if "." not in i and squashed and squashed in _squash(i)][:3]
    guess = _("did you mean {names}?").format(names=", ".join(near)) + " " if near else ""
    section = _section_named(catalog, word)
    if section is not None:
        ids = [q.id for q in catalog.questions if q.section == section][:4]
        return guess + _(
            "questions in {section}: {ids}, … (dlquiz list -s {section}, or dlquiz search {word})"
        ).format(section=section, ids=", ".join(ids), word=word.strip())
    if near:
        return guess.strip()
    return _("dlquiz search {word} looks in every card's text; dlquiz list shows every id").format(
        word=word.strip()
    )


# --- sections ---------------------------------------------------------------------------------------------


def _id_prefix(catalog: Catalog, section_id: str) -> str | None:
    """What the section's question ids start with ("bn" for bn-what, bn-params, ...), if they agree."""
    heads = {q.id.split("-", 1)[0] for q in catalog.questions if q.section == section_id}
    return heads.pop() if len(heads) == 1 else None


def _section_names(catalog: Catalog, section_id: str) -> list[str]:
    section = catalog.section(section_id)
    names = [section_id]
    if section is not None:
        names += [section.title.get("en"), section.title.get("zh")]
    prefix = _id_prefix(catalog, section_id)
    return names + ([prefix] if prefix else [])


def _section_named(catalog: Catalog, word: str) -> str | None:
    """The section ``word`` names exactly (id, title or id prefix, any case), or one it is a prefix of."""
    squashed = _squash(word)
    if not squashed:
        return None
    names = {s.id: [_squash(n) for n in _section_names(catalog, s.id)] for s in catalog.sections}
    exact = [sid for sid, squashed_names in names.items() if squashed in squashed_names]
    if len(exact) == 1:
        return exact[0]
    starts = [sid for sid, found in names.items() if any(n.startswith(squashed) for n in found)]
    return starts[0] if len(starts) == 1 else None


def resolve_sections(catalog: Catalog, words: Iterable[str] | None) -> list[str]:
    """Section ids from what the user typed: an id, a title (English or Chinese), or a prefix of either."""
    chosen: list[str] = []
    for word in words or []:
        section = _section_named(catalog, word)
        if section is None:
            listing = "; ".join(f"{s.id} ({s.title.get('en')})" for s in catalog.sections)
            near = closest(word.lower(), [s.id for s in catalog.sections])
            guess = _("did you mean {names}?").format(names=", ".join(near)) + " " if near else ""
            hint = guess + _("sections: {listing}").format(listing=listing)
            raise DlquizError(_("unknown {kind} {word!r}").format(kind=_("section"), word=word), hint=hint)
        if section not in chosen:
            chosen.append(section)
    return chosen


# --- list rows --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One card as ``list`` and ``search`` print it."""

    id: str
    section: str
    kind: str  # question or drill
    type: str  # question, basic, cloze, choice, numeric
    question: str | None  # the parent question of a drill
    state: str  # new, learning, review, relearning
    due: str | None  # UTC ISO, None for new cards
    prompt: dict[str, str]
    match: tuple[str, str] | None = None  # (field, snippet) for search results
    match_at: int = 0  # where the words found start in the snippet

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "section": self.section,
            "kind": self.kind,
            "question": self.question,
            "type": None if self.kind == "question" else self.type,
            "state": self.state,
            "due": self.due,
            "prompt": self.prompt,
        }
        if self.match is not None:
            data["matched"] = {"field": self.match[0], "text": self.match[1]}
        return data


def _row(card: Card, states: dict[str, Any], match: tuple[str, str] | None = None, match_at: int = 0) -> Row:
    state = states.get(card.id)
    number = state.state if state is not None else None
    return Row(
        id=card.id,
        section=card.section,
        kind="question" if isinstance(card, Question) else "drill",
        type="question" if isinstance(card, Question) else card.type,
        question=card.question if isinstance(card, Drill) else None,
        state=state_name(number),
        due=state.due if number is not None else None,
        prompt=card.prompt.to_dict(),
        match=match,
        match_at=match_at,
    )


def _in_sections(catalog: Catalog, sections: Sequence[str], questions_only: bool) -> list[Card]:
    return [
        c
        for c in catalog.cards()
        if (not sections or c.section in sections) and not (questions_only and isinstance(c, Drill))
    ]


def list_rows(
    catalog: Catalog, states: dict[str, Any], sections: Sequence[str] = (), questions_only: bool = False
) -> list[Row]:
    return [_row(c, states) for c in _in_sections(catalog, sections, questions_only)]


# --- search -----------------------------------------------------------------------------------------------


def _fields(card: Card) -> Iterable[tuple[str, Text | None]]:
    """Every text of a card a learner might remember a word from, with the field's name."""
    yield "prompt", card.prompt
    if isinstance(card, Question):
        yield "answer", card.answer_short
        for point in card.key_points:
            yield "key point", point
        for f in card.formulas:
            yield "formula", f.name
        for p in card.pitfalls:
            yield "pitfall", p.wrong
            yield "pitfall", p.right
        yield "detailed answer", card.answer_detailed
    else:
        yield "answer", card.back
        for option in card.options:
            yield "option", option.text
        yield "explanation", card.explanation


# Where a sentence ends: ". " before a capital (not "e.g. the", not "1.5"), a Chinese full stop, question
# or exclamation mark, a table cell's border or a list item's dash (answers hold Markdown tables and
# lists, flattened to one line).
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+(?=[-*A-Z0-9$(\"'“‘])|(?<=[。！？；])|\s*\|\s*|\s+-\s+")


def _snippet(text: str, start: int, end: int) -> tuple[str, int]:
    """The sentence (or table cell) that holds the match, whole; and where the match starts in it."""
    left, right = 0, len(text)
    for boundary in _SENTENCE_END.finditer(text):
        if boundary.end() <= start:
            left = boundary.end()
        elif boundary.start() >= end:
            right = boundary.start()
            break
    return text[left:right], start - left


def search(
    catalog: Catalog,
    states: dict[str, Any],
    query: str,
    sections: Sequence[str] = (),
    questions_only: bool = False,
) -> list[Row]:
    """Cards whose text contains ``query`` (any case, English or Chinese), first matching field named."""
    from dlquiz.mathtext import inline_math

    needle = " ".join(query.split()).casefold()
    if not needle:
        raise DlquizError(_("search needs some text to look for"), hint="dlquiz search hessian")
    rows = []
    for card in _in_sections(catalog, sections, questions_only):
        found, at = None, 0
        for name, text in _fields(card):
            if text is None:
                continue
            for code in ("en", "zh"):
                body = " ".join(inline_math(text.get(code)).split())  # as shown: math in Unicode
                start = body.casefold().find(needle)
                if start >= 0:
                    snippet, at = _snippet(body, start, start + len(needle))
                    found = (name, snippet)
                    break
            if found:
                break
        if found is None and needle in card.id:
            found = ("id", card.id)
        if found is not None:
            rows.append(_row(card, states, found, at))
    return rows


def due_label(row: Row, now: datetime) -> str:
    """The state column: new, learning, or the local due date (``due`` when it is already due)."""
    if row.state == "new" or row.due is None:
        return "new"
    if row.state in ("learning", "relearning"):
        return row.state
    from dlquiz.schedule import parse_time

    due = parse_time(row.due)
    return "due" if due <= now else due.astimezone().strftime("%Y-%m-%d")
