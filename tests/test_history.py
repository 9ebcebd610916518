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
