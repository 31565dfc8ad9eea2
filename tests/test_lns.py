"""Agent-group search (scheduler.roster.lns): the sub-problem of a few agents is exact, the first
roster keeps every hard rule, each kept step lowers the cost by what it reports, and the same
seed in deterministic mode gives the same roster."""

from __future__ import annotations

import dataclasses
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from ortools.sat.python import cp_model

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from curtois import to_problem  # noqa: E402
from curtois_eval import evaluate, read_instance  # noqa: E402
from scheduler.domain import LEAVE, OFF  # noqa: E402
from scheduler.roster import build_model, lns  # noqa: E402
from scheduler.roster.solve import states_frame  # noqa: E402
from scheduler.validate import check_roster  # noqa: E402

INSTANCE1 = ROOT / "tests" / "data" / "curtois" / "Instance1.txt"


@pytest.fixture(scope="module")
def inst():
    return read_instance(INSTANCE1)


def _problem(inst, seconds=5.0, deterministic=True, seed=0):
    p = to_problem(inst, seconds, 2, seed)
    solver = p.config.solver.model_copy(update={"deterministic": deterministic})
    return p.__class__(p.config.model_copy(update={"solver": solver}), p.month, p.agents, p.demand,
                       p.requests, heads=p.heads, horizon_days=p.horizon_days)


def _objective(inst, p, states) -> int:
    index = {d: i for i, d in enumerate(p.days)}
    ev = evaluate(inst, [(a, index[d], s) for (a, d), s in states.items() if s not in (OFF, LEAVE)])
    assert ev.violations == []
    return ev.objective


def _every_day_off(p):
    return {(a.id, d): (LEAVE if d in p.leave_days(a.id) else OFF) for a in p.agents for d in p.days}


def test_sub_problem_takes_the_fixed_agents_off_the_need(inst):
    p = _problem(inst)
    states = _every_day_off(p)
    d0, d1 = p.days[0], p.days[1]
    fixed = [a.id for a in p.agents][2:]
    for a in fixed:  # six fixed agents work D on day 0; the need there is lower than six
        if states[a, d0] == OFF:
            states[a, d0] = "D"
    keep = {p.agents[0].id, p.agents[1].id}
    sub = lns.sub_problem(p, keep, states)
    assert {a.id for a in sub.agents} == keep
    assert {r.agent_id for r in sub.requests} <= keep
    working = Counter(d for (a, d), s in states.items() if a not in keep and s == "D")
    got = {(r.date, r.shift): r.heads for r in sub.heads.itertuples(index=False)}
    want = {(r.date, r.shift): r.heads - (working[r.date] if r.shift == "D" else 0)
            for r in p.heads.itertuples(index=False)}
    assert got == want
    assert got[d0, "D"] < 0 and got[d1, "D"] > 0  # overstaffed by the fixed agents: below zero


def test_a_need_below_zero_counts_the_over_cover():
    from test_contract_rules import D, problem
    heads = pd.DataFrame([(D[0], "E", -2)], columns=["date", "shift", "heads"])
    built = build_model(problem(heads=heads), hint=False)
    v, m = built.vars, built.model
    m.add(v.shift["A1", D[0], "E"] == 1)
    solver = cp_model.CpSolver()
    assert solver.status_name(solver.solve(m)) == "OPTIMAL"
    cover = {q.rule: solver.value(q.expr) for q in built.penalties if q.rule.startswith("heads")}
    assert cover == {"heads_over": 3}  # two over already, one more; it can never be short: no term


def test_head_cover_penalty_is_exact_with_and_without_its_variables():
    """Slots whose need is at least the agents who can work them (only short), at most zero
    (only over) or in between (both, with variables): for every way two agents fill them the
    penalties are max(0, need - staffed) and max(0, staffed - need); the term that cannot be
    above zero (over on the first slot, short on the second) is left out."""
    import itertools
    from test_contract_rules import D, problem
    needs = {(D[0], "E"): 5, (D[1], "E"): -1, (D[2], "E"): 1}
    heads = pd.DataFrame([(d, s, h) for (d, s), h in needs.items()], columns=["date", "shift", "heads"])
    p = problem(heads=heads, n_agents=2)
    for works in itertools.product([0, 1], repeat=6):
        built = build_model(p, hint=False)
        v, m = built.vars, built.model
        for (a, (d, s)), x in zip(itertools.product(["A1", "A2"], needs), works):
            m.add(v.shift[a, d, s] == x)
        solver = cp_model.CpSolver()
        assert solver.status_name(solver.solve(m)) in ("OPTIMAL", "FEASIBLE")
        got = {(q.rule, q.where): solver.value(q.expr) for q in built.penalties if q.rule.startswith("heads")}
        assert set(got) == {("heads_under", f"{D[0]} E"), ("heads_over", f"{D[1]} E"),
                            ("heads_under", f"{D[2]} E"), ("heads_over", f"{D[2]} E")}
        for i, ((d, s), need) in enumerate(needs.items()):
            staffed = works[i] + works[3 + i]
            assert got.get(("heads_under", f"{d} {s}"), 0) == max(0, need - staffed)
            assert got.get(("heads_over", f"{d} {s}"), 0) == max(0, staffed - need)


def test_construct_keeps_every_hard_rule(inst):
    p = _problem(inst)
    states = lns.construct(p, p.config.solver, 2.0, batch=3)
    assert {(a.id, d) for a in p.agents for d in p.days} <= set(states)
    roster = states_frame(p, states)
    found = check_roster(roster, p.config, p.agents, p.demand, p.month, p.requests, horizon_days=len(p.days))
    assert found.empty
    _objective(inst, p, states)  # the benchmark's own evaluator finds no hard violation


@pytest.mark.parametrize("seconds, solved_first", [(0.0, False), (100.0, False), (100.0, True)])
def test_construct_gives_every_agent_left_a_first_roster_after_two_misses(inst, monkeypatch, seconds, solved_first):
    """When no batch is solved in its share (every solve times out at once), batches are
    split down to one agent; the first gets its first roster alone, and at the second miss in
    a row it and every agent left get theirs in one call (two at a time): with the budget
    spent, and with budget left when no batch was solved yet. When a batch was solved and
    budget is left, each agent that misses gets its own. The roster keeps every hard rule."""
    p = _problem(inst, deterministic=False)
    real_solver, real_first = lns._solver, lns._first_rosters
    calls, solves = [], []

    def no_time(cfg, seconds, seed):
        solver = real_solver(cfg, seconds, seed)
        solves.append(seconds)
        if not (solved_first and len(solves) == 1):  # the first batch (4 agents) in its share
            solver.parameters.max_time_in_seconds = 1e-9
        return solver

    def first(problem, cfg, agents, budget, seed, states, **plan):
        calls.append(list(agents))
        return real_first(problem, cfg, agents, budget, seed, states, **plan)

    monkeypatch.setattr(lns, "_solver", no_time)
    monkeypatch.setattr(lns, "_first_rosters", first)
    states = lns.construct(p, p.config.solver, seconds, batch=4)
    ids = [a.id for a in p.agents]
    assert calls == ([[a] for a in ids[4:]] if solved_first else [[ids[0]], ids[1:]])
    assert {(a, d) for a in ids for d in p.days} <= set(states)
    roster = states_frame(p, states)
    assert check_roster(roster, p.config, p.agents, p.demand, p.month, p.requests, horizon_days=len(p.days)).empty
    _objective(inst, p, states)


def test_first_rosters_follow_the_weekend_shifts(inst, monkeypatch):
    """The first rosters of single agents (every batch timed out) follow the weekend shifts
    too, each agent as far as its rules admit: on instance 1 all of them."""
    p = _problem(inst, deterministic=False)
    cfg = p.config.solver
    plan = lns.weekend_plan(p, cfg, 2.0)
    shifts = lns.weekend_shifts(p, cfg, plan, 1.0)
    real_solver = lns._solver

    def no_time(cfg, seconds, seed):
        solver = real_solver(cfg, seconds, seed)
        solver.parameters.max_time_in_seconds = 1e-9
        return solver

    monkeypatch.setattr(lns, "_solver", no_time)
    followed = {}
    states = lns.construct(p, cfg, 0.0, batch=4, plan=plan, shifts=shifts, followed=followed)
    assert Counter(followed.values()) == {"shifts": len(p.agents)}
    weekend = {k for k in plan if states[k] != LEAVE}
    assert {k: states[k] for k in weekend if states[k] != OFF} == shifts
    _objective(inst, p, states)


def test_large_models_get_a_light_presolve_and_the_search_uses_it(inst, monkeypatch):
    from scheduler.roster import parameters

    p = _problem(inst)
    model = build_model(lns.sub_problem(p, {p.agents[0].id}, {}), hint=False).model
    small = cp_model.CpSolver()
    assert not parameters.light_presolve(small, model)  # 14 days of one agent: the default
    assert small.parameters.max_presolve_iterations == 3 and small.parameters.find_big_linear_overlap

    monkeypatch.setattr(parameters, "LIGHT_PRESOLVE_VARIABLES", 0)  # every model counts as large
    seen = []

    def record(solver, m):
        applied = parameters.light_presolve(solver, m)
        seen.append((applied, solver.parameters.max_presolve_iterations,
                     solver.parameters.find_big_linear_overlap, solver.parameters.cp_model_probing_level))
        return applied

    monkeypatch.setattr(lns, "light_presolve", record)
    start = lns.construct(p, p.config.solver, 1.0, batch=4)
    states, stats = lns.improve(p, start, p.config.solver, 2.0, group=3, sub_seconds=0.5)
    assert len(seen) >= 2 + stats.tried  # every construct batch and every neighbourhood
    assert set(seen) == {(True, 1, False, 0)}
    assert _objective(inst, p, states) == _objective(inst, p, start) - stats.decrease


def test_improve_lowers_the_cost_by_what_it_reports_and_reaches_the_optimum(inst):
    p = _problem(inst, seconds=10)
    start = lns.construct(p, p.config.solver, 1.0, batch=2)
    before = _objective(inst, p, start)
    states, stats = lns.improve(p, start, p.config.solver, 10.0, group=2, sub_seconds=2.0)
    after = _objective(inst, p, states)
    assert after == before - stats.decrease
    assert stats.improved >= 1 and after < before
    assert after == 607  # instance 1's proven optimum: groups grow to the whole team once solved


def test_same_seed_same_roster_in_deterministic_mode(inst):
    p = _problem(inst)
    runs = []
    for _ in range(2):
        start = lns.construct(p, p.config.solver, 1.0, batch=4)
        runs.append(lns.improve(p, start, p.config.solver, 2.0, group=3, sub_seconds=0.5)[0])
    assert runs[0] == runs[1]


def test_in_deterministic_mode_each_model_built_counts_against_the_budget(inst):
    p = _problem(inst)
    cfg = p.config.solver
    model = build_model(lns.sub_problem(p, {p.agents[0].id}, {}), hint=False).model
    size = len(model.proto.variables) + len(model.proto.constraints)
    budget = lns._Budget(cfg, 1.0)
    budget.charge_build(model)
    assert budget.spent == pytest.approx(lns.BUILD_DTIME_PER_ELEMENT * size) and budget.spent > 0
    assert budget.left() == pytest.approx(1.0 - budget.spent)
    wall = lns._Budget(cfg.model_copy(update={"deterministic": False}), 1.0)
    for _ in range(int(2 / budget.spent)):  # charges worth two budgets
        wall.charge_build(model)
    assert wall.left() > 0.5  # wall-clock mode counts the clock, not the charges

    # shift-type steps over the whole horizon: presolve solves them (deterministic time 0),
    # so only the builds' charge ends the loop; the same seed gives the same steps
    start = lns.construct(p, cfg, 1.0, batch=4)
    runs = [lns.improve(p, start, cfg, 0.3, type_share=1.0) for _ in range(2)]
    (states, stats), (again, stats2) = runs
    assert states == again and stats.tried == stats2.tried == stats.type_steps
    whole = lns._build(p, [a.id for a in p.agents], start, None, pattern_fixed=True).model
    per_step = lns.BUILD_DTIME_PER_ELEMENT * (len(whole.proto.variables) + len(whole.proto.constraints))
    assert 1 <= stats.tried <= 0.3 / per_step + 1  # each step charged at least its build
    assert _objective(inst, p, states) == _objective(inst, p, start) - stats.decrease
    assert all(states[k] == OFF for k, s in start.items() if s == OFF)  # days off kept


def test_neighbourhood_solver_takes_the_config(inst):
    p = _problem(inst, seconds=7, deterministic=False, seed=5)
    solver = lns._solver(p.config.solver, 1.5, 11)
    assert solver.parameters.max_time_in_seconds == 1.5
    assert solver.parameters.num_workers == 2 and solver.parameters.random_seed == 11
    assert list(solver.parameters.subsolvers) == ["max_lp", "default_lp"]
    one = lns._solver(p.config.solver.model_copy(update={"workers": 1}), 1.0, 0)
    assert one.parameters.linearization_level == 2 and not list(one.parameters.subsolvers)


def test_refuses_problems_whose_agents_share_volume(small_problem):
    assert lns.not_separable(small_problem) is not None
    with pytest.raises(lns.LnsError, match="does not apply"):
        lns.construct(small_problem, small_problem.config.solver, 1.0)


def test_a_roster_that_breaks_a_hard_rule_is_refused(inst):
    p = _problem(inst)
    states = lns.construct(p, p.config.solver, 2.0)
    a = p.agents[0].id
    free = [d for d in p.days if states[a, d] != LEAVE]
    for d in free:  # every day worked: the run limit is broken
        states[a, d] = "D"
    with pytest.raises(lns.LnsError, match="breaks a hard rule"):
        lns.improve(p, states, p.config.solver, 5.0, group=len(p.agents))


# ---------------------------------------------------------------- window neighbourhoods


def _eight_weeks():
    """A synthetic 8-week instance of the benchmark's format with every horizon-wide limit
    binding somewhere: two shift types (L may not be followed by D), per-type maxima, minimum
    and maximum minutes, runs, days off, weekends, requests and cover."""
    from curtois_eval import Instance, Staff

    rng = np.random.default_rng(3)
    staff = [Staff(c, {"D": 32, "L": 8}, 16_320, 12_960, 5, 2, 2, 4) for c in "ABCDEF"]
    days_off = {c: {int(d) for d in rng.choice(56, size=3, replace=False)} for c in "ABCDEF"}
    on = [(c, int(d), "D", int(rng.integers(1, 4))) for c in "ABCDEF" for d in rng.choice(56, 6, replace=False)]
    off = [(c, int(d), "L", int(rng.integers(1, 4))) for c in "ABCDEF" for d in rng.choice(56, 4, replace=False)]
    cover = [(d, "D", 2 if d % 7 >= 5 else 3, 100, 1) for d in range(56)]
    cover += [(d, "L", 1, 100, 1) for d in range(56)]
    return Instance("Eight", 56, {"D": 480, "L": 600}, {"D": set(), "L": {"D"}}, staff, days_off, on, off, cover)


@pytest.fixture(scope="module")
def eight():
    inst = _eight_weeks()
    p = _problem(inst, seconds=10)
    return inst, p, lns.construct(p, p.config.solver, 5.0, batch=3)


def _domains(proto):
    return [tuple(v.domain) for v in proto.variables]


def _solve_both(nb, states):
    """(cost of `states` in the neighbourhood, optimum) and the optimal states."""
    lns._fix(nb, states)
    check = cp_model.CpSolver()
    assert check.solve(nb.model) == cp_model.OPTIMAL
    current = round(check.objective_value)
    lns._unfix(nb)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.max_time_in_seconds = 60
    assert solver.solve(nb.model) == cp_model.OPTIMAL
    return current, round(solver.objective_value), lns._read(solver, nb)


def test_a_window_neighbourhood_is_exactly_the_whole_horizon_one_with_the_other_days_fixed(eight, monkeypatch):
    """A window's model is built over a few weeks, not the horizon (window_problem), yet on
    four random neighbourhoods its best step lowers the cost by exactly what the whole-horizon
    model with every day outside the window fixed finds, and the roster it gives keeps every
    hard rule (the benchmark's evaluator and the engine's validator)."""
    inst, p, states = eight
    before = _objective(inst, p, states)
    rng = np.random.default_rng(0)
    for _ in range(4):
        keep = [str(a) for a in rng.choice([a.id for a in p.agents], size=3, replace=False)]
        first = int(rng.integers(7, 35))
        window = (p.days[first], p.days[first + 9])
        part = lns.window_problem(p, keep, states, window)
        assert part is not None and len(part.days) <= 35 and part.days[0].weekday() == 0
        small = lns._build(p, keep, states, window)
        assert {d for _, d in small.free} == {d for d in p.days if window[0] <= d <= window[1]}
        with monkeypatch.context() as m:
            m.setattr(lns, "window_problem", lambda *args: None)  # the whole horizon, rest fixed
            whole = lns._build(p, keep, states, window)
        assert len(whole.model.proto.variables) > 1.5 * len(small.model.proto.variables)
        cur_s, opt_s, found = _solve_both(small, states)
        cur_w, opt_w, _ = _solve_both(whole, states)
        assert cur_s - opt_s == cur_w - opt_w
        after = {**states, **found}
        assert _objective(inst, p, after) == before - (cur_s - opt_s)
        roster = states_frame(p, after)
        assert check_roster(roster, p.config, p.agents, p.demand, p.month, p.requests, horizon_days=len(p.days)).empty


def test_a_step_of_every_agent_in_the_kept_model_is_exactly_the_window_model(eight):
    """A block of every agent over a few days in the model of the whole horizon kept across
    steps (its other days pinned, :func:`lns._part`) finds the same best decrease as the
    block built anew by window_problem; after each step the kept model is as built."""
    inst, p, _ = eight
    ids = [a.id for a in p.agents]
    # a roster that keeps every hard rule but was made for the head counts of other days: poor
    heads = p.heads.assign(heads=np.random.default_rng(0).permutation(p.heads["heads"].to_numpy()))
    states = lns.construct(dataclasses.replace(p, heads=heads), p.config.solver, 3.0, batch=3)
    full = lns._build(p, ids, states, None)
    before = _domains(full.model.proto)
    rng = np.random.default_rng(3)
    gained = []
    for n in (3, 5, 7):
        first = int(rng.integers(0, len(p.days) - n))
        window = (p.days[first], p.days[first + n - 1])
        small = lns._build(p, ids, states, window)
        part = lns._part(full, states, p.days[first:first + n])
        assert set(part.free) == set(small.free)
        assert sum(lo == hi for lo, hi in _domains(full.model.proto)) > sum(lo == hi for lo, hi in before)
        cur_s, opt_s, _ = _solve_both(small, states)
        cur_k, opt_k, found = _solve_both(part, states)
        lns._release(part)
        assert cur_s - opt_s == cur_k - opt_k
        gained.append(cur_k - opt_k)
        assert _domains(full.model.proto) == before
        after = {**states, **found}
        assert _objective(inst, p, after) == _objective(inst, p, states) - (cur_k - opt_k)
    assert gained[0] > 0 and gained[1] > 0 and gained[2] > 0


def test_a_window_takes_each_agents_horizon_limits_less_what_they_work_outside_it(eight):
    inst, p, _ = eight
    states = _every_day_off(p)
    for d in p.days[0:5]:
        states["A", d] = "L"       # 5 x 600 minutes, Monday to Friday of week 1
    states["A", p.days[5]] = "D"   # a Saturday: one weekend worked
    states["A", p.days[30]] = "D"  # inside the sub-horizon: not taken off
    part = lns.window_problem(p, ["A", "B"], states, (p.days[36], p.days[40]))  # Tuesday to Saturday
    # margin 5 (the longest run limit): days 31..45, out to Monday day 28 and Sunday day 48
    assert (part.days[0], part.days[-1]) == (p.days[28], p.days[48]) and part.previous is None
    assert [a.id for a in part.agents] == ["A", "B"]
    a, b = (part.config.contract(x.group) for x in part.agents)
    assert a.max_shifts == {"D": 31, "L": 3}
    assert (a.min_minutes, a.max_minutes, a.max_working_weekends) == (12_960 - 3_480, 16_320 - 3_480, 3)
    assert (b.max_shifts, b.min_minutes, b.max_minutes, b.max_working_weekends) == ({"D": 32, "L": 8}, 12_960, 16_320, 4)
    assert (a.max_consecutive_workdays, a.min_consecutive_days_off) == (5, 2)
    assert set(part.heads["date"]) == set(part.days)
    # at the horizon's start the sub-horizon starts with it; the whole horizon is no window
    near = lns.window_problem(p, ["A"], states, (p.days[2], p.days[8]))
    assert (near.days[0], near.days[-1]) == (p.days[0], p.days[13])
    assert lns.window_problem(p, ["A"], states, (p.days[3], p.days[50])) is None
    rotating = p.config.model_copy(update={"rules": p.config.rules.model_copy(update={"rotation": "balanced"})})
    assert lns.window_problem(dataclasses.replace(p, config=rotating), ["A"], states, (p.days[35], p.days[41])) is None


def test_improve_on_a_long_horizon_keeps_every_hard_rule_and_reports_its_decrease(eight):
    inst, p, start = eight
    states, stats = lns.improve(p, start, p.config.solver, 4.0, group=2, sub_seconds=0.5)
    assert stats.tried >= 4
    assert _objective(inst, p, states) == _objective(inst, p, start) - stats.decrease
    roster = states_frame(p, states)
    assert check_roster(roster, p.config, p.agents, p.demand, p.month, p.requests, horizon_days=len(p.days)).empty


def test_adaptive_search_tallies_each_kind_and_repeats_in_deterministic_mode(eight):
    inst, p, start = eight
    cfg = p.config.solver
    runs = [lns.improve(p, start, cfg, 3.0, group=2, sub_seconds=0.5, adaptive=True) for _ in range(2)]
    (states, stats), (again, _) = runs
    assert states == again
    assert set(stats.kinds) == {"day", "group", "one", "window", "type"}  # every kind tried in warm-up; no block
    assert sum(t[0] for t in stats.kinds.values()) == stats.tried
    assert sum(t[1] for t in stats.kinds.values()) == stats.improved
    assert sum(t[2] for t in stats.kinds.values()) == stats.decrease
    assert all(t[3] > 0 for t in stats.kinds.values())  # deterministic time and build charges
    assert sum(t[3] for t in stats.kinds.values()) <= 3.0 + 2 * 0.5  # the budget, the last step's overrun
    assert stats.kinds["type"][0] == stats.type_steps
    # without `adaptive` the fixed shares: no shift-type step when type_share is 0
    _, fixed = lns.improve(p, start, cfg, 1.0, group=2, sub_seconds=0.5)
    assert set(fixed.kinds) <= {"day", "group", "window"} and fixed.type_steps == 0
    assert _objective(inst, p, states) == _objective(inst, p, start) - stats.decrease
    roster = states_frame(p, states)
    assert check_roster(roster, p.config, p.agents, p.demand, p.month, p.requests, horizon_days=len(p.days)).empty


def test_the_search_keeps_the_held_days_as_they_are(eight):
    """improve(hold=) never changes a held (agent, day): here every weekend day of agents A, B
    and C, worked, off or on leave. The same search without the hold changes some of them, and
    so does one whose hold is released at once (`hold_for`)."""
    inst, p, start = eight
    cfg = p.config.solver
    held = {(a, d) for a in "ABC" for d in p.days if d.weekday() >= 5}
    assert {LEAVE, OFF} < {start[k] for k in held}  # days on leave, off and worked
    states, stats = lns.improve(p, start, cfg, 3.0, group=2, sub_seconds=0.5, adaptive=True, hold=held)
    assert {k: states[k] for k in held} == {k: start[k] for k in held}
    assert stats.improved > 0 and any(states[k] != start[k] for k in start if k not in held)
    assert _objective(inst, p, states) == _objective(inst, p, start) - stats.decrease
    roster = states_frame(p, states)
    assert check_roster(roster, p.config, p.agents, p.demand, p.month, p.requests, horizon_days=len(p.days)).empty
    free, _ = lns.improve(p, start, cfg, 3.0, group=2, sub_seconds=0.5, adaptive=True)
    assert any(free[k] != start[k] for k in held)
    # released at once (hold_for 0): the same search as without the hold (deterministic mode)
    assert lns.improve(p, start, cfg, 3.0, group=2, sub_seconds=0.5, adaptive=True, hold=held, hold_for=0.0)[0] == free


def test_the_roulette_tries_each_kind_in_turn_then_favours_what_pays():
    wheel = lns._Roulette(["a", "b", "c"], floor=0.05)
    rng = np.random.default_rng(0)
    order = []
    for _ in range(2 * 3):  # warm-up: each kind WARMUP (2) times, in turn
        k = wheel.draw(rng)
        order.append(k)
        wheel.update(k, {"a": 100, "b": 10, "c": 0}[k], {"a": 1.0, "b": 1.0, "c": 0.5}[k])
    assert order == ["a", "b", "c", "a", "b", "c"]
    drawn = Counter(wheel.draw(rng) for _ in range(4000))
    # rates 100, 10 and 0 a second: p = 0.05 + 0.85 * share -> 0.823, 0.127, 0.05
    assert drawn["a"] / 4000 == pytest.approx(0.05 + 0.85 * 100 / 110, abs=0.03)
    assert drawn["b"] / 4000 == pytest.approx(0.05 + 0.85 * 10 / 110, abs=0.02)
    assert drawn["c"] / 4000 == pytest.approx(0.05, abs=0.015)
    with pytest.raises(ValueError, match="floor"):
        lns._Roulette(["a", "b"], floor=0.6)
    for _ in range(30):  # "a" stops paying: its smoothed rate decays and "b" takes over
        wheel.update("a", 0, 1.0)
    assert Counter(wheel.draw(rng) for _ in range(2000))["b"] > 1500
    # two kinds that pay the same per second, one in steps ten times as long: the same share of
    # the time, so the short one is drawn ten times as often (p = 0.05 + 0.9 * share)
    wheel = lns._Roulette(["slow", "fast"], floor=0.05)
    for _ in range(2):
        for k in ("slow", "fast"):
            wheel.update(k, {"slow": 100, "fast": 10}[k], {"slow": 4.0, "fast": 0.4}[k])
    drawn = Counter(wheel.draw(rng) for _ in range(4000))
    assert drawn["slow"] / 4000 == pytest.approx(0.05 + 0.9 / 11, abs=0.02)
    seconds = {k: drawn[k] * {"slow": 4.0, "fast": 0.4}[k] for k in drawn}
    slow = 0.05 + 0.9 / 11  # its time share: half but for the floor (drawn by rate alone: 0.91)
    assert seconds["slow"] / sum(seconds.values()) == pytest.approx(slow * 4 / (slow * 4 + (1 - slow) * 0.4), abs=0.05)


@pytest.mark.parametrize("kind", ["block", "scatter", "cover"])
def test_a_block_step_frees_every_agent_over_a_few_days_at_random_places(eight, monkeypatch, kind):
    """A block step: every agent, days worked and shifts free, over a few days, the rest fixed:
    first BLOCK_STEP_LITERALS' worth (here 6 agents x (2 shifts + off) x 5 days; a cover
    step's first two, the day of a slot short and of one over), then a day more after a step
    solved to optimality, a day less after one that was not (2 to 28 days); consecutive days
    for a block, scattered ones for a scatter or cover step. The search made only of such
    steps lowers the cost by what it reports and keeps every hard rule."""
    inst, p, start = eight
    full, built = [], []
    real, real_part = lns._build, lns._part

    def build(problem, keep, states, window, *args):
        full.append((list(keep), window, real(problem, keep, states, window, *args)))
        return full[-1][2]

    def part(whole, states, days):
        got = real_part(whole, states, days)
        built.append((sorted({a for a, _ in got.free}), sorted(set(days))))
        return got

    optimal = []
    real_solver = lns._solver

    def solver(*args):
        s = real_solver(*args)
        solve = s.solve

        def recorded(model, *more):
            status = solve(model, *more)
            optimal.append(status == cp_model.OPTIMAL)
            return status

        s.solve = recorded
        return s

    monkeypatch.setattr(lns, "_build", build)
    monkeypatch.setattr(lns, "_part", part)
    monkeypatch.setattr(lns, "_solver", solver)
    monkeypatch.setattr(lns._Roulette, "draw", lambda self, rng: kind)
    monkeypatch.setattr(lns, "BLOCK_STEP_LITERALS", 6 * 3 * 5)
    states, stats = lns.improve(p, start, p.config.solver, 4.0, sub_seconds=0.3, adaptive=True)
    assert set(stats.kinds) == {kind} and stats.tried == len(built) >= 3
    # one model of every agent over the horizon, built once; each step's pins undone after it
    assert [(sorted(keep), window) for keep, window, _ in full] == [(sorted(a.id for a in p.agents), None)]
    fresh = lns._build(p, [a.id for a in p.agents], start, None).model.proto
    assert _domains(full[0][2].model.proto) == _domains(fresh)
    sizes = [len(days) for _, days in built]
    assert sizes[0] == (2 if kind == "cover" else 5) and all(2 <= n <= 28 for n in sizes)
    assert sizes[1:] == [min(28, n + 1) if opt else max(2, n - 1) for n, opt in zip(sizes, optimal)][:len(sizes) - 1]
    consecutive = [(days[-1] - days[0]).days + 1 == len(days) for _, days in built]
    assert all(consecutive) if kind == "block" else not all(consecutive)
    for keep, days in built:
        assert sorted(keep) == sorted(a.id for a in p.agents)
        assert set(days) <= set(p.days)
    assert len({tuple(days) for _, days in built}) > 1
    assert stats.improved >= 1
    assert _objective(inst, p, states) == _objective(inst, p, start) - stats.decrease
    roster = states_frame(p, states)
    assert check_roster(roster, p.config, p.agents, p.demand, p.month, p.requests, horizon_days=len(p.days)).empty
    # deterministic: every step in the kept model is charged (its pins and hints), the same again
    again, stats2 = lns.improve(p, start, p.config.solver, 4.0, sub_seconds=0.3, adaptive=True)
    assert again == states and stats2.tried == stats.tried


def test_the_adaptive_search_draws_blocks_on_four_weeks_at_most_and_windows_beyond(inst):
    p = _problem(inst)
    start = lns.construct(p, p.config.solver, 2.0)
    _, stats = lns.improve(p, start, p.config.solver, 1.0, sub_seconds=0.2, adaptive=True)
    assert set(stats.kinds) == {"day", "group", "one", "block", "scatter", "cover", "type"}  # Instance1: 14 days


def test_a_scatter_step_draws_the_day_of_an_unmet_request_by_its_weight():
    """Of an on request in a shift not worked (weight 3), an off request on a day worked
    (weight 1), and requests met (on in the shift worked, off on a day off, on a day of
    leave), only the unmet ones' days are drawn, in proportion to their weights; a random
    day of the horizon when every request is met."""
    from scheduler.domain import Request

    p = _problem(read_instance(INSTANCE1))
    a, b = p.agents[0].id, p.agents[1].id
    d0, d1, d2, d3 = p.days[:4]
    states = {**_every_day_off(p), (a, d0): "D", (a, d1): "D", (b, d2): "D"}
    states[b, d3] = LEAVE
    requests = (Request(a, d0, d0, "on", "E", weight=3), Request(b, d2, d2, "off", None, weight=1),
                Request(a, d1, d1, "on", "D", weight=5), Request(b, d1, d1, "off", None, weight=5),
                Request(b, d3, d3, "on", None, weight=5))
    p = dataclasses.replace(p, requests=requests)
    rng = np.random.default_rng(0)
    drawn = Counter(lns._unmet_request_day(p, states, rng) for _ in range(400))
    assert set(drawn) == {d0, d2} and 2.3 < drawn[d0] / drawn[d2] < 4
    met = dataclasses.replace(p, requests=requests[2:4])
    assert len({lns._unmet_request_day(met, states, rng) for _ in range(50)}) > 3


def test_a_cover_step_draws_a_day_short_and_a_day_over_by_their_cost():
    """Of a slot two heads short at 100 a head, one short at 50, one over by three at 1 a head
    and one over by one at no cost, the short days are drawn in proportion to 200 : 50 and the
    over days to 3 : 1 (a head over at no cost counts as 1); a slot met exactly never; None
    when no slot is short (or over)."""
    d = [date(2024, 1, i) for i in range(1, 6)]
    need = {(d[0], "E"): (3, 100, 1), (d[1], "E"): (2, 50, 1), (d[2], "L"): (1, 100, 1),
            (d[3], "L"): (1, 100, 0), (d[4], "E"): (2, 100, 1)}
    staffed = Counter({(d[0], "E"): 1, (d[1], "E"): 1, (d[2], "L"): 4, (d[3], "L"): 2, (d[4], "E"): 2})
    rng = np.random.default_rng(0)
    short = Counter(lns._gap_day(staffed, need, rng, True) for _ in range(500))
    over = Counter(lns._gap_day(staffed, need, rng, False) for _ in range(500))
    assert set(short) == {d[0], d[1]} and 3 < short[d[0]] / short[d[1]] < 5.5
    assert set(over) == {d[2], d[3]} and 2 < over[d[2]] / over[d[3]] < 4.5
    met = Counter({k: v[0] for k, v in need.items()})
    assert lns._gap_day(met, need, rng, True) is None and lns._gap_day(met, need, rng, False) is None


def _pattern(p, states):
    return {k: (s if s in (OFF, LEAVE) else "work") for k, s in states.items()}


def test_a_shift_type_step_keeps_every_days_off_and_is_exact_on_a_window(eight, monkeypatch):
    """A shift-type step (every agent, days off and days worked kept, the shift worked free)
    over a window reaches one day past it (successions), not to whole weeks; its best step
    lowers the cost by exactly what the whole-horizon model with the same days fixed finds, the
    pattern of days off is unchanged, and every hard rule holds. Each window starts on a day
    an agent works L after an L the day before (L may not be followed by D): only that day
    before, in the model, keeps D away."""
    inst, p, states = eight
    ids, days = [a.id for a in p.agents], p.days
    # (agent, day): a late shift the day before, so only L may be worked on the day
    traps = [(a, i) for i in range(8, 42) for a in ids if states[a, days[i - 1]] == states[a, days[i]] == "L"]
    assert len(traps) >= 3
    rng = np.random.default_rng(1)
    for k in rng.choice(len(traps), size=3, replace=False):
        trap, first = traps[k]
        window = (days[first], days[first + 6])
        part = lns.window_problem(p, ids, states, window, pattern_fixed=True)
        assert part.days[0] == p.days[first - 1] and part.days[-1] == p.days[first + 7]
        assert all(part.config.contract(a.group).max_working_weekends is None for a in part.agents)
        small = lns._build(p, ids, states, window, pattern_fixed=True)
        lns._keep_pattern(small, states)
        with monkeypatch.context() as m:
            m.setattr(lns, "window_problem", lambda *args: None)  # the whole horizon, rest fixed
            whole = lns._build(p, ids, states, window)
        lns._keep_pattern(whole, states)
        cur_s, opt_s, found = _solve_both(small, states)
        cur_w, opt_w, _ = _solve_both(whole, states)
        assert cur_s - opt_s == cur_w - opt_w
        after = {**states, **found}
        assert _pattern(p, after) == _pattern(p, states)
        assert after[trap, p.days[first]] == "L"
        roster = states_frame(p, after)
        assert check_roster(roster, p.config, p.agents, p.demand, p.month, p.requests, horizon_days=len(p.days)).empty


# ---------------------------------------------------------------- weekend plan


def _two_weekends():
    """Two agents, two weeks, one working weekend each. The first weekend needs two heads a
    day, the second one; B asks to work the second Saturday (weight 5). Both on the first
    weekend leave the second short by two (200) and B's request unmet (5); A on the first and
    B on the second leave the first short by two (200): the plan must be that one."""
    from curtois_eval import Instance, Staff

    staff = [Staff(c, {"D": 14}, 14 * 480, 0, 5, 1, 1, 1) for c in "AB"]
    cover = [(d, "D", {5: 2, 6: 2, 12: 1, 13: 1}.get(d, 0), 100, 1) for d in range(14)]
    return Instance("Two", 14, {"D": 480}, {"D": set()}, staff, {}, [("B", 12, "D", 5)], [], cover)


def test_the_weekend_plan_spreads_each_agents_weekends_where_the_cover_needs_them():
    inst = _two_weekends()
    p = _problem(inst)
    plan = lns.weekend_plan(p, p.config.solver, 5.0)
    day = {i: d for i, d in enumerate(p.days)}
    assert {k for k, worked in plan.items() if worked} == {("A", day[5]), ("A", day[6]), ("B", day[12]), ("B", day[13])}
    # no weekend limit: nothing to plan
    free = p.config.model_copy(update={"contracts": [c.model_copy(update={"max_working_weekends": None})
                                                     for c in p.config.contracts]})
    assert lns.weekend_plan(dataclasses.replace(p, config=free), p.config.solver, 5.0) is None


def test_the_weekend_plan_keeps_the_weekend_limits_and_leave_and_the_roster_follows_it(eight):
    inst, p, _ = eight
    plan = lns.weekend_plan(p, p.config.solver, 5.0)
    assert p.config.solver.deterministic and lns.weekend_plan(p, p.config.solver, 5.0) == plan  # same seed, same plan
    weekend_days = {d for d in p.days if d.weekday() >= 5}
    assert {d for _, d in plan} == weekend_days
    for a in p.agents:
        limit = p.config.contract(a.group).max_working_weekends
        worked = {d - timedelta(days=d.weekday() - 5) for (b, d), w in plan.items() if b == a.id and w}
        assert len(worked) <= limit
        assert not any(plan.get((a.id, d)) for d in p.leave_days(a.id))
    states = lns.construct(p, p.config.solver, 5.0, batch=3, plan=plan)
    agree = sum((states[k] not in (OFF, LEAVE)) == w for k, w in plan.items())
    assert agree == len(plan)  # every batch's rules admit the plan here
    _objective(inst, p, states)  # every hard rule (the evaluator)
    roster = states_frame(p, states)
    assert check_roster(roster, p.config, p.agents, p.demand, p.month, p.requests, horizon_days=len(p.days)).empty


def test_a_batch_whose_rules_do_not_admit_the_plan_is_solved_without_it(eight):
    """A plan that has every agent work every weekend day breaks their limit of four
    weekends: each batch drops it, and the roster keeps every hard rule."""
    inst, p, _ = eight
    plan = {(a.id, d): d not in p.leave_days(a.id) for a in p.agents for d in p.days if d.weekday() >= 5}
    states = lns.construct(p, p.config.solver, 5.0, batch=3, plan=plan)
    assert _objective(inst, p, states) > 0
    for a in p.agents:
        worked = {d - timedelta(days=d.weekday() - 5) for (b, d), st in states.items()
                  if b == a.id and d.weekday() >= 5 and st not in (OFF, LEAVE)}
        assert len(worked) <= 4


# ---------------------------------------------------------------- weekend shifts


def _two_skills(max_e: int = 14):
    """Two agents of one skill each (A works only E, at most `max_e` of them; B only L), two
    weeks, one working weekend each. The first weekend needs an E a day, the second an L a
    day: A must work the first weekend and B the second, which a plan of heads per day cannot
    tell from the opposite (both put one agent on each weekend day)."""
    from curtois_eval import Instance, Staff

    staff = [Staff("A", {"E": max_e, "L": 0}, 14 * 480, 0, 5, 1, 1, 1),
             Staff("B", {"E": 0, "L": 14}, 14 * 480, 0, 5, 1, 1, 1)]
    cover = [(d, "E", int(d in (5, 6)), 100, 1) for d in range(14)]
    cover += [(d, "L", int(d in (12, 13)), 100, 1) for d in range(14)]
    return Instance("Skills", 14, {"E": 480, "L": 480}, {"E": set(), "L": set()}, staff, {}, [], [], cover)


def test_weekend_shifts_moves_the_days_of_the_plan_to_the_agents_whose_skills_the_shifts_need():
    p = _problem(_two_skills())
    day = {i: d for i, d in enumerate(p.days)}
    wrong = {(a, day[i]): (a, i) in {("A", 12), ("A", 13), ("B", 5), ("B", 6)} for a in "AB" for i in (5, 6, 12, 13)}
    shifts = lns.weekend_shifts(p, p.config.solver, wrong, 0.5)
    assert shifts == {("A", day[5]): "E", ("A", day[6]): "E", ("B", day[12]): "L", ("B", day[13]): "L"}
    data = lns._WeekendData.of(p)
    assert [data.cost(wk, shifts) for wk in data.ends] == [0, 0]
    # the plan as it was costs both weekends' cover: A can work only E, B only L
    assert [data.cost(wk, {("A", day[12]): "E", ("A", day[13]): "E", ("B", day[5]): "L", ("B", day[6]): "L"})
            for wk in data.ends] == [2 * 100 + 2 * 1, 2 * 100 + 2 * 1]
    # A may work one E in all: one day of the first weekend, the other short
    p = _problem(_two_skills(max_e=1))
    shifts = lns.weekend_shifts(p, p.config.solver, wrong, 0.5)
    assert Counter(s for (a, _), s in shifts.items() if a == "A") == {"E": 1}
    assert {k: s for k, s in shifts.items() if k[0] == "B"} == {("B", day[12]): "L", ("B", day[13]): "L"}


def test_weekend_shifts_keep_each_agents_limits_and_the_roster_follows_them(eight):
    inst, p, _ = eight
    cfg = p.config.solver
    plan = lns.weekend_plan(p, cfg, 5.0)
    shifts = lns.weekend_shifts(p, cfg, plan, 1.0)
    assert lns.weekend_shifts(p, cfg, plan, 1.0) == shifts  # deterministic mode: same seed, same shifts
    data = lns._WeekendData.of(p)
    first = {key: "D" for key, on in plan.items() if on}  # the plan's days, every one a D
    assert sum(data.cost(wk, shifts) for wk in data.ends) < sum(data.cost(wk, first) for wk in data.ends)
    for a in p.agents:
        c = p.config.contract(a.group)
        mine = {d: s for (b, d), s in shifts.items() if b == a.id}
        assert all(d.weekday() >= 5 and d not in p.leave_days(a.id) for d in mine)
        assert len({d - timedelta(days=d.weekday() - 5) for d in mine}) <= c.max_working_weekends
        assert Counter(mine.values())["L"] <= c.max_shifts["L"]
        # L may not be followed by D, Saturday to Sunday
        assert not any(s == "L" and mine.get(d + timedelta(days=1)) == "D" for d, s in mine.items())
    followed = {}
    states = lns.construct(p, cfg, 5.0, batch=3, plan=plan, shifts=shifts, followed=followed)
    assert Counter(followed.values()) == {"shifts": len(p.agents)}
    weekend = {(a.id, d) for a in p.agents for d in p.days if d.weekday() >= 5 and d not in p.leave_days(a.id)}
    assert {k: st for k in weekend if (st := states[k]) != OFF} == shifts
    _objective(inst, p, states)
    roster = states_frame(p, states)
    assert check_roster(roster, p.config, p.agents, p.demand, p.month, p.requests, horizon_days=len(p.days)).empty


def test_the_weekend_model_hints_every_variable_to_the_shifts_as_they_are(eight):
    """The search of weekend_shifts hints every variable (literals, weekends worked, heads
    short and over per slot) to the current shifts: fixed to the hint, the model is feasible
    and costs what data.cost says. A hint of the literals alone left CP-SAT at solutions
    worse than the hint."""
    inst, p, _ = eight
    cfg = p.config.solver
    plan = lns.weekend_plan(p, cfg, 5.0)
    shifts = lns.weekend_shifts(p, cfg, plan, 1.0)
    data = lns._WeekendData.of(p)
    chosen = [0, 3, 5, 6]
    days = {d for k in chosen for d in data.ends[k]}
    # two of its days worked dropped: their slots are short, the hint must say so
    dropped = sorted(k for k in shifts if k[1] in days)[:2]
    shifts = {k: s for k, s in shifts.items() if k not in dropped}
    model, x = lns._weekend_model(data, chosen, shifts, days_fixed=False, hint=True)
    proto = model.proto
    assert set(proto.solution_hint.vars) == set(range(len(proto.variables)))
    solver = cp_model.CpSolver()
    solver.parameters.fix_variables_to_their_hinted_value = True
    solver.parameters.num_workers = 1
    assert solver.solve(model) == cp_model.OPTIMAL
    assert round(solver.objective_value) == data.cost(days, shifts)
    assert {(a, d): s for (a, d, s), lit in x.items() if solver.value(lit)} == {
        k: s for k, s in shifts.items() if k[1] in days}


def test_weekend_shifts_stops_after_a_round_that_gains_too_little(eight, monkeypatch):
    """The search of weekend_shifts runs in rounds (each weekend drawn WEEKEND_ROUND times on
    average: 2 steps of 4 of the 8 weekends here) and stops after one that lowered the
    weekend cost by at most WEEKEND_ROUND_GAIN of it; without that rule it runs for its
    time."""
    inst, p, _ = eight
    cfg = p.config.solver
    plan = lns.weekend_plan(p, cfg, 5.0)
    built = lns._weekend_model
    steps = []

    def counting(data, chosen, shifts, days_fixed, caps=None, hint=False, must_work=()):
        steps.append(days_fixed)
        return built(data, chosen, shifts, days_fixed, caps, hint, must_work)

    monkeypatch.setattr(lns, "_weekend_model", counting)
    monkeypatch.setattr(lns, "WEEKEND_ROUND_GAIN", 1e9)  # every round gains too little
    lns.weekend_shifts(p, cfg, plan, 20.0)
    assert steps.count(False) == 2
    steps.clear()
    monkeypatch.setattr(lns, "WEEKEND_ROUND_GAIN", -1e9)  # no round gains too little
    lns.weekend_shifts(p, cfg, plan, 1.0)
    assert steps.count(False) > 2


def test_weekend_shifts_stops_at_the_first_round_that_gains_nothing(eight, monkeypatch):
    """With WEEKEND_ROUND_GAIN 0 the search of weekend_shifts stops after the first round (2
    steps here) that left the weekend cost as it was, and not before: the cost it tracks is
    the cost of the shifts."""
    inst, p, _ = eight
    cfg = p.config.solver
    plan = lns.weekend_plan(p, cfg, 5.0)
    data = lns._WeekendData.of(p)
    every = [d for wk in data.ends for d in wk]
    built = lns._weekend_model
    costs = []  # the weekend cost before each step of the search

    def recording(data, chosen, shifts, days_fixed, caps=None, hint=False, must_work=()):
        if not days_fixed:
            costs.append(data.cost(every, shifts))
        return built(data, chosen, shifts, days_fixed, caps, hint, must_work)

    monkeypatch.setattr(lns, "_weekend_model", recording)
    monkeypatch.setattr(lns, "WEEKEND_ROUND_GAIN", 0.0)
    out = lns.weekend_shifts(p, cfg, plan, 20.0)
    costs.append(data.cost(every, out))
    assert len(costs) % 2 == 1  # whole rounds of 2 steps
    starts = costs[::2]  # the cost when each round began, and at the end
    assert all(a >= b for a, b in zip(costs, costs[1:]))  # no step is kept worse
    assert all(a > b for a, b in zip(starts[:-2], starts[1:-1]))  # each round before the last gained
    assert starts[-2] == starts[-1]  # the last gained nothing


def test_an_agent_whose_rules_do_not_admit_its_plan_drops_it_alone(eight):
    """Agent A's plan works every weekend day (its limit is four weekends); the other agents
    of its batch still follow their shifts, A alone follows nothing."""
    inst, p, _ = eight
    cfg = p.config.solver
    plan = lns.weekend_plan(p, cfg, 5.0)
    shifts = lns.weekend_shifts(p, cfg, plan, 1.0)
    shifts = {k: s for k, s in shifts.items() if k[0] != "A"}
    shifts.update({("A", d): "D" for d in p.days if d.weekday() >= 5 and d not in p.leave_days("A")})
    followed = {}
    states = lns.construct(p, cfg, 5.0, batch=3, plan=plan, shifts=shifts, followed=followed)
    assert Counter(followed.values()) == {"shifts": len(p.agents) - 1, "none": 1} and followed["A"] == "none"
    others = {k: s for k, s in shifts.items() if k[0] != "A"}
    assert {k: st for k, st in states.items() if k in others} == others
    _objective(inst, p, states)


def test_the_weekend_plan_and_shifts_keep_a_fixed_weekend_day(eight):
    """A fixed request (agent A works D on the first Saturday it is not on leave, though it
    asks, at weight 50, to avoid D then) is in the plan as a day worked and in the weekend
    shifts as that shift, and the roster works it."""
    from scheduler.domain import Request

    inst, p, _ = eight
    cfg = p.config.solver
    sat = next(d for d in p.days if d.weekday() == 5 and d not in p.leave_days("A"))
    p = dataclasses.replace(p, requests=p.requests + (Request("A", sat, sat, "fixed", "D"),
                                                      Request("A", sat, sat, "avoid", "D", weight=50)))
    plan = lns.weekend_plan(p, cfg, 2.0)
    assert plan["A", sat]
    shifts = lns.weekend_shifts(p, cfg, plan, 0.5)
    assert shifts["A", sat] == "D"
    states = lns.construct(p, cfg, 5.0, batch=3, plan=plan, shifts=shifts)
    assert states["A", sat] == "D"


def test_weekend_shifts_keep_a_per_shift_maximum_for_later_fixed_days():
    """Agent A may work L four times and must work it on both days of the last two weekends
    (fixed); it asks, at weight 50, to work L on the first and third Saturday. The weekends
    solved in order must leave the later fixed days their share of the maximum: A works L on
    those four days and no other, in the weekend shifts and in the roster that follows them."""
    from scheduler.domain import Request

    inst = _eight_weeks()
    staff = [dataclasses.replace(inst.staff[0], max_shifts={"D": 32, "L": 4}), *inst.staff[1:]]
    inst = dataclasses.replace(inst, staff=staff, days_off={**inst.days_off, "A": {1, 30, 40}})
    p = _problem(inst, seconds=10)
    cfg = p.config.solver
    fixed = [p.days[i] for i in (47, 48, 54, 55)]
    asked = [p.days[i] for i in (5, 19)]
    assert all(d.weekday() >= 5 for d in fixed + asked)
    p = dataclasses.replace(p, requests=p.requests + tuple(Request("A", d, d, "fixed", "L") for d in fixed)
                            + tuple(Request("A", d, d, "on", "L", weight=50) for d in asked))
    plan = {(a.id, d): a.id == "A" and d in fixed + asked
            for a in p.agents for wk in lns.weekends(p.days) for d in wk if d not in p.leave_days(a.id)}
    shifts = lns.weekend_shifts(p, cfg, plan, 1.0)
    assert all(shifts["A", d] == "L" for d in fixed)
    assert sum(s == "L" for (a, _), s in shifts.items() if a == "A") <= 4
    states = lns.construct(p, cfg, 5.0, batch=3, plan=plan, shifts=shifts)
    assert sum(s == "L" for (a, _), s in states.items() if a == "A") == 4
    assert all(states["A", d] == "L" for d in fixed)


def test_construct_gives_up_a_plan_most_agents_cannot_follow(eight, monkeypatch):
    """Every agent's plan breaks its weekend limit: once PLAN_GIVE_UP agents (2 here), over
    half of those solved, followed nothing, the agents left are not checked (no more _modes)."""
    inst, p, _ = eight
    plan = {(a.id, d): d not in p.leave_days(a.id) for a in p.agents for d in p.days if d.weekday() >= 5}
    calls = []
    real_modes = lns._modes

    def modes(problem, cfg, group, *args):
        calls.append(list(group))
        return real_modes(problem, cfg, group, *args)

    monkeypatch.setattr(lns, "PLAN_GIVE_UP", 2)
    monkeypatch.setattr(lns, "_modes", modes)
    followed = {}
    states = lns.construct(p, p.config.solver, 5.0, batch=3, plan=plan, followed=followed)
    assert calls == [[a.id for a in p.agents][:3]]
    assert Counter(followed.values()) == {"none": len(p.agents)}
    _objective(inst, p, states)


def test_an_agent_priced_alone_has_the_sub_problem_objective_less_a_constant(inst):
    """_first_rosters builds each agent once without the cover and prices the cover the others
    leave into its objective (lns._price): for every schedule of the agent that objective
    differs from the one of the agent's sub-problem (the others taken off the need) by one
    constant. Checked on the schedules the two models find best and on those of random
    objectives, each model solved with the agent's days fixed to the schedule."""
    p = _problem(inst)
    start = lns.construct(p, p.config.solver, 2.0, batch=3)
    a = p.agents[0].id
    others = {k: v for k, v in start.items() if k[0] != a}
    alone = lns._alone(p, a)
    lns._price(alone, p.head_need(), lns._staffed(others))
    sub = lns._build(p, [a], others, None)

    def solve(model):
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        assert solver.solve(model) == cp_model.OPTIMAL
        return solver

    def cost(nb, schedule):
        lns._fix(nb, schedule)
        value = solve(nb.model).objective_value
        lns._unfix(nb)
        return value

    rng = np.random.default_rng(0)
    schedules = [lns._read(solve(nb.model), nb) for nb in (alone.nb, sub)]
    for _ in range(4):  # the agent's own rules, random weights per literal
        model = alone.nb.model.clone()
        lits = [x.index for lits in alone.nb.free.values() for x in lits.values()]
        model.proto.objective.vars.clear()
        model.proto.objective.coeffs.clear()
        model.proto.objective.vars.extend(lits)
        model.proto.objective.coeffs.extend(rng.integers(-5, 6, len(lits)).tolist())
        solver = solve(model)
        schedules.append(lns._read(solver, alone.nb))  # (the clone's literals have the same indices)
    assert len({tuple(sorted(s.items())) for s in schedules}) >= 3
    gaps = {cost(sub, s) - cost(alone.nb, s) for s in schedules}
    assert len(gaps) == 1


def test_each_weekend_of_the_first_half_gets_at_least_its_floor(eight, monkeypatch):
    """weekend_shifts gives each weekend of its first half at least WEEKEND_FIRST_S however
    short its `seconds` (a weekend left without shifts costs its whole cover: on Curtois 24,
    0.3 s a weekend left 3,598 weekend heads short against 240); the second half has no time
    left then."""
    inst, p, _ = eight
    cfg = p.config.solver.model_copy(update={"deterministic": False})
    plan = lns.weekend_plan(p, cfg, 5.0)
    limits = []
    real = lns.configure_solver

    def record(solver, cfg, seconds):
        limits.append(seconds)
        return real(solver, cfg, seconds)

    monkeypatch.setattr(lns, "configure_solver", record)
    shifts = lns.weekend_shifts(p, cfg, plan, 0.01)
    weekends = len(lns._WeekendData.of(p).ends)
    assert len(limits) >= weekends and set(limits) == {lns.WEEKEND_FIRST_S}  # (retries too; no search)
    assert shifts and all(st for st in shifts.values())


def test_first_rosters_build_each_agent_once(inst, monkeypatch):
    """_first_rosters builds each agent's model once, on the builder thread ahead of its pair
    with two workers, on the calling thread with one (no build ahead then), and gives the
    same roster both ways in deterministic mode, pairs apart: two workers solve agents two at
    a time against the same cover, one worker agent by agent, so compare each with itself."""
    import threading

    real = lns._alone
    for workers in (1, 2):
        p = _problem(inst)
        cfg = p.config.solver.model_copy(update={"workers": workers})
        seen = []

        def spy(problem, agent):
            seen.append((agent, threading.current_thread() is threading.main_thread()))
            return real(problem, agent)

        monkeypatch.setattr(lns, "_alone", spy)
        ids = [a.id for a in p.agents]
        rosters = [lns._first_rosters(p, cfg, ids, lns._Budget(cfg, 10.0), 0, {}) for _ in range(2)]
        assert rosters[0] == rosters[1]
        assert sorted(a for a, _ in seen) == sorted(ids * 2)  # once per agent and run
        on_main = {m for _, m in seen}
        assert on_main == ({True} if workers == 1 else {False})
