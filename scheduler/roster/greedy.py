"""A constructive roster used as CP-SAT's starting point (solution hint).

Classic days-off scheduling, demand-driven: every agent starts the month working every day
they can (on the shift type of their rotation block), then agents take turns, round after round,
to give up the workday whose loss hurts coverage least — the day where the agents of their
shops and shift are most in surplus against the volume — until each has the days off the
fairness target asks for. The weekly day off is placed first, then the rest; runs longer than
`max_consecutive_workdays` are broken afterwards. Hard rules are respected as they are placed
(leave, fixed requests, rest between shifts, weekly and monthly days off, the half-month blocks
with their switch day off, nights within one of half the workdays); coverage is only as good
as a greedy can make it. The CP-SAT search then improves it.

Last, fairness: within each contract group (agents without leave, as the objective's spreads
count them) everyone gets the group's median workdays (nights half of them, rounded down), a
day off moved where the run limit blocks a direct one; if the rules keep some agents below, the
others come down to them. Weekend days off are then evened out by trading a weekend workday for
a weekday off in the same block. The spreads are what the search closes worst, because lowering
a maximum needs every agent at it changed at once, while coverage repairs are local.
"""

from __future__ import annotations

from datetime import date, timedelta

from ..domain import (LEAVE, OFF, Problem, days_off_bounds, fixed_states, forbidden_successions, full_weeks,
                      shift_capacity)


def _switch_index(avail_idx: list[int], n: int) -> int:
    """Day index where the second rotation block starts: half of the available days done."""
    if not avail_idx:
        return n // 2
    return avail_idx[len(avail_idx) // 2]


def greedy_states(problem: Problem, phase: dict[str, bool],
                  sets: dict[str, tuple[str, ...]] | None = None) -> dict[tuple[str, date], str]:
    """(agent, day) -> shift id, off or leave, for every agent and day of the month."""
    cfg = problem.config
    rules = cfg.rules
    days = list(problem.days)
    n = len(days)
    index = {d: i for i, d in enumerate(days)}
    nights = [s.id for s in cfg.shifts if s.is_night]
    dayshifts = [s.id for s in cfg.shifts if not s.is_night]
    rotating = rules.rotation != "none" and bool(nights) and bool(dayshifts)
    volume = problem.volume()
    shops = cfg.shop_ids
    sets = sets or {a.id: tuple(a.allowed_shops(shops)) for a in problem.agents}
    prev = problem.previous_states()
    first = days[0]
    forbidden = forbidden_successions(cfg)  # next-day pairs: too little rest, not_followed_by

    def rest_ok(s1: str | None, s2: str) -> bool:
        return (s1, s2) not in forbidden

    # ---- per agent: availability, block types, fixed days
    leave = {a.id: problem.leave_days(a.id) for a in problem.agents}
    fixed = fixed_states(problem)
    # soft requests against working: (agent, day, shift or None for any shift) -> weight
    wants_off: dict[tuple[str, date, str | None], int] = {}
    for r in problem.requests:
        if r.kind == OFF or (r.kind == "avoid" and r.shift is not None):
            for d in r.days():
                wants_off[r.agent_id, d, r.shift] = wants_off.get((r.agent_id, d, r.shift), 0) + r.weight
    kinds: dict[str, list[list[str]]] = {}  # allowed shifts per day index
    forced_off: dict[str, set[int]] = {}
    block: dict[str, list[int]] = {}
    # balanced rotation only counts nights; a half-month roster satisfies it, so it starts there
    half_month = rotating
    gap = half_month and not all(rest_ok(s1, s2) for s1 in nights for s2 in dayshifts)
    # Switch days are staggered over a window of w days: cohort j of the night-first agents is
    # off on day T+j (rest after nights) and on days from T+j+1; cohort j of the day-first agents
    # starts nights on T+j+1. The day shift then keeps its whole group through the switch and
    # the night shift lacks only one cohort (1/w of a group) for w+1 days.
    # agents of the same shops take consecutive cohorts, so no shop loses two at once
    group = {nf: [a.id for a in sorted(problem.agents, key=lambda ag: (sets.get(ag.id, ()), ag.id))
                  if phase.get(a.id, False) == nf] for nf in (False, True)}
    for agent in problem.agents:
        a = agent.id
        avail = [i for i, d in enumerate(days) if d not in leave[a]]
        night_first = phase.get(a, False)
        members = group[night_first]
        w = max(1, min(6, len(members) // 4)) if half_month else 1
        j = members.index(a) % w
        t = _switch_index(avail, n) - (w // 2) + j  # night-first: the day off between blocks
        t = max(1, min(n - 2, t)) if n > 3 else n // 2
        # fixed shifts must fall in their block: night-first has nights before t and days
        # after it; day-first has days up to t and nights after it
        lo_t, hi_t = 0, n - 1
        for (aa, d), st in fixed.items():
            if aa != a or st not in cfg.shift_ids:
                continue
            f, is_night = index[d], st in nights
            if night_first:
                lo_t, hi_t = (max(lo_t, f + 1), hi_t) if is_night else (lo_t, min(hi_t, f - 1))
            else:
                lo_t, hi_t = (max(lo_t, f), hi_t) if not is_night else (lo_t, min(hi_t, f - 1))
        if lo_t <= hi_t:
            t = max(lo_t, min(hi_t, t))
        second = t if night_first else t + 1  # first day of the second block
        allowed, blk, offs = [], [], set()
        for i in range(n):
            b = 0 if i < second else 1
            blk.append(b)
            if half_month:
                allowed.append(nights if (b == 0) == night_first else dayshifts)
            else:
                allowed.append(list(cfg.shift_ids))
        if gap and night_first:
            offs.add(t)  # nights then days: the switch day is off (rest rule)
        kinds[a], block[a], forced_off[a] = allowed, blk, offs

    # ---- demand in heads per (day, shift, shop); supply from working agents
    need = {(d, s, p): volume.get((d, p, s), 0) / max(1, shift_capacity(cfg, s))
            for d in days for s in cfg.shift_ids for p in shops}
    month = {p: sum(v for (_, pp, _), v in volume.items() if pp == p) for p in shops}

    def share(a: str) -> dict[str, float]:
        c = sets[a] or tuple(shops)
        tot = sum(month[p] for p in c)
        return {p: (month[p] / tot if tot else 1 / len(c)) for p in c}

    shares = {a.id: share(a.id) for a in problem.agents}
    carries = {(a.id, d): not a.in_training(d, rules.training_days) for a in problem.agents for d in days}
    state: dict[tuple[str, date], str] = {}
    worked = {(a.id, b): 0 for a in problem.agents for b in (0, 1)}  # workdays per rotation block
    supply: dict[tuple[date, str, str], float] = {}

    reach: dict[tuple[date, str, str], int] = {}  # working agents who may serve the shop

    def add(a: str, d: date, s: str, sign: int) -> None:
        if carries[a, d]:
            for p, w in shares[a].items():
                supply[d, s, p] = supply.get((d, s, p), 0.0) + sign * w
                reach[d, s, p] = reach.get((d, s, p), 0) + sign

    def pick_shift(a: str, i: int) -> str | None:
        d = days[i]
        before = state.get((a, d - timedelta(days=1))) if i else prev.get((a, d - timedelta(days=1)))
        after = fixed.get((a, d + timedelta(days=1))) if i + 1 < n else None
        opts = [s for s in kinds[a][i] if rest_ok(before, s)
                and (after not in cfg.shift_ids or rest_ok(s, after))]
        if not opts:
            return None
        return max(opts, key=lambda s: (-wants_off.get((a, d, s), 0),
                                        sum(need[d, s, p] - supply.get((d, s, p), 0.0) for p in shares[a]),
                                        -cfg.shift_ids.index(s)))

    for agent in problem.agents:
        a = agent.id
        for i, d in enumerate(days):
            if d in leave[a]:
                state[a, d] = LEAVE
            elif (a, d) in fixed:
                st = fixed[a, d]
                state[a, d] = st if st is not None else (pick_shift(a, i) or OFF)
            elif i in forced_off[a]:
                state[a, d] = OFF
            else:
                s = pick_shift(a, i)
                state[a, d] = s if s is not None else OFF
            if state[a, d] in cfg.shift_ids:
                add(a, d, state[a, d], +1)
                worked[a, block[a][i]] += 1

    def cost_of_off(a: str, d: date) -> float:
        """Shortage added by taking agent a off on day d (0 when their shops stay covered)."""
        s = state[a, d]
        if not carries[a, d]:
            return -1.0
        out = 0.0
        for p, w in shares[a].items():
            # the agent's share of each shop (pessimistic: sets do not lend capacity) and the
            # agents able to serve it at all (optimistic: all of them could serve only it)
            sup, nd, r = supply.get((d, s, p), 0.0), need[d, s, p], reach.get((d, s, p), 0)
            out += max(0.0, nd - (sup - w)) - max(0.0, nd - sup)
            out += max(0.0, nd - (r - 1)) - max(0.0, nd - r)
        surplus = sum(supply.get((d, s, p), 0.0) - need[d, s, p] for p in shares[a])
        asked = wants_off.get((a, d, None), 0) + wants_off.get((a, d, s), 0)
        return out - 1e-3 * surplus - 1e-2 * asked

    # ---- days off: each agent at least the monthly minimum, more while coverage allows it
    bounds = {a.id: days_off_bounds(n, len(leave[a.id]), rules) for a in problem.agents}

    def offs_of(a: str) -> list[int]:
        return [i for i, d in enumerate(days) if state[a, d] == OFF]

    def movable(a: str, i: int) -> bool:
        d = days[i]
        return state[a, d] in cfg.shift_ids and (a, d) not in fixed

    def block_ok(a: str, i: int) -> bool:
        """Keep nights within one of half the workdays: each block loses offs in proportion."""
        if not half_month:
            return True
        b = block[a][i]
        work = [worked[a, 0], worked[a, 1]]
        work[b] -= 1
        return abs(work[0] - work[1]) <= 1 or work[b] >= work[1 - b]

    def take_off(a: str, i: int) -> None:
        d = days[i]
        add(a, d, state[a, d], -1)
        worked[a, block[a][i]] -= 1
        state[a, d] = OFF

    def works(a: str, i: int) -> bool:
        return state[a, days[i]] in cfg.shift_ids

    def worked_before(a: str, j: int) -> bool:
        """Day index j (negative: last month, from --previous) is worked."""
        if j >= 0:
            return works(a, j)
        return prev.get((a, first + timedelta(days=j))) in cfg.shift_ids

    def can_work(a: str, i: int) -> str | None:
        """The shift agent a could work on day index i (now off) without breaking the weekly
        day off, the run limit or rest; None when none."""
        d = days[i]
        if state[a, d] != OFF or i in forced_off[a] or (a, d) in fixed:
            return None
        run = 1
        j = i - 1
        while j >= -rules.max_consecutive_workdays and worked_before(a, j):
            run, j = run + 1, j - 1
        j = i + 1
        while j < n and works(a, j):
            run, j = run + 1, j + 1
        if run > rules.max_consecutive_workdays:
            return None
        monday = i - d.weekday()
        week = range(monday, monday + 7)
        if all(0 <= j < n for j in week):
            if sum(1 for j in week if not works(a, j)) - 1 < rules.min_days_off_per_week:
                return None
        s = pick_shift(a, i)
        if s is None:
            return None
        if i + 1 < n and works(a, i + 1) and not rest_ok(s, state[a, days[i + 1]]):
            return None
        return s

    def put_work(a: str, i: int, s: str) -> None:
        state[a, days[i]] = s
        add(a, days[i], s, +1)
        worked[a, block[a][i]] += 1

    def work_best(a: str, cand) -> bool:
        """Give agent a the workday among `cand` (day indices, now off) that helps coverage most."""
        best, best_gain = None, None
        for i in cand:
            s = can_work(a, i)
            if s is None:
                continue
            d = days[i]
            gain = sum(max(0.0, need[d, s, p] - supply.get((d, s, p), 0.0)) for p in shares[a])
            if best_gain is None or gain > best_gain:
                best, best_gain = (i, s), gain
        if best is None:
            return False
        put_work(a, *best)
        return True

    def restore_best(a: str, blk: int | None) -> bool:
        """Give agent a back the workday (in block `blk`, or any) that helps coverage most."""
        return work_best(a, (i for i in range(n) if blk is None or block[a][i] == blk))

    weeks = [[index[d] for d in w] for w in full_weeks(days)]
    lead = first.weekday()
    straddle = list(range(0, 7 - lead)) if lead else []

    def prev_week_has_off(a: str) -> bool:
        before = [prev.get((a, first - timedelta(days=j))) for j in range(1, lead + 1)]
        if any(st is None for st in before):
            return True  # unknown: the rule does not bind
        return sum(1 for st in before if st not in cfg.shift_ids) >= rules.min_days_off_per_week

    order = sorted(a.id for a in problem.agents)
    # 1) weekly days off
    need_weeks = {a: [w for w in weeks] + ([straddle] if straddle and not prev_week_has_off(a) else [])
                  for a in order}
    for _ in range(rules.min_days_off_per_week):
        for w_i in range(max((len(v) for v in need_weeks.values()), default=0)):
            for a in order:
                if w_i >= len(need_weeks[a]):
                    continue
                week = need_weeks[a][w_i]
                have = sum(1 for i in week if state[a, days[i]] not in cfg.shift_ids)
                if have >= rules.min_days_off_per_week:
                    continue
                cand = [i for i in week if movable(a, i)]
                if cand:
                    take_off(a, min(cand, key=lambda i: cost_of_off(a, days[i])))
    # 2) break runs longer than the limit (the previous month's last days count)
    k = rules.max_consecutive_workdays
    for a in order:
        run = 0
        for j in range(1, k + 1):
            st = prev.get((a, first - timedelta(days=j)))
            if st in cfg.shift_ids:
                run += 1
            else:
                break
        start_run = -run
        for i in range(n):
            if state[a, days[i]] in cfg.shift_ids:
                if i - start_run + 1 > k:
                    cand = [j for j in range(max(0, start_run), i + 1) if movable(a, j)]
                    if cand:
                        j = min(cand, key=lambda j: cost_of_off(a, days[j]))
                        take_off(a, j)
                        start_run = j + 1
            else:
                start_run = i + 1
    # 3) more days off, one per agent per round, while a day off costs no coverage
    rnd = 0
    while order:
        moved = False
        rotated = order[rnd % len(order):] + order[:rnd % len(order)]
        for a in rotated:
            if len(offs_of(a)) >= bounds[a][1]:
                continue
            cand = [i for i in range(n) if movable(a, i) and block_ok(a, i)]
            if not cand:
                continue
            best = min(cand, key=lambda i: cost_of_off(a, days[i]))
            if cost_of_off(a, days[best]) <= 0 or len(offs_of(a)) < bounds[a][0]:
                take_off(a, best)
                moved = True
        rnd += 1
        if not moved:
            break
    # 4) the monthly minimum, where coverage did not already give it
    for a in order:
        while len(offs_of(a)) < bounds[a][0]:
            cand = [i for i in range(n) if movable(a, i) and block_ok(a, i)] or \
                   [i for i in range(n) if movable(a, i)]
            if not cand:
                break
            take_off(a, min(cand, key=lambda i: cost_of_off(a, days[i])))
    # 5) repairs: too many days off (from breaking runs), then rotation blocks out of balance
    for a in order:
        for _ in range(n):
            if len(offs_of(a)) <= bounds[a][1] or not restore_best(a, None):
                break
        if half_month:
            for _ in range(n):
                work = [sum(1 for i in range(n) if block[a][i] == b and works(a, i)) for b in (0, 1)]
                if abs(work[0] - work[1]) <= 2:
                    break
                heavy = 0 if work[0] > work[1] else 1
                offs = len(offs_of(a))
                if offs > bounds[a][0] and restore_best(a, 1 - heavy):
                    continue
                cand = [i for i in range(n) if block[a][i] == heavy and movable(a, i)]
                if offs >= bounds[a][1] and not restore_best(a, 1 - heavy):
                    break
                if not cand:
                    break
                take_off(a, min(cand, key=lambda i: cost_of_off(a, days[i])))
    # 6) fairness: within each contract group (agents without leave, as the spreads count
    #    them), the same workdays, nights and weekend days off wherever the rules allow
    groups: dict[str, list[str]] = {}
    for agent in problem.agents:
        if not leave[agent.id]:
            groups.setdefault(agent.group, []).append(agent.id)
    weekend = [i for i, d in enumerate(days) if d.weekday() >= 5]

    def place_off(a: str, cand: list[int]) -> bool:
        cand = [i for i in cand if movable(a, i)]
        if not cand or len(offs_of(a)) >= bounds[a][1]:
            return False
        take_off(a, min(cand, key=lambda i: cost_of_off(a, days[i])))
        return True

    def place_work(a: str, cand: list[int]) -> bool:
        """One more workday among `cand`, unless the agent is at the monthly minimum of days off."""
        return len(offs_of(a)) > bounds[a][0] and work_best(a, cand)

    def unplace(a: str, i: int, s_old: str | None) -> None:
        """Undo a move on day i: back to working s_old (None: back to off)."""
        if works(a, i):
            take_off(a, i)
        if s_old is not None:
            put_work(a, i, s_old)

    def raise_work(a: str, cand: list[int]) -> bool:
        """One more workday among `cand`: directly, or by moving a day off so that two days
        can be worked (an off day placed for the run limit may block every other one)."""
        if place_work(a, cand):
            return True
        for j in sorted((i for i in cand if movable(a, i)), key=lambda i: cost_of_off(a, days[i])):
            s_j = state[a, days[j]]
            take_off(a, j)
            before = {i: state[a, days[i]] for i in cand}
            if place_work(a, [i for i in cand if i != j]) and place_work(a, [i for i in cand if i != j]):
                return True
            for i, st in before.items():  # undo: the placed workdays, then day j
                if i != j and state[a, days[i]] != st:
                    unplace(a, i, None)
            unplace(a, j, s_j)
        return False

    def swap_weekend(a: str, more_off: bool) -> bool:
        """Trade a weekend workday for a weekday off in the same block (more_off), or back."""
        for b in (0, 1) if half_month else (None,):
            in_b = [i for i in range(n) if b is None or block[a][i] == b]
            wk = [i for i in in_b if i in weekend_set]
            other = [i for i in in_b if i not in weekend_set]
            give, get = (wk, other) if more_off else (other, wk)
            for i in sorted((i for i in give if movable(a, i)), key=lambda i: cost_of_off(a, days[i])):
                s_old = state[a, days[i]]
                take_off(a, i)
                if place_work(a, [j for j in get if j != i]):
                    return True
                put_work(a, i, s_old)  # undo: it was worked a moment ago, so it is valid
        return False

    weekend_set = set(weekend)
    for ids in groups.values():
        if len(ids) < 2:
            continue
        lo_off, hi_off = bounds[ids[0]]
        counts = sorted(sum(1 for i in range(n) if works(a, i)) for a in ids)
        target = min(n - lo_off, max(n - hi_off, counts[len(counts) // 2]))
        night_block = {a: (0 if phase.get(a, False) else 1) for a in ids}

        def balance(a: str, target: int) -> None:
            if half_month:  # nights: half the workdays, rounded down, for everyone
                want = {night_block[a]: target // 2, 1 - night_block[a]: target - target // 2}
                # the block short of its target first: at the most days off, a day off in the
                # other block can only be placed once a workday has been given back here
                for b in sorted((0, 1), key=lambda b: worked[a, b] - want[b]):
                    for _ in range(n):
                        have = worked[a, b]
                        if have < want[b] and raise_work(a, [i for i in range(n) if block[a][i] == b]):
                            continue
                        if have > want[b] and place_off(a, [i for i in range(n) if block[a][i] == b]):
                            continue
                        break
            else:
                for _ in range(n):
                    have = sum(1 for i in range(n) if works(a, i))
                    if have < target and raise_work(a, list(range(n))):
                        continue
                    if have > target and place_off(a, list(range(n))):
                        continue
                    break

        for a in ids:
            balance(a, target)
        # where the rules kept some below the target, everyone comes down to them (a day off
        # can always be placed), so the workdays are equal at a small cost in coverage
        reached = min(sum(1 for i in range(n) if works(a, i)) for a in ids)
        if reached < target:
            for a in ids:
                balance(a, reached)
        offs = sorted(sum(1 for i in weekend if not works(a, i)) for a in ids)
        want_w = offs[len(offs) // 2]
        for a in ids:
            for _ in range(len(weekend)):
                have = sum(1 for i in weekend if not works(a, i))
                if have == want_w or not swap_weekend(a, more_off=have < want_w):
                    break
    return state
