"""Readers on the real files in ../shared/data, pipelines, folders, TFDS and toy distributions."""
import gzip
import os
import shutil
import time

import numpy as np
import pytest
import tensorflow as tf

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


def test_from_arrays_rejects_bad_arrays():
    with pytest.raises(ValueError, match="non-empty"):
        kgan.data.from_arrays(np.zeros((0, 8, 8, 1), np.uint8))
    with pytest.raises(ValueError, match="scale=False"):
        kgan.data.from_arrays(np.zeros((64, 8, 8, 1), np.float32))
    with pytest.raises(ValueError, match="fewer than one batch"):
        kgan.data.from_arrays(np.zeros((10, 8, 8, 1), np.uint8), batch_size=64)
    with pytest.raises(ValueError, match="one per sample"):
        kgan.data.from_arrays(np.zeros((64, 8, 8, 1), np.uint8), labels=np.zeros(3))
    samples = np.zeros((64, 2), np.float32)
    samples[7, 1], samples[9, 0] = np.nan, np.inf
    with pytest.raises(ValueError, match="2 samples hold NaN or Inf \\(the first at index 7\\)"):
        kgan.data.from_arrays(samples, scale=False)


def _write_png(path, pixels):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(tf.io.encode_png(pixels).numpy())


@pytest.fixture
def folder(tmp_path):
    rng = np.random.default_rng(0)
    for name in ("cats", "dogs"):
        for i in range(5):
            _write_png(tmp_path / "pets" / name / f"{i}.png", rng.integers(0, 256, (20, 16, 3), dtype=np.uint8))
    return tmp_path / "pets"


def test_image_folder_streams_resized_labelled_images(folder):
    ds = kgan.data.image_folder(str(folder), (8, 8), batch_size=4, labels=True, seed=0)
    assert ds.class_names == ["cats", "dogs"]
    batches = list(ds)
    assert len(batches) == 2
    images, labels = batches[0]
    assert images.shape == (4, 8, 8, 3) and images.dtype == tf.float32
    assert -1.0 <= float(tf.reduce_min(images)) and float(tf.reduce_max(images)) <= 1.0
    all_labels = sorted(np.concatenate([l.numpy() for _, l in kgan.data.image_folder(str(folder), (8, 8), batch_size=10, labels=True)]))
    assert all_labels == [0] * 5 + [1] * 5
    gray = next(iter(kgan.data.image_folder(str(folder), (8, 8), batch_size=2, channels=1)))
    assert gray.shape == (2, 8, 8, 1)
    square = kgan.data.image_folder(str(folder), 6, batch_size=3, shuffle=False, limit=7)  # an int is a square
    assert [tuple(b.shape) for b in square] == [(3, 6, 6, 3), (3, 6, 6, 3)]  # the first 7 images


def test_image_folder_trains_a_dcgan(folder):
    ds = kgan.data.image_folder(str(folder), (8, 8), batch_size=5, seed=0)
    gan = kgan.DCGAN(image_shape=(8, 8, 3), latent_dim=8, width=8, seed=0)
    gan.compile()
    history = gan.fit(ds, epochs=1, verbose=0).history
    assert np.isfinite(history["d_loss"][0])


def test_image_folder_errors_name_the_problem(folder, tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        kgan.data.image_folder(str(tmp_path / "missing"), (8, 8))
    empty = tmp_path / "empty"
    (empty / "sub").mkdir(parents=True)
    (empty / "notes.txt").write_text("no images here")
    with pytest.raises(ValueError, match="No images in"):
        kgan.data.image_folder(str(empty), (8, 8))
    (folder / "cats" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)
    with pytest.raises(ValueError, match=r"Cannot decode image .*broken\.png"):
        kgan.data.image_folder(str(folder), (8, 8), batch_size=2)
    (folder / "cats" / "broken.png").unlink()
    _write_png(folder / "loose.png", np.zeros((4, 4, 3), np.uint8))
    with pytest.raises(ValueError, match="labels=True needs every image in a class subfolder"):
        kgan.data.image_folder(str(folder), (8, 8), batch_size=2, labels=True)
    for size in ((8,), (8, 0), 8.5, "8"):
        with pytest.raises(ValueError, match="image_size must be a positive int"):
            kgan.data.image_folder(str(folder), size)
    with pytest.raises(ValueError, match="limit must be a positive int"):
        kgan.data.image_folder(str(folder), 8, limit=0)


@pytest.mark.slow
def test_tfds_prepares_mnist_offline_from_the_original_files(mnist_dir, tmp_path):
    ds = kgan.data.from_tfds(
        "mnist", "test", batch_size=100, data_dir=str(tmp_path), manual_dir=mnist_dir, shuffle=False
    )
    first = next(iter(ds)).numpy()
    raw, _ = kgan.data.load_arrays("mnist", mnist_dir, "test")
    assert first.shape == (100, 28, 28, 1)
    # TFDS and kgan's reader must agree pixel for pixel (as a set: TFDS orders its records itself).
    rows = {image.tobytes() for image in raw}
    assert all(image.tobytes() in rows for image in kgan.images.to_uint8(first))

    from kgan.data.pipeline import pass_counters

    def order(ds):
        return np.concatenate([batch.numpy().reshape(len(batch), -1).sum(axis=1) for batch in ds])

    def seeded():
        return kgan.data.from_tfds("mnist", "test[:500]", batch_size=100, data_dir=str(tmp_path), seed=4, shuffle_buffer=200)

    ds = seeded()
    assert int(ds.cardinality()) == 5
    first_pass, second_pass = order(ds), order(ds)
    assert not np.array_equal(first_pass, second_pass)
    resumed = seeded()
    pass_counters(resumed)[0].assign(1)
    np.testing.assert_array_equal(order(resumed), second_pass)  # pass 1's order, in a fresh pipeline


def test_tfds_failure_names_the_offline_alternatives(tmp_path):
    with pytest.raises(kgan.data.DatasetUnavailable, match="TFDS could not provide .no_such_dataset.*Offline alternatives"):
        kgan.data.from_tfds("no_such_dataset", data_dir=str(tmp_path))


def test_an_unreachable_download_fails_at_once():
    from kgan.data.tfds import _check_reachable

    started = time.perf_counter()
    with pytest.raises(kgan.data.DatasetUnavailable, match=r"kgan-test\.invalid\) cannot be reached") as raised:
        _check_reachable("mnist", ["https://kgan-test.invalid/mnist/train.gz"])  # .invalid never resolves
    assert time.perf_counter() - started < 15
    assert raised.value.reason.startswith("'mnist' is not prepared") and "Offline alternatives" in str(raised.value)
    _check_reachable("mnist", [])  # nothing to download: nothing to check


def test_box_muller_gives_a_standard_normal():
    samples = kgan.data.toy.box_muller(200_000, np.random.default_rng(0))
    assert abs(samples.mean()) < 0.01 and abs(samples.std() - 1) < 0.01
    assert abs(np.mean(np.abs(samples) < 1.0) - 0.6827) < 0.005  # the 68% rule


def test_toy_distributions():
    points = np.concatenate(list(kgan.data.gaussian_1d(4096, mean=4.0, std=0.5, batch_size=128, seed=0)))
    assert points.shape == (4096, 1) and abs(points.mean() - 4.0) < 0.05 and abs(points.std() - 0.5) < 0.03
    for ds, centers, std in [
        (kgan.data.ring_2d(4096, seed=0), kgan.data.ring_centers(), 0.02),
        (kgan.data.grid_2d(4096, seed=0), kgan.data.grid_centers(), 0.05),
    ]:
        points = np.concatenate(list(ds))
        distances = np.linalg.norm(points[:, None] - centers[None], axis=-1)
        nearest = distances.argmin(axis=1)
        assert distances.min(axis=1).max() < 6 * std
        assert len(np.unique(nearest)) == len(centers)
    assert kgan.data.ring_centers().shape == (8, 2) and kgan.data.grid_centers().shape == (25, 2)
    np.testing.assert_allclose(np.linalg.norm(kgan.data.ring_centers(), axis=1), 2.0, rtol=1e-6)


def test_each_epoch_order_is_fixed_by_the_seed_and_the_epoch():
    from kgan.data.pipeline import pass_counters

    def order(ds):
        return np.concatenate([batch.numpy().reshape(len(batch), -1).sum(axis=1) for batch in ds])

    ds = kgan.data.load("digits", batch_size=32, seed=5, limit=256)
    first, second = order(ds), order(ds)
    assert not np.array_equal(first, second)  # a new order every pass
    (counter,) = pass_counters(ds.take(4).map(lambda x: x))  # found through any transformation
    counter.assign(1)
    np.testing.assert_array_equal(order(ds), second)  # pass 1's order again, from a set counter
    fresh = kgan.data.load("digits", batch_size=32, seed=5, limit=256)
    pass_counters(fresh)[0].assign(1)
    np.testing.assert_array_equal(order(fresh), second)  # the same in a fresh pipeline (a resumed run)
    a, b = pass_counters(kgan.data.unpaired(np.zeros((64, 8, 8, 1), np.uint8), np.ones((64, 8, 8, 1), np.uint8), 32, seed=1))
    assert a is not b


def test_tfrecords_round_trip_and_stream_in_an_order_fixed_by_seed_and_pass(tmp_path):
    from kgan.data.pipeline import pass_counters

    images, labels = kgan.data.load_arrays("digits")
    images, labels = images[:250], labels[:250]
    # Written in chunks, as a dataset larger than memory would be.
    files = kgan.data.write_tfrecords(
        (images[i : i + 100] for i in range(0, 250, 100)), str(tmp_path / "rec" / "digits"),
        labels=(labels[i : i + 100] for i in range(0, 250, 100)), shard_size=64,
    )
    assert [os.path.basename(f) for f in files] == [f"digits-{i:05d}.tfrecord" for i in range(4)]

    ordered = kgan.data.tfrecords(str(tmp_path / "rec" / "*.tfrecord"), batch_size=50, labels=True, shuffle=False)
    assert int(ordered.cardinality()) == 5  # counted, so Keras knows an epoch's length
    got_images = np.concatenate([x.numpy() for x, _ in ordered])
    got_labels = np.concatenate([y.numpy() for _, y in ordered])
    np.testing.assert_array_equal(np.round((got_images + 1) * 127.5).astype(np.uint8), images)  # PNG is lossless
    np.testing.assert_array_equal(got_labels, labels)

    def order(ds):
        return np.concatenate([batch.numpy().reshape(len(batch), -1).sum(axis=1) for batch in ds])

    ds = kgan.data.tfrecords(files, batch_size=50, seed=3, shuffle_buffer=100)
    first, second = order(ds), order(ds)
    assert not np.array_equal(first, second) and sorted(first) == sorted(second)
    fresh = kgan.data.tfrecords(files, batch_size=50, seed=3, shuffle_buffer=100)
    pass_counters(fresh)[0].assign(1)
    np.testing.assert_array_equal(order(fresh), second)  # a resumed run sees pass 1's order again

    resized = next(iter(kgan.data.tfrecords(files, image_size=(16, 16), channels=3, batch_size=4)))
    assert resized.shape == (4, 16, 16, 3)
    gan = kgan.DCGAN(image_shape=(8, 8, 1), latent_dim=8, width=8, seed=0)
    gan.compile()
    assert np.isfinite(gan.fit(ds, epochs=2, verbose=0).history["d_loss"]).all()


def test_tfrecords_errors_name_the_problem(tmp_path):
    with pytest.raises(FileNotFoundError, match="No files match"):
        kgan.data.tfrecords(str(tmp_path / "none-*.tfrecord"))
    with pytest.raises(ValueError, match="uint8 images of shape"):
        kgan.data.write_tfrecords(np.zeros((4, 8, 8, 1), np.float32), str(tmp_path / "x"))
    files = kgan.data.write_tfrecords(np.zeros((40, 8, 8, 1), np.uint8), str(tmp_path / "x"))
    with pytest.raises(ValueError, match=r"no 'label' feature .* they have \['image'\]"):
        kgan.data.tfrecords(files, labels=True)
    with pytest.raises(ValueError, match="fewer than one batch"):
        kgan.data.tfrecords(files, batch_size=64)
    truncated = tmp_path / "truncated.tfrecord"
    truncated.write_bytes(open(files[0], "rb").read()[:-30])
    with pytest.raises(ValueError, match="corrupt or truncated"):
        kgan.data.tfrecords([files[0], str(truncated)], batch_size=8)
