"""kgan.callbacks.Projector: real and generated samples as points for TensorBoard's Projector."""

import os

import numpy as np
import pytest
import tensorflow as tf
from google.protobuf import text_format
from tensorboard.plugins.projector import projector_config_pb2

import kgan
from tests.conftest import tiny_dcgan


def _config(log_dir):
    config = projector_config_pb2.ProjectorConfig()
    text_format.Parse((log_dir / "projector_config.pbtxt").read_text(), config)
    return config


def test_projector_writes_one_tensor_per_snapshot_with_discriminator_features(digits_dataset, tmp_path):
    gan = tiny_dcgan()
    gan.compile()
    projector = kgan.callbacks.Projector(digits_dataset, str(tmp_path), num_samples=32, every=2)
    gan.fit(digits_dataset, epochs=3, verbose=0, callbacks=[projector])
    config = _config(tmp_path)
    # Epochs 2 and 3 (every 2, and the last), named with their global steps, the newest first.
    assert [e.tensor_name for e in config.embeddings] == ["Newest: epoch 3 (step 24)", "epoch 2 (step 16)"]
    embedding = config.embeddings[0]
    features = np.loadtxt(tmp_path / embedding.tensor_path, delimiter="\t")
    feature_model = tf.keras.Model(gan.discriminator.input, gan.discriminator.get_layer("logits").input)
    assert features.shape == (64, feature_model.output.shape[-1])
    # The samples the callback read: the first batch of the data's first pass (a fresh copy).
    real = next(iter(kgan.data.load("digits", batch_size=32, seed=0, limit=256)))
    np.testing.assert_allclose(features[:32], np.asarray(feature_model(real)), rtol=1e-4, atol=1e-4)
    rows = (tmp_path / embedding.metadata_path).read_text().splitlines()
    assert rows[0] == "source\tclass" and rows[1:] == ["real\t?"] * 32 + ["generated\t?"] * 32
    sprite = tf.io.decode_png(tf.io.read_file(str(tmp_path / embedding.sprite.image_path))).numpy()
    assert list(embedding.sprite.single_image_dim) == [8, 8] and sprite.shape == (8 * 8, 8 * 8, 3)  # 64 in 8x8


def test_projector_with_a_domain_extractor_labels_points_by_class(tmp_path):
    gan = kgan.CGAN(image_shape=(28, 28, 1), num_classes=10, latent_dim=8, width=8, seed=0)
    gan.compile()
    images = np.zeros((20, 28, 28, 1), np.float32) - 1.0
    images[:, 10:18, 10:18] = 1.0
    labels = np.arange(20) % 10
    data = kgan.data.from_arrays(images, labels, batch_size=10, scale=False)
    extractor = kgan.metrics.domain_extractor("mnist")
    projector = kgan.callbacks.Projector((images, labels), str(tmp_path), num_samples=20, extractor=extractor)
    gan.fit(data, epochs=1, verbose=0, callbacks=[projector])
    embedding = _config(tmp_path).embeddings[0]
    rows = [row.split("\t") for row in (tmp_path / embedding.metadata_path).read_text().splitlines()]
    assert rows[0] == ["source", "class", "predicted"]
    # Real points carry their labels; a conditional GAN's fakes the class asked for.
    assert [int(r[1]) for r in rows[1:21]] == list(labels) and [int(r[1]) for r in rows[21:]] == list(range(10)) * 2
    predicted = np.argmax(np.asarray(extractor(images)[1]), axis=-1)
    assert [int(r[2]) for r in rows[1:21]] == list(predicted)
    features = np.loadtxt(tmp_path / embedding.tensor_path, delimiter="\t")
    assert features.shape == (40, 128)


def test_projector_refuses_what_it_cannot_draw(digits_dataset, tmp_path):
    gan = tiny_dcgan()
    gan.compile()
    extractor = kgan.metrics.domain_extractor("mnist")
    projector = kgan.callbacks.Projector(digits_dataset, str(tmp_path), extractor=extractor)
    with pytest.raises(ValueError, match=r"takes images of shape \(28, 28, 1\); the GAN's are \(8, 8, 1\)"):
        gan.fit(digits_dataset, epochs=1, verbose=0, callbacks=[projector])
    with pytest.raises(ValueError, match="Projector was given an empty dataset"):
        kgan.callbacks.Projector(digits_dataset.take(0), str(tmp_path))
    assert not os.path.exists(tmp_path / "projector_config.pbtxt")
