"""The named recipes: their defaults, their overrides, real training, spectral norm, round trips."""

import keras
import numpy as np
import pytest

import kgan

TINY = dict(image_shape=(8, 8, 1), latent_dim=8, seed=0)


def tiny(recipe, **kwargs):
    if recipe is kgan.SNGAN:
        return kgan.SNGAN(generator_width=8, discriminator_width=8, **TINY, **kwargs)
    return recipe(width=8, **TINY, **kwargs)


@pytest.mark.parametrize(
    "recipe, loss, d_steps, logs",
    [
        (kgan.WGANGP, "wasserstein", 5, {"gp"}),
        (kgan.LSGAN, "least_squares", 1, set()),
        (kgan.SNGAN, "hinge", 5, set()),
    ],
)
def test_recipe_defaults_train(recipe, loss, d_steps, logs, digits_dataset):
    gan = tiny(recipe)
    gan.compile()
    config = gan.get_compile_config()
    assert config["loss"] == loss and config["d_steps"] == d_steps
    history = gan.fit(digits_dataset, epochs=1, verbose=0).history
    assert {"d_loss", "g_loss", "d_real", "d_fake", "d_grad_norm", "g_grad_norm"} | logs == set(history)
    assert all(np.isfinite(v[0]) for v in history.values())
    assert int(gan.d_optimizer.iterations) == d_steps * int(gan.g_optimizer.iterations)


def test_recipe_defaults_are_overridable():
    gan = tiny(kgan.WGANGP)
    gan.compile(d_steps=2, regularizers=[kgan.regularizers.GradientPenalty(1.0, one_sided=True)])
    config = gan.get_compile_config()
    assert config["d_steps"] == 2 and config["loss"] == "wasserstein"
    assert gan.regularizers[0].one_sided and gan.regularizers[0].weight == 1.0
    assert config["d_optimizer"]["config"]["beta_2"] == 0.9


def _largest_singular_values(discriminator):
    values = []
    for layer in discriminator.layers:
        if isinstance(layer, keras.layers.SpectralNormalization):
            kernel = layer.layer.kernel.numpy()
            values.append(np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0])
    return values


@pytest.mark.parametrize(
    "build",
    [
        lambda: kgan.DCGAN(spectral_norm=True, width=8, **TINY),
        lambda: tiny(kgan.SNGAN),
    ],
)
def test_spectral_norm_keeps_discriminator_layers_1_lipschitz(build, digits_dataset):
    gan = build()
    gan.compile(learning_rate=(1e-2, None))  # a large step that would inflate unnormalised weights
    assert any(abs(s - 1.0) > 0.2 for s in _largest_singular_values(gan.discriminator))
    gan.fit(digits_dataset, epochs=2, verbose=0)
    values = _largest_singular_values(gan.discriminator)
    assert len(values) >= 2  # every convolution and the output layer
    np.testing.assert_allclose(values, 1.0, atol=0.1)
