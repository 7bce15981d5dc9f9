"""Golden values for every penalty, their lazy schedule, their logs, and what they do to D."""

import keras
import numpy as np
import pytest

import kgan
from kgan import regularizers


def linear_critic(weights, bias=0.5):
    inputs = keras.Input((len(weights),))
    dense = keras.layers.Dense(1)
    model = keras.Model(inputs, dense(inputs))
    dense.set_weights([np.array(weights, np.float32)[:, None], np.array([bias], np.float32)])
    return model


def quadratic_critic(dim):
    inputs = keras.Input((dim,))
    return keras.Model(inputs, keras.layers.Lambda(lambda x: keras.ops.sum(x * x, axis=1, keepdims=True))(inputs))


REAL = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 0.5]], np.float32)
FAKE = np.array([[-1.0, 0.0], [2.0, 2.0], [0.5, 0.5]], np.float32)


def test_gradient_penalty_golden_values():
    # A linear critic's gradient is its weight vector everywhere: norm 5 for (3, 4).
    steep, gentle = linear_critic([3.0, 4.0]), linear_critic([0.3, 0.4])
    seed = keras.random.SeedGenerator(0)
    assert float(regularizers.GradientPenalty()(steep, REAL, FAKE, seed=seed)) == pytest.approx(16.0, rel=1e-5)
    assert float(regularizers.GradientPenalty()(gentle, REAL, FAKE, seed=seed)) == pytest.approx(0.25, rel=1e-5)
    assert float(regularizers.GradientPenalty(one_sided=True)(gentle, REAL, FAKE, seed=seed)) == 0.0
    assert float(regularizers.GradientPenalty(one_sided=True)(steep, REAL, FAKE, seed=seed)) == pytest.approx(
        16.0, rel=1e-5
    )


def test_gradient_penalty_interpolates_uniformly_between_real_and_fake():
    # For D(x) = |x|^2 the gradient at x_hat = r + u (f - r) is 2 x_hat; with r = 0 and f = 1
    # (one dimension), the norm is 2u, so the penalty is E[(2u - 1)^2] = 1/3 for u ~ U[0, 1]
    # (it would be far larger for the normal distribution some implementations draw from).
    critic = quadratic_critic(1)
    real, fake = np.zeros((20000, 1), np.float32), np.ones((20000, 1), np.float32)
    value = float(regularizers.GradientPenalty()(critic, real, fake, seed=keras.random.SeedGenerator(1)))
    assert value == pytest.approx(1 / 3, abs=0.01)


def test_r1_r2_and_drift_golden_values():
    critic = quadratic_critic(2)  # grad = 2x, so 0.5 * E[|grad|^2] = 2 E[|x|^2]
    assert float(regularizers.R1()(critic, REAL, FAKE)) == pytest.approx(2 * np.mean(np.sum(REAL**2, 1)), rel=1e-6)
    assert float(regularizers.R2()(critic, REAL, FAKE)) == pytest.approx(2 * np.mean(np.sum(FAKE**2, 1)), rel=1e-6)
    logits = np.array([[2.0], [-1.0]], np.float32)
    assert float(regularizers.Drift()(critic, REAL, FAKE, real_logits=logits)) == pytest.approx(2.5)
    assert float(regularizers.Drift()(linear_critic([1.0, 0.0], bias=0.0), REAL, FAKE)) == pytest.approx(
        np.mean(REAL[:, 0] ** 2)
    )


def test_regularizers_are_logged_and_lazy_ones_run_every_k_steps():
    data = kgan.data.ring_2d(512, batch_size=64, seed=0)
    gan = kgan.GAN(
        kgan.architectures.mlp.build_generator(4, 2, seed=0),
        kgan.architectures.mlp.build_discriminator(2, seed=0),
        seed=0,
    )
    gan.compile(regularizers=[regularizers.R1(1.0, every=4), regularizers.Drift()], d_steps=2)
    history = gan.fit(data, epochs=1, verbose=0).history
    assert {"r1", "drift"} <= set(history) and history["r1"][0] > 0
    d_steps = 2 * 8
    assert float(gan.regularizer_trackers["r1"].count) == d_steps / 4  # D iterations 0, 4, 8, 12
    assert float(gan.regularizer_trackers["drift"].count) == d_steps


def _critic_gradient_norms(gan, data):
    real = next(iter(data))
    fake = gan.generate(len(real), seed=5)
    u = np.random.default_rng(0).uniform(size=(len(real), 1)).astype(np.float32)
    between = keras.ops.convert_to_tensor(real.numpy() + u * (fake - real.numpy()))
    import tensorflow as tf

    with tf.GradientTape() as tape:
        tape.watch(between)
        out = gan.discriminator(between)
    return np.linalg.norm(tape.gradient(out, between).numpy(), axis=1)


def test_gradient_penalty_pushes_the_critic_gradient_norm_to_one():
    data = kgan.data.ring_2d(4096, batch_size=256, seed=0)

    def mean_norm_after_training(penalised):
        generator = kgan.architectures.mlp.build_generator(4, 2, seed=0)
        critic = kgan.architectures.mlp.build_discriminator(2, seed=0)
        gan = kgan.GAN(generator, critic, seed=0)
        gan.compile(
            loss="wasserstein",
            d_steps=5,
            learning_rate=1e-3,
            betas=(0.0, 0.9),
            regularizers=[regularizers.GradientPenalty(10.0)] if penalised else [],
        )
        gan.fit(data, epochs=4, verbose=0)
        return float(np.mean(_critic_gradient_norms(gan, data)))

    penalised, free = mean_norm_after_training(True), mean_norm_after_training(False)
    assert abs(penalised - 1.0) < 0.2, penalised
    assert abs(free - 1.0) > 2 * abs(penalised - 1.0), (free, penalised)  # the same critic, unpenalised


def test_regularizers_round_trip_through_keras_files(tmp_path):
    gan = kgan.DCGAN((8, 8, 1), latent_dim=8, width=8, seed=0)
    gan.compile(
        loss="wasserstein", regularizers=[regularizers.GradientPenalty(5.0, one_sided=True), regularizers.Drift(2e-3)]
    )
    gan.fit(kgan.data.load("digits", batch_size=32, limit=64), epochs=1, verbose=0)
    gan.save(str(tmp_path / "g.keras"))
    loaded = keras.saving.load_model(str(tmp_path / "g.keras"))
    assert loaded.get_compile_config() == gan.get_compile_config()
    assert (
        repr(loaded.regularizers)
        == "[GradientPenalty(weight=5.0, every=1, target=1.0, one_sided=True), Drift(weight=0.002, every=1)]"
    )


def test_bad_regularizers_are_rejected():
    gan = kgan.DCGAN((8, 8, 1), latent_dim=8, width=8)
    with pytest.raises(ValueError, match="kgan.regularizers objects"):
        gan.compile(regularizers=["gp"])
    with pytest.raises(ValueError, match="once"):
        gan.compile(regularizers=[regularizers.R1(), regularizers.R1()])
    with pytest.raises(ValueError, match="every must be an int >= 1"):
        regularizers.R1(every=0)
