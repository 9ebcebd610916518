"""The scheduler against a simulated learner whose memory is not the scheduler's model.

The learner's true memory is FSRS-6 with perturbed parameters and a different forgetting-curve decay (the
time between reviews rounded to the nearest day, neither convention a scheduler may use); the
scheduling is dlquiz's own (``schedule.review``, with the interview rule ``schedule.plan_due`` applied the
way ``StudySession.due_of`` applies it), and the fitting is ``dlquiz.optimize``'s code. A study session a
day at 09:00 UTC: every due review, learning steps as they come due, ten new cards a day.

1. Log loss on held-out reviews (the last four months of a simulated year) with the default parameters,
   with parameters fitted by ``dlquiz.optimize`` on the first eight months, and with the true parameters.
   Target: fitted beats default.
2. An interview 30 days after day 335: the expected number of cards forgotten on the day (the sum of 1 -
   true recall) and the reviews used in those 30 days, for plain FSRS (retention 0.9), for plain FSRS with
   its desired retention raised until it uses as many reviews as the interview mode, and for the interview
   mode (target 0.95). Each policy is run from the same day-335 state over several outcome seeds.
   Targets: interview mode forgets at least 30% fewer than plain FSRS, and fewer than raised retention.
3. Daily use (issue 16): 90 days, one session a day at a random hour from 06:00 to 02:00, scheduled by
   counting elapsed time in whole 24-hour periods (py-fsrs's own count, dlquiz before) and in study days
   (dlquiz now), on the same learner, cards and outcome seeds. Printed for each: the share of passing
   reviews (after a card's 3rd review) that gave a 1-day interval, reviews per card, true retention.
   Target: study days give fewer 1-day intervals and fewer reviews per card.

    python benchmarks/scheduler.py [--cards 300] [--seeds 8] [--daily-only]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Callable
from copy import copy
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any

import fsrs

from dlquiz import days, optimize
from dlquiz.plan import DEFAULT_TARGET
from dlquiz.schedule import PERIODS, REVIEW, SchedulerConfig, iso, parse_time, plan_due, recall, review
from dlquiz.store import CardState

START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
YEAR = 365
SPLIT_DAY = 245  # train on reviews before it, evaluate on items whose last review is on or after it
INTERVIEW_FROM = 335  # the plan is set on this day, for an interview 30 days later
INTERVIEW_DAYS = 30
NEW_PER_DAY = 10
SECONDS_PER_CARD = 20
DEFAULT = tuple(fsrs.scheduler.DEFAULT_PARAMETERS)


def true_parameters(seed: int) -> tuple[float, ...]:
    """Default FSRS-6 parameters, each scaled by a random factor, and a steeper forgetting-curve decay."""
    rng = random.Random(seed)
    lower, upper = fsrs.scheduler.LOWER_BOUNDS_PARAMETERS, fsrs.scheduler.UPPER_BOUNDS_PARAMETERS
    params = []
    for i, p in enumerate(DEFAULT[:20]):
        scaled = p * math.exp(rng.gauss(0.0, 0.35))
        params.append(min(max(scaled, lower[i]), upper[i]))
    for i in range(4):  # initial stabilities: this learner forgets new material faster than the defaults say
        params[i] = DEFAULT[i] * 0.4
    params[8] = DEFAULT[8] * 0.85  # and stability grows more slowly after a success
    return (*params, 0.45)  # decay: the defaults say 0.1542


@dataclass
class World:
    """The scheduler's card states, the learner's true memory states, and the review log."""

    states: dict[str, CardState]
    truth: dict[str, fsrs.Card]
    log: list[optimize.LoggedReview]
    introduced: int


class Learner:
    def __init__(self, parameters: tuple[float, ...]):
        self.parameters = parameters
        self.memory = fsrs.Scheduler(parameters=parameters, enable_fuzzing=False)

    def recall(self, card: fsrs.Card | None, when: datetime) -> float:
        if card is None or card.stability is None or card.last_review is None:
            return 0.0
        return recall(self.parameters, card.stability, (when - card.last_review).total_seconds() / 86400)

    def answer(self, card: fsrs.Card | None, when: datetime, rng: random.Random) -> int:
        if card is None:  # first sight of a new card
            return rng.choices((1, 2, 3, 4), weights=(30, 15, 45, 10))[0]
        if rng.random() >= self.recall(card, when):
            return 1
        return rng.choices((2, 3, 4), weights=(15, 75, 10))[0]

    def learn(self, card: fsrs.Card | None, card_id: int, rating: int, when: datetime) -> fsrs.Card:
        """The true memory after a review. Memory knows neither 24-hour periods nor study days: the time
        since the last review is rounded to the nearest whole day (py-fsrs counts whole days only), so
        23 h 55 min is a day, as it is for a person, and an hour is the same day."""
        card = copy(card) if card else fsrs.Card(card_id=card_id, due=when)
        if card.last_review is not None:
            days_apart = round((when - card.last_review) / timedelta(days=1))
            card.last_review = when - timedelta(days=days_apart)
        return self.memory.review_card(card, fsrs.Rating(rating), review_datetime=when)[0]


_DUES: dict[tuple[SchedulerConfig, CardState], datetime] = {}


def effective_due(config: SchedulerConfig, state: CardState) -> datetime:
    """As ``StudySession.due_of``: the stored due, or the plan's earlier one for cards graded before it."""
    key = (config, state)
    found = _DUES.get(key)
    if found is None:
        found = parse_time(state.due)
        if config.interview_at is not None and state.state == REVIEW:
            forward = plan_due(config, state, parse_time(state.last_review))
            found = min(found, forward) if forward else found
        _DUES[key] = found
    return found


def _queues(
    world: World, ids: list[str], now: datetime, tomorrow: datetime, due_at: Callable[[Any], datetime]
) -> tuple[list[str], list[str]]:
    """The learning steps due within 20 minutes, and the reviews due before ``tomorrow`` by ``due_at``."""
    learning = [
        c
        for c in ids
        if c in world.states
        and world.states[c].state != REVIEW
        and parse_time(world.states[c].due) <= now + timedelta(minutes=20)
    ]
    due = [
        c
        for c in ids
        if c in world.states and world.states[c].state == REVIEW and due_at(world.states[c]) < tomorrow
    ]
    return learning, due


def study_day(
    world: World,
    learner: Learner,
    config: SchedulerConfig,
    ids: list[str],
    day: int,
    rng: random.Random,
    log: bool = True,
) -> int:
    """One session on ``day``; returns the number of reviews done."""
    now = START + timedelta(days=day)
    tomorrow = START.replace(hour=4) + timedelta(days=day + 1)
    done = 0
    new_left = NEW_PER_DAY
    while True:
        learning, due = _queues(world, ids, now, tomorrow, lambda state: effective_due(config, state))
        if learning and parse_time(world.states[learning[0]].due) <= now:
            card_id = min(learning, key=lambda c: world.states[c].due)
        elif due:
            card_id = min(due, key=lambda c: effective_due(config, world.states[c]))
        elif new_left and world.introduced < len(ids):
            card_id = ids[world.introduced]
            world.introduced += 1
            new_left -= 1
        elif learning:
            card_id = min(learning, key=lambda c: world.states[c].due)
            now = max(now, parse_time(world.states[card_id].due))
        else:
            return done
        truth = world.truth.get(card_id)
        rating = learner.answer(truth, now, rng)
        world.truth[card_id] = learner.learn(truth, len(world.truth) + 1, rating, now)
        world.states[card_id] = review(config, card_id, world.states.get(card_id), rating, now)
        if log:
            world.log.append(optimize.LoggedReview(card_id, now, rating))
        done += 1
        now += timedelta(seconds=SECONDS_PER_CARD)


def simulate(
    world: World,
    learner: Learner,
    config: SchedulerConfig,
    ids: list[str],
    days: range,
    rng: random.Random,
    log: bool = True,
) -> int:
    return sum(study_day(world, learner, config, ids, d, rng, log) for d in days)


def copy_world(world: World) -> World:
    return World(dict(world.states), dict(world.truth), list(world.log), world.introduced)


# --- 1. log loss on later reviews --------------------------------------------------------------------------


def held_out(world: World, truth: tuple[float, ...]) -> dict[str, tuple[float, float]]:
    split = START + timedelta(days=SPLIT_DAY)
    train = [r for r in world.log if r.reviewed_at < split]
    items, _ = optimize.build_items(world.log)
    train_items, numbers = optimize.build_items(train)
    # Items are sorted by their last review, so the held-out ones (last review on or after the split; their
    # histories may start before it) are what follows the training items.
    test = items[len(train_items) :]
    fitted = optimize.optimize(train, DEFAULT).fitted
    out = {}
    for name, params in (("default", DEFAULT), ("fitted", fitted), ("true", truth)):
        result = optimize.evaluate(params, test)
        out[name] = (result.log_loss, result.rmse_bins)
    out["_sizes"] = (float(len(train_items)), float(len(test)))
    out["_fitted"] = fitted  # type: ignore[assignment]
    return out


# --- 2. the interview -------------------------------------------------------------------------------------


def forgotten(world: World, learner: Learner, at: datetime) -> float:
    return sum(1 - learner.recall(card, at) for card in world.truth.values())


def run_policy(
    base: World, learner: Learner, config: SchedulerConfig, ids: list[str], seeds: int, at: datetime
) -> tuple[float, float]:
    """Mean (cards forgotten on the day, reviews used) over ``seeds`` outcome streams."""
    total_forgotten, total_reviews = 0.0, 0
    for seed in range(seeds):
        world = copy_world(base)
        rng = random.Random(1000 + seed)
        total_reviews += simulate(
            world,
            learner,
            config,
            ids,
            range(INTERVIEW_FROM, INTERVIEW_FROM + INTERVIEW_DAYS),
            rng,
            log=False,
        )
        total_forgotten += forgotten(world, learner, at)
    return total_forgotten / seeds, total_reviews / seeds


# --- 3. daily use at a random hour --------------------------------------------------------------------------

DAILY_DAYS = 90


@dataclass
class Daily:
    reviews: int = 0
    passing_after_third: int = 0  # passing reviews of review-state cards that had 3+ reviews before
    one_day: int = 0  # ...that gave a 1-day interval
    review_state: int = 0  # reviews of cards in the Review state
    recalled: int = 0  # ...that were passed (true retention)
    cards: int = 0


def daily_session(
    world: World,
    learner: Learner,
    config: SchedulerConfig,
    ids: list[str],
    now: datetime,
    rng: random.Random,
    out: Daily,
) -> None:
    """One session at ``now``: the learning steps due, every review due this study day, ten new cards."""
    tomorrow = days.start_of(days.study_day(now) + timedelta(days=1))
    new_left = NEW_PER_DAY
    while True:
        learning, due = _queues(world, ids, now, tomorrow, lambda state: parse_time(state.due))
        if learning and parse_time(world.states[min(learning, key=lambda c: world.states[c].due)].due) <= now:
            card_id = min(learning, key=lambda c: world.states[c].due)
        elif due:
            card_id = min(due, key=lambda c: world.states[c].due)
        elif new_left and world.introduced < len(ids):
            card_id = ids[world.introduced]
            world.introduced += 1
            new_left -= 1
        elif learning:
            card_id = min(learning, key=lambda c: world.states[c].due)
            now = max(now, parse_time(world.states[card_id].due))
        else:
            return
        before = world.states.get(card_id)
        truth = world.truth.get(card_id)
        rating = learner.answer(truth, now, rng)
        world.truth[card_id] = learner.learn(truth, len(world.truth) + 1, rating, now)
        after = review(config, card_id, before, rating, now)
        world.states[card_id] = after
        out.reviews += 1
        if before is not None and before.state == REVIEW:
            out.review_state += 1
            out.recalled += rating > 1
            if rating > 1 and before.reps >= 3:
                out.passing_after_third += 1
                out.one_day += parse_time(after.due) - now < timedelta(days=1.5)
        now += timedelta(seconds=SECONDS_PER_CARD)


def daily_use(learner: Learner, config: SchedulerConfig, n_cards: int, seed: int) -> Daily:
    ids = [f"c{i:04d}" for i in range(n_cards)]
    world = World({}, {}, [], 0)
    hours = random.Random(seed)  # the same study hours for both countings
    outcomes = random.Random(10_000 + seed)
    out = Daily()
    first = START.replace(hour=0)
    for day in range(DAILY_DAYS):
        when = first + timedelta(days=day, hours=hours.uniform(6, 26))
        daily_session(world, learner, config, ids, when, outcomes, out)
    out.cards = world.introduced
    return out


def report_daily(learner: Learner, n_cards: int, seeds: int) -> bool:
    print(
        f"\n3. daily use: {DAILY_DAYS} days, one session a day at a random hour (06:00-02:00), "
        f"{n_cards} cards, {seeds} seed(s), default parameters"
    )
    print(
        f"   {'elapsed time counted in':<26}{'1-day after 3rd review':>24}"
        f"{'reviews/card':>14}{'retention':>11}"
    )
    results = {}
    # Before issue 16, dlquiz counted whole 24-hour periods (py-fsrs's own count); now study days.
    countings = (
        ("whole 24-hour periods", SchedulerConfig(elapsed=PERIODS)),
        ("study days", SchedulerConfig()),
    )
    for name, config in countings:
        total = Daily()
        for seed in range(seeds):
            got = daily_use(learner, config, n_cards, seed)
            for key in total.__dataclass_fields__:
                setattr(total, key, getattr(total, key) + getattr(got, key))
        share = total.one_day / total.passing_after_third if total.passing_after_third else 0.0
        per_card = total.reviews / total.cards if total.cards else 0.0
        retention = total.recalled / total.review_state if total.review_state else 0.0
        results[name] = (share, per_card, retention)
        print(
            f"   {name:<26}{100 * share:>23.1f}%{per_card:>14.1f}{100 * retention:>10.1f}%"
            f"   ({total.one_day}/{total.passing_after_third}; {total.reviews} reviews)"
        )
    old, new = results["whole 24-hour periods"], results["study days"]
    ok = new[0] < old[0] and new[1] < old[1]
    print(
        f"{'PASS' if ok else 'FAIL'}  study days give fewer 1-day intervals ({100 * new[0]:.1f}% vs "
        f"{100 * old[0]:.1f}%) and fewer reviews per card ({new[1]:.1f} vs {old[1]:.1f})"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=300)
    parser.add_argument("--seeds", type=int, default=8, help="outcome seeds per interview policy")
    parser.add_argument("--learner", type=int, default=7, help="seed of the true parameters")
    parser.add_argument("--daily-only", action="store_true", help="run only 3. (daily use at a random hour)")
    args = parser.parse_args()
    started = time.perf_counter()
    truth = true_parameters(args.learner)
    learner = Learner(truth)
    ok_daily = report_daily(learner, args.cards, args.seeds)
    if args.daily_only:
        print(f"\nrun time {time.perf_counter() - started:.1f} s")
        return 0 if ok_daily else 1
    ids = [f"c{i:04d}" for i in range(args.cards)]
    world = World({}, {}, [], 0)
    rng = random.Random(42)
    base_config = SchedulerConfig()
    simulate(world, learner, base_config, ids, range(0, INTERVIEW_FROM), rng)
    snapshot = copy_world(world)
    simulate(world, learner, base_config, ids, range(INTERVIEW_FROM, YEAR), rng)
    print(
        f"simulated year: {len(world.log)} reviews of {args.cards} cards "
        f"({time.perf_counter() - started:.1f} s)"
    )

    losses = held_out(world, truth)
    n_train, n_test = losses.pop("_sizes")
    fitted = tuple(losses.pop("_fitted"))  # type: ignore[arg-type]
    print(
        f"\n1. held-out log loss: fitted on {int(n_train)} items (days 0-{SPLIT_DAY - 1}), "
        f"evaluated on {int(n_test)} later items"
    )
    print(f"   {'parameters':<12}{'log loss':>10}{'RMSE(bins)':>12}")
    for name, (loss, rmse) in losses.items():
        print(f"   {name:<12}{loss:>10.4f}{rmse:>12.4f}")
    ok_fit = losses["fitted"][0] < losses["default"][0]

    at = START + timedelta(days=INTERVIEW_FROM + INTERVIEW_DAYS)
    plain = replace(base_config, parameters=fitted)
    planned = replace(plain, interview_at=iso(at), interview_target=DEFAULT_TARGET)
    results = {"plain FSRS (0.90)": run_policy(snapshot, learner, plain, ids, args.seeds, at)}
    results[f"interview mode ({DEFAULT_TARGET:.2f})"] = run_policy(
        snapshot, learner, planned, ids, args.seeds, at
    )
    goal = results[f"interview mode ({DEFAULT_TARGET:.2f})"][1]
    low, high = 0.9, 0.99
    best = None
    for _ in range(7):  # bisect the retention whose review count matches the interview mode's
        mid = (low + high) / 2
        got = run_policy(
            snapshot, learner, replace(plain, desired_retention=round(mid, 4)), ids, args.seeds, at
        )
        if best is None or abs(got[1] - goal) < abs(best[1][1] - goal):
            best = (mid, got)
        low, high = (mid, high) if got[1] < goal else (low, mid)
    assert best is not None
    results[f"raised retention ({best[0]:.3f})"] = best[1]
    order = (
        [k for k in results if k.startswith("plain")]
        + [k for k in results if k.startswith("raised")]
        + [k for k in results if k.startswith("interview")]
    )
    print(
        f"\n2. interview {INTERVIEW_DAYS} days ahead ({args.cards} cards, fitted parameters, "
        f"mean of {args.seeds} outcome seeds)"
    )
    print(f"   {'policy':<28}{'forgotten on the day':>22}{'reviews used':>14}")
    for name in order:
        lost, used = results[name]
        print(f"   {name:<28}{lost:>22.2f}{used:>14.1f}")
    plain_lost = results["plain FSRS (0.90)"][0]
    mode_lost, mode_used = results[f"interview mode ({DEFAULT_TARGET:.2f})"]
    raised_lost, raised_used = best[1]
    fewer = 1 - mode_lost / plain_lost
    ok_plain = fewer >= 0.30
    ok_raised = mode_lost < raised_lost
    print()
    print(
        f"{'PASS' if ok_fit else 'FAIL'}  fitted parameters beat the defaults on held-out reviews "
        f"({losses['fitted'][0]:.4f} < {losses['default'][0]:.4f})"
    )
    print(
        f"{'PASS' if ok_plain else 'FAIL'}  interview mode forgets {100 * fewer:.0f}% fewer cards than plain "
        f"FSRS (target: at least 30%)"
    )
    print(
        f"{'PASS' if ok_raised else 'FAIL'}  interview mode forgets fewer than raised retention at about "
        f"the same reviews ({mode_lost:.2f} vs {raised_lost:.2f}; {mode_used:.0f} vs {raised_used:.0f})"
    )
    print(f"\nrun time {time.perf_counter() - started:.1f} s")
    return 0 if ok_fit and ok_plain and ok_raised and ok_daily else 1


if __name__ == "__main__":
    sys.exit(main())
