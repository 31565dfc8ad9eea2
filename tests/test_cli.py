"""End-to-end CLI runs with click's CliRunner: forecast -> size -> roster -> check, demo, errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from scheduler.cli import main

CONFIG = {
    "shops": [{"id": "big", "name": "旗舰店"}, {"id": "small", "name": "小店"}],
    "solver": {"time_limit_s": 3, "workers": 2, "seed": 0},
}


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    rng = np.random.default_rng(7)
    dates = pd.date_range("2025-11-01", "2026-01-31", freq="D")
    rows = [(d.date(), shop, int(level * (1.2 if d.weekday() >= 5 else 1.0) * rng.uniform(0.9, 1.1)))
            for d in dates for shop, level in (("big", 360), ("small", 90))]
    paths = {
        "config": tmp_path / "config.yaml",
        "history": tmp_path / "history.csv",
        "team": tmp_path / "team.csv",
        "requests": tmp_path / "requests.csv",
    }
    paths["config"].write_text(yaml.safe_dump(CONFIG, allow_unicode=True), encoding="utf-8")
    pd.DataFrame(rows, columns=["date", "shop", "inquiries"]).to_csv(paths["history"], index=False)
    team = [f"A{i},agent {i},{'senior' if i % 3 else '金牌'},{'big' if i == 1 else ''}," for i in range(1, 9)]
    paths["team"].write_text("agent_id,name,tier,shops,hire_date\n" + "\n".join(team) + "\n", encoding="utf-8")
    paths["requests"].write_text("agent_id,start,end,kind,shift,weight\nA2,2026-02-10,2026-02-11,leave,,\n"
                                 "A3,2026-02-14,,off,,2\n", encoding="utf-8")
    return paths


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_forecast_size_roster_check_chain(files, tmp_path):
    f = run("forecast", "--history", files["history"], "--config", files["config"], "--month", "2026-02",
            "--out", tmp_path / "fc")
    assert f.exit_code == 0, f.output
    fc = pd.read_csv(tmp_path / "fc" / "forecast.csv")
    assert {"date", "shop", "p50", "p80", "p90"} <= set(fc.columns) and len(fc) == 28 * 2
    s = run("size", "--forecast", tmp_path / "fc" / "forecast.csv", "--config", files["config"], "--out", tmp_path / "sz")
    assert s.exit_code == 0, s.output
    demand = pd.read_csv(tmp_path / "sz" / "demand.csv")
    assert list(demand.columns) == ["date", "shop", "shift", "volume", "agents_min", "agents_target", "agents_max"]
    r = run("roster", "--config", files["config"], "--team", files["team"], "--demand", tmp_path / "sz" / "demand.csv",
            "--requests", files["requests"], "--month", "2026-02", "--out", tmp_path / "ro")
    assert r.exit_code == 0, r.output
    out = tmp_path / "ro"
    for name in ("roster.csv", "coverage.csv", "agents.csv", "summary.json", "roster.xlsx", "coverage.png"):
        assert (out / name).stat().st_size > 0, name
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    for key in ("status", "objective", "best_bound", "gap", "solve_seconds", "uncovered_inquiries",
                "hard_violations", "nights_min", "nights_max"):
        assert key in summary
    assert summary["hard_violations"] == 0
    roster = pd.read_csv(out / "roster.csv", keep_default_na=False)
    assert list(roster.columns) == ["date", "agent_id", "shift", "shop", "load"]
    assert set(roster.loc[(roster["agent_id"] == "A2") & roster["date"].isin(["2026-02-10", "2026-02-11"]), "shift"]) == {"leave"}
    c = run("check", "--config", files["config"], "--team", files["team"], "--demand", tmp_path / "sz" / "demand.csv",
            "--requests", files["requests"], "--roster", out / "roster.csv")
    assert c.exit_code == 0, c.output
    assert "breaks no hard rule" in c.output

    # a roster broken by hand: agent A1 works a night then the next morning
    broken = roster.copy()
    a1 = broken[broken["agent_id"] == "A1"].drop_duplicates("date")
    first_worked = a1[a1["shift"].isin(["day", "night"])].iloc[0]
    broken = broken[~((broken["agent_id"] == "A1") & broken["date"].isin([first_worked["date"]]))]
    bad_rows = pd.DataFrame([{"date": first_worked["date"], "agent_id": "A1", "shift": "night", "shop": "big", "load": 1}])
    pd.concat([broken, bad_rows]).to_csv(tmp_path / "broken.csv", index=False)
    b = run("check", "--config", files["config"], "--team", files["team"], "--demand", tmp_path / "sz" / "demand.csv",
            "--requests", files["requests"], "--roster", tmp_path / "broken.csv")
    assert b.exit_code == 1
    assert "violations" in b.output


def test_non_empty_output_is_refused_without_force(files, tmp_path):
    out = tmp_path / "fc"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    res = run("forecast", "--history", files["history"], "--config", files["config"], "--horizon", "7", "--out", out)
    assert res.exit_code == 2
    assert "not empty" in res.output and "--force" in res.output
    assert (out / "keep.txt").read_text() == "mine"
    res = run("forecast", "--history", files["history"], "--config", files["config"], "--horizon", "7",
              "--out", out, "--force")
    assert res.exit_code == 0 and not (out / "keep.txt").exists() and (out / "forecast.csv").exists()


@pytest.mark.parametrize("mutate,expected", [
    (lambda p: p.write_text("date,shop\n2026-01-01,big\n"), "missing column(s) ['inquiries']"),
    (lambda p: p.write_text("date,shop,inquiries\n2026-01-01,big,-5\n"), "row 2, column 'inquiries'"),
    (lambda p: p.write_text("date,shop,inquiries\n01/32/2026,big,5\n"), "column 'date': expected a date"),
    (lambda p: p.write_text("date,shop,inquiries\n2026-01-01,nope,5\n"), "unknown shop 'nope'"),
])
def test_bad_history_exits_2_with_one_clear_message(files, tmp_path, mutate, expected):
    mutate(files["history"])
    res = run("forecast", "--history", files["history"], "--config", files["config"], "--horizon", "7",
              "--out", tmp_path / "fc")
    assert res.exit_code == 2
    assert expected in res.output and str(files["history"]) in res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "fc").exists()


def test_bad_config_key_names_its_path(files, tmp_path):
    files["config"].write_text(yaml.safe_dump({**CONFIG, "rules": {"max_shop_per_agent": 2}}), encoding="utf-8")
    res = run("forecast", "--history", files["history"], "--config", files["config"], "--horizon", "7",
              "--out", tmp_path / "fc")
    assert res.exit_code == 2
    assert "rules.max_shop_per_agent: unknown key" in res.output


def test_unknown_agent_in_requests(files, tmp_path):
    files["requests"].write_text("agent_id,start,end,kind,shift,weight\nZZ9,2026-02-10,,leave,,\n")
    pd.DataFrame({"date": ["2026-02-01"], "shop": ["big"], "shift": ["day"], "volume": [10]}).to_csv(
        tmp_path / "d.csv", index=False)
    res = run("roster", "--config", files["config"], "--team", files["team"], "--demand", tmp_path / "d.csv",
              "--requests", files["requests"], "--month", "2026-02", "--out", tmp_path / "ro")
    assert res.exit_code == 2
    assert "row 2, column 'agent_id': unknown agent 'ZZ9' (not in the team file)" in res.output


def test_demo_runs_end_to_end(tmp_path):
    res = run("demo", "--out", tmp_path / "demo", "--time-limit", "5")
    assert res.exit_code == 0, res.output
    summary = json.loads((tmp_path / "demo" / "summary.json").read_text(encoding="utf-8"))
    assert summary["hard_violations"] == 0
    assert summary["month"] == "2026-08"
    assert summary["status"] in ("OPTIMAL", "FEASIBLE")
    assert (tmp_path / "demo" / "forecast.png").stat().st_size > 0
    assert summary["forecast_model"].startswith("event regression")
    assert 0 < summary["forecast_backtest_wape"] < summary["forecast_backtest_wape_baseline"]
