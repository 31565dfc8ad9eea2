"""Forecasting stage: daily inquiry volume per shop with quantiles. Knows nothing of OR-Tools."""

from .baseline import SeasonalNaive
from .calendar import CalendarSpec, UserEvent, event_calendar
from .metrics import score_table
from .models import EventRegression
from .pipeline import ForecastError, ForecastSettings, backtest, forecast, quantile_column

__all__ = ["SeasonalNaive", "EventRegression", "CalendarSpec", "UserEvent", "event_calendar", "forecast",
           "backtest", "score_table", "quantile_column", "ForecastError", "ForecastSettings"]
