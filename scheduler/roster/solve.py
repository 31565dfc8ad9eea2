"""Build the roster model, solve it with CP-SAT, and turn the solution into tidy tables."""

from __future__ import annotations

import time
from datetime import date
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd
from ortools.sat.python import cp_model

from ..config import SolverConfig
from ..domain import LEAVE, OFF, Problem
from ..io import COVERAGE_COLUMNS, ROSTER_COLUMNS
from .objective import Penalty, minimize, violations
from . import parameters
from .parameters import configure_solver, time_budget
from .greedy import greedy_states
from .polish import polish
from .rules import HARD_RULES, SOFT_RULES
from .shops import choose_shop_sets
from .variables import RosterVars, build_variables


class RosterError(Exception):
    """The model has no roster to give: hard rules conflict, or no solution within the time limit."""


@dataclass
class RosterResult:
    status: str
    objective: float
    best_bound: float
    solve_seconds: float
    first_solution_seconds: float | None  # a valid roster first in hand: completed start or search
    roster: pd.DataFrame      # date, agent_id, shift, shop, load
    coverage: pd.DataFrame    # date, shop, shift, volume, agents, assigned, uncovered
    violations: pd.DataFrame  # soft rules broken: rule, where, amount, cost
    parameters: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        # every penalty is a non-negative weight times a non-negative amount, so 0 is a valid
        # bound; CP-SAT reports a negative one when its LP never ran (large models, few workers)
        self.best_bound = max(0.0, self.best_bound)

    @property
    def gap(self) -> float:
        return (self.objective - self.best_bound) / max(1.0, abs(self.objective))


@dataclass
class BuiltModel:
    model: cp_model.CpModel
    vars: RosterVars
    penalties: list[Penalty]


def build_model(problem: Problem, fixed_sets: dict | None = None, explain: bool = False,
                hint: bool = True) -> BuiltModel:
    """Variables, every hard rule, every soft rule's penalties, and the objective.

    `fixed_sets` (agent id -> shop set) fixes the shops each agent serves, as chosen by the
    first stage (:func:`choose_shop_sets`); without it the model chooses them too. With
    `explain`, every hard constraint is guarded by an assumption literal per (rule, who).
    `hint=False` skips the starting roster (the CS greedy), e.g. for head-count-only problems.
    """
    model = cp_model.CpModel()
    v = build_variables(model, problem, fixed_sets, explain)
    for rule in HARD_RULES:
        rule(v)
    penalties = [p for rule in SOFT_RULES for p in rule(v)]
    minimize(model, penalties)
    if problem.plan is not None:
        _hint(v, problem.plan_states())
    elif hint:
        states = greedy_states(problem, v.phase, fixed_sets)
        if fixed_sets:  # the polish costs slots by the shop sets, so it needs them chosen
            states = polish(problem, states, fixed_sets, v.phase)
        _hint(v, states)
    return BuiltModel(model, v, penalties)


def _hint(v: RosterVars, states: dict) -> None:
    """Start the search from a roster: the published plan when re-planning, else the greedy one."""
    v.hint_states = states
    for (a, d), off in v.off.items():
        st = states.get((a, d))
        if st is None:
            continue
        v.model.add_hint(off, st in (OFF, LEAVE))
        for s in v.problem.config.shift_ids:
            v.model.add_hint(v.shift[a, d, s], st == s)


def complete_hint(built: BuiltModel, cfg: SolverConfig, seconds: float) -> cp_model.CpSolver | None:
    """Turn the partial hint (who works which shift) into a complete, feasible one.

    A copy of the model with the hinted shifts fixed is solved briefly (loads, uncovered,
    penalties follow); its whole solution becomes the hint, so CP-SAT starts from a valid roster
    instead of repairing a partial one. Returns the copy's solver (its values index the model's
    variables too), or None (hint left partial) when the hinted shifts break a hard rule or the
    copy finds nothing in `seconds`.
    """
    v = built.vars
    states = getattr(v, "hint_states", None)
    if not states:
        return None
    fixed = built.model.clone()
    proto_vars = lambda m, x: m.get_bool_var_from_proto_index(x.index)  # noqa: E731
    for (a, d), off in v.off.items():
        st = states.get((a, d))
        if st is None:
            return None
        fixed.add(proto_vars(fixed, off) == int(st in (OFF, LEAVE)))
        for s in v.problem.config.shift_ids:
            fixed.add(proto_vars(fixed, v.shift[a, d, s]) == int(st == s))
    fixed.clear_hints()
    solver = cp_model.CpSolver()
    parameters.configure_solver(solver, cfg, seconds)
    solver.parameters.log_search_progress = False
    # with the shifts fixed, what is left (loads, uncovered) is found good at once and then
    # proven optimal slowly (17 s for 300 agents, 8 s at 10%); a hint needs no proof
    solver.parameters.relative_gap_limit = 0.05
    status = solver.solve(fixed)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    built.model.clear_hints()
    for i in range(len(built.model.proto.variables)):
        var = built.model.get_int_var_from_proto_index(i)
        built.model.add_hint(var, solver.value(fixed.get_int_var_from_proto_index(i)))
    return solver


def explain_infeasible(problem: Problem, fixed_sets: dict | None, seconds: float = 20.0) -> list[str]:
    """Which hard rules, about whom, cannot hold together: a small set of (rule, who) whose
    constraints are already infeasible together (CP-SAT sufficient assumptions)."""
    built = build_model(problem, fixed_sets, explain=True)
    keys = list(built.vars.assumptions)
    built.model.add_assumptions([built.vars.assumptions[k] for k in keys])
    built.model.clear_objective()
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = seconds
    status = solver.solve(built.model)
    if status != cp_model.INFEASIBLE:
        return []
    by_index = {built.vars.assumptions[k].index: k for k in keys}
    core = [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index]
    return [f"{rule} for {who}" for rule, who in sorted(core)]


class _FirstSolution(cp_model.CpSolverSolutionCallback):
    def __init__(self, started: float):
        super().__init__()
        self.started = started
        self.first: float | None = None

    def on_solution_callback(self) -> None:
        if self.first is None:
            self.first = time.perf_counter() - self.started


def solve_roster(problem: Problem, log_callback: Callable[[str], None] | None = None,
                 prove: bool = False) -> RosterResult:
    """Solve one month. Raises RosterError when there is no roster to return.

    `prove`: the bound matters as much as the roster (hiring probes), so deterministic mode
    keeps its full-problem workers instead of searching by LNS alone."""
    cfg = problem.config.solver
    started = time.perf_counter()
    sets = choose_shop_sets(problem)
    built = build_model(problem, sets)
    hint_s, search_s = time_budget(cfg)
    start_solver = complete_hint(built, cfg, hint_s)
    # from here a valid roster is in hand: the search starts from it, and it is what is
    # returned if the search reports nothing in time
    start_at = time.perf_counter() - started if start_solver is not None else None
    if not cfg.deterministic:  # wall clock: the shop sets, the model and the hint count too
        search_s = max(search_s / 4, cfg.time_limit_s - (time.perf_counter() - started))
    solver = cp_model.CpSolver()
    configure_solver(solver, cfg, search_s)
    if cfg.deterministic and cfg.workers > 1 and start_solver is not None and not prove:
        # interleaved (deterministic) search runs each full-problem worker as one long task per
        # batch, so LNS barely runs (M: one LNS round in 20 units, objective 1072); from a valid
        # complete hint, LNS alone does better (M: 330 rounds, objective 240). No bound beyond
        # the fixed penalties is proven then.
        solver.parameters.use_lns_only = True
    if log_callback is not None:
        solver.parameters.log_search_progress = True
        solver.parameters.log_to_stdout = False
        solver.log_callback = log_callback
    first = _FirstSolution(started)
    status = solver.solve(built.model, first)
    elapsed = time.perf_counter() - started
    name = solver.status_name(status)
    if status == cp_model.INFEASIBLE:
        core = explain_infeasible(problem, sets)
        detail = ("these hard rules conflict: " + "; ".join(core)) if core else \
            "check fixed assignments, leave, days-off bounds, rotation and rest rules"
        raise RosterError(f"the hard rules cannot all hold this month (INFEASIBLE); {detail}")
    if status == cp_model.MODEL_INVALID:
        raise RosterError(f"internal error: CP-SAT reports the model invalid ({solver.response_stats()})")
    source = "search"
    bound = solver.best_objective_bound
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if start_solver is None:
            raise RosterError(f"no roster found within solver.time_limit_s={problem.config.solver.time_limit_s:g} s "
                              f"(status {name}); raise the time limit")
        # the search ran out of time before reporting anything: the valid starting roster stands
        solver, name, source = start_solver, "FEASIBLE", "starting roster (the search found nothing in time)"
    roster = roster_frame(solver, built.vars)
    return RosterResult(
        status=name,
        objective=solver.objective_value,
        best_bound=bound if source != "search" else solver.best_objective_bound,
        solve_seconds=elapsed,
        first_solution_seconds=min((t for t in (start_at, first.first) if t is not None), default=None),
        roster=roster,
        coverage=coverage_frame(roster, solver, built.vars),
        violations=violations(solver, built.penalties),
        parameters={"time_limit_s": problem.config.solver.time_limit_s, "workers": solver.parameters.num_workers,
                    "seed": solver.parameters.random_seed, "deterministic": problem.config.solver.deterministic,
                    "source": source},
    )


def split_loads(solver: cp_model.CpSolver, v: RosterVars) -> dict[tuple[str, date, str], list[tuple[str, int]]]:
    """Per-agent loads from the set flows.

    Each set's flow on a shift is shared among its working agents as evenly as whole
    inquiries allow (water-filling), after each senior counted for tier cover got one inquiry
    of the shop they cover. Shops are then filled in turn, starting from a different agent each
    day so that every agent's month mixes the set's shops alike. Every agent stays within band
    max (the set's flow is at most band max times its agents) on shops of their set.
    """
    flows: dict[tuple, dict[str, int]] = {}
    for (d, s, c, p), f in v.flow.items():
        val = int(solver.value(f))
        if val:
            flows.setdefault((d, s, c), {})[p] = val
    covers: dict[tuple, list[str]] = {}
    for (a, d, s, c, p), x in v.cover.items():
        if solver.value(x):
            covers.setdefault((a, d, s), []).append(p)
    out: dict[tuple[str, date, str], list[tuple[str, int]]] = {}
    for (d, s, c), staffed in v._by_slot.items():
        agents = sorted(a for (a, _, _, _), x in staffed.items() if solver.value(x))
        if not agents:
            continue
        left = dict(flows.get((d, s, c), {}))
        reserved = {a: [p for p in covers.get((a, d, s), []) if p in left] for a in agents}
        for a, ps in reserved.items():
            for p in ps:
                left[p] -= 1
        loads = _water_fill(sum(flows.get((d, s, c), {}).values()), [len(reserved[a]) for a in agents])
        shift = v.problem.days.index(d) % len(agents)
        order = agents[shift:] + agents[:shift]
        pos = dict(zip(agents, loads))
        queue = [(p, n) for p, n in sorted(left.items(), key=lambda t: -t[1]) if n > 0]
        for a in order:
            pieces = {p: 1 for p in reserved[a]}
            need = pos[a] - len(reserved[a])
            while need > 0 and queue:
                p, n = queue[0]
                take = min(need, n)
                pieces[p] = pieces.get(p, 0) + take
                need -= take
                queue[0] = (p, n - take)
                if queue[0][1] == 0:
                    queue.pop(0)
            out[a, d, s] = sorted(pieces.items())
    return out


def _water_fill(total: int, floors: list[int]) -> list[int]:
    """Whole loads adding to `total`, each at least its floor, as equal as possible."""
    lo, hi = 0, total
    while lo < hi:  # largest level with sum(max(floor, level)) <= total
        mid = (lo + hi + 1) // 2
        if sum(max(f, mid) for f in floors) <= total:
            lo = mid
        else:
            hi = mid - 1
    loads = [max(f, lo) for f in floors]
    rest = total - sum(loads)
    for i in range(len(loads)):
        if rest and loads[i] == lo:
            loads[i] += 1
            rest -= 1
    return loads


def roster_frame(solver: cp_model.CpSolver, v: RosterVars) -> pd.DataFrame:
    """One row per agent, day and shop served; off/leave rows have an empty shop and load 0.

    A worked shift with no load (overstaffing, training) gets one row on the agent's main shop.
    """
    cfg = v.problem.config
    loads = split_loads(solver, v)
    rows = []
    for agent in v.problem.agents:
        a = agent.id
        chosen = next(c for c in v.sets[a] if solver.value(v.member[a, c]))
        totals = {p: 0 for p in chosen}
        for (aa, _, _), pieces in loads.items():
            if aa == a:
                for p, val in pieces:
                    totals[p] += val
        main = max(chosen, key=lambda p: (totals[p], -chosen.index(p)))
        for d in v.problem.days:
            if d in v.leave[a]:
                rows.append((d, a, LEAVE, "", 0))
                continue
            worked = next((s for s in cfg.shift_ids if solver.value(v.shift[a, d, s])), None)
            if worked is None:
                rows.append((d, a, OFF, "", 0))
                continue
            pieces = sorted(loads.get((a, d, worked), []), key=lambda t: p_order(t[0], main))
            rows.extend([(d, a, worked, p, val) for p, val in pieces] or [(d, a, worked, main, 0)])
    return pd.DataFrame(rows, columns=ROSTER_COLUMNS)


def states_frame(problem: Problem, states: dict) -> pd.DataFrame:
    """A roster given as (agent, day) -> shift id (missing: off), as roster rows, for problems
    without inquiry volume (head-count demand): a worked shift is on the agent's first allowed
    shop with load 0; leave days come from the requests."""
    shops = problem.config.shop_ids
    rows = []
    for agent in problem.agents:
        a, leave = agent.id, problem.leave_days(agent.id)
        shop = agent.allowed_shops(shops)[0]
        for d in problem.days:
            st = LEAVE if d in leave else states.get((a, d), OFF)
            rows.append((d, a, st, "" if st in (OFF, LEAVE) else shop, 0))
    return pd.DataFrame(rows, columns=ROSTER_COLUMNS)


def p_order(shop: str, main: str) -> int:
    return 0 if shop == main else 1


def coverage_frame(roster: pd.DataFrame, solver: cp_model.CpSolver, v: RosterVars) -> pd.DataFrame:
    worked = roster[roster["load"] > 0]
    agg = worked.groupby(["date", "shop", "shift"]).agg(agents=("agent_id", "nunique"), assigned=("load", "sum"))
    rows = []
    for (d, p, s), vol in v.volume.items():
        n, got = agg.loc[(d, p, s)] if (d, p, s) in agg.index else (0, 0)
        rows.append((d, p, s, vol, int(n), int(got), int(solver.value(v.uncovered[d, p, s]))))
    return pd.DataFrame(rows, columns=COVERAGE_COLUMNS).sort_values(["date", "shop", "shift"]).reset_index(drop=True)
