"""Days-worked patterns of one agent over the horizon, by dynamic programming over its runs.

A year-long contract whose minimum minutes need nearly five days in every seven, with runs of
two to five days worked and at least two days off (Curtois 22), leaves almost no slack: which
weekends an agent works decides whether any roster meets its minimum. CP-SAT does not settle
that for one agent (measured on 22: with the agent's planned weekend days fixed, neither the
engine's clauses nor an automaton constraint found or disproved a roster of its 364 days in
5 s, and the weekend plan left 42 of 50 agents with weekend days no roster of theirs keeps),
while :func:`best_patterns` answers it exactly in milliseconds, for a whole row of prices at
once. It sees only runs, days fixed, the weekend limit and the fewest days worked
(:class:`DayRules`); the roster model still checks every rule. The weekend plan
(:func:`~scheduler.roster.lns.weekend_plan`) uses it to give each agent weekend days its
runs admit its minimum with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from ..domain import LEAVE, OFF, Problem, fixed_states
from .rules import weekends

FREE, REST, WORKED = -1, 0, 1  # values of a `forced` day


def _runs(max_run: int, min_run: int, min_off: int) -> tuple[list[tuple[str, int, int]], dict[int, list[int]]]:
    """The states of a day in the run rules and, per state, the states of the day before that
    may lead to it. A state is a run of k days worked (k = 1..max_run) or not worked (k =
    1..min_off, the last meaning min_off or more), flagged when it is the horizon's first run
    (exempt from the minima)."""
    states = [("w", k, f) for f in (0, 1) for k in range(1, max_run + 1)] + \
             [("o", k, f) for f in (0, 1) for k in range(1, min_off + 1)]
    index = {s: i for i, s in enumerate(states)}
    # transitions: target state -> its sources (a day worked goes to a "w" state, else to "o")
    sources: dict[int, list[int]] = {i: [] for i in range(len(states))}
    for (kind, k, f), i in index.items():
        if kind == "w":
            if k < max_run:
                sources[index["w", k + 1, f]].append(i)
            if f or k >= min_run:
                sources[index["o", 1, 0]].append(i)
        else:
            sources[index["o", min(k + 1, min_off), f]].append(i)
            if f or k >= min_off:
                sources[index["w", 1, 0]].append(i)
    return states, sources


def best_patterns(reward: np.ndarray, forced: np.ndarray, max_run: int, min_run: int, min_off: int,
                  weekend: np.ndarray, limit: int | None) -> tuple[np.ndarray, np.ndarray]:
    """For each row of `reward` (C x H: what working each day is worth), the pattern of days
    worked with the most reward that keeps the days `forced` (H: WORKED, REST or FREE), the
    runs (at most `max_run` days worked in a row; between two days not worked, resp. worked,
    inside the horizon at least `min_run` days worked, resp. `min_off` not worked, in a row;
    runs touching either end of the horizon are exempt) and at most `limit` weekends worked
    (`weekend`: per day its weekend's number, -1 on weekdays; a weekend counts once however
    many of its days are worked; None: no limit). Returns (reward, -inf where none;
    patterns, C x H bool)."""
    reward = np.atleast_2d(np.asarray(reward, dtype=np.float64))
    forced, weekend = np.asarray(forced, dtype=np.int8), np.asarray(weekend)
    C, H = reward.shape
    states, sources = _runs(max(1, max_run), max(1, min_run), max(1, min_off))
    index = {st: i for i, st in enumerate(states)}
    worked_state = np.array([kind == "w" for kind, _, _ in states])
    S, width = len(states), max(len(v) for v in sources.values())
    if limit is not None and limit >= len(set(weekend[weekend >= 0].tolist())):
        limit = None  # no more weekends than the limit
    if limit == 0:  # no weekend day worked
        if np.any((weekend >= 0) & (forced == WORKED)):
            return np.full(C, -np.inf), np.zeros((C, H), dtype=bool)
        forced = np.where(weekend >= 0, REST, forced)
        limit = None
    U = 1 if limit is None else limit + 1  # weekends worked so far: 0..limit
    src = np.full((S, width), S, dtype=np.int16)
    for t, srcs in sources.items():
        src[t, :len(srcs)] = srcs
    src_worked = np.append(worked_state, False)[src]  # S x width: the source is a day worked
    NONE = -np.inf
    value = np.full((C, S + 1, U), NONE)
    w0, o0 = index["w", 1, 1], index["o", 1, 1]
    if forced[0] != REST:
        value[:, w0, 1 if U > 1 and weekend[0] >= 0 else 0] = reward[:, 0]
    if forced[0] != WORKED:
        value[:, o0, 0] = 0.0
    back = np.zeros((H, C, S, U), dtype=np.int8)
    incs = np.zeros((H, S, width), dtype=bool)
    # a day worked starts counting its weekend unless the day before was a day worked of it
    # (the same weekend: a Sunday after its Saturday, or not)
    starts = {same: worked_state[:, None] & ~(src_worked & same) for same in (False, True)}
    for d in range(1, H):
        cand = value[:, src, :]  # C x S x width x U
        if U > 1 and weekend[d] >= 0:
            inc = starts[bool(weekend[d - 1] == weekend[d])]
            incs[d] = inc
            shifted = np.empty_like(cand)
            shifted[..., 0] = NONE
            shifted[..., 1:] = cand[..., :-1]
            cand = np.where(inc[None, :, :, None], shifted, cand)
        best = cand.argmax(axis=2)  # C x S x U
        v = cand.max(axis=2)  # the value at `best`
        v[:, worked_state, :] += reward[:, d][:, None, None]
        if forced[d] == REST:
            v[:, worked_state, :] = NONE
        elif forced[d] == WORKED:
            v[:, ~worked_state, :] = NONE
        value[:, :S, :] = v
        back[d] = best
    flat = value[:, :S, :].reshape(C, -1)
    end = flat.argmax(axis=1)
    best_value = flat[np.arange(C), end]
    rows = np.flatnonzero(np.isfinite(best_value))  # rows with a pattern, traced back
    t, u = np.divmod(end[rows], U)
    pattern = np.zeros((C, H), dtype=bool)
    for d in range(H - 1, 0, -1):
        pattern[rows, d] = worked_state[t]
        slot = back[d, rows, t, u]
        u = u - incs[d, t, slot]
        t = src[t, slot]
    pattern[rows, 0] = worked_state[t]
    return best_value, pattern


@dataclass
class DayRules:
    """Per agent whose contract asks a minimum of minutes: what :func:`best_patterns` needs to
    tell whether a choice of weekend days admits a roster. The runs (contract and team-wide
    ``max_consecutive_workdays``), the days fixed (leave off, ``fixed`` requests worked, the
    published days up to --fix-until in a re-plan as published), and the fewest days worked:
    the minimum minutes over the longest shift the contract allows. A necessary condition
    only: successions, per-type maxima, weekly and monthly days off and --previous are left
    to the roster model."""

    days: tuple[date, ...]
    ends: list[list[date]]
    rules: dict[str, tuple[int, int, int, int]]  # agent -> (max run, min run, min off, fewest days)
    base: dict[str, np.ndarray]                  # agent -> forced days (FREE / REST / WORKED)
    weekend: np.ndarray                          # per day its weekend's number in `ends`, -1 on weekdays

    @classmethod
    def of(cls, problem: Problem) -> "DayRules":
        cfg = problem.config
        minutes = {s.id: round(s.paid_hours * 60) for s in cfg.shifts}
        position = {d: i for i, d in enumerate(problem.days)}
        fixed = fixed_states(problem)
        rules, base = {}, {}
        for agent in problem.agents:
            c = cfg.contract(agent.group) if cfg.contracts else None
            if c is None or not c.min_minutes:
                continue
            allowed = [s for s in cfg.shift_ids if c.max_shifts.get(s, 1) > 0]
            if not allowed:
                continue
            longest = max(minutes[s] for s in allowed)
            rules[agent.id] = (min(c.max_consecutive_workdays or len(problem.days), cfg.rules.max_consecutive_workdays),
                               c.min_consecutive_workdays or 1, c.min_consecutive_days_off or 1,
                               -(-c.min_minutes // longest))
            forced = np.full(len(problem.days), FREE, dtype=np.int8)
            for d in problem.leave_days(agent.id):
                forced[position[d]] = REST
            for (a, d), st in fixed.items():
                if a == agent.id and d in position:
                    forced[position[d]] = REST if st in (OFF, LEAVE) else WORKED
            base[agent.id] = forced
        ends = weekends(problem.days)
        weekend = np.full(len(problem.days), -1)
        for k, wk in enumerate(ends):
            for d in wk:
                weekend[position[d]] = k
        return cls(tuple(problem.days), ends, rules, base, weekend)

    def _forced(self, a: str, worked: dict[date, bool]) -> np.ndarray:
        forced = self.base[a].copy()
        first = self.days[0]
        for d, on in worked.items():
            i = (d - first).days
            if forced[i] == FREE:
                forced[i] = WORKED if on else REST
        return forced

    def admits(self, a: str, worked: dict[date, bool]) -> bool:
        """Whether agent `a`'s runs admit its fewest days with the weekend days `worked`
        (day -> worked) as given (an agent without rules here: always)."""
        if a not in self.rules:
            return True
        max_run, min_run, min_off, fewest = self.rules[a]
        most, _ = best_patterns(np.ones((1, len(self.days))), self._forced(a, worked), max_run, min_run, min_off,
                                self.weekend, None)
        return most[0] >= fewest

    def best(self, a: str, cost: dict[date, float], limit: int | None) -> dict[date, bool] | None:
        """Agent `a`'s weekend days (weekend day -> worked) of least `cost` (day -> what working
        it costs; 0 where not given) among patterns that keep its runs, its days fixed, at most
        `limit` weekends and at least its fewest days; None when there is none. The fewest days
        are a resource the recursion does not count: it is priced instead, a reward per day
        worked tried at LAMBDAS times the largest cost, and the cheapest pattern with enough
        days is kept (a Lagrangian relaxation: it may miss a cheaper pattern between two
        prices)."""
        max_run, min_run, min_off, fewest = self.rules[a]
        first = self.days[0]
        day_cost = np.zeros(len(self.days))
        for d, c in cost.items():
            day_cost[(d - first).days] = c
        scale = float(np.abs(day_cost).max()) + 1.0
        # the last price outweighs any cost of the horizon: the pattern with the most days
        prices = [lam * scale for lam in LAMBDAS] + [(len(self.days) + 1) * scale]
        reward = np.array(prices)[:, None] - day_cost[None, :]
        _, patterns = best_patterns(reward, self.base[a], max_run, min_run, min_off, self.weekend, limit)
        days = patterns.sum(axis=1)
        totals = patterns.astype(float) @ day_cost
        ok = np.flatnonzero(days >= fewest)
        if not len(ok):
            return None
        i = ok[np.argmin(totals[ok])]
        return {d: bool(patterns[i, (d - first).days]) for wk in self.ends for d in wk}


# rewards per day worked tried by DayRules.best, as shares of the largest cost of a day (and
# one that outweighs every cost)
LAMBDAS = (0.0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5, 3.0)
