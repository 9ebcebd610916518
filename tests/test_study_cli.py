"""Study commands through the real typer app: the study screen fed lines on stdin (not a tty), the status
screen, next/grade/undo/config/doctor, and a damaged database.

A small bank of our own (section ``lab``) keeps the cards, their types and their order under control.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from tests.lab import flat

LAB_BANK = """\
section:
  id: lab
  title: {en: Test lab, zh: 测试}
  order: 99
questions:
  - id: lab-one
    section: lab
    source: Lab 1
    prompt: {en: 'What is the first lab question?', zh: 第一个问题}
    answer:
      short: {en: The first answer., zh: 第一个答案。}
      detailed: {en: The DETAILED first answer., zh: 详细答案。}
    key_points:
      - {en: Point one., zh: 要点一。}
    formulas: []
    pitfalls: []
    follow_ups: []
    references:
      - {authors: A. Author, year: 2020, title: A title, venue: A venue}
    demos: []
    drills:
      - id: lab-one.basic
        type: basic
        prompt: {en: 'Basic front?', zh: 正面}
        back: {en: Basic back., zh: 背面。}
      - id: lab-one.pick
        type: choice
        prompt: {en: Pick the right one., zh: 选对的。}
        options:
          - text: {en: Right, zh: 对}
            correct: true
          - text: {en: Wrong, zh: 错}
            correct: false
      - id: lab-one.count
        type: numeric
        prompt: {en: 'How many?', zh: 多少}
        answer: 42
        tolerance: 0
  - id: lab-two
    section: lab
    source: Lab 2
    prompt: {en: 'What is the second lab question?', zh: 第二个问题}
    answer:
      short: {en: The second answer., zh: 第二个答案。}
      detailed: {en: The second detailed answer., zh: 详细答案。}
    key_points:
      - {en: Point two., zh: 要点二。}
    formulas: []
    pitfalls: []
    follow_ups: []
    references:
      - {authors: A. Author, year: 2021, title: Another title, venue: A venue}
    demos: [bn-param-count]
    drills: []
"""
LAB_IDS = ["lab-one", "lab-one.basic", "lab-one.pick", "lab-one.count", "lab-two"]


def write_lab_bank(folder: Path, text: str = LAB_BANK) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "lab.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def shared_lab(tmp_path_factory) -> tuple[Path, Path]:
    """The lab bank folder and a bank cache for it, built once per test run and shared by the study test
    modules (the cache is keyed by the bank files, not by the home folder, so it can be copied)."""
    import os

    from dlquiz import catalog

    root = tmp_path_factory.getbasetemp() / "shared-lab"
    banks, home = root / "banks", root / "home"
    cache = home / "cache" / "banks.json"
    if cache.exists():
        return banks, cache
    write_lab_bank(banks)
    saved = {k: os.environ.get(k) for k in ("DLQUIZ_HOME", "DLQUIZ_BANKS")}
    os.environ["DLQUIZ_HOME"], os.environ["DLQUIZ_BANKS"] = str(home), str(banks)
    try:
        assert catalog.load([banks]).catalog.get("lab-one.pick") is not None
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return banks, cache


def use_lab(home: Path, cache: Path) -> None:
    """Give a fresh home the prebuilt bank cache."""
    shutil.copytree(cache.parent, home / "cache", dirs_exist_ok=True)  # the index and its folder


@pytest.fixture(scope="module")
def lab_banks(tmp_path_factory) -> Path:
    return shared_lab(tmp_path_factory)[0]


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory) -> Path:
    return shared_lab(tmp_path_factory)[1]


@pytest.fixture(autouse=True)
def lab(isolated_home: Path, lab_banks: Path, warm_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DLQUIZ_BANKS", str(lab_banks))
    time.tzset()
    use_lab(isolated_home, warm_cache)
    return isolated_home


def db(home: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(home / "dlquiz.db")
    conn.row_factory = sqlite3.Row
    return conn


def reviews(home: Path) -> list[tuple[str, int]]:
    conn = db(home)
    try:
        return [(r["card_id"], r["rating"]) for r in conn.execute("SELECT * FROM reviews ORDER BY id")]
    finally:
        conn.close()


def card_row(home: Path, card_id: str) -> dict | None:
    conn = db(home)
    try:
        row = conn.execute("SELECT * FROM cards WHERE card_id = ?", (card_id,)).fetchone()
        return dict(row) if row else None
    finally:
        conn.close()


def study(cli, *lines: str, args: tuple[str, ...] = ()):
    return cli("study", "--section", "lab", *args, input="".join(f"{line}\n" for line in lines))


# --- the study screen, fed lines --------------------------------------------------------------------------


@pytest.mark.usefixtures("wide")
def test_reveal_grade_and_summary(cli, lab):
    result = study(cli, "", "3", "q")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "What is the first lab question?" in out
    assert "The first answer." in out
    assert "Good · 10m" in out and "Again · 1m" in out  # the grade bar shows each grade's interval
    assert "✓ recorded Good · next in 10m" in out
    assert "session summary" in out and "everything is saved" in out
    assert re.search(r"cards reviewed +1\b", out)
    assert reviews(lab) == [("lab-one", 3)]
    row = card_row(lab, "lab-one")
    assert row["reps"] == 1 and row["state"] == 1


def test_enter_on_the_back_accepts_good(cli, lab):
    result = study(cli, "", "", "", "4", "q")
    assert result.exit_code == 0
    assert reviews(lab) == [("lab-one", 3), ("lab-one.basic", 4)]
    assert "Basic back." in result.stdout


def test_choice_is_auto_graded_and_can_be_overridden(cli, lab):
    # lab-one, lab-one.basic, then the choice card: right answer accepted, then wrong answer overridden.
    result = study(cli, "", "3", "", "3", "a", "", "q")
    assert "✓ correct" in result.stdout
    assert reviews(lab)[-1] == ("lab-one.pick", 3)
    cli("undo")
    result = study(cli, "B", "", "q")
    assert "✗ not quite" in flat(result.stdout) and "expected A" in flat(result.stdout)
    assert reviews(lab)[-1] == ("lab-one.pick", 1)  # Enter accepts the suggested Again
    cli("undo")
    result = study(cli, "B", "4", "q")  # the user knows better
    assert reviews(lab)[-1] == ("lab-one.pick", 4)


@pytest.mark.usefixtures("wide")
def test_numeric_is_auto_graded(cli, lab):
    for card in ("lab-one", "lab-one.basic", "lab-one.pick"):
        cli("grade", card, "good")
    result = study(cli, "41", "", "q")
    assert "✗ not quite" in result.stdout and "expected 42" in result.stdout
    assert reviews(lab)[-1] == ("lab-one.count", 1)
    cli("undo")
    result = study(cli, "42", "", "q")
    assert "✓ correct" in result.stdout
    assert reviews(lab)[-1] == ("lab-one.count", 3)


def test_unreadable_typed_answer_asks_again(cli, lab):
    for card in ("lab-one", "lab-one.basic"):
        cli("grade", card, "good")
    result = study(cli, "hello", "", "2", "q")
    assert "type letters such as A or AC" in result.stdout
    assert reviews(lab)[-1] == ("lab-one.pick", 2)


def test_undo_in_the_session_restores_and_shows_the_card_again(cli, lab):
    result = study(cli, "", "1", "u", "", "4", "q")
    assert "↶ undid the last review of lab-one" in result.stdout
    assert result.stdout.count("What is the first lab question?") == 2
    assert reviews(lab) == [("lab-one", 4)]
    assert card_row(lab, "lab-one")["reps"] == 1


def test_undo_with_nothing_to_undo(cli, lab):
    result = study(cli, "u", "q")
    assert "nothing to undo" in result.stdout
    assert reviews(lab) == []


def test_bury_hides_the_card_for_today(cli, lab):
    result = study(cli, "s", "", "3", "q")
    assert "buried lab-one until tomorrow" in result.stdout
    assert reviews(lab) == [("lab-one.basic", 3)]
    assert card_row(lab, "lab-one")["buried_until"] is not None
    assert cli("next", "--section", "lab").stdout.strip() == "lab-one.pick"


def test_p_runs_the_demo_inline(cli, lab):
    from dlquiz.demos import all_demos

    title = all_demos()["bn-param-count"].title["en"]
    cli("grade", "lab-one", "easy")
    for card in LAB_IDS[1:4]:
        cli("grade", card, "easy")
    result = study(cli, "p", "", "3", "q")
    assert "bn-param-count" in result.stdout or title in result.stdout
    assert "a check failed" not in result.stdout
    assert reviews(lab)[-1] == ("lab-two", 3)


def test_p_without_a_demo_says_so(cli, lab):
    result = study(cli, "p", "q")
    assert "this question has no demo yet" in result.stdout


def test_d_shows_the_detailed_answer(cli, lab):
    result = study(cli, "", "d", "3", "q")
    assert "The DETAILED first answer." in result.stdout
    assert reviews(lab) == [("lab-one", 3)]


def test_end_of_input_ends_the_session_saved(cli, lab):
    result = study(cli, "", "3", "")  # then stdin ends in the middle of a card
    assert result.exit_code == 0
    assert "session summary" in result.stdout
    assert reviews(lab) == [("lab-one", 3)]


def test_limit_stops_after_n_cards(cli, lab):
    result = study(cli, *["", "4"] * 4, args=("--limit", "2"))
    assert result.exit_code == 0
    assert len(reviews(lab)) == 2
    assert "the 2 card(s) of --limit" in result.stdout and re.search(r"cards reviewed +2\b", result.stdout)


def test_quit_before_any_grade_prints_no_summary(cli, lab):
    result = study(cli, "q")
    assert result.exit_code == 0 and "session summary" not in result.stdout
    assert reviews(lab) == []


def test_nothing_due_says_when_and_how_many_new(cli, lab):
    cli("config", "new_per_day", "2")
    study(cli, "", "4", "", "4", "q")
    result = study(cli)
    assert "Nothing due right now" in result.stdout
    assert "The next card is due in" in result.stdout
    assert "3 new card(s) not yet studied" in result.stdout
    flat = " ".join(re.sub(r"[│╭╮╰╯─]", " ", result.stdout).split())  # the panel wraps at any width
    assert "dlquiz study --new 5" in flat
    result = study(cli, "", "4", "q", args=("--new", "1"))
    assert reviews(lab)[-1] == ("lab-one.pick", 4)


@pytest.mark.usefixtures("wide")
def test_changed_text_is_marked(cli, lab, lab_banks, tmp_path, monkeypatch):
    cli("grade", "lab-one", "good")
    edited = tmp_path / "edited"
    write_lab_bank(
        edited, LAB_BANK.replace("What is the first lab question?", "What is the FIRST lab question?")
    )
    monkeypatch.setenv("DLQUIZ_BANKS", str(edited))
    result = study(cli, "", "3", "q", args=("--new", "0"))  # no new cards: the learning step comes early
    assert "What is the FIRST lab question?" in result.stdout
    assert "the text changed since your last review" in result.stdout
    row = card_row(lab, "lab-one")
    assert row["reps"] == 2  # history kept, not reset
    result = study(cli, "q")
    assert "the text changed" not in result.stdout


# --- status, next, grade, undo ------------------------------------------------------------------------------


def test_status_without_arguments(cli, lab):
    result = cli()
    assert result.exit_code == 0
    for words in ("due now", "new", "reviewed today", "streak", "next:", "dlquiz study"):
        assert words in result.stdout
    cli("grade", "lab-one", "good")
    result = cli()
    assert "reviewed today  1" in result.stdout
    assert "streak          1 day(s)" in result.stdout


def snapshot(home: Path) -> dict[str, list[tuple]]:
    conn = db(home)
    try:
        tables = [
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        ]
        return {t: [tuple(r) for r in conn.execute(f"SELECT * FROM [{t}]")] for t in tables}
    finally:
        conn.close()


def test_next_and_status_change_nothing(cli, lab):
    cli("grade", "lab-one", "good")
    cli("config", "desired_retention", "0.95")  # a scheduler config not used for any review yet
    before = snapshot(lab)
    first = cli("next", "--section", "lab")
    second = cli("next", "--section", "lab", "--json")
    assert first.exit_code == 0 and first.stdout == "lab-one.basic\n"
    assert json.loads(second.stdout)["id"] == "lab-one.basic"
    assert cli().exit_code == 0
    assert snapshot(lab) == before


def test_next_json_is_show_json_plus_schedule(cli, lab):
    data = json.loads(cli("next", "--section", "lab", "--json").stdout)
    shown = json.loads(cli("show", "lab-one", "--json").stdout)
    assert data["schedule"]["state"] == "new" and data["schedule"]["due"] is None
    assert {k: v for k, v in data.items() if k != "schedule"} == shown
    cli("config", "new_per_day", "1")
    cli("grade", "lab-one", "again")
    data = json.loads(cli("next", "--section", "lab", "--json").stdout)
    assert data["id"] == "lab-one"  # no new card left today: the learning step, a little early
    assert data["schedule"]["reps"] == 1 and data["schedule"]["state"] == "learning"  # a word, as in grade


def test_next_json_null_when_nothing_due(cli, lab):
    cli("config", "new_per_day", "0")
    assert cli("next", "--section", "lab", "--json").stdout.strip() == "null"
    assert "Nothing is due" in cli("next", "--section", "lab").stdout


def test_grade_json(cli, lab):
    result = cli("grade", "lab-one.basic", "easy", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["id"] == "lab-one.basic" and data["rating"] == "easy"
    assert data["schedule"]["reps"] == 1 and data["due"] == data["schedule"]["due"]
    assert reviews(lab) == [("lab-one.basic", 4)]
    assert data["review_id"] == 1


def test_grade_text_output(cli, lab):
    result = cli("grade", "lab-one", "hard")
    assert result.exit_code == 0
    assert result.stdout.startswith("recorded hard for lab-one; next due ")
    assert "(in 6m)" in result.stdout


def test_grade_unknown_card_suggests_and_exits_2(cli, lab):
    result = cli("grade", "lab-onr", "good")
    assert result.exit_code == 2
    assert "unknown card id 'lab-onr'" in result.stderr and "lab-one" in result.stderr
    assert "Traceback" not in result.output
    assert not (lab / "dlquiz.db").exists() or reviews(lab) == []


def test_grade_bad_rating_exits_2(cli, lab):
    result = cli("grade", "lab-one", "perfect")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_undo_command(cli, lab):
    cli("grade", "lab-one", "good")
    cli("grade", "lab-one", "again")
    result = cli("undo")
    assert result.exit_code == 0 and "undid the last review of lab-one" in result.stdout
    assert reviews(lab) == [("lab-one", 3)]
    assert card_row(lab, "lab-one")["reps"] == 1
    cli("undo")
    assert card_row(lab, "lab-one") is None
    result = cli("undo")
    assert result.exit_code == 1 and "no review to undo" in result.stderr


# --- config ----------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("wide")
def test_config_list_get_set(cli, lab):
    listing = cli("config")
    assert listing.exit_code == 0
    for key in ("new_per_day", "reviews_per_day", "desired_retention", "lang"):
        assert key in listing.stdout
    assert cli("config", "new_per_day").stdout.strip() == "10"
    assert cli("config", "reviews_per_day").stdout.strip() == "200"
    assert cli("config", "new_per_day", "3").exit_code == 0
    assert cli("config", "new_per_day").stdout.strip() == "3"
    assert json.loads(cli("config", "--json").stdout)["new_per_day"] == 3
    assert "(default 10)" in cli("config").stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("new_per_day", "many"), "new_per_day must be a whole number"),
        (("desired_retention", "1.5"), "desired_retention must be between 0.70 and 0.99"),
        (("lang", "fr"), "lang must be en, zh or both"),
        (("new_per_dya", "3"), "unknown setting 'new_per_dya'"),
        (("new_per_dya",), "unknown setting 'new_per_dya'"),
    ],
)
def test_config_refuses_bad_values_clearly(cli, lab, args, message):
    result = cli("config", *args)
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.output
    assert cli("config", "new_per_day").stdout.strip() == "10"


def test_config_new_per_day_limits_study(cli, lab):
    cli("config", "new_per_day", "1")
    result = study(cli, "", "4", "q")
    assert "Nothing due" not in result.stdout
    assert len(reviews(lab)) == 1
    assert "Nothing due right now" in study(cli).stdout


# --- doctor and damaged files ---------------------------------------------------------------------------


def test_doctor_detects_and_fixes_tampering(cli, lab):
    for _ in range(3):
        cli("grade", "lab-one", "good")
    healthy = cli("doctor")
    assert healthy.exit_code == 0 and "equal the replay of their log" in healthy.stdout
    conn = db(lab)
    conn.execute(
        "UPDATE cards SET stability = 1234.5, due = '2031-01-01T00:00:00+00:00' WHERE card_id = 'lab-one'"
    )
    conn.commit()
    conn.close()
    sick = cli("doctor")
    assert sick.exit_code == 1
    assert "differ from the replay" in sick.stdout and "lab-one" in sick.stdout
    assert "doctor --fix" in sick.stdout
    assert card_row(lab, "lab-one")["stability"] == 1234.5
    fixed = cli("doctor", "--fix", "--json")
    data = json.loads(fixed.stdout)
    assert fixed.exit_code == 0 and data["fixed"] == 1 and data["mismatched"] == ["lab-one"]
    assert Path(data["backup"]).exists()
    assert card_row(lab, "lab-one")["stability"] != 1234.5
    assert cli("doctor").exit_code == 0


def test_doctor_reports_removed_cards(cli, lab, tmp_path, monkeypatch):
    cli("grade", "lab-two", "good")
    smaller = tmp_path / "smaller"
    write_lab_bank(smaller, LAB_BANK[: LAB_BANK.index("  - id: lab-two")])
    monkeypatch.setenv("DLQUIZ_BANKS", str(smaller))
    result = cli("doctor")
    assert result.exit_code == 0
    assert "no longer in the banks" in result.stdout and "lab-two" in result.stdout
    assert "lab-two" not in cli("next", "--section", "lab").stdout


@pytest.mark.parametrize(
    "command", [(), ("study",), ("next",), ("grade", "lab-one", "good"), ("undo",), ("doctor",)]
)
def test_a_file_that_is_not_a_database_gives_a_clear_error(cli, lab, command):
    lab.mkdir(parents=True, exist_ok=True)
    content = b"\x00\x01 not a database " * 100
    (lab / "dlquiz.db").write_bytes(content)
    result = cli(*command, input="q\n")
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert "dlquiz.db is not a usable dlquiz database" in message
    assert "left untouched" in message and "no backup was found" in message
    assert "Traceback" not in result.output
    assert (lab / "dlquiz.db").read_bytes() == content
