"""Checks of what users pass to the families, shared by the model files (and by the wing that
uses a trained generator): each turns a user's value into what the code needs, or raises a
ValueError that says what was wrong and how to fix it."""

from __future__ import annotations

import math

import numpy as np


def class_labels(labels, count, num_classes):
    """`count` int32 class labels from what a user passed to `generate`: one class for all (an
    int), one per sample, or None for classes 0, 1, ..., num_classes - 1, 0, ... in turn; a
    ValueError when they are not ints in [0, num_classes)."""
    if labels is None:
        return np.arange(count, dtype=np.int32) % num_classes
    labels = np.asarray(labels)
    if labels.ndim == 0:
        labels = np.full(count, labels)
    if labels.shape != (count,) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"labels must be one int or {count} ints (one per sample), got an array of shape "
            f"{labels.shape} and dtype {labels.dtype}."
        )
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(f"labels must be in [0, {num_classes}), got values from {labels.min()} to {labels.max()}.")
    return labels.astype(np.int32)


def check_truncation(truncation):
    """`truncation` (psi) as a float, or a ValueError when it is not a finite number."""
    if isinstance(truncation, bool) or not isinstance(truncation, (int, float, np.number)):
        raise ValueError(f"truncation must be a finite number (1: none, 0.7 is common), got {truncation!r}.")
    if not math.isfinite(truncation):
        raise ValueError(f"truncation must be a finite number (1: none, 0.7 is common), got {truncation}.")
    return float(truncation)
