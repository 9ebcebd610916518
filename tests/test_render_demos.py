"""The terminal rendering of demo results and of the demo list, read back from a recording Console."""

from __future__ import annotations

import io
import re

import pytest
from rich.cells import cell_len
from rich.console import Console

from dlquiz.demos.registry import Check, DemoResult, Plot, Series, Table, all_demos, get
from dlquiz.render.demos import MARKERS, fmt, plot_legend, plot_text, render_demo_list, render_demo_result

DEMOS = all_demos()
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def record(width: int = 100) -> Console:
    return Console(record=True, width=width, file=io.StringIO())


def flat(text: str) -> str:
    """Output with line breaks and indentation collapsed, so wrapped sentences can be searched."""
    return " ".join(text.split())


def rendered(result: DemoResult, width: int = 100, **options) -> str:
    console = record(width)
    render_demo_result(console, result, **options)
    return console.export_text()


FAKE = DemoResult(
    "fake-demo",
    "A fake demo",
    {"n": 3, "rate": 0.5},
    seed=42,
    summary="Only for the renderer.",
    tables=(Table("numbers", ("name", "value"), (("one", 1.0), ("big", 123456789.0), ("tiny", 1.5e-9))),),
    plots=(
        Plot(
            "a log curve",
            (Series("down", (1.0, 0.1, 0.0, -1.0, 0.001)), Series("flat", (0.5, 0.5))),
            logy=True,
        ),
    ),
    checks=(
        Check("the first claim holds", 1e-12, "< 1e-9", True),
        Check("the second claim does not", 3.0, "<= 2", False),
    ),
)


@pytest.mark.parametrize("demo_id", sorted(DEMOS))
def test_every_demo_renders(demo_id):
    result = get(demo_id).run()
    text = rendered(result)
    lines = text.splitlines()
    assert all(cell_len(line) <= 100 for line in lines)  # cells, not code points (x̂ is two)
    text = flat(text)
    assert flat(get(demo_id).title["en"]) in text
    assert demo_id in text and f"seed {result.seed}" in text
    for check in result.checks:
        assert flat(check.claim) in text
    assert text.count("✓") == len(result.checks)
    assert f"all {len(result.checks)} checks passed" in text
    for table in result.tables:
        assert flat(table.title) in text
    if result.plots:
        assert "┤" in text  # a plotext axis


def test_header_tables_and_checks():
    text = rendered(FAKE)
    assert "A fake demo" in text  # not registered: the result's own title
    assert "fake-demo" in text and "seed 42" in text
    assert "parameters: n = 3 · rate = 0.5" in text
    assert "Only for the renderer." in text
    assert "1.23e+08" in text and "1.5e-09" in text
    assert text.count("✓") == 1 and text.count("✗") == 1
    assert "measured 3, wanted <= 2" in flat(text)
    assert "1 of 2 checks failed" in text


def test_plots_can_be_switched_off():
    with_plots, without = rendered(FAKE), rendered(FAKE, plots=False)
    assert "┤" in with_plots and "a log curve" in with_plots
    assert "••• down" in with_plots and "××× flat" in with_plots  # the legend, with each series' glyph
    assert "┤" not in without and "a log curve" not in without


def test_log_plot_leaves_out_non_positive_values():
    text = ANSI.sub("", plot_text(FAKE.plots[0], 60))
    assert "(log scale)" in text
    assert "1e-3" in text and "0.01" in text and "1┤" in text  # ticks at whole decades
    nothing = Plot("all gone", (Series("zero", (0.0, -1.0)),), logy=True)
    assert plot_text(nothing, 60) == "all gone: nothing to draw"


@pytest.mark.parametrize("width", [40, 60, 100, 140])
def test_plot_fits_the_width(width):
    plot = get("optimizer-race").run().plots[1]
    lines = ANSI.sub("", plot_text(plot, width)).splitlines()
    assert lines and max(cell_len(line) for line in lines) <= width


def test_chinese_and_bilingual_output():
    result = get("adam-bias-correction").run()
    zh = flat(rendered(result, lang="zh"))
    assert flat(get("adam-bias-correction").title["zh"]) in zh
    assert "检验" in zh and "随机种子" in zh and "项检验全部通过" in zh
    both = flat(rendered(result, lang="both"))
    assert flat(get("adam-bias-correction").title["en"]) in both
    assert flat(get("adam-bias-correction").title["zh"]) in both


def test_narrow_terminal():
    text = rendered(get("optimizer-race").run(), width=80)
    assert all(cell_len(line) <= 80 for line in text.splitlines())


def test_demo_list():
    console = record()
    render_demo_list(console, list(DEMOS.values()), "en")
    text = flat(console.export_text())
    for demo in DEMOS.values():
        assert demo.id in text
        assert flat(demo.title["en"]) in text
        assert ", ".join(demo.questions) in text
    assert "Optimization" in text and "Loss functions" in text
    assert "parameters: n=100, kappa=100" in text


def test_demo_list_in_chinese():
    console = record()
    render_demo_list(console, [get("mean-vs-median")], "zh")
    text = flat(console.export_text())
    assert "损失函数" in text and flat(get("mean-vs-median").title["zh"]) in text and "题目" in text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0"),
        (3, "3"),
        (123456, "123,456"),
        (True, "yes"),
        (2.0, "2"),
        (0.5, "0.5"),
        (3.16227766, "3.16228"),
        (1.6e-14, "1.6e-14"),
        (8e12, "8e+12"),
        (-0.25, "-0.25"),
        ("—", "—"),
    ],
)
def test_number_format(value, text):
    assert fmt(value) == text


def test_legend_breaks_between_entries():
    plot = Plot("many", tuple(Series(f"series number {i}", (1.0, 2.0)) for i in range(6)))
    lines = plot_legend(plot, 40).plain.splitlines()
    assert len(lines) > 1
    samples = [3 * m for m in MARKERS[:6]]
    assert all(cell_len(line) <= 40 and not line.rstrip().endswith(tuple(samples)) for line in lines)
    assert sum(line.count(f"{sample} series number") for line in lines for sample in samples) == 6
