"""A constructive roster used as CP-SAT's starting point (solution hint).

Day by day, each agent is on the shift type of their rotation block (half-month: the switch
at mid-month, with the day off a night-to-day switch needs), and the agents who work are the
ones the day's volume needs, chosen so that everyone's days off stay within the weekly,
consecutive-day and monthly rules. It knows nothing of optimality; it gives the solver a
complete, nearly feasible roster to improve instead of a first solution found from scratch.
"""

from __future__ import annotations

import math
from datetime import date

from ..domain import LEAVE, OFF, Problem, days_off_bounds, shift_capacity


def greedy_states(problem: Problem, phase: dict[str, bool]) -> dict[tuple[str, date], str]:
    """(agent, day) -> shift id, off or leave."""
    cfg = problem.config
    rules = cfg.rules
    days = list(problem.days)
    n = len(days)
    nights = [s.id for s in cfg.shifts if s.is_night]
    dayshifts = [s.id for s in cfg.shifts if not s.is_night]
    mid = n // 2
    volume = problem.volume()
    need = {(d, s): math.ceil(sum(volume.get((d, p, s), 0) for p in cfg.shop_ids) / max(1, shift_capacity(cfg, s)))
            for d in days for s in cfg.shift_ids}
    leave = {a.id: problem.leave_days(a.id) for a in problem.agents}
    fixed = {(r.agent_id, d): r.shift for r in problem.requests if r.kind == "fixed" for d in r.days()}
    total_need = sum(need.values())
    budget = {}  # days each agent should work
    for a in problem.agents:
        lo, hi = days_off_bounds(n, len(leave[a.id]), rules)
        avail = n - len(leave[a.id])
        share = math.ceil(total_need / max(1, len(problem.agents)) * 1.05)
        budget[a.id] = max(avail - hi, min(avail - lo, share))
    worked = {a.id: 0 for a in problem.agents}
    run = {a.id: 0 for a in problem.agents}
    # half of an agent's workdays in each rotation block (nights within one of half)
    block_of = [0 if i < mid else 1 for i in range(n)]
    target = {(a, b): (budget[a] // 2 if b == 0 else budget[a] - budget[a] // 2) for a in budget for b in (0, 1)}
    in_block = {(a, b): 0 for a in budget for b in (0, 1)}
    out: dict[tuple[str, date], str] = {}

    def block_shift(a: str, i: int) -> str | None:
        if rules.rotation != "half-month" or not nights or not dayshifts:
            return None
        first_night = phase.get(a, False)
        in_night = (i < mid) == first_night
        return (nights if in_night else dayshifts)[0]

    for i, d in enumerate(days):
        week_left = 6 - d.weekday()
        candidates = []
        for agent in problem.agents:
            a = agent.id
            if d in leave[a]:
                out[a, d] = LEAVE
                run[a] = 0
                continue
            b = block_of[i]
            left_days = sum(1 for j in range(i, n) if block_of[j] == b and days[j] not in leave[a])
            if b == 1 and i == mid and phase.get(a, False):
                left_days -= 1  # the switch day off
            must_off = run[a] >= rules.max_consecutive_workdays or in_block[a, b] >= target[a, b]
            # a night-to-day switch needs the day off in between
            if i == mid and phase.get(a, False) and rules.rotation == "half-month":
                must_off = True
            must_work = target[a, b] - in_block[a, b] >= left_days
            if (a, d) in fixed:
                must_work, must_off = True, False
            candidates.append((a, must_off, must_work, left_days, week_left))
        # who works: forced first, then those furthest behind their budget
        demand_today = sum(need[d, s] for s in cfg.shift_ids)
        order = sorted(candidates, key=lambda t: (not t[2], t[1], -(target[t[0], block_of[i]] - in_block[t[0], block_of[i]]) / max(1, t[3])))
        count = {s: 0 for s in cfg.shift_ids}
        for a, must_off, must_work, left_days, _ in order:
            want = block_shift(a, i)
            if fixed.get((a, d)):
                want = fixed[a, d]
            if must_off and not must_work:
                out[a, d] = OFF
            else:
                options = [want] if want else sorted(cfg.shift_ids, key=lambda s: count[s] - need[d, s])
                s = options[0]
                if must_work or count[s] < need[d, s] or sum(count.values()) < demand_today:
                    out[a, d] = s
                    count[s] += 1
                else:
                    out[a, d] = OFF
            if out[a, d] in cfg.shift_ids:
                worked[a] += 1
                in_block[a, block_of[i]] += 1
                run[a] += 1
            else:
                run[a] = 0
    return out
