"""Paired and unpaired image datasets for image-to-image models, and synthetic pairs made from
any image dataset (edge maps, low-resolution copies, colour inversion) for tests and examples."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from kgan.data.folder import (
    decode_and_resize,
    files_by_name,
    image_folder,
    image_size_pair,
    list_images,
    resized_pixels,
)
from kgan.data.pipeline import from_arrays, scale_images, shuffled_per_pass
from kgan.seeding import sub_seed


def paired(sources, targets, batch_size=64, shuffle=True, seed=None, drop_remainder=True):
    """`(source, target)` batches in [-1, 1] from two uint8 arrays of matching images.

    Args:
        sources: uint8 `(n, h, w, c)` inputs, e.g. edge maps or low-resolution images.
        targets: uint8 `(n, H, W, C)` outputs; `targets[i]` belongs with `sources[i]`.
        batch_size, shuffle, seed, drop_remainder: as for `kgan.data.from_arrays`.
    """
    sources, targets = np.asarray(sources), np.asarray(targets)
    for name, images in (("sources", sources), ("targets", targets)):
        if images.ndim != 4 or images.dtype != np.uint8:
            raise ValueError(
                f"{name} must be uint8 images of shape (n, height, width, channels), got {images.dtype} {images.shape}."
            )
    if len(sources) != len(targets):
        raise ValueError(
            f"Paired data needs one target per source: got {len(sources)} sources and {len(targets)} targets."
        )
    pairs = tf.data.Dataset.from_tensor_slices((sources, targets))
    return _shuffle_batch_scale(pairs, len(sources), batch_size, shuffle, seed, drop_remainder)


def _shuffle_batch_scale(pairs, count, batch_size, shuffle, seed, drop_remainder=True):
    if drop_remainder and count < batch_size:
        raise ValueError(f"Only {count} pairs, fewer than one batch of {batch_size}; use a smaller batch_size.")
    if shuffle:
        pairs = shuffled_per_pass(pairs, count, seed)
    pairs = pairs.batch(batch_size, drop_remainder=drop_remainder)
    pairs = pairs.map(lambda s, t: (scale_images(s), scale_images(t)), num_parallel_calls=tf.data.AUTOTUNE)
    return pairs.prefetch(tf.data.AUTOTUNE)


def paired_folders(
    source_dir,
    target_dir,
    image_size,
    batch_size=64,
    source_channels=3,
    target_channels=3,
    shuffle=True,
    seed=None,
    source_size=None,
    drop_remainder=True,
    limit=None,
):
    """`(source, target)` batches streamed from two folders whose files pair up by name.

    `source_dir/a/1.png` pairs with `target_dir/a/1.png` (any image extension on either side).

    Args:
        source_dir, target_dir: the folders.
        image_size: `(height, width)` the targets (and the sources, unless `source_size`) are resized to.
        batch_size: pairs per batch.
        source_channels, target_channels: 1 (grayscale) or 3 (RGB).
        shuffle: reshuffle the pairs every epoch.
        seed: makes the order repeatable.
        source_size: `(height, width)` of the sources when it differs from the targets'
            (super-resolution's low-resolution inputs).
        drop_remainder: drop the last, smaller batch (for training; keep it to evaluate every pair).
        limit: use only the first `limit` pairs in sorted order.
    """
    source_files, target_files = files_by_name(source_dir), files_by_name(target_dir)
    unmatched = sorted(set(source_files) ^ set(target_files))
    if unmatched:
        raise ValueError(
            f"{len(unmatched)} images have no partner with the same name in the other folder, e.g. "
            f"{unmatched[:3]}. Every file in {source_dir} needs one in {target_dir} and vice versa."
        )
    names = sorted(source_files)[:limit]
    files = tf.data.Dataset.from_tensor_slices(([source_files[n] for n in names], [target_files[n] for n in names]))
    target_size = image_size_pair(image_size)
    source_size = target_size if source_size is None else image_size_pair(source_size)

    if shuffle:  # shuffle file names, not decoded images: the folders may be larger than memory
        files = shuffled_per_pass(files, len(names), seed)
    pairs = files.map(
        lambda s, t: (
            decode_and_resize(tf.io.read_file(s), source_size, source_channels),
            decode_and_resize(tf.io.read_file(t), target_size, target_channels),
        ),
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    return _shuffle_batch_scale(pairs, len(names), batch_size, shuffle=False, seed=None, drop_remainder=drop_remainder)


#: `side_by_side_folder`'s directions: which half of each file is the source.
DIRECTIONS = ("AtoB", "BtoA")


def side_by_side_folder(
    path,
    image_size,
    direction="AtoB",
    batch_size=64,
    source_channels=3,
    target_channels=3,
    shuffle=True,
    seed=None,
    drop_remainder=True,
    limit=None,
):
    """`(source, target)` batches streamed from a folder of side-by-side pairs: each file holds
    image A in its left half and image B in its right half, as the pix2pix datasets (facades,
    maps, edges2shoes, ...) ship them.

    Args:
        path: the folder (subfolders too).
        image_size: `(height, width)` (or one int for squares) each half is resized to.
        direction: "AtoB" (the left half is the source) or "BtoA".
        batch_size, source_channels, target_channels, shuffle, seed, drop_remainder: as for
            `paired_folders`.
        limit: use only the first `limit` files in sorted order.
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS} (which half is the source), got {direction!r}.")
    files, _, _ = list_images(path)
    files = files[:limit]
    size = image_size_pair(image_size)

    def halves(file):
        image = tf.io.decode_image(tf.io.read_file(file), channels=3, expand_animations=False)
        half = tf.shape(image)[1] // 2
        left, right = image[:, :half], image[:, half : 2 * half]
        source, target = (left, right) if direction == "AtoB" else (right, left)
        return _as_channels(source, source_channels, size), _as_channels(target, target_channels, size)

    names = tf.data.Dataset.from_tensor_slices(files)
    if shuffle:
        names = shuffled_per_pass(names, len(files), seed)
    pairs = names.map(halves, num_parallel_calls=tf.data.AUTOTUNE)
    return _shuffle_batch_scale(pairs, len(files), batch_size, shuffle=False, seed=None, drop_remainder=drop_remainder)


def _as_channels(image, channels, size):
    """uint8 RGB pixels as `channels` channels (1: grayscale), resized to `size`."""
    return resized_pixels(tf.image.rgb_to_grayscale(image) if channels == 1 else image, size)


def unpaired(images_a, images_b, batch_size=64, seed=None):
    """`(images_a, images_b)` batches in [-1, 1] from two uint8 arrays, shuffled independently
    (no image of A belongs with any image of B). An epoch lasts as long as the smaller domain."""
    return tf.data.Dataset.zip(
        (
            from_arrays(images_a, batch_size=batch_size, seed=sub_seed(seed, "a")),
            from_arrays(images_b, batch_size=batch_size, seed=sub_seed(seed, "b")),
        )
    )


def unpaired_folders(folder_a, folder_b, image_size, batch_size=64, channels=3, seed=None, limit=None):
    """`(images_a, images_b)` batches streamed from two folders of unrelated images (`limit`: the
    first so many of each, in sorted order). An epoch lasts as long as the smaller domain."""
    return tf.data.Dataset.zip(
        (
            image_folder(folder_a, image_size, batch_size, channels, seed=sub_seed(seed, "a"), limit=limit),
            image_folder(folder_b, image_size, batch_size, channels, seed=sub_seed(seed, "b"), limit=limit),
        )
    )


# --- synthetic pairs from any images (uint8 in, uint8 out) ---------------------------------------


def edge_maps(images):
    """Sketch-like edge maps of uint8 images: the Sobel gradient magnitude on the dark side of
    each boundary, normalised per image to [0, 255].

    Keeping only the darker side makes the lines one pixel wide: on thin strokes (MNIST) the
    plain magnitude covers the whole stroke and looks like the digit itself, while this gives
    its outline.
    """
    gray = tf.cast(tf.image.rgb_to_grayscale(images) if images.shape[-1] == 3 else images, tf.float32)
    sobel = tf.image.sobel_edges(gray)
    magnitude = tf.sqrt(tf.reduce_sum(tf.square(sobel), axis=-1))
    magnitude = tf.where(gray < 128.0, magnitude, 0.0)
    peak = tf.reduce_max(magnitude, axis=[1, 2, 3], keepdims=True)
    return tf.cast(tf.round(255.0 * magnitude / tf.maximum(peak, 1e-6)), tf.uint8).numpy()


def low_resolution(images, scale):
    """uint8 images area-downscaled by an integer factor (super-resolution inputs)."""
    images = np.asarray(images)
    if images.shape[1] % scale or images.shape[2] % scale:
        raise ValueError(f"Image size {images.shape[1]}x{images.shape[2]} is not divisible by scale={scale}.")
    size = (images.shape[1] // scale, images.shape[2] // scale)
    small = tf.image.resize(tf.cast(images, tf.float32), size, method="area")
    return tf.cast(tf.clip_by_value(tf.round(small), 0, 255), tf.uint8).numpy()


def inverted(images):
    """Colour-inverted uint8 images (255 - x): a second domain for unpaired translation."""
    return (255 - np.asarray(images, np.uint8)).astype(np.uint8)
