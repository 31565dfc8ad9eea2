"""Per-agent table and the run summary."""

from __future__ import annotations

import pandas as pd

from ..config import Config
from ..domain import LEAVE, OFF, Agent

SUMMARY_KEYS = ["status", "objective", "best_bound", "gap", "solve_seconds", "uncovered_inquiries",
                "hard_violations", "nights_min", "nights_max"]


def agents_table(roster: pd.DataFrame, agents: list[Agent] | tuple[Agent, ...], config: Config) -> pd.DataFrame:
    """One row per agent: workdays, shifts per type, days off, weekend days off, shops, load."""
    days = roster.drop_duplicates(["agent_id", "date"]).copy()
    days["weekend"] = pd.to_datetime(days["date"]).dt.day_of_week >= 5
    rows = []
    for agent in agents:
        d = days[days["agent_id"] == agent.id]
        r = roster[roster["agent_id"] == agent.id]
        worked = d[d["shift"].isin(config.shift_ids)]
        loads = r[r["load"] > 0].groupby("shop")["load"].sum().sort_values(ascending=False)
        row = {"agent_id": agent.id, "name": agent.name, "tier": agent.tier, "workdays": len(worked)}
        for s in config.shift_ids:
            row[f"shifts_{s}"] = int((worked["shift"] == s).sum())
        row["nights"] = int(worked["shift"].isin([s.id for s in config.shifts if s.is_night]).sum())
        row["days_off"] = int((d["shift"] == OFF).sum())
        row["leave_days"] = int((d["shift"] == LEAVE).sum())
        row["weekend_days_off"] = int((d["weekend"] & ~d["shift"].isin(config.shift_ids)).sum())
        row["shops"] = ";".join(loads.index) if len(loads) else ";".join(sorted(set(r["shop"]) - {""}))
        row["total_load"] = int(r["load"].sum())
        row["mean_load_per_workday"] = round(row["total_load"] / len(worked), 1) if len(worked) else 0.0
        rows.append(row)
    return pd.DataFrame(rows)


def fairness_group(agents_frame: pd.DataFrame) -> pd.DataFrame:
    """Agents compared for fairness: those with no leave in the month."""
    return agents_frame[agents_frame["leave_days"] == 0]


def summary(result, hard: pd.DataFrame, agents_frame: pd.DataFrame, extra: dict | None = None) -> dict:
    """summary.json: solver outcome, uncovered inquiries, validator verdict, fairness."""
    group = fairness_group(agents_frame)
    cov = result.coverage
    out = {
        "status": result.status,
        "objective": result.objective,
        "best_bound": result.best_bound,
        "gap": round(result.gap, 6),
        "solve_seconds": round(result.solve_seconds, 3),
        "first_solution_seconds": None if result.first_solution_seconds is None else round(result.first_solution_seconds, 3),
        "volume_inquiries": int(cov["volume"].sum()),
        "uncovered_inquiries": int(cov["uncovered"].sum()),
        "uncovered_share": round(float(cov["uncovered"].sum()) / max(1, int(cov["volume"].sum())), 6),
        "hard_violations": int(len(hard)),
        "nights_min": int(group["nights"].min()) if len(group) else None,
        "nights_max": int(group["nights"].max()) if len(group) else None,
        "workdays_min": int(group["workdays"].min()) if len(group) else None,
        "workdays_max": int(group["workdays"].max()) if len(group) else None,
        "fairness_group": "agents with no leave this month",
        "solver_parameters": result.parameters,
        "objective_by_rule": {k: int(v) for k, v in result.violations.groupby("rule")["cost"].sum().items()},
        "soft_violations": int(len(result.violations)),
        "soft_violation_list": result.violations.sort_values("cost", ascending=False).to_dict("records"),
        "uncovered_by_shop_shift": {f"{p} {s}": int(u) for (p, s), u in
                                    cov.groupby(["shop", "shift"])["uncovered"].sum().items() if u},
    }
    out.update(extra or {})
    return out
