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
        shape = tf.shape(inputs)
        batch = shape[0]
        if self.group_size is None:
            group = batch
        else:
            sizes = tf.range(self.group_size, 0, -1)
            group = sizes[tf.argmax(tf.cast(batch % sizes == 0, tf.int32))]
        # Sample i joins group i % (batch // group), as in StyleGAN's reshape.
        grouped = tf.reshape(tf.cast(inputs, tf.float32), tf.concat([[group, -1], shape[1:]], 0))
        spread = tf.sqrt(tf.math.reduce_variance(grouped, axis=0) + self.epsilon)
        per_group = tf.reduce_mean(spread, axis=tf.range(1, tf.rank(spread)), keepdims=True)
        statistic = tf.tile(per_group, tf.concat([[group], shape[1:-1], [1]], 0))
        return tf.concat([inputs, tf.cast(statistic, inputs.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        channels = None if input_shape[-1] is None else input_shape[-1] + 1
        return (*input_shape[:-1], channels)

    def get_config(self):
        return {**super().get_config(), "group_size": self.group_size, "epsilon": self.epsilon}
