"""StyleGAN2's own pictures every few epochs: a truncation sweep and a style-mixing matrix."""

from __future__ import annotations

import numpy as np

from kgan.callbacks.truncation_grid import TruncationGrid
from kgan.seeding import sub_seed


class StyleGrids(TruncationGrid):
    """Renders a StyleGAN2's truncation sweep and style-mixing matrix at the end of every few epochs.

    * `truncation_epoch_NNNN.png` (TensorBoard tag `styles/truncation`): one row per psi in
      `truncations` (the family's `truncation_sweep`: 1.0, 0.7, 0.5, 0), the same `columns`
      seeds in every row. Lower psi trades variety for typical images; the psi 0 row is the
      average image everywhere (each column's class average, for a conditional StyleGAN2).
    * `style_mixing_epoch_NNNN.png` (tag `styles/style_mixing`): the top row holds the source images,
      the left column the targets; each other cell is its row's target with the first
      `mixing_layers` ws (the coarse styles) taken from its column's source.

    Both use the same fixed latents every epoch. Use it beside `kgan.callbacks.ImageGrid`.

    Args:
        log_dir: TensorBoard folder; None for none.
        png_dir: folder for the PNGs; defaults to `log_dir/samples`.
        columns: seeds per row of the sweep, and sources in the matrix.
        truncations: the sweep's psi values, one row each.
        mixing_layers: how many of the first ws come from the source (default: half of them).
        seed: seeds the fixed latents.
        every: render every this many epochs (the last epoch of a `fit` is always rendered).
    """

    def __init__(
        self,
        log_dir=None,
        png_dir=None,
        columns=6,
        truncations=None,
        mixing_layers=None,
        seed=0,
        every=1,
    ):
        super().__init__(log_dir, png_dir, columns, truncations, seed, every, tag="styles/truncation")
        self.mixing_layers = mixing_layers

    def on_train_begin(self, logs=None):
        if not hasattr(self.model, "mix_styles"):
            raise ValueError(f"StyleGrids draws a StyleGAN2's styles; this model is a {type(self.model).__name__}.")
        super().on_train_begin(logs)

    def on_epoch_end(self, epoch, logs=None):
        if not self.due(epoch):
            return
        super().on_epoch_end(epoch, logs)
        self.save(f"style_mixing_epoch_{epoch + 1:04d}.png", "styles/style_mixing", *self.mixing())

    def mixing(self):
        """`(images, columns + 1)`: the sources on top, the targets on the left, their mixes inside."""
        gan = self.model
        layers = range(self.mixing_layers or max(1, gan.num_ws // 2))
        sources = gan.latent_to_w(self.columns, seed=sub_seed(self.seed, "sources"))
        targets = gan.latent_to_w(self.columns, seed=sub_seed(self.seed, "targets"))
        source_images, target_images = gan.synthesize(sources), gan.synthesize(targets)
        blank = np.full((1, *source_images.shape[1:]), -1.0, np.float32)
        rows = [np.concatenate([blank, source_images])]
        for i in range(self.columns):
            mixed = gan.mix_styles(sources, np.repeat(targets[i : i + 1], self.columns, axis=0), layers)
            rows.append(np.concatenate([target_images[i : i + 1], gan.synthesize(mixed)]))
        return np.concatenate(rows), self.columns + 1
