"""kgan.seeding: one way from a seed to latent vectors, and to the seeds of named parts."""

import keras
import numpy as np
import tensorflow as tf

import kgan
from kgan.seeding import SEED_LIMIT, latent_vectors, pass_seed, sub_seed


def test_sub_seeds_differ_by_name_and_by_seed_and_stay_in_range():
    seeds = [sub_seed(s, name, i) for s in (0, 1) for name in ("generator", "discriminator") for i in range(50)]
    assert len(set(seeds)) == len(seeds) and all(0 <= s < SEED_LIMIT for s in seeds)
    assert sub_seed(3, "batch", 1) == sub_seed(3, "batch", 1) and sub_seed(None, "batch") is None


def test_one_latent_draw_for_generate_grids_and_the_exported_sample_signature(tmp_path):
    gan = kgan.DCGAN((8, 8, 1), latent_dim=6, width=4, seed=0)
    expected = latent_vectors(5, 6, 11).numpy()
    np.testing.assert_array_equal(gan.sample_latent(5, seed=11).numpy(), expected)
    np.testing.assert_array_equal(gan.grid_inputs(5, 11), expected)
    exported = tf.saved_model.load(kgan.export_generator(gan, str(tmp_path / "g")))
    pixels = exported.signatures["sample"](count=tf.constant(5), seed=tf.constant(11, tf.int64))["images"].numpy()
    from_latents = np.round((gan.generate(latent=expected) + 1.0) * 127.5)
    assert np.abs(pixels.astype(int) - from_latents.astype(int)).max() <= 1


def test_the_networks_built_from_one_seed_start_from_different_weights():
    cycle = kgan.CycleGAN(image_shape_a=(8, 8, 1), width=4, max_depth=2, seed=0)
    ab, ba = cycle.generator_ab.get_weights()[0], cycle.generator_ba.get_weights()[0]
    assert ab.shape == ba.shape and not np.allclose(ab, ba)
    again = kgan.CycleGAN(image_shape_a=(8, 8, 1), width=4, max_depth=2, seed=0)
    np.testing.assert_array_equal(again.generator_ab.get_weights()[0], ab)
    sngan = kgan.SNGAN((8, 8, 1), latent_dim=4, generator_width=4, discriminator_width=4, seed=0)
    g_init = sngan.generator.layers[1].kernel_initializer.seed
    d_init = [layer for layer in sngan.discriminator.layers if hasattr(layer, "layer")][0].layer.kernel_initializer.seed
    assert g_init != d_init


class _Collect(keras.metrics.Metric):
    """Keeps every generated batch it is shown."""

    def __init__(self):
        super().__init__(name="collected")
        self.batches = []

    def reset_state(self):
        self.batches = []

    def update_state(self, fake, real=None):
        self.batches.append(np.asarray(fake).reshape(len(fake), -1))

    def result(self):
        return 0.0


def test_evaluate_with_other_seeds_draws_other_latent_vectors():
    identity = keras.Sequential([keras.Input((4,)), keras.layers.Reshape((2, 2, 1))])
    drawn = {}
    for seed in (0, 1):
        metric = _Collect()
        kgan.evaluate(identity, None, [metric], num_samples=400, batch_size=10, seed=seed)
        drawn[seed] = np.concatenate(metric.batches)
    assert drawn[0].shape == (400, 4)
    shared = {tuple(row) for row in drawn[0]} & {tuple(row) for row in drawn[1]}
    assert not shared
    metric = _Collect()
    kgan.evaluate(identity, None, [metric], num_samples=400, batch_size=10, seed=0)
    np.testing.assert_array_equal(np.concatenate(metric.batches), drawn[0])  # and the same seed, the same


def test_each_pass_over_seeded_data_has_its_own_order_seed():
    seeds = [int(pass_seed(0, tf.constant(n))) for n in range(20)] + [int(pass_seed(1, tf.constant(0)))]
    assert len(set(seeds)) == len(seeds) and all(0 <= s < SEED_LIMIT for s in seeds)
