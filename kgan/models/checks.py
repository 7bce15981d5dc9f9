"""Checks of what users pass to the families, shared by the model files (and by the wing that
uses a trained generator): each turns a user's value into what the code needs, or raises a
ValueError that says what was wrong and how to fix it. `data_checks` are the asserts the
training step runs on each batch, for what only shows when it runs."""

from __future__ import annotations

import math

import keras
import numpy as np
import tensorflow as tf


def class_labels(labels, count, num_classes, class_names=None):
    """`count` int32 class labels from what a user passed to `generate`: one class for all, one
    per sample, or None for classes 0, 1, ..., num_classes - 1, 0, ... in turn; a class is its
    index or one of `class_names`. A ValueError when they are not classes of the generator."""
    if labels is None:
        return np.arange(count, dtype=np.int32) % num_classes
    labels = np.asarray(labels)
    if labels.ndim == 0:
        labels = np.full(count, labels)
    if labels.dtype.kind in "USO":
        labels = np.asarray([class_index(label, class_names) for label in labels.reshape(-1)]).reshape(labels.shape)
    if labels.shape != (count,) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"labels must be one int or {count} ints (one per sample), got an array of shape "
            f"{labels.shape} and dtype {labels.dtype}."
        )
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(f"labels must be in [0, {num_classes}), got values from {labels.min()} to {labels.max()}.")
    return labels.astype(np.int32)


def class_index(label, class_names):
    """The index of `label`: a class name (of `class_names`), an int or its digits; a ValueError naming the classes
    otherwise."""
    if isinstance(label, (int, np.integer)) and not isinstance(label, bool):
        return int(label)
    if class_names is not None and str(label) in class_names:
        return list(class_names).index(str(label))
    if str(label).isdigit():
        return int(label)
    known = f"its classes: {', '.join(class_names)}" if class_names is not None else "its classes have no names"
    raise ValueError(f"{str(label)!r} is not a class of this generator; {known}. Pass a class name or index.")


def check_class_names(class_names, num_classes):
    """`class_names` as a tuple of `num_classes` distinct strings (None stays None), or a ValueError."""
    if class_names is None:
        return None
    names = tuple(str(name) for name in class_names)
    if len(names) != num_classes or len(set(names)) != len(names):
        raise ValueError(
            f"class_names must be {num_classes} distinct names, one per class; got {len(names)} "
            f"({len(set(names))} distinct): {list(names)[:12]}."
        )
    return names


def check_truncation(truncation):
    """`truncation` (psi) as a float, or a ValueError when it is not a finite number."""
    if isinstance(truncation, bool) or not isinstance(truncation, (int, float, np.number)):
        raise ValueError(f"truncation must be a finite number (1: none, 0.7 is common), got {truncation!r}.")
    if not math.isfinite(truncation):
        raise ValueError(f"truncation must be a finite number (1: none, 0.7 is common), got {truncation}.")
    return float(truncation)


def check_threshold(truncation):
    """BigGAN's truncation threshold as a float (None: none), or a ValueError unless it is > 0."""
    if truncation is None:
        return None
    number = isinstance(truncation, (int, float, np.number)) and not isinstance(truncation, bool)
    if not number or not truncation > 0:  # NaN is not > 0
        raise ValueError(
            f"BigGAN's truncation is the threshold z is truncated at, a number > 0 (None: none; 0.5 to 1 "
            f"are common), got {truncation!r}."
        )
    return float(truncation)


def check_sample_count(num):
    """`num` for `generate` (when no latent vectors are given): an int >= 1, or a ValueError."""
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 1:
        raise ValueError(f"generate() needs an int num >= 1 or latent vectors, got num={num!r}.")
    return int(num)


def check_latent(shape, latent_dim):
    """A ValueError unless `shape` is that of one or more latent vectors of size `latent_dim`."""
    shape = tuple(shape)
    if len(shape) != 2 or shape[-1] != latent_dim or shape[0] == 0:
        raise ValueError(
            f"latent vectors must have shape (n, {latent_dim}) for this generator, got {shape}. "
            f"Draw them with kgan.seeding.latent_vectors(n, {latent_dim}, seed)."
        )


def check_sampling(what, num_classes, truncates, labels, truncation):
    """Refuses what a generator (named by `what`) does not support: labels without `num_classes`,
    truncation when it does not truncate."""
    if labels is not None and num_classes is None:
        raise ValueError(f"labels are for conditional GANs; this {what} takes no labels.")
    if truncation is not None and not truncates:
        raise ValueError(
            f"truncation is for the families that truncate (StyleGAN2, BigGAN); this {what} does not truncate."
        )


def data_checks(samples, discriminator, value_range=None):
    """Asserts that fail the step with a clear message when a real batch holds NaN or Inf, lies
    outside `value_range` (the generator's output range, when known), or has a sample shape the
    networks cannot take where that shape is only known when the step runs (Keras retraces a step
    with relaxed shapes, e.g. when a second `fit` brings other sizes)."""
    checks = []
    for tensor in tf.nest.flatten(samples):
        checks.append(
            tf.debugging.Assert(
                tf.reduce_all(tf.math.is_finite(tensor)),
                ["The training data hold NaN or Inf (a real batch has them); clean the data before training."],
            )
        )
        if value_range is not None:
            low, high, activation = value_range
            smallest, largest = tf.reduce_min(tensor), tf.reduce_max(tensor)
            fix = "x / 127.5 - 1 (kgan.data pipelines do)" if low < 0 else "x / 255"
            checks.append(
                tf.debugging.Assert(
                    tf.logical_and(smallest >= low - 1e-3, largest <= high + 1e-3),
                    [
                        f"The real samples lie outside [{low}, {high}], the range of the generator's output "
                        f"(it ends in {activation}), so D could tell real from fake by range alone. Scale uint8 "
                        f"images with {fix}. A batch's smallest and largest values:",
                        smallest,
                        largest,
                    ],
                )
            )
    expected = sample_shape(discriminator)
    if expected is None or not tf.is_tensor(samples) or None in expected or None not in samples.shape[1:]:
        return checks
    return checks + [
        tf.debugging.assert_equal(
            tf.shape(samples)[1:],
            tf.constant(expected, tf.int32),
            message=f"The data's samples do not have the shape the networks were built for, {expected} "
            "(the shape the data have is given below). Build the GAN for the data or resize the data.",
        )
    ]


def output_range(generator):
    """`(low, high, activation)` of a generator whose last layer is a tanh or sigmoid (or a network
    that ends in one, as StyleGAN2's synthesis network); else None."""
    last = generator.layers[-1] if getattr(generator, "layers", None) else None
    if isinstance(last, keras.Model):
        return output_range(last)
    activation = getattr(getattr(last, "activation", None), "__name__", None)
    bounds = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}.get(activation)
    return None if bounds is None else (*bounds, activation)


def sample_shape(discriminator):
    """The shape of one sample D takes, or None for a network without declared inputs."""
    inputs = getattr(discriminator, "inputs", None)
    return tuple(inputs[0].shape[1:]) if inputs else None


def check_latent_dim(generator, latent_dim):
    inputs = generator.inputs if hasattr(generator, "inputs") else None
    if not inputs:
        if latent_dim is None:
            raise ValueError(
                "latent_dim is required when the generator has no declared input "
                "(a subclassed model): pass latent_dim=..."
            )
        return int(latent_dim)
    shape = tuple(inputs[0].shape)
    if len(shape) != 2 or not shape[-1]:
        raise ValueError(
            f"The generator's first input must be latent vectors of shape (batch, latent_dim); it has shape {shape}."
        )
    if latent_dim is not None and int(latent_dim) != shape[-1]:
        raise ValueError(
            f"latent_dim={latent_dim} does not match the generator, which takes latent vectors of "
            f"size {shape[-1]}. Pass latent_dim={shape[-1]} or rebuild the generator with "
            f"latent_dim={latent_dim}."
        )
    return int(shape[-1])


def check_networks_fit(generator, discriminator):
    if not (getattr(generator, "outputs", None) and getattr(discriminator, "inputs", None)):
        return
    made, judged = tuple(generator.outputs[0].shape[1:]), tuple(discriminator.inputs[0].shape[1:])
    if made != judged:
        raise ValueError(
            f"The generator makes samples of shape {made} but the discriminator takes {judged}. "
            "Build both networks for the same sample shape."
        )


def check_batch(samples, discriminator):
    """Fails at trace time, before any step runs, on batches the networks cannot take."""
    if isinstance(samples, dict):
        raise ValueError(
            f"Batches must be sample tensors or (samples, labels) tuples, got a dict with keys "
            f"{sorted(samples)} (as TensorFlow Datasets yields). Map it first, e.g. "
            "dataset.map(lambda d: d['image']), or load it with kgan.data.from_tfds(name)."
        )
    _check_floating(samples, "Real samples")
    expected = sample_shape(discriminator)
    if expected is None:
        return
    if _compatible(tuple(samples.shape), expected):
        raise ValueError(
            f"The data yield single samples of shape {tuple(samples.shape)}, not batches. Batch the "
            "dataset (dataset.batch(64, drop_remainder=True)) or build it with kgan.data (load, "
            "from_arrays, image_folder), which batch for you."
        )
    got = tuple(samples.shape[1:])
    if not _compatible(got, expected):
        raise ValueError(
            f"The data's samples have shape {got} but the networks were built for {expected}. "
            f"Build the GAN for the data (e.g. kgan.DCGAN(image_shape={got})) or resize the "
            "data (e.g. kgan.data.image_folder(path, image_size=...))."
        )


def check_images(images, expected_shape, what, network):
    """Fails at trace time on a batch of `what` whose dtype or sample shape `network` cannot take
    (`expected_shape` starts with the batch axis)."""
    _check_floating(images, what)
    expected, got = tuple(expected_shape[1:]), tuple(images.shape[1:])
    if not _compatible(got, expected):
        raise ValueError(
            f"{what} have shape {got} but the {network} takes {expected}. Build the model for your "
            "data's shapes, or resize the data."
        )


def _check_floating(samples, what):
    if not samples.dtype.is_floating:
        raise ValueError(
            f"{what} must be floating point scaled to the generator's range ([-1, 1] for images), "
            f"got dtype {samples.dtype.name}. kgan.data pipelines scale for you; for uint8 arrays "
            "use images / 127.5 - 1."
        )


def _compatible(shape, expected):
    return len(shape) == len(expected) and all(e is None or g is None or e == g for e, g in zip(expected, shape))
