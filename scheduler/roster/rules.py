"""One function per roster rule. Hard rules add constraints; soft rules return penalties.

``HARD_RULES`` and ``SOFT_RULES`` list them in the order the model is built. Every hard rule
here has a twin check in :mod:`scheduler.validate`, written independently on the roster table.
"""

from __future__ import annotations

from datetime import timedelta

from ..domain import days_off_bounds, full_weeks, shift_capacity
from .objective import Penalty
from .variables import RosterVars


# ------------------------------------------------------------------ hard rules


def add_one_state_per_day(v: RosterVars) -> None:
    """Each agent, each day: exactly one shift or off (leave days are fixed to leave)."""
    for (a, d), off in v.off.items():
        v.model.add_exactly_one([off] + [v.shift[a, d, s] for s in v.problem.config.shift_ids])


def add_shop_set(v: RosterVars) -> None:
    """Each agent serves one set of at most max_shops_per_agent allowed shops for the month,
    and a worked shift that carries load is staffed for exactly that set."""
    for agent in v.problem.agents:
        v.model.add_exactly_one([v.member[agent.id, c] for c in v.sets[agent.id]])
    per_shift: dict[tuple, list] = {}
    for (a, d, s, c), x in v.staffed.items():
        v.model.add_implication(x, v.member[a, c])
        per_shift.setdefault((a, d, s), []).append(x)
    for (a, d, s), xs in per_shift.items():
        v.model.add(sum(xs) == v.shift[a, d, s])


def add_load_cap(v: RosterVars) -> None:
    """Inquiries per agent per worked shift stay within the band max: a set's flow on a shift is
    at most band max times the agents of the set working it."""
    cfg = v.problem.config
    flows: dict[tuple, list] = {}
    for (d, s, c, p), f in v.flow.items():
        flows.setdefault((d, s, c), []).append(f)
    for (d, s, c), fs in flows.items():
        v.model.add(sum(fs) <= shift_capacity(cfg, s) * v.heads(d, s, c))


def add_coverage(v: RosterVars) -> None:
    """For each shop, day and shift: inquiries handled + uncovered = volume."""
    served: dict[tuple, list] = {}
    for (d, s, c, p), f in v.flow.items():
        served.setdefault((d, p, s), []).append(f)
    for key, vol in v.volume.items():
        v.model.add(sum(served.get(key, [])) + v.uncovered[key] == vol)


def add_min_rest(v: RosterVars) -> None:
    """Forbid shift s1 on day d followed by s2 on day d+1 when the rest between is too short."""
    cfg = v.problem.config
    need = cfg.rules.min_rest_hours * 60
    bad = [(s1.id, s2.id) for s1 in cfg.shifts for s2 in cfg.shifts
           if s2.start_minutes + 1440 - s1.end_minutes < need]
    for (a, d, s1), x1 in v.shift.items():
        for t1, t2 in bad:
            x2 = v.shift.get((a, d + timedelta(days=1), t2))
            if t1 == s1 and x2 is not None:
                v.model.add_bool_or([x1.Not(), x2.Not()])


def add_max_consecutive_workdays(v: RosterVars) -> None:
    """In every window of max+1 consecutive days an agent has at least one day not worked."""
    k = v.problem.config.rules.max_consecutive_workdays
    days = v.problem.days
    for agent in v.problem.agents:
        for i in range(len(days) - k):
            v.model.add(sum(v.works(agent.id, d) for d in days[i:i + k + 1]) <= k)


def add_min_days_off_per_week(v: RosterVars) -> None:
    """Each calendar week (Mon-Sun) wholly inside the month has the minimum days not worked."""
    need = v.problem.config.rules.min_days_off_per_week
    for agent in v.problem.agents:
        for week in full_weeks(v.problem.days):
            v.model.add(sum(v.works(agent.id, d) for d in week) <= 7 - need)


def add_days_off_per_month(v: RosterVars) -> None:
    """Days off in the month within [min, max], pro rata to the days not on leave."""
    rules = v.problem.config.rules
    for agent in v.problem.agents:
        lo, hi = days_off_bounds(len(v.problem.days), len(v.leave[agent.id]), rules)
        offs = [b for (a, _), b in v.off.items() if a == agent.id]
        v.model.add_linear_constraint(sum(offs), lo, hi)


def add_rotation(v: RosterVars) -> None:
    """Fair day/night rotation (config rules.rotation).

    half-month: an agent's worked shifts form one day block and one night block (at most one
    switch in the month, either way), and nights are within ±1 of half the worked days.
    balanced: only the count rule. none: nothing.
    """
    cfg = v.problem.config
    mode = cfg.rules.rotation
    if mode == "none":
        return
    nights = [s.id for s in cfg.shifts if s.is_night]
    days_ = [s.id for s in cfg.shifts if not s.is_night]
    if not nights or not days_:
        return
    m = v.model
    for agent in v.problem.agents:
        a = agent.id
        n_nights = sum(v.shift.get((a, d, s), 0) for d in v.problem.days for s in nights)
        n_work = sum(v.works(a, d) for d in v.problem.days)
        m.add_linear_constraint(2 * n_nights - n_work, -2, 2)
        if mode != "half-month":
            continue
        night_first = night_first_phase(v.problem)[a]
        # after[d] is 0 in the first block and 1 from the switch on: one monotone chain
        after = {d: m.new_bool_var(f"second_block[{a},{d}]") for d in v.problem.days}
        for prev, d in zip(v.problem.days, v.problem.days[1:]):
            m.add_implication(after[prev], after[d])
        for d in v.problem.days:
            in_night = after[d].Not() if night_first else after[d]
            for s in nights:
                if (a, d, s) in v.shift:
                    m.add_implication(v.shift[a, d, s], in_night)
            for s in days_:
                if (a, d, s) in v.shift:
                    m.add_implication(v.shift[a, d, s], in_night.Not())


def night_first_phase(problem) -> dict[str, bool]:
    """Which agents start the month on nights under half-month rotation.

    Agents alternate by id within each group of the same allowed shops, so every group has
    both phases and both shifts stay covered every day.
    """
    groups: dict[tuple, list[str]] = {}
    for agent in problem.agents:
        groups.setdefault(agent.shops, []).append(agent.id)
    return {a: i % 2 == 1 for ids in groups.values() for i, a in enumerate(sorted(ids))}


HARD_RULES = [
    add_one_state_per_day,
    add_shop_set,
    add_load_cap,
    add_coverage,
    add_min_rest,
    add_max_consecutive_workdays,
    add_min_days_off_per_week,
    add_days_off_per_month,
    add_rotation,
]


# ------------------------------------------------------------------ soft rules


def penalize_uncovered(v: RosterVars) -> list[Penalty]:
    """Uncovered inquiries: the largest penalty, so staff shortage shows as a number, not INFEASIBLE."""
    w = v.problem.config.weights.uncovered
    return [Penalty(u, w, "uncovered", f"{p} {d} {s}") for (d, p, s), u in v.uncovered.items()]


def penalize_under_band_min(v: RosterVars) -> list[Penalty]:
    """Inquiries below band.min per agent-shift worked (overstaffing), counted per shop set:
    with the set's flow split evenly, the shortfall is max(0, min * agents - flow)."""
    cfg = v.problem.config
    lo = cfg.band.min
    if lo == 0:
        return []
    flows: dict[tuple, list] = {}
    for (d, s, c, p), f in v.flow.items():
        flows.setdefault((d, s, c), []).append(f)
    out = []
    for (d, s, c), staffed in v._by_slot.items():
        under = v.model.new_int_var(0, lo * len(staffed), f"under_min[{d},{s},{'+'.join(c)}]")
        v.model.add(under >= lo * sum(staffed.values()) - sum(flows.get((d, s, c), [])))
        out.append(Penalty(under, cfg.weights.under_band_min, "under_band_min", f"{'+'.join(c)} {d} {s}"))
    return out


def _spread(v: RosterVars, name: str, values: list) -> object:
    """(max - min) of the given expressions, as a new variable."""
    n = len(v.problem.days)
    hi = v.model.new_int_var(0, n, f"{name}_max")
    lo = v.model.new_int_var(0, n, f"{name}_min")
    for e in values:
        v.model.add(hi >= e)
        v.model.add(lo <= e)
    return hi - lo


def _full_month_agents(v: RosterVars) -> list[str]:
    """Agents with no leave this month: the group whose counts are compared for fairness."""
    return [a.id for a in v.problem.agents if not v.leave[a.id]]


def penalize_nights_spread(v: RosterVars) -> list[Penalty]:
    """Spread of nights worked across agents available the whole month."""
    nights = [s.id for s in v.problem.config.shifts if s.is_night]
    group = _full_month_agents(v)
    if not nights or len(group) < 2:
        return []
    counts = [sum(v.shift.get((a, d, s), 0) for d in v.problem.days for s in nights) for a in group]
    return [Penalty(_spread(v, "nights", counts), v.problem.config.weights.nights_spread, "nights_spread", "all agents")]


def penalize_workdays_spread(v: RosterVars) -> list[Penalty]:
    """Spread of workdays across agents available the whole month."""
    group = _full_month_agents(v)
    if len(group) < 2:
        return []
    counts = [sum(v.works(a, d) for d in v.problem.days) for a in group]
    return [Penalty(_spread(v, "workdays", counts), v.problem.config.weights.workdays_spread,
                    "workdays_spread", "all agents")]


def penalize_requests(v: RosterVars) -> list[Penalty]:
    """Unmet soft requests: `off` (worked anyway), `on` (not worked), `avoid` (worked that shift)."""
    w = v.problem.config.weights.request
    out = []
    for r in v.problem.requests:
        if r.kind == "leave":
            continue
        for d in r.days():
            if (r.agent_id, d) not in v.off:
                continue
            where = f"{r.agent_id} {d} (requests row {r.row})"
            if r.kind == "off":
                expr = v.works(r.agent_id, d) if r.shift is None else v.shift[r.agent_id, d, r.shift]
            elif r.kind == "on":
                expr = 1 - (v.works(r.agent_id, d) if r.shift is None else v.shift[r.agent_id, d, r.shift])
            else:  # avoid
                expr = v.shift[r.agent_id, d, r.shift]
            out.append(Penalty(expr, w * r.weight, f"request_{r.kind}", where))
    return out


SOFT_RULES = [
    penalize_uncovered,
    penalize_under_band_min,
    penalize_nights_spread,
    penalize_workdays_spread,
    penalize_requests,
]
