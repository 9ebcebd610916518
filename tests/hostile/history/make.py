"""Write the hostile history corpus: ``python tests/hostile/history/make.py`` (rerun after editing).

Each file is a history a stranger could hand over: malformed JSON or CSV, hostile values in one review
(the second of three, so a test can check that the problem is located), broken scheduler configs,
duplicate uids, resource bombs. ``base.json`` is the valid file they are all made from; it must import.
Cases that cannot live in git (a FIFO, a 300 MB sparse file, a symlink loop) are made by the test.
"""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path
from typing import Any

from dlquiz.history import COLUMNS

HERE = Path(__file__).parent
KEY = "abc123def456"
CONFIG: dict[str, Any] = {
    "desired_retention": 0.9,
    "parameters": [
        0.212,
        1.2931,
        2.3065,
        8.2956,
        6.4133,
        0.8334,
        3.0194,
        0.001,
        1.8722,
        0.1666,
        0.796,
        1.4835,
        0.0614,
        0.2629,
        1.6483,
        0.6014,
        1.8729,
        0.5425,
        0.0912,
        0.0658,
        0.1542,
    ],
    "learning_steps_min": [1.0, 10.0],
    "relearning_steps_min": [10.0],
    "maximum_interval": 36500,
    "fuzz": True,
}


def review(n: int, card: str = "bn-what", at: str = "2026-03-02T09:00:00+00:00", rating: int = 3) -> dict:
    return {
        "uid": f"{n:032x}",
        "card_id": card,
        "reviewed_at": at,
        "rating": rating,
        "duration_ms": 4000,
        "kind": "study",
        "content_hash": None,
        "scheduler": KEY,
        "state_before": None,
        "state_after": None,
    }


BASE: dict[str, Any] = {
    "format": "dlquiz-history",
    "version": 1,
    "schedulers": {KEY: CONFIG},
    "reviews": [
        review(1),
        review(2, "cnn-resnet-v2-resnext", "2026-03-03T10:00:00+05:00", 1),
        review(3, "bn-what", "2026-03-05T09:00:00+00:00", 3),
    ],
}

# (field, value) put into review 2; every one must be refused with "review 2" in the message.
REVIEW_CASES: list[tuple[str, Any]] = [
    ("rating", 0),
    ("rating", 5),
    ("rating", -1),
    ("rating", 3.5),
    ("rating", "3"),
    ("rating", True),
    ("rating", None),
    ("rating", 10**12),
    ("rating", [3]),
    ("reviewed_at", "2026-03-02T09:00:00"),
    ("reviewed_at", "yesterday"),
    ("reviewed_at", ""),
    ("reviewed_at", "2099-01-01T00:00:00+00:00"),
    ("reviewed_at", "0001-01-01T00:00:00+00:00"),
    ("reviewed_at", "9999-12-31T23:59:59+00:00"),
    ("reviewed_at", "1969-12-31T23:59:59+00:00"),
    ("reviewed_at", "2026-03-02T09:00:00+25:00"),
    ("reviewed_at", "2026-13-45T09:00:00+00:00"),
    ("reviewed_at", "2" * 20_000),
    ("reviewed_at", "\x1b[2J2026-03-02T09:00:00+00:00"),
    ("reviewed_at", 12345),
    ("reviewed_at", None),
    ("uid", ""),
    ("uid", "u" * 1000),
    ("uid", "a\nb"),
    ("uid", "0" * 31 + "2\n"),
    ("uid", "../../etc/passwd"),
    ("uid", "\x1b]52;c;aGk=\x07"),
    ("uid", None),
    ("uid", 5),
    ("uid", "\u202eevil"),
    ("card_id", ""),
    ("card_id", "BN-WHAT"),
    ("card_id", "bn-what\n"),
    ("card_id", "a..b"),
    ("card_id", ".x"),
    ("card_id", "x."),
    ("card_id", "c" * 500),
    ("card_id", "bn\u202ewhat"),
    ("card_id", "[red]x[/red]"),
    ("card_id", 7),
    ("card_id", "\x1b]0;pwned\x07"),
    ("card_id", "bn-what\x00"),
    ("duration_ms", -1),
    ("duration_ms", 10**12),
    ("duration_ms", "5"),
    ("duration_ms", 3.5),
    ("duration_ms", True),
    ("kind", "STUDY"),
    ("kind", ""),
    ("kind", "learn"),
    ("kind", None),
    ("content_hash", "h" * 1000),
    ("content_hash", "\x1b[31m"),
    ("content_hash", 5),
    ("scheduler", "nope"),
    ("scheduler", 5),
    ("scheduler", ""),
    ("scheduler", "../x"),
    ("state_before", []),
    ("state_before", "x"),
    ("state_before", {"card_id": 5}),
    ("state_before", {"reps": -1}),
    ("state_before", {"x": {"nested": 1}}),
    ("state_before", {f"k{i}": 1 for i in range(100)}),
    ("state_before", {"stability": -3}),
    ("state_after", {"state": 9}),
    ("state_after", {"due": 5}),
    ("evil", 1),
]
MISSING = ["uid", "card_id", "reviewed_at", "rating", "kind"]
# (field, value) put into the scheduler config.
CONFIG_CASES: list[tuple[str, Any]] = [
    ("desired_retention", 0),
    ("desired_retention", 1),
    ("desired_retention", 1.5),
    ("desired_retention", -0.1),
    ("desired_retention", "0.9"),
    ("desired_retention", None),
    ("parameters", []),
    ("parameters", CONFIG["parameters"][:20]),
    ("parameters", [1e6] * 21),
    ("parameters", ["x"] * 21),
    ("parameters", [0.5] * 100),
    ("parameters", [-1.0] * 21),
    ("learning_steps_min", [0]),
    ("learning_steps_min", [-1]),
    ("learning_steps_min", [1e9]),
    ("learning_steps_min", "1"),
    ("learning_steps_min", [[1]]),
    ("relearning_steps_min", [0]),
    ("maximum_interval", 0),
    ("maximum_interval", -5),
    ("maximum_interval", 10**9),
    ("maximum_interval", 36501),
    ("maximum_interval", 3.5),
    ("fuzz", "yes"),
    ("fuzz", 1),
    ("interview_at", "garbage"),
    ("interview_target", 2),
    ("extra", 1),
]


def mutated(field: str, value: Any, delete: bool = False) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    if delete:
        del data["reviews"][1][field]
    else:
        data["reviews"][1][field] = value
    return data


def with_config(field: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["schedulers"][KEY][field] = value
    return data


def to_csv(data: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = list(COLUMNS)  # the columns dlquiz writes
    writer.writerow(columns)
    for i, r in enumerate(data["reviews"]):
        cells = []
        for c in columns:
            if c == "scheduler_config":
                cells.append(json.dumps(data["schedulers"][KEY]) if i == 0 else "")
            elif c in ("state_before", "state_after"):
                cells.append("" if r.get(c) is None else json.dumps(r[c]))
            else:
                cells.append("" if r.get(c) is None else r[c])
        writer.writerow(cells)
    return out.getvalue()


def cases() -> dict[str, bytes]:
    """File name -> bytes. Names starting with ``row-`` are refused with "review 2" in the message."""
    files: dict[str, bytes] = {}

    def js(name: str, data: Any) -> None:
        files[name + ".json"] = json.dumps(data, ensure_ascii=False).encode()

    for i, (field, value) in enumerate(REVIEW_CASES):
        js(f"row-{i:03d}-{field}", mutated(field, value))
    for field in MISSING:
        js(f"row-missing-{field}", mutated(field, None, delete=True))
    for i, (field, value) in enumerate(CONFIG_CASES):
        js(f"config-{i:03d}-{field}", with_config(field, value))
    # The whole document
    raw = {
        "empty": b"",
        "null": b"null",
        "list": b"[]",
        "string": b'"x"',
        "number": b"1",
        "true": b"true",
        "nan": json.dumps(BASE).replace('"rating": 3', '"rating": NaN', 1).encode(),
        "infinity": json.dumps(BASE)
        .replace('"desired_retention": 0.9', '"desired_retention": Infinity')
        .encode(),
        "float-overflow": json.dumps(BASE)
        .replace('"desired_retention": 0.9', '"desired_retention": 1e400')
        .encode(),
        "deep-nesting": b"[" * 10_000 + b"]" * 10_000,
        "deep-object": b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
        "huge-int": json.dumps(BASE).replace('"rating": 3', '"rating": ' + "9" * 5000, 1).encode(),
        "latin1": '{"format": "dlquiz-history", "x": "caf\xe9"}'.encode("latin-1"),
        "utf16": json.dumps(BASE).encode("utf-16"),
        "nul-bytes": b"\x00" * 1000,
        "truncated": json.dumps(BASE).encode()[:-40],
        "trailing-garbage": json.dumps(BASE).encode() + b" }{",
        "bom-then-bad": b"\xef\xbb\xbf" + json.dumps(mutated("rating", 9)).encode(),
    }
    for name, body in raw.items():
        files[f"doc-{name}.json"] = body
    js("doc-empty-object", {})
    js("doc-format-only", {"format": "dlquiz-history"})
    js("doc-version-2", dict(BASE, version=2))
    js("doc-version-string", dict(BASE, version="1"))
    js("doc-version-huge", dict(BASE, version="v" * 20_000))
    js("doc-reviews-not-list", dict(BASE, reviews={"a": 1}))
    js("doc-schedulers-not-dict", dict(BASE, schedulers=[CONFIG]))
    js("doc-reviews-of-numbers", dict(BASE, reviews=[1, 2, 3]))
    js("doc-reviews-of-null", dict(BASE, reviews=[None]))
    js("doc-extra-top-field", dict(BASE, evil=True))
    js("doc-scheduler-key-path", dict(BASE, schedulers={"../../x": CONFIG}))
    js("doc-scheduler-key-empty", dict(BASE, schedulers={"": CONFIG}))
    js("doc-many-schedulers", dict(BASE, schedulers={f"k{i}": CONFIG for i in range(10_001)}))
    dup = copy.deepcopy(BASE)
    dup["reviews"][2]["uid"] = dup["reviews"][0]["uid"]
    js("dup-uid-twice", dup)
    dup3 = copy.deepcopy(BASE)
    dup3["reviews"] = [review(7, at=f"2026-03-0{d}T09:00:00+00:00") for d in (2, 3, 4)]
    js("dup-uid-three-times", dup3)
    many = copy.deepcopy(BASE)
    many["reviews"] = [mutated("rating", 9)["reviews"][1] | {"uid": f"{i:032x}"} for i in range(5000)]
    js("bad-rows-5000", many)
    # CSV
    files["csv-empty.csv"] = b""
    files["csv-header-only-wrong.csv"] = b"a,b,c\n"
    files["csv-missing-columns.csv"] = b"uid,card_id\nx,y\n"
    good_csv = to_csv(BASE)
    files["csv-nul-bytes.csv"] = good_csv.replace("bn-what", "bn\x00what", 1).encode()
    files["csv-field-too-large.csv"] = (good_csv + '"' + "x" * 140_000 + '",1\n').encode()
    files["csv-unterminated-quote.csv"] = (good_csv + '"abc,def\n').encode()
    files["csv-bad-config-json.csv"] = good_csv.replace('"{""desired', '"{{""desired', 1).encode()
    lines = good_csv.splitlines()
    lines[2] += '"' + "[" * 10_000 + '"'  # review 2's state_after: JSON nested 10,000 deep
    files["csv-deep-state.csv"] = ("\n".join(lines) + "\n").encode()
    files["csv-short-rows.csv"] = (good_csv + "x\n").encode()
    files["csv-latin1.csv"] = good_csv.replace("bn-what", "caf\xe9", 1).encode("latin-1")
    files["csv-dup-uid.csv"] = to_csv(dup).encode()
    return files


MAX_IN_GIT = 400_000  # bigger cases (a 4 MB file of schedulers) are written by the test from cases()


def main() -> None:
    for old in HERE.glob("*.json"):
        if old.name != "base.json":
            old.unlink()
    for old in HERE.glob("*.csv"):
        old.unlink()
    (HERE / "base.json").write_text(json.dumps(BASE, indent=1) + "\n", encoding="utf-8")
    for name, body in cases().items():
        if len(body) <= MAX_IN_GIT:
            (HERE / name).write_bytes(body)


if __name__ == "__main__":
    main()
