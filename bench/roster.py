"""Roster benchmark: seeded S / M / L instances solved on 2 workers, checked by the validator.

    python bench/roster.py [S M L] [--seed 0 [1 2 ...]]

Prints a table and writes bench/results/roster.json: status, objective, bound, gap, time to
first feasible and to best, uncovered inquiries, nights spread, the validator's verdict, and
whether a second solve with the same seed (deterministic mode) gives the same roster.
Seed 0 is stored under the instance's name, other seeds (another instance and solver seed of
the same size) as "M@seed1" and so on, so a few seeds show how much one row can be trusted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from instances import SIZES, capacity_check, generate  # noqa: E402
from scheduler.io import write_text  # noqa: E402
from scheduler.reports.tables import agents_table  # noqa: E402
from scheduler.roster import solve_roster  # noqa: E402
from scheduler.validate import check_roster  # noqa: E402


class BestTimer:
    """Records when the objective last improved, from CP-SAT's log lines."""

    def __init__(self):
        self.started = time.perf_counter()
        self.best = None

    def __call__(self, line: str) -> None:
        if line.startswith("#") and line[1:2].isdigit() or line.startswith("#Done"):
            self.best = time.perf_counter() - self.started


def run(size: str, seed: int) -> dict:
    spec = dict(SIZES[size])
    limit = spec.pop("time_limit_s")
    inst = generate(size, seed=seed, solver={"time_limit_s": limit, "workers": 2, "seed": seed}, **spec)
    problem = inst.problem()
    timer = BestTimer()
    res = solve_roster(problem, log_callback=timer)
    hard = check_roster(res.roster, inst.config, inst.agents, inst.demand, inst.month, inst.requests)
    table = agents_table(res.roster, inst.agents, inst.config)
    full = table[table["leave_days"] == 0]
    nights = full["nights"]
    halves = (2 * table["nights"] - table["workdays"]).abs().max()
    same = None
    if size == "S":  # reproducibility: deterministic mode, same instance and seed, twice
        det = generate(size, seed=seed, solver={"time_limit_s": limit, "workers": 2, "seed": seed,
                                                "deterministic": True}, **spec).problem()
        r1, r2 = solve_roster(det), solve_roster(det)
        same = bool(r1.roster.equals(r2.roster))
    return {
        "same_roster_twice_deterministic": same,
        "instance": size, "load_avg_1m_at_end": round(os.getloadavg()[0], 2), "agents": len(inst.agents), "shops": len(inst.config.shops), "seed": seed,
        "demand_vs_capacity": round(capacity_check(inst), 3), "time_limit_s": limit,
        "status": res.status, "objective": res.objective, "best_bound": res.best_bound, "gap": round(res.gap, 4),
        "first_feasible_s": None if res.first_solution_seconds is None else round(res.first_solution_seconds, 2),
        "best_found_s": None if timer.best is None else round(timer.best, 2),
        "solve_s": round(res.solve_seconds, 2),
        "volume": int(res.coverage["volume"].sum()), "uncovered": int(res.coverage["uncovered"].sum()),
        "nights_min": int(nights.min()), "nights_max": int(nights.max()),
        "max_abs_2nights_minus_workdays": int(halves),
        "hard_violations": int(len(hard)),
        "objective_by_rule": {k: int(v) for k, v in res.violations.groupby("rule")["cost"].sum().items()},
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sizes", nargs="*", default=["S", "M", "L"])
    ap.add_argument("--seed", type=int, nargs="+", default=[0])
    args = ap.parse_args()
    out = ROOT / "bench" / "results" / "roster.json"
    results = json.loads(out.read_text()) if out.exists() else {}
    for seed in args.seed:
        for size in args.sizes:
            key = size if seed == 0 else f"{size}@seed{seed}"
            started = time.perf_counter()
            results[key] = run(size, seed)
            print(f"{key}: {results[key]['status']} {results[key]['objective']:g} / {results[key]['best_bound']:g} "
                  f"in {time.perf_counter() - started:.0f} s", flush=True)
            out.parent.mkdir(parents=True, exist_ok=True)  # saved after each run
            write_text(out, json.dumps(results, indent=2) + "\n")
    table = Table(title="Roster benchmark (2 workers)")
    cols = ["instance", "seed", "agents", "shops", "demand_vs_capacity", "status", "objective", "best_bound", "gap",
            "first_feasible_s", "best_found_s", "solve_s", "uncovered", "nights_min", "nights_max",
            "hard_violations", "same_roster_twice_deterministic"]
    for c in cols:
        table.add_column(c)
    for r in results.values():
        table.add_row(*[str(r.get(c)) for c in cols])
    Console(width=220).print(table)


if __name__ == "__main__":
    main()
