"""ModeCoverage on samples whose answer is known, in evaluate and as a callback."""

import keras
import numpy as np
import pytest

import kgan
from kgan.metrics import ModeCoverage, results_of

CENTERS = kgan.data.grid_centers()  # 25 modes, 2 apart


def coverage_of(samples, **kwargs):
    metric = ModeCoverage(CENTERS, std=0.05, **kwargs)
    metric.update_state(samples)
    return {k: float(v) for k, v in results_of([metric]).items()}


def test_real_grid_samples_cover_every_mode_sharply():
    real = np.concatenate(list(kgan.data.grid_2d(5000, seed=0, batch_size=500)))
    result = coverage_of(real)
    # In 2-D, 3 std holds 1 - exp(-4.5) = 98.9% of a Gaussian's samples.
    assert result["modes_covered"] == 25 and abs(result["high_quality"] - 0.989) < 0.005


def test_collapsed_and_blurred_samples_are_caught():
    rng = np.random.default_rng(0)
    collapsed = CENTERS[:3][rng.integers(0, 3, 2500)] + rng.normal(0, 0.05, (2500, 2))
    assert coverage_of(collapsed)["modes_covered"] == 3
    # Blurred modes (std 0.5 instead of 0.05): only 1 - exp(-0.045) = 4.4% of samples land
    # within 0.15 of a centre, too few for any mode to count.
    blurred = CENTERS[rng.integers(0, 25, 2500)] + rng.normal(0, 0.5, (2500, 2))
    result = coverage_of(blurred)
    assert result["modes_covered"] == 0 and abs(result["high_quality"] - 0.044) < 0.015


def test_a_mode_needs_its_share_and_streaming_equals_one_batch():
    # 24 modes get 100 samples each; the last gets 19, under 20% of an even share of 2419/25.
    samples = np.concatenate([np.repeat(CENTERS[:24], 100, axis=0), np.repeat(CENTERS[24:], 19, axis=0)])
    assert coverage_of(samples)["modes_covered"] == 24
    metric = ModeCoverage(CENTERS, std=0.05)
    for part in np.array_split(samples, 7):
        metric.update_state(part)
    assert float(results_of([metric])["modes_covered"]) == 24
    metric.reset_state()
    assert float(results_of([metric])["modes_covered"]) == 0


def test_mode_coverage_in_evaluate_and_as_a_callback(tmp_path):
    data = kgan.data.ring_2d(1024, batch_size=128, seed=0)
    gan = kgan.GAN(
        kgan.architectures.mlp.build_generator(4, 2, seed=0),
        kgan.architectures.mlp.build_discriminator(2, seed=0),
        seed=0,
    )
    gan.compile(sample_metrics=[ModeCoverage(kgan.data.ring_centers(), std=0.02)])
    callback = kgan.callbacks.SampleMetrics([ModeCoverage(kgan.data.ring_centers(), std=0.02)], num_samples=1000)
    history = gan.fit(data, epochs=2, verbose=0, callbacks=[callback]).history
    assert len(history["modes_covered"]) == 2 and 0 <= history["high_quality"][-1] <= 1
    results = gan.evaluate(data, return_dict=True, verbose=0)
    assert {"modes_covered", "high_quality", "d_loss"} <= set(results)
    metric = gan.sample_metrics[0]
    assert float(metric.total) == 1024  # every evaluated batch's samples, and nothing else
    assert results["modes_covered"] == float(results_of([metric])["modes_covered"])
    gan.save(str(tmp_path / "g.keras"))
    loaded = keras.saving.load_model(str(tmp_path / "g.keras"))
    np.testing.assert_array_equal(loaded.sample_metrics[0].centers, kgan.data.ring_centers())


def test_bad_arguments():
    with pytest.raises(ValueError, match="centers"):
        ModeCoverage(np.zeros(3), std=0.1)
    with pytest.raises(ValueError, match="std"):
        ModeCoverage(CENTERS, std=0)
