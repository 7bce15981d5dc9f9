"""kgan.layers: the layers Keras lacks, checked against NumPy and through a save/load."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import kgan
from kgan.layers import MinibatchStdDev


def expected_statistic(x, group):
    """Per sample: the mean over features of the std over its group (runs of `group` samples)."""
    members = [list(range(i // group * group, (i // group + 1) * group)) for i in range(len(x))]
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


def numpy_conv_same(x, kernel):
    """A direct 'same' convolution: x (batch, h, w, in), kernel (batch, k, k, in, out) per sample."""
    k = kernel.shape[1]
    pad = k // 2
    padded = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    out = np.zeros((*x.shape[:3], kernel.shape[-1]))
    for i in range(x.shape[1]):
        for j in range(x.shape[2]):
            window = padded[:, i : i + k, j : j + k, :]
            out[:, i, j] = np.einsum("bxyi,bxyio->bo", window, kernel)
    return out


@pytest.mark.parametrize("demodulate", [True, False])
def test_modulated_conv_equals_a_per_sample_kernel_computed_in_numpy(demodulate):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 5, 5, 3)).astype(np.float32)
    w = rng.normal(size=(2, 4)).astype(np.float32)
    layer = kgan.layers.ModulatedConv2D(6, 3, demodulate=demodulate, activation="linear", noise=False, seed=0)
    y = layer([x, w]).numpy()
    # The paper's fused form: a kernel per sample, W * s, scaled to unit norm per output channel.
    affine_kernel = layer.affine.kernel.numpy() * layer.affine.weight_gain
    styles = w @ affine_kernel + layer.affine.bias.numpy()
    if not demodulate:
        styles = styles / np.sqrt(3 * 9)
    kernel = layer.kernel.numpy()[None] * styles[:, None, None, :, None]
    if demodulate:
        kernel = kernel / np.sqrt((kernel**2).sum(axis=(1, 2, 3), keepdims=True) + 1e-8)
    expected = numpy_conv_same(x.astype(np.float64), kernel) + layer.bias.numpy()
    np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-5)


def test_modulated_conv_reads_its_own_w_from_all_the_ws_and_starts_with_unit_styles():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 4, 4, 3)).astype(np.float32)
    ws = rng.normal(size=(2, 3, 5)).astype(np.float32)
    layer = kgan.layers.ModulatedConv2D(4, 3, resolution=4, w_index=2, seed=0)
    alone = kgan.layers.ModulatedConv2D(4, 3, resolution=4, seed=0)
    np.testing.assert_allclose(layer([x, ws]).numpy(), alone([x, ws[:, 2]]).numpy(), rtol=1e-6)
    zero_w = np.zeros((2, 5), np.float32)
    np.testing.assert_allclose(alone.styles(zero_w).numpy(), 1.0)  # the affine's bias starts at 1


def test_equalized_layers_scale_their_weights_at_run_time():
    x = np.random.default_rng(2).normal(size=(3, 16)).astype(np.float32)
    dense = kgan.layers.EqualizedDense(4, lr_multiplier=0.01, bias_initial=0.5, seed=0)
    y = dense(x).numpy()
    stored = dense.kernel.numpy()
    assert 50 < stored.std() < 200  # stored as N(0, 1 / lr_multiplier)
    np.testing.assert_allclose(y, x @ (stored * 0.01 / 4.0) + 0.5, rtol=1e-5, atol=1e-6)
    images = np.random.default_rng(3).normal(size=(1, 4, 4, 2)).astype(np.float32)
    conv = kgan.layers.EqualizedConv2D(3, 3, activation="lrelu", seed=0)
    out = conv(images).numpy()
    kernel = conv.kernel.numpy()[None] / np.sqrt(2 * 9)
    linear = numpy_conv_same(images.astype(np.float64), kernel)
    np.testing.assert_allclose(out, np.where(linear > 0, linear, 0.2 * linear) * np.sqrt(2), rtol=1e-4, atol=1e-5)


def test_average_tracker_keeps_one_moving_average_per_class_present():
    tracker = kgan.layers.AverageTracker(decay=0.5, num_classes=3)
    x = np.array([[1.0, 2.0], [3.0, 4.0], [10.0, 10.0]], np.float32)
    codes = np.eye(3, dtype=np.float32)[[0, 0, 2]]
    assert np.array_equal(tracker([x, codes], training=True), x)
    # Class 0 moves halfway to its samples' mean (2, 3), class 2 to (10, 10), class 1 (absent) stays.
    np.testing.assert_allclose(tracker.average.numpy(), [[1.0, 1.5], [0.0, 0.0], [5.0, 5.0]])
    tracker([x, codes], training=False)
    np.testing.assert_allclose(tracker.average.numpy(), [[1.0, 1.5], [0.0, 0.0], [5.0, 5.0]])  # inference: unchanged
    single = kgan.layers.AverageTracker(decay=0.5)
    single(x, training=True)
    np.testing.assert_allclose(single.average.numpy(), np.mean(x, axis=0) / 2)
    rebuilt = kgan.layers.AverageTracker.from_config(tracker.get_config())
    assert rebuilt.num_classes == 3 and rebuilt.decay == 0.5
