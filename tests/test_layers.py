"""kgan.layers: the layers Keras lacks, checked against NumPy and through a save/load."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import kgan
from kgan.layers import MinibatchStdDev


def expected_statistic(x, group):
    """Per sample: the mean over features of the std over its group (StyleGAN's grouping)."""
    n = len(x)
    members = [[j for j in range(n) if j % (n // group) == i % (n // group)] for i in range(n)]
    return np.array([np.sqrt(x[m].var(axis=0) + 1e-8).mean() for m in members])


@pytest.mark.parametrize(
    "group_size, batch, group", [(4, 8, 4), (4, 6, 3), (4, 5, 1), (4, 3, 3), (None, 8, 8), (2, 8, 2)]
)
def test_minibatch_std_appends_the_group_spread_as_a_channel(group_size, batch, group):
    x = np.random.default_rng(0).normal(size=(batch, 3, 3, 2)).astype(np.float32)
    y = MinibatchStdDev(group_size)(x).numpy()
    assert y.shape == (batch, 3, 3, 3)
    np.testing.assert_array_equal(y[..., :2], x)
    for i, value in enumerate(expected_statistic(x, group)):
        np.testing.assert_allclose(y[i, ..., 2], value, rtol=1e-5)


def test_minibatch_std_takes_any_batch_in_a_graph_and_keeps_gradients_finite():
    layer = MinibatchStdDev(4)
    step = tf.function(lambda t: layer(t), input_signature=[tf.TensorSpec([None, 3, 3, 2])])
    x = np.random.default_rng(1).normal(size=(6, 3, 3, 2)).astype(np.float32)
    np.testing.assert_allclose(step(x).numpy(), layer(x).numpy())
    same = tf.Variable(np.ones((4, 3, 3, 2), np.float32))
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(layer(same))
    assert np.all(np.isfinite(tape.gradient(total, same).numpy()))


def test_minibatch_std_checks_its_group_size_and_round_trips():
    with pytest.raises(ValueError, match="group_size must be a positive int or None"):
        MinibatchStdDev(0)
    inputs = keras.Input((3, 3, 2))
    model = keras.Model(inputs, MinibatchStdDev(2, name="spread")(inputs))
    loaded = keras.Model.from_config(model.get_config())
    assert loaded.get_layer("spread").group_size == 2
    x = np.random.default_rng(2).normal(size=(4, 3, 3, 2)).astype(np.float32)
    np.testing.assert_allclose(loaded(x).numpy(), model(x).numpy())


def test_a_minibatch_std_discriminator_judges_each_image_by_its_batch_too():
    plain = kgan.DCGAN(image_shape=(8, 8, 1), latent_dim=8, width=8, seed=0)
    spread = kgan.DCGAN(image_shape=(8, 8, 1), latent_dim=8, width=8, seed=0, minibatch_std=True)
    batch = np.random.default_rng(3).uniform(-1, 1, size=(4, 8, 8, 1)).astype(np.float32)
    changed = batch.copy()
    changed[1] = -changed[1]
    assert plain.discriminator(batch)[0].numpy() == plain.discriminator(changed)[0].numpy()
    assert spread.discriminator(batch)[0].numpy() != spread.discriminator(changed)[0].numpy()
