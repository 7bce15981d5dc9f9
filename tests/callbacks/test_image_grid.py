"""kgan.callbacks.ImageGrid: the PNG grids and TensorBoard images of a fixed batch."""

import os

import numpy as np
import pytest
import tensorflow as tf

import kgan
from kgan import images as images_lib
from tests.conftest import summaries, tiny_dcgan


def test_image_grid_writes_pngs_and_tensorboard_images(digits_dataset, tmp_path):
    gan = tiny_dcgan()
    gan.compile()
    grid = kgan.callbacks.ImageGrid(log_dir=str(tmp_path / "logs"), num_images=16)
    gan.fit(digits_dataset, epochs=2, callbacks=[grid], verbose=0)
    pngs = sorted(os.listdir(tmp_path / "logs" / "samples"))
    assert pngs == ["epoch_0001.png", "epoch_0002.png"]
    picture = tf.io.decode_png(tf.io.read_file(str(tmp_path / "logs" / "samples" / pngs[-1]))).numpy()
    assert picture.shape == (4 * 9 + 1, 4 * 9 + 1, 1)  # 4x4 images of 8x8, 1 px apart
    # The PNG shows exactly the generator's output for the fixed latent batch.
    latent = kgan.seeding.latent_vectors(16, gan.latent_dim, 0)  # the grid's seed
    np.testing.assert_array_equal(picture, images_lib.tile(images_lib.to_uint8(gan.generate(latent=latent))))
    images = summaries(tmp_path / "logs")
    assert [(tag, step) for tag, step, _, _ in images] == [("samples/grid", 8), ("samples/grid", 16)]  # global steps
    np.testing.assert_array_equal([s for s in images if s[1] == 16][0][3], picture)


def test_image_grid_every_n_epochs_keeps_the_last(digits_dataset, tmp_path):
    gan = tiny_dcgan()
    gan.compile()
    grid = kgan.callbacks.ImageGrid(png_dir=str(tmp_path), num_images=4, every=2)
    gan.fit(digits_dataset.take(1), epochs=3, callbacks=[grid], verbose=0)
    assert sorted(os.listdir(tmp_path)) == ["epoch_0002.png", "epoch_0003.png"]
    with pytest.raises(ValueError, match="needs log_dir"):
        kgan.callbacks.ImageGrid()


def test_truncation_grid_draws_the_same_seeds_at_each_of_the_familys_truncations(tmp_path):
    gan = kgan.BigGAN((16, 16, 1), num_classes=3, latent_dim=6, width=2, embedding_dim=3, seed=0)
    grid = kgan.callbacks.TruncationGrid(png_dir=str(tmp_path), columns=3, seed=4)
    grid.set_model(gan)
    grid.on_train_begin()
    grid.on_epoch_end(0)
    pixels = tf.io.decode_png(tf.io.read_file(str(tmp_path / "truncation_epoch_0001.png"))).numpy()
    images, columns = grid.truncation_sweep()
    assert columns == 3 and len(images) == 3 * len(gan.truncation_sweep) == 12
    latent = kgan.seeding.latent_vectors(3, 6, 4)
    for row, truncation in enumerate(gan.truncation_sweep):  # untruncated first, then stronger thresholds
        np.testing.assert_allclose(images[3 * row : 3 * row + 3], gan.generate(latent=latent, truncation=truncation))
    assert not np.allclose(images[:3], images[-3:])
    np.testing.assert_array_equal(pixels, images_lib.tile(images_lib.to_uint8(images), 3))
    unconditional = kgan.callbacks.TruncationGrid(png_dir=str(tmp_path))
    unconditional.set_model(tiny_dcgan())
    with pytest.raises(ValueError, match="a DCGAN does not truncate"):
        unconditional.on_train_begin()
