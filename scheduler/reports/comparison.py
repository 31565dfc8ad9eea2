"""The what-if comparison table: column labels (zh/en) and its rich rendering for the terminal."""

from __future__ import annotations

import pandas as pd
from rich.table import Table

LABELS = {
    "en": {"scenario": "scenario", "status": "status", "heads_rostered": "heads rostered",
           "heads_needed": "heads needed", "volume": "inquiries", "uncovered": "uncovered",
           "uncovered_pct": "uncovered %", "mean_load": "mean load", "p95_load": "p95 load",
           "under_min_days": "agent-days < band min", "nights_spread": "nights spread",
           "monthly_cost": "monthly cost", "hard_violations": "hard violations", "seconds": "seconds",
           "error": "error"},
    "zh": {"scenario": "场景", "status": "状态", "heads_rostered": "排班人数", "heads_needed": "需要人数",
           "volume": "询单量", "uncovered": "未覆盖询单", "uncovered_pct": "未覆盖 %", "mean_load": "人均接待",
           "p95_load": "接待 p95", "under_min_days": "低于下限人天", "nights_spread": "夜班差",
           "monthly_cost": "月成本", "hard_violations": "硬约束违规", "seconds": "秒", "error": "错误"},
}

SHOWN = ["scenario", "status", "heads_rostered", "heads_needed", "uncovered", "uncovered_pct", "mean_load",
         "p95_load", "under_min_days", "nights_spread", "monthly_cost", "seconds"]


def _fmt(v) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return "-"
    if isinstance(v, float) and v.is_integer():
        return f"{int(v):,}"
    if isinstance(v, (int,)) and not isinstance(v, bool):
        return f"{v:,}"
    return str(v)


def comparison_rich(table: pd.DataFrame, title: str = "What-if comparison", lang: str = "en") -> Table:
    """The comparison as a rich Table; failed scenarios in red with their reason below."""
    labels = LABELS[lang]
    out = Table(title=title)
    for c in SHOWN:
        out.add_column(labels[c], justify="left" if c in ("scenario", "status") else "right")
    for rec in table.to_dict("records"):
        failed = rec["status"] == "FAILED"
        out.add_row(*[_fmt(rec[c]) for c in SHOWN], style="red" if failed else None)
    return out


def comparison_markdown(table: pd.DataFrame, lang: str = "en") -> str:
    """The comparison as a Markdown table (for the README)."""
    labels = LABELS[lang]
    lines = ["| " + " | ".join(labels[c] for c in SHOWN) + " |",
             "|" + "|".join("---" if c in ("scenario", "status") else "---:" for c in SHOWN) + "|"]
    for rec in table.to_dict("records"):
        lines.append("| " + " | ".join(_fmt(rec[c]) for c in SHOWN) + " |")
    return "\n".join(lines)
