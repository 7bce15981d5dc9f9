"""Keras callbacks for GAN training."""

from kgan.callbacks.backup import BackupAndRestore
from kgan.callbacks.distribution import DistributionPlots
from kgan.callbacks.image_grid import ImageGrid
from kgan.callbacks.latent_walk import LatentWalk
from kgan.callbacks.progress import EpochProgress, TimeLimit
from kgan.callbacks.projector import Projector
from kgan.callbacks.sample_metrics import SampleMetrics
from kgan.callbacks.style_grids import StyleGrids
from kgan.callbacks.tensorboard import TensorBoard
from kgan.callbacks.training_monitor import TrainingHealthWarning, TrainingMonitor
from kgan.callbacks.truncation_grid import TruncationGrid

__all__ = [
    "BackupAndRestore",
    "DistributionPlots",
    "EpochProgress",
    "ImageGrid",
    "LatentWalk",
    "Projector",
    "SampleMetrics",
    "StyleGrids",
    "TensorBoard",
    "TimeLimit",
    "TrainingHealthWarning",
    "TrainingMonitor",
    "TruncationGrid",
]
