"""Every exported Anki card, rendered in headless chromium with MathJax 3 at a phone's width (480 px).

Exports the shipped banks in en, zh and both with the real CLI, fills the templates with the official
``anki`` package (conditionals, FrontSide, cloze), and shows each card the way Anki's reviewer does (see
tests/browser.py). Measured: no document wider than the screen (front, back, and back with every
section opened), no MathJax error or raw markup, text and link contrast of at least 4.5:1 by day and at
night (both ways Anki marks night mode), ``lang`` on every piece of Chinese, colour only on the ✗/✓
marks, and the height of the question backs with the long sections folded. A few full-card
screenshots are kept in .artifacts/browser/ with a summary.json of the figures.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

import pytest

from tests.anki_helpers import AnkiCollection
from tests.browser import ARTIFACTS, PHONE_WIDTH, card_browser

pytest.importorskip("anki")
pytestmark = pytest.mark.slow  # CI runs the slow tests too (.ci/run runs the whole suite)

LANGS = ("en", "zh", "both")
MIN_CONTRAST = 4.5  # WCAG AA for body text
MEDIAN_BACK = 3000  # px at 480 px wide, long sections folded (the target for English)
SCREENSHOTS = {  # (lang, card id, card ord): files to keep
    ("en", "bn-backward", 0): "en-bn-backward",
    ("en", "opt-gd-improvements", 0): "en-opt-gd-improvements",
    ("both", "opt-gd-improvements", 0): "both-opt-gd-improvements",
    ("zh", "bn-backward", 0): "zh-bn-backward",
}


def _cards(tmp: Path, lang: str) -> list[dict[str, Any]]:
    """Export with the real CLI, import into a fresh collection, and let Anki render every card."""
    from typer.testing import CliRunner

    from dlquiz.cli import app

    out = tmp / f"{lang}.apkg"
    env = {"DLQUIZ_HOME": str(tmp / "home"), "COLUMNS": "100"}
    result = CliRunner().invoke(app, ["export", "apkg", "--lang", lang, "-o", str(out)], env=env)
    assert result.exit_code == 0, result.output
    cards = []
    with AnkiCollection(tmp / f"{lang}.anki2") as anki:
        anki.import_apkg(out)
        for card_id in anki.col.find_cards(""):
            card = anki.col.get_card(card_id)
            note = card.note()
            kind = note.note_type()["name"].removeprefix("dlquiz ")
            cards.append(
                {
                    "id": note["Id"],
                    "ord": card.ord,
                    "kind": kind,
                    "front": card.question(),
                    "back": card.answer(),
                }
            )
    return cards


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    tmp = tmp_path_factory.mktemp("browser")
    by_lang: dict[str, list[dict[str, Any]]] = {}
    with card_browser(PHONE_WIDTH) as browser:
        for lang in LANGS:
            rows = by_lang[lang] = []
            for card in _cards(tmp, lang):
                front = None
                # A back holds its front ({{FrontSide}}); only a cloze front (other text) and a choice
                # front (its plain options are hidden on the back) need a look of their own.
                if card["kind"] == "cloze" or 'class="options"' in card["front"]:
                    browser.load(card["front"])
                    front = browser.measure(colors=False)
                browser.load(card["back"])
                row = {
                    **{k: card[k] for k in ("id", "ord", "kind")},
                    "front": front,
                    "day": browser.measure(open_all=True),
                    "night": browser.measure(night="card", open_all=True),
                    "night_ancestor": browser.measure(night="ancestor", open_all=True),
                    "folded": browser.measure(colors=False),  # as the card first shows: sections folded
                }
                rows.append(row)
                shot = SCREENSHOTS.get((lang, card["id"], card["ord"]))
                if shot:
                    browser.screenshot(ARTIFACTS / f"{shot}-day.png")
                    browser.measure(night="card")
                    browser.screenshot(ARTIFACTS / f"{shot}-night.png")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "summary.json").write_text(json.dumps(_summary(by_lang), indent=2), encoding="utf-8")
    return by_lang


def _all(measured: dict[str, list[dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    return [(lang, row) for lang, rows in measured.items() for row in rows]


def _views(row: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(name, row[name]) for name in ("front", "day", "night", "night_ancestor", "folded") if row[name]]


def _question_heights(rows: list[dict[str, Any]]) -> list[int]:
    return [row["folded"]["height"] for row in rows if row["kind"] == "question"]


def _lowest(rows: list[dict[str, Any]], view: str, key: str) -> float:
    return min((row[view][key][0][0] for row in rows if row[view][key]), default=99.0)


def _summary(by_lang: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    out: dict[str, Any] = {"width": PHONE_WIDTH}
    for lang, rows in by_lang.items():
        heights = _question_heights(rows)
        out[lang] = {
            "cards": len(rows),
            "overflowing": sum(any(v["width"] > v["viewport"] for _, v in _views(r)) for r in rows),
            "question_back_median": statistics.median(heights),
            "question_back_max": max(heights),
            "question_back_max_id": max(
                (r for r in rows if r["kind"] == "question"), key=lambda r: r["folded"]["height"]
            )["id"],
            **{
                f"{view}_min_{key}": _lowest(rows, view, f"{key}Contrast")
                for view in ("day", "night", "night_ancestor")
                for key in ("text", "link")
            },
        }
    return out


def test_no_card_is_wider_than_a_phone(measured):
    too_wide = [
        (lang, row["id"], row["ord"], name, view["width"])
        for lang, row in _all(measured)
        for name, view in _views(row)
        if view["width"] > view["viewport"]
    ]
    assert too_wide == []
    assert all(view["viewport"] == PHONE_WIDTH for _, row in _all(measured) for _, view in _views(row))


def test_math_typesets_without_errors_and_no_markup_shows(measured):
    errors = [
        (lang, row["id"], view["mathErrors"], view["merror"])
        for lang, row in _all(measured)
        for _, view in _views(row)
        if view["mathErrors"] or view["merror"]
    ]
    raw = [(lang, row["id"], row["day"]["raw"]) for lang, row in _all(measured) if row["day"]["raw"]]
    assert errors == [] and raw == []


@pytest.mark.parametrize("view", ["day", "night", "night_ancestor"])
def test_text_and_links_have_enough_contrast(measured, view):
    low = [
        (lang, row["id"], row[view][key][0])
        for lang, row in _all(measured)
        for key in ("textContrast", "linkContrast")
        if row[view][key] and row[view][key][0][0] < MIN_CONTRAST
    ]
    assert low == []
    # Links exist (references), so the link figure is a measurement, not a default.
    assert any(row[view]["linkContrast"] for _, row in _all(measured))


def test_night_mode_is_dark(measured):
    """Both of Anki's night-mode markings switch the palette (a light card at night would pass contrast)."""
    for lang, row in _all(measured):
        for view in ("night", "night_ancestor"):
            assert row[view]["background"] < 0.05, (lang, row["id"], view)
        assert row["day"]["background"] > 0.9


def test_only_the_marks_are_coloured(measured):
    coloured = [
        (lang, row["id"], row["day"]["colored"]) for lang, row in _all(measured) if row["day"]["colored"]
    ]
    assert coloured == []


def test_chinese_carries_its_language(measured):
    missing = [
        (lang, row["id"], row["day"]["zhWithoutLang"][:2])
        for lang, row in _all(measured)
        if row["day"]["zhWithoutLang"]
    ]
    assert missing == []
    assert all(row["day"]["hasZh"] for row in measured["zh"])


def test_question_backs_fit_in_a_few_screens(measured):
    heights = _question_heights(measured["en"])
    assert len(heights) >= 30
    assert statistics.median(heights) <= MEDIAN_BACK, sorted(heights)
    # Folding is what keeps them short: every back is taller with its sections open.
    assert all(
        row["day"]["height"] > row["folded"]["height"] for row in measured["en"] if row["kind"] == "question"
    )
