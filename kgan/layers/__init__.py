"""Layers Keras lacks that GAN networks use."""

from kgan.layers.conditional_batch_norm import ConditionalBatchNormalization
from kgan.layers.minibatch_std import MinibatchStdDev
from kgan.layers.pooling import GlobalSumPooling2D

__all__ = ["ConditionalBatchNormalization", "GlobalSumPooling2D", "MinibatchStdDev"]
