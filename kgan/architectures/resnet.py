"""ResNet generator and discriminator in the style of SNGAN and BigGAN.

Miyato et al., "Spectral Normalization for Generative Adversarial Networks", ICLR 2018 (appendix
B.4, the CIFAR-10 ResNet); Gulrajani et al., 2017. The generator stacks residual blocks that
double the resolution (batch norm, ReLU, nearest upsampling, 3x3 convolutions, a 1x1 shortcut);
the discriminator stacks residual blocks that halve it (average pooling), with spectral
normalization on every layer, ReLU, global sum pooling and a linear output.

Sizes follow `kgan.architectures.dcgan.upsampling_plan`: base x 2**k with base <= 8, so 28x28
(MNIST), 32x32 (CIFAR-10) and 64x64 all build.
"""

from __future__ import annotations

import keras
from keras import layers

from kgan.architectures.dcgan import maybe_spectral_norm, upsampling_plan
from kgan.architectures.initializers import glorot_uniform
from kgan.layers import GlobalSumPooling2D, batch_normalization
from kgan.seeding import sub_seed


class Initializers:
    """Seeded Glorot-uniform initializers for one network, one distinct seed per layer: call it for the next."""

    def __init__(self, seed, name):
        self.seed, self.count = sub_seed(seed, name), 0

    def __call__(self):
        self.count += 1
        return glorot_uniform(self.seed, self.count)


def _conv(filters, kernel_size, init, spectral_norm):
    conv = layers.Conv2D(filters, kernel_size, padding="same", kernel_initializer=init())
    return maybe_spectral_norm(conv, spectral_norm)


def _generator_block(x, filters, init):
    shortcut = layers.UpSampling2D()(x)
    shortcut = layers.Conv2D(filters, 1, kernel_initializer=init())(shortcut)
    x = layers.ReLU()(batch_normalization()(x))
    x = layers.UpSampling2D()(x)
    x = layers.Conv2D(filters, 3, padding="same", kernel_initializer=init())(x)
    x = layers.ReLU()(batch_normalization()(x))
    x = layers.Conv2D(filters, 3, padding="same", kernel_initializer=init())(x)
    return layers.Add()([x, shortcut])


def discriminator_block(x, filters, init, spectral_norm, downsample, first=False):
    """A pre-activation residual block of `filters` that halves the resolution when `downsample`
    (average pooling); the `first` block of a network is SNGAN's "optimized" one (no activation
    before its first convolution, pooling before its 1x1 shortcut). `init` is an `Initializers`."""
    shortcut = x
    if not first:
        x = layers.ReLU()(x)
    x = _conv(filters, 3, init, spectral_norm)(x)
    x = layers.ReLU()(x)
    x = _conv(filters, 3, init, spectral_norm)(x)
    if downsample:
        x = layers.AveragePooling2D(2)(x)
    if first:  # "optimized block": pool before the 1x1 shortcut convolution
        shortcut = layers.AveragePooling2D(2)(shortcut)
        shortcut = _conv(filters, 1, init, spectral_norm)(shortcut)
    elif downsample or shortcut.shape[-1] != filters:
        shortcut = _conv(filters, 1, init, spectral_norm)(shortcut)
        if downsample:
            shortcut = layers.AveragePooling2D(2)(shortcut)
    return layers.Add()([x, shortcut])


def build_generator(image_shape=(32, 32, 3), latent_dim=128, width=128, seed=None, name="generator"):
    """Builds the ResNet generator: latent vector -> image in [-1, 1].

    Args:
        image_shape: `(height, width, channels)`.
        latent_dim: size of the latent vector.
        width: filters in every residual block (256 for CIFAR-10 in the paper).
        seed: seeds the initial weights.
        name: the model's name.
    """
    base_h, base_w, k = upsampling_plan(image_shape)
    init = Initializers(seed, name)
    z = keras.Input((latent_dim,), name="latent")
    x = layers.Dense(base_h * base_w * width, kernel_initializer=init())(z)
    x = layers.Reshape((base_h, base_w, width))(x)
    for _ in range(k):
        x = _generator_block(x, width, init)
    x = layers.ReLU()(batch_normalization()(x))
    x = layers.Conv2D(image_shape[-1], 3, padding="same", kernel_initializer=init())(x)
    images = layers.Activation("tanh", dtype="float32", name="images")(x)
    return keras.Model(z, images, name=name)


def build_discriminator(image_shape=(32, 32, 3), width=128, spectral_norm=True, seed=None, name="discriminator"):
    """Builds the ResNet discriminator: image -> one score per image.

    An optimized first block and `k - 1` more blocks halve the resolution down to the base
    size; one more block keeps it; ReLU, a sum over positions and a linear layer give the score.

    Args:
        image_shape: `(height, width, channels)`.
        width: filters in every residual block (128 for CIFAR-10 in the paper).
        spectral_norm: spectral normalization on every convolution and the output layer.
        seed: seeds the initial weights.
        name: the model's name.
    """
    _, _, k = upsampling_plan(image_shape)
    init = Initializers(seed, name)
    images = keras.Input(image_shape, name="images")
    x = discriminator_block(images, width, init, spectral_norm, downsample=True, first=True)
    for _ in range(k - 1):
        x = discriminator_block(x, width, init, spectral_norm, downsample=True)
    x = discriminator_block(x, width, init, spectral_norm, downsample=False)
    x = layers.ReLU()(x)
    x = GlobalSumPooling2D()(x)
    output = layers.Dense(1, dtype="float32", kernel_initializer=init(), name=None if spectral_norm else "logits")
    logits = maybe_spectral_norm(output, spectral_norm, name="logits")(x)
    return keras.Model(images, logits, name=name)
