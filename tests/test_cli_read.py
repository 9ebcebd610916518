"""The read commands through the real typer app: list, show, check, --bank / DLQUIZ_BANKS, --lang, --json."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml

from dlquiz import bank

from .conftest import CONTENT
from .test_bank import VALID, broken

CJK = re.compile(r"[\u4e00-\u9fff]")
LATEX_LEFT = re.compile(r"\\[A-Za-z]+")


def renamed(text: str, qid: str) -> str:
    """``text`` with question bn-backward and its drills renamed (references to bn-backward stay)."""
    return text.replace("  - id: bn-backward\n", f"  - id: {qid}\n").replace(
        "id: bn-backward.", f"id: {qid}."
    )


def user_bank(folder: Path, text: str | None = None, name: str = "mine.yaml") -> Path:
    """A folder holding one bank: by default VALID with its ids renamed, so it adds new questions."""
    folder.mkdir(parents=True, exist_ok=True)
    if text is None:
        text = renamed(VALID, "my-backward")
    (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def built_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped banks' cache, built once, so each test's fresh home starts warm (test_cache.py: cold)."""
    home = tmp_path_factory.mktemp("home")
    saved = os.environ.get("DLQUIZ_HOME")
    os.environ["DLQUIZ_HOME"] = str(home)
    try:
        from dlquiz import catalog

        catalog.load([])
    finally:
        if saved is None:
            del os.environ["DLQUIZ_HOME"]
        else:
            os.environ["DLQUIZ_HOME"] = saved
    return home / "cache"


@pytest.fixture(autouse=True)
def warm_cache(isolated_home: Path, built_cache: Path) -> None:
    shutil.copytree(built_cache, isolated_home / "cache", dirs_exist_ok=True)


@pytest.fixture(scope="module")
def shipped_yaml() -> dict[str, dict]:
    """Every shipped question as yaml.safe_load reads it, by id (an independent reference for --json)."""
    questions = {}
    for path in sorted(CONTENT.glob("*.yaml")):
        for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            questions[q["id"]] = q
    return questions


def joined(value):
    """What the loader does to Chinese text: a wrapped line leaves no space between characters."""
    if isinstance(value, dict):
        return {
            k: bank.join_cjk_lines(v) if k == "zh" and isinstance(v, str) else joined(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [joined(v) for v in value]
    return value


# --- list ---------------------------------------------------------------------------------------------


def test_list_json(cli, shipped_yaml):
    result = cli("list", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    by_id = {r["id"]: r for r in rows}
    assert len(by_id) == len(rows)
    assert {r["id"] for r in rows if r["kind"] == "question"} == set(shipped_yaml)
    for row in rows:
        assert {"id", "section", "kind", "question", "type", "prompt"} <= set(row)
        assert set(row["prompt"]) == {"en", "zh"} and all(row["prompt"].values())
        assert row["kind"] in ("question", "drill")
    drill = by_id["bn-backward.paths"]
    assert (drill["kind"], drill["question"], drill["type"], drill["section"]) == (
        "drill",
        "bn-backward",
        "choice",
        "batch-norm",
    )
    question = by_id["bn-backward"]
    assert question["kind"] == "question" and question["section"] == "batch-norm"
    assert question["prompt"]["en"] == shipped_yaml["bn-backward"]["prompt"]["en"]
    n_drills = sum(len(q["drills"]) for q in shipped_yaml.values())
    assert sum(r["kind"] == "drill" for r in rows) == n_drills


def test_list_questions_only_and_section(cli):
    rows = json.loads(cli("list", "--json", "--questions", "--section", "cnn").stdout)
    assert rows and all(r["kind"] == "question" and r["section"] == "cnn" for r in rows)


def test_list_unknown_section(cli):
    result = cli("list", "--section", "transformers")
    assert result.exit_code == 2
    assert "unknown section 'transformers'" in result.stderr and "batch-norm" in result.stderr
    assert "Traceback" not in result.output


def test_list_in_a_pipe_is_one_card_per_line(cli):
    catalog = json.loads(cli("list", "--json").stdout)
    result = cli("list", env={"COLUMNS": "40"})  # the width of a pipe does not matter
    assert result.exit_code == 0
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert [r[0] for r in rows] == [c["id"] for c in catalog]
    assert all(len(r) == 5 for r in rows)  # id, section, type, state, prompt
    paths = next(r for r in rows if r[0] == "bn-backward.paths")
    assert paths[1:4] == ["batch-norm", "choice", "new"] and paths[4].startswith("Through which quantities")
    assert not LATEX_LEFT.search(result.stdout)


def test_list_in_a_terminal_wraps_prompts_under_aligned_columns(cli):
    for columns in ("40", "160"):
        result = cli("list", env={"COLUMNS": columns, "TTY_COMPATIBLE": "1", "NO_COLOR": "1"})
        assert result.exit_code == 0
        assert "bn-backward" in result.stdout and "bn-backward.paths" in result.stdout
        assert "batch-norm" in result.stdout or columns == "40"  # narrow: the section column gives way
        lines = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout).splitlines()  # NO_COLOR keeps bold and dim
        if columns == "160":
            assert lines[0].split()[0] == "id"  # a header over the columns, for a person
        assert any(line.split()[:1] == ["bn-backward.paths"] for line in lines)  # ids whole, at a line start
        assert not any(line.rstrip().endswith("…") and not line.rstrip().endswith("[…]") for line in lines)
        assert "Derive the backward pass of batch normalization." in " ".join(result.stdout.split())


# --- show ---------------------------------------------------------------------------------------------


def test_show_json_has_every_field_as_loaded(cli, shipped_yaml):
    for qid in ("bn-backward", "loss-ce-vs-mse", "cnn-resnet", "opt-adaptive"):
        result = cli("show", qid, "--json")
        assert result.exit_code == 0
        data = json.loads(result.stdout)
        assert data.pop("kind") == "question"
        assert data.pop("file").endswith(".yaml")
        assert data == joined(shipped_yaml[qid])


def test_show_json_of_a_drill(cli, shipped_yaml):
    data = json.loads(cli("show", "bn-backward.grad-sum", "--json").stdout)
    expected = next(d for d in shipped_yaml["bn-backward"]["drills"] if d["id"] == "bn-backward.grad-sum")
    assert (data.pop("kind"), data.pop("question"), data.pop("section")) == (
        "drill",
        "bn-backward",
        "batch-norm",
    )
    assert data == joined(expected)


def test_show_renders_the_question(cli):
    result = cli("show", "bn-backward")
    assert result.exit_code == 0
    out = result.stdout
    for part in (
        "bn-backward",
        "Derive the backward pass",
        "Short answer",
        "Key points",
        "Formulas",
        "Pitfalls",
        "References",
        "dlquiz prove bn-backward",
        "bn-backward.paths",
        "x̂ᵢ",
    ):
        assert part in out
    assert not CJK.search(out)
    assert not LATEX_LEFT.search(out)


def test_show_a_drill(cli):
    result = cli("show", "bn-backward.dgamma")
    assert result.exit_code == 0
    assert "drill of bn-backward" in result.stdout
    assert "x̂ᵢ" in result.stdout  # the cloze answer, revealed and rendered


@pytest.mark.parametrize("option", ["--lang", "env"])
def test_lang_zh_and_both(cli, option):
    def show(lang: str):
        if option == "env":
            return cli("show", "bn-backward", env={"DLQUIZ_LANG": lang})
        return cli("show", "bn-backward", "--lang", lang)

    zh = show("zh")
    assert zh.exit_code == 0
    assert "推导批归一化" in zh.stdout and "Derive the backward pass" not in zh.stdout
    both = show("both")
    assert "推导批归一化" in both.stdout and "Derive the backward pass" in both.stdout
    en = show("en")
    assert not CJK.search(en.stdout)


def test_bad_lang(cli):
    result = cli("show", "bn-backward", "--lang", "fr")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_unknown_id_suggests_the_closest(cli):
    result = cli("show", "bn-backwrd")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "unknown card id 'bn-backwrd'" in result.stderr
    assert "did you mean" in result.stderr and "bn-backward" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_id_as_a_user_types_it(dlquiz_cmd, subprocess_env):
    import subprocess

    proc = subprocess.run(
        [*dlquiz_cmd, "show", "bn-backwards"], capture_output=True, text=True, env=subprocess_env, timeout=60
    )
    assert proc.returncode == 2
    assert "bn-backward" in proc.stderr and "did you mean" in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_no_latex_in_the_output_of_any_card(cli):
    rows = json.loads(cli("list", "--json").stdout)
    assert len(rows) > 100
    bad = {}
    for row in rows:
        result = cli("show", row["id"], "--lang", "both")
        assert result.exit_code == 0, row["id"]
        left = set(LATEX_LEFT.findall(result.stdout))
        if left:
            bad[row["id"]] = sorted(left)
    assert bad == {}


# --- user banks -----------------------------------------------------------------------------------------


def test_bank_option_adds_questions(cli, tmp_path):
    folder = user_bank(tmp_path / "banks")
    rows = json.loads(cli("--bank", str(folder), "list", "--json").stdout)
    ids = {r["id"] for r in rows}
    assert {"my-backward", "my-backward.paths", "bn-backward"} <= ids
    result = cli("--bank", str(folder), "show", "my-backward")
    assert result.exit_code == 0 and "my-backward" in result.stdout
    # without the option the question is not there
    assert cli("show", "my-backward").exit_code == 2


def test_bank_option_is_repeatable_and_takes_files(cli, tmp_path):
    one = user_bank(tmp_path / "one")
    two_text = renamed(VALID, "two-backward")
    two = user_bank(tmp_path / "two", two_text, name="two.yaml") / "two.yaml"
    rows = json.loads(cli("--bank", str(one), "-b", str(two), "list", "--json").stdout)
    assert {"my-backward", "two-backward"} <= {r["id"] for r in rows}


def test_dlquiz_banks_env(cli, tmp_path, monkeypatch):
    one = user_bank(tmp_path / "one")
    two_text = renamed(VALID, "two-backward")
    two = user_bank(tmp_path / "two", two_text)
    monkeypatch.setenv("DLQUIZ_BANKS", os.pathsep.join([str(one), str(two)]))
    rows = json.loads(cli("list", "--json").stdout)
    assert {"my-backward", "two-backward", "bn-backward"} <= {r["id"] for r in rows}
    assert "my-backward" in cli("show", "my-backward").stdout


def test_broken_user_bank_is_skipped_with_a_warning(cli, tmp_path, monkeypatch):
    good = user_bank(tmp_path / "good")
    text = renamed(broken("    source: BN 7\n", ""), "bad-backward")
    bad = user_bank(tmp_path / "bad", text, name="broken.yaml")
    monkeypatch.setenv("DLQUIZ_BANKS", os.pathsep.join([str(good), str(bad)]))
    result = cli("show", "bn-backward")
    assert result.exit_code == 0
    assert "Derive the backward pass" in result.stdout
    assert "warning" in result.stderr and "broken.yaml" in result.stderr and "dlquiz check" in result.stderr
    rows = json.loads(cli("list", "--json").stdout)
    ids = {r["id"] for r in rows}
    assert "my-backward" in ids and "bad-backward" not in ids
    missing = cli("show", "bad-backward")
    assert missing.exit_code == 2


def test_user_bank_reusing_a_shipped_id_is_skipped(cli, tmp_path):
    folder = user_bank(tmp_path / "dup", VALID)
    result = cli("--bank", str(folder), "show", "bn-backward", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["file"].endswith("batch-norm.yaml")
    assert "mine.yaml" in result.stderr


def test_user_bank_with_python_tag_runs_nothing(cli, tmp_path):
    marker = tmp_path / "pwned"
    text = broken("    source: BN 7\n", f'    source: !!python/object/apply:os.system ["touch {marker}"]\n')
    folder = user_bank(tmp_path / "evil", renamed(text, "evil-q"))
    shown = cli("--bank", str(folder), "show", "bn-backward")
    assert shown.exit_code == 0 and "warning" in shown.stderr
    checked = cli("check", str(folder / "mine.yaml"))
    assert checked.exit_code == 2
    assert "could not determine a constructor for the tag" in checked.stdout
    assert not marker.exists()


# --- check ------------------------------------------------------------------------------------------------


def test_check_shipped_banks_has_no_bank_errors(cli):
    result = cli("check", "--json")
    data = json.loads(result.stdout)
    assert data["questions"] >= 20 and data["drills"] > 100
    assert len(data["files"]) >= 4
    # demos for some questions may not be registered yet; nothing else may be wrong
    assert [p for p in data["problems"] if "no demo with id" not in p["message"]] == []
    assert result.exit_code == (2 if data["problems"] else 0)


def test_check_reports_every_problem_with_file_line_and_field(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    a = renamed(broken("        zh: 输入梯度为", "        zz: 输入梯度为"), "a-q")
    b = renamed(broken("    section: batch-norm\n", "    section: batch-nrom\n"), "b-q")
    Path("a.yaml").write_text(a, encoding="utf-8")
    Path("b.yaml").write_text(b, encoding="utf-8")
    Path("c.yaml").write_text("section: [\n", encoding="utf-8")
    result = cli("check", "a.yaml", "b.yaml", "c.yaml")
    assert result.exit_code == 2
    out = result.stdout
    zh_line = (
        a.splitlines().index(
            "        en: The input gradient is $dx = \\frac{\\gamma}{N\\sigma}"
            "(N\\,dy - \\sum dy - \\hat x\\sum dy\\,\\hat x)$."
        )
        + 1
    )
    assert f"a.yaml:{zh_line}: a-q.answer.short: missing 'zh'" in out
    assert f"a.yaml:{zh_line + 1}: a-q.answer.short.zz: unknown field 'zz' (did you mean 'zh'?)" in out
    assert "b.yaml:8: b-q.section: unknown section 'batch-nrom' (did you mean 'batch-norm'?)" in out
    assert "c.yaml:2: not valid YAML" in out
    mine = [line for line in out.splitlines() if line.startswith(("a.yaml", "b.yaml", "c.yaml"))]
    assert len(mine) == 4, mine
    errors = int(re.search(r"✗ (\d+) error\(s\)", out).group(1))
    assert errors >= 4


def test_check_json(cli, tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text(renamed(broken("        tolerance: 0\n", ""), "x-q"), encoding="utf-8")
    result = cli("check", str(path), "--json")
    assert result.exit_code == 2
    problems = [p for p in json.loads(result.stdout)["problems"] if p["file"].endswith("x.yaml")]
    assert [(p["path"], p["message"], p["severity"]) for p in problems] == [
        ("x-q.grad-sum", "missing 'tolerance'", "error")
    ]


# --- the command registry ----------------------------------------------------------------------------------


def test_every_command_has_help(cli):
    import typer.main

    from dlquiz.cli import app

    group = typer.main.get_command(app)
    names = sorted(group.commands)
    assert {"list", "show", "check", "study"} <= set(names)
    for name in names:
        command = group.commands[name]
        assert (command.help or "").strip(), f"{name} has no help"
        for param in command.params:
            if param.param_type_name == "option" and param.name != "help":
                assert (param.help or "").strip(), f"{name} {param.opts} has no help"
        result = cli(name, "--help")
        assert result.exit_code == 0 and command.help.split("\n")[0][:30] in " ".join(result.stdout.split())
    top = cli("--help")
    assert top.exit_code == 0
    for name in names:
        assert name in top.stdout
