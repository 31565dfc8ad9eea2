"""The local search on the starting roster (scheduler/roster/polish.py): its slot cost is the
model's coverage cost, its moves keep every hard rule and every agent's counts, and it moves
workdays to where the volume is."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import MONTH, make_agents, make_config, make_demand, make_problem
from scheduler.domain import Request
from scheduler.roster.greedy import greedy_states
from scheduler.roster.phase import night_first_phase
from scheduler.roster.polish import polish, slot_costs
from scheduler.validate import check_roster

D = [MONTH + timedelta(days=i) for i in range(28)]


def _slot(volumes: dict[str, int], sets) -> SlotCost:
    config = make_config(shops=tuple(volumes))
    demand = make_demand(config, per_shift=volumes)
    problem = make_problem(config, make_agents(1), demand)
    return slot_costs(problem, {f"A{i}": c for i, c in enumerate(sets)})[D[3], "day"]


def test_slot_cost_is_band_min_shortfall_and_uncovered_with_the_best_flows():
    # A 100, B 50: set (A) has 2 heads, (A, B) one; band 80-120. However the 150 inquiries are
    # split, the three heads need 240 to reach band min: 90 short, at weight 2
    slot = _slot({"A": 100, "B": 50}, [("A",), ("A", "B")])
    slot.move(("A",), +1)
    slot.move(("A",), +1)
    slot.move(("A", "B"), +1)
    assert slot.cost() == 2 * 90 and slot.short == 0 and slot.under == 90
    # one head less in (A): 160 needed, 150 there: 10 short
    assert slot.cost((("A",), -1)) == 2 * 10
    # the trial change is undone: the heads and the cost are as before
    assert slot.heads == {("A",): 2, ("A", "B"): 1} and slot.cost() == 180


def test_slot_cost_counts_uncovered_inquiries_where_capacity_is_short():
    # A 300, B 50; one head in (A), one in (A, B): 240 of 350 can be handled, 110 uncovered
    slot = _slot({"A": 300, "B": 50}, [("A",), ("A", "B")])
    slot.move(("A",), +1)
    slot.move(("A", "B"), +1)
    assert slot.cost() == 1000 * 110 and slot.short == 110 and slot.under == 0
    # a third head in (A, B) covers the rest and is itself within band: 350 for 3 heads
    assert slot.cost((("A", "B"), +1)) == 0
    # B's volume can only go to (A, B): a head of (A) does not help B, but does take A's rest
    assert slot.cost((("A",), +1)) == 0


def _states_cost(problem, states, sets) -> int:
    cfg = problem.config
    total = 0
    slots = slot_costs(problem, sets)
    for d in problem.days:
        for s in cfg.shift_ids:
            slot = slots[d, s]
            for a in problem.agents:
                if states[a.id, d] == s:
                    slot.move(sets[a.id], +1)
            total += slot.cost()
    return total


def _counts(problem, states) -> dict[str, tuple[int, int, int]]:
    nights = {s.id for s in problem.config.shifts if s.is_night}
    shifts = set(problem.config.shift_ids)
    return {a.id: (sum(states[a.id, d] in shifts for d in problem.days),
                   sum(states[a.id, d] in nights for d in problem.days),
                   sum(states[a.id, d] not in shifts for d in problem.days if d.weekday() >= 5))
            for a in problem.agents}


def _roster(states, sets) -> pd.DataFrame:
    rows = [(d, a, s, "" if s in ("off", "leave") else sets[a][0], 0) for (a, d), s in states.items()]
    return pd.DataFrame(rows, columns=["date", "agent_id", "shift", "shop", "load"])


def test_polish_moves_days_off_away_from_the_days_they_leave_uncovered():
    """Four agents all off on Mondays and Tuesdays leave those days uncovered and the other
    weekdays overstaffed; the polish spreads the days off and covers every day."""
    config = make_config(shops=("big",), rules={"rotation": "none"})
    agents = make_agents(4)
    demand = make_demand(config, per_shift={"big": 240})
    demand.loc[demand["shift"] == "night", "volume"] = 0
    problem = make_problem(config, agents, demand)
    states = {(a.id, d): ("off" if d.weekday() in (0, 1) else "day") for a in agents for d in problem.days}
    sets = {a.id: ("big",) for a in agents}
    assert check_roster(_roster(states, sets), config, agents, demand, MONTH, []).empty
    before = _states_cost(problem, states, sets)
    assert before >= 1000 * 240 * 8  # 8 Mondays and Tuesdays with nobody at work
    after_states = polish(problem, states, sets, night_first_phase(problem))
    after = _states_cost(problem, after_states, sets)
    # not one inquiry uncovered: what is left is the 8 weekend days, where all four work (the
    # moves keep weekend days off) and 240 inquiries fall 80 short of 4 x band min
    assert after == 8 * 2 * 80
    assert _counts(problem, after_states) == _counts(problem, states)
    assert check_roster(_roster(after_states, sets), config, agents, demand, MONTH, []).empty


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n_agents=st.integers(2, 9), big=st.integers(0, 600), small=st.integers(0, 200),
       rotation=st.sampled_from(["half-month", "balanced", "none"]), leave_day=st.integers(0, 27),
       leave_len=st.integers(0, 6), fixed_day=st.integers(0, 27), fixed_shift=st.sampled_from(["day", "night", None]),
       off_day=st.integers(0, 27), seniors=st.integers(0, 1), seed=st.integers(0, 10))
def test_property_polish_keeps_hard_rules_and_counts_and_never_costs_more(
        n_agents, big, small, rotation, leave_day, leave_len, fixed_day, fixed_shift, off_day, seniors, seed):
    config = make_config(rules={"rotation": rotation, "min_senior_per_shift": seniors})
    agents = make_agents(n_agents, shops={1: ("small",), 2: ("big",)})
    demand = make_demand(config, per_shift={"big": big, "small": small}, seed=seed, noise=0.5)
    requests = [Request("A01", D[leave_day], D[min(27, leave_day + leave_len)], "leave"),
                Request(f"A{n_agents:02d}", D[off_day], D[off_day], "off", weight=2)]
    if n_agents > 1 and fixed_shift is not None:
        requests.append(Request("A02", D[fixed_day], D[fixed_day], "fixed", fixed_shift))
    problem = make_problem(config, agents, demand, requests)
    # with tier cover, one shop per agent: the roster frame below then shows the shop served
    sets = {a.id: tuple(a.allowed_shops(config.shop_ids))[:2 - seniors] for a in agents}
    phase = night_first_phase(problem, sets)
    start = greedy_states(problem, phase, sets)
    states = polish(problem, start, sets, phase)
    assert _counts(problem, states) == _counts(problem, start)
    assert all(states[k] == start[k] for k in start if start[k] == "leave" or states[k] == "leave")
    asked_off = requests[1]
    req = lambda sts: 100 * (sts[asked_off.agent_id, asked_off.start] in config.shift_ids)  # noqa: E731
    assert _states_cost(problem, states, sets) + req(states) <= _states_cost(problem, start, sets) + req(start)
    hard = check_roster(_roster(states, sets), config, agents, demand, MONTH, requests)
    hard_start = check_roster(_roster(start, sets), config, agents, demand, MONTH, requests)
    # tier cover may already be short in the start (the greedy does not place seniors); the
    # polish must not add a violation of any rule
    assert len(hard) <= len(hard_start), hard.to_string()
    if seniors == 0:
        assert hard.empty, hard.to_string()



def test_rotation_phases_are_balanced_shop_by_shop():
    """Agents of a small shop who each pair it with a different big shop: a running count over
    all agents (the old rule) put every one of them night-first, so the small shop had no day
    shift at all in the first half; the balance per shop gives it both phases."""
    config = make_config(shops=("A", "B", "C", "X"))
    agents = make_agents(6)
    problem = make_problem(config, agents, make_demand(config))
    sets = {"A01": ("A",), "A02": ("A", "X"), "A03": ("B",), "A04": ("B", "X"), "A05": ("C",), "A06": ("C", "X")}
    phase = night_first_phase(problem, sets)
    on_x = [phase[a] for a, c in sets.items() if "X" in c]
    assert True in on_x and False in on_x, phase
    for shop in ("A", "B", "C"):
        both = [phase[a] for a, c in sets.items() if shop in c]
        assert sorted(both) == [False, True], (shop, phase)


def test_a_request_is_met_by_the_days_state_as_the_model_prices_it():
    """Request.met_by, shared by the polish's move cost and the agent-group search's draw of
    unmet requests: on (any shift / its shift) is met by a shift worked (that shift); off and
    avoid by no shift worked (not that shift); leave and off are no shift worked."""
    from scheduler.domain import LEAVE, OFF

    d = MONTH
    on_any, on_e = Request("a", d, d, "on"), Request("a", d, d, "on", "E")
    off_any, avoid_e = Request("a", d, d, "off"), Request("a", d, d, "avoid", "E")
    table = {OFF: (False, False, True, True), LEAVE: (False, False, True, True),
             "E": (True, True, False, False), "L": (True, False, False, True)}
    for state, want in table.items():
        assert tuple(r.met_by(state) for r in (on_any, on_e, off_any, avoid_e)) == want, state
