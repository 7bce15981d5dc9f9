"""DCGAN: the convolutional GAN recipe."""

from __future__ import annotations

import keras

from kgan.architectures import dcgan as dcgan_networks
from kgan.models.gan import GAN


@keras.saving.register_keras_serializable(package="kgan")
class DCGAN(GAN):
    """Deep convolutional GAN for images of any size that is a small multiple of a power of two.

    Builds the generator and discriminator of `kgan.architectures.dcgan` for `image_shape` and
    trains them with the GAN step's defaults: non-saturating loss, Adam(2e-4, beta_1=0.5).
    Radford, Metz & Chintala, "Unsupervised Representation Learning with Deep Convolutional
    Generative Adversarial Networks", ICLR 2016.

    Args:
        image_shape: `(height, width, channels)`, e.g. (28, 28, 1) or (32, 32, 3) or (64, 64, 3).
        latent_dim: size of the latent vector.
        width: the networks' base number of filters.
        kernel_size: convolution kernel size.
        dropout: dropout rate in the discriminator.
        spectral_norm: spectral normalization on the discriminator's layers.
        minibatch_std: end the discriminator with a minibatch standard deviation channel and a
            3x3 convolution (ProGAN/StyleGAN), so it sees how varied a batch is.
        seed: seeds the initial weights and every random draw, so two runs match weight for weight.
        **kwargs: `kgan.GAN` arguments, e.g. `ema_decay=0.999`.

    Example:

    ```python
    gan = kgan.DCGAN(image_shape=(28, 28, 1), latent_dim=100)
    gan.compile()
    gan.fit(kgan.data.load("mnist", batch_size=64), epochs=5)
    ```
    """

    def __init__(
        self,
        image_shape=(28, 28, 1),
        latent_dim=100,
        width=64,
        kernel_size=5,
        dropout=0.3,
        spectral_norm=False,
        minibatch_std=False,
        seed=None,
        **kwargs,
    ):
        image_shape = tuple(image_shape)
        generator = dcgan_networks.build_generator(
            image_shape, latent_dim, width=width, kernel_size=kernel_size, seed=seed
        )
        discriminator = dcgan_networks.build_discriminator(
            image_shape,
            width=width,
            kernel_size=kernel_size,
            dropout=dropout,
            spectral_norm=spectral_norm,
            minibatch_std=minibatch_std,
            seed=seed,
        )
        super().__init__(generator, discriminator, latent_dim=latent_dim, seed=seed, **kwargs)
        self.image_shape = image_shape
        self.width = width
        self.kernel_size = kernel_size
        self.dropout = dropout
        self.spectral_norm = spectral_norm
        self.minibatch_std = minibatch_std

    def network_config(self):
        return {
            "image_shape": self.image_shape,
            "width": self.width,
            "kernel_size": self.kernel_size,
            "dropout": self.dropout,
            "spectral_norm": self.spectral_norm,
            "minibatch_std": self.minibatch_std,
        }
