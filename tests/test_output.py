"""Output is whole at every width, in both languages, in a terminal or a pipe (issue 10, sections 2-4).

- every field of every question and drill appears, character by character and in order, at 40, 60, 80
  and 120 columns in en, zh and both: nothing is cropped with "…";
- Chinese is set like Chinese: lines full to the edge, none starting with closing punctuation;
- pipes and files get whole records and no trailing spaces; odd widths and encodings never break output.
"""

from __future__ import annotations

import re
import statistics
import subprocess
from functools import cache
from io import StringIO

import pytest
from rich.cells import cell_len
from rich.console import Console

from dlquiz import catalog as catalog_mod
from dlquiz.mathtext import inline_math, latex_to_text
from dlquiz.model import CLOZE_RE, Drill, Question, Text
from dlquiz.render import langs
from dlquiz.render.cards import codes, inline, render_drill, render_question
from dlquiz.render.prose import Prose, break_points

CLOSING = "，。、：；）」』】〉》？！"
WIDTHS = (40, 60, 80, 120)
# Markdown syntax that the renderer turns into styles, bullets and rules, so it is not in the output.
MARKUP = re.compile(r"^\s*```\w*|[\s*_`\\#>|]|^\s*[-+]\s|^\s*\d+\.\s", re.MULTILINE)


@cache
def shipped():
    return catalog_mod.load([], use_cache=False).catalog


def render(card: Question | Drill, lang: str, width: int) -> str:
    out = StringIO()
    console = Console(file=out, width=width, color_system=None, legacy_windows=False, highlight=False)
    if isinstance(card, Question):
        render_question(console, shipped(), card, lang, {})
    else:
        render_drill(console, shipped(), card, lang)
    return out.getvalue()


def shown_texts(card: Question | Drill, lang: str) -> list[str]:
    """The source of every field the card shows in ``lang``, with its math rendered as on screen."""
    texts: list[Text] = []
    plain: list[str] = []
    if isinstance(card, Question):
        texts += [card.prompt, card.answer_short, *card.key_points, card.answer_detailed]
        texts += [f.name for f in card.formulas]
        plain += [latex_to_text(f.latex) for f in card.formulas]
        texts += [t for p in card.pitfalls for t in (p.wrong, p.right)]
        texts += [t for f in card.follow_ups for t in (f.prompt, f.hint) if t is not None]
        plain += [r.title for r in card.references] + [r.url for r in card.references if r.url]
    else:
        revealed = Text(*(CLOZE_RE.sub(r"\2", t) for t in (card.prompt.en, card.prompt.zh)))
        texts += [revealed, *(o.text for o in card.options)]
        texts += [t for t in (card.back, card.explanation) if t is not None]
    sources = [t.get(code) for t in texts for code in codes(t, lang)]
    return [inline_math(s) for s in sources] + plain


def pieces(expected: str) -> list[str]:
    """What must appear in order, without spaces and Markdown markup. A Markdown table prints its cells
    side by side, so each cell is a piece of its own; the text around tables is one piece."""
    prose, cells = [], []
    for line in expected.splitlines():
        if line.lstrip().startswith("|"):
            cells.extend(c for c in line.split("|") if not re.fullmatch(r"[\s:-]*", c))
        else:
            prose.append(line)
    return [MARKUP.sub("", piece) for piece in ["\n".join(prose), *cells]]


def missing(expected: str | list[str], output: str, squeezed: bool = False) -> str | None:
    """The part of ``expected`` that is not a subsequence of the output (None when all of it appears,
    in order), with some context."""
    have = output if squeezed else re.sub(r"\s", "", output)
    for want in pieces(expected) if isinstance(expected, str) else expected:
        rest = iter(have)
        if all(char in rest for char in want):  # a subsequence: the fast check, then find where not
            continue
        position = 0
        for i, char in enumerate(want):
            position = have.find(char, position)
            if position < 0:
                return want[max(0, i - 20) : i + 20]
            position += 1
    return None


def all_cards() -> list[Question | Drill]:
    return [card for q in shipped().questions for card in (q, *q.drills)]


@pytest.mark.parametrize("lang", ["en", "zh", "both"])
def test_every_field_of_every_card_is_shown_whole_at_every_width(lang):
    failures = []
    for card in all_cards():
        texts = shown_texts(card, lang)
        expected = [pieces(text) for text in texts]
        for width in WIDTHS:
            output = render(card, lang, width)
            if "…" in output and not any("…" in t for t in texts):
                failures.append(f"{card.id} at {width}: an ellipsis")
            squeezed = re.sub(r"\s", "", output)
            for want in expected:
                gap = missing(want, squeezed, squeezed=True)
                if gap is not None:
                    failures.append(f"{card.id} [{lang}] at {width}: missing near {gap!r}")
                    break
    assert not failures, "\n".join(failures[:20])


def test_the_check_itself_sees_a_cropped_field():
    text = "训练时，BN 对每个特征计算小批量均值 μ 和有偏方差 σ²"
    assert missing(text, text) is None
    assert missing(text, "训练时，BN 对每个特征计算小批量均…") is not None
    assert missing(text, "训练时，BN 对每个特征计算\n小批量均值 μ 和有偏方差 σ²") is None


# --- Chinese line breaking ---------------------------------------------------------------------------


def zh_paragraphs() -> list[str]:
    """Every Chinese text of the shipped banks, one paragraph at a time, as it prints (math rendered)."""
    out: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "zh" and isinstance(item, str):
                    out.extend(p for p in CLOZE_RE.sub(r"\2", item).split("\n") if p.strip())
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for q in shipped().questions:
        walk(q.raw)
    return out


def zh_line_fill(width: int = 80) -> tuple[float, list[str]]:
    """The median fill of the non-final lines of every zh paragraph set at ``width``, and the lines that
    start with closing punctuation."""
    console = Console(file=StringIO(), width=width)
    fills: list[float] = []
    bad: list[str] = []
    for paragraph in zh_paragraphs():
        lines = [line.plain for line in inline(paragraph).wrap(console, width)]
        fills.extend(cell_len(line.rstrip()) / width for line in lines[:-1])
        bad.extend(line for line in lines if line.lstrip()[:1] in CLOSING)
    return statistics.median(fills), bad


def test_chinese_lines_are_full_and_never_start_with_closing_punctuation():
    median, bad = zh_line_fill(80)
    print(f"zh at 80 columns: median fill of non-final lines {median:.1%}")
    assert median >= 0.90
    assert bad == []


def test_chinese_in_a_shown_card_never_starts_a_line_with_closing_punctuation():
    for q in shipped().questions:
        for width in (60, 100):
            for line in render(q, "zh", width).splitlines():
                body = line.strip(" │╭╮╰╯─").lstrip("•✗✓→$ ")
                assert not body or body[0] not in CLOSING, f"{q.id} at {width}: {line!r}"


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("用中心差分 (L(x+h)−L(x−h))/2h 对比", "(L(x+h)−L(x−h))/2h"),  # a formula stays whole
        ("把 fine-tune 的学习率调小", "fine-tune"),  # an English word too
        ("卷积层中，每个求和都按通道遍历", "中，"),  # the comma stays with the character before it
    ],
)
def test_break_points_follow_unicode_and_keep_words_and_formulas_whole(text, kept):
    start = text.index(kept)
    assert not [p for p in break_points(text) if start < p < start + len(kept)]
    assert break_points("批归一化") == (1, 2, 3)  # between any two Han characters


def test_break_points_count_characters_not_utf16_units():
    text = "每个 𝒯ᵢ 是一个小瓶颈"  # ICU counts "𝒯" (outside the BMP) as two units
    assert break_points(text)[-3:] == (len(text) - 3, len(text) - 2, len(text) - 1)


def test_a_line_never_breaks_before_an_operator():
    console = Console(file=StringIO(), width=200)
    text = "the step is x̂ = (x−μ)/√(σ²+ϵ) and y = γx̂ + β"
    for width in range(12, 40):
        for line in Prose(text).wrap(console, width):
            assert line.plain.lstrip()[:1] not in "=+−", (width, line.plain)


def test_a_kept_together_span_moves_whole_to_the_next_line():
    console = Console(file=StringIO(), width=200)
    line = Prose("如何实现一个批归一化层？  ").append_together("(dlquiz show bn-implement)")
    for width in range(27, 60):
        assert any("dlquiz show bn-implement" in part.plain for part in line.wrap(console, width)), width


# --- both languages ----------------------------------------------------------------------------------


def test_with_both_a_text_that_is_the_same_in_en_and_zh_prints_once():
    assert codes(Text("Adam", "Adam"), "both") == ("en",)
    assert codes(Text("Adam", "亚当"), "both") == langs("both")
    q = next(q for q in shipped().questions if any(f.name.en == f.name.zh for f in q.formulas) or q.formulas)
    output = render(q, "both", 100)
    for f in q.formulas:
        if f.name.en == f.name.zh:
            assert output.count(f"{f.name.en} / {f.name.en}") == 0


# --- pipes, files, widths and encodings --------------------------------------------------------------


def test_show_to_a_file_has_no_trailing_spaces_and_whole_commands(cli):
    for columns in ("40", "80"):
        result = cli("show", "bn-backward", env={"COLUMNS": columns})
        assert result.exit_code == 0
        assert not [line for line in result.stdout.splitlines() if line != line.rstrip()]
        assert "(dlquiz show bn-implement)" in result.stdout
        assert "dlquiz prove bn-backward" in result.stdout


@pytest.mark.parametrize("columns", ["0", "1000000"])
def test_an_absurd_width_still_prints_everything_in_a_sane_size(cli, columns):
    result = cli("show", "bn-backward", env={"COLUMNS": columns})
    assert result.exit_code == 0
    # At the narrowest width a long URL is folded over lines, never cut.
    assert missing("https://arxiv.org/abs/1502.03167 bn-backward.batch-of-two", result.stdout) is None
    assert len(result.stdout.encode()) < 200_000  # at 1000000 columns it used to print 254 MB
    assert "…" not in result.stdout


@pytest.mark.parametrize(
    "env",
    [{"PYTHONIOENCODING": "ascii"}, {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""}],
    ids=["PYTHONIOENCODING=ascii", "LC_ALL=C"],
)
@pytest.mark.parametrize("args", [("show", "bn-backward", "--lang", "zh"), ("list", "--lang", "both")])
def test_an_output_that_cannot_encode_chinese_gets_question_marks_and_one_line_naming_the_fix(
    dlquiz_cmd, subprocess_env, env, args
):
    environment = {k: v for k, v in {**subprocess_env, **env}.items() if v != ""}
    proc = subprocess.run(
        [*dlquiz_cmd, *args], capture_output=True, env=environment, timeout=120, check=False
    )
    stderr = proc.stderr.decode("ascii")
    assert proc.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert b"?" in proc.stdout and b"bn-backward" in proc.stdout
    notes = [line for line in stderr.splitlines() if "UTF-8" in line]
    assert len(notes) == 1 and "PYTHONIOENCODING=utf-8" in notes[0]


READ_COMMANDS = [
    ("list",),
    ("list", "--lang", "both"),
    ("show", "bn-backward", "--lang", "both"),
    ("show", "cnn-resnet", "--lang", "zh"),
    ("show", "bn-backward.paths", "--lang", "both"),
    ("check",),
    ("prove",),
    ("stats",),
    ("plan",),
    ("config",),
    (),
]


@pytest.mark.parametrize("columns", ["40", "200"])
def test_the_read_commands_run_whole_at_40_and_200_columns(cli, columns):
    for args in READ_COMMANDS:
        # laid out as for a terminal (a pipe gets the same layout, or records: see test_cli_read)
        result = cli(*args, env={"COLUMNS": columns, "TTY_COMPATIBLE": "1", "NO_COLOR": "1"})
        assert result.exit_code == 0, (args, result.output)
        assert "…" not in result.output, (args, columns)
