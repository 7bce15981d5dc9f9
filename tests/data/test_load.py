"""kgan.data.load: named datasets from local files, scaled, shuffled and batched."""

import os

import numpy as np
import pytest
import tensorflow as tf

import kgan
import kgan.images


def test_load_gives_scaled_shuffled_batches(mnist_dir):
    ds = kgan.data.load("mnist", data_dir=mnist_dir, batch_size=64, seed=1, limit=1000)
    assert ds.element_spec.shape.as_list() == [64, 28, 28, 1]
    batches = list(ds.as_numpy_iterator())
    assert len(batches) == 1000 // 64
    stacked = np.concatenate(batches)
    assert stacked.dtype == np.float32 and stacked.min() == -1.0 and stacked.max() == 1.0
    raw, _ = kgan.data.load_arrays("mnist", mnist_dir)
    assert not np.array_equal(stacked[:64], raw[:64] / 127.5 - 1)  # shuffled
    again = np.concatenate(list(kgan.data.load("mnist", data_dir=mnist_dir, batch_size=64, seed=1, limit=1000)))
    np.testing.assert_array_equal(stacked, again)  # same seed, same order
    second_epoch = np.concatenate(list(ds.as_numpy_iterator()))
    assert not np.array_equal(stacked, second_epoch)  # reshuffled each epoch


def test_load_with_labels(mnist_dir):
    images, labels = next(iter(kgan.data.load("mnist", data_dir=mnist_dir, labels=True, shuffle=False, batch_size=8)))
    assert images.shape == (8, 28, 28, 1) and labels.numpy().tolist() == [5, 0, 4, 1, 9, 2, 1, 3]


def test_data_dir_comes_from_the_environment(shared_data, monkeypatch):
    monkeypatch.setenv(kgan.data.DATA_DIR_ENV, str(shared_data))
    assert kgan.data.resolve_data_dir("mnist") == str(shared_data / "mnist")
    ds = kgan.data.load("fashion_mnist", batch_size=32, limit=64, shuffle=False)
    first = next(iter(ds)).numpy()
    raw, _ = kgan.data.load_arrays("fashion_mnist", str(shared_data / "fashion_mnist"))
    np.testing.assert_allclose(first, raw[:32] / 127.5 - 1, atol=1e-6)


def test_missing_data_directory_names_the_alternatives(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist.*Offline alternatives"):
        kgan.data.load("mnist", data_dir=str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        kgan.data.load("mnist", data_dir=str(tmp_path))
    with pytest.raises(ValueError, match="Unknown dataset 'mnistt'"):
        kgan.data.load("mnistt", data_dir=str(tmp_path))


def test_stacked_mnist_puts_three_digits_in_the_colour_channels():
    rng = np.random.default_rng(0)
    digits, labels = rng.integers(0, 256, (50, 28, 28, 1), dtype=np.uint8), np.arange(50) % 10
    stacked, classes = kgan.data.stacked_mnist(digits, labels, seed=3)
    assert stacked.shape == (50, 28, 28, 3) and stacked.dtype == np.uint8
    # Red is the digits in order; green and blue are orders of the same digits, each used once.
    np.testing.assert_array_equal(stacked[..., 0], digits[..., 0])
    index = {digit.tobytes(): i for i, digit in enumerate(digits[..., 0])}
    for channel, power in ((1, 10), (2, 1)):
        order = [index[image.tobytes()] for image in stacked[..., channel]]
        assert sorted(order) == list(range(50))
        np.testing.assert_array_equal((classes // power) % 10, labels[order])
    np.testing.assert_array_equal(classes // 100, labels)
    more, _ = kgan.data.stacked_mnist(digits, labels, count=120)
    assert more.shape == (120, 28, 28, 3)
    with pytest.raises(ValueError, match="takes grey digits"):
        kgan.data.stacked_mnist(stacked, classes)


def test_stacked_mnist_loads_by_name_from_mnists_files(mnist_dir, monkeypatch):
    images, classes = next(iter(kgan.data.load("stacked_mnist", data_dir=mnist_dir, labels=True, limit=256)))
    assert images.shape == (64, 28, 28, 3) and float(tf.reduce_min(images)) == -1.0
    assert int(tf.reduce_max(classes)) < 1000 and len(set(classes.numpy().tolist())) > 40
    monkeypatch.setenv("KGAN_DATA_DIR", os.path.dirname(mnist_dir))  # ROOT/mnist serves StackedMNIST
    assert kgan.data.resolve_data_dir("stacked_mnist") == mnist_dir
