"""Minibatch standard deviation: lets the discriminator see how varied a batch is."""

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="kgan")
class MinibatchStdDev(keras.layers.Layer):
    """Appends one channel holding the batch's average standard deviation of the features.

    Karras et al., "Progressive Growing of GANs", 2018 (and StyleGAN/StyleGAN2's discriminators):
    the samples are split into groups of `group_size`; for each group the standard deviation of
    every feature over the group's samples is averaged into one number, written as a constant
    extra channel of each sample in the group. A generator that collapses onto a few modes makes
    batches whose spread differs from real batches', which the discriminator can now see.

    Groups are runs of consecutive samples (StyleGAN takes every n-th): tf.distribute hands each
    replica a run of the global batch, so replicas whose share the group size divides form the
    groups one device forms.

    Call the discriminator on real and fake batches separately (as `kgan.GAN` does), or the
    statistic mixes the two.

    Args:
        group_size: samples per group; None uses the whole batch as one group. A batch that
            the group size does not divide uses the largest group size below it that does (a
            batch of 6 with `group_size=4` makes two groups of 3).
        epsilon: added to the variance before the square root, so the gradient stays finite
            when all samples in a group are equal.
    """

    def __init__(self, group_size=4, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        if group_size is not None and (
            isinstance(group_size, bool) or not isinstance(group_size, int) or group_size < 1
        ):
            raise ValueError(f"group_size must be a positive int or None (the whole batch), got {group_size!r}.")
        self.group_size = group_size
        self.epsilon = epsilon

    def call(self, inputs):
        x = tf.cast(inputs, tf.float32)
        group = self._group(x)
        # Sample i joins group i // group. Static shapes where they are known keep the layer
        # compilable by XLA, also inside R1's double gradient.
        sample_shape = x.shape[1:] if None not in x.shape[1:] else tf.shape(x)[1:]
        grouped = tf.reshape(x, tf.concat([[-1, group], sample_shape], 0))
        spread = tf.sqrt(tf.math.reduce_variance(grouped, axis=1, keepdims=True) + self.epsilon)
        per_group = tf.reduce_mean(spread, axis=list(range(2, len(grouped.shape))), keepdims=True)
        # Broadcast back over each group's samples and pixels (a multiply and a reshape: unlike
        # tf.repeat, differentiable twice with a batch size known only at run time).
        statistic = tf.reshape(per_group * tf.ones_like(grouped[..., :1]), tf.shape(x[..., :1]))
        return tf.concat([inputs, tf.cast(statistic, inputs.dtype)], axis=-1)

    def _group(self, x):
        """The group size: the largest divisor of the batch up to `group_size` (a Python int when
        the batch size is static)."""
        batch = x.shape[0]
        if batch is not None:
            limit = batch if self.group_size is None else min(self.group_size, batch)
            return next(size for size in range(limit, 0, -1) if batch % size == 0)
        batch = tf.shape(x)[0]
        if self.group_size is None:
            return batch
        sizes = tf.range(self.group_size, 0, -1)
        return sizes[tf.argmax(tf.cast(batch % sizes == 0, tf.int32))]

    def compute_output_shape(self, input_shape):
        channels = None if input_shape[-1] is None else input_shape[-1] + 1
        return (*input_shape[:-1], channels)

    def get_config(self):
        return {**super().get_config(), "group_size": self.group_size, "epsilon": self.epsilon}
