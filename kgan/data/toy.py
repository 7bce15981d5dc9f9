"""Toy distributions whose answer is known: a 1-D Gaussian and 2-D mixtures of Gaussians.

They live in their conventional coordinates (not [-1, 1]), so results compare with the papers
that use them; their generators need a linear output (`kgan.architectures.mlp`).
"""

from __future__ import annotations

import numpy as np

from kgan.data.pipeline import from_arrays


def box_muller(num_samples, rng):
    """Standard normal samples from pairs of uniforms: sqrt(-2 ln u1) cos(2 pi u2) (Box & Muller, 1958)."""
    u1 = 1.0 - rng.random(num_samples)  # (0, 1]: log(u1) stays finite
    u2 = rng.random(num_samples)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


def ring_centers(modes=8, radius=2.0):
    """The centres of `modes` Gaussians evenly spaced on a circle of `radius`."""
    angles = 2.0 * np.pi * np.arange(modes) / modes
    return np.stack([radius * np.cos(angles), radius * np.sin(angles)], axis=1).astype(np.float32)


def grid_centers(size=5, spacing=2.0):
    """The centres of a `size x size` grid of Gaussians, `spacing` apart, centred on the origin."""
    ticks = (np.arange(size) - (size - 1) / 2.0) * spacing
    return np.array([(x, y) for x in ticks for y in ticks], dtype=np.float32)


def _mixture(centers, std, num_samples, rng):
    choice = rng.integers(len(centers), size=num_samples)
    noise = np.stack([box_muller(num_samples, rng), box_muller(num_samples, rng)], axis=1)
    return (centers[choice] + std * noise).astype(np.float32)


def _pipeline(points, batch_size, seed):
    return from_arrays(points, batch_size=batch_size, seed=seed, scale=False)


def gaussian_1d(num_samples=10_000, mean=4.0, std=0.5, batch_size=128, seed=None):
    """N(mean, std^2) samples of shape `(1,)`, drawn with the Box-Muller transform."""
    rng = np.random.default_rng(seed)
    points = (mean + std * box_muller(num_samples, rng)).astype(np.float32)[:, None]
    return _pipeline(points, batch_size, seed)


def ring_2d(num_samples=10_000, modes=8, radius=2.0, std=0.02, batch_size=128, seed=None):
    """A ring of `modes` Gaussians (std `std`) on a circle of `radius` (Metz et al., 2017)."""
    rng = np.random.default_rng(seed)
    return _pipeline(_mixture(ring_centers(modes, radius), std, num_samples, rng), batch_size, seed)


def grid_2d(num_samples=10_000, size=5, spacing=2.0, std=0.05, batch_size=128, seed=None):
    """A `size x size` grid of Gaussians (std `std`), the 25-mode benchmark of VEEGAN/PacGAN."""
    rng = np.random.default_rng(seed)
    return _pipeline(_mixture(grid_centers(size, spacing), std, num_samples, rng), batch_size, seed)
