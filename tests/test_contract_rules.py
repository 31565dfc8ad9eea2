"""The general per-agent rules (config `contracts`, shifts' `not_followed_by`) and the soft
head-count cover (`Problem.heads`): each hard rule binds in the model, has an allowed case,
and is caught by the independent validator when broken by hand; nothing changes unless
configured."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from ortools.sat.python import cp_model

from scheduler.config import parse_config
from scheduler.domain import Agent, Problem, Request
from scheduler.errors import InputError
from scheduler.roster import build_model, configure_solver
from scheduler.roster import rules as R
from scheduler.roster.variables import build_variables
from scheduler.validate import check_roster

START = date(2026, 2, 2)  # a Monday: days 5, 6 and 12, 13 are weekends
N_DAYS = 14
D = [START + timedelta(days=i) for i in range(N_DAYS)]
SHIFTS = [{"id": "E", "start": "07:00", "end": "15:00", "paid_hours": 8, "night": False},
          {"id": "L", "start": "14:00", "end": "22:00", "paid_hours": 8, "night": False, "not_followed_by": ["E"]}]
NEUTRAL = {"min_rest_hours": 0, "min_days_off_per_week": 0, "min_days_off_per_month": 0,
           "max_days_off_per_month": 31, "rotation": "none", "training_days": 0, "max_consecutive_workdays": 31}


def config(contract: dict | None = None, **extra):
    data = {"shops": [{"id": "x"}], "shifts": SHIFTS, "rules": NEUTRAL, "band": {"min": 0},
            "solver": {"time_limit_s": 10, "workers": 2, "seed": 0}, **extra}
    if contract is not None:
        data["contracts"] = [{"id": "k", **contract}]
    return parse_config(data, "test-config")


def problem(contract: dict | None = None, heads=None, requests=(), n_agents=1, **extra) -> Problem:
    agents = tuple(Agent(f"A{i}", f"a{i}", "junior", group="k") for i in range(1, n_agents + 1))
    demand = pd.DataFrame(columns=["date", "shop", "shift", "volume"])
    return Problem(config(contract, **extra), START, agents, demand, tuple(requests), heads=heads,
                   horizon_days=N_DAYS)


def status(p: Problem, works: dict[int, str | None]) -> str:
    """Force agent A1's state on some days (shift id, or None for off); CP-SAT's status."""
    built = build_model(p, hint=False)
    v = built.vars
    for i, st in works.items():
        if st is None:
            built.model.add(v.off["A1", D[i]] == 1)
        else:
            built.model.add(v.shift["A1", D[i], st] == 1)
    solver = cp_model.CpSolver()
    configure_solver(solver, p.config.solver)
    solver.parameters.stop_after_first_solution = True
    return solver.status_name(solver.solve(built.model))


OK = ("FEASIBLE", "OPTIMAL")


def roster(states: dict[int, str], n=N_DAYS, agent="A1") -> pd.DataFrame:
    """A hand-made roster: `states` day index -> shift, off or leave (default off)."""
    rows = []
    for i in range(n):
        st = states.get(i, "off")
        worked = st not in ("off", "leave")
        rows.append((D[i], agent, st, "x" if worked else "", 0))
    return pd.DataFrame(rows, columns=["date", "agent_id", "shift", "shop", "load"])


def found(p: Problem, states: dict[int, str]) -> set[str]:
    v = check_roster(roster(states), p.config, p.agents, p.demand, START, p.requests, horizon_days=N_DAYS)
    return set(v["rule"])


# ------------------------------------------------------------------ forbidden successions

def test_forbidden_succession_binds():
    assert status(problem(), {3: "L", 4: "E"}) == "INFEASIBLE"


@pytest.mark.parametrize("first,second", [("E", "L"), ("L", "L"), ("E", "E")])
def test_forbidden_succession_allows_others(first, second):
    assert status(problem(), {3: first, 4: second}) in OK


def test_forbidden_succession_binds_on_its_own_when_explaining():
    """With `explain` every hard rule is guarded and one_state_per_day may be left out of a core:
    the rule must hold on its own (its explain form), with only its own assumptions on."""
    built = build_model(problem(), explain=True, hint=False)
    v, m = built.vars, built.model
    m.add_assumptions(list(built.vars.assumptions[k] for k in built.vars.assumptions
                           if k[0] == "forbidden_succession"))
    m.add(v.shift["A1", D[3], "L"] == 1)
    m.add(v.shift["A1", D[4], "E"] == 1)
    assert cp_model.CpSolver().solve(m) == cp_model.INFEASIBLE


def test_forbidden_succession_validator():
    assert found(problem(), {3: "L", 4: "E"}) == {"forbidden_succession"}
    assert found(problem(), {3: "L", 5: "E"}) == set()


# ------------------------------------------------------------------ max shifts per type

def test_max_shifts_per_type_binds_and_allows():
    p = problem({"max_shifts": {"E": 2}})
    assert status(p, {0: "E", 2: "E", 4: "E"}) == "INFEASIBLE"
    assert status(p, {0: "E", 2: "E", 4: "L"}) in OK


def test_max_shifts_zero_forbids_the_type():
    assert status(problem({"max_shifts": {"L": 0}}), {7: "L"}) == "INFEASIBLE"


def test_max_shifts_zero_fixes_the_literals_and_keeps_the_greedy_hint_valid():
    """A type the contract forbids gets literals fixed to 0 (no constraint needs them); each is
    a variable of its own, so the CS greedy start still hints every shift literal once."""
    p = problem({"max_shifts": {"L": 0}}, n_agents=2)
    built = build_model(p, hint=True)
    v = built.vars
    assert v.never == {("A1", "L"), ("A2", "L")} and not v.can_work("A1", "L") and v.can_work("A1", "E")
    fixed = {v.shift[a, d, "L"].index for a in ("A1", "A2") for d in D}
    assert len(fixed) == 2 * N_DAYS
    assert all(list(built.model.proto.variables[i].domain) == [0, 0] for i in fixed)
    solver = cp_model.CpSolver()
    configure_solver(solver, p.config.solver)
    assert solver.status_name(solver.solve(built.model)) in OK


def test_max_shifts_per_type_validator():
    p = problem({"max_shifts": {"E": 2}})
    assert found(p, {0: "E", 2: "E", 4: "E"}) == {"max_shifts_per_type"}
    assert found(p, {0: "E", 2: "E", 4: "L"}) == set()


# ------------------------------------------------------------------ total minutes

def test_max_minutes_binds_and_allows():
    p = problem({"max_minutes": 16 * 60})
    assert status(p, {0: "E", 2: "E", 4: "L"}) == "INFEASIBLE"
    assert status(p, {0: "E", 2: "E"}) in OK


def test_min_minutes_binds_and_allows():
    p = problem({"min_minutes": 16 * 60})
    only_one = {i: None for i in range(1, N_DAYS)}
    assert status(p, {0: "E", **only_one}) == "INFEASIBLE"
    assert status(p, {0: "E", 1: "E", **{i: None for i in range(2, N_DAYS)}}) in OK


def test_total_minutes_validator():
    assert found(problem({"max_minutes": 960}), {0: "E", 2: "E", 4: "L"}) == {"total_minutes"}
    assert found(problem({"min_minutes": 960}), {0: "E"}) == {"total_minutes"}
    assert found(problem({"min_minutes": 960, "max_minutes": 960}), {0: "E", 5: "L"}) == set()


# ------------------------------------------------------------------ max consecutive workdays (contract)

def test_contract_max_consecutive_binds_and_allows():
    p = problem({"max_consecutive_workdays": 3})
    assert status(p, {i: "E" for i in range(4, 8)}) == "INFEASIBLE"
    assert status(p, {i: "E" for i in range(4, 7)}) in OK


def test_contract_max_consecutive_validator():
    p = problem({"max_consecutive_workdays": 3})
    assert found(p, {i: "E" for i in range(4, 8)}) == {"contract_max_consecutive_workdays"}
    assert found(p, {**{i: "E" for i in range(4, 7)}, 8: "E"}) == set()


# ------------------------------------------------------------------ min consecutive workdays

def test_min_consecutive_workdays_binds():
    p = problem({"min_consecutive_workdays": 2})
    assert status(p, {3: None, 4: "E", 5: None}) == "INFEASIBLE"


def test_min_consecutive_workdays_allowed_and_exempt_at_the_ends():
    p = problem({"min_consecutive_workdays": 3})
    assert status(p, {3: None, 4: "E", 5: "E", 6: "E", 7: None}) in OK
    assert status(p, {0: "E", 1: None}) in OK                       # touches the first day
    assert status(p, {N_DAYS - 2: None, N_DAYS - 1: "E"}) in OK     # touches the last day


def test_min_consecutive_workdays_validator():
    p = problem({"min_consecutive_workdays": 2})
    assert found(p, {4: "E"}) == {"min_consecutive_workdays"}
    assert found(p, {0: "E", 4: "E", 5: "E", N_DAYS - 1: "L"}) == set()


# ------------------------------------------------------------------ min consecutive days off

def test_min_consecutive_days_off_binds():
    p = problem({"min_consecutive_days_off": 2})
    assert status(p, {3: "E", 4: None, 5: "E"}) == "INFEASIBLE"


def test_min_consecutive_days_off_allowed_leave_counts_as_off():
    p = problem({"min_consecutive_days_off": 2})
    assert status(p, {3: "E", 4: None, 5: None, 6: "E"}) in OK
    assert status(p, {0: None, 1: "E"}) in OK  # touches the first day
    leave = problem({"min_consecutive_days_off": 2}, requests=[Request("A1", D[5], D[5], "leave")])
    assert status(leave, {3: "E", 4: None, 6: "E"}) in OK
    assert status(leave, {4: "E", 6: "E"}) == "INFEASIBLE"


def test_min_consecutive_days_off_validator():
    p = problem({"min_consecutive_days_off": 2})
    work = {i: "E" for i in range(N_DAYS)}
    assert found(p, {**work, 4: "off"}) == {"min_consecutive_days_off"}
    assert found(p, {**work, 4: "off", 5: "off", 0: "off"}) == set()


# ------------------------------------------------------------------ max working weekends

def test_max_working_weekends_binds_and_allows():
    p = problem({"max_working_weekends": 1})
    assert status(p, {5: "E", 13: "E"}) == "INFEASIBLE"
    assert status(p, {5: "E", 6: "E"}) in OK


def test_max_working_weekends_validator():
    p = problem({"max_working_weekends": 1})
    assert found(p, {5: "E", 13: "E"}) == {"max_working_weekends"}
    assert found(p, {5: "E", 6: "L", 7: "L"}) == set()


# ------------------------------------------------------------------ head-count cover (soft)

def test_head_cover_penalties_are_exact():
    heads = pd.DataFrame([(D[0], "E", 1), (D[1], "E", 2)], columns=["date", "shift", "heads"])
    p = problem(heads=heads, n_agents=2)
    built = build_model(p, hint=False)
    v = built.vars
    m = built.model
    for a in ("A1", "A2"):
        m.add(v.shift[a, D[0], "E"] == 1)  # one over on day 0
        m.add(v.off[a, D[1]] == 1)          # two under on day 1
    solver = cp_model.CpSolver()
    configure_solver(solver, p.config.solver)
    assert solver.status_name(solver.solve(m)) == "OPTIMAL"
    cover = {(q.rule, q.where): solver.value(q.expr) * q.weight for q in built.penalties if q.rule.startswith("heads")}
    assert cover[("heads_over", f"{D[0]} E")] == 1
    assert cover[("heads_under", f"{D[1]} E")] == 200
    assert sum(cover.values()) == 201
    assert round(solver.objective_value) == 201


def test_head_cover_row_weights_override_config():
    heads = pd.DataFrame([(D[0], "L", 1, 7, 3)], columns=["date", "shift", "heads", "under", "over"])
    built = build_model(problem(heads=heads, n_agents=2), hint=False)  # two agents: short or over
    assert {(q.rule, q.weight) for q in built.penalties if q.rule.startswith("heads")} == {("heads_under", 7), ("heads_over", 3)}
    built = build_model(problem(heads=heads), hint=False)  # one agent can only be short: no over term
    assert {(q.rule, q.weight) for q in built.penalties if q.rule.startswith("heads")} == {("heads_under", 7)}


# ------------------------------------------------------------------ defaults and config

NEW_RULES = [R.add_forbidden_successions, R.add_max_shifts_per_type, R.add_total_minutes,
             R.add_contract_max_consecutive_workdays, R.add_min_consecutive_workdays,
             R.add_min_consecutive_days_off, R.add_max_working_weekends]


def test_new_rules_do_nothing_unless_configured(small_problem):
    model = cp_model.CpModel()
    v = build_variables(model, small_problem)
    before = (len(model.proto.constraints), len(model.proto.variables))
    for rule in NEW_RULES:
        rule(v)
    assert R.penalize_head_cover(v) == []
    assert (len(model.proto.constraints), len(model.proto.variables)) == before
    assert small_problem.days[0] == date(2026, 2, 1) and len(small_problem.days) == 28


def test_contract_applies_only_to_its_group():
    p = problem({"max_shifts": {"E": 0}})
    other = Problem(p.config, START, (Agent("A1", "a", "junior", group="other"),), p.demand, horizon_days=N_DAYS)
    assert status(other, {0: "E"}) in OK


@pytest.mark.parametrize("data,message", [
    ({"shifts": [{"id": "E", "start": "07:00", "end": "15:00", "paid_hours": 8, "not_followed_by": ["Z"]}]},
     "not_followed_by names unknown shift"),
    ({"contracts": [{"id": "k", "max_shifts": {"Z": 1}}]}, "max_shifts names unknown shift"),
    ({"contracts": [{"id": "k"}, {"id": "k"}]}, "duplicate id"),
    ({"contracts": [{"id": "k", "min_minutes": 10, "max_minutes": 5}]}, "min_minutes <= max_minutes"),
    ({"contracts": [{"id": "k", "max_shifts": {"day": -1}}]}, "counts >= 0"),
])
def test_config_errors(data, message):
    with pytest.raises(InputError, match=message):
        parse_config({"shops": [{"id": "x"}], **data}, "test-config")


# ------------------------------------------------------------------ implied work density

def _runs_ok(seq: tuple[int, ...], k: int, m: int) -> bool:
    """max_consecutive_workdays k and min_consecutive_days_off m, as the rules state them:
    no run of worked days longer than k, no run of days off shorter than m between two worked days."""
    text = "".join(map(str, seq))
    if "1" * (k + 1) in text:
        return False
    inner = text.strip("0") if text.strip("0") else ""
    return all(len(run) >= m for run in inner.split("1") if run)


@pytest.mark.parametrize("k,m", [(1, 2), (2, 2), (3, 2), (2, 3), (4, 3)])
def test_work_density_is_implied_by_the_run_rules(k, m):
    """Every 0/1 sequence of 12 days that keeps both run rules has at most k worked days in each
    window of k + m days (so the density constraint never cuts off a valid roster), and the
    bound is reached (it is the tightest such window bound)."""
    from itertools import product
    reached = False
    for seq in product((0, 1), repeat=12):
        if not _runs_ok(seq, k, m):
            continue
        best = max(sum(seq[i:i + k + m]) for i in range(12 - (k + m) + 1))
        assert best <= k, (seq, k, m)
        reached |= best == k
    assert reached


def test_work_density_constraints_are_added_only_with_both_limits():
    def count(contract):
        model = cp_model.CpModel()
        v = build_variables(model, problem(contract))
        R.add_contract_work_density(v)
        return len(model.proto.constraints)
    assert count({"max_consecutive_workdays": 3, "min_consecutive_days_off": 2}) == N_DAYS - 5 + 1
    assert count({"max_consecutive_workdays": 3}) == 0
    assert count({"min_consecutive_days_off": 2}) == 0
