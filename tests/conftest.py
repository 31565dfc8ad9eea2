"""Seeded factories for small instances (no copied matrices, nothing solved at import)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from scheduler.config import parse_config
from scheduler.domain import Agent, Problem, Request, month_days

MONTH = date(2026, 2, 1)  # 28 days, three whole Mon-Sun weeks (Feb 2-22; Feb 1 is a Sunday)


def make_config(shops=("big", "small"), **sections) -> object:
    data = {"shops": [{"id": s} for s in shops], "solver": {"time_limit_s": 20, "workers": 2, "seed": 0}}
    for key, value in sections.items():
        data[key] = {**data.get(key, {}), **value} if isinstance(value, dict) else value
    return parse_config(data, "test-config")


def make_agents(n: int, shops: dict[int, tuple[str, ...]] | None = None, tiers=("junior", "senior")) -> list[Agent]:
    shops = shops or {}
    return [Agent(f"A{i:02d}", f"agent {i}", tiers[i % len(tiers)], shops.get(i, ())) for i in range(1, n + 1)]


def make_demand(config, month=MONTH, per_shift: dict[str, int] | None = None, seed: int = 0,
                noise: float = 0.0) -> pd.DataFrame:
    """Volume per shop and shift each day (`per_shift` keyed by shop), optionally seeded noise."""
    rng = np.random.default_rng(seed)
    per_shift = per_shift or {s: 100 for s in config.shop_ids}
    rows = []
    for d in month_days(month):
        for p in config.shop_ids:
            for s in config.shift_ids:
                v = per_shift.get(p, 0) * (1 + noise * rng.uniform(-1, 1))
                rows.append((d, p, s, int(round(v))))
    return pd.DataFrame(rows, columns=["date", "shop", "shift", "volume"])


def make_problem(config, agents, demand, requests=(), month=MONTH) -> Problem:
    return Problem(config, month, tuple(agents), demand, tuple(requests))


@pytest.fixture
def small_problem():
    """6 agents, 2 shops, February 2026, demand about half of band-max capacity."""
    config = make_config()
    agents = make_agents(6, shops={1: ("big",)})
    demand = make_demand(config, per_shift={"big": 150, "small": 40}, noise=0.2)
    requests = [Request("A03", date(2026, 2, 9), date(2026, 2, 10), "leave"),
                Request("A04", date(2026, 2, 14), date(2026, 2, 14), "off", weight=2)]
    return make_problem(config, agents, demand, requests)
