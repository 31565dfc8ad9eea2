"""Each hard rule of the CP-SAT model alone: a forbidden case (INFEASIBLE when forced), an
allowed case, and solved rosters that the independent validator passes."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from ortools.sat.python import cp_model

from conftest import MONTH, make_agents, make_config, make_demand, make_problem
from scheduler.domain import Request
from scheduler.roster import build_model, configure_solver, solve_roster
from scheduler.roster.phase import night_first_phase
from scheduler.validate import check_roster

D = [MONTH + timedelta(days=i) for i in range(28)]


def forced_status(problem, forced: dict[tuple, int]) -> str:
    """Solve with some shift/off variables forced; returns CP-SAT's status name."""
    built = build_model(problem)
    v = built.vars
    for key, val in forced.items():
        var = v.shift[key] if len(key) == 3 else v.off[key]
        built.model.add(var == val)
    solver = cp_model.CpSolver()
    configure_solver(solver, problem.config.solver)
    solver.parameters.stop_after_first_solution = True
    return solver.status_name(solver.solve(built.model))


def tiny(rotation="none", **rules):
    config = make_config(shops=("big",), rules={"rotation": rotation, **rules}, solver={"time_limit_s": 10})
    agents = make_agents(2)
    return make_problem(config, agents, make_demand(config, per_shift={"big": 60}))


def test_rest_night_then_day_is_forbidden_at_11h():
    p = tiny()
    assert forced_status(p, {("A01", D[3], "night"): 1, ("A01", D[4], "day"): 1}) == "INFEASIBLE"


@pytest.mark.parametrize("first,second", [("night", "night"), ("day", "night"), ("day", "day")])
def test_rest_allowed_successions(first, second):
    assert forced_status(tiny(), {("A01", D[3], first): 1, ("A01", D[4], second): 1}) in ("FEASIBLE", "OPTIMAL")


def test_rest_night_then_day_allowed_when_rule_relaxed():
    p = tiny(min_rest_hours=8)  # night ends 00:30, day starts 08:30: exactly 8 h
    assert forced_status(p, {("A01", D[3], "night"): 1, ("A01", D[4], "day"): 1}) in ("FEASIBLE", "OPTIMAL")


def test_max_consecutive_workdays():
    p = tiny(min_days_off_per_week=0)
    six = {("A01", d): 0 for d in D[:6]}
    assert forced_status(p, six) in ("FEASIBLE", "OPTIMAL")
    seven = {("A01", d): 0 for d in D[:7]}
    assert forced_status(p, seven) == "INFEASIBLE"


def test_min_days_off_per_week_binds_on_whole_weeks_only():
    p = tiny(max_consecutive_workdays=10)
    monday = D[1]  # 2026-02-02
    assert monday.weekday() == 0
    week = {("A01", monday + timedelta(days=i)): 0 for i in range(7)}
    assert forced_status(p, week) == "INFEASIBLE"
    straddling = {("A01", monday + timedelta(days=i)): 0 for i in range(3, 10)}  # Thu..Wed
    assert forced_status(p, straddling) in ("FEASIBLE", "OPTIMAL")


def test_days_off_per_month_bounds():
    p = tiny(min_days_off_per_month=4, max_days_off_per_month=8)
    nine_off = {("A01", D[i]): 1 for i in range(0, 27, 3)}
    assert len(nine_off) == 9
    assert forced_status(p, nine_off) == "INFEASIBLE"
    assert forced_status(p, dict(list(nine_off.items())[:8])) in ("FEASIBLE", "OPTIMAL")


def test_half_month_rotation_allows_one_switch_only():
    p = tiny(rotation="half-month")
    nf = night_first_phase(p)["A01"]
    first, second = ("night", "day") if nf else ("day", "night")
    back_again = {("A01", D[2], first): 1, ("A01", D[14], second): 1, ("A01", D[25], first): 1}
    assert forced_status(p, back_again) == "INFEASIBLE"
    assert forced_status(p, {("A01", D[2], first): 1, ("A01", D[20], second): 1}) in ("FEASIBLE", "OPTIMAL")


def test_balanced_rotation_counts_nights():
    p = tiny(rotation="balanced")
    many_nights = {("A01", D[i], "night"): 1 for i in range(0, 28, 2)}  # 14 nights
    many_nights.update({("A01", D[i]): 1 for i in range(1, 28, 2)})     # and 14 days off
    assert forced_status(p, many_nights) == "INFEASIBLE"


def test_leave_is_never_worked_and_written_as_leave():
    config = make_config(shops=("big",), solver={"time_limit_s": 5})
    agents = make_agents(3)
    req = [Request("A02", D[5], D[8], "leave")]
    res = solve_roster(make_problem(config, agents, make_demand(config, per_shift={"big": 100}), req))
    rows = res.roster[(res.roster["agent_id"] == "A02") & res.roster["date"].isin(D[5:9])]
    assert list(rows["shift"]) == ["leave"] * 4
    assert (rows["shop"] == "").all() and (rows["load"] == 0).all()


def test_load_cap_leaves_uncovered_instead_of_infeasible():
    config = make_config(shops=("big",), rules={"rotation": "none"}, solver={"time_limit_s": 5})
    agents = make_agents(2)
    res = solve_roster(make_problem(config, agents, make_demand(config, per_shift={"big": 500})))
    worked = res.roster[res.roster["shift"].isin(["day", "night"])]
    assert worked.groupby(["agent_id", "date"])["load"].sum().max() <= 120
    # two agents can carry at most 2 * 120 a day in total; the rest is reported uncovered
    assert res.coverage["uncovered"].sum() >= 28 * 1000 - 2 * 28 * 120
    assert (res.coverage["volume"] - res.coverage["assigned"] == res.coverage["uncovered"]).all()


def test_shop_limit_and_allowed_shops():
    config = make_config(shops=("a", "b", "c"), rules={"max_shops_per_agent": 1, "rotation": "none"},
                         solver={"time_limit_s": 5})
    agents = make_agents(4, shops={1: ("c",)})
    res = solve_roster(make_problem(config, agents, make_demand(config, per_shift={"a": 60, "b": 60, "c": 60})))
    served = res.roster[res.roster["shop"] != ""].groupby("agent_id")["shop"].nunique()
    assert served.max() == 1
    assert set(res.roster.loc[(res.roster["agent_id"] == "A01") & (res.roster["shop"] != ""), "shop"]) == {"c"}


def test_trainee_carries_no_load():
    config = make_config(shops=("big",), solver={"time_limit_s": 5})
    agents = make_agents(3)
    agents[0] = type(agents[0])("A01", "new", "junior", (), hire_date=date(2026, 2, 1))
    res = solve_roster(make_problem(config, agents, make_demand(config, per_shift={"big": 80})))
    early = res.roster[(res.roster["agent_id"] == "A01") & (res.roster["date"] < date(2026, 2, 16))]
    assert early["load"].sum() == 0
    assert check_roster(res.roster, config, agents, make_demand(config, per_shift={"big": 80}), MONTH).empty


def test_solved_roster_passes_validator(small_problem):
    res = solve_roster(small_problem)
    hard = check_roster(res.roster, small_problem.config, small_problem.agents, small_problem.demand,
                        small_problem.month, small_problem.requests)
    assert hard.empty, hard.to_string()
    cov = res.coverage
    assert (cov["volume"] - cov["assigned"] == cov["uncovered"]).all()
    assert res.status in ("OPTIMAL", "FEASIBLE")


def test_solver_parameters_take_effect():
    """The CP-SAT log echoes the parameters it runs with: proof they were set on solver.parameters."""
    config = make_config(shops=("big",), solver={"time_limit_s": 3.5, "workers": 1, "seed": 7})
    lines: list[str] = []
    problem = make_problem(config, make_agents(2), make_demand(config, per_shift={"big": 60}))
    from scheduler.roster.solve import solve_roster as solve
    res = solve(problem, log_callback=lines.append)
    params = next(line for line in lines if line.startswith("Parameters:"))
    from scheduler.roster.solve import time_budget
    hint_s, search_s = time_budget(config.solver)
    assert hint_s + search_s == 3.5 and search_s == 2.5
    # the main search gets what is left of the 3.5 s after stage 1, the model and the hint
    limit = float(params.split("max_time_in_seconds: ")[1].split()[0])
    assert search_s / 4 <= limit <= 3.5
    assert "num_workers: 1" in params and "random_seed: 7" in params
    assert res.parameters == {"time_limit_s": 3.5, "workers": 1, "seed": 7, "deterministic": False,
                              "source": "search"}


def test_deterministic_mode_gives_the_same_roster_twice():
    config = make_config(solver={"time_limit_s": 2, "workers": 2, "seed": 3, "deterministic": True})
    agents = make_agents(5)
    problem = make_problem(config, agents, make_demand(config, per_shift={"big": 100, "small": 30}, noise=0.2))
    lines: list[str] = []
    a, b = solve_roster(problem, log_callback=lines.append), solve_roster(problem)
    assert a.roster.equals(b.roster)
    assert a.objective == b.objective
    # the main search runs interleaved on deterministic time, LNS only from the complete hint
    params = next(line for line in lines if line.startswith("Parameters:"))
    for echo in ("max_deterministic_time: ", "interleave_search: true", "use_lns_only: true", "random_seed: 3"):
        assert echo in params, params


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n_agents=st.integers(2, 6), big=st.integers(0, 400), small=st.integers(0, 120),
       rotation=st.sampled_from(["half-month", "balanced", "none"]), limit=st.integers(1, 2),
       leave_day=st.integers(0, 27), seed=st.integers(0, 10))
def test_property_random_instances_give_valid_rosters(n_agents, big, small, rotation, limit, leave_day, seed):
    config = make_config(rules={"rotation": rotation, "max_shops_per_agent": limit},
                         solver={"time_limit_s": 2, "seed": seed})
    agents = make_agents(n_agents, shops={1: ("small",)})
    demand = make_demand(config, per_shift={"big": big, "small": small}, seed=seed, noise=0.3)
    requests = [Request("A02", D[leave_day], D[min(27, leave_day + 2)], "leave")]
    problem = make_problem(config, agents, demand, requests)
    res = solve_roster(problem)
    hard = check_roster(res.roster, config, agents, demand, MONTH, requests)
    assert hard.empty, hard.to_string()
    cov = res.coverage
    assert (cov["uncovered"] == cov["volume"] - cov["assigned"]).all()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n_agents=st.integers(1, 9), big=st.integers(0, 600), small=st.integers(0, 200),
       rotation=st.sampled_from(["half-month", "balanced", "none"]), leave_day=st.integers(0, 27),
       leave_len=st.integers(0, 6), fixed_day=st.integers(0, 27), fixed_shift=st.sampled_from(["day", "night", None]),
       seed=st.integers(0, 10))
def test_property_greedy_start_breaks_no_hard_rule(n_agents, big, small, rotation, leave_day, leave_len,
                                                    fixed_day, fixed_shift, seed):
    """The constructive roster CP-SAT starts from is valid by construction (coverage aside)."""
    from scheduler.roster.greedy import greedy_states
    config = make_config(rules={"rotation": rotation})
    agents = make_agents(n_agents, shops={1: ("small",)})
    demand = make_demand(config, per_shift={"big": big, "small": small}, seed=seed, noise=0.3)
    requests = [Request("A01", D[leave_day], D[min(27, leave_day + leave_len)], "leave")]
    if n_agents > 1 and fixed_shift is not None:
        requests.append(Request("A02", D[fixed_day], D[fixed_day], "fixed", fixed_shift))
    problem = make_problem(config, agents, demand, requests)
    states = greedy_states(problem, night_first_phase(problem))
    assert set(states) == {(a.id, d) for a in agents for d in problem.days}
    rows = [(d, a, s, "" if s in ("off", "leave") else "small" if a == "A01" else "big", 0)
            for (a, d), s in states.items()]
    roster = pd.DataFrame(rows, columns=["date", "agent_id", "shift", "shop", "load"])
    hard = check_roster(roster, config, agents, demand, MONTH, requests)
    assert hard.empty, hard.to_string()


def test_search_out_of_time_returns_the_valid_starting_roster(small_problem, monkeypatch):
    """When the main search reports nothing (time up), the completed starting roster is returned."""
    import scheduler.roster.solve as solve_mod
    original = solve_mod.configure_solver

    def starved(solver, cfg, seconds=None):
        original(solver, cfg, seconds)
        solver.parameters.max_time_in_seconds = 0.0

    monkeypatch.setattr(solve_mod, "configure_solver", starved)
    res = solve_mod.solve_roster(small_problem)
    assert res.status == "FEASIBLE" and res.parameters["source"].startswith("starting roster")
    # the completed starting roster was in hand before the search began
    assert res.first_solution_seconds is not None and res.first_solution_seconds < res.solve_seconds
    hard = check_roster(res.roster, small_problem.config, small_problem.agents, small_problem.demand,
                        small_problem.month, small_problem.requests)
    assert hard.empty, hard.to_string()
    cov = res.coverage
    assert (cov["volume"] - cov["assigned"] == cov["uncovered"]).all()


def _counts(states: dict, problem, agent_ids: list[str]) -> dict[str, list[int]]:
    night_ids = {s.id for s in problem.config.shifts if s.is_night}
    shift_ids = set(problem.config.shift_ids)
    out = {"workdays": [], "nights": [], "weekend_off": []}
    for a in agent_ids:
        out["workdays"].append(sum(1 for d in problem.days if states[a, d] in shift_ids))
        out["nights"].append(sum(1 for d in problem.days if states[a, d] in night_ids))
        out["weekend_off"].append(sum(1 for d in problem.days if d.weekday() >= 5 and states[a, d] not in shift_ids))
    return out


@pytest.mark.parametrize("per_shift", [{"big": 250, "small": 60}, {"big": 400, "small": 150}, {"big": 90, "small": 30}])
def test_greedy_start_is_fair_within_the_group(per_shift):
    """The starting roster gives the agents compared for fairness (same group, no leave) the
    same workdays, nights and weekend days off, to within one, whatever the demand's shape —
    the spreads are what the search finds hardest to close, as they need all agents at once."""
    from scheduler.roster.greedy import greedy_states
    config = make_config()
    agents = make_agents(10, shops={1: ("big",), 2: ("small",)})
    demand = make_demand(config, per_shift=per_shift, seed=3, noise=0.4)
    requests = [Request("A05", D[3], D[6], "leave")]
    problem = make_problem(config, agents, demand, requests)
    states = greedy_states(problem, night_first_phase(problem))
    fair = [a.id for a in agents if a.id != "A05"]
    for kind, values in _counts(states, problem, fair).items():
        assert max(values) - min(values) <= 1, (kind, values)
    rows = [(d, a, s, "" if s in ("off", "leave") else "small" if a == "A02" else "big", 0)
            for (a, d), s in states.items()]
    roster = pd.DataFrame(rows, columns=["date", "agent_id", "shift", "shop", "load"])
    assert check_roster(roster, config, agents, demand, MONTH, requests).empty


def test_spread_penalties_are_non_negative_variables(small_problem):
    """Each fairness spread is a variable with lower bound 0, so CP-SAT's objective bound never
    drops below the penalties that are fixed (it used to report -days per spread on big months)."""
    from scheduler.roster.solve import build_model
    built = build_model(small_problem)
    spreads = [p for p in built.penalties if p.rule.endswith("_spread")]
    assert {p.rule for p in spreads} == {"nights_spread", "workdays_spread", "weekend_off_spread"}
    for p in spreads:
        lo = built.model.proto.variables[p.expr.index].domain[0]
        assert lo == 0, (p.rule, lo)
