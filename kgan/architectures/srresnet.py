"""SRResNet: the super-resolution generator of SRGAN.

Ledig et al., "Photo-Realistic Single Image Super-Resolution Using a Generative Adversarial
Network", CVPR 2017: a 9x9 convolution, `num_blocks` residual blocks (conv-BN-PReLU-conv-BN), a
long skip connection, one 2x upsampling stage per factor of 2 and a 9x9 output convolution.
Two departures from the paper: the upsampling is nearest-neighbour resize then convolution
(Odena et al., 2016, "Deconvolution and Checkerboard Artifacts") instead of sub-pixel
convolution, which avoids a custom layer in saved models; and the network learns a residual
on top of the bilinearly upsampled input (global residual learning, Kim et al., "VDSR", CVPR
2016), clipped to [-1, 1], so it starts from an interpolation instead of from noise and needs
no MSE pre-training to beat it.
"""

from __future__ import annotations

import math

import keras
from keras import layers

from kgan.architectures.initializers import normal
from kgan.layers import batch_normalization
from kgan.seeding import sub_seed


def build_sr_generator(low_res_shape=(7, 7, 1), scale=4, width=64, num_blocks=16, seed=None, name="generator"):
    """Builds SRResNet: low-resolution image in [-1, 1] -> image `scale` times larger in [-1, 1].

    Args:
        low_res_shape: `(height, width, channels)` of the inputs.
        scale: upscaling factor, a power of two (2, 4, 8).
        width: filters per convolution (64 in the paper).
        num_blocks: residual blocks (16 in the paper).
        seed: seeds the initial weights.
        name: the model's name.
    """
    if scale < 2 or 2 ** round(math.log2(scale)) != scale:
        raise ValueError(f"scale must be a power of two >= 2 (2, 4, 8), got {scale}.")
    seed = sub_seed(seed, name)
    low_res = keras.Input(low_res_shape, name="low_res")
    x = layers.Conv2D(width, 9, padding="same", kernel_initializer=normal(seed, 80))(low_res)
    x = skip = layers.PReLU(shared_axes=[1, 2])(x)
    for i in range(num_blocks):
        y = layers.Conv2D(width, 3, padding="same", kernel_initializer=normal(seed, 100 + 2 * i))(x)
        y = layers.PReLU(shared_axes=[1, 2])(batch_normalization()(y))
        y = layers.Conv2D(width, 3, padding="same", kernel_initializer=normal(seed, 101 + 2 * i))(y)
        x = layers.Add()([x, batch_normalization()(y)])
    x = layers.Conv2D(width, 3, padding="same", kernel_initializer=normal(seed, 81))(x)
    x = layers.Add()([skip, batch_normalization()(x)])
    for i in range(round(math.log2(scale))):
        x = layers.UpSampling2D(2)(x)
        x = layers.Conv2D(width, 3, padding="same", kernel_initializer=normal(seed, 82 + i))(x)
        x = layers.PReLU(shared_axes=[1, 2])(x)
    residual = layers.Conv2D(low_res_shape[-1], 9, padding="same", kernel_initializer=normal(seed, 95))(x)
    upsampled = layers.UpSampling2D(scale, interpolation="bilinear")(low_res)
    x = layers.Add(dtype="float32")([upsampled, residual])
    # Clip to [-1, 1] with standard layers (so saved models need nothing custom): relu6-style cap of x + 1.
    x = layers.ReLU(max_value=2.0)(layers.Rescaling(1.0, offset=1.0)(x))
    images = layers.Rescaling(1.0, offset=-1.0, dtype="float32", name="images")(x)
    return keras.Model(low_res, images, name=name)
