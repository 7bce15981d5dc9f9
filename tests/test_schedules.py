"""kgan.schedules against their formulas, and as the settings they schedule: Adam's beta_2 step
by step against Adam written out in NumPy, a penalty's weight, the EMA's decay; saved and reloaded."""

import math

import keras
import numpy as np
import pytest

import kgan
from kgan import schedules


def test_cosine_runs_half_a_cosine_from_start_to_end_and_stays():
    rising = schedules.Cosine(0.9, 0.99, steps=100)
    for step, expected in [(0, 0.9), (50, 0.945), (100, 0.99), (1000, 0.99)]:
        assert float(rising(step)) == pytest.approx(expected, rel=1e-6)
    falling = schedules.Cosine(2e-4, 5e-5, steps=8)
    assert float(falling(2)) == pytest.approx(5e-5 + 1.5e-4 * (1 + math.cos(math.pi / 4)) / 2, rel=1e-6)
    with pytest.raises(ValueError, match="steps > 0"):
        schedules.Cosine(1.0, 0.0, steps=0)


def test_half_life_decay_halves_an_old_weight_in_half_life_steps():
    decay = schedules.HalfLifeDecay(40)
    assert float(decay(0)) ** 40 == pytest.approx(0.5, rel=1e-5)
    assert float(schedules.HalfLifeDecay(0)(0)) == 0.0  # a half-life of 0: the average copies
    growing = schedules.HalfLifeDecay(schedules.Cosine(0.0, 10.0, 10))
    assert float(growing(0)) == 0.0 and float(growing(10)) == pytest.approx(0.5**0.1, rel=1e-5)
    with pytest.raises(ValueError, match="half_life >= 0"):
        schedules.HalfLifeDecay(-1)


def test_scheduled_adam_uses_each_steps_beta_2():
    beta_2 = schedules.Cosine(0.5, 0.9, steps=3)
    optimizer = schedules.ScheduledAdam(0.1, beta_1=0.0, beta_2=beta_2)
    variable = keras.Variable(np.array([1.0, -2.0], np.float32))
    gradients = [np.array([0.5, 1.0], np.float32), np.array([-1.0, 2.0], np.float32), np.array([3.0, 0.1], np.float32)]
    x, v = np.array([1.0, -2.0]), np.zeros(2)
    for step, gradient in enumerate(gradients):
        optimizer.apply([gradient], [variable])
        b2 = float(beta_2(step))
        v = b2 * v + (1 - b2) * gradient.astype(np.float64) ** 2
        x = x - 0.1 * math.sqrt(1 - b2 ** (step + 1)) * gradient / (np.sqrt(v) + 1e-7)  # beta_1 = 0
        np.testing.assert_allclose(variable.numpy(), x, rtol=1e-5)
    reloaded = keras.optimizers.deserialize(keras.optimizers.serialize(optimizer))
    assert float(reloaded.beta_2_schedule(1)) == float(beta_2(1))


def test_a_scheduled_penalty_weight_and_ema_decay_save_and_take_effect(tmp_path):
    gan = kgan.DCGAN((8, 8, 1), latent_dim=8, width=8, seed=0, ema_decay=0.999)
    gamma = schedules.Cosine(1.0, 0.0, steps=4)
    gan.compile(regularizers=[kgan.regularizers.R1(gamma)], ema_schedule=schedules.HalfLifeDecay(0))
    gan.fit(kgan.data.load("digits", batch_size=32, limit=64, shuffle=False), epochs=2, verbose=0)
    assert float(gan.regularizers[0].weight_at(gan.d_optimizer.iterations)) == pytest.approx(0.0, abs=1e-6)
    for average, current in zip(gan.ema_generator.weights, gan.generator.weights):
        np.testing.assert_array_equal(average.numpy(), current.numpy())  # decay 0: the EMA copies
    gan.save(tmp_path / "gan.keras")
    loaded = keras.saving.load_model(tmp_path / "gan.keras")
    assert loaded.get_compile_config() == gan.get_compile_config()
    assert float(loaded.regularizers[0].weight_at(2)) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="build it with ema_decay set"):
        kgan.DCGAN((8, 8, 1), latent_dim=8, width=8).compile(ema_schedule=schedules.HalfLifeDecay(10))
