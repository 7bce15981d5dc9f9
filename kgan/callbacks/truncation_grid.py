"""The truncation trade-off, drawn every few epochs: the same seeds at several truncations."""

from __future__ import annotations

import numpy as np

from kgan.callbacks.schedule import EpochPictures
from kgan.seeding import latent_vectors


class TruncationGrid(EpochPictures):
    """Renders a truncation sweep of a family that truncates (`gan.truncates`: StyleGAN2, BigGAN).

    `truncation_epoch_NNNN.png` (TensorBoard tag `tag`): one row per value of `truncations`,
    the same `columns` latent vectors in every row (a conditional GAN's columns cycle through
    its classes). Stronger truncation (StyleGAN2's psi towards 0, BigGAN's threshold towards 0)
    trades variety for typical, cleaner images: the rows show what the export's `truncation`
    input will do to this run's samples.

    Args:
        log_dir: TensorBoard folder; None for none.
        png_dir: folder for the PNGs; defaults to `log_dir/samples`.
        columns: seeds per row.
        truncations: one row each, None meaning none (default: the family's `truncation_sweep`).
        seed: seeds the fixed latents.
        every: render every this many epochs (the last epoch of a `fit` is always rendered).
        tag: the TensorBoard tag.
    """

    def __init__(
        self, log_dir=None, png_dir=None, columns=8, truncations=None, seed=0, every=1, tag="samples/truncation"
    ):
        super().__init__(log_dir, png_dir, every)
        self.columns = columns
        self.truncations = None if truncations is None else tuple(truncations)
        self.seed = seed
        self.tag = tag

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        if not getattr(self.model, "truncates", False):
            raise ValueError(
                f"{type(self).__name__} draws a truncation sweep; a {type(self.model).__name__} does not truncate."
            )

    def on_epoch_end(self, epoch, logs=None):
        if self.due(epoch):
            self.save(f"truncation_epoch_{epoch + 1:04d}.png", self.tag, *self.truncation_sweep())

    def truncation_sweep(self):
        """`(images, columns)`: one row of `columns` seeds per truncation."""
        gan = self.model
        latent = latent_vectors(self.columns, gan.latent_dim, self.seed)
        truncations = self.truncations if self.truncations is not None else gan.truncation_sweep
        rows = [gan.generate(latent=latent, truncation=truncation) for truncation in truncations]
        return np.concatenate(rows), self.columns
