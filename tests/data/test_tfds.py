"""kgan.data.tfds: TensorFlow Datasets offline, and failing fast without a network."""

import time

import numpy as np
import pytest

import kgan
import kgan.images


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
        return kgan.data.from_tfds(
            "mnist", "test[:500]", batch_size=100, data_dir=str(tmp_path), seed=4, shuffle_buffer=200
        )

    ds = seeded()
    assert int(ds.cardinality()) == 5
    first_pass, second_pass = order(ds), order(ds)
    assert not np.array_equal(first_pass, second_pass)
    resumed = seeded()
    pass_counters(resumed)[0].assign(1)
    np.testing.assert_array_equal(order(resumed), second_pass)  # pass 1's order, in a fresh pipeline


def test_tfds_failure_names_the_offline_alternatives(tmp_path):
    with pytest.raises(
        kgan.data.DatasetUnavailable, match="TFDS could not provide .no_such_dataset.*Offline alternatives"
    ):
        kgan.data.from_tfds("no_such_dataset", data_dir=str(tmp_path))


def test_an_unreachable_download_fails_at_once():
    from kgan.data.tfds import _check_reachable

    started = time.perf_counter()
    with pytest.raises(kgan.data.DatasetUnavailable, match=r"kgan-test\.invalid\) cannot be reached") as raised:
        _check_reachable("mnist", ["https://kgan-test.invalid/mnist/train.gz"])  # .invalid never resolves
    assert time.perf_counter() - started < 15
    assert raised.value.reason.startswith("'mnist' is not prepared") and "Offline alternatives" in str(raised.value)
    _check_reachable("mnist", [])  # nothing to download: nothing to check
