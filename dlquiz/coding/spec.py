"""What a code drill is, and how the judge compares two implementations' outputs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Functions = Mapping[str, Callable[..., Any]]
Case = dict[str, Any]

# Outputs agree when their norm-wise relative error is below this: far above float64 round-off in these
# small kernels (1e-12 or so), far below any real mistake (ε inside the root with a small variance is
# about 1e-3).
RTOL = 1e-6


@dataclass(frozen=True)
class Mistake:
    """A known-wrong implementation of a mistake people really make, and how to name it."""

    id: str
    en: str
    zh: str
    functions: Functions  # the drill's functions as that mistaken candidate would write them


@dataclass(frozen=True)
class CodeDrill:
    """One drill: the functions to write and everything the judge needs to check them.

    ``run(functions, case)`` calls the implementation the way the drill's protocol says (forward then
    backward with the user's own cache, five optimizer steps feeding the state back) and returns the
    named outputs. ``gradients(functions, rng)`` returns ``(name, analytic, numeric)`` triples.
    """

    id: str
    question: str
    functions: tuple[str, ...]
    template: str  # the starter code: signatures, docstrings and TODOs (no solution)
    reference: Functions
    cases: Callable[[np.random.Generator], list[Case]]
    run: Callable[[Functions, Case], dict[str, Any]]
    mistakes: tuple[Mistake, ...] = ()
    gradients: Callable[[Functions, np.random.Generator], list[tuple[str, Any, Any]]] | None = None
    extreme: Callable[[np.random.Generator], list[Case]] | None = None  # must stay finite
    solution: str = ""  # the reference source shown by `dlquiz code solution`
    difficulty: int = 2  # 1 easy .. 3 hard
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def file_name(self) -> str:
        return self.id.replace("-", "_") + ".py"


def function_template(signature: str, doc: str, todo: str, note: str = "") -> str:
    """Starter code for a drill with one function: its signature, docstring and a TODO, no solution."""
    doc = f"{doc}\n\n    {note}\n    " if note else doc
    return f'''
import numpy as np


def {signature}:
    """{doc}"""
    # TODO: {todo}
    raise NotImplementedError
'''


def relative_error(a: Any, b: Any) -> float:
    """‖a − b‖ / max(‖a‖, ‖b‖) over whole arrays; NaN in the same places counts as equal."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    same_nan = np.isnan(a) & np.isnan(b)
    a, b = np.where(same_nan, 0.0, a), np.where(same_nan, 0.0, b)
    if not (np.all(np.isfinite(a) | same_nan) and np.all(np.isfinite(b) | same_nan)):
        return 0.0 if np.array_equal(a, b) else float("inf")
    scale = max(float(np.linalg.norm(a)), float(np.linalg.norm(b)))
    return float(np.linalg.norm(a - b)) / scale if scale > 0 else 0.0


def as_array(value: Any) -> np.ndarray | None:
    """The value as a float array, or None when it is not numeric (a string, None, a dict ...)."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    return array


def agree(a: Any, b: Any, rtol: float = RTOL) -> bool:
    x, y = as_array(a), as_array(b)
    if x is None or y is None:
        return False
    return x.shape == y.shape and relative_error(x, y) <= rtol


def copy_case(case: Case) -> Case:
    return {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in case.items()}
