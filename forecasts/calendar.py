"""E-commerce events and public holidays as one tidy table.

``event_calendar(start, end, ...)`` returns one row per event day::

    date, event, kind, shop, phase, offset, multiplier

- ``kind``: ``ecommerce`` (built-in shopping festivals and the Spring Festival shutdown),
  ``holiday`` (public holidays of ``country`` from the ``holidays`` package) or ``user``
  (events from the config);
- ``shop``: empty for every shop, else the one shop the row applies to;
- ``phase``: ``pre``, ``peak``, ``after`` for festivals (``holiday`` for the days of a public
  holiday, ``eve`` and ``next`` for the day before and after it, ``event`` for user events);
- ``offset``: days from the event's anchor day (11-11 for 11.11, the lunar New Year's day for
  Spring Festival, the first day for holidays and user events). The model gives every
  (event, offset) its own effect, tied to its neighbours, so lead and lag days are learned;
- ``multiplier``: the expected effect of a user event on days with no history (NaN otherwise).

Spring Festival moves with the lunar calendar: its date comes from the ``holidays`` package
(``holidays.China``), never from a hand-typed table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import holidays
import numpy as np
import pandas as pd

CALENDAR_COLUMNS = ["date", "event", "kind", "shop", "phase", "offset", "multiplier"]
SPRING_FESTIVAL = "spring_festival"
_CN_NEW_YEAR = "Chinese New Year (Spring Festival)"


class CalendarError(ValueError):
    """A holiday country or subdivision the ``holidays`` package does not know."""


@dataclass(frozen=True)
class Festival:
    """A built-in e-commerce event: an anchor day each year and a window around it.

    ``anchor`` is ``(month, day)`` or ``"lunar_new_year"``; the window runs from ``lead`` days
    before the anchor to ``lag`` days after; ``peak`` is the (first, last) offset of the peak.
    """

    name: str
    label: str
    anchor: tuple[int, int] | str
    lead: int
    lag: int
    peak: tuple[int, int]

    def anchor_date(self, year: int) -> date | None:
        if self.anchor == "lunar_new_year":
            return lunar_new_year(year)
        month, day = self.anchor
        return date(year, month, day)

    def phase(self, offset: int) -> str:
        if offset < self.peak[0]:
            return "pre"
        return "peak" if offset <= self.peak[1] else "after"


# Windows follow the platforms' usual schedule: 11.11 pre-sale from about 20 October and an
# after-sales (returns) wave for two weeks; 618 warm-up from 1 June; 年货节 in early January,
# before logistics stop; Spring Festival empties volume for about a week and the backlog comes
# back as an after-sales wave; 3.8 (女王节) is a short one.
FESTIVALS: tuple[Festival, ...] = (
    Festival("double11", "双11", (11, 11), lead=22, lag=15, peak=(-1, 1)),
    Festival("618", "618", (6, 18), lead=17, lag=9, peak=(-2, 1)),
    Festival("double12", "双12", (12, 12), lead=3, lag=3, peak=(0, 0)),
    Festival("nianhuo", "年货节", (1, 15), lead=10, lag=10, peak=(-3, 3)),
    Festival("women38", "38女王节", (3, 8), lead=3, lag=1, peak=(0, 0)),
    Festival(SPRING_FESTIVAL, "春节", "lunar_new_year", lead=21, lag=21, peak=(0, 6)),
)


@dataclass(frozen=True)
class UserEvent:
    """An event from the config: its days, the shops it applies to (empty = all) and the
    expected multiplier used where the event has no history to learn from."""

    name: str
    start: date
    end: date
    shops: tuple[str, ...] = ()
    multiplier: float | None = None


@dataclass(frozen=True)
class CalendarSpec:
    """What goes into the calendar: built-in festivals on or off, the holiday country
    (``CN``, ``IL``, ``US-CA`` for a subdivision, or empty for none) and user events."""

    ecommerce: bool = True
    country: str = "CN"
    user_events: tuple[UserEvent, ...] = field(default_factory=tuple)


def lunar_new_year(year: int) -> date | None:
    """First day of the lunar new year in `year` (from ``holidays.China``)."""
    return _lunar_new_years().get(year)


@lru_cache(maxsize=1)
def _lunar_new_years() -> dict[int, date]:
    cn = holidays.country_holidays("CN", years=range(1950, 2100), language="en_US")
    out: dict[int, date] = {}
    for d, name in cn.items():
        if name == _CN_NEW_YEAR and (d.year not in out or d < out[d.year]):
            out[d.year] = d
    return out


def _festival_rows(start: pd.Timestamp, end: pd.Timestamp) -> list[tuple]:
    rows = []
    for fest in FESTIVALS:
        for year in range(start.year - 1, end.year + 2):
            anchor = fest.anchor_date(year)
            if anchor is None:
                continue
            for off in range(-fest.lead, fest.lag + 1):
                day = pd.Timestamp(anchor) + pd.Timedelta(days=off)
                if start <= day <= end:
                    rows.append((day, fest.name, "ecommerce", "", fest.phase(off), off, np.nan))
    return rows


def _split_country(country: str) -> tuple[str, str | None]:
    code, _, subdiv = country.partition("-")
    return code.upper(), (subdiv or None)


@lru_cache(maxsize=32)
def _holiday_blocks(country: str, first_year: int, last_year: int) -> tuple[tuple[pd.Timestamp, int, str], ...]:
    """Runs of consecutive public-holiday dates as (first day, length, name)."""
    code, subdiv = _split_country(country)
    try:
        table = holidays.country_holidays(code, subdiv=subdiv, years=range(first_year, last_year + 1),
                                          language="en_US")
    except NotImplementedError as err:
        raise CalendarError(f"unknown holiday country {country!r} ({err}); expected an ISO code such "
                            f"as CN, IL or US-CA that the holidays package supports") from None
    days = sorted(table.items())
    blocks: list[tuple[pd.Timestamp, int, str]] = []
    for d, name in days:
        ts = pd.Timestamp(d)
        if blocks and blocks[-1][0] + pd.Timedelta(days=blocks[-1][1]) == ts:
            first, n, block_name = blocks[-1]
            blocks[-1] = (first, n + 1, block_name or _base_name(name))
        else:
            blocks.append((ts, 1, _base_name(name)))
    return tuple((first, n, name or "day off") for first, n, name in blocks)


def _base_name(name: str) -> str:
    """'Labor Day (observed)' -> 'Labor Day'; substituted days off have no name of their own."""
    name = name.split(";")[0].strip()
    if name.lower().startswith("day off"):
        return ""
    return name.replace(" (observed)", "").strip()


def weekend_days(country: str) -> frozenset[int]:
    """The country's weekend as weekday numbers (Monday = 0); Saturday-Sunday when unknown."""
    if not country:
        return frozenset({5, 6})
    code, subdiv = _split_country(country)
    try:
        return frozenset(holidays.country_holidays(code, subdiv=subdiv, years=2000).weekend)
    except NotImplementedError:
        return frozenset({5, 6})


def _holiday_rows(start: pd.Timestamp, end: pd.Timestamp, country: str, skip: set[pd.Timestamp]) -> list[tuple]:
    rows = []
    for first, n, name in _holiday_blocks(country, start.year - 1, end.year + 1):
        days = [first + pd.Timedelta(days=i) for i in range(n)]
        if skip.intersection(days):
            continue  # covered by the Spring Festival event
        marks = [(first - pd.Timedelta(days=1), "eve", -1)] + [(d, "holiday", i) for i, d in enumerate(days)]
        marks.append((days[-1] + pd.Timedelta(days=1), "next", n))
        rows += [(d, name, "holiday", "", phase, off, np.nan) for d, phase, off in marks if start <= d <= end]
    return rows


def _user_rows(start: pd.Timestamp, end: pd.Timestamp, events: tuple[UserEvent, ...]) -> list[tuple]:
    rows = []
    for ev in events:
        mult = np.nan if ev.multiplier is None else float(ev.multiplier)
        for off, day in enumerate(pd.date_range(ev.start, ev.end, freq="D")):
            if start <= day <= end:
                rows += [(day, ev.name, "user", shop, "event", off, mult) for shop in (ev.shops or ("",))]
    return rows


def event_calendar(start, end, spec: CalendarSpec = CalendarSpec()) -> pd.DataFrame:
    """Every event day between `start` and `end` (inclusive) as a tidy table (module docstring)."""
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    rows = _festival_rows(start, end) if spec.ecommerce else []
    if spec.country:
        skip: set[pd.Timestamp] = set()
        if spec.ecommerce and _split_country(spec.country)[0] == "CN":
            # the Spring Festival event already models the lunar new-year holiday and around it
            for year in range(start.year - 1, end.year + 2):
                lny = lunar_new_year(year)
                if lny is not None:
                    skip.update(pd.Timestamp(lny) + pd.Timedelta(days=i) for i in range(-1, 7))
        rows += _holiday_rows(start, end, spec.country, skip)
    rows += _user_rows(start, end, spec.user_events)
    table = pd.DataFrame(rows, columns=CALENDAR_COLUMNS)
    table["offset"] = table["offset"].astype(int)
    table["multiplier"] = table["multiplier"].astype(float)
    return table.sort_values(["date", "kind", "event", "offset"], ignore_index=True)


def for_shop(calendar: pd.DataFrame, shop: str) -> pd.DataFrame:
    """The rows that apply to one shop (shared rows and the shop's own)."""
    return calendar[(calendar["shop"] == "") | (calendar["shop"] == shop)]


def event_days(calendar: pd.DataFrame) -> pd.DataFrame:
    """``date, shop`` of days with an event or public holiday on (not the eve/next-day marks)."""
    on = calendar[~calendar["phase"].isin(["eve", "next"])]
    return on[["date", "shop"]].drop_duplicates(ignore_index=True)


def check_country(country: str) -> None:
    """Raise :class:`CalendarError` unless the ``holidays`` package knows `country` ("" = none)."""
    if country:
        _holiday_blocks(country, 2000, 2000)
