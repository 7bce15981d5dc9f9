"""Layers Keras lacks that GAN networks use."""
from kgan.layers.pooling import GlobalSumPooling2D

__all__ = ["GlobalSumPooling2D"]
