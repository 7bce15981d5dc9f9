"""Paired image-to-image GANs: Pix2Pix, SRGAN-style super-resolution and inpainting."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from kgan import export as export_module
from kgan import seeding
from kgan.architectures import patchgan, srresnet, unet
from kgan.losses import mean_absolute_error
from kgan.models.checks import check_batch, check_images
from kgan.models.gan import GAN


@keras.saving.register_keras_serializable(package="kgan")
class TranslationGAN(GAN):
    """A GAN that translates source images into target images, trained on `(source, target)` pairs.

    G maps a source to a target-like image (no latent vector: as in pix2pix, dropout is its only
    noise). D judges targets against G's outputs; when D takes two inputs `[images, source]` it
    judges each image with its source (a conditional GAN, as in pix2pix), otherwise alone. G's
    loss adds a reconstruction term, `reconstruction_weight * E|G(source) - target|` (L1; SRGAN and
    inpainting define their own), logged `reconstruction`.

    Args:
        generator: a `keras.Model` from source images to images in [-1, 1].
        discriminator: a `keras.Model` from `images` or `[images, source]` to logits (one per
            image or one per patch).
        reconstruction_weight: weight of the reconstruction loss against the adversarial loss
            (100 in pix2pix).
        seed: seeds every random draw of the model.
        **kwargs: `kgan.GAN` arguments such as `ema_decay`.
    """

    uses_latent = False

    def __init__(self, generator, discriminator, reconstruction_weight=100.0, **kwargs):
        super().__init__(generator, discriminator, **kwargs)
        self.reconstruction_weight = float(reconstruction_weight)
        self.declare_extra_losses(reconstruction=reconstruction_weight)
        self.conditional_discriminator = len(discriminator.inputs) == 2

    def network_config(self):
        return {**super().network_config(), "reconstruction_weight": self.reconstruction_weight}

    # --- hooks --------------------------------------------------------------------------------

    def unpack(self, data):
        if not (isinstance(data, (tuple, list)) and len(data) == 2):
            raise ValueError(
                f"{type(self).__name__} trains on (source, target) pairs of image batches, got a "
                f"batch of {type(data).__name__}. Build pairs with kgan.data.paired(sources, targets) "
                "or kgan.data.paired_folders(source_dir, target_dir, image_size)."
            )
        source, target = data
        check_images(source, self.generator.inputs[0].shape, "source images", "generator")
        check_batch(target, self.discriminator)
        return target, source

    def generator_inputs(self, real, source, seed=None):
        return source

    def discriminate(self, inputs, source, training=True):
        if self.conditional_discriminator:
            return self.discriminator([inputs, source], training=training)
        return self.discriminator(inputs, training=training)

    def extra_generator_losses(self, real, fake, condition, fake_output):
        return {"reconstruction": self.reconstruction_loss(real, fake, condition)}

    def reconstruction_loss(self, real, fake, condition):
        """How far G's output is from the target: mean absolute error (pix2pix's L1)."""
        return mean_absolute_error(fake, real)

    # --- use ----------------------------------------------------------------------------------

    def translate(self, source, batch_size=64):
        """G's output for source images in [-1, 1] (NumPy), in batches."""
        source = ops.convert_to_tensor(np.asarray(source, np.float32))
        check_images(source, self.generator.inputs[0].shape, "source images", "generator")
        return self.predict_in_batches(source, batch_size)

    def grid_inputs(self, num_images, seed, examples=None):
        """A fixed batch of `(source, target)` pairs; the grid shows sources, outputs and targets."""
        if examples is None:
            raise ValueError(
                f"ImageGrid for {type(self).__name__} needs examples to translate: pass "
                "ImageGrid(..., examples=next(iter(dataset)))."
            )
        target, source = self.unpack(tuple(ops.convert_to_tensor(x) for x in examples))
        count = max(1, min(int(source.shape[0]), num_images // 3))
        return ops.convert_to_numpy(target[:count]), ops.convert_to_numpy(source[:count])

    def real_grid(self, examples, num_images):
        return None  # the grid shows the real images it translates

    def grid_samples(self, grid_inputs):
        target, source = grid_inputs
        output = self.predict_in_batches(ops.convert_to_tensor(source))
        rows = [_displayable(source, target.shape), output, target]
        return np.concatenate(rows, axis=0), len(target)

    def export_endpoints(self, network):
        return export_module.image_endpoints(network)


@keras.saving.register_keras_serializable(package="kgan")
class Pix2Pix(TranslationGAN):
    """Pix2pix: paired image-to-image translation (Isola et al., CVPR 2017).

    A U-Net generator (`kgan.architectures.unet`) and a PatchGAN discriminator that judges each
    image together with its source (`kgan.architectures.patchgan`); G's loss is the
    non-saturating adversarial loss plus `l1_weight` (100) times the L1 distance to the target.
    Trained on `(source, target)` batches, e.g. edge maps and photos.

    Args:
        source_shape: `(height, width, channels)` of the source images.
        target_channels: channels of the target images (default: the source's).
        width: base filters of both networks (64 in the paper).
        max_depth: most U-Net halvings (8 for 256x256).
        dropout: the U-Net decoder's dropout (0.5).
        discriminator_layers: stride-2 layers of the PatchGAN (3: 70x70 patches at 256x256).
        l1_weight: weight of the L1 loss (100), logged `reconstruction`.
        seed: seeds the initial weights and every random draw.
        **kwargs: `kgan.GAN` arguments such as `ema_decay`.

    Example:

    ```python
    pairs = kgan.data.paired_folders("edges/", "photos/", image_size=(256, 256))
    model = kgan.Pix2Pix(source_shape=(256, 256, 3))
    model.compile()
    model.fit(pairs, epochs=200)
    photos = model.translate(edge_maps)
    ```
    """

    def __init__(
        self,
        source_shape=(256, 256, 3),
        target_channels=None,
        width=64,
        max_depth=8,
        dropout=0.5,
        discriminator_layers=3,
        l1_weight=100.0,
        seed=None,
        **kwargs,
    ):
        source_shape = tuple(source_shape)
        target_channels = target_channels or source_shape[-1]
        target_shape = source_shape[:2] + (target_channels,)
        generator = unet.build_unet(source_shape, target_channels, width, max_depth, dropout, seed=seed)
        discriminator = patchgan.build_patch_discriminator(
            target_shape, source_shape, width, discriminator_layers, seed=seed
        )
        super().__init__(generator, discriminator, reconstruction_weight=l1_weight, seed=seed, **kwargs)
        self.source_shape = source_shape
        self.target_channels = target_channels
        self.width = width
        self.max_depth = max_depth
        self.dropout = dropout
        self.discriminator_layers = discriminator_layers

    def network_config(self):
        return {
            "source_shape": self.source_shape,
            "target_channels": self.target_channels,
            "width": self.width,
            "max_depth": self.max_depth,
            "dropout": self.dropout,
            "discriminator_layers": self.discriminator_layers,
            "l1_weight": self.reconstruction_weight,
        }


@keras.saving.register_keras_serializable(package="kgan")
class SRGAN(TranslationGAN):
    """SRGAN-style super-resolution (Ledig et al., CVPR 2017).

    An SRResNet generator (`kgan.architectures.srresnet`) upsamples `scale` times; an
    unconditional PatchGAN judges the high-resolution images. G's loss is the adversarial loss
    plus `content_weight` times the content loss (logged `reconstruction`): mean squared error in
    pixels by default, or between the features of `content_network` (e.g. a VGG19 truncated at
    a deep layer, built from a weights file you have: the paper's perceptual loss).

    Trains on `(low_res, high_res)` pairs, or on high-resolution images alone: then each batch's
    low-resolution inputs are made by area downscaling (`kgan.data.downscale`).

    Args:
        image_shape: `(height, width, channels)` of the high-resolution images; divisible by `scale`.
        scale: upscaling factor, 2, 4 or 8.
        width: filters of the generator (64 in the paper) and base filters of D.
        num_blocks: the generator's residual blocks (16 in the paper).
        content_weight: weight of the content loss relative to the adversarial loss (1000 is the
            paper's 1e-3 adversarial weight).
        content_network: optional `keras.Model` mapping images in [-1, 1] to features.
        seed: seeds the initial weights and every random draw.
        **kwargs: `kgan.GAN` arguments such as `ema_decay`.
    """

    def __init__(
        self,
        image_shape=(28, 28, 1),
        scale=4,
        width=64,
        num_blocks=16,
        content_weight=1000.0,
        content_network=None,
        seed=None,
        **kwargs,
    ):
        image_shape = tuple(image_shape)
        if image_shape[0] % scale or image_shape[1] % scale:
            raise ValueError(
                f"SRGAN needs an image size divisible by scale={scale}, got {image_shape[0]}x{image_shape[1]}."
            )
        low_res_shape = (image_shape[0] // scale, image_shape[1] // scale, image_shape[2])
        generator = srresnet.build_sr_generator(low_res_shape, scale, width, num_blocks, seed=seed)
        num_layers = max(1, min(3, unet.unet_depth(image_shape)))
        discriminator = patchgan.build_patch_discriminator(image_shape, None, width, num_layers, seed=seed)
        super().__init__(generator, discriminator, reconstruction_weight=content_weight, seed=seed, **kwargs)
        self.image_shape = image_shape
        self.scale = scale
        self.width = width
        self.num_blocks = num_blocks
        self.content_network = content_network

    def network_config(self):
        return {
            "image_shape": self.image_shape,
            "scale": self.scale,
            "width": self.width,
            "num_blocks": self.num_blocks,
            "content_weight": self.reconstruction_weight,
            "content_network": keras.saving.serialize_keras_object(self.content_network),
        }

    def unpack(self, data):
        if isinstance(data, (tuple, list)):
            return super().unpack(data)
        check_batch(data, self.discriminator)
        return data, None

    def complete_condition(self, real, condition, seed=None):
        """High-resolution images alone get their low-resolution inputs by area downscaling."""
        return downscale(real, self.scale) if condition is None else condition

    def reconstruction_loss(self, real, fake, condition):
        if self.content_network is not None:
            fake, real = self.content_network(fake, training=False), self.content_network(real, training=False)
        return ops.mean(ops.square(ops.cast(fake, "float32") - ops.cast(real, "float32")))

    def grid_inputs(self, num_images, seed, examples=None):
        if examples is not None and not isinstance(examples, (tuple, list)):
            examples = (downscale(ops.convert_to_tensor(examples), self.scale), examples)
        return super().grid_inputs(num_images, seed, examples)


@keras.saving.register_keras_serializable(package="kgan")
class Inpainting(TranslationGAN):
    """Inpainting: fill a masked region so that the whole image looks real.

    The generator (`kgan.architectures.unet.build_inpainting_generator`) takes `[images, masks]`
    (masks `(height, width, 1)`, 1 where pixels are missing), never sees the missing pixels and
    returns the image with only the masked region replaced. D, an unconditional PatchGAN, judges
    the completed images, so its loss only reaches G through the filled region. G's loss adds
    `reconstruction_weight` times the L1 error inside the hole (averaged over hole pixels),
    logged `reconstruction` (Pathak et al., "Context Encoders", CVPR 2016; Iizuka et al., 2017).

    Trains on images alone (a random rectangular hole per image, `hole_size` of each side) or
    on `(images, masks)` pairs.

    Args:
        image_shape: `(height, width, channels)`.
        hole_size: side of the random square hole as a fraction of the image side.
        width, max_depth: as for `kgan.Pix2Pix`.
        discriminator_layers: stride-2 layers of the PatchGAN.
        reconstruction_weight: weight of the hole's L1 loss.
        seed: seeds the initial weights and every random draw (the holes too).
        **kwargs: `kgan.GAN` arguments such as `ema_decay`.
    """

    def __init__(
        self,
        image_shape=(28, 28, 1),
        hole_size=0.5,
        width=64,
        max_depth=8,
        discriminator_layers=3,
        reconstruction_weight=100.0,
        seed=None,
        **kwargs,
    ):
        image_shape = tuple(image_shape)
        if not 0.0 < hole_size < 1.0:
            raise ValueError(f"hole_size is a fraction of the image side in (0, 1), got {hole_size}.")
        generator = unet.build_inpainting_generator(image_shape, width, max_depth, seed=seed)
        discriminator = patchgan.build_patch_discriminator(image_shape, None, width, discriminator_layers, seed=seed)
        super().__init__(generator, discriminator, reconstruction_weight=reconstruction_weight, seed=seed, **kwargs)
        self.image_shape = image_shape
        self.hole_size = hole_size
        self.width = width
        self.max_depth = max_depth
        self.discriminator_layers = discriminator_layers

    def network_config(self):
        return {
            "image_shape": self.image_shape,
            "hole_size": self.hole_size,
            "width": self.width,
            "max_depth": self.max_depth,
            "discriminator_layers": self.discriminator_layers,
            "reconstruction_weight": self.reconstruction_weight,
        }

    def unpack(self, data):
        if isinstance(data, (tuple, list)):
            if len(data) != 2:
                raise ValueError(f"Inpainting trains on images or (images, masks) batches, got {len(data)} parts.")
            images, masks = data
        else:
            images, masks = data, None
        check_batch(images, self.discriminator)
        if masks is not None:
            check_images(masks, (None,) + self.image_shape[:2] + (1,), "masks", "inpainting generator")
            masks = ops.cast(masks, images.dtype)
        return images, masks

    def complete_condition(self, real, masks, seed=None):
        """Images that came without masks get one random square hole each."""
        if masks is not None:
            return masks
        seed = self.seed_generator if seed is None else seed
        masks = seeding.replica_share(
            lambda total: random_box_masks(total, self.image_shape[:2], self.hole_size, seed), ops.shape(real)[0]
        )
        return ops.cast(masks, real.dtype)

    def generator_inputs(self, real, masks, seed=None):
        return [real, masks]

    def reconstruction_loss(self, real, fake, masks):
        error = ops.abs(ops.cast(fake, "float32") - ops.cast(real, "float32")) * ops.cast(masks, "float32")
        hole_pixels = ops.sum(ops.cast(masks, "float32")) * ops.cast(ops.shape(real)[-1], "float32")
        return ops.sum(error) / ops.maximum(hole_pixels, 1.0)

    def inpaint(self, images, masks, batch_size=64):
        """Fills the masked region of `images` (in [-1, 1]); `masks` are `(n, height, width, 1)`, 1 = missing."""
        images = ops.convert_to_tensor(np.asarray(images, np.float32))
        masks = ops.convert_to_tensor(np.asarray(masks, np.float32))
        check_batch(images, self.discriminator)
        check_images(masks, (None,) + self.image_shape[:2] + (1,), "masks", "inpainting generator")
        if images.shape[0] != masks.shape[0]:
            raise ValueError(f"Got {images.shape[0]} images but {masks.shape[0]} masks; give one mask per image.")
        return self.predict_in_batches([images, masks], batch_size)

    def translate(self, source, batch_size=64):
        return self.inpaint(*source, batch_size=batch_size)

    def grid_inputs(self, num_images, seed, examples=None):
        if examples is None:
            raise ValueError("ImageGrid for Inpainting needs examples: ImageGrid(..., examples=next(iter(dataset))).")
        images = examples[0] if isinstance(examples, (tuple, list)) else examples
        count = max(1, min(int(images.shape[0]), num_images // 3))
        images = ops.convert_to_tensor(images[:count])
        if isinstance(examples, (tuple, list)):
            masks = ops.convert_to_tensor(examples[1][:count])
        else:
            masks = random_box_masks(count, self.image_shape[:2], self.hole_size, seed)
        return ops.convert_to_numpy(images), ops.convert_to_numpy(ops.cast(masks, "float32"))

    def grid_samples(self, grid_inputs):
        images, masks = grid_inputs
        masked = images * (1.0 - masks) + masks  # holes shown white
        return np.concatenate([masked, self.inpaint(images, masks), images], axis=0), len(images)


def downscale(images, scale):
    """Area-downscales a batch of images by an integer factor (SRGAN's low-resolution inputs)."""
    height, width = images.shape[1] // scale, images.shape[2] // scale
    return ops.cast(tf.image.resize(images, (height, width), method="area"), images.dtype)


def random_box_masks(count, image_size, hole_size, seed):
    """`(count, height, width, 1)` float32 masks, each 1 inside one random square of side `hole_size`."""
    height, width = image_size
    box_h, box_w = max(1, round(hole_size * height)), max(1, round(hole_size * width))
    corners = keras.random.uniform((count, 2), 0.0, 1.0, seed=seed)
    top = ops.cast(corners[:, 0] * (height - box_h + 1), "int32")[:, None, None]
    left = ops.cast(corners[:, 1] * (width - box_w + 1), "int32")[:, None, None]
    rows = ops.arange(height, dtype="int32")[None, :, None]
    cols = ops.arange(width, dtype="int32")[None, None, :]
    inside = (rows >= top) & (rows < top + box_h) & (cols >= left) & (cols < left + box_w)
    return ops.cast(inside, "float32")[..., None]


def _displayable(source, target_shape):
    """Source images at the target's size and channel count, to sit in a grid beside the targets."""
    source = np.asarray(source, np.float32)
    if source.shape[1:3] != tuple(target_shape[1:3]):
        source = tf.image.resize(source, target_shape[1:3], method="nearest").numpy()
    if source.shape[-1] != target_shape[-1]:
        source = np.repeat(source.mean(axis=-1, keepdims=True), target_shape[-1], axis=-1)
    return source
