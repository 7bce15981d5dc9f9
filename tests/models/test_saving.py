"""Every GAN family saves to .keras and reloads in safe mode with its config, compile settings,
weights and outputs (keras-hub's `run_model_saving_test` idea, for each kgan family)."""

import json

import keras
import numpy as np
import pytest

import kgan
from kgan.architectures import conditional, dcgan, patchgan, unet

SHAPE = (8, 8, 1)


def images(count=3, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (count, *SHAPE)).astype(np.float32)


def latent(count=3):
    return kgan.seeding.latent_vectors(count, 4, 0).numpy()


LABELS = np.array([0, 1, 2], np.int32)
MASKS = kgan.models.translation.random_box_masks(3, SHAPE[:2], 0.5, 0).numpy()

# name -> (build the model, the inputs of its `call`)
FAMILIES = {
    "GAN": (
        lambda: kgan.GAN(
            dcgan.build_generator(SHAPE, 4, width=4, seed=0),
            dcgan.build_discriminator(SHAPE, width=4, seed=0),
            seed=0,
            ema_decay=0.9,
        ),
        latent,
    ),
    "DCGAN": (lambda: kgan.DCGAN(SHAPE, latent_dim=4, width=4, minibatch_std=True, spectral_norm=True, seed=0), latent),
    "WGANGP": (lambda: kgan.WGANGP(SHAPE, latent_dim=4, width=4, seed=0), latent),
    "LSGAN": (lambda: kgan.LSGAN(SHAPE, latent_dim=4, width=4, seed=0, ema_decay=0.9, ema_start=5), latent),
    "SNGAN": (lambda: kgan.SNGAN(SHAPE, latent_dim=4, generator_width=4, discriminator_width=4, seed=0), latent),
    "ConditionalGAN": (
        lambda: kgan.ConditionalGAN(
            conditional.build_generator(SHAPE, 4, 3, width=4, seed=0),
            conditional.build_discriminator(SHAPE, 3, width=4, seed=0),
            num_classes=3,
            seed=0,
        ),
        lambda: [latent(), LABELS],
    ),
    "CGAN": (lambda: kgan.CGAN(SHAPE, num_classes=3, latent_dim=4, width=4, seed=0), lambda: [latent(), LABELS]),
    "ACGAN": (
        lambda: kgan.ACGAN(SHAPE, num_classes=3, latent_dim=4, width=4, class_weight=0.5, seed=0),
        lambda: [latent(), LABELS],
    ),
    "ProjectionGAN": (
        lambda: kgan.ProjectionGAN(SHAPE, num_classes=3, latent_dim=4, width=4, seed=0),
        lambda: [latent(), LABELS],
    ),
    "BigGAN": (  # 16x16: self-attention at 8x8 (an 8x8 BigGAN has no map to attend at)
        lambda: kgan.BigGAN((16, 16, 1), num_classes=3, latent_dim=4, width=2, embedding_dim=3, seed=0, ema_decay=0.9),
        lambda: [latent(), LABELS],
    ),
    "TranslationGAN": (
        lambda: kgan.TranslationGAN(
            unet.build_unet(SHAPE, 1, width=4, max_depth=2, seed=0),
            patchgan.build_patch_discriminator(SHAPE, SHAPE, width=4, num_layers=2, seed=0),
            reconstruction_weight=10.0,
            seed=0,
        ),
        images,
    ),
    "Pix2Pix": (lambda: kgan.Pix2Pix(SHAPE, width=4, max_depth=2, l1_weight=50.0, seed=0, ema_decay=0.9), images),
    "SRGAN": (
        lambda: kgan.SRGAN(
            SHAPE,
            scale=2,
            width=4,
            num_blocks=1,
            seed=0,
            content_network=keras.Sequential(
                [keras.Input(SHAPE), keras.layers.Conv2D(2, 3, name="features")], name="content"
            ),
        ),
        lambda: images()[:, ::2, ::2],
    ),
    "Inpainting": (
        lambda: kgan.Inpainting(SHAPE, hole_size=0.25, width=4, max_depth=2, seed=0),
        lambda: [images(), MASKS],
    ),
    "R3GAN": (lambda: kgan.R3GAN(SHAPE, latent_dim=4, widths=(4, 4), cardinality=(2, 8), seed=0), latent),
    "R3GAN with classes": (
        lambda: kgan.R3GAN(
            SHAPE, latent_dim=4, widths=(4, 4), cardinality=(2, 8), num_classes=3, class_names=("a", "b", "c"), seed=0
        ),
        lambda: [latent(), LABELS],
    ),
    "StyleGAN2": (lambda: kgan.StyleGAN2(SHAPE, latent_dim=4, width=4, mapping_layers=2, seed=0), latent),
    "StyleGAN2 with classes": (
        lambda: kgan.StyleGAN2(
            SHAPE, latent_dim=4, width=4, mapping_layers=2, num_classes=3, class_names=("a", "b", "c"), seed=0
        ),
        lambda: [latent(), LABELS],
    ),
    "CycleGAN": (
        lambda: kgan.CycleGAN(SHAPE, width=4, max_depth=2, discriminator_layers=2, seed=0, ema_decay=0.9),
        lambda: [images(seed=0), images(seed=1)],
    ),
}


def as_json(config):
    """A config as saved (tuples become lists, as in the .keras file)."""
    return json.loads(json.dumps(config))


def test_every_family_is_covered():
    families = {name for name in kgan.__all__ if isinstance(getattr(kgan, name), type)}
    assert families == {name.split()[0] for name in FAMILIES}


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_family_saves_and_reloads_in_safe_mode(name, tmp_path):
    build, inputs = FAMILIES[name]
    model = build()
    model.compile(
        learning_rate=(3e-4, None),
        label_smoothing=0.1 if kgan.losses.get(model.compile_defaults()["loss"]).supports_label_smoothing else 0.0,
    )
    path = str(tmp_path / f"{name}.keras")
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    assert type(loaded) is type(model)
    assert as_json(loaded.get_config()) == as_json(model.get_config())
    assert loaded.get_compile_config() == model.get_compile_config()
    assert len(loaded.weights) == len(model.weights)
    for a, b in zip(loaded.weights, model.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=a.path)
    given = inputs()
    for a, b in zip(keras.tree.flatten(loaded(given)), keras.tree.flatten(model(given))):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-6)
    # A config rebuilds the same model (the networks' settings, not only their weights, are saved).
    rebuilt = type(model).from_config(model.get_config())
    assert as_json(rebuilt.get_config()) == as_json(model.get_config())
