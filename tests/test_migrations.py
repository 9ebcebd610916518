"""Migrations: a fresh database gets all of them; an older one is backed up beside itself before migrating."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlite_utils
from sqlite_utils.migrations import Migrations

from dlquiz import migrations as dlquiz_migrations
from dlquiz import store as store_module
from dlquiz.store import Store

NOW = datetime(2026, 11, 27, 19, 4, 55, tzinfo=timezone.utc)
TABLES = {"schedulers", "reviews", "cards", "settings"}


def migration_names() -> list[str]:
    return [m.name for m in dlquiz_migrations.migrations._migrations]


def test_schema_version_equals_the_number_of_migrations():
    names = migration_names()
    assert names and len(names) == store_module.SCHEMA_VERSION
    assert names == sorted(names), "migrations are numbered in the order they run"
    assert all(n[:1] == "m" and n[1:4].isdigit() for n in names)


def test_fresh_database_applies_every_migration(tmp_path: Path):
    path = tmp_path / "dlquiz.db"
    store = Store.open(path, now=NOW)
    try:
        db = sqlite_utils.Database(store.conn)
        assert set(db.table_names()) >= TABLES
        assert dlquiz_migrations.migrations.pending(db) == []
        assert len(dlquiz_migrations.migrations.applied(db)) == store_module.SCHEMA_VERSION
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == store_module.SCHEMA_VERSION
    finally:
        store.close()
    assert list(tmp_path.glob("*.bak")) == []  # nothing to back up on a new database


def test_reopening_is_a_no_op(tmp_path: Path):
    path = tmp_path / "dlquiz.db"
    Store.open(path, now=NOW).close()
    store = Store.open(path, now=NOW)
    store.set_setting("lang", "zh")
    store.close()
    store = Store.open(path, now=NOW)
    assert store.get_setting("lang") == "zh"
    store.close()
    assert list(tmp_path.glob("*.bak")) == []


@pytest.fixture
def with_a_new_migration(monkeypatch: pytest.MonkeyPatch):
    """dlquiz's migrations plus one more, as the next release would ship it."""
    extended = Migrations("dlquiz")
    for migration in dlquiz_migrations.migrations._migrations:
        extended(name=migration.name)(migration.fn)

    @extended()
    def m999_add_notes(db) -> None:
        db["notes"].create({"card_id": str, "text": str}, pk="card_id")

    monkeypatch.setattr(dlquiz_migrations, "migrations", extended)
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", store_module.SCHEMA_VERSION + 1)
    return extended


def test_older_database_is_backed_up_then_migrated(tmp_path: Path, with_a_new_migration):
    path = tmp_path / "dlquiz.db"
    # An older database: the shipped migrations only, with a review in it.
    conn = sqlite3.connect(path)
    db = sqlite_utils.Database(conn)
    old = Migrations("dlquiz")
    for migration in with_a_new_migration._migrations[:-1]:
        old(name=migration.name)(migration.fn)
    old.apply(db)
    conn.execute(f"PRAGMA user_version = {len(old._migrations)}")
    db["settings"].insert({"key": "lang", "value": '"zh"'})
    conn.commit()
    conn.close()

    store = Store.open(path, now=NOW)
    try:
        assert "notes" in store.db.table_names()
        assert store.get_setting("lang") == "zh"  # the user's data survives
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(
            with_a_new_migration._migrations
        )
    finally:
        store.close()

    backups = list(tmp_path.glob("dlquiz.db.*.bak"))
    assert [b.name for b in backups] == ["dlquiz.db.2026-11-27T190455.migrate.bak"]
    backup = sqlite_utils.Database(backups[0])
    assert "notes" not in backup.table_names()  # taken before migrating
    assert set(backup.table_names()) >= TABLES
    assert backup["settings"].get("lang")["value"] == '"zh"'


def test_user_version_reset_with_a_migration_record_removed(tmp_path: Path, with_a_new_migration):
    path = tmp_path / "dlquiz.db"
    Store.open(path, now=NOW).close()  # all migrations, including the new one
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm999_add_notes'")
    conn.execute("DROP TABLE notes")
    conn.execute("PRAGMA user_version = 0")
    conn.commit()
    conn.close()
    Store.open(path, now=NOW).close()
    assert len(list(tmp_path.glob("dlquiz.db.*.migrate.bak"))) == 1
    db = sqlite_utils.Database(path)
    assert "notes" in db.table_names()
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(with_a_new_migration._migrations)
