"""Keras' TensorBoard callback, with epoch summaries that a batch-level `update_freq` cannot mute."""

from __future__ import annotations

import keras
import tensorflow as tf


class TensorBoard(keras.callbacks.TensorBoard):
    """`keras.callbacks.TensorBoard` that always writes its epoch curves (`epoch_d_loss`, ...).

    With an integer `update_freq`, Keras' callback records summaries only when the global batch
    count is a multiple of `update_freq`, and that condition also covers its own end-of-epoch
    scalars: an epoch of 937 batches with `update_freq=50` writes no epoch curve at all
    (tensorflow/tensorflow#49109). This subclass writes them at every epoch end. Every argument
    is Keras'.

    Example:

    ```python
    gan.fit(ds, callbacks=[kgan.callbacks.TensorBoard("runs/x/logs", update_freq=50)])
    ```
    """

    def on_epoch_end(self, epoch, logs=None):
        with tf.summary.record_if(True):
            super().on_epoch_end(epoch, logs)
