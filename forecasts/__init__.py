"""Forecasting stage: daily inquiry volume per shop with quantiles. Knows nothing of OR-Tools."""

from .baseline import SeasonalNaive
from .pipeline import ForecastError, forecast, quantile_column

__all__ = ["SeasonalNaive", "forecast", "quantile_column", "ForecastError"]
