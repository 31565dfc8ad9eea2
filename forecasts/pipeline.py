"""Forecast orchestration over the tidy long frame ``date, shop, inquiries``.

:func:`forecast` fits one model per shop (the main :class:`~forecasts.models.EventRegression`
by default, the seasonal-naive baseline on request or when a shop's history is too short) and
returns ``date, shop, p50, p80, ..., model``. :func:`backtest` replays it at rolling origins
and returns every forecast day beside the actual volume, for :mod:`forecasts.metrics`.
Shops are independent; with ``workers > 1`` they are fitted in that many processes, each with
one BLAS thread.
"""

from __future__ import annotations

import multiprocessing as mp
import uuid
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ._blas import single_blas_thread, single_thread_env
from .baseline import SeasonalNaive
from .calendar import CalendarError, CalendarSpec, event_calendar, for_shop, weekend_days
from .features import build_design
from .models import EventRegression

MODELS = ("main", "baseline")


class ForecastError(ValueError):
    """The history cannot support a forecast (too short, ends before the requested start...)."""


def quantile_column(q: float) -> str:
    """0.8 -> 'p80'."""
    return f"p{round(q * 100)}"


@dataclass(frozen=True)
class ForecastSettings:
    """How to forecast: which model, which quantiles, which calendar, how many processes.

    A shop with fewer than `main_min_days` days of history gets the baseline with a warning;
    fewer than `min_history_days` is an error.
    """

    quantiles: tuple[float, ...] = (0.5, 0.8, 0.9)
    model: str = "main"
    min_history_days: int = 28
    main_min_days: int = 91
    error_window: int = 365
    calendar: CalendarSpec = field(default_factory=CalendarSpec)
    workers: int = 1

    def __post_init__(self):
        if self.model not in MODELS:
            raise ForecastError(f"unknown model {self.model!r}; expected one of {list(MODELS)}")


def complete_days(history: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Reindex each shop to consecutive days; missing days become NaN. Returns counts filled.

    A shop's series starts at its first day with volume (leading zero days of a shop that
    opened late are dropped, not counted as missing).
    """
    parts, missing = [], {}
    for shop, g in history.groupby("shop", sort=False):
        g = g.set_index("date").sort_index()
        live = g.index[g["inquiries"].fillna(0) > 0]
        g = g.loc[live.min():] if len(live) else g
        full = pd.date_range(g.index.min(), g.index.max(), freq="D")
        missing[shop] = len(full) - len(g)
        parts.append(g.reindex(full).assign(shop=shop).rename_axis("date").reset_index())
    return pd.concat(parts, ignore_index=True), missing


def _check_series(shop: str, dates: pd.DatetimeIndex, y: np.ndarray, start: pd.Timestamp,
                  settings: ForecastSettings) -> None:
    last = dates[-1]
    if start <= last:
        raise ForecastError(f"history for shop {shop!r} runs to {last.date()}, past the forecast "
                            f"start {start.date()}; forecast a later period or cut the history")
    n = int(np.sum(~np.isnan(y)))
    if n < settings.min_history_days:
        raise ForecastError(f"shop {shop!r} has {n} days of history; need at least "
                            f"{settings.min_history_days} (config forecast.min_history_days)")


_DESIGNS: dict[tuple, object] = {}


def _design(shop: str, dates: pd.DatetimeIndex, h: int, settings: ForecastSettings, calendar: pd.DataFrame,
            call: object):
    """The shop's design; shops of one forecast call with the same days and no events of their
    own share one (cached per call and process)."""
    rows = for_shop(calendar, shop)
    key = (call, dates[0], len(dates), h) if call is not None and not (rows["shop"] != "").any() else None
    if key is not None and key in _DESIGNS:
        return _DESIGNS[key]
    all_dates = pd.date_range(dates[0], periods=len(dates) + h, freq="D")
    design = build_design(all_dates, dates[-1], rows, weekend_days(settings.calendar.country))
    if key is not None:
        if len(_DESIGNS) > 8:
            _DESIGNS.clear()
        _DESIGNS[key] = design
    return design


def fit_predict_shop(shop: str, dates: pd.DatetimeIndex, y: np.ndarray, h: int, settings: ForecastSettings,
                     calendar: pd.DataFrame, call: object = None) -> tuple[np.ndarray, str, str | None, dict[str, float]]:
    """One shop: quantile forecasts for the `h` days after `dates`, the model name, a note
    (why the main model was not used) or None, and the main model's multipliers by term."""
    n = int(np.sum(~np.isnan(y)))
    note = None
    if settings.model == "main" and n < settings.main_min_days:
        note = (f"shop {shop!r} has only {n} days of history (< {settings.main_min_days}, config "
                f"forecast.main_min_history_days): seasonal-naive baseline used instead of the main model")
    if settings.model == "baseline" or note:
        model = SeasonalNaive(error_window=settings.error_window).fit(y)
        return model.predict(h, list(settings.quantiles)), model.name, note, {}
    design = _design(shop, dates, h, settings, calendar, call)
    k = len(dates)
    model = EventRegression().fit(y, design.X[:k], design.penalty, design.target, design.event_day[:k])
    terms = model.effects(design.names)
    effects = {t: m for t, m in terms.items() if t not in ("const", "trend") and not t.startswith("knot:")}
    # the slope now: the first slope plus every bend at the knots
    effects["growth_per_year"] = float(np.prod([m for t, m in terms.items() if t == "trend" or t.startswith("knot:")]))
    return model.predict(h, design.X[k:], list(settings.quantiles)), model.name, note, effects


def _shop_job(args) -> tuple[np.ndarray, str, str | None, dict[str, float]]:
    with single_blas_thread():
        return fit_predict_shop(*args)


def _run_jobs(jobs: list[tuple], workers: int) -> list[tuple[np.ndarray, str, str | None, dict[str, float]]]:
    if workers <= 1 or len(jobs) < 2 * workers:
        return [_shop_job(j) for j in jobs]
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    with single_thread_env(), ProcessPoolExecutor(workers, mp_context=mp.get_context(method)) as pool:
        return list(pool.map(_shop_job, jobs, chunksize=max(1, len(jobs) // (4 * workers))))


def build_calendar(first: pd.Timestamp, last: pd.Timestamp, spec: CalendarSpec) -> pd.DataFrame:
    try:
        return event_calendar(first, last, spec)
    except CalendarError as err:
        raise ForecastError(str(err)) from None


def forecast(history: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp, quantiles: list[float],
             min_history_days: int = 28, error_window: int = 365, *, settings: ForecastSettings | None = None,
             calendar: pd.DataFrame | None = None, report_gaps: bool = True,
             explain: bool = False) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Forecast every shop from `start` to `end` (inclusive).

    `history` is the daily frame ``date, shop, inquiries``. The forecast begins the day after
    each shop's history ends and is cut to [start, end]. Returns ``date, shop, p50, p80, ...``
    plus a ``model`` column naming the forecaster. `settings` (default: the main model with
    the given quantiles) chooses the model; missing days are reported as a warning.

    With `explain`, also returns the main model's fitted multipliers ``shop, term, multiplier``
    (``dow3`` = Thursday vs Monday, ``growth_per_year`` = the trend's current slope,
    ``ev:double11:0`` = the 11.11 day itself, ``hol:on`` = a public holiday on a working day,
    ``sin1``... the yearly wave).
    """
    settings = settings or ForecastSettings(tuple(quantiles), min_history_days=min_history_days,
                                            error_window=error_window)
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    full, missing = complete_days(history)
    gaps = {s: n for s, n in missing.items() if n}
    if gaps and report_gaps:
        warnings.warn(f"history has missing days, left out of the fit (days per shop): {gaps}", stacklevel=2)
    if calendar is None and settings.model == "main":
        calendar = build_calendar(full["date"].min(), end, settings.calendar)
    jobs, frames, effects, call = [], [], [], uuid.uuid4().hex  # `call` scopes the design cache
    for shop, g in full.groupby("shop", sort=False):
        dates = pd.DatetimeIndex(g["date"])
        y = g["inquiries"].to_numpy(dtype=float)
        _check_series(shop, dates, y, start, settings)
        h = (end - dates[-1]).days
        jobs.append((shop, dates, y, h, settings, calendar, call))
    for (shop, dates, *_), (pred, name, note, terms) in zip(jobs, _run_jobs(jobs, settings.workers)):
        if note:
            warnings.warn(note, stacklevel=2)
        effects += [(shop, t, round(m, 4)) for t, m in terms.items()]
        frame = pd.DataFrame(pred, columns=[quantile_column(q) for q in settings.quantiles])
        frame.insert(0, "date", pd.date_range(dates[-1] + pd.Timedelta(days=1), periods=h, freq="D"))
        frame.insert(1, "shop", shop)
        frame["model"] = name
        frames.append(frame[frame["date"] >= start])
    out = pd.concat(frames, ignore_index=True)
    qcols = [quantile_column(q) for q in settings.quantiles]
    out[qcols] = np.round(np.maximum.accumulate(out[qcols].to_numpy(), axis=1), 1)
    out = out.sort_values(["date", "shop"]).reset_index(drop=True)
    if explain:
        return out, pd.DataFrame(effects, columns=["shop", "term", "multiplier"])
    return out


def backtest_cutoffs(history: pd.DataFrame, cutoffs: int, horizon: int, step: int | None = None) -> list[pd.Timestamp]:
    """`cutoffs` rolling origins, the last one `horizon` days before the history ends, each
    `step` (default `horizon`) days before the next; oldest first."""
    last = pd.Timestamp(history["date"].max())
    step = step or horizon
    return sorted(last - pd.Timedelta(days=horizon + i * step) for i in range(cutoffs))


def backtest(history: pd.DataFrame, settings: ForecastSettings, cutoffs: int = 4, horizon: int = 30,
             step: int | None = None, models: tuple[str, ...] = MODELS) -> pd.DataFrame:
    """Rolling-origin backtest: at each cutoff, forecast the next `horizon` days from the history
    up to the cutoff with each of `models`, beside the actual volume.

    Returns ``cutoff, date, shop, model, lead, actual, p50, ..., event, scale`` with ``event``
    true on event and holiday days (of the settings' calendar) and ``scale`` the shop's mean
    absolute weekly-naive change before the cutoff (for MASE). A shop with too little history
    before a cutoff is left out of that cutoff (with a warning); days without an actual value
    are left out.
    """
    settings = replace(settings, quantiles=tuple(sorted(set(settings.quantiles) | {0.5})))
    full, missing = complete_days(history)
    gaps = {s: n for s, n in missing.items() if n}
    if gaps:
        warnings.warn(f"history has missing days, left out of the fit and of the scores (days per shop): {gaps}",
                      stacklevel=2)
    origins = backtest_cutoffs(full, cutoffs, horizon, step)
    calendar = build_calendar(full["date"].min(), full["date"].max(), settings.calendar)
    on_event = _event_flags(full, calendar)
    skipped, parts = [], []
    for cut in origins:
        train = full[full["date"] <= cut]
        counts = train.groupby("shop")["inquiries"].count()
        ok = counts[counts >= max(settings.min_history_days, 14)].index
        skipped += [f"{s}@{cut.date()}" for s in counts.index.difference(ok)]
        train = train[train["shop"].isin(ok)]
        if train.empty:
            continue
        end = cut + pd.Timedelta(days=horizon)
        for model in models:
            s = replace(settings, model=model)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fc = forecast(train, cut + pd.Timedelta(days=1), end, list(settings.quantiles), settings=s,
                              calendar=calendar, report_gaps=False)
            fc.insert(0, "cutoff", cut)
            fc.insert(3, "model_name", fc.pop("model"))
            fc.insert(3, "model", model)
            parts.append(fc)
        scale = train.groupby("shop")["inquiries"].apply(_naive_scale).rename("scale")
        for p in parts[-len(models):]:
            p["scale"] = p["shop"].map(scale)
    if skipped:
        warnings.warn(f"backtest: too little history before the cutoff, left out: {skipped}", stacklevel=2)
    if not parts:
        raise ForecastError(f"no shop has {settings.min_history_days} days of history before the first of "
                            f"{cutoffs} backtest cutoffs of {horizon} days; use fewer cutoffs or a shorter horizon")
    bt = pd.concat(parts, ignore_index=True)
    actual = full.set_index(["date", "shop"])["inquiries"]
    bt["actual"] = actual.reindex(pd.MultiIndex.from_frame(bt[["date", "shop"]])).to_numpy()
    bt["lead"] = (bt["date"] - bt["cutoff"]).dt.days
    bt["event"] = on_event.reindex(pd.MultiIndex.from_frame(bt[["date", "shop"]])).fillna(False).to_numpy(bool)
    bt = bt[bt["actual"].notna()]
    qcols = [quantile_column(q) for q in settings.quantiles]
    cols = ["cutoff", "date", "shop", "model", "lead", "actual", *qcols, "event", "scale", "model_name"]
    return bt[cols].sort_values(["model", "shop", "cutoff", "date"]).reset_index(drop=True)


def _naive_scale(y: pd.Series, season: int = 7) -> float:
    v = y.to_numpy(dtype=float)
    d = np.abs(v[season:] - v[:-season])
    d = d[~np.isnan(d)]
    return float(d.mean()) if len(d) else np.nan


def _event_flags(full: pd.DataFrame, calendar: pd.DataFrame) -> pd.Series:
    """True on (date, shop) with an event or a public holiday on (not the eve/next marks)."""
    on = calendar[~calendar["phase"].isin(["eve", "next"])]
    shared = set(on.loc[on["shop"] == "", "date"])
    own = set(zip(on.loc[on["shop"] != "", "date"], on.loc[on["shop"] != "", "shop"]))
    flags = [(d in shared) or ((d, s) in own) for d, s in zip(full["date"], full["shop"])]
    return pd.Series(flags, index=pd.MultiIndex.from_frame(full[["date", "shop"]]))
