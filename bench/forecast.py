"""Forecast benchmark: main model vs seasonal-naive baseline, rolling-origin backtests, and speed.

    python bench/forecast.py [--cutoffs 6] [--horizon 30] [--shops 100] [--years 3] [--workers 2]

Accuracy on the bundled demo history (Chinese e-commerce calendar) and on the real contact-
centre data in ../shared/data/ (read in place, never copied: LA 311 with US-CA holidays, the
Anonymous Bank with Israeli holidays; no e-commerce festivals there). For each: WAPE of the
main model and of the baseline (mean over cutoffs of the WAPE pooled over shops), their ratio,
the same on event/holiday days, MASE, bias, and the main model's p80/p90 coverage.

Speed: seeded synthetic shops x years of daily history (weekly rhythm, growth, yearly wave,
11.11 / 618 / Spring Festival effects, noise), fit + 60-day forecast with `--workers`
processes of one BLAS thread each.

Prints a table and writes bench/results/forecast.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from forecasts import CalendarSpec, ForecastSettings, backtest, forecast, score_table  # noqa: E402
from forecasts.calendar import lunar_new_year  # noqa: E402
from forecasts.metrics import OVERALL  # noqa: E402
from scheduler.io import write_text  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"


def load(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, parse_dates=["date"])
    return frame.groupby(["date", "shop"], as_index=False)["inquiries"].sum()  # hourly rows -> days


DATASETS = {
    "demo (4 shops, CN e-commerce)": (ROOT / "scheduler" / "demo_data" / "history.csv", CalendarSpec()),
    "real: LA 311 2014 (20 series, US-CA)": (SHARED / "la311_2014" / "history.csv",
                                              CalendarSpec(ecommerce=False, country="US-CA")),
    "real: Anonymous Bank 1999 (IL)": (SHARED / "anonbank_1999" / "history_hourly.csv",
                                       CalendarSpec(ecommerce=False, country="IL")),
}


def accuracy(name: str, history: pd.DataFrame, spec: CalendarSpec, cutoffs: int, horizon: int, workers: int) -> dict:
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # missing days are reported by the CLI; here they are known
        days = backtest(history, ForecastSettings(calendar=spec, workers=workers), cutoffs, horizon)
    scores = score_table(days).set_index(["model", "shop"])
    main, base = scores.loc[("main", OVERALL)], scores.loc[("baseline", OVERALL)]
    return {
        "dataset": name, "series": int(history["shop"].nunique()), "cutoffs": cutoffs, "horizon_days": horizon,
        "first_cutoff": str(days["cutoff"].min().date()), "days_scored": int(main["days"]),
        "event_days_scored": int(main["event_days"]),
        "wape_main": main["wape"], "wape_baseline": base["wape"], "wape_ratio": main["wape"] / base["wape"],
        "wape_event_main": main["wape_event"], "wape_event_baseline": base["wape_event"],
        "mase_main": main["mase"], "mase_baseline": base["mase"], "bias_main": main["bias"],
        "coverage_p80": main["coverage_p80"], "coverage_p90": main["coverage_p90"],
        "coverage_p80_baseline": base["coverage_p80"], "coverage_p90_baseline": base["coverage_p90"],
        "seconds": time.perf_counter() - started,
    }


def synthetic(shops: int, years: int, seed: int = 0) -> pd.DataFrame:
    """Seeded daily history: level x weekly x growth x yearly wave x events x lognormal noise."""
    rng = np.random.default_rng(seed)
    end = pd.Timestamp("2026-07-31")
    dates = pd.date_range(end - pd.Timedelta(days=365 * years - 1), end, freq="D")
    t = np.arange(len(dates)) / 365.25
    event = np.zeros(len(dates))
    for year in range(dates[0].year, end.year + 1):
        for anchor, width, lift in ((pd.Timestamp(year, 11, 11), 3, 1.2), (pd.Timestamp(year, 6, 18), 3, 0.8),
                                    (pd.Timestamp(lunar_new_year(year)), 7, -0.7)):
            event += lift * np.exp(-0.5 * ((dates - anchor).days.to_numpy() / width) ** 2)
    frames = []
    for i in range(shops):
        weekly = rng.normal(0, 0.12, 7)
        z = (np.log(rng.uniform(50, 3000)) + weekly[dates.day_of_week] + rng.normal(0.1, 0.1) * t
             + 0.1 * np.sin(2 * np.pi * (dates.day_of_year.to_numpy() / 365.25 + rng.uniform()))
             + event * rng.uniform(0.5, 1.5) + rng.normal(0, 0.08, len(dates)))
        frames.append(pd.DataFrame({"date": dates, "shop": f"s{i:03d}", "inquiries": np.round(np.exp(z))}))
    return pd.concat(frames, ignore_index=True)


def speed(shops: int, years: int, workers: int, horizon: int = 60) -> dict:
    history = synthetic(shops, years)
    last = history["date"].max()
    started, cpu0 = time.perf_counter(), os.times()
    fc = forecast(history, last + pd.Timedelta(days=1), last + pd.Timedelta(days=horizon), [0.5, 0.8, 0.9],
                  settings=ForecastSettings(workers=workers))
    seconds, cpu1 = time.perf_counter() - started, os.times()
    # CPU time of this process and its (finished) workers: what the fit costs when the cores are free
    cpu = sum(getattr(cpu1, f) - getattr(cpu0, f) for f in ("user", "system", "children_user", "children_system"))
    assert len(fc) == shops * horizon and fc["model"].str.startswith("event regression").all()
    return {"shops": shops, "years": years, "days_per_shop": int(history.groupby("shop").size().iloc[0]),
            "horizon_days": horizon, "workers": workers, "seconds": seconds, "seconds_per_shop": seconds / shops,
            "cpu_seconds": cpu, "load_average_1min": os.getloadavg()[0]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cutoffs", type=int, default=6)
    ap.add_argument("--horizon", type=int, default=30)
    ap.add_argument("--shops", type=int, default=100)
    ap.add_argument("--years", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "forecast.json")
    args = ap.parse_args()
    console = Console(width=160)

    rows = []
    for name, (path, spec) in DATASETS.items():
        if not path.exists():
            console.print(f"[yellow]skipped {name}: {path} not found[/yellow]")
            continue
        rows.append(accuracy(name, load(path), spec, args.cutoffs, args.horizon, args.workers))
    table = Table(title=f"Backtest: {args.cutoffs} rolling cutoffs x {args.horizon} days, main model vs seasonal naive")
    heads = ["dataset", "WAPE main", "WAPE naive", "ratio", "event WAPE main", "event WAPE naive", "MASE main",
             "bias main", "cov p80", "cov p90", "s"]
    for h in heads:
        table.add_column(h, justify="left" if h == "dataset" else "right")
    for r in rows:
        table.add_row(r["dataset"], f"{r['wape_main']:.3f}", f"{r['wape_baseline']:.3f}", f"{r['wape_ratio']:.2f}",
                      f"{r['wape_event_main']:.3f}", f"{r['wape_event_baseline']:.3f}", f"{r['mase_main']:.2f}",
                      f"{r['bias_main']:+.3f}", f"{r['coverage_p80']:.3f}", f"{r['coverage_p90']:.3f}",
                      f"{r['seconds']:.1f}")
    console.print(table)

    sp = speed(args.shops, args.years, args.workers)
    console.print(f"Speed: {sp['shops']} shops x {sp['days_per_shop']} days, fit + {sp['horizon_days']}-day forecast "
                  f"on {sp['workers']} processes: {sp['seconds']:.1f} s wall ({sp['seconds_per_shop'] * 1000:.0f} ms per shop), "
                  f"{sp['cpu_seconds']:.1f} s CPU, machine load {sp['load_average_1min']:.1f}")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    result = {"accuracy": rows, "speed": sp,
              "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count()},
              "when": pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds")}
    write_text(args.out, json.dumps(result, indent=2, default=float) + "\n")
    console.print(f"-> {args.out}")


if __name__ == "__main__":
    main()
