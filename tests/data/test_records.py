"""kgan.data.records: TFRecord shards written and streamed."""

import os

import numpy as np
import pytest

import kgan
import kgan.images


def test_tfrecords_round_trip_and_stream_in_an_order_fixed_by_seed_and_pass(tmp_path):
    from kgan.data.pipeline import pass_counters

    images, labels = kgan.data.load_arrays("digits")
    images, labels = images[:250], labels[:250]
    # Written in chunks, as a dataset larger than memory would be.
    files = kgan.data.write_tfrecords(
        (images[i : i + 100] for i in range(0, 250, 100)),
        str(tmp_path / "rec" / "digits"),
        labels=(labels[i : i + 100] for i in range(0, 250, 100)),
        shard_size=64,
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
