"""Self-attention over the positions of a feature map (SAGAN, BigGAN)."""

from __future__ import annotations

import keras
from keras import layers, ops

from kgan.seeding import sub_seed


@keras.saving.register_keras_serializable(package="kgan")
class SelfAttention2D(layers.Layer):
    """Self-attention over the positions of a feature map, added to it through a learned gate.

    Zhang et al., "Self-Attention Generative Adversarial Networks", ICML 2019, as BigGAN uses it
    (Brock et al., 2019): 1x1 convolutions make queries and keys of `channels // 8` and values of
    `channels // 2`; keys and values are max-pooled 2x2 (a quarter of the positions, a quarter of
    the cost); every position attends to all pooled ones (softmax in float32), a 1x1 convolution
    maps the result back to `channels`, and `x + gamma * o` is returned with `gamma` starting at
    0, so the block begins as the identity and learns how much attention to use.

    It costs `O((height * width)**2 * channels / 32)` per image: cheap at 16x16, the main cost of a
    block at 64x64 (BigGAN places one at 64x64 for 128x128 images).

    Args:
        spectral_norm: spectral normalization on the four convolutions (BigGAN: in both networks).
        seed: seeds the initial weights.

    Example:

    ```python
    x = keras.Input((16, 16, 64))
    y = kgan.layers.SelfAttention2D()(x)  # (None, 16, 16, 64)
    ```
    """

    def __init__(self, spectral_norm=True, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.spectral_norm = bool(spectral_norm)
        self.seed = seed

    def build(self, input_shape):
        _, height, width, channels = input_shape
        if channels is None or channels < 8:
            raise ValueError(f"SelfAttention2D needs at least 8 channels (queries have channels // 8), got {channels}.")
        if height is None or width is None or height % 2 or width % 2:
            raise ValueError(
                "SelfAttention2D pools keys and values 2x2, so it needs an even height and width, "
                f"got {height}x{width}."
            )

        def conv(filters, name):
            initializer = keras.initializers.GlorotUniform(seed=sub_seed(self.seed, name))
            conv = layers.Conv2D(filters, 1, use_bias=False, kernel_initializer=initializer, name=name)
            if self.spectral_norm:
                conv = layers.SpectralNormalization(conv, power_iterations=1, name=f"{name}_sn")
            conv.build(input_shape[:-1] + ((channels // 2) if name == "output" else channels,))
            return conv

        self.query = conv(channels // 8, "query")
        self.key = conv(channels // 8, "key")
        self.value = conv(channels // 2, "value")
        self.output_projection = conv(channels, "output")
        self.gamma = self.add_weight(shape=(), initializer="zeros", name="gamma")

    def call(self, x, training=None):
        height, width, channels = x.shape[1:]
        positions = height * width
        query = ops.reshape(self.query(x, training=training), (-1, positions, channels // 8))
        key = ops.max_pool(self.key(x, training=training), 2, 2)
        key = ops.reshape(key, (-1, positions // 4, channels // 8))
        value = ops.max_pool(self.value(x, training=training), 2, 2)
        value = ops.reshape(value, (-1, positions // 4, channels // 2))
        scores = ops.cast(ops.matmul(query, ops.transpose(key, (0, 2, 1))), "float32")
        attention = ops.cast(ops.softmax(scores, axis=-1), value.dtype)
        attended = ops.reshape(ops.matmul(attention, value), (-1, height, width, channels // 2))
        return x + ops.cast(self.gamma, x.dtype) * self.output_projection(attended, training=training)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "spectral_norm": self.spectral_norm, "seed": self.seed}
