"""Local search on the starting roster, before CP-SAT: move workdays to where they are needed.

The greedy roster (:mod:`.greedy`) plans coverage with each agent's capacity split over their
shops in fixed shares, so on large months it leaves inquiries uncovered in some slots while
others have agents below band min; CP-SAT's LNS then spends most of its time on these local
repairs (300 agents: 135 of 300 s). This pass costs every (day, shift) slot exactly as the model
does -- uncovered inquiries and shortfall below band min, with the best flows of inquiries
from shops to the shop sets of the agents working, a min-cost flow -- and moves one agent's
workday from one day to another while that lowers the total.

A move keeps the agent's workdays, shift type (so nights) and weekend days off, so the fairness
spreads of the start stay as they are; it keeps every hard rule the greedy keeps: leave, fixed
days, rest between shifts (and `not_followed_by`), the run limit, weekly days off (the week
straddling the month's start when --previous gives it), the half-month rotation order, and tier
cover. Requests count in the move's cost. Problems with `contracts` are left as they are (their
rules are not checked here). Deterministic: no clock, a fixed order, a bounded number of rounds.
"""

from __future__ import annotations

from datetime import date, timedelta

from ortools.graph.python import min_cost_flow

from ..domain import OFF, Problem, fixed_states, forbidden_successions, full_weeks, shift_capacity

ShopSet = tuple[str, ...]


class SlotCost:
    """Cost of one (day, shift) given the working heads per shop set: uncovered inquiries and
    shortfall below band min, weighted as in the objective, with the flows chosen optimally
    (a min-cost flow: shop -> set -> sink, band min per head earning the shortfall back).

    One flow network per slot, built once with every shop set; a head count changes only the
    capacities of its set's arcs, so an evaluation is a few capacity updates and a re-solve."""

    def __init__(self, cfg, shift: str, vols: dict[str, int], shop_sets: list[ShopSet]):
        w_unc, self.w_under = cfg.weights.uncovered, cfg.weights.under_band_min
        self.cap = shift_capacity(cfg, shift)
        self.lo = min(cfg.band.min, self.cap)
        vols = {p: v for p, v in vols.items() if v > 0}
        self.total = sum(vols.values())
        self.heads: dict[ShopSet, int] = {}
        # uncovered inquiries and shortfall below band min with the current heads (set by cost())
        self.short = self.total
        self.under = 0
        self.arcs: dict[ShopSet, tuple[list[tuple[int, int]], list[int]]] = {}
        self.vols = vols
        if not self.total:
            return
        node = {p: 1 + i for i, p in enumerate(vols)}
        reach = [c for c in shop_sets if any(p in node for p in c)]
        sink = 1 + len(vols) + len(reach)
        self.mcf = mcf = min_cost_flow.SimpleMinCostFlow()
        self.unc_arcs = []
        for p, v in vols.items():  # source -> shop, shop -> sink (uncovered)
            mcf.add_arc_with_capacity_and_unit_cost(0, node[p], v, 0)
            self.unc_arcs.append(mcf.add_arc_with_capacity_and_unit_cost(node[p], sink, v, w_unc))
        for k, c in enumerate(reach):
            here = 1 + len(vols) + k
            into = [(mcf.add_arc_with_capacity_and_unit_cost(node[p], here, 0, 0), vols[p]) for p in c if p in node]
            out = [mcf.add_arc_with_capacity_and_unit_cost(here, sink, 0, -self.w_under),
                   mcf.add_arc_with_capacity_and_unit_cost(here, sink, 0, 0)]
            self.arcs[c] = (into, out)
        mcf.set_node_supply(0, self.total)
        mcf.set_node_supply(sink, -self.total)

    def _set(self, c: ShopSet, n: int) -> None:
        into, out = self.arcs[c]
        for arc, vol in into:
            self.mcf.set_arc_capacity(arc, min(vol, self.cap * n))
        self.mcf.set_arc_capacity(out[0], self.lo * n)
        self.mcf.set_arc_capacity(out[1], (self.cap - self.lo) * n)

    def cost(self, change: tuple[ShopSet, int] | None = None) -> int:
        """The slot's cost with the current heads, or with `change` = (set, +1 or -1) applied."""
        heads = dict(self.heads)
        if change is not None:
            heads[change[0]] = heads.get(change[0], 0) + change[1]
        under_max = self.w_under * self.lo * sum(heads.values())
        if not self.total:
            if change is None:
                self.under = self.lo * sum(heads.values())
            return under_max
        if change is not None and change[0] in self.arcs:
            self._set(change[0], heads[change[0]])
        try:
            if self.mcf.solve() != self.mcf.OPTIMAL:  # cannot happen: every shop reaches the sink
                raise RuntimeError("min-cost flow of a roster slot failed")
            if change is None:
                self.short = sum(self.mcf.flow(arc) for arc in self.unc_arcs)
                filled = sum(self.mcf.flow(out[0]) for _, out in self.arcs.values())
                self.under = self.lo * sum(heads.values()) - filled
            return int(self.mcf.optimal_cost()) + under_max
        finally:
            if change is not None and change[0] in self.arcs:
                self._set(change[0], self.heads.get(change[0], 0))

    def move(self, c: ShopSet, sign: int) -> None:
        """Apply a head count change for good."""
        self.heads[c] = self.heads.get(c, 0) + sign
        if self.total and c in self.arcs:
            self._set(c, self.heads[c])


def slot_costs(problem: Problem, sets: dict[str, ShopSet]) -> dict[tuple[date, str], SlotCost]:
    """A :class:`SlotCost` per (day, shift) of the month, with no heads yet."""
    cfg = problem.config
    per_slot: dict[tuple[date, str], dict[str, int]] = {}
    for (d, p, s), vol in problem.volume().items():
        per_slot.setdefault((d, s), {})[p] = vol
    distinct = sorted(set(sets.values()))
    return {(d, s): SlotCost(cfg, s, per_slot.get((d, s), {}), distinct)
            for d in problem.days for s in cfg.shift_ids}


def polish(problem: Problem, states: dict[tuple[str, date], str], sets: dict[str, ShopSet],
           phase: dict[str, bool], max_rounds: int = 30) -> dict[tuple[str, date], str]:
    """A better starting roster: `states` with workdays moved while that lowers the slots'
    cost (see the module docstring). Returns a new dict; `states` is left as it is."""
    cfg = problem.config
    if cfg.contracts:
        return dict(states)
    rules = cfg.rules
    days = list(problem.days)
    n = len(days)
    state = dict(states)
    shift_ids = set(cfg.shift_ids)
    night_ids = {s.id for s in cfg.shifts if s.is_night}
    half_month = rules.rotation == "half-month" and bool(night_ids) and bool(shift_ids - night_ids)
    forbidden = forbidden_successions(cfg)
    prev = problem.previous_states()
    first = days[0]
    agents = {a.id: a for a in problem.agents}
    carries = {(a.id, d): not a.in_training(d, rules.training_days) for a in problem.agents for d in days}
    fixed = set(fixed_states(problem))
    w_req = cfg.weights.request
    requests: dict[tuple[str, date], list] = {}
    for r in problem.requests:
        if r.kind in ("off", "on", "avoid"):
            for d in r.days():
                requests.setdefault((r.agent_id, d), []).append(r)

    def req_cost(a: str, d: date, st: str) -> int:
        return sum(w_req * r.weight for r in requests.get((a, d), ()) if not r.met_by(st))

    # ---- heads per slot and set, and the slots' costs
    slots = slot_costs(problem, sets)
    for (a, d), st in sorted(state.items()):
        if st in shift_ids and carries.get((a, d)) and a in sets:
            slots[d, st].move(sets[a], +1)
    base = {key: slot.cost() for key, slot in slots.items()}
    delta_cache: dict[tuple[date, str, ShopSet, int], int] = {}

    def delta(d: date, s: str, c: ShopSet, sign: int) -> int:
        key = (d, s, c, sign)
        if key not in delta_cache:
            delta_cache[key] = slots[d, s].cost((c, sign)) - base[d, s]
        return delta_cache[key]

    def apply(a: str, d: date, s: str, sign: int) -> None:
        if carries[a, d]:
            slots[d, s].move(sets[a], sign)
            base[d, s] = slots[d, s].cost()
            for key in [k for k in delta_cache if k[0] == d and k[1] == s]:
                del delta_cache[key]

    # ---- hard rules a move must keep
    k_run = rules.max_consecutive_workdays
    need_week = rules.min_days_off_per_week
    weeks = [[days.index(d) for d in w] for w in full_weeks(days)]
    lead = first.weekday()
    week_of: dict[int, list[list[int]]] = {}
    for w in weeks:
        for i in w:
            week_of.setdefault(i, []).append(w)
    straddle = list(range(7 - lead)) if lead else []
    senior_k = rules.min_senior_per_shift

    def st_at(a: str, i: int) -> str | None:
        if i < 0:
            return prev.get((a, first + timedelta(days=i)))
        return state[a, days[i]] if i < n else None

    def works(a: str, i: int) -> bool:
        return st_at(a, i) in shift_ids

    def valid(a: str, i: int, s: str, j: int, s_j: str) -> bool:
        """Agent a may work s on day index i (now off) with day index j (now worked) off."""
        state[a, days[j]] = OFF
        try:
            before, after = st_at(a, i - 1), st_at(a, i + 1)
            if (before, s) in forbidden or (s, after) in forbidden:
                return False
            run = 1
            t = i - 1
            while t >= -k_run and works(a, t):
                run, t = run + 1, t - 1
            t = i + 1
            while t < n and works(a, t):
                run, t = run + 1, t + 1
            if run > k_run:
                return False
            for w in week_of.get(i, []):
                if sum(1 for t in w if not works(a, t)) - 1 < need_week:
                    return False
            if i in straddle and j not in straddle:
                before_days = [st_at(a, -t) for t in range(1, lead + 1)]
                if all(x is not None for x in before_days):
                    offs = sum(1 for x in before_days if x not in shift_ids) + \
                        sum(1 for t in straddle if not works(a, t))
                    if offs - 1 < need_week:
                        return False
            if half_month:  # one block of each type, in the agent's phase
                night = s in night_ids
                first_type = night == phase.get(a, False)
                for t in (range(0, i) if first_type else range(i + 1, n)):
                    st = state[a, days[t]]
                    if st in shift_ids and (st in night_ids) != night:
                        return False
            if senior_k and agents[a].senior and carries[a, days[j]]:
                if not seniors_left(a, days[j], s_j):
                    return False
            return True
        finally:
            state[a, days[j]] = s_j

    def seniors_left(a: str, d: date, s: str) -> bool:
        for p in sets[a]:
            vol = slots[d, s].vols.get(p, 0)
            if not vol:
                continue
            left = sum(1 for b, ag in agents.items() if b != a and ag.senior and p in sets.get(b, ())
                       and state[b, d] == s and carries[b, d])
            if left < min(senior_k, vol):
                return False
        return True

    def come(a: str, i: int, s: str) -> int:
        """Change in cost when agent a, off on day index i, works s there."""
        d = days[i]
        return (delta(d, s, sets[a], +1) if carries[a, d] else 0) + req_cost(a, d, s) - req_cost(a, d, OFF)

    def leave(a: str, j: int, s: str) -> int:
        """Change in cost when agent a, working s on day index j, is off there."""
        d = days[j]
        return (delta(d, s, sets[a], -1) if carries[a, d] else 0) + req_cost(a, d, OFF) - req_cost(a, d, s)

    def move_cost(a: str, i: int, j: int, s: str) -> int:
        """Change in cost when agent a works s on day index i instead of day index j."""
        return come(a, i, s) + leave(a, j, s)

    def do_move(a: str, i: int, j: int, s: str) -> None:
        apply(a, days[j], s, -1)
        state[a, days[j]] = OFF
        state[a, days[i]] = s
        apply(a, days[i], s, +1)

    def same_class(i: int, j: int) -> bool:
        return (days[i].weekday() >= 5) == (days[j].weekday() >= 5)

    def workdays_of(a: str, s: str, like: int) -> list[int]:
        """Day indices agent a works shift s, may give up, of the same weekend class as `like`."""
        return [j for j in range(n) if state[a, days[j]] == s and (a, days[j]) not in fixed and same_class(j, like)]

    def single_moves() -> int:
        moved = 0
        for a in order:
            work = [j for j in range(n) if state[a, days[j]] in shift_ids and (a, days[j]) not in fixed]
            off = [i for i in range(n) if state[a, days[i]] == OFF and (a, days[i]) not in fixed]
            # a head more lowers a slot's cost only where inquiries are uncovered, a head less
            # only where some set is below band min: other pairs cannot gain (unless requests)
            gains = []
            for j in work:
                s, dj = state[a, days[j]], days[j]
                j_helps = slots[dj, s].under > 0 or (a, dj) in requests
                for i in off:
                    di = days[i]
                    if not same_class(i, j):
                        continue
                    if not j_helps and not slots[di, s].short and (a, di) not in requests:
                        continue
                    gain = come(a, i, s)
                    if gain >= 0 and not j_helps:
                        continue
                    total = gain + leave(a, j, s)
                    if total < 0:
                        gains.append((total, i, j, s))
            for total, i, j, s in sorted(gains):
                if valid(a, i, s, j, s):
                    do_move(a, i, j, s)
                    moved += 1
                    break
        return moved

    def chain_moves() -> int:
        """Where inquiries stay uncovered and no single move helps: agent b comes in on the short
        slot from another day j, and agent a fills b's place on day j from a day of their own."""
        moved = 0
        for (d, s), slot in sorted(slots.items()):
            if not slot.short:
                continue
            i = days.index(d)
            comers = sorted((move_gain, b) for b in order
                            if state[b, d] == OFF and (b, d) not in fixed and carries[b, d]
                            and (move_gain := delta(d, s, sets[b], +1)) < 0)
            done = False
            for _, b in comers[:8]:
                js = sorted((move_cost(b, i, j, s), j) for j in workdays_of(b, s, i))[:5]
                for cost_b, j in js:
                    if done or not valid(b, i, s, j, s):
                        continue
                    do_move(b, i, j, s)
                    dj, best = days[j], None
                    for a in order:
                        if a == b or state[a, dj] != OFF or (a, dj) in fixed or not carries[a, dj]:
                            continue
                        if cost_b + delta(dj, s, sets[a], +1) >= 0:
                            continue
                        for k in workdays_of(a, s, j):
                            total = cost_b + move_cost(a, j, k, s)
                            if total < 0 and (best is None or total < best[0]) and valid(a, j, s, k, s):
                                best = (total, a, k)
                    if best is None:
                        do_move(b, j, i, s)  # undo
                        continue
                    do_move(best[1], j, best[2], s)
                    moved += 1
                    done = True
                if done:
                    break
        return moved

    order = sorted(a for a in agents if a in sets)
    for _ in range(max_rounds):
        if not single_moves() and not chain_moves():
            break
    return state


__all__ = ["SlotCost", "polish", "slot_costs"]
