"""Real measured series bundled as CSV files in ``data/`` (provenance in ``data/README.md``).

Missing values are never passed on as NaN: each loader applies an explicit policy,
``missing="interpolate"`` (linear in time between the nearest known values),
``"drop"`` (remove those time steps) or ``"raise"``.
"""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

import numpy as np

from .._checks import check_bool

MISSING_POLICIES = ("interpolate", "drop", "raise")


def data_path(filename: str) -> Path:
    """Where a bundled data file lives: inside the installed package, or in the checkout's ``data/``."""
    try:
        path = Path(str(resources.files("rnn_kit.bundled_data") / filename))
    except ModuleNotFoundError:  # an editable install / repository checkout
        path = Path(__file__).resolve().parents[2] / "data" / filename
    if not path.is_file():
        raise FileNotFoundError(f"bundled data file {filename!r} not found at {path}")
    return path


def read_csv(filename: str):
    """Dates (datetime64[D]), float columns (NaN for empty cells) and column names of a bundled CSV."""
    with open(data_path(filename), newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    dates = np.array([r[0] for r in body], dtype="datetime64[D]")
    values = np.array([[float(c) if c.strip() else np.nan for c in r[1:]] for r in body])  # (T, F)
    return dates, values, header[1:]


def _check_missing(missing) -> None:
    if not isinstance(missing, str) or missing not in MISSING_POLICIES:
        raise ValueError(f"missing must be one of {MISSING_POLICIES}, got {missing!r}")


def handle_missing(dates, values, missing: str):
    """Apply a missing-value policy to (T,) dates and (T, F) values; see the module docstring."""
    _check_missing(missing)
    holes = np.isnan(values).any(axis=1)
    if not holes.any():
        return dates, values
    if missing == "raise":
        first = dates[np.flatnonzero(holes)[0]]
        raise ValueError(f"{int(holes.sum())} time steps have missing values (first at {first}); "
                         f"choose missing='interpolate' or 'drop'")
    if missing == "drop":
        return dates[~holes], values[~holes]
    days = dates.astype(np.int64).astype(np.float64)
    filled = values.copy()
    for f in range(values.shape[1]):
        known = ~np.isnan(values[:, f])
        filled[:, f] = np.interp(days, days[known], values[known, f])  # ends hold the nearest value
    return dates, filled


def _monthly_means(dates, values):
    """Average the known values of each calendar month; months with none become NaN."""
    months = dates.astype("datetime64[M]")
    unique = np.unique(months)
    out = np.full((len(unique), values.shape[1]), np.nan)
    for i, m in enumerate(unique):
        rows = values[months == m]
        known = ~np.isnan(rows)
        counts = known.sum(axis=0)
        out[i] = np.where(counts > 0, np.nansum(rows, axis=0) / np.maximum(counts, 1), np.nan)
    return unique.astype("datetime64[D]"), out


def load_co2(*, monthly: bool = True, missing: str = "interpolate"):
    """Atmospheric CO2 at Mauna Loa, 1958-2001 (Keeling & Whorf; public domain).

    A rising trend with a clear yearly cycle. The weekly file has 59 missing weeks.

    Parameters
    ----------
    monthly : bool
        Average the weekly values of each month (526 months) instead of weekly (2284 weeks).
    missing : {"interpolate", "drop", "raise"}
        Policy for weeks (or months) with no measurement.

    Returns
    -------
    dates : ndarray of datetime64[D], shape (T,)
    co2_ppm : ndarray of shape (T,)
    """
    check_bool("monthly", monthly)
    _check_missing(missing)
    dates, values, _ = read_csv("co2_weekly.csv")
    if monthly:
        dates, values = _monthly_means(dates, values)
    dates, values = handle_missing(dates, values, missing)
    return dates, values[:, 0]


def load_weather(*, missing: str = "interpolate"):
    """Daily weather in Seattle, 2012-2015 (NOAA via vega-datasets; public domain).

    Four measured variables per day: precipitation (mm), daily maximum and minimum
    temperature (deg C) and mean wind speed (m/s). 1461 days, none missing.

    Returns
    -------
    dates : ndarray of datetime64[D], shape (T,)
    values : ndarray of shape (T, 4)
    names : list of str
        ``["precipitation_mm", "temp_max_c", "temp_min_c", "wind_m_s"]``.
    """
    _check_missing(missing)
    dates, values, names = read_csv("seattle_weather.csv")
    dates, values = handle_missing(dates, values, missing)
    return dates, values, names
