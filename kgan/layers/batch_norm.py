"""Batch normalization that normalizes over the global batch when training is spread over replicas."""

from __future__ import annotations

import keras
import tensorflow as tf


def batch_normalization(**kwargs):
    """Keras' `BatchNormalization(**kwargs)`, synchronized (its batch statistics over the global
    batch) when it is built under a tf.distribute strategy of two or more replicas, so that spread
    training normalizes as one device does; on one device the plain layer, which spends nothing on
    synchronizing."""
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    return keras.layers.BatchNormalization(synchronized=replicas > 1, **kwargs)
