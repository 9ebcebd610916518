"""No meaning carried by colour alone: read without colour (NO_COLOR, a monochrome terminal, a pipe), the
heatmap levels, plot series, mock countdown, suggested grade and right versus wrong still differ.

Each check reads the plain text (colour and styles stripped), which is what a monochrome terminal shows.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

from rich.console import Console

from dlquiz.demos.registry import Plot, Series
from dlquiz.render import mock as mock_view
from dlquiz.render import quiz as quiz_view
from dlquiz.render import stats as stats_view
from dlquiz.render import study as study_view
from dlquiz.render.demos import MARKERS, plot_legend, plot_text

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def monochrome(renderable, width: int = 100) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None, no_color=True, record=True)
    console.print(renderable)
    text = console.export_text(styles=True)
    assert "\x1b[" not in ANSI.sub("", text)
    return ANSI.sub("", text)


# --- heatmap ----------------------------------------------------------------------------------------------


def test_heatmap_levels_have_their_own_glyphs_and_the_legend_uses_them():
    monday = date(2026, 9, 7)
    counts = [0, 1, 4, 7, 10] + [0] * 79  # one day at each level, the busiest has 10
    days = [(monday + timedelta(days=i), n) for i, n in enumerate(counts)]
    text = monochrome(stats_view.heatmap(days))
    levels = [stats_view.level(n, 10) for n in counts[:5]]
    assert levels == [0, 1, 2, 3, 4]
    grid = "\n".join(line for line in text.splitlines()[1:8])  # the seven weekday rows
    for glyph in stats_view.GLYPHS:
        assert glyph in grid
    assert "less " + " ".join(stats_view.GLYPHS) + " more" in text
    assert len(set(stats_view.GLYPHS)) == 5


def test_stats_without_colour_shows_todays_reviews(cli):
    assert cli("grade", "bn-backward", "good").exit_code == 0
    out = cli("stats", env={"NO_COLOR": "1", "COLUMNS": "120"}).stdout
    assert "\x1b[" not in out
    assert "less · ░ ▒ ▓ █ more" in out
    grid = out.split("less")[0]
    assert "░" in grid  # the one day with a review, at the first level (one review is not busy)


# --- plots ------------------------------------------------------------------------------------------------


def test_plot_series_are_drawn_with_different_glyphs_named_in_the_legend():
    plot = Plot(
        "two lines",
        (
            Series("rising", tuple(float(i) for i in range(10))),
            Series("falling", tuple(9.0 - i for i in range(10))),
        ),
    )
    drawn = ANSI.sub("", plot_text(plot, 60))
    area = "\n".join(line.split("┤", 1)[1] for line in drawn.splitlines() if "┤" in line)
    assert MARKERS[0] in area and MARKERS[1] in area
    legend = monochrome(plot_legend(plot, 60))
    assert f"{MARKERS[0] * 3} rising" in legend and f"{MARKERS[1] * 3} falling" in legend


def test_a_single_series_keeps_fine_braille_dots():
    plot = Plot("one line", (Series("only", (1.0, 2.0, 3.0)),))
    drawn = ANSI.sub("", plot_text(plot, 60))
    area = "\n".join(line.split("┤", 1)[1] for line in drawn.splitlines() if "┤" in line)
    assert re.search("[\u2800-\u28ff]", area)
    assert MARKERS[0] not in area and MARKERS[1] not in area


# --- mock countdown ---------------------------------------------------------------------------------------


def test_mock_countdown_reads_without_colour():
    plenty = monochrome(mock_view.typing([], "", left=90, seconds=120))
    assert "1:30 left" in plenty and "━" * 18 + "╌" * 6 in plenty
    assert "almost out of time" not in plenty
    late = monochrome(mock_view.typing([], "", left=12, seconds=120))
    assert "0:12 left" in late and "almost out of time" in late
    assert "━" * 2 + "╌" * 22 in late


def test_a_timed_out_answer_says_so_in_words():
    from types import SimpleNamespace

    def answer(timed_out: bool) -> SimpleNamespace:
        return SimpleNamespace(
            question_id="q", covered={0}, total=2, score=0.5, duration_ms=120_000, timed_out=timed_out
        )

    report = SimpleNamespace(
        answers=[answer(False), answer(True)],
        covered=2,
        total=4,
        score=0.5,
        duration_ms=240_000,
        weakest=[],
        mock_id=1,
    )
    no_catalog = SimpleNamespace(get=lambda _id: None)
    text = monochrome(mock_view.report(report, no_catalog, "en"), width=120)
    assert text.count("⏰ over time") == 1


# --- the suggested grade, and right versus wrong ------------------------------------------------------------


def test_the_suggested_grade_is_marked_with_a_glyph():
    preview = {
        1: timedelta(minutes=1),
        2: timedelta(minutes=6),
        3: timedelta(minutes=10),
        4: timedelta(days=4),
    }
    text = monochrome(study_view.grade_bar(preview, suggested=1))
    assert "▶[1 Again · 1m]" in text
    assert text.count("▶") == 1 and "[3 Good" not in text
    assert "▶" not in monochrome(study_view.grade_bar(preview))


def test_right_and_wrong_differ_in_glyph_and_words():
    right = monochrome(study_view.verdict(True, "A", "A"))
    wrong = monochrome(study_view.verdict(False, "B", "A"))
    assert right.startswith("✓ correct") and wrong.startswith("✗ not quite")
    assert monochrome(quiz_view.recorded(True)).startswith("✓")
    assert monochrome(quiz_view.recorded(False)).startswith("✗")
