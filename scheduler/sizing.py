"""Forecast -> demand per shop, day and shift, with the band arithmetic.

For each shop and day, the staffing quantile of the forecast is split into shifts by shares
(learned from hourly history when given, else config ``volume_share``), rounded to whole
inquiries so the shifts add up to the day, and turned into head counts against the band:

- ``agents_min``    = ceil(volume / band.max): fewer agents would each carry more than the max;
- ``agents_target`` = ceil(volume / band.target);
- ``agents_max``    = max(agents_min, floor(volume / band.min)): more agents would each carry
  less than the min (overstaffed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .config import Config, ShiftConfig

DEMAND_OUT_COLUMNS = ["date", "shop", "shift", "volume", "agents_min", "agents_target", "agents_max"]


def hour_to_shift_weights(shifts: list[ShiftConfig]) -> pd.DataFrame:
    """Fraction of each clock hour (0-23) that belongs to each shift.

    Minutes covered by a shift belong to it; minutes when no shift is staffed carry to the next
    shift to start (00:30-08:30 goes to the day shift by default). Rows: hour, columns: shift ids.
    """
    owner = np.empty(1440, dtype=object)
    for s in shifts:
        for m in range(s.start_minutes, s.end_minutes):
            owner[m % 1440] = s.id
    starts = sorted((s.start_minutes % 1440, s.id) for s in shifts)
    for m in range(1440):
        if owner[m] is None:
            nxt = next((sid for st, sid in starts if st > m), starts[0][1])
            owner[m] = nxt
    minutes = pd.DataFrame(0, index=range(24), columns=[s.id for s in shifts])
    for m, sid in enumerate(owner):
        minutes.loc[m // 60, sid] += 1
    return minutes / 60


def learn_shift_shares(hourly: pd.DataFrame, shifts: list[ShiftConfig]) -> pd.DataFrame:
    """Shift shares per shop and weekday from hourly history: ``shop, weekday, <shift ids>``."""
    weights = hour_to_shift_weights(shifts)
    per_shift = hourly[["inquiries"]].to_numpy() * weights.loc[hourly["hour"].to_numpy()].to_numpy()
    frame = pd.DataFrame(per_shift, columns=weights.columns)
    frame["shop"] = hourly["shop"].to_numpy()
    frame["weekday"] = pd.to_datetime(hourly["date"]).dt.day_of_week.to_numpy()
    sums = frame.groupby(["shop", "weekday"])[list(weights.columns)].sum()
    total = sums.sum(axis=1).replace(0, np.nan)
    shares = sums.div(total, axis=0)
    # a weekday with no volume at all falls back to the shop's overall shares
    overall = frame.groupby("shop")[list(weights.columns)].sum()
    overall = overall.div(overall.sum(axis=1).replace(0, np.nan), axis=0).fillna(1 / len(weights.columns))
    shares = shares.fillna(overall.reindex(shares.index.get_level_values("shop")).set_axis(shares.index))
    return shares.reset_index()


def split_whole(total: int, shares: np.ndarray) -> np.ndarray:
    """Split a whole number by shares so the parts are whole and add up (largest remainder)."""
    raw = total * np.asarray(shares, dtype=float)
    base = np.floor(raw).astype(int)
    rest = total - base.sum()
    order = np.argsort(-(raw - base), kind="stable")
    base[order[:rest]] += 1
    return base


def band_heads(volume: np.ndarray | pd.Series, config: Config) -> pd.DataFrame:
    """Heads needed per volume against the band (see module docstring)."""
    v = np.asarray(volume, dtype=float)
    b = config.band
    a_min = np.ceil(v / b.max).astype(int)
    a_target = np.ceil(v / b.target).astype(int)
    a_max = np.floor(v / b.min).astype(int) if b.min > 0 else np.full(len(v), np.iinfo(np.int32).max)
    return pd.DataFrame({"agents_min": a_min, "agents_target": a_target, "agents_max": np.maximum(a_min, a_max)})


def size_demand(forecast: pd.DataFrame, config: Config, shares: pd.DataFrame | None = None,
                quantile_column: str | None = None) -> pd.DataFrame:
    """Forecast (``date, shop, pXX...``) -> demand (``date, shop, shift, volume, agents_*``)."""
    col = quantile_column or f"p{round(config.forecast.staffing_quantile * 100)}"
    if col not in forecast.columns:
        raise KeyError(f"forecast has no column {col!r} (config forecast.staffing_quantile)")
    shift_ids = config.shift_ids
    fc = forecast[["date", "shop", col]].copy()
    fc["date"] = pd.to_datetime(fc["date"])
    if shares is None:
        cfg = config.shift_shares()
        share_matrix = np.tile([cfg[s] for s in shift_ids], (len(fc), 1))
    else:
        keyed = shares.set_index(["shop", "weekday"])[shift_ids]
        idx = pd.MultiIndex.from_arrays([fc["shop"], fc["date"].dt.day_of_week])
        share_matrix = keyed.reindex(idx).to_numpy()
        no_share = np.isnan(share_matrix).any(axis=1)
        if no_share.any():
            cfg = config.shift_shares()
            share_matrix[no_share] = [cfg[s] for s in shift_ids]
    totals = np.round(fc[col].to_numpy()).astype(int)
    parts = np.vstack([split_whole(t, sh) for t, sh in zip(totals, share_matrix)]) if len(fc) else np.empty((0, len(shift_ids)), int)
    demand = pd.DataFrame({
        "date": np.repeat(fc["date"].dt.date.to_numpy(), len(shift_ids)),
        "shop": np.repeat(fc["shop"].to_numpy(), len(shift_ids)),
        "shift": np.tile(shift_ids, len(fc)),
        "volume": parts.reshape(-1),
    })
    demand = pd.concat([demand, band_heads(demand["volume"], config)], axis=1)
    return demand[DEMAND_OUT_COLUMNS]
