"""Python twin of service/model/features.ts: the five API fields -> the model's float32 input vector.

Both sides compute in float64 and round to float32 once at the end, so the vectors agree bit for bit
(test/unit/models/feature-parity.test.ts checks it on models/artifacts/parity.json). Keep the two files
in lock-step: same names, same order, same formulas, same NaN rules.

Absolute price levels never reach the model: a split such as `price < 30365` is meaningless next week.
Every input is scale-free: a relative spread, absolute and signed returns, volatility and ratios to it.
The ratios to volatility (shock_1s, spread_to_vol, shock_5s) were chosen on a validation slice inside the
training period, never on the holdout.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

FEATURE_NAMES = [
    "rel_spread",
    "abs_return_1s",
    "abs_return_5s",
    "volatility",
    "shock_1s",
    "return_5s",
    "spread_to_vol",
    "shock_5s",
]

API_FIELDS = ["price", "midprice", "return_1s", "return_5s", "volatility"]


def derive_columns(
    price: np.ndarray, mid: np.ndarray, r1: np.ndarray, r5: np.ndarray, vol: np.ndarray
) -> np.ndarray:
    """Vectorised derivation over float64 columns (NaN = absent). Returns float32 [N, len(FEATURE_NAMES)]."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        rel_spread = np.abs(price - mid) / mid
        # A shock in units of current volatility; zero or negative volatility gives no meaningful ratio.
        positive_vol = np.where(vol > 0, vol, 1.0)
        shock = np.where(vol > 0, np.abs(r1) / positive_vol, np.nan)
        # The quoted spread relative to trailing volatility: market makers price the CURRENT conditional
        # volatility into the spread, so a spread wide for the trailing volatility hints that it is rising.
        spread_to_vol = np.where(vol > 0, rel_spread / positive_vol, np.nan)
        shock_5s = np.where(vol > 0, np.abs(r5) / positive_vol, np.nan)
        columns = [rel_spread, np.abs(r1), np.abs(r5), vol, shock, r5, spread_to_vol, shock_5s]
        out = np.stack(columns, axis=1).astype(np.float32)
    # XGBoost refuses infinities, and a value that overflowed float32 (or came from x/0) carries no
    # comparable magnitude: both sides treat any non-finite result as missing.
    out[~np.isfinite(out)] = np.nan
    return out


def derive(raw: Mapping[str, float]) -> np.ndarray:
    """One request's raw fields (absent key = missing) -> float32 vector."""

    def col(name: str) -> np.ndarray:
        return np.array([float(raw[name]) if name in raw else np.nan], dtype=np.float64)

    return derive_columns(*(col(f) for f in API_FIELDS))[0]
