"""Pooling for discriminators."""

import keras


@keras.saving.register_keras_serializable(package="kgan")
class GlobalSumPooling2D(keras.layers.Layer):
    """Sums `(batch, height, width, channels)` over height and width, as SNGAN/BigGAN critics do.

    Unlike an average, the sum keeps the score's scale tied to how much of the image looks real.
    """

    def call(self, inputs):
        return keras.ops.sum(inputs, axis=(1, 2))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1])
