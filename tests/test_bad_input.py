"""Mistakes users make get an error that says what was wrong and how to fix it.

More checks sit beside the code they guard (test_models: shapes, dtypes, NaN, empty data, latent
sizes; test_conditional: labels out of range; test_data: files and folders; test_cli: paths).
"""

import numpy as np
import pytest
import tensorflow as tf

import kgan
from tests.conftest import tiny_dcgan
from tests.test_cli import run_kgan

IMAGES = np.zeros((64, 8, 8, 1), np.float32)


@pytest.fixture
def gan():
    model = tiny_dcgan()
    model.compile()
    return model


def test_an_unbatched_dataset_is_named_as_such(gan):
    with pytest.raises(ValueError, match=r"single samples of shape \(8, 8, 1\), not batches.*dataset.batch"):
        gan.fit(tf.data.Dataset.from_tensor_slices(IMAGES), epochs=1, verbose=0)


def test_a_dataset_of_dicts_says_how_to_map_it(gan):
    tfds_like = tf.data.Dataset.from_tensor_slices({"image": IMAGES, "label": np.zeros(64, np.int64)}).batch(16)
    with pytest.raises(ValueError, match=r"dict with keys \['image', 'label'\].*d\['image'\]"):
        gan.fit(tfds_like, epochs=1, verbose=0)


def test_data_of_another_size_in_a_second_fit_is_caught_before_any_update(gan):
    gan.fit(tf.data.Dataset.from_tensor_slices(IMAGES).batch(16), epochs=1, verbose=0)
    weights = [w.numpy() for w in gan.weights]
    # Keras retraces the step with relaxed shapes here, so only the running step can tell.
    bigger = tf.data.Dataset.from_tensor_slices(np.zeros((64, 16, 16, 1), np.float32)).batch(16)
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"do not have the shape the networks were built for, \(8, 8, 1\)"
    ):
        gan.fit(bigger, epochs=1, verbose=0)
    for before, after in zip(weights, gan.weights):
        np.testing.assert_array_equal(before, after.numpy())


def test_one_hot_labels_are_rejected_with_the_fix(digits_dataset):
    gan = kgan.CGAN(image_shape=(8, 8, 1), num_classes=10, latent_dim=8, width=8, seed=0)
    gan.compile()
    one_hot = tf.data.Dataset.from_tensor_slices((IMAGES, np.eye(10, dtype=np.float32)[np.arange(64) % 10])).batch(16)
    with pytest.raises(ValueError, match=r"class indices of shape \(batch,\), got shape \(None, 10\).*tf.argmax"):
        gan.fit(one_hot, epochs=1, verbose=0)


@pytest.mark.parametrize("argument", [{"latent_dim": 0}, {"latent_dim": -3}, {"width": 0}, {"kernel_size": 2.5}])
def test_network_sizes_must_be_positive_ints(argument):
    name, value = next(iter(argument.items()))
    with pytest.raises(ValueError, match=f"{name} must be a positive int, got {value}"):
        kgan.DCGAN(image_shape=(8, 8, 1), **argument)


@pytest.mark.parametrize("num", [0, 2.5, "4"])
def test_generate_needs_a_whole_number_of_samples(num):
    with pytest.raises(ValueError, match="needs an int num >= 1"):
        tiny_dcgan().generate(num)


def test_learning_rates_must_not_be_negative():
    with pytest.raises(ValueError, match="g learning rate must be >= 0 .*got -0.001"):
        tiny_dcgan().compile(learning_rate=(None, -1e-3))


def test_export_into_a_file_path_is_refused(tmp_path):
    taken = tmp_path / "generator"
    taken.write_text("not a folder")
    with pytest.raises(ValueError, match="is a file; a SavedModel is a folder"):
        kgan.export_generator(tiny_dcgan(), str(taken))


def test_cli_names_a_corrupt_checkpoint_and_a_bad_export_path(tmp_path):
    broken = tmp_path / "epoch_0003.keras"
    broken.write_bytes(b"PK\x03\x04 truncated")
    for command in (
        ["sample", "--model", str(broken)],
        ["export", "--model", str(broken), "--out", str(tmp_path / "g")],
    ):
        result = run_kgan(*command)
        assert result.returncode == 2, result.stderr
        assert "is not a .keras archive" in result.stderr and "Traceback" not in result.stderr


def test_images_outside_the_generators_range_are_caught_before_any_update(gan):
    weights = [w.numpy() for w in gan.weights]
    unscaled = tf.data.Dataset.from_tensor_slices(np.full((64, 8, 8, 1), 255.0, np.float32)).batch(16)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"outside \[-1.0, 1.0\].*x / 127.5 - 1"):
        gan.fit(unscaled, epochs=1, verbose=0)
    for before, after in zip(weights, gan.weights):
        np.testing.assert_array_equal(before, after.numpy())
