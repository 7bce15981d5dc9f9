"""Small fully connected networks for toy data (1-D Gaussians, 2-D mixtures)."""

from __future__ import annotations

import keras
from keras import layers

from kgan.architectures.initializers import glorot_uniform
from kgan.seeding import sub_seed


def build_generator(latent_dim=8, output_dim=1, hidden_units=(64, 64), seed=None, name="generator"):
    """Builds an MLP generator: latent vector -> point in R^output_dim, linear output.

    Args:
        latent_dim: size of the latent vector.
        output_dim: dimension of the data points.
        hidden_units: width of each hidden ReLU layer.
        seed: seeds the initial weights.
        name: the model's name.
    """
    seed = sub_seed(seed, name)
    z = keras.Input((latent_dim,), name="latent")
    x = z
    for i, units in enumerate(hidden_units):
        x = layers.Dense(units, activation="relu", kernel_initializer=glorot_uniform(seed, i))(x)
    points = layers.Dense(output_dim, dtype="float32", kernel_initializer=glorot_uniform(seed, 99), name="points")(x)
    return keras.Model(z, points, name=name)


def build_discriminator(input_dim=1, hidden_units=(64, 64), seed=None, name="discriminator"):
    """Builds an MLP discriminator: point -> one logit, LeakyReLU hidden layers.

    Args:
        input_dim: dimension of the data points.
        hidden_units: width of each hidden layer.
        seed: seeds the initial weights.
        name: the model's name.
    """
    seed = sub_seed(seed, name)
    points = keras.Input((input_dim,), name="points")
    x = points
    for i, units in enumerate(hidden_units):
        x = layers.Dense(units, kernel_initializer=glorot_uniform(seed, 50 + i))(x)
        x = layers.LeakyReLU(0.2)(x)
    logits = layers.Dense(1, dtype="float32", kernel_initializer=glorot_uniform(seed, 199), name="logits")(x)
    return keras.Model(points, logits, name=name)
