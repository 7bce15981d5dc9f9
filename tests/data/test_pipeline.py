"""kgan.data.pipeline: arrays into pipelines, and each epoch's order."""

import numpy as np
import pytest
import tensorflow as tf

import kgan
import kgan.images


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
    a, b = pass_counters(
        kgan.data.unpaired(np.zeros((64, 8, 8, 1), np.uint8), np.ones((64, 8, 8, 1), np.uint8), 32, seed=1)
    )
    assert a is not b


@pytest.mark.parametrize("global_seed", [0, 5])
def test_a_global_seed_neither_breaks_nor_changes_the_seeded_order(global_seed):
    images = (np.arange(10, dtype=np.uint8) * 20).reshape(10, 1, 1, 1)

    def two_passes():
        dataset = kgan.data.from_arrays(images, batch_size=10, seed=3)
        return [batch.numpy().ravel().tolist() for _ in range(2) for batch in dataset]

    expected = two_passes()
    try:
        # keras.utils.set_random_seed(0) once made every seeded kgan pipeline fail to build.
        tf.random.set_seed(global_seed)
        assert two_passes() == expected
    finally:
        tf.random.set_seed(None)
    assert expected[0] != expected[1]  # each pass is shuffled anew


def test_fit_turns_off_the_autotuning_that_stalls_each_epoch_unless_asked_for():
    ds = kgan.data.load("digits", batch_size=32, limit=64)
    assert ds.options().autotune.enabled is None
    assert kgan.data.pipeline.for_epochs(ds).options().autotune.enabled is False
    options = tf.data.Options()
    options.autotune.enabled = True
    kept = ds.with_options(options)
    assert kgan.data.pipeline.for_epochs(kept) is kept
