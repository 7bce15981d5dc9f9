"""DCGAN generator and discriminator for any image size that is a small multiple of a power of two.

Radford, Metz & Chintala, "Unsupervised Representation Learning with Deep Convolutional Generative
Adversarial Networks", 2016: strided (transposed) convolutions instead of pooling, batch
normalization in the generator, ReLU-family activations, tanh output, N(0, 0.02) initial weights.

The generator projects the latent vector to a small `base x base` map, refines it with one
stride-1 transposed convolution, and doubles the resolution with `k` stride-2 transposed
convolutions, halving the filters each time. The discriminator mirrors it. For 28x28 images and
`width=64` this is the network of the TensorFlow DCGAN tutorial (Dense 7x7x256, then transposed
convolutions 128-64-1 with kernel 5; convolutions 64-128 and a dense output).
"""

from __future__ import annotations

import keras
from keras import layers

from kgan.architectures.initializers import normal
from kgan.layers import MinibatchStdDev, batch_normalization
from kgan.seeding import sub_seed

#: Samples per minibatch-standard-deviation group: the whole batch (None), which trained MNIST to
#: a lower FID than StyleGAN2's groups of 4 (docs/performance.md, "The first run").
MINIBATCH_GROUP_SIZE = None


def upsampling_plan(image_shape):
    """Returns `(base_height, base_width, k)`: the map the generator starts from and the doublings.

    Halves height and width together while both stay even and larger than 4, so 28 -> 7 (k=2),
    32 -> 4 (k=3), 64 -> 4 (k=4), 8 -> 4 (k=1).
    """
    if len(image_shape) != 3 or not all(isinstance(d, int) and d > 0 for d in image_shape):
        raise ValueError(
            f"image_shape must be (height, width, channels) of positive ints, got {image_shape!r}. "
            "Example: (28, 28, 1) for MNIST, (32, 32, 3) for CIFAR-10."
        )
    height, width, _ = image_shape
    k = 0
    while height % 2 == 0 and width % 2 == 0 and min(height, width) > 4:
        height, width, k = height // 2, width // 2, k + 1
    if k == 0:
        raise ValueError(
            f"DCGAN needs an image size divisible by 2 (a small multiple of a power of two such as "
            f"28, 32 or 64), got {image_shape[0]}x{image_shape[1]}. Resize or pad the images, e.g. "
            "kgan.data.image_folder(path, image_size=(32, 32))."
        )
    if max(height, width) > 8:
        raise ValueError(
            f"Image size {image_shape[0]}x{image_shape[1]} halves only to {height}x{width}; DCGAN "
            "needs a size of the form base * 2**k with base <= 8 (e.g. 28 = 7*4, 48 = 3*16, 64 = "
            "4*16). Resize the images to such a size."
        )
    return height, width, k


def check_sizes(**sizes):
    """Raises a ValueError naming any size argument that is not a positive int."""
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}.")


def build_generator(image_shape=(28, 28, 1), latent_dim=100, width=64, kernel_size=5, seed=None, name="generator"):
    """Builds the DCGAN generator: latent vector `(latent_dim,)` -> image in [-1, 1].

    Args:
        image_shape: `(height, width, channels)` of the images to make.
        latent_dim: size of the latent vector.
        width: filters of the last hidden layer; earlier layers have width * 2**i.
        kernel_size: transposed-convolution kernel size.
        seed: seeds the initial weights, so the same seed builds the same network.
        name: the model's name.
    """
    check_sizes(latent_dim=latent_dim, width=width, kernel_size=kernel_size)
    z = keras.Input((latent_dim,), name="latent")
    images = generator_body(
        z, image_shape, width, kernel_size, sub_seed(seed, name), lambda x: batch_normalization()(x)
    )
    return keras.Model(z, images, name=name)


def generator_body(x, image_shape, width, kernel_size, seed, normalize):
    """The DCGAN generator from an input vector `x` to images, with `normalize(x)` after each layer.

    Conditional generators reuse it with class-conditional batch normalization as `normalize`.
    """
    base_h, base_w, k = upsampling_plan(image_shape)
    channels = image_shape[-1]
    filters = width * 2**k
    x = layers.Dense(base_h * base_w * filters, use_bias=False, kernel_initializer=normal(seed, 0))(x)
    x = layers.LeakyReLU(0.2)(normalize(x))
    x = layers.Reshape((base_h, base_w, filters))(x)
    x = layers.Conv2DTranspose(
        filters // 2, kernel_size, padding="same", use_bias=False, kernel_initializer=normal(seed, 1)
    )(x)
    for i in range(k - 1):
        x = layers.LeakyReLU(0.2)(normalize(x))
        x = layers.Conv2DTranspose(
            width * 2 ** (k - 2 - i),
            kernel_size,
            strides=2,
            padding="same",
            use_bias=False,
            kernel_initializer=normal(seed, 2 + i),
        )(x)
    x = layers.LeakyReLU(0.2)(normalize(x))
    x = layers.Conv2DTranspose(
        channels, kernel_size, strides=2, padding="same", kernel_initializer=normal(seed, 1 + k)
    )(x)
    # tanh in float32 so mixed-precision generators still emit exact [-1, 1] images.
    return layers.Activation("tanh", dtype="float32", name="images")(x)


def build_discriminator(
    image_shape=(28, 28, 1),
    width=64,
    kernel_size=5,
    dropout=0.3,
    spectral_norm=False,
    minibatch_std=False,
    seed=None,
    name="discriminator",
):
    """Builds the DCGAN discriminator: image in [-1, 1] -> one logit ("real") per image.

    No batch normalization: D sees real and fake batches separately, and penalties such as the
    gradient penalty assume each sample's output depends on that sample only (the minibatch
    standard deviation, when on, ties the samples of a batch together, as in ProGAN).

    Args:
        image_shape: `(height, width, channels)` of the images to judge.
        width: filters of the first convolution; later ones have width * 2**i.
        kernel_size: convolution kernel size.
        dropout: dropout rate after each convolution (0 disables it).
        spectral_norm: wrap every convolution and the output layer in
            `keras.layers.SpectralNormalization` (Miyato et al., 2018).
        minibatch_std: end with ProGAN/StyleGAN's last block: a minibatch standard deviation
            channel (`kgan.layers.MinibatchStdDev` over the whole batch) and a 3x3 convolution
            that reads it, so D sees how varied a batch is.
        seed: seeds the initial weights and dropout.
        name: the model's name.
    """
    check_sizes(width=width, kernel_size=kernel_size)
    images = keras.Input(image_shape, name="images")
    seed = sub_seed(seed, name)
    features = discriminator_body(
        images, image_shape, width, kernel_size, dropout, spectral_norm, seed, minibatch_std=minibatch_std
    )
    logits = dense_output(features, 1, spectral_norm, seed, name="logits")
    return keras.Model(images, logits, name=name)


def discriminator_body(x, image_shape, width, kernel_size, dropout, spectral_norm, seed, minibatch_std=False):
    """The DCGAN discriminator's convolutions from images `x` to a flat feature vector.

    With `minibatch_std`, a `MinibatchStdDev` channel and a 3x3 convolution follow the strided ones.
    """
    _, _, k = upsampling_plan(image_shape)
    convolutions = [(width * 2**i, kernel_size, 2) for i in range(k)]
    if minibatch_std:
        convolutions.append((width * 2 ** (k - 1), 3, 1))
    for i, (filters, size, strides) in enumerate(convolutions):
        if minibatch_std and i == k:
            x = MinibatchStdDev(MINIBATCH_GROUP_SIZE)(x)
        conv = layers.Conv2D(filters, size, strides=strides, padding="same", kernel_initializer=normal(seed, 50 + i))
        x = maybe_spectral_norm(conv, spectral_norm)(x)
        x = layers.LeakyReLU(0.2)(x)
        if dropout:
            x = layers.Dropout(dropout, seed=sub_seed(seed, "dropout", i))(x)
    return layers.Flatten()(x)


def dense_output(features, units, spectral_norm, seed, name, index=99):
    """A float32 dense output layer named `name` (spectrally normalised when asked)."""
    output = layers.Dense(
        units, dtype="float32", kernel_initializer=normal(seed, index), name=None if spectral_norm else name
    )
    return maybe_spectral_norm(output, spectral_norm, name=name)(features)


def maybe_spectral_norm(layer, enabled, name=None):
    """`layer` wrapped in `keras.layers.SpectralNormalization` (named `name`) when `enabled`.

    Keras' wrapper runs one power iteration per training call and writes the normalised kernel
    back into the layer, so the gradient does not flow through the spectral norm itself (as in
    TF-Addons; Miyato et al. backpropagate through it). Either way the kernel the layer uses
    has a largest singular value of about 1.
    """
    if not enabled:
        return layer
    return layers.SpectralNormalization(layer, power_iterations=1, name=name)
