"""Ranking and threshold metrics in plain numpy (Debian's python3 here has no sklearn).

ROC-AUC is the Mann-Whitney statistic with ties counted as half, which is what a score with only two
values (the baseline's 0 / 0.8) deserves. PR-AUC is average precision (sum over positives of precision
at each distinct threshold, step-wise, as sklearn's average_precision_score), not the optimistic
trapezoid.
"""

from __future__ import annotations

import numpy as np


def roc_auc(y: np.ndarray, score: np.ndarray) -> float:
    y = y.astype(bool)
    n_pos = int(y.sum())
    n_neg = y.size - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError("ROC-AUC needs both classes")
    order = np.argsort(score, kind="mergesort")
    sorted_scores = score[order]
    ranks = np.empty(score.size, dtype=np.float64)
    # Average ranks over tied scores.
    _, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    avg = first + (counts - 1) / 2.0 + 1.0
    ranks[order] = np.repeat(avg, counts)
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def average_precision(y: np.ndarray, score: np.ndarray) -> float:
    y = y.astype(bool)
    n_pos = int(y.sum())
    if n_pos == 0:
        raise ValueError("average precision needs positives")
    order = np.argsort(-score, kind="mergesort")
    s = score[order]
    hits = y[order].astype(np.float64)
    tp = np.cumsum(hits)
    fp = np.cumsum(1.0 - hits)
    # Evaluate only at the last index of each run of tied scores: a threshold cannot split ties.
    last_of_run = np.r_[s[1:] != s[:-1], True]
    tp, fp = tp[last_of_run], fp[last_of_run]
    precision = tp / (tp + fp)
    recall = tp / n_pos
    recall_steps = np.diff(np.r_[0.0, recall])
    return float(np.sum(recall_steps * precision))


def threshold_metrics(y: np.ndarray, score: np.ndarray, threshold: float) -> dict[str, float | int]:
    """Precision, recall and F1 of `score >= threshold` (the service's rule), with the confusion counts."""
    y = y.astype(bool)
    pred = score >= threshold
    tp = int(np.sum(pred & y))
    fp = int(np.sum(pred & ~y))
    fn = int(np.sum(~pred & y))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def summary(y: np.ndarray, score: np.ndarray, threshold: float) -> dict[str, float | int]:
    return {
        "roc_auc": roc_auc(y, score),
        "pr_auc": average_precision(y, score),
        **threshold_metrics(y, score, threshold),
    }
