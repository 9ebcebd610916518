"""Grade -> next card, in process: 10,000 cards with 1,000,000 logged reviews vs the same with an empty log.

Target (issue 4): the full log stays within 1.5x of the empty one. Both databases hold the same 10,000
card states; only the size of the review log differs. Runs are interleaved so both share the machine's
noise, and the median of each is compared.

    python benchmarks/study.py [--cards 10000] [--reviews 1000000] [--rounds 200]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from dlquiz.model import Catalog, Section, Text, build_question
from dlquiz.schedule import iso
from dlquiz.session import StudySession
from dlquiz.store import Store

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)


def synthetic_catalog(n_cards: int) -> Catalog:
    """n_cards cards: questions with nine basic drills each."""
    t = {"en": "x", "zh": "x"}
    questions = []
    for qi in range(n_cards // 10):
        qid = f"q{qi}"
        raw = {
            "id": qid,
            "section": "bench",
            "source": "-",
            "prompt": t,
            "answer": {"short": t, "detailed": t},
            "key_points": [t],
            "formulas": [],
            "pitfalls": [],
            "follow_ups": [],
            "references": [{"authors": "a", "year": 2000, "title": "t", "venue": "v"}],
            "demos": [],
            "drills": [{"id": f"{qid}.d{j}", "type": "basic", "prompt": t, "back": t} for j in range(9)],
        }
        questions.append(build_question(raw))
    return Catalog((Section("bench", Text("Bench", "Bench"), 1),), tuple(questions))


def populate(path: Path, catalog: Catalog, n_reviews: int, rng: random.Random) -> None:
    store = Store.open(path, NOW)
    ids = [c.id for c in catalog.cards()]
    state = {
        "state": 2,
        "step": None,
        "stability": 10.0,
        "difficulty": 5.0,
        "reps": 5,
        "lapses": 0,
        "content_hash": None,
        "buried_until": None,
    }
    with store.write():
        store.conn.executemany(
            "INSERT INTO cards (card_id, state, step, stability, difficulty, due, last_review, reps, lapses,"
            " content_hash, buried_until) VALUES (?, 2, NULL, 10.0, 5.0, ?, ?, 5, 0, NULL, NULL)",
            [
                (cid, iso(NOW + timedelta(days=rng.uniform(-3, 30))), iso(NOW - timedelta(days=10)))
                for cid in ids
            ],
        )
    blob = json.dumps(state)
    batch = 100_000
    for start in range(0, n_reviews, batch):
        rows = []
        for i in range(start, min(n_reviews, start + batch)):
            when = NOW - timedelta(days=365) + timedelta(seconds=i * 30)
            rows.append(
                (
                    uuid.uuid4().hex,
                    rng.choice(ids),
                    iso(when),
                    rng.randint(1, 4),
                    5000,
                    "study",
                    None,
                    blob,
                    blob,
                    None,
                    (when - timedelta(hours=4)).date().isoformat(),  # its study day (TZ=UTC here)
                    0,
                )
            )
        with store.write():
            store.conn.executemany(
                "INSERT INTO reviews (uid, card_id, reviewed_at, rating, duration_ms, kind, scheduler_id,"
                " state_before, state_after, content_hash, study_day, utc_offset)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
    store.close()


def time_rounds(path: Path, catalog: Catalog, rounds: int) -> list[float]:
    store = Store.open(path, NOW)
    session = StudySession(store, catalog, NOW)
    now = NOW
    times = []
    card = session.next_card(now)
    for _ in range(rounds):
        assert card is not None
        start = time.perf_counter()
        session.grade(card, 3, now)
        card = session.next_card(now)
        times.append(time.perf_counter() - start)
        now += timedelta(seconds=5)
    store.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    catalog = synthetic_catalog(args.cards)
    with tempfile.TemporaryDirectory() as tmp:
        empty, full = Path(tmp, "empty.db"), Path(tmp, "full.db")
        t0 = time.perf_counter()
        populate(empty, catalog, 0, random.Random(1))
        populate(full, catalog, args.reviews, random.Random(1))
        print(
            f"setup: {len(catalog.cards())} cards; {args.reviews:,} reviews written in "
            f"{time.perf_counter() - t0:.1f} s",
            flush=True,
        )
        results: dict[str, list[float]] = {"empty log": [], "full log": []}
        chunk = max(1, args.rounds // 4)
        for _ in range(4):  # interleave, so both see the same machine noise
            results["empty log"] += time_rounds(empty, catalog, chunk)
            results["full log"] += time_rounds(full, catalog, chunk)
    med = {k: statistics.median(v) * 1000 for k, v in results.items()}
    p90 = {k: statistics.quantiles(v, n=10)[-1] * 1000 for k, v in results.items()}
    print(f"{'':12} {'median ms':>10} {'p90 ms':>10} {'rounds':>7}")
    for key in results:
        print(f"{key:12} {med[key]:10.2f} {p90[key]:10.2f} {len(results[key]):7}")
    ratio = med["full log"] / med["empty log"]
    print(f"ratio full/empty (median): {ratio:.2f}x   target <= 1.5x: {'PASS' if ratio <= 1.5 else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
