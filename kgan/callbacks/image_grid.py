"""A fixed batch of samples rendered every epoch, to TensorBoard and to PNG files."""

from __future__ import annotations

import os

import numpy as np

from kgan import images as images_lib
from kgan.callbacks import board
from kgan.callbacks.schedule import EpochPictures, is_count


class ImageGrid(EpochPictures):
    """Renders the generator's samples for one fixed latent batch at the end of every epoch.

    The same latent vectors every epoch make progress visible: the grid for epoch N shows how the
    same "seeds" look after N epochs. Grids go to TensorBoard's images (tag `samples/grid`, at the
    global step, the step axis of every kgan summary) and to `png_dir/epoch_0001.png`, ... A
    resumed run overwrites the grids of the epochs it repeats instead of adding duplicates.

    Given `examples` (a batch of real data), models that sample noise also show
    `samples/real_vs_generated`: real images on the left, the grid on the right, laid out alike
    (conditional GANs: one row per class on both sides). Image-to-image models need `examples`:
    their grid shows inputs, outputs and targets side by side.

    Args:
        log_dir: TensorBoard folder; None for no TensorBoard.
        png_dir: folder for the PNG grids; defaults to `log_dir/samples`; None with `log_dir=None`
            for no PNGs.
        num_images: samples in the grid (64 makes 8x8).
        columns: grid columns; square-ish when None.
        seed: seeds the fixed latent batch.
        every: render every this many epochs (the last epoch of a `fit` is always rendered).
        examples: a batch of real data in the structure `fit` takes: shown beside the samples, or
            translated by image-to-image models (Pix2Pix, CycleGAN, SRGAN, Inpainting).
        every_steps: also render the grid to TensorBoard every this many training steps (None:
            at epoch ends only), for long epochs.

    Conditional GANs show one row per class (the same latent vectors in every row).

    Example:

    ```python
    gan.fit(ds, epochs=5, callbacks=[kgan.callbacks.ImageGrid(log_dir="runs/x", examples=next(iter(ds)))])
    ```
    """

    def __init__(
        self, log_dir=None, png_dir=None, num_images=64, columns=None, seed=0, every=1, examples=None, every_steps=None
    ):
        super().__init__(log_dir, png_dir, every)
        if num_images < 1:
            raise ValueError(f"num_images must be >= 1, got {num_images}.")
        if every_steps is not None and not is_count(every_steps):
            raise ValueError(f"every_steps must be None or an int >= 1 (training steps), got {every_steps!r}.")
        self.num_images = num_images
        self.columns = columns
        self.seed = seed
        self.examples = examples
        self.every_steps = every_steps
        self._grid_inputs = None
        self._real_picture = None
        self._shown_step = None
        self.last_grid_path = None

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self._grid_inputs = self.model.grid_inputs(self.num_images, self.seed, self.examples)
        real = self.model.real_grid(self.examples, self.num_images) if self.examples is not None else None
        if real is not None:  # the real images, tiled once like the samples will be
            self._real_picture = images_lib.tile(images_lib.to_uint8(real[0]), self.columns or real[1])
        self._step = board.global_step(self.model)

    def on_train_batch_end(self, batch, logs=None):
        step = board.global_step(self.model)
        if self.every_steps and step // self.every_steps > self._step // self.every_steps:
            samples, columns = self.model.grid_samples(self._grid_inputs)
            self._show(samples, columns)
        self._step = step

    def on_epoch_end(self, epoch, logs=None):
        if not self.due(epoch):
            return
        samples, columns = self.model.grid_samples(self._grid_inputs)
        name = f"epoch_{epoch + 1:04d}.png"
        images_lib.save_png(os.path.join(self.png_dir, name), self._show(samples, columns))
        self.last_grid_path = os.path.join(self.png_dir, name)

    def _show(self, samples, columns):
        """Writes the grid (and the real | generated panel) to TensorBoard, once per step; returns the grid."""
        grid = images_lib.tile(images_lib.to_uint8(samples), self.columns or columns)
        step = board.global_step(self.model)
        if step == self._shown_step:  # an epoch's end on the every_steps schedule
            return grid
        self._shown_step = step
        self.show("samples/grid", grid)
        if self._real_picture is not None:
            self.show("samples/real_vs_generated", side_by_side(self._real_picture, grid))
        return grid


def side_by_side(left, right, gap=4):
    """Two uint8 pictures next to each other on a white background, `gap` pixels apart."""
    height = max(left.shape[0], right.shape[0])
    channels = max(left.shape[2], right.shape[2])
    panel = np.full((height, left.shape[1] + gap + right.shape[1], channels), 255, np.uint8)
    panel[: left.shape[0], : left.shape[1]] = left
    panel[: right.shape[0], left.shape[1] + gap :] = right
    return panel
