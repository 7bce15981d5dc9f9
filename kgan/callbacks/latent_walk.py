"""Fixed walks through the latent space rendered every few epochs: is the space smooth yet?"""

from __future__ import annotations

from kgan.callbacks.schedule import EpochPictures
from kgan.trained import latent


class LatentWalk(EpochPictures):
    """Renders the same latent walks at the end of every few epochs (`kgan.latent.walk_images`).

    Each row walks through `keys` fixed latent vectors in `frames` steps. A well-trained
    generator morphs smoothly from one sample to the next; abrupt jumps or frames that stay the
    same across a row show a latent space the generator does not use evenly. The grid goes to
    TensorBoard (tag `samples/latent_walk`, at the global step) and to `png_dir/latent_walk_epoch_0001.png`, ...
    Conditional GANs keep one class per row (0, 1, 2, ... in turn).

    Args:
        log_dir, png_dir, every: as for `kgan.callbacks.ImageGrid`.
        rows: walks, one per row.
        frames: steps per walk (the grid's columns).
        keys: latent vectors each walk passes through.
        method: "slerp" or "lerp" (`kgan.latent.interpolate`).
        seed: seeds the key latent vectors.

    Example:

    ```python
    gan.fit(ds, epochs=5, callbacks=[kgan.callbacks.LatentWalk(log_dir="runs/x")])
    ```
    """

    def __init__(self, log_dir=None, png_dir=None, rows=4, frames=10, keys=2, method="slerp", seed=0, every=1):
        super().__init__(log_dir, png_dir, every)
        latent.walk_latents(1, keys, frames, rows, seed, method)  # bad settings fail here, not after an epoch
        self.rows, self.frames, self.keys, self.method, self.seed = rows, frames, keys, method, seed

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        if not self.model.uses_latent:
            raise ValueError(f"LatentWalk walks a latent space; a {type(self.model).__name__} translates images.")

    def on_epoch_end(self, epoch, logs=None):
        if not self.due(epoch):
            return
        walks = latent.walk_images(self.model, self.keys, self.frames, self.rows, self.seed, self.method)
        frames = walks.reshape(-1, *walks.shape[2:])
        self.save(f"latent_walk_epoch_{epoch + 1:04d}.png", "samples/latent_walk", frames, self.frames)
