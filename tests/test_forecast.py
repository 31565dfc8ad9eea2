"""The seasonal-naive baseline: weekly repetition, honest widening quantiles, contract columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasts import ForecastError, SeasonalNaive, forecast


def weekly_series(days=200, seed=1, noise=0.1):
    rng = np.random.default_rng(seed)
    pattern = np.array([100, 90, 80, 85, 95, 130, 140], dtype=float)
    base = np.tile(pattern, days // 7 + 1)[:days]
    return base * np.exp(rng.normal(0, noise, days))


def test_point_repeats_last_week_and_quantiles_are_ordered():
    y = weekly_series()
    m = SeasonalNaive().fit(y)
    pred = m.predict(14, [0.5, 0.8, 0.9])
    assert np.all(np.diff(pred, axis=1) >= 0)
    # the median of log errors is ~0, so p50 stays close to the same weekday of the last week
    assert np.allclose(pred[:7, 0], y[-7:], rtol=0.05)


def test_intervals_cover_about_as_promised_on_held_out_data():
    y = weekly_series(days=400, noise=0.15, seed=4)
    hits80 = hits90 = n = 0
    for cut in range(300, 393, 7):
        pred = SeasonalNaive().fit(y[:cut]).predict(7, [0.8, 0.9])
        actual = y[cut:cut + 7]
        hits80 += (actual <= pred[:, 0]).sum()
        hits90 += (actual <= pred[:, 1]).sum()
        n += 7
    assert 0.65 <= hits80 / n <= 0.95 and 0.78 <= hits90 / n <= 0.99


def test_forecast_frame_contract_and_too_short_history():
    dates = pd.date_range("2026-01-01", periods=70, freq="D")
    hist = pd.DataFrame({"date": dates, "shop": "big", "inquiries": weekly_series(70)})
    with pytest.warns(UserWarning, match="70 days of history .* seasonal-naive baseline used"):
        fc = forecast(hist, pd.Timestamp("2026-03-15"), pd.Timestamp("2026-03-31"), [0.5, 0.8, 0.9])
    assert list(fc.columns) == ["date", "shop", "p50", "p80", "p90", "model"]
    assert fc["date"].min() == pd.Timestamp("2026-03-15") and len(fc) == 17
    assert "seasonal-naive" in fc["model"].iloc[0]
    with pytest.raises(ForecastError, match="need at least 100"):
        forecast(hist, pd.Timestamp("2026-03-15"), pd.Timestamp("2026-03-31"), [0.5], min_history_days=100)
    with pytest.raises(ForecastError, match="past the forecast start"):
        forecast(hist, pd.Timestamp("2026-02-01"), pd.Timestamp("2026-02-10"), [0.5])
