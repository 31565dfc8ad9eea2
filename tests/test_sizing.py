"""Band arithmetic on golden values, shift shares from hourly history, whole-number splits."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from conftest import make_config
from scheduler.sizing import band_heads, hour_to_shift_weights, learn_shift_shares, size_demand, split_whole


def test_band_heads_golden_values():
    config = make_config()  # band 80 / 100 / 120
    heads = band_heads(pd.Series([0, 80, 100, 119, 120, 121, 1000]), config)
    assert heads["agents_min"].tolist() == [0, 1, 1, 1, 1, 2, 9]      # ceil(v / 120)
    assert heads["agents_target"].tolist() == [0, 1, 1, 2, 2, 2, 10]  # ceil(v / 100)
    assert heads["agents_max"].tolist() == [0, 1, 1, 1, 1, 2, 12]     # max(min, floor(v / 80))


@given(st.integers(0, 100_000), st.lists(st.floats(0.01, 1), min_size=1, max_size=5))
def test_split_whole_adds_up(total, weights):
    shares = np.array(weights) / sum(weights)
    parts = split_whole(total, shares)
    assert parts.sum() == total and (parts >= 0).all()
    assert np.all(np.abs(parts - total * shares) < 1)


def test_unstaffed_hours_carry_to_next_shift():
    w = hour_to_shift_weights(make_config().shifts)
    assert w.loc[3, "day"] == 1.0                      # 03:00-04:00 nobody works: to the day shift
    assert abs(w.loc[8, "day"] - 1.0) < 1e-9           # 08:00-08:30 carried, 08:30-09:00 worked
    assert abs(w.loc[17, "day"] - 0.5) < 1e-9 and abs(w.loc[17, "night"] - 0.5) < 1e-9
    assert abs(w.loc[0, "night"] - 0.5) < 1e-9 and abs(w.loc[0, "day"] - 0.5) < 1e-9  # 00:30 on carries
    assert np.allclose(w.sum(axis=1), 1)


def test_learned_shares_from_hourly_history():
    config = make_config(shops=("big",))
    dates = pd.date_range("2026-01-05", periods=14, freq="D")
    rows = [(d, "big", h, 10 if 9 <= h < 17 else (30 if 18 <= h < 24 else 0)) for d in dates for h in range(24)]
    hourly = pd.DataFrame(rows, columns=["date", "shop", "hour", "inquiries"])
    shares = learn_shift_shares(hourly, config.shifts)
    # day: 8 hours x 10 = 80; night: 6 hours x 30 = 180 -> 80/260 and 180/260 every weekday
    assert np.allclose(shares["day"], 80 / 260) and np.allclose(shares["night"], 180 / 260)
    fc = pd.DataFrame({"date": dates[:7], "shop": "big", "p80": 260.0})
    demand = size_demand(fc, config, shares, "p80")
    assert demand.groupby("shift")["volume"].first().to_dict() == {"day": 80, "night": 180}


def test_size_demand_uses_config_shares_and_keeps_day_totals():
    config = make_config(shops=("big",))  # default shares 0.55 / 0.45
    fc = pd.DataFrame({"date": pd.date_range("2026-03-01", periods=3), "shop": "big", "p80": [1001.0, 0.0, 99.6]})
    demand = size_demand(fc, config)
    assert demand.groupby("date")["volume"].sum().tolist() == [1001, 0, 100]
    assert demand["volume"].tolist()[:2] == [551, 450]
