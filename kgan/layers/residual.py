"""The layers of R3GAN's normalization-free residual networks (Huang et al., 2024) that Keras lacks."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import ops


def msr_initializer(gain, fan_in, seed=None):
    """N(0, gain / sqrt(fan_in)): R3GAN's (He's, "MSR") initialization with an activation gain."""
    return keras.initializers.RandomNormal(stddev=gain / np.sqrt(fan_in), seed=seed)


@keras.saving.register_keras_serializable(package="kgan")
class GroupedConv2D(keras.layers.Layer):
    """A 'same'-padded convolution in `groups` groups, each mapping its `in/groups` channels to `filters/groups`.

    The kernel has the grouped layout of Keras' `Conv2D(groups=...)`, `(k, k, in/groups,
    filters)`, and runs as TensorFlow's grouped convolution (`tf.nn.conv2d` infers the groups from
    the kernel), or as a depthwise convolution when every group has one input channel. On a 2-core
    AVX-512 CPU with TensorFlow 2.21 (benchmarks/r3gan.py, one run), a 3x3 convolution of 128
    channels in 8 groups, forward and backward at batch 64 and 32x32, took 25 ms this way, 37 ms
    as one convolution per group, 98 ms as a dense convolution (8x the arithmetic) and 5.3 s
    through Keras' `Conv2D(groups=8)`.

    Args:
        filters: output channels, a multiple of `groups`.
        kernel_size: the square kernel's side.
        groups: the number of groups; the input's channels must divide by it.
        kernel_initializer: the kernel's initializer.
    """

    def __init__(self, filters, kernel_size, groups, kernel_initializer="he_normal", **kwargs):
        super().__init__(**kwargs)
        if filters % groups:
            raise ValueError(f"GroupedConv2D needs filters ({filters}) divisible by groups ({groups}).")
        self.filters = filters
        self.kernel_size = kernel_size
        self.groups = groups
        self.kernel_initializer = keras.initializers.get(kernel_initializer)

    def build(self, input_shape):
        channels = input_shape[-1]
        if channels % self.groups:
            raise ValueError(f"GroupedConv2D needs input channels ({channels}) divisible by groups ({self.groups}).")
        self.kernel = self.add_weight(
            name="kernel",
            shape=(self.kernel_size, self.kernel_size, channels // self.groups, self.filters),
            initializer=self.kernel_initializer,
        )

    def call(self, inputs):
        kernel = ops.cast(self.kernel, inputs.dtype)
        if kernel.shape[2] == 1 and self.groups > 1:  # one input channel per group: depthwise
            size = self.kernel_size
            depthwise = ops.reshape(kernel, (size, size, self.groups, self.filters // self.groups))
            return tf.nn.depthwise_conv2d(inputs, depthwise, strides=(1, 1, 1, 1), padding="SAME")
        return tf.nn.conv2d(inputs, kernel, strides=1, padding="SAME")

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "groups": self.groups,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
        }


@keras.saving.register_keras_serializable(package="kgan")
class ChannelBias(keras.layers.Layer):
    """A bias per channel, starting at zero (R3GAN's "biased activation" adds it before its leaky ReLU)."""

    def build(self, input_shape):
        self.bias = self.add_weight(name="bias", shape=(input_shape[-1],), initializer="zeros")

    def call(self, inputs):
        return inputs + ops.cast(self.bias, inputs.dtype)


@keras.saving.register_keras_serializable(package="kgan")
class InterpolativeResample(keras.layers.Layer):
    """Doubles or halves the image side with R3GAN's [1, 2, 1] filter, channel by channel.

    Up: zeros between the pixels, then the filter (gain 2 per axis): every other pixel kept, the
    ones between the average of their neighbours. Down: the filter (gain 1/4 per axis), then every
    other pixel, centred on the even ones. The image's border is padded with zeros, as
    StyleGAN's `upfirdn2d` (which R3GAN uses) pads it.

    Args:
        direction: "up" or "down".
    """

    def __init__(self, direction, **kwargs):
        super().__init__(**kwargs)
        if direction not in ("up", "down"):
            raise ValueError(f'direction must be "up" or "down", got {direction!r}.')
        self.direction = direction

    def call(self, inputs):
        channels = inputs.shape[-1]
        taps = np.array([1.0, 2.0, 1.0])
        taps = taps / taps.sum() * (2.0 if self.direction == "up" else 1.0)
        kernel = np.tile(np.outer(taps, taps)[:, :, None, None], (1, 1, channels, 1))
        kernel = ops.cast(kernel, inputs.dtype)
        if self.direction == "down":
            padded = ops.pad(inputs, ((0, 0), (1, 0), (1, 0), (0, 0)))
            return tf.nn.depthwise_conv2d(padded, kernel, strides=(1, 2, 2, 1), padding="VALID")
        batch, height, width = ops.shape(inputs)[0], ops.shape(inputs)[1], ops.shape(inputs)[2]
        spread = ops.stack([inputs, ops.zeros_like(inputs)], axis=3)  # a zero after every column
        spread = ops.reshape(spread, (batch, height, 2 * width, channels))
        spread = ops.stack([spread, ops.zeros_like(spread)], axis=2)  # and after every row
        spread = ops.reshape(spread, (batch, 2 * height, 2 * width, channels))
        return tf.nn.depthwise_conv2d(spread, kernel, strides=(1, 1, 1, 1), padding="SAME")

    def compute_output_shape(self, input_shape):
        scale = 2 if self.direction == "up" else 0.5
        height, width = (None if side is None else int(side * scale) for side in input_shape[1:3])
        return (input_shape[0], height, width, input_shape[3])

    def get_config(self):
        return {**super().get_config(), "direction": self.direction}


@keras.saving.register_keras_serializable(package="kgan")
class GenerativeBasis(keras.layers.Layer):
    """R3GAN's first generator layer: a learned 4x4 basis per channel, scaled by a linear map of z.

    `basis[c] * (z @ W)[c]` for each of the `filters` channels: the 4x4 constant of StyleGAN,
    made a function of z without a dense layer of 16x the size.

    Args:
        filters: channels of the 4x4 output.
        seed: seeds the basis and the linear map.
    """

    def __init__(self, filters, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        self.seed = seed

    def build(self, input_shape):
        self.basis = self.add_weight(
            name="basis",
            shape=(4, 4, self.filters),
            initializer=keras.initializers.RandomNormal(stddev=1.0, seed=self.seed),
        )
        self.kernel = self.add_weight(
            name="kernel",
            shape=(input_shape[-1], self.filters),
            initializer=msr_initializer(1.0, input_shape[-1], None if self.seed is None else self.seed + 1),
        )

    def call(self, inputs):
        scales = ops.matmul(inputs, ops.cast(self.kernel, inputs.dtype))
        return ops.cast(self.basis, inputs.dtype)[None] * scales[:, None, None, :]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], 4, 4, self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "seed": self.seed}
