"""Seeded generator of roster instances in the project's contracts (for bench/roster.py).

An instance is a config, a team, a month of demand and requests. Shop sizes follow a
power law (a few big shops, many small ones); total demand is set to a fraction of the team's
band-max capacity over the days an agent can work; 30% of agents are restricted to one or two
shops; about 5% have a few days of leave and 10% ask for a day off or to avoid nights.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from scheduler.config import Config, parse_config
from scheduler.domain import TIERS, Agent, Problem, Request, month_days

WEEKLY = np.array([0.95, 0.92, 0.92, 0.95, 1.0, 1.12, 1.14])  # Monday..Sunday


@dataclass
class Instance:
    name: str
    config: Config
    agents: list[Agent]
    demand: pd.DataFrame
    requests: list[Request]
    month: date

    def problem(self) -> Problem:
        return Problem(self.config, self.month, tuple(self.agents), self.demand, tuple(self.requests))


def generate(name: str, n_agents: int, n_shops: int, utilisation: float = 0.75, seed: int = 0,
             month: date = date(2026, 8, 1), solver: dict | None = None) -> Instance:
    rng = np.random.default_rng(seed)
    shops = [f"s{i:02d}" for i in range(n_shops)]
    config = parse_config({"shops": [{"id": s} for s in shops], "solver": solver or {}}, name)
    days = month_days(month)
    # days an agent works: the month minus the midpoint of the days-off bounds
    rules = config.rules
    workdays = len(days) - (rules.min_days_off_per_month + rules.max_days_off_per_month) / 2
    daily_total = utilisation * n_agents * workdays * config.band.max / len(days)
    sizes = 1 / np.arange(1, n_shops + 1) ** 0.8
    sizes /= sizes.sum()
    shares = config.shift_shares()
    rows = []
    for d in days:
        day_factor = WEEKLY[d.weekday()] / WEEKLY.mean()
        for p, size in zip(shops, sizes):
            for s in config.shift_ids:
                vol = daily_total * size * shares[s] * day_factor * rng.lognormal(0, 0.08)
                rows.append((d, p, s, int(round(vol))))
    demand = pd.DataFrame(rows, columns=["date", "shop", "shift", "volume"])
    agents = []
    tiers = rng.choice(TIERS, size=n_agents, p=[0.45, 0.3, 0.13, 0.08, 0.04])
    for i in range(n_agents):
        allowed: tuple[str, ...] = ()
        if rng.random() < 0.3:
            k = 1 if rng.random() < 0.5 else 2
            allowed = tuple(sorted(rng.choice(shops, size=min(k, n_shops), replace=False, p=sizes)))
        agents.append(Agent(f"E{i:03d}", f"agent {i}", str(tiers[i]), allowed))
    requests = []
    for a in agents:
        u = rng.random()
        start = days[int(rng.integers(0, len(days) - 4))]
        if u < 0.05:
            requests.append(Request(a.id, start, start + timedelta(days=int(rng.integers(1, 4))), "leave"))
        elif u < 0.12:
            requests.append(Request(a.id, start, start, "off", weight=int(rng.integers(1, 3))))
        elif u < 0.15:
            requests.append(Request(a.id, start, start + timedelta(days=6), "avoid", "night"))
    return Instance(name, config, agents, demand, requests, month)


SIZES = {
    "S": dict(n_agents=15, n_shops=2, time_limit_s=10),
    "M": dict(n_agents=60, n_shops=6, time_limit_s=60),
    "L": dict(n_agents=300, n_shops=30, time_limit_s=300),
}


def capacity_check(inst: Instance) -> float:
    """Demand as a fraction of band-max capacity (agents x workable days x band max)."""
    rules = inst.config.rules
    days = month_days(inst.month)
    workdays = len(days) - (rules.min_days_off_per_month + rules.max_days_off_per_month) / 2
    return float(inst.demand["volume"].sum()) / (len(inst.agents) * workdays * inst.config.band.max)


__all__ = ["Instance", "generate", "SIZES", "capacity_check", "math"]
