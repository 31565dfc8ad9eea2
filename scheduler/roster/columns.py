"""Column generation (price-and-dive) for problems whose agents meet only in a head-count cover.

When the only thing that ties agents together is a soft head-count cover (see
:func:`~scheduler.roster.lns.not_separable`), the roster is a choice of one schedule per agent
(a *column*: the agent's state on every day, and its own cost: unmet requests), and the cover
is soft with per-slot weights. The master problem over a pool of columns is

    min   sum_c cost_c l_c + sum_ds (under_ds u_ds + over_ds o_ds)
    s.t.  sum_{c of agent a} l_c = 1                      (each agent one schedule)
          sum_c works_c(d, s) l_c + u_ds - o_ds = need_ds  (cover of day d, shift s)

Its LP (GLOP) gives duals pi_ds of the cover rows; a column of agent a with reduced cost
cost_c - sum pi_ds works_c(d, s) - mu_a < 0 improves the LP. Pricing is the engine's own
:func:`~scheduler.roster.solve.build_model` for that one agent (every hard rule of its contract;
its only soft terms are its requests), with the duals as a per-shift reward: no second model.

Every set of multipliers pi in [-over, under] gives a lower bound on the roster cost (Lagrangian
relaxation of the cover rows): sum_ds pi_ds need_ds + sum_a min over the agent's schedules of
(cost - sum pi_ds works). With each pricing problem's proven bound this is a valid bound on the
whole problem, reported as :attr:`ColumnStats.bound`.

After the pool stops improving the LP (or the time share runs out), a dive fixes agents' days
to the state of their heaviest LP column, the nearly integral ones and a few more at a time,
pricing the agents again within their fixings after each step, until the LP is integral; then
the master with integer l_c is solved by CP-SAT over the whole pool, hinted with the better of
the dive's roster and the one :func:`generate` started from, and never returns a roster worse
than its hint.
"""

from __future__ import annotations

import math
import time
from contextlib import contextmanager
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from ..config import SolverConfig
from ..domain import LEAVE, OFF, Problem
from .lns import LnsError, States, _alone, _set_domain, _set_objective, not_separable
from .parameters import configure_solver

DIVE_ROUNDS = 3     # pricing rounds after each dive step at most
DIVE_SHARE = 0.03   # (agent, day)s fixed per dive step at least (share of the free ones)
SMOOTHING = 0.5     # weight of the best-bound multipliers in the pricing duals (Wentges)
DEEP_AFTER = 0.5    # seconds (deterministic time in deterministic mode) of pricing at the default
                    # linearization before level 2 (see ColumnGeneration.price)
SCALE = 1000  # duals are fractional; pricing objectives are integers: rewards in 1/SCALE units


@dataclass(frozen=True)
class Column:
    """One agent's schedule: its state per day (the problem's days in order), its own cost
    (the engine's objective for that agent alone without cover: unmet requests) and the
    (day, shift) slots it works."""

    agent: str
    states: tuple[str, ...]
    cost: int
    works: frozenset[tuple[date, str]]


class _Pricer:
    """The engine's model of one agent alone, built once; each pricing round only replaces the
    objective (its own penalties, scaled, plus the duals' reward per worked slot)."""

    def __init__(self, problem: Problem, agent: str):
        alone = _alone(problem, agent)  # no cover: duals instead
        self.agent = agent
        self.deep = False  # priced at linearization level 2 (see ColumnGeneration.price)
        self.model = alone.nb.model
        self.days = problem.days
        self.base = alone.base  # variable index -> coefficient
        self.offset = alone.offset
        self.slot = alone.slots
        # per day the (state, literal index) options; none on leave days (no literals then)
        self.state_vars = [[(s, x.index) for s, x in alone.nb.free[agent, d].items()]
                           if (agent, d) in alone.nb.free else [] for d in problem.days]

    def column(self, values) -> Column:
        """The column of a solution (`values`: proto variable index -> value)."""
        states = []
        for options in self.state_vars:
            states.append(next((name for name, i in options if values(i)), LEAVE))
        cost = self.offset + sum(c * values(i) for i, c in self.base.items())
        works = frozenset((d, s) for d, s in zip(self.days, states) if s not in (OFF, LEAVE))
        return Column(self.agent, tuple(states), cost, works)

    def set_prices(self, pi: dict[tuple[date, str], int]) -> None:
        """Objective SCALE * own cost - pi (already in 1/SCALE units) per worked slot."""
        terms = {i: SCALE * c for i, c in self.base.items()}
        for key, i in self.slot.items():
            p = pi.get(key, 0)
            if p:
                terms[i] = terms.get(i, 0) - p
        _set_objective(self.model, terms, SCALE * self.offset)

    def literals(self, fix: dict[int, str]) -> dict[int, int]:
        """Literal index -> 0/1 of the states in `fix` (day number -> state)."""
        return {i: int(name == st) for day, st in fix.items() for name, i in self.state_vars[day]}

    @contextmanager
    def held(self, values: dict[int, int]):
        """The model with the literals in `values` (index -> 0/1) fixed, their domains changed
        in place and back on exit."""
        proto = self.model.proto
        saved = {i: (proto.variables[i].domain[0], proto.variables[i].domain[1]) for i in values}
        for i, x in values.items():
            _set_domain(proto, i, x, x)
        try:
            yield self.model
        finally:
            for i, (lo, hi) in saved.items():
                _set_domain(proto, i, lo, hi)

    def fixed_solution(self, values: dict[int, int]) -> list[int] | None:
        """The model solved with the state literals fixed as in `values` (literal index -> 0/1):
        every variable's value, the others at their cheapest, or None when the schedule breaks
        a hard rule of the agent."""
        with self.held(values) as model:
            solver = cp_model.CpSolver()
            solver.parameters.num_workers = 1
            solver.parameters.max_time_in_seconds = 10.0
            status = solver.solve(model)
        if status == cp_model.INFEASIBLE:
            return None
        if status != cp_model.OPTIMAL:
            raise LnsError(f"agent {self.agent}: no answer in 10 s on whether the roster keeps the rules")
        return list(solver.response_proto.solution)

    def hint(self, col: Column) -> None:
        values = self.literals(dict(enumerate(col.states)))
        proto = self.model.proto
        proto.clear_solution_hint()
        proto.solution_hint.vars.extend(list(values))
        proto.solution_hint.values.extend(list(values.values()))


class _Collect(cp_model.CpSolverSolutionCallback):
    def __init__(self, pricer: _Pricer):
        super().__init__()
        self.pricer = pricer
        self.found: list[Column] = []

    def on_solution_callback(self) -> None:
        values = self.response_proto.solution
        self.found.append(self.pricer.column(lambda i: values[i]))


@dataclass
class ColumnStats:
    """What :func:`generate` did: pricing rounds, columns in the pool, the last LP value, the
    best Lagrangian lower bound (None until one pricing round proved every agent's bound), the
    integer master's status and objective, seconds spent in pricing / LP / integer master, the
    pricing rounds before the dive, the dive's steps and the cost of the best roster its steps
    gave (each step's heaviest columns; None when no dive round ran)."""

    rounds: int = 0
    columns: int = 0
    lp: float | None = None
    bound: float | None = None
    master_status: str = ""
    master_objective: int | None = None
    pricing_s: float = 0.0
    lp_s: float = 0.0
    master_s: float = 0.0
    lp_rounds: int = 0
    dive_steps: int = 0
    dive_objective: int | None = None


class ColumnGeneration:
    """A pool of columns per agent for `problem`, the LP master, pricing, and the integer master."""

    def __init__(self, problem: Problem, cfg: SolverConfig):
        reason = not_separable(problem)
        if reason:
            raise LnsError(f"column generation does not apply: {reason}")
        self.problem, self.cfg = problem, cfg
        self.need = problem.head_need()
        self.agents = [a.id for a in problem.agents]
        self.pool: dict[str, dict[tuple[str, ...], Column]] = {a: {} for a in self.agents}
        self.pricers: dict[str, _Pricer] = {}
        self._lp: pywraplp.Solver | None = None
        self._stable: dict[tuple[date, str], int] | None = None  # multipliers of the best bound
        self._lp_vars: dict[str, dict[tuple[str, ...], pywraplp.Variable]] = {}
        self._cover: dict = {}
        self._one: dict = {}
        # the dive's fixings: agent -> {day index: state}; columns that disagree are out of the LP
        self.fixings: dict[str, dict[int, str]] = {}
        self._closed: set[tuple[str, tuple[str, ...]]] = set()  # (agent, column) held at 0 in the LP
        self._dirty: set[str] = set()  # agents whose fixings changed since the last LP

    # -- pool ---------------------------------------------------------------------------------
    def add_roster(self, states: States) -> None:
        """Each agent's schedule in `states` as a column: checked against the agent's hard
        rules, its cost from the agent's model with those shifts fixed (so any own cost beyond
        the shifts, e.g. a shop choice, is counted too). A day missing from `states` is leave
        on the agent's leave days, else off."""
        for a in self.agents:
            pr = self._pricer(a)
            seq = self.pool_key(a, states)
            if seq in self.pool[a]:
                continue
            lookup = pr.literals(dict(enumerate(seq)))
            if pr.column(lambda i: lookup.get(i, 0)).states != seq:
                raise LnsError(f"agent {a}: the roster has a shift the agent cannot work")
            solution = pr.fixed_solution(lookup)
            if solution is None:
                raise LnsError(f"agent {a}: the roster breaks a hard rule of the agent's contract")
            self.pool[a][seq] = pr.column(lambda i: solution[i])

    def pool_key(self, a: str, states: States) -> tuple[str, ...]:
        """Agent `a`'s states day by day in `states` (a missing day: leave on the agent's
        leave days, else off)."""
        leave = self.problem.leave_days(a)
        return tuple(states.get((a, d), LEAVE if d in leave else OFF) for d in self.problem.days)

    def _pricer(self, a: str) -> _Pricer:
        if a not in self.pricers:
            self.pricers[a] = _Pricer(self.problem, a)
        return self.pricers[a]

    def cost(self, states: States) -> int:
        """The roster's cost: its columns' own costs plus the cover penalties (its columns
        join the pool, checked, when they are new)."""
        self.add_roster(states)
        total = 0
        staffed: dict[tuple[date, str], int] = {}
        for a in self.agents:
            col = self.pool[a][self.pool_key(a, states)]
            total += col.cost
            for key in col.works:
                staffed[key] = staffed.get(key, 0) + 1
        for key, (need, under, over) in self.need.items():
            gap = need - staffed.get(key, 0)
            total += gap * under if gap > 0 else -gap * over
        return total

    def columns(self) -> int:
        return sum(len(p) for p in self.pool.values())

    def roster(self, cols: dict[str, Column]) -> States:
        """The roster of one column per agent."""
        return {(a, d): st for a, col in cols.items() for d, st in zip(self.problem.days, col.states)}

    # -- LP master ----------------------------------------------------------------------------
    def consistent(self, a: str, states: tuple[str, ...]) -> bool:
        """Whether a schedule of agent `a` keeps the dive's fixings of `a`."""
        return all(states[i] == st for i, st in self.fixings.get(a, {}).items())

    def fix(self, a: str, day: int, state: str) -> None:
        """Fix agent `a` to `state` on the problem's day number `day` (pricing and LP)."""
        self.fixings.setdefault(a, {})[day] = state
        self._dirty.add(a)

    def unfix_all(self) -> None:
        """Drop every fixing: the whole pool is in the LP again."""
        self._dirty |= set(self.fixings)
        self.fixings.clear()

    def solve_lp(self, fresh: bool = False) -> tuple[float, dict[tuple[date, str], float], dict[str, float]]:
        """The LP master over the pool, columns that disagree with the dive's fixings held at 0:
        its value, the cover duals pi and the agent duals mu. The primal values are kept in
        self.lp_values (agent -> [(value, column)]). The LP is built once; later calls add the
        new columns and change bounds only."""
        if self._lp is None:
            lp = self._lp = pywraplp.Solver.CreateSolver("GLOP")
            self._closed = set()
            self._cover = {key: lp.Constraint(need, need) for key, (need, _, _) in self.need.items()}
            self._one = {a: lp.Constraint(1, 1) for a in self.agents}
            obj = lp.Objective()
            for key, (need, under, over) in self.need.items():
                u, o = lp.NumVar(0, lp.infinity(), ""), lp.NumVar(0, lp.infinity(), "")
                self._cover[key].SetCoefficient(u, 1)
                self._cover[key].SetCoefficient(o, -1)
                obj.SetCoefficient(u, under)
                obj.SetCoefficient(o, over)
            obj.SetMinimization()
        lp, obj = self._lp, self._lp.Objective()
        for a, cols in self.pool.items():
            have = self._lp_vars.setdefault(a, {})
            for seq, col in cols.items():
                if seq in have:
                    continue
                x = have[seq] = lp.NumVar(0, 1, "")
                if not self.consistent(a, seq):
                    x.SetUb(0)
                    self._closed.add((a, seq))
                self._one[a].SetCoefficient(x, 1)
                obj.SetCoefficient(x, col.cost)
                for key in col.works:
                    if key in self._cover:
                        self._cover[key].SetCoefficient(x, 1)
        for a in self._dirty:  # new columns were checked above; older ones when fixings change
            for seq, x in self._lp_vars.get(a, {}).items():
                out = not self.consistent(a, seq)
                if out != ((a, seq) in self._closed):
                    x.SetUb(0 if out else 1)
                    (self._closed.add if out else self._closed.discard)((a, seq))
        self._dirty.clear()
        status = lp.Solve()
        if status != pywraplp.Solver.OPTIMAL and not fresh:
            # GLOP's warm start after many changes can end ABNORMAL: once more from scratch
            self._lp, self._lp_vars = None, {}
            return self.solve_lp(fresh=True)
        if status != pywraplp.Solver.OPTIMAL:
            raise LnsError(f"the LP master has no optimal solution (GLOP status {status})")
        self.lp_values = {a: [(x.solution_value(), self.pool[a][seq]) for seq, x in xs.items()]
                          for a, xs in self._lp_vars.items()}
        return (obj.Value(), {k: c.dual_value() for k, c in self._cover.items()},
                {a: c.dual_value() for a, c in self._one.items()})

    # -- pricing ------------------------------------------------------------------------------
    def price(self, a: str, pi: dict[tuple[date, str], int], seconds: float,
              seed: int) -> tuple[list[Column], float | None]:
        """Agent `a`'s schedules found while minimising cost - pi . works (pi in 1/SCALE units;
        the pool's best at these prices as hint), and the proven lower bound of that minimum
        (None when no solve proved one: both ran out of time before any bound).

        CP-SAT's default linearization first, for at most DEEP_AFTER seconds: where it proves
        the minimum it is the better choice, as its search passes more improving schedules,
        each a column (12: 25 rounds to converge, against 31 with level 2 everywhere). An
        agent it does not prove in that time is priced at linearization level 2 (every
        constraint in the LP: long sequence rules are proven by their cuts) for the rest of
        the time, and from then on. Measured on one round over all agents (3 s limit each, one
        thread): 18 (84 days) 5.6 s at level 2, all 22 optimal, against 60 s with 5 optimal at
        the default; 19: 8.5 s against 69 s."""
        pr = self._pricer(a)
        pr.set_prices(pi)
        pool = [c for c in self.pool[a].values() if self.consistent(a, c.states)] or list(self.pool[a].values())
        best = min(pool, key=lambda c: c.cost - sum(pi.get(k, 0) for k in c.works) / SCALE)
        pr.hint(best)
        collect = _Collect(pr)
        bounds = []

        def run(limit: float, level: int) -> tuple[int, float]:  # status, time spent
            solver = cp_model.CpSolver()
            configure_solver(solver, self.cfg, limit)
            solver.parameters.num_workers = 1  # agents are priced two at a time instead
            solver.parameters.linearization_level = level
            solver.parameters.random_seed = seed
            solver.parameters.log_search_progress = False
            status = solver.solve(model, collect)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                bounds.append(solver.best_objective_bound / SCALE)
            return status, solver.deterministic_time if self.cfg.deterministic else solver.wall_time

        with pr.held(pr.literals(self.fixings.get(a, {}))) as model:
            if pr.deep:
                run(seconds, 2)
            else:
                status, spent = run(min(seconds, DEEP_AFTER), 1)
                if status != cp_model.OPTIMAL and seconds >= DEEP_AFTER:
                    pr.deep = True  # not proven in its DEEP_AFTER: level 2 from now on
                    if seconds - spent > 0.1:
                        run(seconds - spent, 2)
        return collect.found, max(bounds) if bounds else None

    # -- integer master -----------------------------------------------------------------------
    def solve_master(self, states: States, seconds: float) -> tuple[States, str, int]:
        """CP-SAT over the pool (one column per agent), hinted with `states`' columns. Returns
        the roster, CP-SAT's status and the roster's cost: `states` and its cost when CP-SAT
        found nothing better. With two or more workers
        one of them is max_lp (every constraint in the LP: on a set-partitioning master that is
        what proves and guides)."""
        before = self.cost(states)  # also puts its columns in the pool: the hint is complete
        model = cp_model.CpModel()
        pick: dict[str, list[tuple[cp_model.IntVar, Column]]] = {}
        staffed: dict[tuple[date, str], list] = {}
        for a, cols in self.pool.items():
            pick[a] = [(model.new_bool_var(f"{a}#{i}"), col) for i, col in enumerate(cols.values())]
            model.add_exactly_one(x for x, _ in pick[a])
            for x, col in pick[a]:
                for key in col.works:
                    staffed.setdefault(key, []).append(x)
        hinted: dict[tuple[date, str], int] = {}  # the hint's head count per slot
        for a, cols in pick.items():
            seq = self.pool_key(a, states)
            for x, col in cols:
                model.add_hint(x, col.states == seq)
                if col.states == seq:
                    for key in col.works:
                        hinted[key] = hinted.get(key, 0) + 1
        terms = []
        for key, (need, under, over) in self.need.items():
            u = model.new_int_var(0, max(0, need), f"under{key}")
            o = model.new_int_var(0, len(self.agents), f"over{key}")
            model.add(sum(staffed.get(key, [])) + u - o == need)
            model.add_hint(u, max(0, need - hinted.get(key, 0)))  # a complete hint: CP-SAT starts from it
            model.add_hint(o, max(0, hinted.get(key, 0) - need))
            terms += [under * u, over * o]
        terms += [col.cost * x for cols in pick.values() for x, col in cols]
        model.minimize(sum(terms))
        solver = cp_model.CpSolver()
        configure_solver(solver, self.cfg, seconds)
        solver.parameters.log_search_progress = False
        if self.cfg.workers >= 2:
            solver.parameters.subsolvers.extend(["max_lp", "default_lp"])
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):  # nothing found: the hint back
            return states, solver.status_name(status), before
        out = self.roster({a: next(col for x, col in cols if solver.value(x)) for a, cols in pick.items()})
        found = self.cost(out)  # not the objective: a feasible u and o may both be above zero
        if found > before:  # CP-SAT may leave a hint it could not repair: never return worse
            return states, solver.status_name(status), before
        return out, solver.status_name(status), found

    # -- one round --------------------------------------------------------------------------
    def round(self, pool: ThreadPoolExecutor, seconds: float, stats: "ColumnStats",
              diving: bool = False, smoothing: bool = True, deadline: float | None = None) -> int:
        """Solve the LP, price every agent the dive's fixings leave a choice (for at most
        `seconds` each, within its fixings), add the new columns (negative reduced cost at the
        LP's duals). Returns how many were added.

        Outside a dive, pricing uses duals smoothed towards the best multipliers so far
        (Wentges: SMOOTHING of those, the rest the LP's), which damps the LP duals' swings and
        cuts the rounds to converge; when that finds no column, the round is priced again at
        the LP's own duals (unless past `deadline`, a perf_counter time), so stopping still
        proves the LP optimal. Each such round whose every agent's pricing bound is known gives
        a Lagrangian bound (kept in `stats`)."""
        diving = diving or bool(self.fixings)  # a restricted LP gives neither the LP value nor a bound
        t = time.perf_counter()
        value, pi, mu = self.solve_lp()
        stats.lp_s += time.perf_counter() - t
        if not diving:
            stats.lp = value
        # multipliers clipped to [-over, under] (a Lagrangian bound needs it), in 1/SCALE units
        at_lp = {k: int(round(SCALE * min(max(p, -self.need[k][2]), self.need[k][1]))) for k, p in pi.items()}
        smooth = smoothing and not diving and self._stable is not None and SMOOTHING > 0
        prices = {k: int(round(SMOOTHING * self._stable[k] + (1 - SMOOTHING) * p)) for k, p in at_lp.items()} \
            if smooth else at_lp
        days = len(self.problem.days)
        free = [a for a in self.agents if len(self.fixings.get(a, ())) < days]
        t = time.perf_counter()
        jobs = [pool.submit(self.price, a, prices, seconds, self.cfg.seed + stats.rounds) for a in free]
        results = [j.result() for j in jobs]
        stats.pricing_s += time.perf_counter() - t
        stats.rounds += 1
        bounds = [b for _, b in results]
        if not diving and all(b is not None for b in bounds):
            lagrange = sum(prices[k] * need for k, (need, _, _) in self.need.items()) / SCALE + sum(bounds)
            if stats.bound is None or lagrange > stats.bound:
                stats.bound, self._stable = lagrange, prices
        added = 0
        for a, (found, _) in zip(free, results):
            for col in found:
                rc = col.cost - sum(at_lp.get(k, 0) for k in col.works) / SCALE - mu[a]
                if rc < -1e-6 and col.states not in self.pool[a]:
                    self.pool[a][col.states] = col
                    added += 1
        if not added and smooth and (deadline is None or time.perf_counter() < deadline):
            # mispriced: the smoothed duals found nothing the LP wants; at the LP's own, once
            return self.round(pool, seconds, stats, smoothing=False)
        return added

    # -- diving -------------------------------------------------------------------------------
    def heaviest(self) -> dict[str, tuple[float, Column]]:
        """Per agent its column of largest LP value among those that keep its fixings (the
        last LP solved)."""
        out = {}
        for a, xs in self.lp_values.items():
            ok = [(v, col) for v, col in xs if self.consistent(a, col.states)]
            out[a] = max(ok, key=lambda t: t[0])
        return out

    def dive_step(self, share: float) -> int:
        """Fix, from the last LP, days of agents to the state of their heaviest column: every
        day on which that column's state has LP weight >= 0.9 for the agent, and at least
        `share` of the days still free (the heaviest states first; at least one). The fixings of one agent all
        come from one column that keeps its earlier fixings, so its pricing keeps a schedule.
        Returns the number of days fixed."""
        days = len(self.problem.days)
        heavy = self.heaviest()
        cands = []  # (weight, agent, day, state)
        for a, (_, col) in heavy.items():
            fix = self.fixings.get(a, {})
            if len(fix) == days:
                continue
            weight: list[dict[str, float]] = [{} for _ in range(days)]
            for v, c in self.lp_values[a]:
                if v > 1e-9:
                    for i, st in enumerate(c.states):
                        weight[i][st] = weight[i].get(st, 0.0) + v
            cands += [(weight[i].get(col.states[i], 0.0), a, i, col.states[i]) for i in range(days) if i not in fix]
        cands.sort(key=lambda t: (-t[0], t[1], t[2]))
        k = max(1, sum(w >= 0.9 for w, *_ in cands), math.ceil(share * len(cands)))
        for _, a, i, st in cands[:k]:
            self.fix(a, i, st)
        return min(k, len(cands))


def generate(problem: Problem, states: States, cfg: SolverConfig, seconds: float,
             lp_share: float = 0.5, master_share: float = 0.15,
             price_seconds: float = 2.0) -> tuple[States, ColumnStats]:
    """Price-and-dive from `states` (a roster keeping every hard rule) for about `seconds`.

    1. Pricing rounds over every agent (two at a time when cfg.workers >= 2) until no agent has
       a column of negative reduced cost (the LP is optimal and its bound proven) or `lp_share`
       of the time is spent.
    2. Diving on the agents' days: each step fixes (agent, day) to the state of the agent's
       heaviest LP column (:meth:`ColumnGeneration.dive_step`: every nearly integral day and
       at least DIVE_SHARE of the free ones, more when time is short), then prices the agents
       again within their fixings (at most DIVE_ROUNDS rounds). Every agent's heaviest column
       is a schedule that keeps its rules, so each step gives a roster; the best is kept.
       It ends when the LP is integral, every day is fixed or only `master_share` of the
       time is left.
    3. The integer master (CP-SAT) over the whole pool for at most `master_share`, hinted
       with the better of the dive's best roster and `states`.
    Returns the master's roster (never worse than its hint) and stats. The time shares are
    wall-clock, so this is not deterministic; in deterministic mode (cfg.deterministic) each
    CP-SAT call's limit is deterministic time, the loop's shares still wall-clock. A round
    started before a share ends runs to its end (each agent's pricing at least 0.05 s), so
    the total can pass `seconds` by about one round."""
    started = time.perf_counter()
    left = lambda: seconds - (time.perf_counter() - started)  # noqa: E731
    cg = ColumnGeneration(problem, cfg)
    stats = ColumnStats()
    cg.add_roster(states)
    workers = max(1, min(2, cfg.workers))
    reserve = master_share * seconds
    per_agent = lambda until: min(price_seconds, max(0.05, (left() - until) * workers / len(cg.agents)))  # noqa: E731
    best, best_cost = states, cg.cost(states)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        lp_until = seconds * (1 - lp_share)
        while left() > lp_until:
            added = cg.round(pool, per_agent(lp_until), stats, deadline=started + seconds - lp_until)
            if not added:
                break
        stats.lp_rounds = stats.rounds
        t_dive = time.perf_counter()
        while left() > reserve:
            stale = True  # the LP's values are from before the last round's columns
            for i in range(DIVE_ROUNDS):
                if i and left() <= reserve:
                    break
                if not cg.round(pool, per_agent(reserve), stats, diving=True):
                    stale = False
                    break
            if stale:
                cg.solve_lp()
            heavy = cg.heaviest()
            dived = cg.roster({a: col for a, (_, col) in heavy.items()})
            cost = cg.cost(dived)
            if cost < best_cost:
                best, best_cost = dived, cost
            stats.dive_objective = cost if stats.dive_objective is None else min(stats.dive_objective, cost)
            if all(v > 1 - 1e-6 for v, _ in heavy.values()):  # integral (so too once every day is fixed)
                break
            # at least DIVE_SHARE of the free days, more when at this pace the dive would not
            # end before the master's reserve
            per_step = (time.perf_counter() - t_dive) / max(1, stats.dive_steps)
            steps = max(1.0, (left() - reserve) / max(per_step, 1e-3))
            cg.dive_step(max(DIVE_SHARE, 1.0 / steps))
            stats.dive_steps += 1
    cg.unfix_all()
    stats.columns = cg.columns()
    t = time.perf_counter()
    out, stats.master_status, stats.master_objective = cg.solve_master(best, max(1.0, min(left(), reserve)))
    stats.master_s = time.perf_counter() - t
    if stats.bound is not None:
        stats.bound = math.ceil(stats.bound - 1e-6)
    return out, stats
