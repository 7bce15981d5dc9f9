"""tf.data input for GANs: local dataset files, TFDS, image folders, TFRecords and toy distributions.

Every loader returns a `tf.data.Dataset` of float32 batches in [-1, 1] (images) or of
`(images, labels)` with `labels=True`, shuffled, batched and prefetched. `paired` and `unpaired`
(and their folder versions) make the `(source, target)` and `(images_a, images_b)` batches of
image-to-image models; `edge_maps`, `low_resolution` and `inverted` make synthetic pairs.
(Labelled samples of a trained conditional GAN: `kgan.synthesize`.)
"""

from __future__ import annotations

import logging
import os

import numpy as np

from kgan.data.catalog import CLASS_NAMES, DATA_DIR_ENV, DATASETS, IMAGE_SHAPES, MADE_FROM
from kgan.data.files import read_cifar10_npz, read_digits_csv, read_idx, read_mnist_format
from kgan.data.folder import image_folder, image_size_pair, read_images
from kgan.data.paired import (
    edge_maps,
    inverted,
    low_resolution,
    paired,
    paired_folders,
    side_by_side_folder,
    unpaired,
    unpaired_folders,
)
from kgan.data.pipeline import from_arrays, resize_batches, scale_images
from kgan.data.records import tfrecords, write_tfrecords
from kgan.data.stacked import stacked_mnist
from kgan.data.tfds import OFFLINE_ALTERNATIVES, DatasetUnavailable, from_tfds
from kgan.data.toy import gaussian_1d, grid_2d, grid_centers, ring_2d, ring_centers

_log = logging.getLogger(__name__)


def load_arrays(name, data_dir=None, split="train"):
    """Reads a dataset's original files into uint8 `(images, labels)` NumPy arrays.

    Args:
        name: "mnist", "fashion_mnist" (idx .gz files), "cifar10" (.npz), "digits"
            (scikit-learn's digits.csv.gz; the copy inside kgan when `data_dir` is None) or
            "stacked_mnist" (`kgan.data.stacked_mnist` of MNIST's files: as many colour images
            as the MNIST split holds, classes 0-999).
        data_dir: the folder holding that dataset's files (StackedMNIST: MNIST's).
        split: "train" or "test" ("digits" has one split, "train").
    """
    if name not in DATASETS:
        raise ValueError(
            f"Unknown dataset {name!r}. Local datasets: {list(DATASETS)}. For others use "
            "kgan.data.from_tfds(name) or kgan.data.image_folder(path, image_size)."
        )
    if name == "digits":
        if split != "train":
            raise ValueError(f"The digits dataset has a single split, 'train'; got {split!r}.")
        return read_digits_csv(None if data_dir is None else os.path.join(data_dir, "digits.csv.gz"))
    if data_dir is None:
        raise ValueError(f"load_arrays({name!r}) needs data_dir, the folder with its files.")
    if not os.path.isdir(data_dir):
        raise FileNotFoundError(
            f"Data directory {data_dir!r} for {name!r} does not exist. Point data_dir at the folder "
            f"holding the dataset's files. {OFFLINE_ALTERNATIVES}"
        )
    if name == "cifar10":
        return read_cifar10_npz(data_dir, split)
    if name == "stacked_mnist":
        return stacked_mnist(*read_mnist_format(data_dir, split))
    return read_mnist_format(data_dir, split)


def resolve_data_dir(name, data_dir=None):
    """Where `load` reads `name` from: `data_dir`, else `$KGAN_DATA_DIR/<name>` if it exists
    (StackedMNIST: `$KGAN_DATA_DIR/mnist`, whose files it is made of).

    Returns None when neither applies (then `load` asks TFDS), and always for "digits" without
    an explicit folder (kgan ships it).
    """
    if data_dir is not None:
        return data_dir
    root = os.environ.get(DATA_DIR_ENV)
    folder = MADE_FROM.get(name, name)
    if root and name != "digits" and os.path.isdir(os.path.join(root, folder)):
        return os.path.join(root, folder)
    return None


def load(
    name,
    data_dir=None,
    split="train",
    batch_size=64,
    labels=False,
    shuffle=True,
    seed=None,
    limit=None,
    drop_remainder=True,
    image_size=None,
):
    """Loads a dataset by name as a training pipeline in [-1, 1].

    Where the data comes from, in order: `data_dir` when given (it must exist); the folder
    `$KGAN_DATA_DIR/<name>` when that exists; otherwise TensorFlow Datasets, which downloads
    once. "digits" needs none of them: scikit-learn's 8x8 digits ship inside kgan.

    Args:
        name: "mnist", "fashion_mnist", "cifar10", "digits" or "stacked_mnist" (made from
            MNIST's files, or TFDS' MNIST).
        data_dir: the folder with the dataset's original files (StackedMNIST: MNIST's).
        split: "train" or "test".
        batch_size: images per batch.
        labels: yield `(images, labels)` batches.
        shuffle: reshuffle every epoch.
        seed: makes the shuffle order repeatable.
        limit: use only the first `limit` images (quick runs and tests).
        drop_remainder: drop the last partial batch.
        image_size: resize the images to `(height, width)` (one int: a square), antialiased
            bilinear; e.g. 32 for MNIST's 28x28 digits in a StyleGAN2, which needs a power of two.

    Example:

    ```python
    ds = kgan.data.load("mnist", data_dir="../shared/data/mnist", batch_size=64)
    ```
    """
    size = None if image_size is None else image_size_pair(image_size)
    folder = resolve_data_dir(name, data_dir)
    if folder is None and name != "digits":
        if name not in DATASETS:
            raise ValueError(f"Unknown dataset {name!r}. Local datasets: {list(DATASETS)}.")
        if os.environ.get(DATA_DIR_ENV):
            _log.warning("%s=%s has no %s folder; trying TFDS.", DATA_DIR_ENV, os.environ[DATA_DIR_ENV], name)
        tfds_split = split if limit is None else f"{split}[:{int(limit)}]"
        if name not in MADE_FROM:
            dataset = from_tfds(
                name,
                tfds_split,
                batch_size,
                labels=labels,
                shuffle=shuffle,
                seed=seed,
                drop_remainder=drop_remainder,
            )
            return dataset if size is None else resize_batches(dataset, size)
        images, image_labels = stacked_mnist(*_tfds_arrays(MADE_FROM[name], tfds_split))
    else:
        images, image_labels = load_arrays(name, folder, split)
        if limit is not None:
            images, image_labels = images[:limit], image_labels[:limit]
    dataset = from_arrays(
        images,
        image_labels if labels else None,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
        drop_remainder=drop_remainder,
    )
    return dataset if size is None else resize_batches(dataset, size)


def _tfds_arrays(name, split):
    """A TFDS split's uint8 images and labels, as NumPy arrays (one batch of everything)."""
    everything = from_tfds(name, split, batch_size=1 << 30, labels=True, shuffle=False, drop_remainder=False)
    images, image_labels = next(iter(everything))
    return np.round((images.numpy() + 1.0) * 127.5).astype(np.uint8), image_labels.numpy()


__all__ = [
    "CLASS_NAMES",
    "DATASETS",
    "DatasetUnavailable",
    "edge_maps",
    "inverted",
    "low_resolution",
    "paired",
    "paired_folders",
    "side_by_side_folder",
    "stacked_mnist",
    "unpaired",
    "unpaired_folders",
    "IMAGE_SHAPES",
    "from_arrays",
    "from_tfds",
    "gaussian_1d",
    "grid_2d",
    "grid_centers",
    "image_folder",
    "load",
    "load_arrays",
    "read_cifar10_npz",
    "read_digits_csv",
    "read_idx",
    "read_images",
    "read_mnist_format",
    "resize_batches",
    "resolve_data_dir",
    "ring_2d",
    "ring_centers",
    "scale_images",
    "tfrecords",
    "write_tfrecords",
]


def __getattr__(name):
    # kgan.data never imports what uses a trained generator (kgan.trained), so the old name says the new one.
    if name == "synthesize":
        raise AttributeError(
            "kgan.data.synthesize is now kgan.synthesize (it draws from a trained generator: kgan.trained); "
            "call kgan.synthesize(model, num_per_class, ...) with the same arguments."
        )
    raise AttributeError(f"module 'kgan.data' has no attribute {name!r}")
