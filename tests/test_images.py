"""kgan.images: grids of samples as uint8 pictures."""

import numpy as np

from kgan import images as images_lib


def test_tile_and_to_uint8():
    images = np.stack([np.full((2, 3, 1), v, np.float32) for v in (-1.0, 0.0, 1.0)])
    pixels = images_lib.to_uint8(images)
    assert pixels[:, 0, 0, 0].tolist() == [0, 128, 255]
    grid = images_lib.tile(pixels, columns=2, padding=1)
    assert grid.shape == (2 * 3 + 1, 2 * 4 + 1, 1)
    assert grid[1, 1, 0] == 0 and grid[1, 5, 0] == 128 and grid[4, 1, 0] == 255 and grid[4, 5, 0] == 0
