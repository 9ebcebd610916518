"""The judge: runs a drill's checks on an implementation and names the known mistake it matches.

It runs inside the sandboxed subprocess (see ``runner``) on the user's functions, and in the tests on
the reference and on every shipped mistake, so the same code decides both.
"""

from __future__ import annotations

import inspect
import sys
import traceback
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from dlquiz.coding.spec import Case, CodeDrill, Functions, Mistake, agree, as_array, copy_case, relative_error
from dlquiz.i18n import N_

N_CASES_SEED = 20251130  # fixed: a drill is judged on the same cases every time


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""  # in English: stable for --json readers
    # The same findings as message templates (msgids) with their values, so the interface can show them
    # in the user's language: [{"msg": "{name} differs (rel err {err})", "args": {...}}, ...]
    parts: list[dict[str, Any]] = field(default_factory=list)


def _check(name: str, ok: bool, parts: list[dict[str, Any]]) -> Check:
    return Check(name, ok, "; ".join(p["msg"].format(**p["args"]) for p in parts), parts)


def _say(template: str, **args: Any) -> dict[str, Any]:
    """One finding: an English template marked for the catalog, and its values as text."""
    return {"msg": template, "args": {k: str(v) for k, v in args.items()}}


def _list(names: Any) -> str:
    return ", ".join(names)


@dataclass
class Verdict:
    drill: str
    checks: list[Check] = field(default_factory=list)
    mistake: dict[str, str] | None = None
    error: str | None = None  # the user's exception, with the user's own traceback lines only

    @property
    def passed(self) -> bool:
        return self.error is None and bool(self.checks) and all(c.ok for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["passed"] = self.passed
        return data


class UserError(Exception):
    """The user's code raised: carries its formatted traceback."""


def user_traceback(error: BaseException, user_file: str | None) -> str:
    """The exception with only the frames from the user's file (not the judge's or NumPy's)."""
    frames = traceback.extract_tb(error.__traceback__)
    mine = [f for f in frames if user_file and f.filename == user_file]
    lines = traceback.format_list(mine) if mine else []
    return ("".join(lines) + "".join(traceback.format_exception_only(type(error), error))).rstrip()


def judge(drill: CodeDrill, functions: Functions, user_file: str | None = None) -> Verdict:
    # NumPy's warnings (overflow, divide by zero) are findings the checks report, not failures of the
    # judge; and the tests' warnings-as-errors must not make a mistake "raise" where the user's did not.
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return _judge(drill, functions, user_file)


def _judge(drill: CodeDrill, functions: Functions, user_file: str | None) -> Verdict:
    verdict = Verdict(drill.id)
    missing = _signature_problems(drill, functions)
    verdict.checks.append(_check("signature", not missing, missing))
    if missing:
        return verdict
    rng = np.random.default_rng(N_CASES_SEED)
    cases = drill.cases(rng)
    extreme = drill.extreme(rng) if drill.extreme else []

    def call(fns: Functions, case: Case) -> dict[str, Any]:
        return drill.run(fns, copy_case(case))

    try:
        first = call(functions, cases[0])
    except Exception as error:  # the user's code: any exception is a finding, not a crash
        verdict.error = user_traceback(error, user_file)
        return verdict
    expected = call(drill.reference, cases[0])
    shape_problems = _shape_problems(first, expected)
    verdict.checks.append(_check("shapes and dtypes", not shape_problems, shape_problems))

    try:
        mine = [call(functions, c) for c in cases]
    except Exception as error:
        verdict.error = user_traceback(error, user_file)
        return verdict
    reference = [call(drill.reference, c) for c in cases]
    worst = max(relative_error(*_pair(m[k], r[k])) for m, r in zip(mine, reference, strict=True) for k in r)
    differing = _differing(mine, reference)
    if not differing:
        finding = _say(N_("max rel err {err}"), err=f"{worst:.1e}")
    elif len(differing) == 1:
        finding = _say(N_("{name} differs (rel err {err})"), name=differing[0], err=f"{worst:.2g}")
    else:
        finding = _say(N_("{names} differ (rel err {err})"), names=_list(differing), err=f"{worst:.2g}")
    verdict.checks.append(
        _check(f"matches the reference on {len(cases)} random cases", not differing, [finding])
    )

    if drill.gradients:
        try:
            triples = drill.gradients(functions, np.random.default_rng(N_CASES_SEED + 1))
        except Exception as error:
            verdict.error = user_traceback(error, user_file)
            return verdict
        bad = [(name, relative_error(a, n)) for name, a, n in triples if not agree(a, n, 1e-5)]
        names = [name for name, _, _ in triples]
        if bad:
            findings = [
                _say(
                    N_("{name} disagrees with the numeric gradient (rel err {err})"),
                    name=name,
                    err=f"{err:.2g}",
                )
                for name, err in bad
            ]
        elif len(names) == 1:
            findings = [_say(N_("{name} agrees with the numeric gradient"), name=names[0])]
        else:
            findings = [_say(N_("{names} agree with the numeric gradient"), names=_list(names))]
        verdict.checks.append(_check("gradient check", not bad, findings))

    mutated = _mutations(drill, functions, cases[:5])
    verdict.checks.append(_check("inputs not modified", not mutated, mutated))

    if extreme:
        try:
            wild = [call(functions, c) for c in extreme]
        except Exception as error:
            verdict.error = user_traceback(error, user_file)
            return verdict
        wild_ref = [call(drill.reference, c) for c in extreme]
        unstable = _differing(wild, wild_ref)
        finding = (
            _say(N_("{names} overflow or differ on extreme inputs"), names=_list(unstable))
            if unstable
            else _say(N_("finite and exact"))
        )
        verdict.checks.append(_check("stable on extreme inputs", not unstable, [finding]))
        mine, reference, cases = mine + wild, reference + wild_ref, cases + extreme

    if not verdict.passed:
        found = name_mistake(drill, mine, reference, cases)
        if found:
            verdict.mistake = {"id": found.id, "en": found.en, "zh": found.zh}
    return verdict


def name_mistake(
    drill: CodeDrill, mine: list[dict[str, Any]], reference: list[dict[str, Any]], cases: list[Case]
) -> Mistake | None:
    """The shipped mistake that explains every output where the user differs from the reference.

    A mistake matches when, for each (case, output) the user gets wrong, the mistaken implementation
    gives the user's value, and it is itself wrong there (so a mistake that only coincides with the
    reference explains nothing). Outputs the user gets right are not compared: a mistake in the backward
    pass is named even if the user's cache holds different things.
    """
    wrong = [
        (i, k)
        for i, (m, r) in enumerate(zip(mine, reference, strict=True))
        for k in r
        if not agree(m.get(k), r[k])
    ]
    if not wrong:
        return None
    partial = None
    for mistake in drill.mistakes:
        try:
            theirs = [drill.run(mistake.functions, copy_case(c)) for c in cases]
        except Exception:  # a mistake that raises on some case cannot be the user's (who did not raise)
            continue
        if not all(agree(mine[i].get(k), theirs[i][k]) for i, k in wrong):
            continue
        # One that also reproduces every output the user got right is the better name: "the gradient is
        # not averaged" over "the loss is summed" when the user's loss is right.
        if all(agree(m.get(k), t[k]) for m, t in zip(mine, theirs, strict=True) for k in t):
            return mistake
        partial = partial or mistake
    return partial


def _differing(mine: list[dict[str, Any]], reference: list[dict[str, Any]]) -> list[str]:
    """The outputs that disagree with the reference's in at least one case."""
    return sorted({k for m, r in zip(mine, reference, strict=True) for k in r if not agree(m.get(k), r[k])})


def _pair(a: Any, b: Any) -> tuple[Any, Any]:
    x, y = as_array(a), as_array(b)
    if x is None or y is None or x.shape != y.shape:
        return np.array([1.0]), np.array([0.0])  # incomparable: counts as a rel err of 1
    return x, y


def _signature_problems(drill: CodeDrill, functions: Functions) -> list[dict[str, Any]]:
    problems = []
    for name in drill.functions:
        fn = functions.get(name)
        if not callable(fn):
            problems.append(_say(N_("no function {name}() in the file"), name=name))
            continue
        wanted = list(inspect.signature(drill.reference[name]).parameters)
        try:
            have = inspect.signature(fn).parameters
        except (TypeError, ValueError):
            continue
        has_var = any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in have.values())
        missing = [p for p in wanted if p not in have]
        if missing and not has_var:
            problems.append(
                _say(
                    N_("{name}() must take ({wanted}); missing {missing}"),
                    name=name,
                    wanted=_list(wanted),
                    missing=_list(missing),
                )
            )
    return problems


def _shape_problems(mine: dict[str, Any], expected: dict[str, Any]) -> list[dict[str, Any]]:
    problems = []
    for key, want in expected.items():
        got = mine.get(key)
        got_a, want_a = as_array(got), np.asarray(want)
        if got_a is None:
            problems.append(
                _say(
                    N_("{key} is {type}, expected an array of shape {shape}"),
                    key=key,
                    type=type(got).__name__,
                    shape=want_a.shape,
                )
            )
        elif got_a.shape != want_a.shape:
            problems.append(
                _say(
                    N_("{key} has shape {shape}, expected {expected}"),
                    key=key,
                    shape=got_a.shape,
                    expected=want_a.shape,
                )
            )
        elif isinstance(got, np.ndarray) and np.issubdtype(want_a.dtype, np.floating):
            if not np.issubdtype(got.dtype, np.floating):
                problems.append(
                    _say(N_("{key} has dtype {dtype}, expected a float array"), key=key, dtype=got.dtype)
                )
            elif got.dtype != np.float64:
                problems.append(
                    _say(
                        N_("{key} has dtype {dtype}, expected float64 (precision is lost)"),
                        key=key,
                        dtype=got.dtype,
                    )
                )
    return problems


def _mutations(drill: CodeDrill, functions: Functions, cases: list[Case]) -> list[dict[str, Any]]:
    found = set()
    for case in cases:
        before = copy_case(case)
        given = copy_case(case)
        try:
            drill.run(functions, given)
        except Exception:
            continue
        for key, value in before.items():
            if isinstance(value, np.ndarray) and not np.array_equal(value, given[key], equal_nan=True):
                found.add(key)
    return [_say(N_("{key} was modified in place"), key=key) for key in sorted(found)]


def check_functions(drill: CodeDrill, functions: dict[str, Callable[..., Any]]) -> Verdict:
    """Judge in this process (the tests use it for the reference and the shipped mistakes)."""
    return judge(drill, functions, None)


if __name__ == "__main__":  # pragma: no cover - the runner is the entry point
    sys.exit("use: python -m dlquiz.coding.runner")
