"""From the synthetic series to (features, label) with a time-based train / gap / holdout split."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from features import derive_columns
from synthetic import WINDOW_S, Series

LABEL_PERCENTILE = 95.0
TRAIN_FRACTION = 0.7
# The label of a row looks WINDOW_S seconds ahead and its volatility WINDOW_S seconds back, so a gap of two
# windows keeps every holdout row's inputs and outcome disjoint from every training row's.
GAP_ROWS = 2 * WINDOW_S
# Share of training rows whose API fields are blanked one by one, so the trees learn where a missing
# field should go (the service accepts requests with absent fields) instead of an arbitrary default.
TRAIN_MISSING_RATE = 0.01


@dataclass(frozen=True)
class Split:
    train: slice
    gap: slice
    holdout: slice


def split_rows(n_rows: int) -> Split:
    first = WINDOW_S  # the first full trailing window
    last = n_rows - WINDOW_S  # the last row whose future window is complete
    train_end = int(n_rows * TRAIN_FRACTION)
    return Split(slice(first, train_end), slice(train_end, train_end + GAP_ROWS), slice(train_end + GAP_ROWS, last))


def api_columns(s: Series) -> dict[str, np.ndarray]:
    return {
        "price": s.price,
        "midprice": s.midprice,
        "return_1s": s.return_1s,
        "return_5s": s.return_5s,
        "volatility": s.volatility,
    }


def with_missing(cols: dict[str, np.ndarray], rng: np.random.Generator, rate: float) -> dict[str, np.ndarray]:
    out = {}
    for name, values in cols.items():
        blank = rng.random(values.size) < rate
        out[name] = np.where(blank, np.nan, values)
    return out


def features_of(cols: dict[str, np.ndarray]) -> np.ndarray:
    return derive_columns(cols["price"], cols["midprice"], cols["return_1s"], cols["return_5s"], cols["volatility"])


def label_threshold(s: Series, split: Split) -> float:
    return float(np.percentile(s.future_volatility[split.train], LABEL_PERCENTILE))


def labels(s: Series, threshold: float) -> np.ndarray:
    return (s.future_volatility > threshold).astype(np.int8)
