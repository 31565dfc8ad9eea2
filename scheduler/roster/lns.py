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
* :func:`weekend_plan` - on horizons with weekend limits, which weekend days each agent works,
  decided for the whole team and horizon at once in a small model of days worked, and made
  to admit each agent's runs and minimum of days (:mod:`~scheduler.roster.patterns`); then
  :func:`weekend_shifts` - their shifts, a weekend at a time, and a search over groups of
  weekends that moves days and shifts for the whole team. The construction follows both
  (each agent as far as its rules admit).
* :func:`improve` - repeatedly picks a group of agents (around a costly day, or agents of one
  contract, the ones whose shifts can trade places) and, on longer horizons, sometimes only a
  window of days for a larger group (the other days stay fixed, and the model covers only the
  weeks around the window: :func:`window_problem`), or every agent over a few days; solves
  that neighbourhood with the current roster as hint and keeps the result when its cost is
  not higher. The group (and the few days) grow while neighbourhoods are solved to optimality
  and shrink when they time out.

Both go through :func:`~scheduler.roster.parameters.configure_solver`. In deterministic mode
every budget is CP-SAT deterministic time plus a fixed charge per model built
(:data:`BUILD_DTIME_PER_ELEMENT`), and the loop stops on what was spent, so the same inputs and
seed give the same roster."""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable, Collection

import numpy as np
from ortools.sat.python import cp_model

from ..config import SolverConfig
from ..domain import LEAVE, OFF, Problem, fixed_states, forbidden_successions
from .parameters import configure_solver, light_presolve
from .patterns import DayRules
from .rules import weekends

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


def sub_problem(problem: Problem, keep: set[str], states: States, days: tuple[date, date] | None = None,
                cover: bool = True) -> Problem:
    """The problem of the agents in `keep` alone, every other agent fixed as in `states`: their
    shifts are taken off the head-count need (which may go below zero: overstaffed already).
    Agents neither kept nor in `states` are left out (not yet placed). With `days` (first, last)
    only the head-count need of those days is kept (the rest is the caller's to drop). Without
    `cover`, no head-count need at all (heads None)."""
    heads = None
    if cover and days is None:
        placed = Counter((d, st) for (a, d), st in states.items() if a not in keep and st not in (OFF, LEAVE))
        heads = problem.heads.copy()
    elif cover:
        span = [d for d in problem.days if days[0] <= d <= days[1]]
        others = [a.id for a in problem.agents if a.id not in keep]
        placed = Counter((d, st) for a in others for d in span
                         if (st := states.get((a, d), OFF)) not in (OFF, LEAVE))
        heads = problem.heads[[days[0] <= d <= days[1] for d in problem.heads["date"]]].reset_index(drop=True)
    if heads is not None:
        heads["heads"] = [int(h) - placed.get((d, s), 0)
                          for d, s, h in zip(heads["date"], heads["shift"], heads["heads"])]
    return dataclasses.replace(problem, agents=tuple(a for a in problem.agents if a.id in keep),
                               requests=tuple(r for r in problem.requests if r.agent_id in keep),
                               heads=heads)


def window_problem(problem: Problem, keep: list[str], states: States,
                   window: tuple[date, date], pattern_fixed: bool = False) -> Problem | None:
    """The agents in `keep` over the days around `window` only, everybody and every other day
    fixed as in `states` (a complete roster): the same hard rules on the window's days as the
    whole-horizon model with those days fixed, in a model of a few weeks instead of the horizon.
    None when it cannot be (a rule of the whole horizon it does not restate, see below) or would
    be the whole horizon anyway.

    * Sequence rules reach at most `margin` days: the longest run limit of the kept agents'
      contracts and of ``rules.max_consecutive_workdays`` (a window of k+1 days, a forbidden
      run of fewer than m days between two others, a succession). The sub-horizon is the window
      widened by that on both sides, out to a Monday before and a Sunday after (so its calendar
      weeks and weekends are whole), within the horizon. The days it adds beyond the window
      stay in the model, fixed by the caller: every constraint that touches a window day is
      then the whole-horizon model's own, and a run cut by the sub-horizon's end has more than
      `margin` days, more than any minimum. --previous is kept only when the sub-horizon starts
      with the horizon.
    * Limits over the horizon (contract ``max_shifts`` per type, ``min_minutes`` /
      ``max_minutes``, ``max_working_weekends``) become each kept agent's own contract, less
      what the agent works outside the sub-horizon.
    * Day-off limits per calendar month and the day/night rotation count over the horizon in a
      way not restated here: with either configured this returns None.

    With `pattern_fixed` the caller keeps every kept agent's days off and days worked as in
    `states` (:func:`_keep_pattern`), so every rule that sees only days worked (runs, days off,
    weekends) holds whatever shifts are worked: only a succession reaches past the window, so
    the sub-horizon is the window and one day on each side, not widened to whole weeks, and
    the kept agents' contracts drop ``max_working_weekends`` (a weekend cut by the
    sub-horizon would count twice). Runs, weekly days off and work density inside it are the
    roster's own and hold; runs cut by its ends are exempt from the minimum-run rules."""
    cfg, days = problem.config, problem.days
    rules = cfg.rules
    if rules.rotation != "none" or rules.min_days_off_per_month > 0 or rules.max_days_off_per_month < 31:
        return None
    contracts = {a.id: cfg.contract(a.group) for a in problem.agents if a.id in keep}
    runs = [rules.max_consecutive_workdays] if rules.max_consecutive_workdays < len(days) else []
    for c in contracts.values():
        if c is not None:
            runs += [n for n in (c.max_consecutive_workdays, c.min_consecutive_workdays,
                                 c.min_consecutive_days_off) if n is not None]
    margin = 1 if pattern_fixed else max(runs, default=1)
    start, end = window[0] - timedelta(days=margin), window[1] + timedelta(days=margin)
    if not pattern_fixed:  # out to whole weeks
        start, end = start - timedelta(days=start.weekday()), end + timedelta(days=6 - end.weekday())
    start, end = max(days[0], start), min(days[-1], end)
    if start == days[0] and end == days[-1]:
        return None
    outside = [d for d in days if not start <= d <= end]
    away = [wk for wk in weekends(days) if not start <= wk[0] <= end]  # weekends are never cut
    minutes = {s.id: round(s.paid_hours * 60) for s in cfg.shifts}
    shift_ids = set(cfg.shift_ids)
    own, agents = [], []
    for agent in problem.agents:
        if agent.id not in keep:
            continue
        c = contracts[agent.id]
        if c is None:
            agents.append(agent)
            continue
        worked = Counter(st for d in outside if (st := states[agent.id, d]) in shift_ids)
        spent = sum(minutes[s] * n for s, n in worked.items())
        busy = sum(1 for wk in away if any(states[agent.id, d] in shift_ids for d in wk))
        own.append(c.model_copy(update={
            "id": f"{c.id} / {agent.id} {start}..{end}",
            "max_shifts": {s: max(0, n - worked[s]) for s, n in c.max_shifts.items()},
            "min_minutes": None if c.min_minutes is None else max(0, c.min_minutes - spent),
            "max_minutes": None if c.max_minutes is None else max(0, c.max_minutes - spent),
            "max_working_weekends": None if c.max_working_weekends is None or pattern_fixed
                                    else max(0, c.max_working_weekends - busy),
        }))
        agents.append(dataclasses.replace(agent, group=own[-1].id))
    sub = sub_problem(problem, set(keep), states, (start, end))
    return dataclasses.replace(
        sub, config=cfg.model_copy(update={"contracts": [*cfg.contracts, *own]}), agents=tuple(agents),
        month=start, horizon_days=(end - start).days + 1,
        previous=problem.previous if start == days[0] else None)


@dataclass
class _Neighbourhood:
    """One built neighbourhood: its model, and per free (agent, day) the literals of each state."""

    model: cp_model.CpModel
    free: dict[tuple[str, date], dict[str, cp_model.IntVar]]   # state -> literal (off included)
    domains: dict[int, tuple[int, int]] = field(default_factory=dict)  # pinned by _pin, for _unfix
    base: dict[int, tuple[int, int]] = field(default_factory=dict)     # restricted for a step, for _release


def _build(problem: Problem, keep: list[str], states: States, window: tuple[date, date] | None,
           pattern_fixed: bool = False) -> _Neighbourhood:
    from .solve import build_model  # solve imports nothing from here; a late import keeps it so

    part = window_problem(problem, keep, states, window, pattern_fixed) if window is not None else None
    return _neighbourhood(problem, build_model(part or sub_problem(problem, set(keep), states), hint=False),
                          states, window)


def _neighbourhood(problem: Problem, built, states: States, window: tuple[date, date] | None) -> _Neighbourhood:
    """The literals of each (agent, day) of a built model; outside `window` fixed as in `states`."""
    v = built.vars
    proto = built.model.proto
    free: dict[tuple[str, date], dict[str, cp_model.IntVar]] = {}
    for (a, d), off in v.off.items():
        lits = {OFF: off}
        lits.update({s: v.shift[a, d, s] for s in problem.config.shift_ids if v.can_work(a, s)})
        if window is None or window[0] <= d <= window[1] or (a, d) not in states:
            free[a, d] = lits
            continue
        _set_state(proto, lits, states[a, d])  # outside the window: fixed to the current roster
    return _Neighbourhood(built.model, free)


def _set_domain(proto, index: int, lo: int, hi: int) -> None:
    """Domain [lo, hi] of a literal in place (a literal's domain is one interval)."""
    dom = proto.variables[index].domain
    dom[0], dom[1] = lo, hi


def _save_and_set(proto, saved: dict[int, tuple[int, int]], index: int, value: int) -> None:
    """Fix a literal to `value`, its first domain kept in `saved` (for :func:`_restore`)."""
    dom = proto.variables[index].domain
    saved.setdefault(index, (dom[0], dom[1]))
    _set_domain(proto, index, value, value)


def _restore(proto, saved: dict[int, tuple[int, int]]) -> None:
    for i, (lo, hi) in saved.items():
        _set_domain(proto, i, lo, hi)
    saved.clear()


def _restrict(nb: _Neighbourhood, index: int, value: int) -> None:
    """Fix a literal of `nb` to `value` for one step, keeping its domain for :func:`_release`."""
    _save_and_set(nb.model.proto, nb.base, index, value)


def _release(nb: _Neighbourhood) -> None:
    """Undo the step's :func:`_restrict` (after :func:`_unfix`): a model kept across steps."""
    _restore(nb.model.proto, nb.base)


def _keep_pattern(nb: _Neighbourhood, states: States) -> None:
    """A shift-type step: every free (agent, day) stays a day off or a day worked as in
    `states`; only which shift is worked may change (call before :func:`_fix`)."""
    for (a, d), lits in nb.free.items():
        off = states[a, d] == OFF
        for name, x in lits.items():
            if off or name == OFF:
                _restrict(nb, x.index, int(off and name == OFF))


def _set_state(proto, lits: dict[str, cp_model.IntVar], state: str) -> None:
    """The literals of one (agent, day) fixed to `state` (a shift, or off)."""
    for name, x in lits.items():
        _set_domain(proto, x.index, int(name == state), int(name == state))


def _hold(nb: _Neighbourhood, states: States, hold: Collection[tuple[str, date]]) -> None:
    """The (agent, day) of `hold` keep their state in `states` (call before :func:`_fix`)."""
    for key, lits in nb.free.items():
        if key in hold:  # (a day on leave has no literals)
            for name, x in lits.items():
                _restrict(nb, x.index, int(name == states[key]))


def _part(full: _Neighbourhood, states: States, days: Collection[date]) -> _Neighbourhood:
    """The step of every agent over `days` in `full`, the model of every agent over the
    horizon kept across steps: every other day fixed as in `states` (:func:`_restrict`, undone
    by :func:`_release`). Its model is the whole-horizon model with those days fixed, as
    :func:`window_problem` builds it anew for a window of days; here the days need not be
    consecutive."""
    free: dict[tuple[str, date], dict[str, cp_model.IntVar]] = {}
    part = _Neighbourhood(full.model, free)
    days = set(days)
    for (a, d), lits in full.free.items():
        if d in days:
            free[a, d] = lits
        else:  # the state's literal: a day has one state, the others follow in presolve
            _restrict(part, lits[states[a, d]].index, 1)
    return part


def _pin(nb: _Neighbourhood, index: int, value: int) -> None:
    """Fix a literal of `nb` to `value`, keeping its domain for :func:`_unfix`."""
    _save_and_set(nb.model.proto, nb.domains, index, value)


def _fix(nb: _Neighbourhood, states: States) -> None:
    for (a, d), lits in nb.free.items():
        for name, x in lits.items():
            _pin(nb, x.index, int(name == states[a, d]))


def _unfix(nb: _Neighbourhood) -> None:
    _restore(nb.model.proto, nb.domains)


def _read(solver: cp_model.CpSolver, nb: _Neighbourhood) -> States:
    return {key: next(name for name, x in lits.items() if solver.value(x)) for key, lits in nb.free.items()}


# deterministic time charged per variable and constraint of a model built: measured on Curtois
# instance 1 (2 workers), building takes 7-9 us of wall time per element, and CP-SAT spends
# about 1.15 units of deterministic time per wall second there
BUILD_DTIME_PER_ELEMENT = 1e-5


@dataclass
class _Budget:
    """Wall-clock seconds, or in deterministic mode CP-SAT deterministic time plus a charge for
    each model built (:data:`BUILD_DTIME_PER_ELEMENT` per variable and constraint), so the loop
    stops at the same step on any machine. Without the build charge a step that presolve
    solves outright (a shift-type step on a small instance: deterministic time 0) would never
    spend the budget; a step in a model kept across steps is charged its pins and hints."""

    cfg: SolverConfig
    limit: float
    spent: float = 0.0
    started: float = field(default_factory=time.perf_counter)

    def left(self) -> float:
        return self.limit - self.used()

    def used(self) -> float:
        return self.spent if self.cfg.deterministic else time.perf_counter() - self.started

    def charge(self, solver: cp_model.CpSolver) -> None:
        self.spent += solver.deterministic_time

    def charge_build(self, model: cp_model.CpModel) -> None:
        proto = model.proto
        self.spent += BUILD_DTIME_PER_ELEMENT * (len(proto.variables) + len(proto.constraints))

    def charge_part(self, part: _Neighbourhood, full: _Neighbourhood) -> None:
        """A step in a model kept across steps (:func:`_part`): a literal pinned per (agent, day)
        outside it, a hint per literal inside."""
        self.spent += BUILD_DTIME_PER_ELEMENT * (len(full.free) + sum(len(lits) for lits in part.free.values()))


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


def construct(problem: Problem, cfg: SolverConfig, seconds: float, batch: int = 4,
              plan: dict[tuple[str, date], bool] | None = None,
              shifts: dict[tuple[str, date], str] | None = None, followed: dict[str, str] | None = None) -> States:
    """A roster that keeps every hard rule: agents in batches of `batch`, in the problem's
    order, each batch solved against the head-count need the batches before it left, for an
    equal share of what is left of `seconds`. A batch with no roster in its share is split: it
    and the batches after it are halved (on a year of 32 shift types one agent's own rules
    alone take CP-SAT 1-3 s). A single agent with no roster in its share is solved again to
    its first solution only, for up to FIRST_ROSTER_S (a roster is worth more than the
    budget); once two agents in a row needed that, and the budget is spent or no batch was
    solved in its share yet, so does every agent after them, two at a time
    (:func:`_first_rosters`: on Curtois 24 no batch is, and the construction spent 30 s on
    batches and single agents before the rest: 107 s in all, then 70-74 s). With `plan` ((agent, day) ->
    worked, :func:`weekend_plan`) each batch works and rests on the planned days as planned,
    and with `shifts` ((agent, day) -> shift, :func:`weekend_shifts`, whose days worked then
    replace the plan's) works the planned shifts. When the batch's rules admit no roster that
    does, each of its agents is checked alone (:func:`_modes`): it follows the shifts, else
    the days only, else nothing, and the batch is solved again so; if that still admits no
    roster, without the plan. The first rosters of single agents follow it the same way.
    `followed` gets each agent's part of the plan: the shifts ("shifts"), the days only
    ("days") or nothing ("none"); :func:`improve` can then hold the weekends of the agents
    that followed it (`hold`). Once PLAN_GIVE_UP agents, and more than half of those solved, followed
    nothing, the agents left are solved without the plan: on Curtois 22 the day-level plan
    admits no roster for almost any agent alone, and checking each (:func:`_modes`) took the
    construction from 41 s to 79 s. Raises LnsError when a batch's own rules admit no roster,
    or one agent has none after that."""
    reason = not_separable(problem)
    if reason:
        raise LnsError(f"agent-group search does not apply: {reason}")
    budget = _Budget(cfg, seconds)
    if plan is not None and shifts is not None:  # the days worked are those of the shifts
        plan = {key: key in shifts for key in plan.keys() | shifts.keys()}
    states: States = {(a.id, d): LEAVE for a in problem.agents for d in problem.leave_days(a.id)}
    todo = [a.id for a in problem.agents]
    n = misses = solved = 0
    seen: Counter = Counter()  # agents solved so far, by how much of the plan they followed
    while todo:
        group, todo = todo[:batch], todo[batch:]
        if plan is not None and seen["none"] >= PLAN_GIVE_UP and 2 * seen["none"] > seen.total():
            plan = shifts = None  # most agents' rules admit none of it: checking the rest costs more than it saves
        nb = _build(problem, group, states, None)
        budget.charge_build(nb.model)
        share = max(budget.left() * len(group) / (len(group) + len(todo)), 0.1)
        solver = _solver(cfg, share, cfg.seed + n)
        light_presolve(solver, nb.model)
        following = plan is not None and _follow(nb, plan, shifts)
        status = solver.solve(nb.model)
        budget.charge(solver)
        n += 1
        modes = dict.fromkeys(group, _ladder(plan, shifts)[0] if following else "none")
        if following and status == cp_model.INFEASIBLE:
            # some agents' rules do not admit their plan: those follow less of it, or none
            modes = _modes(problem, cfg, group, states, budget, plan, shifts)
            _unfix(nb)
            if _follow(nb, plan, shifts, modes):
                status = solver.solve(nb.model)
                budget.charge(solver)
        if following and status == cp_model.INFEASIBLE:  # still: the batch drops the plan
            _unfix(nb)
            status = solver.solve(nb.model)
            budget.charge(solver)
            modes = dict.fromkeys(group, "none")
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            seen.update(modes.values())
            if followed is not None:
                followed.update(modes)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.INFEASIBLE):
            batch = max(1, batch // 2)
            if len(group) > 1:  # again in smaller batches
                todo = group + todo
                continue
            # one agent alone has no roster in its share: its model's first solution. Once
            # this happens twice in a row and the budget is spent, or no batch was solved in
            # its share yet, every agent left gets one too (their shares are no longer), two
            # at a time
            misses += 1
            rest = misses >= 2 and (budget.left() <= 0 or not solved)
            states.update(_first_rosters(problem, cfg, group + todo if rest else group, budget, cfg.seed + n, states,
                                         plan=plan, shifts=shifts, followed=followed))
            if rest:
                break
            continue
        if status == cp_model.INFEASIBLE:
            raise LnsError(f"agents {', '.join(group)}: their own hard rules admit no roster")
        misses, solved = 0, solved + 1
        states.update(_read(solver, nb))
    return states


def weekend_plan(problem: Problem, cfg: SolverConfig, seconds: float) -> dict[tuple[str, date], bool] | None:
    """Which weekend days each agent works: the plan :func:`construct` can follow.

    A small model of the weekends alone, at the level of days worked: per agent and weekend
    day (not on leave) a literal; at most ``max_working_weekends`` weekends with a day worked.
    Its cost is each weekend day's head count over all its shifts (the day's lowest weights per
    head short and over) and the weekend requests to work (their weight when the day is not
    worked). The weekend limit is what makes a long horizon hard: a batch of agents solved
    against the cover the batches before it left spends its weekends where the cover is short
    then, and often works a weekend on one day; the plan spreads every agent's weekends over
    the horizon at once and fills both days where it can. Fixed days (``fixed`` requests, the
    published days of a re-plan: :func:`~scheduler.domain.fixed_states`) are worked, or off
    when published off. The model does not see runs: its solution is then made to admit,
    for each agent with a minimum of minutes, a pattern of runs with that minimum's days
    (:func:`_admit`); on Curtois 22 the model's plan left 42 of its 50 agents with weekend
    days no roster of theirs keeps, and the construction followed nothing for 41.
    :func:`weekend_shifts` gives the days worked their shifts; :func:`construct` follows
    what of it each agent's rules admit. None when no agent has a
    weekend limit, or no plan is found in `seconds` (the model's time; :func:`_admit` takes
    what it takes, 1-12 s on Curtois 20-24)."""
    pcfg, days = problem.config, problem.days
    ends = weekends(days)
    limits = {a.id: c.max_working_weekends for a in problem.agents
              if (c := pcfg.contract(a.group)) is not None and c.max_working_weekends is not None}
    if not ends or not limits:
        return None
    need = problem.head_need()
    fixed = fixed_states(problem)
    model = cp_model.CpModel()
    work: dict[tuple[str, date], cp_model.IntVar] = {}
    for agent in problem.agents:
        leave = problem.leave_days(agent.id)
        worked = []
        for wk in ends:
            lits = [work.setdefault((agent.id, d), model.new_bool_var(f"work[{agent.id},{d}]"))
                    for d in wk if d not in leave]
            if lits and agent.id in limits:
                w = model.new_bool_var(f"weekend[{agent.id},{wk[0]}]")
                model.add_max_equality(w, lits)
                worked.append(w)
        if agent.id in limits:
            model.add(sum(worked) <= limits[agent.id])
    for key, x in work.items():  # a fixed day is worked (or off, when published off)
        if key in fixed:
            model.add(x == int(fixed[key] != OFF))
    slots_of: dict[date, list[tuple[int, int, int]]] = {}
    for (d, _), v in need.items():
        slots_of.setdefault(d, []).append(v)
    # per weekend day its heads over all shifts, at the day's lowest weights per head short and over
    day_need = {d: (sum(h for h, _, _ in slots), min(u for _, u, _ in slots), min(o for _, _, o in slots))
                for wk in ends for d in wk if (slots := slots_of.get(d))}
    wanted: Counter = Counter()  # (agent, weekend day) -> weight of the requests to work it
    for r in problem.requests:
        if r.kind == "on":
            wanted.update({(r.agent_id, d): r.weight for d in r.days() if (r.agent_id, d) in work})
    staffed_on: dict[date, list[cp_model.IntVar]] = {}
    for (_, d), x in work.items():
        staffed_on.setdefault(d, []).append(x)
    terms = []
    for d, (heads, under, over) in day_need.items():
        staffed = staffed_on.get(d, [])
        if not staffed:
            continue
        short = model.new_int_var(0, max(heads, 0), f"short[{d}]")
        extra = model.new_int_var(0, len(staffed), f"extra[{d}]")
        model.add(sum(staffed) + short - extra == heads)
        terms += [under * short, over * extra]
    terms += [w * (1 - work[key]) for key, w in wanted.items()]
    model.minimize(sum(terms))
    solver = cp_model.CpSolver()
    configure_solver(solver, cfg, seconds)
    solver.parameters.log_search_progress = False
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    plan = {key: bool(solver.value(v)) for key, v in work.items()}
    return _admit(problem, plan, day_need, wanted, limits)


def _admit(problem: Problem, plan: dict[tuple[str, date], bool], day_need: dict[date, tuple[int, int, int]],
           wanted: Counter, limits: dict[str, int]) -> dict[tuple[str, date], bool]:
    """`plan` changed agent by agent until each agent's runs admit its fewest days
    (:class:`~scheduler.roster.patterns.DayRules`): each agent whose planned weekend days do
    not, in turn, takes its best weekend days against the cover the others leave
    (``DayRules.best``); then ADMIT_PASSES passes over every agent with such rules, each
    taking its best weekend days where they cost less than its planned ones. The cost is the
    weekend plan's own: per weekend day the heads short and over at the day's lowest weights,
    and the weekend requests to work. An agent with no admissible weekend days keeps its plan."""
    rules = DayRules.of(problem)
    if not rules.rules:
        return plan
    plan = dict(plan)
    staffed = Counter(d for (_, d), on in plan.items() if on)
    mine: dict[str, list[date]] = {}
    for a, d in plan:
        mine.setdefault(a, []).append(d)

    def costs(a: str) -> dict[date, float]:
        """What working each of `a`'s weekend days costs, its own days taken off the cover."""
        out = {}
        for d in mine.get(a, []):
            if d not in day_need:
                out[d] = -wanted[a, d]
                continue
            heads, under, over = day_need[d]
            others = staffed[d] - plan[a, d]
            out[d] = (over if others >= heads else -under) - wanted[a, d]
        return out

    def move(a: str, better_only: bool) -> None:
        cost = costs(a)
        got = rules.best(a, cost, limits.get(a))
        if got is None:
            return
        new = {d: got[d] for d in mine.get(a, [])}
        if better_only and sum(cost[d] for d, on in new.items() if on) >= sum(cost[d] for d in new if plan[a, d]):
            return
        for d, on in new.items():
            staffed[d] += int(on) - int(plan[a, d])
            plan[a, d] = on
    for a in rules.rules:
        if not rules.admits(a, {d: plan[a, d] for d in mine.get(a, [])}):
            move(a, better_only=False)
    for _ in range(ADMIT_PASSES):
        for a in rules.rules:
            move(a, better_only=True)
    return plan


ADMIT_PASSES = 1  # passes of _admit over every agent after the inadmissible ones


@dataclass
class _WeekendData:
    """What the weekend models of :func:`weekend_shifts` share: per agent the shifts its
    contract allows, its weekend limit and per-shift maxima, fixed shifts, and the costs of
    the weekend days (cover per slot, requests)."""

    problem: Problem
    ends: list[list[date]]
    allowed: dict[str, list[str]]
    limits: dict[str, int]
    capped: dict[tuple[str, str], int]
    fixed: dict[tuple[str, date], str | None]       # fixed_states: shift, None (any) or off
    leave: dict[str, set[date]]
    need: dict[tuple[date, str], tuple[int, int, int]]
    day_wanted: dict[tuple[str, date], int]         # (agent, day) -> weight of a request when worked (<0: on)
    wanted: dict[tuple[str, date, str], int]        # (agent, day, shift) -> the same per shift
    bad: set[tuple[str, str]]

    @classmethod
    def of(cls, problem: Problem) -> "_WeekendData":
        pcfg = problem.config
        contracts = {a.id: pcfg.contract(a.group) for a in problem.agents}
        fixed = fixed_states(problem)
        weekday_fixed = Counter((a, s) for (a, d), s in fixed.items() if d.weekday() < 5 and s)
        w = pcfg.weights.request
        day_wanted: Counter = Counter()
        wanted: Counter = Counter()
        for r in problem.requests:
            if r.kind not in ("on", "off", "avoid"):
                continue
            sign = -1 if r.kind == "on" else 1
            for d in r.days():
                if r.shift is None:
                    day_wanted[r.agent_id, d] += sign * w * r.weight
                else:
                    wanted[r.agent_id, d, r.shift] += sign * w * r.weight
        return cls(
            problem=problem, ends=weekends(problem.days),
            allowed={a: [s for s in pcfg.shift_ids if c is None or c.max_shifts.get(s, 1) > 0]
                     for a, c in contracts.items()},
            limits={a: c.max_working_weekends for a, c in contracts.items()
                    if c is not None and c.max_working_weekends is not None},
            # a per-shift maximum less the fixed weekdays of that shift
            capped={(a, s): n - weekday_fixed[a, s] for a, c in contracts.items() if c is not None
                    for s, n in c.max_shifts.items() if n > 0},
            fixed=fixed,
            leave={a.id: problem.leave_days(a.id) for a in problem.agents},
            need=problem.head_need(), day_wanted=dict(day_wanted), wanted=dict(wanted),
            bad=forbidden_successions(pcfg))

    def cost(self, wk, shifts: dict[tuple[str, date], str]) -> int:
        """The cost of the weekend days `wk` (one weekend or several) in `shifts` ((agent, day)
        -> shift, days worked only), as the weekend models count it (requests made on no day
        worked count 0)."""
        days = set(wk)
        staffed = Counter((d, s) for (a, d), s in shifts.items() if d in days)
        total = 0
        for d in days:
            for s in self.problem.config.shift_ids:
                if (d, s) in self.need:
                    h, under, over = self.need[d, s]
                    gap = h - staffed[d, s]
                    total += gap * under if gap > 0 else -gap * over
        total += sum(c for (a, d), c in self.day_wanted.items() if (a, d) in shifts and d in days)
        total += sum(c for (a, d, s), c in self.wanted.items() if shifts.get((a, d)) == s and d in days)
        return total


def _weekend_model(data: _WeekendData, chosen: list[int], shifts: dict[tuple[str, date], str],
                   days_fixed: bool, caps: dict[tuple[str, str], int] | None = None,
                   hint: bool = False, must_work: Collection[tuple[str, date]] = ()) -> tuple[cp_model.CpModel, dict]:
    """The model of the weekends `chosen` (indices into data.ends) for the whole team, every
    other weekend as in `shifts`: per agent and day a shift among those allowed, or off; with
    `days_fixed` only the days worked in `shifts` may be worked, else each agent works at most its
    weekend limit less the weekends it works outside `chosen`, and of a capped shift no more
    than its maximum (`caps`, by default data.capped) less what the other weekends use. No forbidden succession
    from Saturday to Sunday; a fixed day worked (in its shift, when it names one), or off when
    published off. With `hint`, every variable is hinted to its value in `shifts` (the
    literals, each weekend worked, each slot's heads short and over): a hint of the literals
    alone left CP-SAT, in 1 s on four weekends of Curtois 23, at solutions worse than the
    hint in every step. The (agent, day) of `must_work` are worked (in a shift the agent may
    work). Returns the model and (agent, day, shift) -> literal."""
    model = cp_model.CpModel()
    x: dict[tuple[str, date, str], cp_model.IntVar] = {}
    caps = data.capped if caps is None else caps
    inside = {d for k in chosen for d in data.ends[k]}
    outside = [(a, d, s) for (a, d), s in shifts.items() if d not in inside]
    outside_use = Counter((a, s) for a, _, s in outside)
    outside_weekends = Counter(a for a, _ in {(a, d.isocalendar()[:2]) for a, d, _ in outside})
    weekend_lits: dict[str, list] = {}
    for agent in data.problem.agents:
        a = agent.id
        for k in chosen:
            work_days = []
            for d in data.ends[k]:
                must = data.fixed.get((a, d), OFF) != OFF
                if (d in data.leave[a] or (a, d) in data.fixed and not must
                        or days_fixed and (a, d) not in shifts and not must):
                    continue
                lits = [x.setdefault((a, d, s), model.new_bool_var(f"x[{a},{d},{s}]")) for s in data.allowed[a]]
                if not lits:
                    continue
                if (a, d) in must_work:  # a day worked in any shift
                    model.add_exactly_one(lits)
                else:
                    model.add_at_most_one(lits)
                if must:  # a fixed day: worked, in its shift when it names one the agent may work
                    shift = data.fixed[a, d]
                    model.add(x[a, d, shift] == 1 if (a, d, shift) in x else sum(lits) == 1)
                work_days.append(sum(lits))
            if not days_fixed and a in data.limits and work_days:
                y = model.new_bool_var(f"weekend[{a},{k}]")
                for e in work_days:
                    model.add(e <= y)
                model.add(y <= sum(work_days))
                weekend_lits.setdefault(a, []).append(y)
                if hint:  # worked on a day of this weekend the model has
                    model.add_hint(y, any((a, d, shifts.get((a, d))) in x for d in data.ends[k]))
    for a, ys in weekend_lits.items():
        room = data.limits[a] - outside_weekends[a]
        if room < len(ys):
            model.add(sum(ys) <= max(room, 0))
    per_type: dict[tuple[str, str], list] = {}
    by_slot: dict[tuple[date, str], list] = {}
    by_day: dict[tuple[str, date], list] = {}
    for (a, d, s), lit in x.items():
        per_type.setdefault((a, s), []).append(lit)
        by_slot.setdefault((d, s), []).append(lit)
        by_day.setdefault((a, d), []).append(lit)
        nxt = d + timedelta(days=1)
        if nxt in inside:
            for s2 in data.problem.config.shift_ids:
                if (s, s2) in data.bad and (a, nxt, s2) in x:
                    model.add_bool_or([lit.Not(), x[a, nxt, s2].Not()])
    for key, lits in per_type.items():
        if key in caps:
            room = caps[key] - outside_use[key]
            if room < len(lits):
                model.add(sum(lits) <= max(room, 0))
    hinted = Counter((d, s) for (a, d), s in shifts.items() if hint and (a, d, s) in x)  # heads per slot in the hint
    terms = []
    for d in sorted(inside):
        for s in data.problem.config.shift_ids:
            if (d, s) not in data.need:
                continue
            heads, under, over = data.need[d, s]
            staffed = by_slot.get((d, s), [])
            short = model.new_int_var(0, max(heads, 0), f"short[{d},{s}]")
            extra = model.new_int_var(0, len(staffed), f"extra[{d},{s}]")
            model.add(sum(staffed) + short - extra == heads)
            terms += [under * short, over * extra]
            if hint:
                gap = heads - hinted[d, s]
                model.add_hint(short, max(gap, 0))
                model.add_hint(extra, max(-gap, 0))
    if hint:
        for (a, d, s), lit in x.items():
            model.add_hint(lit, shifts.get((a, d)) == s)
    terms += [c * sum(by_day[key]) for key, c in data.day_wanted.items() if key in by_day]
    terms += [c * x[key] for key, c in data.wanted.items() if key in x]
    model.minimize(sum(terms))
    return model, x


def weekend_shifts(problem: Problem, cfg: SolverConfig, plan: dict[tuple[str, date], bool],
                   seconds: float) -> dict[tuple[str, date], str] | None:
    """The weekend days worked and their shifts, for the whole team: the second half of the
    weekend plan, which :func:`construct` follows. Returns (agent, day) -> shift for the
    weekend days worked (every other weekend day is off).

    1. Shifts for the days of `plan` (:func:`weekend_plan`), one weekend at a time in order
       (a planned day may become a day off, where no shift fits or the cover is over; when
       that leaves an agent whose runs admitted its minimum of minutes with its planned
       days, :class:`~scheduler.roster.patterns.DayRules`, unable to meet it, the weekend is
       solved again with those agents' planned days worked too, up to WEEKEND_RETRIES times,
       then once with the planned days of every such agent; a solve that finds nothing
       leaves the one before. Measured on Curtois 24: planned shifts 237 heads short against
       323 with every planned day worked from the start; on 22 a retry for only the agents
       of the solve before left 9 agents short of their minimum, as each solve may drop
       another agent's day):
       a shift the agent's contract allows, no forbidden succession from Saturday to
       Sunday, a ``fixed`` request's shift kept, and of a shift with a contract
       ``max_shifts`` no more by the end of the k-th of K weekends than k/K of that maximum
       (rounded up), nor than the maximum less the later weekends' fixed days of that shift,
       so no weekend spends what the later ones need. Each weekend gets 0.4
       of an even share of the time left, at least WEEKEND_FIRST_S per solve (a weekend solved
       again for its retries gets that each time), and ends sooner when solved to optimality.
    2. For the rest of `seconds`, a search over groups of WEEKEND_GROUP weekends drawn at
       random: the days worked there and their shifts are solved again for the whole team
       (each agent's weekend limit and per-shift maxima less what the other weekends use),
       with the current plan as a hint of every variable, and kept when not worse and when
       every agent whose days it moved, and whose runs admitted its minimum with its days
       after the first half, still does. This
       moves the days worked as well: the first half's plan counts heads per day, not per
       shift, and the skills of the agents it puts on a day may not match the day's shifts.
       It stops early after a round of steps (each weekend drawn WEEKEND_ROUND times on
       average) that lowered the weekend cost by at most WEEKEND_ROUND_GAIN of it: the time
       left is the construction's.
    The cost is the cover of each weekend (day, shift) at that slot's own weights per head
    short and over, and the weekend requests (per day or per shift).

    Why: a construction that follows only the days of the plan fills a weekend's shifts
    batch by batch; the first batches take the shifts most agents can work, and the last find
    only shifts their skills exclude (Curtois 23: 1,021 heads short and 657 over on the
    weekends of the first roster). One model per weekend, because CP-SAT solves a weekend of
    23 (100 agents, 16 shifts) to optimality in a fraction of a second, yet left the model of
    all 52 at once (50,000 literals) at 66,553 against a bound of 241 in 10 s. A weekend of
    Curtois 24 (150 agents, 32 shifts) takes 0.3-1.8 s to optimality: with 0.14 s each, half
    of them found no shifts at all, and with 0.3 s (the share of 36 s on a slower machine)
    3,598 of its 6,535 weekend heads were short after this stage, against 240 with
    WEEKEND_FIRST_S; the second half does not make up for weekends left empty. So each
    solve of a weekend of the first half gets at least WEEKEND_FIRST_S (on 24 the stage then takes
    48 s of its 36), and on a short `seconds` it takes longer; a weekend with no shifts
    found in its time is left off for the second half to fill. None when the
    horizon has no weekend, `plan` has no day worked, or a weekend's fixed days admit no shifts."""
    data = _WeekendData.of(problem)
    if not any(plan.values()) or not data.ends:
        return None
    rules = DayRules.of(problem)
    # the agents whose runs admit their fewest days with their planned weekend days (after
    # weekend_plan, all those with a minimum of minutes): their planned days are worked
    admitted = {a: rules.admits(a, {d: plan.get((a, d), False) for wk in data.ends for d in wk})
                for a in rules.rules}
    budget = _Budget(cfg, seconds)
    first_share = 0.4
    shifts: dict[tuple[str, date], str] = {}
    used: Counter = Counter()
    K = len(data.ends)
    for k, wk in enumerate(data.ends):
        draft = {key: "" for key, on in plan.items() if on and key[1] in wk}  # the days only
        if not draft:
            continue
        # k/K of each maximum less what the weekends before used, and never what the fixed
        # days of the later weekends need (nor below what a fixed day of this weekend needs)
        here = Counter((a, s) for (a, d), s in data.fixed.items() if d in wk and s)
        later = Counter((a, s) for (a, d), s in data.fixed.items() if d > wk[-1] and d.weekday() >= 5 and s)
        caps = {key: max(min(-(-n * (k + 1) // K), n - later[key]) - used[key], here[key])
                for key, n in data.capped.items()}
        must: set[tuple[str, date]] = set()
        got: dict[tuple[str, date], str] | None = None
        for attempt in range(WEEKEND_RETRIES + 2):
            model, x = _weekend_model(data, [k], draft, days_fixed=True, caps=caps, must_work=must)
            budget.charge_build(model)
            solver = cp_model.CpSolver()
            configure_solver(solver, cfg, max(first_share * budget.left() / (K - k), WEEKEND_FIRST_S))
            solver.parameters.log_search_progress = False
            status = solver.solve(model)
            budget.charge(solver)
            if status == cp_model.INFEASIBLE and not must:
                return None
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                break  # with `must`: the solution before stands
            got = {(a, d): s for (a, d, s), lit in x.items() if solver.value(lit)}
            # agents whose runs admitted their minimum with the plan and no longer do with a
            # planned day of theirs dropped here: solved again with their planned days worked
            # too; after WEEKEND_RETRIES, every such agent's planned days
            # (the weekends before as solved, this one as `got`, the later ones as planned)
            year = {**shifts, **got, **{key: "" for key, on in plan.items() if on and key[1] > wk[-1]}}
            broken = {a for (a, d) in draft if admitted.get(a) and (a, d) not in got}
            broken = {a for a in broken if not rules.admits(a, _worked(data, a, year, year, set()))}
            if not broken or attempt > WEEKEND_RETRIES:
                break
            must |= {key for key in draft if key[0] in broken or attempt == WEEKEND_RETRIES and admitted.get(key[0])}
        if got is None:  # no shifts in its time: the weekend is off, for the search to fill
            continue
        for (a, d), s in got.items():
            shifts[a, d] = s
            used[a, s] += 1
    # the search keeps the days of each agent that admits its fewest days with them, as such
    admitted = {a: rules.admits(a, _worked(data, a, shifts, shifts, set())) for a in rules.rules}
    rng = np.random.default_rng(cfg.seed)
    group = min(WEEKEND_GROUP, K)
    round_steps = max(1, -(-WEEKEND_ROUND * K // group))  # steps that draw each weekend WEEKEND_ROUND times, on average
    total = data.cost([d for wk in data.ends for d in wk], shifts)
    mark, steps = total, 0  # the cost when this round began, its steps so far
    while budget.left() > 0.05:
        chosen = sorted(int(k) for k in rng.choice(K, size=group, replace=False))
        days = {d for k in chosen for d in data.ends[k]}
        model, x = _weekend_model(data, chosen, shifts, days_fixed=False, hint=True)
        budget.charge_build(model)
        current = data.cost(days, shifts)
        solver = cp_model.CpSolver()
        configure_solver(solver, cfg, min(WEEKEND_STEP_S, max(budget.left(), 0.05)))
        solver.parameters.log_search_progress = False
        status = solver.solve(model)
        budget.charge(solver)
        steps += 1
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found = {(a, d): s for (a, d, s), lit in x.items() if solver.value(lit)}
            cost = data.cost(days, found)
            # a step that leaves an agent short of its minimum is dropped; solving it again
            # with those agents' days held doubled the stage's time on Curtois 20 and 22
            # (8.5 s to 16.3 s, 18.9 s to 32.8 s) for no fewer heads short (41 / 40, 251)
            if cost <= current and not _broken(data, rules, admitted, shifts, found, days):
                shifts = {key: s for key, s in shifts.items() if key[1] not in days}
                shifts.update(found)
                total += cost - current
            if group == K and status == cp_model.OPTIMAL:  # every weekend at once, solved
                break
        if steps == round_steps:  # a round ends: stop when it gained too little for its time
            if mark - total <= WEEKEND_ROUND_GAIN * abs(total):
                break
            mark, steps = total, 0
    return shifts


def _worked(data: _WeekendData, a: str, shifts: dict[tuple[str, date], str], found: dict[tuple[str, date], str],
            days: set[date]) -> dict[date, bool]:
    """Agent `a`'s weekend days worked: those of `found` on `days`, of `shifts` elsewhere."""
    return {d: (a, d) in (found if d in days else shifts) for wk in data.ends for d in wk}


def _broken(data: _WeekendData, rules: DayRules, admitted: dict[str, bool], shifts: dict[tuple[str, date], str],
            found: dict[tuple[str, date], str], days: set[date]) -> set[str]:
    """The agents whose runs admitted their minimum (`admitted`) with their days in `shifts`
    and no longer do with `found` on `days` (one recursion per agent whose days moved)."""
    moved = {a for (a, d) in found.keys() ^ {key for key in shifts if key[1] in days}}
    return {a for a in moved if admitted.get(a) and not rules.admits(a, _worked(data, a, shifts, found, days))}


WEEKEND_RETRIES = 2   # a weekend of the first half solved again for agents it left short of their minimum
WEEKEND_FIRST_S = 2.0  # each solve of a weekend of the first half gets at least this long (it ends when optimal)
WEEKEND_GROUP = 4     # weekends solved again together in the second half of weekend_shifts
WEEKEND_STEP_S = 1.0  # at most this long for one of its steps
WEEKEND_ROUND = 1     # ... in rounds of steps that draw each weekend this many times on average;
WEEKEND_ROUND_GAIN = 0.01  # it stops after a round that lowered the weekend cost by at most this share


def _follow(nb: _Neighbourhood, plan: dict[tuple[str, date], bool],
            shifts: dict[tuple[str, date], str] | None = None, modes: dict[str, str] | None = None) -> bool:
    """Fix the free days of `nb` that `plan` covers to a day worked or off as planned, and
    with `shifts` (:func:`weekend_shifts`) a planned day worked to its shift (:func:`_unfix`
    undoes it). `modes` (agent -> "shifts", "days" or "none") says per agent how much of the
    plan to follow: the shifts too, the days only, or nothing. Returns whether any day was fixed."""
    fixed = False
    default = _ladder(plan, shifts)[0]
    for key, lits in nb.free.items():
        mode = modes.get(key[0], default) if modes else default
        if key in plan and mode != "none":
            _pin(nb, lits[OFF].index, int(not plan[key]))
            fixed = True
            if mode == "shifts" and shifts and plan[key] and shifts.get(key) in lits:
                _pin(nb, lits[shifts[key]].index, 1)
    return fixed


def _ladder(plan: dict | None, shifts: dict | None) -> list[str]:
    """How much of a plan an agent may follow, most first (see :func:`_follow`)."""
    return ["shifts", "days"] if plan is not None and shifts else ["days"] if plan is not None else []


def _modes(problem: Problem, cfg: SolverConfig, group: list[str], states: States, budget: "_Budget",
           plan: dict[tuple[str, date], bool], shifts: dict[tuple[str, date], str] | None) -> dict[str, str]:
    """How much of the plan each agent of `group` can follow (see :func:`_follow`): each alone,
    its plan fixed, the shifts too, else the days only, else nothing, by whether CP-SAT proves
    that agent's own rules admit no roster within PLAN_CHECK_S (an agent it does not disprove
    follows; presolve disproves a plan that breaks an agent's rules at once, mostly)."""
    out = {}
    for a in group:
        nb = _build(problem, [a], states, None)
        budget.charge_build(nb.model)
        out[a] = "none"
        for mode in _ladder(plan, shifts):
            _unfix(nb)
            _follow(nb, plan, shifts if mode == "shifts" else None)
            solver = cp_model.CpSolver()
            configure_solver(solver, cfg, PLAN_CHECK_S)
            solver.parameters.num_workers = 1
            solver.parameters.log_search_progress = False
            solver.parameters.stop_after_first_solution = True
            light_presolve(solver, nb.model)
            status = solver.solve(nb.model)
            budget.charge(solver)
            if status != cp_model.INFEASIBLE:
                out[a] = mode
                break
    return out


PLAN_CHECK_S = 1.0  # at most this long to disprove one agent's plan (_modes)
PLAN_GIVE_UP = 8    # construct drops the plan once this many agents, and over half of those solved, follow none of it


FIRST_ROSTER_S = 30.0  # at most this long for one agent's first roster (its model's first solution)
BUILD_AHEAD = 2        # _first_rosters: agents' models built ahead of the pair being solved


@dataclass
class _Alone:
    """One agent's model alone without the head-count cover (its own hard rules and own
    penalties: :func:`~scheduler.roster.solve.build_model` of the agent with ``heads=None``),
    and what :func:`_price` needs to put the cover back into its objective (and
    :class:`~scheduler.roster.columns._Pricer` the duals)."""

    nb: _Neighbourhood
    base: dict[int, int]                     # the own objective: literal index -> coefficient
    offset: int
    slots: dict[tuple[date, str], int]       # (day, shift) -> index of the literal working it


def _alone(problem: Problem, agent: str) -> _Alone:
    from .solve import build_model  # solve imports nothing from here; a late import keeps it so

    one = sub_problem(problem, {agent}, {}, cover=False)
    built = build_model(one, hint=False)
    nb = _neighbourhood(problem, built, {}, None)
    obj = built.model.proto.objective
    base: dict[int, int] = {}
    for i, c in zip(obj.vars, obj.coeffs):  # a variable may come twice
        base[int(i)] = base.get(int(i), 0) + int(c)
    slots = {(d, s): x.index for (a, d), lits in nb.free.items() for s, x in lits.items() if s != OFF}
    return _Alone(nb, base, int(round(obj.offset)), slots)


def _price(alone: _Alone, need: dict[tuple[date, str], tuple[int, int, int]], staffed: Counter) -> None:
    """The objective of `alone` made the engine's objective of that agent against the cover
    the other agents leave (`staffed`: (day, shift) -> agents working it): one agent adds at
    most one head to a slot, so its cover penalty is linear, -under weight per slot worked
    that is short, +over weight per slot worked that is not. The same as building the agent
    with the others' shifts taken off the need (:func:`sub_problem`, whose
    :func:`~scheduler.roster.rules.penalize_head_cover` makes those linear terms), less a
    constant, without building it again."""
    terms = dict(alone.base)
    for key, i in alone.slots.items():
        if key in need:
            heads, under, over = need[key]
            c = -under if staffed[key] < heads else over
            if c:
                terms[i] = terms.get(i, 0) + c
    _set_objective(alone.nb.model, terms, alone.offset)


def _set_objective(model: cp_model.CpModel, terms: dict[int, int], offset: int) -> None:
    """The objective of `model` replaced in place: literal index -> coefficient, plus `offset`."""
    obj = model.proto.objective
    obj.vars.clear()
    obj.coeffs.clear()
    obj.vars.extend(list(terms))
    obj.coeffs.extend(list(terms.values()))
    obj.offset = offset
    obj.scaling_factor = 1.0


def _first_rosters(problem: Problem, cfg: SolverConfig, agents: list[str], budget: "_Budget",
                   seed: int, states: States, plan: dict[tuple[str, date], bool] | None = None,
                   shifts: dict[tuple[str, date], str] | None = None,
                   followed: dict[str, str] | None = None) -> States:
    """Each agent's first roster that keeps its own hard rules: CP-SAT stops at its first
    solution of the agent's model with the objective, against the head-count need the rosters
    in `states` and those of the pairs before it leave. One worker per agent (linearization
    level 2: on a year of 32 shift types a search without the LP finds no roster in 30 s,
    with it 1-3 s), two agents at a time when cfg.workers >= 2: both of a pair see the same
    rosters (those of the pairs before), so the result does not depend on timing. Each for
    up to FIRST_ROSTER_S. Each agent's model is built once without the cover
    (:func:`_alone`); with cfg.workers >= 2 on a third thread, BUILD_AHEAD agents ahead of the
    pair being solved (CP-SAT releases the GIL), and the cover the pairs before leave is put
    into its objective just before its solve (:func:`_price`). On Curtois 24 building an
    agent's year is 0.2-0.3 s of Python and finding its roster 0.3-0.7 s; with each agent of
    a pair built on its own thread (the builds queue on the GIL) and the cover built into its
    model, 40 agents took 34.8 s, now 18.0 s (23, all 100: 41.9 -> 23.6 s, the same roster).
    With `plan` (and `shifts`) each agent follows its plan as :func:`construct` does: the
    shifts, else the days only (when CP-SAT proves the shifts admit no roster), else nothing
    (when the days admit none, or no roster keeps the plan within FIRST_ROSTER_S: then the
    agent takes up to twice that); `followed` gets each agent's. Raises LnsError when an
    agent's rules admit no roster or none is found in that time."""
    need = problem.head_need()
    staffed = _staffed(states)
    out: States = {}

    def solve(i: int, alone: _Alone) -> tuple[cp_model.CpSolver, int, str, float]:
        solver = cp_model.CpSolver()
        configure_solver(solver, cfg, FIRST_ROSTER_S)
        solver.parameters.num_workers = 1
        solver.parameters.interleave_search = False  # one search, the LP-guided one
        solver.parameters.linearization_level = 2
        solver.parameters.random_seed = seed + i
        solver.parameters.log_search_progress = False
        solver.parameters.stop_after_first_solution = True
        light_presolve(solver, alone.nb.model)
        modes = _ladder(plan, shifts) + ["none"]
        spent = 0.0
        while True:
            mode = modes.pop(0)
            _unfix(alone.nb)
            if mode != "none":
                _follow(alone.nb, plan, shifts if mode == "shifts" else None)
            status = solver.solve(alone.nb.model)
            spent += solver.deterministic_time
            if mode == "none" or status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                return solver, status, mode, spent
            if status != cp_model.INFEASIBLE:  # no roster in the time with the plan: without it
                modes = ["none"]

    width = max(1, min(2, cfg.workers))
    ahead = BUILD_AHEAD if width >= 2 else 0  # one worker: no builder thread at work
    with ThreadPoolExecutor(max_workers=1) as builder, ThreadPoolExecutor(max_workers=width) as pool:
        ahead_of: dict = {}  # agent index -> its model being built on the builder thread

        def queue(first: int) -> None:  # the `ahead` agents from `first` on, each once
            for i in range(first, min(first + ahead, len(agents))):
                if i not in ahead_of:
                    ahead_of[i] = builder.submit(_alone, problem, agents[i])

        queue(0)
        for k in range(0, len(agents), width):
            pair = agents[k:k + width]
            alones = [ahead_of.pop(k + j).result() if k + j in ahead_of else _alone(problem, a)
                      for j, a in enumerate(pair)]
            queue(k + width)  # (the agents before it were taken)
            for alone in alones:  # both of a pair against the rosters of the pairs before
                _price(alone, need, staffed)
            jobs = [pool.submit(solve, k + j, alone) for j, alone in enumerate(alones)]
            got: States = {}
            for a, alone, job in zip(pair, alones, jobs):
                solver, status, mode, spent = job.result()
                budget.charge_build(alone.nb.model)
                budget.spent += spent
                if status == cp_model.INFEASIBLE:
                    raise LnsError(f"agent {a}: its own hard rules admit no roster")
                if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    raise LnsError(f"no roster for agent {a} within {FIRST_ROSTER_S:g} s")
                if followed is not None:
                    followed[a] = mode
                got.update(_read(solver, alone.nb))
            out.update(got)
            staffed.update(_staffed(got))
    return out


def _staffed(states: States) -> Counter:
    """(day, shift) -> agents working it."""
    return Counter((d, st) for (a, d), st in states.items() if st not in (OFF, LEAVE))


def _drawn(items: list, weights: list[float], rng: np.random.Generator):
    """One of `items` drawn in proportion to `weights`; None when there are none."""
    if not items:
        return None
    p = np.array(weights, dtype=float)
    return items[int(rng.choice(len(items), p=p / p.sum()))]


def _costly_day(staffed: Counter, need: dict, rng: np.random.Generator) -> date | None:
    """The day of a costly (day, shift) (`staffed`: see :func:`_staffed`): a slot short of its
    head count, drawn by the cost of the shortage, or, when none is short, one over it; None
    when the roster meets the head count exactly."""
    slots, costs = [], []
    for (d, sh), (h, under, over) in need.items():
        gap = h - staffed.get((d, sh), 0)
        if gap:
            slots.append(d)
            costs.append(gap * under if gap > 0 else -gap * over * 0.01)
    return _drawn(slots, costs, rng)


def _gap_day(staffed: Counter, need: dict, rng: np.random.Generator, short: bool) -> date | None:
    """The day of a slot short of its head count (`short`), or of one over it, drawn by the
    heads short (over) times the weight per head (at least 1: a head over at no cost is still
    a shift that could be worked where one is short); None when no slot is."""
    slots, costs = [], []
    for (d, sh), (h, under, over) in need.items():
        gap = h - staffed.get((d, sh), 0)
        if gap > 0 and short:
            slots.append(d)
            costs.append(gap * max(under, 1))
        elif gap < 0 and not short:
            slots.append(d)
            costs.append(-gap * max(over, 1))
    return _drawn(slots, costs, rng)


def _around_a_day(states: States, d: date | None, ids: list[str], k: int, rng: np.random.Generator) -> list[str]:
    """`k` agents around day `d` (see :func:`_costly_day`): about half of them off that day
    (they could come in) and the others working (they could move); at random when `d` is None."""
    if d is None:
        return [str(a) for a in rng.choice(ids, size=k, replace=False)]
    off = [a for a in ids if states.get((a, d), OFF) == OFF]
    on = [a for a in ids if states.get((a, d), OFF) not in (OFF, LEAVE)]
    keep = list(rng.choice(off, size=min(len(off), (k + 1) // 2), replace=False)) if off else []
    keep += list(rng.choice(on, size=min(len(on), k - len(keep)), replace=False)) if on else []
    rest = [a for a in ids if a not in keep]
    if len(keep) < k:
        keep += list(rng.choice(rest, size=k - len(keep), replace=False))
    return [str(a) for a in keep]


FULL_MODEL_LITERALS = 100_000  # block steps share one model of every agent over the horizon of at most this many literals
TYPE_STEP_LITERALS = 6_000  # a shift-type step spans as many days as keep all agents' literals near this many
BLOCK_STEP_LITERALS = 7_000  # a block step first spans as many days (at least 2) as keep them near this many


def _unmet_request_day(problem: Problem, states: States, rng: np.random.Generator) -> date:
    """The day of a request `states` leaves unmet (to work, in its shift when it names one; to
    be off, or to avoid a shift), drawn by its weight; a random day when every request is met."""
    unmet, weights = [], []
    for r in problem.requests:
        if r.kind not in ("on", "off", "avoid"):
            continue
        for d in r.days():
            st = states.get((r.agent_id, d), OFF)
            if st != LEAVE and not r.met_by(st):
                unmet.append(d)
                weights.append(r.weight)
    if not unmet:
        return problem.days[int(rng.integers(0, len(problem.days)))]
    return _drawn(unmet, weights, rng)


def _with_random_days(chosen: set[date], n: int, days: list[date], rng: np.random.Generator) -> set[date]:
    """`chosen` and days of `days` drawn at random, `n` days in all (or every day)."""
    rest = [x for x in days if x not in chosen]
    extra = min(len(rest), max(0, n - len(chosen)))
    return chosen | set(rng.choice(rest, size=extra, replace=False).tolist())


def _resized(n: int, optimal: bool, most: int) -> int:
    """A neighbourhood's size (agents, or days) after a step: one more when it was solved to
    optimality, up to `most`; one less when it was not, down to 2."""
    return min(n + 1, most) if optimal else max(2, n - 1)


def _window_around(staffed: Counter, need: dict, days: list[date], n: int,
                   rng: np.random.Generator) -> tuple[date | None, tuple[date, date]]:
    """A costly day (:func:`_costly_day`) and `n` days around it, the day at a random place."""
    d = _costly_day(staffed, need, rng)
    at = days.index(d) if d is not None else int(rng.integers(0, len(days)))
    start = min(max(0, at - int(rng.integers(0, n))), len(days) - n)
    return d, (days[start], days[start + n - 1])


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
    # per kind of step ("day", "group", "one", "window", "block", "scatter", "cover", "type"): [steps, improved, decrease, seconds
    # (budget units: wall-clock, or deterministic time in deterministic mode)]
    kinds: dict[str, list] = field(default_factory=dict)

    @property
    def type_steps(self) -> int:
        """Shift-type steps (see improve)."""
        return self.kinds.get("type", [0, 0])[0]

    @property
    def type_improved(self) -> int:
        return self.kinds.get("type", [0, 0])[1]


@dataclass
class _Roulette:
    """Adaptive choice of the kind of step (the roulette wheel of adaptive LNS, Ropke and
    Pisinger 2006, scored by cost decrease per second): each kind is tried WARMUP times in
    turn, then drawn with probability `floor` plus a share of the rest in proportion to its
    smoothed decrease per second over its seconds per step, so that the share of the time
    each kind gets (draws times seconds per step) follows its decrease per second. Drawn by
    the decrease per second alone, a kind's time followed its decrease per step, and the slow
    whole-horizon steps of a few agents took most of it from one-agent and window steps that
    paid more per second; measured from one first roster, 120 s, seeds 0/1: Curtois 22 35,772
    / 36,922 against 37,338 / 36,836, 23 23,308 / 22,547 against 23,911 / 22,813 (decrease and
    seconds each an exponential average with weight
    `decay` on the newest step). A kind that stops paying falls to the floor and is still
    tried now and then, so it comes back when it pays again."""

    kinds: list[str]
    floor: float = 0.05
    decay: float = 0.2
    gain: dict[str, float] = field(default_factory=dict)
    cost: dict[str, float] = field(default_factory=dict)
    tried: Counter = field(default_factory=Counter)

    WARMUP = 2

    def __post_init__(self) -> None:
        if not (self.kinds and 0 <= self.floor and self.floor * len(self.kinds) < 1 and 0 < self.decay <= 1):
            raise ValueError(f"roulette: kinds {self.kinds}, floor {self.floor} (n * floor < 1), decay {self.decay}")

    def draw(self, rng: np.random.Generator) -> str:
        low = min(self.tried[k] for k in self.kinds)
        if low < self.WARMUP:  # in turn, in order
            return next(k for k in self.kinds if self.tried[k] == low)
        # drawn in proportion to decrease per second over seconds per step, so that each kind's
        # share of the time (draws times seconds per step) follows its decrease per second
        rates = np.array([self.gain[k] / max(self.cost[k], 1e-9) ** 2 for k in self.kinds])
        n = len(self.kinds)
        share = rates / rates.sum() if rates.sum() > 0 else np.full(n, 1.0 / n)
        p = self.floor + (1.0 - self.floor * n) * share
        return self.kinds[int(rng.choice(n, p=p / p.sum()))]

    def update(self, kind: str, decrease: int, seconds: float) -> None:
        first = self.tried[kind] == 0
        self.tried[kind] += 1
        w = 1.0 if first else self.decay
        self.gain[kind] = (1 - w) * self.gain.get(kind, 0.0) + w * max(0, decrease)  # a worse step is not kept
        self.cost[kind] = (1 - w) * self.cost.get(kind, 0.0) + w * max(seconds, 1e-6)


def improve(problem: Problem, states: States, cfg: SolverConfig, seconds: float,
            group: int = 4, sub_seconds: float = 2.0, window_days: int = 14,
            window_share: float = 0.3, type_share: float = 0.0, adaptive: bool = False,
            hold: Collection[tuple[str, date]] = (), hold_for: float = float("inf"),
            on_improve: Callable[[States, LnsStats], None] | None = None) -> tuple[States, LnsStats]:
    """Agent-group LNS from `states` (a roster keeping every hard rule) for `seconds`.

    Each step picks a neighbourhood (seeded by cfg.seed):
    * a share `type_share` of the steps are shift-type steps: every agent keeps the days they
      work and the days they are off, and only which shift they work on those days is free
      (skills, successions, minutes and per-type limits still hold). Over the whole horizon
      when all agents over it have at most TYPE_STEP_LITERALS literals, else over a window of
      as many days around a costly day (the model then reaches one day past it: no run can
      change, see :func:`window_problem`). On Curtois instances whose shift types come in families of
      the same length and successions (a1/a2/a3) this trades shifts between agents of
      different skills, which a step of a few agents rarely sees;
    * on horizons longer than four weeks, a share `window_share` of the steps: `window_days`
      days around a costly day (a slot short of its head count, drawn by the cost; the day at
      a random place in the window) for three times `group` agents, about half of them off
      that day and half working it. Its model covers those days and a few weeks around them
      only (:func:`window_problem`), not the horizon;
    * otherwise, whole horizon: `group` agents around a costly day the same way (up to four
      steps in five in all), or, one step in five, drawn from one contract group (agents
      whose shifts can trade places one for one, when there are several).
    With `adaptive` the kind of each step (around a costly day, a contract group, one agent off
    on a costly day over the horizon, a window on long horizons, a shift-type step, a block, a
    scatter and a cover step on horizons of four weeks at most: see below) is drawn by :class:`_Roulette` from the cost
    decrease per second each kind has given lately, instead of the fixed shares above
    (type_share and window_share then do not apply; the one-agent kind exists only here).
    Measured from one first roster, seeds 0/1/2, the four other kinds against the fixed shares
    (type steps off): Curtois 20 (90 s) 5,888 / 5,595 / 5,970 against 6,770 / 6,175 / 6,014; 23
    (90 s) 83,406 / 76,719 / 86,263 against 80,301 / 91,189 / 83,884; 22 (90 s) 50,896 / 51,210
    / 51,836 against 49,553 / 49,266 / 51,900; 13 (60 s) 3,884 / 3,752 / 3,958 against 4,009 /
    4,393 / 3,860; 12 (60 s) 4,250 / 4,655 / 4,338 against 4,308 / 4,504 / 4,492. One agent
    alone over the horizon can move a worked weekend, or a shift, from where the cover is over
    to where it is short; with that kind against without, 90 s: 22 48,546 / 48,078 / 48,837
    against 50,896 / 51,210 / 51,836; 23 75,657 / 82,748 / 73,348 against 83,406 / 76,719 /
    86,263; 20 5,902 / 6,183 against 5,888 / 5,595 (seeds 0/1).
    A block step frees every agent over a few days at a random place, days worked and shifts
    both (:func:`window_problem`): first as many days as keep their literals near
    BLOCK_STEP_LITERALS, then a day more after a block solved to optimality and a day less
    after one that was not, from two to half the horizon. Blocks share one model of every
    agent over the horizon, built at the first block (when it has at most FULL_MODEL_LITERALS
    literals): each block pins the other days in it (:func:`_part`) instead of building its
    model, and its current cost is the roster's, kept up to date from every step's decrease
    instead of solved again. On 13 a block of three days took 1.9 s when built (1.0 s of it
    building, the window widened to whole weeks is most of the month), 1.0 s in the kept
    model (40 s of blocks only: 39 steps against 21). Shift-type steps stay built: their
    window is a day past the days (13, 30 s: 74 steps built, 64 in the kept model; 20: 68
    and 49). On Curtois 13, whose heads short
    reach the weekend bound early and whose requests then stay, the whole bench at 300 s,
    seeds 0/1, 2,073 / 1,785 against 2,219 / 1,982 without it. On horizons over four weeks,
    where window steps take its place, it gained 6 and 28 a second against 177 and 256 for
    one-agent steps on 24 and 23, which ended 3.5 % and 1.5 % higher: they do without it.
    A scatter step (horizons of four weeks at most, in the kept model only) frees every agent
    over days that need not be consecutive: the day of an unmet request, drawn by its weight
    (:func:`_unmet_request_day`), and days drawn at random, as many as its own size, which
    starts as the block's and grows and shrinks as the block's does. When every weekday slot
    is exactly covered and the agents are at their maximum minutes, meeting a request to work
    a day means giving up another day anywhere in the horizon and someone else taking it: a
    move over two distant days of many agents, which neither a block (consecutive days) nor a
    few agents over the horizon sees.
    A cover step (the same horizons, in the kept model only) frees every agent over the day
    of a slot short of its head count and the day of a slot over it, each drawn by its cost
    (:func:`_gap_day`), and days at random up to its own size (from two, resized as the
    block's): a head moved from where the cover is over to where it is short. On Curtois 13,
    every agent at its maximum minutes, a head over is the only slack there is; a run left
    one weekday head short (day 9's a5) for its last 190 s beside a p4 one over on day 14,
    and every agent over those two days mended it in 0.2 s (over days 7-11 it took 10 s).
    Measured against the search without it: 13 from one first roster, 280 s, seeds 0-4,
    1,480 / 1,466 / 1,468 / 1,463 / 1,457 against 1,485 / 1,469 / 1,558 / 1,457 / 1,472, every
    weekday head short mended in each run (at 63-142 s), one run without it never; 12, the
    whole bench at 60 s, seeds 0-3, 4,332 / 4,502 / 4,802 / 4,403 against 4,812 / 5,013 /
    4,918 / 4,799 (-7.7 % in the mean).
    The (agent, day) of `hold` keep their state (the shift worked, or off) in every step until
    the search has used `hold_for` of its budget (seconds, or deterministic time in
    deterministic mode); then they are free. Curtois' bench holds the weekend days of the
    agents whose first roster followed the weekend plan (:func:`weekend_plan`,
    :func:`weekend_shifts`) for half the search, when that plan is good: a step is kept when
    not worse, so it moves a head short from a weekday to a weekend as readily as back, and a
    weekend head, bound by the weekend limits, is the one later steps rarely win back (the
    README's Curtois section has the measurements: 13 -23 %, 23 -8 %, 12 level).
    It is solved for at most `sub_seconds` with the current roster as hint. The step's cost is
    compared with the current roster's cost in the same model (solved with every literal fixed;
    in the kept model of blocks, the roster's cost);
    the new roster is kept when it is not worse. `group` grows by one after a whole-horizon
    neighbourhood is solved to optimality and shrinks by one when one is not (2 to all agents).

    Measured on Curtois 22 (a year, 50 agents), from one first roster: a window step of six
    agents takes 0.3 s of building and 0.3 s of solving (to optimality, mostly) against 0.6 s
    and 2 s for a whole-horizon step of two; yet more window steps did not end lower (150 s:
    59,726 at a share of 0.3, 62,795 at 0.9; 60 s on 20: 8,848 and 8,775), as only a
    whole-horizon step moves work between distant parts of the year."""
    reason = not_separable(problem)
    if reason:
        raise LnsError(f"agent-group search does not apply: {reason}")
    states = dict(states)
    held = set(hold)
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
    staffed = _staffed(states)
    per_day = len(ids) * (len(problem.config.shift_ids) + 1)  # every agent's literals on a day
    type_days = max(1, TYPE_STEP_LITERALS // per_day)
    block_most = max(2, len(days) // 2)
    block_days = min(block_most, max(2, BLOCK_STEP_LITERALS // per_day))
    # days of a block, a scatter and a cover step, each resized after its steps
    sizes = {"block": block_days, "scatter": block_days, "cover": 2}
    # block steps on horizons of four weeks at most; longer ones have window steps instead
    full: _Neighbourhood | None = None  # every agent over the horizon, for block and scatter steps
    kept = per_day * len(days) <= FULL_MODEL_LITERALS
    total: int | None = None  # the whole roster's cost in the full model, once known
    wheel = (_Roulette(["day", "group", "one"] + (["window"] if long_horizon else ["block"])
                       + (["scatter", "cover"] if kept and not long_horizon else []) + ["type"])
             if adaptive else None)
    while budget.left() > 0.05:
        k = min(group, len(ids))
        spent_before = budget.used()
        if held and spent_before >= hold_for:
            held = set()  # released
        if wheel is not None:
            kind = wheel.draw(rng)
        else:  # fixed shares
            types_only = type_share > 0 and rng.random() < type_share
            roll = rng.random()
            kind = ("type" if types_only else "window" if long_horizon and roll < window_share
                    else "day" if roll < 0.8 else "group")
        window = None
        if kind == "type":
            # every agent keeps their days off and days worked; the shifts worked are free:
            # over the horizon, or over a window of days around a costly day when that is large
            keep = list(ids)
            if type_days < len(days):
                d, window = _window_around(staffed, need, days, type_days, rng)
        elif kind == "block":
            # every agent over a few days at a random place, days worked and shifts free
            keep = list(ids)
            start = int(rng.integers(0, len(days) - sizes["block"] + 1))
            spread = days[start:start + sizes["block"]]
            window = (spread[0], spread[-1])
        elif kind == "scatter":
            # every agent over a day of an unmet request (drawn by its weight) and days at random
            keep = list(ids)
            spread = _with_random_days({_unmet_request_day(problem, states, rng)}, sizes["scatter"], days, rng)
        elif kind == "cover":
            # every agent over the day of a slot short and the day of a slot over, and days at random
            keep = list(ids)
            pair = {x for x in (_gap_day(staffed, need, rng, True), _gap_day(staffed, need, rng, False))
                    if x is not None} or {days[int(rng.integers(0, len(days)))]}
            spread = _with_random_days(pair, sizes["cover"], days, rng)
        elif kind == "window":
            # a window of days around a costly day (at a random place in it), agents around it
            d, window = _window_around(staffed, need, days, window_days, rng)
            keep = _around_a_day(states, d, ids, min(3 * k, len(ids)), rng)
        elif kind in ("day", "one"):
            # `k` agents around a costly day over the horizon; or one agent off that day, who
            # may trade a weekend or a shift worked where the cover is over for one where it is short
            keep = _around_a_day(states, _costly_day(staffed, need, rng), ids, 1 if kind == "one" else k, rng)
        elif len(by_group) > 1:
            pool = by_group[list(by_group)[int(rng.integers(0, len(by_group)))]]
            keep = list(rng.choice(pool, size=min(k, len(pool)), replace=False))
            if len(keep) < k:
                rest = [a for a in ids if a not in keep]
                keep += list(rng.choice(rest, size=k - len(keep), replace=False))
        else:
            keep = list(rng.choice(ids, size=k, replace=False))
        keep = [str(a) for a in keep]
        if kind in ("block", "scatter", "cover") and kept:
            if full is None:  # every agent over the horizon, built once, at the first block
                full = _build(problem, keep, states, None)
                budget.charge_build(full.model)
            nb = _part(full, states, spread)
            budget.charge_part(nb, full)
        else:
            nb = _build(problem, keep, states, window, kind == "type")
            budget.charge_build(nb.model)
        _hold(nb, states, held)
        if kind == "type":
            _keep_pattern(nb, states)
        in_full = full is not None and nb.model is full.model
        if in_full and total is not None:
            current = total  # the whole roster's cost in this model, kept up to date below
        else:
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
            if in_full:
                total = current
        nb.model.clear_hints()  # (a kept model has the last step's)
        for (a, d), lits in nb.free.items():
            for name, x in lits.items():
                nb.model.add_hint(x, name == states[a, d])
        solver = _solver(cfg, min(sub_seconds, max(budget.left(), 0.05)), cfg.seed + stats.tried)
        light_presolve(solver, nb.model)
        status = solver.solve(nb.model)
        budget.charge(solver)
        _release(nb)
        stats.tried += 1
        stats.group_size.append(k if kind in ("day", "group", "window") else len(keep))
        took = budget.used() - spent_before
        tally = stats.kinds.setdefault(kind, [0, 0, 0, 0.0])
        tally[0] += 1
        tally[3] += took
        found = int(round(solver.objective_value)) if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else current
        if wheel is not None:
            wheel.update(kind, current - found, took)
        optimal = status == cp_model.OPTIMAL
        stats.optimal += int(optimal)
        if kind in ("day", "group"):
            group = _resized(group, optimal, len(ids))
        elif kind in sizes:
            sizes[kind] = _resized(sizes[kind], optimal, block_most)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            continue
        if found <= current:
            if total is not None:  # a step's cost differs from the whole roster's by a constant
                total -= current - found
            for key, st in _read(solver, nb).items():
                was = states[key]
                if st != was:
                    if was not in (OFF, LEAVE):
                        staffed[key[1], was] -= 1
                    if st not in (OFF, LEAVE):
                        staffed[key[1], st] += 1
                    states[key] = st
            if found < current:
                stats.improved += 1
                stats.decrease += current - found
                tally[1] += 1
                tally[2] += current - found
                stats.trace.append((round(time.perf_counter() - budget.started, 2), stats.decrease))
                if on_improve is not None:
                    on_improve(states, stats)
    return states, stats
