"""A synthetic 1-second crypto price series with the features a volatility model has to cope with.

Why each ingredient is there:
- a hidden Markov regime (calm / normal / turbulent) sets the long-run variance, so volatility comes in
  episodes the way it does around news and liquidations;
- GARCH(1,1) on top of the regime gives volatility clustering second by second;
- student-t innovations (df 4) give the heavy tails of real 1 s returns;
- Poisson jumps, more frequent in turbulence, feed back into the GARCH variance: a large move announces
  more large moves;
- market makers quote a half-spread that widens with the instantaneous conditional volatility, so the
  distance of the last trade from the mid carries information the trailing 60 s volatility does not yet have;
- the price level wanders by tens of percent, so a model that learned absolute levels would not generalise.

Everything comes from one numpy Generator seeded by the caller: the same seed gives the same series.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

WINDOW_S = 60  # trailing window of the `volatility` API field and horizon of the label, in seconds

# Per-second return standard deviation of each regime (about 0.6 %, 1.2 % and 3 % over a minute).
REGIME_SIGMA = np.array([0.8e-4, 1.6e-4, 4.0e-4])
# Per-second transition matrix: mean stay about 40 min calm, 20 min normal, 4 min turbulent.
REGIME_TRANSITIONS = np.array(
    [
        [1 - 1 / 2400, 1 / 2400, 0.0],
        [1 / 2400, 1 - 1 / 1200, 1 / 2400],
        [0.0, 1 / 240, 1 - 1 / 240],
    ]
)
GARCH_ALPHA = 0.06
GARCH_BETA = 0.92
STUDENT_DF = 4.0
JUMP_RATE = np.array([1 / 7200, 1 / 3600, 1 / 600])  # jumps per second, by regime
JUMP_SCALE_SIGMAS = 12.0  # jump size in units of the current conditional sigma
HALF_SPREAD_FLOOR = 0.5e-4  # 0.5 bp: the tightest a liquid book quotes
HALF_SPREAD_PER_SIGMA = 0.6  # how much wider market makers quote per unit of conditional sigma
START_PRICE = 30_000.0
DRIFT_PER_S = 0.0  # no drift: the level still wanders widely through the random walk and the slow trend below
SLOW_TREND_AMPLITUDE = 0.25  # +-25 % slow swing of the level over the series


@dataclass(frozen=True)
class Series:
    """Columns are aligned by second. NaN where a field is not defined yet (warm-up)."""

    price: np.ndarray  # last trade
    midprice: np.ndarray
    return_1s: np.ndarray  # log return of the mid over 1 s
    return_5s: np.ndarray  # log return of the mid over 5 s
    volatility: np.ndarray  # std of the last WINDOW_S 1 s returns (ddof 0)
    future_volatility: np.ndarray  # std of the NEXT WINDOW_S 1 s returns: what the label is about
    regime: np.ndarray


def _regimes(rng: np.random.Generator, n: int) -> np.ndarray:
    regime = np.empty(n, dtype=np.int64)
    state = 1
    uniforms = rng.random(n)
    cumulative = np.cumsum(REGIME_TRANSITIONS, axis=1)
    for t in range(n):
        regime[t] = state
        state = int(np.searchsorted(cumulative[state], uniforms[t], side="right"))
        state = min(state, 2)
    return regime


def _garch_returns(rng: np.random.Generator, regime: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = regime.size
    t_scale = np.sqrt((STUDENT_DF - 2) / STUDENT_DF)  # unit-variance student-t
    shocks = rng.standard_t(STUDENT_DF, n) * t_scale
    jump_draw = rng.random(n)
    jump_size = rng.standard_normal(n)
    long_run_var = REGIME_SIGMA[regime] ** 2
    omega = (1 - GARCH_ALPHA - GARCH_BETA) * long_run_var
    sigma = np.empty(n)
    returns = np.empty(n)
    var = long_run_var[0]
    prev_return = 0.0
    for t in range(n):
        var = omega[t] + GARCH_ALPHA * prev_return**2 + GARCH_BETA * var
        s = np.sqrt(var)
        r = s * shocks[t]
        if jump_draw[t] < JUMP_RATE[regime[t]]:
            r += JUMP_SCALE_SIGMAS * s * jump_size[t]
        # Cap the feedback so one freak jump cannot explode the variance for hours.
        prev_return = float(np.clip(r, -20 * s, 20 * s))
        sigma[t] = s
        returns[t] = r
    return returns, sigma


def rolling_std(x: np.ndarray, window: int) -> np.ndarray:
    """Population std of x[t-window+1 .. t]; NaN until a full window exists."""
    out = np.full(x.size, np.nan)
    c1 = np.concatenate([[0.0], np.cumsum(x)])
    c2 = np.concatenate([[0.0], np.cumsum(x * x)])
    s1 = c1[window:] - c1[:-window]
    s2 = c2[window:] - c2[:-window]
    mean = s1 / window
    out[window - 1 :] = np.sqrt(np.maximum(s2 / window - mean * mean, 0.0))
    return out


def _libm(fn: Callable[[float], float], x: np.ndarray) -> np.ndarray:
    # numpy's vectorised exp/sin use CPU-specific SIMD kernels (AVX-512 SVML here) whose last bits differ
    # from other CPUs'; the C library's scalar functions give the same bits everywhere, which keeps the
    # series, and so the artifacts, byte-identical from one machine to the next.
    return np.fromiter((fn(v) for v in x.tolist()), dtype=np.float64, count=x.size)


def generate(n_rows: int, seed: int) -> Series:
    rng = np.random.default_rng(seed)
    regime = _regimes(rng, n_rows)
    mid_returns, sigma = _garch_returns(rng, regime)
    trend = SLOW_TREND_AMPLITUDE * _libm(math.sin, np.linspace(0, 3 * np.pi, n_rows))
    log_mid = math.log(START_PRICE) + trend + np.cumsum(mid_returns + DRIFT_PER_S)
    # The trend is part of the mid's path, so the API's returns must include it too.
    mid = _libm(math.exp, log_mid)
    r1 = np.full(n_rows, np.nan)
    r1[1:] = np.diff(log_mid)
    r5 = np.full(n_rows, np.nan)
    r5[5:] = log_mid[5:] - log_mid[:-5]

    half_spread = (HALF_SPREAD_FLOOR + HALF_SPREAD_PER_SIGMA * sigma) * rng.lognormal(0.0, 0.25, n_rows)
    # The last trade hits the bid or lifts the offer; sometimes it prints inside the spread.
    side = np.where(rng.random(n_rows) < 0.5, -1.0, 1.0)
    depth = np.where(rng.random(n_rows) < 0.8, 1.0, rng.random(n_rows))
    price = mid * (1.0 + side * depth * half_spread)

    r1_filled = np.nan_to_num(r1, nan=0.0)
    vol = rolling_std(r1_filled, WINDOW_S)
    vol[:WINDOW_S] = np.nan  # the first window includes the undefined first return
    future = np.full(n_rows, np.nan)
    future[: n_rows - WINDOW_S] = vol[WINDOW_S:]  # std of r[t+1 .. t+60]

    return Series(price, mid, r1, r5, vol, future, regime)
