"""Hiring need over a horizon of months: how many agents to recruit, of which tier, by when.

For each month of the horizon (config ``hiring``; every key documented in configs/example.yaml):

- **forecast** per shop: the month's p50 and staffing-quantile volume (:func:`run_forecast`);
- **required heads, formula**: the agent-shifts the month needs (``ceil(volume / band)`` per
  shop, day and shift, as ``staffing size`` counts them) at band target and at band max,
  divided by the days one agent can work in the month under the rules
  (:func:`workable_days`) net of shrinkage; and never fewer than the busiest day needs when
  everyone who is not shrunk works that day (11.11 is such a day);
- **required heads, proven** (the first ``hiring.proof_months`` months): the smallest number of
  agents for which the roster model (:func:`solve_roster`, objective reduced to uncovered
  inquiries) finds a roster with zero uncovered inquiries, every agent at most band max. The
  team searched is synthetic: new agents of ``hiring.new_agent_tier`` who may serve any shop,
  plus the seniors ``rules.min_senior_per_shift`` needs. When a probe times out the result is
  a bracket ``[lo, hi]``, never a guess;
- **available heads**: the current team's expected survivors, ``(1 - attrition[tier]) ^ k``
  at the end of the k-th month (k = 1 for the first), counting only the days after each
  agent's training (hire dates in the future are hires already in training);
- **hires needed**: the shortfall not already met by earlier months' hires (who survive at the
  new tier's rate), the date they must start (month start - ``rules.training_days``) and the
  latest date to start recruiting (that minus ``hiring.recruiting_lead_days``);
- **surplus**: heads above which the expected (p50) load per agent-day falls under band min;
- **tier mix**: the seniors (tier senior or above) ``rules.min_senior_per_shift`` needs, and
  how many of the hires must be senior or above.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable

import numpy as np
import pandas as pd

from forecasts import quantile_column

from .config import Config, WeightsConfig
from .domain import Agent, Problem, month_days, shift_capacity, workable_days
from .errors import InputError
from .pipeline import month_demand, run_forecast, run_size
from .roster import RosterError, solve_roster

HIRING_COLUMNS = [
    "month", "days", "events", "volume_p50", "volume_staffing", "staffing_quantile", "widened",
    "workable_days", "productive_days", "heads_formula_max", "heads_formula_target", "formula_driver",
    "peak_day", "peak_heads",
    "proven_heads", "proven_lo", "proven_hi", "proof", "proof_seconds", "required_heads",
    "team_heads", "in_training", "available_heads", "seniors_needed", "seniors_available",
    "shortfall", "hires_needed", "hires_senior", "hire_start", "recruit_by", "recruit_late",
    "planned_heads", "peak_extra_heads", "expected_load", "surplus_heads", "note",
]


# ---------------------------------------------------------------- arithmetic


def formula_heads(demand: pd.DataFrame, config: Config, days: list[date]) -> dict:
    """Heads the month needs at band max and at band target (fast estimate, with shrinkage).

    `demand` is the month's ``date, shop, shift, volume``. Agent-shifts per shop, day and shift
    are ``ceil(volume / band)``; heads = month agent-shifts / productive days, rounded up.
    ``peak_heads`` is the busiest day's agent-shifts at band max / (1 - shrinkage): the heads
    needed if everyone not shrunk works that day. With ``hiring.peak_days: hire`` the heads
    are never fewer than the busiest day needs (at each band); with ``temporary`` (default) the
    peak beyond the planned team is reported for temporary staff or overtime instead.
    """
    shrink = config.hiring.shrinkage.total
    work = workable_days(days, config)
    productive = work * (1 - shrink)
    caps = np.array([shift_capacity(config, s) for s in demand["shift"]], dtype=float)
    scale = caps / config.band.max  # band target scaled like band max when scale_by_paid_hours
    vol = demand["volume"].to_numpy(dtype=float)
    out = {"workable_days": work, "productive_days": round(productive, 2), "formula_driver": "month volume"}
    for name, band in (("max", caps), ("target", config.band.target * scale)):
        shifts = pd.Series(np.ceil(vol / band), index=demand.index)
        per_day = shifts.groupby(demand["date"]).sum()
        by_month = math.ceil(round(shifts.sum() / productive, 6)) if productive > 0 else 0
        by_peak = math.ceil(round(per_day.max() / (1 - shrink), 6)) if len(per_day) else 0
        heads = max(by_month, by_peak) if config.hiring.peak_days == "hire" else by_month
        out[f"heads_formula_{name}"] = heads
        if name == "max":
            out["peak_day"] = per_day.idxmax() if len(per_day) else None
            out["peak_heads"] = by_peak
        elif by_peak > by_month and config.hiring.peak_days == "hire":
            out["formula_driver"] = f"peak day {out['peak_day']}"
    return out


def seniors_needed(demand: pd.DataFrame, config: Config, days: list[date]) -> int:
    """Heads of tier senior or above that ``rules.min_senior_per_shift`` needs.

    Each shift of each day needs k seniors for every ``max_shops_per_agent`` shops with volume
    (one senior may cover the shops of their set); the month's senior-shifts are spread over
    the days a senior can work, net of shrinkage, and never fewer than the busiest day needs.
    """
    k = config.rules.min_senior_per_shift
    if not k or demand.empty:
        return 0
    busy = demand[demand["volume"] > 0].groupby(["date", "shift"])["shop"].nunique()
    per_shift = k * np.ceil(busy / config.rules.max_shops_per_agent)
    per_day = per_shift.groupby(level="date").sum()
    shrink = config.hiring.shrinkage.total
    productive = workable_days(days, config) * (1 - shrink)
    return int(max(math.ceil(round(per_day.sum() / productive, 6)), math.ceil(round(per_day.max() / (1 - shrink), 6))))


def attrition_rate(config: Config, tier: str) -> float:
    return float(getattr(config.hiring.attrition, tier))


def survival(config: Config, tier: str, months: int) -> float:
    """Expected share of agents of `tier` still on the team after `months` months."""
    return (1 - attrition_rate(config, tier)) ** months


def productive_share(agent: Agent, days: list[date], training_days: int) -> float:
    """Share of the month's days on which the agent is hired and past training."""
    if not days:
        return 0.0
    ok = sum(1 for d in days if (agent.hire_date is None or d >= agent.hire_date)
             and not agent.in_training(d, training_days))
    return ok / len(days)


def available_heads(agents: list[Agent], config: Config, days: list[date], k: int) -> dict:
    """Expected heads of the current team in the k-th month of the horizon (k = 1 first).

    ``team_heads``: expected survivors hired by the month's end; ``in_training``: of them, those
    still in training on some day of the month (hire dates in the future count here);
    ``available_heads``: survivors weighted by the share of the month they can carry load;
    ``seniors_available`` likewise for tier senior or above.
    """
    td = config.rules.training_days
    team = trainees = avail = seniors = 0.0
    for a in agents:
        if a.hire_date is not None and a.hire_date > days[-1]:
            continue  # not on the team yet this month
        s = survival(config, a.tier, k)
        share = productive_share(a, days, td)
        team += s
        trainees += s if share < 1 else 0
        avail += s * share
        seniors += s * share if a.senior else 0
    return {"team_heads": round(team, 2), "in_training": round(trainees, 2),
            "available_heads": round(avail, 2), "seniors_available": round(seniors, 2)}


def hire_dates(month: date, config: Config) -> tuple[date, date]:
    """(date a hire must start to count from the 1st, latest date to start recruiting)."""
    start = month - timedelta(days=config.rules.training_days)
    return start, start - timedelta(days=config.hiring.recruiting_lead_days)


def plan_hires(shortfall: list[float], senior_gap: list[float], config: Config) -> list[tuple[int, int]]:
    """(hires, of them senior or above) per month so each month's shortfall is met.

    Earlier months' hires count toward later months as they survive: seniors at the senior
    rate, the others at ``hiring.new_agent_tier``'s. A senior hire counts for both gaps.
    """
    plan: list[tuple[int, int]] = []
    tier = config.hiring.new_agent_tier
    for m, (gap, sgap) in enumerate(zip(shortfall, senior_gap)):
        carried_senior = sum(sh * survival(config, "senior", m - j) for j, (_, sh) in enumerate(plan))
        carried = carried_senior + sum((hh - sh) * survival(config, tier, m - j) for j, (hh, sh) in enumerate(plan))
        senior = max(0, math.ceil(round(sgap - carried_senior, 6)))
        plan.append((max(senior, math.ceil(round(gap - carried, 6))), senior))
    return plan


def carried_heads(plan: list[tuple[int, int]], m: int, config: Config) -> float:
    """Expected heads in month `m` (0-based) from the planned hires of months 0..m."""
    tier = config.hiring.new_agent_tier
    return sum(sh * survival(config, "senior", m - j) + (hh - sh) * survival(config, tier, m - j)
               for j, (hh, sh) in enumerate(plan[:m + 1]))


# ---------------------------------------------------------------- proven search


@dataclass
class Probe:
    heads: int
    outcome: str  # found | none | unknown
    uncovered: int | None
    bound: float | None
    seconds: float
    status: str


@dataclass
class Proof:
    """Smallest roster headcount: proven when ``lo == hi``, else a bracket [lo, hi]
    (``hi`` None when no probe found a roster)."""

    lo: int
    hi: int | None
    probes: list[Probe] = field(default_factory=list)

    @property
    def proven(self) -> bool:
        return self.hi is not None and self.lo == self.hi

    @property
    def seconds(self) -> float:
        return sum(p.seconds for p in self.probes)

    def describe(self) -> str:
        if self.proven:
            return "proven"
        if self.hi is None:
            return f"no roster found up to {max(p.heads for p in self.probes)} agents (timed out)"
        return f"bracket {self.lo}-{self.hi} (a probe timed out)"


def synthetic_team(n: int, n_senior: int, tier: str) -> list[Agent]:
    """`n` new agents who may serve any shop: `n_senior` seniors, the rest of `tier`."""
    seniors = min(n, n_senior)
    return [Agent(f"H{i:03d}", f"hire {i}", "senior" if i <= seniors else tier) for i in range(1, n + 1)]


def proof_config(config: Config) -> Config:
    """The config the probes use: only uncovered inquiries cost (weight 1), so the objective
    is the uncovered count and its bound proves when no zero-uncovered roster exists."""
    weights = WeightsConfig(**{k: 0 for k in WeightsConfig.model_fields}).model_copy(update={"uncovered": 1})
    solver = config.solver.model_copy(update={"time_limit_s": config.hiring.proof_time_limit_s})
    return config.model_copy(update={"weights": weights, "solver": solver})


def probe(config: Config, month: date, demand: pd.DataFrame, heads: int, n_senior: int) -> Probe:
    """Solve the month with `heads` synthetic agents (config from :func:`proof_config`).

    ``found``: a roster with zero uncovered inquiries and no agent above band max;
    ``none``: the solver's bound shows every roster leaves inquiries uncovered (or the hard
    rules cannot hold); ``unknown``: the time limit ran out first.
    """
    agents = synthetic_team(heads, n_senior, config.hiring.new_agent_tier)
    problem = Problem(config, month, tuple(agents), demand)
    started = time.perf_counter()
    try:
        res = solve_roster(problem, prove=True)
    except RosterError as err:
        secs = time.perf_counter() - started
        if "INFEASIBLE" in str(err):
            return Probe(heads, "none", None, None, secs, "INFEASIBLE")
        return Probe(heads, "unknown", None, None, secs, "NO_SOLUTION")
    secs = time.perf_counter() - started
    uncovered = int(res.coverage["uncovered"].sum())
    cap = {s: shift_capacity(config, s) for s in config.shift_ids}
    worked = res.roster[res.roster["shop"].fillna("") != ""]
    load = worked.groupby(["date", "agent_id", "shift"])["load"].sum().reset_index()
    over = bool((load["load"] > load["shift"].map(cap)).any())
    if uncovered == 0 and not over:
        return Probe(heads, "found", 0, res.best_bound, secs, res.status)
    # the bound is on the uncovered count only when the objective is that count
    consistent = abs(res.objective - uncovered) < 0.5
    if consistent and res.best_bound >= 0.5:
        return Probe(heads, "none", uncovered, res.best_bound, secs, res.status)
    return Probe(heads, "unknown", uncovered, res.best_bound, secs, res.status)


def lower_bound(demand: pd.DataFrame, config: Config, days: list[date]) -> int:
    """Heads below which no roster can cover the month (a proof by counting).

    An agent-shift handles at most the shift's band max, over any shops, so each day and shift
    needs ``ceil(volume pooled over shops / band max)`` agent-shifts. For every run of
    consecutive days, one agent works at most: the run's length less one day in every
    ``max_consecutive_workdays + 1``, less ``min_days_off_per_week`` for each whole calendar week
    in the run, and never more than :func:`workable_days`; the heads are at least the run's
    agent-shifts over that. With rotation, nights are within one of half an agent's workdays,
    so night shifts and other shifts each get at most ``workable_days / 2 + 1`` days of an agent.
    """
    cap = {s: shift_capacity(config, s) for s in config.shift_ids}
    work = workable_days(days, config)
    if demand.empty or work == 0:
        return 1
    r = config.rules
    pooled = demand.groupby(["date", "shift"])["volume"].sum().reset_index()
    pooled["shifts"] = np.ceil((pooled["volume"] / pooled["shift"].map(cap)).round(6))
    need = pooled.groupby("date")["shifts"].sum().reindex(days, fill_value=0).to_numpy()
    monday = [d.weekday() == 0 for d in days]
    best = 1
    for i in range(len(days)):
        for j in range(i + 1, len(days) + 1):
            k = j - i
            weeks = sum(1 for m in range(i, j - 6) if monday[m])
            per_agent = min(k - k // (r.max_consecutive_workdays + 1), k - r.min_days_off_per_week * weeks, work)
            if per_agent > 0:
                best = max(best, math.ceil(round(need[i:j].sum() / per_agent, 6)))
    night = {s.id for s in config.shifts if s.is_night}
    if r.rotation != "none" and night and len(night) < len(config.shifts):
        per_kind = pooled.groupby(pooled["shift"].isin(night))["shifts"].sum()
        best = max(best, math.ceil(round(per_kind.max() / math.floor(work / 2 + 1), 6)))
    return int(best)


def proven_heads(config: Config, month: date, demand: pd.DataFrame, start: int, n_senior: int = 0,
                 progress: Callable[[str], None] | None = None) -> Proof:
    """Smallest headcount whose roster covers the month, by search over synthetic teams.

    Starts from `start` (the formula estimate) and steps up until a roster is found, then
    bisects down to the arithmetic :func:`lower_bound` (itself a proof that fewer cannot
    work). Feasibility only grows with heads (an extra agent may carry nothing), so one
    ``none`` at N proves every N' < N. At most ``hiring.proof_max_probes`` solves.
    """
    cfg = proof_config(config)
    days = month_days(month)
    floor_ = lower_bound(demand, config, days)
    lo = floor_                       # smallest count not yet ruled out
    hi: int | None = None            # smallest count with a roster found
    probes: list[Probe] = []
    highest_unknown: int | None = None
    n = max(lo, start)
    step = max(1, math.ceil(0.1 * n))
    budget = config.hiring.proof_max_probes
    while budget > 0 and (hi is None or lo < hi):
        pr = probe(cfg, month, demand, n, n_senior)
        probes.append(pr)
        budget -= 1
        if progress:
            progress(f"{month:%Y-%m}: {n} agents -> {pr.outcome} ({pr.seconds:.1f} s)")
        if pr.outcome == "found":
            hi = n
        elif pr.outcome == "none":
            lo = max(lo, n + 1)
        else:
            highest_unknown = n if highest_unknown is None else max(highest_unknown, n)
        if hi is None:
            n = max(lo, n + step)
            step *= 2
        else:
            # bisect in [lo, hi) above the highest timed-out probe: below it a solve would most
            # likely time out too, and only a "none" could narrow the bracket from below
            tried = {p.heads for p in probes}
            floor_n = lo if highest_unknown is None else max(lo, highest_unknown + 1)
            candidates = [m for m in range(floor_n, hi) if m not in tried]
            if not candidates:
                break
            n = candidates[len(candidates) // 2]
    return Proof(lo if hi is None or lo <= hi else hi, hi, probes)


# ---------------------------------------------------------------- the plan


@dataclass
class HiringPlan:
    table: pd.DataFrame        # one row per month, HIRING_COLUMNS
    shops: pd.DataFrame        # month, shop, p50, <staffing quantile>, events: volume per shop and month
    forecast: pd.DataFrame     # date, shop, p50, ... over the horizon
    events: pd.DataFrame       # date, event: events inside the horizon (may be empty)
    proofs: dict[str, Proof]
    as_of: date
    config: Config
    warnings: list[str] = field(default_factory=list)


def horizon_months(history: pd.DataFrame, months: int) -> tuple[date, list[date]]:
    """(first forecast day, first days of the `months` whole months after the history ends)."""
    last = pd.Timestamp(history["date"].max())
    first = (last + pd.offsets.MonthBegin(1)).date()
    out = [(pd.Timestamp(first) + pd.DateOffset(months=i)).date() for i in range(months)]
    return (last + pd.Timedelta(days=1)).date(), out


def supported_lead_days(history: pd.DataFrame, config: Config) -> int:
    """Days ahead the history supports: a year of history before each forecast day (the same
    month last year and a year of errors at the same lead); less history, shorter reach."""
    span = (pd.Timestamp(history["date"].max()) - pd.Timestamp(history["date"].min())).days + 1
    return max(config.forecast.min_history_days, span - 365)


def widen(fc: pd.DataFrame, history: pd.DataFrame, config: Config) -> tuple[pd.DataFrame, pd.Series]:
    """Widen quantiles of days beyond :func:`supported_lead_days` by sqrt(lead / supported)."""
    last = pd.Timestamp(history["date"].max())
    reach = supported_lead_days(history, config)
    lead = (pd.to_datetime(fc["date"]) - last).dt.days
    factor = np.sqrt(np.maximum(1.0, lead / reach))
    out = fc.copy()
    qcols = [c for c in fc.columns if c.startswith("p") and c[1:].isdigit()]
    if "p50" in qcols:
        for c in qcols:
            if c != "p50":
                out[c] = np.maximum(0, out["p50"] + (out[c] - out["p50"]) * factor).round(1)
    return out, pd.Series(factor.to_numpy() > 1, index=fc.index)


def month_events(config: Config, start: date, end: date) -> pd.DataFrame:
    """E-commerce and user events (config ``forecast``) whose day lies between start and end,
    as ``date, event`` (a festival's anchor day, 11-11 for 11.11); empty when the calendar is
    not available."""
    try:
        from forecasts.calendar import event_calendar  # the forecasting stage's calendar

        from .pipeline import forecast_settings
        cal = event_calendar(pd.Timestamp(start), pd.Timestamp(end), forecast_settings(config).calendar)
    except Exception:  # noqa: BLE001 - annotation only; the report does not depend on it
        return pd.DataFrame(columns=["date", "event"])
    out = cal[cal["kind"].isin(["ecommerce", "user"]) & (cal["offset"] == 0)][["date", "event"]].drop_duplicates()
    out = out.assign(date=pd.to_datetime(out["date"]).dt.date)
    return out.sort_values("date").reset_index(drop=True)


def hiring_plan(history: pd.DataFrame, agents: list[Agent], config: Config, months: int | None = None,
                hourly: pd.DataFrame | None = None, proof_months: int | None = None,
                progress: Callable[[str], None] | None = None) -> HiringPlan:
    """The hiring need for each month after the history (see the module docstring)."""
    h = config.hiring
    months = months or h.horizon_months
    proof_months = h.proof_months if proof_months is None else proof_months
    q = h.staffing_quantile or config.forecast.staffing_quantile
    sized_cfg = config.model_copy(update={"forecast": config.forecast.model_copy(update={"staffing_quantile": q})})
    as_of, firsts = horizon_months(history, months)
    last_day = month_days(firsts[-1])[-1]
    notes: list[str] = []
    future = [a.id for a in agents if a.hire_date is not None and a.hire_date >= as_of]
    if future:
        notes.append(f"team: {len(future)} agent(s) hired on or after {as_of} ({', '.join(future[:5])}"
                     f"{', ...' if len(future) > 5 else ''}) count as hires in training")
    fc = run_forecast(history, config, pd.Timestamp(as_of), pd.Timestamp(last_day))
    fc, widened = widen(fc, history, config)
    if widened.any():
        first_w = pd.Timestamp(fc.loc[widened, "date"].min()).date()
        msg = (f"history: {len(history['date'].unique())} days support forecasts to about "
               f"{supported_lead_days(history, config)} days ahead; from {first_w} the intervals are widened "
               f"(hiring.horizon_months={months} reaches {last_day})")
        warnings.warn(msg, stacklevel=2)
        notes.append(msg)
    demand = run_size(fc, sized_cfg, hourly)
    events = month_events(config, as_of, last_day)
    rows, proofs, shortfall, senior_gap = [], {}, [], []
    for k, first in enumerate(firsts, start=1):
        days = month_days(first)
        md = month_demand(demand, config, first, "forecast")
        fm = fc[pd.to_datetime(fc["date"]).dt.date.isin(days)]
        row = {"month": f"{first:%Y-%m}", "days": len(days), "staffing_quantile": q,
               "volume_p50": int(round(fm["p50"].sum())) if "p50" in fm else None,
               "volume_staffing": int(md["volume"].sum()),
               "widened": bool(widened[fm.index].any()),
               "events": "; ".join(f"{e.event} {e.date:%m-%d}" for e in events.itertuples()
                                   if first <= e.date <= days[-1])}
        row.update(formula_heads(md, config, days))
        row["seniors_needed"] = seniors_needed(md, config, days)
        plan_key = f"heads_formula_{h.plan_at}"
        required = row[plan_key]
        row.update(proven_lo=None, proven_hi=None, proven_heads=None, proof="not run", proof_seconds=None)
        note = []
        if k <= proof_months:
            start = math.ceil(round(row["heads_formula_max"] * (1 - h.shrinkage.total), 6))  # roster agents
            proof = proven_heads(config, first, md, start, row["seniors_needed"], progress)
            proofs[row["month"]] = proof
            gross = 1 / (1 - h.shrinkage.total)
            lo = math.ceil(round(proof.lo * gross, 6))
            hi = None if proof.hi is None else math.ceil(round(proof.hi * gross, 6))
            row.update(proven_lo=lo, proven_hi=hi, proven_heads=hi if proof.proven else None,
                       proof=proof.describe(), proof_seconds=round(proof.seconds, 1))
            note.append(_compare(row, proof, lo, hi, config))
            if hi is not None and hi > required and (h.peak_days == "hire" or row["peak_heads"] <= hi):
                required = hi
        row["required_heads"] = required
        row.update(available_heads(agents, config, days, k))
        gap = required - row["available_heads"]
        shortfall.append(gap)
        senior_gap.append(row["seniors_needed"] - row["seniors_available"])
        row["shortfall"] = round(gap, 2)
        start, recruit = hire_dates(first, config)
        row["hire_start"], row["recruit_by"] = start, recruit
        row["note"] = note
        rows.append(row)
    plan = plan_hires(shortfall, senior_gap, config)
    for m, (row, (n, sen)) in enumerate(zip(rows, plan)):
        row["hires_needed"], row["hires_senior"] = n, sen
        row["recruit_late"] = bool(n and row["recruit_by"] < as_of)
        if not n:
            row["hire_start"] = row["recruit_by"] = None
        carried = carried_heads(plan, m, config)
        _surplus(row, row["available_heads"] + carried, config)
        row["note"] = " ".join(row["note"])
    table = pd.DataFrame(rows)[HIRING_COLUMNS]
    return HiringPlan(table, shop_months(fc, q, table), fc, events, proofs, as_of, config, notes)


def shop_months(fc: pd.DataFrame, q: float, table: pd.DataFrame) -> pd.DataFrame:
    """Forecast volume per month and shop: p50 and the staffing quantile, with the month's events."""
    col = quantile_column(q)
    f = fc.assign(month=pd.to_datetime(fc["date"]).dt.strftime("%Y-%m"))
    f = f[f["month"].isin(set(table["month"]))]
    cols = list(dict.fromkeys(["p50", col]))
    out = f.groupby(["month", "shop"], as_index=False)[cols].sum().round(0)
    out[cols] = out[cols].astype(int)
    return out.merge(table[["month", "events"]], on="month", how="left")


def _surplus(row: dict, heads: float, config: Config) -> None:
    """Expected (p50) load per agent-day with the planned heads, and heads beyond band min."""
    p50 = row["volume_p50"] if row["volume_p50"] is not None else row["volume_staffing"]
    days = row["productive_days"]
    row["planned_heads"] = round(heads, 2)
    row["peak_extra_heads"] = max(0, math.ceil(round(row["peak_heads"] - heads, 6)))
    if row["peak_extra_heads"] and config.hiring.peak_days == "temporary":
        row["note"].append(f"Peak: the busiest day ({row['peak_day']}) needs {row['peak_heads']} heads at band max; "
                           f"cover the {row['peak_extra_heads']} beyond the planned team with temporary staff or "
                           f"overtime (hiring.peak_days: hire plans permanent hires for it instead).")
    row["expected_load"] = round(p50 / (heads * days), 1) if heads and days else None
    limit = p50 / (config.band.min * days) if config.band.min and days else None
    extra = heads - limit if limit is not None else 0
    row["surplus_heads"] = math.floor(extra) if extra >= 1 else 0
    if row["surplus_heads"]:
        row["note"].append(f"Surplus: with {heads:.1f} heads the expected load is {row['expected_load']} "
                           f"inquiries a day, under band min {config.band.min}; about {row['surplus_heads']} "
                           f"heads more than the volume needs.")


def _compare(row: dict, proof: Proof, lo: int, hi: int | None, config: Config) -> str:
    """Plain words on how the proven headcount relates to the formula's range."""
    fmax, ftarget = row["heads_formula_max"], row["heads_formula_target"]
    if hi is None:
        return (f"Proof: no roster found within {len(proof.probes)} probes; the need is at least {lo} "
                f"heads (raise hiring.proof_time_limit_s or hiring.proof_max_probes).")
    return _proof_words(row, proof, lo, hi, config) + _timed_out_words(proof)


def _timed_out_words(proof: Proof) -> str:
    """What the best timed-out probe below the found roster still left uncovered."""
    below = [p for p in proof.probes if p.outcome == "unknown" and p.uncovered is not None
             and proof.hi is not None and p.heads < proof.hi]
    if proof.proven or not below:
        return ""
    p = max(below, key=lambda p: p.heads)
    return (f" A roster of {p.heads} agents (before shrinkage) still left {p.uncovered} inquiries uncovered "
            f"after {p.seconds:.0f} s, without a proof that none covers the month.")


def _proof_words(row: dict, proof: Proof, lo: int, hi: int, config: Config) -> str:
    fmax, ftarget = row["heads_formula_max"], row["heads_formula_target"]
    shown = f"{hi}" if lo == hi else f"{lo}-{hi}"
    if lo >= fmax and hi <= ftarget:
        return f"Proof: the roster model needs {shown} heads, inside the formula's range {fmax}-{ftarget}."
    if hi < fmax:
        return (f"Proof: the roster model needs {shown} heads, fewer than the formula at band max ({fmax}): "
                "agents serve up to rules.max_shops_per_agent shops in one shift, so small shops' shifts share "
                "agents where the formula counts whole agents per shop and shift.")
    if lo > ftarget and config.hiring.peak_days == "temporary" and row["peak_heads"] > ftarget:
        return (f"Proof: the roster model needs {shown} heads, more than the formula at band target ({ftarget}), "
                f"because a roster must also cover the busiest day ({row['peak_day']}, {row['peak_heads']} heads at "
                "band max) with the team alone; the plan covers that peak with temporary staff instead.")
    if lo > ftarget:
        return (f"Proof: the roster model needs {shown} heads, more than the formula at band target ({ftarget}): "
                "the rules (days off per week, rotation, rest, shops per agent) cost more than the formula's "
                "average allows; the plan uses the proven figure.")
    return (f"Proof: the roster model needs {shown} heads, overlapping the formula's range {fmax}-{ftarget} "
            "(the lower end is what counting proves, the upper end a roster found).")
