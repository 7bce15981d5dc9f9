"""kgan: GANs that are Keras models. Build, `fit`, watch in TensorBoard, export the generator."""

import sys

from kgan import (
    architectures,
    augment,
    callbacks,
    cluster,
    data,
    layers,
    losses,
    metrics,
    precision,
    regularizers,
    schedules,
    seeding,
    trained,
)
from kgan.export import export_generator
from kgan.models import (
    ACGAN,
    CGAN,
    DCGAN,
    GAN,
    LSGAN,
    R3GAN,
    SNGAN,
    SRGAN,
    WGANGP,
    BigGAN,
    ConditionalGAN,
    CycleGAN,
    Inpainting,
    Pix2Pix,
    ProjectionGAN,
    StyleGAN2,
    TranslationGAN,
)
from kgan.trained import evaluate, latent, load_gan, load_generator, memorization, synthesize

# `kgan.latent` has lived at the top since the first release: `import kgan.latent` keeps working.
sys.modules[f"{__name__}.latent"] = latent

__version__ = "0.1.0"

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
    "architectures",
    "augment",
    "callbacks",
    "cluster",
    "data",
    "evaluate",
    "export_generator",
    "latent",
    "layers",
    "load_gan",
    "load_generator",
    "losses",
    "memorization",
    "metrics",
    "precision",
    "regularizers",
    "schedules",
    "seeding",
    "synthesize",
    "trained",
]
