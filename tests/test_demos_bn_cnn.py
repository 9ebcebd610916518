"""Batch-norm and CNN demos: the ids and questions they serve, robustness of their claims, parameters."""

from __future__ import annotations

import pytest

from dlquiz.demos import all_demos, get

EXPECTED = {
    "bn-moments": ("bn-what",),
    "bn-param-count": ("bn-params",),
    "bn-deep-stats": ("bn-effects",),
    "bn-backward": ("bn-backward", "bn-implement"),
    "bn-fold-conv": ("bn-where",),
    "bn-identity": ("bn-why-rescale",),
    "bn-running-stats": ("bn-train-vs-test",),
    "bn-activation-order": ("bn-vs-activation-order",),
    "cnn-param-counts": ("cnn-classic-models",),
    "conv-output-size": ("cnn-structure",),
    "fc-vs-conv-params": ("cnn-vs-fc",),
    "pooling-shift": ("cnn-layers",),
    "conv-equivariance": ("cnn-why-conv",),
    "resnet-gradient": ("cnn-resnet",),
    "resnext-block-params": ("cnn-resnet-v2-resnext",),
    "inception-factorization": ("cnn-inception",),
    "densenet-growth": ("cnn-densenet",),
}


def test_ids_and_questions():
    demos = all_demos()
    for demo_id, questions in EXPECTED.items():
        assert demo_id in demos, demo_id
        assert demos[demo_id].questions == questions
        assert set(demos[demo_id].title) == {"en", "zh"}


@pytest.mark.parametrize("demo_id", sorted(EXPECTED))
@pytest.mark.parametrize("seed", range(8))
def test_claims_hold_for_many_seeds(demo_id, seed):
    result = get(demo_id).run(seed=seed)
    failed = [c.claim for c in result.checks if not c.passed]
    assert not failed, failed
    assert result.checks
    for plot in result.plots:
        for series in plot.series:
            assert len(series.y) <= 200
            assert series.x is None or len(series.x) == len(series.y)


@pytest.mark.parametrize("demo_id", sorted(EXPECTED))
def test_same_seed_same_output(demo_id):
    demo = get(demo_id)
    assert demo.run(seed=3).to_dict() == demo.run(seed=3).to_dict()


@pytest.mark.parametrize(
    ("demo_id", "overrides"),
    [
        ("bn-deep-stats", {"activation": "relu"}),
        ("bn-deep-stats", {"activation": "relu", "depth": "30", "init_scale": "0.1"}),
        ("bn-deep-stats", {"depth": "10", "init_scale": "0.5", "width": "16", "batch": "32"}),
        ("bn-backward", {"batch": "4", "features": "1"}),
        ("bn-backward", {"batch": "64", "features": "16", "eps": "0.1"}),
        ("bn-moments", {"batch": "128", "gamma": "0.1", "beta": "-10"}),
        ("bn-running-stats", {"batch": "2", "momentum": "0.5", "steps": "50"}),
        ("bn-running-stats", {"batch": "1024", "momentum": "0.01", "steps": "2000"}),
        ("bn-activation-order", {"dead_units": "0"}),
        ("bn-activation-order", {"batch": "64", "units": "512", "dead_units": "64"}),
        ("bn-identity", {"batch": "2", "eps": "0"}),
        ("bn-fold-conv", {"channels": "64", "eps": "1"}),
        ("resnet-gradient", {"depth": "30", "width": "256"}),
        ("resnet-gradient", {"depth": "60", "width": "64"}),
        ("densenet-growth", {"k0": "3", "growth": "12", "layers": "24"}),
        ("inception-factorization", {"n": "3"}),
        ("conv-equivariance", {"shift": "6"}),
        ("fc-vs-conv-params", {"units": "1"}),
        ("pooling-shift", {"images": "4"}),
    ],
)
def test_claims_hold_at_parameter_extremes(demo_id, overrides):
    result = get(demo_id).run(seed=1, overrides=overrides)
    assert result.passed, [c.claim for c in result.checks if not c.passed]
    for name, raw in overrides.items():
        assert str(result.params[name]) == raw or float(result.params[name]) == float(raw)


@pytest.mark.parametrize(
    ("demo_id", "overrides", "message"),
    [
        ("bn-deep-stats", {"activation": "sigmoid"}, "expected one of"),
        ("bn-deep-stats", {"depth": "5"}, "must be >="),
        ("bn-deep-stats", {"init_scale": "1.0"}, "must be <="),
        ("bn-backward", {"batch": "eight"}, "expected int"),
        ("bn-moments", {"gamma": "nan"}, "finite"),
        ("resnet-gradient", {"layers": "50"}, "has no parameter"),
    ],
)
def test_bad_overrides_are_rejected(demo_id, overrides, message):
    with pytest.raises(ValueError, match=message):
        get(demo_id).run(overrides=overrides)


def test_activation_order_rejects_all_dead():
    with pytest.raises(ValueError, match="dead_units"):
        get("bn-activation-order").run(overrides={"units": "8", "dead_units": "8"})


def test_param_counts_are_exact():
    checks = {c.claim: c.measured for c in get("cnn-param-counts").run().checks}
    measured = sorted(v for v in checks.values() if v > 1000)
    assert measured == [60_000, 61_706, 25_557_032, 61_100_840, 138_357_544]
