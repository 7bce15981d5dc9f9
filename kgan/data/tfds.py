"""TensorFlow Datasets as a source, with a clear way out when it cannot download."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import tensorflow as tf

from kgan.data.pipeline import batch_and_scale, per_pass

OFFLINE_ALTERNATIVES = (
    "Offline alternatives: kgan.data.load(name, data_dir=FOLDER) with the original files "
    "(MNIST/Fashion-MNIST idx .gz, CIFAR-10 .npz); kgan.data.image_folder(FOLDER, image_size) "
    "for your own images; kgan.data.load('digits'), which ships inside kgan; or "
    "from_tfds(name, manual_dir=FOLDER) when FOLDER holds the files TFDS would download."
)


def from_tfds(
    name,
    split="train",
    batch_size=64,
    data_dir=None,
    manual_dir=None,
    labels=False,
    shuffle=True,
    seed=None,
    shuffle_buffer=10_000,
    drop_remainder=True,
):
    """Loads an image dataset through TensorFlow Datasets, scaled to [-1, 1].

    TFDS downloads and prepares the data the first time (it needs the network then, or
    `manual_dir` holding the files it would download), and reads its prepared copy afterwards.

    Args:
        name: a TFDS name with an `image` feature, e.g. "mnist", "fashion_mnist", "cifar10".
        split: a TFDS split string, e.g. "train" or "test[:10%]".
        batch_size: images per batch.
        data_dir: where TFDS keeps prepared datasets (its default when None).
        manual_dir: a folder with the original files, to prepare without downloading.
        labels: yield `(images, labels)`.
        shuffle: reshuffle every epoch through a buffer of `shuffle_buffer` images.
        seed: makes the shuffle order repeatable: pass e's order is the same in an uninterrupted
            and a resumed run.
        shuffle_buffer: the shuffle buffer's size.
        drop_remainder: drop the last partial batch.
    """
    try:
        import tensorflow_datasets as tfds
    except ImportError as error:
        raise DatasetUnavailable(name, "TensorFlow Datasets is not installed (pip install 'kgan[tfds]')") from error
    try:
        builder = tfds.builder(name, data_dir=data_dir)
    except Exception as error:  # an unknown name: TFDS lists every dataset it knows
        raise DatasetUnavailable(name, f"TFDS could not provide {name!r} ({_first_line(error)})") from error
    if manual_dir is None and not builder.is_prepared():
        _check_reachable(name, builder.url_infos or {})
    try:
        download_config = tfds.download.DownloadConfig(manual_dir=manual_dir) if manual_dir else None
        builder.download_and_prepare(download_config=download_config)
        # With a seed the files are read in one seeded order, and each pass's shuffle is keyed
        # to the pass (see kgan.data.pipeline.per_pass), so a resumed run sees the same order.
        read_config = tfds.ReadConfig(shuffle_seed=seed, shuffle_reshuffle_each_iteration=seed is None)
        ds = builder.as_dataset(split=split, shuffle_files=shuffle, read_config=read_config)
    except Exception as error:  # TFDS raises many kinds (network, registry, checksum): one message.
        raise DatasetUnavailable(
            name, f"TFDS could not provide {name!r} split {split!r} ({_first_line(error)})"
        ) from error
    if "image" not in builder.info.features:
        raise ValueError(f"TFDS dataset {name!r} has no 'image' feature; kgan needs images.")
    if labels and "label" not in builder.info.features:
        raise ValueError(f"TFDS dataset {name!r} has no 'label' feature; use labels=False.")
    if shuffle and seed is not None:
        examples, count = ds, int(ds.cardinality())
        ds = per_pass(
            lambda order_seed: examples.shuffle(shuffle_buffer, seed=order_seed), seed, count if count >= 0 else None
        )
    elif shuffle:
        ds = ds.shuffle(shuffle_buffer, reshuffle_each_iteration=True)
    ds = ds.map(lambda e: (e["image"], e.get("label", 0)), num_parallel_calls=tf.data.AUTOTUNE)
    return batch_and_scale(ds, batch_size, drop_remainder, labels=labels)


class DatasetUnavailable(RuntimeError):
    """A named dataset is neither local nor obtainable through TFDS here.

    `reason` says why; the message adds the offline alternatives in Python terms (the command line
    names its own options instead).
    """

    def __init__(self, name, reason):
        super().__init__(f"{reason}. {OFFLINE_ALTERNATIVES}")
        self.name = name
        self.reason = reason


def _first_line(error):
    # TFDS messages can run to hundreds of lines (every dataset it knows); the first says why.
    return f"{type(error).__name__}: " + (str(error).strip().splitlines() or [""])[0][:300]


def _check_reachable(name, urls, timeout=5.0):
    """Fails at once when no host that `urls` name answers (TFDS itself retries for minutes)."""
    hosts = sorted(
        {
            (parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
            for parts in map(urlsplit, urls)
            if parts.hostname
        }
    )
    for host, port in hosts:
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            return
        except OSError:
            continue
    if hosts:
        raise DatasetUnavailable(
            name,
            f"{name!r} is not prepared in TFDS's data folder and its download hosts "
            f"({', '.join(host for host, _ in hosts)}) cannot be reached (no network?)",
        )
