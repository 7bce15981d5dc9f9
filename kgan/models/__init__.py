"""GAN models: `keras.Model` subclasses that share one training step."""

from kgan.models.biggan import BigGAN
from kgan.models.conditional import ACGAN, CGAN, ConditionalGAN, ProjectionGAN
from kgan.models.cyclegan import CycleGAN
from kgan.models.dcgan import DCGAN
from kgan.models.gan import GAN
from kgan.models.r3gan import R3GAN
from kgan.models.recipes import LSGAN, SNGAN, WGANGP
from kgan.models.stylegan2 import StyleGAN2
from kgan.models.translation import SRGAN, Inpainting, Pix2Pix, TranslationGAN

__all__ = [
    "GAN",
    "DCGAN",
    "WGANGP",
    "LSGAN",
    "SNGAN",
    "ConditionalGAN",
    "CGAN",
    "ACGAN",
    "ProjectionGAN",
    "BigGAN",
    "TranslationGAN",
    "Pix2Pix",
    "SRGAN",
    "Inpainting",
    "CycleGAN",
    "StyleGAN2",
    "R3GAN",
]
