"""Layers Keras lacks that GAN networks use."""

from kgan.layers.attention import SelfAttention2D
from kgan.layers.batch_norm import batch_normalization
from kgan.layers.conditional_batch_norm import ConditionalBatchNormalization, ProjectedBatchNormalization
from kgan.layers.conditioning import ClassEmbedding, SplitLatent
from kgan.layers.minibatch_std import MinibatchStdDev
from kgan.layers.pooling import GlobalSumPooling2D
from kgan.layers.residual import ChannelBias, GenerativeBasis, GroupedConv2D, InterpolativeResample
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
    "ChannelBias",
    "ClassEmbedding",
    "ConditionalBatchNormalization",
    "ConstantInput",
    "EqualizedConv2D",
    "EqualizedDense",
    "GenerativeBasis",
    "GlobalSumPooling2D",
    "GroupedConv2D",
    "InterpolativeResample",
    "MinibatchStdDev",
    "ModulatedConv2D",
    "PixelNormalization",
    "ProjectedBatchNormalization",
    "SelfAttention2D",
    "SplitLatent",
    "batch_normalization",
]
