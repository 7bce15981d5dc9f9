"""kgan.data.files: the readers of the original files, on the real files in ../shared/data."""

import gzip
import os
import shutil

import numpy as np
import pytest

import kgan
import kgan.images
from kgan.data import files


def test_mnist_reader_matches_the_published_dataset(mnist_dir):
    images, labels = kgan.data.load_arrays("mnist", mnist_dir, "train")
    assert images.shape == (60000, 28, 28, 1) and images.dtype == np.uint8
    assert labels[:5].tolist() == [5, 0, 4, 1, 9]  # the well-known first training labels
    assert np.bincount(labels).tolist()[:2] == [5923, 6742]
    test_images, test_labels = kgan.data.load_arrays("mnist", mnist_dir, "test")
    assert test_images.shape == (10000, 28, 28, 1) and test_labels[0] == 7


def test_fashion_mnist_and_cifar10_readers(shared_data):
    images, labels = kgan.data.load_arrays("fashion_mnist", str(shared_data / "fashion_mnist"))
    assert images.shape == (60000, 28, 28, 1) and labels[0] == 9  # an ankle boot
    assert np.bincount(labels).tolist() == [6000] * 10
    images, labels = kgan.data.load_arrays("cifar10", str(shared_data / "cifar10"), "test")
    assert images.shape == (10000, 32, 32, 3) and np.bincount(labels).tolist() == [1000] * 10
    train, _ = kgan.data.load_arrays("cifar10", str(shared_data / "cifar10"), "train")
    assert train.shape == (10000, 32, 32, 3)


def test_embedded_digits_equal_the_shared_file(shared_data):
    embedded, embedded_labels = kgan.data.load_arrays("digits")
    shared, shared_labels = kgan.data.load_arrays("digits", str(shared_data / "sklearn_digits"))
    assert embedded.shape == (1797, 8, 8, 1)
    np.testing.assert_array_equal(embedded, shared)
    np.testing.assert_array_equal(embedded_labels, shared_labels)
    assert embedded.max() == 255 and embedded.min() == 0


def test_truncated_and_foreign_idx_files_are_rejected(mnist_dir, tmp_path):
    with open(os.path.join(mnist_dir, "t10k-labels-idx1-ubyte.gz"), "rb") as f:
        raw = gzip.decompress(f.read())
    truncated = tmp_path / "t10k-labels-idx1-ubyte.gz"
    truncated.write_bytes(gzip.compress(raw[:-100]))
    with pytest.raises(ValueError, match="truncated or corrupt"):
        files.read_idx(str(truncated))
    foreign = tmp_path / "foreign"
    foreign.write_bytes(b"PK\x03\x04" + raw[4:])
    with pytest.raises(ValueError, match="not an idx file"):
        files.read_idx(str(foreign))
    broken_gzip = tmp_path / "broken.gz"
    broken_gzip.write_bytes(gzip.compress(raw)[:50])
    with pytest.raises(ValueError, match="corrupt or truncated"):
        files.read_idx(str(broken_gzip))
    # Image and label files from different splits do not belong together.
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    shutil.copy(os.path.join(mnist_dir, "train-images-idx3-ubyte.gz"), mixed)
    shutil.copy(os.path.join(mnist_dir, "t10k-labels-idx1-ubyte.gz"), mixed / "train-labels-idx1-ubyte.gz")
    with pytest.raises(ValueError, match="60000 images but 10000 labels"):
        files.read_mnist_format(str(mixed))
