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


def from_uint8(pixels):
    """uint8 pixels in [0, 255] -> float32 in [-1, 1], as generators take and make them (the inverse of `to_uint8`)."""
    return np.asarray(pixels, np.float32) / 127.5 - 1.0


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
    if os.path.isdir(path):
        raise IsADirectoryError(
            f"{path!r} is a folder; name a PNG file to write, such as {os.path.join(path, 'x.png')!r}."
        )
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    tf.io.write_file(path, tf.io.encode_png(np.asarray(image, dtype=np.uint8)))


def save_grid(path, images, columns=None):
    """Writes samples in [-1, 1] as one PNG grid; returns the grid as uint8 pixels."""
    grid = tile(to_uint8(images), columns)
    save_png(path, grid)
    return grid


#: Animation formats `save_animation` writes, by file suffix, and the package each needs.
ANIMATION_WRITERS = {".gif": "imageio", ".mp4": "imageio-ffmpeg"}


def save_animation(path, frames, fps=12, scale=1):
    """Writes frames in [-1, 1] as an animated GIF (looping) or an MP4 video, by `path`'s suffix.

    Args:
        path: a `.gif` or `.mp4` file.
        frames: `(n, height, width, channels)` images, e.g. tiled walks (`tile` of each step).
        fps: frames per second.
        scale: enlarge every frame this many times (nearest neighbour: small images stay sharp).

    GIFs need `imageio` (installed with kgan); MP4 needs `imageio-ffmpeg` too
    (`pip install "kgan[video]"`), and its frames get black borders up to sides that are multiples
    of 16, which H.264 encoders require.
    """
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in ANIMATION_WRITERS:
        raise ValueError(f"An animation is written as {' or '.join(ANIMATION_WRITERS)}; got {path!r}.")
    if not (isinstance(fps, (int, float)) and fps > 0):
        raise ValueError(f"fps must be a positive number, got {fps!r}.")
    pixels = np.asarray(to_uint8(frames))
    if pixels.ndim != 4 or pixels.shape[-1] not in (1, 3):
        raise ValueError(f"Expected frames of shape (n, height, width, 1 or 3), got {pixels.shape}.")
    pixels = pixels.repeat(scale, axis=1).repeat(scale, axis=2)
    if pixels.shape[-1] == 1:
        pixels = pixels.repeat(3, axis=-1)  # both encoders take RGB
    import imageio.v3 as iio

    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    if suffix == ".gif":
        iio.imwrite(path, pixels, duration=1000 / fps, loop=0)
        return
    try:
        import imageio_ffmpeg  # noqa: F401 - the FFMPEG plugin's encoder
    except ImportError as error:
        raise ImportError(
            f'MP4 needs imageio-ffmpeg: pip install "kgan[video]" ({error}). GIF needs nothing more.'
        ) from error
    height, width = pixels.shape[1:3]
    border = ((0, 0), (0, -height % 16), (0, -width % 16), (0, 0))
    iio.imwrite(path, np.pad(pixels, border), plugin="FFMPEG", fps=fps)
