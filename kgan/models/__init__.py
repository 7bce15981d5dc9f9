"""GAN models: `keras.Model` subclasses that share one training step."""
from kgan.models.dcgan import DCGAN
from kgan.models.gan import GAN

__all__ = ["GAN", "DCGAN"]
