"""hypothesis against the parsers of untrusted text: the bank loader, the math renderer, the sanitizers."""

from __future__ import annotations

import json
import string
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlquiz import bank, mathtext, sanitize
from tests.hostile import HERE, RAW_CONTROL

# Generous: a test never fails because the machine was busy; a hang or an exponential blow-up still does.
RENDER_BOUND_S = 2.0
LOAD_BOUND_S = 5.0

LATEX_TOKENS = [
    "\\frac", "\\dfrac", "\\tfrac", "\\sqrt", "[", "]", "{", "}", "^", "_", "\\begin{cases}", "\\end{cases}",
    "\\begin{x}", "\\end{y}", "&", "\\\\", "\\left(", "\\right)", "\\left.", "$", "%", "#", "~", "x", "1",
    "\\hat", "\\operatorname", "\\text", "\\mathbf", "\\mathrm", " ", "\\", "\\alpha", "\\sum", "\\int",
    "\\newcommand", "\\def", "\\input", "\\verb", "\\,", "\\!", "''", "``", "\x1b", "\u202e", "\n", "é",
]  # fmt: skip
latex = st.one_of(st.lists(st.sampled_from(LATEX_TOKENS), max_size=40).map("".join), st.text(max_size=80))


@settings(max_examples=400, deadline=None)
@given(latex)
def test_the_renderer_never_raises_and_returns_in_time(source: str):
    started = time.perf_counter()
    text = mathtext.latex_to_text(source)
    verdict = mathtext.problem(source)
    assert time.perf_counter() - started < RENDER_BOUND_S
    assert isinstance(text, str)
    assert verdict is None or isinstance(verdict, str)


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 3000), st.sampled_from(["{", "\\sqrt{", "\\frac{a}{", "\\begin{cases}", "x^{"]))
def test_deep_or_long_formulas_fall_back_to_text(depth: int, opener: str):
    source = opener * depth
    started = time.perf_counter()
    assert isinstance(mathtext.latex_to_text(source), str)
    assert depth < 10 or mathtext.problem(source) is not None
    assert time.perf_counter() - started < RENDER_BOUND_S


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_sanitized_text_has_no_control_left_and_keeps_the_rest(text: str):
    clean = sanitize.terminal(text)
    assert not RAW_CONTROL.search(clean)
    assert sanitize.terminal(clean) == clean  # idempotent: the console may see it twice
    if not RAW_CONTROL.search(text):
        assert clean == text
    assert "\n" not in sanitize.name(text) and not RAW_CONTROL.search(sanitize.name(text))
    assert json.loads(sanitize.json_safe(json.dumps(text, ensure_ascii=False))) == text


# --- the bank loader: arbitrary text, arbitrary data, and the valid bank with bytes changed ---------------

BASE = (HERE / "base.yaml").read_text(encoding="utf-8")
YAML_BITS = [
    "&a ", "*a ", "<<: ", "!!binary ", "!!set ", "!!python/name:os.system ", "? ", "- ", "[", "]", "{", "}",
    ": ", "\n", "\t", "'", '"', "\\e", "\\x9b", "#", "---\n", "...\n", "|\n", ">\n", "9" * 30, ".inf", "~",
]  # fmt: skip


def _load_text(text: str | bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_bytes(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
        started = time.perf_counter()
        result = bank.load([], [path])
        assert time.perf_counter() - started < LOAD_BOUND_S
        for problem in result.problems:
            assert not RAW_CONTROL.search(str(problem)), str(problem)
            assert str(problem).startswith(bank.display_path(path))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.text(), st.lists(st.sampled_from(YAML_BITS + list(string.printable)), max_size=60).map("".join)
    )
)
def test_the_loader_reports_any_text_as_problems(text: str):
    _load_text(text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_the_loader_reports_any_bytes_as_problems(data: bytes):
    _load_text(data)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["section", "questions", "sections", "x"]), json_values, max_size=3))
def test_the_loader_reports_any_data_as_problems(data: dict):
    _load_text(json.dumps(data))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(BASE)), st.sampled_from(YAML_BITS)), min_size=1, max_size=4))
def test_the_loader_survives_a_valid_bank_with_insertions(edits: list[tuple[int, str]]):
    text = BASE
    for position, bit in sorted(edits, reverse=True):
        text = text[:position] + bit + text[position:]
    _load_text(text)


@pytest.mark.parametrize("digits", [16, 4301, 5000, 100_000])
def test_huge_integers_are_a_problem_not_a_crash(digits: int):
    text = BASE.replace("year: 2020", "year: " + "7" * digits)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.yaml"
        path.write_text(text, encoding="utf-8")
        data, problems = bank.read_file(path)
    assert data is None
    assert [p.line for p in problems] == [BASE.splitlines().index("    references:") + 3]
    assert f"{digits} digits" in problems[0].message
