"""DiffAugment's operations, their gradients, ADA's controller, and both inside training."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import kgan
from kgan import augment


def seed():
    return keras.random.SeedGenerator(0)


IMAGES = np.random.default_rng(0).uniform(-1, 1, (16, 16, 16, 3)).astype(np.float32)


def test_colour_operations_follow_their_formulas():
    shifted = augment.brightness(IMAGES, seed()).numpy()
    offsets = (shifted - IMAGES).reshape(16, -1)
    np.testing.assert_allclose(offsets, offsets[:, :1].repeat(offsets.shape[1], 1), atol=1e-6)
    assert np.all(np.abs(offsets) <= 0.5)
    contrasted = augment.contrast(IMAGES, seed()).numpy()
    np.testing.assert_allclose(contrasted.mean(axis=(1, 2, 3)), IMAGES.mean(axis=(1, 2, 3)), atol=1e-5)
    saturated = augment.saturation(IMAGES, seed()).numpy()
    np.testing.assert_allclose(saturated.mean(axis=3), IMAGES.mean(axis=3), atol=1e-5)


def test_translation_moves_pixels_within_the_ratio_and_fills_zeros():
    images = np.zeros((64, 16, 16, 1), np.float32)
    images[:, 8, 8, 0] = 1.0
    moved = augment.translation(images, seed(), ratio=0.125).numpy()
    for image in moved:
        (y,), (x,) = np.nonzero(image[..., 0] == 1.0)[0], np.nonzero(image[..., 0] == 1.0)[1]
        assert abs(y - 8) <= 2 and abs(x - 8) <= 2
        assert image.sum() == 1.0
    assert len({tuple(np.argwhere(m[..., 0])[0]) for m in moved}) > 5  # shifts differ per image
    ones = augment.translation(np.ones((64, 16, 16, 1), np.float32), seed()).numpy()
    assert (ones == 0).any() and set(np.unique(ones)) <= {0.0, 1.0}


def test_cutout_zeroes_at_most_a_square_of_the_ratio():
    cut = augment.cutout(np.ones((64, 16, 16, 3), np.float32), seed(), ratio=0.5).numpy()
    zeros = (cut[..., 0] == 0).reshape(64, -1).sum(axis=1)
    assert zeros.max() <= 64 and zeros.min() > 0 and (zeros == 64).any()
    np.testing.assert_array_equal(cut[..., 0], cut[..., 2])  # the same square in every channel


def test_augmentation_is_differentiable():
    layer = augment.DiffAugment(seed=0)
    x = tf.constant(IMAGES)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(layer(x) * tf.constant(IMAGES))
    gradient = tape.gradient(y, x)
    assert gradient is not None and float(tf.reduce_sum(tf.abs(gradient))) > 0


def test_probability_zero_is_the_identity():
    np.testing.assert_array_equal(augment.DiffAugment(probability=0.0, seed=0)(IMAGES).numpy(), IMAGES)
    assert not np.array_equal(augment.DiffAugment(probability=1.0, seed=0)(IMAGES).numpy(), IMAGES)


def test_ada_raises_the_probability_while_d_overfits_and_lowers_it_after():
    ada = augment.AdaptiveAugment(target=0.6, interval=2, speed_images=1000, probability=0.0)
    overconfident = np.ones((50, 1), np.float32)  # E[sign(D(x))] = 1 > 0.6
    ada.observe(overconfident)
    assert float(ada.probability) == 0.0  # adjusts only every `interval` steps
    ada.observe(overconfident)
    assert float(ada.probability) == pytest.approx(100 / 1000)  # 2 steps x 50 images / 1000
    for _ in range(4):
        ada.observe(-overconfident)
    assert float(ada.probability) == 0.0  # fell by 0.1 twice, clipped at 0


def test_training_with_diffaugment_and_ada(digits_dataset, tmp_path):
    gan = kgan.DCGAN((8, 8, 1), latent_dim=8, width=8, seed=0)
    gan.compile(augment=augment.AdaptiveAugment(interval=1, speed_images=500, probability=0.2, seed=0))
    history = gan.fit(digits_dataset, epochs=2, verbose=0).history
    assert "ada_p" in history and history["ada_p"][-1] != 0.2
    gan.save(str(tmp_path / "g.keras"))
    loaded = keras.saving.load_model(str(tmp_path / "g.keras"))
    assert float(loaded.augment.probability) == float(gan.augment.probability)
    assert loaded.get_compile_config() == gan.get_compile_config()
    plain = kgan.DCGAN((8, 8, 1), latent_dim=8, width=8, seed=0)
    plain.compile(augment=augment.DiffAugment(("translation", "cutout"), seed=0))
    assert np.isfinite(plain.fit(digits_dataset, epochs=1, verbose=0).history["d_loss"][0])


def test_bad_augment_settings():
    with pytest.raises(ValueError, match="policy"):
        augment.DiffAugment(("colour",))
    with pytest.raises(ValueError, match="probability"):
        augment.DiffAugment(probability=2.0)
    gan = kgan.DCGAN((8, 8, 1), latent_dim=8, width=8)
    with pytest.raises(ValueError, match="augment must be"):
        gan.compile(augment="diffaugment")
