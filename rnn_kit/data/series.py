"""Seeded synthetic time series: a noisy sine, trend + seasonality + noise, related channels."""

from __future__ import annotations

import numpy as np

from .._checks import as_rng, check_positive, check_real


def _time(n_steps, dt, period, **reals):
    """Check the arguments every series shares and return the sample times ``dt * arange(n_steps)``."""
    check_positive("n_steps", n_steps, integer=True)
    check_positive("dt", dt)
    check_positive("period", period)
    for name, value in reals.items():  # amplitude, phase, slope: any finite number
        check_real(name, value)
    return dt * np.arange(n_steps)  # (T,)


def _noise(rng, noise_std, shape):
    check_real("noise_std", noise_std, low=0)
    return noise_std * as_rng(rng).standard_normal(shape)


def sine_wave(n_steps: int = 1000, *, dt: float = 0.1, period: float = 2 * np.pi, amplitude: float = 1.0,
              phase: float = 0.0, noise_std: float = 0.0, rng=None):
    """A sampled sine with optional Gaussian noise of known standard deviation.

    Parameters
    ----------
    n_steps : int
        Number of samples T.
    dt : float
        Time between samples. The defaults (dt=0.1, period=2*pi) give sin(t) with about
        63 samples a period, like ``sin(linspace(0, 100, 1000))``.
    period, amplitude, phase : float
        ``amplitude * sin(2 pi t / period + phase)``.
    noise_std : float
        sigma of the added noise: no predictor can beat MSE sigma**2 on the noisy values.
    rng : numpy.random.Generator, int or None
        Draws the noise; None is fresh entropy (not repeatable), so pass a seed or a Generator.

    Returns
    -------
    t : ndarray of shape (T,)
    values : ndarray of shape (T,)

    Examples
    --------
    >>> t, y = sine_wave(4, dt=np.pi / 2, period=2 * np.pi)
    >>> np.round(y, 6)
    array([ 0.,  1.,  0., -1.])
    """
    t = _time(n_steps, dt, period, amplitude=amplitude, phase=phase)
    return t, amplitude * np.sin(2 * np.pi * t / period + phase) + _noise(rng, noise_std, n_steps)


def trend_seasonal(n_steps: int = 480, *, slope: float = 0.02, period: int = 12, amplitude: float = 1.0,
                   noise_std: float = 0.2, rng=None):
    """``slope * t + amplitude * sin(2 pi t / period) + noise``, sampled at t = 0, 1, 2, ...

    Like monthly data with a yearly cycle (period=12) on a steady rise.

    Returns
    -------
    t : ndarray of shape (T,)
    values : ndarray of shape (T,)
    """
    t = _time(n_steps, 1.0, period, slope=slope, amplitude=amplitude)
    return t, slope * t + amplitude * np.sin(2 * np.pi * t / period) + _noise(rng, noise_std, n_steps)


def multivariate_series(n_steps: int = 1000, n_channels: int = 3, *, dt: float = 0.1,
                        period: float = 2 * np.pi, noise_std: float = 0.05, rng=None):
    """Related channels: channel k is a sine shifted by k/n_channels of a period and scaled by 1 + 0.5 k.

    Each channel leads the next, so the others carry information about where channel 0
    is going: a use for multivariate inputs.

    Returns
    -------
    t : ndarray of shape (T,)
    values : ndarray of shape (T, F) with F = n_channels
    """
    check_positive("n_channels", n_channels, integer=True)
    t = _time(n_steps, dt, period)
    k = np.arange(n_channels)
    clean = (1 + 0.5 * k) * np.sin(2 * np.pi * t[:, None] / period - 2 * np.pi * k / n_channels)  # (T, F)
    return t, clean + _noise(rng, noise_std, clean.shape)
