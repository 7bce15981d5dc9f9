"""StackedMNIST: three MNIST digits in one image's red, green and blue channels, 1,000 modes."""

from __future__ import annotations

import numpy as np


def stacked_mnist(images, labels, count=None, seed=0):
    """Stacks MNIST digits into StackedMNIST's colour images (Metz et al., 2017).

    Image i's red channel is MNIST image i, its green and blue channels images of two fixed
    random orders of the same split, so every digit appears once per channel and the 1,000
    digit triples are (close to) evenly represented. Its class is `100 * red + 10 * green +
    blue`; `kgan.metrics.domain_extractor("stacked_mnist")` classifies generated ones and
    `kgan.metrics.ClassCoverage` counts the modes a generator covers.

    Args:
        images: uint8 MNIST digits, `(n, 28, 28)` or `(n, 28, 28, 1)`.
        labels: their digits, `(n,)`.
        count: how many stacked images (default: n).
        seed: seeds the two orders.

    Returns:
        uint8 images `(count, 28, 28, 3)` and int64 classes `(count,)`.
    """
    images = np.asarray(images)
    labels = np.asarray(labels).reshape(-1)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3 or len(images) != len(labels) or len(images) == 0:
        raise ValueError(
            f"stacked_mnist takes grey digits (n, height, width) with n labels; got images of shape {images.shape} "
            f"and {len(labels)} labels."
        )
    count = len(images) if count is None else int(count)
    rng = np.random.default_rng(seed)
    orders = [np.arange(count) % len(images)] + [rng.permutation(count) % len(images) for _ in range(2)]
    stacked = np.stack([images[order] for order in orders], axis=-1)
    classes = sum(labels[order].astype(np.int64) * 10**power for order, power in zip(orders, (2, 1, 0)))
    return stacked, classes
