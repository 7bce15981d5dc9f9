"""Functions that build networks. Each returns a plain `keras.Model`."""

from kgan.architectures import conditional, dcgan, mlp, patchgan, resnet, srresnet, stylegan2, unet

__all__ = ["conditional", "dcgan", "mlp", "patchgan", "resnet", "srresnet", "stylegan2", "unet"]
