"""Turns arrays into the tf.data pipelines every kgan model trains on."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from kgan.seeding import pass_seed


def scale_images(images):
    """uint8 pixels in [0, 255] -> float32 in [-1, 1], the range of a tanh generator."""
    return tf.cast(images, tf.float32) / 127.5 - 1.0


def check_limit(limit):
    """Refuses a `limit` (the number of images a loader keeps) that is not a positive int or None."""
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ValueError(f"limit must be a positive int (the number of images to use) or None, got {limit!r}.")


def shuffled_per_pass(ds, count, seed):
    """`ds` shuffled anew on every pass over it, in an order fixed by `seed` and the pass's number.

    A seeded `shuffle(..., reshuffle_each_iteration=True)` orders each pass by how many passes
    that dataset object has begun, so a resumed run (a fresh dataset) would replay epoch 1's order
    as its epoch 3, and anything that reads the dataset once (a probe batch) would shift every
    later order. Here the pass number is a variable that `GAN.fit` sets to the epoch before each
    epoch's pass begins: epoch e sees the same order in an uninterrupted run, a resumed one, or a
    monitored one. Outside `GAN.fit` the number simply counts the passes begun. Without a seed
    the order is random every pass.
    """
    if seed is None:
        return ds.shuffle(count, reshuffle_each_iteration=True)
    return per_pass(lambda order_seed: ds.shuffle(count, seed=order_seed), seed, count)


def per_pass(make_pass, seed, cardinality=None):
    """A dataset whose every pass is `make_pass(order_seed)`, `order_seed` fixed by `seed` and the
    pass's number (`kgan.seeding.pass_seed`; see `shuffled_per_pass`); `cardinality` declares its
    length when known."""
    passes = tf.Variable(0, dtype=tf.int64, trainable=False, name="data_pass")

    def one_pass(_):
        number = passes.assign_add(1) - 1
        # The order must follow `seed` and the pass alone, not a global seed the user set: and with
        # tf.random.set_seed(0) (keras.utils.set_random_seed(0)) TensorFlow cannot even build a
        # shuffle whose seed is a tensor (it compares the seeds in Python). Within this function's
        # graph, ops see no global seed.
        graph = tf.compat.v1.get_default_graph()
        global_seed, graph.seed = graph.seed, None
        try:
            return make_pass(pass_seed(seed, number))
        finally:
            graph.seed = global_seed

    dataset = tf.data.Dataset.from_tensors(0).flat_map(one_pass)
    if cardinality is not None:  # flat_map hides the length; Keras needs it to count an epoch's steps.
        dataset = dataset.apply(tf.data.experimental.assert_cardinality(cardinality))
    dataset._kgan_data_pass = passes
    return dataset


def pass_counters(dataset):
    """The pass-number variables of the kgan pipelines within `dataset` (through any transformation)."""
    if not isinstance(dataset, tf.data.Dataset):
        return []
    found, pending, seen = [], [dataset], set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        counter = getattr(current, "_kgan_data_pass", None)
        if counter is not None:
            found.append(counter)
        pending.extend(current._inputs())
    return found


def for_epochs(dataset):
    """`dataset` with tf.data's autotuning off unless its options set it: ready to be re-opened every epoch.

    Keras' `fit` opens a new iterator on its dataset at every epoch and drops the last one. With
    autotuning on (tf.data's default), dropping an iterator waits for the autotuner's thread to
    wake: measured on TensorFlow 2.21, a stall of about 1 s after a 1.5 s pass and 2-4 s after a
    37 s one (the README job's MNIST epoch: up to a tenth of it, with the CPU idle), whatever the
    pipeline's parallelism settings are. With it off the iterator goes in a millisecond;
    `num_parallel_calls=AUTOTUNE` then means one call per core and `prefetch(AUTOTUNE)` keeps
    its own buffer tuning (benchmarks/epoch_speed.py). A dataset whose options say
    `autotune.enabled = True` is left as it is.
    """
    if dataset.options().autotune.enabled is not None:
        return dataset
    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.with_options(options)


def resize_batches(dataset, size):
    """`dataset`'s batches of images (or of `(images, labels)`) resized to `size`, `(height, width)`,
    antialiased bilinear."""

    def resize(images, *labels):
        images = tf.image.resize(images, size, antialias=True)
        return (images, *labels) if labels else images

    return dataset.map(resize, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


def batch_and_scale(ds, batch_size, drop_remainder=True, labels=False, scale=True):
    """The last stage of every kgan pipeline: batch, scale to [-1, 1], keep or drop labels, prefetch.

    Args:
        ds: a dataset of single samples, or of `(sample, label)` pairs.
        batch_size: samples per batch.
        drop_remainder: drop the last partial batch.
        labels: keep the labels of `(sample, label)` pairs; when False only samples are yielded.
        scale: map uint8 [0, 255] to float32 [-1, 1].
    """

    def finish(samples, sample_labels=None):
        # Scaling after batching is one vectorised op per batch instead of one per sample.
        samples = scale_images(samples) if scale else samples
        return (samples, sample_labels) if labels else samples

    ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    return ds.map(finish, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


def from_arrays(
    images,
    labels=None,
    batch_size=64,
    shuffle=True,
    seed=None,
    drop_remainder=True,
    scale=True,
):
    """Builds a shuffled, batched, prefetched pipeline from in-memory arrays.

    Args:
        images: array `(n, ...)`: uint8 images in [0, 255] (scaled to [-1, 1]), or float samples
            already in the model's range (pass `scale=False`).
        labels: optional int array `(n,)`; when given the pipeline yields `(images, labels)`.
        batch_size: samples per batch.
        shuffle: reshuffle every epoch.
        seed: makes the shuffle order repeatable.
        drop_remainder: drop the last partial batch, so every step sees the same batch shape.
        scale: map uint8 [0, 255] to float32 [-1, 1].

    Returns:
        A `tf.data.Dataset` of float32 batches, or of `(images, labels)` when labels are given.
    """
    images = np.asarray(images)
    if images.ndim < 2 or len(images) == 0:
        raise ValueError(
            f"Expected a non-empty array of samples (n, ...), got shape {images.shape}. "
            "Check that the data files or folder actually hold samples."
        )
    if scale and images.dtype != np.uint8:
        raise ValueError(
            f"scale=True expects uint8 images in [0, 255], got dtype {images.dtype}. Pass "
            "scale=False for samples already in the model's range (e.g. [-1, 1])."
        )
    if not scale:
        images = images.astype(np.float32, copy=False)
        bad = np.flatnonzero(~np.isfinite(images.reshape(len(images), -1)).all(axis=1))
        if len(bad):
            raise ValueError(
                f"{len(bad)} samples hold NaN or Inf (the first at index {bad[0]}); they would turn "
                "every loss into NaN. Clean or drop them before training."
            )
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}.")
    if drop_remainder and len(images) < batch_size:
        raise ValueError(
            f"Only {len(images)} samples, fewer than one batch of {batch_size}: every batch would be "
            "dropped. Use a smaller batch_size or drop_remainder=False."
        )
    if labels is not None:
        labels = np.asarray(labels).astype(np.int32)
        if labels.shape != (len(images),):
            raise ValueError(f"labels must have shape ({len(images)},), one per sample, got {labels.shape}.")
        ds = tf.data.Dataset.from_tensor_slices((images, labels))
    else:
        ds = tf.data.Dataset.from_tensor_slices(images)
    if shuffle:
        ds = shuffled_per_pass(ds, len(images), seed)
    return batch_and_scale(ds, batch_size, drop_remainder, labels=labels is not None, scale=scale)
