"""One function per roster rule. Hard rules add constraints; soft rules return penalties.

``HARD_RULES`` and ``SOFT_RULES`` list them in the order the model is built. Every hard rule
here has a twin check in :mod:`scheduler.validate`, written independently on the roster table.
Hard constraints go through ``v.add`` / ``v.clause`` with the rule's name and whom it binds, so
that an infeasible month can be explained (see ``solve.explain_infeasible``).
"""

from __future__ import annotations

from datetime import date, timedelta

from ortools.sat.python import cp_model

from ..domain import LEAVE, OFF, days_off_bounds, full_weeks, main_shop, shift_capacity, short_rest_pairs
from .objective import Penalty
from .variables import RosterVars

# ------------------------------------------------------------------ helpers


def _before(v: RosterVars, a: str, n: int) -> list[int]:
    """Worked (1) / not worked (0) on the last `n` days before the month, from --previous."""
    prev = v.problem.previous_states()
    shift_ids = set(v.problem.config.shift_ids)
    first = v.problem.days[0]
    days = [first - timedelta(days=i) for i in range(n, 0, -1)]
    return [1 if prev.get((a, d)) in shift_ids else 0 for d in days if (a, d) in prev]


def _night_ids(v: RosterVars) -> tuple[list[str], list[str]]:
    shifts = v.problem.config.shifts
    return [s.id for s in shifts if s.is_night], [s.id for s in shifts if not s.is_night]


def _flows_by_slot(v: RosterVars) -> dict[tuple, list]:
    flows: dict[tuple, list] = {}
    for (d, s, c, p), f in v.flow.items():
        flows.setdefault((d, s, c), []).append(f)
    return flows


# ------------------------------------------------------------------ hard rules


def add_one_state_per_day(v: RosterVars) -> None:
    """Each agent, each day: exactly one shift or off (leave days are fixed to leave)."""
    for (a, d), off in v.off.items():
        v.add(cp_model.LinearExpr.sum([off] + [v.shift[a, d, s] for s in v.problem.config.shift_ids]) == 1,
              "one_state_per_day", a)


def add_fixed_assignments(v: RosterVars) -> None:
    """`fixed` requests are worked as asked; in re-planning, days up to --fix-until stay as published."""
    for r in v.problem.requests:
        if r.kind != "fixed":
            continue
        who = f"{r.agent_id} (requests row {r.row})"
        for d in r.days():
            if d not in v.problem.days:
                continue
            if (r.agent_id, d) not in v.off:  # on approved leave: the two requests conflict
                v.add(v.model.new_constant(0) == 1, "fixed_assignment", who)
            elif r.shift is None:
                v.add(v.works(r.agent_id, d) == 1, "fixed_assignment", who)
            else:
                v.add(v.shift[r.agent_id, d, r.shift] == 1, "fixed_assignment", who)
    p = v.problem
    if p.plan is None or p.fix_until is None:
        return
    for (a, d), st in p.plan_states().items():
        if d > p.fix_until or (a, d) not in v.off:
            continue
        var = v.off[a, d] if st in (OFF, LEAVE) else v.shift.get((a, d, st))
        if var is not None:
            v.add(var == 1, "published_plan", f"{a} {d}")


def add_shop_set(v: RosterVars) -> None:
    """Each agent serves one set of allowed shops for the month (at most max_shops_per_agent, 3
    for agents named in allow_third_shop_for), and a worked shift is staffed for that set."""
    for agent in v.problem.agents:
        v.add(sum(v.member[agent.id, c] for c in v.sets[agent.id]) == 1, "shop_set", agent.id)
    per_shift: dict[tuple, list] = {}
    for (a, d, s, c), x in v.staffed.items():
        if x is not v.shift[a, d, s]:
            v.clause([x.Not(), v.member[a, c]], "shop_set", a)
        per_shift.setdefault((a, d, s), []).append(x)
    for (a, d, s), xs in per_shift.items():
        if len(xs) > 1 or xs[0] is not v.shift[a, d, s]:
            v.add(sum(xs) == v.shift[a, d, s], "shop_set", a)


def add_load_cap(v: RosterVars) -> None:
    """Inquiries per agent per worked shift stay within the band max: a set's flow on a shift is
    at most band max times the agents of the set working it."""
    cfg = v.problem.config
    for (d, s, c), fs in _flows_by_slot(v).items():
        v.add(sum(fs) <= shift_capacity(cfg, s) * v.heads(d, s, c), "load_cap", f"{'+'.join(c)} {d} {s}")


def add_coverage(v: RosterVars) -> None:
    """For each shop, day and shift: inquiries handled + uncovered = volume."""
    served: dict[tuple, list] = {}
    for (d, s, c, p), f in v.flow.items():
        served.setdefault((d, p, s), []).append(f)
    for key, vol in v.volume.items():
        v.model.add(sum(served.get(key, [])) + v.uncovered[key] == vol)


def add_tier_cover(v: RosterVars) -> None:
    """Each shop-shift with volume is served by at least min_senior_per_shift agents of tier
    senior or above; each of them handles at least one of its inquiries."""
    k = v.problem.config.rules.min_senior_per_shift
    if not k:
        return
    per_shop: dict[tuple, list] = {}
    per_flow: dict[tuple, list] = {}
    for (a, d, s, c, p), x in v.cover.items():
        v.clause([x.Not(), v.staffed[a, d, s, c]], "tier_cover", a)
        per_shop.setdefault((d, p, s), []).append(x)
        per_flow.setdefault((d, s, c, p), []).append(x)
    for (d, p, s), vol in v.volume.items():
        if vol > 0:
            v.add(sum(per_shop.get((d, p, s), [])) >= min(k, vol), "tier_cover", f"{p} {d} {s}")
    for key, xs in per_flow.items():
        v.model.add(v.flow[key] >= sum(xs))


def add_min_rest(v: RosterVars) -> None:
    """Forbid shift s1 on day d followed by s2 on day d+1 when the rest between is too short;
    the last day of --previous counts for the first day of the month."""
    cfg = v.problem.config
    bad = short_rest_pairs(cfg)
    if not bad:
        return
    for (a, d, s1), x1 in v.shift.items():
        for s2 in cfg.shift_ids:
            x2 = v.shift.get((a, d + timedelta(days=1), s2))
            if (s1, s2) in bad and x2 is not None:
                v.clause([x1.Not(), x2.Not()], "min_rest", a)
    prev = v.problem.previous_states()
    first = v.problem.days[0]
    for agent in v.problem.agents:
        last = prev.get((agent.id, first - timedelta(days=1)))
        for s2 in cfg.shift_ids:
            if (last, s2) in bad and (agent.id, first, s2) in v.shift:
                v.add(v.shift[agent.id, first, s2] == 0, "min_rest", f"{agent.id} (after last month)")


def add_max_consecutive_workdays(v: RosterVars) -> None:
    """In every window of max+1 consecutive days an agent has at least one day not worked,
    windows reaching back into --previous included."""
    k = v.problem.config.rules.max_consecutive_workdays
    days = v.problem.days
    for agent in v.problem.agents:
        before = _before(v, agent.id, k)
        seq = list(before) + [v.works(agent.id, d) for d in days]
        for i in range(len(seq) - k):
            window = seq[i:i + k + 1]
            if i + k >= len(before):  # at least one day of this month
                v.add(sum(window) <= k, "max_consecutive_workdays", agent.id)


def _weeks(v: RosterVars, a: str) -> list[list]:
    """Calendar weeks to check: wholly inside the month, plus the week straddling the month's
    start when --previous gives the days before it."""
    weeks = [[v.works(a, d) for d in w] for w in full_weeks(v.problem.days)]
    first = v.problem.days[0]
    lead = first.weekday()
    if lead:
        before = _before(v, a, lead)
        if len(before) == lead:
            weeks.append(before + [v.works(a, first + timedelta(days=i)) for i in range(7 - lead)])
    return weeks


def add_min_days_off_per_week(v: RosterVars) -> None:
    """Each calendar week (Mon-Sun) has the minimum days not worked (see `_weeks`)."""
    need = v.problem.config.rules.min_days_off_per_week
    for agent in v.problem.agents:
        for week in _weeks(v, agent.id):
            v.add(sum(week) <= 7 - need, "min_days_off_per_week", agent.id)


def add_days_off_per_month(v: RosterVars) -> None:
    """Days off in the month within [min, max], pro rata to the days not on leave."""
    rules = v.problem.config.rules
    if rules.min_days_off_per_month == 0 and rules.max_days_off_per_month >= 31:
        return  # no limit (also for horizons other than a calendar month)
    for agent in v.problem.agents:
        lo, hi = days_off_bounds(len(v.problem.days), len(v.leave[agent.id]), rules)
        offs = [v.off[agent.id, d] for d in v.problem.days if (agent.id, d) in v.off]
        v.add(sum(offs) >= lo, "days_off_per_month", agent.id)
        v.add(sum(offs) <= hi, "days_off_per_month", agent.id)


def add_rotation(v: RosterVars) -> None:
    """Fair day/night rotation (config rules.rotation).

    half-month: an agent's worked shifts form one day block and one night block (at most one
    switch in the month, in the agent's phase), and nights are within ±1 of half the worked
    days (± half a day more per day of leave). balanced: only the count rule. none: nothing.
    """
    mode = v.problem.config.rules.rotation
    nights, days_ = _night_ids(v)
    if mode == "none" or not nights or not days_:
        return
    m = v.model
    phase = v.phase
    for agent in v.problem.agents:
        a = agent.id
        n_nights = sum(v.shift.get((a, d, s), 0) for d in v.problem.days for s in nights)
        n_work = sum(v.works(a, d) for d in v.problem.days)
        # leave falls in one block or the other, not by the agent's choice: the tolerance widens
        # by the leave days (so a sick leave after a published half-month can still be re-planned)
        tol = 2 + len(v.leave[a])
        v.add(2 * n_nights - n_work <= tol, "rotation", a)
        v.add(2 * n_nights - n_work >= -tol, "rotation", a)
        if mode != "half-month":
            continue
        # after[d] is 0 in the first block and 1 from the switch on: one monotone chain
        after = {d: m.new_bool_var(f"second_block[{a},{d}]") for d in v.problem.days}
        for prev, d in zip(v.problem.days, v.problem.days[1:]):
            v.clause([after[prev].Not(), after[d]], "rotation", a)
        for d in v.problem.days:
            in_night = after[d].Not() if phase[a] else after[d]
            for s in nights:
                if (a, d, s) in v.shift:
                    v.clause([v.shift[a, d, s].Not(), in_night], "rotation", a)
            for s in days_:
                if (a, d, s) in v.shift:
                    v.clause([v.shift[a, d, s].Not(), in_night.Not()], "rotation", a)


# ------------------------------------------------------------------ contract rules
# Optional, per agent: config `contracts` (limits by team group) and shifts' `not_followed_by`.
# Each does nothing unless configured. Runs are on "works any shift" (leave counts as not worked).


def _contracts(v: RosterVars) -> dict[str, object]:
    """Agent id -> their contract (config `contracts`, by the agent's group), where one applies."""
    cfg = v.problem.config
    if not cfg.contracts:
        return {}
    return {a.id: c for a in v.problem.agents if (c := cfg.contract(a.group)) is not None}


def _work_literals(v: RosterVars, a: str) -> list:
    """Per day of the horizon: the literal "agent works" (not off), or False on leave."""
    return [v.off[a, d].Not() if (a, d) in v.off else False for d in v.problem.days]


def _negate(x):
    return (not x) if isinstance(x, bool) else x.Not()


def _clause(v: RosterVars, literals: list, rule: str, who: str) -> None:
    """A clause over literals and Python booleans: true ones satisfy it, false ones drop out."""
    if any(x is True for x in literals):
        return
    lits = [x for x in literals if x is not False]
    if not lits:
        v.add(v.model.new_constant(0) == 1, rule, who)
    else:
        v.clause(lits, rule, who)


def _min_runs(v: RosterVars, seq: list, k: int, rule: str, who: str) -> None:
    """No run of true days shorter than `k` with a false day inside the horizon on both sides:
    for each length j < k, forbid false, j trues, false (one clause each)."""
    n = len(seq)
    for j in range(1, k):
        for d in range(0, n - j - 1):
            inner = seq[d + 1:d + j + 1]
            _clause(v, [seq[d]] + [_negate(x) for x in inner] + [seq[d + j + 1]], rule, who)


def add_forbidden_successions(v: RosterVars) -> None:
    """Shift s on day d forbids every shift of s's `not_followed_by` on day d+1 (also across the
    month boundary from --previous).

    Shifts with the same `not_followed_by` set F form a group; per agent and day, one clique
    "at most one of: a shift of the group on d, a shift of F on d+1" says it all, since an agent
    works at most one shift a day (one_state_per_day). That is one constraint per group instead
    of one clause per forbidden pair (millions with 32 shift types), and a tighter LP. With
    `explain` the rule must hold on its own: one constraint per shift, "F sums to 0 if s"."""
    cfg = v.problem.config
    after = {s.id: list(s.not_followed_by) for s in cfg.shifts if s.not_followed_by}
    if not after:
        return
    one_day = timedelta(days=1)
    for agent in v.problem.agents:
        a = agent.id
        groups: dict[tuple[str, ...], list[str]] = {}
        for s1 in cfg.shift_ids:
            nxt = tuple(s2 for s2 in after.get(s1, ()) if v.can_work(a, s2))
            if nxt and v.can_work(a, s1):
                groups.setdefault(nxt, []).append(s1)
        for d in v.problem.days:
            if (a, d) not in v.off or (a, d + one_day) not in v.off:
                continue
            for nxt, firsts in groups.items():
                later = [v.shift[a, d + one_day, s2] for s2 in nxt]
                if v.explain:
                    for s1 in firsts:
                        v.add(cp_model.LinearExpr.sum(later) == 0, "forbidden_succession", a).only_enforce_if(v.shift[a, d, s1])
                else:
                    v.add(cp_model.LinearExpr.sum([v.shift[a, d, s1] for s1 in firsts] + later) <= 1,
                          "forbidden_succession", a)
    prev = v.problem.previous_states()
    first = v.problem.days[0]
    for agent in v.problem.agents:
        last = prev.get((agent.id, first - timedelta(days=1)))
        for s2 in after.get(last, ()):
            if (agent.id, first, s2) in v.shift and v.can_work(agent.id, s2):
                v.add(v.shift[agent.id, first, s2] == 0, "forbidden_succession", f"{agent.id} (after last month)")


def add_max_shifts_per_type(v: RosterVars) -> None:
    """Contract max_shifts: at most that many shifts of each listed type over the horizon."""
    for a, c in _contracts(v).items():
        for s, limit in c.max_shifts.items():
            if not v.can_work(a, s):
                continue  # its literals are fixed to 0 (variables.build_variables)
            xs = [v.shift[a, d, s] for d in v.problem.days if (a, d, s) in v.shift]
            if len(xs) > limit:
                v.add(cp_model.LinearExpr.sum(xs) <= limit, "max_shifts_per_type", f"{a} {s}")


def add_total_minutes(v: RosterVars) -> None:
    """Contract min_minutes / max_minutes: paid minutes worked over the horizon (shift paid_hours)."""
    cfg = v.problem.config
    minutes = {s.id: round(s.paid_hours * 60) for s in cfg.shifts}
    for a, c in _contracts(v).items():
        if c.min_minutes is None and c.max_minutes is None:
            continue
        shifts = [s for s in cfg.shift_ids if v.can_work(a, s)]
        keys = [(a, d, s) for d in v.problem.days if (a, d) in v.off for s in shifts]
        total = cp_model.LinearExpr.weighted_sum([v.shift[k] for k in keys], [minutes[k[2]] for k in keys])
        if c.min_minutes is not None:
            v.add(total >= c.min_minutes, "total_minutes", a)
        if c.max_minutes is not None:
            v.add(total <= c.max_minutes, "total_minutes", a)


def add_contract_max_consecutive_workdays(v: RosterVars) -> None:
    """Contract max_consecutive_workdays: every window of max+1 days has a day not worked
    (windows reaching back into --previous included). A limit at or above the team-wide
    rules.max_consecutive_workdays adds nothing (that rule already holds)."""
    for a, c in _contracts(v).items():
        k = c.max_consecutive_workdays
        if k is None or k >= v.problem.config.rules.max_consecutive_workdays:
            continue
        before = _before(v, a, k)
        seq = list(before) + [1 - v.off[a, d] if (a, d) in v.off else 0 for d in v.problem.days]
        for i in range(len(seq) - k):
            if i + k >= len(before):
                v.add(sum(seq[i:i + k + 1]) <= k, "contract_max_consecutive_workdays", a)


def add_contract_work_density(v: RosterVars) -> None:
    """Implied by the contract's max_consecutive_workdays k and min_consecutive_days_off m >= 2
    together, stated for the LP: at most k days worked in any k + m consecutive days of the
    horizon. (With k + 1 worked days in the window some run of days off lies between two of
    them, inside the horizon, so it has at least m days: k + 1 + m > k + m.) Without it the LP
    allows k of every k + 1 days; a year-long contract whose minimum minutes need nearly
    5 of every 7 days (Curtois 22, agent O: k = 5, m = 2) took CP-SAT 28-53 s to find one
    roster for, and takes 1-4 s with it. Adds nothing the validator must check: the two
    rules it follows from are checked."""
    for a, c in _contracts(v).items():
        k, m = c.max_consecutive_workdays, c.min_consecutive_days_off or 1
        if k is None or m < 2:
            continue
        seq = [1 - v.off[a, d] if (a, d) in v.off else 0 for d in v.problem.days]
        for i in range(len(seq) - (k + m) + 1):
            window = seq[i:i + k + m]
            if sum(1 for x in window if not isinstance(x, int)) > k:
                v.add(sum(window) <= k, "contract_work_density", a)


def add_min_consecutive_workdays(v: RosterVars) -> None:
    """Contract min_consecutive_workdays: a run of worked days between two days not worked
    (both inside the horizon) is at least this long; runs touching either end are exempt."""
    for a, c in _contracts(v).items():
        if c.min_consecutive_workdays and c.min_consecutive_workdays > 1:
            _min_runs(v, _work_literals(v, a), c.min_consecutive_workdays, "min_consecutive_workdays", a)


def add_min_consecutive_days_off(v: RosterVars) -> None:
    """Contract min_consecutive_days_off: a run of days not worked (off or leave) between two
    worked days inside the horizon is at least this long; runs touching either end are exempt."""
    for a, c in _contracts(v).items():
        if c.min_consecutive_days_off and c.min_consecutive_days_off > 1:
            seq = [_negate(x) for x in _work_literals(v, a)]
            _min_runs(v, seq, c.min_consecutive_days_off, "min_consecutive_days_off", a)


def weekends(days) -> list[list[date]]:
    """Saturdays and Sundays of the horizon, grouped by weekend (ISO week)."""
    out: dict[tuple[int, int], list[date]] = {}
    for d in days:
        if d.weekday() >= 5:
            out.setdefault(d.isocalendar()[:2], []).append(d)
    return list(out.values())


def add_max_working_weekends(v: RosterVars) -> None:
    """Contract max_working_weekends: weekends with a shift on the Saturday or the Sunday."""
    for a, c in _contracts(v).items():
        if c.max_working_weekends is None:
            continue
        worked = []
        for wk in weekends(v.problem.days):
            lits = [v.off[a, d].Not() for d in wk if (a, d) in v.off]
            if not lits:
                continue
            w = v.model.new_bool_var(f"weekend[{a},{wk[0]}]")
            for x in lits:
                v.model.add_implication(x, w)
            v.model.add_bool_or([w.Not()] + lits)
            worked.append(w)
        if len(worked) > c.max_working_weekends:
            v.add(sum(worked) <= c.max_working_weekends, "max_working_weekends", a)


HARD_RULES = [
    add_one_state_per_day,
    add_fixed_assignments,
    add_shop_set,
    add_load_cap,
    add_coverage,
    add_tier_cover,
    add_min_rest,
    add_max_consecutive_workdays,
    add_min_days_off_per_week,
    add_days_off_per_month,
    add_rotation,
    add_forbidden_successions,
    add_max_shifts_per_type,
    add_total_minutes,
    add_contract_max_consecutive_workdays,
    add_contract_work_density,
    add_min_consecutive_workdays,
    add_min_consecutive_days_off,
    add_max_working_weekends,
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
    flows = _flows_by_slot(v)
    out = []
    for (d, s, c), staffed in v._by_slot.items():
        under = v.model.new_int_var(0, lo * len(staffed), f"under_min[{d},{s},{'+'.join(c)}]")
        v.model.add(under >= lo * sum(staffed.values()) - sum(flows.get((d, s, c), [])))
        out.append(Penalty(under, cfg.weights.under_band_min, "under_band_min", f"{'+'.join(c)} {d} {s}"))
    return out


def _spread(v: RosterVars, name: str, values: list) -> cp_model.IntVar:
    """(max - min) of the given expressions, as a new non-negative variable.

    The spread is its own variable with domain [0, days] rather than the expression hi - lo:
    then even before any LP runs, CP-SAT's objective bound counts it as >= 0 instead of
    -days (which is what made the reported bound negative on large months)."""
    n = len(v.problem.days)
    hi = v.model.new_int_var(0, n, f"{name}_max")
    lo = v.model.new_int_var(0, n, f"{name}_min")
    spread = v.model.new_int_var(0, n, name)
    for e in values:
        v.model.add(hi >= e)
        v.model.add(lo <= e)
    v.model.add(spread == hi - lo)
    return spread


def _fairness_groups(v: RosterVars) -> dict[str, list[str]]:
    """Agents compared for fairness: per contract group, those with no leave this month."""
    groups: dict[str, list[str]] = {}
    for a in v.problem.agents:
        if not v.leave[a.id]:
            groups.setdefault(a.group, []).append(a.id)
    return {g: ids for g, ids in groups.items() if len(ids) > 1}


def _spread_penalties(v: RosterVars, rule: str, weight: int, count) -> list[Penalty]:
    if not weight:
        return []
    return [Penalty(_spread(v, f"{rule}[{g}]", [count(a) for a in ids]), weight, rule, f"group {g or 'all'}")
            for g, ids in _fairness_groups(v).items()]


def penalize_nights_spread(v: RosterVars) -> list[Penalty]:
    """Spread (max - min) of nights worked, per contract group."""
    nights, _ = _night_ids(v)
    if not nights:
        return []
    return _spread_penalties(v, "nights_spread", v.problem.config.weights.nights_spread,
                             lambda a: sum(v.shift.get((a, d, s), 0) for d in v.problem.days for s in nights))


def penalize_workdays_spread(v: RosterVars) -> list[Penalty]:
    """Spread of workdays, per contract group."""
    return _spread_penalties(v, "workdays_spread", v.problem.config.weights.workdays_spread,
                             lambda a: sum(v.works(a, d) for d in v.problem.days))


def penalize_weekend_off_spread(v: RosterVars) -> list[Penalty]:
    """Spread of weekend days off (Saturdays and Sundays not worked), per contract group."""
    weekend = [d for d in v.problem.days if d.weekday() >= 5]
    return _spread_penalties(v, "weekend_off_spread", v.problem.config.weights.weekend_off_spread,
                             lambda a: sum(v.off[a, d] for d in weekend if (a, d) in v.off))


def penalize_requests(v: RosterVars) -> list[Penalty]:
    """Unmet soft requests: `off` (worked anyway), `on` (not worked), `avoid` (worked that shift)."""
    w = v.problem.config.weights.request
    out = []
    for r in v.problem.requests:
        if r.kind in ("leave", "fixed"):
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


def _main_shop(v: RosterVars, c: tuple[str, ...]) -> str:
    return main_shop(c, {p: sum(vol for (d, pp, s), vol in v.volume.items() if pp == p) for p in c})


def penalize_primary_share(v: RosterVars) -> list[Penalty]:
    """An agent's main shop carries at least half of the load: per shop set, the inquiries the
    other shops take beyond the main shop's, over the month."""
    w = v.problem.config.weights.primary_share
    out = []
    for c in {c for (_, _, c, _) in v.flow if len(c) > 1}:
        main = _main_shop(v, c)
        main_load = sum(f for (d, s, cc, p), f in v.flow.items() if cc == c and p == main)
        other = sum(f for (d, s, cc, p), f in v.flow.items() if cc == c and p != main)
        excess = v.model.new_int_var(0, 10**9, f"primary_excess[{'+'.join(c)}]")
        v.model.add(excess >= other - main_load)
        out.append(Penalty(excess, w, "primary_share", f"shops {'+'.join(c)} (main {main})"))
    return out


def penalize_shop_choice(v: RosterVars) -> list[Penalty]:
    """Per agent and candidate set: a third shop (the flagged exception), two big shops paired,
    and shops changed from last month (--previous)."""
    cfg = v.problem.config
    w = cfg.weights
    month = {p: 0 for p in cfg.shop_ids}
    for (d, p, s), vol in v.volume.items():
        month[p] += vol
    big = set(sorted(month, key=lambda p: -month[p])[: len(month) // 2]) if len(month) > 2 else set()
    prev = v.problem.previous_shops()
    out = []
    for (a, c), b in v.member.items():
        if len(c) >= 3:
            out.append(Penalty(b, w.third_shop, "third_shop", f"{a} serves {'+'.join(c)}"))
        if len(c) >= 2 and len(big.intersection(c)) >= 2:
            out.append(Penalty(b, w.shop_pairing, "shop_pairing", f"{a} serves two big shops {'+'.join(c)}"))
        if a in prev and prev[a] != set(c):
            out.append(Penalty(b, w.shop_change, "shop_change", f"{a}: {'+'.join(sorted(prev[a]))} -> {'+'.join(c)}"))
    return out


def penalize_plan_change(v: RosterVars) -> list[Penalty]:
    """Re-planning: each agent-day after --fix-until whose state differs from the published plan."""
    p = v.problem
    if p.plan is None:
        return []
    out = []
    for (a, d), st in p.plan_states().items():
        if (a, d) not in v.off or (p.fix_until is not None and d <= p.fix_until):
            continue
        var = v.off[a, d] if st in (OFF, LEAVE) else v.shift.get((a, d, st))
        if var is not None:
            out.append(Penalty(1 - var, p.config.weights.plan_change, "plan_change", f"{a} {d} (was {st})"))
    return out


def penalize_head_cover(v: RosterVars) -> list[Penalty]:
    """Head-count demand (Problem.heads: date, shift, heads[, under, over]): per day and shift,
    agents short of it times weights.heads_under (or the row's `under`), agents above it times
    weights.heads_over (or `over`). Nothing unless the problem has head-count demand.

    A need below zero is allowed: the agent-group search (``lns.sub_problem``) subtracts the
    shifts of the agents it keeps fixed, so a slot they already overstaff starts with its
    over-cover counted. Where the need is at least the agents who can work the slot (it can
    only be short) or at most zero (it can only be over), the penalty is the linear term
    itself, with no variables: in a few agents' model (the search's neighbourhoods, one
    agent's first roster) that is almost every slot."""
    need_by_slot = v.problem.head_need()
    if not need_by_slot:
        return []
    n_agents = len(v.problem.agents)
    can: dict[tuple[date, str], list] = {}  # (day, shift) -> literals of the agents who can work it
    for (a, d, s), x in v.shift.items():
        if v.can_work(a, s):
            can.setdefault((d, s), []).append(x)
    out = []
    for (d, s), (need, wu, wo) in need_by_slot.items():
        lits = can.get((d, s), [])
        staffed = cp_model.LinearExpr.sum(lits)
        # a zero term (a slot that can never be over, or never short) is left out of the list
        if need >= len(lits):  # never over: short by need - staffed, a linear term (a constant if no one can)
            out.append(Penalty(need - staffed, wu, "heads_under", f"{d} {s}"))
            continue
        if need <= 0:  # never short: over by staffed - need
            out.append(Penalty(staffed - need, wo, "heads_over", f"{d} {s}"))
            continue
        under = v.model.new_int_var(0, need, f"heads_under[{d},{s}]")
        over = v.model.new_int_var(0, n_agents, f"heads_over[{d},{s}]")
        v.model.add(staffed + under - over == need)
        out += [Penalty(under, wu, "heads_under", f"{d} {s}"), Penalty(over, wo, "heads_over", f"{d} {s}")]
    return out


SOFT_RULES = [
    penalize_uncovered,
    penalize_under_band_min,
    penalize_nights_spread,
    penalize_workdays_spread,
    penalize_weekend_off_spread,
    penalize_requests,
    penalize_primary_share,
    penalize_shop_choice,
    penalize_plan_change,
    penalize_head_cover,
]
