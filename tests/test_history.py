"""``dlquiz history export|import``: moving and merging review logs loses nothing and duplicates nothing."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
CARDS = ("bn-what", "bn-what.train-vs-infer-stats", "cnn-resnet-v2-resnext")


def _grade(db: Path, plan: list[tuple[str, int, datetime]], retention: float | None = None) -> None:
    from dlquiz import catalog
    from dlquiz.session import StudySession
    from dlquiz.store import Store

    cat = catalog.load().catalog
    store = Store.open(db)
    try:
        if retention is not None:
            store.set_setting("desired_retention", retention)
        for card_id, rating, when in plan:
            card = cat.get(card_id)
            assert card is not None, card_id
            StudySession(store, cat, when).grade(card, rating, when)
    finally:
        store.close()


def _states(db: Path) -> dict:
    from dlquiz.store import Store

    store = Store.open(db)
    try:
        return {cid: s for cid, s in store.card_states().items()}
    finally:
        store.close()


def _reviews(db: Path) -> list:
    from dlquiz.store import Store

    store = Store.open(db)
    try:
        return list(store.all_reviews())
    finally:
        store.close()


def _healthy(db: Path) -> bool:
    from dlquiz import doctor
    from dlquiz.store import Store

    store = Store.open(db)
    try:
        return doctor.check(store, set(CARDS)).healthy
    finally:
        store.close()


def _plan(start: datetime) -> list[tuple[str, int, datetime]]:
    day = timedelta(days=1)
    return [
        (CARDS[0], 3, start),
        (CARDS[1], 1, start),
        (CARDS[1], 3, start + timedelta(minutes=2)),
        (CARDS[0], 3, start + 3 * day),
        (CARDS[1], 3, start + 1 * day),
        (CARDS[0], 1, start + 12 * day),
        (CARDS[2], 4, start + 2 * day),
        (CARDS[0], 3, start + 12 * day + timedelta(minutes=15)),
    ]


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_export_then_import_into_an_empty_database_gives_identical_states(cli, tmp_path: Path, suffix: str):
    a, b, file = tmp_path / "a.db", tmp_path / "b.db", tmp_path / f"history{suffix}"
    _grade(a, _plan(T0))
    out = cli("--db", str(a), "history", "export", str(file))
    assert out.exit_code == 0 and "wrote 8 review(s)" in out.stdout
    result = cli("--db", str(b), "history", "import", str(file), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "read": 8,
        "added": 8,
        "skipped": 0,
        "cards_rebuilt": 3,
        "schedulers": 1,
    }
    assert _states(b) == _states(a) and len(_states(a)) == 3
    assert [(r.uid, r.rating, r.reviewed_at, r.content_hash) for r in _reviews(b)] == [
        (r.uid, r.rating, r.reviewed_at, r.content_hash) for r in _reviews(a)
    ]
    assert _healthy(b)
    again = cli("--db", str(b), "history", "import", str(file), "--json")
    assert json.loads(again.stdout)["added"] == 0 and json.loads(again.stdout)["skipped"] == 8
    assert len(_reviews(b)) == 8


def test_merging_two_machines_interleaves_and_replays(cli, tmp_path: Path):
    laptop, desktop = tmp_path / "laptop.db", tmp_path / "desktop.db"
    day = timedelta(days=1)
    _grade(laptop, [(CARDS[0], 3, T0), (CARDS[0], 3, T0 + 6 * day)])
    _grade(desktop, [(CARDS[0], 1, T0 + 2 * day), (CARDS[2], 3, T0 + 2 * day)])
    alone = _states(laptop)[CARDS[0]]
    for src in (laptop, desktop):
        file = tmp_path / f"{src.stem}.csv"
        assert cli("--db", str(src), "history", "export", str(file)).exit_code == 0
    # Import both ways; the second file already holds what the first import added, so nothing doubles.
    assert cli("--db", str(desktop), "history", "import", str(tmp_path / "laptop.csv")).exit_code == 0
    assert cli("--db", str(laptop), "history", "import", str(tmp_path / "desktop.csv")).exit_code == 0
    assert _states(laptop) == _states(desktop)
    assert len(_reviews(laptop)) == len(_reviews(desktop)) == 4

    # The merged state is the replay of the union in time order: good, again (day 2), good (day 6).
    reference = tmp_path / "reference.db"
    _grade(
        reference,
        [
            (CARDS[0], 3, T0),
            (CARDS[0], 1, T0 + 2 * day),
            (CARDS[0], 3, T0 + 6 * day),
            (CARDS[2], 3, T0 + 2 * day),
        ],
    )
    merged, expected = _states(laptop)[CARDS[0]], _states(reference)[CARDS[0]]
    assert merged == expected and merged.reps == 3
    assert merged != alone  # neither machine's own log gives this state
    # The states logged with each review follow the merged timeline (undo and doctor rely on them).
    chain = [r for r in _reviews(laptop) if r.card_id == CARDS[0]]
    assert chain[0].state_before is None
    for prev, nxt in zip(chain, chain[1:], strict=False):
        assert nxt.state_before == prev.state_after
    assert _healthy(laptop) and _healthy(desktop)


def test_scheduler_configs_travel_with_the_history(cli, tmp_path: Path):
    from dlquiz.store import Store

    a, b, file = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "h.json"
    _grade(a, _plan(T0), retention=0.8)
    _grade(tmp_path / "default.db", _plan(T0))  # the same reviews under the default retention 0.9
    assert _states(tmp_path / "default.db")[CARDS[0]].due != _states(a)[CARDS[0]].due
    assert cli("--db", str(a), "history", "export", str(file)).exit_code == 0
    data = json.loads(file.read_text(encoding="utf-8"))
    assert [c["desired_retention"] for c in data["schedulers"].values()] == [0.8]
    assert cli("--db", str(b), "history", "import", str(file)).exit_code == 0
    assert _states(b) == _states(a)
    store = Store.open(b)
    try:
        assert [c["desired_retention"] for c in store.scheduler_configs().values()] == [0.8]
    finally:
        store.close()


def test_bad_files_are_clear_errors(cli, tmp_path: Path):
    db = str(tmp_path / "x.db")
    wrong = cli("--db", db, "history", "export", str(tmp_path / "h.txt"))
    assert wrong.exit_code == 2 and ".csv or .json" in wrong.stderr
    missing = cli("--db", db, "history", "import", str(tmp_path / "nope.json"))
    assert missing.exit_code == 2 and "no such file" in missing.stderr
    (tmp_path / "other.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    other = cli("--db", db, "history", "import", str(tmp_path / "other.csv"))
    assert other.exit_code == 2 and "missing column" in other.stderr
    (tmp_path / "other.json").write_text('{"reviews": []}', encoding="utf-8")
    assert (
        "not a dlquiz history file"
        in cli("--db", db, "history", "import", str(tmp_path / "other.json")).stderr
    )

    _grade(tmp_path / "a.db", _plan(T0)[:2])
    good = tmp_path / "good.csv"
    assert cli("--db", str(tmp_path / "a.db"), "history", "export", str(good)).exit_code == 0
    exists = cli("--db", str(tmp_path / "a.db"), "history", "export", str(good))
    assert exists.exit_code == 2 and "already exists" in exists.stderr
    lines = good.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",1,", ",7,", 1)  # rating 7 on the second review
    good.write_text("\n".join(lines) + "\n", encoding="utf-8")
    bad = cli("--db", db, "history", "import", str(good))
    assert bad.exit_code == 2 and "review 2 (line 3): rating must be 1-4, got 7" in bad.stderr
    assert _reviews(Path(db)) == []  # nothing imported from a file with an error


def _history(reviews: list[tuple[str, str, int]]) -> dict:
    """A history file's data: (card, reviewed_at, rating) per review, under the default scheduler."""
    from dlquiz.history import FORMAT, VERSION, config_key
    from dlquiz.schedule import SchedulerConfig

    config = SchedulerConfig().to_dict()
    key = config_key(config)
    rows = [
        {
            "uid": f"{i:032x}",
            "card_id": card,
            "reviewed_at": at,
            "rating": rating,
            "duration_ms": 1000,
            "kind": "study",
            "content_hash": None,
            "scheduler": key,
            "state_before": None,
            "state_after": None,
        }
        for i, (card, at, rating) in enumerate(reviews, 1)
    ]
    return {"format": FORMAT, "version": VERSION, "schedulers": {key: config}, "reviews": rows}


def test_reviews_replay_in_the_order_of_their_instant_not_their_text(cli, tmp_path: Path):
    """10:00+05:00 is 05:00 UTC: before 06:00+00:00, although its text sorts after it. A lapse at 05:00
    followed by a good at 06:00 must give the state of that order, not the reverse."""
    file = tmp_path / "h.json"
    data = _history(
        [
            (CARDS[0], "2026-03-01T09:00:00+00:00", 4),  # easy: in review, so Again is a lapse
            (CARDS[0], "2026-03-06T06:00:00+00:00", 3),
            (CARDS[0], "2026-03-06T10:00:00+05:00", 1),  # 05:00 UTC: the lapse comes first
        ]
    )
    file.write_text(json.dumps(data), encoding="utf-8")
    db = tmp_path / "x.db"
    assert cli("--db", str(db), "history", "import", str(file)).exit_code == 0
    reference = tmp_path / "reference.db"
    day = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)
    _grade(
        reference,
        [
            (CARDS[0], 4, day),
            (CARDS[0], 1, datetime(2026, 3, 6, 5, tzinfo=timezone.utc)),
            (CARDS[0], 3, datetime(2026, 3, 6, 6, tzinfo=timezone.utc)),
        ],
    )
    got, expected = _states(db)[CARDS[0]], _states(reference)[CARDS[0]]
    assert got.schedule_dict() | {"content_hash": None} == expected.schedule_dict() | {"content_hash": None}
    assert got.lapses == 1 and got.reps == 3
    # Stored in one UTC form, so the text order is the time order from now on.
    assert [r.reviewed_at for r in _reviews(db)] == sorted(r.reviewed_at for r in _reviews(db))
    assert _reviews(db)[1].reviewed_at == "2026-03-06T05:00:00.000000+00:00"
    assert _healthy(db)


def test_every_problem_is_listed_with_its_place_and_nothing_is_written(cli, tmp_path: Path):
    db = tmp_path / "x.db"
    _grade(db, _plan(T0)[:1])
    before = db.read_bytes()
    data = _history(
        [
            (CARDS[0], "2026-03-02T09:00:00", 3),  # no time zone
            (CARDS[1], "2026-03-02T09:00:00+00:00", 5),  # rating
            ("Not An Id", "2026-03-02T09:00:00+00:00", 3),
            (CARDS[2], "2999-01-01T00:00:00+00:00", 3),  # the future
            (CARDS[2], "2026-03-02T09:00:00+00:00", 3),
        ]
    )
    data["reviews"][4]["uid"] = data["reviews"][3]["uid"] = data["reviews"][2]["uid"]  # three times
    data["reviews"][4]["duration_ms"] = -5
    config = next(iter(data["schedulers"].values()))
    config["desired_retention"] = 1.0
    config["learning_steps_min"] = [0]
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    result = cli("--db", str(db), "history", "import", str(file))
    assert result.exit_code == 2
    err = result.stderr
    assert "nothing was imported" in err and "Traceback" not in err
    for expected in (
        "review 1: reviewed_at: '2026-03-02T09:00:00' has no time zone",
        "review 2: rating must be 1-4, got 5",
        "review 3: card_id: 'Not An Id' does not match the pattern",
        "review 4: reviewed_at: '2999-01-01T00:00:00+00:00' is in the future",
        "review 5: duration_ms: -5 must be at least 0",
        "desired_retention: 1.0 must be less than 1",
        "learning_steps_min.0: 0 must be more than 0",
        "appears 3 times (reviews 3, 4, 5)",
        "history.schema.json",
    ):
        assert expected in err, (expected, err)
    assert db.read_bytes() == before


def test_the_shipped_schema_is_a_valid_json_schema_and_accepts_an_export(cli, tmp_path: Path):
    import jsonschema

    from dlquiz.history import SCHEMA_PATH

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    _grade(tmp_path / "a.db", _plan(T0))
    out = tmp_path / "h.json"
    assert cli("--db", str(tmp_path / "a.db"), "history", "export", str(out)).exit_code == 0
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(json.loads(out.read_text()))) == []


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("rating", "9"),
        ("rating", "'x'"),
        ("reviewed_at", "'garbage'"),
        ("kind", "'weird'"),
        ("state_before", "'{not json'"),
        ("duration_ms", "'slow'"),
        ("scheduler_id", "999"),
    ],
)
def test_stats_and_doctor_tolerate_and_report_a_bad_stored_row(cli, tmp_path: Path, column: str, value: str):
    import sqlite3

    db = tmp_path / "x.db"
    _grade(db, _plan(T0))
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute(f"UPDATE reviews SET {column} = {value} WHERE id = 2")
    conn.commit()
    conn.close()
    stats = cli("--db", str(db), "stats", "--json")
    assert stats.exit_code == 0, stats.output
    doctor = cli("--db", str(db), "doctor", "--json")
    assert doctor.exit_code == 1 and "Traceback" not in doctor.output
    report = json.loads(doctor.stdout)
    assert [row.split(":")[0] for row in report["bad_rows"]] == [f"review 2 ('{CARDS[1]}')"]
    text = cli("--db", str(db), "doctor")
    assert "cannot be replayed and are skipped" in text.stdout
    assert "bad_rows" in json.loads(stats.stdout)  # counted when inside the window stats reads
    assert cli("--db", str(db), "optimize", "--dry-run", "--json").exit_code in (0, 1, 2)  # no traceback


def test_stats_counts_a_bad_row_in_its_window(cli, tmp_path: Path):
    import sqlite3

    db = tmp_path / "x.db"
    assert cli("--db", str(db), "grade", CARDS[0], "good").exit_code == 0
    assert cli("--db", str(db), "grade", CARDS[1], "good").exit_code == 0
    conn = sqlite3.connect(db)
    conn.execute("UPDATE reviews SET rating = 9 WHERE card_id = ?", (CARDS[1],))
    conn.commit()
    conn.close()
    stats = cli("--db", str(db), "stats", "--json")
    assert stats.exit_code == 0 and json.loads(stats.stdout)["bad_rows"] == 1
    assert json.loads(stats.stdout)["reviews"]["today"] == 1
    shown = cli("--db", str(db), "stats", env={"COLUMNS": "120"})
    assert "1 stored row(s) could not be read" in shown.stdout
