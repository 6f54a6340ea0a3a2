"""The seed's rule-based baseline, with its bug fixed.

The seed's BaselineModel computed mean and std of `volatility` over the request batch itself, so a single
request (std 0, volatility == mean) could never exceed mean + 2*std: the baseline never predicted a spike
for one request. Here mean and std are fixed from the training period and shipped in baseline.json.
"""

from __future__ import annotations

import numpy as np

THRESHOLD_STD = 2.0
SPIKE_PROBABILITY = 0.8  # the seed's probability for a spike; 0 otherwise


def fit(train_volatility: np.ndarray) -> dict[str, float | str]:
    v = train_volatility[np.isfinite(train_volatility)]
    return {
        "volatility_mean": float(np.mean(v)),
        "volatility_std": float(np.std(v)),
        "threshold_std": THRESHOLD_STD,
        "spike_probability": SPIKE_PROBABILITY,
        "version_note": (
            "mean and std of the `volatility` field fixed from the training period (the seed computed them "
            "per request batch, so a single request could never be a spike); spike when "
            "volatility > volatility_mean + threshold_std * volatility_std; missing volatility is no spike"
        ),
    }


def predict_proba(params: dict[str, float | str], volatility: np.ndarray) -> np.ndarray:
    threshold = float(params["volatility_mean"]) + float(params["threshold_std"]) * float(params["volatility_std"])
    with np.errstate(invalid="ignore"):
        spike = volatility > threshold  # NaN compares False: no spike
    return np.where(spike, float(params["spike_probability"]), 0.0)
