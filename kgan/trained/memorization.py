"""`kgan.memorization`: does a generator copy its training images?

In an extractor's feature space, each sample's distance to its nearest training image is set
against the training images' distances to their own nearest other training image: new images
from the data's distribution are as near to the training set as its images are to each other,
copies much nearer.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from kgan.images import save_png, tile, to_uint8
from kgan.metrics.feature_metrics import as_model_range, check_fits
from kgan.seeding import sub_seed
from kgan.trained.evaluation import _real_batches, sampler

#: A sample this much nearer to a training image than typical training neighbours are is a copy.
COPY_FRACTION = 0.1
#: Training images whose distances to their nearest other one give the typical distance.
TYPICAL_OF = 10000


def memorization(generator, training_data, extractor, num_samples=2000, seed=0, grid_path=None, grid_pairs=16):
    """How close a generator's samples come to its training images, against how close those
    images come to each other, in `extractor`'s features.

    Args:
        generator: what `kgan.evaluate` takes: a GAN, a `.keras` file, an export, a loaded
            generator, a `keras.Model` of latent vectors, a callable `(num, seed) -> images`, or
            an array of images in [-1, 1].
        training_data: the images it was trained on: an array (uint8 pixels or floats in
            [-1, 1]) or a `tf.data.Dataset` of batches (or of `(images, labels)`). All are used.
        extractor: a `keras.Model` from images to `[features, logits]`, e.g.
            `kgan.metrics.domain_extractor("mnist")`.
        num_samples: generated images to check.
        seed: seeds the latent draws, as `kgan.evaluate`'s does.
        grid_path: a PNG to write the `grid_pairs` samples nearest to a training image into,
            each beside that training image (four pairs per row, nearest first).

    Returns:
        A dict of floats:

        * `closer_than_typical`: the share of samples nearer to their nearest training image
          than the median training image is to its nearest other one (the median of
          `TYPICAL_OF` random training images, or all): about 0.5 for new images
          of the data's distribution (held-out real ones), 1 for copies, lower for samples
          unlike the data.
        * `authenticity`: the share of samples farther from their nearest training image than
          that image is from its own nearest neighbour (Alaa et al., 2022): 0 for copies.
        * `copies`: the share of samples nearer to a training image than a tenth
          (`COPY_FRACTION`) of the median training neighbour distance: near-duplicates.
        * `distance_ratio`: the median sample's distance over the median training neighbour
          distance (1 for held-out images, 0 for copies).
        * `samples`, `training_images`: the counts.
    """
    if num_samples < 1:
        raise ValueError(f"num_samples must be >= 1, got {num_samples}.")
    training_features, training_pixels = _features_and_pixels(_real_batches(training_data), extractor)
    if len(training_features) < 2:
        raise ValueError(
            f"memorization needs 2 or more training images to compare with; training_data had {len(training_features)}."
        )
    draw = sampler(generator)
    batches = [
        draw(min(250, num_samples - start), sub_seed(seed, "batch", index))
        for index, start in enumerate(range(0, num_samples, 250))
    ]
    sample_features, sample_pixels = _features_and_pixels(((np.asarray(b), None) for b in batches), extractor)
    distance, nearest = _nearest(sample_features, training_features)
    # Each training image's distance to its nearest other one: for the samples' nearest images, and
    # for a random subset of TYPICAL_OF images (all when fewer), whose median is the typical distance.
    count = len(training_features)
    typical_of = np.random.default_rng(seed).choice(count, size=min(count, TYPICAL_OF), replace=False)
    own = np.unique(np.concatenate([nearest, typical_of]))
    own_distance, _ = _nearest(training_features[own], training_features, self_indices=own)
    neighbour_distance = own_distance[np.searchsorted(own, nearest)]
    typical = float(np.median(own_distance[np.searchsorted(own, typical_of)]))
    results = {
        "closer_than_typical": float(np.mean(distance < typical)),
        "authenticity": float(np.mean(distance > neighbour_distance)),
        "copies": float(np.mean(distance < COPY_FRACTION * typical)),
        "distance_ratio": float(np.median(distance) / typical) if typical > 0 else float("inf"),
        "samples": len(sample_features),
        "training_images": len(training_features),
    }
    if grid_path:
        closest = np.argsort(distance)[:grid_pairs]
        pairs = np.stack([sample_pixels[closest], training_pixels[nearest[closest]]], axis=1)
        save_png(grid_path, tile(pairs.reshape(-1, *pairs.shape[2:]), columns=8))
    return results


def _features_and_pixels(batches, extractor):
    """Features (float32) and uint8 pixels of every image the `(images, labels)` batches hold."""
    features, pixels = [], []
    for images, _ in batches:
        check_fits(extractor, tuple(images.shape[1:]))
        scaled = as_model_range(tf.convert_to_tensor(images))
        features.append(np.asarray(extractor(scaled, training=False)[0], np.float32))
        pixels.append(to_uint8(scaled))
    if not features:
        return np.zeros((0, 1), np.float32), np.zeros((0, 1, 1, 1), np.uint8)
    return np.concatenate(features), np.concatenate(pixels)


def _nearest(queries, keys, self_indices=None, chunk=512):
    """Euclidean distance from each query to its nearest key, and that key's index; with
    `self_indices` (the key each query is), each one's nearest other key."""
    keys = tf.constant(keys)
    key_norms = tf.reduce_sum(keys**2, axis=1)
    distances, indices = [], []
    for start in range(0, len(queries), chunk):
        block = tf.constant(queries[start : start + chunk])
        products = tf.matmul(block, keys, transpose_b=True)
        squared = tf.reduce_sum(block**2, axis=1)[:, None] + key_norms[None, :] - 2.0 * products
        if self_indices is not None:
            own = tf.stack([tf.range(len(block)), self_indices[start : start + chunk]], axis=1)
            squared = tf.tensor_scatter_nd_update(squared, own, tf.fill([len(block)], np.inf))
        indices.append(tf.argmin(squared, axis=1).numpy())
        distances.append(np.sqrt(np.maximum(tf.reduce_min(squared, axis=1).numpy(), 0.0)))
    return np.concatenate(distances), np.concatenate(indices)
