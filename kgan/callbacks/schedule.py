"""The schedule of callbacks that work every few epochs, and those among them that draw pictures."""

from __future__ import annotations

import os

import keras
import tensorflow as tf

from kgan import images as images_lib
from kgan.callbacks import board


def is_count(value):
    """Whether `value` is an int >= 1 (a bool is not)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


class EveryFewEpochs(keras.callbacks.Callback):
    """A callback whose work is due at the end of every `every`-th epoch and of a `fit`'s last one.

    Subclasses call `self.due(epoch)` in `on_epoch_end` (and `super().on_train_begin(logs)` if they
    override it).
    """

    def __init__(self, every=1):
        super().__init__()
        if not is_count(every):
            raise ValueError(f"every must be an int >= 1 (epochs between runs), got {every!r}.")
        self.every = every
        self._epochs = None

    def on_train_begin(self, logs=None):
        self._epochs = self.params.get("epochs") if self.params else None

    def due(self, epoch):
        """Whether the work is due at the end of `epoch` (counted from 0)."""
        last = self._epochs is not None and epoch + 1 == self._epochs
        return last or (epoch + 1) % self.every == 0


class EpochPictures(board.SummaryWriting, EveryFewEpochs):
    """Pictures rendered every few epochs, to PNG files and to TensorBoard's images.

    Subclasses render in `on_epoch_end` (when `self.due(epoch)`) and hand each grid to `save`.

    Args:
        log_dir: TensorBoard folder; None for none.
        png_dir: folder for the PNGs; defaults to `log_dir/samples`; None with `log_dir=None`
            for none.
        every: render every this many epochs (the last epoch of a `fit` is always rendered).
    """

    def __init__(self, log_dir=None, png_dir=None, every=1):
        super().__init__(every)
        if log_dir is None and png_dir is None:
            raise ValueError(f"{type(self).__name__} needs log_dir (TensorBoard) or png_dir (PNG files), or both.")
        self.log_dir = log_dir
        self.png_dir = png_dir if png_dir is not None else os.path.join(log_dir, "samples")

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self.open_summaries()

    def save(self, file_name, tag, images, columns):
        """Writes `images` in [-1, 1] as one grid: `png_dir/file_name` and TensorBoard's `tag` at
        the global step. Returns the grid's uint8 pixels."""
        grid = images_lib.save_grid(os.path.join(self.png_dir, file_name), images, columns)
        self.show(tag, grid)
        return grid

    def show(self, tag, picture):
        """Writes a uint8 `(height, width, channels)` picture to TensorBoard's `tag` at the global step."""
        if self._writer is not None:
            with board.recording(self._writer):
                tf.summary.image(tag, picture[None], step=board.global_step(self.model))
