"""Proven-headcount benchmark: how long the hiring report's search with the roster model takes.

    python bench/hiring.py [demo M] [--time-limit 20] [--probes 6] [--seed 0]

`demo`: the first month of `staffing hiring` on the bundled demo data (forecast, size, then the
search). `M`: the seeded 60-agent, 6-shop instance of bench/instances.py (its demand as given).
Each probe is one roster solve on 2 CP-SAT workers with the objective reduced to uncovered
inquiries. Prints a table and writes bench/results/hiring.json: formula range, arithmetic lower
bound, the proven figure or bracket, and every probe's heads, outcome and seconds.
Timings are wall-clock on a shared machine and noisy; compare runs on the same machine only.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from instances import SIZES, generate  # noqa: E402
from scheduler import hiring as H  # noqa: E402
from scheduler.config import load_config  # noqa: E402
from scheduler.domain import month_days  # noqa: E402
from scheduler.io import read_history, read_team, write_text  # noqa: E402
from scheduler.pipeline import month_demand  # noqa: E402


def _with_hiring(config, time_limit: float, probes: int):
    hiring = config.hiring.model_copy(update={"proof_time_limit_s": time_limit, "proof_max_probes": probes})
    solver = config.solver.model_copy(update={"workers": 2})
    return config.model_copy(update={"hiring": hiring, "solver": solver})


def _record(name: str, agents: int, config, month, demand, proof: H.Proof, seconds: float) -> dict:
    days = month_days(month)
    f = H.formula_heads(demand, config, days)
    return {
        "instance": name, "month": f"{month:%Y-%m}", "team_agents": agents, "shops": len(config.shops),
        "volume": int(demand["volume"].sum()), "time_limit_s": config.hiring.proof_time_limit_s,
        "max_probes": config.hiring.proof_max_probes, "workers": config.solver.workers,
        "formula_max": f["heads_formula_max"], "formula_target": f["heads_formula_target"],
        "formula_no_shrinkage": H.formula_heads(demand, config.model_copy(update={"hiring": config.hiring.model_copy(
            update={"shrinkage": config.hiring.shrinkage.model_copy(update={
                "sick_leave": 0, "annual_leave": 0, "training": 0, "meetings": 0})})}), days)["heads_formula_max"],
        "peak_heads": f["peak_heads"],
        "lower_bound": H.lower_bound(demand, config, days),
        "proof_lo": proof.lo, "proof_hi": proof.hi, "proven": proof.proven, "proof": proof.describe(),
        "search_s": round(seconds, 1),
        "probes": [{"heads": p.heads, "outcome": p.outcome, "status": p.status, "uncovered": p.uncovered,
                    "seconds": round(p.seconds, 1)} for p in proof.probes],
    }


def run_demo(time_limit: float, probes: int) -> dict:
    with resources.as_file(resources.files("scheduler.demo_data")) as root:
        config = _with_hiring(load_config(root / "config.yaml"), time_limit, probes)
        hist, hourly = read_history(root / "history.csv", config.shop_ids)
        agents = read_team(root / "team.csv", config.shop_ids)
    plan = H.hiring_plan(hist, agents, config, months=1, hourly=hourly, proof_months=0)
    month = H.horizon_months(hist, 1)[1][0]
    q = config.hiring.staffing_quantile or config.forecast.staffing_quantile
    sized = config.model_copy(update={"forecast": config.forecast.model_copy(update={"staffing_quantile": q})})
    demand = month_demand(H.run_size(plan.forecast, sized, hourly), config, month)
    row = plan.table.iloc[0]
    started = time.perf_counter()
    start = round(int(row["heads_formula_max"]) * (1 - config.hiring.shrinkage.total))
    proof = H.proven_heads(config, month, demand, start, int(row["seniors_needed"]))
    return _record("demo", len(agents), config, month, demand, proof, time.perf_counter() - started)


def run_generated(size: str, seed: int, time_limit: float, probes: int) -> dict:
    spec = {k: v for k, v in SIZES[size].items() if k != "time_limit_s"}
    inst = generate(size, seed=seed, solver={"workers": 2, "seed": seed}, **spec)
    config = _with_hiring(inst.config, time_limit, probes)
    days = month_days(inst.month)
    f = H.formula_heads(inst.demand, config, days)
    started = time.perf_counter()
    start = round(f["heads_formula_max"] * (1 - config.hiring.shrinkage.total))
    proof = H.proven_heads(config, inst.month, inst.demand, start,
                           H.seniors_needed(inst.demand, config, days))
    return _record(f"{size} (seed {seed})", len(inst.agents), config, inst.month, inst.demand, proof,
                   time.perf_counter() - started)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("instances", nargs="*", default=["demo", "M"])
    ap.add_argument("--time-limit", type=float, default=20.0, help="seconds per probe (hiring.proof_time_limit_s)")
    ap.add_argument("--probes", type=int, default=6, help="most probes per search (hiring.proof_max_probes)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    out = ROOT / "bench" / "results" / "hiring.json"
    results = json.loads(out.read_text()) if out.exists() else {}
    for name in args.instances:
        if name == "demo":
            results["demo"] = run_demo(args.time_limit, args.probes)
        else:
            results[name] = run_generated(name, args.seed, args.time_limit, args.probes)
        out.parent.mkdir(parents=True, exist_ok=True)
        write_text(out, json.dumps(results, indent=2) + "\n")
    table = Table(title="Proven-headcount search (2 CP-SAT workers; wall-clock, noisy)")
    cols = ["instance", "month", "team_agents", "shops", "formula_max", "formula_target", "lower_bound", "proof",
            "proof_lo", "proof_hi", "search_s"]
    for c in cols + ["probes"]:
        table.add_column(c)
    for r in results.values():
        table.add_row(*[str(r[c]) for c in cols],
                      " ".join(f"{p['heads']}:{p['outcome']}({p['seconds']}s)" for p in r["probes"]))
    Console(width=220).print(table)


if __name__ == "__main__":
    main()
