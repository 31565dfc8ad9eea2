"""Forecast accuracy: WAPE, MASE, bias and interval coverage, per shop and overall.

All work on the backtest frame of :func:`forecasts.pipeline.backtest` (``cutoff, date, shop,
model, actual, p50, ..., event, scale``):

- WAPE = sum |actual - p50| / sum actual (weighted by volume, so quiet days count little);
- MASE = mean |actual - p50| / ``scale``, the mean absolute weekly-naive change in the shop's
  history before the cutoff (below 1: better than repeating last week in-sample);
- bias = sum (p50 - actual) / sum actual (positive: over-forecast);
- coverage of pXX = share of days with actual <= pXX (a calibrated p80 covers 0.80).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


OVERALL = "(all shops)"


def wape(actual, pred) -> float:
    a, p = np.asarray(actual, float), np.asarray(pred, float)
    total = np.abs(a).sum()
    return float(np.abs(a - p).sum() / total) if total > 0 else np.nan


def bias(actual, pred) -> float:
    a, p = np.asarray(actual, float), np.asarray(pred, float)
    total = np.abs(a).sum()
    return float((p - a).sum() / total) if total > 0 else np.nan


def mase(actual, pred, scale) -> float:
    a, p, s = np.asarray(actual, float), np.asarray(pred, float), np.asarray(scale, float)
    ok = s > 0
    return float(np.mean(np.abs(a - p)[ok] / s[ok])) if ok.any() else np.nan


def coverage(actual, upper) -> float:
    a, u = np.asarray(actual, float), np.asarray(upper, float)
    return float(np.mean(a <= u)) if len(a) else np.nan


def _scores(g: pd.DataFrame, qcols: list[str]) -> dict:
    ev = g[g["event"]]
    out = {"days": len(g), "wape": wape(g["actual"], g["p50"]), "mase": mase(g["actual"], g["p50"], g["scale"]),
           "bias": bias(g["actual"], g["p50"])}
    out |= {f"coverage_{c}": coverage(g["actual"], g[c]) for c in qcols if c != "p50"}
    out |= {"event_days": len(ev), "wape_event": wape(ev["actual"], ev["p50"]) if len(ev) else np.nan}
    return out


def score_table(bt: pd.DataFrame) -> pd.DataFrame:
    """One row per model and shop plus one ``shop = "(all shops)"`` row per model.

    A shop's row pools its days over all cutoffs. The all-shops row's WAPE, event-day WAPE and
    bias are the mean over cutoffs of those measures pooled over the shops (so each cutoff
    counts once, as "on average over the backtest cutoffs" asks); its MASE and coverage pool
    every day.
    """
    qcols = [c for c in bt.columns if c.startswith("p") and c[1:].isdigit()]
    rows = []
    for (model, shop), g in bt.groupby(["model", "shop"], sort=True):
        rows.append({"model": model, "shop": shop, **_scores(g, qcols)})
    for model, g in bt.groupby("model", sort=True):
        row = {"model": model, "shop": OVERALL, **_scores(g, qcols)}
        per_cut = [_scores(c, qcols) for _, c in g.groupby("cutoff")]
        for key in ("wape", "wape_event", "bias"):
            values = [s[key] for s in per_cut if not np.isnan(s[key])]
            row[key] = float(np.mean(values)) if values else np.nan
        rows.append(row)
    return pd.DataFrame(rows)
