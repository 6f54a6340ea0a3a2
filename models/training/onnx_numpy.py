"""A tiny numpy evaluator of the exported TreeEnsembleClassifier, so train.py can check the converter
before any runtime sees the file (Debian has no python onnxruntime). It follows the ONNX spec: BRANCH_LT
goes to the true node when x < threshold, NaN goes where nodes_missing_value_tracks_true says, the leaf
weights plus base_values form the margin, LOGISTIC maps it to P(class 1).
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper


def predict_proba(model: onnx.ModelProto, x: np.ndarray) -> np.ndarray:
    node = model.graph.node[0]
    a = {attr.name: helper.get_attribute_value(attr) for attr in node.attribute}
    tree_ids = np.array(a["nodes_treeids"])
    node_ids = np.array(a["nodes_nodeids"])
    feature = np.array(a["nodes_featureids"])
    value = np.array(a["nodes_values"], dtype=np.float32)
    modes = [m.decode() if isinstance(m, bytes) else m for m in a["nodes_modes"]]
    true_ids = np.array(a["nodes_truenodeids"])
    false_ids = np.array(a["nodes_falsenodeids"])
    missing_true = np.array(a["nodes_missing_value_tracks_true"], dtype=bool)
    index = {(int(t), int(n)): i for i, (t, n) in enumerate(zip(tree_ids, node_ids))}
    leaf_weight = {(int(t), int(n)): w for t, n, w in zip(a["class_treeids"], a["class_nodeids"], a["class_weights"])}

    x = x.astype(np.float32)
    margin = np.full(x.shape[0], np.float32(a["base_values"][0]), dtype=np.float32)
    for tree in np.unique(tree_ids):
        for row in range(x.shape[0]):
            i = index[(int(tree), 0)]
            while modes[i] != "LEAF":
                v = x[row, feature[i]]
                go_true = missing_true[i] if np.isnan(v) else v < value[i]
                i = index[(int(tree), int(true_ids[i] if go_true else false_ids[i]))]
            margin[row] += np.float32(leaf_weight[(int(tree), int(node_ids[i]))])
    return 1.0 / (1.0 + np.exp(-margin.astype(np.float64)))
