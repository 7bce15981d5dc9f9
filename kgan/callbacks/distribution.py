"""A toy GAN's distribution against its target, drawn every epoch: watch one move onto the other."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from kgan.callbacks import board
from kgan.callbacks.schedule import EveryFewEpochs

TARGET_COLOUR = (150, 150, 150)
GENERATED_COLOUR = (240, 110, 20)


class DistributionPlots(board.SummaryWriting, EveryFewEpochs):
    """Draws the samples of a GAN on 1-D or 2-D data against the target, for TensorBoard.

    At the start of training and at the end of every `every` epochs, at the global step:

    * 1-D data: histograms `distribution/target` and `distribution/generated` on one fixed range
      (the Histograms tab's slider and offset view animate the generator's density), and the
      picture `distribution/target_vs_generated` (Images tab) with both densities on one set of
      axes: grey the target, orange the generator;
    * 2-D data: the picture `distribution/target_vs_generated`, a scatter plot of target (grey)
      and generated (orange) points.

    The axes are fixed at the first drawing (the target's and the untrained generator's range), so
    the step slider animates the generator's distribution moving onto the target.

    Args:
        target: samples of the target distribution, `(n, 1)` or `(n, 2)` (a NumPy array, or a
            dataset of such batches: the first `num_samples` are read).
        log_dir: the TensorBoard folder.
        num_samples: target and generated samples per drawing.
        every: epochs between drawings (the last epoch of a `fit` is always drawn).
        seed: seeds the generated samples (the same latent vectors every time).
        size: the picture's height in pixels (1-D: twice as wide; 2-D: square).

    Example:

    ```python
    data = kgan.data.ring_2d(seed=0)
    gan.fit(data, epochs=20, callbacks=[kgan.callbacks.DistributionPlots(data, "runs/ring/logs")])
    ```
    """

    def __init__(self, target, log_dir, num_samples=2000, every=1, seed=0, size=256):
        super().__init__(every)
        if isinstance(target, tf.data.Dataset):
            target = board.first_samples(target, num_samples, "DistributionPlots")
        target = np.asarray(target, np.float32)[:num_samples]
        if target.ndim != 2 or target.shape[1] not in (1, 2) or len(target) < 2:
            raise ValueError(
                "DistributionPlots draws 1-D or 2-D data: give it target samples of shape (n, 1) or (n, 2), "
                f"n >= 2; got shape {target.shape}."
            )
        self.target = target
        self.log_dir = log_dir
        self.num_samples = int(num_samples)
        self.seed = seed
        self.size = int(size)
        self._range = None

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self.open_summaries()
        self._latent = self.model.grid_inputs(self.num_samples, self.seed)
        if self._range is None:
            both = np.concatenate([self.target, self._generated()])
            low, high = both.min(axis=0), both.max(axis=0)
            margin = 0.05 * np.maximum(high - low, 1e-3)
            self._range = low - margin, high + margin
            # The density axis, fixed too: room above the target's peak for a narrower generator.
            self._top = 1.5 * _density(self.target[:, 0], self._range[0][0], self._range[1][0], 100).max()
        self.draw()

    def on_epoch_end(self, epoch, logs=None):
        if self.due(epoch):
            self.draw()

    def draw(self):
        """Writes the current drawing at the global step; returns the picture (uint8 RGB)."""
        generated = self._generated()
        low, high = self._range
        step = board.global_step(self.model)
        with board.recording(self._writer):
            if self.target.shape[1] == 1:
                for tag, values in (("distribution/target", self.target), ("distribution/generated", generated)):
                    board.histogram(tag, values[:, 0], low[0], high[0], step, bins=60)
                picture = densities_picture(self.target[:, 0], generated[:, 0], low[0], high[0], self.size, self._top)
            else:
                picture = scatter_picture(self.target, generated, low, high, self.size)
            tf.summary.image("distribution/target_vs_generated", picture[None], step=step)
        return picture

    def _generated(self):
        return np.asarray(self.model.generate(latent=self._latent), np.float32).reshape(len(self._latent), -1)


def densities_picture(target, generated, low, high, height, top, bins=100):
    """Both samples' densities over [low, high] (samples outside it left out) on one axis from 0
    to `top`: the target filled grey, the generated one an orange outline (uint8 RGB, `height` x
    `2 * height`)."""
    width = 2 * height
    picture = np.full((height, width, 3), 255, np.uint8)
    column_bin = np.minimum((np.arange(width) * bins) // width, bins - 1)
    for samples, colour, filled in ((target, TARGET_COLOUR, True), (generated, GENERATED_COLOUR, False)):
        density = _density(samples, low, high, bins)
        heights = np.round(np.minimum(density[column_bin] / top, 1.0) * (height - 1)).astype(int)
        for x, h in enumerate(heights):
            if filled:
                picture[height - h :, x] = colour
            else:
                previous = heights[x - 1] if x else h
                first, last = sorted((previous, h))
                picture[height - 1 - last : height - first, x] = colour  # the outline, steps included
    picture[height - 1, :] = 0  # the x axis
    return picture


def _density(samples, low, high, bins):
    """The samples' histogram over [low, high] as a density (1 under the curve for all samples)."""
    counts = np.histogram(samples, bins=bins, range=(low, high))[0]
    return counts / (len(samples) * (high - low) / bins)


def scatter_picture(target, generated, low, high, size, dot=1):
    """A scatter plot of the 2-D points inside the box [low, high]: target grey, generated orange on
    top (uint8 RGB, `size` x `size`)."""
    picture = np.full((size, size, 3), 255, np.uint8)
    for points, colour in ((target, TARGET_COLOUR), (generated, GENERATED_COLOUR)):
        points = points[np.all((points >= low) & (points <= high), axis=1)]  # off the axes: not drawn
        scaled = (points - low) / (high - low) * (size - 1)
        columns, rows = np.round(scaled[:, 0]).astype(int), (size - 1) - np.round(scaled[:, 1]).astype(int)
        for dy in range(-dot, dot + 1):
            for dx in range(-dot, dot + 1):
                picture[np.clip(rows + dy, 0, size - 1), np.clip(columns + dx, 0, size - 1)] = colour
    return picture
