"""Days-worked patterns (scheduler.roster.patterns): the recursion is exact against every
pattern of a short horizon, and the weekend plan and shifts leave each agent a choice of
weekends its runs admit its minimum minutes with, so the roster can follow them."""

from __future__ import annotations

import dataclasses
import itertools
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from hypothesis import given, settings, strategies as st

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from curtois import to_problem  # noqa: E402
from curtois_eval import Instance, Staff, evaluate  # noqa: E402
from scheduler.domain import LEAVE, OFF, Request  # noqa: E402
from scheduler.roster import lns  # noqa: E402
from scheduler.roster.patterns import FREE, REST, WORKED, DayRules, best_patterns  # noqa: E402


def _runs_ok(bits, max_run, min_run, min_off) -> bool:
    H, i = len(bits), 0
    while i < H:
        j = i
        while j < H and bits[j] == bits[i]:
            j += 1
        inside = i > 0 and j < H
        if bits[i] and (j - i > max_run or inside and j - i < min_run):
            return False
        if not bits[i] and inside and j - i < min_off:
            return False
        i = j
    return True


def _every_pattern(forced, max_run, min_run, min_off, weekend, limit):
    for bits in itertools.product((0, 1), repeat=len(forced)):
        if any(f == REST and b or f == WORKED and not b for f, b in zip(forced, bits)):
            continue
        if not _runs_ok(bits, max_run, min_run, min_off):
            continue
        if limit is not None and len({w for w, b in zip(weekend, bits) if b and w >= 0}) > limit:
            continue
        yield bits


@settings(max_examples=150, deadline=None)
@given(st.integers(5, 13).flatmap(lambda H: st.tuples(
    st.lists(st.sampled_from([FREE, FREE, FREE, REST, WORKED]), min_size=H, max_size=H),
    st.lists(st.lists(st.integers(-5, 5), min_size=H, max_size=H), min_size=2, max_size=2),
    st.integers(1, 4), st.integers(1, 3), st.integers(1, 3), st.one_of(st.none(), st.integers(0, 2)),
    st.integers(0, 6))))
def test_the_recursion_finds_the_best_pattern_of_every_pattern_there_is(case):
    """Against every pattern of up to 13 days starting on any weekday (so up to three
    weekends, some cut by the horizon), two rows of rewards at once."""
    forced, rewards, max_run, min_run, min_off, limit, start = case
    H = len(forced)
    weekend = np.array([(i + start) // 7 if (i + start) % 7 >= 5 else -1 for i in range(H)])
    every = list(_every_pattern(forced, max_run, min_run, min_off, weekend, limit))
    value, pattern = best_patterns(np.array(rewards), forced, max_run, min_run, min_off, weekend, limit)
    for reward, v, p in zip(rewards, value, pattern):
        if not every:
            assert v == -np.inf and not p.any()
            continue
        assert v == max(sum(r for r, b in zip(reward, bits) if b) for bits in every)
        assert tuple(int(b) for b in p) in every  # a pattern of them, with that reward
        assert sum(r for r, b in zip(reward, p) if b) == v


def test_a_weekend_counts_once_whatever_days_of_it_are_worked():
    """Two weeks from a Monday, at most one weekend: both days of the first weekend (10 each)
    and every weekday (1 each) is the best pattern; counted per day, the weekend would allow
    one of its days only. From a Sunday (a weekend of one day, then a whole one), at most one
    weekend: the whole one."""
    weekend = np.array([i // 7 if i % 7 >= 5 else -1 for i in range(14)])
    reward = np.where(weekend == 0, 10.0, np.where(weekend == 1, 3.0, 1.0))
    value, pattern = best_patterns(reward[None, :], np.full(14, FREE), 14, 1, 1, weekend, 1)
    assert value[0] == 2 * 10 + 10 * 1 and pattern[0].tolist() == [True] * 7 + [True] * 5 + [False, False]
    weekend = np.array([0, -1, -1, -1, -1, -1, 1, 1])  # Sunday, Monday to Friday, Saturday, Sunday
    value, pattern = best_patterns(np.array([[4.0, 1, 1, 1, 1, 1, 3, 3]]), np.full(8, FREE), 8, 1, 1, weekend, 1)
    assert value[0] == 5 + 6 and pattern[0].tolist() == [False] + [True] * 7


def _tight(fewest: int = 18):
    """Three agents, four weeks, one shift type, at most two weekends each, runs of two to
    five days and two days off at least, and `fewest` days worked at least. The cover asks
    three heads on the weekends of weeks 1 and 3 and none on the others: every agent there
    (weekends 0 and 2) is what the cover alone wants, but then an agent works at most 16 days
    (the runs around two weekends apart), fewer than 18."""
    staff = [Staff(c, {"D": 28}, 22 * 480, fewest * 480, 5, 2, 2, 2) for c in "ABC"]
    cover = [(d, "D", (3 if d // 7 in (0, 2) else 0) if d % 7 >= 5 else 2, 100, 1) for d in range(28)]
    return Instance("Tight", 28, {"D": 480}, {"D": set()}, staff, {}, [], [], cover)


def _problem(inst):
    p = to_problem(inst, 10, 2, 0)
    solver = p.config.solver.model_copy(update={"deterministic": True})
    return p.__class__(p.config.model_copy(update={"solver": solver}), p.month, p.agents, p.demand,
                       p.requests, heads=p.heads, horizon_days=p.horizon_days)


def _weekends(p, plan, a):
    return {d: plan.get((a, d), False) for d in p.days if d.weekday() >= 5}


def test_day_rules_read_each_agents_runs_fewest_days_and_fixed_days():
    inst = _tight()
    inst.days_off["B"] = {3}
    p = _problem(inst)
    p = dataclasses.replace(p, requests=p.requests + (Request("C", p.days[9], p.days[9], "fixed", "D"),))
    rules = DayRules.of(p)
    assert rules.rules == {a: (5, 2, 2, 18) for a in "ABC"}
    assert rules.base["B"][3] == REST and rules.base["C"][9] == WORKED
    assert (rules.base["A"] == FREE).all()
    assert [d.weekday() for d in rules.days if rules.weekend[(d - rules.days[0]).days] >= 0] == [5, 6] * 4


def test_which_weekends_admit_the_fewest_days_and_the_cheapest_that_do():
    p = _problem(_tight())
    rules = DayRules.of(p)
    ends = rules.ends
    weekend_days = [d for wk in ends for d in wk]

    def weekends(*worked):
        return {d: k in worked for k, wk in enumerate(ends) for d in wk}

    # the weekends of weeks 0 and 2 leave 16 days at most (the runs around them); any other
    # two of the four leave 18
    assert not rules.admits("A", weekends(0, 2))
    assert all(rules.admits("A", weekends(*w)) for w in itertools.combinations(range(4), 2) if w != (0, 2))
    # working a weekend day of weeks 0 and 2 pays 100, of weeks 1 and 3 costs 1: the cheapest
    # choice of every one (at most two weekends) that admits 18 days
    cost = {d: (-100 if k in (0, 2) else 1) for k, wk in enumerate(ends) for d in wk}
    choices = [dict(zip(weekend_days, map(bool, bits))) for bits in itertools.product((0, 1), repeat=8)]
    admitted = [ch for ch in choices
                if sum(1 for wk in ends if any(ch[d] for d in wk)) <= 2 and rules.admits("A", ch)]
    got = rules.best("A", cost, 2)
    assert got in admitted
    cheapest = min(sum(cost[d] for d in weekend_days if ch[d]) for ch in admitted)
    # the fewest days are priced, not counted (a Lagrangian relaxation), so it may miss the
    # cheapest choice (-200: both days of week 0, no other weekend) by working a weekend of
    # week 1 or 3 too (-198): no price per day makes exactly 18 days the best
    assert cheapest == -200 and cheapest <= sum(cost[d] for d in weekend_days if got[d]) <= -198
    # 22 days: no choice of at most two weekends admits that many (20 at most)
    assert DayRules.of(_problem(_tight(fewest=22))).best("A", cost, 2) is None


def test_the_weekend_plan_and_shifts_admit_every_agents_fewest_days_and_the_roster_follows_them(monkeypatch):
    """The cover alone puts all three agents on the weekends of weeks 0 and 2, which leaves
    each 16 days at most; the plan moves each agent to weekends its runs admit 18 days with,
    the weekend shifts drop no day that takes that away, and the roster follows the shifts."""
    inst = _tight()
    p = _problem(inst)
    cfg = p.config.solver
    rules = DayRules.of(p)
    with monkeypatch.context() as m:
        m.setattr(lns, "_admit", lambda problem, plan, *args: plan)
        raw = lns.weekend_plan(p, cfg, 2.0)
    assert not any(rules.admits(a.id, _weekends(p, raw, a.id)) for a in p.agents)
    plan = lns.weekend_plan(p, cfg, 2.0)
    assert all(rules.admits(a.id, _weekends(p, plan, a.id)) for a in p.agents)
    for a in p.agents:  # at most two weekends each
        assert len({d.isocalendar()[1] for (b, d), on in plan.items() if b == a.id and on}) <= 2
    shifts = lns.weekend_shifts(p, cfg, plan, 1.0)
    assert set(shifts) <= {key for key, on in plan.items() if on}
    # days of weeks 1 and 3 are over the cover, but dropping them must leave each its 18 days
    assert all(rules.admits(a.id, _weekends(p, {key: True for key in shifts}, a.id)) for a in p.agents)
    followed = {}
    states = lns.construct(p, cfg, 5.0, plan=plan, shifts=shifts, followed=followed)
    assert Counter(followed.values()) == {"shifts": 3}
    assert {key: st for key, st in states.items() if key in plan and st not in (OFF, LEAVE)} == shifts
    index = {d: i for i, d in enumerate(p.days)}
    ev = evaluate(inst, [(a, index[d], st) for (a, d), st in states.items() if st not in (OFF, LEAVE)])
    assert ev.violations == []


def test_admit_moves_each_agent_to_cheaper_weekends_it_admits(monkeypatch):
    """All three agents on the weekends of weeks 1 and 3 admit 18 days, but those weekends
    need nobody and weeks 0 and 2 three heads a day: a pass moves each agent where its days
    pay (without passes the plan stays as it is)."""
    p = _problem(_tight())
    ends = DayRules.of(p).ends
    plan = {(a.id, d): k in (1, 3) for a in p.agents for k, wk in enumerate(ends) for d in wk}
    day_need = {d: (3 if k in (0, 2) else 0, 100, 1) for k, wk in enumerate(ends) for d in wk}

    def cost(plan):
        staffed = Counter(d for (_, d), on in plan.items() if on)
        return sum(max(0, h - staffed[d]) * u + max(0, staffed[d] - h) * o for d, (h, u, o) in day_need.items())

    limits = {a.id: 2 for a in p.agents}
    monkeypatch.setattr(lns, "ADMIT_PASSES", 0)
    assert lns._admit(p, plan, day_need, Counter(), limits) == plan
    monkeypatch.setattr(lns, "ADMIT_PASSES", 1)
    moved = lns._admit(p, plan, day_need, Counter(), limits)
    rules = DayRules.of(p)
    assert all(rules.admits(a.id, _weekends(p, moved, a.id)) for a in p.agents)
    for a in p.agents:  # at most two weekends each
        assert len({d.isocalendar()[1] for (b, d), on in moved.items() if b == a.id and on}) <= 2
    assert cost(moved) < cost(plan) == 4 * 300 + 4 * 3


def test_the_weekend_shifts_keep_a_planned_day_an_agent_needs_though_the_cover_does_not():
    """Twenty days of 28 at least: working the weekends of weeks 2 and 3 admits 20, and
    dropping a day of week 3 leaves 19. The cover asks three heads on week 2's weekend and
    none on week 3's, so the weekend's model alone drops week 3 (each head over costs 1): it
    is solved again with those days worked."""
    inst = _tight(fewest=20)
    inst = dataclasses.replace(inst, cover=[(d, "D", (3 if d // 7 == 2 else 0) if d % 7 >= 5 else 2, 100, 1)
                                            for d in range(28)])
    p = _problem(inst)
    rules = DayRules.of(p)
    plan = {(a.id, d): d.isocalendar()[1] - p.days[0].isocalendar()[1] in (2, 3)
            for a in p.agents for d in p.days if d.weekday() >= 5}
    assert all(rules.admits(a.id, _weekends(p, plan, a.id)) for a in p.agents)
    shifts = lns.weekend_shifts(p, p.config.solver, plan, 1.0)
    assert set(shifts) == {key for key, on in plan.items() if on}
