"""The real CLI under a fake clock (libfaketime, Debian's ``faketime`` package; ``.ci/run`` installs it):
days as a user lives them, through the commands they type (issue 16)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

CANDIDATES = (
    "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
    "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
    "/usr/lib/faketime/libfaketime.so.1",
)
LIBFAKETIME = next((p for p in CANDIDATES if Path(p).exists()), None)

if LIBFAKETIME is None:
    if os.environ.get("CI"):
        pytest.fail("libfaketime is missing: .ci/run installs Debian's faketime package", pytrace=False)
    pytest.skip("libfaketime is not installed (apt-get install faketime)", allow_module_level=True)

CARD = "bn-what"


@pytest.fixture
def at(subprocess_env: dict[str, str], dlquiz_cmd: list[str]):
    """``at("2027-01-04 08:20", "Asia/Shanghai", "grade", ...)``: run dlquiz at that local wall time."""

    def run(when: str, zone: str, *args: str, home: Path | None = None) -> subprocess.CompletedProcess[str]:
        env = dict(subprocess_env, TZ=zone, COLUMNS="120", LD_PRELOAD=str(LIBFAKETIME))
        env["FAKETIME"] = "@" + when + ":00"  # starts there and runs on
        env["FAKETIME_DONT_FAKE_MONOTONIC"] = "1"
        if home is not None:
            env["DLQUIZ_HOME"] = str(home)
        result = subprocess.run([*dlquiz_cmd, *args], env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return result

    return run


def grade(at, when: str, zone: str, rating: str, home: Path | None = None) -> dict:
    return json.loads(at(when, zone, "grade", CARD, rating, "--json", home=home).stdout)


def test_the_clock_is_the_fake_one(at):
    data = grade(at, "2027-01-04 08:00", "Asia/Shanghai", "good")
    assert data["schedule"]["last_review"].startswith("2027-01-04T00:00")  # 08:00 in Shanghai


def test_a_next_day_review_before_or_after_the_due_time_gives_the_same_interval(at, isolated_home: Path):
    zone = "Asia/Shanghai"
    for when, rating in (("08:00", "good"), ("08:10", "again"), ("08:11", "good"), ("08:20", "good")):
        data = grade(at, f"2027-01-04 {when}", zone, rating)
    assert data["schedule"]["state"] == 2  # in review, due at 08:20 tomorrow
    early_home = isolated_home.parent / "early"
    shutil.copytree(isolated_home, early_home)
    early = grade(at, "2027-01-05 08:15", zone, "good", home=early_home)
    late = grade(at, "2027-01-05 08:25", zone, "good")
    assert early["schedule"]["stability"] == pytest.approx(late["schedule"]["stability"], rel=1e-9)

    def days(data: dict) -> float:
        due = datetime.fromisoformat(data["due"])
        return (due - datetime.fromisoformat(data["schedule"]["last_review"])).total_seconds() / 86400

    assert round(days(early)) == round(days(late)) >= 2
    assert json.loads(at("2027-01-05 09:00", zone, "doctor", "--json").stdout)["healthy"]


def test_good_ten_days_running_grows_the_interval(at):
    zone = "Europe/Berlin"
    for when, rating in (("08:00", "good"), ("08:10", "good")):
        grade(at, f"2027-01-04 {when}", zone, rating)
    intervals = []
    for day in range(5, 15):
        data = grade(at, f"2027-01-{day:02d} 07:30", zone, "good")  # every morning, due or not
        due = datetime.fromisoformat(data["due"])
        intervals.append(round((due - datetime.fromisoformat(data["schedule"]["last_review"])).days))
    assert 1 not in intervals and intervals[-1] > intervals[0]


def stats(at, when: str, zone: str) -> dict:
    return json.loads(at(when, zone, "stats", "--json").stdout)


def test_shanghai_to_los_angeles_keeps_streak_heatmap_and_doctor(at):
    zone = "Asia/Shanghai"
    for day in range(1, 8):  # a week of study late in the evening, one past midnight
        grade(at, f"2027-01-{day:02d} 23:50", zone, "good")
        grade(at, f"2027-01-{day + 1:02d} 00:10", zone, "good")
    grade(at, "2027-01-09 02:00", zone, "good")  # 02:00 counts for Jan 8
    before = stats(at, "2027-01-09 10:00", zone)
    assert before["streak"] == 8
    studied = {d["date"]: d["reviews"] for d in before["heatmap"] if d["reviews"]}
    assert studied == {**{f"2027-01-{d:02d}": 2 for d in range(1, 8)}, "2027-01-08": 1}
    # Fly to Los Angeles: it is still Jan 8 there, 18:00.
    after = stats(at, "2027-01-08 18:00", "America/Los_Angeles")
    assert after["streak"] == 8
    assert {d["date"]: d["reviews"] for d in after["heatmap"] if d["reviews"]} == studied
    text = " ".join(at("2027-01-08 18:00", "America/Los_Angeles").stdout.split())
    assert re.search(r"reviewed today 1\b", text), text  # the 02:00 review: still today in Los Angeles
    assert json.loads(at("2027-01-08 18:00", "America/Los_Angeles", "doctor", "--json").stdout)["healthy"]


def test_a_dst_change_keeps_the_days(at):
    zone = "America/New_York"  # DST starts 2027-03-14 at 02:00
    for day in range(11, 17):
        grade(at, f"2027-03-{day:02d} 07:00", zone, "good")
    data = stats(at, "2027-03-16 09:00", zone)
    assert data["streak"] == 6
    assert json.loads(at("2027-03-16 09:00", zone, "doctor", "--json").stdout)["healthy"]


def test_interview_set_in_shanghai_read_in_los_angeles(at):
    at("2027-01-10 10:00", "Asia/Shanghai", "plan", "--interview", "2027-02-24")
    eve = json.loads(at("2027-02-23 18:00", "America/Los_Angeles", "plan", "--json").stdout)
    assert (eve["passed"], eve["days_left"], eve["when"]) == (False, 1, "tomorrow")
    text = " ".join(at("2027-02-23 18:00", "America/Los_Angeles").stdout.split())
    assert "2027-02-24 (tomorrow)" in text and "has passed" not in text
    past = json.loads(at("2027-03-17 12:00", "America/Los_Angeles", "plan", "--json").stdout)
    assert past["passed"] and past["when"] == "was 21 days ago"
    text = " ".join(at("2027-03-17 12:00", "America/Los_Angeles").stdout.split())
    assert "2027-02-24 was 21 days ago" in text and "-21" not in text
