"""The GAN step, trained for real with `fit` on tiny networks and real (digits) data."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import kgan
from tests.conftest import tiny_dcgan, weights_of


def _changed(before, after):
    return [not np.array_equal(a, b) for a, b in zip(before, after)]


def test_fit_trains_both_networks_and_logs_stable_names(digits_dataset):
    gan = tiny_dcgan()
    gan.compile()
    g_before, d_before = weights_of(gan.generator), weights_of(gan.discriminator)
    history = gan.fit(digits_dataset, epochs=2, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss", "d_real", "d_fake", "d_grad_norm", "g_grad_norm"}
    for values in history.history.values():
        assert len(values) == 2 and all(np.isfinite(values))
    assert min(history.history["d_grad_norm"] + history.history["g_grad_norm"]) > 0.0
    assert 0.0 < history.history["d_real"][-1] < 1.0  # probabilities for the cross-entropy loss
    assert all(_changed(g_before, weights_of(gan.generator)))
    assert any(_changed(d_before, weights_of(gan.discriminator)))
    steps = 2 * int(digits_dataset.cardinality())
    assert int(gan.g_optimizer.iterations) == steps and int(gan.d_optimizer.iterations) == steps


def test_logged_gradient_norms_are_the_norms_of_the_updates(digits_dataset):
    # Plain SGD moves the weights by exactly lr * gradient, so the update's size gives the norm.
    learning_rate = 1e-3
    gan = tiny_dcgan()
    gan.compile(d_optimizer=keras.optimizers.SGD(learning_rate), g_optimizer=keras.optimizers.SGD(learning_rate))
    g_before, d_before = weights_of(gan.generator), weights_of(gan.discriminator)
    logs = gan.fit(digits_dataset, epochs=1, steps_per_epoch=1, verbose=0).history
    for network, before, key in (
        (gan.generator, g_before, "g_grad_norm"),
        (gan.discriminator, d_before, "d_grad_norm"),
    ):
        trainable = {id(v) for v in network.trainable_variables}
        moved = [a - b for v, a, b in zip(network.weights, weights_of(network), before) if id(v) in trainable]
        update_norm = np.sqrt(sum(float(np.sum(np.square(m, dtype=np.float64))) for m in moved))
        assert logs[key][0] == pytest.approx(update_norm / learning_rate, rel=1e-3)


def test_generator_step_leaves_discriminator_alone(digits_dataset):
    # A zero learning rate for D isolates the generator's update: D's weights must not move.
    gan = tiny_dcgan()
    gan.compile(learning_rate=(0.0, None))
    d_before = weights_of(gan.discriminator)
    gan.fit(digits_dataset, epochs=1, verbose=0)
    assert not any(_changed(d_before, weights_of(gan.discriminator)))
    # And the converse: with a zero learning rate for G, its trainable weights stay put.
    gan = tiny_dcgan()
    gan.compile(learning_rate=(None, 0.0))
    g_before = [v.numpy() for v in gan.generator.trainable_variables]
    gan.fit(digits_dataset, epochs=1, verbose=0)
    assert not any(_changed(g_before, [v.numpy() for v in gan.generator.trainable_variables]))


def test_d_steps_runs_several_discriminator_updates_per_generator_update(digits_dataset):
    gan = tiny_dcgan()
    gan.compile(d_steps=3)
    gan.fit(digits_dataset, epochs=1, verbose=0)
    steps = int(digits_dataset.cardinality())
    assert int(gan.g_optimizer.iterations) == steps
    assert int(gan.d_optimizer.iterations) == 3 * steps


@pytest.mark.parametrize("loss", ["non_saturating", "minimax", "least_squares", "hinge", "wasserstein"])
def test_every_named_loss_trains(loss, digits_dataset):
    gan = tiny_dcgan()
    gan.compile(loss=loss)
    history = gan.fit(digits_dataset, epochs=1, verbose=0).history
    assert all(np.isfinite(v[-1]) for v in history.values())
    assert gan.get_compile_config()["loss"] == loss


def test_custom_loss_pair_is_used(digits_dataset):
    calls = []

    def d_loss(real_logits, fake_logits, real_label=1.0):
        calls.append("d")
        return kgan.losses.hinge_discriminator_loss(real_logits, fake_logits)

    def g_loss(fake_logits):
        calls.append("g")
        return kgan.losses.score_generator_loss(fake_logits)

    gan = tiny_dcgan()
    gan.compile(loss=(d_loss, g_loss), run_eagerly=True)
    gan.fit(digits_dataset.take(2), epochs=1, verbose=0)
    assert calls.count("d") == 2 and calls.count("g") == 2


def test_label_smoothing_changes_the_discriminator_target():
    gan = tiny_dcgan()
    real, fake = np.full((4, 1), 3.0, np.float32), np.full((4, 1), -3.0, np.float32)
    gan.compile()
    sharp = float(gan.discriminator_loss(real, fake))
    gan.compile(label_smoothing=0.1)
    smooth = float(gan.discriminator_loss(real, fake))
    expected = float(kgan.losses.cross_entropy_discriminator_loss(real, fake, real_label=0.9))
    assert smooth == pytest.approx(expected) and smooth > sharp
    with pytest.raises(ValueError, match="no targets to smooth"):
        gan.compile(loss="hinge", label_smoothing=0.1)


@pytest.mark.parametrize("loss", ["non_saturating", "least_squares", "relativistic_average"])
def test_two_sided_label_smoothing_softens_the_fake_target_too(loss, digits_dataset):
    gan = tiny_dcgan()
    real, fake = np.full((4, 1), 3.0, np.float32), np.full((4, 1), -3.0, np.float32)
    gan.compile(loss=loss, label_smoothing=(0.1, 0.1))
    expected = kgan.losses.get(loss).discriminator(real, fake, real_label=0.9, fake_label=0.1)
    one_sided = kgan.losses.get(loss).discriminator(real, fake, real_label=0.9)
    got = float(gan.discriminator_loss(real, fake))
    assert got == pytest.approx(float(expected)) and got > float(one_sided)
    assert gan.get_compile_config()["label_smoothing"] == [0.1, 0.1]
    assert np.isfinite(gan.fit(digits_dataset, epochs=1, verbose=0).history["d_loss"][0])
    with pytest.raises(ValueError, match="no targets to smooth"):
        gan.compile(loss="wasserstein", label_smoothing=(0.0, 0.1))
    with pytest.raises(ValueError, match="must stay below the real one"):
        gan.compile(label_smoothing=(0.5, 0.5))
    with pytest.raises(TypeError, match=r"no longer takes fake_label_smoothing=; pass label_smoothing=\(label_"):
        gan.compile(fake_label_smoothing=0.1)


def test_instance_noise_decays_linearly_and_is_logged(digits_dataset):
    gan = tiny_dcgan()
    steps = int(digits_dataset.cardinality())
    gan.compile(instance_noise=0.5, instance_noise_decay_steps=2 * steps)
    history = gan.fit(digits_dataset, epochs=1, verbose=0).history
    assert float(gan.instance_noise_stddev()) == pytest.approx(0.25)
    assert history["instance_noise"][-1] == pytest.approx(0.5 * (1 - (steps - 1) / (2 * steps)))
    gan.fit(digits_dataset, epochs=2, verbose=0)
    assert float(gan.instance_noise_stddev()) == 0.0


def test_evaluate_reports_the_same_names_without_training(digits_dataset):
    gan = tiny_dcgan()
    gan.compile()
    before = weights_of(gan)
    results = gan.evaluate(digits_dataset, return_dict=True, verbose=0)
    assert set(results) == {"d_loss", "g_loss", "d_real", "d_fake"}
    assert all(np.isfinite(v) for v in results.values())
    after = weights_of(gan)
    trainable = {id(v) for v in gan.trainable_variables}
    for variable, a, b in zip(gan.weights, before, after):
        if id(variable) in trainable:
            assert np.array_equal(a, b), variable.path


def test_same_seed_gives_identical_weights_different_seed_does_not():
    def run(seed):
        ds = kgan.data.load("digits", batch_size=32, seed=seed, limit=256)
        gan = tiny_dcgan(seed=seed)
        gan.compile()
        gan.fit(ds, epochs=2, verbose=0)
        return weights_of(gan)

    first, second, other = run(7), run(7), run(8)
    assert len(first) == len(second)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert any(_changed(first, other))


def test_keras_round_trip_continues_training_exactly(tmp_path):
    def data():
        return kgan.data.load("digits", batch_size=32, shuffle=False, limit=128)

    gan = tiny_dcgan(seed=3, minibatch_std=True)
    gan.compile(loss="least_squares", learning_rate=(3e-4, None), label_smoothing=0.1, d_steps=2)
    gan.fit(data(), epochs=1, verbose=0)
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    loaded = keras.saving.load_model(path)  # safe_mode: nothing kgan writes is a pickle
    assert isinstance(loaded, kgan.DCGAN)
    assert loaded.get_config() == gan.get_config()
    assert loaded.get_compile_config() == gan.get_compile_config()
    assert int(loaded.d_optimizer.iterations) == int(gan.d_optimizer.iterations)
    for a, b in zip(weights_of(gan), weights_of(loaded)):
        np.testing.assert_array_equal(a, b)
    gan.fit(data(), epochs=1, verbose=0)
    loaded.fit(data(), epochs=1, verbose=0)
    for a, b in zip(weights_of(gan), weights_of(loaded)):
        np.testing.assert_array_equal(a, b)


def test_evaluate_draws_its_own_noise_and_leaves_the_training_noise_alone(digits_dataset):
    gan = tiny_dcgan()
    gan.compile()
    before = gan.seed_generator.state.numpy().copy()
    first = gan.evaluate(digits_dataset, verbose=0, return_dict=True)
    np.testing.assert_array_equal(gan.seed_generator.state.numpy(), before)
    # The same noise again (the data's pass order differs, so only the sums' rounding may).
    assert gan.evaluate(digits_dataset, verbose=0, return_dict=True) == pytest.approx(first, rel=1e-5)


def test_generate_shapes_seeds_and_range():
    gan = tiny_dcgan()
    images = gan.generate(5, seed=1)
    assert images.shape == (5, 8, 8, 1) and images.dtype == np.float32
    assert images.min() >= -1.0 and images.max() <= 1.0
    np.testing.assert_array_equal(images, gan.generate(5, seed=1))
    assert not np.array_equal(images, gan.generate(5, seed=2))
    assert gan.generate(600, seed=0, batch_size=256).shape[0] == 600


def test_gan_learns_a_1d_gaussian():
    # Box-Muller samples of N(4, 0.5^2); the generator starts near 0 and must move there.
    data = kgan.data.gaussian_1d(8192, mean=4.0, std=0.5, batch_size=128, seed=0)
    generator = kgan.architectures.mlp.build_generator(latent_dim=4, output_dim=1, hidden_units=(32, 32), seed=0)
    discriminator = kgan.architectures.mlp.build_discriminator(input_dim=1, hidden_units=(32, 32), seed=0)
    gan = kgan.GAN(generator, discriminator, seed=0)
    gan.compile(learning_rate=2e-3)
    assert abs(float(gan.generate(4000, seed=1).mean()) - 4.0) > 2.0
    gan.fit(data, epochs=12, verbose=0)
    samples = gan.generate(4000, seed=1)
    assert abs(float(samples.mean()) - 4.0) < 0.25
    assert 0.3 < float(samples.std()) < 0.8


# --- bad input ------------------------------------------------------------------------------


def test_images_of_the_wrong_shape_are_rejected_with_the_fix(digits_dataset):
    gan = kgan.DCGAN(image_shape=(28, 28, 1), latent_dim=8, width=8)
    gan.compile()
    with pytest.raises(ValueError, match=r"shape \(8, 8, 1\) but the networks were built for \(28, 28, 1\)"):
        gan.fit(digits_dataset, epochs=1, verbose=0)


def test_uint8_images_are_rejected_with_the_fix():
    gan = tiny_dcgan()
    gan.compile()
    raw = tf.data.Dataset.from_tensor_slices(np.zeros((64, 8, 8, 1), np.uint8)).batch(32)
    with pytest.raises(ValueError, match="images / 127.5 - 1"):
        gan.fit(raw, epochs=1, verbose=0)


def test_empty_data_and_nan_in_data_are_rejected_clearly(digits_dataset):
    gan = tiny_dcgan()
    gan.compile()
    with pytest.raises(ValueError, match="training dataset is empty"):
        gan.fit(digits_dataset.take(0), epochs=1, verbose=0)
    images = np.zeros((64, 8, 8, 1), np.float32)
    images[40, 3, 3, 0] = np.nan
    poisoned = tf.data.Dataset.from_tensor_slices(images).batch(32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="training data hold NaN or Inf"):
        gan.fit(poisoned, epochs=1, verbose=0)
    assert int(gan.g_optimizer.iterations) == 1  # the clean first batch trained; the second stopped it


def test_wrong_latent_size_is_rejected():
    generator = kgan.architectures.mlp.build_generator(latent_dim=4, output_dim=2)
    discriminator = kgan.architectures.mlp.build_discriminator(input_dim=2)
    with pytest.raises(ValueError, match="latent_dim=16 does not match the generator.*size 4"):
        kgan.GAN(generator, discriminator, latent_dim=16)
    gan = kgan.GAN(generator, discriminator)
    with pytest.raises(ValueError, match=r"shape \(n, 4\)"):
        gan.generate(latent=np.zeros((2, 5), np.float32))


def test_networks_that_do_not_fit_together_are_rejected():
    generator = kgan.architectures.mlp.build_generator(latent_dim=4, output_dim=2)
    discriminator = kgan.architectures.mlp.build_discriminator(input_dim=3)
    with pytest.raises(ValueError, match=r"makes samples of shape \(2,\) but the discriminator takes \(3,\)"):
        kgan.GAN(generator, discriminator)


def test_compile_rejects_bad_settings():
    gan = tiny_dcgan()
    with pytest.raises(ValueError, match="d_steps"):
        gan.compile(d_steps=0)
    with pytest.raises(ValueError, match="instance_noise"):
        gan.compile(instance_noise=-1.0)
    with pytest.raises(ValueError, match="label_smoothing"):
        gan.compile(label_smoothing=1.5)


# --- exponential moving average of the generator ------------------------------------------------


def test_ema_is_the_exponential_average_of_the_generator(digits_dataset):
    gan = tiny_dcgan(ema_decay=0.9)
    gan.compile()
    before = [v.numpy() for v in gan.generator.weights]
    np.testing.assert_array_equal(before[0], gan.ema_generator.weights[0].numpy())
    gan.fit(digits_dataset.take(1), epochs=1, verbose=0)
    for original, now, average in zip(before, gan.generator.weights, gan.ema_generator.weights):
        if now.trainable:
            np.testing.assert_allclose(average.numpy(), 0.9 * original + 0.1 * now.numpy(), rtol=1e-5, atol=1e-7)
        else:
            np.testing.assert_array_equal(average.numpy(), now.numpy())
    assert any(
        not np.array_equal(a.numpy(), g.numpy()) for a, g in zip(gan.ema_generator.weights, gan.generator.weights)
    )


def test_ema_copies_until_its_start_step(digits_dataset):
    gan = tiny_dcgan(ema_decay=0.99, ema_start=100)
    gan.compile()
    gan.fit(digits_dataset, epochs=1, verbose=0)
    for average, current in zip(gan.ema_generator.weights, gan.generator.weights):
        np.testing.assert_array_equal(average.numpy(), current.numpy())


def test_ema_makes_the_samples_and_survives_a_round_trip(digits_dataset, tmp_path):
    gan = tiny_dcgan(ema_decay=0.5)
    gan.compile()
    gan.fit(digits_dataset, epochs=1, verbose=0)
    latent = gan.sample_latent(4, seed=0)
    np.testing.assert_array_equal(gan.generate(latent=latent), gan.ema_generator(latent, training=False).numpy())
    assert not np.allclose(gan.generate(latent=latent), gan.generator(latent, training=False).numpy())
    gan.save(str(tmp_path / "g.keras"))
    loaded = keras.saving.load_model(str(tmp_path / "g.keras"))
    assert loaded.ema_decay == 0.5
    np.testing.assert_array_equal(loaded.generate(latent=latent), gan.generate(latent=latent))


def test_ema_settings_are_checked():
    with pytest.raises(ValueError, match=r"ema_decay must be in \(0, 1\)"):
        tiny_dcgan(ema_decay=1.5)
    with pytest.raises(ValueError, match="ema_start"):
        tiny_dcgan(ema_decay=0.9, ema_start=-1)


class _CountsTrainingCalls(keras.layers.Layer):
    """Identity that counts the forward passes it makes in training mode, in a variable."""

    def build(self, input_shape):
        self.calls = self.add_weight(shape=(), initializer="zeros", trainable=False, name="calls")

    def call(self, x, training=False):
        if training:
            self.calls.assign_add(1.0)
        return x


@pytest.mark.parametrize(
    "reuse_fakes, d_steps, passes_per_step", [(False, 1, 2), (True, 1, 1), (True, 3, 3), (False, 3, 4)]
)
def test_reuse_fakes_saves_one_generator_pass_per_step(reuse_fakes, d_steps, passes_per_step, digits_dataset):
    base = tiny_dcgan()
    latent = keras.Input((base.latent_dim,))
    counter = _CountsTrainingCalls()
    gan = kgan.GAN(keras.Model(latent, counter(base.generator(latent))), base.discriminator, seed=0)
    gan.compile(reuse_fakes=reuse_fakes, d_steps=d_steps)
    g_before = weights_of(gan.generator)
    history = gan.fit(digits_dataset, epochs=1, steps_per_epoch=4, verbose=0).history
    assert float(counter.calls) == 4 * passes_per_step
    assert all(_changed(g_before, weights_of(gan.generator))[:-1])  # G learns (the counter aside)
    assert history["g_grad_norm"][0] > 0 and gan.get_compile_config()["reuse_fakes"] is reuse_fakes


def test_one_generate_for_every_family_that_samples():
    dcgan = tiny_dcgan()
    acgan = kgan.ACGAN((8, 8, 1), num_classes=3, latent_dim=6, width=4, seed=0)
    stylegan2 = kgan.StyleGAN2((8, 8, 1), latent_dim=6, width=8, mapping_layers=2, seed=0)
    for gan in (dcgan, acgan, stylegan2):
        drawn = gan.generate(4, seed=0)
        np.testing.assert_array_equal(gan.generate(latent=gan.sample_latent(4, seed=0)), drawn)
        with pytest.raises(TypeError, match="positional"):
            gan.generate(4, 0)  # seed, labels and the rest are keyword-only: generate(16, 0) means nothing
    assert (dcgan.num_classes, acgan.num_classes, stylegan2.num_classes) == (None, 3, None)
    assert (dcgan.truncates, acgan.truncates, stylegan2.truncates) == (False, False, True)
    sevens = acgan.generate(4, seed=0, labels=2)
    np.testing.assert_array_equal(sevens, acgan.generate(4, seed=0, labels=[2, 2, 2, 2]))
    assert not np.allclose(sevens, acgan.generate(4, seed=0, labels=0))
    average = stylegan2.generate(3, seed=0, truncation=0.0)
    assert np.abs(average - average[:1]).max() < 1e-5
    with pytest.raises(ValueError, match="labels are for conditional GANs; this DCGAN takes no labels"):
        dcgan.generate(2, labels=1)
    for gan in (dcgan, acgan):
        refusal = rf"truncation is for the families that truncate \(StyleGAN2, BigGAN\); this {type(gan).__name__} does"
        with pytest.raises(ValueError, match=refusal):
            gan.generate(2, truncation=0.7)
    with pytest.raises(ValueError, match=r"truncation_psi= is now truncation=: generate\(..., truncation=0.7\)"):
        stylegan2.generate(2, truncation_psi=0.7)
    with pytest.raises(TypeError, match=r"got noise, which a DCGAN does not take \(its own options: none\)"):
        dcgan.generate(2, noise="none")  # StyleGAN2's own option
    assert stylegan2.generate(2, seed=0, noise="none", truncation_cutoff=1).shape == (2, 8, 8, 1)
    with pytest.raises(ValueError, match="Pix2Pix translates images rather than sampling noise: use translate"):
        kgan.Pix2Pix((8, 8, 1), width=4, seed=0).generate(2, seed=0)
