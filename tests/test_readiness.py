"""Interview readiness (issue 14): one number, defined once, shown the same by dlquiz, plan and stats; the
pace an interview date asks for, from the FSRS simulator; and the plan <-> session import cycle gone."""

from __future__ import annotations

import ast
import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from dlquiz.pace import pace
from dlquiz.schedule import SchedulerConfig

from .test_cli_read import built_cache, warm_cache  # noqa: F401  (fixtures: a warm bank cache)

PARAMS = SchedulerConfig().parameters


def interview_in(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def flat(text: str) -> str:
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def test_readiness_is_recall_on_the_day_over_all_cards(cli):
    for card_id in ("bn-backward", "bn-what", "opt-newton"):
        assert cli("grade", card_id, "easy").exit_code == 0
    assert cli("plan", "--interview", interview_in(20)).exit_code == 0
    data = json.loads(cli("plan", "--json").stdout)
    kept = data["recall_kept_up"] * data["studied"]  # recall_kept_up averages the studied cards only
    assert data["readiness"] == pytest.approx(kept / data["cards"], abs=1e-4)
    assert data["readiness"] < 0.05 < data["recall_kept_up"]  # 3 of 238 studied: not ready, whatever 3 say
    for row in data["sections"]:
        studied_sum = (row["recall_kept_up"] or 0) * row["studied"]
        assert row["readiness"] == pytest.approx(studied_sum / row["cards"], abs=1e-4)


def test_dlquiz_plan_and_stats_show_the_same_readiness(cli):
    for card_id in ("bn-backward", "bn-what", "opt-newton"):
        cli("grade", card_id, "easy")
    cli("plan", "--interview", interview_in(20))
    ready = json.loads(cli("plan", "--json").stdout)["readiness"]
    shown = f"ready {100 * ready:.1f}% on the day"
    wide = {"COLUMNS": "200"}
    for command in ((), ("plan",), ("stats",)):
        out = flat(cli(*command, env=wide).stdout)
        assert shown in out, command
        assert "predicted recall on the day" not in out  # no second, different headline number
    stats = flat(cli("stats", env=wide).stdout)
    assert "cards never studied count as forgotten" in stats  # stats explains it
    sections = {m["section"]: m for m in json.loads(cli("stats", "--json").stdout)["mastery"]}
    plan_rows = {r["section"]: r for r in json.loads(cli("plan", "--json").stdout)["sections"]}
    for section, row in plan_rows.items():
        assert sections[section]["recall_kept_up"] == pytest.approx(row["readiness"], abs=1e-4)


def test_the_pace_says_new_cards_a_day_and_their_cost(cli):
    cli("grade", "bn-backward", "good")
    cli("plan", "--interview", interview_in(20))
    data = json.loads(cli("plan", "--json").stdout)
    p = data["pace"]
    unseen = data["cards"] - data["studied"]
    assert p["unseen"] == unseen and p["days"] == data["days_left"] == 20
    assert p["new_per_day"] == -(-unseen // 20)  # enough to see every card before the day
    assert p["possible"] and 0 < p["reviews_per_day_avg"] <= p["reviews_per_day_peak"]
    out = flat(cli(env={"COLUMNS": "200"}).stdout)
    assert f"{p['new_per_day']} new card(s) a day to see all {unseen} unseen" in out
    assert f"dlquiz config new_per_day {p['new_per_day']}" in out  # above the default of 10: say so


def test_an_impossible_pace_says_so(cli):
    cli("plan", "--interview", interview_in(1))
    data = json.loads(cli("plan", "--json").stdout)
    assert not data["pace"]["possible"]
    assert "not possible:" in flat(cli("plan", env={"COLUMNS": "200"}).stdout)


def test_pace_from_the_simulator():
    slow = pace(200, 40, PARAMS, 0.9, 200)
    fast = pace(200, 10, PARAMS, 0.9, 200)
    assert (slow.per_day, fast.per_day) == (5, 20)
    assert fast.reviews_avg > slow.reviews_avg and fast.minutes_avg > slow.minutes_avg
    assert slow.possible and fast.possible
    assert pace(200, 10, PARAMS, 0.9, 200) == fast  # seeded: the same answer twice
    assert not pace(200, 0, PARAMS, 0.9, 200).possible
    assert pace(200, 2, PARAMS, 0.9, 100).reason == "over_limit"  # 100 new a day alone fill the limit
    assert pace(0, 5, PARAMS, 0.9, 200).per_day == 0


def test_plan_and_session_do_not_import_each_other():
    root = Path(__file__).resolve().parent.parent / "dlquiz"

    def imports(name: str) -> set[str]:
        found = set()
        for node in ast.walk(ast.parse((root / f"{name}.py").read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
        return found

    # The plan builds on the session (its forecast); the session never imports the plan, at any level.
    assert "dlquiz.plan" not in imports("session")
    assert not {"dlquiz.plan", "dlquiz.session"} & imports("settings")
    assert not {"dlquiz.plan", "dlquiz.session"} & imports("days")
