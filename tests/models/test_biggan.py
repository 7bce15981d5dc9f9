"""BigGAN: its networks' parts, training, the truncation trick, class walks, and the export."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

import kgan
from kgan.architectures import biggan
from tests.conftest import run_savedmodel_without_kgan


def tiny(**kwargs):
    """16x16 grey images: two generator blocks, self-attention at 8x8."""
    settings = dict(num_classes=3, latent_dim=6, width=2, embedding_dim=4, seed=0, ema_decay=0.9, ema_start=0)
    return kgan.BigGAN((16, 16, 1), **{**settings, **kwargs})


@pytest.fixture(scope="module")
def trained():
    images, labels = kgan.data.load_arrays("digits")
    keep = labels < 3
    images = tf.image.resize(images[keep][:192].astype(np.float32) / 127.5 - 1, (16, 16)).numpy()
    dataset = kgan.data.from_arrays(images, labels[keep][:192], batch_size=32, seed=0, scale=False)
    gan = tiny(class_names=("zero", "one", "two"))
    gan.compile()
    history = gan.fit(dataset, epochs=2, verbose=0).history
    return gan, history


def test_biggan_trains_with_its_papers_settings(trained):
    gan, history = trained
    assert gan.d_steps == 2 and gan.adversarial_loss.name == "hinge"
    assert [type(r).__name__ for r in gan.regularizers] == ["OrthogonalRegularization"]
    assert {"d_loss", "g_loss", "ortho"} <= set(history)
    assert all(np.isfinite(values[-1]) for values in history.values())
    assert gan.discriminator.get_layer("attention").count_params() > 0
    # Spectral normalization in both networks, the shared embedding and the hierarchical latent in G.
    for network in (gan.generator, gan.discriminator):
        assert any(isinstance(layer, keras.layers.SpectralNormalization) for layer in network.layers)
    assert gan.generator.get_layer("latent_chunks").sizes(6) == [2, 2, 2]
    assert gan.generator.get_layer("block1_condition").output.shape[-1] == 4 + 2


def test_every_chunk_of_z_and_the_class_change_the_image(trained):
    """z reaches the first layer and every block; the shared embedding steers the class."""
    gan, _ = trained
    latent = kgan.seeding.latent_vectors(4, 6, 0).numpy()
    base = gan.generate(latent=latent, labels=0)
    for start in (0, 2, 4):
        moved = latent.copy()
        moved[:, start : start + 2] += 1.0
        assert np.abs(gan.generate(latent=moved, labels=0) - base).mean() > 1e-3, start
    assert np.abs(gan.generate(latent=latent, labels="two") - base).mean() > 1e-3


def test_truncate_latent_draws_the_truncated_normal_and_keeps_none_exact():
    z = np.random.default_rng(0).standard_normal(200_000).astype(np.float32)
    for t in (0.5, 1.0, 2.0):
        squeezed = biggan.truncate_latent(z, t).numpy()
        assert np.abs(squeezed).max() <= t * (1 + 1e-6)
        # The truncated normal's variance: 1 - 2 t phi(t) / (2 Phi(t) - 1).
        phi = math.exp(-(t**2) / 2) / math.sqrt(2 * math.pi)
        variance = 1 - 2 * t * phi / math.erf(t / math.sqrt(2))
        assert abs(squeezed.var() - variance) < 0.01 * variance, t
        order = np.argsort(z[:1000])
        assert np.all(np.diff(squeezed[:1000][order]) >= -1e-6)  # monotone: walks stay smooth
    np.testing.assert_array_equal(biggan.truncate_latent(z, None).numpy(), z)
    np.testing.assert_array_equal(biggan.truncate_latent(z, np.inf).numpy(), z)
    # Values well inside the threshold barely move.
    assert abs(float(biggan.truncate_latent(np.float32([0.1]), 3.0)[0]) - 0.1) < 1e-3


def test_generate_truncates_by_threshold_and_refuses_what_is_not_one(trained):
    gan, _ = trained
    free = gan.generate(16, seed=3, labels=1)
    np.testing.assert_array_equal(free, gan.generate(16, seed=3, labels=1, truncation=None))
    near = gan.generate(16, seed=3, labels=1, truncation=4.0)
    tight = gan.generate(16, seed=3, labels=1, truncation=0.2)
    assert np.abs(near - free).mean() < np.abs(tight - free).mean()
    assert tight.std(axis=0).mean() < free.std(axis=0).mean()  # less variety when truncated
    for bad in (0, -1.0, float("nan"), True, "0.5"):
        with pytest.raises(ValueError, match="threshold z is truncated at, a number > 0"):
            gan.generate(4, truncation=bad)


def test_class_walk_mixes_the_shared_embedding(trained):
    gan, _ = trained
    frames = kgan.latent.class_walk(gan, ["zero", "two"], frames=5, rows=2, seed=1)
    assert frames.shape == (2, 5, 16, 16, 1)
    latent = kgan.seeding.latent_vectors(2, 6, 1).numpy()
    np.testing.assert_allclose(frames[:, 0], gan.generate(latent=latent, labels=0), atol=1e-5)
    np.testing.assert_allclose(frames[:, -1], gan.generate(latent=latent, labels=2), atol=1e-5)


def test_the_export_takes_labels_and_truncation_without_kgan(trained, tmp_path):
    gan, _ = trained
    path = kgan.export_generator(gan, str(tmp_path / "biggan"))
    latent = kgan.seeding.latent_vectors(4, 6, 2).numpy()
    labels = np.array([0, 1, 2, 1], np.int32)
    inputs = {"latent": latent, "labels": labels, "truncation": np.float32(0.7)}
    outputs, report = run_savedmodel_without_kgan(path, "serving_default", inputs, tmp_path)
    assert report is not None and report["kgan_imported"] is False, outputs
    np.testing.assert_allclose(outputs["images"], gan.generate(latent=latent, labels=labels, truncation=0.7), atol=1e-5)
    assert set(report["signatures"]) >= {"serving_default", "sample", "num_classes", "untruncated"}
    opened = kgan.load_generator(path)
    assert opened.truncates and opened.class_names == ("zero", "one", "two")
    np.testing.assert_allclose(opened.generate(4, seed=5, labels="one"), gan.generate(4, seed=5, labels=1), atol=1e-5)
    truncated = gan.generate(4, seed=5, labels=1, truncation=0.5)
    np.testing.assert_allclose(opened.generate(4, seed=5, labels=1, truncation=0.5), truncated, atol=1e-5)
    with pytest.raises(ValueError, match="a number > 0"):
        opened.generate(4, truncation=0.0)


def test_orthogonal_regularization_golden_values():
    network = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, use_bias=False)])
    network.layers[0].kernel.assign(np.array([[1.0, 2.0], [0.0, 1.0], [1.0, 0.0]], np.float32))

    class Holder:
        generator = network

    # W^T W = [[2, 2], [2, 5]]: the off-diagonal 2s, squared and summed.
    assert float(kgan.regularizers.OrthogonalRegularization()(Holder())) == pytest.approx(8.0)
    network.layers[0].kernel.assign(np.array([[3.0, 0.0], [0.0, 0.5], [0.0, 0.0]], np.float32))
    assert float(kgan.regularizers.OrthogonalRegularization()(Holder())) == 0.0  # norms are free


def test_self_attention_starts_as_the_identity_and_learns_a_gate():
    x = np.random.default_rng(0).standard_normal((2, 8, 8, 16)).astype(np.float32)
    layer = kgan.layers.SelfAttention2D(seed=0)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    layer.gamma.assign(1.0)
    y = layer(x).numpy()
    assert y.shape == x.shape and np.abs(y - x).mean() > 1e-3
    # Attention is global: changing one corner moves the output at the opposite one.
    changed = x.copy()
    changed[:, 0, 0] += 5.0
    assert np.abs(layer(changed).numpy()[:, 7, 7] - y[:, 7, 7]).max() > 1e-4
    for shape, message in (((1, 7, 8, 16), "even height and width"), ((1, 8, 8, 4), "at least 8 channels")):
        with pytest.raises(ValueError, match=message):
            kgan.layers.SelfAttention2D()(np.zeros(shape, np.float32))


def test_biggan_checks_its_settings():
    with pytest.raises(ValueError, match=r"one of \[8\] for 16x16 images"):
        tiny(attention_resolution=16)
    with pytest.raises(ValueError, match="latent_dim must be at least 3"):
        tiny(latent_dim=2)
    assert tiny(attention_resolution=None).generator.count_params() < tiny().generator.count_params()
