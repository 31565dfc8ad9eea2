"""The `staffing` command line: each command parses, loads, calls one library function, writes."""

from __future__ import annotations

import time
import warnings
from importlib import resources
from pathlib import Path

import click
import pandas as pd
from rich.console import Console
from rich.table import Table

from .config import load_config
from .domain import parse_month
from .errors import InputError
from .io import (atomic_output_dir, check_output_dir, read_demand, read_forecast, read_history,
                 read_requests, read_roster, read_team, write_csv)
from .pipeline import (forecast_window, month_demand, run_backtest, run_forecast, run_roster, run_size,
                       write_roster_outputs)
from .reports.charts import backtest_figure, forecast_figure, save_figure
from .roster import RosterError
from .sizing import DEMAND_OUT_COLUMNS
from .validate import check_roster

console = Console(stderr=False)


class MonthType(click.ParamType):
    name = "YYYY-MM"

    def convert(self, value, param, ctx):
        try:
            return parse_month(str(value))
        except ValueError as err:
            self.fail(str(err), param, ctx)


MONTH = MonthType()
EXISTING = click.Path(exists=False, dir_okay=False, path_type=Path)


class _Group(click.Group):
    """Turns bad input into one message on stderr and exit code 2 (no traceback)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except InputError as err:
            click.echo("error: " + "\n       ".join(err.problems), err=True)
            ctx.exit(2)
        except RosterError as err:
            click.echo(f"error: no roster: {err}", err=True)
            ctx.exit(1)


def _warn(message, category, filename, lineno, file=None, line=None) -> None:
    click.echo(f"warning: {message}", err=True)


@click.group(cls=_Group)
@click.version_option(package_name="cs-staffing")
def main() -> None:
    """Staffing and monthly shift rosters for e-commerce customer-service teams.

    Stages: forecast -> size -> roster -> check. `staffing demo` runs them all on bundled data.
    """
    warnings.showwarning = _warn


def _out_option(f):
    f = click.option("--force", is_flag=True, help="Replace a non-empty output folder.")(f)
    return click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
                        help="Output folder (must be empty or absent unless --force).")(f)


@main.command("forecast")
@click.option("--history", required=True, type=EXISTING, help="History CSV: date,shop,inquiries[,hour].")
@click.option("--config", "config_path", required=True, type=EXISTING, help="Config YAML.")
@click.option("--horizon", type=click.IntRange(1, 400), help="Days to forecast after the history ends.")
@click.option("--month", type=MONTH, help="Forecast this calendar month instead of a horizon.")
@click.option("--backtest", "do_backtest", is_flag=True,
              help="Also backtest main model and baseline at rolling origins (config forecast.backtest_*) "
                   "-> backtest.csv (scores), backtest_days.csv, backtest_<shop>.png.")
@_out_option
def forecast_cmd(history, config_path, horizon, month, do_backtest, out, force):
    """Forecast daily inquiries per shop with quantiles -> forecast.csv, forecast.png, effects.csv."""
    if horizon and month:
        raise click.UsageError("give --horizon or --month, not both")
    check_output_dir(out, force)
    config = load_config(config_path)
    hist, _ = read_history(history, config.shop_ids)
    start, end = forecast_window(hist, month, horizon)
    fc, effects = run_forecast(hist, config, start, end, explain=True)
    days, scores = run_backtest(hist, config) if do_backtest else (None, None)
    with atomic_output_dir(out, force) as tmp:
        write_csv(fc, tmp / "forecast.csv")
        if len(effects):
            write_csv(effects, tmp / "effects.csv")
        qcols = [c for c in fc.columns if c.startswith("p")]
        save_figure(forecast_figure(hist, fc, qcols), tmp / "forecast.png")
        if do_backtest:
            write_csv(scores.round(4), tmp / "backtest.csv")
            write_csv(days, tmp / "backtest_days.csv")
            bq = [c for c in days.columns if c.startswith("p") and c[1:].isdigit()]
            for shop in days["shop"].unique():
                save_figure(backtest_figure(days, shop, bq), tmp / f"backtest_{shop}.png")
    console.print(f"forecast {start.date()}..{end.date()} for {fc['shop'].nunique()} shops -> {out / 'forecast.csv'}")
    if do_backtest:
        _print_frame(f"Backtest ({config.forecast.backtest_cutoffs} cutoffs x {config.forecast.backtest_horizon_days} "
                     f"days) -> {out / 'backtest.csv'}", scores.drop(columns=["days", "event_days"]))


def _print_frame(title: str, frame: pd.DataFrame) -> None:
    short = {"coverage_": "cov ", "wape_event": "wape ev", "event_days": "ev days"}
    table = Table(title=title)
    for c in frame.columns:
        head = next((c.replace(k, v) for k, v in short.items() if k in c), c)
        numeric = pd.api.types.is_numeric_dtype(frame[c])  # pandas 3 text columns are not `object`
        table.add_column(head, justify="right" if numeric else "left", no_wrap=True)
    for rec in frame.itertuples(index=False):
        table.add_row(*[f"{x:.3f}" if isinstance(x, float) else str(x) for x in rec])
    console.print(table)


@main.command("size")
@click.option("--forecast", "forecast_path", required=True, type=EXISTING, help="forecast.csv from `staffing forecast`.")
@click.option("--config", "config_path", required=True, type=EXISTING, help="Config YAML.")
@click.option("--history", type=EXISTING, help="Hourly history to learn shift shares (else config volume_share).")
@_out_option
def size_cmd(forecast_path, config_path, history, out, force):
    """Demand per shop, day and shift with band head counts -> demand.csv."""
    check_output_dir(out, force)
    config = load_config(config_path)
    col = f"p{round(config.forecast.staffing_quantile * 100)}"
    fc = read_forecast(forecast_path, config.shop_ids, col)
    hourly = read_history(history, config.shop_ids)[1] if history else None
    if history and hourly is None:
        warnings.warn(f"{history}: no hour column; using config volume_share for shift shares", stacklevel=1)
    demand = run_size(fc, config, hourly)
    with atomic_output_dir(out, force) as tmp:
        write_csv(demand, tmp / "demand.csv", DEMAND_OUT_COLUMNS)
    console.print(f"demand for {demand['date'].nunique()} days x {demand['shop'].nunique()} shops -> {out / 'demand.csv'}")


def _load_roster_inputs(config_path, team, demand, requests):
    config = load_config(config_path)
    agents = read_team(team, config.shop_ids)
    dem = read_demand(demand, config.shop_ids, config.shift_ids)
    reqs = read_requests(requests, [a.id for a in agents], config.shift_ids) if requests else []
    return config, agents, dem, reqs


def _read_previous(path, agents, config):
    if path is None:
        return None
    return read_roster(path, [a.id for a in agents], config.shop_ids, config.shift_ids)


@main.command("roster")
@click.option("--config", "config_path", required=True, type=EXISTING, help="Config YAML.")
@click.option("--team", required=True, type=EXISTING, help="Team CSV: agent_id,name,tier,shops,hire_date[,group].")
@click.option("--demand", required=True, type=EXISTING, help="Demand CSV: date,shop,shift,volume.")
@click.option("--requests", type=EXISTING, help="Requests CSV: agent_id,start,end,kind,shift,weight.")
@click.option("--month", required=True, type=MONTH, help="Month to roster, YYYY-MM.")
@click.option("--previous", type=EXISTING, help="Last month's roster.csv: consecutive days, rest, the straddling "
                                                 "week, rotation phase and shops carry over.")
@click.option("--previous-plan", type=EXISTING, help="This month's published roster.csv to re-plan.")
@click.option("--fix-until", type=click.DateTime(["%Y-%m-%d"]), help="With --previous-plan: keep days up to "
                                                                     "this date as published, re-solve the rest.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Workbook labels.")
@click.option("--html", is_flag=True, help="Also write report.html (self-contained page: heatmap, calendar, charts).")
@_out_option
def roster_cmd(config_path, team, demand, requests, month, previous, previous_plan, fix_until, lang, html, out, force):
    """Solve the month's roster (CP-SAT), check it, write roster/coverage/agents/summary/xlsx/png."""
    if fix_until and not previous_plan:
        raise click.UsageError("--fix-until needs --previous-plan")
    check_output_dir(out, force)
    config, agents, dem, reqs = _load_roster_inputs(config_path, team, demand, requests)
    prev = _read_previous(previous, agents, config)
    plan = _read_previous(previous_plan, agents, config)
    outcome = run_roster(config, agents, dem, month, reqs, prev, plan, fix_until.date() if fix_until else None)
    with atomic_output_dir(out, force) as tmp:
        write_roster_outputs(tmp, outcome, lang)
        if html:
            from .reports.html import roster_report
            roster_report(tmp / "report.html", outcome, lang)
    _print_summary(outcome.summary, out)


@main.command("check")
@click.option("--config", "config_path", required=True, type=EXISTING, help="Config YAML.")
@click.option("--team", required=True, type=EXISTING, help="Team CSV.")
@click.option("--demand", required=True, type=EXISTING, help="Demand CSV.")
@click.option("--requests", type=EXISTING, help="Requests CSV.")
@click.option("--roster", "roster_path", required=True, type=EXISTING, help="Roster CSV to check.")
@click.option("--month", type=MONTH, help="Month of the roster (default: the month of its first date).")
@click.option("--previous", type=EXISTING, help="Last month's roster: check the rules over the month boundary.")
@click.option("--previous-plan", type=EXISTING, help="Published plan the roster re-plans.")
@click.option("--fix-until", type=click.DateTime(["%Y-%m-%d"]), help="With --previous-plan: days that must match it.")
def check_cmd(config_path, team, demand, requests, roster_path, month, previous, previous_plan, fix_until):
    """Check any roster against every hard rule; exit 1 and list violations if any break."""
    config, agents, dem, reqs = _load_roster_inputs(config_path, team, demand, requests)
    roster = read_roster(roster_path, [a.id for a in agents], config.shop_ids, config.shift_ids)
    if month is None:
        if roster.empty:
            raise InputError(f"{roster_path}: no rows; give --month")
        first = min(roster["date"])
        month = first.replace(day=1)
    prev = _read_previous(previous, agents, config)
    plan = _read_previous(previous_plan, agents, config)
    hard = check_roster(roster, config, agents, month_demand(dem, config, month), month, reqs, prev, plan,
                        fix_until.date() if fix_until else None)
    if hard.empty:
        console.print(f"[green]OK[/green]: {roster_path} breaks no hard rule ({len(agents)} agents, {month:%Y-%m})")
        return
    table = Table(title=f"{len(hard)} hard-rule violations in {roster_path}")
    for c in hard.columns:
        table.add_column(c)
    for rec in hard.head(200).itertuples(index=False):
        table.add_row(*[str(x) for x in rec])
    console.print(table)
    raise SystemExit(1)


@main.command("demo")
@click.option("--out", default="staffing-demo", show_default=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder.")
@click.option("--force", is_flag=True, help="Replace a non-empty output folder.")
@click.option("--time-limit", type=click.FloatRange(min=0.1), help="Override solver.time_limit_s.")
@click.option("--html/--no-html", default=True, show_default=True, help="Write report.html.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Report labels.")
def demo_cmd(out, force, time_limit, html, lang):
    """Run forecast -> size -> roster -> check on the bundled demo data for the month after it."""
    started = time.perf_counter()
    check_output_dir(out, force)
    data = resources.files("scheduler.demo_data")
    with resources.as_file(data) as root:
        config = load_config(root / "config.yaml")
        if time_limit:
            config = config.model_copy(update={"solver": config.solver.model_copy(update={"time_limit_s": time_limit})})
        hist, hourly = read_history(root / "history.csv", config.shop_ids)
        agents = read_team(root / "team.csv", config.shop_ids)
        reqs = read_requests(root / "requests.csv", [a.id for a in agents], config.shift_ids)
    last = pd.Timestamp(hist["date"].max())
    month = (last + pd.offsets.MonthBegin(1)).date()
    start, end = forecast_window(hist, month, None)
    fc = run_forecast(hist, config, start, end)
    bt_days, bt_scores = run_backtest(hist, config)
    demand = run_size(fc, config, hourly)
    outcome = run_roster(config, agents, demand, month, reqs)
    with atomic_output_dir(out, force) as tmp:
        write_csv(fc, tmp / "forecast.csv")
        save_figure(forecast_figure(hist, fc, [c for c in fc.columns if c.startswith("p")]), tmp / "forecast.png")
        write_csv(demand, tmp / "demand.csv", DEMAND_OUT_COLUMNS)
        outcome.summary["forecast_model"] = str(fc["model"].iloc[0])
        overall = bt_scores[bt_scores["shop"] == "(all shops)"].set_index("model")
        outcome.summary["forecast_backtest_wape"] = round(float(overall.loc["main", "wape"]), 4)
        outcome.summary["forecast_backtest_wape_baseline"] = round(float(overall.loc["baseline", "wape"]), 4)
        write_csv(bt_scores.round(4), tmp / "backtest.csv")
        outcome.summary["demo_seconds"] = round(time.perf_counter() - started, 2)
        write_roster_outputs(tmp, outcome, lang)
        if html:
            from .reports.html import forecast_events, roster_report
            events = forecast_events(config, start - pd.Timedelta(days=90), end)  # the history shown too
            roster_report(tmp / "report.html", outcome, lang, hist, fc, events, demo=True)
    _print_summary(outcome.summary, out)


@main.command("whatif")
@click.option("--scenarios", "scenarios_path", required=True, type=EXISTING,
              help="Scenarios YAML: a base and named scenarios (see configs/scenarios.example.yaml).")
@click.option("--time-limit", type=click.FloatRange(min=0.1), help="Solver time limit per scenario, seconds "
                                                                   "(else the file's time_limit_s, else the config's).")
@click.option("--processes", type=click.IntRange(1, 256), help="Scenarios solved at once (default: one per core).")
@click.option("--workers", type=click.IntRange(1, 64), help="CP-SAT workers per scenario (default: cores / processes).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Report labels.")
@click.option("--html/--no-html", default=True, show_default=True, help="Write report.html.")
@_out_option
def whatif_cmd(scenarios_path, time_limit, processes, workers, lang, html, out, force):
    """Run size -> roster -> check per scenario in parallel; compare them -> whatif.csv, report.html.

    Exits 1 when a scenario failed (the others are still written), 2 on bad input.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .reports.comparison import comparison_rich
    from .whatif import available_cores, build_jobs, comparison_table, plan_parallelism, run_jobs

    check_output_dir(out, force)
    base, jobs = build_jobs(scenarios_path, time_limit)
    nproc, nworkers = plan_parallelism(len(jobs), available_cores(), processes, workers)
    with atomic_output_dir(out, force) as tmp:
        for job in jobs:
            job.out = tmp / "scenarios" / job.slug
        progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            console=Console(stderr=True), transient=False)
        with progress:
            task = progress.add_task(f"{len(jobs)} scenarios, {nproc} process(es) x {nworkers} CP-SAT worker(s)",
                                     total=len(jobs))

            def done(res):
                progress.advance(task)
                mark = "[green]ok[/green]" if res.ok else f"[red]failed[/red]: {res.error.splitlines()[0][:160]}"
                progress.console.print(f"  {res.name}: {mark} ({res.seconds:.1f} s)")

            results = run_jobs(jobs, nproc, nworkers, done)
        for res in results:
            for w in res.warnings:
                warnings.warn(f"scenario {res.name!r}: {w}", stacklevel=1)
        table = comparison_table(results)
        write_csv(table, tmp / "whatif.csv")
        if html:
            from .reports.html import whatif_report
            whatif_report(tmp / "report.html", base, jobs, results, table, lang)
    wide = console if console.is_terminal else Console(width=200)  # a pipe or file gets every column
    wide.print(comparison_rich(table, f"What-if {base.month:%Y-%m} -> {out / 'whatif.csv'}", lang))
    failed = [r for r in results if not r.ok]
    if failed:
        for r in failed:
            click.echo(f"scenario {r.name!r} failed: {r.error}", err=True)
        raise SystemExit(1)

@main.command("hiring")
@click.option("--history", required=True, type=EXISTING, help="History CSV: date,shop,inquiries[,hour].")
@click.option("--team", required=True, type=EXISTING, help="Team CSV: agent_id,name,tier,shops,hire_date.")
@click.option("--config", "config_path", required=True, type=EXISTING, help="Config YAML (section `hiring`).")
@click.option("--horizon", type=click.IntRange(1, 24), help="Months after the history (default hiring.horizon_months).")
@click.option("--proof-months", type=click.IntRange(0, 24),
              help="Months to prove with the roster model (default hiring.proof_months; 0: formula only).")
@_out_option
def hiring_cmd(history, team, config_path, horizon, proof_months, out, force):
    """Hiring need per month: heads needed (formula and proven), available, hires, recruit-by dates."""
    from .hiring import hiring_plan
    from .reports.hiring import write_hiring_outputs

    check_output_dir(out, force)
    config = load_config(config_path)
    hist, hourly = read_history(history, config.shop_ids)
    agents = read_team(team, config.shop_ids)
    plan = hiring_plan(hist, agents, config, horizon, hourly, proof_months,
                       progress=lambda msg: console.print(f"[dim]proof {msg}[/dim]"))
    with atomic_output_dir(out, force) as tmp:
        write_hiring_outputs(tmp, plan)
    _print_hiring(plan.table, out)


def _print_hiring(t: pd.DataFrame, out: Path) -> None:
    table = Table(title=f"Hiring need -> {out}")
    for c in ("month", "events", "required_heads", "proven", "available_heads", "hires_needed", "recruit_by"):
        table.add_column(c)
    for r in t.itertuples():
        proven = "-" if pd.isna(r.proven_hi) else (f"{r.proven_hi:g}" if r.proven_lo == r.proven_hi
                                                   else f"{r.proven_lo:g}-{r.proven_hi:g}")
        table.add_row(r.month, r.events or "", str(r.required_heads), proven, f"{r.available_heads:.1f}",
                      str(r.hires_needed), str(r.recruit_by or "") + (" (late)" if r.recruit_late else ""))
    console.print(table)


def _print_summary(s: dict, out: Path) -> None:
    table = Table(title=f"Roster {s.get('month', '')} -> {out}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    wapes = (s.get("forecast_backtest_wape"), s.get("forecast_backtest_wape_baseline"))
    rows = [("forecast model", s.get("forecast_model")),
            ("forecast backtest WAPE (baseline)", f"{wapes[0]:.1%} ({wapes[1]:.1%})" if wapes[0] is not None else None),
            ("solver status", s["status"]),
            ("objective / bound", f"{s['objective']:.0f} / {s['best_bound']:.0f} (gap {s['gap']:.1%})"),
            ("solve seconds", s["solve_seconds"]),
            ("inquiries / uncovered", f"{s['volume_inquiries']} / {s['uncovered_inquiries']} ({s['uncovered_share']:.2%})"),
            ("hard violations (validator)", s["hard_violations"]),
            ("nights per agent (min-max)", f"{s['nights_min']}-{s['nights_max']}"),
            ("workdays per agent (min-max)", f"{s['workdays_min']}-{s['workdays_max']}"),
            ("soft violations", s["soft_violations"])]
    for k, v in rows:
        if v is not None:
            table.add_row(k, str(v))
    console.print(table)
