"""Conditional batch normalization: scales and shifts per class, or computed from a conditioning vector."""

from __future__ import annotations

import keras
from keras import layers, ops

from kgan.layers.batch_norm import batch_normalization
from kgan.seeding import sub_seed


@keras.saving.register_keras_serializable(package="kgan")
class ConditionalBatchNormalization(layers.Layer):
    """Batch normalization whose scale and shift are looked up per class.

    Normalises `x` with batch statistics (moving averages at inference) and applies
    `gamma[label] * x_hat + beta[label]`, so one generator draws every class with its own feature
    statistics (de Vries et al., 2017; Miyato & Koyama, 2018; Brock et al., 2019). Gammas start
    at 1 and betas at 0: at initialisation it is plain batch normalization.

    Call it on `[x, labels]`: `x` of shape `(batch, ..., channels)`, `labels` int `(batch,)` or
    `(batch, 1)`, or float class weights `(batch, num_classes)`: then gamma and beta are the
    weighted mixes of the classes' (what `kgan.latent.class_walk` interpolates through).

    Args:
        num_classes: the number of classes.
        momentum: moving-average momentum of the batch statistics.
        epsilon: added to the variance.
    """

    #: `kgan.latent.class_walk` may call it on class weights instead of labels.
    takes_class_weights = True

    def __init__(self, num_classes, momentum=0.99, epsilon=1e-3, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = int(num_classes)
        self.momentum = momentum
        self.epsilon = epsilon
        self.normalize = batch_normalization(momentum=momentum, epsilon=epsilon, center=False, scale=False)

    def build(self, input_shape):
        x_shape, _ = input_shape
        channels = x_shape[-1]
        self.normalize.build(x_shape)
        self.gamma = self.add_weight(shape=(self.num_classes, channels), initializer="ones", name="gamma")
        self.beta = self.add_weight(shape=(self.num_classes, channels), initializer="zeros", name="beta")

    def call(self, inputs, training=None):
        x, labels = inputs
        normalized = self.normalize(x, training=training)
        broadcast = (-1,) + (1,) * (len(x.shape) - 2) + (x.shape[-1],)
        if "float" in str(labels.dtype):  # class weights: a mix of the classes' scales and shifts
            gamma, beta = ops.matmul(labels, self.gamma), ops.matmul(labels, self.beta)
        else:
            labels = ops.reshape(ops.cast(labels, "int32"), (-1,))
            gamma, beta = ops.take(self.gamma, labels, axis=0), ops.take(self.beta, labels, axis=0)
        gamma, beta = ops.reshape(gamma, broadcast), ops.reshape(beta, broadcast)
        return normalized * ops.cast(gamma, normalized.dtype) + ops.cast(beta, normalized.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
        }


@keras.saving.register_keras_serializable(package="kgan")
class ProjectedBatchNormalization(layers.Layer):
    """Batch normalization whose scale and shift are linear functions of a conditioning vector.

    Normalises `x` with batch statistics (moving averages at inference) and applies
    `(1 + c @ W_gain) * x_hat + c @ W_bias`: BigGAN's conditional batch norm (Brock et al., 2019),
    where `c` concatenates the shared class embedding with the chunk of the latent vector for
    this block (the "hierarchical latent"), so that both class and noise steer every block.
    The projections start orthogonal, as BigGAN's weights do (zero would leave spectral
    normalization nothing to normalize).

    Call it on `[x, condition]`: `x` of shape `(batch, ..., channels)`, `condition` `(batch, d)`.

    Args:
        spectral_norm: spectral normalization on the two projections (BigGAN's).
        momentum: moving-average momentum of the batch statistics.
        epsilon: added to the variance.
        seed: seeds the projections' initial weights.
    """

    def __init__(self, spectral_norm=True, momentum=0.99, epsilon=1e-4, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.spectral_norm = bool(spectral_norm)
        self.momentum = momentum
        self.epsilon = epsilon
        self.seed = seed
        self.normalize = batch_normalization(momentum=momentum, epsilon=epsilon, center=False, scale=False)

    def build(self, input_shape):
        x_shape, condition_shape = input_shape
        channels = x_shape[-1]
        self.normalize.build(x_shape)

        def projection(name):
            dense = layers.Dense(
                channels,
                use_bias=False,
                kernel_initializer=keras.initializers.Orthogonal(seed=sub_seed(self.seed, name)),
                name=name,
            )
            if self.spectral_norm:
                dense = layers.SpectralNormalization(dense, power_iterations=1, name=f"{name}_sn")
            dense.build(condition_shape)
            return dense

        self.gain = projection("gain")
        self.bias = projection("bias")

    def call(self, inputs, training=None):
        x, condition = inputs
        normalized = self.normalize(x, training=training)
        broadcast = (-1,) + (1,) * (len(x.shape) - 2) + (x.shape[-1],)
        condition = ops.cast(condition, normalized.dtype)
        gain = ops.reshape(1.0 + self.gain(condition, training=training), broadcast)
        bias = ops.reshape(self.bias(condition, training=training), broadcast)
        return normalized * ops.cast(gain, normalized.dtype) + ops.cast(bias, normalized.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {
            **super().get_config(),
            "spectral_norm": self.spectral_norm,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "seed": self.seed,
        }
