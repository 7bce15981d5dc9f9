"""BigGAN's networks: a class-conditional ResNet generator and a projection discriminator.

Brock et al., "Large Scale GAN Training for High Fidelity Natural Image Synthesis", ICLR 2019
(appendix B, the architecture of BigGAN, not BigGAN-deep), as its authors' BigGAN-PyTorch builds it:

* generator: z is split into one chunk per block plus one ("hierarchical latent"); the first
  chunk goes through a linear layer to the base map (4x4 for 32, 64 and 128 pixels); each
  residual block doubles the resolution: conditional batch norm, ReLU, nearest upsampling, 3x3
  convolution, conditional batch norm, ReLU, 3x3 convolution, plus an upsampled 1x1 shortcut.
  Every conditional batch norm takes `[shared class embedding, the block's z chunk]` through
  linear gains and biases (`kgan.layers.ProjectedBatchNormalization`). A self-attention block
  (`kgan.layers.SelfAttention2D`) follows the block that reaches `attention_resolution`; batch
  norm, ReLU, a 3x3 convolution and tanh make the image. Spectral normalization on every
  convolution and linear layer.
* discriminator: residual blocks that halve the resolution down to the base map (the first
  "optimized"), self-attention after the block that reaches `attention_resolution`, one block
  more at the base size, ReLU, a sum over positions, and `linear(h) + <embed(y), h>` (the
  projection discriminator, Miyato & Koyama, 2018). Spectral normalization throughout.

Filters follow the paper's channel multipliers of `width` ("ch"): above 32x32 the generator's
blocks have `width * min(16, 128 // resolution)` filters (16, 16, 8, 4, 2, 1 times `width` from
4x4 to 128x128) and the discriminator's `width * min(16, 2**i)` for its i-th block; at 32x32
and below both have `4 * width` everywhere (the paper's CIFAR-10 model, `width` 64).
"""

from __future__ import annotations

import math

import keras
from keras import layers, ops

from kgan.architectures.dcgan import maybe_spectral_norm, upsampling_plan
from kgan.architectures.resnet import Initializers, discriminator_block
from kgan.layers import (
    ClassEmbedding,
    GlobalSumPooling2D,
    ProjectedBatchNormalization,
    SelfAttention2D,
    SplitLatent,
    batch_normalization,
)
from kgan.seeding import sub_seed


def default_attention_resolution(image_shape):
    """Half the image's height (64 for 128x128 images, as in the paper; 16 for 32x32); None for
    images too small to have a map between the base and the image size (8x8)."""
    return image_shape[0] // 2 if attention_resolutions(image_shape) else None


def attention_resolutions(image_shape):
    """The heights of the maps both networks pass through between the base map and the image."""
    base_height, _, k = upsampling_plan(tuple(image_shape))
    return [base_height * 2**i for i in range(1, k)]


def check_attention_resolution(image_shape, attention_resolution):
    """`attention_resolution` (None: no attention), or a ValueError naming the resolutions the networks pass through."""
    if attention_resolution is None:
        return None
    sizes = attention_resolutions(image_shape)
    if attention_resolution not in sizes:
        raise ValueError(
            f"attention_resolution must be the height of a map the networks pass through, one of {sizes} for "
            f"{image_shape[0]}x{image_shape[1]} images, or None for no self-attention; got {attention_resolution!r}."
        )
    return int(attention_resolution)


def generator_filters(image_shape, width, resolution):
    """Filters of the generator's maps at `resolution` (the map of height `resolution`)."""
    if image_shape[0] <= 32:
        return 4 * width
    return width * min(16, max(1, 128 // resolution))


def discriminator_filters(image_shape, width, block):
    """Filters of the discriminator's `block`-th residual block (0: the first)."""
    if image_shape[0] <= 32:
        return 4 * width
    return width * min(16, 2**block)


def _check_sizes(latent_dim, num_classes, width, embedding_dim):
    for name, value in (
        ("latent_dim", latent_dim),
        ("num_classes", num_classes),
        ("width", width),
        ("embedding_dim", embedding_dim),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}.")
    if num_classes < 2:
        raise ValueError(f"num_classes must be >= 2, got {num_classes}.")


def build_generator(
    image_shape=(32, 32, 3),
    latent_dim=128,
    num_classes=10,
    width=64,
    embedding_dim=128,
    attention_resolution="auto",
    seed=None,
    name="generator",
):
    """BigGAN's generator: `[latent (latent_dim,), labels ()]` -> images in [-1, 1].

    Args:
        image_shape: `(height, width, channels)`, of the form base * 2**k with base <= 8.
        latent_dim: size of z, split into one chunk per block plus one (at least that many).
        num_classes: the number of classes.
        width: the paper's "ch" (64 for CIFAR-10, 96 at 128x128).
        embedding_dim: size of the shared class embedding (128 in the paper).
        attention_resolution: where the self-attention block goes (a map's height), "auto"
            (`default_attention_resolution`) or None for none.
        seed: seeds the initial weights.
        name: the model's name.
    """
    _check_sizes(latent_dim, num_classes, width, embedding_dim)
    base_height, base_width, k = upsampling_plan(tuple(image_shape))
    if attention_resolution == "auto":
        attention_resolution = default_attention_resolution(image_shape)
    attention_resolution = check_attention_resolution(image_shape, attention_resolution)
    init = Initializers(seed, name)
    seed = sub_seed(seed, name)
    latent = keras.Input((latent_dim,), name="latent")
    labels = keras.Input((), dtype="int32", name="labels")
    chunks = SplitLatent(k + 1, name="latent_chunks")(latent)
    shared = ClassEmbedding(num_classes, embedding_dim, seed=sub_seed(seed, "shared"), name="shared_embedding")(labels)

    def linear(units):
        return maybe_spectral_norm(layers.Dense(units, kernel_initializer=init()), True)

    def conv(filters, size):
        return maybe_spectral_norm(layers.Conv2D(filters, size, padding="same", kernel_initializer=init()), True)

    filters = generator_filters(image_shape, width, base_height)
    x = linear(base_height * base_width * filters)(chunks[0])
    x = layers.Reshape((base_height, base_width, filters))(x)
    for block in range(k):
        resolution = base_height * 2 ** (block + 1)
        condition = layers.Concatenate(name=f"block{block}_condition")([shared, chunks[block + 1]])
        filters = generator_filters(image_shape, width, resolution)

        def normalize(x, which, block=block, condition=condition):
            layer_name = f"block{block}_bn{which}"
            return ProjectedBatchNormalization(seed=sub_seed(seed, layer_name), name=layer_name)([x, condition])

        shortcut = conv(filters, 1)(layers.UpSampling2D()(x))
        x = layers.ReLU()(normalize(x, 0))
        x = conv(filters, 3)(layers.UpSampling2D()(x))
        x = layers.ReLU()(normalize(x, 1))
        x = layers.Add()([conv(filters, 3)(x), shortcut])
        if resolution == attention_resolution:
            x = SelfAttention2D(seed=sub_seed(seed, "attention"), name="attention")(x)
    x = layers.ReLU()(batch_normalization(epsilon=1e-4)(x))
    x = conv(image_shape[-1], 3)(x)
    images = layers.Activation("tanh", dtype="float32", name="images")(x)
    return keras.Model([latent, labels], images, name=name)


def build_discriminator(
    image_shape=(32, 32, 3),
    num_classes=10,
    width=64,
    attention_resolution="auto",
    seed=None,
    name="discriminator",
):
    """BigGAN's projection discriminator: `[images, labels]` -> one score per image.

    Args:
        image_shape, num_classes, width, attention_resolution, seed, name: as for `build_generator`.
    """
    _check_sizes(1, num_classes, width, 1)
    base_height, _, k = upsampling_plan(tuple(image_shape))
    if attention_resolution == "auto":
        attention_resolution = default_attention_resolution(image_shape)
    attention_resolution = check_attention_resolution(image_shape, attention_resolution)
    init = Initializers(seed, name)
    images = keras.Input(image_shape, name="images")
    labels = keras.Input((), dtype="int32", name="labels")
    x = images
    for block in range(k):
        filters = discriminator_filters(image_shape, width, block)
        x = discriminator_block(x, filters, init, True, downsample=True, first=block == 0)
        if image_shape[0] // 2 ** (block + 1) == attention_resolution:
            x = SelfAttention2D(seed=sub_seed(seed, name, "attention"), name="attention")(x)
    x = discriminator_block(x, filters, init, True, downsample=False)
    features = GlobalSumPooling2D()(layers.ReLU()(x))
    linear = layers.Dense(1, kernel_initializer=init())
    logits = maybe_spectral_norm(linear, True, name="unconditional_logits")(features)
    embedded = layers.Embedding(
        num_classes,
        features.shape[-1],
        embeddings_initializer=keras.initializers.GlorotUniform(seed=sub_seed(seed, name, "embedding")),
        name="class_embedding",
    )(labels)
    projection = layers.Dot(axes=1)([features, embedded])
    logits = layers.Add(dtype="float32", name="logits")([logits, projection])
    return keras.Model([images, labels], logits, name=name)


def truncate_latent(latent, truncation):
    """The truncation trick (Brock et al., 2019): latent values drawn from N(0, 1) moved into
    [-truncation, truncation] so that they follow the normal distribution truncated there, the
    distribution BigGAN samples by redrawing every value beyond the threshold.

    Each value z maps to `sqrt(2) * erfinv(erf(t / sqrt(2)) * erf(z / sqrt(2)))`, t the threshold:
    the inverse of the truncated normal's CDF applied to the normal's CDF of z. It is monotone
    and smooth in z, so a seed or a latent walk draws the same images at every call (resampling
    would not), and values well inside the threshold barely move. Tensors or arrays in, a tensor
    out; it also runs inside an exported SavedModel, ONNX and LiteRT file (erf and its inverse
    are computed from elementary ops, which all three have). `truncation` None or inf returns
    the latents.
    """
    latent = ops.convert_to_tensor(latent, "float32")
    if truncation is None:
        return latent
    threshold = ops.cast(truncation, "float32")
    root_two = math.sqrt(2.0)
    squeezed = root_two * _erfinv(_erf(threshold / root_two) * _erf(latent / root_two))
    return ops.where(ops.isfinite(threshold), squeezed, latent)


def _erf(x):
    """erf from exp and a rational function (Abramowitz & Stegun 7.1.26: error below 1.5e-7)."""
    magnitude = ops.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * magnitude)
    polynomial = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return ops.sign(x) * (1.0 - polynomial * ops.exp(-magnitude * magnitude))


#: Giles, "Approximating the erfinv function" (GPU Computing Gems, 2011), single precision:
#: polynomials in w = -log(1 - x**2) below and above w = 5.
_ERFINV_CENTRAL = (
    2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
    -0.00125372503, -0.00417768164, 0.246640727, 1.50140941,
)  # fmt: skip
_ERFINV_TAIL = (
    -0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
    -0.0076224613, 0.00943887047, 1.00167406, 2.83297682,
)  # fmt: skip


def _erfinv(x):
    """The inverse of erf on (-1, 1), from log, sqrt and polynomials (Giles' single-precision form)."""
    x = ops.clip(x, -1.0 + 2.0**-24, 1.0 - 2.0**-24)  # float32's closest to +-1, where erfinv is about +-5.4
    w = -ops.log((1.0 - x) * (1.0 + x))

    def horner(coefficients, value):
        result = ops.zeros_like(value) + coefficients[0]
        for coefficient in coefficients[1:]:
            result = coefficient + result * value
        return result

    central = horner(_ERFINV_CENTRAL, w - 2.5)
    tail = horner(_ERFINV_TAIL, ops.sqrt(ops.maximum(w, 5.0)) - 3.0)
    return ops.where(w < 5.0, central, tail) * x
