"""Forecast orchestration over the tidy long frame ``date, shop, inquiries``."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .baseline import SeasonalNaive


class ForecastError(ValueError):
    """The history cannot support a forecast (too short, ends before the requested start...)."""


def quantile_column(q: float) -> str:
    """0.8 -> 'p80'."""
    return f"p{round(q * 100)}"


def complete_days(history: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Reindex each shop to consecutive days; missing days become NaN. Returns counts filled."""
    parts, missing = [], {}
    for shop, g in history.groupby("shop", sort=False):
        g = g.set_index("date").sort_index()
        full = pd.date_range(g.index.min(), g.index.max(), freq="D")
        missing[shop] = len(full) - len(g)
        parts.append(g.reindex(full).assign(shop=shop).rename_axis("date").reset_index())
    return pd.concat(parts, ignore_index=True), missing


def forecast(history: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
             quantiles: list[float], min_history_days: int = 28, error_window: int = 365) -> pd.DataFrame:
    """Forecast every shop from `start` to `end` (inclusive) with the seasonal-naive baseline.

    `history` is the daily frame ``date, shop, inquiries``. The forecast begins the day after
    each shop's history ends and is cut to [start, end]. Returns ``date, shop, p50, p80, ...``
    plus a ``model`` column naming the forecaster.
    """
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    full, missing = complete_days(history)
    gaps = {s: n for s, n in missing.items() if n}
    if gaps:
        warnings.warn(f"history has missing days (forecast from the remaining days): {gaps}", stacklevel=2)
    rows = []
    for shop, g in full.groupby("shop", sort=False):
        last = g["date"].max()
        if start <= last:
            raise ForecastError(f"history for shop {shop!r} runs to {last.date()}, past the forecast "
                                f"start {start.date()}; forecast a later period or cut the history")
        if g["inquiries"].notna().sum() < min_history_days:
            raise ForecastError(f"shop {shop!r} has {g['inquiries'].notna().sum()} days of history; "
                                f"need at least {min_history_days} (config forecast.min_history_days)")
        h = (end - last).days
        model = SeasonalNaive(error_window=error_window).fit(g["inquiries"].to_numpy())
        pred = model.predict(h, quantiles)
        frame = pd.DataFrame(pred, columns=[quantile_column(q) for q in quantiles])
        frame.insert(0, "date", pd.date_range(last + pd.Timedelta(days=1), periods=h, freq="D"))
        frame.insert(1, "shop", shop)
        frame["model"] = model.name
        rows.append(frame[frame["date"] >= start])
    out = pd.concat(rows, ignore_index=True)
    qcols = [quantile_column(q) for q in quantiles]
    out[qcols] = np.round(out[qcols], 1)
    return out.sort_values(["date", "shop"]).reset_index(drop=True)
