"""First stage of the roster solve: which shops each agent serves this month.

A small CP-SAT model on month totals chooses one shop set per agent (at most
``max_shops_per_agent`` allowed shops) so that every shop's month volume is covered by the
capacity of the agents serving it at band target, and every shop has enough agents to staff
each shift every day. Fixing the sets before the daily model makes the daily model's capacity
of a set a plain sum of its agents' shift booleans (no agent-by-set products), which is what
lets CP-SAT find good rosters fast. The sets are reported in agents.csv.

Agents who are interchangeable here (same candidate sets, same capacity in the month, same
seniority, same shops last month) form one *type*; the model chooses how many agents of each
type serve each set (an integer per type and set, not a boolean per agent and set), then the
agents of a type take the sets in id order. With 300 agents and 30 shops this is a few thousand
variables instead of a hundred thousand.
"""

from __future__ import annotations

import math
from collections import defaultdict

from ortools.sat.python import cp_model

from ..domain import Problem, days_off_bounds, main_shop
from .parameters import configure_solver
from .variables import ShopSet, shop_sets


def _capacity(problem: Problem, agent) -> int:
    """Inquiries the agent can carry in the month at band target (workable days x target)."""
    cfg = problem.config
    n_days = len(problem.days)
    leave = len(problem.leave_days(agent.id))
    lo, _ = days_off_bounds(n_days, leave, cfg.rules)
    working = sum(1 for d in problem.days if not agent.in_training(d, cfg.rules.training_days))
    return max(0, min(working, n_days - leave - lo)) * cfg.band.target


def choose_shop_sets(problem: Problem) -> dict[str, ShopSet]:
    cfg = problem.config
    rules = cfg.rules
    shops = cfg.shop_ids
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

    prev = problem.previous_shops()
    types: dict[tuple, list[str]] = defaultdict(list)
    for agent in problem.agents:
        key = (tuple(sets[agent.id]), _capacity(problem, agent), agent.senior,
               tuple(sorted(prev.get(agent.id, ()))), agent.id in prev)
        types[key].append(agent.id)

    m = cp_model.CpModel()
    count: dict[tuple, cp_model.IntVar] = {}  # (type index, set) -> agents of the type on the set
    type_keys = list(types)
    for t, key in enumerate(type_keys):
        n_t = len(types[key])
        for c in key[0]:
            count[t, c] = m.new_int_var(0, n_t, f"count[{t},{'+'.join(c)}]")
        m.add(sum(count[t, c] for c in key[0]) == n_t)
    given: dict[tuple, list] = defaultdict(list)  # (type, set) -> capacity given to each shop
    shortfall, lacking = [], []
    for p in shops:
        flows = []
        for (t, c), y in count.items():
            if p in c:
                cap = type_keys[t][1]
                f = m.new_int_var(0, cap * len(types[type_keys[t]]), f"flow[{t},{'+'.join(c)},{p}]")
                given[t, c].append(f)
                flows.append(f)
        short = m.new_int_var(0, month_volume[p], f"short[{p}]")
        m.add(sum(flows) + short == month_volume[p])  # the shop's inquiries, shared out (or short)
        shortfall.append(short)
        if month_volume[p]:
            # enough agents to staff every shift of the peak day, with days off (about 30% of
            # days) and rotation (each agent on one shift type at a time), plus two spares a
            # shift (one is off on the day of the switch between blocks)
            serving = [y for (t, c), y in count.items() if p in c]
            able = sum(len(types[type_keys[t]]) for t in range(len(type_keys)) if any(p in c for c in type_keys[t][0]))
            need = min(able, math.ceil(peak_heads[p] * len(cfg.shifts) / 0.7) + 2 * len(cfg.shifts))
            lack = m.new_int_var(0, need, f"lack[{p}]")  # soft: a small team may not have them
            m.add(sum(serving) + lack >= need)
            lacking.append(lack)
    for (t, c), fs in given.items():
        m.add(sum(fs) <= type_keys[t][1] * count[t, c])
    # the main shop of a pair carries at least half (the daily model's primary_share): capacity
    # given to the other shops beyond the main one's is penalised as there, per inquiry
    excess = []
    for (t, c), fs in given.items():
        if len(c) > 1 and cfg.weights.primary_share:
            main = main_shop(c, month_volume)
            by_shop = dict(zip([p for p in shops if p in c], fs))
            e = m.new_int_var(0, type_keys[t][1] * len(types[type_keys[t]]), f"primary_excess[{t},{'+'.join(c)}]")
            m.add(e >= sum(f for p, f in by_shop.items() if p != main) - by_shop[main])
            excess.append(e)
    k = rules.min_senior_per_shift
    if k:
        for p in shops:
            serving = [y for (t, c), y in count.items() if p in c and type_keys[t][2]]
            able = sum(len(types[key]) for key in type_keys if key[2] and any(p in c for c in key[0]))
            need = min(able, math.ceil(k * len(cfg.shifts) / 0.7) + 1)
            lack = m.new_int_var(0, need, f"lack_senior[{p}]")
            m.add(sum(serving) + lack >= need)
            lacking.append(lack)
    w = cfg.weights
    big = set(sorted(shops, key=lambda p: -month_volume[p])[: len(shops) // 2]) if len(shops) > 2 else set()

    def unit_cost(key: tuple, c: ShopSet) -> int:
        had, known = set(key[3]), key[4]
        return ((len(c) - 1)  # tie-break: fewer shops per agent
                + (w.third_shop if len(c) >= 3 else 0)
                + (w.shop_pairing if len(big.intersection(c)) >= 2 else 0)
                + (w.shop_change if known and had != set(c) else 0))

    # shortfall dominates; then the soft shop rules (third shop, pairing, stability)
    # an agent missing from a shop's minimum team weighs like 50 inquiries short
    m.minimize(1000 * sum(shortfall) + 50_000 * sum(lacking) + cfg.weights.primary_share * sum(excess)
               + sum(unit_cost(type_keys[t], c) * y for (t, c), y in count.items()))
    solver = cp_model.CpSolver()
    # deterministic mode: same inputs and seed, same sets, whatever the machine load
    configure_solver(solver, cfg.solver, min(10.0, cfg.solver.time_limit_s / 5))
    solver.parameters.log_search_progress = False
    status = solver.solve(m)
    chosen: dict[str, ShopSet] = {}
    for t, key in enumerate(type_keys):
        ids = sorted(types[key])
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            seq = [c for c in key[0] for _ in range(solver.value(count[t, c]))]
        else:  # no answer in time: spread the type over its largest sets
            widest = [c for c in key[0] if len(c) == max(len(x) for x in key[0])]
            seq = [widest[i % len(widest)] for i in range(len(ids))]
        chosen.update(zip(ids, seq))
    return chosen
