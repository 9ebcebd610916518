"""Code drills: every reference passes, every shipped mistake is caught and named, and the judge holds
its limits (time, memory, syntax errors, wrong signatures, files that match no drill)."""

from __future__ import annotations

import inspect
import json
import os
import sqlite3
import time
from pathlib import Path

import pytest

from dlquiz.coding.judge import check_functions
from dlquiz.coding.registry import IDS, all_drills
from dlquiz.coding.workspace import judge_file
from tests.lab import flat

DRILLS = all_drills()
MISTAKES = [(d.id, m.id) for d in DRILLS.values() for m in d.mistakes]


def test_there_are_at_least_16_drills_and_the_id_list_matches():
    assert len(DRILLS) >= 16
    assert list(IDS) == list(DRILLS)


@pytest.mark.parametrize("drill_id", list(DRILLS))
def test_reference_passes_every_check(drill_id):
    drill = DRILLS[drill_id]
    verdict = check_functions(drill, dict(drill.reference))
    assert verdict.error is None
    assert [c.name for c in verdict.checks if not c.ok] == []
    assert {"signature", "shapes and dtypes", "inputs not modified"} <= {c.name for c in verdict.checks}
    assert verdict.passed and verdict.mistake is None


@pytest.mark.parametrize(("drill_id", "mistake_id"), MISTAKES)
def test_each_shipped_mistake_is_caught_and_named(drill_id, mistake_id):
    drill = DRILLS[drill_id]
    mistake = next(m for m in drill.mistakes if m.id == mistake_id)
    verdict = check_functions(drill, dict(mistake.functions))
    assert not verdict.passed
    assert verdict.mistake is not None and verdict.mistake["id"] == mistake_id
    assert mistake.en and mistake.zh and any("\u4e00" <= ch <= "\u9fff" for ch in mistake.zh)


def test_backward_drills_have_gradient_checks_and_stable_drills_extreme_inputs():
    for drill_id in ("bn-backward", "softmax-ce", "sigmoid-bce", "multilabel-bce", "smooth-l1", "maxpool"):
        assert DRILLS[drill_id].gradients is not None, drill_id
    for drill_id in ("softmax-ce", "sigmoid-bce", "multilabel-bce"):
        assert DRILLS[drill_id].extreme is not None, drill_id


def test_the_three_fixed_signatures():
    def params(drill_id, name):
        return str(inspect.signature(DRILLS[drill_id].reference[name]))

    assert params("bn-backward", "batchnorm_forward") == "(x, gamma, beta, eps=1e-05)"
    assert params("bn-backward", "batchnorm_backward") == "(dy, cache)"
    assert (
        params("adam-step", "adam_step")
        == "(param, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-08)"
    )
    assert params("softmax-ce", "softmax_cross_entropy") == "(logits, labels)"


def test_every_drill_has_a_bank_card_with_hints_in_both_languages_and_a_demo(cli):
    from dlquiz import catalog

    cat = catalog.load().catalog
    judged = {d.judge: d for q in cat.questions for d in q.drills if d.type == "code"}
    assert set(judged) == set(DRILLS)
    for drill_id, card in judged.items():
        assert card.question == DRILLS[drill_id].question
        assert card.hints and all(h.en and h.zh for h in card.hints)
        assert cat.get(card.question).demos, f"{drill_id}: its question has no prove demo to link to"


def test_a_mistake_the_user_wrote_is_named_through_the_subprocess(tmp_path):
    file = tmp_path / "bn_backward.py"
    file.write_text(
        "import numpy as np\n"
        "def batchnorm_forward(x, gamma, beta, eps=1e-5):\n"
        "    mu = x.mean(0); std = np.sqrt(x.var(0) + eps); xh = (x - mu) / std\n"
        "    return gamma * xh + beta, (xh, std, gamma)\n"
        "def batchnorm_backward(dy, cache):\n"
        "    xh, std, gamma = cache\n"
        "    print('hello from the user')\n"
        "    return gamma / std * (dy - dy.mean(0)), (dy * xh).sum(0), dy.sum(0)\n",
        encoding="utf-8",
    )
    result = judge_file("bn-backward", file)
    assert result["passed"] is False
    assert result["mistake"]["id"] == "missing-variance-path"
    failed = {c["name"] for c in result["checks"] if not c["ok"]}
    assert "gradient check" in failed
    assert "hello from the user" in result["output"]


def test_an_infinite_loop_times_out(tmp_path):
    file = tmp_path / "loop.py"
    file.write_text("def softmax_cross_entropy(logits, labels):\n    while True:\n        pass\n")
    started = time.monotonic()
    result = judge_file("softmax-ce", file, timeout=1.5)
    assert time.monotonic() - started < 10
    assert result["passed"] is False and "timed out after 1.5 s" in result["error"]


def test_memory_is_limited(tmp_path):
    file = tmp_path / "hog.py"
    file.write_text(
        "import numpy as np\n"
        "def softmax_cross_entropy(logits, labels):\n"
        "    big = np.ones((1 << 31,))  # 16 GiB\n"
        "    return 0.0, logits\n"
    )
    result = judge_file("softmax-ce", file, memory_mb=256)
    assert result["passed"] is False and "MemoryError" in result["error"]


def test_a_syntax_error_names_its_line(tmp_path):
    file = tmp_path / "bad.py"
    file.write_text("import numpy as np\n\ndef adam_step(param, grad, m, v, t:\n    pass\n")
    result = judge_file("adam-step", file)
    assert result["passed"] is False and "SyntaxError" in result["error"] and "line 3" in result["error"]


def test_a_wrong_signature_is_reported_before_anything_runs(tmp_path):
    file = tmp_path / "sig.py"
    file.write_text("def adam_step(param, grad, state):\n    raise RuntimeError('must not run')\n")
    result = judge_file("adam-step", file)
    assert result["passed"] is False
    (signature,) = [c for c in result["checks"] if c["name"] == "signature"]
    assert not signature["ok"] and "missing m, v, t" in signature["detail"]
    assert len(result["checks"]) == 1


def test_an_exception_shows_only_the_users_traceback(tmp_path):
    file = tmp_path / "raises.py"
    file.write_text(
        "def helper(x):\n    return x[99]\n\n"
        "def softmax_cross_entropy(logits, labels):\n    return helper(logits)\n"
    )
    result = judge_file("softmax-ce", file)
    assert "IndexError" in result["error"]
    assert str(file) in result["error"] and "helper" in result["error"]
    assert "dlquiz" not in result["error"].replace(str(file), "")


# --- the command line ---------------------------------------------------------------------------------


def _solution_file(folder: Path, drill_id: str) -> Path:
    drill = DRILLS[drill_id]
    path = folder / drill.file_name
    path.write_text(
        f"# dlquiz code drill: {drill.id}\nimport numpy as np\n\n{drill.solution}", encoding="utf-8"
    )
    return path


def test_start_check_fix_record(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    started = cli("code", "start", "bn-backward")
    assert started.exit_code == 0 and "bn_backward.py" in started.stdout
    text = (tmp_path / "bn_backward.py").read_text(encoding="utf-8")
    assert text.startswith("# dlquiz code drill: bn-backward")
    assert "def batchnorm_backward(dy, cache):" in text and "TODO" in text and "训练模式" in text
    assert cli("code", "start", "bn-backward").exit_code == 2  # never overwrites without --force

    first = cli("code", "check", "bn_backward.py", "--json")
    assert first.exit_code == 1
    assert "NotImplementedError" in json.loads(first.stdout)["error"]

    _solution_file(tmp_path, "bn-backward")
    recorded = cli("code", "check", "bn_backward.py", "--record", "--json")
    assert recorded.exit_code == 0
    data = json.loads(recorded.stdout)
    assert data["passed"] is True
    assert data["recorded"]["id"] == "bn-backward.code" and data["recorded"]["rating"] == "hard"  # 2nd try


def test_first_try_pass_records_good_and_looking_at_the_solution_records_again(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _solution_file(tmp_path, "adam-step")
    good = json.loads(cli("code", "check", "adam_step.py", "--record", "--json").stdout)
    assert good["recorded"]["rating"] == "good"
    solution = cli("code", "solution", "adam-step")
    assert "def adam_step" in solution.stdout and "Again" in solution.stdout
    again = json.loads(cli("code", "check", "adam_step.py", "--record", "--json").stdout)
    assert again["passed"] is True and again["recorded"]["rating"] == "again"


def test_check_names_the_mistake_in_words(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "softmax_ce.py").write_text(
        "import numpy as np\n"
        "def softmax_cross_entropy(logits, labels):\n"
        "    n = logits.shape[0]\n"
        "    e = np.exp(logits)\n"
        "    p = e / e.sum(axis=1, keepdims=True)\n"
        "    d = p.copy(); d[np.arange(n), labels] -= 1\n"
        "    return -np.log(p[np.arange(n), labels]).mean(), d / n\n"
    )
    result = cli("code", "check", "softmax_ce.py", "--lang", "en")
    assert result.exit_code == 1
    flat = " ".join(result.stdout.replace("│", " ").split())
    assert "stable on extreme inputs" in flat and "without subtracting the max" in flat
    zh = "".join(cli("code", "check", "softmax_ce.py", "--lang", "zh").stdout.replace("│", " ").split())
    assert "没有减去最大值" in zh


def test_the_findings_of_each_check_are_in_the_users_language(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "softmax_ce.py").write_text(
        "import numpy as np\n"
        "def softmax_cross_entropy(logits, labels):\n"
        "    n = logits.shape[0]\n"
        "    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)\n"
        "    d = p.copy(); d[np.arange(n), labels] -= 1\n"
        "    return np.float32(-np.log(p[np.arange(n), labels]).mean()), d\n"  # not averaged; float32
    )
    data = json.loads(cli("code", "check", "softmax_ce.py", "--json").stdout)
    wrong = [c for c in data["checks"] if not c["ok"]]
    assert wrong and all(c["detail"] and c["parts"] for c in wrong)  # English detail kept for --json
    en = flat(cli("code", "check", "softmax_ce.py", "--lang", "en").stdout)
    zh = flat(cli("code", "check", "softmax_ce.py", "--lang", "zh").stdout)
    for check in wrong:
        assert check["detail"] in en
    assert "differ" in en and "相对误差" in zh
    for english in ("differ", "rel err", "numeric gradient", "expected", "overflow"):
        assert english not in zh


def test_a_file_that_matches_no_drill(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "adam_stp.py").write_text("x = 1\n")
    result = cli("code", "check", "adam_stp.py")
    assert result.exit_code == 2
    assert "matches no code drill" in result.stderr and "adam-step" in result.stderr
    assert cli("code", "check", "missing.py").exit_code == 2


def test_list_show_hint_and_json(cli):
    listed = json.loads(cli("code", "list", "--json").stdout)
    assert len(listed) == len(DRILLS) and all(r["last"] is None for r in listed)
    shown = flat(cli("code", "show", "adam-step", "--lang", "en").stdout)
    assert "adam_step(param, grad, m, v, t" in shown and "dlquiz prove opt-gd-improvements" in shown
    first = cli("code", "hint", "adam-step", "--lang", "en").stdout
    second = cli("code", "hint", "adam-step", "--lang", "en").stdout
    assert "1." in first and "2." not in first.split("Hints")[-1].split("Next")[0]
    assert "2." in second.split("Hints")[-1]
    assert cli("code", "show", "adam").exit_code == 2


def test_markdown_export_includes_the_tasks(cli, tmp_path):
    out = tmp_path / "guide.md"
    assert cli("export", "md", "-o", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "**Code drill: `bn-backward`**" in text and "def batchnorm_backward(dy, cache):" in text
    assert text.count("**Code drill:") == len(DRILLS)


CODE_LAB = """\
section: {id: lab, title: {en: Test lab, zh: 测试}}
questions:
  - id: lab-ce
    section: lab
    source: Lab
    prompt: {en: 'Why cross-entropy?', zh: 为什么用交叉熵？}
    answer:
      short: {en: A short answer., zh: 简短回答。}
      detailed: {en: A detailed answer., zh: 详细回答。}
    key_points:
      - {en: A point., zh: 一个要点。}
    formulas: []
    pitfalls: []
    follow_ups: []
    references:
      - {authors: A. Author, year: 2020, title: A title, venue: A venue}
    demos: []
    drills:
      - id: lab-ce.code
        type: code
        judge: softmax-ce
        prompt: {en: Write softmax_cross_entropy., zh: 实现 softmax_cross_entropy。}
        hints:
          - {en: Subtract the max., zh: 减去最大值。}
"""


def test_a_due_code_drill_in_study_is_judged_from_its_file(cli, tmp_path, monkeypatch):
    banks = tmp_path / "banks"
    banks.mkdir()
    (banks / "lab.yaml").write_text(CODE_LAB, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    _solution_file(tmp_path, "softmax-ce")
    # the question: reveal, grade Good; the code drill: Enter judges the file, Enter accepts the suggestion
    result = cli("--bank", str(banks), "study", "-s", "lab", "--lang", "en", input="\n3\n\n\n")
    assert result.exit_code == 0, result.output
    flat = " ".join(result.stdout.replace("│", " ").split())
    assert "softmax_ce.py" in flat and "PASSED" in flat
    conn = sqlite3.connect(Path(os.environ["DLQUIZ_HOME"]) / "dlquiz.db")
    rows = conn.execute("SELECT card_id, rating FROM reviews ORDER BY id").fetchall()
    conn.close()
    assert rows == [("lab-ce", 3), ("lab-ce.code", 3)]


def test_check_refuses_a_fifo_without_blocking(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkfifo(tmp_path / "adam_step.py")
    result = cli("code", "check", "adam_step.py")
    assert result.exit_code == 2 and "not a regular file" in result.stderr
