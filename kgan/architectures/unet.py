"""U-Net generators for image-to-image translation and inpainting.

Isola et al., "Image-to-Image Translation with Conditional Adversarial Networks" (pix2pix), CVPR
2017: an encoder of stride-2 convolutions (4x4, LeakyReLU 0.2) and a decoder of stride-2
transposed convolutions (ReLU, dropout 0.5 in the three innermost layers as the only noise),
with a skip connection from each encoder layer to the decoder layer of the same size; filters
`width * min(2**i, 8)`. The depth adapts to the image: it halves the size while it stays even,
at most `max_depth` times (8 for 256x256 as in the paper, 2 for 28x28).
"""

from __future__ import annotations

import keras
from keras import layers

from kgan.architectures.initializers import normal
from kgan.layers import batch_normalization
from kgan.seeding import sub_seed

NORMALIZATIONS = ("batch", "instance")


def normalization_layer(kind):
    """Batch normalization, or instance normalization (one group per channel; CycleGAN's choice)."""
    if kind not in NORMALIZATIONS:
        raise ValueError(f"normalization must be one of {list(NORMALIZATIONS)}, got {kind!r}.")
    if kind == "batch":
        return batch_normalization()
    return layers.GroupNormalization(groups=-1, epsilon=1e-5)


def unet_depth(image_shape, max_depth=8):
    """How many times the U-Net halves an image of `image_shape`."""
    height, width = image_shape[:2]
    depth = 0
    while height % 2 == 0 and width % 2 == 0 and height > 1 and width > 1 and depth < max_depth:
        height, width, depth = height // 2, width // 2, depth + 1
    if depth == 0:
        raise ValueError(
            f"A U-Net needs an image size divisible by 2, got {image_shape[0]}x{image_shape[1]}. "
            "Resize or pad the images (e.g. to 28x28, 32x32 or 256x256)."
        )
    return depth


def unet(x, output_channels, width=64, max_depth=8, dropout=0.5, normalization="batch", seed=None, name="images"):
    """The U-Net from tensor `x` (batch, height, width, channels) to a tanh image with `output_channels`."""
    depth = unet_depth(tuple(x.shape[1:]), max_depth)
    skips = []
    for i in range(depth):
        x = layers.Conv2D(
            width * min(2**i, 8), 4, strides=2, padding="same", use_bias=False, kernel_initializer=normal(seed, i)
        )(x)
        if i > 0:
            x = normalization_layer(normalization)(x)
        x = layers.LeakyReLU(0.2)(x)
        skips.append(x)
    for i in reversed(range(depth - 1)):
        x = layers.Conv2DTranspose(
            width * min(2**i, 8), 4, strides=2, padding="same", use_bias=False, kernel_initializer=normal(seed, 20 + i)
        )(x)
        x = normalization_layer(normalization)(x)
        if dropout and i >= depth - 4:  # the three innermost decoder layers
            x = layers.Dropout(dropout, seed=sub_seed(seed, "dropout", i))(x)
        x = layers.ReLU()(x)
        x = layers.Concatenate()([x, skips[i]])
    x = layers.Conv2DTranspose(output_channels, 4, strides=2, padding="same", kernel_initializer=normal(seed, 39))(x)
    return layers.Activation("tanh", dtype="float32", name=name)(x)


def build_unet(
    input_shape=(256, 256, 3),
    output_channels=3,
    width=64,
    max_depth=8,
    dropout=0.5,
    normalization="batch",
    seed=None,
    name="generator",
):
    """The pix2pix U-Net generator: source image in [-1, 1] -> translated image in [-1, 1].

    Args:
        input_shape: `(height, width, channels)` of the source images.
        output_channels: channels of the images it makes.
        width: filters of the outermost layer (64 in the paper).
        max_depth: the most halvings.
        dropout: decoder dropout (0.5 in the paper; the generator's only source of noise).
        normalization: "batch" (pix2pix) or "instance" (CycleGAN).
        seed: seeds the initial weights and dropout.
        name: the model's name.
    """
    source = keras.Input(input_shape, name="source")
    images = unet(source, output_channels, width, max_depth, dropout, normalization, sub_seed(seed, name))
    return keras.Model(source, images, name=name)


def build_inpainting_generator(
    image_shape=(28, 28, 1), width=64, max_depth=8, dropout=0.0, normalization="batch", seed=None, name="generator"
):
    """An inpainting generator: `[source, masks]` -> the source images with the masked region filled in.

    `masks` are `(height, width, 1)` with 1 where pixels are missing. The network never sees the
    missing pixels (they are zeroed, and the mask is an extra input channel), and its output is
    composited so that known pixels pass through unchanged: `mask * U-Net(...) + (1 - mask) * source`.

    Args:
        image_shape: `(height, width, channels)`.
        width, max_depth, dropout, normalization, seed, name: as for `build_unet`.
    """
    # Named "source", not "images": an export's output is "images", and ONNX needs distinct names.
    source = keras.Input(image_shape, name="source")
    masks = keras.Input(tuple(image_shape[:2]) + (1,), name="masks")
    keep = layers.Rescaling(-1.0, offset=1.0)(masks)  # 1 - mask
    known = layers.Multiply()([source, keep])
    filled = unet(
        layers.Concatenate()([known, masks]),
        image_shape[-1],
        width,
        max_depth,
        dropout,
        normalization,
        sub_seed(seed, name),
        "filled",
    )
    composite = layers.Add(dtype="float32", name="composite")([layers.Multiply()([filled, masks]), known])
    return keras.Model([source, masks], composite, name=name)
