"""The YAML configuration, validated with pydantic.

Unknown keys are errors (``extra="forbid"``) and every problem is reported at once, with its
path in the file (``rules.max_shops_per_agent``). Defaults follow the common practice of
Chinese e-commerce customer-service teams and are documented in ``configs/example.yaml``.
"""

from __future__ import annotations

import re
from datetime import date as _date
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import InputError

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ShopConfig(_Strict):
    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_\-]+$")
    name: str = ""


class ShiftConfig(_Strict):
    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_\-]+$")
    start: str
    end: str
    paid_hours: float = Field(gt=0, le=24)
    night: bool | None = None  # None: inferred (crosses midnight or starts at/after 17:00)
    volume_share: float | None = Field(default=None, ge=0, le=1)
    not_followed_by: list[str] = []  # shift ids that may not be worked the day after this shift

    @field_validator("start", "end", mode="before")
    @classmethod
    def _unquoted_time(cls, v: object) -> object:
        # YAML 1.1 reads an unquoted 17:30 as the base-60 integer 1050: take it back as a time
        if isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 1440:
            return f"{v // 60:02d}:{v % 60:02d}"
        return v

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        if not _HHMM.match(str(v)):
            raise ValueError(f"expected a time HH:MM (24 h clock), got {v!r}")
        return str(v)

    @field_validator("id")
    @classmethod
    def _not_reserved(cls, v: str) -> str:
        if v in ("off", "leave"):
            raise ValueError(f"'{v}' is reserved for days not worked; choose another shift id")
        return v

    @property
    def start_minutes(self) -> int:
        h, m = self.start.split(":")
        return int(h) * 60 + int(m)

    @property
    def end_minutes(self) -> int:
        """End in minutes after the start day's midnight (past 1440 when crossing midnight)."""
        h, m = self.end.split(":")
        end = int(h) * 60 + int(m)
        return end + 1440 if end <= self.start_minutes else end

    @property
    def is_night(self) -> bool:
        if self.night is not None:
            return self.night
        return self.end_minutes > 1440 or self.start_minutes >= 17 * 60


class BandConfig(_Strict):
    min: int = Field(80, ge=0)
    target: int = Field(100, gt=0)
    max: int = Field(120, gt=0)
    scale_by_paid_hours: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> "BandConfig":
        if not (self.min <= self.target <= self.max):
            raise ValueError(f"expected min <= target <= max, got {self.min}, {self.target}, {self.max}")
        return self


class RulesConfig(_Strict):
    max_shops_per_agent: int = Field(2, ge=1, le=3)
    max_consecutive_workdays: int = Field(6, ge=1, le=31)
    min_rest_hours: float = Field(11, ge=0, le=48)
    min_days_off_per_week: int = Field(1, ge=0, le=7)
    min_days_off_per_month: int = Field(4, ge=0, le=31)
    max_days_off_per_month: int = Field(10, ge=0, le=31)
    rotation: Literal["half-month", "balanced", "none"] = "half-month"
    training_days: int = Field(15, ge=0, le=120)
    min_senior_per_shift: int = Field(0, ge=0, le=20)  # agents of tier senior or above per shop-shift with volume
    allow_third_shop_for: list[str] = []                # agent ids who may serve a third shop (flagged, penalised)

    @model_validator(mode="after")
    def _ordered(self) -> "RulesConfig":
        if self.min_days_off_per_month > self.max_days_off_per_month:
            raise ValueError("expected min_days_off_per_month <= max_days_off_per_month")
        return self


class WeightsConfig(_Strict):
    """Objective weights, in cost units per unit of each violation."""

    uncovered: int = Field(1000, ge=0)       # per uncovered inquiry
    under_band_min: int = Field(2, ge=0)     # per inquiry an agent-day falls below band.min
    nights_spread: int = Field(200, ge=0)    # per night of (max - min) across agents
    workdays_spread: int = Field(100, ge=0)  # per workday of (max - min) across agents
    request: int = Field(50, ge=0)           # per unmet request, times the request's weight
    weekend_off_spread: int = Field(50, ge=0)  # per weekend day off of (max - min) across agents
    third_shop: int = Field(500, ge=0)       # per agent serving a third shop (the flagged exception)
    shop_pairing: int = Field(20, ge=0)      # per agent serving two of the bigger half of the shops
    primary_share: int = Field(1, ge=0)      # per inquiry an agent's second shop carries beyond the main
    shop_change: int = Field(100, ge=0)      # per agent whose shops differ from last month (--previous)
    plan_change: int = Field(300, ge=0)      # per agent-day changed from the published plan (re-planning)
    heads_under: int = Field(100, ge=0)      # per agent short of a head-count demand (Problem.heads)
    heads_over: int = Field(1, ge=0)         # per agent above a head-count demand


class ContractConfig(_Strict):
    """Per-agent limits over the roster's horizon, for the agents whose team `group` is `id`.

    Every limit is optional (None or absent: no limit). Runs that touch the first or the last
    day of the horizon are exempt from the two minimum-run rules (the days outside are unknown).
    """

    id: str = Field(min_length=1)
    max_shifts: dict[str, int] = {}                              # shift id -> most shifts of that type (0: never)
    min_minutes: int | None = Field(None, ge=0)                  # total paid minutes worked, at least
    max_minutes: int | None = Field(None, ge=0)                  # and at most
    max_consecutive_workdays: int | None = Field(None, ge=1)     # longest run of worked days
    min_consecutive_workdays: int | None = Field(None, ge=1)     # shortest run of worked days
    min_consecutive_days_off: int | None = Field(None, ge=1)     # shortest run of days not worked
    max_working_weekends: int | None = Field(None, ge=0)         # weekends with a Saturday or Sunday worked

    @field_validator("max_shifts")
    @classmethod
    def _counts(cls, v: dict[str, int]) -> dict[str, int]:
        if any(n < 0 for n in v.values()):
            raise ValueError("expected counts >= 0")
        return v

    @model_validator(mode="after")
    def _ordered(self) -> "ContractConfig":
        if self.min_minutes is not None and self.max_minutes is not None and self.min_minutes > self.max_minutes:
            raise ValueError("expected min_minutes <= max_minutes")
        lo, hi = self.min_consecutive_workdays, self.max_consecutive_workdays
        if lo is not None and hi is not None and lo > hi:
            raise ValueError("expected min_consecutive_workdays <= max_consecutive_workdays")
        return self


class SolverConfig(_Strict):
    time_limit_s: float = Field(30, gt=0)
    workers: int = Field(2, ge=1, le=64)
    seed: int = Field(0, ge=0)
    log: bool = False
    # true: the limit is CP-SAT deterministic time and parallel workers interleave, so the same
    # inputs and seed give the same roster on any machine load (slower to find first solutions)
    deterministic: bool = False


class EventConfig(_Strict):
    """A user event (a shop's 聚划算 slot, a live-stream day...): days, shops it applies to
    (empty = all), and the multiplier expected where the event has no history to learn from."""

    name: str = Field(min_length=1)
    start: _date
    end: _date | None = None  # None: one day
    shops: list[str] = []
    multiplier: float | None = Field(None, gt=0, le=50)

    @model_validator(mode="after")
    def _ordered(self) -> "EventConfig":
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class ForecastConfig(_Strict):
    quantiles: list[float] = [0.5, 0.8, 0.9]
    staffing_quantile: float = 0.8
    min_history_days: int = Field(28, ge=14)
    error_window_days: int = Field(365, ge=28)
    model: Literal["main", "baseline"] = "main"
    main_min_history_days: int = Field(91, ge=28)
    holiday_country: str = Field("CN", pattern=r"^([A-Za-z]{2}(-[A-Za-z0-9]{1,3})?)?$")
    ecommerce_events: bool = True
    events: list[EventConfig] = []
    backtest_cutoffs: int = Field(4, ge=1, le=24)
    backtest_horizon_days: int = Field(30, ge=7, le=180)
    workers: int = Field(1, ge=1, le=8)

    @field_validator("quantiles")
    @classmethod
    def _quantiles(cls, v: list[float]) -> list[float]:
        if not v or any(not 0 < q < 1 for q in v):
            raise ValueError("expected a non-empty list of quantiles strictly between 0 and 1")
        if len({round(q * 100) for q in v}) != len(v):
            raise ValueError("expected distinct quantiles (as whole percents)")
        return sorted(v)

    @model_validator(mode="after")
    def _staffing_in_list(self) -> "ForecastConfig":
        if self.staffing_quantile not in self.quantiles:
            raise ValueError(f"staffing_quantile {self.staffing_quantile} must be one of quantiles {self.quantiles}")
        return self


class KpiBandConfig(_Strict):
    min_score: float = Field(ge=0, le=100)  # the band applies to KPI scores at or above this
    base: float = Field(ge=0)               # bonus base; paid as base * score / 100


def _default_kpi_bands() -> list[KpiBandConfig]:
    return [KpiBandConfig(min_score=90, base=3000), KpiBandConfig(min_score=80, base=2000),
            KpiBandConfig(min_score=0, base=1000)]


class CostsConfig(_Strict):
    """Monthly cost of the team (what-if cost column, hiring report); see scheduler/costs.py."""

    currency: str = "CNY"
    base_salary: dict[str, float] = {"junior": 2000, "senior": 2200, "elite": 2300, "expert": 2450, "gold": 2600}
    night_allowance: float = Field(30, ge=0)       # per night shift worked
    kpi_bands: list[KpiBandConfig] = Field(default_factory=_default_kpi_bands, min_length=1)
    expected_kpi: dict[str, float] = {"junior": 78, "senior": 84, "elite": 88, "expert": 91, "gold": 94}
    employer_overhead: float = Field(0.0, ge=0, le=2)  # social insurance etc. as a share of salary + bonus

    @model_validator(mode="after")
    def _tiers(self) -> "CostsConfig":
        tiers = ("junior", "senior", "elite", "expert", "gold")
        for name, table in (("base_salary", self.base_salary), ("expected_kpi", self.expected_kpi)):
            unknown = sorted(set(table) - set(tiers))
            missing = [t for t in tiers if t not in table]
            if unknown or missing:
                raise ValueError(f"{name}: expected one value per tier {list(tiers)}"
                                 + (f"; unknown {unknown}" if unknown else "") + (f"; missing {missing}" if missing else ""))
            if any(v < 0 for v in table.values()):
                raise ValueError(f"{name}: expected values >= 0")
        if any(not 0 <= v <= 100 for v in self.expected_kpi.values()):
            raise ValueError("expected_kpi: expected scores between 0 and 100")
        if not any(b.min_score == 0 for b in self.kpi_bands):
            raise ValueError("kpi_bands: one band must start at min_score 0 so every score has a bonus base")
        return self


class AttritionConfig(_Strict):
    """Monthly attrition rate per tier: the expected share of agents leaving in a month."""

    junior: float = Field(0.06, ge=0, lt=1)
    senior: float = Field(0.04, ge=0, lt=1)
    elite: float = Field(0.03, ge=0, lt=1)
    expert: float = Field(0.02, ge=0, lt=1)
    gold: float = Field(0.02, ge=0, lt=1)


class ShrinkageConfig(_Strict):
    """Paid days lost to each cause, as fractions of paid days (they add up)."""

    sick_leave: float = Field(0.03, ge=0, lt=1)
    annual_leave: float = Field(0.04, ge=0, lt=1)
    training: float = Field(0.02, ge=0, lt=1)
    meetings: float = Field(0.02, ge=0, lt=1)

    @property
    def total(self) -> float:
        return self.sick_leave + self.annual_leave + self.training + self.meetings

    @model_validator(mode="after")
    def _below_one(self) -> "ShrinkageConfig":
        if self.total >= 0.9:
            raise ValueError(f"shrinkage fractions add up to {self.total:g}; expected less than 0.9")
        return self


class HiringConfig(_Strict):
    """`staffing hiring`: the hiring-need report (see scheduler/hiring.py and configs/example.yaml)."""

    horizon_months: int = Field(6, ge=1, le=24)
    attrition: AttritionConfig = AttritionConfig()
    shrinkage: ShrinkageConfig = ShrinkageConfig()
    recruiting_lead_days: int = Field(30, ge=0, le=365)
    staffing_quantile: float | None = None  # None: forecast.staffing_quantile
    plan_at: Literal["target", "max"] = "target"
    peak_days: Literal["temporary", "hire"] = "temporary"
    new_agent_tier: Literal["junior", "senior", "elite", "expert", "gold"] = "junior"
    proof_months: int = Field(1, ge=0, le=24)
    proof_time_limit_s: float = Field(20, gt=0)
    proof_max_probes: int = Field(6, ge=1, le=30)


def _default_shifts() -> list[ShiftConfig]:
    return [
        ShiftConfig(id="day", start="08:30", end="17:30", paid_hours=8, volume_share=0.55),
        ShiftConfig(id="night", start="17:30", end="00:30", paid_hours=7, volume_share=0.45),
    ]


class Config(_Strict):
    shops: list[ShopConfig] = Field(min_length=1)
    shifts: list[ShiftConfig] = Field(default_factory=_default_shifts, min_length=1)
    band: BandConfig = BandConfig()
    rules: RulesConfig = RulesConfig()
    weights: WeightsConfig = WeightsConfig()
    solver: SolverConfig = SolverConfig()
    forecast: ForecastConfig = ForecastConfig()
    contracts: list[ContractConfig] = []  # per-agent limits by team group (see ContractConfig)
    hiring: HiringConfig = HiringConfig()
    costs: CostsConfig = CostsConfig()

    @model_validator(mode="after")
    def _consistent(self) -> "Config":
        for what, items in (("shops", self.shops), ("shifts", self.shifts)):
            ids = [i.id for i in items]
            dup = sorted({i for i in ids if ids.count(i) > 1})
            if dup:
                raise ValueError(f"{what}: duplicate id(s) {dup}")
        shares = [s.volume_share for s in self.shifts]
        if any(s is not None for s in shares):
            if any(s is None for s in shares):
                raise ValueError("shifts: give volume_share for every shift or for none")
            if abs(sum(shares) - 1) > 1e-6:
                raise ValueError(f"shifts: volume_share must sum to 1, got {sum(shares):g}")
        ids = set(self.shift_ids)
        for s in self.shifts:
            unknown = sorted(set(s.not_followed_by) - ids)
            if unknown:
                raise ValueError(f"shifts: {s.id}.not_followed_by names unknown shift(s) {unknown}")
        contract_ids = [c.id for c in self.contracts]
        dup = sorted({i for i in contract_ids if contract_ids.count(i) > 1})
        if dup:
            raise ValueError(f"contracts: duplicate id(s) {dup}")
        for c in self.contracts:
            unknown = sorted(set(c.max_shifts) - ids)
            if unknown:
                raise ValueError(f"contracts: {c.id}.max_shifts names unknown shift(s) {unknown}")
        q = self.hiring.staffing_quantile
        if q is not None and q not in self.forecast.quantiles:
            raise ValueError(f"hiring.staffing_quantile {q} must be one of forecast.quantiles {self.forecast.quantiles}")
        return self

    @property
    def shop_ids(self) -> list[str]:
        return [s.id for s in self.shops]

    @property
    def shift_ids(self) -> list[str]:
        return [s.id for s in self.shifts]

    def contract(self, group: str) -> "ContractConfig | None":
        """The contract named by a team group, if the config has one."""
        return next((c for c in self.contracts if c.id == group), None)

    def shift(self, shift_id: str) -> ShiftConfig:
        return next(s for s in self.shifts if s.id == shift_id)

    def shift_shares(self) -> dict[str, float]:
        """Share of a day's volume per shift from config (equal shares when none given)."""
        if self.shifts[0].volume_share is None:
            return {s.id: 1 / len(self.shifts) for s in self.shifts}
        return {s.id: float(s.volume_share) for s in self.shifts}


def _format_errors(source: str, err: ValidationError) -> list[str]:
    out = []
    for e in err.errors():
        path = ".".join(str(p) for p in e["loc"]) or "(top level)"
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling; see configs/example.yaml)"
        out.append(f"{source}: {path}: {msg}")
    return out


def parse_config(data: object, source: str = "config") -> Config:
    """Validate a loaded YAML mapping; raise InputError listing every problem with its path."""
    if not isinstance(data, dict):
        raise InputError(f"{source}: expected a mapping of keys at the top level, got {type(data).__name__}")
    try:
        return Config.model_validate(data)
    except ValidationError as err:
        raise InputError(_format_errors(source, err)) from None


def load_config(path: str | Path) -> Config:
    """Read and validate a YAML config file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise InputError(f"{path}: cannot read config: {err.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise InputError(f"{path}:{where}: not valid YAML ({getattr(err, 'problem', err)})") from None
    return parse_config(data, str(path))
