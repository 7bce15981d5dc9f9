"""Differentiable augmentation of what the discriminator sees: DiffAugment and adaptive (ADA).

Augmenting only real images would teach the generator to make augmented images. Augmenting
everything D sees, real and fake, in both the D and the G step, with operations the generator's
gradient can pass through, lets D train on more varied data without leaking the augmentations
into the samples (Zhao et al., "Differentiable Augmentation for Data-Efficient GAN Training",
NeurIPS 2020; Karras et al., "Training Generative Adversarial Networks with Limited Data",
NeurIPS 2020).

Pass an augmenter to `GAN.compile(augment=...)`; the step applies it inside
`discriminator_inputs`, so regularizers see augmented samples too.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops

from kgan import seeding

POLICIES = ("color", "translation", "cutout")


def _per_image(images, seed, dtype="float32", dims=3):
    """One uniform number in [0, 1) per image of the batch, shaped to broadcast over `dims` axes;
    under several replicas each takes its own rows of the global batch's draw
    (`kgan.seeding.replica_share`)."""
    shape = (1,) * dims
    draw = seeding.replica_share(lambda total: keras.random.uniform((total, *shape), seed=seed), ops.shape(images)[0])
    return ops.cast(draw, dtype)


def brightness(images, seed):
    """Adds one offset in [-0.5, 0.5) per image."""
    return images + _per_image(images, seed, images.dtype) - 0.5


def saturation(images, seed):
    """Scales each image's distance from its grey value by a factor in [0, 2)."""
    grey = ops.mean(images, axis=3, keepdims=True)
    return (images - grey) * (_per_image(images, seed, images.dtype) * 2.0) + grey


def contrast(images, seed):
    """Scales each image's distance from its mean by a factor in [0.5, 1.5)."""
    mean = ops.mean(images, axis=(1, 2, 3), keepdims=True)
    return (images - mean) * (_per_image(images, seed, images.dtype) + 0.5) + mean


def translation(images, seed, ratio=0.125):
    """Shifts each image by up to `ratio` of its size in each direction, filling with zeros."""
    batch, height, width = ops.shape(images)[0], images.shape[1], images.shape[2]
    max_dy, max_dx = int(height * ratio + 0.5), int(width * ratio + 0.5)
    dy = ops.cast(ops.floor(_per_image(images, seed, dims=2) * (2 * max_dy + 1)), "int32") - max_dy
    dx = ops.cast(ops.floor(_per_image(images, seed, dims=2) * (2 * max_dx + 1)), "int32") - max_dx
    # Read each output pixel from (y + dy, x + dx) of a zero-padded copy; out-of-range reads
    # land on the padding. gather_nd is differentiable with respect to the images.
    rows = ops.clip(ops.arange(height, dtype="int32")[None, :, None] + dy + 1, 0, height + 1)
    cols = ops.clip(ops.arange(width, dtype="int32")[None, None, :] + dx + 1, 0, width + 1)
    rows = ops.broadcast_to(rows, (batch, height, width))
    cols = ops.broadcast_to(cols, (batch, height, width))
    padded = ops.pad(images, [[0, 0], [1, 1], [1, 1], [0, 0]])
    return tf.gather_nd(padded, ops.stack([rows, cols], axis=-1), batch_dims=1)


def cutout(images, seed, ratio=0.5):
    """Zeroes one square of `ratio` of the image size per image, at a random place."""
    height, width = images.shape[1], images.shape[2]
    half_h, half_w = height * ratio / 2.0, width * ratio / 2.0
    centre_y = _per_image(images, seed, dims=2) * height
    centre_x = _per_image(images, seed, dims=2) * width
    ys = ops.arange(height, dtype="float32")[None, :, None] + 0.5
    xs = ops.arange(width, dtype="float32")[None, None, :] + 0.5
    inside = ops.logical_and(ops.abs(ys - centre_y) < half_h, ops.abs(xs - centre_x) < half_w)
    return images * ops.cast(ops.logical_not(inside), images.dtype)[..., None]


_OPERATIONS = {
    "color": (brightness, saturation, contrast),
    "translation": (translation,),
    "cutout": (cutout,),
}


@keras.saving.register_keras_serializable(package="kgan")
class DiffAugment(keras.layers.Layer):
    """DiffAugment: colour, translation and cutout applied to every image D sees.

    Each operation group in `policy` is applied to each image with probability `probability`
    (1 in the DiffAugment paper); `probability` is a variable, which `AdaptiveAugment` adjusts.

    Args:
        policy: operation groups from "color", "translation", "cutout", in the order applied.
        probability: the chance each image gets each operation group.
        seed: seeds the layer's random draws.

    Example:

    ```python
    gan.compile(augment=kgan.augment.DiffAugment(("color", "translation", "cutout")))
    ```
    """

    def __init__(self, policy=POLICIES, probability=1.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        policy = tuple(policy)
        unknown = [p for p in policy if p not in _OPERATIONS]
        if unknown or not policy:
            raise ValueError(f"policy must name operation groups from {POLICIES}; got {policy}.")
        if not 0.0 <= probability <= 1.0:
            raise ValueError(f"probability must be in [0, 1], got {probability}.")
        self.policy = policy
        self.initial_probability = float(probability)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.probability = self.add_weight(
            shape=(), initializer=keras.initializers.Constant(probability), trainable=False, name="probability"
        )

    def call(self, images):
        if len(images.shape) != 4:
            raise ValueError(f"DiffAugment takes image batches (n, height, width, channels), got {images.shape}.")
        for group in self.policy:
            for operation in _OPERATIONS[group]:
                augmented = operation(images, self.seed_generator)
                chosen = _per_image(images, self.seed_generator)
                images = ops.where(chosen < ops.cast(self.probability, chosen.dtype), augmented, images)
        return images

    def observe(self, real_logits):
        """Sees D's outputs on the real batch of a D step; adaptive augmenters adjust here."""

    def logs(self):
        """Values to log each step."""
        return {}

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "policy": list(self.policy),
            "probability": self.initial_probability,
            "seed": self.seed,
        }


@keras.saving.register_keras_serializable(package="kgan")
class AdaptiveAugment(DiffAugment):
    """ADA: the augmentation probability follows how much D overfits the real images.

    Every `interval` discriminator steps it measures r = E[sign(D(x))] on the real images seen
    since the last adjustment. Above `target`, D is growing too sure of real images (it overfits),
    so the probability rises; below, it falls. It moves by `interval * batch / speed_images` per
    adjustment (Karras et al., 2020, whose `speed_images` is 500,000: from 0 to 1 in 500k images).
    Logged as `ada_p`.

    Args:
        policy: operation groups, as for `DiffAugment`.
        target: the wanted E[sign(D(x))]; 0.6 in the paper.
        interval: D steps between adjustments.
        speed_images: real images over which the probability can move from 0 to 1.
        probability: the starting probability.
        seed: seeds the random draws.
    """

    def __init__(
        self, policy=POLICIES, target=0.6, interval=4, speed_images=500_000, probability=0.0, seed=None, **kwargs
    ):
        super().__init__(policy, probability, seed, **kwargs)
        if not -1.0 < target < 1.0:
            raise ValueError(f"target is a value of E[sign(D(x))] in (-1, 1), got {target}.")
        if interval < 1 or speed_images <= 0:
            raise ValueError(f"interval must be >= 1 and speed_images > 0, got {interval} and {speed_images}.")
        self.target = float(target)
        self.interval = int(interval)
        self.speed_images = float(speed_images)
        self.sign_sum = self.add_weight(shape=(), initializer="zeros", trainable=False, name="sign_sum")
        self.sign_count = self.add_weight(shape=(), initializer="zeros", trainable=False, name="sign_count")
        self.steps = self.add_weight(shape=(), initializer="zeros", trainable=False, name="steps")

    def observe(self, real_logits):
        signs = ops.sign(ops.cast(real_logits, "float32"))
        self.sign_sum.assign_add(ops.sum(signs))
        self.sign_count.assign_add(ops.cast(ops.size(signs), "float32"))
        self.steps.assign_add(1.0)
        due = ops.equal(ops.mod(self.steps, float(self.interval)), 0.0)
        overfitting = self.sign_sum / ops.maximum(self.sign_count, 1.0)
        step = ops.sign(overfitting - self.target) * self.sign_count / self.speed_images
        self.probability.assign(ops.where(due, ops.clip(self.probability + step, 0.0, 1.0), self.probability))
        self.sign_sum.assign(ops.where(due, 0.0, self.sign_sum))
        self.sign_count.assign(ops.where(due, 0.0, self.sign_count))

    def logs(self):
        return {"ada_p": ops.convert_to_tensor(self.probability)}

    def get_config(self):
        return {
            **super().get_config(),
            "target": self.target,
            "interval": self.interval,
            "speed_images": self.speed_images,
        }
