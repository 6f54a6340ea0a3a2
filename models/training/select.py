"""How the feature set and the XGBoost settings in train.py were chosen: on a validation slice inside the
training period (the last quarter of the training rows, after a gap), never on the holdout.

Run: /usr/bin/python3 models/training/select.py   (prints a table; writes nothing)
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dataset  # noqa: E402
import train  # noqa: E402
import xgboost as xgb  # noqa: E402
from features import FEATURE_NAMES  # noqa: E402
from metrics import average_precision, roc_auc  # noqa: E402
from synthetic import generate  # noqa: E402

FEATURE_SETS = {
    "first six (rel_spread .. return_5s)": FEATURE_NAMES[:6],
    "+ spread_to_vol": FEATURE_NAMES[:7],
    "+ spread_to_vol + shock_5s": FEATURE_NAMES,
}
SETTINGS = [  # (max_depth, eta, rounds, min_child_weight)
    (4, 0.05, 300, 10),
    (3, 0.05, 400, 10),
    (6, 0.05, 300, 50),
    (4, 0.02, 800, 20),
    (5, 0.1, 150, 100),
]


def main() -> None:
    series = generate(train.N_ROWS, train.SEED)
    split = dataset.split_rows(train.N_ROWS)
    y = dataset.labels(series, dataset.label_threshold(series, split))
    x = dataset.features_of(dataset.api_columns(series))
    start, stop = split.train.start, split.train.stop
    cut = int(start + (stop - start) * (1 - train.VALIDATION_FRACTION))
    fit_rows, val_rows = slice(start, cut - dataset.GAP_ROWS), slice(cut, stop)
    vol = np.nan_to_num(series.volatility[val_rows], nan=0.0)
    print(f"validation rows {val_rows.stop - val_rows.start}, positive rate {y[val_rows].mean():.4f}")
    print(f"volatility alone as a score: ROC-AUC {roc_auc(y[val_rows], vol):.4f}  PR-AUC {average_precision(y[val_rows], vol):.4f}")

    def score(columns: list[str], depth: int, eta: float, rounds: int, mcw: int) -> tuple[float, float]:
        idx = [FEATURE_NAMES.index(c) for c in columns]
        params = {**train.XGB_PARAMS, "max_depth": depth, "eta": eta, "min_child_weight": mcw}
        booster = xgb.train(params, xgb.DMatrix(x[fit_rows][:, idx], label=y[fit_rows], missing=np.nan), rounds)
        p = booster.predict(xgb.DMatrix(x[val_rows][:, idx], missing=np.nan))
        return roc_auc(y[val_rows], p), average_precision(y[val_rows], p)

    # For contrast, the seed's way: the five raw API fields, absolute price level included.
    raw = dataset.api_columns(series)
    raw_x = np.stack([raw[f] for f in ("price", "midprice", "return_1s", "return_5s", "volatility")], axis=1).astype(np.float32)
    params = {**train.XGB_PARAMS, "max_depth": SETTINGS[0][0], "eta": SETTINGS[0][1], "min_child_weight": SETTINGS[0][3]}
    booster = xgb.train(params, xgb.DMatrix(raw_x[fit_rows], label=y[fit_rows], missing=np.nan), SETTINGS[0][2])
    p_raw = booster.predict(xgb.DMatrix(raw_x[val_rows], missing=np.nan))
    print(f"features {'raw API fields (absolute prices)':40s} settings {SETTINGS[0]}: ROC-AUC {roc_auc(y[val_rows], p_raw):.4f}  PR-AUC {average_precision(y[val_rows], p_raw):.4f}")
    for name, columns in FEATURE_SETS.items():
        auc, ap = score(columns, *SETTINGS[0])
        print(f"features {name:40s} settings {SETTINGS[0]}: ROC-AUC {auc:.4f}  PR-AUC {ap:.4f}")
    for setting in SETTINGS[1:]:
        auc, ap = score(FEATURE_NAMES, *setting)
        print(f"features {'all':40s} settings {setting}: ROC-AUC {auc:.4f}  PR-AUC {ap:.4f}")


if __name__ == "__main__":
    main()
