"""What-if runs: the real pipeline (size -> roster -> validator) once per named scenario.

A scenarios file (YAML, see ``configs/scenarios.example.yaml``) names a *base* (config, team,
history or demand, requests, month) and a list of *scenarios*, each overriding any part of it:

- ``volume``: multipliers by shop and date range (``[{multiplier: 1.3, shops: [flagship],
  start: 2026-08-10, end: 2026-08-12}]``; no shops = every shop, no dates = the whole month);
- ``events``: extra events the forecast does not know, each a named multiplier on a date range
  (``[{name: 双11预热, start: ..., end: ..., multiplier: 1.8}]``); shown in the report;
- ``config``: any config keys, deep-merged into the base config (mappings merge, lists such as
  ``shifts`` replace): band, rules (shop limit, rotation, rest, consecutive days), shift
  types, weights, costs, solver time limit;
- ``team``: ``remove`` agents by id (``{ids: [A01]}``) or by count and tier (``{count: 4,
  tier: junior}``: the most recently hired first), ``add`` agents (``{count: 3, tier: junior}``),
  ``attrition`` (``{share: 0.1}``: a seeded random tenth of the team leaves, from the start of
  the month or from date ``from``, then as leave until the month ends).

Every scenario is validated before anything runs: unknown keys and overrides that do not apply
(a shop not in the config, dates outside the month, an unknown agent, more agents removed than
the tier has) raise one :class:`InputError` naming the file, the scenario and the path.

Scenarios then run in parallel in a ``ProcessPoolExecutor`` (models are built inside the
worker); CP-SAT ``num_workers`` times processes never exceeds the cores (:func:`plan_parallelism`).
A scenario that fails is reported with its reason; the others still complete.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import re
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .config import Config, parse_config
from .costs import roster_cost
from .domain import TIER_ALIASES, TIERS, Agent, Request, month_days, parse_month, workable_days
from .errors import InputError
from .io import read_demand, read_history, read_requests, read_team, write_csv
from .pipeline import month_demand, run_forecast, run_roster, run_size, write_roster_outputs
from .sizing import DEMAND_OUT_COLUMNS, band_heads, size_demand

COMPARISON_COLUMNS = [
    "scenario", "status", "heads_rostered", "heads_needed", "volume", "uncovered", "uncovered_pct",
    "mean_load", "p95_load", "under_min_days", "nights_spread", "monthly_cost", "hard_violations",
    "seconds", "error",
]


# ---------------------------------------------------------------- the scenarios file


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _tier(v: object) -> object:
    if isinstance(v, str):
        t = TIER_ALIASES.get(v.strip(), v.strip().lower())
        if t not in TIERS:
            raise ValueError(f"unknown tier {v!r}; expected one of {list(TIERS)} or {list(TIER_ALIASES)}")
        return t
    return v


class VolumeChange(_Strict):
    multiplier: float = Field(gt=0, le=20)
    shops: list[str] = []          # empty: every shop
    start: date | None = None      # empty: first day of the month
    end: date | None = None        # empty: last day of the month
    name: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> "VolumeChange":
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class Event(VolumeChange):
    name: str = Field(min_length=1)


class AddAgents(_Strict):
    count: int = Field(ge=1, le=500)
    tier: str = "junior"
    shops: list[str] = []
    hire_date: date | None = None  # in the month: the agent trains first (rules.training_days)
    group: str = ""
    prefix: str = Field("NEW", pattern=r"^[A-Za-z0-9_\-]+$")
    _t = field_validator("tier", mode="before")(_tier)


class RemoveAgents(_Strict):
    ids: list[str] = []
    count: int = Field(0, ge=0)
    tier: str | None = None
    _t = field_validator("tier", mode="before")(_tier)

    @model_validator(mode="after")
    def _one_way(self) -> "RemoveAgents":
        if bool(self.ids) == bool(self.count):
            raise ValueError("give either ids or a count (with an optional tier)")
        if self.ids and self.tier:
            raise ValueError("tier applies to a count, not to ids")
        return self


class Attrition(_Strict):
    share: float = Field(gt=0, lt=1)
    from_: date | None = Field(None, alias="from")  # leavers work until the day before
    tier: str | None = None
    seed: int = Field(0, ge=0)
    _t = field_validator("tier", mode="before")(_tier)


class TeamChange(_Strict):
    remove: list[RemoveAgents] = []
    attrition: Attrition | None = None
    add: list[AddAgents] = []


class ScenarioSpec(_Strict):
    name: str = Field(min_length=1, max_length=80)
    description: str = ""
    volume: list[VolumeChange] = []
    events: list[Event] = []
    config: dict = {}
    team: TeamChange = TeamChange()


class BaseSpec(_Strict):
    demo: bool = False             # the bundled demo data (files given below replace its files)
    config: str | None = None
    team: str | None = None
    history: str | None = None
    demand: str | None = None
    requests: str | None = None
    month: str | None = None       # YYYY-MM; default: the month after the history, or the demand's first

    @field_validator("month", mode="before")
    @classmethod
    def _month(cls, v: object) -> object:
        if v is None:
            return v
        parse_month(str(v))
        return str(v)


class ScenarioFile(_Strict):
    base: BaseSpec
    time_limit_s: float | None = Field(None, gt=0)  # per scenario (CP-SAT limit); default config's
    scenarios: list[dict] = Field(min_length=1)     # each a ScenarioSpec, validated one by one


def _path_text(loc: tuple) -> str:
    out = ""
    for p in loc:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _file_errors(source: str, err: ValidationError, who: str = "") -> list[str]:
    out = []
    for e in err.errors():
        loc = tuple("from" if p == "from_" else p for p in e["loc"])
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown key (see configs/scenarios.example.yaml)"
        where = _path_text(loc) or ("(scenario)" if who else "(top level)")
        out.append(f"{source}: {who}: {where}: {msg}" if who else f"{source}: {where}: {msg}")
    return out


def parse_scenarios(spec: ScenarioFile, source: str) -> tuple[list[ScenarioSpec], list[str]]:
    """Validate each scenario on its own so that every scenario's problems are reported."""
    out, problems = [], []
    for i, raw in enumerate(spec.scenarios):
        name = raw.get("name") if isinstance(raw, dict) else None
        who = f"scenario {name!r}" if isinstance(name, str) and name else f"scenarios[{i}]"
        try:
            out.append(ScenarioSpec.model_validate(raw))
        except ValidationError as err:
            problems += _file_errors(source, err, who)
    names = [s.name for s in out]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        problems.append(f"{source}: scenarios: duplicate scenario name(s) {dup}")
    return out, problems


# ---------------------------------------------------------------- loaded inputs


@dataclass
class Base:
    """The base inputs every scenario starts from."""

    source: str
    config: Config
    config_data: dict
    agents: list[Agent]
    requests: list[Request]
    month: date
    history: pd.DataFrame | None = None
    hourly: pd.DataFrame | None = None
    demand: pd.DataFrame | None = None
    team_source: str = "team"


@dataclass
class ScenarioJob:
    """Everything one worker needs to run one scenario (picklable; no model built yet)."""

    name: str
    slug: str
    description: str
    config: Config
    agents: list[Agent]
    requests: list[Request]
    month: date
    changes: list[VolumeChange]
    forecast: pd.DataFrame | None = None
    hourly: pd.DataFrame | None = None
    demand: pd.DataFrame | None = None
    out: Path | None = None
    overrides: dict = field(default_factory=dict)


@dataclass
class ScenarioResult:
    name: str
    slug: str
    ok: bool
    error: str = ""
    row: dict = field(default_factory=dict)
    coverage: pd.DataFrame | None = None
    agents_frame: pd.DataFrame | None = None
    violations: pd.DataFrame | None = None
    summary: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    events: list[dict] = field(default_factory=list)


def load_scenario_file(path: str | Path) -> tuple[ScenarioFile, dict]:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise InputError(f"{path}: cannot read scenarios file: {err.strerror}") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise InputError(f"{path}:{where}: not valid YAML ({getattr(err, 'problem', err)})") from None
    if not isinstance(raw, dict):
        raise InputError(f"{path}: expected a mapping with keys base and scenarios at the top level")
    try:
        return ScenarioFile.model_validate(raw), raw
    except ValidationError as err:
        raise InputError(_file_errors(str(path), err)) from None


def load_base(spec: BaseSpec, folder: Path, source: str) -> Base:
    """Read the base files (paths relative to the scenarios file's folder)."""
    from .config import load_config  # local: keeps the module's import list to the pipeline

    def resolve(p: str | None) -> Path | None:
        return None if p is None else (folder / p)

    paths = {k: resolve(getattr(spec, k)) for k in ("config", "team", "history", "demand", "requests")}
    demo_root = None
    if spec.demo:
        demo_root = Path(str(resources.files("scheduler.demo_data")))
        defaults = {"config": "config.yaml", "team": "team.csv", "requests": "requests.csv"}
        if paths["demand"] is None:
            defaults["history"] = "history.csv"
        for k, name in defaults.items():
            paths[k] = paths[k] or demo_root / name
    missing = [k for k in ("config", "team") if paths[k] is None]
    if missing:
        raise InputError([f"{source}: base.{k}: missing; give a file path or demo: true" for k in missing])
    if (paths["history"] is None) == (paths["demand"] is None):
        raise InputError(f"{source}: base: give exactly one of history (forecast, then size) or demand")
    config = load_config(paths["config"])
    agents = read_team(paths["team"], config.shop_ids)
    requests = read_requests(paths["requests"], [a.id for a in agents], config.shift_ids) if paths["requests"] else []
    history = hourly = demand = None
    if paths["history"] is not None:
        history, hourly = read_history(paths["history"], config.shop_ids)
        month = parse_month(spec.month) if spec.month else (pd.Timestamp(history["date"].max())
                                                             + pd.offsets.MonthBegin(1)).date()
    else:
        demand = read_demand(paths["demand"], config.shop_ids, config.shift_ids)
        month = parse_month(spec.month) if spec.month else min(demand["date"]).replace(day=1)
    return Base(source, config, config.model_dump(mode="json"), agents, requests, month, history, hourly, demand,
                str(paths["team"]))


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(base[k], v) if isinstance(v, dict) and isinstance(base.get(k), dict) else v
    return out


def slugify(name: str, index: int) -> str:
    s = re.sub(r"[^\w\-.]+", "-", name, flags=re.UNICODE).strip("-.") or "scenario"
    return f"{index:02d}-{s[:40]}"


class _Where:
    """Collects problems of one scenario, each naming the file, the scenario and the path."""

    def __init__(self, source: str, name: str):
        self.prefix = f"{source}: scenario {name!r}"
        self.items: list[str] = []

    def add(self, path: str, msg: str) -> None:
        self.items.append(f"{self.prefix}: {path}: {msg}")


def _check_change(ch: VolumeChange, path: str, config: Config, days: list[date], where: _Where) -> None:
    unknown = [s for s in ch.shops if s not in config.shop_ids]
    if unknown:
        where.add(f"{path}.shops", f"unknown shop(s) {unknown}; expected shops of the config {config.shop_ids}")
    start, end = ch.start or days[0], ch.end or days[-1]
    if end < days[0] or start > days[-1]:
        where.add(path, f"dates {start}..{end} are outside the month {days[0]:%Y-%m}; the change would not apply")


def _latest_hired(pool: list[Agent], base_order: dict[str, int]) -> list[Agent]:
    """Most recently hired first; agents without a hire date count as the earliest; ties by file order."""
    return sorted(pool, key=lambda a: (a.hire_date or date.min, base_order[a.id]), reverse=True)


def _apply_team(team: TeamChange, base: Base, config: Config, where: _Where) -> tuple[list[Agent], list[Request]]:
    days = month_days(base.month)
    agents = list(base.agents)
    order = {a.id: i for i, a in enumerate(agents)}
    extra_leave: list[Request] = []
    for i, rm in enumerate(team.remove):
        if rm.ids:
            unknown = [x for x in rm.ids if x not in {a.id for a in agents}]
            if unknown:
                where.add(f"team.remove[{i}].ids", f"unknown agent(s) {unknown} (not in {base.team_source}, "
                                                  f"or removed already)")
            agents = [a for a in agents if a.id not in rm.ids]
        else:
            pool = [a for a in agents if rm.tier is None or a.tier == rm.tier]
            if rm.count > len(pool):
                where.add(f"team.remove[{i}].count", f"removes {rm.count} agents but the team has {len(pool)}"
                                                     + (f" of tier {rm.tier}" if rm.tier else ""))
            gone = {a.id for a in _latest_hired(pool, order)[:rm.count]}
            agents = [a for a in agents if a.id not in gone]
    if team.attrition is not None:
        att = team.attrition
        pool = [a for a in agents if att.tier is None or a.tier == att.tier]
        n = int(round(att.share * len(pool)))
        if n == 0:
            where.add("team.attrition.share", f"{att.share:g} of {len(pool)} agents rounds to nobody leaving")
        if att.from_ is not None and not days[0] <= att.from_ <= days[-1]:
            where.add("team.attrition.from", f"{att.from_} is outside the month {base.month:%Y-%m}")
        rng = np.random.default_rng(att.seed)
        leavers = sorted(rng.choice(len(pool), size=min(n, len(pool)), replace=False).tolist()) if pool else []
        gone = {pool[j].id for j in leavers}
        if att.from_ is None or att.from_ <= days[0]:
            agents = [a for a in agents if a.id not in gone]
        else:
            extra_leave = [Request(a, att.from_, days[-1], "leave") for a in sorted(gone)]
    taken = {a.id for a in base.agents}
    for i, add in enumerate(team.add):
        bad = [s for s in add.shops if s not in config.shop_ids]
        if bad:
            where.add(f"team.add[{i}].shops", f"unknown shop(s) {bad}; expected shops of the config {config.shop_ids}")
        if add.hire_date is not None and add.hire_date > days[-1]:
            where.add(f"team.add[{i}].hire_date", f"{add.hire_date} is after the month {base.month:%Y-%m}")
        k = 0
        for _ in range(add.count):
            k += 1
            while f"{add.prefix}{k:02d}" in taken:
                k += 1
            aid = f"{add.prefix}{k:02d}"
            taken.add(aid)
            agents.append(Agent(aid, f"{add.tier} {aid}", add.tier, tuple(add.shops), add.hire_date, add.group))
    if not agents:
        where.add("team", "no agents left")
    for a in agents:
        bad = [s for s in a.shops if s not in config.shop_ids]
        if bad:
            where.add("config.shops", f"agent {a.id} serves shop(s) {bad} that the scenario's config does not have")
    third = [x for x in config.rules.allow_third_shop_for if x not in {a.id for a in agents}]
    if third:
        where.add("config.rules.allow_third_shop_for", f"unknown agent(s) {third} (not in the scenario's team)")
    ids = {a.id for a in agents}
    reqs = [r for r in base.requests if r.agent_id in ids and (r.shift is None or r.shift in config.shift_ids)]
    dropped = [r for r in base.requests if r.agent_id in ids and r.shift is not None and r.shift not in config.shift_ids]
    if dropped:
        warnings.warn(f"{where.prefix}: {len(dropped)} request(s) name shifts the scenario does not have; ignored",
                      stacklevel=2)
    return agents, reqs + extra_leave


def build_jobs(path: str | Path, time_limit: float | None = None, out: Path | None = None) -> tuple[Base, list[ScenarioJob]]:
    """Read the scenarios file and its base; validate every scenario; one job per scenario.

    Raises one InputError listing every problem of every scenario. `time_limit` (seconds)
    replaces every scenario's solver.time_limit_s; else a scenario's own ``config.solver.time_limit_s``,
    else the file's ``time_limit_s``, else the base config's. The base forecast is computed here once per distinct forecast config.
    """
    path = Path(path)
    spec, _ = load_scenario_file(path)
    base = load_base(spec.base, path.parent, str(path))
    days = month_days(base.month)
    scenarios, problems = parse_scenarios(spec, str(path))
    jobs: list[ScenarioJob] = []
    for i, sc in enumerate(scenarios, start=1):
        where = _Where(str(path), sc.name)
        data = base.config_data
        if spec.time_limit_s:  # the file's default; a scenario's own solver.time_limit_s wins
            data = _merge(data, {"solver": {"time_limit_s": spec.time_limit_s}})
        data = _merge(data, sc.config)
        if time_limit:  # the command line wins over both
            data = _merge(data, {"solver": {"time_limit_s": time_limit}})
        try:
            config = parse_config(data, f"{path}: scenario {sc.name!r}: config")
        except InputError as err:
            problems += err.problems
            continue
        if base.demand is not None and config.shop_ids != base.config.shop_ids:
            where.add("config.shops", "a demand base fixes the shops; change shops with a history base")
        for j, ch in enumerate(sc.volume):
            _check_change(ch, f"volume[{j}]", config, days, where)
        for j, ch in enumerate(sc.events):
            _check_change(ch, f"events[{j}]", config, days, where)
        agents, reqs = _apply_team(sc.team, base, config, where)
        problems += where.items
        if where.items:
            continue
        overrides = sc.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        jobs.append(ScenarioJob(sc.name, slugify(sc.name, i), sc.description, config, agents, reqs, base.month,
                                list(sc.volume) + list(sc.events), hourly=base.hourly, demand=base.demand,
                                out=None if out is None else out / "scenarios" / slugify(sc.name, i),
                                overrides=overrides))
    if problems:
        raise InputError(problems)
    if base.history is not None:
        forecasts: dict[str, pd.DataFrame] = {}
        start, end = pd.Timestamp(days[0]), pd.Timestamp(days[-1])
        for job in jobs:
            key = job.config.forecast.model_dump_json()
            if key not in forecasts:
                forecasts[key] = run_forecast(base.history, job.config, start, end)
            job.forecast = forecasts[key]
    return base, jobs


# ---------------------------------------------------------------- running


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def plan_parallelism(n_scenarios: int, cores: int, processes: int | None = None,
                     workers: int | None = None) -> tuple[int, int]:
    """(processes, CP-SAT workers per process) with processes x workers <= cores.

    Scenarios are independent, so processes come first: by default one process per core (at
    most one per scenario) and the cores left over shared out as CP-SAT workers. Given
    `workers`, processes = cores // workers; given both, their product must fit the cores.
    """
    cores = max(1, cores)
    if processes is not None and workers is not None:
        if processes * workers > cores:
            raise InputError(f"--processes {processes} x --workers {workers} = {processes * workers} exceeds the "
                             f"{cores} CPU cores; lower one of them")
        return processes, workers
    if workers is not None:
        if workers > cores:
            raise InputError(f"--workers {workers} exceeds the {cores} CPU cores")
        return max(1, min(n_scenarios, cores // workers)), workers
    if processes is not None:
        if processes > cores:
            raise InputError(f"--processes {processes} exceeds the {cores} CPU cores")
        return processes, max(1, cores // processes)
    p = max(1, min(n_scenarios, cores))
    return p, max(1, cores // p)


def apply_changes(frame: pd.DataFrame, columns: list[str], changes: list[VolumeChange]) -> pd.DataFrame:
    """Multiply `columns` on the rows each change covers (by shop and date); changes compose."""
    out = frame.copy()
    dates = pd.to_datetime(out["date"]).dt.date
    for ch in changes:
        mask = pd.Series(True, index=out.index)
        if ch.shops:
            mask &= out["shop"].isin(ch.shops)
        if ch.start:
            mask &= dates >= ch.start
        if ch.end:
            mask &= dates <= ch.end
        out.loc[mask, columns] = out.loc[mask, columns].astype(float) * ch.multiplier
    return out


def scenario_demand(job: ScenarioJob) -> pd.DataFrame:
    """The scenario's demand table (``DEMAND_OUT_COLUMNS``): the base forecast or demand with
    the scenario's multipliers, sized with the scenario's config (band, shifts)."""
    cfg = job.config
    if job.forecast is not None:
        qcols = [c for c in job.forecast.columns if re.fullmatch(r"p\d{1,2}", c)]
        return run_size(apply_changes(job.forecast, qcols, job.changes), cfg, job.hourly)
    if set(job.demand["shift"]) <= set(cfg.shift_ids):
        dem = apply_changes(month_demand(job.demand, cfg, job.month), ["volume"], job.changes)
        dem["volume"] = dem["volume"].round().astype(int)
        dem = dem.reset_index(drop=True)
        return pd.concat([dem[["date", "shop", "shift", "volume"]], band_heads(dem["volume"], cfg)], axis=1)
    # the scenario changes the shift types: split each day's total by the scenario's shares
    days = month_days(job.month)
    rows = job.demand[job.demand["date"].isin(days)]
    daily = rows.groupby(["date", "shop"])["volume"].sum().reindex(
        pd.MultiIndex.from_product([days, cfg.shop_ids], names=["date", "shop"]), fill_value=0).reset_index()
    daily = apply_changes(daily, ["volume"], job.changes).rename(columns={"volume": "p_day"})
    return size_demand(daily, cfg, None, "p_day")


def heads_needed(demand: pd.DataFrame, config: Config, days: list[date]) -> int:
    """Agents the month needs at band target: agent-shifts ceil(volume / target) per shop, day
    and shift, over the days one agent can work (no leave or shrinkage)."""
    shifts = np.ceil(demand["volume"].to_numpy(dtype=float) / config.band.target).sum()
    return int(math.ceil(shifts / max(1, workable_days(days, config))))


def comparison_row(job: ScenarioJob, outcome, demand: pd.DataFrame) -> dict:
    """One line of whatif.csv from a solved scenario."""
    cfg = job.config
    roster = outcome.result.roster
    days = month_days(job.month)
    worked = roster[roster["shift"].isin(cfg.shift_ids)]
    per_day = worked.groupby(["agent_id", "date"], as_index=False)["load"].sum()
    training = {a.id: a for a in job.agents}
    counted = per_day[[not training[a].in_training(d, cfg.rules.training_days)
                       for a, d in zip(per_day["agent_id"], per_day["date"])]] if len(per_day) else per_day
    loads = counted["load"].to_numpy(dtype=float)
    s = outcome.summary
    return {
        "scenario": job.name,
        "status": s["status"],
        "heads_rostered": len(job.agents),
        "heads_needed": heads_needed(month_demand(demand, cfg, job.month), cfg, days),
        "volume": s["volume_inquiries"],
        "uncovered": s["uncovered_inquiries"],
        "uncovered_pct": round(100 * s["uncovered_share"], 2),
        "mean_load": round(float(loads.mean()), 1) if len(loads) else 0.0,
        "p95_load": round(float(np.percentile(loads, 95)), 1) if len(loads) else 0.0,
        "under_min_days": int((loads < cfg.band.min).sum()),
        "nights_spread": (s["nights_max"] - s["nights_min"]) if s.get("nights_max") is not None else None,
        "monthly_cost": round(roster_cost(job.agents, outcome.agents, cfg.costs)),
        "hard_violations": s["hard_violations"],
    }


def run_scenario(job: ScenarioJob) -> ScenarioResult:
    """Worker entry point: size -> roster -> validator (-> outputs) for one scenario.

    Never raises for a scenario's own failure: bad input, no roster in the time limit or an
    unexpected error come back as a failed result with the reason.
    """
    from .roster import RosterError

    started = time.perf_counter()
    caught: list[warnings.WarningMessage] = []
    events = [{"name": c.name, "start": str(c.start or ""), "end": str(c.end or ""), "shops": list(c.shops),
               "multiplier": c.multiplier} for c in job.changes if isinstance(c, Event)]
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            demand = scenario_demand(job)
            outcome = run_roster(job.config, job.agents, demand, job.month, job.requests)
            row = comparison_row(job, outcome, demand)
            outcome.summary.update({"scenario": job.name, "overrides": job.overrides,
                                    "monthly_cost": row["monthly_cost"], "currency": job.config.costs.currency})
            if job.out is not None:
                job.out.mkdir(parents=True, exist_ok=True)
                write_csv(demand, job.out / "demand.csv", DEMAND_OUT_COLUMNS)
                write_roster_outputs(job.out, outcome)
    except (InputError, RosterError) as err:
        return _failed(job, str(err), started, caught, events)
    except Exception as err:  # noqa: BLE001 - one scenario's bug must not stop the others
        return _failed(job, f"{type(err).__name__}: {err}", started, caught, events)
    seconds = round(time.perf_counter() - started, 2)
    row["seconds"] = seconds
    row["error"] = ""
    return ScenarioResult(job.name, job.slug, True, "", row, outcome.result.coverage, outcome.agents,
                          outcome.result.violations, outcome.summary, _messages(caught), seconds, events)


def _messages(caught) -> list[str]:
    return list(dict.fromkeys(str(w.message) for w in caught or []))


def _failed(job: ScenarioJob, reason: str, started: float, caught, events) -> ScenarioResult:
    seconds = round(time.perf_counter() - started, 2)
    row = {c: None for c in COMPARISON_COLUMNS}
    row.update({"scenario": job.name, "status": "FAILED", "heads_rostered": len(job.agents), "seconds": seconds,
                "error": reason})
    return ScenarioResult(job.name, job.slug, False, reason, row, warnings=_messages(caught), seconds=seconds,
                          events=events)


def run_jobs(jobs: list[ScenarioJob], processes: int, workers: int,
             on_done: Callable[[ScenarioResult], None] | None = None) -> list[ScenarioResult]:
    """Run every job with `workers` CP-SAT workers each, `processes` at a time; results in job order.

    One process runs the jobs here, one after another; more use a ProcessPoolExecutor (spawned
    workers: no solver threads are forked). A worker that dies fails only its scenario.
    """
    jobs = [_with_workers(j, workers) for j in jobs]
    done: dict[str, ScenarioResult] = {}
    if processes <= 1:
        for job in jobs:
            done[job.slug] = run_scenario(job)
            if on_done:
                on_done(done[job.slug])
    else:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=processes, mp_context=ctx) as pool:
            futures = {pool.submit(run_scenario, job): job for job in jobs}
            for fut in as_completed(futures):
                job = futures[fut]
                try:
                    res = fut.result()
                except Exception as err:  # noqa: BLE001 - e.g. BrokenProcessPool: the worker died
                    res = _failed(job, f"worker process failed: {type(err).__name__}: {err}", time.perf_counter(),
                                  [], [])
                done[job.slug] = res
                if on_done:
                    on_done(res)
    return [done[j.slug] for j in jobs]


def _with_workers(job: ScenarioJob, workers: int) -> ScenarioJob:
    solver = job.config.solver.model_copy(update={"workers": workers})
    return ScenarioJob(**{**job.__dict__, "config": job.config.model_copy(update={"solver": solver})})


def comparison_table(results: list[ScenarioResult]) -> pd.DataFrame:
    """whatif.csv: one row per scenario, failed ones with status FAILED and the reason."""
    return pd.DataFrame([r.row for r in results], columns=COMPARISON_COLUMNS)

