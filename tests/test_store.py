"""The SQLite store: opening, WAL, transactions, damaged files, backups; and doctor's replay check."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from dlquiz import doctor
from dlquiz.errors import DlquizError
from dlquiz.model import Catalog
from dlquiz.store import SCHEMA_VERSION, CardState, Store, latest_backup
from tests.lab import catalog_of, question_data

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


def tiny_catalog(*ids: str) -> Catalog:
    return catalog_of(*(question_data(i) for i in ids))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "home" / "dlquiz.db"


@pytest.fixture
def store(db_path: Path):
    s = Store.open(db_path, now=NOW)
    yield s
    s.close()


def grade(store: Store, catalog: Catalog, card_id: str, rating: int, when: datetime) -> None:
    from dlquiz.session import StudySession

    StudySession(store, catalog, when).grade(catalog.get(card_id), rating, when)


# --- opening -----------------------------------------------------------------------------------------------


def test_open_creates_the_folder_schema_and_wal(store, db_path):
    assert db_path.exists()
    conn = store.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"reviews", "cards", "settings", "schedulers"} <= tables


def test_schema_version_matches_the_migrations(store):
    from dlquiz.migrations import migrations

    assert len(migrations.applied(store.db)) == SCHEMA_VERSION


def test_reopening_keeps_the_data_and_makes_no_backup(db_path):
    first = Store.open(db_path, now=NOW)
    first.set_setting("new_per_day", 7)
    first.close()
    again = Store.open(db_path, now=NOW)
    try:
        assert again.get_setting("new_per_day") == 7
    finally:
        again.close()
    assert list(db_path.parent.glob("*.bak")) == []


def test_a_file_that_is_not_sqlite_is_reported_and_left_untouched(db_path):
    db_path.parent.mkdir(parents=True)
    content = b"these are my notes, not a database\n" * 50
    db_path.write_bytes(content)
    with pytest.raises(DlquizError) as caught:
        Store.open(db_path, now=NOW)
    assert str(db_path) in caught.value.message
    assert "not an SQLite file" in caught.value.message
    assert "no backup" in caught.value.hint
    assert db_path.read_bytes() == content
    assert not (db_path.parent / "dlquiz.db-wal").exists()


def test_a_damaged_database_names_the_latest_backup(db_path):
    store = Store.open(db_path, now=NOW)
    store.set_setting("lang", "zh")
    older = store.backup(NOW - timedelta(days=2), reason="doctor")
    newer = store.backup(NOW - timedelta(days=1), reason="migrate")
    store.close()
    data = bytearray(db_path.read_bytes())
    data[100:4096] = b"\xde\xad\xbe\xef" * ((4096 - 100) // 4)  # keep the header, wreck the schema page
    db_path.write_bytes(bytes(data))
    with pytest.raises(DlquizError) as caught:
        Store.open(db_path, now=NOW)
    assert str(db_path) in caught.value.message
    assert str(newer) in caught.value.hint and str(older) not in caught.value.hint
    assert db_path.read_bytes() == bytes(data)
    assert latest_backup(db_path) == newer


def test_backup_is_a_consistent_copy(store):
    store.set_setting("new_per_day", 3)
    target = store.backup(NOW, reason="test")
    assert target.name == "dlquiz.db.2026-03-02T120000.test.bak"
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("SELECT value FROM settings WHERE key = 'new_per_day'").fetchone() == ("3",)
    finally:
        copy.close()


# --- writing -----------------------------------------------------------------------------------------------


def test_write_rolls_back_everything_on_error(store):
    with pytest.raises(RuntimeError), store.write():
        store.set_setting("lang", "zh")
        store.put_card_state(CardState("x", 1, 0, 1.0, 5.0, "2026-03-02T12:10:00+00:00", None))
        raise RuntimeError("boom")
    assert store.get_setting("lang") is None
    assert store.card_state("x") is None
    assert not store.conn.in_transaction


def test_write_nests_into_one_transaction(store):
    with store.write():
        store.set_setting("a", 1)
        assert store.conn.in_transaction
        with store.write():
            store.set_setting("b", 2)
        assert store.conn.in_transaction  # the inner block did not commit early
    assert not store.conn.in_transaction
    assert store.settings() == {"a": 1, "b": 2}


def test_settings_round_trip_and_delete(store):
    store.set_setting("desired_retention", 0.85)
    assert store.get_setting("desired_retention") == 0.85
    store.set_setting("desired_retention", None)
    assert store.get_setting("desired_retention", "default") == "default"


def test_scheduler_ids_are_shared_for_equal_configs(store):
    a = store.scheduler_id({"x": 1, "y": [1, 2]})
    b = store.scheduler_id({"y": [1, 2], "x": 1})
    c = store.scheduler_id({"x": 2})
    assert a == b != c
    assert store.scheduler_config(a) == {"x": 1, "y": [1, 2]}


def test_reviews_are_counted_by_day_and_kind(store):
    catalog = tiny_catalog("a", "b")
    grade(store, catalog, "a", 3, NOW - timedelta(days=1))
    grade(store, catalog, "a", 3, NOW)
    grade(store, catalog, "b", 3, NOW)
    since = (NOW - timedelta(hours=1)).isoformat()
    assert store.count_reviews_since(since) == 2
    assert store.count_reviews_since(since, first_only=True) == 1
    assert store.count_reviews_since(since, kind="cram") == 0
    assert [r.card_id for r in store.all_reviews()] == ["a", "a", "b"]
    assert store.last_review().card_id == "b"


def test_uids_are_unique(store):
    catalog = tiny_catalog("a")
    for i in range(5):
        grade(store, catalog, "a", 3, NOW + timedelta(minutes=i))
    uids = [r.uid for r in store.all_reviews()]
    assert len(set(uids)) == 5


# --- doctor: the stored state against the replay of the log -----------------------------------------------


def test_doctor_finds_a_healthy_database_healthy(store):
    catalog = tiny_catalog("a", "b")
    for i, rating in enumerate([3, 3, 1, 4]):
        grade(store, catalog, "a", rating, NOW + timedelta(days=i))
    grade(store, catalog, "b", 2, NOW)
    report = doctor.check(store, set(catalog.index))
    assert report.healthy and report.cards_checked == 2 and report.mismatched == [] and report.orphans == []


def test_doctor_detects_and_fixes_a_tampered_state(store, db_path):
    catalog = tiny_catalog("a", "b")
    for i in range(3):
        grade(store, catalog, "a", 3, NOW + timedelta(days=i))
    grade(store, catalog, "b", 3, NOW)
    good = store.card_state("a")
    store.put_card_state(
        replace(
            good,
            stability=999.0,
            due="2030-01-01T00:00:00.000000+00:00",
            buried_until="2026-03-10T04:00:00.000000+00:00",
        )
    )
    report = doctor.check(store, set(catalog.index))
    assert report.mismatched == ["a"] and not report.healthy and report.fixed == 0
    assert store.card_state("a").stability == 999.0  # checking alone changes nothing
    assert list(db_path.parent.glob("*.bak")) == []

    fixed = doctor.check(store, set(catalog.index), fix=True, now=NOW)
    assert fixed.fixed == 1 and fixed.backup is not None and fixed.backup.exists()
    restored = store.card_state("a")
    assert restored.schedule_dict() == good.schedule_dict()
    assert restored.buried_until == "2026-03-10T04:00:00.000000+00:00"  # the bury is not part of the log
    # The backup holds the tampered state, taken before the fix.
    copy = sqlite3.connect(fixed.backup)
    try:
        assert copy.execute("SELECT stability FROM cards WHERE card_id = 'a'").fetchone() == (999.0,)
    finally:
        copy.close()
    assert doctor.check(store, set(catalog.index)).healthy


def test_doctor_rebuilds_a_deleted_state_and_removes_a_state_without_log(store):
    catalog = tiny_catalog("a", "b")
    grade(store, catalog, "a", 3, NOW)
    expected = store.card_state("a")
    store.delete_card_state("a")
    store.put_card_state(
        CardState("b", 2, None, 5.0, 5.0, "2026-03-09T12:00:00+00:00", "2026-03-02T12:00:00+00:00")
    )
    report = doctor.check(store, set(catalog.index), fix=True, now=NOW)
    assert sorted(report.mismatched) == ["a", "b"] and report.fixed == 2
    assert store.card_state("a") == expected
    assert store.card_state("b") is None


def test_doctor_replays_under_the_scheduler_each_review_used(store):
    catalog = tiny_catalog("a")
    grade(store, catalog, "a", 3, NOW)
    grade(store, catalog, "a", 3, NOW + timedelta(days=1))
    store.set_setting("desired_retention", 0.97)  # later reviews use another scheduler
    grade(store, catalog, "a", 3, NOW + timedelta(days=5))
    grade(store, catalog, "a", 3, NOW + timedelta(days=30))
    assert len({r.scheduler_id for r in store.all_reviews()}) == 2
    assert doctor.check(store, {"a"}).healthy


def test_doctor_reports_orphans_without_touching_them(store):
    catalog = tiny_catalog("a", "gone")
    grade(store, catalog, "gone", 3, NOW)
    report = doctor.check(store, {"a"}, fix=True, now=NOW)
    assert report.orphans == ["gone"] and report.healthy and report.fixed == 0
    assert store.card_state("gone") is not None and len(store.reviews_of("gone")) == 1


def test_open_retries_when_sqlite_answers_locked_without_waiting(tmp_path, monkeypatch):
    """SQLite returns "locked" at once where waiting could deadlock (two processes switching a new file to
    WAL); opening retries as a whole instead of calling the file unusable."""
    import sqlite3

    from dlquiz import store as store_module

    real_connect = store_module._connect
    calls = []

    def flaky_connect(path, check, **options):
        calls.append(path)
        if len(calls) <= 2:
            raise sqlite3.OperationalError("database is locked")
        return real_connect(path, check, **options)

    monkeypatch.setattr(store_module, "_connect", flaky_connect)
    opened = store_module.Store.open(tmp_path / "new.db")
    try:
        assert len(calls) == 3
        assert opened.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        opened.close()


def test_open_gives_up_on_a_lock_that_never_goes_away(tmp_path, monkeypatch):
    import sqlite3

    from dlquiz import store as store_module
    from dlquiz.errors import DlquizError

    def always_locked(path, check, **options):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(store_module, "_connect", always_locked)
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 200)
    with pytest.raises(DlquizError, match="is busy") as caught:
        store_module.Store.open(tmp_path / "new.db")
    assert caught.value.exit_code == 1
