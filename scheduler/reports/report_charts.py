"""Charts of the HTML report (Figures, never shown), labelled in Chinese or English."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .fonts import use_cjk_font  # noqa: E402

TEXT = {
    "zh": {"history": "历史", "median": "中位数", "interval": "区间", "inquiries": "询单量", "nights": "夜班数",
           "workdays": "出勤天数", "uncovered_pct": "未覆盖 %", "monthly_cost": "月成本", "forecast": "预测",
           "demand": "需求", "per_agent": "每人"},
    "en": {"history": "history", "median": "median", "interval": "interval", "inquiries": "inquiries",
           "nights": "nights", "workdays": "workdays", "uncovered_pct": "uncovered %", "monthly_cost": "monthly cost",
           "forecast": "forecast", "demand": "demand", "per_agent": "per agent"},
}
EVENT_COLOURS = ["#f6b26b", "#c27ba0", "#76a5af", "#ffd966", "#8e7cc3"]


def forecast_chart(history: pd.DataFrame | None, forecast: pd.DataFrame, shop_names: dict[str, str],
                   lang: str = "zh", events: pd.DataFrame | None = None, days_of_history: int = 90) -> Figure:
    """Per shop: recent history, the forecast median and its widest interval; events shaded.

    `forecast` has ``date, shop`` and quantile columns ``pXX`` (or ``volume`` for a demand
    table); `events` has ``name, start, end`` (and optionally ``shops``, a list).
    """
    use_cjk_font()
    t = TEXT[lang]
    shops = list(dict.fromkeys(forecast["shop"]))
    fig, axes = plt.subplots(len(shops), 1, figsize=(12.5, 2.3 * len(shops)), squeeze=False)
    qcols = sorted((c for c in forecast.columns if c[:1] == "p" and c[1:].isdigit()), key=lambda c: int(c[1:]))
    for i, shop in enumerate(shops):
        ax = axes[i][0]
        f = forecast[forecast["shop"] == shop].sort_values("date")
        x = pd.to_datetime(f["date"])
        if history is not None:
            h = history[history["shop"] == shop].sort_values("date").tail(days_of_history)
            ax.plot(pd.to_datetime(h["date"]), h["inquiries"], color="#444444", lw=1, label=t["history"])
        if qcols:
            ax.fill_between(x, f[qcols[0]], f[qcols[-1]], color="#9fc5e8", alpha=0.6,
                            label=f"{t['interval']} {qcols[0]}-{qcols[-1]}")
            mid = "p50" if "p50" in f else qcols[len(qcols) // 2]
            ax.plot(x, f[mid], color="#0b5394", lw=1.4, label=f"{t['forecast']} {mid}")
        else:
            ax.plot(x, f["volume"], color="#0b5394", lw=1.4, label=t["demand"])
        for j, ev in enumerate([] if events is None else events.to_dict("records")):
            if ev.get("shops") and shop not in ev["shops"]:
                continue
            start = pd.Timestamp(ev["start"]) if ev.get("start") else x.min()
            end = pd.Timestamp(ev["end"]) if ev.get("end") else x.max()
            ax.axvspan(start - pd.Timedelta(hours=12), end + pd.Timedelta(hours=12),
                       color=EVENT_COLOURS[j % len(EVENT_COLOURS)], alpha=0.35, label=str(ev["name"]))
        ax.set_title(f"{shop_names.get(shop, shop)} ({shop})", fontsize=10)
        ax.set_ylabel(t["inquiries"], fontsize=8)
        ax.tick_params(labelsize=7)
        # beside the plot, so it never hides a peak
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.tight_layout()
    return fig


def fairness_chart(agents_frame: pd.DataFrame, lang: str = "zh") -> Figure:
    """Nights and workdays per agent (bars, agent names on the axis)."""
    use_cjk_font()
    t = TEXT[lang]
    a = agents_frame
    fig, axes = plt.subplots(2, 1, figsize=(max(8, 0.28 * len(a) + 2), 5), sharex=True)
    labels = [f"{n}" for n in a["name"]]
    for ax, col, colour in ((axes[0], "nights", "#674ea7"), (axes[1], "workdays", "#3d85c6")):
        ax.bar(range(len(a)), a[col], color=colour)
        if len(a):
            ax.axhline(a[col].mean(), color="#cc0000", lw=0.8, ls="--")
        ax.set_ylabel(t[col], fontsize=8)
        ax.tick_params(labelsize=7)
    axes[1].set_xticks(range(len(a)), labels, rotation=90, fontsize=7)
    fig.tight_layout()
    return fig


def comparison_chart(table: pd.DataFrame, lang: str = "zh") -> Figure:
    """Uncovered share and monthly cost per scenario (failed scenarios left out)."""
    use_cjk_font()
    t = TEXT[lang]
    ok = table[table["status"] != "FAILED"]
    fig, axes = plt.subplots(1, 2, figsize=(11, max(2.5, 0.45 * len(ok) + 1)))
    names = list(ok["scenario"])
    for ax, col, colour in ((axes[0], "uncovered_pct", "#e06666"), (axes[1], "monthly_cost", "#6aa84f")):
        ax.barh(range(len(ok)), ok[col].astype(float), color=colour)
        ax.set_yticks(range(len(ok)), names, fontsize=8)
        ax.invert_yaxis()
        ax.set_title(t[col], fontsize=10)
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    return fig
