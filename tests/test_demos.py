"""Every registered demo: runs, passes its own checks, is deterministic per seed, serializes to JSON.

The generic tests cover all topics (whoever wrote them); the last section pins the optimization and
loss demos: their ids and questions, claims over many seeds, and claims at the edges of their parameters.
"""

from __future__ import annotations

import functools
import json
import math
import re

import pytest

from dlquiz.demos.registry import DemoResult, Param, all_demos, for_question, get

DEMOS = all_demos()
IDS = sorted(DEMOS)
ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
CJK = re.compile(r"[\u4e00-\u9fff]")


@functools.cache
def run(demo_id: str, seed: int | None = None) -> DemoResult:
    return DEMOS[demo_id].run(seed=seed)


def failures(result: DemoResult) -> list[str]:
    return [f"{c.claim}: measured {c.measured}, wanted {c.tolerance}" for c in result.checks if not c.passed]


# ---------------------------------------------------------------------------------------------------
# metadata


def test_there_are_demos_in_every_topic():
    modules = {demo.fn.__module__.rsplit(".", 1)[-1] for demo in DEMOS.values()}
    assert {"optimization", "loss"} <= modules


@pytest.mark.parametrize("demo_id", IDS)
def test_titles_questions_and_params_are_well_formed(demo_id):
    demo = DEMOS[demo_id]
    assert ID_PATTERN.match(demo_id)
    assert set(demo.title) == {"en", "zh"}
    assert demo.title["en"].strip() and not CJK.search(demo.title["en"])
    assert CJK.search(demo.title["zh"]), "the Chinese title must be in Chinese"
    assert demo.questions, "every demo illustrates at least one question"
    assert all(ID_PATTERN.match(q) for q in demo.questions)
    names = [p.name for p in demo.params]
    assert len(names) == len(set(names))
    for param in demo.params:
        assert param.help.strip()
        # the default survives its own parser: `--set name=<default>` is accepted and changes nothing
        assert param.parse(str(param.default)) == param.default


# ---------------------------------------------------------------------------------------------------
# running


@pytest.mark.parametrize("demo_id", IDS)
def test_demo_runs_and_passes_its_own_checks(demo_id):
    result = run(demo_id)
    assert isinstance(result, DemoResult)
    assert result.demo_id == demo_id
    assert result.seed == DEMOS[demo_id].default_seed
    assert result.checks, "a demo must check its claim"
    assert not failures(result)
    assert result.passed


@pytest.mark.parametrize("demo_id", IDS)
def test_result_reports_every_parameter(demo_id):
    demo = DEMOS[demo_id]
    assert run(demo_id).params == {p.name: p.default for p in demo.params}


@pytest.mark.parametrize("demo_id", IDS)
def test_same_seed_gives_identical_output(demo_id):
    first, second = DEMOS[demo_id].run(seed=11), DEMOS[demo_id].run(seed=11)
    assert first.to_dict() == second.to_dict()


@pytest.mark.parametrize("demo_id", IDS)
def test_result_is_strict_json(demo_id):
    data = run(demo_id).to_dict()
    text = json.dumps(data, allow_nan=False, ensure_ascii=False)  # NaN/inf are not JSON
    assert json.loads(text)["demo_id"] == demo_id


@pytest.mark.parametrize("demo_id", IDS)
def test_tables_and_plots_are_consistent_and_small(demo_id):
    result = run(demo_id)
    assert result.tables or result.plots, "a demo shows something besides its checks"
    for table in result.tables:
        assert table.title and table.columns
        assert all(len(row) == len(table.columns) for row in table.rows)
    for plot in result.plots:
        assert plot.series
        for series in plot.series:
            assert 0 < len(series.y) <= 200, "keep plot series to about 200 points"
            assert series.x is None or len(series.x) == len(series.y)
            assert all(math.isfinite(v) for v in series.y)
    for check in result.checks:
        assert check.claim.strip() and check.tolerance.strip()
        assert isinstance(check.measured, float) and isinstance(check.passed, bool)


# ---------------------------------------------------------------------------------------------------
# parameters


def test_param_parsing():
    assert Param("n", 3, "count", min=1, max=10).parse("7") == 7
    assert Param("x", 0.5, "rate").parse("1e-3") == 0.001
    assert Param("flag", False, "switch").parse("yes") is True
    assert Param("flag", True, "switch").parse("off") is False
    assert Param("mode", "a", "mode", choices=("a", "b")).parse("b") == "b"


@pytest.mark.parametrize(
    ("param", "raw", "message"),
    [
        (Param("n", 3, "count"), "2.5", "expected int"),
        (Param("n", 3, "count", min=1), "0", ">= 1"),
        (Param("n", 3, "count", max=10), "11", "<= 10"),
        (Param("x", 0.5, "rate"), "nan", "finite"),
        (Param("x", 0.5, "rate"), "inf", "finite"),
        (Param("x", 0.5, "rate"), "fast", "expected float"),
        (Param("flag", True, "switch"), "maybe", "true or false"),
        (Param("mode", "a", "mode", choices=("a", "b")), "c", "one of a, b"),
    ],
)
def test_param_rejects_bad_values(param, raw, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        param.parse(raw)


def test_run_applies_overrides():
    result = get("newton-vs-gd").run(seed=3, overrides={"n": "20", "gd_iterations": "500"})
    assert result.params == {"n": 20, "gd_iterations": 500}
    assert result.seed == 3
    assert result.passed


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"nope": "1"}, "has no parameter 'nope' (parameters: lr, noise)"),
        ({"lr": "fast"}, "expected float"),
        ({"lr": "0.9"}, "<= 0.2"),
        ({"noise": "-1"}, ">= 0.001"),
    ],
)
def test_run_rejects_bad_overrides(overrides, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        get("saddle-escape").run(overrides=overrides)


# ---------------------------------------------------------------------------------------------------
# the optimization and loss demos

OURS = {
    "second-order-cost": {"opt-methods", "opt-gd-vs-newton"},
    "adaptive-lr-sparse": {"opt-adaptive"},
    "saddle-escape": {"opt-local-minima"},
    "batch-size-variance": {"opt-gd-principle"},
    "optimizer-race": {"opt-gd-improvements"},
    "adam-bias-correction": {"opt-gd-improvements", "opt-adaptive"},
    "newton-vs-gd": {"opt-newton", "opt-gd-vs-newton"},
    "regression-loss-gradients": {"loss-smooth-l1", "loss-l1-vs-l2"},
    "mean-vs-median": {"loss-l1-vs-l2"},
    "ce-vs-mse-gradient": {"loss-ce-vs-mse"},
    "multilabel-bce": {"loss-multilabel"},
    "logreg-gradient": {"loss-logistic-regression"},
}


def test_optimization_and_loss_demos_and_their_questions():
    for demo_id, questions in OURS.items():
        assert set(DEMOS[demo_id].questions) == questions, demo_id
    assert {d.id for d in for_question("opt-gd-vs-newton")} >= {"second-order-cost", "newton-vs-gd"}


@pytest.mark.parametrize("demo_id", sorted(OURS))
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_claims_hold_for_other_seeds(demo_id, seed):
    assert not failures(run(demo_id, seed))


@pytest.mark.parametrize(
    ("demo_id", "overrides"),
    [
        ("second-order-cost", {"n": "2"}),
        ("second-order-cost", {"kappa": "20", "n": "300"}),
        ("adaptive-lr-sparse", {"p": "0.02"}),
        ("adaptive-lr-sparse", {"p": "0.25"}),
        ("saddle-escape", {"lr": "0.05", "noise": "0.001"}),
        ("saddle-escape", {"lr": "0.2", "noise": "0.05"}),
        ("batch-size-variance", {"lr": "0.15", "epochs": "1"}),
        ("optimizer-race", {"kappa": "50", "steps": "500"}),
        ("optimizer-race", {"kappa": "200"}),
        ("adam-bias-correction", {"beta1": "0", "beta2": "0.9", "lr": "1"}),
        ("adam-bias-correction", {"beta1": "0.999", "beta2": "0.99999"}),
        ("newton-vs-gd", {"n": "2", "gd_iterations": "100"}),
        ("regression-loss-gradients", {"beta": "0.1", "outlier": "1e6"}),
        ("regression-loss-gradients", {"beta": "3", "outlier": "5"}),
        ("mean-vs-median", {"outliers": "0"}),
        ("mean-vs-median", {"outliers": "20"}),
        ("ce-vs-mse-gradient", {"z": "-30"}),
        ("ce-vs-mse-gradient", {"z": "-5"}),
        ("multilabel-bce", {"steps": "100", "labels": "20"}),
        ("logreg-gradient", {"lam": "0", "m": "5"}),
        ("logreg-gradient", {"lam": "10", "m": "2000"}),
    ],
)
def test_claims_hold_at_parameter_edges(demo_id, overrides):
    assert not failures(get(demo_id).run(overrides=overrides))


def test_adam_first_uncorrected_step_is_larger():
    # the pitfall the demo exists for: 0.1 / sqrt(0.001) = 3.16, not a smaller step
    result = run("adam-bias-correction")
    first_row = result.tables[0].rows[0]
    assert first_row[0] == 1
    assert first_row[1] == pytest.approx(1.0, abs=1e-4)
    assert first_row[2] == pytest.approx(0.1 / math.sqrt(0.001), rel=1e-4)


# ---------------------------------------------------------------------------------------------------
# the JSON schema of a result


@functools.cache
def result_validator():
    from importlib.resources import files

    import jsonschema

    schema = json.loads(files("dlquiz.demos").joinpath("result.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("demo_id", IDS)
def test_result_matches_the_json_schema(demo_id):
    data = json.loads(json.dumps(run(demo_id).to_dict(), allow_nan=False))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in result_validator().iter_errors(data)]
    assert not errors


def test_schema_rejects_a_malformed_result():
    data = json.loads(json.dumps(run("logreg-gradient").to_dict()))
    data["checks"][0]["measured"] = "small"
    del data["passed"]
    messages = [e.message for e in result_validator().iter_errors(data)]
    assert any("'passed' is a required property" in m for m in messages)
    assert any("is not of type 'number'" in m for m in messages)
