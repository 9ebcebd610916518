"""Nothing the screen showed as recorded is ever lost: SIGKILL, two writers at once, damaged files.

These start real processes; the database is reopened afterwards as a new user session would.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_study_cli import LAB_IDS, shared_lab, use_lab
from tests.test_study_pty import TIMEOUT, expect, words

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def banks(tmp_path_factory) -> Path:
    return shared_lab(tmp_path_factory)[0]


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory) -> Path:
    return shared_lab(tmp_path_factory)[1]


@pytest.fixture
def env(subprocess_env: dict[str, str], isolated_home: Path, banks: Path, warm_cache: Path) -> dict[str, str]:
    use_lab(isolated_home, warm_cache)
    return dict(
        subprocess_env, DLQUIZ_BANKS=str(banks), COLUMNS="100", LINES="40", TERM="xterm-256color", TZ="UTC"
    )


def open_store(home: Path):
    from dlquiz.store import Store

    return Store.open(home / "dlquiz.db")


def known_ids() -> set[str]:
    return set(LAB_IDS)


# --- SIGKILL right after the screen says "recorded" ---------------------------------------------------------


def test_sigkill_after_recorded_loses_nothing(env, isolated_home, dlquiz_cmd):
    child = pexpect.spawn(
        dlquiz_cmd[0],
        [*dlquiz_cmd[1:], "study", "--section", "lab"],
        env=env,
        encoding="utf-8",
        timeout=TIMEOUT,
        dimensions=(40, 100),
    )
    try:
        expect(child, "What is the first lab question?")
        child.send(" ")
        expect(child, "Good · 10m")
        child.send("3")
        expect(child, "✓ recorded Good")
        expect(child, "Basic front?")
        child.send(" ")
        expect(child, "Basic back.")
        child.send("4")
        child.expect(words("✓ recorded Easy"))
        os.kill(child.pid, signal.SIGKILL)  # at once: no chance to flush or close anything
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.signalstatus == signal.SIGKILL

    from dlquiz.doctor import check

    store = open_store(isolated_home)
    try:
        got = [(r.card_id, r.rating) for r in store.all_reviews()]
        assert got == [("lab-one", 3), ("lab-one.basic", 4)]
        states = store.card_states()
        assert states["lab-one"].reps == 1 and states["lab-one.basic"].reps == 1
        assert states["lab-one.basic"].due == store.last_review().state_after["due"]
        report = check(store, known_ids())
        assert report.healthy and report.cards_checked == 2
    finally:
        store.close()


# --- two writers at once ------------------------------------------------------------------------------------

WORKER = """
import sys
from datetime import datetime, timezone

from dlquiz import paths
from dlquiz.catalog import load
from dlquiz.cli import app
from dlquiz.session import StudySession
from dlquiz.store import Store

cards, rounds, burst = sys.argv[1].split(","), int(sys.argv[2]), int(sys.argv[3])
ratings = ["good", "again", "hard", "easy"]
for i in range(rounds):  # the command line, as a script would call it
    for card in cards:
        app(["grade", card, ratings[i % 4]], standalone_mode=False)
catalog = load(paths.user_banks()).catalog
card = catalog.get(cards[0])
for i in range(burst):  # then as fast as it goes, to make the two writers overlap
    store = Store.open(paths.database())
    now = datetime.now(timezone.utc)
    StudySession(store, catalog, now).grade(card, 1 + i % 4, now)
    store.close()
    print("recorded burst")
"""


def test_two_processes_grading_at_once_lose_nothing(env, isolated_home):
    """Both start on a database that does not exist yet, and grade the same cards in a loop."""
    rounds, burst, cards = 5, 40, ["lab-one", "lab-one.basic"]
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, ",".join(cards), str(rounds), str(burst)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=120) for w in workers]
    for worker, (out, err) in zip(workers, outputs, strict=True):
        assert "locked" not in err and "Traceback" not in err, err
        assert worker.returncode == 0, err
        assert out.count("recorded ") == rounds * len(cards) + burst

    from dlquiz.doctor import check

    store = open_store(isolated_home)
    try:
        reviews = list(store.all_reviews())
        assert len(reviews) == 2 * (rounds * len(cards) + burst)
        assert len({r.uid for r in reviews}) == len(reviews)
        # Each review built on the one committed before it, whichever process wrote it.
        assert store.card_state(cards[0]).reps == 2 * (rounds + burst)
        assert store.card_state(cards[1]).reps == 2 * rounds
        report = check(store, known_ids())
        assert report.mismatched == [] and report.healthy
    finally:
        store.close()


def test_two_cli_processes_at_once(env, isolated_home, dlquiz_cmd):
    """Real ``dlquiz grade`` processes, a shell loop each, against one DLQUIZ_HOME."""
    loop = " ; ".join(f"{' '.join(dlquiz_cmd)} grade {card} good || exit 1" for card in LAB_IDS[:3])
    runs = [
        subprocess.Popen(
            ["sh", "-c", loop], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    results = [run.communicate(timeout=120) for run in runs]
    for run, (out, err) in zip(runs, results, strict=True):
        assert run.returncode == 0 and "locked" not in err, err
        assert out.count("recorded good") == 3
    conn = sqlite3.connect(isolated_home / "dlquiz.db")
    try:
        assert conn.execute(
            "SELECT card_id, COUNT(*) FROM reviews GROUP BY card_id ORDER BY card_id"
        ).fetchall() == [("lab-one", 2), ("lab-one.basic", 2), ("lab-one.pick", 2)]
    finally:
        conn.close()


# --- damaged or foreign database files ----------------------------------------------------------------------


def run(dlquiz_cmd, env, *args: str, input: str = "q\n") -> subprocess.CompletedProcess:
    return subprocess.run(
        [*dlquiz_cmd, *args], env=env, input=input, capture_output=True, text=True, timeout=TIMEOUT
    )


def test_not_sqlite_file_gives_a_clear_message_and_is_not_overwritten(env, isolated_home, dlquiz_cmd):
    isolated_home.mkdir(parents=True, exist_ok=True)
    path = isolated_home / "dlquiz.db"
    content = b"id,rating\nlab-one,3\n" * 200
    path.write_bytes(content)
    for args in (("study",), ("grade", "lab-one", "good")):
        result = run(dlquiz_cmd, env, *args)
        assert result.returncode == 2
        message = " ".join(result.stderr.split())
        assert f"{path} is not a usable dlquiz database" in message
        assert "no backup was found" in message
        assert "Traceback" not in result.stderr + result.stdout
        assert path.read_bytes() == content
    assert sorted(p.name for p in isolated_home.iterdir()) == ["cache", "dlquiz.db"]


def test_damaged_database_names_the_latest_backup(env, isolated_home, dlquiz_cmd):
    assert run(dlquiz_cmd, env, "grade", "lab-one", "good").returncode == 0
    path = isolated_home / "dlquiz.db"
    older = path.with_name("dlquiz.db.2026-01-01T100000.migrate.bak")
    newer = path.with_name("dlquiz.db.2026-02-01T100000.doctor.bak")
    for backup in (older, newer):
        shutil.copy(path, backup)
    data = bytearray(path.read_bytes())
    data[100:] = b"\xff" * (len(data) - 100)  # the header survives, everything after it is garbage
    path.write_bytes(bytes(data))
    result = run(dlquiz_cmd, env, "study")
    assert result.returncode == 2
    message = " ".join(result.stderr.split())
    assert "left untouched" in message
    unwrapped = "".join(result.stderr.split())  # rich wraps long paths; paths here hold no spaces
    assert str(path) in unwrapped
    assert str(newer) in unwrapped and str(older) not in unwrapped
    assert "Traceback" not in result.stderr + result.stdout
    assert path.read_bytes() == bytes(data)
    # The suggested restore works.
    shutil.copy(newer, path)
    assert run(dlquiz_cmd, env, "doctor").returncode == 0
