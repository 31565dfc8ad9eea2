"""Decision variables of the roster model, with readable names and bounds from the data.

Loads are modelled per *shop set*: each agent serves one set of at most
``max_shops_per_agent`` allowed shops for the month (``member``). On each day and shift the
agents of a set that work share one flow of inquiries per shop of the set (``flow``), at most
band max per agent. Agents of a set are interchangeable for the flow, so an even split of the
set's flow among them (done after solving) gives every agent a load within the band max on at
most their set's shops. This is exact, and it keeps the integer part of the model small:
one flow per (day, shift, set, shop) instead of one load per (agent, day, shift, shop).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from itertools import combinations

from ortools.sat.python import cp_model

from ..domain import Agent, Problem, shift_capacity
from .phase import night_first_phase

ShopSet = tuple[str, ...]


@dataclass
class RosterVars:
    """All decision variables, keyed by ids (agent id, date, shift id, shop id, shop set)."""

    model: cp_model.CpModel
    problem: Problem
    shift: dict[tuple[str, date, str], cp_model.IntVar] = field(default_factory=dict)  # works shift s
    off: dict[tuple[str, date], cp_model.IntVar] = field(default_factory=dict)           # day off
    member: dict[tuple[str, ShopSet], cp_model.IntVar] = field(default_factory=dict)     # agent serves set
    staffed: dict[tuple[str, date, str, ShopSet], cp_model.IntVar] = field(default_factory=dict)  # works s for set
    flow: dict[tuple[date, str, ShopSet, str], cp_model.IntVar] = field(default_factory=dict)     # inquiries
    uncovered: dict[tuple[date, str, str], cp_model.IntVar] = field(default_factory=dict)
    volume: dict[tuple[date, str, str], int] = field(default_factory=dict)
    leave: dict[str, set[date]] = field(default_factory=dict)
    never: set[tuple[str, str]] = field(default_factory=set)  # (agent, shift) the contract forbids (max 0)
    sets: dict[str, list[ShopSet]] = field(default_factory=dict)  # candidate sets per agent
    cover: dict[tuple[str, date, str, ShopSet, str], cp_model.IntVar] = field(default_factory=dict)  # senior serves shop
    explain: bool = False  # hard constraints guarded by one assumption literal per (rule, who)
    assumptions: dict[tuple[str, str], cp_model.IntVar] = field(default_factory=dict)
    hint_states: dict = field(default_factory=dict)
    phase: dict[str, bool] = field(default_factory=dict)  # half-month rotation: starts on nights  # (agent, day) -> state the search starts from

    def _guard(self, ct: cp_model.Constraint, rule: str, who: str) -> cp_model.Constraint:
        if self.explain:
            key = (rule, who)
            if key not in self.assumptions:
                self.assumptions[key] = self.model.new_bool_var(f"assume[{rule},{who}]")
            ct.only_enforce_if(self.assumptions[key])
        return ct

    def add(self, bounded_expr, rule: str, who: str) -> cp_model.Constraint:
        """A hard linear constraint of `rule` about `who` (agent, or shop-day-shift)."""
        return self._guard(self.model.add(bounded_expr), rule, who)

    def clause(self, literals: list, rule: str, who: str) -> cp_model.Constraint:
        """A hard clause (at least one literal true) of `rule` about `who`."""
        return self._guard(self.model.add_bool_or(literals), rule, who)

    def works(self, a: str, d: date) -> cp_model.LinearExprT:
        """1 when agent `a` works any shift on day `d` (0 on leave): one literal, not off (equal
        to the sum of the shift literals by one_state_per_day). With `explain` the sum itself,
        so that no core needs one_state_per_day to link the two."""
        if self.explain:
            return sum(self.shift.get((a, d, s), 0) for s in self.problem.config.shift_ids)
        off = self.off.get((a, d))
        return 0 if off is None else 1 - off

    def can_work(self, a: str, s: str) -> bool:
        """False when agent `a`'s contract allows no shift `s` (max_shifts 0): its literals are fixed to 0."""
        return (a, s) not in self.never

    def heads(self, d: date, s: str, c: ShopSet) -> cp_model.LinearExprT:
        """Agents of set `c` working shift `s` on day `d` who carry load (not in training)."""
        return sum(self._by_slot.get((d, s, c), {}).values())

    def index(self) -> None:
        self._by_slot: dict[tuple, dict] = {}
        for (a, d, s, c), x in self.staffed.items():
            self._by_slot.setdefault((d, s, c), {})[a, d, s, c] = x


def shop_sets(agent: Agent, shops: list[str], limit: int) -> list[ShopSet]:
    """Every non-empty set of at most `limit` shops the agent may serve (never more than 3)."""
    limit = min(limit, 3)
    allowed = agent.allowed_shops(shops)
    return [c for k in range(1, min(limit, len(allowed)) + 1) for c in combinations(allowed, k)]


def carries_load(agent: Agent, day: date, problem: Problem) -> bool:
    return not agent.in_training(day, problem.config.rules.training_days)


def build_variables(model: cp_model.CpModel, problem: Problem,
                    fixed_sets: dict[str, ShopSet] | None = None, explain: bool = False) -> RosterVars:
    """Shift/off booleans per agent-day, a shop set per agent, staffed booleans per agent-day-
    shift-set, integer flows per day-shift-set-shop with volume, uncovered per shop-shift."""
    cfg = problem.config
    v = RosterVars(model, problem, volume=problem.volume(), explain=explain)
    shops = cfg.shop_ids
    for agent in problem.agents:
        a = agent.id
        v.leave[a] = problem.leave_days(a)
        contract = cfg.contract(agent.group) if cfg.contracts else None
        if contract is not None:
            v.never.update((a, s) for s, n in contract.max_shifts.items() if n == 0)
        v.sets[a] = shop_sets(agent, shops, agent.shop_limit(cfg.rules))
        if fixed_sets and a in fixed_sets:
            v.sets[a] = [fixed_sets[a]]
        for c in v.sets[a]:
            v.member[a, c] = model.new_bool_var(f"member[{a},{'+'.join(c)}]")
        for d in problem.days:
            if d in v.leave[a]:
                continue
            v.off[a, d] = model.new_bool_var(f"off[{a},{d}]")
            for s in cfg.shift_ids:
                if (a, s) in v.never:  # a literal of its own (hints need distinct ones), fixed to 0
                    v.shift[a, d, s] = model.new_int_var(0, 0, f"shift[{a},{d},{s}]")
                    continue
                v.shift[a, d, s] = model.new_bool_var(f"shift[{a},{d},{s}]")
                if not carries_load(agent, d, problem):
                    continue
                for c in v.sets[a]:
                    # with a single candidate set, "works shift s for set c" is "works shift s"
                    v.staffed[a, d, s, c] = (v.shift[a, d, s] if len(v.sets[a]) == 1 else
                                             model.new_bool_var(f"staffed[{a},{d},{s},{'+'.join(c)}]"))
                    if cfg.rules.min_senior_per_shift and agent.senior:
                        for p in c:
                            if v.volume.get((d, p, s), 0) > 0:
                                v.cover[a, d, s, c, p] = model.new_bool_var(f"cover[{a},{d},{s},{p}]")
    v.index()
    v.phase = night_first_phase(problem, fixed_sets)
    members: dict[ShopSet, int] = {}
    for a, c in v.member:
        members[c] = members.get(c, 0) + 1
    for d in problem.days:
        for s in cfg.shift_ids:
            cap = shift_capacity(cfg, s)
            for c, n in members.items():
                for p in c:
                    vol = v.volume.get((d, p, s), 0)
                    if vol > 0 and cap > 0 and (d, s, c) in v._by_slot:
                        v.flow[d, s, c, p] = model.new_int_var(0, min(vol, cap * n), f"flow[{d},{s},{'+'.join(c)},{p}]")
    for (d, p, s), vol in v.volume.items():
        v.uncovered[d, p, s] = model.new_int_var(0, vol, f"uncovered[{d},{p},{s}]")
    return v
