"""Schema migrations, append-only: never edit one that has shipped; add the next function instead.

The ``reviews`` log is the source of truth; ``cards`` holds each card's current scheduling state and can
be rebuilt by replaying the log (``dlquiz doctor --fix``). Settings live in the same file, so one
database is the user's whole state.
"""

from __future__ import annotations

from sqlite_utils.migrations import Migrations

migrations = Migrations("dlquiz")


@migrations()
def m001_initial(db) -> None:  # type: ignore[no-untyped-def]
    db["schedulers"].create(
        {"id": int, "config": str},  # JSON of the FSRS parameters, retention and steps used for a review
        pk="id",
    )
    db["schedulers"].create_index(["config"], unique=True)
    db["reviews"].create(
        {
            "id": int,
            "uid": str,  # globally unique, so two machines' logs merge without duplicates
            "card_id": str,
            "reviewed_at": str,  # ISO 8601, UTC
            "rating": int,  # 1 Again, 2 Hard, 3 Good, 4 Easy
            "duration_ms": int,
            "kind": str,  # "study" (changes the schedule) or "cram" (logged only)
            "scheduler_id": int,
            "state_before": str,  # JSON, null for a card's first review
            "state_after": str,  # JSON
            "content_hash": str,  # the card's text at review time: edits are detected, never reset
        },
        pk="id",
        not_null={"uid", "card_id", "reviewed_at", "rating", "kind"},
        foreign_keys=[("scheduler_id", "schedulers", "id")],
    )
    db["reviews"].create_index(["uid"], unique=True)
    db["reviews"].create_index(["card_id", "id"])
    db["reviews"].create_index(["reviewed_at"])
    db["cards"].create(
        {
            "card_id": str,
            "state": int,  # fsrs State: 1 Learning, 2 Review, 3 Relearning
            "step": int,
            "stability": float,
            "difficulty": float,
            "due": str,
            "last_review": str,
            "reps": int,
            "lapses": int,
            "content_hash": str,
            "buried_until": str,
        },
        pk="card_id",
    )
    db["cards"].create_index(["due"])
    db["settings"].create({"key": str, "value": str}, pk="key")  # value: JSON


@migrations()
def m002_mock_interviews(db) -> None:  # type: ignore[no-untyped-def]
    # One row per mock interview and one per question answered in it, so `stats` can chart the scores.
    db["mocks"].create(
        {
            "id": int,
            "uid": str,
            "started_at": str,  # ISO 8601, UTC
            "seed": int,
            "seconds_per_question": int,
            "sections": str,  # JSON list; empty for all sections
        },
        pk="id",
        not_null={"uid", "started_at"},
    )
    db["mocks"].create_index(["uid"], unique=True)
    db["mocks"].create_index(["started_at"])
    db["mock_answers"].create(
        {
            "id": int,
            "mock_id": int,
            "position": int,
            "question_id": str,
            "answer": str,  # what was typed ("" when answered aloud)
            "covered": str,  # JSON list of the 0-based key points ticked as covered
            "total": int,  # key points of the question
            "duration_ms": int,
            "timed_out": int,
        },
        pk="id",
        not_null={"mock_id", "question_id"},
        foreign_keys=[("mock_id", "mocks", "id")],
    )
    db["mock_answers"].create_index(["mock_id", "position"])


@migrations()
def m003_review_days(db) -> None:  # type: ignore[no-untyped-def]
    # Each review's study day (local, from 4 a.m.) and the UTC offset in force, so streaks, heatmaps and
    # elapsed days keep what the learner lived when they later move to another time zone. Reviews logged
    # before this are given the zone of the machine at migration (the best record there is).
    from datetime import datetime, timezone

    from dlquiz.days import study_day, utc_offset

    db["reviews"].add_column("study_day", str)  # YYYY-MM-DD
    db["reviews"].add_column("utc_offset", int)  # minutes east of UTC
    offsets: dict[int, int] = {}

    def filled(rows):  # type: ignore[no-untyped-def]
        for review_id, stamp in rows:
            moment = datetime.fromisoformat(stamp)
            moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
            # Zones change offset on quarter hours (UTC): one local-time lookup per quarter hour of the log.
            quarter = int(moment.timestamp()) // 900
            if quarter not in offsets:
                offsets[quarter] = utc_offset(datetime.fromtimestamp(quarter * 900, timezone.utc))
            offset = offsets[quarter]
            yield study_day(moment, offset).isoformat(), offset, review_id

    rows = db.execute("SELECT id, reviewed_at FROM reviews").fetchall()
    # One statement for all rows: a million-review log migrates in seconds, not a minute.
    db.conn.executemany("UPDATE reviews SET study_day = ?, utc_offset = ? WHERE id = ?", filled(rows))
    db["reviews"].create_index(["study_day"])
