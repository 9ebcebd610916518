"""Finding and scripting (issue 14): list, search, sections by name, grades in any form, --version, global
options after the command, help text, the database path, config errors, check in one run."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .test_bank import VALID
from .test_cli_read import built_cache, warm_cache  # noqa: F401  (fixtures: a warm bank cache)

# --- list and search ------------------------------------------------------------------------------------


def test_list_in_a_pipe_is_one_whole_record_per_card(cli):
    result = cli("list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    rows = json.loads(cli("list", "--json").stdout)
    assert len(lines) == len(rows)  # no header, no section titles, no wrapped continuation lines
    for line, row in zip(lines, rows, strict=True):
        fields = line.split("\t")
        assert fields[:4] == [row["id"], row["section"], row["type"] or "question", "new"]
    hessian = [line for line in lines if "hessian" in line.lower()]
    assert any(line.startswith("opt-methods.hessian-memory\t") for line in hessian)
    long_prompt = next(r["prompt"]["en"] for r in rows if r["id"] == "opt-methods.hessian-memory")
    assert long_prompt.split("$")[0] in "\n".join(hessian)  # whole, never cut to a width


def test_list_shows_state_and_due_after_grading(cli):
    assert cli("grade", "bn-backward", "good").exit_code == 0
    assert cli("grade", "bn-what", "easy").exit_code == 0
    fields = {line.split("\t")[0]: line.split("\t") for line in cli("list", "-q").stdout.splitlines()}
    assert fields["bn-backward"][3] == "learning"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", fields["bn-what"][3])  # a review card: its due date
    assert fields["bn-params"][3] == "new"
    rows = {r["id"]: r for r in json.loads(cli("list", "--json").stdout)}
    assert rows["bn-backward"]["state"] == "learning" and rows["bn-what"]["state"] == "review"


@pytest.mark.parametrize("word", ["bn", "BN", "Batch normalization", "batch norm", "批归一化", "batch-norm"])
def test_section_by_title_or_prefix(cli, word):
    rows = json.loads(cli("list", "--json", "-q", "-s", word).stdout)
    assert rows and {r["section"] for r in rows} == {"batch-norm"}


def test_unknown_section_lists_the_sections(cli):
    result = cli("list", "-s", "transformers")
    assert result.exit_code == 2
    assert "batch-norm (Batch normalization)" in result.stderr and "Traceback" not in result.output


def test_search_finds_key_points_answers_and_chinese(cli):
    result = cli("search", "hessian", "--json")
    rows = json.loads(result.stdout)
    ids = {r["id"] for r in rows}
    assert "opt-local-minima" in ids  # only in its key points and answer, not its prompt
    assert all("hessian" in (r["matched"]["text"] + r["id"]).lower() for r in rows)
    assert {r["matched"]["field"] for r in rows} >= {"prompt", "answer", "key point"}
    zh = json.loads(cli("search", "反向传播", "-s", "bn", "--json").stdout)
    assert "bn-backward" in {r["id"] for r in zh}
    text = cli("search", "HESSIAN").stdout.splitlines()
    assert len(text) == len(rows) and all(line.count("\t") == 4 for line in text)


def test_search_nothing_found_is_exit_1(cli):
    result = cli("search", "transformer attention heads")
    assert result.exit_code == 1 and "no card contains" in result.stderr


def test_list_in_a_terminal_wraps_prompts_whole(subprocess_env):
    pexpect = pytest.importorskip("pexpect")
    env = {**subprocess_env, "COLUMNS": "80", "LINES": "200", "TERM": "xterm"}
    child = pexpect.spawn(
        sys.executable, ["-m", "dlquiz", "list", "-s", "bn"], env=env, encoding="utf-8", dimensions=(200, 80)
    )
    child.expect(pexpect.EOF, timeout=60)
    out = re.sub(r"\x1b\[[0-9;]*m", "", child.before)
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines[0].split()[:3] == ["bn-what", "question", "new"]  # 80 columns: the text under its id
    assert not any(line.rstrip().endswith("…") and not line.rstrip().endswith("[…]") for line in lines)
    prompt = "What is batch normalization? Give its forward computation and say how its backward pass is"
    assert prompt in " ".join(out.split())  # whole, wrapped
    from rich.cells import cell_len

    assert all(cell_len(line) <= 80 for line in lines)  # cells, not characters: x̂ is two code points


# --- show, grade, undo, next: ids and states --------------------------------------------------------------


def test_ids_in_any_case_and_hints_for_names(cli):
    assert cli("show", "BN-BACKWARD").exit_code == 0
    result = cli("show", "batchnorm")
    assert result.exit_code == 2
    assert "bn-backward" in result.stderr or "bn-what" in result.stderr
    assert "dlquiz list -s batch-norm" in result.stderr
    typo = cli("show", "bn-backwrd")
    assert "did you mean bn-backward" in typo.stderr


@pytest.mark.parametrize(
    ("given", "name"), [("3", "good"), ("AGAIN", "again"), ("Hard", "hard"), ("4", "easy")]
)
def test_grade_takes_numbers_and_words(cli, given, name):
    result = cli("grade", "bn-backward", given, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["rating"] == name and data["schedule"]["state"] in ("learning", "review")


def test_grade_refuses_an_unknown_grade(cli):
    result = cli("grade", "bn-backward", "5")
    assert result.exit_code == 2 and "again, hard, good, easy" in result.stderr


def test_undo_json_and_one_state_vocabulary(cli):
    graded = json.loads(cli("grade", "bn-backward", "3", "--json").stdout)
    nxt = json.loads(cli("next", "--json").stdout)
    undone = json.loads(cli("undo", "--json").stdout)
    assert undone == {"id": "bn-backward", "schedule": undone["schedule"]}
    words = {"new", "learning", "review", "relearning"}
    assert {graded["schedule"]["state"], nxt["schedule"]["state"], undone["schedule"]["state"]} <= words
    assert undone["schedule"]["state"] == "new"
    assert cli("undo", "--json").exit_code == 1


def test_version(cli):
    from dlquiz import __version__

    for flag in ("--version", "-V"):
        result = cli(flag)
        assert result.exit_code == 0 and result.stdout.strip() == f"dlquiz {__version__}"


def test_db_and_bank_after_the_command(cli, tmp_path):
    other = tmp_path / "other.db"
    assert cli("grade", "bn-backward", "good", "--db", str(other)).exit_code == 0
    assert other.exists()
    assert cli("undo", f"--db={other}").exit_code == 0
    assert cli("undo", "--db", str(other)).exit_code == 1  # the one review there is gone
    bank = tmp_path / "mine.yaml"
    bank.write_text(VALID.replace("bn-backward", "my-backward"), encoding="utf-8")
    assert cli("show", "my-backward", "--bank", str(bank)).exit_code == 0
    assert cli("show", "my-backward", "-b", str(bank)).exit_code == 0


# --- help ----------------------------------------------------------------------------------------------


def _commands():
    from dlquiz.cli import app

    return [c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands]


@pytest.mark.parametrize(
    "command", ["list", "search", "show", "study", "grade", "mock", "quiz", "plan", "check"]
)
def test_help_has_no_type_names_or_stray_spaces(cli, command):
    out = cli(command, "--help", env={"COLUMNS": "160"}).stdout
    assert not re.search(r"<(bool|str|int|float|list\[[^]]*\]|int range|float range)>", out)
    assert not re.search(r"\w \.(\s|$)", out), out
    assert "Example" in out


def test_every_command_has_an_example(cli):
    for command in _commands():
        assert "Example" in cli(command, "--help", env={"COLUMNS": "160"}).stdout, command


def test_n_means_how_many_everywhere(cli):
    for command, long in (("mock", "--questions"), ("quiz", "--cards"), ("study", "--limit")):
        out = cli(command, "--help", env={"COLUMNS": "160"}).stdout
        line = next(line for line in out.splitlines() if " -n " in line and line.startswith("│"))
        assert long in line


# --- where is my data; config errors -----------------------------------------------------------------------


def test_config_and_doctor_print_the_database(cli, isolated_home):
    path = str(isolated_home / "dlquiz.db")
    assert f"database: {path}" in cli("config", env={"COLUMNS": "40"}).stdout
    assert f"database: {path}" in cli("doctor", env={"COLUMNS": "40"}).stdout
    assert json.loads(cli("doctor", "--json").stdout)["database"] == path


def test_config_unknown_key_lists_the_keys(cli):
    result = cli("config", "foo", "1")
    assert result.exit_code == 2
    assert "new_per_day" in result.stderr and "desired_retention" in result.stderr


def test_config_negative_value_is_out_of_range(cli):
    result = cli("config", "new_per_day", "-5")
    assert result.exit_code == 2
    assert "between 0 and 10000" in result.stderr and "No such option" not in result.output


# --- check ------------------------------------------------------------------------------------------------


def test_check_reports_every_problem_in_one_run(cli, tmp_path):
    text = VALID.replace("bn-backward", "my-q")
    text = text.replace("      zh: 推导批归一化（BN）的反向传播。\n", "", 1)  # a schema error
    text = re.sub(r"demos: \[[^\]]*\]", "demos: [no-such-demo]", text)  # and a dangling reference
    bank = tmp_path / "b.yaml"
    bank.write_text(text, encoding="utf-8")
    result = cli("check", "--alone", str(bank))
    assert result.exit_code == 2
    assert "missing 'zh'" in result.stdout and "no demo with id 'no-such-demo'" in result.stdout


def test_check_of_an_export_suggests_alone(cli, tmp_path):
    export = tmp_path / "banks.json"
    assert cli("export", "json", "-o", str(export)).exit_code == 0
    result = cli("check", str(export))
    assert result.exit_code == 2
    problems = [
        line for line in result.stdout.splitlines() if "banks.json" in line and "error(s)" not in line
    ]
    assert len(problems) == 1 and "--alone" in problems[0]
    assert cli("check", "--alone", str(export)).exit_code == 0


def test_version_from_a_subprocess(dlquiz_cmd, subprocess_env):
    done = subprocess.run([*dlquiz_cmd, "--version"], capture_output=True, text=True, env=subprocess_env)
    assert done.returncode == 0 and done.stdout.startswith("dlquiz ")


def test_readme_mentions_list_search_version_and_database() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for phrase in ("dlquiz list", "dlquiz search", "dlquiz --version", "database:"):
        assert phrase in readme, phrase


# --- quiz ---------------------------------------------------------------------------------------------------


def test_quiz_shows_the_expected_cloze_answer_in_the_quiz_language():
    from dlquiz import catalog
    from dlquiz.quiz import check, expected_text

    card = catalog.load().catalog.get("bn-what.train-vs-infer-stats")
    assert card is not None and card.type == "cloze"
    english = expected_text(card, "en")
    assert english and not re.search(r"[\u4e00-\u9fff]", english)
    assert re.search(r"[\u4e00-\u9fff]", expected_text(card, "zh"))
    assert check(card, "no idea", "en").expected == english
    chinese_answer = expected_text(card, "zh").split(" / ")[0]
    assert check(card, chinese_answer, "en").correct  # either language is still accepted


def test_quiz_hint_reads_naturally():
    from dlquiz.render.quiz import HINTS

    assert "hidden text" not in HINTS["cloze"] and "missing words" in HINTS["cloze"]


# --- prove --list -------------------------------------------------------------------------------------------


def test_prove_list_shows_each_parameters_range_and_help(cli):
    demos = {d["id"]: d for d in json.loads(cli("prove", "--list", "--json").stdout)}
    steps = next(p for p in demos["optimizer-race"]["params"] if p["name"] == "steps")
    assert steps["min"] is not None and steps["max"] is not None and steps["help"]
    text = " ".join(cli("prove", "--list", env={"COLUMNS": "200"}).stdout.split())
    shown = f"steps={steps['default']:,} {steps['min']:,.0f} to {steps['max']:,.0f}: {steps['help']}"
    assert shown.replace(",", "") in text.replace(",", "")
    low = cli("prove", "optimizer-race", "--set", f"steps={int(steps['min']) - 1}")
    assert low.exit_code == 2 and "Traceback" not in low.output  # the range --list shows is the one enforced


def test_list_and_search_show_a_strangers_control_characters_as_notation():
    """Defence in depth (check refuses such a bank): the rows never drive the terminal or split a record."""
    import io
    from datetime import datetime, timezone

    from rich.console import Console

    from dlquiz import finder
    from dlquiz.render.find import render_rows
    from tests.lab import basic_drills, catalog_of, question_data

    evil = "Hessian \x1b]0;owned\x07 \u202eevil\tcol"
    catalog = catalog_of(question_data("evil-q", prompt=evil, drills=basic_drills("evil-q", 1)))
    now = datetime(2026, 11, 30, tzinfo=timezone.utc)
    for rows in (finder.list_rows(catalog, {}), finder.search(catalog, {}, "hessian")):
        for terminal in (True, False):
            buffer = io.StringIO()
            console = Console(file=buffer, width=80, force_terminal=terminal, color_system=None)
            render_rows(console, rows, "en", now)
            out = buffer.getvalue()
            assert "evil-q" in out
            assert "\x1b]0;" not in out and "\x07" not in out and "\u202e" not in out
            assert "<U+202E>evil" in out or terminal  # shown as notation (cut to the width in a terminal)
            if not terminal:
                assert all(line.count("\t") == 4 for line in out.splitlines())  # a tab never splits a record
