"""PatchGAN discriminators: one real/fake logit per overlapping image patch.

Isola et al., 2017 (pix2pix): 4x4 convolutions, `num_layers` of stride 2 (filters
`width * min(2**i, 8)`, LeakyReLU 0.2, normalization after the first), one of stride 1 and a
1-channel output. With 3 layers on 256x256 images each logit sees a 70x70 patch. Conditional
(pix2pix) discriminators judge `[candidate, source]`, concatenated along channels; unconditional
ones (CycleGAN, SRGAN, inpainting) judge images alone.
"""

from __future__ import annotations

import keras
from keras import layers

from kgan.architectures.initializers import normal
from kgan.architectures.unet import normalization_layer
from kgan.seeding import sub_seed


def build_patch_discriminator(
    image_shape=(256, 256, 3),
    source_shape=None,
    width=64,
    num_layers=3,
    normalization="batch",
    seed=None,
    name="discriminator",
):
    """Builds a PatchGAN: images (and optionally their sources) -> logits `(batch, h, w, 1)`.

    Args:
        image_shape: `(height, width, channels)` of the images judged.
        source_shape: shape of the source images it is conditioned on (pix2pix), or None.
        width: filters of the first layer.
        num_layers: stride-2 layers (3 gives 70x70 patches); fewer on small images.
        normalization: "batch" (pix2pix) or "instance" (CycleGAN).
        seed: seeds the initial weights.
        name: the model's name.
    """
    if num_layers < 1:
        raise ValueError(f"num_layers must be >= 1, got {num_layers}.")
    seed = sub_seed(seed, name)
    images = keras.Input(image_shape, name="images")
    inputs = [images]
    x = images
    if source_shape is not None:
        source = keras.Input(source_shape, name="source")
        if tuple(source_shape[:2]) != tuple(image_shape[:2]):
            raise ValueError(
                f"A conditional PatchGAN needs sources of the images' size {tuple(image_shape[:2])}, "
                f"got {tuple(source_shape[:2])}."
            )
        inputs.append(source)
        x = layers.Concatenate()([images, source])
    for i in range(num_layers + 1):
        x = layers.Conv2D(
            width * min(2**i, 8),
            4,
            strides=2 if i < num_layers else 1,
            padding="same",
            use_bias=i == 0,
            kernel_initializer=normal(seed, 60 + i),
        )(x)
        if i > 0:
            x = normalization_layer(normalization)(x)
        x = layers.LeakyReLU(0.2)(x)
    logits = layers.Conv2D(1, 4, padding="same", dtype="float32", kernel_initializer=normal(seed, 70), name="logits")(x)
    return keras.Model(inputs, logits, name=name)
