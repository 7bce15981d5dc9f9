"""Working in a trained generator's latent space: interpolation, walks through key points, and
projection of real images into it."""

from __future__ import annotations

import contextlib
import os
from typing import NamedTuple

import keras
import numpy as np
import tensorflow as tf

from kgan.architectures.stylegan2 import noise_mode
from kgan.metrics.extractors import domain_extractor
from kgan.metrics.feature_metrics import as_model_range
from kgan.models.checks import class_labels
from kgan.seeding import latent_vectors
from kgan.trained.opening import load_gan, open_generator

METHODS = ("slerp", "lerp")

#: Why these need a GAN saved as `.keras` rather than an export (`kgan.load_gan`'s `purpose`):
#: an export takes class indices and serves forward passes only.
CLASS_WALK_PURPOSE = "A class walk mixes the classes' codes inside the generator"
PROJECTION_PURPOSE = "Projection follows the generator's gradients"


def interpolate(a, b, steps, method="slerp"):
    """`steps` points from `a` to `b`, both included: `(steps, *a.shape)`.

    Args:
        a, b: latent vectors of the same shape: one `(latent_dim,)`, or a batch `(n, latent_dim)`
            interpolated pairwise (any array whose last axis is the vector).
        steps: number of points, >= 2.
        method: "slerp" (spherical, the default: for Gaussian latents, whose mass lies near a
            sphere; the midpoint keeps a typical norm where a straight line shrinks it towards
            the origin, which gives washed-out images) or "lerp" (straight line; for w of
            StyleGAN2 or other non-Gaussian spaces).

    Example:

    ```python
    z = gan.sample_latent(2, seed=0)
    frames = gan.generate(latent=kgan.latent.interpolate(z[0], z[1], steps=8))
    ```
    """
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.shape != b.shape or a.ndim == 0:
        raise ValueError(f"a and b must be latent vectors of the same shape, got {a.shape} and {b.shape}.")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 2:
        raise ValueError(f"steps must be an int >= 2 (both ends included), got {steps!r}.")
    return _along(a[None], b[None], np.linspace(0.0, 1.0, steps), _checked(method))


def walk(keys, frames, method="slerp", loop=False):
    """`frames` points along the path through `keys` in turn, at an even pace per segment.

    Args:
        keys: `(k, ...)` key points, k >= 2.
        frames: number of points; the first is `keys[0]`, the last `keys[-1]` (with `loop`, the
            last point comes just before `keys[0]` again, so that the sequence repeats seamlessly).
        method: "slerp" or "lerp", as for `interpolate`.
        loop: return to the first key at the end.

    Returns:
        `(frames, *keys.shape[1:])` float32.
    """
    keys = np.asarray(keys, np.float64)
    if keys.ndim < 2 or len(keys) < 2:
        raise ValueError(f"walk needs at least 2 key points (keys of shape (k, ...), k >= 2), got {keys.shape}.")
    if isinstance(frames, bool) or not isinstance(frames, (int, np.integer)) or frames < 2:
        raise ValueError(f"frames must be an int >= 2, got {frames!r}.")
    method = _checked(method)
    ends = np.concatenate([keys[1:], keys[:1]]) if loop else keys[1:]
    segments = len(ends)
    position = np.arange(frames) * segments / (frames if loop else frames - 1)
    segment = np.minimum(position.astype(int), segments - 1)
    fraction = position - segment
    return _along(keys[segment], ends[segment], fraction, method)


def walk_latents(latent_dim, keys=2, frames=16, rows=1, seed=0, method="slerp", loop=False):
    """`(rows, frames, latent_dim)`: `rows` walks, each through `keys` key latents drawn from `seed`.

    The keys are `kgan.seeding.latent_vectors(rows * keys, latent_dim, seed)`, row by row, so the
    first key of row 0 is the latent `generate(1, seed=seed)` draws.
    """
    if isinstance(rows, bool) or not isinstance(rows, (int, np.integer)) or rows < 1:
        raise ValueError(f"rows must be an int >= 1, got {rows!r}.")
    if isinstance(keys, bool) or not isinstance(keys, (int, np.integer)) or keys < 2:
        raise ValueError(f"keys must be an int >= 2, got {keys!r}.")
    points = latent_vectors(rows * keys, latent_dim, seed).numpy().reshape(rows, keys, latent_dim)
    return np.stack([walk(row, frames, method, loop) for row in points])


def walk_images(generator, keys=2, frames=16, rows=1, seed=0, method="slerp", loop=False, labels=None, truncation=None):
    """Renders `rows` latent walks: `(rows, frames, height, width, channels)` in [-1, 1].

    Args:
        generator: a kgan GAN of latent vectors, a path `kgan.load_generator` opens (`.keras`,
            SavedModel, `.onnx`), or a loaded generator.
        keys, frames, rows, seed, method, loop: as for `walk_latents`.
        labels: for conditional generators, the class of each row (an int for all rows, or one
            per row); None: rows take classes 0, 1, 2, ... in turn.
        truncation: StyleGAN2's psi for every frame.

    Example:

    ```python
    walks = kgan.latent.walk_images(gan, keys=3, frames=24, rows=4, loop=True)
    kgan.images.save_grid("walks.png", walks.reshape(-1, *walks.shape[2:]), columns=24)
    ```
    """
    generator = open_generator(generator)
    latents = walk_latents(generator.latent_dim, keys, frames, rows, seed, method, loop)
    if generator.num_classes is not None:
        labels = np.repeat(class_labels(labels, rows, generator.num_classes, generator.class_names), frames)
    elif labels is not None:
        raise ValueError("labels are for conditional generators; this one takes no labels.")
    images = generator.generate(latent=latents.reshape(rows * frames, -1), labels=labels, truncation=truncation)
    return images.reshape(rows, frames, *images.shape[1:])


def class_walk(gan, classes, frames=16, rows=1, seed=0, loop=False):
    """Morphs through classes with the latent vector held: `(rows, frames, height, width, channels)`.

    Each row keeps one latent vector (drawn from `seed`, as `generate(rows, seed=seed)` draws
    them) and moves the class code from `classes[0]` to `classes[1]` and on, mixing the classes'
    one-hot codes (concatenated to z), their scales and shifts (class-conditional batch
    normalization) or their embeddings (BigGAN's shared class embedding) linearly in between.

    Args:
        gan: a conditional kgan GAN (CGAN, ACGAN, ProjectionGAN, BigGAN, a StyleGAN2 with classes,
            whose mapping network gets the mixed one-hot code, or a ConditionalGAN whose generator
            takes its labels through one-hot encoding or a layer that `takes_class_weights`), or its
            `.keras` path.
            Exports take class indices only, so they cannot mix classes.
        classes: the classes to pass through, at least 2.
        frames, loop: as for `walk`.
        rows: walks, each with its own latent vector.
        seed: seeds the latent vectors.
    """
    if isinstance(gan, (str, os.PathLike)):
        gan = load_gan(gan, purpose=CLASS_WALK_PURPOSE)
    if gan.num_classes is None:
        raise ValueError(f"class_walk mixes the classes of a conditional GAN; a {type(gan).__name__} has none.")
    classes = class_labels(list(classes), len(classes), gan.num_classes, gan.class_names)
    if len(classes) < 2:
        raise ValueError(f"class_walk needs at least 2 classes to pass through, got {list(classes)}.")
    weights = walk(np.eye(gan.num_classes)[classes], frames, "lerp", loop)
    latents = latent_vectors(rows, gan.latent_dim, seed).numpy()
    mixing = _class_weights_generator(gan.inference_generator, gan.num_classes)
    inputs = [np.repeat(latents, frames, axis=0), np.tile(weights, (rows, 1)).astype(np.float32)]
    images = np.asarray(mixing.predict_on_batch(inputs), np.float32)
    return images.reshape(rows, frames, *images.shape[1:])


def _class_weights_generator(generator, num_classes):
    """The conditional `generator` (same layers, same weights) taking class weights `(n, num_classes)`
    where it took labels: one-hot encoding becomes the identity, conditional batch normalization mixes."""
    latent_input, labels_input = generator.inputs
    users = [
        layer
        for layer in generator.layers
        if any(labels_input is tensor for node in layer._inbound_nodes for tensor in node.input_tensors)
    ]
    if not users or not all(
        isinstance(layer, keras.layers.CategoryEncoding) or getattr(layer, "takes_class_weights", False)
        for layer in users
    ):
        raise ValueError(
            "class_walk mixes class codes through one-hot encoding, conditional batch normalization or a class "
            "embedding (kgan.layers.ClassEmbedding); this "
            f"generator uses its labels in {sorted(type(layer).__name__ for layer in users)}."
        )

    def share_or_pass_through(layer):
        if isinstance(layer, keras.layers.CategoryEncoding):
            return keras.layers.Identity(name=layer.name)  # the class weights are the soft one-hot code
        return layer

    inputs = [keras.Input(latent_input.shape[1:], name="latent"), keras.Input((num_classes,), name="class_weights")]
    return keras.models.clone_model(generator, input_tensors=inputs, clone_function=share_or_pass_through)


def _checked(method):
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}.")
    return method


def _along(starts, ends, fractions, method):
    """The points at `fractions` of the way from `starts` to `ends` (one pair, or one pair per fraction)."""
    t = np.asarray(fractions, np.float64).reshape(-1, *([1] * (starts.ndim - 1)))
    if method == "lerp":
        return ((1 - t) * starts + t * ends).astype(np.float32)
    norms = np.linalg.norm(starts, axis=-1, keepdims=True) * np.linalg.norm(ends, axis=-1, keepdims=True)
    cosine = np.clip(np.sum(starts * ends, axis=-1, keepdims=True) / np.maximum(norms, 1e-12), -1.0, 1.0)
    angle = np.arccos(cosine)
    sine = np.sin(angle)
    # Nearly parallel vectors: the straight line is the arc.
    near = sine < 1e-6
    safe = np.where(near, 1.0, sine)
    start_weight = np.where(near, 1 - t, np.sin((1 - t) * angle) / safe)
    end_weight = np.where(near, t, np.sin(t * angle) / safe)
    return (start_weight * starts + end_weight * ends).astype(np.float32)


class Projection(NamedTuple):
    """What `project` found, one entry per image.

    Attributes:
        latents: the latent vectors: z `(n, latent_dim)`, or for StyleGAN2 w `(n, w_dim)` or
            w+ `(n, num_ws, w_dim)` (render those with `gan.synthesize`).
        images: the generator's reconstructions, in [-1, 1].
        distances: the objective at the end: pixel mean squared error plus `perceptual_weight`
            times the feature distance.
        psnr: the reconstructions' peak signal-to-noise ratio in dB (pixels in [-1, 1]).
    """

    latents: np.ndarray
    images: np.ndarray
    distances: np.ndarray
    psnr: np.ndarray


SPACES = ("z", "w", "w+")


def project(
    gan,
    images,
    steps=200,
    labels=None,
    extractor=None,
    perceptual_weight=1.0,
    space=None,
    learning_rate=0.05,
    candidates=256,
    seed=0,
    batch_size=64,
):
    """Finds the latent vectors whose samples reconstruct `images` (GAN inversion).

    Each image starts from the best of `candidates` random latents, then Adam (a cosine-decayed
    learning rate) minimises the pixel mean squared error plus `perceptual_weight` times the
    squared distance of the L2-normalised features of `extractor`, in batches, on
    `tf.function`. StyleGAN2's noise inputs stay at their fixed maps, so no noise is optimised or
    regularised.

    Args:
        gan: a kgan GAN that samples latent vectors, or the path of one saved as `.keras`. An
            export cannot be projected into: projection needs the generator's gradients.
        images: `(n, height, width, channels)` of the generator's image shape: uint8 pixels or
            floats in [-1, 1].
        steps: optimisation steps (0: the best random candidate, the usual baseline).
        labels: for conditional GANs, the class of each image (an int for all, or one per image).
        extractor: for the perceptual term: "mnist", "fashion_mnist" or "cifar10" (kgan's shipped
            extractors), a `keras.Model` from images in [-1, 1] to features (or to
            `[features, ...]`), or None for pixels alone.
        perceptual_weight: weight of the feature distance (ignored without `extractor`).
        space: "z" (every family), or for StyleGAN2 "w" (one w per image) or "w+" (one w per
            layer, the default: it reconstructs most closely; Abdal et al., "Image2StyleGAN", 2019).
        learning_rate: Adam's initial step size.
        candidates: random latents each image's search starts from the best of.
        seed: seeds the candidates.
        batch_size: images optimised together.

    Returns:
        A `Projection`: `latents`, `images` (reconstructions), `distances` and `psnr` per image.

    Example:

    ```python
    found = kgan.latent.project(gan, test_images[:16], steps=200, extractor="mnist")
    print(found.psnr.mean())
    ```
    """
    if isinstance(gan, (str, os.PathLike)):
        gan = load_gan(gan, purpose=PROJECTION_PURPOSE)
    if not getattr(gan, "uses_latent", False):
        raise ValueError(f"A {type(gan).__name__} translates images; it has no latent space to project into.")
    space = space or gan.latent_spaces[0]
    if space not in gan.latent_spaces:
        allowed = tuple(sorted(gan.latent_spaces, key=SPACES.index))
        raise ValueError(f"space must be one of {allowed} for a {type(gan).__name__}, got {space!r}.")
    for name, value, low in (("steps", steps, 0), ("candidates", candidates, 1), ("batch_size", batch_size, 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{name} must be an int >= {low}, got {value!r}.")
    targets = _checked_images(images, gan, as_model_range)
    labels = _projection_labels(gan, labels, len(targets))
    features = _feature_network(extractor, targets.shape[1:])
    renderer = _Renderer(gan, space)
    weight = float(perceptual_weight) if features is not None else 0.0

    def objective(rendered, target, target_features):
        """Per image: (the objective, the pixel mean squared error)."""
        pixel = tf.reduce_mean(tf.square(rendered - target), axis=[1, 2, 3])
        if features is None:
            return pixel, pixel
        return pixel + weight * _feature_distance(features(rendered), target_features), pixel

    def scores(rendered, target, target_features):
        """The objective of every (target, rendered) pair: `(targets, rendered)`, by expanding the squares."""
        flat_rendered = tf.reshape(rendered, [tf.shape(rendered)[0], -1])
        flat_target = tf.reshape(target, [tf.shape(target)[0], -1])
        squares = (
            tf.reduce_sum(tf.square(flat_target), 1)[:, None]
            + tf.reduce_sum(tf.square(flat_rendered), 1)[None]
            - 2.0 * tf.matmul(flat_target, flat_rendered, transpose_b=True)
        )
        pixel = squares / tf.cast(tf.shape(flat_target)[1], tf.float32)
        if features is None:
            return pixel.numpy()
        # Unit feature vectors: |a - b|^2 = 2 - 2 a.b
        similarity = tf.matmul(target_features, _normalized(features(rendered)), transpose_b=True)
        return (pixel + weight * (2.0 - 2.0 * similarity)).numpy()

    @tf.function(reduce_retracing=True)
    def descend(latent, optimizer, condition, target, target_features):
        for _ in tf.range(steps):
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(objective(renderer(latent, condition), target, target_features)[0])
            optimizer.apply_gradients([(tape.gradient(loss, latent), latent)])

    def optimize(start, condition, target, target_features):
        latent = tf.Variable(start, name="latent")
        schedule = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=max(steps, 1))
        optimizer = keras.optimizers.Adam(schedule, epsilon=1e-8)
        optimizer.build([latent])
        descend(latent, optimizer, condition, target, target_features)
        rendered = renderer(latent, condition)
        return (tf.convert_to_tensor(latent), rendered, *objective(rendered, target, target_features))

    pool = latent_vectors(candidates, gan.latent_dim, seed)
    results = []
    with renderer.context():
        for start in range(0, len(targets), batch_size):
            target = tf.constant(targets[start : start + batch_size])
            condition = None if labels is None else tf.constant(labels[start : start + batch_size])
            target_features = None if features is None else _normalized(features(target))
            latent = renderer.best_of(pool, condition, target, target_features, scores)
            results.append(optimize(latent, condition, target, target_features))
    latents, rendered, distances, pixel = (np.concatenate([np.asarray(r[i]) for r in results]) for i in range(4))
    psnr = 10.0 * np.log10(4.0 / np.maximum(pixel, 1e-12))
    return Projection(latents, rendered, distances, psnr)


def _checked_images(images, gan, as_model_range):
    images = np.asarray(images)
    expected = tuple(int(d) for d in gan.inference_generator.outputs[0].shape[1:])
    if images.ndim != 4 or images.shape[1:] != expected:
        raise ValueError(
            f"images must be (n, {', '.join(map(str, expected))}) for this generator, got {images.shape}. Resize "
            "them to the generator's size (and channels) first, e.g. with kgan project --resize."
        )
    if not len(images):
        raise ValueError("images is empty: pass at least one image to project.")
    if images.dtype != np.uint8 and not np.issubdtype(images.dtype, np.floating):
        raise ValueError(f"images must be uint8 pixels or floats in [-1, 1], got dtype {images.dtype}.")
    return np.asarray(as_model_range(images), np.float32)


def _projection_labels(gan, labels, count):
    if gan.num_classes is None:
        if labels is not None:
            raise ValueError("labels are for conditional GANs; this one takes no labels.")
        return None
    if labels is None:
        raise ValueError(
            f"A conditional GAN projects each image within a class: pass labels (one int for all, or {count} ints)."
        )
    return class_labels(labels, count, gan.num_classes, gan.class_names)


def _feature_network(extractor, image_shape):
    """`images -> features` of `extractor` (a name or a keras.Model), or None."""
    if extractor is None:
        return None
    model = domain_extractor(extractor) if isinstance(extractor, str) else extractor
    if not isinstance(model, keras.Model):
        raise ValueError(
            f"extractor must be a shipped extractor's name or a keras.Model, got {type(extractor).__name__}."
        )
    if tuple(model.inputs[0].shape[1:]) != tuple(image_shape):
        raise ValueError(
            f"The extractor takes images of shape {tuple(model.inputs[0].shape[1:])}, the generator makes "
            f"{tuple(image_shape)}: use an extractor for this image size, or none (pixels alone)."
        )

    def features(images):
        outputs = model(images, training=False)
        return outputs[0] if isinstance(outputs, (list, tuple)) else outputs

    return features


def _normalized(features):
    return tf.math.l2_normalize(tf.reshape(tf.cast(features, tf.float32), [tf.shape(features)[0], -1]), axis=1)


def _feature_distance(features, target_features):
    return tf.reduce_sum(tf.square(_normalized(features) - target_features), axis=1)


class _Renderer:
    """The generator as a differentiable function of the projected latent (z, w or w+)."""

    def __init__(self, gan, space):
        self.gan, self.space = gan, space

    def context(self):
        if self.space == "z" and not hasattr(self.gan, "synthesis"):
            return contextlib.nullcontext()
        return noise_mode(self.gan.synthesis, "const")

    def __call__(self, latent, condition=None):
        gan = self.gan
        if self.space == "z":
            inputs = latent if condition is None else [latent, condition]
            return tf.cast(gan.inference_generator(inputs, training=False), tf.float32)
        ws = latent if self.space == "w+" else tf.repeat(latent[:, None], gan.num_ws, axis=1)
        return tf.cast(gan.synthesis(ws, training=False), tf.float32)

    def start(self, z, labels=None):
        """The latent in this space for latent vectors z (of the classes `labels`, when conditional)."""
        if self.space == "z":
            return z
        w = tf.cast(self.gan.mapping(self.gan.mapping_inputs(z, labels), training=False), tf.float32)
        return w if self.space == "w" else tf.repeat(w[:, None], self.gan.num_ws, axis=1)

    def best_of(self, pool, condition, target, target_features, scores):
        """Each target's best start among the pool's latents (for its class, when conditional):
        the pool is rendered once (per class) and scored against every target."""
        classes = [None] if condition is None else np.unique(condition.numpy())
        chosen = [None] * int(target.shape[0])
        for label in classes:
            members = np.arange(len(chosen)) if label is None else np.flatnonzero(condition.numpy() == label)
            labels = None if label is None else tf.fill([int(pool.shape[0])], label)
            starts = self.start(pool, labels)
            member_features = None if target_features is None else tf.gather(target_features, members)
            best = np.argmin(scores(self(starts, labels), tf.gather(target, members), member_features), axis=1)
            for member, index in zip(members, best):
                chosen[member] = starts[index]
        return tf.stack(chosen)
