"""The bank loader: every error class, each reported with its exact file, line and field path.

Each test starts from ``VALID``, a trimmed copy of ``bn-backward`` from content/batch-norm.yaml, breaks one
thing, writes it to tmp_path and loads it. The working directory is tmp_path, so problems name
``bank.yaml`` as a user would type it.
"""

# ruff: noqa: E501  (VALID copies long lines from the shipped bank)
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dlquiz import bank

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"

VALID = r"""section:
  id: batch-norm
  title: {en: Batch normalization, zh: 批归一化}
  order: 2

questions:
  - id: bn-backward
    section: batch-norm
    source: BN 7
    prompt:
      en: Derive the backward pass of batch normalization.
      zh: 推导批归一化（BN）的反向传播。
    answer:
      short:
        en: The input gradient is $dx = \frac{\gamma}{N\sigma}(N\,dy - \sum dy - \hat x\sum dy\,\hat x)$.
        zh: 输入梯度为 $dx = \frac{\gamma}{N\sigma}(N\,dy - \sum dy - \hat x\sum dy\,\hat x)$。
      detailed:
        en: Each $x_i$ reaches the loss directly, through $\mu$ and through $\sigma^2$.
        zh: 每个 $x_i$ 经三条路径影响损失：直接、经 $\mu$、经 $\sigma^2$。
    key_points:
      - en: "Names the three paths from $x_i$ to the loss: direct, through $\\mu$, through $\\sigma^2$."
        zh: 指出 $x_i$ 影响损失的三条路径：直接路径、经 $\mu$、经 $\sigma^2$。
    formulas:
      - name: {en: Normalize, zh: 标准化}
        latex: \hat x_i = \frac{x_i - \mu}{\sqrt{\sigma^2 + \epsilon}}
    pitfalls:
      - wrong:
          en: Treating $\mu$ and $\sigma^2$ as constants.
          zh: 把 $\mu$ 和 $\sigma^2$ 当作常数。
        right:
          en: In training they are functions of the whole batch.
          zh: 训练时均值和方差是整个批次的函数。
        source: Ioffe & Szegedy 2015, §3
    follow_ups:
      - question: bn-backward
      - prompt:
          en: Why is the input gradient of BN orthogonal to $\hat x$?
          zh: 为什么 BN 的输入梯度与 $\hat x$ 正交？
    references:
      - authors: Sergey Ioffe, Christian Szegedy
        year: 2015
        title: "Batch Normalization: Accelerating Deep Network Training by Reducing Internal Covariate Shift"
        venue: ICML
        url: https://arxiv.org/abs/1502.03167
    demos: [bn-backward]
    drills:
      - id: bn-backward.dbeta
        type: basic
        prompt: {en: "BN backward: what is $\\partial L/\\partial\\beta$?", zh: "BN 反向：$\\partial L/\\partial\\beta$ 等于什么？"}
        back: {en: "$\\sum_i dy_i$, summed over the batch.", zh: "$\\sum_i dy_i$，在批次维度上求和。"}
      - id: bn-backward.dgamma
        type: cloze
        prompt:
          en: "In BN's backward pass, $d\\gamma = \\sum_i dy_i \\cdot$ {{c1::$\\hat x_i$}}."
          zh: "BN 反向传播中，$d\\gamma = \\sum_i dy_i \\cdot$ {{c1::$\\hat x_i$}}。"
      - id: bn-backward.paths
        type: choice
        prompt:
          en: Through which quantities does $x_i$ affect the loss in a training-mode BN layer? (all that apply)
          zh: 训练模式下，$x_i$ 通过哪些量影响 BN 层之后的损失？（多选）
        options:
          - text: {en: "The batch mean $\\mu$", zh: "批均值 $\\mu$"}
            correct: true
          - text: {en: "The running mean used at inference", zh: "推理时使用的滑动均值"}
            correct: false
      - id: bn-backward.grad-sum
        type: numeric
        prompt:
          en: In a training-mode BN layer, what is $\sum_i \partial L/\partial x_i$ over the batch, for any upstream gradient?
          zh: 训练模式的 BN 层中，对任意上游梯度，批次内 $\sum_i \partial L/\partial x_i$ 等于多少？
        answer: 0
        tolerance: 0
"""


def broken(old: str, new: str, text: str = VALID) -> str:
    """``text`` with the one occurrence of ``old`` replaced (fails loudly if the template changed)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in the template"
    return text.replace(old, new)


def line_of(text: str, marker: str) -> int:
    """The 1-based line that is ``marker`` (or, if none is, the one line that contains it)."""
    lines = text.splitlines()
    hits = [i for i, line in enumerate(lines, 1) if line == marker]
    hits = hits or [i for i, line in enumerate(lines, 1) if marker in line]
    assert len(hits) == 1, f"{marker!r} on lines {hits}"
    return hits[0]


@pytest.fixture
def load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """``load({"bank.yaml": text, ...})`` -> LoadResult of those files alone (demo 'bn-backward' exists)."""
    monkeypatch.chdir(tmp_path)

    def run(files: dict[str, str], shipped: list[Path] | None = None) -> bank.LoadResult:
        paths = []
        for name, text in files.items():
            (tmp_path / name).write_text(text, encoding="utf-8")
            paths.append(Path(name))
        return bank.load(shipped or [], paths, known_demos=lambda: {"bn-backward", "bn-moments"})

    return run


def only(result: bank.LoadResult) -> bank.Problem:
    assert len(result.problems) == 1, [str(p) for p in result.problems]
    return result.problems[0]


# --- the template itself ---------------------------------------------------------------------------


def test_template_is_valid_and_a_copy_of_the_shipped_question(load):
    result = load({"bank.yaml": VALID})
    assert result.problems == []
    assert [q.id for q in result.catalog.questions] == ["bn-backward"]
    q = result.catalog.questions[0]
    assert [d.type for d in q.drills] == ["basic", "cloze", "choice", "numeric"]
    shipped = next(
        q
        for q in yaml.safe_load((CONTENT / "batch-norm.yaml").read_text("utf-8"))["questions"]
        if q["id"] == "bn-backward"
    )
    assert q.prompt.to_dict() == shipped["prompt"]
    assert q.formulas[0].latex == shipped["formulas"][0]["latex"]
    shipped_drills = {d["id"]: d for d in shipped["drills"]}
    for d in q.drills:
        assert d.prompt.to_dict() == shipped_drills[d.id]["prompt"]


# --- one test per error class ------------------------------------------------------------------------


def test_missing_language_names_file_line_and_field(load):
    zh = "        zh: 输入梯度为"
    text = broken(zh, "        zz: 输入梯度为")
    problems = load({"bank.yaml": text}).problems
    # A mapping's line is where its content starts: the "en:" under "short:".
    short_line = line_of(text, "        en: The input gradient")
    assert f"bank.yaml:{short_line}: bn-backward.answer.short: missing 'zh'" in [str(p) for p in problems]
    missing = next(p for p in problems if p.message == "missing 'zh'")
    assert (missing.file, missing.line, missing.path) == ("bank.yaml", short_line, "bn-backward.answer.short")


def test_exact_format_of_a_missing_language(load):
    text = broken("        zh: 输入梯度为 $dx", "        #h: 输入梯度为 $dx")
    assert (
        str(only(load({"bank.yaml": text})))
        == f"bank.yaml:{line_of(text, '        en: The input gradient')}: "
        "bn-backward.answer.short: missing 'zh'"
    )


def test_missing_field(load):
    text = broken("    source: BN 7\n", "")
    p = only(load({"bank.yaml": text}))
    assert (p.line, p.path, p.message) == (
        line_of(text, "  - id: bn-backward"),
        "bn-backward",
        "missing 'source'",
    )


def test_missing_field_in_a_drill(load):
    text = broken("        tolerance: 0\n", "")
    p = only(load({"bank.yaml": text}))
    assert (p.line, p.path, p.message) == (
        line_of(text, "id: bn-backward.grad-sum"),
        "bn-backward.grad-sum",
        "missing 'tolerance'",
    )


def test_empty_text(load):
    text = broken("          en: Treating $\\mu$ and $\\sigma^2$ as constants.", "          en: ' '")
    p = only(load({"bank.yaml": text}))
    assert (p.line, p.path, p.message) == (
        line_of(text, "en: ' '"),
        "bn-backward.pitfalls[0].wrong.en",
        "must not be empty",
    )


def test_unknown_section_suggests_the_closest(load):
    text = broken("    section: batch-norm\n", "    section: batch-nrom\n")
    result = load({"bank.yaml": text})
    p = only(result)
    assert (p.line, p.path) == (line_of(text, "section: batch-nrom"), "bn-backward.section")
    assert p.message == "unknown section 'batch-nrom' (did you mean 'batch-norm'?)"
    assert result.catalog.questions == ()  # a blocking error: the file is skipped


def test_unknown_field_suggests_the_closest_and_points_at_it(load):
    text = broken("        back: {en:", "        bakc: {en:")
    problems = load({"bank.yaml": text}).problems
    unknown = next(p for p in problems if "unknown field" in p.message)
    assert unknown.message == "unknown field 'bakc' (did you mean 'back'?)"
    assert (unknown.line, unknown.path) == (line_of(text, "bakc:"), "bn-backward.dbeta.bakc")
    missing = next(p for p in problems if "missing" in p.message)
    assert (missing.line, missing.path, missing.message) == (
        line_of(text, "id: bn-backward.dbeta"),
        "bn-backward.dbeta",
        "missing 'back'",
    )
    assert len(problems) == 2


def test_unknown_top_level_question_field(load):
    text = broken("    pitfalls:\n", "    pitfals:\n")
    problems = {str(p) for p in load({"bank.yaml": text}).problems}
    assert problems == {
        f"bank.yaml:{line_of(text, 'pitfals:')}: bn-backward.pitfals: unknown field 'pitfals' "
        "(did you mean 'pitfalls'?)",
        f"bank.yaml:{line_of(text, '  - id: bn-backward')}: bn-backward: missing 'pitfalls'",
    }


def test_duplicate_ids_across_banks(load):
    other = broken("  id: batch-norm\n", "  id: batch-norm-2\n")
    other = broken("    section: batch-norm\n", "    section: batch-norm-2\n", other)
    result = load({"a.yaml": VALID, "b.yaml": other})
    ids = {p.path: p for p in result.problems}
    first = line_of(VALID, "  - id: bn-backward")
    assert ids["bn-backward.id"].file == "b.yaml"
    assert ids["bn-backward.id"].line == line_of(other, "  - id: bn-backward")
    assert ids["bn-backward.id"].message == f"duplicate id 'bn-backward' (first defined at a.yaml:{first})"
    # every drill id is reported too, not just the first duplicate
    assert {
        "bn-backward.dbeta.id",
        "bn-backward.dgamma.id",
        "bn-backward.paths.id",
        "bn-backward.grad-sum.id",
    } <= set(ids)
    assert all(p.file == "b.yaml" for p in result.problems)
    assert [q.file for q in result.catalog.questions] == ["a.yaml"]  # the first definition wins


def test_duplicate_id_with_a_shipped_bank(load):
    result = load({"mine.yaml": VALID}, shipped=[CONTENT])
    dup = next(p for p in result.problems if p.path == "bn-backward.id")
    assert dup.file == "mine.yaml" and dup.line == line_of(VALID, "  - id: bn-backward")
    assert "first defined at" in dup.message and "batch-norm.yaml:" in dup.message
    shipped = result.catalog.get("bn-backward")
    assert shipped is not None and shipped.file.endswith("batch-norm.yaml")


def test_duplicate_drill_id_within_one_file(load):
    text = broken("      - id: bn-backward.dgamma\n", "      - id: bn-backward.dbeta\n")
    p = only(load({"bank.yaml": text}))
    lines = [i for i, s in enumerate(text.splitlines(), 1) if s == "      - id: bn-backward.dbeta"]
    assert p.line == lines[1]
    assert p.message == f"duplicate id 'bn-backward.dbeta' (first defined at bank.yaml:{lines[0]})"


def test_drill_id_must_name_its_question(load):
    text = broken("      - id: bn-backward.dbeta\n", "      - id: bn-forward.dbeta\n")
    p = only(load({"bank.yaml": text}))
    assert (p.line, p.path) == (line_of(text, "id: bn-forward.dbeta"), "bn-forward.dbeta.id")
    assert "must start with its question's id: bn-backward.<name>" in p.message


def test_unknown_follow_up_is_an_error_but_the_question_still_loads(load):
    text = broken("      - question: bn-backward\n", "      - question: bn-backwrd\n")
    result = load({"bank.yaml": text})
    p = only(result)
    assert (p.line, p.path) == (line_of(text, "question: bn-backwrd"), "bn-backward.follow_ups[0].question")
    assert p.message == "no question with id 'bn-backwrd' (did you mean bn-backward?)"
    assert p.severity == "error" and not p.blocking
    assert result.catalog.get("bn-backward") is not None


def test_unknown_demo(load):
    text = broken("    demos: [bn-backward]\n", "    demos: [bn-moments, bn-backwrd]\n")
    p = only(load({"bank.yaml": text}))
    assert (p.line, p.path) == (line_of(text, "demos:"), "bn-backward.demos[1]")
    assert p.message.startswith("no demo with id 'bn-backwrd' (did you mean bn-backward")


def test_follow_up_needs_question_or_prompt(load):
    text = broken("      - question: bn-backward\n", "      - hint: {en: a hint, zh: 提示}\n")
    p = only(load({"bank.yaml": text}))
    assert (p.line, p.path) == (line_of(text, "- hint:"), "bn-backward.follow_ups[0]")
    assert "exactly one of 'question'" in p.message


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ('{{c1::$\\\\hat x_i$}}."', '{{c1:$\\\\hat x_i$}}."', "prompt.en", "malformed cloze"),
        (
            '{{c1::$\\\\hat x_i$}}."',
            '$\\\\hat x_i$."',
            "prompt.en",
            "needs at least one {{c1::...}} deletion",
        ),
        ('{{c1::$\\\\hat x_i$}}."', '{{c1:: }}."', "prompt.en", "empty cloze deletion"),
        (
            "{{c1::$\\\\hat x_i$}}。",
            "{{c2::$\\\\hat x_i$}}。",
            "prompt",
            "cloze numbers differ: en has [1], zh has [2]",
        ),
    ],
    ids=["malformed", "no-deletion", "empty", "numbers-differ"],
)
def test_malformed_cloze(load, old, new, field, message):
    text = broken(old, new)
    p = only(load({"bank.yaml": text}))
    assert p.path == f"bn-backward.dgamma.{field}"
    assert p.line == line_of(text, "id: bn-backward.dgamma") + 3  # the "en:" line of the prompt
    assert message in p.message


def test_choice_without_a_correct_option(load):
    text = broken("            correct: true\n", "            correct: false\n")
    p = only(load({"bank.yaml": text}))
    first_option = line_of(text, "        options:") + 1
    assert (p.line, p.path, p.message) == (
        first_option,
        "bn-backward.paths.options",
        "no option is marked correct",
    )


def test_choice_with_every_option_correct(load):
    text = broken("            correct: false\n", "            correct: true\n")
    p = only(load({"bank.yaml": text}))
    assert (p.path, p.message) == ("bn-backward.paths.options", "every option is marked correct")


def test_choice_needs_two_options(load):
    text = broken(
        '          - text: {en: "The running mean used at inference", zh: "推理时使用的滑动均值"}\n'
        "            correct: false\n",
        "",
    )
    p = only(load({"bank.yaml": text}))
    first_option = line_of(text, "        options:") + 1
    assert (p.line, p.path, p.message) == (
        first_option,
        "bn-backward.paths.options",
        "needs at least 2 item(s)",
    )


def test_choice_option_correct_must_be_boolean(load):
    text = broken("            correct: true\n", "            correct: yes please\n")
    p = only(load({"bank.yaml": text}))
    assert (p.line, p.path) == (line_of(text, "correct: yes please"), "bn-backward.paths.options[0].correct")
    assert p.message.startswith("expected true or false, got str")


@pytest.mark.parametrize(
    ("value", "message"),
    [("zero", "expected a number, got str ('zero')"), (".nan", "must be finite"), (".inf", "must be finite")],
)
def test_malformed_numeric_answer(load, value, message):
    text = broken("        answer: 0\n", f"        answer: {value}\n")
    p = only(load({"bank.yaml": text}))
    assert (p.line, p.path, p.message) == (
        line_of(text, f"answer: {value}"),
        "bn-backward.grad-sum.answer",
        message,
    )


def test_negative_tolerance(load):
    text = broken("        tolerance: 0\n", "        tolerance: -0.5\n")
    p = only(load({"bank.yaml": text}))
    assert (p.line, p.path) == (line_of(text, "tolerance: -0.5"), "bn-backward.grad-sum.tolerance")


def test_unknown_drill_type(load):
    text = broken("        type: basic\n", "        type: flashcard\n")
    problems = load({"bank.yaml": text}).problems
    p = next(p for p in problems if p.path == "bn-backward.dbeta.type")
    assert p.line == line_of(text, "type: flashcard")
    assert p.message == "'flashcard' is not one of basic, cloze, choice, numeric, code"


def test_invalid_yaml_reports_its_line(load):
    text = broken("    source: BN 7\n", "    source: [BN 7\n")
    p = only(load({"bank.yaml": text}))
    assert p.file == "bank.yaml"
    assert p.line == line_of(text, "source: [BN 7") + 1  # the parser notices at the next key
    assert p.message.startswith("not valid YAML:")


def test_tab_indentation_reports_its_line(load):
    text = broken("    source: BN 7\n", "\tsource: BN 7\n")
    p = only(load({"bank.yaml": text}))
    assert p.line == line_of(text, "\tsource: BN 7")
    assert p.message.startswith("not valid YAML:")


def test_duplicate_key(load):
    text = broken("    source: BN 7\n", "    source: BN 7\n    source: BN 8\n")
    result = load({"bank.yaml": text})
    p = only(result)
    assert (p.line, p.path, p.message) == (
        line_of(text, "source: BN 8"),
        "bn-backward.source",
        "duplicate key 'source'",
    )
    assert result.catalog.questions == ()


def test_not_a_mapping(load):
    p = only(load({"bank.yaml": "- just\n- a list\n"}))
    assert (p.line, p.message) == (1, "a bank must be a mapping with 'section' and 'questions'")


def test_every_problem_is_reported_at_once(load):
    text = broken("    source: BN 7\n", "")
    text = broken("        tolerance: 0\n", "        tolerance: -1\n", text)
    text = broken("            correct: true\n", "            correct: false\n", text)
    other = broken("    section: batch-norm\n", "    section: batch-nrom\n")
    other = broken("  - id: bn-backward\n", "  - id: bn-backward-2\n", other)
    other = other.replace("bn-backward.", "bn-backward-2.")
    result = load({"a.yaml": text, "b.yaml": other, "c.yaml": "section: [\n"})
    found = {(p.file, p.path) for p in result.problems}
    assert {
        ("a.yaml", "bn-backward"),
        ("a.yaml", "bn-backward.grad-sum.tolerance"),
        ("b.yaml", "bn-backward-2.section"),
        ("c.yaml", ""),
    } <= found
    assert result.catalog.questions == ()


def test_safe_loader_never_runs_code(load, tmp_path: Path):
    marker = tmp_path / "pwned"
    payload = f'!!python/object/apply:os.system ["touch {marker}"]'
    text = broken("    source: BN 7\n", f"    source: {payload}\n")
    p = only(load({"bank.yaml": text}))
    assert not marker.exists()
    assert p.line == line_of(text, "!!python/object/apply")
    assert p.message.startswith("not valid YAML: could not determine a constructor for the tag")
    assert "python/object/apply:os.system" in p.message


def test_bank_files_reads_yaml_and_yml_sorted(tmp_path: Path):
    for name in ("b.yml", "a.yaml", "notes.txt", "c.YAML.bak"):
        (tmp_path / name).write_text("x: 1\n")
    assert [p.name for p in bank.bank_files([tmp_path])] == ["a.yaml", "b.yml"]


def test_missing_bank_file(load, tmp_path: Path):
    result = bank.load([], [tmp_path / "nope.yaml"])
    p = only(result)
    assert p.message == "no such file" and p.line == 0
    assert str(p) == "nope.yaml: no such file"


def test_shipped_banks_load_without_problems():
    from dlquiz.demos import all_demos

    result = bank.load([CONTENT], known_demos=lambda: set(all_demos()))
    # Demos are written alongside the banks; a reference to one not yet registered is not a bank error.
    assert [str(p) for p in result.problems if "no demo with id" not in p.message] == []
    assert len(result.catalog.questions) >= 20
    ids = [c.id for c in result.catalog.cards()]
    assert len(ids) == len(set(ids))


def test_chinese_line_breaks_leave_no_space():
    assert bank.join_cjk_lines("训练时均值\n  和方差") == "训练时均值和方差"
    assert bank.join_cjk_lines("use $x$ 和\n$y$") == "use $x$ 和\n$y$"
    assert bank.join_cjk_lines("段落一。\n\n段落二") == "段落一。\n\n段落二"
