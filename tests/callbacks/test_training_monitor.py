"""kgan.callbacks.TrainingMonitor provoked on purpose: each failure it names, and a healthy run it leaves alone."""

import warnings

import keras
import numpy as np
import pytest

import kgan
from kgan.callbacks import TrainingHealthWarning, TrainingMonitor
from tests.conftest import summaries, tiny_dcgan, weights_of


@pytest.fixture
def digits():
    return kgan.data.load("digits", batch_size=32, seed=0)


def _fit(gan, data, epochs, **monitor_args):
    monitor_args = {"check_every": 20, "patience": 3, "warmup_steps": 300, **monitor_args}
    monitor = TrainingMonitor(data, **monitor_args)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gan.fit(data, epochs=epochs, verbose=0, callbacks=[monitor])
    raised = [w for w in caught if issubclass(w.category, TrainingHealthWarning)]
    assert [str(w.message) for w in raised] == [w["message"] for w in monitor.warnings_seen]
    return monitor


def _kinds(monitor):
    return {w["kind"] for w in monitor.warnings_seen}


def test_a_healthy_run_gets_no_warnings_and_the_gan_views_in_tensorboard(digits, tmp_path):
    gan = tiny_dcgan()
    gan.compile()
    monitor = _fit(gan, digits, epochs=10, log_dir=str(tmp_path))
    assert monitor.warnings_seen == []
    assert len(monitor.history) == 10 * 3  # steps 20, 40 and the epoch's end at 56, ...
    last = monitor.history[-1]
    assert abs(last["d_real"] - 0.5) < 0.2 and abs(last["d_fake"] - 0.5) < 0.2  # near equilibrium
    assert last["diversity"] > 0.3 and last["d_learning_rate"] == pytest.approx(2e-4)
    found = summaries(tmp_path)
    tags = {tag for tag, _, _, _ in found}
    # The monitor draws what it alone measures; losses, balance and gradients are TensorBoard's.
    assert tags == {
        "balance/d_output_real",
        "balance/d_output_fake",
        "health/diversity",
        "health/sample_gap",
        "health/summary",
        "custom_scalars__config__",
    }
    steps = sorted(step for tag, step, _, _ in found if tag == "health/diversity")
    assert steps == [r["step"] for r in monitor.history]
    assert gan.history.history["d_gap"][-1] == pytest.approx(last["d_gap"])


def test_monitoring_does_not_change_training():
    runs = []
    for monitored in (False, True):
        data = kgan.data.load("digits", batch_size=32, seed=0, limit=640)
        gan = tiny_dcgan(seed=3)
        gan.compile()
        callbacks = [TrainingMonitor(data, check_every=7)] if monitored else []  # reads the same data
        gan.fit(data, epochs=2, verbose=0, callbacks=callbacks)
        runs.append(weights_of(gan))
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)


def test_a_too_strong_discriminator_is_reported_with_remedies(digits, tmp_path):
    gan = tiny_dcgan()
    gan.compile(learning_rate=(2e-3, 1e-5))
    monitor = _fit(gan, digits, epochs=4, log_dir=str(tmp_path))
    assert "discriminator_wins" in _kinds(monitor)
    message = next(w["message"] for w in monitor.warnings_seen if w["kind"] == "discriminator_wins")
    assert "winning outright" in message and "label_smoothing" in message and "learning rate for D" in message
    texts = {tag: value for tag, _, plugin, value in summaries(tmp_path) if plugin == "text"}
    assert "health/discriminator_wins" in texts
    assert (
        texts["health/summary"].startswith("Problems present at step")
        and "discriminator wins" in texts["health/summary"]
    )


def test_vanishing_generator_gradients_under_the_saturating_minimax_loss(digits):
    gan = tiny_dcgan()
    gan.compile(loss="minimax", learning_rate=(1e-2, 1e-5))
    monitor = _fit(gan, digits, epochs=10)
    assert "vanishing_gradients" in _kinds(monitor)
    message = next(w["message"] for w in monitor.warnings_seen if w["kind"] == "vanishing_gradients")
    assert "non_saturating" in message
    # The same networks under the non-saturating loss keep their gradients: no such warning.
    gan = tiny_dcgan()
    gan.compile(learning_rate=(1e-2, 1e-5))
    assert "vanishing_gradients" not in _kinds(_fit(gan, digits, epochs=10))


def test_a_generator_that_ignores_its_latent_vector_is_reported_as_collapsed(digits):
    # A crippled generator: its latent input is multiplied by 0, so every sample is the same.
    base = tiny_dcgan()
    latent = keras.Input((base.latent_dim,))
    crippled = keras.Model(latent, base.generator(keras.layers.Rescaling(0.0)(latent)))
    gan = kgan.GAN(crippled, base.discriminator, seed=0)
    gan.compile()
    monitor = _fit(gan, digits, epochs=8)
    assert _kinds(monitor) == {"mode_collapse"}
    assert monitor.history[-1]["diversity"] < 1e-3
    assert "spectral normalization" in monitor.warnings_seen[0]["message"]


def test_losses_that_swing_without_progress_are_reported(digits):
    # A Wasserstein critic with no Lipschitz penalty and a high learning rate: the two networks
    # take turns to win, by ever larger margins.
    gan = tiny_dcgan()
    gan.compile(loss="wasserstein", learning_rate=0.01)
    monitor = _fit(gan, digits, epochs=10, warmup_steps=100)
    assert "oscillation" in _kinds(monitor)
    message = next(w["message"] for w in monitor.warnings_seen if w["kind"] == "oscillation")
    assert "oscillate without progress" in message and "learning rates" in message


def test_a_diverging_learning_rate_stops_training_with_the_last_good_weights_kept(digits, tmp_path):
    gan = tiny_dcgan()
    gan.compile(d_optimizer=keras.optimizers.SGD(10.0), g_optimizer=keras.optimizers.SGD(10.0))
    checkpoint = str(tmp_path / "gan.keras")
    monitor = TrainingMonitor(digits, check_every=1)
    with pytest.warns(TrainingHealthWarning, match="diverged") as caught:
        gan.fit(digits, epochs=5, verbose=0, callbacks=[monitor, keras.callbacks.ModelCheckpoint(checkpoint)])
    message = [str(w.message) for w in caught if issubclass(w.category, TrainingHealthWarning)][-1]
    assert "restored from step" in message and "Lower the learning rates" in message
    assert monitor.stop_reason == "non_finite"
    steps_run = int(gan.g_optimizer.iterations)
    assert steps_run < 56  # stopped within the first epoch
    restored_step = monitor.warnings_seen[-1]["step"] - 1
    assert steps_run == restored_step  # the optimizers went back with the weights
    assert all(np.all(np.isfinite(w)) for w in weights_of(gan))
    saved = keras.saving.load_model(checkpoint)
    for a, b in zip(weights_of(saved), weights_of(gan)):
        np.testing.assert_array_equal(a, b)
    assert np.all(np.isfinite(saved.generate(4, seed=0)))


def test_without_stopping_a_divergence_is_reported_once(digits):
    gan = tiny_dcgan()
    gan.compile(d_optimizer=keras.optimizers.SGD(10.0), g_optimizer=keras.optimizers.SGD(10.0))
    monitor = _fit(gan, digits, epochs=1, stop_on_non_finite=False)
    assert [w["kind"] for w in monitor.warnings_seen].count("non_finite") == 1
    assert "Training continues" in monitor.warnings_seen[0]["message"] and monitor.stop_reason is None
    assert int(gan.g_optimizer.iterations) == 56


def test_bad_monitor_settings_and_data_get_clear_errors(digits):
    with pytest.raises(ValueError, match="check_every >= 1"):
        TrainingMonitor(digits, check_every=0)
    gan = tiny_dcgan()
    gan.compile()
    with pytest.raises(ValueError, match="empty dataset"):
        gan.fit(digits, epochs=1, steps_per_epoch=1, verbose=0, callbacks=[TrainingMonitor(digits.take(0))])
    same = np.zeros((8, 8, 8, 1), np.float32)
    with pytest.raises(ValueError, match="identical samples"):
        gan.fit(digits, epochs=1, steps_per_epoch=1, verbose=0, callbacks=[TrainingMonitor(same)])
