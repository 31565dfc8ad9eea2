"""Seasonal-naive weekly baseline with quantiles from its own historical errors.

This is honestly a baseline: the forecast for a day is the volume of the same weekday in the
last observed week. Its quantiles come from the empirical distribution of how far such a
forecast missed in the past at the same lead (``log1p(y_t) - log1p(y_{t-k})`` with ``k`` the
lag the naive forecast uses at that horizon), so the intervals widen with the horizon and are
as honest as the history they were measured on.
"""

from __future__ import annotations

import numpy as np


class SeasonalNaive:
    """Seasonal naive forecaster for one daily series.

    ``fit(y)`` takes the history as a 1-d array of consecutive days (NaN allowed for missing
    days); ``predict(h, quantiles)`` returns an array ``(h, len(quantiles))``.
    """

    name = "seasonal-naive (weekly baseline)"

    def __init__(self, season: int = 7, error_window: int = 365):
        self.season = season
        self.error_window = error_window

    def fit(self, y: np.ndarray) -> "SeasonalNaive":
        y = np.asarray(y, dtype=float)
        if len(y) < 2 * self.season:
            raise ValueError(f"need at least {2 * self.season} days of history, got {len(y)}")
        self.y_ = y
        last = y[-self.season:].copy()
        # a missing day in the last week falls back to the same weekday further back
        for i in np.flatnonzero(np.isnan(last)):
            back = y[len(y) - self.season + i::-self.season]
            back = back[~np.isnan(back)]
            last[i] = back[0] if len(back) else np.nanmean(y)
        self.last_season_ = last
        return self

    def _errors(self, lag: int) -> np.ndarray:
        z = np.log1p(np.clip(self.y_, 0, None))
        e = z[lag:] - z[:-lag]
        e = e[-self.error_window:]
        return e[~np.isnan(e)]

    def predict(self, h: int, quantiles: list[float]) -> np.ndarray:
        out = np.empty((h, len(quantiles)))
        point = np.log1p(self.last_season_)
        cache: dict[int, np.ndarray] = {}
        for step in range(h):
            lag = self.season * (step // self.season + 1)
            if lag not in cache:
                errs = self._errors(min(lag, len(self.y_) - self.season))
                cache[lag] = np.quantile(errs, quantiles) if len(errs) else np.zeros(len(quantiles))
            out[step] = np.expm1(point[step % self.season] + cache[lag])
        return np.clip(out, 0, None)
