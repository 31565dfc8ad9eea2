"""`staffing forecast` with the main model: --backtest outputs, bad forecast config and input,
and the shift split conserving each day's volume."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from conftest import make_config
from scheduler.cli import main
from scheduler.sizing import learn_shift_shares, size_demand

SHOPS = [{"id": "big", "name": "旗舰店"}, {"id": "small", "name": "小店"}]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def history(tmp_path: Path) -> Path:
    rng = np.random.default_rng(3)
    dates = pd.date_range("2025-03-01", "2026-07-31", freq="D")
    rows = [(d.date(), shop, int(level * (1.25 if d.weekday() >= 5 else 1.0) * (2.5 if (d.month, d.day) == (11, 11)
                                 else 1.0) * rng.uniform(0.92, 1.08)))
            for d in dates for shop, level in (("big", 900), ("small", 150))]
    path = tmp_path / "history.csv"
    pd.DataFrame(rows, columns=["date", "shop", "inquiries"]).to_csv(path, index=False)
    return path


def config_file(tmp_path: Path, **forecast) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"shops": SHOPS, "forecast": forecast}, allow_unicode=True), encoding="utf-8")
    return path


def test_forecast_with_backtest_writes_scores_days_and_charts(history, tmp_path):
    cfg = config_file(tmp_path, backtest_cutoffs=2, backtest_horizon_days=14)
    res = run("forecast", "--history", history, "--config", cfg, "--month", "2026-08", "--backtest",
              "--out", tmp_path / "fc")
    assert res.exit_code == 0, res.output
    out = tmp_path / "fc"
    fc = pd.read_csv(out / "forecast.csv")
    assert len(fc) == 31 * 2 and fc["model"].str.startswith("event regression").all()
    scores = pd.read_csv(out / "backtest.csv")
    assert {"model", "shop", "wape", "mase", "bias", "coverage_p80", "coverage_p90", "wape_event"} <= set(scores.columns)
    assert set(scores["shop"]) == {"big", "small", "(all shops)"} and set(scores["model"]) == {"main", "baseline"}
    days = pd.read_csv(out / "backtest_days.csv")
    assert len(days) == 2 * 14 * 2 * 2
    for shop in ("big", "small"):
        assert (out / f"backtest_{shop}.png").stat().st_size > 0
    assert "Backtest (2 cutoffs x 14 days)" in res.output


@pytest.mark.parametrize("forecast_section, expected", [
    ({"events": [{"name": "jhs", "start": "2026-08-08", "shops": ["nope"], "multiplier": 1.5}]},
     "config forecast.events[0].shops: unknown shop 'nope'"),
    ({"holiday_country": "XX"}, "config forecast.holiday_country: unknown holiday country 'XX'"),
    ({"events": [{"name": "jhs", "start": "2026-08-08", "end": "2026-08-01"}]}, "forecast.events.0"),
    ({"model": "prophet"}, "forecast.model"),
])
def test_bad_forecast_config_exits_2_naming_the_path(history, tmp_path, forecast_section, expected):
    cfg = config_file(tmp_path, **forecast_section)
    res = run("forecast", "--history", history, "--config", cfg, "--horizon", "7", "--out", tmp_path / "fc")
    assert res.exit_code == 2, res.output
    assert expected in res.output and "Traceback" not in res.output


def test_backtest_longer_than_the_history_is_a_clear_error(history, tmp_path):
    frame = pd.read_csv(history)
    frame[frame["date"] >= "2026-05-23"].to_csv(history, index=False)  # 70 days
    cfg = config_file(tmp_path, backtest_cutoffs=2, backtest_horizon_days=60)
    res = run("forecast", "--history", history, "--config", cfg, "--horizon", "7", "--backtest", "--out", tmp_path / "fc")
    assert res.exit_code == 2
    assert "backtest cutoffs" in res.output and "forecast.backtest_cutoffs" in res.output


def test_history_problems_name_file_row_and_shop(history, tmp_path):
    cfg = tmp_path / "three.yaml"
    cfg.write_text(yaml.safe_dump({"shops": SHOPS + [{"id": "new"}]}), encoding="utf-8")
    res = run("forecast", "--history", history, "--config", cfg, "--horizon", "7", "--out", tmp_path / "a")
    assert res.exit_code == 2 and "no history for shop(s) ['new']" in res.output
    text = history.read_text().splitlines()
    history.write_text("\n".join(text + [text[1]]) + "\n")  # the first data row again
    res = run("forecast", "--history", history, "--config", config_file(tmp_path), "--horizon", "7",
              "--out", tmp_path / "b")
    assert res.exit_code == 2 and "row 2" in res.output and "Traceback" not in res.output


def test_missing_days_are_reported_and_still_forecast(history, tmp_path):
    frame = pd.read_csv(history)
    frame[~frame["date"].between("2026-05-01", "2026-05-03")].to_csv(history, index=False)
    res = run("forecast", "--history", history, "--config", config_file(tmp_path), "--horizon", "7",
              "--out", tmp_path / "fc")
    assert res.exit_code == 0, res.output
    assert "missing days" in res.output and "'big': 3" in res.output


def test_shift_split_conserves_each_days_volume():
    config = make_config()  # day 08:30-17:30, night 17:30-00:30; 00:30-08:30 carries to the day shift
    rng = np.random.default_rng(5)
    days = pd.date_range("2026-07-01", "2026-07-14")
    hourly = pd.DataFrame([(d, shop, h, int(rng.integers(0, 60))) for d in days for shop in ("big", "small")
                           for h in range(24)], columns=["date", "shop", "hour", "inquiries"])
    shares = learn_shift_shares(hourly, config.shifts)
    fc = pd.DataFrame({"date": np.repeat(pd.date_range("2026-08-01", "2026-08-14"), 2),
                       "shop": ["big", "small"] * 14, "p80": rng.uniform(0, 5000, 28).round(1)})
    demand = size_demand(fc, config, shares, "p80")
    per_day = demand.groupby(["date", "shop"])["volume"].sum().to_numpy()
    assert (per_day == np.round(fc["p80"]).astype(int).to_numpy()).all()
    # hours 1-7 (no shift staffed) count towards the day shift
    night_only = hourly.assign(inquiries=np.where(hourly["hour"].between(1, 7), 10, 0))
    learned = learn_shift_shares(night_only, config.shifts)
    assert np.allclose(learned["day"], 1.0)
