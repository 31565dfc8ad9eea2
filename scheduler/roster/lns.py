"""Agent-group large-neighbourhood search, for problems whose agents meet only in a head-count cover.

When the only thing that ties agents together is a soft head-count cover (``Problem.heads``: no
inquiry volume to share, no fairness spread that compares agents), every hard rule is about one
agent. Then the roster of a few agents can be solved again with everybody else fixed, exactly:
the fixed agents' shifts are subtracted from the head-count need (:func:`sub_problem`) and the
engine's own :func:`~scheduler.roster.solve.build_model` builds the few agents' model, with
every rule and penalty it has. No second model is written here.

* :func:`construct` - a first roster, a batch of agents at a time, each batch against the
  cover the batches before it left. Every roster it returns keeps every hard rule; it needs no
  search over the whole team, which on a year with 150 agents and 32 shift types (a model of a
  million literals) finds no roster in minutes.
* :func:`improve` - repeatedly picks a group of agents (at random, or agents of one contract,
  the ones whose shifts can trade places) and, on longer horizons, sometimes only a window of
  days for a larger group (the other days stay fixed); solves that neighbourhood with the
  current roster as hint and keeps the result when its cost is not higher. The group grows
  while neighbourhoods are solved to optimality and shrinks when they time out.

Both go through :func:`~scheduler.roster.parameters.configure_solver`. In deterministic mode
every budget is CP-SAT deterministic time and the loop stops on the deterministic time spent, so
the same inputs and seed give the same roster.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

import numpy as np
from ortools.sat.python import cp_model

from ..config import SolverConfig
from ..domain import LEAVE, OFF, Problem
from .parameters import configure_solver, light_presolve

States = dict[tuple[str, date], str]  # (agent id, day) -> shift id, off or leave


class LnsError(Exception):
    """The agent-group search cannot be used here, or an agent's own rules admit no roster."""


def not_separable(problem: Problem) -> str | None:
    """Why the agents of `problem` cannot be re-solved a group at a time, or None when they can."""
    w = problem.config.weights
    if problem.heads is None or problem.heads.empty:
        return "it has no head-count demand (Problem.heads)"
    if len(problem.demand):
        return "agents share inquiry volume through shop flows"
    if w.nights_spread or w.workdays_spread or w.weekend_off_spread:
        return "fairness spreads compare agents with each other (weights.*_spread > 0)"
    return None


def sub_problem(problem: Problem, keep: set[str], states: States) -> Problem:
    """The problem of the agents in `keep` alone, every other agent fixed as in `states`: their
    shifts are taken off the head-count need (which may go below zero: overstaffed already).
    Agents neither kept nor in `states` are left out (not yet placed)."""
    placed = Counter((d, st) for (a, d), st in states.items() if a not in keep and st not in (OFF, LEAVE))
    heads = problem.heads.copy()
    heads["heads"] = [int(h) - placed.get((d, s), 0)
                      for d, s, h in zip(heads["date"], heads["shift"], heads["heads"])]
    return dataclasses.replace(problem, agents=tuple(a for a in problem.agents if a.id in keep),
                               requests=tuple(r for r in problem.requests if r.agent_id in keep),
                               heads=heads)


@dataclass
class _Neighbourhood:
    """One built neighbourhood: its model, and per free (agent, day) the literals of each state."""

    model: cp_model.CpModel
    free: dict[tuple[str, date], dict[str, cp_model.IntVar]]   # state -> literal (off included)
    domains: dict[int, tuple[int, int]] = field(default_factory=dict)


def _build(problem: Problem, keep: list[str], states: States, window: tuple[date, date] | None) -> _Neighbourhood:
    from .solve import build_model  # solve imports nothing from here; a late import keeps it so

    built = build_model(sub_problem(problem, set(keep), states), hint=False)
    v = built.vars
    proto = built.model.proto
    free: dict[tuple[str, date], dict[str, cp_model.IntVar]] = {}
    for (a, d), off in v.off.items():
        lits = {OFF: off}
        lits.update({s: v.shift[a, d, s] for s in problem.config.shift_ids if v.can_work(a, s)})
        if window is None or window[0] <= d <= window[1] or (a, d) not in states:
            free[a, d] = lits
            continue
        st = states[a, d]
        for name, x in lits.items():  # outside the window: fixed to the current roster
            _set_domain(proto, x.index, int(name == st), int(name == st))
    return _Neighbourhood(built.model, free)


def _set_domain(proto, index: int, lo: int, hi: int) -> None:
    """Domain [lo, hi] of a literal in place (a literal's domain is one interval)."""
    dom = proto.variables[index].domain
    dom[0], dom[1] = lo, hi


def _fix(nb: _Neighbourhood, states: States) -> None:
    for (a, d), lits in nb.free.items():
        for name, x in lits.items():
            dom = nb.model.proto.variables[x.index].domain
            nb.domains.setdefault(x.index, (dom[0], dom[1]))
            _set_domain(nb.model.proto, x.index, int(name == states[a, d]), int(name == states[a, d]))


def _unfix(nb: _Neighbourhood) -> None:
    for i, (lo, hi) in nb.domains.items():
        _set_domain(nb.model.proto, i, lo, hi)
    nb.domains.clear()


def _read(solver: cp_model.CpSolver, nb: _Neighbourhood) -> States:
    return {key: next(name for name, x in lits.items() if solver.value(x)) for key, lits in nb.free.items()}


@dataclass
class _Budget:
    """Wall-clock seconds, or CP-SAT deterministic time in deterministic mode (then only the
    solver's own deterministic time counts, so the loop stops at the same step on any machine)."""

    cfg: SolverConfig
    limit: float
    spent: float = 0.0
    started: float = field(default_factory=time.perf_counter)

    def left(self) -> float:
        used = self.spent if self.cfg.deterministic else time.perf_counter() - self.started
        return self.limit - used

    def charge(self, solver: cp_model.CpSolver) -> None:
        self.spent += solver.deterministic_time


def _solver(cfg: SolverConfig, seconds: float, seed: int) -> cp_model.CpSolver:
    """A neighbourhood's solver. Its LP has every constraint linearised (the run, weekend and
    succession rules of a few agents are small, and their clauses' cuts are what proves a
    neighbourhood optimal): with two or more workers one full-LP worker beside the default
    one, with one worker linearisation level 2. Measured on two- to four-agent neighbourhoods
    of Curtois instances 8 and 13: 0.07-2.5 s to optimal, against 0.6-7 s with the default."""
    solver = cp_model.CpSolver()
    configure_solver(solver, cfg, seconds)
    solver.parameters.random_seed = seed
    solver.parameters.log_search_progress = False
    if cfg.workers >= 2:
        solver.parameters.subsolvers.extend(["max_lp", "default_lp"])
    else:
        solver.parameters.linearization_level = 2
    return solver


def construct(problem: Problem, cfg: SolverConfig, seconds: float, batch: int = 4) -> States:
    """A roster that keeps every hard rule: agents in batches of `batch`, in the problem's
    order, each batch solved against the head-count need the batches before it left, for an
    equal share of what is left of `seconds`. A batch with no roster in its share is split: it
    and the batches after it are halved (on a year of 32 shift types one agent's own rules
    alone take CP-SAT 1-3 s). A single agent with no roster in its share is solved again to
    its first solution only, for up to FIRST_ROSTER_S (a roster is worth more than the
    budget); once the budget is spent and two agents in a row needed that, so does every
    agent after them, two at a time (:func:`_first_rosters`). Raises LnsError when a batch's
    own rules admit no roster, or one agent has none after that."""
    reason = not_separable(problem)
    if reason:
        raise LnsError(f"agent-group search does not apply: {reason}")
    budget = _Budget(cfg, seconds)
    states: States = {(a.id, d): LEAVE for a in problem.agents for d in problem.leave_days(a.id)}
    todo = [a.id for a in problem.agents]
    n = misses = 0
    while todo:
        group, todo = todo[:batch], todo[batch:]
        nb = _build(problem, group, states, None)
        share = max(budget.left() * len(group) / (len(group) + len(todo)), 0.1)
        solver = _solver(cfg, share, cfg.seed + n)
        light_presolve(solver, nb.model)
        status = solver.solve(nb.model)
        budget.charge(solver)
        n += 1
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.INFEASIBLE):
            batch = max(1, batch // 2)
            if len(group) > 1:  # again in smaller batches
                todo = group + todo
                continue
            # one agent alone has no roster in its share: its model's first solution. Once
            # the budget is spent and this happens twice in a row, every agent left gets one
            # too (their shares are no longer), two at a time
            misses += 1
            rest = budget.left() <= 0 and misses >= 2
            states.update(_first_rosters(problem, cfg, group + todo if rest else group, budget, cfg.seed + n, states))
            if rest:
                break
            continue
        if status == cp_model.INFEASIBLE:
            raise LnsError(f"agents {', '.join(group)}: their own hard rules admit no roster")
        misses = 0
        states.update(_read(solver, nb))
    return states


FIRST_ROSTER_S = 30.0  # at most this long for one agent's first roster (its model's first solution)


def _first_rosters(problem: Problem, cfg: SolverConfig, agents: list[str], budget: "_Budget",
                   seed: int, states: States) -> States:
    """Each agent's first roster that keeps its own hard rules: CP-SAT stops at its first
    solution of the agent's model with the objective, against the head-count need the rosters
    in `states` and those of the agents before it leave. One worker per agent (linearization
    level 2: on a year of 32 shift types a search without the LP finds no roster in 30 s,
    with it 1-3 s), two agents at a time when cfg.workers >= 2: both of a pair see the same
    rosters (those of the pairs before), so the result does not depend on timing. Each for up
    to FIRST_ROSTER_S. Raises LnsError when an agent's rules admit no roster or none is found
    in that time."""
    def one(i: int, a: str, seen: States) -> tuple[cp_model.CpSolver, _Neighbourhood, int]:
        nb = _build(problem, [a], seen, None)
        solver = cp_model.CpSolver()
        configure_solver(solver, cfg, FIRST_ROSTER_S)
        solver.parameters.num_workers = 1
        solver.parameters.interleave_search = False  # one search, the LP-guided one
        solver.parameters.linearization_level = 2
        solver.parameters.random_seed = seed + i
        solver.parameters.log_search_progress = False
        solver.parameters.stop_after_first_solution = True
        light_presolve(solver, nb.model)
        return solver, nb, solver.solve(nb.model)

    width = max(1, min(2, cfg.workers))
    out: States = {}
    with ThreadPoolExecutor(max_workers=width) as pool:
        for k in range(0, len(agents), width):
            pair, seen = agents[k:k + width], {**states, **out}
            jobs = [pool.submit(one, k + j, a, seen) for j, a in enumerate(pair)]
            for a, job in zip(pair, jobs):
                solver, nb, status = job.result()
                budget.charge(solver)
                if status == cp_model.INFEASIBLE:
                    raise LnsError(f"agent {a}: its own hard rules admit no roster")
                if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    raise LnsError(f"no roster for agent {a} within {FIRST_ROSTER_S:g} s")
                out.update(_read(solver, nb))
    return out


def _around_a_slot(states: States, need: dict, ids: list[str], k: int, rng: np.random.Generator) -> list[str]:
    """`k` agents around one costly (day, shift): a slot short of its head count (drawn by the
    cost of the shortage) or, when none is short, one over it; about half of them off that day
    (they could come in) and the others working it or another shift that day (they could
    move). Random agents when the roster meets the head count exactly."""
    staffed = Counter((d, st) for (a, d), st in states.items() if st not in (OFF, LEAVE))
    slots, costs = [], []
    for (d, sh), (h, under, over) in need.items():
        gap = h - staffed.get((d, sh), 0)
        if gap:
            slots.append((d, sh))
            costs.append(gap * under if gap > 0 else -gap * over * 0.01)
    if not slots:
        return [str(a) for a in rng.choice(ids, size=k, replace=False)]
    p = np.array(costs, dtype=float)
    d, _ = slots[int(rng.choice(len(slots), p=p / p.sum()))]
    off = [a for a in ids if states.get((a, d), OFF) == OFF]
    on = [a for a in ids if states.get((a, d), OFF) not in (OFF, LEAVE)]
    keep = list(rng.choice(off, size=min(len(off), (k + 1) // 2), replace=False)) if off else []
    keep += list(rng.choice(on, size=min(len(on), k - len(keep)), replace=False)) if on else []
    rest = [a for a in ids if a not in keep]
    if len(keep) < k:
        keep += list(rng.choice(rest, size=k - len(keep), replace=False))
    return [str(a) for a in keep]


@dataclass
class LnsStats:
    """What :func:`improve` did: neighbourhoods tried, improved, solved to optimality, and the
    cost decrease over time ((seconds since start, decrease so far) per improvement)."""

    tried: int = 0
    improved: int = 0
    optimal: int = 0
    decrease: int = 0
    trace: list[tuple[float, int]] = field(default_factory=list)
    group_size: list[int] = field(default_factory=list)


def improve(problem: Problem, states: States, cfg: SolverConfig, seconds: float,
            group: int = 4, sub_seconds: float = 2.0, window_days: int = 14,
            on_improve: Callable[[States, LnsStats], None] | None = None) -> tuple[States, LnsStats]:
    """Agent-group LNS from `states` (a roster keeping every hard rule) for `seconds`.

    Each step picks a neighbourhood (seeded by cfg.seed):
    * half the time `group` agents drawn at random, or of one contract group (agents whose
      shifts can trade places one for one), whole horizon;
    * on horizons longer than four weeks, the other half: a window of `window_days` days for
      three times as many agents, the rest of their roster fixed.
    It is solved for at most `sub_seconds` with the current roster as hint. The step's cost is
    compared with the current roster's cost in the same model (solved with every literal fixed);
    the new roster is kept when it is not worse. `group` grows by one after a neighbourhood is
    solved to optimality and shrinks by one when one is not (2 to all agents)."""
    reason = not_separable(problem)
    if reason:
        raise LnsError(f"agent-group search does not apply: {reason}")
    states = dict(states)
    rng = np.random.default_rng(cfg.seed)
    budget = _Budget(cfg, seconds)
    stats = LnsStats()
    ids = [a.id for a in problem.agents]
    by_group: dict[str, list[str]] = {}
    for a in problem.agents:
        by_group.setdefault(a.group, []).append(a.id)
    days = problem.days
    long_horizon = len(days) > 28
    need = problem.head_need()
    while budget.left() > 0.05:
        k = min(group, len(ids))
        window = None
        roll = rng.random()
        if long_horizon and roll < 0.3:
            size = min(3 * k, len(ids))
            start = int(rng.integers(0, len(days) - window_days + 1))
            window = (days[start], days[start + window_days - 1])
            keep = list(rng.choice(ids, size=size, replace=False))
        elif roll < 0.8:
            keep = _around_a_slot(states, need, ids, k, rng)
        elif len(by_group) > 1:
            pool = by_group[list(by_group)[int(rng.integers(0, len(by_group)))]]
            keep = list(rng.choice(pool, size=min(k, len(pool)), replace=False))
            if len(keep) < k:
                rest = [a for a in ids if a not in keep]
                keep += list(rng.choice(rest, size=k - len(keep), replace=False))
        else:
            keep = list(rng.choice(ids, size=k, replace=False))
        keep = [str(a) for a in keep]
        nb = _build(problem, keep, states, window)
        _fix(nb, states)
        check = cp_model.CpSolver()
        configure_solver(check, cfg, max(1.0, sub_seconds))
        check.parameters.num_workers = 1
        status = check.solve(nb.model)
        budget.charge(check)
        if status != cp_model.OPTIMAL:
            raise LnsError(f"the current roster of {', '.join(keep)} breaks a hard rule "
                           f"({check.status_name(status)} with every day fixed)")
        current = int(round(check.objective_value))
        _unfix(nb)
        for (a, d), lits in nb.free.items():
            for name, x in lits.items():
                nb.model.add_hint(x, name == states[a, d])
        solver = _solver(cfg, min(sub_seconds, max(budget.left(), 0.05)), cfg.seed + stats.tried)
        light_presolve(solver, nb.model)
        status = solver.solve(nb.model)
        budget.charge(solver)
        stats.tried += 1
        stats.group_size.append(k)
        if status == cp_model.OPTIMAL:
            stats.optimal += 1
            if window is None:
                group = min(group + 1, len(ids))
        elif window is None:
            group = max(2, group - 1)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            continue
        found = int(round(solver.objective_value))
        if found <= current:
            states.update(_read(solver, nb))
            if found < current:
                stats.improved += 1
                stats.decrease += current - found
                stats.trace.append((round(time.perf_counter() - budget.started, 2), stats.decrease))
                if on_improve is not None:
                    on_improve(states, stats)
    return states, stats
