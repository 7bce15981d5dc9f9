"""A fixed batch of samples rendered every epoch, to TensorBoard and to PNG files."""

from __future__ import annotations

import os

from kgan.callbacks.schedule import EpochPictures


class ImageGrid(EpochPictures):
    """Renders the generator's samples for one fixed latent batch at the end of every epoch.

    The same latent vectors every epoch make progress visible: the grid for epoch N shows how the
    same "seeds" look after N epochs. Grids go to TensorBoard (`tf.summary.image`, tag "samples",
    step = epoch) under `log_dir/images`, and to `png_dir/epoch_0001.png`, ... A resumed run
    overwrites the grids of the epochs it repeats instead of adding duplicates.

    Args:
        log_dir: TensorBoard folder (the images go to its `images` subfolder); None for no
            TensorBoard.
        png_dir: folder for the PNG grids; defaults to `log_dir/samples`; None with `log_dir=None`
            for no PNGs.
        num_images: samples in the grid (64 makes 8x8).
        columns: grid columns; square-ish when None.
        seed: seeds the fixed latent batch.
        every: render every this many epochs (the last epoch of a `fit` is always rendered).
        examples: a batch of data to translate, for image-to-image models (Pix2Pix, CycleGAN,
            SRGAN, Inpainting), whose grids show inputs, outputs and targets side by side.

    Conditional GANs show one row per class (the same latent vectors in every row).

    Example:

    ```python
    gan.fit(ds, epochs=5, callbacks=[kgan.callbacks.ImageGrid(log_dir="runs/x")])
    ```
    """

    def __init__(self, log_dir=None, png_dir=None, num_images=64, columns=None, seed=0, every=1, examples=None):
        super().__init__(log_dir, png_dir, every)
        if num_images < 1:
            raise ValueError(f"num_images must be >= 1, got {num_images}.")
        self.num_images = num_images
        self.columns = columns
        self.seed = seed
        self.examples = examples
        self._grid_inputs = None
        self.last_grid_path = None

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self._grid_inputs = self.model.grid_inputs(self.num_images, self.seed, self.examples)

    def on_epoch_end(self, epoch, logs=None):
        if not self.due(epoch):
            return
        samples, columns = self.model.grid_samples(self._grid_inputs)
        name = f"epoch_{epoch + 1:04d}.png"
        self.save(name, "samples", samples, self.columns or columns, epoch)
        self.last_grid_path = os.path.join(self.png_dir, name)
