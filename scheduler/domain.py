"""Plain records shared by sizing, the roster model, the validator and reports."""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from .config import Config, RulesConfig

TIERS = ("junior", "senior", "elite", "expert", "gold")
TIER_ALIASES = {"普通": "junior", "高级": "senior", "精英": "elite", "专家": "expert", "金牌": "gold"}
REQUEST_KINDS = ("leave", "off", "on", "avoid", "fixed")
OFF, LEAVE = "off", "leave"


def tier_rank(tier: str) -> int:
    """0 for junior up to 4 for gold."""
    return TIERS.index(tier)


@dataclass(frozen=True)
class Agent:
    id: str
    name: str
    tier: str
    shops: tuple[str, ...] = ()  # shops the agent may serve; empty means any
    hire_date: date | None = None
    group: str = ""  # contract group: fairness compares agents within a group

    @property
    def senior(self) -> bool:
        """Tier senior or above (counts for rules.min_senior_per_shift)."""
        return tier_rank(self.tier) >= tier_rank("senior")

    def shop_limit(self, rules) -> int:
        """Most shops this agent may serve: the rule, or 3 where the config names the agent."""
        return max(rules.max_shops_per_agent, 3 if self.id in rules.allow_third_shop_for else 0)

    def allowed_shops(self, all_shops: list[str]) -> list[str]:
        return [s for s in all_shops if not self.shops or s in self.shops]

    def in_training(self, day: date, training_days: int) -> bool:
        """New agents do not count (carry no load) for their first `training_days` days."""
        return self.hire_date is not None and day < self.hire_date + timedelta(days=training_days)


@dataclass(frozen=True)
class Request:
    agent_id: str
    start: date
    end: date
    kind: str  # leave | off | on | avoid | fixed
    shift: str | None = None
    weight: int = 1
    row: int = 0  # row in the requests file, for explanations

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def met_by(self, state: str) -> bool:
        """Whether an ``on``, ``off`` or ``avoid`` request is met on a day of it whose state is
        `state` (a shift, OFF or LEAVE): an ``on`` one when a shift is worked (its shift, when it
        names one), the others when none is (not its shift, when it names one)."""
        hit = state not in (OFF, LEAVE) and (self.shift is None or state == self.shift)
        return hit if self.kind == "on" else not hit


@dataclass(frozen=True)
class Problem:
    """One month to roster: agents, demand per (date, shop, shift), requests, rules."""

    config: Config
    month: date  # first day of the month
    agents: tuple[Agent, ...]
    demand: pd.DataFrame  # columns date (datetime.date), shop, shift, volume (int)
    requests: tuple[Request, ...] = ()
    previous: pd.DataFrame | None = None  # last month's roster (date, agent_id, shift, shop, load)
    plan: pd.DataFrame | None = None      # this month's published roster, for re-planning
    fix_until: date | None = None         # with `plan`: days up to here are kept as published
    # head-count demand, soft (weights.heads_under / heads_over): columns date, shift, heads and
    # optionally under, over (per-row weights); None: no head-count rule
    heads: pd.DataFrame | None = None
    horizon_days: int | None = None       # None: the calendar month; else this many days from `month`
    days: tuple[date, ...] = field(init=False)

    def __post_init__(self) -> None:
        days = month_days(self.month) if self.horizon_days is None else \
            [self.month + timedelta(days=i) for i in range(self.horizon_days)]
        object.__setattr__(self, "days", tuple(days))

    def previous_states(self) -> dict[tuple[str, date], str]:
        """(agent, day) -> shift id, off or leave for the days of the previous roster."""
        return _states(self.previous)

    def plan_states(self) -> dict[tuple[str, date], str]:
        return _states(self.plan)

    def previous_shops(self) -> dict[str, set[str]]:
        """Shops each agent served (load > 0) in the previous roster."""
        if self.previous is None:
            return {}
        worked = self.previous[(self.previous["shop"].fillna("") != "") & (self.previous["load"] > 0)]
        return {a: set(g["shop"]) for a, g in worked.groupby("agent_id")}

    def volume(self) -> dict[tuple[date, str, str], int]:
        return {(r.date, r.shop, r.shift): int(r.volume) for r in self.demand.itertuples(index=False)}

    def head_need(self) -> dict[tuple[date, str], tuple[int, int, int]]:
        """(day, shift) -> (heads needed, weight per head short, weight per head over) of
        `heads` (one row per day and shift), the row's own `under` / `over` or
        weights.heads_under / heads_over; empty without head-count demand."""
        if self.heads is None or self.heads.empty:
            return {}
        h, w, n = self.heads, self.config.weights, len(self.heads)
        under = h["under"].tolist() if "under" in h else [w.heads_under] * n
        over = h["over"].tolist() if "over" in h else [w.heads_over] * n
        return {(d, s): (int(k), int(u), int(o))
                for d, s, k, u, o in zip(h["date"].tolist(), h["shift"].tolist(), h["heads"].tolist(), under, over)}

    def leave_days(self, agent_id: str) -> set[date]:
        return {d for r in self.requests if r.agent_id == agent_id and r.kind == LEAVE
                for d in r.days() if d in self.days}


def _states(roster: pd.DataFrame | None) -> dict[tuple[str, date], str]:
    if roster is None:
        return {}
    first = roster.drop_duplicates(["agent_id", "date"])
    return {(r.agent_id, r.date): r.shift for r in first.itertuples(index=False)}


def month_days(first: date) -> list[date]:
    n = calendar.monthrange(first.year, first.month)[1]
    return [first + timedelta(days=i) for i in range(n)]


def parse_month(text: str) -> date:
    """'2026-08' -> date(2026, 8, 1); ValueError otherwise."""
    try:
        ts = pd.Timestamp(f"{text}-01") if len(text) == 7 else None
    except ValueError:
        ts = None
    if ts is None or ts.strftime("%Y-%m") != text:
        raise ValueError(f"expected a month as YYYY-MM, got {text!r}")
    return ts.date()


def short_rest_pairs(config: Config) -> set[tuple[str, str]]:
    """(s1, s2) where shift s2 the day after s1 leaves less than rules.min_rest_hours of rest."""
    need = config.rules.min_rest_hours * 60
    return {(s1.id, s2.id) for s1 in config.shifts for s2 in config.shifts
            if s2.start_minutes + 1440 - s1.end_minutes < need}


def forbidden_successions(config: Config) -> set[tuple[str, str]]:
    """(s1, s2) where s2 may not be worked the day after s1: too little rest, or s1's
    `not_followed_by`."""
    return short_rest_pairs(config) | {(s.id, t) for s in config.shifts for t in s.not_followed_by}


def main_shop(shops: tuple[str, ...], month_volume: dict[str, int]) -> str:
    """The main shop of a shop set: the one with the most volume in the month (first on ties)."""
    return max(shops, key=lambda p: (month_volume[p], -shops.index(p)))


def fixed_states(problem: "Problem") -> dict[tuple[str, date], str | None]:
    """(agent, day) -> the shift that must be worked (None: any shift) or the published state:
    `fixed` requests, and in re-planning the days up to --fix-until; leave days are left out."""
    days = set(problem.days)
    leave = {a.id: problem.leave_days(a.id) for a in problem.agents}
    fixed: dict[tuple[str, date], str | None] = {}
    for r in problem.requests:
        if r.kind == "fixed":
            for d in r.days():
                if d in days and d not in leave.get(r.agent_id, set()):
                    fixed[r.agent_id, d] = r.shift
    if problem.plan is not None and problem.fix_until is not None:
        for (a, d), st in problem.plan_states().items():
            if d in days and d <= problem.fix_until and d not in leave.get(a, set()):
                fixed[a, d] = st
    return fixed


def shift_capacity(config: Config, shift_id: str) -> int:
    """Most inquiries one agent may carry in one worked shift (band max, optionally by paid hours)."""
    band = config.band
    if not band.scale_by_paid_hours:
        return band.max
    longest = max(s.paid_hours for s in config.shifts)
    return int(math.floor(band.max * config.shift(shift_id).paid_hours / longest))


def days_off_bounds(n_days: int, n_leave: int, rules: RulesConfig) -> tuple[int, int]:
    """Min and max days off in the month for an agent with `n_leave` days of leave.

    Leave days are neither workdays nor days off; the monthly bounds shrink pro rata with the
    days the agent is available (floor for the minimum, ceiling for the maximum).
    """
    avail = n_days - n_leave
    lo = math.floor(rules.min_days_off_per_month * avail / n_days)
    hi = math.ceil(rules.max_days_off_per_month * avail / n_days)
    return lo, min(hi, avail)


def workable_days(days: list[date] | tuple[date, ...], config: Config) -> int:
    """Most days one agent can work in the month under the days-off rules.

    Days off are at least the monthly minimum, the weekly minimum times the whole calendar
    weeks, and one in every ``max_consecutive_workdays + 1`` days. Rotation costs no extra day:
    the rest needed between a night block and a day block falls on one of those days off.
    """
    r = config.rules
    n = len(days)
    off = max(r.min_days_off_per_month, r.min_days_off_per_week * len(full_weeks(days)),
              n // (r.max_consecutive_workdays + 1))
    return max(0, n - off)


def full_weeks(days: list[date] | tuple[date, ...]) -> list[list[date]]:
    """Calendar weeks (Monday to Sunday) lying wholly inside `days`."""
    weeks: dict[tuple[int, int], list[date]] = {}
    for d in days:
        weeks.setdefault(d.isocalendar()[:2], []).append(d)
    return [w for w in weeks.values() if len(w) == 7]
