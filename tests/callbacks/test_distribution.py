"""kgan.callbacks.DistributionPlots: a toy GAN's samples against its target, every epoch."""

import numpy as np
import pytest

import kgan
from kgan.callbacks.distribution import GENERATED_COLOUR, TARGET_COLOUR
from tests.conftest import summaries


def _mlp_gan(dimensions, seed=0):
    generator = kgan.architectures.mlp.build_generator(4, dimensions, hidden_units=(16,), seed=seed)
    discriminator = kgan.architectures.mlp.build_discriminator(dimensions, hidden_units=(16,), seed=seed)
    gan = kgan.GAN(generator, discriminator, seed=seed)
    gan.compile()
    return gan


def test_one_dimensional_data_gets_histograms_on_one_range_and_a_densities_picture(tmp_path):
    data = kgan.data.gaussian_1d(512, mean=4.0, std=0.5, batch_size=64, seed=0)
    gan = _mlp_gan(1)
    plots = kgan.callbacks.DistributionPlots(data, str(tmp_path), num_samples=500, size=64)
    gan.fit(data, epochs=2, verbose=0, callbacks=[plots])
    found = summaries(tmp_path)
    steps = {}
    for tag, step, _, value in found:
        steps.setdefault(tag, []).append((step, value))
    # Before training (step 0) and after each epoch, at the global step.
    for tag in ("distribution/target", "distribution/generated", "distribution/target_vs_generated"):
        assert [s for s, _ in steps[tag]] == [0, 8, 16], tag
    target, generated = steps["distribution/target"][-1][1], steps["distribution/generated"][0][1]
    np.testing.assert_array_equal(target[:, :2], generated[:, :2])  # one range for both
    assert target[:, 2].sum() == 500
    # The range holds the target and the untrained generator (near 0): neither is cut off.
    assert target[0, 0] < 0.5 and target[-1, 1] > 5.0 and generated[:, 2].sum() == 500
    picture = steps["distribution/target_vs_generated"][0][1]
    assert picture.shape == (64, 128, 3)
    colours = {tuple(c) for c in picture.reshape(-1, 3)}
    assert TARGET_COLOUR in colours and GENERATED_COLOUR in colours
    # The target sits right of the generator's start: grey only in the picture's right part.
    grey_columns = np.where((picture == TARGET_COLOUR).all(axis=-1).any(axis=0))[0]
    orange_columns = np.where((picture == GENERATED_COLOUR).all(axis=-1).any(axis=0))[0]
    assert grey_columns.min() > orange_columns.max()


def test_two_dimensional_data_gets_a_scatter_picture(tmp_path):
    data = kgan.data.ring_2d(512, batch_size=64, seed=0)
    gan = _mlp_gan(2)
    gan.fit(data, epochs=1, verbose=0, callbacks=[kgan.callbacks.DistributionPlots(data, str(tmp_path), size=96)])
    pictures = [v for tag, _, _, v in summaries(tmp_path) if tag == "distribution/target_vs_generated"]
    assert len(pictures) == 2 and pictures[0].shape == (96, 96, 3)
    grey = (pictures[0] == TARGET_COLOUR).all(axis=-1)
    # The ring's 8 modes: grey dots around the picture's centre, none in the middle.
    rows, columns = np.nonzero(grey)
    radius = np.hypot(rows - rows.mean(), columns - columns.mean())
    assert radius.min() > 0.5 * radius.max()


def test_distribution_plots_refuse_images(digits):
    with pytest.raises(ValueError, match=r"shape \(n, 1\) or \(n, 2\).*got shape \(128, 8, 8, 1\)"):
        kgan.callbacks.DistributionPlots(digits, "logs")
