"""Price-and-dive (scheduler.roster.columns) on Curtois Instance1 (8 agents, 14 days, optimum
607): a column's cost is the agent's own share of the evaluator's objective, pricing bounds
every column of the pool, the Lagrangian bound never exceeds the optimum, and the roster it
returns keeps every hard rule and is never worse than the one it started from."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from curtois import to_problem  # noqa: E402
from curtois_eval import evaluate, read_instance  # noqa: E402
from scheduler.domain import LEAVE, OFF  # noqa: E402
from scheduler.roster import columns, lns  # noqa: E402
from scheduler.roster.solve import states_frame  # noqa: E402
from scheduler.validate import check_roster  # noqa: E402

INSTANCE1 = ROOT / "tests" / "data" / "curtois" / "Instance1.txt"
OPTIMUM = 607


@pytest.fixture(scope="module")
def inst():
    return read_instance(INSTANCE1)


@pytest.fixture(scope="module")
def problem(inst):
    return to_problem(inst, 5.0, 2, 0)


@pytest.fixture(scope="module")
def start(problem):
    return lns.construct(problem, problem.config.solver, 2.0, batch=3)


def _evaluate(inst, p, states):
    index = {d: i for i, d in enumerate(p.days)}
    return evaluate(inst, [(a, index[d], s) for (a, d), s in states.items() if s not in (OFF, LEAVE)])


def test_roster_cost_is_the_evaluators_objective(inst, problem, start):
    cg = columns.ColumnGeneration(problem, problem.config.solver)
    assert cg.cost(start) == _evaluate(inst, problem, start).objective
    # each agent's column cost is its unmet requests alone
    for a in cg.agents:
        (col,) = cg.pool[a].values()
        mine = [(e, d, s, w) for e, d, s, w in inst.on_requests if e == a]
        index = {d: i for i, d in enumerate(problem.days)}
        worked = {index[d]: s for d, s in zip(problem.days, col.states) if s not in (OFF, LEAVE)}
        unmet_on = sum(w for _, d, s, w in mine if worked.get(d) != s)
        unmet_off = sum(w for e, d, s, w in inst.off_requests if e == a and worked.get(d) == s)
        assert col.cost == unmet_on + unmet_off


def test_pricing_is_exact_and_bounds_every_column(problem, start):
    cg = columns.ColumnGeneration(problem, problem.config.solver)
    cg.add_roster(start)
    stats = columns.ColumnStats()
    with ThreadPoolExecutor(2) as pool:
        for _ in range(3):
            cg.round(pool, 2.0, stats)
    value, pi, mu = cg.solve_lp()
    ipi = {k: int(round(columns.SCALE * min(max(p, -cg.need[k][2]), cg.need[k][1]))) for k, p in pi.items()}
    for a in cg.agents:
        found, bound = cg.price(a, ipi, 5.0, 0)
        assert bound is not None and found
        priced = lambda col: col.cost - sum(ipi.get(k, 0) for k in col.works) / columns.SCALE  # noqa: E731
        for col in list(cg.pool[a].values()) + found:
            assert priced(col) >= bound - 1e-6
        assert min(priced(col) for col in found) == pytest.approx(bound, abs=1e-6)  # solved to optimality


def test_an_agent_not_proven_at_the_default_level_is_priced_at_level_2_from_then_on(problem, start, monkeypatch):
    cg = columns.ColumnGeneration(problem, problem.config.solver)
    cg.add_roster(start)
    a = cg.agents[0]
    found, bound = cg.price(a, {}, 5.0, 0)  # Instance1's agents are proven at once
    assert not cg.pricers[a].deep and bound is not None
    monkeypatch.setattr(columns, "DEEP_AFTER", 0.0)  # no time at the default level
    found, deep_bound = cg.price(a, {}, 5.0, 0)
    assert cg.pricers[a].deep
    assert deep_bound == pytest.approx(bound) and min(c.cost for c in found) == pytest.approx(bound)
    monkeypatch.setattr(columns, "DEEP_AFTER", 5.0)  # once deep, always deep
    cg.price(a, {}, 5.0, 0)
    assert cg.pricers[a].deep


def test_generate_bounds_the_optimum_and_returns_a_valid_roster_no_worse(inst, problem, start):
    before = _evaluate(inst, problem, start).objective
    states, stats = columns.generate(problem, start, problem.config.solver, 20.0)
    ev = _evaluate(inst, problem, states)
    assert ev.violations == []
    found = check_roster(states_frame(problem, states), problem.config, problem.agents, problem.demand,
                         problem.month, problem.requests, horizon_days=inst.horizon)
    assert found.empty
    assert ev.objective <= before
    assert stats.bound is not None and stats.bound <= OPTIMUM <= ev.objective
    assert stats.lp is not None and stats.bound <= stats.lp + 1e-6
    assert stats.bound >= 0.9 * OPTIMUM  # the LP of the set-partitioning master is tight here
    assert stats.rounds >= stats.lp_rounds >= 1 and stats.columns > len(problem.agents)


def test_the_dive_fixes_days_pricing_and_the_lp_keep_them_and_ends_in_one_column_each(inst, problem, start):
    cg = columns.ColumnGeneration(problem, problem.config.solver)
    cg.add_roster(start)
    stats = columns.ColumnStats()
    days = len(problem.days)
    with ThreadPoolExecutor(2) as pool:
        cg.round(pool, 2.0, stats)
        steps = 0
        while sum(len(f) for f in cg.fixings.values()) < days * len(cg.agents):
            before = {a: dict(f) for a, f in cg.fixings.items()}
            n = cg.dive_step(0.2)
            steps += 1
            assert n >= 1
            assert sum(len(f) for f in cg.fixings.values()) == sum(len(f) for f in before.values()) + n
            for a, f in before.items():  # fixings only grow
                assert cg.fixings[a].items() >= f.items()
            had = {a: set(cols) for a, cols in cg.pool.items()}
            cg.round(pool, 2.0, stats, diving=True)  # pricing within the fixings
            for a in cg.agents:
                for seq in set(cg.pool[a]) - had[a]:  # a new column keeps its agent's fixings
                    assert cg.consistent(a, seq)
                for v, col in cg.lp_values[a]:  # an older one that does not is held at 0
                    if not cg.consistent(a, col.states):
                        assert v == pytest.approx(0.0, abs=1e-9)
            assert steps <= days * len(cg.agents)
    cg.solve_lp()
    heavy = cg.heaviest()
    for a in cg.agents:  # every day fixed: exactly one column keeps them, at LP value 1
        keeping = [col for col in cg.pool[a].values() if cg.consistent(a, col.states)]
        assert len(keeping) == 1 and heavy[a][1] is keeping[0]
        assert heavy[a][0] == pytest.approx(1.0)
    dived = {(a, d): st for a, (_, col) in heavy.items() for d, st in zip(problem.days, col.states)}
    ev = _evaluate(inst, problem, dived)
    assert ev.violations == [] and cg.cost(dived) == ev.objective
    lp, bound = stats.lp, stats.bound
    with ThreadPoolExecutor(2) as pool:  # a round under fixings is a dive round, whatever it is told
        cg.round(pool, 2.0, stats)
    assert (stats.lp, stats.bound) == (lp, bound)
    cg.unfix_all()  # every column back in the LP
    value, _, _ = cg.solve_lp()
    assert not cg._closed and value <= stats.lp + 1e-6


def test_master_never_returns_a_roster_worse_than_its_hint(inst, problem, start):
    cg = columns.ColumnGeneration(problem, problem.config.solver)
    cg.add_roster(start)
    states, status, objective = cg.solve_master(start, 0.01)  # no time to improve on anything
    assert objective <= cg.cost(start)
    assert cg.cost(states) == objective


def test_a_roster_that_breaks_an_agents_rule_is_refused(problem, start):
    cg = columns.ColumnGeneration(problem, problem.config.solver)
    a = problem.agents[0].id
    broken = dict(start)
    for d in problem.days:  # every day worked: past the contract's longest run
        if broken[a, d] != LEAVE:
            broken[a, d] = "D"
    with pytest.raises(lns.LnsError, match=f"agent {a}: the roster breaks a hard rule"):
        cg.add_roster(broken)


def test_refuses_problems_whose_agents_share_volume(small_problem):
    with pytest.raises(lns.LnsError, match="column generation does not apply"):
        columns.ColumnGeneration(small_problem, small_problem.config.solver)
