"""First stage of the roster solve: which shops each agent serves this month.

A small CP-SAT model on month totals chooses one shop set per agent (at most
``max_shops_per_agent`` allowed shops) so that every shop's month volume is covered by the
capacity of the agents serving it at band target, and every shop has enough agents to staff
each shift every day. Fixing the sets before the daily model makes the daily model's capacity
of a set a plain sum of its agents' shift booleans (no agent-by-set products), which is what
lets CP-SAT find good rosters fast. The sets are reported in agents.csv.
"""

from __future__ import annotations

import math

from ortools.sat.python import cp_model

from ..domain import Problem, days_off_bounds
from .variables import ShopSet, shop_sets


def choose_shop_sets(problem: Problem) -> dict[str, ShopSet]:
    cfg = problem.config
    rules = cfg.rules
    shops = cfg.shop_ids
    n_days = len(problem.days)
    month_volume = {p: 0 for p in shops}
    peak_heads = {p: 0 for p in shops}
    for (d, p, s), vol in problem.volume().items():
        month_volume[p] += vol
        peak_heads[p] = max(peak_heads[p], math.ceil(vol / cfg.band.max))
    sets = {a.id: shop_sets(a, shops, a.shop_limit(rules)) for a in problem.agents}
    if problem.plan is not None:  # re-planning keeps the published plan's shops where valid
        planned = problem.plan[(problem.plan["shop"].fillna("") != "")].groupby("agent_id")["shop"].agg(set)
        for a, cs in sets.items():
            keep = [c for c in cs if a in planned and set(c) == planned[a]]
            if keep:
                sets[a] = keep
    if all(len(c) == 1 for c in sets.values()):
        return {a: c[0] for a, c in sets.items()}

    m = cp_model.CpModel()
    member = {(a, c): m.new_bool_var(f"member[{a},{'+'.join(c)}]") for a, cs in sets.items() for c in cs}
    capacity = {}
    for agent in problem.agents:
        m.add_exactly_one([member[agent.id, c] for c in sets[agent.id]])
        leave = len(problem.leave_days(agent.id))
        lo, _ = days_off_bounds(n_days, leave, rules)
        working = sum(1 for d in problem.days if not agent.in_training(d, rules.training_days))
        capacity[agent.id] = max(0, min(working, n_days - leave - lo)) * cfg.band.target
    given: dict[str, list] = {a.id: [] for a in problem.agents}  # an agent's capacity given to shops
    shortfall = []
    for p in shops:
        serving = [(a, c) for (a, c) in member if p in c]
        flow = {k: m.new_int_var(0, capacity[k[0]], f"flow[{k[0]},{p}]") for k in serving}
        for k, f in flow.items():
            m.add(f <= capacity[k[0]] * member[k])
            given[k[0]].append(f)
        short = m.new_int_var(0, month_volume[p], f"short[{p}]")
        m.add(sum(flow.values()) + short >= month_volume[p])
        shortfall.append(short)
        if month_volume[p]:
            # enough agents to staff every shift of the peak day, with days off (about 30% of
            # days) and rotation (each agent on one shift type at a time), plus one spare a shift
            need = math.ceil(peak_heads[p] * len(cfg.shifts) / 0.7) + len(cfg.shifts)
            need = min(len({a for a, _ in serving}), need)
            m.add(sum(member[k] for k in serving) >= need)
    for a, fs in given.items():
        m.add(sum(fs) <= capacity[a])
    k = rules.min_senior_per_shift
    seniors = {a.id for a in problem.agents if a.senior}
    if k:
        for p in shops:
            serving = [(a, c) for (a, c) in member if p in c and a in seniors]
            need = min(len({a for a, _ in serving}), math.ceil(k * len(cfg.shifts) / 0.7) + 1)
            m.add(sum(member[key] for key in serving) >= need)
    w = cfg.weights
    big = set(sorted(shops, key=lambda p: -month_volume[p])[: len(shops) // 2]) if len(shops) > 2 else set()
    prev = problem.previous_shops()
    choice = sum(b * ((len(c) - 1)  # tie-break: fewer shops per agent
                      + (w.third_shop if len(c) >= 3 else 0)
                      + (w.shop_pairing if len(big.intersection(c)) >= 2 else 0)
                      + (w.shop_change if a in prev and prev[a] != set(c) else 0))
                 for (a, c), b in member.items())
    # shortfall dominates; then the soft shop rules (third shop, pairing, stability)
    m.minimize(1000 * sum(shortfall) + choice)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = min(10.0, cfg.solver.time_limit_s / 3)
    solver.parameters.num_workers = cfg.solver.workers
    solver.parameters.random_seed = cfg.solver.seed
    status = solver.solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {a: max(cs, key=len) for a, cs in sets.items()}
    return {a: next(c for c in cs if solver.value(member[a, c])) for a, cs in sets.items()}
