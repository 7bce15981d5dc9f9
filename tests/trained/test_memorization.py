"""kgan.memorization: a generator that copies its training images is caught; held-out images and
a trained DCGAN are not."""

import json

import numpy as np
import pytest
import tensorflow as tf

import kgan


@pytest.fixture(scope="module")
def mnist_split(mnist_dir):
    """10,000 MNIST training images and 500 test images, in [-1, 1]."""
    train, _ = kgan.data.load_arrays("mnist", mnist_dir, "train")
    test, _ = kgan.data.load_arrays("mnist", mnist_dir, "test")
    return train[:10000], kgan.images.from_uint8(test[:500])


def test_copies_are_flagged_held_out_images_and_a_trained_dcgan_are_not(mnist_split, tmp_path):
    train, test = mnist_split
    extractor = kgan.metrics.domain_extractor("mnist")
    copier = kgan.images.from_uint8(train[np.random.default_rng(0).permutation(len(train))[:500]])
    gan = kgan.DCGAN(image_shape=(28, 28, 1), seed=0)
    gan.compile()
    gan.fit(kgan.data.from_arrays(train[:2048], batch_size=32, seed=0), epochs=2, verbose=0)
    found = {
        name: kgan.memorization(generator, train, extractor, num_samples=500, grid_path=str(tmp_path / f"{name}.png"))
        for name, generator in [("copier", copier), ("held_out", test), ("dcgan", gan)]
    }
    assert found["copier"]["copies"] == 1.0 and found["copier"]["closer_than_typical"] == 1.0
    assert found["copier"]["authenticity"] == 0.0 and found["copier"]["distance_ratio"] < 0.01
    # Held-out images are as near to the training set as its own images are to each other.
    assert 0.3 < found["held_out"]["closer_than_typical"] < 0.7 and found["held_out"]["copies"] < 0.01
    assert found["held_out"]["authenticity"] > 0.4 and 0.8 < found["held_out"]["distance_ratio"] < 1.25
    # Two epochs of a DCGAN draw new digits, farther from the training images than held-out ones.
    assert found["dcgan"]["copies"] == 0.0 and found["dcgan"]["authenticity"] > found["held_out"]["authenticity"]
    assert found["dcgan"]["distance_ratio"] > found["held_out"]["distance_ratio"]
    assert found["dcgan"]["samples"] == 500 and found["dcgan"]["training_images"] == 10000
    pixels = tf.io.decode_png(tf.io.read_file(str(tmp_path / "copier.png"))).numpy()
    assert pixels.shape == (4 * 29 + 1, 8 * 29 + 1, 1)  # 16 pairs, four to a row, 1-pixel borders
    # each copy sits beside the training image it copies
    np.testing.assert_array_equal(pixels[1:29, 1:29], pixels[1:29, 30:58])


def test_memorization_refuses_what_it_cannot_compare(mnist_split):
    train, test = mnist_split
    extractor = kgan.metrics.domain_extractor("mnist")
    with pytest.raises(ValueError, match="2 or more training images"):
        kgan.memorization(test, train[:1], extractor, num_samples=10)
    with pytest.raises(ValueError, match="do not fit the extractor 'mnist_extractor'"):
        kgan.memorization(test, np.zeros((8, 32, 32, 3), np.uint8), extractor, num_samples=10)
    with pytest.raises(ValueError, match="num_samples must be >= 1"):
        kgan.memorization(test, train, extractor, num_samples=0)


def test_cli_evaluate_checks_memorization_against_the_training_split(mnist_dir, tmp_path, capsys):
    import kgan_cli as cli

    gan = kgan.DCGAN(image_shape=(28, 28, 1), latent_dim=8, width=8, seed=0)
    gan.compile()
    gan.save(str(tmp_path / "gan.keras"))
    grid = str(tmp_path / "pairs.png")
    evaluate = ["evaluate", "--model", str(tmp_path / "gan.keras"), "--data-dir", mnist_dir, "--metrics", "fid"]
    assert cli.main([*evaluate, "--num-samples", "100", "--memorization", grid]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["training_images"] == 60000 and report["memorization_grid"] == grid
    assert report["copies"] == 0.0 and report["closer_than_typical"] < 0.1  # untrained: noise, far from digits
    assert tf.io.decode_png(tf.io.read_file(grid)).shape == (4 * 29 + 1, 8 * 29 + 1, 1)
