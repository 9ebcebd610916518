"""dlquiz prove: run demos by id or by question, parameters, JSON, the list, and the exit code."""

from __future__ import annotations

import json

import jsonschema
import pytest

from dlquiz.demos import registry
from dlquiz.demos.registry import Check, DemoResult, Param
from tests.conftest import ROOT

SCHEMA = json.loads((ROOT / "dlquiz" / "demos" / "result.schema.json").read_text(encoding="utf-8"))


def test_prove_a_demo_draws_its_checks(cli) -> None:
    result = cli("prove", "bn-backward", "--no-plots")
    assert result.exit_code == 0, result.output
    assert "✓" in result.stdout and "✗" not in result.stdout
    assert "checks passed" in result.stdout


def test_prove_a_question_runs_each_of_its_demos(cli) -> None:
    result = cli("prove", "opt-gd-improvements", "--json")
    assert result.exit_code == 0, result.output
    ids = {r["demo_id"] for r in json.loads(result.stdout)}
    assert ids == {d.id for d in registry.for_question("opt-gd-improvements")}
    assert {"optimizer-race", "adam-bias-correction"} <= ids


def test_prove_json_matches_the_schema_and_repeats_with_one_seed(cli) -> None:
    first = cli("prove", "adam-bias-correction", "--json", "--seed", "3")
    second = cli("prove", "adam-bias-correction", "--json", "--seed", "3")
    assert first.exit_code == 0 and first.stdout == second.stdout
    data = json.loads(first.stdout)
    jsonschema.validate(data, SCHEMA)
    assert data["passed"] is True and data["seed"] == 3


def test_set_changes_a_parameter_and_is_validated(cli) -> None:
    result = cli("prove", "adam-bias-correction", "--json", "--set", "rows=5")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["params"]["rows"] == 5
    for bad, message in [
        ("nope=1", "no parameter 'nope'"),
        ("rows=many", "expected int"),
        ("rows", "NAME=VALUE"),
    ]:
        result = cli("prove", "adam-bias-correction", "--set", bad)
        assert result.exit_code == 2 and message in result.stderr, (bad, result.output)
        assert "Traceback" not in result.output
    result = cli("prove", "opt-gd-improvements", "--set", "steps=10")
    assert result.exit_code == 2 and "one demo at a time" in result.stderr


def test_unknown_id_suggests_the_closest(cli) -> None:
    result = cli("prove", "bn-backwrd")
    assert result.exit_code == 2
    assert "bn-backward" in result.stderr


def test_list_shows_every_demo(cli) -> None:
    result = cli("prove", "--list", "--json")
    listed = {d["id"] for d in json.loads(result.stdout)}
    assert listed == set(registry.all_demos()) and len(listed) >= 22
    text = cli("prove", "--list").stdout
    assert all(demo_id in text for demo_id in listed)


@pytest.fixture
def failing_demo(monkeypatch: pytest.MonkeyPatch) -> str:
    registry.all_demos()  # load the real ones first

    def fn(rng, *, seed: int, size: int) -> DemoResult:
        return DemoResult(
            "lab-fails",
            "a claim that does not hold",
            {"size": size},
            seed,
            checks=(Check("one equals two", 1.0, "= 2", False),),
        )

    demo = registry.Demo(
        "lab-fails", {"en": "fails", "zh": "失败"}, ("lab",), (Param("size", 3, "size"),), fn
    )
    monkeypatch.setitem(registry._REGISTRY, "lab-fails", demo)
    return "lab-fails"


def test_a_failing_check_exits_1_and_is_marked(cli, failing_demo: str) -> None:
    result = cli("prove", failing_demo, "--no-plots")
    assert result.exit_code == 1
    assert "✗" in result.stdout and "one equals two" in result.stdout


def test_show_lists_the_command_for_each_demo(cli) -> None:
    result = cli("show", "bn-backward")
    assert "dlquiz prove bn-backward" in result.stdout
