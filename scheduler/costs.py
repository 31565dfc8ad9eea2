"""Monthly cost of a team: base salary by tier, night-shift allowance, KPI bonus.

The model (config ``costs``, documented in configs/example.yaml) follows common pay practice of
Chinese e-commerce customer-service teams:

- **base salary** per tier and month (default 2000 junior ... 2600 gold), paid whatever the
  roster, leave included;
- **night allowance** per night shift worked (default 30);
- **KPI bonus**: the bonus base depends on the KPI score band (default 3000 for a score of 90 or
  more, 2000 for 80-89, 1000 below 80) and is paid as ``base * score / 100``; the score used
  is the tier's expected score (default junior 78 ... gold 94);
- **employer overhead** (social insurance, housing fund) as a share of salary + bonus + allowance
  (default 0: wages only).

So a junior at the expected 78 costs 2000 + 1000 * 0.78 = 2780 a month plus 30 per night.
Used by ``staffing whatif`` (the cost column) and usable by the hiring report.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .config import CostsConfig
from .domain import Agent

COST_COLUMNS = ["agent_id", "tier", "base_salary", "kpi_score", "kpi_bonus", "nights", "night_allowance",
                "overhead", "total"]


def kpi_bonus(score: float, costs: CostsConfig) -> float:
    """Bonus for a KPI score: the base of the highest band the score reaches, times score / 100."""
    if not 0 <= score <= 100:
        raise ValueError(f"KPI score must be between 0 and 100, got {score}")
    band = max((b for b in costs.kpi_bands if score >= b.min_score), key=lambda b: b.min_score)
    return band.base * score / 100


def agent_month_cost(tier: str, nights: int, costs: CostsConfig, kpi_score: float | None = None) -> dict:
    """One agent's month: base salary, KPI bonus (expected score of the tier unless given),
    night allowance, overhead and total, as a dict of the COST_COLUMNS (without agent_id)."""
    score = costs.expected_kpi[tier] if kpi_score is None else kpi_score
    base = costs.base_salary[tier]
    bonus = kpi_bonus(score, costs)
    night = costs.night_allowance * nights
    overhead = costs.employer_overhead * (base + bonus + night)
    return {"tier": tier, "base_salary": base, "kpi_score": score, "kpi_bonus": round(bonus, 2), "nights": int(nights),
            "night_allowance": night, "overhead": round(overhead, 2), "total": round(base + bonus + night + overhead, 2)}


def team_costs(agents: Iterable[Agent], nights: dict[str, int], costs: CostsConfig) -> pd.DataFrame:
    """Per-agent cost table for a rostered month; `nights` maps agent id to night shifts worked."""
    rows = [{"agent_id": a.id, **agent_month_cost(a.tier, nights.get(a.id, 0), costs)} for a in agents]
    return pd.DataFrame(rows, columns=COST_COLUMNS)


def roster_cost(agents: Iterable[Agent], agents_frame: pd.DataFrame, costs: CostsConfig) -> float:
    """Total monthly cost of a roster, from the per-agent table (its ``nights`` column)."""
    nights = dict(zip(agents_frame["agent_id"], agents_frame["nights"])) if len(agents_frame) else {}
    return float(team_costs(agents, nights, costs)["total"].sum())
