"""Regenerate every artifact in models/artifacts/ from a fixed seed: `npm run models:train`.

Steps: synthetic series -> stationary features and the 60 s-ahead spike label -> time split -> XGBoost ->
ONNX (export_onnx.py) -> baseline.json -> parity.json -> model-card.json. Deterministic: running it twice
gives byte-identical artifacts (no timestamps, fixed seeds, fixed thread count).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import baseline  # noqa: E402
import dataset  # noqa: E402
import export_onnx  # noqa: E402
import parity  # noqa: E402
import xgboost as xgb  # noqa: E402
from features import FEATURE_NAMES  # noqa: E402
from metrics import summary, threshold_metrics  # noqa: E402
from onnx_numpy import predict_proba as onnx_numpy_predict  # noqa: E402
from synthetic import WINDOW_S, generate  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
SEED = 20261127
N_ROWS = 200_000
# The serving threshold is chosen on a validation slice inside the training period (F1-maximising on a
# 0.01 grid), never on the holdout: at 0.5 the model flags only the most certain spikes (recall ~0.14).
THRESHOLD_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)
VALIDATION_FRACTION = 0.25  # last quarter of the training rows, after a gap
# Chosen on a validation slice at the end of the training period (last quarter, after a gap), never on the
# holdout: depth 3 / eta 0.05 / 400 rounds ranked best of the few settings tried.
XGB_PARAMS: dict[str, Any] = {
    "objective": "binary:logistic",
    "eval_metric": "logloss",
    "tree_method": "hist",
    "max_depth": 3,
    "eta": 0.05,
    "min_child_weight": 10,
    "subsample": 0.8,
    "lambda": 1.0,
    "seed": SEED,
    "nthread": 1,
}
N_ROUNDS = 400


def _json(obj: Any) -> str:
    return json.dumps(obj, indent=2, sort_keys=False) + "\n"


def _round(metrics: dict[str, float | int]) -> dict[str, float | int]:
    return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in metrics.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ARTIFACTS, help="artifact folder (default: models/artifacts)")
    out: Path = parser.parse_args().out
    rng = np.random.default_rng(SEED + 1)
    series = generate(N_ROWS, SEED)
    split = dataset.split_rows(N_ROWS)
    threshold = dataset.label_threshold(series, split)
    y_all = dataset.labels(series, threshold)
    raw = dataset.api_columns(series)

    train_raw = dataset.with_missing({k: v[split.train] for k, v in raw.items()}, rng, dataset.TRAIN_MISSING_RATE)
    x_train = dataset.features_of(train_raw)
    y_train = y_all[split.train]
    x_hold = dataset.features_of({k: v[split.holdout] for k, v in raw.items()})
    y_hold = y_all[split.holdout]

    def fit(x: np.ndarray, y: np.ndarray) -> xgb.Booster:
        return xgb.train(XGB_PARAMS, xgb.DMatrix(x, label=y, missing=np.nan, feature_names=FEATURE_NAMES), N_ROUNDS)

    # Validation model: fit on the first part of the training rows, pick the threshold on the rest.
    n_fit = int(x_train.shape[0] * (1 - VALIDATION_FRACTION))
    validation_model = fit(x_train[:n_fit], y_train[:n_fit])
    x_val, y_val = x_train[n_fit + dataset.GAP_ROWS :], y_train[n_fit + dataset.GAP_ROWS :]
    p_val = validation_model.predict(xgb.DMatrix(x_val, missing=np.nan, feature_names=FEATURE_NAMES))
    f1_by_threshold = [float(threshold_metrics(y_val, p_val, float(t))["f1"]) for t in THRESHOLD_GRID]
    serving_threshold = float(THRESHOLD_GRID[int(np.argmax(f1_by_threshold))])

    booster = fit(x_train, y_train)

    def predict(x: np.ndarray) -> np.ndarray:
        return booster.predict(xgb.DMatrix(x.astype(np.float32), missing=np.nan, feature_names=FEATURE_NAMES))

    p_hold = predict(x_hold)
    base_params = baseline.fit(series.volatility[split.train])
    b_hold = baseline.predict_proba(base_params, series.volatility[split.holdout])

    model_json = export_onnx.booster_json(booster)
    onnx_model = export_onnx.convert(model_json, len(FEATURE_NAMES), doc="Guardrail volatility-spike classifier")
    onnx_bytes = onnx_model.SerializeToString()
    model_version = "xgb-" + hashlib.sha256(onnx_bytes).hexdigest()[:12]

    fixture = parity.build(raw, np.arange(split.holdout.start, split.holdout.stop), np.flatnonzero(y_all[split.holdout]) + split.holdout.start, rng, predict)
    fixture["feature_names"] = FEATURE_NAMES
    fixture["model_version"] = model_version
    fixture_x = np.array([[np.nan if v is None else v for v in r["features"]] for r in fixture["rows"]], dtype=np.float32)
    fixture_p = np.array([r["xgb_probability"] for r in fixture["rows"]])
    # The converter's own check, before onnxruntime sees the file: walking the exported node arrays with
    # numpy must reproduce XGBoost on the fixture and the holdout.
    converter_gap = max(
        float(np.max(np.abs(onnx_numpy_predict(onnx_model, fixture_x) - fixture_p))),
        float(np.max(np.abs(onnx_numpy_predict(onnx_model, x_hold) - p_hold))),
    )
    if converter_gap > 1e-6:
        raise SystemExit(f"ONNX conversion differs from XGBoost by {converter_gap}")

    ml = _round(summary(y_hold, p_hold, serving_threshold))
    base = _round(summary(y_hold, b_hold, serving_threshold))
    vol_hold = np.nan_to_num(series.volatility[split.holdout], nan=0.0)
    vol_rank = summary(y_hold, vol_hold, float("inf"))
    card = {
        "model_version": model_version,
        "model_type": "xgboost 1.7 binary:logistic, exported to ONNX ai.onnx.ml TreeEnsembleClassifier",
        "task": "probability that realised volatility over the next 60 s exceeds the training period's 95th percentile",
        "features": FEATURE_NAMES,
        "feature_derivation": "service/model/features.ts (TypeScript) == models/training/features.py (Python), bit-identical float32; non-finite -> missing",
        "serving_threshold": serving_threshold,
        "serving_threshold_note": (
            "spike predicted when probability >= serving_threshold; precision/recall/F1 below are at this threshold. "
            "Chosen as the F1-maximising value on a 0.01 grid on a validation slice inside the training period "
            "(model fitted on the first 75% of training rows, scored on the last 25% after a gap), never on the holdout."
        ),
        "validation": {
            "rows": int(y_val.size),
            "f1_at_serving_threshold": round(max(f1_by_threshold), 6),
            "f1_at_0_5": round(f1_by_threshold[int(np.flatnonzero(THRESHOLD_GRID == 0.5)[0])], 6),
        },
        "onnx_input": {"name": export_onnx.INPUT_NAME, "type": "float32", "shape": ["N", len(FEATURE_NAMES)]},
        "onnx_outputs": [
            {"name": export_onnx.OUTPUT_LABEL, "type": "int64", "shape": ["N"]},
            {"name": export_onnx.OUTPUT_PROBABILITIES, "type": "float32", "shape": ["N", 2], "note": "column 1 is P(spike)"},
        ],
        "onnx_opsets": {"": export_onnx.OPSET_DEFAULT, "ai.onnx.ml": export_onnx.OPSET_ML, "ir_version": export_onnx.IR_VERSION},
        "training_seed": SEED,
        "xgboost_params": XGB_PARAMS,
        "xgboost_rounds": N_ROUNDS,
        "label": {
            "definition": "1 if std of the next 60 one-second log returns of the mid > threshold, else 0",
            "horizon_s": WINDOW_S,
            "percentile_of_training_period": dataset.LABEL_PERCENTILE,
            "threshold": float(threshold),
            "positive_rate_train": round(float(y_train.mean()), 6),
            "positive_rate_holdout": round(float(y_hold.mean()), 6),
        },
        "data": {
            "source": "synthetic 1 s crypto series (models/training/synthetic.py): regime-switching GARCH(1,1), student-t(4) shocks, jumps, volatility-dependent spread",
            "rows_generated": N_ROWS,
            "volatility_field": "population std of the last 60 one-second log returns of the mid",
        },
        "split": {
            "kind": "time-based: train, then a gap, then holdout",
            "train_rows": int(split.train.stop - split.train.start),
            "gap_rows": int(split.gap.stop - split.gap.start),
            "holdout_rows": int(split.holdout.stop - split.holdout.start),
            "train_index": [split.train.start, split.train.stop],
            "holdout_index": [split.holdout.start, split.holdout.stop],
            "train_missing_rate_per_field": dataset.TRAIN_MISSING_RATE,
        },
        "holdout_metrics": {
            "ml": ml,
            "baseline": base,
            "ml_at_0_5": {k: v for k, v in _round(summary(y_hold, p_hold, 0.5)).items() if k not in ("roc_auc", "pr_auc")},
            "volatility_ranking": {
                "roc_auc": round(vol_rank["roc_auc"], 6),
                "pr_auc": round(vol_rank["pr_auc"], 6),
                "note": "the raw `volatility` field used as a score: the best any threshold rule on volatility alone can rank",
            },
        },
        "margin_ml_minus_baseline": {
            "roc_auc": round(ml["roc_auc"] - base["roc_auc"], 6),
            "pr_auc": round(ml["pr_auc"] - base["pr_auc"], 6),
        },
        "baseline_artifact": "baseline.json",
        "parity": {"fixture": "parity.json", "rows": len(fixture["rows"]), "numpy_converter_max_abs_diff": converter_gap},
    }

    out.mkdir(parents=True, exist_ok=True)
    (out / "model.onnx").write_bytes(onnx_bytes)
    (out / "baseline.json").write_text(_json(base_params))
    (out / "parity.json").write_text(json.dumps(fixture, separators=(",", ":")) + "\n")
    (out / "model-card.json").write_text(_json(card))
    print(json.dumps({"model_version": model_version, "holdout": card["holdout_metrics"], "converter_gap": converter_gap}, indent=1))
    for name in ("model.onnx", "baseline.json", "parity.json", "model-card.json"):
        print(f"{name}: {os.path.getsize(out / name)} bytes")


if __name__ == "__main__":
    main()
