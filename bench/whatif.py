"""What-if benchmark: the scenarios of the demo solved in parallel vs one after another.

    python bench/whatif.py [--scenarios configs/scenarios.example.yaml] [--time-limit 30]
                           [--single-worker]

Runs the same jobs (size -> roster -> validator, no output files) twice on this machine's cores:

- parallel: ``plan_parallelism`` (one process per core, cores // processes CP-SAT workers each);
- sequential: one scenario after another in this process, CP-SAT using every core;
- with ``--single-worker`` also sequential with one CP-SAT worker (the parallel run's per-scenario
  resources, so the quality columns compare like with like).

Prints a table and writes bench/results/whatif.json: wall seconds per mode, the ratio
sequential / parallel, and per scenario its status, seconds and uncovered inquiries. CP-SAT
stops at its time limit on these instances, so wall time is mostly the time limits: on 2 cores
the best possible ratio is about 2. Timings on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from scheduler.io import write_text  # noqa: E402
from scheduler.whatif import available_cores, build_jobs, plan_parallelism, run_jobs  # noqa: E402


def run_mode(jobs, processes: int, workers: int, label: str, console: Console) -> dict:
    console.print(f"[bold]{label}[/bold]: {len(jobs)} scenarios, {processes} process(es) x {workers} CP-SAT worker(s)")
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    results = run_jobs(jobs, processes, workers,
                       lambda r: console.print(f"  {r.name}: {'ok' if r.ok else 'FAILED ' + r.error[:100]} "
                                               f"({r.seconds:.1f} s)"))
    wall = time.perf_counter() - started
    return {
        "mode": label, "processes": processes, "workers": workers, "wall_s": round(wall, 1),
        "load_avg_1min_before": round(load_before, 2), "load_avg_1min_after": round(os.getloadavg()[0], 2),
        "scenarios": [{"scenario": r.name, "ok": r.ok, "seconds": r.seconds, "status": r.row.get("status"),
                       "uncovered": r.row.get("uncovered"), "uncovered_pct": r.row.get("uncovered_pct"),
                       "monthly_cost": r.row.get("monthly_cost"), "error": r.error[:200]} for r in results],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", default=str(ROOT / "configs" / "scenarios.example.yaml"))
    ap.add_argument("--time-limit", type=float, default=30.0, help="CP-SAT seconds per scenario")
    ap.add_argument("--single-worker", action="store_true", help="also run sequentially with 1 CP-SAT worker")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "whatif.json"))
    args = ap.parse_args()
    console = Console()
    _, jobs = build_jobs(args.scenarios, args.time_limit)
    cores = available_cores()
    processes, workers = plan_parallelism(len(jobs), cores)
    modes = [run_mode(jobs, processes, workers, "parallel", console),
             run_mode(jobs, 1, cores, "sequential", console)]
    if args.single_worker:
        modes.append(run_mode(jobs, 1, 1, "sequential, 1 worker", console))
    par = modes[0]["wall_s"]
    out = {
        "what": "staffing whatif: demo scenarios, size -> roster -> validator each, no output files",
        "scenarios_file": os.path.relpath(args.scenarios, ROOT), "n_scenarios": len(jobs),
        "time_limit_s": args.time_limit, "cores": cores, "python": platform.python_version(),
        "machine": platform.machine(), "modes": modes,
        "ratio_sequential_over_parallel": {m["mode"]: round(m["wall_s"] / par, 2) for m in modes[1:]},
        "note": "shared 2-core machine with other jobs running: timings are noisy; CP-SAT runs to its time "
                "limit, so wall time is mostly time limits",
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    write_text(args.out, json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    table = Table(title=f"What-if: {len(jobs)} scenarios, {cores} cores, time limit {args.time_limit:g} s")
    for c in ("mode", "processes x workers", "wall s", "ratio", "uncovered (sum)", "failed"):
        table.add_column(c, justify="left" if c == "mode" else "right")
    for m in modes:
        unc = sum(s["uncovered"] or 0 for s in m["scenarios"] if s["ok"])
        table.add_row(m["mode"], f"{m['processes']} x {m['workers']}", f"{m['wall_s']:.1f}",
                      f"{m['wall_s'] / par:.2f}", f"{unc:,}", str(sum(not s["ok"] for s in m["scenarios"])))
    console.print(table)
    console.print(f"-> {args.out}")


if __name__ == "__main__":
    main()
