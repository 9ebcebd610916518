"""The HTML pieces of the Anki export that keep a card inside a phone's width, and the drill backs."""

from __future__ import annotations

import re

import pytest

from dlquiz.export.html import ZWSP, mark_chinese, math_html, split_inline, to_html
from dlquiz.model import Catalog, Drill, Text

SUM = r"256\cdot 128 + 9\cdot 128\cdot 128/32 + 128\cdot 256 = 32{,}768 + 4{,}608 + 32{,}768 = 70{,}144"


def test_a_long_inline_sum_is_cut_after_its_top_level_operators():
    pieces = split_inline(SUM)
    assert "".join(pieces).replace(" ", "") == SUM.replace(" ", "")  # nothing lost or reordered
    assert pieces[0] == "256\\cdot" and "32{,}768 +" in pieces and pieces[-2:] == ["32{,}768 =", "70{,}144"]
    html = math_html(SUM)
    # Each piece is its own formula; all but the last end with {} so "=" and "+" keep their spacing.
    assert html.count("\\(") == len(pieces) and html.count(ZWSP) == len(pieces) - 1
    assert html.startswith("\\(256\\cdot{}\\)") and html.endswith(
        f"\\(32{{,}}768 ={{}}\\){ZWSP}\\(70{{,}}144\\)"
    )


@pytest.mark.parametrize(
    "latex",
    [
        r"x = y",  # short: always fits
        r"\begin{aligned} a &= b + c + d + e + f \\ &= g \end{aligned}",  # an environment
        r"\frac{a + b + c + d + e + f + g + h}{i + j + k + l + m + n}",  # only inside braces
        r"\left( a + b + c + d + e + f + g + h + i + j + k \right)",  # only inside \left…\right
        r"(a + b + c + d + e + f + g + h + i + j + k + l + m + n)",  # only inside parentheses
    ],
)
def test_formulas_without_a_safe_break_stay_whole(latex):
    assert split_inline(latex) == [latex]


def test_a_sign_is_not_a_break():
    pieces = split_inline(r"a_{-1} = -b^{-2} + -c \cdot -d + e + f + g + h + i")
    assert pieces[:4] == ["a_{-1} =", "-b^{-2} +", "-c \\cdot", "-d +"]


def test_punctuation_after_inline_math_stays_on_its_line():
    html = to_html("值为 $x$，然后 $$y$$. And $a$.")
    assert '<span class="nowrap">\\(x\\)，</span>' in html
    assert '<span class="nowrap">\\(a\\).</span>' in html
    assert "\\[y\\]." in html  # display math is a block of its own: left alone
    assert '<span class="nowrap">（\\(x\\)）</span>' in to_html("速度（$x$）")


def test_tables_scroll_in_a_box_and_exponents_do_not_break():
    html = to_html("| a | b |\n|---|---|\n| 1.501e-15 | x |")
    assert re.search(r'<div class="scroll"><table>.*</table></div>', html, re.DOTALL)
    assert '<span class="nowrap">1.501e-15</span>' in html


def test_chinese_inside_english_is_marked():
    html = mark_chinese('<p title="直">The article says “牛顿动量法”.</p>')
    assert '<span lang="zh-CN">牛顿动量法</span>' in html and 'title="直"' in html


def _numeric(answer: float, tolerance: float | None) -> str:
    from dlquiz.export.fields import drill_note

    drill = Drill("q.n", "q", "s", "numeric", Text("How many?", "多少？"), answer=answer, tolerance=tolerance)
    return drill_note(Catalog((), ()), drill, "en").fields["Back"]


def test_numeric_backs_use_the_terminal_number_format_and_hide_a_zero_tolerance():
    assert _numeric(70144, 0) == '<div class="number">70,144</div>'
    assert "150,529,000" in _numeric(150_529_000.0, None)
    assert "± 0.01" in _numeric(0.5, 0.01)
