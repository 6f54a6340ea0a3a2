"""The parity fixture: raw API requests (absent fields, NaN-producing and extreme values included), the
float32 vectors features.py derives from them, and XGBoost's own probabilities for those vectors.

The TypeScript tests replay it: deriveFeatures must give the same vectors bit for bit, and onnxruntime on
model.onnx must give XGBoost's probabilities within 1e-6.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from features import API_FIELDS, derive

Raw = dict[str, float]

SAMPLED_ROWS = 800
SAMPLED_WITH_ABSENT = 200


def _edge_cases(typical: Raw) -> list[tuple[str, Raw]]:
    p, m = typical["price"], typical["midprice"]
    r1, r5, v = typical["return_1s"], typical["return_5s"], typical["volatility"]
    cases: list[tuple[str, Raw]] = [
        ("all absent", {}),
        ("zero volatility", {**typical, "volatility": 0.0}),
        ("negative volatility", {**typical, "volatility": -1e-4}),
        ("tiny volatility: shock overflows float32", {**typical, "volatility": 1e-300}),
        ("float32-subnormal volatility", {**typical, "volatility": 1e-45}),
        ("float64-subnormal volatility", {**typical, "volatility": 5e-324}),
        ("huge volatility beyond float32", {**typical, "volatility": 1e39}),
        ("huge volatility", {**typical, "volatility": 1e300}),
        ("volatility at float32 max", {**typical, "volatility": 3.4028234663852886e38}),
        ("large volatility", {**typical, "volatility": 0.5}),
        ("extreme positive 1s return", {**typical, "return_1s": 0.5}),
        ("extreme negative 1s return", {**typical, "return_1s": -0.9}),
        ("absurd 1s return", {**typical, "return_1s": 1e300}),
        ("extreme 5s return", {**typical, "return_5s": -2.0}),
        ("negative zero 5s return", {**typical, "return_5s": -0.0}),
        ("zero returns", {**typical, "return_1s": 0.0, "return_5s": 0.0}),
        ("price equals mid", {**typical, "price": m}),
        ("zero midprice", {**typical, "midprice": 0.0}),
        ("zero price and mid", {**typical, "price": 0.0, "midprice": 0.0}),
        ("negative midprice", {**typical, "midprice": -m}),
        ("price far from mid", {**typical, "price": m * 1.5}),
        ("huge price, tiny mid", {**typical, "price": 1e300, "midprice": 1e-300}),
        ("tiny prices", {**typical, "price": 1e-12, "midprice": 1.1e-12}),
        ("spike-like: big shock, wide spread", {"price": m * 1.002, "midprice": m, "return_1s": 0.004, "return_5s": 0.008, "volatility": 8 * v}),
        ("calm", {"price": m * (1 + 2e-5), "midprice": m, "return_1s": 1e-6, "return_5s": -2e-6, "volatility": v / 4}),
    ]
    for field in API_FIELDS:
        cases.append((f"only {field} absent", {k: x for k, x in typical.items() if k != field}))
        cases.append((f"only {field} present", {field: typical[field]}))
    for vol in (1e-6, 5e-5, 1e-4, 2e-4, 4e-4, 8e-4, 1.6e-3, 3.2e-3):
        for shock in (0.0, 1.0, 3.0, 10.0):
            cases.append(
                (f"grid vol {vol} shock {shock}", {"price": p, "midprice": m, "return_1s": shock * vol, "return_5s": r5 + r1, "volatility": vol})
            )
    return cases


def _encode(x: float) -> float | None:
    # JSON has no NaN: null stands for a missing (NaN) feature.
    return None if math.isnan(x) else x


def build(
    raw_columns: dict[str, np.ndarray], candidate_rows: np.ndarray, positives: np.ndarray, rng: np.random.Generator, predict: Any
) -> dict[str, Any]:
    """candidate_rows: holdout row indices; positives: those labelled spike (over-sampled so both classes show)."""
    n_pos = min(SAMPLED_ROWS // 4, positives.size)
    picked = np.concatenate(
        [rng.choice(positives, n_pos, replace=False), rng.choice(candidate_rows, SAMPLED_ROWS - n_pos, replace=False)]
    )
    picked.sort()

    def raw_at(i: int) -> Raw:
        return {f: float(raw_columns[f][i]) for f in API_FIELDS if not math.isnan(float(raw_columns[f][i]))}

    rows: list[tuple[str, Raw]] = [("holdout", raw_at(int(i))) for i in picked]
    for i in rng.choice(candidate_rows, SAMPLED_WITH_ABSENT, replace=False):
        raw = raw_at(int(i))
        keep = rng.random(len(API_FIELDS)) >= 0.4
        rows.append(("holdout, some fields absent", {f: x for f, x in raw.items() if keep[API_FIELDS.index(f)]}))
    rows += _edge_cases(raw_at(int(picked[0])))

    vectors = np.stack([derive(raw) for _, raw in rows])
    probabilities = predict(vectors)
    return {
        "description": (
            "Raw API requests (absent key = missing field), the float32 feature vectors models/training/features.py "
            "derives (null = NaN/missing) and XGBoost's predicted spike probability for that vector."
        ),
        "feature_names": None,  # filled by train.py
        "rows": [
            {
                "case": case,
                "raw": raw,
                "features": [_encode(float(x)) for x in vec],
                "xgb_probability": float(prob),
            }
            for (case, raw), vec, prob in zip(rows, vectors, probabilities)
        ],
    }
