"""kgan: GANs that are Keras models. Build, `fit`, watch in TensorBoard, export the generator."""
from kgan import architectures, callbacks, data, losses
from kgan.export import export_generator
from kgan.models import DCGAN, GAN

__version__ = "0.1.0"

__all__ = [
    "GAN",
    "DCGAN",
    "architectures",
    "callbacks",
    "data",
    "export_generator",
    "losses",
]
