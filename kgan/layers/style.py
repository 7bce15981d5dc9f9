"""The layers of StyleGAN2's networks, on standard ops in NHWC (Karras et al., "Analyzing and
Improving the Image Quality of StyleGAN", CVPR 2020).

Equalized learning rate (Karras et al., 2018): weights are stored as N(0, 1 / lr_multiplier) and
scaled at run time by `lr_multiplier / sqrt(fan_in)`, so Adam's per-parameter steps move every
layer at the same relative speed, and a `lr_multiplier` below 1 slows one network (the mapping
network's 0.01) without a second optimizer.
"""

from __future__ import annotations

import math

import keras
from keras import ops

from kgan.seeding import sub_seed

#: StyleGAN2's activation: leaky ReLU (slope 0.2) times sqrt(2), which keeps the signal's scale.
LRELU_GAIN = math.sqrt(2.0)


ACTIVATIONS = ("lrelu", "linear")


def _check_activation(activation):
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be 'lrelu' or 'linear', got {activation!r}.")
    return activation


def _activate(x, activation):
    if activation == "lrelu":
        return ops.leaky_relu(x, 0.2) * ops.cast(LRELU_GAIN, x.dtype)
    return x


def _normal(seed, *names, stddev=1.0):
    return keras.initializers.RandomNormal(stddev=stddev, seed=sub_seed(seed, *names))


@keras.saving.register_keras_serializable(package="kgan")
class EqualizedDense(keras.layers.Layer):
    """A dense layer with equalized learning rate: `act(x @ (W * lr_multiplier / sqrt(fan_in)) + b * lr_multiplier)`.

    Args:
        units: output size.
        activation: "lrelu" (leaky ReLU 0.2 times sqrt(2)) or "linear".
        lr_multiplier: scales this layer's effective learning rate (0.01 in the mapping network).
        bias_initial: the bias's initial effective value (1 for style affines, so styles start at 1).
        seed: seeds the initial weights.
    """

    def __init__(self, units, activation="linear", lr_multiplier=1.0, bias_initial=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.units = int(units)
        self.activation = _check_activation(activation)
        self.lr_multiplier = float(lr_multiplier)
        self.bias_initial = float(bias_initial)
        self.seed = seed

    def build(self, input_shape):
        fan_in = input_shape[-1]
        self.weight_gain = self.lr_multiplier / math.sqrt(fan_in)
        self.kernel = self.add_weight(
            shape=(fan_in, self.units),
            initializer=_normal(self.seed, "kernel", stddev=1.0 / self.lr_multiplier),
            name="kernel",
        )
        self.bias = self.add_weight(
            shape=(self.units,),
            initializer=keras.initializers.Constant(self.bias_initial / self.lr_multiplier),
            name="bias",
        )

    def call(self, x):
        kernel = ops.cast(self.kernel, x.dtype) * ops.cast(self.weight_gain, x.dtype)
        y = ops.matmul(x, kernel) + ops.cast(self.bias, x.dtype) * ops.cast(self.lr_multiplier, x.dtype)
        return _activate(y, self.activation)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": self.activation,
            "lr_multiplier": self.lr_multiplier,
            "bias_initial": self.bias_initial,
            "seed": self.seed,
        }


@keras.saving.register_keras_serializable(package="kgan")
class EqualizedConv2D(keras.layers.Layer):
    """A stride-1 "same" convolution with equalized learning rate (weights scaled by 1 / sqrt(fan_in)).

    Args:
        filters: output channels.
        kernel_size: square kernel size.
        activation: "lrelu" or "linear".
        use_bias: add a learned bias (StyleGAN2's residual shortcuts have none).
        seed: seeds the initial weights.
    """

    def __init__(self, filters, kernel_size, activation="linear", use_bias=True, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.kernel_size = int(kernel_size)
        self.activation = _check_activation(activation)
        self.use_bias = bool(use_bias)
        self.seed = seed

    def build(self, input_shape):
        channels = input_shape[-1]
        self.weight_gain = 1.0 / math.sqrt(channels * self.kernel_size**2)
        self.kernel = self.add_weight(
            shape=(self.kernel_size, self.kernel_size, channels, self.filters),
            initializer=_normal(self.seed, "kernel"),
            name="kernel",
        )
        self.bias = self.add_weight(shape=(self.filters,), initializer="zeros", name="bias") if self.use_bias else None

    def call(self, x):
        y = ops.conv(x, ops.cast(self.kernel, x.dtype) * ops.cast(self.weight_gain, x.dtype), padding="same")
        if self.bias is not None:
            y = y + ops.cast(self.bias, y.dtype)
        return _activate(y, self.activation)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "activation": self.activation,
            "use_bias": self.use_bias,
            "seed": self.seed,
        }


@keras.saving.register_keras_serializable(package="kgan")
class ModulatedConv2D(keras.layers.Layer):
    """StyleGAN2's modulated convolution, in its non-fused form, with noise, bias and activation.

    Called on `[x, w]`, `w` of shape `(batch, w_dim)`, or on `[x, ws]` with `ws` of shape
    `(batch, num_ws, w_dim)` when `w_index` says which of them is this layer's. An affine map of
    `w` gives one style per input channel, `s = A(w)` (starting at 1). The output is

        y[b, :, :, o] = d[b, o] * conv(x[b] * s[b], W)[:, :, o],
        d[b, o] = 1 / sqrt(sum_{k, i} (W[k, i, o] * s[b, i])**2 + 1e-8)   (demodulation)

    which equals convolving with a per-sample kernel `W * s` scaled to unit norm, but needs only
    the one shared kernel: no grouped convolution, which TensorFlow does not run on CPUs. Then
    noise (per pixel, times a learned strength that starts at 0), a bias and the activation.

    Noise: random in training; at inference the layer's own fixed noise map (`noise_mode`
    "const", the default, so a seed always gives the same image), fresh random noise ("random")
    or none ("none"). `noise_mode` is a run-time switch, not saved; set it for a whole network
    with `kgan.architectures.stylegan2.noise_mode`.

    Args:
        filters: output channels.
        kernel_size: 3 for synthesis layers, 1 for toRGB.
        demodulate: scale each output channel to unit expected norm (False for toRGB).
        activation: "lrelu" or "linear" (toRGB).
        noise: add per-pixel noise (synthesis layers; not toRGB).
        resolution: the output's height and width, which the fixed noise map needs.
        w_index: this layer's w within `ws` (None: the layer is called with one w per sample).
        seed: seeds the initial weights, the fixed noise map and the training noise.
    """

    def __init__(
        self,
        filters,
        kernel_size=3,
        demodulate=True,
        activation="lrelu",
        noise=True,
        resolution=None,
        w_index=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.kernel_size = int(kernel_size)
        self.demodulate = bool(demodulate)
        self.activation = _check_activation(activation)
        self.noise = bool(noise)
        self.resolution = resolution
        if self.noise and resolution is None:
            raise ValueError("A ModulatedConv2D with noise needs its output resolution for the fixed noise map.")
        self.w_index = w_index
        self.seed = seed
        self.noise_mode = "const"
        self.noise_seed_generator = keras.random.SeedGenerator(sub_seed(seed, "noise")) if self.noise else None

    def build(self, input_shape):
        x_shape, w_shape = input_shape
        channels = x_shape[-1]
        self.affine = EqualizedDense(channels, bias_initial=1.0, seed=sub_seed(self.seed, "affine"), name="affine")
        self.affine.build((w_shape[0], w_shape[-1]))
        self.weight_gain = 1.0 / math.sqrt(channels * self.kernel_size**2)
        self.kernel = self.add_weight(
            shape=(self.kernel_size, self.kernel_size, channels, self.filters),
            initializer=_normal(self.seed, "kernel"),
            name="kernel",
        )
        self.bias = self.add_weight(shape=(self.filters,), initializer="zeros", name="bias")
        if self.noise:
            self.noise_strength = self.add_weight(shape=(), initializer="zeros", name="noise_strength")
            self.noise_const = self.add_weight(
                shape=(1, self.resolution, self.resolution, 1),
                initializer=_normal(self.seed, "noise_const"),
                trainable=False,
                name="noise_const",
            )

    def styles(self, w):
        """The per-input-channel styles `s = A(w)` (toRGB's include the weight gain, as in the paper);
        `w` is this layer's w or, with `w_index`, all the ws."""
        if self.w_index is not None:
            w = w[:, self.w_index]
        styles = self.affine(w)
        return styles if self.demodulate else styles * ops.cast(self.weight_gain, styles.dtype)

    def call(self, inputs, training=None):
        x, w = inputs
        styles = ops.cast(self.styles(w), x.dtype)
        kernel = ops.cast(self.kernel, x.dtype)
        if self.demodulate:
            # The demodulation factor is the norm of the per-sample kernel W * s; the equalized
            # learning-rate gain cancels in it, so it is left out (as in the paper's code).
            squared = ops.sum(ops.square(kernel), axis=(0, 1))  # (in, out)
            demodulation = ops.rsqrt(ops.matmul(ops.square(styles), squared) + 1e-8)  # (batch, out)
        y = ops.conv(x * styles[:, None, None, :], kernel, padding="same")
        if self.demodulate:
            y = y * demodulation[:, None, None, :]
        if self.noise:
            y = y + self._noise(y, training) * ops.cast(self.noise_strength, y.dtype)
        return _activate(y + ops.cast(self.bias, y.dtype), self.activation)

    def _noise(self, y, training):
        mode = "random" if training else self.noise_mode
        if mode == "const":
            return ops.cast(self.noise_const, y.dtype)
        if mode == "none":
            return ops.zeros((1, 1, 1, 1), y.dtype)
        shape = ops.shape(y)
        return keras.random.normal((shape[0], shape[1], shape[2], 1), seed=self.noise_seed_generator, dtype=y.dtype)

    def compute_output_shape(self, input_shape):
        return (*input_shape[0][:-1], self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "demodulate": self.demodulate,
            "activation": self.activation,
            "noise": self.noise,
            "resolution": self.resolution,
            "w_index": self.w_index,
            "seed": self.seed,
        }


@keras.saving.register_keras_serializable(package="kgan")
class PixelNormalization(keras.layers.Layer):
    """Scales each vector to unit root-mean-square over its last axis (the latent z, in StyleGAN)."""

    def call(self, x):
        return x * ops.rsqrt(ops.mean(ops.square(x), axis=-1, keepdims=True) + 1e-8)


@keras.saving.register_keras_serializable(package="kgan")
class AverageTracker(keras.layers.Layer):
    """Passes its input through; in training keeps a moving average of it (`w_avg` for truncation).

    `average = decay * average + (1 - decay) * batch_mean` at every training call (StyleGAN2's
    0.995), a non-trainable weight that is saved with the network.

    With `num_classes` it is called on `[x, class_weights]` (one-hot class codes, `(batch,
    num_classes)`) and keeps one average per class, `(num_classes, dim)`: each class present in
    the batch moves towards the mean of its own samples; the others stay. A conditional
    StyleGAN2 truncates towards its class's own average w this way.

    Args:
        decay: the moving average's decay.
        num_classes: keep one average per class (None: one for all).
    """

    def __init__(self, decay=0.995, num_classes=None, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 <= decay < 1.0:
            raise ValueError(f"decay must be in [0, 1), got {decay}.")
        self.decay = float(decay)
        self.num_classes = None if num_classes is None else int(num_classes)

    def build(self, input_shape):
        dim = (input_shape[0] if self.num_classes else input_shape)[-1]
        self.average = self.add_weight(
            shape=(self.num_classes, dim) if self.num_classes else (dim,),
            initializer="zeros",
            trainable=False,
            name="average",
            aggregation="mean",
        )

    def call(self, inputs, training=None):
        x = inputs[0] if self.num_classes else inputs
        if training:
            x32 = ops.cast(x, "float32")
            if self.num_classes:
                weights = ops.cast(inputs[1], "float32")
                counts = ops.sum(weights, axis=0)[:, None]
                batch_mean = ops.matmul(ops.transpose(weights), x32) / ops.maximum(counts, 1e-8)
                present = counts > 0
                self.average.assign(
                    ops.where(present, self.decay * self.average + (1.0 - self.decay) * batch_mean, self.average)
                )
            else:
                self.average.assign(self.decay * self.average + (1.0 - self.decay) * ops.mean(x32, axis=0))
        return x

    def compute_output_shape(self, input_shape):
        return input_shape[0] if self.num_classes else input_shape

    def get_config(self):
        return {**super().get_config(), "decay": self.decay, "num_classes": self.num_classes}


@keras.saving.register_keras_serializable(package="kgan")
class Broadcast(keras.layers.Layer):
    """Repeats `(batch, dim)` vectors into `(batch, count, dim)`: one w per synthesis layer."""

    def __init__(self, count, **kwargs):
        super().__init__(**kwargs)
        self.count = int(count)

    def call(self, x):
        return ops.repeat(x[:, None, :], self.count, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.count, input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "count": self.count}


@keras.saving.register_keras_serializable(package="kgan")
class ConstantInput(keras.layers.Layer):
    """A learned `(size, size, channels)` map, repeated for every sample: the synthesis network's start.

    Called on any tensor whose first axis is the batch.

    Args:
        channels: the map's channels.
        size: its height and width (4).
        seed: seeds its N(0, 1) initial values.
    """

    def __init__(self, channels, size=4, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.channels = int(channels)
        self.size = int(size)
        self.seed = seed

    def build(self, input_shape):
        self.constant = self.add_weight(
            shape=(1, self.size, self.size, self.channels), initializer=_normal(self.seed, "constant"), name="constant"
        )

    def call(self, batch_reference):
        batch = ops.shape(batch_reference)[0]
        constant = ops.cast(self.constant, self.compute_dtype)
        return ops.tile(constant, (batch, 1, 1, 1))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.size, self.size, self.channels)

    def get_config(self):
        return {**super().get_config(), "channels": self.channels, "size": self.size, "seed": self.seed}
