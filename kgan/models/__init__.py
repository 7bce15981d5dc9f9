"""GAN models: `keras.Model` subclasses that share one training step."""
from kgan.models.dcgan import DCGAN
from kgan.models.gan import GAN
from kgan.models.recipes import LSGAN, SNGAN, WGANGP

__all__ = ["GAN", "DCGAN", "WGANGP", "LSGAN", "SNGAN"]
