"""Small forecasters on arrays: ``fit(y, X, ...) -> self``, ``predict(h, X, quantiles)``.

:class:`EventRegression` is the main model: a linear model of ``log1p(volume)`` on the design
of :mod:`forecasts.features` (weekday, trend with knots, yearly terms, event and holiday
effects) with the design's priors as extra rows (a Gaussian prior, i.e. a ridge towards the
prior means, scaled by the series' own noise). The final fit is a statsmodels OLS on that
augmented system (``result_`` keeps it, for the coefficients and their explanation).

Its quantiles are honest by construction: the model is refitted at several earlier origins
inside the history, forecasts the following weeks out of sample, and the quantiles are the
empirical quantiles of those errors (log scale) added to the point forecast. The refits solve
the same penalised least squares through prefix Gram matrices (one pass over the data for all
origins), which is what makes 100 shops x 3 years fit in seconds; a test checks that this
solver and the statsmodels fit agree.
"""

from __future__ import annotations

import numpy as np
import statsmodels.api as sm

from ._blas import single_blas_thread
from .baseline import SeasonalNaive

__all__ = ["EventRegression", "SeasonalNaive", "robust_noise", "penalised_lstsq"]


def robust_noise(z: np.ndarray, season: int = 7) -> float:
    """Noise level of a log series from its weekly differences (MAD, robust to events)."""
    d = z[season:] - z[:-season]
    d = d[~np.isnan(d)]
    if len(d) < 5:
        return 0.1
    return max(1.4826 * float(np.median(np.abs(d - np.median(d)))) / np.sqrt(2), 0.02)


def _augment(z, X, P, t, sigma):
    ok = ~np.isnan(z)
    return np.vstack([X[ok], sigma * P]), np.concatenate([z[ok], sigma * t])


def penalised_lstsq(gram: np.ndarray, xty: np.ndarray, P: np.ndarray, t: np.ndarray, sigma: float) -> np.ndarray:
    """Minimiser of ``|z - X b|^2 + sigma^2 |P b - t|^2`` from ``X'X`` and ``X'z``.

    The same solution statsmodels OLS finds on the augmented rows ``[X; sigma P]``, from the
    normal equations (a tiny jitter keeps columns with no data and no prior solvable).
    """
    A = gram + sigma**2 * (P.T @ P)
    b = xty + sigma**2 * (P.T @ t)
    A[np.diag_indices_from(A)] += 1e-9 * max(1.0, float(np.trace(A)) / len(A))
    try:
        return np.linalg.solve(A, b)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(A, b, rcond=None)[0]


class EventRegression:
    """Log-linear regression with priors, outlier screening and calibrated quantiles.

    ``fit(y, X, penalty, target, event_day)``: `y` daily volumes (NaN = missing day), `X` the
    regressors of those days, ``penalty @ beta ~ target`` the prior rows (unit scale),
    `event_day` marks days whose large residuals are events, not outliers.
    ``predict(h, X_future, quantiles)`` returns ``(h, len(quantiles))`` volumes.

    Calibration refits the model at up to `calibration_origins` origins `origin_step` days
    apart, each forecasting `calibration_horizon` days out of sample; a residual more than
    `outlier_z` robust standard deviations off on a day without events is left out of the fit
    (``outliers_`` lists those days).
    """

    name = "event regression (log OLS, statsmodels)"

    def __init__(self, calibration_origins: int = 12, origin_step: int = 28, calibration_horizon: int = 35,
                 min_train: int = 56, outlier_z: float = 5.0):
        self.calibration_origins = calibration_origins
        self.origin_step = origin_step
        self.calibration_horizon = calibration_horizon
        self.min_train = min_train
        self.outlier_z = outlier_z

    def fit(self, y: np.ndarray, X: np.ndarray, penalty: np.ndarray | None = None,
            target: np.ndarray | None = None, event_day: np.ndarray | None = None) -> "EventRegression":
        with single_blas_thread():  # small dense problems: extra BLAS threads only spin
            return self._fit(y, X, penalty, target, event_day)

    def _fit(self, y, X, penalty, target, event_day) -> "EventRegression":
        y = np.asarray(y, dtype=float)
        X = np.asarray(X, dtype=float)
        n, k = X.shape
        if len(y) != n:
            raise ValueError(f"y has {len(y)} days but X has {n} rows")
        P = np.zeros((0, k)) if penalty is None else np.asarray(penalty, dtype=float)
        t = np.zeros(len(P)) if target is None else np.asarray(target, dtype=float)
        event_day = np.zeros(n, dtype=bool) if event_day is None else np.asarray(event_day, dtype=bool)
        z = np.log1p(np.clip(y, 0, None))
        self.sigma_ = robust_noise(z)
        ok = ~np.isnan(z)
        beta = penalised_lstsq(X[ok].T @ X[ok], X[ok].T @ z[ok], P, t, self.sigma_)
        resid = z - X @ beta
        scale = 1.4826 * np.nanmedian(np.abs(resid - np.nanmedian(resid)))
        self.outliers_ = np.flatnonzero((np.abs(resid) > self.outlier_z * max(scale, 0.02)) & ~event_day & ok)
        if len(self.outliers_):
            z = z.copy()
            z[self.outliers_] = np.nan
        exog, endog = _augment(z, X, P, t, self.sigma_)
        self.result_ = sm.OLS(endog, exog, hasconst=True).fit()  # pinv: one SVD (qr would add a second)
        self.params_ = np.asarray(self.result_.params)
        self.z_ = z
        self.residuals_ = self._calibration_residuals(z, X, P, t)
        return self

    def _origins(self, n: int) -> list[int]:
        h = self.calibration_horizon
        full = [n - h - self.origin_step * j for j in range(self.calibration_origins)]
        full = [o for o in full if o >= self.min_train]
        if len(full) >= 3:
            return sorted(full)
        # short history: weekly origins whose windows may be cut at the end of the history
        return sorted(o for o in (n - 7 * j for j in range(1, self.calibration_origins + 1)) if o >= self.min_train)

    def _calibration_residuals(self, z: np.ndarray, X: np.ndarray, P: np.ndarray, t: np.ndarray) -> np.ndarray:
        ok = ~np.isnan(z)
        Xz = np.where(ok[:, None], X, 0.0)
        zz = np.where(ok, z, 0.0)
        gram, xty, done = np.zeros((X.shape[1], X.shape[1])), np.zeros(X.shape[1]), 0
        out = []
        for o in self._origins(len(z)):
            gram += Xz[done:o].T @ Xz[done:o]
            xty += Xz[done:o].T @ zz[done:o]
            done = o
            beta = penalised_lstsq(gram.copy(), xty.copy(), P, t, self.sigma_)
            end = min(o + self.calibration_horizon, len(z))
            e = z[o:end] - X[o:end] @ beta
            out.append(e[~np.isnan(e)])
        res = np.concatenate(out) if out else np.array([])
        if len(res) < 20:
            # too little history to measure: in-sample residuals, widened for parameter error
            e = z - X @ self.params_
            res = e[~np.isnan(e)] * 1.5
        return res

    def predict(self, h: int, X_future: np.ndarray, quantiles: list[float]) -> np.ndarray:
        X_future = np.asarray(X_future, dtype=float)[:h]
        point = X_future @ self.params_
        offsets = np.quantile(self.residuals_, quantiles) if len(self.residuals_) else np.zeros(len(quantiles))
        return np.clip(np.expm1(point[:, None] + offsets[None, :]), 0, None)

    def effects(self, names: list[str]) -> dict[str, float]:
        """Fitted multiplier ``exp(coef)`` of each named regressor (event and weekday effects)."""
        return {n: float(np.exp(b)) for n, b in zip(names, self.params_)}
