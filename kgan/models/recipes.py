"""Named recipes: published GAN configurations as thin settings of the one training step.

Each recipe builds its networks in `__init__` from the settings `network_config()` returns (so
`GAN.get_config` saves them), and declares its training defaults in `compile_defaults()`; every
default can be overridden by the same argument of `GAN.compile`, e.g.
`kgan.WGANGP().compile(d_steps=3)`.
"""

from __future__ import annotations

import keras

from kgan.architectures import resnet
from kgan.models.dcgan import DCGAN
from kgan.models.gan import GAN
from kgan.regularizers import GradientPenalty


@keras.saving.register_keras_serializable(package="kgan")
class WGANGP(DCGAN):
    """Wasserstein GAN with gradient penalty (Gulrajani et al., "Improved Training of Wasserstein
    GANs", NeurIPS 2017).

    DCGAN networks with no dropout or batch normalization in the critic; `compile()` defaults to
    the paper's: Wasserstein loss, `GradientPenalty(10)`, 5 critic steps per generator step,
    Adam(1e-4, beta_1=0, beta_2=0.9) for both networks. Log `gp` alongside `d_loss` (the negative
    Wasserstein estimate).

    Args:
        image_shape, latent_dim, width, kernel_size, seed: as for `kgan.DCGAN`.
        dropout: the critic's dropout, 0 as in the paper.
        **kwargs: `kgan.GAN` arguments such as `ema_decay`.

    Example:

    ```python
    gan = kgan.WGANGP(image_shape=(28, 28, 1))
    gan.compile()            # or gan.compile(d_steps=3, regularizers=[kgan.regularizers.GradientPenalty(5)])
    gan.fit(kgan.data.load("mnist"), epochs=5)
    ```
    """

    def __init__(self, image_shape=(28, 28, 1), latent_dim=100, dropout=0.0, **kwargs):
        super().__init__(image_shape, latent_dim, dropout=dropout, **kwargs)

    def compile_defaults(self):
        return {
            **super().compile_defaults(),
            "loss": "wasserstein",
            "regularizers": [GradientPenalty(10.0)],
            "d_steps": 5,
            "learning_rate": 1e-4,
            "betas": (0.0, 0.9),
        }


@keras.saving.register_keras_serializable(package="kgan")
class LSGAN(DCGAN):
    """Least Squares GAN (Mao et al., "Least Squares Generative Adversarial Networks", ICCV 2017).

    DCGAN networks; `compile()` defaults to the least-squares loss (0-1-1 coding) with the DCGAN
    optimizers, Adam(2e-4, beta_1=0.5).

    Args:
        **kwargs: as for `kgan.DCGAN`.
    """

    def compile_defaults(self):
        return {**super().compile_defaults(), "loss": "least_squares"}


@keras.saving.register_keras_serializable(package="kgan")
class SNGAN(GAN):
    """Spectrally normalized GAN with ResNet networks (Miyato et al., "Spectral Normalization for
    Generative Adversarial Networks", ICLR 2018).

    `kgan.architectures.resnet` networks with spectral normalization on every discriminator
    layer; `compile()` defaults to the paper's ResNet settings: hinge loss, 5 discriminator steps
    per generator step, Adam(2e-4, beta_1=0, beta_2=0.9).

    Args:
        image_shape: `(height, width, channels)`.
        latent_dim: size of the latent vector (128 in the paper).
        generator_width: filters per generator block (256 in the paper for CIFAR-10).
        discriminator_width: filters per discriminator block (128 in the paper).
        seed: seeds the initial weights and every random draw.
        **kwargs: `kgan.GAN` arguments such as `ema_decay`.
    """

    def __init__(
        self,
        image_shape=(32, 32, 3),
        latent_dim=128,
        generator_width=256,
        discriminator_width=128,
        seed=None,
        **kwargs,
    ):
        image_shape = tuple(image_shape)
        generator = resnet.build_generator(image_shape, latent_dim, width=generator_width, seed=seed)
        discriminator = resnet.build_discriminator(
            image_shape, width=discriminator_width, spectral_norm=True, seed=seed
        )
        super().__init__(generator, discriminator, latent_dim=latent_dim, seed=seed, **kwargs)
        self.image_shape = image_shape
        self.generator_width = generator_width
        self.discriminator_width = discriminator_width

    def network_config(self):
        return {
            "image_shape": self.image_shape,
            "generator_width": self.generator_width,
            "discriminator_width": self.discriminator_width,
        }

    def compile_defaults(self):
        return {**super().compile_defaults(), "loss": "hinge", "d_steps": 5, "betas": (0.0, 0.9)}
