"""The stages chained: forecast -> size -> roster -> check -> outputs.

Each function here is what one CLI command calls; the CLI only parses, loads and writes.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from forecasts import (CalendarSpec, ForecastError, ForecastSettings, UserEvent, backtest, forecast,
                       quantile_column, score_table)
from forecasts.calendar import CalendarError, check_country

from .config import Config
from .domain import Agent, Problem, Request, month_days
from .errors import InputError
from .io import COVERAGE_COLUMNS, ROSTER_COLUMNS, write_csv
from .reports.charts import coverage_figure, save_figure
from .reports.excel import write_roster_xlsx
from .reports.tables import agents_table, summary
from .roster import RosterResult, solve_roster
from .sizing import learn_shift_shares, size_demand
from .validate import check_roster


def forecast_window(history: pd.DataFrame, month: date | None, horizon: int | None) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Start and end of the forecast: a calendar month, or `horizon` days after the history."""
    if month is not None:
        days = month_days(month)
        return pd.Timestamp(days[0]), pd.Timestamp(days[-1])
    start = pd.Timestamp(history["date"].max()) + pd.Timedelta(days=1)
    return start, start + pd.Timedelta(days=(horizon or 31) - 1)


def forecast_settings(config: Config) -> ForecastSettings:
    """The forecast section of the config as the forecasting stage's settings (checked)."""
    f = config.forecast
    problems = [f"config forecast.events[{i}].shops: unknown shop {s!r}; expected shops from the config "
                f"{config.shop_ids}" for i, e in enumerate(f.events) for s in e.shops if s not in config.shop_ids]
    try:
        check_country(f.holiday_country)
    except CalendarError as err:
        problems.append(f"config forecast.holiday_country: {err}")
    if problems:
        raise InputError(problems)
    events = tuple(UserEvent(e.name, e.start, e.end or e.start, tuple(e.shops), e.multiplier) for e in f.events)
    return ForecastSettings(tuple(f.quantiles), f.model, f.min_history_days, f.main_min_history_days,
                            f.error_window_days, CalendarSpec(f.ecommerce_events, f.holiday_country, events),
                            f.workers)


def run_forecast(history: pd.DataFrame, config: Config, start: pd.Timestamp, end: pd.Timestamp,
                 explain: bool = False) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Daily quantile forecasts per shop (config forecast.model) from `start` to `end`; with
    `explain` also the fitted multipliers (``shop, term, multiplier``)."""
    settings = forecast_settings(config)
    try:
        return forecast(history, start, end, config.forecast.quantiles, settings=settings, explain=explain)
    except ForecastError as err:
        raise InputError(f"history: {err}") from None


def run_backtest(history: pd.DataFrame, config: Config) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rolling-origin backtest of the main model beside the baseline: (days, scores)."""
    f = config.forecast
    try:
        days = backtest(history, forecast_settings(config), f.backtest_cutoffs, f.backtest_horizon_days)
    except ForecastError as err:
        raise InputError(f"history: {err} (config forecast.backtest_cutoffs, forecast.backtest_horizon_days)") from None
    return days, score_table(days)


def run_size(forecast_frame: pd.DataFrame, config: Config, hourly: pd.DataFrame | None = None) -> pd.DataFrame:
    """Demand per shop, day and shift; shift shares learned from hourly history when given."""
    shares = learn_shift_shares(hourly, config.shifts) if hourly is not None else None
    col = quantile_column(config.forecast.staffing_quantile)
    if col not in forecast_frame.columns:
        raise InputError(f"forecast: no column {col!r} for config forecast.staffing_quantile "
                         f"{config.forecast.staffing_quantile}; columns are {list(forecast_frame.columns)}")
    return size_demand(forecast_frame, config, shares, col)


def month_demand(demand: pd.DataFrame, config: Config, month: date, source: str = "demand") -> pd.DataFrame:
    """The month's rows of a demand table; missing (day, shop, shift) rows count as zero volume."""
    days = month_days(month)
    d = demand[demand["date"].isin(days)]
    absent = [p for p in config.shop_ids if p not in set(d["shop"])]
    if absent:
        raise InputError(f"{source}: no rows in {month:%Y-%m} for shop(s) {absent}; expected date, shop, "
                         f"shift, volume rows for every day of the month")
    full = pd.MultiIndex.from_product([days, config.shop_ids, config.shift_ids], names=["date", "shop", "shift"])
    d = d.set_index(["date", "shop", "shift"]).reindex(full)
    missing = int(d["volume"].isna().sum())
    if missing:
        warnings.warn(f"{source}: {missing} (date, shop, shift) rows of {month:%Y-%m} are missing; "
                      f"counted as zero volume", stacklevel=2)
    d["volume"] = d["volume"].fillna(0).astype(int)
    return d.reset_index()[["date", "shop", "shift", "volume"]]


@dataclass
class RosterOutcome:
    problem: Problem
    result: RosterResult
    hard: pd.DataFrame
    agents: pd.DataFrame
    summary: dict


def run_roster(config: Config, agents: list[Agent], demand: pd.DataFrame, month: date,
               requests: list[Request] = (), previous: pd.DataFrame | None = None,
               plan: pd.DataFrame | None = None, fix_until: date | None = None) -> RosterOutcome:
    """Solve the month, check the roster independently, summarise.

    `previous` is last month's roster (continuity over the month boundary); `plan` with
    `fix_until` re-plans a published roster, keeping the days up to `fix_until`.
    """
    if plan is not None and fix_until is not None and not month_days(month)[0] <= fix_until <= month_days(month)[-1]:
        raise InputError(f"--fix-until {fix_until} is outside the month {month:%Y-%m}")
    problem = Problem(config, month, tuple(agents), month_demand(demand, config, month), tuple(requests),
                      previous, plan, fix_until)
    result = solve_roster(problem)
    hard = check_roster(result.roster, config, agents, problem.demand, month, requests, previous, plan, fix_until)
    table = agents_table(result.roster, agents, config)
    extra = {"month": f"{month:%Y-%m}"}
    if plan is not None:
        extra["changed_agent_days"] = int((result.violations["rule"] == "plan_change").sum())
    return RosterOutcome(problem, result, hard, table, summary(result, hard, table, extra))


def write_roster_outputs(out: Path, outcome: RosterOutcome, lang: str = "zh") -> None:
    """roster.csv, coverage.csv, agents.csv, soft_violations.csv, hard_violations.csv,
    summary.json, roster.xlsx and coverage.png into folder `out`."""
    r = outcome.result
    write_csv(r.roster, out / "roster.csv", ROSTER_COLUMNS)
    write_csv(r.coverage, out / "coverage.csv", COVERAGE_COLUMNS)
    write_csv(outcome.agents, out / "agents.csv")
    write_csv(r.violations.sort_values("cost", ascending=False), out / "soft_violations.csv")
    write_csv(outcome.hard, out / "hard_violations.csv")
    (out / "summary.json").write_text(json.dumps(outcome.summary, indent=2, ensure_ascii=False, default=str) + "\n",
                                      encoding="utf-8")
    write_roster_xlsx(out / "roster.xlsx", r.roster, outcome.problem.agents, outcome.problem.config,
                      list(outcome.problem.days), outcome.agents, r.coverage, lang)
    save_figure(coverage_figure(r.coverage, outcome.problem.config), out / "coverage.png")
