"""The main model on seeded synthetic series: weekly pattern, event multipliers, quantiles,
fallbacks and bad input; the backtest and its metrics."""

from __future__ import annotations

import warnings
from datetime import date

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from forecasts import (CalendarSpec, EventRegression, ForecastError, ForecastSettings, UserEvent, backtest,
                       forecast, score_table)
from forecasts._blas import single_blas_thread
from forecasts.calendar import event_calendar, lunar_new_year
from forecasts.features import build_design
from forecasts.metrics import OVERALL, bias, coverage, mase, wape
from forecasts.models import penalised_lstsq

WEEKLY = np.array([1.0, 0.9, 0.85, 0.9, 1.0, 1.3, 1.4])  # Monday..Sunday
NO_EVENTS = CalendarSpec(ecommerce=False, country="")


def series(start="2024-01-01", end="2026-07-31", level=1000.0, noise=0.05, seed=0, shop="s", mult=None):
    """Daily volume: level x weekly pattern x `mult(dates)` x lognormal noise."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range(start, end, freq="D")
    y = level * WEEKLY[dates.day_of_week] * np.exp(rng.normal(0, noise, len(dates)))
    if mult is not None:
        y = y * mult(dates)
    return pd.DataFrame({"date": dates, "shop": shop, "inquiries": np.round(y)})


def fit_main(hist: pd.DataFrame, spec: CalendarSpec, h: int = 0):
    dates = pd.DatetimeIndex(hist["date"])
    all_dates = pd.date_range(dates[0], periods=len(dates) + h, freq="D")
    cal = event_calendar(all_dates[0], all_dates[-1], spec)
    d = build_design(all_dates, dates[-1], cal)
    n = len(dates)
    model = EventRegression().fit(hist["inquiries"].to_numpy(float), d.X[:n], d.penalty, d.target, d.event_day[:n])
    return model, d


def test_recovers_a_known_weekly_pattern():
    model, d = fit_main(series(start="2025-06-01", noise=0.05), NO_EVENTS)
    effects = model.effects(d.names)
    fitted = np.array([1.0] + [effects[f"dow{k}"] for k in range(1, 7)])
    assert np.allclose(fitted, WEEKLY / WEEKLY[0], rtol=0.03)


def test_recovers_a_known_event_multiplier_and_uses_it_next_time():
    promo_days = [pd.Timestamp(d) for d in ("2025-03-12", "2025-06-12", "2025-09-12", "2025-12-12", "2026-03-12")]
    events = tuple(UserEvent("promo", d.date(), d.date()) for d in promo_days)
    hist = series(start="2025-01-01", end="2026-05-31", noise=0.05,
                  mult=lambda ds: np.where(ds.isin(promo_days), 2.0, 1.0))
    spec = CalendarSpec(ecommerce=False, country="", user_events=events + (UserEvent("promo", date(2026, 6, 12),
                                                                                        date(2026, 6, 12)),))
    model, d = fit_main(hist, spec)
    assert model.effects(d.names)["ev:promo:0"] == pytest.approx(2.0, rel=0.12)
    fc = forecast(hist, pd.Timestamp("2026-06-01"), pd.Timestamp("2026-06-30"), [0.5],
                  settings=ForecastSettings((0.5,), calendar=spec))
    by_day = fc.set_index("date")["p50"]
    same_weekday = by_day[[pd.Timestamp("2026-06-05"), pd.Timestamp("2026-06-19")]].mean()
    assert by_day[pd.Timestamp("2026-06-12")] / same_weekday == pytest.approx(2.0, rel=0.15)


def test_builtin_festival_and_spring_festival_effects_are_learned():
    def mult(ds):
        m = np.ones(len(ds))
        for year in (2023, 2024, 2025):
            m[ds == pd.Timestamp(f"{year}-11-11")] = 3.0
            lny = pd.Timestamp(lunar_new_year(year + 1))
            m[(ds >= lny) & (ds < lny + pd.Timedelta(days=7))] = 0.3
        return m

    hist = series(start="2023-06-01", end="2025-10-31", noise=0.05, mult=mult)
    fc = forecast(hist, pd.Timestamp("2025-11-01"), pd.Timestamp("2026-02-28"), [0.5]).set_index("date")["p50"]
    assert fc["2025-11-11"] / fc[["2025-11-04", "2025-11-18"]].mean() == pytest.approx(3.0, rel=0.2)
    lny = pd.Timestamp(lunar_new_year(2026))  # 2026-02-17, a Tuesday
    week_before = fc[lny - pd.Timedelta(days=14): lny - pd.Timedelta(days=8)].mean()
    assert fc[lny: lny + pd.Timedelta(days=6)].mean() / week_before == pytest.approx(0.3, rel=0.3)


def test_unseen_user_event_uses_its_configured_multiplier():
    hist = series(start="2025-09-01", end="2026-07-31", noise=0.03)
    spec = CalendarSpec(ecommerce=False, country="",
                        user_events=(UserEvent("live", date(2026, 8, 12), date(2026, 8, 12), ("s",), 1.8),))
    fc = forecast(hist, pd.Timestamp("2026-08-01"), pd.Timestamp("2026-08-31"), [0.5],
                  settings=ForecastSettings((0.5,), calendar=spec)).set_index("date")["p50"]
    assert fc["2026-08-12"] / fc[["2026-08-05", "2026-08-19"]].mean() == pytest.approx(1.8, rel=0.1)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_quantiles_are_ordered_and_widen_with_noise(seed):
    quiet = forecast(series(noise=0.03, seed=seed, start="2025-06-01"), pd.Timestamp("2026-08-01"),
                     pd.Timestamp("2026-08-31"), [0.5, 0.8, 0.9], settings=ForecastSettings(calendar=NO_EVENTS))
    noisy = forecast(series(noise=0.2, seed=seed, start="2025-06-01"), pd.Timestamp("2026-08-01"),
                     pd.Timestamp("2026-08-31"), [0.5, 0.8, 0.9], settings=ForecastSettings(calendar=NO_EVENTS))
    for fc in (quiet, noisy):
        assert (fc["p50"] <= fc["p80"]).all() and (fc["p80"] <= fc["p90"]).all() and (fc["p50"] > 0).all()
    assert (noisy["p90"] / noisy["p50"]).mean() > (quiet["p90"] / quiet["p50"]).mean() + 0.1


def test_fast_refit_solver_equals_statsmodels_ols_on_the_augmented_rows():
    model, d = fit_main(series(start="2025-01-01"), CalendarSpec(), h=0)
    n = len(d.X)
    z = model.z_
    ok = ~np.isnan(z)
    X = d.X[:n]
    fast = penalised_lstsq(X[ok].T @ X[ok], X[ok].T @ z[ok], d.penalty, d.target, model.sigma_)
    with single_blas_thread():
        ref = sm.OLS(np.concatenate([z[ok], model.sigma_ * d.target]),
                     np.vstack([X[ok], model.sigma_ * d.penalty])).fit().params
    assert np.allclose(fast, ref, atol=1e-6) and np.allclose(model.params_, ref, atol=1e-6)


def test_outliers_and_zero_days_do_not_move_the_forecast():
    clean = series(start="2025-06-01", noise=0.05)
    dirty = clean.copy()
    dirty.loc[dirty["date"] == "2026-06-10", "inquiries"] *= 20  # a bot storm
    dirty.loc[dirty["date"].isin(pd.to_datetime(["2026-07-01", "2026-07-08"])), "inquiries"] = 0  # system down
    s = ForecastSettings(calendar=NO_EVENTS)
    a = forecast(clean, pd.Timestamp("2026-08-01"), pd.Timestamp("2026-08-31"), [0.5], settings=s)
    b = forecast(dirty, pd.Timestamp("2026-08-01"), pd.Timestamp("2026-08-31"), [0.5], settings=s)
    assert np.allclose(a["p50"], b["p50"], rtol=0.03)


def test_missing_days_are_filled_and_reported():
    hist = series(start="2025-06-01", noise=0.05)
    gappy = hist[~hist["date"].between("2026-03-01", "2026-03-10")]
    with pytest.warns(UserWarning, match=r"missing days.*'s': 10"):
        fc = forecast(gappy, pd.Timestamp("2026-08-01"), pd.Timestamp("2026-08-10"), [0.5, 0.9],
                      settings=ForecastSettings((0.5, 0.9), calendar=NO_EVENTS))
    assert len(fc) == 10 and fc["p50"].notna().all()


def test_new_shop_with_short_history_falls_back_to_the_baseline_with_a_reason():
    old = series(start="2025-06-01", shop="old")
    new = series(start="2026-06-01", shop="new")
    zeros_before = pd.DataFrame({"date": pd.date_range("2026-05-01", "2026-05-31"), "shop": "new", "inquiries": 0.0})
    hist = pd.concat([old, zeros_before, new], ignore_index=True)
    with pytest.warns(UserWarning, match=r"shop 'new' has only 61 days of history .*baseline used instead"):
        fc = forecast(hist, pd.Timestamp("2026-08-01"), pd.Timestamp("2026-08-14"), [0.5, 0.8, 0.9],
                      settings=ForecastSettings(calendar=NO_EVENTS))
    models = fc.groupby("shop")["model"].first()
    assert models["old"].startswith("event regression") and models["new"].startswith("seasonal-naive")


def test_errors_name_the_shop_and_the_config_path():
    hist = series(start="2026-07-10", shop="tiny")
    with pytest.raises(ForecastError, match=r"shop 'tiny' has 22 days.*forecast.min_history_days"):
        forecast(hist, pd.Timestamp("2026-08-01"), pd.Timestamp("2026-08-10"), [0.5])
    with pytest.raises(ForecastError, match="unknown model"):
        ForecastSettings(model="prophet")


def test_backtest_rows_cutoffs_and_scores():
    hist = pd.concat([series(start="2025-01-01", shop="a", seed=1), series(start="2025-01-01", shop="b", seed=2,
                                                                          level=200)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        days = backtest(hist, ForecastSettings(calendar=NO_EVENTS), cutoffs=3, horizon=14)
    assert sorted(days["cutoff"].unique()) == list(pd.to_datetime(["2026-07-03", "2026-07-17", "2026-07-31"])
                                                   - pd.Timedelta(days=14))
    assert len(days) == 3 * 14 * 2 * 2 and set(days["model"]) == {"main", "baseline"}
    assert days["lead"].between(1, 14).all() and (days["date"] > days["cutoff"]).all()
    scores = score_table(days).set_index(["model", "shop"])
    assert set(scores.index.get_level_values("shop")) == {"a", "b", OVERALL}
    # a clean weekly series: the main model beats repeating last week
    assert scores.loc[("main", OVERALL), "wape"] < scores.loc[("baseline", OVERALL), "wape"]


def test_metrics_golden_values():
    a, p = np.array([100.0, 200.0, 100.0]), np.array([110.0, 180.0, 100.0])
    assert wape(a, p) == pytest.approx(30 / 400)
    assert bias(a, p) == pytest.approx(-10 / 400)
    assert mase(a, p, np.array([10.0, 10.0, 10.0])) == pytest.approx(1.0)
    assert coverage(a, np.array([100.0, 199.0, 101.0])) == pytest.approx(2 / 3)


def test_explain_lists_the_fitted_multipliers():
    growth = series(start="2025-04-01", noise=0.03, mult=lambda ds: np.exp(0.2 * (ds - ds[0]).days / 365.25))
    fc, effects = forecast(growth, pd.Timestamp("2026-08-01"), pd.Timestamp("2026-08-07"), [0.5],
                           settings=ForecastSettings((0.5,), calendar=NO_EVENTS), explain=True)
    m = effects.set_index("term")["multiplier"]
    assert list(effects.columns) == ["shop", "term", "multiplier"] and len(fc) == 7
    assert m["growth_per_year"] == pytest.approx(np.exp(0.2), rel=0.05)
    assert m["dow6"] == pytest.approx(WEEKLY[6] / WEEKLY[0], rel=0.03)


def test_parallel_workers_give_the_same_forecast_as_one_process():
    hist = pd.concat([series(start="2025-09-01", shop=f"s{i}", seed=i, level=100 * (i + 1)) for i in range(4)])
    spec = CalendarSpec(user_events=(UserEvent("live", date(2026, 8, 12), date(2026, 8, 12), ("s1",), 1.5),))
    one = forecast(hist, pd.Timestamp("2026-08-01"), pd.Timestamp("2026-08-20"), [0.5, 0.9],
                   settings=ForecastSettings((0.5, 0.9), calendar=spec, workers=1))
    two = forecast(hist, pd.Timestamp("2026-08-01"), pd.Timestamp("2026-08-20"), [0.5, 0.9],
                   settings=ForecastSettings((0.5, 0.9), calendar=spec, workers=2))
    pd.testing.assert_frame_equal(one, two)
    s1 = one[one["shop"] == "s1"].set_index("date")["p50"]
    assert s1["2026-08-12"] / s1[["2026-08-05", "2026-08-19"]].mean() == pytest.approx(1.5, rel=0.1)
