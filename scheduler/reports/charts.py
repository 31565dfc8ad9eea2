"""Charts as matplotlib Figures (Agg backend, never shown)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from ..config import Config  # noqa: E402


def coverage_figure(coverage: pd.DataFrame, config: Config) -> Figure:
    """Per shop: volume vs inquiries assigned per day, and load per agent against the band."""
    shops = config.shop_ids
    fig, axes = plt.subplots(len(shops), 2, figsize=(13, 2.6 * len(shops)), squeeze=False)
    cov = coverage.copy()
    cov["date"] = pd.to_datetime(cov["date"])
    for i, shop in enumerate(shops):
        c = cov[cov["shop"] == shop].groupby("date")[["volume", "assigned", "uncovered", "agents"]].sum()
        ax = axes[i][0]
        ax.plot(c.index, c["volume"], color="black", lw=1.2, label="volume")
        ax.bar(c.index, c["assigned"], color="#6fa8dc", label="assigned")
        ax.bar(c.index, c["uncovered"], bottom=c["assigned"], color="#e06666", label="uncovered")
        ax.set_title(f"{shop}: inquiries per day", fontsize=10)
        ax.legend(fontsize=7, loc="upper left")
        ax2 = axes[i][1]
        per_agent = c["assigned"] / c["agents"].where(c["agents"] > 0)
        ax2.plot(c.index, per_agent, marker="o", ms=3, color="#3d85c6", label="load per agent-shift")
        ax2.axhspan(config.band.min, config.band.max, color="#93c47d", alpha=0.25, label="band")
        ax2.axhline(config.band.target, color="#38761d", lw=0.8, ls="--")
        ax2.set_title(f"{shop}: load per agent vs band", fontsize=10)
        ax2.legend(fontsize=7, loc="lower left")
        for a in (ax, ax2):
            a.tick_params(axis="x", labelsize=7, rotation=45)
    fig.tight_layout()
    return fig


def forecast_figure(history: pd.DataFrame, forecast: pd.DataFrame, quantile_columns: list[str],
                    days_of_history: int = 120) -> Figure:
    """Recent history and the forecast with its interval band, per shop."""
    shops = list(dict.fromkeys(forecast["shop"]))
    fig, axes = plt.subplots(len(shops), 1, figsize=(12, 2.4 * len(shops)), squeeze=False)
    lo, hi = quantile_columns[0], quantile_columns[-1]
    for i, shop in enumerate(shops):
        ax = axes[i][0]
        h = history[history["shop"] == shop].sort_values("date").tail(days_of_history)
        f = forecast[forecast["shop"] == shop]
        ax.plot(pd.to_datetime(h["date"]), h["inquiries"], color="black", lw=1, label="history")
        ax.fill_between(pd.to_datetime(f["date"]), f[lo], f[hi], color="#9fc5e8", alpha=0.6, label=f"{lo}-{hi}")
        ax.plot(pd.to_datetime(f["date"]), f["p50"] if "p50" in f else f[lo], color="#0b5394", lw=1.2, label="median")
        ax.set_title(f"{shop}: daily inquiries, forecast ({f['model'].iloc[0]})", fontsize=10)
        ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return fig


def backtest_figure(days: pd.DataFrame, shop: str, quantile_columns: list[str]) -> Figure:
    """One shop's backtest: actual volume, the main model's median and interval band per cutoff,
    the baseline's median, and event days shaded."""
    d = days[days["shop"] == shop]
    main, base = d[d["model"] == "main"], d[d["model"] == "baseline"]
    lo, hi = quantile_columns[0], quantile_columns[-1]
    fig, ax = plt.subplots(figsize=(12, 3.2))
    actual = d.drop_duplicates("date").sort_values("date")
    for day in actual.loc[actual["event"], "date"]:
        ax.axvspan(day - pd.Timedelta(hours=12), day + pd.Timedelta(hours=12), color="#f6b26b", alpha=0.25, lw=0)
    for i, (_, c) in enumerate(main.groupby("cutoff")):
        ax.fill_between(c["date"], c[lo], c[hi], color="#9fc5e8", alpha=0.6, label=f"main {lo}-{hi}" if i == 0 else None)
        ax.plot(c["date"], c["p50"], color="#0b5394", lw=1.2, label="main p50" if i == 0 else None)
        ax.axvline(c["cutoff"].iloc[0], color="grey", lw=0.6, ls=":")
    for i, (_, c) in enumerate(base.groupby("cutoff")):
        ax.plot(c["date"], c["p50"], color="#999999", lw=1, ls="--", label="baseline p50" if i == 0 else None)
    ax.plot(actual["date"], actual["actual"], color="black", lw=1, label="actual")
    ax.plot([], [], color="#f6b26b", alpha=0.5, lw=6, label="event / holiday")
    ax.set_title(f"{shop}: backtest at {main['cutoff'].nunique()} cutoffs (dotted lines)", fontsize=10)
    ax.legend(fontsize=7, loc="upper left", ncol=5)
    ax.tick_params(axis="x", labelsize=7)
    fig.tight_layout()
    return fig


def save_figure(fig: Figure, path) -> None:
    fig.savefig(path, dpi=110)
    plt.close(fig)
