"""The Curtois & Qu benchmark: reader, independent evaluator, and Instance1 solved to optimality
(best known and proven optimum 607) through the roster engine's own model."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from curtois_eval import evaluate, read_instance, read_roster, type_bound, weekend_bound, write_roster  # noqa: E402

DATA = ROOT.parent / "shared" / "benchmarks" / "curtois"
needs_data = pytest.mark.skipif(not (DATA / "Instance1.txt").exists(), reason=f"benchmark files not in {DATA}")

TINY = """# tiny instance in the benchmark's format
SECTION_HORIZON
# days
14

SECTION_SHIFTS
# ShiftID, Length in mins, Shifts which cannot follow this shift | separated
E,480,
L,600,E

SECTION_STAFF
# ID, MaxShifts, MaxTotalMinutes, MinTotalMinutes, MaxConsecutiveShifts, MinConsecutiveShifts, MinConsecutiveDaysOff, MaxWeekends
A,E=3|L=2,2400,960,3,2,2,1

SECTION_DAYS_OFF
# EmployeeID, DayIndexes (start at zero)
A,9

SECTION_SHIFT_ON_REQUESTS
# EmployeeID, Day, ShiftID, Weight
A,0,E,2

SECTION_SHIFT_OFF_REQUESTS
# EmployeeID, Day, ShiftID, Weight
A,2,L,3

SECTION_COVER
# Day, ShiftID, Requirement, Weight for under, Weight for over
""" + "".join(f"{d},{s},{1 if s == 'E' and d < 2 else 0},100,1\n" for d in range(14) for s in "EL")


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "Tiny.txt"
    path.write_bytes(TINY.replace("\n", "\r\n").encode())  # the official zip uses CRLF
    return read_instance(path)


def test_reader_parses_every_section_with_crlf(tiny):
    assert tiny.horizon == 14
    assert tiny.lengths == {"E": 480, "L": 600}
    assert tiny.forbidden == {"E": set(), "L": {"E"}}
    (a,) = tiny.staff
    assert (a.max_shifts, a.max_minutes, a.min_minutes) == ({"E": 3, "L": 2}, 2400, 960)
    assert (a.max_consecutive, a.min_consecutive, a.min_days_off, a.max_weekends) == (3, 2, 2, 1)
    assert tiny.days_off == {"A": {9}}
    assert tiny.on_requests == [("A", 0, "E", 2)] and tiny.off_requests == [("A", 2, "L", 3)]
    assert len(tiny.cover) == 28


def test_evaluator_objective_of_a_valid_roster(tiny):
    ev = evaluate(tiny, [("A", 0, "E"), ("A", 1, "E")])
    assert ev.violations == []
    assert (ev.objective, ev.on_requests, ev.off_requests, ev.cover_under, ev.cover_over) == (0, 0, 0, 0, 0)
    ev = evaluate(tiny, [("A", 1, "E"), ("A", 2, "L"), ("A", 3, "L")])
    # on-request day 0 missed (2), off-request day 2 L worked (3), day 0 E under (100), L over twice (2)
    assert ev.violations == []
    assert (ev.on_requests, ev.off_requests, ev.cover_under, ev.cover_over, ev.objective) == (2, 3, 100, 2, 107)


@pytest.mark.parametrize("rows,code", [
    ([("A", 0, "E"), ("A", 0, "L")], "H1"),
    ([("A", 0, "L"), ("A", 1, "E")], "H2"),
    ([("A", d, "E") for d in (0, 1, 3, 4)], "H3"),
    ([("A", d, s) for d, s in ((0, "L"), (1, "L"), (3, "E"), (4, "E"), (6, "E"))], "H4"),  # 2640 > 2400
    ([("A", 0, "E")], "H4"),                                                              # 480 < 960
    ([("A", d, "E") for d in (2, 3, 4)] + [("A", 5, "L")], "H5"),
    ([("A", 3, "E"), ("A", 7, "E"), ("A", 8, "E")], "H6"),
    ([("A", 2, "E"), ("A", 3, "E"), ("A", 5, "L"), ("A", 6, "L")], "H7"),
    ([("A", 5, "E"), ("A", 6, "E"), ("A", 12, "L"), ("A", 13, "L")], "H8"),
    ([("A", 8, "E"), ("A", 9, "E")], "H9"),
])
def test_evaluator_reports_each_hard_constraint(tiny, rows, code):
    codes = {v.split()[0] for v in evaluate(tiny, rows).violations}
    assert code in codes


def test_evaluator_exempts_runs_touching_the_horizon_ends(tiny):
    # one worked day on day 0 and on day 13: runs touching the ends need not reach 2
    assert evaluate(tiny, [("A", 0, "E"), ("A", 13, "E")]).violations == []


def test_weekend_bound_counts_heads_the_weekend_limits_leave_short(tiny):
    import dataclasses
    # weekends are days 5-6 and 12-13; A works at most 1 weekend (2 shifts), 5 shifts in all
    cover = [(5, "E", 2, 100, 1), (6, "E", 1, 100, 1), (12, "E", 1, 100, 1), (13, "L", 1, 60, 1), (3, "E", 9, 100, 1)]
    inst = dataclasses.replace(tiny, cover=cover, days_off={})
    assert weekend_bound(inst) == (5 - 2) * 60  # weekday cover does not count; the lowest weight
    a = tiny.staff[0]
    two = dataclasses.replace(inst, staff=[dataclasses.replace(a, max_weekends=2)])
    assert weekend_bound(two) == (5 - 4) * 60
    assert weekend_bound(dataclasses.replace(two, days_off={"A": {12, 13}})) == (5 - 2) * 60  # H9
    assert weekend_bound(dataclasses.replace(two, days_off={"A": {12}})) == (5 - 3) * 60
    few = dataclasses.replace(two, staff=[dataclasses.replace(a, max_weekends=2, max_shifts={"E": 1, "L": 0})])
    assert weekend_bound(few) == (5 - 1) * 60  # H3: one shift in all
    assert weekend_bound(dataclasses.replace(inst, cover=[(3, "E", 9, 100, 1)])) == 0


def test_weekend_bound_counts_what_forbidden_successions_cost(tiny):
    import dataclasses
    a = dataclasses.replace(tiny.staff[0], max_shifts={"E": 5, "L": 5})
    # A works one weekend: Saturday asks for L, Sunday for E, and L may not be followed by E,
    # so A covers one of the two heads, though two shifts a weekend would cover both
    inst = dataclasses.replace(tiny, staff=[a], days_off={}, cover=[(5, "L", 1, 100, 1), (6, "E", 1, 60, 1)])
    assert weekend_bound(inst) == 60
    assert weekend_bound(dataclasses.replace(inst, cover=[(5, "E", 1, 100, 1), (6, "L", 1, 100, 1)])) == 0
    assert weekend_bound(dataclasses.replace(inst, staff=[a, dataclasses.replace(a, id="B")])) == 0
    # two weekends of L then E for one employee with two weekends: two heads of four
    two = dataclasses.replace(inst, staff=[dataclasses.replace(a, max_weekends=2)],
                              cover=[(5, "L", 1, 100, 1), (6, "E", 1, 100, 1), (12, "L", 1, 100, 1), (13, "E", 1, 100, 1)])
    assert weekend_bound(two) == 200


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=8, max_size=8), st.lists(st.booleans(), min_size=9, max_size=9))
def test_weekend_pairs_are_the_maximum_flow(heads, allowed):
    """_pairs (a minimum cut over classes of Saturday shifts) equals OR-Tools' maximum flow."""
    from ortools.graph.python import max_flow

    from curtois_eval import _pairs
    ids = ["a", "b", "c"]
    forbidden = {s: {t for j, t in enumerate(ids) if not allowed[3 * i + j]} for i, s in enumerate(ids)}
    saturday = {s: h for s, h in zip(ids + ["x"], heads[:4]) if h}
    sunday = {s: h for s, h in zip(ids + ["y"], heads[4:]) if h}
    flow = max_flow.SimpleMaxFlow()
    nodes = {("sat", s): i + 2 for i, s in enumerate(saturday)}
    nodes.update({("sun", t): len(nodes) + 2 + j for j, t in enumerate(sunday)})
    for s, h in saturday.items():
        flow.add_arc_with_capacity(0, nodes["sat", s], h)
        for t in sunday:
            if t not in forbidden.get(s, ()):
                flow.add_arc_with_capacity(nodes["sat", s], nodes["sun", t], 99)
    for t, h in sunday.items():
        flow.add_arc_with_capacity(nodes["sun", t], 1, h)
    assert flow.solve(0, 1) == flow.OPTIMAL
    assert _pairs(saturday, sunday, forbidden) == flow.optimal_flow()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 2), min_size=8, max_size=8), st.integers(0, 2), st.integers(0, 2),
       st.sets(st.sampled_from([5, 6, 12, 13])))
def test_weekend_bound_is_below_every_weekend_assignment(heads, limit_a, limit_b, off):
    """Brute force over every assignment of the weekend days of two employees (off, E or L
    each) that keeps H2 from Saturday to Sunday, H3, H8 and H9: none costs less on the
    weekends than the bound."""
    import dataclasses
    import itertools
    tiny = tiny_instance()
    a = dataclasses.replace(tiny.staff[0], max_shifts={"E": 3, "L": 2}, max_weekends=limit_a)
    b = dataclasses.replace(a, id="B", max_weekends=limit_b)
    days = [5, 6, 12, 13]
    cover = [(d, s, heads[2 * i + j], 100, 1) for i, d in enumerate(days) for j, s in enumerate("EL")]
    inst = dataclasses.replace(tiny, staff=[a, b], cover=cover, days_off={"A": off})
    best = None
    for combo in itertools.product([None, "E", "L"], repeat=8):
        ok, staffed = True, {}
        for k, st_ in enumerate(inst.staff):
            mine = dict(zip(days, combo[4 * k:4 * k + 4]))
            if any(s and d in inst.days_off.get(st_.id, ()) for d, s in mine.items()):
                ok = False
            if any(mine[sat] and mine[sat + 1] in inst.forbidden.get(mine[sat], ()) for sat in (5, 12)):
                ok = False
            if sum(bool(mine[d] or mine[d + 1]) for d in (5, 12)) > st_.max_weekends:
                ok = False
            if any(sum(s == t for s in mine.values()) > st_.max_shifts[t] for t in "EL"):
                ok = False
            for d, s in mine.items():
                if s:
                    staffed[d, s] = staffed.get((d, s), 0) + 1
        if ok:
            cost = sum(100 * max(0, h - staffed.get((d, s), 0)) for d, s, h, _, _ in cover)
            best = cost if best is None else min(best, cost)
    assert weekend_bound(inst) <= best


def test_type_bound_counts_heads_no_roster_has_the_shifts_or_minutes_for(tiny):
    import dataclasses
    a = dataclasses.replace(tiny.staff[0], max_shifts={"E": 3, "L": 2}, max_minutes=10_000)
    # L: 4 heads asked, A may work 2 (H3) -> 2 short at L's lowest weight; E: 3 asked, 3 allowed
    cover = [(0, "L", 2, 100, 1), (3, "L", 2, 70, 1), (1, "E", 3, 100, 1)]
    inst = dataclasses.replace(tiny, staff=[a], cover=cover, days_off={})
    assert type_bound(inst) == 2 * 70
    # the shortfalls of two types add up: E asks for 5 of 3
    assert type_bound(dataclasses.replace(inst, cover=cover + [(2, "E", 2, 10, 1)])) == 2 * 70 + 2 * 10
    # H9: 13 fixed days off leave A one day, so one L and one E at most
    assert type_bound(dataclasses.replace(inst, days_off={"A": set(range(1, 14))})) == 3 * 70 + 2 * 100
    # H4: 1,300 minutes hold two L (600) but not three E (480) -> 1 E short ... and by minutes:
    # the cover asks 4 * 600 + 3 * 480 = 3,840 minutes of 1,300: 2,540 more, at least 5 heads of 600
    tight = dataclasses.replace(inst, staff=[dataclasses.replace(a, max_minutes=1300)])
    assert type_bound(tight) == max(2 * 70 + 1 * 100, 5 * 70)
    assert type_bound(dataclasses.replace(inst, cover=[(1, "E", 3, 100, 1)])) == 0


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 2), min_size=8, max_size=8), st.lists(st.integers(0, 3), min_size=4, max_size=4),
       st.integers(480, 2000), st.sets(st.integers(0, 3)))
def test_type_bound_is_below_every_roster(heads, maxima, max_minutes, off):
    """Brute force over every roster of two employees on a 4-day horizon (off, E or L each
    day) that the evaluator finds feasible: none costs less than the bound."""
    import dataclasses
    import itertools
    tiny = tiny_instance()
    a = dataclasses.replace(tiny.staff[0], max_shifts={"E": maxima[0], "L": maxima[1]}, max_minutes=max_minutes,
                            min_minutes=0, max_consecutive=4, min_consecutive=1, min_days_off=1, max_weekends=1)
    b = dataclasses.replace(a, id="B", max_shifts={"E": maxima[2], "L": maxima[3]})
    cover = [(d, s, heads[2 * d + j], 100 - 10 * d, 1) for d in range(4) for j, s in enumerate("EL")]
    inst = dataclasses.replace(tiny, horizon=4, staff=[a, b], cover=cover, days_off={"A": off},
                               on_requests=[], off_requests=[])
    best = None
    for combo in itertools.product([None, "E", "L"], repeat=8):
        rows = [(e, d, s) for k, e in enumerate("AB") for d, s in enumerate(combo[4 * k:4 * k + 4]) if s]
        ev = evaluate(inst, rows)
        if ev.feasible:
            best = ev.objective if best is None else min(best, ev.objective)
    assert best is not None  # everybody off is feasible (no minimum)
    assert type_bound(inst) <= best


@functools.cache
def tiny_instance():
    """TINY read once (hypothesis tests cannot take the function-scoped `tiny` fixture)."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "Tiny.txt"
        path.write_text(TINY)
        return read_instance(path)


def test_weekend_heads_short_counts_the_plans_days_and_its_shifts(tiny):
    """Day 5 (a Saturday) needs two E, day 6 one L, day 12 one E; the plan works A on days 5,
    6 and 12: per day one head short (day 5), per shift more when the shift is the wrong one."""
    import dataclasses

    from curtois import to_problem, weekend_heads_short
    cover = [(5, "E", 2, 100, 1), (6, "L", 1, 100, 1), (12, "E", 1, 100, 1), (3, "E", 4, 100, 1)]
    p = to_problem(dataclasses.replace(tiny, cover=cover))
    d = p.days
    plan = {("A", d[5]): True, ("A", d[6]): True, ("A", d[12]): True, ("A", d[13]): False}
    assert weekend_heads_short(p, plan, {("A", d[5]): "E", ("A", d[6]): "L", ("A", d[12]): "E"}) == (4, 1, 1)
    assert weekend_heads_short(p, plan, {("A", d[5]): "L", ("A", d[6]): "E", ("A", d[12]): "E"}) == (4, 1, 3)
    assert weekend_heads_short(p, plan, {("A", d[5]): "E"}) == (4, 1, 3)  # days the shifts drop are short
    assert weekend_heads_short(p, {}, {}) == (4, 4, 4)


@needs_data
def test_weekend_bound_is_below_instance1s_optimum():
    inst = read_instance(DATA / "Instance1.txt")
    assert 0 < weekend_bound(inst) <= 607


@needs_data
def test_type_bound_counts_instance8s_nights():
    """Curtois 8 asks for 86 night shifts; its employees' maxima allow 74 (best known 1,300)."""
    assert type_bound(read_instance(DATA / "Instance8.txt")) == 12 * 100


def test_roster_file_round_trip(tmp_path):
    rows = [("B", 1, "D"), ("A", 0, "D")]
    (tmp_path / "r.csv").write_text("a bench run before")  # the bench replaces its own results
    write_roster(tmp_path / "r.csv", rows)
    assert sorted(read_roster(tmp_path / "r.csv")) == sorted(rows)
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]  # written whole, then renamed


@needs_data
def test_engine_problem_keeps_the_instance():
    from curtois import to_problem
    inst = read_instance(DATA / "Instance3.txt")
    p = to_problem(inst)
    assert len(p.days) == inst.horizon and p.days[0].weekday() == 0
    assert len(p.agents) == len(inst.staff) and len(p.heads) == len(inst.cover)
    leave = {(r.agent_id, (r.start - p.days[0]).days) for r in p.requests if r.kind == "leave"}
    assert leave == {(e, d) for e, ds in inst.days_off.items() for d in ds}
    for st in inst.staff:
        c = p.config.contract(next(a.group for a in p.agents if a.id == st.id))
        assert c.max_shifts == st.max_shifts and c.min_consecutive_days_off == st.min_days_off
    assert {s.id: set(s.not_followed_by) for s in p.config.shifts} == inst.forbidden


def test_instance1_solved_to_optimality():
    """Runs everywhere: Instance1 is kept in tests/data (see its README)."""
    from curtois import solve_instance
    inst = read_instance(Path(__file__).parent / "data" / "curtois" / "Instance1.txt")
    res = solve_instance(inst, time_limit=80, workers=2, seed=0)
    assert res["status"] == "OPTIMAL"
    assert res["objective"] == 607 == res["solver_objective"] == res["solver_bound"]
    assert res["feasible"] and res["evaluation"].violations == []
    assert res["validator"].empty


def test_agent_group_method_reports_the_evaluator_objective_and_its_trace():
    """method lns: constructed roster, then neighbourhoods; the trace's last objective (start
    minus the reported decreases) is the independent evaluator's objective of the roster."""
    from curtois import AUTO_CPSAT_LITERALS, HOLD_EXCESS, model_literals, solve_instance
    inst = read_instance(Path(__file__).parent / "data" / "curtois" / "Instance1.txt")
    assert model_literals(inst) == 8 * 14 * 2 <= AUTO_CPSAT_LITERALS  # auto solves it whole
    res = solve_instance(inst, time_limit=6, workers=2, seed=0, method="lns")
    assert res["method"] == "lns" and res["solver_bound"] is None
    assert res["feasible"] and res["evaluation"].violations == [] and res["validator"].empty
    assert res["lns_neighbourhoods"] > 0
    assert res["trace"][0][1] == res["construct_objective"] >= res["objective"] == res["trace"][-1][1]
    assert res["weekend_heads"] >= max(res["shifts_weekend_short"], res["plan_weekend_short"])
    assert min(res["shifts_weekend_short"], res["plan_weekend_short"]) >= 0
    # the search holds the followers' weekends (2 days x 2 weekends each) when the plan is good
    good = res["shifts_weekend_short"] - res["plan_weekend_short"] <= HOLD_EXCESS * res["weekend_heads"]
    followers = len(inst.staff) - res["plan_agents"].get("none", 0)
    assert good and followers > 0 and res["lns_held"] == 4 * followers


def test_hybrid_method_searches_from_the_whole_models_roster_with_adaptive_kinds():
    """method hybrid: CP-SAT on the whole model (here stopped at its first roster), then the
    agent-group search from that roster with its kinds of step drawn adaptively (the roulette
    tries each in turn: the fixed shares of a 14-day horizon have only day and group steps);
    the search lowers the whole model's objective, and the roster keeps every rule."""
    from curtois import solve_instance
    inst = read_instance(Path(__file__).parent / "data" / "curtois" / "Instance1.txt")
    res = solve_instance(inst, time_limit=6, workers=2, seed=0, method="hybrid",
                         params="stop_after_first_solution=true")
    assert res["method"] == "hybrid" and res["full_model"] and res["status"] == "FEASIBLE"
    assert res["lns_adaptive"] and {"day", "group", "one", "block"} <= set(res["lns_kinds"])
    assert res["objective"] == res["lns_objective"] < res["full_model_objective"]
    assert res["feasible"] and res["evaluation"].violations == [] and res["validator"].empty


def test_hybrid_switches_to_the_search_on_a_large_gap_only():
    """CP-SAT keeps the whole limit while its gap at the switch is below SWITCH_GAP (4, 6 and 7
    at half the limit: 0.3-7.8 %), and hands over on a larger one (8: 11-21 %) or without a roster."""
    from curtois import SWITCH_GAP, relative_gap
    assert relative_gap(1950, 1946) == pytest.approx(4 / 1950) and relative_gap(1950, 1946) < SWITCH_GAP
    assert relative_gap(1424, 1267) == pytest.approx(157 / 1424) and relative_gap(1424, 1267) >= SWITCH_GAP
    assert relative_gap(None, 100) is None and relative_gap(0, -5) == 0.0 and relative_gap(10, 12) == 0.0


def test_auto_method_goes_by_model_size_and_horizon():
    import dataclasses

    from curtois import (AUTO_CG_DAYS, AUTO_CG_WORK_PER_S, AUTO_CPSAT_DAYS, AUTO_CPSAT_LITERALS, auto_method,
                         model_literals)
    inst = read_instance(Path(__file__).parent / "data" / "curtois" / "Instance1.txt")  # 14 days, 8 staff, 1 type
    assert model_literals(inst) <= AUTO_CPSAT_LITERALS and auto_method(inst) == "hybrid"
    longer = dataclasses.replace(inst, horizon=AUTO_CPSAT_DAYS + 7)  # small, but five weeks
    assert model_literals(longer) <= AUTO_CPSAT_LITERALS and auto_method(longer) == "cg"
    grown = dataclasses.replace(inst, staff=inst.staff * 30)  # 240 staff x 14 days x 1 type
    assert model_literals(grown) > AUTO_CPSAT_LITERALS and auto_method(grown) == "cg"
    assert auto_method(dataclasses.replace(grown, horizon=AUTO_CG_DAYS + 1), 300) == "lns"
    # cg only where its pricing rounds fit the time: staff x days x types per second of the limit
    n = AUTO_CG_WORK_PER_S * 60 // 14 // 8 + 1
    wide = dataclasses.replace(inst, staff=inst.staff * n)
    assert len(wide.staff) * 14 > AUTO_CG_WORK_PER_S * 60 and auto_method(wide, 60) == "lns"
    assert len(wide.staff) * 14 <= AUTO_CG_WORK_PER_S * 300 and auto_method(wide, 300) == "cg"


def test_price_and_dive_method_reports_its_lagrangian_bound():
    """method cg: constructed roster, price-and-dive, then neighbourhoods; the bound column is
    the column generation's Lagrangian bound, at most the optimum 607 and at most the objective."""
    from curtois import solve_instance
    inst = read_instance(Path(__file__).parent / "data" / "curtois" / "Instance1.txt")
    res = solve_instance(inst, time_limit=8, workers=2, seed=0, method="cg")
    assert res["method"] == "cg" and res["feasible"]
    assert res["evaluation"].violations == [] and res["validator"].empty
    assert res["solver_bound"] is not None and res["solver_bound"] <= 607 <= res["objective"]
    assert res["cg_rounds"] >= 1 and res["cg_columns"] > len(inst.staff)
    assert res["construct_objective"] >= res["cg_objective"] >= res["objective"] == res["trace"][-1][1]


def test_a_lagrangian_bound_not_above_zero_is_shown_as_none(monkeypatch):
    """An LP far from converged gives a valid but negative Lagrangian bound; every cost is >= 0,
    so the table shows no bound then (the row keeps it as cg_bound) and it proves nothing."""
    import curtois
    real = curtois.columns.generate

    def loose(*args, **kwargs):
        states, stats = real(*args, **kwargs)
        stats.bound = -1531
        return states, stats

    monkeypatch.setattr(curtois.columns, "generate", loose)
    inst = read_instance(Path(__file__).parent / "data" / "curtois" / "Instance1.txt")
    res = curtois.solve_instance(inst, time_limit=4, workers=2, seed=0, method="cg")
    assert res["feasible"] and res["cg_bound"] == -1531
    assert res["solver_bound"] is None and res["status"] == "FEASIBLE"


def test_results_of_two_runs_merge_into_one_table(tmp_path):
    from curtois import _merge
    path = tmp_path / "curtois.json"
    _merge(path, {"instance": "Instance13", "objective": 1, "time_limit_s": 300})
    _merge(path, {"instance": "Instance2", "objective": 2, "time_limit_s": 60})
    rows = _merge(path, {"instance": "Instance13", "objective": 3, "time_limit_s": 300})
    assert rows["Instance13"]["objective"] == 3 and rows["Instance2"]["time_limit_s"] == 60
    import json
    assert [r["instance"] for r in json.loads(path.read_text())["instances"]] == ["Instance2", "Instance13"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["curtois.json"]  # written whole, then renamed


@pytest.mark.parametrize("argv, says", [
    (["25"], "Instance25.txt: no such instance file (instances are 1-24)"),
    (["2"], "best_known.csv: no row for Instance2"),
    (["1", "--lns-share", "1.5"], "--lns-share must be a share of the time limit between 0 and 1 (got 1.5)"),
    (["1", "--start-share", "-0.1"], "--start-share must be a share"),
    (["1", "--time-limit", "0"], "--time-limit must be > 0 and --workers >= 1 (got 0 and 2)"),
    (["1", "--workers", "0"], "--workers >= 1"),
])
def test_the_bench_refuses_bad_arguments_with_one_message_and_exit_2(tmp_path, capsys, argv, says):
    """Before any solve: a missing instance file or best-known row, a share outside 0-1, a
    time limit or workers out of range, each one message naming it; nothing written."""
    import shutil

    from curtois import main
    data, out = tmp_path / "data", tmp_path / "out"
    data.mkdir()
    shutil.copy(Path(__file__).parent / "data" / "curtois" / "Instance1.txt", data)
    (data / "Instance2.txt").write_text("SECTION_HORIZON\n14\n", encoding="utf-8")
    (data / "best_known.csv").write_text("instance,best_known_objective,lower_bound\nInstance1,607,607\n",
                                         encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--data", str(data), "--out", str(out)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err
    assert not out.exists()
    with pytest.raises(SystemExit) as exc:  # no best-known table at all
        main(["1", "--data", str(tmp_path), "--out", str(out)])
    assert exc.value.code == 2 and "no best-known table there" in capsys.readouterr().err


def test_the_tables_cover_bound_is_the_larger_bound_and_says_which():
    from curtois import _cover_bound
    assert _cover_bound({"weekend_bound": 700, "type_bound": 1200}) == "1200 t"
    assert _cover_bound({"weekend_bound": 1100, "type_bound": 300}) == "1100 w"
    assert _cover_bound({"weekend_bound": 0, "type_bound": 0}) == "0 w"
    assert _cover_bound({"weekend_bound": 400}) == "400 w"  # a row from before the type bound
    assert _cover_bound({}) == "-"


def test_extra_solver_parameters_reach_the_solver():
    from ortools.sat.python import cp_model
    from curtois import _apply_params
    solver = cp_model.CpSolver()
    _apply_params(solver, "subsolvers=max_lp; use_lns_only=true; linearization_level=2")
    assert list(solver.parameters.subsolvers) == ["max_lp"]
    assert solver.parameters.use_lns_only and solver.parameters.linearization_level == 2


def test_feasible_start_hints_a_roster_that_meets_every_hard_rule(tiny):
    from curtois import feasible_start, to_problem
    from scheduler.roster import build_model
    p = to_problem(tiny, time_limit=10)
    built = build_model(p, hint=False)
    assert feasible_start(built.model, p.config.solver, 10) is not None
    hint = dict(zip(built.model.proto.solution_hint.vars, built.model.proto.solution_hint.values))
    assert len(hint) == len(built.model.proto.variables)
    rows = [(a, (d - p.days[0]).days, s) for (a, d, s), x in built.vars.shift.items() if hint[x.index]]
    assert evaluate(tiny, rows).violations == []
