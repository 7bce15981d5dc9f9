"""Seeded initial weights: each layer's seed derives from its network's seed and the layer's place.

The builders of `kgan.architectures` first derive their network's seed from the seed they are
given and their `name` (`kgan.seeding.sub_seed(seed, name)`), so two networks built from one seed
(a generator and a discriminator, CycleGAN's two generators) never share initial weights; then
layer `i` gets `sub_seed(network_seed, i)`.
"""

from __future__ import annotations

import keras

from kgan.seeding import sub_seed


def normal(seed, *names, stddev=0.02):
    """N(0, stddev) weights (DCGAN's and pix2pix's 0.02), seeded by `sub_seed(seed, *names)`."""
    return keras.initializers.RandomNormal(stddev=stddev, seed=sub_seed(seed, *names))


def glorot_uniform(seed, *names):
    """Glorot-uniform weights, seeded by `sub_seed(seed, *names)`."""
    return keras.initializers.GlorotUniform(seed=sub_seed(seed, *names))
