"""R3GAN's networks: normalization-free residual G and D with fix-up initialization.

Huang, Gokaslan, Kuleshov & Tompkin, "The GAN is dead; long live the GAN! A Modern GAN Baseline",
NeurIPS 2024 (brownvc/R3GAN). Both networks are stages of residual blocks at one image size each,
joined by transition layers; no normalization layer anywhere. A block is an inverted bottleneck,
`x + conv1x1(act(grouped_conv3x3(act(conv1x1(x)))))`, widening `expansion` times with the
grouped convolution in `cardinality` groups; its last convolution starts at zero and the others'
initial weights shrink with the number of blocks L as `L ** (-1/4)` (fix-up initialization: a
residual network of any depth starts as the identity plus a small perturbation, so it trains
without normalization). The activation is a leaky ReLU (0.2) after a bias.

Generator: z -> a learned 4x4 basis scaled by a linear map of z -> stages that each double the
side ([1, 2, 1] interpolation, a 1x1 convolution where the width changes) -> a 1x1 convolution to
the image's channels, linear as in the paper. Discriminator: the mirror image, from a 1x1
convolution of the image to a 4x4 depthwise "basis" and a linear map to one logit.

Widths, blocks and cardinalities are per stage, listed from 4x4 up for the generator; the
discriminator uses them in reverse (from the image's side down), as the official code does.

Class-conditional (`num_classes`), as the official code is: G concatenates a linear embedding of
the one-hot class to z before its basis; D's last linear map outputs a vector instead of one
logit, and the logit is its dot product with D's own linear embedding of the class (a projection
discriminator, the embedding's initial weights scaled by 1 / sqrt(its size)). The official sizes
are z's for G's embedding and the 4x4 stage's width for D's.
"""

from __future__ import annotations

import math

import keras

from kgan.layers.residual import ChannelBias, GenerativeBasis, GroupedConv2D, InterpolativeResample, msr_initializer
from kgan.seeding import sub_seed

NEGATIVE_SLOPE = 0.2
#: The leaky ReLU's gain, sqrt(2 / (1 + 0.2^2)), that keeps activations' variance at initialization.
ACTIVATION_GAIN = math.sqrt(2.0 / (1.0 + NEGATIVE_SLOPE**2))


def check_stages(image_shape, widths, blocks, cardinality, expansion):
    """The stage lists as tuples, checked against each other and the image size."""
    widths, blocks, cardinality = (tuple(int(v) for v in values) for values in (widths, blocks, cardinality))
    if not len(widths) == len(blocks) == len(cardinality):
        raise ValueError(
            f"widths, blocks and cardinality need one entry per stage each; got {len(widths)}, {len(blocks)} "
            f"and {len(cardinality)}."
        )
    height, width = image_shape[:2]
    if height != width or height < 8 or height & (height - 1):
        raise ValueError(
            f"R3GAN makes square images whose side is a power of two from 8 (8, 16, 32, 64, ...), not "
            f"{height}x{width}: resize the data (kgan.data.load(..., image_size=32))."
        )
    side = 4 * 2 ** (len(widths) - 1)
    if tuple(image_shape[:2]) != (side, side):
        sides = ", ".join(f"{4 * 2**k}x{4 * 2**k}: {k + 1} stages" for k in range(1, 6))
        raise ValueError(
            f"{len(widths)} stages make {side}x{side} images, not {image_shape[0]}x{image_shape[1]}. "
            f"Give one width per stage ({sides})."
        )
    for width, groups in zip(widths, cardinality):
        if width < 1 or groups < 1 or (width * expansion) % groups:
            raise ValueError(
                f"A stage of width {width} widens to {width * expansion} channels (expansion {expansion}), "
                f"which its cardinality {groups} must divide."
            )
    if min(blocks) < 1:
        raise ValueError(f"Every stage needs at least one residual block, got blocks={blocks}.")
    return widths, blocks, cardinality


def residual_block(x, width, groups, expansion, total_blocks, seed, name):
    """`x + conv1x1(act(grouped_conv3x3(act(conv1x1(x)))))`, the last convolution starting at zero."""
    expanded = width * expansion
    gain = ACTIVATION_GAIN * total_blocks ** (-1.0 / (2 * 3 - 2))  # 3 layers in the branch
    y = keras.layers.Conv2D(
        expanded, 1, kernel_initializer=msr_initializer(gain, width, sub_seed(seed, name, 1)), name=f"{name}_expand"
    )(x)
    y = keras.layers.LeakyReLU(NEGATIVE_SLOPE, name=f"{name}_act1")(y)
    y = GroupedConv2D(
        expanded,
        3,
        groups,
        kernel_initializer=msr_initializer(gain, expanded // groups * 9, sub_seed(seed, name, 2)),
        name=f"{name}_grouped",
    )(y)
    y = ChannelBias(name=f"{name}_bias")(y)
    y = keras.layers.LeakyReLU(NEGATIVE_SLOPE, name=f"{name}_act2")(y)
    y = keras.layers.Conv2D(width, 1, use_bias=False, kernel_initializer="zeros", name=f"{name}_compress")(y)
    return keras.layers.Add(name=f"{name}_add")([x, y])


def _pointwise(x, filters, seed, name):
    """A 1x1 convolution without bias, N(0, 1/fan_in) initial weights: the transitions' width change."""
    return keras.layers.Conv2D(
        filters, 1, use_bias=False, kernel_initializer=msr_initializer(1.0, x.shape[-1], seed), name=name
    )(x)


def _class_embedding(labels, num_classes, size, gain, seed, name):
    """A linear embedding of the one-hot class: `(batch,)` int labels -> `(batch, size)`."""
    one_hot = keras.layers.CategoryEncoding(num_classes, "one_hot", name=f"{name}_one_hot")(labels)
    return keras.layers.Dense(
        size, use_bias=False, kernel_initializer=msr_initializer(gain, num_classes, seed), name=name
    )(one_hot)


def build_generator(
    image_shape,
    latent_dim,
    widths,
    blocks,
    cardinality,
    expansion=2,
    num_classes=None,
    embedding_dim=None,
    seed=None,
    name="generator",
):
    """R3GAN's generator: z `(latent_dim,)` -> images `image_shape`, linear output; with
    `num_classes`, `[z, labels]` -> images.

    Args:
        image_shape: `(side, side, channels)`, side = 4 * 2^(stages - 1).
        latent_dim: size of z.
        widths: channels of each stage, from 4x4 up.
        blocks: residual blocks of each stage.
        cardinality: groups of each stage's grouped convolution.
        expansion: how many times a block widens its channels.
        num_classes: the number of classes of a class-conditional generator (None: unconditional).
        embedding_dim: the size of the class embedding concatenated to z (default: `latent_dim`).
        seed: seeds the initial weights.
        name: the model's name.
    """
    widths, blocks, cardinality = check_stages(image_shape, widths, blocks, cardinality, expansion)
    seed = sub_seed(seed, name)
    total = sum(blocks)
    z = keras.Input((latent_dim,), name="latent")
    inputs, x = z, z
    if num_classes:
        labels = keras.Input((), dtype="int32", name="labels")
        size = embedding_dim or latent_dim
        embedded = _class_embedding(labels, num_classes, size, 1.0, sub_seed(seed, "embedding"), "class_embedding")
        inputs, x = [z, labels], keras.layers.Concatenate(name="latent_and_class")([z, embedded])
    x = GenerativeBasis(widths[0], seed=sub_seed(seed, "basis"), name="basis")(x)
    for stage, (width, count, groups) in enumerate(zip(widths, blocks, cardinality)):
        if stage:
            if x.shape[-1] != width:
                x = _pointwise(x, width, sub_seed(seed, "transition", stage), f"stage{stage}_transition")
            x = InterpolativeResample("up", name=f"stage{stage}_up")(x)
        for block in range(count):
            x = residual_block(x, width, groups, expansion, total, seed, f"stage{stage}_block{block}")
    images = _pointwise(x, image_shape[-1], sub_seed(seed, "aggregation"), "to_image")
    images = keras.layers.Activation("linear", dtype="float32", name="image")(images)
    return keras.Model(inputs, images, name=name)


def build_discriminator(
    image_shape,
    widths,
    blocks,
    cardinality,
    expansion=2,
    num_classes=None,
    embedding_dim=None,
    seed=None,
    name="discriminator",
):
    """R3GAN's discriminator: images `image_shape` -> one logit per image; with `num_classes`,
    `[images, labels]` -> one logit, by projection on the class's embedding of `embedding_dim`
    values (default: the 4x4 stage's width, `widths[0]`).

    The stage lists are the generator's (from 4x4 up); D walks them from the image's side down.
    """
    embedding_dim = embedding_dim or int(widths[0])
    widths, blocks, cardinality = check_stages(image_shape, widths, blocks, cardinality, expansion)
    widths, blocks, cardinality = widths[::-1], blocks[::-1], cardinality[::-1]
    seed = sub_seed(seed, name)
    total = sum(blocks)
    images = keras.Input(tuple(image_shape), name="image")
    x = _pointwise(images, widths[0], sub_seed(seed, "extraction"), "from_image")
    for stage, (width, count, groups) in enumerate(zip(widths, blocks, cardinality)):
        for block in range(count):
            x = residual_block(x, width, groups, expansion, total, seed, f"stage{stage}_block{block}")
        if stage < len(widths) - 1:
            x = InterpolativeResample("down", name=f"stage{stage}_down")(x)
            if widths[stage + 1] != width:
                x = _pointwise(x, widths[stage + 1], sub_seed(seed, "transition", stage), f"stage{stage}_transition")
    x = keras.layers.DepthwiseConv2D(
        4, use_bias=False, depthwise_initializer=msr_initializer(1.0, 16, sub_seed(seed, "basis")), name="basis"
    )(x)
    x = keras.layers.Flatten(name="flatten")(x)
    outputs = embedding_dim if num_classes else 1
    x = keras.layers.Dense(
        outputs,
        use_bias=False,
        kernel_initializer=msr_initializer(1.0, x.shape[-1], sub_seed(seed, "logit")),
        name="logits",
    )(x)
    if not num_classes:
        logits = keras.layers.Activation("linear", dtype="float32", name="logits_float32")(x)
        return keras.Model(images, logits, name=name)
    labels = keras.Input((), dtype="int32", name="labels")
    gain = 1 / math.sqrt(embedding_dim)
    embedded = _class_embedding(
        labels, num_classes, embedding_dim, gain, sub_seed(seed, "embedding"), "class_embedding"
    )
    logits = keras.layers.Dot(axes=1, dtype="float32", name="projection")([x, embedded])
    return keras.Model([images, labels], logits, name=name)
