"""The event calendar: festival windows, Spring Festival on its lunar date, holidays, user events."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from forecasts.calendar import (CalendarError, CalendarSpec, UserEvent, check_country, event_calendar, for_shop,
                                lunar_new_year, weekend_days)


@pytest.mark.parametrize("year, day", [(2019, date(2019, 2, 5)), (2023, date(2023, 1, 22)), (2024, date(2024, 2, 10)),
                                       (2025, date(2025, 1, 29)), (2026, date(2026, 2, 17)), (2027, date(2027, 2, 6)),
                                       (2030, date(2030, 2, 3))])
def test_spring_festival_on_its_lunar_date(year, day):
    assert lunar_new_year(year) == day
    cal = event_calendar(f"{year}-01-01", f"{year}-03-31")
    sf = cal[cal["event"] == "spring_festival"]
    assert sf.loc[sf["offset"] == 0, "date"].tolist() == [pd.Timestamp(day)]
    assert set(sf.loc[sf["offset"].between(0, 6), "phase"]) == {"peak"}
    assert (sf.loc[sf["offset"] > 6, "phase"] == "after").all()


def test_double11_window_presale_peak_and_after_sales():
    cal = event_calendar("2025-10-01", "2025-12-31")
    d11 = cal[cal["event"] == "double11"].set_index("date")
    assert d11.index.min() == pd.Timestamp("2025-10-20") and d11.index.max() == pd.Timestamp("2025-11-26")
    assert d11.loc["2025-11-11", "offset"] == 0 and d11.loc["2025-11-11", "phase"] == "peak"
    assert d11.loc["2025-10-25", "phase"] == "pre" and d11.loc["2025-11-20", "phase"] == "after"
    for name in ("double12", "618", "nianhuo", "women38"):
        assert name in set(event_calendar("2025-01-01", "2025-12-31")["event"])


def test_public_holidays_with_eve_and_next_day_but_not_twice_for_spring_festival():
    cal = event_calendar("2025-09-01", "2025-10-31")
    nd = cal[(cal["kind"] == "holiday") & (cal["event"].str.contains("National Day"))]
    assert pd.Timestamp("2025-10-01") in set(nd.loc[nd["phase"] == "holiday", "date"])
    assert set(nd["phase"]) == {"eve", "holiday", "next"}
    sf_days = event_calendar("2026-02-01", "2026-02-28")
    hol = sf_days[sf_days["kind"] == "holiday"]
    assert not hol["event"].str.contains("Spring Festival").any()  # the e-commerce event covers it


def test_user_events_apply_to_their_shops_with_their_multiplier():
    spec = CalendarSpec(user_events=(UserEvent("jhs", date(2026, 8, 8), date(2026, 8, 9), ("flagship",), 1.8),
                                     UserEvent("live", date(2026, 8, 20), date(2026, 8, 20))))
    cal = event_calendar("2026-08-01", "2026-08-31", spec)
    user = cal[cal["kind"] == "user"]
    assert user[user["event"] == "jhs"][["shop", "offset", "multiplier"]].values.tolist() == [["flagship", 0, 1.8],
                                                                                          ["flagship", 1, 1.8]]
    assert set(for_shop(cal, "outlet")["event"]) >= {"live"} and "jhs" not in set(for_shop(cal, "outlet")["event"])
    assert user.loc[user["event"] == "live", "multiplier"].isna().all()


def test_country_choice_and_unknown_country():
    assert weekend_days("IL") == frozenset({4, 5}) and weekend_days("CN") == frozenset({5, 6})
    us = event_calendar("2014-01-01", "2014-12-31", CalendarSpec(ecommerce=False, country="US-CA"))
    assert set(us["kind"]) == {"holiday"} and pd.Timestamp("2014-11-27") in set(us["date"])  # Thanksgiving
    assert event_calendar("2014-01-01", "2014-12-31", CalendarSpec(ecommerce=False, country="")).empty
    with pytest.raises(CalendarError, match="unknown holiday country 'XX'"):
        check_country("XX")
