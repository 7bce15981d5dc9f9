"""kgan.data.load: named datasets from local files, scaled, shuffled and batched."""

import numpy as np
import pytest

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
