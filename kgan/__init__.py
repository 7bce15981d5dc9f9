"""kgan: GANs that are Keras models. Build, `fit`, watch in TensorBoard, export the generator."""
from kgan import architectures, augment, callbacks, data, layers, losses, metrics, regularizers
from kgan.export import export_generator
from kgan.models import DCGAN, GAN, LSGAN, SNGAN, WGANGP

__version__ = "0.1.0"

__all__ = [
    "GAN",
    "DCGAN",
    "WGANGP",
    "LSGAN",
    "SNGAN",
    "architectures",
    "augment",
    "callbacks",
    "data",
    "export_generator",
    "layers",
    "losses",
    "metrics",
    "regularizers",
]
