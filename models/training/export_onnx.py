"""Convert an XGBoost binary:logistic booster to an ONNX `ai.onnx.ml.TreeEnsembleClassifier`, without
onnxmltools (not packaged for Debian), straight from XGBoost's own JSON model (`save_raw('json')`).

The mapping, and why it reproduces XGBoost:
- XGBoost sends a row left when `x < split_condition` with both in float32, so every split becomes a
  BRANCH_LT node whose true branch is the left child and whose threshold is the float32 split condition
  (ONNX float attributes are float32, so no second rounding happens);
- a missing value (NaN) follows the node's `default_left`: nodes_missing_value_tracks_true = default_left;
- a leaf's value (stored in split_conditions for leaves) is its class-0 weight; in the binary case
  onnxruntime treats that single score as the positive-class margin;
- XGBoost's margin starts at logit(base_score), hence base_values = [logit(base_score)];
- post_transform LOGISTIC turns the margin into p, and the classifier emits [1 - p, p].

Input `features`: float32 [N, n_features]. Outputs `label` (int64 [N]) and `probabilities` (float32 [N, 2]).
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper

INPUT_NAME = "features"
OUTPUT_LABEL = "label"
OUTPUT_PROBABILITIES = "probabilities"
# onnxruntime-node 1.30 loads these (checked by test/unit/models/onnx-parity.test.ts).
OPSET_DEFAULT = 15
OPSET_ML = 3
IR_VERSION = 8


def _f32(x: float) -> float:
    return float(np.float32(x))


def booster_json(booster: Any) -> dict[str, Any]:
    return json.loads(bytes(booster.save_raw("json")).decode("utf-8"))


def convert(model: dict[str, Any], n_features: int, doc: str = "") -> onnx.ModelProto:
    learner = model["learner"]
    objective = learner["objective"]["name"]
    if objective != "binary:logistic":
        raise ValueError(f"only binary:logistic is supported, got {objective}")
    base_score = float(learner["learner_model_param"]["base_score"])
    trees = learner["gradient_booster"]["model"]["trees"]

    attrs: dict[str, list[Any]] = {
        k: []
        for k in (
            "nodes_treeids",
            "nodes_nodeids",
            "nodes_featureids",
            "nodes_values",
            "nodes_modes",
            "nodes_truenodeids",
            "nodes_falsenodeids",
            "nodes_missing_value_tracks_true",
            "class_treeids",
            "class_nodeids",
            "class_ids",
            "class_weights",
        )
    }
    for tree_id, tree in enumerate(trees):
        left, right = tree["left_children"], tree["right_children"]
        for node_id, (lc, rc) in enumerate(zip(left, right)):
            attrs["nodes_treeids"].append(tree_id)
            attrs["nodes_nodeids"].append(node_id)
            if lc == -1:  # leaf: its value lives in split_conditions
                attrs["nodes_featureids"].append(0)
                attrs["nodes_values"].append(0.0)
                attrs["nodes_modes"].append("LEAF")
                attrs["nodes_truenodeids"].append(0)
                attrs["nodes_falsenodeids"].append(0)
                attrs["nodes_missing_value_tracks_true"].append(0)
                attrs["class_treeids"].append(tree_id)
                attrs["class_nodeids"].append(node_id)
                attrs["class_ids"].append(0)
                attrs["class_weights"].append(_f32(tree["split_conditions"][node_id]))
            else:
                feature = int(tree["split_indices"][node_id])
                if not 0 <= feature < n_features:
                    raise ValueError(f"tree {tree_id} node {node_id} splits on feature {feature}")
                attrs["nodes_featureids"].append(feature)
                attrs["nodes_values"].append(_f32(tree["split_conditions"][node_id]))
                attrs["nodes_modes"].append("BRANCH_LT")
                attrs["nodes_truenodeids"].append(int(lc))
                attrs["nodes_falsenodeids"].append(int(rc))
                attrs["nodes_missing_value_tracks_true"].append(int(tree["default_left"][node_id]))

    node = helper.make_node(
        "TreeEnsembleClassifier",
        inputs=[INPUT_NAME],
        outputs=[OUTPUT_LABEL, OUTPUT_PROBABILITIES],
        domain="ai.onnx.ml",
        name="xgboost_trees",
        classlabels_int64s=[0, 1],
        post_transform="LOGISTIC",
        base_values=[_f32(math.log(base_score / (1.0 - base_score)))],
        **attrs,
    )
    graph = helper.make_graph(
        [node],
        "guardrail_volatility_spike",
        inputs=[helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT, [None, n_features])],
        outputs=[
            helper.make_tensor_value_info(OUTPUT_LABEL, TensorProto.INT64, [None]),
            helper.make_tensor_value_info(OUTPUT_PROBABILITIES, TensorProto.FLOAT, [None, 2]),
        ],
    )
    onnx_model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET_DEFAULT), helper.make_opsetid("ai.onnx.ml", OPSET_ML)],
        producer_name="guardrail-models-export_onnx",
        producer_version="1",
        doc_string=doc,
    )
    onnx_model.ir_version = IR_VERSION
    onnx.checker.check_model(onnx_model)
    return onnx_model
