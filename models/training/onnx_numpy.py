"""A tiny numpy evaluator of the exported TreeEnsembleClassifier, so train.py can check the converter
before any runtime sees the file (Debian has no python onnxruntime). It follows the ONNX spec: BRANCH_LT
goes to the true node when x < threshold, NaN goes where nodes_missing_value_tracks_true says, the leaf
weights plus base_values form the margin, LOGISTIC maps it to P(class 1).
"""

from __future__ import annotations

import math

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

    x = x.astype(np.float32)
    rows = np.arange(x.shape[0])
    margin = np.full(x.shape[0], np.float32(a["base_values"][0]), dtype=np.float32)
    is_leaf = np.array([m == "LEAF" for m in modes])
    weight = np.zeros(len(modes), dtype=np.float32)
    for t, n, w in zip(a["class_treeids"], a["class_nodeids"], a["class_weights"]):
        weight[index[(int(t), int(n))]] = w
    for tree in np.unique(tree_ids):
        # Flat index of each row's current node; all rows step down one level at a time.
        lookup = {int(n): index[(int(tree), int(n))] for n in node_ids[tree_ids == tree]}
        to_flat = np.zeros(max(lookup) + 1, dtype=np.int64)
        for n, i in lookup.items():
            to_flat[n] = i
        current = np.full(x.shape[0], lookup[0], dtype=np.int64)
        while not is_leaf[current].all():
            inner = ~is_leaf[current]
            c = current[inner]
            v = x[rows[inner], feature[c]]
            go_true = np.where(np.isnan(v), missing_true[c], v < value[c])
            current[inner] = to_flat[np.where(go_true, true_ids[c], false_ids[c])]
        margin += weight[current]
    # math.exp, not np.exp: numpy's SIMD exp differs in the last bits between CPUs, and this value ends up
    # in the model card, which must be byte-identical on every machine.
    return np.array([1.0 / (1.0 + math.exp(-m)) for m in margin.astype(np.float64).tolist()])
