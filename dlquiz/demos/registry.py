"""The demo registry: named, parameterized, deterministic "prove it" programs.

A demo is a plain function ``fn(rng, **params) -> DemoResult`` registered with :func:`demo`. It never
prints: it returns tables, series and checks, and ``dlquiz.render`` draws them. Topic modules
(``optimization``, ``batchnorm``, ``cnn``, ``loss``) register their demos when imported; the registry
imports them on first use, so ``dlquiz --help`` never pays for NumPy.
"""

from __future__ import annotations

import importlib
import math
import os
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from dlquiz.i18n import _

TOPIC_MODULES = ("optimization", "batchnorm", "cnn", "loss")


@dataclass(frozen=True)
class Param:
    """A named demo parameter; ``--set name=value`` is parsed with ``type`` and checked against bounds."""

    name: str
    default: int | float | str | bool
    help: str
    choices: tuple[Any, ...] | None = None
    min: float | None = None
    max: float | None = None

    @property
    def type(self) -> type:
        return type(self.default)

    def parse(self, raw: str) -> Any:
        """Turn the text of ``--set name=value`` into a checked value, or raise ValueError."""
        kind = self.type
        if kind is bool:
            lowered = raw.strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                value: Any = True
            elif lowered in ("0", "false", "no", "off"):
                value = False
            else:
                raise ValueError(
                    _("{name}: expected true or false, got {raw!r}").format(name=self.name, raw=raw)
                )
        else:
            try:
                value = kind(raw)
            except ValueError:
                raise ValueError(
                    _("{name}: expected {kind}, got {raw!r}").format(
                        name=self.name, kind=kind.__name__, raw=raw
                    )
                ) from None
            if kind is float and not math.isfinite(value):
                raise ValueError(
                    _("{name}: expected a finite number, got {raw!r}").format(name=self.name, raw=raw)
                )
        if self.choices is not None and value not in self.choices:
            raise ValueError(
                _("{name}: expected one of {choices}, got {raw!r}").format(
                    name=self.name, choices=", ".join(map(str, self.choices)), raw=raw
                )
            )
        if self.min is not None and value < self.min:
            raise ValueError(
                _("{name}: must be >= {min}, got {raw!r}").format(name=self.name, min=self.min, raw=raw)
            )
        if self.max is not None and value > self.max:
            raise ValueError(
                _("{name}: must be <= {max}, got {raw!r}").format(name=self.name, max=self.max, raw=raw)
            )
        return value


@dataclass(frozen=True)
class Check:
    """One claim the demo verifies: ``measured`` compared with ``expected`` under ``tolerance``."""

    claim: str
    measured: float
    tolerance: str  # human-readable, e.g. "< 1e-7" or "> 10x"
    passed: bool


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class Series:
    """One line of a plot: y against x (x defaults to 0..n-1)."""

    label: str
    y: tuple[float, ...]
    x: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Plot:
    title: str
    series: tuple[Series, ...]
    xlabel: str = ""
    ylabel: str = ""
    logy: bool = False


@dataclass(frozen=True)
class DemoResult:
    demo_id: str
    title: str
    params: dict[str, Any]
    seed: int
    summary: str = ""
    tables: tuple[Table, ...] = ()
    plots: tuple[Plot, ...] = ()
    checks: tuple[Check, ...] = ()

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["passed"] = self.passed
        return data


@dataclass(frozen=True)
class Demo:
    id: str
    title: dict[str, str]  # {"en": ..., "zh": ...}
    questions: tuple[str, ...]
    params: tuple[Param, ...]
    fn: Callable[..., DemoResult]
    default_seed: int = 0

    def run(self, seed: int | None = None, overrides: dict[str, str] | None = None) -> DemoResult:
        """Run with defaults, replaced by the parsed ``overrides``; raises ValueError on a bad one."""
        import numpy as np

        known = {p.name: p for p in self.params}
        values = {p.name: p.default for p in self.params}
        for name, raw in (overrides or {}).items():
            if name not in known:
                names = ", ".join(known) or _("none")
                raise ValueError(
                    _("{demo} has no parameter {name!r} (parameters: {names})").format(
                        demo=self.id, name=name, names=names
                    )
                )
            values[name] = known[name].parse(raw)
        seed = self.default_seed if seed is None else seed
        return self.fn(np.random.default_rng(seed), seed=seed, **values)


MAX_POINTS = 200  # a plot series never needs more points than a terminal can show


def check(claim: str, measured: float, tolerance: str, passed: bool) -> Check:
    """A Check with plain Python numbers (NumPy scalars would not serialize to JSON)."""
    return Check(claim, float(measured), tolerance, bool(passed))


def series(label: str, y: Any, x: Any = None, max_points: int = MAX_POINTS) -> Series:
    """A plot line thinned to at most ``max_points`` evenly spaced points, the first and last kept."""
    import numpy as np

    ys = np.asarray(y, dtype=float)
    xs = np.arange(ys.size, dtype=float) if x is None else np.asarray(x, dtype=float)
    if ys.size > max_points:
        keep = np.unique(np.linspace(0, ys.size - 1, max_points).round().astype(int))
        xs, ys = xs[keep], ys[keep]
    return Series(label, tuple(float(v) for v in ys), tuple(float(v) for v in xs))


_REGISTRY: dict[str, Demo] = {}
_loaded = False


def demo(
    id: str,
    title: dict[str, str],
    questions: tuple[str, ...] | list[str],
    params: tuple[Param, ...] | list[Param] = (),
    default_seed: int = 0,
) -> Callable[[Callable[..., DemoResult]], Callable[..., DemoResult]]:
    """Register ``fn(rng, *, seed, **params) -> DemoResult`` under ``id``."""

    def register(fn: Callable[..., DemoResult]) -> Callable[..., DemoResult]:
        if id in _REGISTRY:
            raise RuntimeError(f"demo id {id!r} registered twice")
        _REGISTRY[id] = Demo(id, dict(title), tuple(questions), tuple(params), fn, default_seed)
        return fn

    return register


def _load_all() -> None:
    global _loaded
    if _loaded:
        return
    # The demos multiply matrices of a few hundred entries: BLAS threads only add overhead, and on a
    # busy machine they turned a 20 ms demo into 700 ms. Effective when NumPy is not imported yet.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    for name in TOPIC_MODULES:
        try:
            importlib.import_module(f"dlquiz.demos.{name}")
        except ModuleNotFoundError as error:
            # A topic module not written yet is fine; a missing import inside one is a bug.
            if error.name != f"dlquiz.demos.{name}":
                raise
    _loaded = True


def all_demos() -> dict[str, Demo]:
    _load_all()
    return dict(_REGISTRY)


def get(demo_id: str) -> Demo | None:
    return all_demos().get(demo_id)


def for_question(question_id: str) -> list[Demo]:
    return [d for d in all_demos().values() if question_id in d.questions]


def paragraph(*sentences: str) -> str:
    """Translated sentences as one paragraph: a space between English ones, none after a Chinese 。

    Nor between two Han characters, where a value ("超过 3000") was put after a space in a template."""
    return re.sub(
        r"(?<=[\u3000-\u303f\uff00-\uffef]) |(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])",
        "",
        " ".join(sentences),
    )
