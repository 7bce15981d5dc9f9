"""kgan.data.toy: the toy distributions."""

import numpy as np

import kgan
import kgan.images


def test_box_muller_gives_a_standard_normal():
    samples = kgan.data.toy.box_muller(200_000, np.random.default_rng(0))
    assert abs(samples.mean()) < 0.01 and abs(samples.std() - 1) < 0.01
    assert abs(np.mean(np.abs(samples) < 1.0) - 0.6827) < 0.005  # the 68% rule


def test_toy_distributions():
    points = np.concatenate(list(kgan.data.gaussian_1d(4096, mean=4.0, std=0.5, batch_size=128, seed=0)))
    assert points.shape == (4096, 1) and abs(points.mean() - 4.0) < 0.05 and abs(points.std() - 0.5) < 0.03
    for ds, centers, std in [
        (kgan.data.ring_2d(4096, seed=0), kgan.data.ring_centers(), 0.02),
        (kgan.data.grid_2d(4096, seed=0), kgan.data.grid_centers(), 0.05),
    ]:
        points = np.concatenate(list(ds))
        distances = np.linalg.norm(points[:, None] - centers[None], axis=-1)
        nearest = distances.argmin(axis=1)
        assert distances.min(axis=1).max() < 6 * std
        assert len(np.unique(nearest)) == len(centers)
    assert kgan.data.ring_centers().shape == (8, 2) and kgan.data.grid_centers().shape == (25, 2)
    np.testing.assert_allclose(np.linalg.norm(kgan.data.ring_centers(), axis=1), 2.0, rtol=1e-6)
