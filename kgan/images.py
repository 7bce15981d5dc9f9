"""Turning generator output into pictures: uint8 pixels, tiled grids, PNG files."""

from __future__ import annotations

import math
import os

import numpy as np
import tensorflow as tf


def to_uint8(images):
    """[-1, 1] floats -> uint8 pixels in [0, 255] (values outside the range are clipped)."""
    images = np.asarray(images, dtype=np.float32)
    return np.clip(np.round((images + 1.0) * 127.5), 0, 255).astype(np.uint8)


def tile(images, columns=None, padding=1):
    """Tiles `(n, height, width, channels)` uint8 images into one grid image, row by row.

    Args:
        images: the images.
        columns: images per row; a square-ish grid when None.
        padding: pixels of black between images.
    """
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"Expected images of shape (n, height, width, channels), got {images.shape}.")
    n, height, width, channels = images.shape
    columns = columns or math.ceil(math.sqrt(n))
    rows = math.ceil(n / columns)
    grid = np.zeros(
        (rows * (height + padding) + padding, columns * (width + padding) + padding, channels),
        dtype=images.dtype,
    )
    for index, image in enumerate(images):
        top = padding + (index // columns) * (height + padding)
        left = padding + (index % columns) * (width + padding)
        grid[top : top + height, left : left + width] = image
    return grid


def save_png(path, image):
    """Writes a `(height, width, channels)` uint8 image as PNG, creating parent folders."""
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    tf.io.write_file(path, tf.io.encode_png(np.asarray(image, dtype=np.uint8)))


def save_grid(path, images, columns=None):
    """Writes samples in [-1, 1] as one PNG grid; returns the grid as uint8 pixels."""
    grid = tile(to_uint8(images), columns)
    save_png(path, grid)
    return grid
