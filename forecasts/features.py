"""Design matrix of the main model for one shop: regressors plus the priors that tie them.

Columns (all on the log scale of daily volume):

- ``const`` and six weekday dummies (Monday is the reference);
- ``trend`` (years since the first day) and hinge terms ``knot:<date>`` every
  ``knot_days``: the slope may change there, by little unless the data insist (prior);
- yearly Fourier terms ``sin<k>``/``cos<k>`` when the history spans ``yearly_min_days``;
- one column per event and offset (``ev:double11:-1``): the effect of that day of the event
  window; neighbouring offsets are tied by a random-walk prior and the window's edges are
  pulled to zero, so lead and lag days are learned without one free parameter each. A user
  event's days are pulled towards the log of its configured multiplier, which is therefore
  what the model uses where the event has no history;
- public holidays: common effects ``hol:on`` (a holiday on a working day), ``hol:on_weekend``,
  ``hol:eve``, ``hol:next`` plus one deviation per holiday name (``hol:Labor Day``) pulled
  towards zero, so a holiday never seen before gets the common effect.

Priors are rows of ``penalty @ beta ~ target`` with unit scale; the model multiplies them by
the series' noise level so that a prior means the same on a quiet and on a noisy series.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# prior standard deviations on the log scale
TAU_KNOT = 0.5        # change of yearly growth rate at a knot
TAU_FOURIER = 0.15    # amplitude of each yearly Fourier term
TAU_EVENT_STEP = 0.4  # change of an event's effect from one day of its window to the next
TAU_EVENT_EDGE = 0.4  # effect on the first and last day of a window (0 outside it)
TAU_USER = 0.5        # a user event's effect around the log of its configured multiplier
TAU_HOLIDAY_DEV = 0.3  # one holiday's difference from the common holiday effect
TAU_WEAK = 3.0        # weak ridge on every other effect, only for identifiability
FOURIER_ORDER = 4


@dataclass
class Design:
    """Regressors over history + horizon and the prior rows tying their coefficients."""

    dates: pd.DatetimeIndex
    X: np.ndarray
    names: list[str]
    penalty: np.ndarray   # (m, k) prior rows, unit scale
    target: np.ndarray    # (m,) prior means of penalty @ beta
    event_day: np.ndarray  # (n,) bool: an event or holiday is on that day

    def rows(self, dates) -> np.ndarray:
        """Row positions of `dates` in the design."""
        return self.dates.get_indexer(pd.DatetimeIndex(dates))


class _Builder:
    def __init__(self, dates: pd.DatetimeIndex):
        self.dates = dates
        self.cols: list[np.ndarray] = []
        self.names: list[str] = []
        self.priors: list[tuple[dict[int, float], float, float]] = []  # (coefs, target, tau)

    def add(self, name: str, values: np.ndarray) -> int:
        self.cols.append(np.asarray(values, dtype=float))
        self.names.append(name)
        return len(self.names) - 1

    def prior(self, coefs: dict[int, float], tau: float, target: float = 0.0) -> None:
        self.priors.append((coefs, target, tau))

    def build(self, event_day: np.ndarray) -> Design:
        k = len(self.names)
        P = np.zeros((len(self.priors), k))
        t = np.zeros(len(self.priors))
        for r, (coefs, target, tau) in enumerate(self.priors):
            for j, c in coefs.items():
                P[r, j] = c / tau
            t[r] = target / tau
        return Design(self.dates, np.column_stack(self.cols), self.names, P, t, event_day)


def build_design(dates: pd.DatetimeIndex, history_end: pd.Timestamp, calendar: pd.DataFrame,
                 weekend: frozenset[int] = frozenset({5, 6}), knot_days: int = 56,
                 yearly_min_days: int = 540) -> Design:
    """The design over `dates` (history then horizon) for one shop's `calendar` rows.

    `history_end` places the knots (none in the last ``knot_days`` of history, whose slope is
    the trend's last word) and decides whether the yearly terms are in.
    """
    dates = pd.DatetimeIndex(dates)
    start = dates[0]
    b = _Builder(dates)
    b.add("const", np.ones(len(dates)))
    dow = dates.day_of_week.to_numpy()
    for d in range(1, 7):
        b.add(f"dow{d}", dow == d)
    years = (dates - start).days.to_numpy() / 365.25
    b.add("trend", years)
    span_days = (history_end - start).days + 1
    for k in pd.date_range(start + pd.Timedelta(days=knot_days), history_end - pd.Timedelta(days=knot_days),
                           freq=f"{knot_days}D"):
        j = b.add(f"knot:{k.date()}", np.clip(years - (k - start).days / 365.25, 0, None))
        b.prior({j: 1.0}, TAU_KNOT)
    if span_days >= yearly_min_days:
        doy = 2 * np.pi * dates.day_of_year.to_numpy() / 365.25
        for order in range(1, FOURIER_ORDER + 1):
            for fn in (np.sin, np.cos):
                j = b.add(f"{fn.__name__}{order}", fn(order * doy))
                b.prior({j: 1.0}, TAU_FOURIER)
    event_day = np.zeros(len(dates), dtype=bool)
    pos = dates.get_indexer(calendar["date"]) if len(calendar) else np.array([], dtype=int)
    cal = calendar.assign(_pos=pos)
    cal = cal[cal["_pos"] >= 0]
    _add_events(b, cal[cal["kind"] != "holiday"], event_day)
    _add_holidays(b, cal[cal["kind"] == "holiday"], dow, weekend, event_day)
    return b.build(event_day)


def _add_events(b: _Builder, cal: pd.DataFrame, event_day: np.ndarray) -> None:
    for (event, kind), rows in cal.groupby(["event", "kind"], sort=True):
        mult = rows["multiplier"].dropna()
        mean = float(np.log(mult.iloc[0])) if kind == "user" and len(mult) else 0.0
        pos, offs = rows["_pos"].to_numpy(), rows["offset"].to_numpy()
        offsets = np.unique(offs)
        block = np.zeros((len(b.dates), len(offsets)))
        block[pos, np.searchsorted(offsets, offs)] = 1.0
        index = {int(off): b.add(f"ev:{event}:{off}", block[:, i]) for i, off in enumerate(offsets)}
        event_day[pos] = True
        for off in index:
            if off + 1 in index:
                b.prior({index[off]: 1.0, index[off + 1]: -1.0}, TAU_EVENT_STEP)
        if kind == "user":
            for off in index:
                b.prior({index[off]: 1.0}, TAU_USER, mean)
        else:
            b.prior({index[int(offsets[0])]: 1.0}, TAU_EVENT_EDGE)
            b.prior({index[int(offsets[-1])]: 1.0}, TAU_EVENT_EDGE)
            for off in index:
                b.prior({index[off]: 1.0}, TAU_WEAK)


def _add_holidays(b: _Builder, cal: pd.DataFrame, dow: np.ndarray, weekend: frozenset[int],
                  event_day: np.ndarray) -> None:
    if cal.empty:
        return
    on = cal[cal["phase"] == "holiday"]
    pos_on = on["_pos"].to_numpy()
    is_weekend = np.isin(dow[pos_on], list(weekend))
    event_day[pos_on] = True
    common = {
        "hol:on": pos_on[~is_weekend],
        "hol:on_weekend": pos_on[is_weekend],
        "hol:eve": cal.loc[cal["phase"] == "eve", "_pos"].to_numpy(),
        "hol:next": cal.loc[cal["phase"] == "next", "_pos"].to_numpy(),
    }
    holiday_day = np.zeros(len(b.dates), dtype=bool)
    holiday_day[pos_on] = True
    for name, pos in common.items():
        col = np.zeros(len(b.dates))
        col[pos] = 1.0
        if name in ("hol:eve", "hol:next"):
            col[holiday_day] = 0.0  # a day both next to one holiday and on another is a holiday
        j = b.add(name, col)
        b.prior({j: 1.0}, TAU_WEAK)
    for name, rows in on.groupby("event", sort=True):
        col = np.zeros(len(b.dates))
        col[rows["_pos"].to_numpy()] = 1.0
        j = b.add(f"hol:{name}", col)
        b.prior({j: 1.0}, TAU_HOLIDAY_DEV)
