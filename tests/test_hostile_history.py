"""History files from strangers: every file of the hostile corpus is refused cleanly, and nothing is written.

For each case: exit 2, no traceback, finished within the bound, and the database byte-identical. The
corpus lives in tests/hostile/history (written by its make.py); cases that cannot live in git (a FIFO, a
300 MB sparse file, a symlink loop, a folder, a device) are made here. hypothesis then mutates a valid
file at random places: ``history import`` either refuses it (DlquizError) or merges it into a healthy
database, never anything else.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import json
import os
import shutil
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlquiz.errors import DlquizError

CORPUS = Path(__file__).parent / "hostile" / "history"
BOUND_S = 20  # a generous bound: the slowest case takes well under a second here; an alarm ends a hang


def _make() -> Any:
    spec = importlib.util.spec_from_file_location("make_history", CORPUS / "make.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


MAKE = _make()
CASES = MAKE.cases()
SPECIAL = ["fifo.json", "sparse-300mb.json", "loop.json", "folder.json", "device.json", "wrong.txt"]


def corpus_size() -> int:
    return len(CASES) + len(SPECIAL)


def digest(folder: Path) -> dict[str, str]:
    """The database file's bytes, and any WAL frames. (A read-only peek at the lang setting, which every
    command makes, may leave an empty -wal and a -shm index beside it: no data, so not compared.)"""
    found = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.db")}
    found |= {p.name: p.read_bytes().hex() for p in folder.glob("*-wal") if p.stat().st_size}
    return found


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """A database with one review graded here (made once: grading compiles the bank cache)."""
    from datetime import datetime, timezone

    from dlquiz import catalog
    from dlquiz.session import StudySession
    from dlquiz.store import Store

    db = tmp_path_factory.mktemp("template") / "dlquiz.db"
    cat = catalog.load().catalog
    now = datetime(2026, 11, 30, 9, tzinfo=timezone.utc)
    store = Store.open(db)
    try:
        StudySession(store, cat, now).grade(cat.get("bn-what"), 3, now)
    finally:
        store.close()
    return db


@pytest.fixture
def database(template: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "db"
    folder.mkdir()
    shutil.copy(template, folder / "dlquiz.db")
    return folder / "dlquiz.db"


def _file_for(name: str, tmp_path: Path) -> Path:
    in_git = CORPUS / name
    if in_git.exists():
        return in_git
    if name in CASES:  # too big for git: written from the same generator
        path = tmp_path / name
        path.write_bytes(CASES[name])
        return path
    path = tmp_path / name
    if name == "fifo.json":
        os.mkfifo(path)  # opening it for reading would block forever
    elif name == "sparse-300mb.json":
        with path.open("wb") as handle:
            handle.truncate(300 * 2**20)
    elif name == "loop.json":
        path.symlink_to(tmp_path / "loop2.json")
        (tmp_path / "loop2.json").symlink_to(path)
    elif name == "folder.json":
        path.mkdir()
    elif name == "device.json":
        path.symlink_to("/dev/zero")
    else:
        path.write_text("{}", encoding="utf-8")
    return path


class Hang(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise Hang


def test_the_base_file_imports(cli, tmp_path: Path):
    """The corpus is made by mutating base.json: it must be valid, or every case would pass trivially."""
    result = cli("--db", str(tmp_path / "x.db"), "history", "import", str(CORPUS / "base.json"), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["added"] == 3


def test_the_corpus_in_git_is_what_make_writes():
    for name, body in CASES.items():
        if len(body) <= MAKE.MAX_IN_GIT:
            assert (CORPUS / name).read_bytes() == body, f"{name}: run python tests/hostile/history/make.py"


@pytest.mark.parametrize("name", sorted(CASES) + SPECIAL)
def test_a_hostile_history_file_is_refused_cleanly(cli, database: Path, tmp_path: Path, name: str):
    path = _file_for(name, tmp_path)
    before = digest(database.parent)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(BOUND_S)
    started = time.monotonic()
    try:
        result = cli("--db", str(database), "history", "import", str(path))  # a traceback fails the test
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    elapsed = time.monotonic() - started
    assert result.exit_code == 2, (name, result.output)
    assert "Traceback" not in result.output
    assert result.stderr.startswith("error:"), result.stderr[:300]
    assert elapsed < BOUND_S
    assert digest(database.parent) == before  # nothing written: not a row, not a WAL frame
    if name.startswith("row-"):
        assert "review 2" in result.stderr, result.stderr[:500]
    if name.startswith("dup-uid-three"):
        assert "appears 3 times (reviews 1, 2, 3)" in result.stderr
    if name.startswith("dup-uid-twice"):
        assert "appears 2 times (reviews 1, 3)" in result.stderr
    # Hostile text in the message is escaped, never sent raw to the terminal.
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr


def test_a_file_with_thousands_of_problems_lists_the_first_and_counts_all(cli, database: Path, tmp_path):
    path = _file_for("bad-rows-5000.json", tmp_path)
    result = cli("--db", str(database), "history", "import", str(path))
    assert result.exit_code == 2
    assert "5000 problem(s); nothing was imported" in result.stderr
    assert "review 1: rating must be 1-4, got 9" in result.stderr
    assert "... and 4980 more" in result.stderr
    assert result.stderr.count("rating must be 1-4") == 20


# --- hypothesis -------------------------------------------------------------------------------------------

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            found += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _paths(v, (*prefix, i))
    return found


PATHS = [p for p in _paths(MAKE.BASE) if p]


def _replace(data: Any, path: tuple, value: Any) -> Any:
    data = copy.deepcopy(data)
    target = data
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutations=st.lists(st.tuples(st.sampled_from(PATHS), JSON), min_size=1, max_size=3))
def test_fuzzed_history_is_refused_or_merged_never_a_crash(tmp_path: Path, mutations):
    from datetime import datetime, timezone

    from dlquiz import doctor, history
    from dlquiz.store import Store

    data: Any = MAKE.BASE
    for path, value in mutations:
        try:
            data = _replace(data, path, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed the place
    case = tmp_path / f"case-{os.getpid()}-{time.monotonic_ns()}"
    case.mkdir()
    file = case / "h.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    try:
        parsed = history.read(file, datetime(2026, 11, 30, tzinfo=timezone.utc))
    except DlquizError:
        return
    store = Store.open(case / "x.db")
    try:
        history.merge(store, parsed)  # accepted: it must merge, and leave a healthy database
        report = doctor.check(store, set())
        assert report.integrity == "ok" and not report.mismatched and not report.bad_rows
    finally:
        store.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.binary(max_size=400) | st.text(max_size=400).map(str.encode),
    suffix=st.sampled_from([".json", ".csv"]),
)
def test_fuzzed_bytes_only_ever_give_a_clear_error(tmp_path: Path, body: bytes, suffix: str):
    from dlquiz import history

    file = tmp_path / f"f-{time.monotonic_ns()}{suffix}"
    file.write_bytes(body)
    try:
        history.read(file)
    except DlquizError as error:
        assert error.exit_code == 2
