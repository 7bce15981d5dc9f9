"""Functions that build networks. Each returns a plain `keras.Model`."""
from kgan.architectures import dcgan, mlp, resnet

__all__ = ["dcgan", "mlp", "resnet"]
