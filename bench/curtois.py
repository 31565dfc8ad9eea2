"""Curtois & Qu shift-scheduling benchmark through the project's roster engine.

    python bench/curtois.py [1 2 3 ...] [--time-limit 60] [--workers 2] [--seed 0]
                            [--method auto|cpsat|lns|cg|hybrid] [--data ../shared/benchmarks/curtois]

Each instance is read (``curtois_eval.read_instance``) and turned into an ordinary
:class:`scheduler.domain.Problem`: one shift type per benchmark shift (paid hours = length),
``not_followed_by`` for the forbidden successions, one config ``contracts`` entry per distinct
staff contract (per-type maxima, total minutes, consecutive runs, weekends), fixed days off as
leave, shift on/off requests as ``on``/``off`` requests with their weights, and the cover as
head-count demand (``Problem.heads``, under 100 / over 1). The CS parts are switched off by
config (no volume, rotation none, no rest rule, no monthly or weekly days-off limits). The model
is the engine's own ``build_model`` (every rule of ``HARD_RULES`` / ``SOFT_RULES``), solved with
``configure_solver``; the CS greedy start is skipped (``hint=False``). Larger models go to the
engine's price-and-dive (``scheduler.roster.columns``: ``build_model`` of one agent prices its
schedules) or its agent-group search (``scheduler.roster.lns``: ``build_model`` of a few agents,
the others fixed), as :func:`auto_method` picks by size and horizon; ``--method`` overrides
that choice (see :func:`solve_instance`).

The table reports the objective of the independent evaluator (``curtois_eval.evaluate``), not
the solver's; the engine's validator (``scheduler.validate.check_roster``) checks the roster too.
Writes ``bench/results/curtois/InstanceN.roster.csv`` and ``bench/results/curtois.json``.
"""

from __future__ import annotations

import argparse
import csv
import fcntl
import json
import os
import sys
import threading
import time
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import pandas as pd  # noqa: E402
from ortools.sat.python import cp_model  # noqa: E402

from curtois_eval import Instance, evaluate, read_instance, type_bound, weekend_bound, write_roster  # noqa: E402
from scheduler.config import parse_config  # noqa: E402
from scheduler.domain import LEAVE, OFF, Agent, Problem, Request  # noqa: E402
from scheduler.io import write_text  # noqa: E402
from scheduler.roster import build_model, columns, configure_solver, lns  # noqa: E402
from scheduler.roster.rules import weekends  # noqa: E402
from scheduler.roster.solve import states_frame  # noqa: E402
from scheduler.validate import check_roster  # noqa: E402

DATA = ROOT.parent / "shared" / "benchmarks" / "curtois"
OUT = ROOT / "bench" / "results"
START = date(2024, 1, 1)  # a Monday, as day 0 of every instance
SHOP = "ward"


def day(i: int) -> date:
    return START + timedelta(days=i)


def _contract(st) -> dict:
    return {"max_shifts": dict(st.max_shifts), "min_minutes": st.min_minutes, "max_minutes": st.max_minutes,
            "max_consecutive_workdays": st.max_consecutive, "min_consecutive_workdays": st.min_consecutive,
            "min_consecutive_days_off": st.min_days_off, "max_working_weekends": st.max_weekends}


def _team_max_run(inst: Instance) -> int:
    """rules.max_consecutive_workdays for the whole team. The per-agent limits are contracts;
    this engine rule sums every shift variable over each window, so it is made idle: 31 (no
    window fits a horizon of at most 31 days), else the largest contract limit (it never binds
    then, and contracts at that limit need no windows of their own)."""
    return 31 if inst.horizon <= 31 else min(31, max(st.max_consecutive for st in inst.staff))


def to_problem(inst: Instance, time_limit: float = 60, workers: int = 2, seed: int = 0) -> Problem:
    """The instance as an ordinary roster Problem (see the module docstring)."""
    shifts = []
    for s, minutes in inst.lengths.items():
        end = 8 * 60 + minutes
        shifts.append({"id": s, "start": "08:00", "end": f"{end // 60 % 24:02d}:{end % 60:02d}",
                       "paid_hours": minutes / 60, "night": False, "not_followed_by": sorted(inst.forbidden[s])})
    contracts: dict[str, str] = {}  # contract as JSON -> contract id (identical staff share one)
    groups = {}
    for st in inst.staff:
        key = json.dumps(_contract(st), sort_keys=True)
        groups[st.id] = contracts.setdefault(key, f"c{len(contracts) + 1}")
    config = parse_config({
        "shops": [{"id": SHOP}],
        "shifts": shifts,
        "band": {"min": 0, "target": 1, "max": 1},
        "rules": {"max_shops_per_agent": 1, "min_rest_hours": 0, "min_days_off_per_week": 0,
                  "min_days_off_per_month": 0, "max_days_off_per_month": 31, "rotation": "none",
                  "training_days": 0, "max_consecutive_workdays": _team_max_run(inst)},
        "weights": {"uncovered": 0, "under_band_min": 0, "nights_spread": 0, "workdays_spread": 0,
                    "weekend_off_spread": 0, "request": 1, "third_shop": 0, "shop_pairing": 0,
                    "primary_share": 0, "shop_change": 0, "plan_change": 0, "heads_under": 100, "heads_over": 1},
        "solver": {"time_limit_s": time_limit, "workers": workers, "seed": seed},
        "contracts": [{"id": cid, **json.loads(key)} for key, cid in contracts.items()],
    }, f"{inst.name} (generated config)")
    agents = tuple(Agent(st.id, st.id, "junior", group=groups[st.id]) for st in inst.staff)
    requests = [Request(e, day(d), day(d), "leave") for e, ds in inst.days_off.items() for d in sorted(ds)]
    requests += [Request(e, day(d), day(d), "on", s, w) for e, d, s, w in inst.on_requests]
    requests += [Request(e, day(d), day(d), "off", s, w) for e, d, s, w in inst.off_requests]
    heads = pd.DataFrame([(day(d), s, r, wu, wo) for d, s, r, wu, wo in inst.cover],
                         columns=["date", "shift", "heads", "under", "over"])
    demand = pd.DataFrame(columns=["date", "shop", "shift", "volume"])
    return Problem(config, START, agents, demand, tuple(requests), heads=heads, horizon_days=inst.horizon)


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, started: float):
        super().__init__()
        self.started = started
        self.first: float | None = None
        self.last: float | None = None
        self.trace: list[tuple[float, int]] = []  # (seconds, solver objective) per improvement
        self.bound = 0.0  # the best bound so far, when given as the solver's best_bound_callback

    def on_solution_callback(self) -> None:
        now = time.perf_counter() - self.started
        self.first = now if self.first is None else self.first
        self.last = now
        self.trace.append((round(now, 2), int(round(self.objective_value))))

    def on_bound(self, bound: float) -> None:
        self.bound = bound

    def gap(self) -> float | None:
        """:func:`relative_gap` of the last solution and the bound so far."""
        return relative_gap(self.trace[-1][1] if self.trace else None, self.bound)


def _apply_params(solver: cp_model.CpSolver, params: str) -> None:
    """Extra CP-SAT parameters "name=value;name=value" (repeated fields: one name=value per item),
    for experiments; the row records them."""
    for item in filter(None, (p.strip() for p in params.split(";"))):
        name, value = (t.strip() for t in item.split("=", 1))
        field = getattr(solver.parameters, name)
        if isinstance(field, (str, bytes)) or not hasattr(field, "append"):
            kind = type(field)
            setattr(solver.parameters, name, value.lower() == "true" if kind is bool else kind(value))
        else:
            field.append(value)


def feasible_start(model: cp_model.CpModel, cfg, seconds: float, params: str = "") -> float | None:
    """A starting roster: the same model without its objective (every hard rule, no cost) solved
    to its first solution, at most `seconds`; that solution becomes the model's hint, which
    CP-SAT takes as its first solution. On long horizons the main solve's first-solution workers
    (feasibility jump, the LP worker) find nothing in 300 s, while search without the objective
    finds a roster quickly. Returns the seconds it took, or None (no roster, no hint)."""
    started = time.perf_counter()
    feas = model.clone()
    feas.clear_objective()
    feas.clear_hints()
    solver = cp_model.CpSolver()
    configure_solver(solver, cfg, seconds)
    _apply_params(solver, params)
    solver.parameters.stop_after_first_solution = True
    if solver.solve(feas) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    model.clear_hints()
    for i in range(len(model.proto.variables)):
        model.add_hint(model.get_int_var_from_proto_index(i), solver.value(feas.get_int_var_from_proto_index(i)))
    return time.perf_counter() - started


def model_literals(inst: Instance) -> int:
    """Shift and day-off literals of the whole model: staff x days x (shift types + 1)."""
    return len(inst.staff) * inst.horizon * (len(inst.lengths) + 1)


# Measured at 60 s (13-24: 300 s), 2 workers, seed 0, idle machine. On four-week instances of
# at most AUTO_CPSAT_LITERALS literals CP-SAT on the whole model proves 1-4 optimal in seconds
# and reached 439-442 on 9, where price-and-dive (cg) gave 442, 445 and 551 in three runs (its
# LP bound is 406 there: the dive and the search after it have a gap to close); on 5-8 the two
# were level (5: 1,146 against 1,149; 6: 1,952 both; 7: 1,059-1,062 / 1,062; 8: 1,405-1,513
# against 1,417-1,599). On a longer horizon the whole model fell behind: 16 (56 days, 4.5k
# literals) gave 3,428 at 300 s against 3,225 (= best known) by cg. Beyond that, cg was ahead
# of the agent-group search (lns) on 10 (4,631-4,646 / 4,666-4,779, with the bound 4,631), 11
# (3,443 = best known, proven / 3,446), 14 (1,278 proven / 1,289), 15 (4,092-4,181 / 4,556),
# 17 (5,746 / 5,873) and 18 (84 days: 4,556-4,591 / 5,105), level on 19 (84 days: 3,366-3,707
# in four runs / 3,549; its LP does not converge in 300 s). cg needs
# its LP to converge in the time: about 25-30 pricing rounds, each one agent's model (days x
# types) per agent. It was behind lns on 12 at 60 s (16.8k staff x days x types: 5,815 / 5,068;
# its LP takes 40 s to converge, the dive gets 1 step), 13 (60k: 4,814 / 3,095) and 20 (182
# days: 6 LP rounds in 100 s, 8,233 / 5,877). On the four-week instances, hybrid (cpsat for
# half the limit, then the agent-group search from its roster, adaptive) was ahead of cpsat
# alone on 8 (seeds 0-4: mean 1,330 against 1,455; with a quarter of the limit for the search,
# 1,311-1,325) but behind where CP-SAT needs the whole minute for the last head or the proof:
# 6 gave 2,040-2,042 in three of its five runs (cpsat 1,950 proven, 1,952), 9 539 in one of
# ten (439-442 in the others), and 4 was left unproven in two of five. At half the limit CP-SAT's
# gap was 0.3-7.8 % on 4, 6 and 7 (close to its proof or to the last head), 7.5-8.4 % on 9
# (59-64 % in the runs whose bound stayed weak), 11-21 % on 8 and 17 % on 5. With the switch at
# SWITCH_GAP (CP-SAT keeps the whole limit below it), seeds 0-2: 6 1,950 in all three (two
# proven), 8 1,320 / 1,323 / 1,308 (switched), 9 442 / 439 / 439, 4 proven (seeds 0/1), 5
# 1,143 (switched), 7 1,058 (seed 0). Hence: hybrid, with that switch, on four
# weeks up to AUTO_CPSAT_LITERALS literals; cg on horizons up to AUTO_CG_DAYS with at most AUTO_CG_WORK_PER_S
# staff x days x types per second of the time limit (10: 93, 11: 140, 19: 56 - 12: 280, 13:
# 202); lns on the rest.
AUTO_CPSAT_LITERALS = 6_000
AUTO_CPSAT_DAYS = 28
AUTO_CG_DAYS = 84
AUTO_CG_WORK_PER_S = 150
PLAN_SHARE = 0.2  # method lns: the weekend plan's time, as a share of the construction's (0.1 of the limit)
SHIFTS_SHARE = 0.12  # method lns: the weekend shifts' time (lns.weekend_shifts), as a share of the limit
HOLD_SHARE = 0.5  # method lns: the search holds the weekends of the agents that followed the plan for this share of its time
HOLD_EXCESS = 0.1  # ... when the planned shifts leave at most this share of the weekend heads short beyond the day-level plan
CG_SHARE = 0.7  # method cg: share of the time after the first roster for price-and-dive; LNS gets the rest
SWITCH_GAP = 0.10  # method hybrid: CP-SAT keeps the whole limit when its gap at the switch is below this (see solve_instance)


def weekend_heads_short(problem: Problem, plan: dict[tuple[str, date], bool],
                        shifts: dict[tuple[str, date], str]) -> tuple[int, int, int]:
    """The weekend heads of the cover, and the heads short on the weekends of the day-level plan
    (``lns.weekend_plan``: per day, over all its shifts) and of the planned shifts
    (``lns.weekend_shifts``: per day and shift). The third less the second is, mostly, what
    the skills, successions and per-shift maxima cost the plan (the shifts may also move days
    worked, so it can be below 0); HOLD_EXCESS compares it with the weekend heads (the
    README's Curtois section has it per instance)."""
    weekend = {d for wk in weekends(problem.days) for d in wk}
    need = {(d, s): h for (d, s), (h, _, _) in problem.head_need().items() if d in weekend}
    heads: Counter = Counter()
    for (d, _), h in need.items():
        heads[d] += h
    worked = Counter(d for (_, d), on in plan.items() if on)
    staffed = Counter((d, s) for (_, d), s in shifts.items())
    return (sum(heads.values()), sum(max(0, h - worked[d]) for d, h in heads.items()),
            sum(max(0, h - staffed[key]) for key, h in need.items()))


def relative_gap(best: int | None, bound: float) -> float | None:
    """CP-SAT's gap, (best objective - bound) / best objective; None without a roster yet, 0
    at a best objective of 0 (nothing left to prove)."""
    if best is None:
        return None
    return 0.0 if best <= 0 else max(0.0, best - bound) / best


def auto_method(inst: Instance, time_limit: float = 60) -> str:
    """hybrid on small models, cg where its pricing rounds fit the time, else lns (see above)."""
    if model_literals(inst) <= AUTO_CPSAT_LITERALS and inst.horizon <= AUTO_CPSAT_DAYS:
        return "hybrid"
    work = len(inst.staff) * inst.horizon * len(inst.lengths)
    if inst.horizon <= AUTO_CG_DAYS and work <= AUTO_CG_WORK_PER_S * time_limit:
        return "cg"
    return "lns"


def solve_instance(inst: Instance, time_limit: float = 60, workers: int = 2, seed: int = 0,
                   log: bool = False, params: str = "", start_share: float = 0.0,
                   start_params: str = "", method: str = "auto", lns_share: float = 0.5,
                   switch_gap: float = SWITCH_GAP) -> dict:
    """Build with the engine, solve, evaluate independently. Returns the table row plus `rows`
    (employee, day, shift) and `validator` (the engine validator's violations frame).

    `method`:
    * ``cpsat`` - the whole model, solved by CP-SAT for the time limit (its LP gives the bound);
    * ``lns`` - the engine's agent-group search (``scheduler.roster.lns``): a plan of the
      weekend days each agent works (``lns.weekend_plan``, PLAN_SHARE of the construction's
      time) and of their shifts (``lns.weekend_shifts``, SHIFTS_SHARE of the limit), then a
      first roster that follows it, built a few agents at a time (a tenth of the limit, more
      only if a batch needs it to find any roster), then neighbourhoods of a few agents
      re-solved until the limit;
    * ``cg`` - price-and-dive (``scheduler.roster.columns``): the ``lns`` first roster, then
      column generation over per-agent schedules (pricing is ``build_model`` of one agent)
      until the LP is optimal, a dive to a roster and CP-SAT over the columns, for CG_SHARE of
      the time left; ``lns`` from its roster for the rest. The bound column is the column
      generation's Lagrangian bound;
    * ``hybrid`` - ``cpsat``, and at `1 - lns_share` of the limit ``lns``'s search (its kinds
      of step drawn adaptively) from its roster (from a constructed one if it found none) for
      the rest, unless CP-SAT's relative gap (best objective less bound, over the best) is
      below `switch_gap` then: CP-SAT is close to its proof or to the last heads and keeps the
      whole limit (0: always switch; wall-clock mode only). No search when ``cpsat`` proved
      optimality;
    * ``auto`` (default) - :func:`auto_method`: ``hybrid`` when the whole model has at most
      AUTO_CPSAT_LITERALS shift and day-off literals (staff x days x (shift types + 1)) over at
      most AUTO_CPSAT_DAYS days, else
      ``cg`` on horizons of at most AUTO_CG_DAYS with at most AUTO_CG_WORK_PER_S staff x days x
      types per second of the time limit, else ``lns``: see those constants.
    `start_share` > 0 (``cpsat`` only): first :func:`feasible_start` for at most that share of
    the time limit (counted in it; the main solve gets the rest)."""
    if method not in ("auto", "cpsat", "lns", "hybrid", "cg"):
        raise ValueError(f"method must be auto, cpsat, lns, hybrid or cg, not {method!r}")
    if method == "auto":
        method = auto_method(inst, time_limit)
    problem = to_problem(inst, time_limit, workers, seed)
    cfg = problem.config.solver
    index = {d: i for i, d in enumerate(problem.days)}
    full = method in ("cpsat", "hybrid")
    started = time.perf_counter()
    elapsed = lambda: time.perf_counter() - started  # noqa: E731
    trace: list[tuple[float, int]] = []  # (seconds, objective) per improvement
    states, extra = None, {}
    name, bound, solver_objective, build_s = "FEASIBLE", None, None, None
    if full:
        built = build_model(problem, hint=False)
        build_s = elapsed()
        start_s = None
        if start_share > 0 and method == "cpsat":
            start_s = feasible_start(built.model, cfg, start_share * time_limit, start_params)
        solver = cp_model.CpSolver()
        share = 1.0 if method == "cpsat" else 1.0 - lns_share
        # hybrid: CP-SAT runs for the whole limit and is stopped at `share` of it when its gap
        # then is at least switch_gap (a timer reads the last solution and the bound so far)
        switch = method == "hybrid" and switch_gap > 0 and not cfg.deterministic
        configure_solver(solver, cfg, max(1.0, (1.0 if switch else share) * time_limit - elapsed()))
        if workers <= 2 and "subsolvers" not in params:
            # the one full-problem worker runs the LP with every constraint linearised (clauses
            # included): its bound is close to the optimum and guides the search; the other worker
            # interleaves CP-SAT's LNS neighbourhoods. The default (default_lp) proves almost nothing.
            solver.parameters.subsolvers.append("max_lp")
        _apply_params(solver, params)
        solver.parameters.log_search_progress = log
        progress = _Progress(started)
        timer = None
        if switch:
            solver.best_bound_callback = progress.on_bound

            def at_switch() -> None:
                gap = progress.gap()
                stop = gap is None or gap >= switch_gap
                extra.update(switch_seconds=round(elapsed(), 2), switch_gap=None if gap is None else round(gap, 4),
                             switched=stop)
                if stop:
                    solver.stop_search()

            timer = threading.Timer(max(0.0, share * time_limit - elapsed()), at_switch)
            timer.start()
        status = solver.solve(built.model, progress)
        if timer is not None:
            timer.cancel()
        name = solver.status_name(status)
        bound = solver.best_objective_bound
        extra.update(start_seconds=None if start_s is None else round(start_s, 2),
                     full_model_seconds=round(elapsed(), 2))
        trace += progress.trace
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            solver_objective = int(round(solver.objective_value))
            bound = int(round(bound))
            states = {(a, d): s for (a, d, s), x in built.vars.shift.items() if solver.value(x)}
            extra["full_model_objective"] = solver_objective
        del built, solver
    follow: dict[str, str] = {}  # agent -> the part of the weekend plan its first roster follows
    hold_plan = False  # the search holds the weekends of the agents that follow it (HOLD_EXCESS)
    if method != "cpsat" and name != "OPTIMAL":
        if states is None:
            try:
                # lns: the construction follows a plan of weekend days worked (lns.weekend_plan)
                # and of the shifts worked on those days (lns.weekend_shifts)
                plan = shifts = None
                if method == "lns":
                    t_plan = elapsed()
                    plan = lns.weekend_plan(problem, cfg, PLAN_SHARE * 0.1 * time_limit)
                    extra.update(plan_seconds=round(elapsed() - t_plan, 2), plan_followed=plan is not None)
                    if plan is not None:
                        t_plan = elapsed()
                        shifts = lns.weekend_shifts(problem, cfg, plan, SHIFTS_SHARE * time_limit)
                        extra.update(shifts_seconds=round(elapsed() - t_plan, 2), shifts_planned=shifts is not None)
                    if shifts is not None:
                        heads, by_days, by_shifts = weekend_heads_short(problem, plan, shifts)
                        hold_plan = by_shifts - by_days <= HOLD_EXCESS * heads
                        extra.update(weekend_heads=heads, plan_weekend_short=by_days, shifts_weekend_short=by_shifts)
                states = lns.construct(problem, cfg, 0.1 * time_limit, plan=plan, shifts=shifts, followed=follow)
                if plan is not None:
                    extra["plan_agents"] = dict(Counter(follow.values()))  # agents that followed the shifts, the days only, nothing
            except lns.LnsError as exc:  # one agent with no roster of its own in 30 s
                name, extra["no_roster"] = "UNKNOWN", str(exc)
        else:
            states = _with_leave_and_off(problem, states)
    if method != "cpsat" and name != "OPTIMAL" and states is not None:
        first, t_lns = evaluate(inst, _rows(states, index)).objective, elapsed()
        if "full_model_objective" not in extra:
            trace.append((round(t_lns, 2), first))
            extra.update(construct_seconds=trace[-1][0], construct_objective=first)
        if method == "cg":
            t_cg = t_lns
            states, cs = columns.generate(problem, states, cfg, CG_SHARE * max(time_limit - t_cg, 0.0))
            # every cost is >= 0: a Lagrangian bound at or below 0 (an LP far from converged)
            # says nothing; the table shows none then, the row keeps it as cg_bound
            bound = cs.bound if cs.bound is not None and cs.bound > 0 else None
            extra["cg_bound"] = cs.bound
            cg_obj = evaluate(inst, _rows(states, index)).objective
            if cg_obj < trace[-1][1]:
                trace.append((round(elapsed(), 2), cg_obj))
            extra.update(cg_seconds=round(elapsed() - t_cg, 2), cg_lp=None if cs.lp is None else round(cs.lp, 2),
                         cg_rounds=cs.rounds, cg_lp_rounds=cs.lp_rounds, cg_dive_steps=cs.dive_steps,
                         cg_columns=cs.columns, cg_dive_objective=cs.dive_objective,
                         cg_master_status=cs.master_status, cg_objective=cg_obj)
            first, t_lns = cg_obj, elapsed()
        # the search chooses its kinds of step by what each pays (lns.improve's adaptive
        # roulette), alone and after cpsat (hybrid); after cg's dive it keeps the fixed shares
        # it was measured with (14-19)
        left = max(time_limit - elapsed(), 0.0)
        followers = [a for a, mode in follow.items() if mode != "none"] if hold_plan else []
        hold = {(a, d) for a in followers for wk in weekends(problem.days) for d in wk}
        states, stats = lns.improve(problem, states, cfg, left, adaptive=method in ("lns", "hybrid"),
                                    hold=hold, hold_for=HOLD_SHARE * left)
        trace += [(round(t_lns + t, 2), first - dec) for t, dec in stats.trace]
        extra.update(lns_seconds=round(elapsed() - t_lns, 2), lns_neighbourhoods=stats.tried,
                     lns_improved=stats.improved, lns_optimal=stats.optimal,
                     lns_type_steps=stats.type_steps, lns_type_improved=stats.type_improved,
                     lns_adaptive=method in ("lns", "hybrid"), lns_held=len(hold), lns_hold_seconds=round(HOLD_SHARE * left, 2) if hold else 0,
                     lns_kinds={k: {"steps": t[0], "improved": t[1], "decrease": t[2], "seconds": round(t[3], 2)}
                                for k, t in stats.kinds.items()},
                     lns_objective=first - stats.decrease)
    solve_s = elapsed()
    row = {"instance": inst.name, "method": method, "full_model": full, "status": name,
           "build_seconds": None if build_s is None else round(build_s, 2),
           "solve_seconds": round(solve_s, 2),
           "first_feasible_seconds": trace[0][0] if trace else None,
           "best_found_seconds": trace[-1][0] if trace else None,
           "time_limit_s": time_limit, "workers": workers, "seed": seed, "params": params,
           "start": "none" if start_share <= 0 or method != "cpsat" else
           f"feasible_start (at most {start_share:g} of the limit)", "trace": trace, **extra}
    if states is None:
        return {**row, "objective": None, "solver_objective": None, "solver_bound": bound,
                "feasible": False, "hard_violations": None, "validator_violations": None, "rows": [],
                "validator": None}
    rows = _rows(states, index)
    ev = evaluate(inst, rows)
    if method == "cg" and bound is not None and ev.feasible and ev.objective <= bound:
        row["status"] = "OPTIMAL"  # the column generation's Lagrangian bound proves it
    roster = states_frame(problem, states)
    found = check_roster(roster, problem.config, problem.agents, problem.demand, problem.month,
                         problem.requests, horizon_days=inst.horizon)
    return {**row, "objective": ev.objective, "solver_objective": solver_objective,
            "solver_bound": bound, "feasible": ev.feasible,
            "hard_violations": len(ev.violations), "validator_violations": len(found),
            "on_requests": ev.on_requests, "off_requests": ev.off_requests,
            "cover_under": ev.cover_under, "cover_over": ev.cover_over,
            "rows": rows, "validator": found, "evaluation": ev}


def _with_leave_and_off(problem: Problem, worked: dict) -> dict:
    """(agent, day) -> shift for worked days only, completed with leave and off."""
    out = {}
    for a in problem.agents:
        leave = problem.leave_days(a.id)
        for d in problem.days:
            out[a.id, d] = LEAVE if d in leave else worked.get((a.id, d), OFF)
    return out


def _rows(states: dict, index: dict) -> list[tuple[str, int, str]]:
    """(employee, day, shift) per worked day of a roster given as (agent, date) -> state."""
    return [(a, index[d], s) for (a, d), s in states.items() if s not in (OFF, LEAVE)]


def best_known(data: Path = DATA) -> dict[str, dict]:
    with open(data / "best_known.csv", newline="", encoding="utf-8") as fh:
        return {r["instance"]: r for r in csv.DictReader(fh)}


def _merge(results_path: Path, row: dict) -> dict[str, dict]:
    """Put one instance's row into curtois.json, re-reading the file under a lock so that two
    runs (say 1-12 and 13-24) can write to it at the same time. Returns all rows by instance."""
    lock = os.open(results_path.parent, os.O_RDONLY)  # the results folder is the lock
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        old = json.loads(results_path.read_text()) if results_path.exists() else {}
        rows = {r["instance"]: r for r in old.get("instances", [])}
        rows[row["instance"]] = row
        ordered = sorted(rows.values(), key=lambda r: int(r["instance"].removeprefix("Instance")))
        write_text(results_path, json.dumps({  # written whole, then renamed
            "benchmark": "Curtois & Qu employee shift scheduling, instances 1-24",
            "machine": "2-core machine; what else ran shows in load_1min_* per instance",
            "objective": "independent evaluator (bench/curtois_eval.py), S1+S2+S3 of FORMAT.md",
            "instances": ordered}, indent=1, default=str) + "\n")
    finally:
        os.close(lock)
    return rows


def _cover_bound(row: dict) -> str:
    """The table's cover bound: the larger of the weekend bound and the type bound (curtois_eval),
    marked by which it is ("w" or "t"); "-" for a row written before either existed."""
    w, t = row.get("weekend_bound"), row.get("type_bound")
    if w is None and t is None:
        return "-"
    return f"{w} w" if t is None or (w is not None and w >= t) else f"{t} t"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("instances", nargs="*", type=int, default=list(range(1, 25)))
    ap.add_argument("--time-limit", type=float, default=60)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--log", action="store_true")
    ap.add_argument("--params", default="", help="extra CP-SAT parameters, name=value;name=value")
    ap.add_argument("--start-share", type=float, default=0.0,
                    help="share of the time limit for a starting roster without the objective (0: none)")
    ap.add_argument("--start-params", default="", help="extra CP-SAT parameters of that start")
    ap.add_argument("--method", choices=("auto", "cpsat", "lns", "hybrid", "cg"), default="auto",
                    help="auto: hybrid on small models, cg where its pricing fits the time, lns on the rest (see auto_method)")
    ap.add_argument("--lns-share", type=float, default=0.5, help="hybrid: share of the limit for the agent-group search")
    args = ap.parse_args(argv)
    # bad arguments: one message naming what was expected, exit code 2, nothing written
    if args.time_limit <= 0 or args.workers < 1:
        ap.error(f"--time-limit must be > 0 and --workers >= 1 (got {args.time_limit:g} and {args.workers})")
    for name, share in (("--start-share", args.start_share), ("--lns-share", args.lns_share)):
        if not 0 <= share <= 1:
            ap.error(f"{name} must be a share of the time limit between 0 and 1 (got {share:g})")
    known_path = args.data / "best_known.csv"
    if not known_path.is_file():
        ap.error(f"{known_path}: no best-known table there (--data must be the Curtois folder)")
    known = best_known(args.data)
    for n in args.instances:
        if not (args.data / f"Instance{n}.txt").is_file():
            ap.error(f"{args.data / f'Instance{n}.txt'}: no such instance file (instances are 1-24)")
        if f"Instance{n}" not in known:
            ap.error(f"{known_path}: no row for Instance{n}")
    from rich.console import Console
    from rich.table import Table

    (args.out / "curtois").mkdir(parents=True, exist_ok=True)
    results_path = args.out / "curtois.json"
    for n in args.instances:
        inst = read_instance(args.data / f"Instance{n}.txt")
        load_before = os.getloadavg()[0]
        res = solve_instance(inst, args.time_limit, args.workers, args.seed, args.log, args.params,
                             args.start_share, args.start_params, args.method, args.lns_share)
        if res["rows"]:
            write_roster(args.out / "curtois" / f"{inst.name}.roster.csv", res["rows"])
        bk = known[inst.name]
        best, lb = int(bk["best_known_objective"]), int(bk["lower_bound"])
        keep = {k: v for k, v in res.items() if k not in ("rows", "validator", "evaluation")}
        keep.update(best_known=best, lower_bound=lb, weekend_bound=weekend_bound(inst), type_bound=type_bound(inst),
                    ratio=None if res["objective"] is None else round(res["objective"] / best, 4),
                    days=inst.horizon, staff=len(inst.staff), shift_types=len(inst.lengths),
                    load_1min_before=round(load_before, 2), load_1min_after=round(os.getloadavg()[0], 2),
                    finished_utc=datetime.now(timezone.utc).isoformat(timespec="seconds"))
        print(f"{inst.name}: {keep['status']} objective {keep['objective']} (best known {best}), "
              f"bound {keep['solver_bound']}, first feasible {keep['first_feasible_seconds']} s", flush=True)
        table_rows = _merge(results_path, keep)
    table = Table(title="Curtois & Qu benchmark through the roster engine")
    for col in ("instance", "objective", "best known", "lower bound", "ratio", "solver bound", "cover bound",
                "first feasible s", "status", "time limit s", "load", "hard violations"):
        table.add_column(col, justify="left" if col in ("instance", "status") else "right")
    for r in sorted(table_rows.values(), key=lambda r: int(r["instance"].removeprefix("Instance"))):
        table.add_row(r["instance"], str(r["objective"]), str(r["best_known"]), str(r["lower_bound"]),
                      f"{r['ratio']:.3f}" if r["ratio"] is not None else "-", str(r["solver_bound"]),
                      _cover_bound(r),
                      str(r["first_feasible_seconds"]), r["status"], str(r.get("time_limit_s")),
                      str(r.get("load_1min_before")), f"{r['hard_violations']} / {r['validator_violations']}")
    Console().print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
