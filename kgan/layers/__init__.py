"""Layers Keras lacks that GAN networks use."""

from kgan.layers.batch_norm import batch_normalization
from kgan.layers.conditional_batch_norm import ConditionalBatchNormalization
from kgan.layers.minibatch_std import MinibatchStdDev
from kgan.layers.pooling import GlobalSumPooling2D
from kgan.layers.style import (
    AverageTracker,
    Broadcast,
    ConstantInput,
    EqualizedConv2D,
    EqualizedDense,
    ModulatedConv2D,
    PixelNormalization,
)

__all__ = [
    "AverageTracker",
    "Broadcast",
    "ConditionalBatchNormalization",
    "ConstantInput",
    "EqualizedConv2D",
    "EqualizedDense",
    "GlobalSumPooling2D",
    "MinibatchStdDev",
    "ModulatedConv2D",
    "PixelNormalization",
    "batch_normalization",
]
