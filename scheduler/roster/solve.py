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
    first_solution_seconds: float | None
    roster: pd.DataFrame      # date, agent_id, shift, shop, load
    coverage: pd.DataFrame    # date, shop, shift, volume, agents, assigned, uncovered
    violations: pd.DataFrame  # soft rules broken: rule, where, amount, cost
    parameters: dict = field(default_factory=dict)

    @property
    def gap(self) -> float:
        return (self.objective - self.best_bound) / max(1.0, abs(self.objective))


@dataclass
class BuiltModel:
    model: cp_model.CpModel
    vars: RosterVars
    penalties: list[Penalty]


def build_model(problem: Problem, fixed_sets: dict | None = None) -> BuiltModel:
    """Variables, every hard rule, every soft rule's penalties, and the objective.

    `fixed_sets` (agent id -> shop set) fixes the shops each agent serves, as chosen by the
    first stage (:func:`choose_shop_sets`); without it the model chooses them too.
    """
    model = cp_model.CpModel()
    v = build_variables(model, problem, fixed_sets)
    for rule in HARD_RULES:
        rule(v)
    penalties = [p for rule in SOFT_RULES for p in rule(v)]
    minimize(model, penalties)
    return BuiltModel(model, v, penalties)


def configure_solver(solver: cp_model.CpSolver, cfg: SolverConfig) -> None:
    """All CP-SAT settings go through `solver.parameters` (plain attributes are ignored)."""
    if cfg.deterministic:
        solver.parameters.max_deterministic_time = cfg.time_limit_s
        solver.parameters.interleave_search = cfg.workers > 1
    else:
        solver.parameters.max_time_in_seconds = cfg.time_limit_s
    solver.parameters.num_workers = cfg.workers
    solver.parameters.random_seed = cfg.seed
    solver.parameters.log_search_progress = cfg.log


class _FirstSolution(cp_model.CpSolverSolutionCallback):
    def __init__(self, started: float):
        super().__init__()
        self.started = started
        self.first: float | None = None

    def on_solution_callback(self) -> None:
        if self.first is None:
            self.first = time.perf_counter() - self.started


def solve_roster(problem: Problem, log_callback: Callable[[str], None] | None = None) -> RosterResult:
    """Solve one month. Raises RosterError when there is no roster to return."""
    built = build_model(problem, choose_shop_sets(problem))
    solver = cp_model.CpSolver()
    configure_solver(solver, problem.config.solver)
    if log_callback is not None:
        solver.parameters.log_search_progress = True
        solver.log_callback = log_callback
    started = time.perf_counter()
    first = _FirstSolution(started)
    status = solver.solve(built.model, first)
    elapsed = time.perf_counter() - started
    name = solver.status_name(status)
    if status == cp_model.INFEASIBLE:
        raise RosterError("the hard rules cannot all hold this month (INFEASIBLE): check leave requests, "
                          "days-off bounds, rotation and rest rules against the month's length")
    if status == cp_model.MODEL_INVALID:
        raise RosterError(f"internal error: CP-SAT reports the model invalid ({solver.response_stats()})")
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise RosterError(f"no roster found within solver.time_limit_s={problem.config.solver.time_limit_s:g} s "
                          f"(status {name}); raise the time limit")
    roster = roster_frame(solver, built.vars)
    return RosterResult(
        status=name,
        objective=solver.objective_value,
        best_bound=solver.best_objective_bound,
        solve_seconds=elapsed,
        first_solution_seconds=first.first,
        roster=roster,
        coverage=coverage_frame(roster, solver, built.vars),
        violations=violations(solver, built.penalties),
        parameters={"time_limit_s": problem.config.solver.time_limit_s, "workers": solver.parameters.num_workers,
                    "seed": solver.parameters.random_seed, "deterministic": problem.config.solver.deterministic},
    )


def split_loads(solver: cp_model.CpSolver, v: RosterVars) -> dict[tuple[str, date, str], list[tuple[str, int]]]:
    """Per-agent loads from the set flows: each set's flow on a shift is split evenly among its
    working agents (whole inquiries, the first agents by id take the remainder), filling the
    set's shops in turn, so each agent carries at most band max on shops of their set."""
    flows: dict[tuple, list[tuple[str, int]]] = {}
    for (d, s, c, p), f in v.flow.items():
        val = int(solver.value(f))
        if val:
            flows.setdefault((d, s, c), []).append((p, val))
    out: dict[tuple[str, date, str], list[tuple[str, int]]] = {}
    for (d, s, c), staffed in v._by_slot.items():
        agents = sorted(a for (a, _, _, _), x in staffed.items() if solver.value(x))
        parts = sorted(flows.get((d, s, c), []), key=lambda t: -t[1])
        total = sum(val for _, val in parts)
        if not agents:
            continue
        quotas = [total // len(agents) + (1 if i < total % len(agents) else 0) for i in range(len(agents))]
        shop_i, left = 0, parts[0][1] if parts else 0
        for a, q in zip(agents, quotas):
            pieces = []
            while q > 0:
                take = min(q, left)
                pieces.append((parts[shop_i][0], take))
                q -= take
                left -= take
                if left == 0 and shop_i + 1 < len(parts):
                    shop_i += 1
                    left = parts[shop_i][1]
            out[a, d, s] = pieces
    return out


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
