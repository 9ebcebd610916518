"""Faults are named truthfully: a full disk, a read-only file, a lock held too long and a database from a
newer dlquiz each get their own message, saying what still works; only a damaged file is called damaged.

The disk faults are real: a small tmpfs is mounted (and remounted read-only) for the test, so SQLite meets
a true ENOSPC / EROFS. Mounting needs root with CAP_SYS_ADMIN; without it the test skips locally and fails
in CI. ``PRAGMA max_page_count`` gives a genuine SQLITE_FULL from SQLite itself and always runs.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from dlquiz.errors import DlquizError
from dlquiz.store import SCHEMA_VERSION, Store, latest_backup

CARD = "bn-what"
DAMAGED = ("not a usable", "damaged", "move the file away")


def digest(folder: Path) -> dict[str, str]:
    """The bytes of every file in ``folder``: a command that must not write leaves this unchanged."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.startswith("filler")
    }


def clean(result) -> str:  # type: ignore[no-untyped-def]
    """stderr of a failed command, checked for the things a fault message must never contain."""
    text = result.stderr
    assert "Traceback" not in result.output + text
    for word in DAMAGED:
        assert word not in text.lower(), text
    return text


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 2 MB tmpfs mounted at a fresh folder, unmounted afterwards."""
    point = tmp_path / "disk"
    point.mkdir()
    if not _mount("-t", "tmpfs", "-o", "size=2m,mode=0755", "tmpfs", str(point)):
        message = "cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    yield point
    subprocess.run(["umount", "-l", str(point)], capture_output=True)


def fill(folder: Path) -> None:
    """Fill the file system holding ``folder`` to the last byte."""
    chunk = b"\0" * 65536
    with (folder / "filler").open("wb", buffering=0) as handle:
        try:
            while True:
                handle.write(chunk)
        except OSError:
            pass
        try:
            while True:
                handle.write(b"\0")
        except OSError:
            pass


def graded_db(cli, db: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("--db", str(db), "grade", CARD, "good").exit_code == 0


# --- disk full ---


def test_a_full_disk_says_so_and_reads_still_work(cli, small_disk: Path):
    db = small_disk / "dlquiz.db"
    graded_db(cli, db)
    fill(small_disk)
    before = digest(small_disk)
    result = cli("--db", str(db), "grade", CARD, "again")
    assert result.exit_code == 1
    text = clean(result)
    assert "is full" in text and "nothing was saved" in text and "free some space" in text
    assert cli("--db", str(db), "stats", "--json").exit_code == 0  # reading still works
    assert cli("--db", str(db), "config", "new_per_day", "3").exit_code == 1
    (small_disk / "filler").unlink()
    store = Store.open(db)
    try:
        assert [r.rating for r in store.all_reviews()] == [3]  # the failed grade left nothing behind
    finally:
        store.close()
    assert before  # the files were there to compare


def test_doctor_fix_on_a_full_disk_leaves_no_empty_backup(cli, small_disk: Path):
    db = small_disk / "dlquiz.db"
    graded_db(cli, db)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE cards SET reps = 7")  # a state that differs from the replay: --fix would rebuild it
    conn.commit()
    conn.close()
    fill(small_disk)
    result = cli("--db", str(db), "doctor", "--fix")
    assert result.exit_code == 1
    text = clean(result)
    assert "is full" in text
    assert list(small_disk.glob("*.bak")) == []  # no 0-byte or cut-off backup
    assert "restore" not in text and ".bak" not in result.stdout + text
    assert latest_backup(db) is None


def test_max_page_count_full_is_named_as_a_full_disk(tmp_path: Path):
    """SQLite's own SQLITE_FULL (the page limit reached) goes through the same path as ENOSPC."""
    store = Store.open(tmp_path / "x.db")
    try:
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(DlquizError, match="is full") as caught:
            store.set_setting("big", "x" * 100_000)
        assert caught.value.exit_code == 1 and not store.conn.in_transaction
        assert store.get_setting("big") is None
    finally:
        store.close()


def test_a_backup_that_cannot_be_finished_is_removed(tmp_path: Path):
    from datetime import datetime, timezone

    store = Store.open(tmp_path / "x.db")
    real = store.conn

    class FillsUp:  # the real connection, whose backup meets a full disk halfway
        def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
            return getattr(real, name)

        def backup(self, target, *args, **kwargs):  # type: ignore[no-untyped-def]
            target.execute("CREATE TABLE t (x)")  # something reached the file before the disk filled
            raise sqlite3.OperationalError("database or disk is full")

    store.conn = FillsUp()  # type: ignore[assignment]
    try:
        with pytest.raises(DlquizError, match="is full"):
            store.backup(datetime(2026, 1, 1, tzinfo=timezone.utc))
    finally:
        store.conn = real
        store.close()
    assert list(tmp_path.glob("*.bak")) == []


def test_the_damaged_hint_never_points_at_an_empty_backup(tmp_path: Path):
    db = tmp_path / "dlquiz.db"
    db.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)  # really damaged
    (tmp_path / "dlquiz.db.2026-01-01T000000.doctor.bak").write_bytes(b"")
    with pytest.raises(DlquizError) as caught:
        Store.open(db)
    assert "not a usable dlquiz database" in caught.value.message
    assert ".bak" not in (caught.value.hint or "")


# --- read-only ---


def test_a_read_only_disk_reads_and_refuses_writes_by_name(cli, small_disk: Path, tmp_path: Path):
    db = small_disk / "dlquiz.db"
    graded_db(cli, db)
    assert _mount("-o", "remount,ro", str(small_disk))
    before = digest(small_disk)
    stats = cli("--db", str(db), "stats", "--json")
    assert stats.exit_code == 0, stats.output
    assert '"all": 1' in stats.stdout
    out = tmp_path / "h.json"
    assert cli("--db", str(db), "history", "export", str(out)).exit_code == 0
    assert cli("--db", str(db), "doctor").exit_code == 0
    for args in (
        ("grade", CARD, "good"),
        ("undo",),
        ("config", "lang", "zh"),
        ("history", "import", str(out)),
    ):
        result = cli("--db", str(db), *args)
        assert result.exit_code == 1, args
        text = clean(result)
        assert "read-only" in text and "reading still works" in text, text
    assert digest(small_disk) == before
    new = cli("--db", str(small_disk / "new.db"), "stats")
    assert new.exit_code == 1 and "cannot create" in clean(new)


def test_a_read_only_database_needing_a_migration_is_refused_without_a_backup(small_disk: Path, monkeypatch):
    db = small_disk / "dlquiz.db"
    Store.open(db).close()
    assert _mount("-o", "remount,ro", str(small_disk))
    from dlquiz import migrations as dlquiz_migrations
    from dlquiz import store as store_module

    extended = type(dlquiz_migrations.migrations)("dlquiz")
    for migration in dlquiz_migrations.migrations._migrations:
        extended(name=migration.name)(migration.fn)
    extended(name="m999_next")(lambda db: None)
    monkeypatch.setattr(dlquiz_migrations, "migrations", extended)
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(DlquizError, match="needs an upgrade") as caught:
        Store.open(db)
    assert "read-only" in caught.value.message
    assert list(small_disk.glob("*.bak")) == []


# --- busy, newer, paths that cannot persist ---


def test_a_lock_held_past_the_timeout_is_busy_not_damaged(cli, tmp_path: Path, monkeypatch):
    from dlquiz import store as store_module

    db = tmp_path / "dlquiz.db"
    graded_db(cli, db)
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 300)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program writing, for longer than we wait
    try:
        result = cli("--db", str(db), "grade", CARD, "easy")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 1
    text = clean(result)
    assert "is busy" in text and "nothing was changed" in text


@pytest.mark.parametrize("how", ["user_version", "unknown migration"])
def test_a_database_from_a_newer_dlquiz_is_read_but_never_written(cli, tmp_path: Path, how: str):
    db = tmp_path / "dlquiz.db"
    graded_db(cli, db)
    conn = sqlite3.connect(db)
    if how == "user_version":
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    else:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('dlquiz', 'm999_from_the_future', '2027-01-01')"
        )
    conn.commit()
    conn.close()
    before = digest(tmp_path)
    assert cli("--db", str(db), "stats", "--json").exit_code == 0
    result = cli("--db", str(db), "grade", CARD, "good")
    assert result.exit_code == 1
    assert "newer dlquiz" in clean(result)
    assert digest(tmp_path) == before  # no downgrade, no migration, no backup
    assert list(tmp_path.glob("*.bak")) == []


@pytest.mark.parametrize("name", [":memory:", "/dev/null", "fifo", "folder"])
def test_paths_that_cannot_persist_are_refused(cli, tmp_path: Path, name: str):
    if name == "fifo":
        os.mkfifo(tmp_path / "fifo")
    if name == "folder":
        (tmp_path / "folder").mkdir()
    path = name if name.startswith(("/", ":")) else str(tmp_path / name)
    result = cli("--db", path, "grade", CARD, "good")
    assert result.exit_code == 2
    assert "cannot hold the database" in clean(result)
    assert not Path(":memory:").exists()


# --- undo ---


def _export_review(cli, tmp_path: Path, card: str, rating: str, name: str) -> Path:  # type: ignore[no-untyped-def]
    other = tmp_path / f"{name}.db"
    assert cli("--db", str(other), "grade", card, rating).exit_code == 0
    file = tmp_path / f"{name}.json"
    assert cli("--db", str(other), "history", "export", str(file)).exit_code == 0
    return file


def test_undo_takes_the_last_review_graded_here_never_an_imported_one(cli, tmp_path: Path):
    db = tmp_path / "here.db"
    graded_db(cli, db)  # local: bn-what good
    later = _export_review(cli, tmp_path, "cnn-resnet-v2-resnext", "easy", "laptop")  # graded after it
    assert cli("--db", str(db), "history", "import", str(later)).exit_code == 0
    result = cli("--db", str(db), "undo")
    assert result.exit_code == 0 and CARD in result.stdout
    store = Store.open(db)
    try:
        assert [r.card_id for r in store.all_reviews()] == ["cnn-resnet-v2-resnext"]
        assert CARD not in store.card_states()
    finally:
        store.close()
    nothing = cli("--db", str(db), "undo")
    assert nothing.exit_code == 1 and "no review to undo" in nothing.stderr


def test_undo_replays_a_card_when_an_import_put_a_later_review_after_it(cli, tmp_path: Path):
    db = tmp_path / "here.db"
    graded_db(cli, db)  # local: good
    later = _export_review(cli, tmp_path, CARD, "again", "laptop")  # the same card, graded later elsewhere
    assert cli("--db", str(db), "history", "import", str(later)).exit_code == 0
    assert cli("--db", str(db), "undo").exit_code == 0
    alone = tmp_path / "alone.db"
    assert cli("--db", str(alone), "history", "import", str(later)).exit_code == 0
    a, b = Store.open(db), Store.open(alone)
    try:
        assert [r.rating for r in a.all_reviews()] == [1]
        assert a.card_states()[CARD].schedule_dict() == b.card_states()[CARD].schedule_dict()
    finally:
        a.close()
        b.close()
    assert cli("--db", str(db), "doctor").exit_code == 0


# --- output and input ---


def test_stdout_full_says_the_review_was_recorded(tmp_path: Path, dlquiz_cmd, subprocess_env):
    env = dict(subprocess_env, DLQUIZ_DB=str(tmp_path / "x.db"))
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [*dlquiz_cmd, "grade", CARD, "good"],
            stdout=full,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "cannot write to standard output" in done.stderr and "was recorded" in done.stderr
    store = Store.open(tmp_path / "x.db")
    try:
        assert [r.card_id for r in store.all_reviews()] == [CARD]
    finally:
        store.close()


@pytest.mark.parametrize("command", [["list"], ["list", "--json"], ["search", "gradient"]])
def test_a_reader_that_stops_early_gets_no_error(command, dlquiz_cmd, subprocess_env):
    """dlquiz list | head: the pipe closes after the first line; as git and ls, nothing on stderr."""
    with subprocess.Popen(
        [*dlquiz_cmd, *command], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=subprocess_env
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()  # what head does after its lines
        err = proc.stderr.read().decode()
        proc.wait(timeout=60)
    assert first.strip() and err == ""


def test_a_closed_pipe_after_a_review_still_says_it_was_recorded(tmp_path: Path, dlquiz_cmd, subprocess_env):
    env = dict(subprocess_env, DLQUIZ_DB=str(tmp_path / "x.db"))
    code = (
        "import os, sys\n"
        "r, w = os.pipe(); os.close(r); os.dup2(w, 1)\n"  # stdout is a pipe nobody reads
        f"sys.argv = ['dlquiz', 'grade', '{CARD}', 'good']\n"
        "from dlquiz.cli import main\nmain()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], stderr=subprocess.PIPE, env=env, text=True, timeout=60
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "cannot write to standard output" in done.stderr and "was recorded" in done.stderr


@pytest.mark.parametrize("command", [["study"], ["quiz", "-n", "2"], ["mock", "-n", "1"]])
def test_a_closed_stdin_ends_the_session_cleanly(tmp_path: Path, dlquiz_cmd, subprocess_env, command):
    env = dict(subprocess_env, DLQUIZ_DB=str(tmp_path / "x.db"))
    done = subprocess.run(
        [*dlquiz_cmd, *command], stdin=subprocess.DEVNULL, capture_output=True, env=env, text=True, timeout=60
    )
    closed = subprocess.run(
        ["sh", "-c", 'exec "$@" <&-', "sh", *dlquiz_cmd, *command],
        capture_output=True,
        env=env,
        text=True,
        timeout=60,
    )
    for result in (done, closed):
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize("minutes", ["inf", "1e300", "nan", "0", "-3"])
def test_mock_minutes_out_of_range_are_refused(cli, minutes: str):
    result = cli("mock", "-n", "1", "--minutes", minutes, input="")
    assert result.exit_code == 2 and "--minutes must be between" in result.stderr


def test_a_mock_is_saved_even_when_its_screen_fails_midway(tmp_path: Path, monkeypatch):
    """The output dies (stdout closed, disk full) while question 2 is drawn: question 1 is saved."""
    import errno
    import io

    from rich.console import Console

    from dlquiz import catalog
    from dlquiz.mock import MockScreen, pick_questions
    from dlquiz.render import mock as view
    from dlquiz.screen import Keys

    real_question = view.question

    def dies_on_the_second(question, n, *args, **kwargs):  # type: ignore[no-untyped-def]
        if n == 2:
            raise OSError(errno.EPIPE, "Broken pipe")
        return real_question(question, n, *args, **kwargs)

    monkeypatch.setattr(view, "question", dies_on_the_second)
    shipped = catalog.load().catalog
    questions = pick_questions(shipped, [], 3, seed=4)
    store = Store.open(tmp_path / "x.db")
    try:
        screen = MockScreen(
            store,
            shipped,
            Console(file=io.StringIO()),
            Keys(io.StringIO("my answer\n\n1\n")),
            "en",
            questions,
            4,
            60,
            [],
        )
        with pytest.raises(OSError):
            screen.run()
        [mock] = store.mocks()
        assert [a["question_id"] for a in mock["answers"]] == [questions[0].id]
        assert mock["answers"][0]["answer"] == "my answer"
    finally:
        store.close()
