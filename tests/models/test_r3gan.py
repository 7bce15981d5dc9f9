"""R3GAN: its networks' layers against reference computations, fix-up initialization, the RpGAN
game with R1/R2 and the cosine schedules on the one step, save/load and export, the
class-conditional version, at 8x8 on digits."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import kgan
from kgan.architectures import r3gan as networks
from kgan.layers import GroupedConv2D, InterpolativeResample
from tests.conftest import run_savedmodel_without_kgan


def tiny(**kwargs):
    settings = {"latent_dim": 8, "widths": (16, 8), "cardinality": (4, 16), "seed": 0, **kwargs}
    return kgan.R3GAN((8, 8, 1), **settings)


def digits(limit=128):
    return kgan.data.load("digits", batch_size=16, shuffle=False, limit=limit)


@pytest.mark.parametrize("channels, filters, groups", [(8, 8, 8), (4, 12, 4), (6, 4, 2), (4, 8, 1)])
def test_grouped_convolution_computes_each_group_on_its_own_channels(channels, filters, groups):
    layer = GroupedConv2D(filters, 3, groups, kernel_initializer="glorot_normal")
    x = np.random.default_rng(0).standard_normal((2, 5, 5, channels)).astype(np.float32)
    ours = layer(x).numpy()
    kernel = layer.kernel.numpy()
    assert kernel.shape == (3, 3, channels // groups, filters)  # Keras' Conv2D(groups=...) layout
    per_in, per_out = channels // groups, filters // groups
    for group in range(groups):  # a dense convolution of the group's channels with its filters
        inputs = x[..., group * per_in : (group + 1) * per_in]
        weights = kernel[..., group * per_out : (group + 1) * per_out]
        reference = tf.nn.conv2d(inputs, weights, strides=1, padding="SAME").numpy()
        np.testing.assert_allclose(ours[..., group * per_out : (group + 1) * per_out], reference, atol=1e-5)


def test_interpolative_resampling_applies_the_1_2_1_filter():
    x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    up = InterpolativeResample("up")(x).numpy()[0, :, :, 0]
    assert up.shape == (8, 8)
    np.testing.assert_allclose(up[::2, ::2], x[0, :, :, 0])  # the original pixels are kept
    np.testing.assert_allclose(up[0, 1], (x[0, 0, 0, 0] + x[0, 0, 1, 0]) / 2)  # between: the mean
    np.testing.assert_allclose(up[1, 1], x[0, :2, :2, 0].mean())
    down = InterpolativeResample("down")(x).numpy()[0, :, :, 0]
    assert down.shape == (2, 2)
    taps = np.array([0.25, 0.5, 0.25])
    np.testing.assert_allclose(down[1, 1], taps @ x[0, 1:4, 1:4, 0] @ taps)  # centred on pixel (2, 2)


def test_residual_blocks_start_as_the_identity_and_init_shrinks_with_depth():
    generator = networks.build_generator((16, 16, 1), 8, widths=(8, 8, 8), blocks=(2, 2, 2), cardinality=(16,) * 3)
    block_input = generator.get_layer("stage1_block0_expand").input
    block_output = generator.get_layer("stage1_block0_add").output
    probe = keras.Model(generator.input, [block_input, block_output])
    before, after = probe(np.random.default_rng(0).standard_normal((4, 8)).astype(np.float32))
    np.testing.assert_array_equal(before, after)
    deep = networks.build_generator((16, 16, 1), 8, widths=(8,) * 3, blocks=(8,) * 3, cardinality=(16,) * 3, seed=0)
    shallow = networks.build_generator((16, 16, 1), 8, widths=(8,) * 3, blocks=(1,) * 3, cardinality=(16,) * 3, seed=0)
    spread = [np.std(g.get_layer("stage1_block0_expand").kernel.numpy()) for g in (deep, shallow)]
    np.testing.assert_allclose(spread[0] / spread[1], (24 / 3) ** (-1 / 4), rtol=0.15)  # L ** (-1/4)


def test_stage_lists_that_do_not_fit_are_refused():
    with pytest.raises(ValueError, match="power of two from 8 .* not 28x28: resize"):
        kgan.R3GAN((28, 28, 1))
    with pytest.raises(ValueError, match="2 stages make 8x8 images, not 16x16"):
        kgan.R3GAN((16, 16, 1), widths=(8, 8))
    with pytest.raises(ValueError, match="cardinality 3 must divide"):
        kgan.R3GAN((8, 8, 1), widths=(8, 8), cardinality=(3, 16))
    with pytest.raises(ValueError, match="one entry per stage"):
        kgan.R3GAN((8, 8, 1), widths=(8, 8), blocks=(1,))


def test_fit_plays_rpgan_with_r1_and_r2_and_learns_digits():
    gan = tiny()
    gan.compile()
    logs = gan.fit(digits(), epochs=2, verbose=0).history
    assert {"d_loss", "g_loss", "r1", "r2"} <= set(logs)
    assert all(np.isfinite(values[-1]) for values in logs.values())
    assert logs["r1"][-1] > 0 and logs["r2"][-1] > 0
    assert gan.get_compile_config()["loss"] == "relativistic_pairing"


def test_schedules_follow_the_steps_the_run_takes():
    gan = tiny()
    gan.compile(gamma=0.5, schedule_steps=16)
    gan.fit(digits(), epochs=2, verbose=0)  # 8 steps per epoch: the schedules end with the run
    steps = int(gan.g_optimizer.iterations)
    assert steps == 16
    np.testing.assert_allclose(float(gan.g_optimizer.learning_rate), 5e-5, rtol=1e-5)
    np.testing.assert_allclose(float(gan.d_optimizer.beta_2_schedule(steps)), 0.99, rtol=1e-6)
    np.testing.assert_allclose(float(gan.regularizers[0].weight_at(steps)), 0.05, rtol=1e-5)
    np.testing.assert_allclose(float(gan.ema_schedule(steps)), 0.5 ** (1 / 4), rtol=1e-5)  # half-life 16 / 4


def test_penalty_every_applies_r1_and_r2_lazily_at_the_same_average_strength():
    gan = tiny()
    gan.compile(penalty_every=4, schedule_steps=8)
    assert [(type(r).__name__, r.every) for r in gan.regularizers] == [("R1", 4), ("R2", 4)]
    logs = gan.fit(digits(64), epochs=1, verbose=0).history  # steps 0-3: both computed at step 0 only
    assert logs["r1"][-1] > 0 and logs["r2"][-1] > 0
    with pytest.raises(ValueError, match="penalty_every must be a number of D steps >= 1, got 0"):
        tiny().compile(penalty_every=0)
    with pytest.raises(ValueError, match="Pass gamma and penalty_every or regularizers, not both"):
        tiny().compile(penalty_every=2, regularizers=[kgan.regularizers.R1(1.0)])


def test_a_scheduled_r3gan_saves_resumes_and_exports(tmp_path):
    gan = tiny()
    gan.compile(schedule_steps=100)
    gan.fit(digits(64), epochs=1, verbose=0)
    path = tmp_path / "r3gan.keras"
    gan.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    assert loaded.get_compile_config() == gan.get_compile_config()
    assert int(loaded.g_optimizer.iterations) == 4
    np.testing.assert_allclose(loaded.generate(4, seed=1), gan.generate(4, seed=1), atol=1e-6)
    # Both continue the same: the schedules read the restored iteration counts.
    gan.fit(digits(64), epochs=1, verbose=0)
    loaded.fit(digits(64), epochs=1, verbose=0)
    np.testing.assert_allclose(loaded.generate(4, seed=1), gan.generate(4, seed=1), atol=1e-4)
    kgan.export_generator(loaded, str(tmp_path / "generator"))
    sample = tf.saved_model.load(str(tmp_path / "generator")).signatures["sample"]
    assert sample(count=tf.constant(3), seed=tf.constant(0, tf.int64))["images"].shape == (3, 8, 8, 1)


def test_the_official_cifar10_preset_is_expressible():
    preset = kgan.models.r3gan.CIFAR10_PRESET
    generator = networks.build_generator(
        preset["image_shape"], preset["latent_dim"], preset["widths"], preset["blocks"], preset["cardinality"]
    )
    grouped = generator.get_layer("stage3_block1_grouped")
    assert grouped.kernel.shape == (3, 3, 16, 1536)  # 1536 channels in 96 groups of 16
    assert generator.output.shape == (None, 32, 32, 3)


# --- with classes (the official code's --cond) ------------------------------------------------


def zeros_and_ones():
    """The digits 0 and 1 of scikit-learn's digits with their labels, and each class's mean image."""
    images, labels = kgan.data.load_arrays("digits")
    keep = labels < 2
    images, labels = images[keep], labels[keep]  # (n, 8, 8, 1) uint8
    scaled = images.astype(np.float32) / 127.5 - 1.0
    means = np.stack([scaled[labels == label].mean(axis=0) for label in (0, 1)])
    return kgan.data.from_arrays(images, labels, batch_size=16, seed=0), means


def test_conditional_r3gan_draws_the_requested_class():
    dataset, means = zeros_and_ones()
    gan = tiny(num_classes=2, ema_decay=None)
    assert [tuple(i.shape) for i in gan.discriminator.inputs] == [(None, 8, 8, 1), (None,)]
    assert gan.discriminator.get_layer("logits").units == 16  # D's embedding: the 4x4 stage's width
    assert gan.generator.get_layer("class_embedding").units == 8  # G's: z's size
    gan.compile(learning_rate=2e-3)
    logs = gan.fit(dataset, epochs=3, verbose=0).history
    assert {"r1", "r2"} <= set(logs) and all(np.isfinite(values[-1]) for values in logs.values())
    # Each class's samples lie nearer its own mean image than the other's; a generator that
    # ignored the labels would draw the same images for both and score 1 in sum at most.
    recognised = []
    for label in (0, 1):
        samples = gan.generate(200, seed=1, labels=label)
        distances = ((samples[:, None] - means[None]) ** 2).reshape(200, 2, -1).sum(axis=-1)
        recognised.append(np.mean(distances.argmin(axis=1) == label))
    assert min(recognised) > 0.9, recognised


def test_conditional_r3gan_saves_and_exports_with_its_classes(tmp_path):
    gan = tiny(num_classes=10, class_names=[str(digit) for digit in range(10)], ema_decay=0.5)
    gan.compile(schedule_steps=8)
    gan.fit(kgan.data.load("digits", batch_size=16, limit=64, labels=True), epochs=1, verbose=0)
    gan.save(tmp_path / "r3gan.keras")
    loaded = kgan.load_gan(str(tmp_path / "r3gan.keras"))
    assert loaded.num_classes == 10 and loaded.class_names == gan.class_names
    np.testing.assert_allclose(loaded.generate(4, seed=1, labels="7"), gan.generate(4, seed=1, labels=7), atol=1e-6)
    path = kgan.export_generator(gan, str(tmp_path / "generator"))
    latent, labels = gan.sample_latent(4, seed=2).numpy(), np.array([0, 3, 3, 9], np.int32)
    outputs, report = run_savedmodel_without_kgan(
        path, "serving_default", {"latent": latent, "labels": labels}, tmp_path
    )
    assert report["kgan_imported"] is False and report["signatures"]["sample"] == ["labels", "seed"]
    np.testing.assert_allclose(outputs["images"], gan.generate(latent=latent, labels=labels), atol=1e-5)


def test_unconditional_r3gan_refuses_labelled_data_and_labels():
    gan = tiny()
    gan.compile()
    with pytest.raises(ValueError, match=r"this R3GAN is unconditional .*\(kgan\.R3GAN\(\.\.\., num_classes=N\)\)"):
        gan.fit(kgan.data.load("digits", batch_size=16, labels=True, limit=32), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="labels are for conditional GANs; this R3GAN takes no labels"):
        gan.generate(2, labels=1)
