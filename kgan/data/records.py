"""Images in TFRecord shards: written once, then streamed, however large the dataset.

TFRecord is what large training runs read: files any storage can hold (local disks, GCS for
TPUs), read sequentially and in parallel, never loaded whole. kgan writes each image as a
`tf.train.Example` with the PNG bytes under "image" and, when given, an int64 "label"; it reads
those and any records laid out the same way under other keys (`image_key`, `label_key`).
"""

from __future__ import annotations

import itertools
import os

import numpy as np
import tensorflow as tf

from kgan.data.folder import decode_and_resize, image_size_pair
from kgan.data.pipeline import batch_and_scale, check_limit, per_pass

IMAGE_KEY = "image"
LABEL_KEY = "label"


def write_tfrecords(images, path, labels=None, shard_size=10_000):
    """Writes uint8 images (and labels) as PNG-encoded `tf.train.Example`s in shards.

    Args:
        images: uint8 array `(n, height, width, channels)`, or an iterable of such arrays (so a
            dataset larger than memory can be written chunk by chunk).
        path: the shards' prefix: `path-00000.tfrecord`, `path-00001.tfrecord`, ...
        labels: int array `(n,)`, or an iterable of arrays matching `images` chunk for chunk.
        shard_size: examples per shard.

    Returns:
        The list of files written.

    Example:

    ```python
    images, labels = kgan.data.load_arrays("mnist", "../shared/data/mnist")
    files = kgan.data.write_tfrecords(images, "records/mnist", labels)
    ds = kgan.data.tfrecords("records/mnist-*.tfrecord", batch_size=64, labels=True)
    ```
    """
    if shard_size < 1:
        raise ValueError(f"shard_size must be >= 1, got {shard_size}.")
    chunks = [images] if isinstance(images, np.ndarray) else images
    if labels is None:
        label_chunks = itertools.repeat(None)
    else:
        label_chunks = [labels] if isinstance(labels, np.ndarray) else labels
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    files, writer, in_shard = [], None, 0
    try:
        for chunk, chunk_labels in zip(chunks, label_chunks):
            chunk = _checked_images(chunk)
            if chunk_labels is not None:
                chunk_labels = np.asarray(chunk_labels)
                if chunk_labels.shape != (len(chunk),) or not np.issubdtype(chunk_labels.dtype, np.integer):
                    raise ValueError(
                        f"labels must be ints, one per image: shape ({len(chunk)},), got "
                        f"{chunk_labels.dtype} {chunk_labels.shape}."
                    )
            for index, image in enumerate(chunk):
                if writer is None or in_shard == shard_size:
                    if writer is not None:
                        writer.close()
                    files.append(f"{path}-{len(files):05d}.tfrecord")
                    writer, in_shard = tf.io.TFRecordWriter(files[-1]), 0
                label = None if chunk_labels is None else int(chunk_labels[index])
                writer.write(_example(image, label))
                in_shard += 1
    finally:
        if writer is not None:
            writer.close()
    if not files:
        raise ValueError("No images to write: `images` is empty.")
    return files


def tfrecords(
    files,
    image_size=None,
    batch_size=64,
    channels=None,
    labels=False,
    shuffle=True,
    seed=None,
    shuffle_buffer=10_000,
    drop_remainder=True,
    image_key=IMAGE_KEY,
    label_key=LABEL_KEY,
    count=True,
    limit=None,
):
    """Streams images from TFRecord files as a training pipeline in [-1, 1].

    Records are read as batches are needed, several files at a time, so the dataset may be far
    larger than memory. Each pass reads the files in a new order and shuffles records through a
    buffer of `shuffle_buffer` (a full shuffle would need the whole dataset in memory); with a
    `seed`, pass e's order is the same in an uninterrupted and a resumed run.

    Args:
        files: a glob pattern (`"records/train-*.tfrecord"`) or a list of files.
        image_size: `(height, width)` (or one int for squares) to resize every image to; None
            keeps the stored size, which must then be the same for every image.
        batch_size: images per batch.
        channels: 1 or 3 to convert images; None keeps the first image's channels.
        labels: yield `(images, labels)` batches from the `label_key` feature.
        shuffle: reshuffle files and records every pass.
        seed: makes the order repeatable.
        shuffle_buffer: records held for shuffling.
        drop_remainder: drop the last partial batch.
        image_key: the feature holding encoded (PNG, JPEG, ...) image bytes.
        label_key: the int64 feature holding class labels.
        count: read the files once up front to count the records (and find a corrupt file now,
            not in the middle of training), so that Keras knows an epoch's length; set False to
            skip this pass on very large datasets (epochs then end when the data do).
        limit: use only the first `limit` records, in file order (quick runs).
    """
    files = _matching_files(files)
    check_limit(limit)
    first = _first_example(files[0], image_key, label_key if labels else None)
    image = tf.io.decode_image(first.features.feature[image_key].bytes_list.value[0], expand_animations=False)
    channels = int(channels or image.shape[-1])
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 (grayscale) or 3 (RGB), got {channels}.")
    size = image_size_pair(image_size) if image_size is not None else tuple(int(s) for s in image.shape[:2])
    records = _count_records(files) if count else None
    if limit is not None:
        records = limit if records is None else min(records, limit)
    if records is not None and drop_remainder and records < batch_size:
        raise ValueError(
            f"The files hold {records} records, fewer than one batch of {batch_size}. Use a smaller "
            "batch_size or drop_remainder=False."
        )
    features = {image_key: tf.io.FixedLenFeature([], tf.string)}
    if labels:
        features[label_key] = tf.io.FixedLenFeature([], tf.int64)

    def decode(record):
        example = tf.io.parse_single_example(record, features)
        if image_size is None:
            pixels = tf.io.decode_image(example[image_key], channels=channels, expand_animations=False)
            pixels = tf.ensure_shape(pixels, size + (channels,))
        else:
            pixels = decode_and_resize(example[image_key], size, channels)
        return (pixels, tf.cast(example[label_key], tf.int32)) if labels else pixels

    def read(order_seed=None):
        if not shuffle:
            return tf.data.TFRecordDataset(files).take(-1 if limit is None else limit)  # file after file
        if limit is not None:  # the same first records every pass, shuffled among themselves
            return tf.data.TFRecordDataset(files).take(limit).shuffle(shuffle_buffer, seed=order_seed)
        names = tf.data.Dataset.from_tensor_slices(files).shuffle(len(files), seed=order_seed)
        ds = tf.data.TFRecordDataset(names, num_parallel_reads=min(len(files), 8))
        return ds.shuffle(shuffle_buffer, seed=order_seed)

    if shuffle and seed is not None:
        ds = per_pass(read, seed, records)
    else:
        ds = read()
        if records is not None:
            ds = ds.apply(tf.data.experimental.assert_cardinality(records))
    ds = ds.map(decode, num_parallel_calls=tf.data.AUTOTUNE)
    return batch_and_scale(ds, batch_size, drop_remainder, labels=labels)


def _matching_files(files):
    if isinstance(files, (str, os.PathLike)):
        pattern = os.fspath(files)
        files = sorted(tf.io.gfile.glob(pattern))
        if not files:
            raise FileNotFoundError(
                f"No files match {pattern!r}. Pass a glob pattern such as 'records/train-*.tfrecord' "
                "or a list of files; kgan.data.write_tfrecords(images, prefix) writes them."
            )
        return files
    files = [os.fspath(f) for f in files]
    missing = [f for f in files if not tf.io.gfile.exists(f)]
    if not files or missing:
        raise FileNotFoundError(f"TFRecord files not found: {missing or 'the list is empty'}.")
    return files


def _first_example(file, image_key, label_key):
    """The first record of `file` as a `tf.train.Example`, checked for the features we read."""
    try:
        record = next(iter(tf.data.TFRecordDataset(file).take(1)), None)
    except tf.errors.DataLossError as error:
        raise ValueError(
            f"{file} is not a readable TFRecord file ({error.message.strip()}); it may be corrupt."
        ) from None
    if record is None:
        raise ValueError(f"{file} holds no records.")
    example = tf.train.Example.FromString(record.numpy())
    found = sorted(example.features.feature)
    for key, kind in ((image_key, "encoded image bytes"), (label_key, "int64 labels")):
        if key is not None and key not in example.features.feature:
            raise ValueError(
                f"The records of {file} have no {key!r} feature ({kind}); they have {found}. Pass "
                "image_key=... / label_key=... naming the right features."
            )
    return example


def _count_records(files):
    try:
        return int(tf.data.TFRecordDataset(files).reduce(np.int64(0), lambda n, _: n + 1))
    except tf.errors.DataLossError as error:
        raise ValueError(
            f"A TFRecord file is corrupt or truncated ({error.message.strip()}). Rewrite it, or leave "
            "it out of `files`."
        ) from None


def _checked_images(images):
    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise ValueError(
            "write_tfrecords takes uint8 images of shape (n, height, width, 1 or 3), got "
            f"{images.dtype} {images.shape}. For [-1, 1] floats use np.round((x + 1) * 127.5).astype(np.uint8)."
        )
    return images


def _example(image, label):
    feature = {IMAGE_KEY: tf.train.Feature(bytes_list=tf.train.BytesList(value=[tf.io.encode_png(image).numpy()]))}
    if label is not None:
        feature[LABEL_KEY] = tf.train.Feature(int64_list=tf.train.Int64List(value=[label]))
    return tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()
