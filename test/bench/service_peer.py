"""The seed's serving stack as a benchmark peer: FastAPI + uvicorn + xgboost (Debian packages), one
process, the same POST /predict contract and the same feature derivation (models/training/features.py),
with prometheus-client request metrics as the seed had. Run by test/bench/service-bench.ts:

    /usr/bin/python3 test/bench/service_peer.py --port 8123 --cache-dir /tmp/guardrail-bench

The training run does not save an XGBoost model file (models/artifacts holds only the ONNX export), so the
peer re-runs models/training/train.py with its output redirected to the cache dir and keeps the booster it
trains (same seed, same data, same parameters: deterministic). It then checks that the ONNX export of that
booster hashes to the committed model card's model_version, i.e. that it serves the very same model.
"""


import argparse
import contextlib
import json
import sys
import time
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "models" / "training"))

import numpy as np  # noqa: E402
import xgboost as xgb  # noqa: E402
from pydantic import BaseModel  # noqa: E402


class Features(BaseModel):
    """The seed's request body: five optional floats (absent = missing)."""

    price: Optional[float] = None
    midprice: Optional[float] = None
    return_1s: Optional[float] = None
    return_5s: Optional[float] = None
    volatility: Optional[float] = None


def load_booster(cache_dir: Path) -> tuple[xgb.Booster, str, str]:
    """Returns (booster, model_version of the retrained export, note)."""
    card = json.loads((ROOT / "models" / "artifacts" / "model-card.json").read_text())
    want = card["model_version"]
    saved = sorted((ROOT / "models" / "artifacts").glob("*xgb*.json")) + sorted((ROOT / "models" / "artifacts").glob("*.ubj"))
    if saved:
        booster = xgb.Booster()
        booster.load_model(str(saved[0]))
        return booster, want, f"loaded {saved[0].name}"
    cached = cache_dir / f"{want}.json"
    if cached.exists():
        booster = xgb.Booster()
        booster.load_model(str(cached))
        return booster, want, f"cached retrain {cached}"
    import train  # noqa: E402  (models/training/train.py)

    captured: list[xgb.Booster] = []
    real_train = train.xgb.train

    def capture(*args, **kwargs):  # type: ignore[no-untyped-def]
        booster = real_train(*args, **kwargs)
        captured.append(booster)
        return booster

    out = cache_dir / "retrain"
    out.mkdir(parents=True, exist_ok=True)
    train.xgb.train = capture
    # Older train.py writes to its ARTIFACTS global; newer takes --out (defaulting to that global): patch
    # the global and hide our own argv, so either writes into the cache dir, never models/artifacts.
    train.ARTIFACTS = out
    argv, sys.argv = sys.argv, [sys.argv[0]]
    started = time.monotonic()
    try:
        with contextlib.redirect_stdout(sys.stderr):
            train.main()
    finally:
        sys.argv = argv
    got = json.loads((out / "model-card.json").read_text())["model_version"]
    booster = captured[-1]
    note = f"retrained in {time.monotonic() - started:.1f} s; export {'matches' if got == want else 'DIFFERS FROM'} the committed {want}"
    if got == want:
        booster.save_model(str(cached))
    return booster, got, note


def build_app(booster: xgb.Booster, model_version: str):  # type: ignore[no-untyped-def]
    from fastapi import FastAPI, Request, Response
    from features import FEATURE_NAMES, derive  # models/training/features.py
    from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

    threshold = json.loads((ROOT / "models" / "artifacts" / "model-card.json").read_text())["serving_threshold"]
    requests_total = Counter("http_requests_total", "requests", ["method", "route", "status_code"])
    duration = Histogram("http_request_duration_seconds", "latency", ["method", "route", "status_code"])

    app = FastAPI()

    @app.middleware("http")
    async def metrics(request: Request, call_next):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        response = await call_next(request)
        labels = (request.method, request.url.path, str(response.status_code))
        requests_total.labels(*labels).inc()
        duration.labels(*labels).observe(time.perf_counter() - start)
        return response

    @app.post("/predict")
    def predict(body: Features) -> dict:  # type: ignore[type-arg]
        raw = {k: v for k, v in body.dict().items() if v is not None}
        x = derive(raw).reshape(1, -1)
        p = float(booster.predict(xgb.DMatrix(x, missing=np.nan, feature_names=FEATURE_NAMES))[0])
        return {"prediction": int(p >= threshold), "probability": p, "model_version": model_version, "timestamp": time.time()}

    @app.get("/health")
    def health() -> dict:  # type: ignore[type-arg]
        return {"status": "ok", "model_version": model_version}

    @app.get("/metrics")
    def prometheus_metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int)
    parser.add_argument("--cache-dir", type=Path, required=True)
    parser.add_argument("--prepare", action="store_true", help="only train/cache the booster, then exit")
    args = parser.parse_args()
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    booster, version, note = load_booster(args.cache_dir)
    if args.prepare:
        print(json.dumps({"peer": "prepared", "model_version": version, "note": note}), flush=True)
        return
    if args.port is None:
        parser.error("--port is required unless --prepare")
    booster.set_param({"nthread": 1})
    print(json.dumps({"peer": "ready-to-serve", "model_version": version, "note": note}), flush=True)
    import uvicorn

    uvicorn.run(build_app(booster, version), host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
