"""How many modes of a known mixture the generator covers, and how sharply."""

from __future__ import annotations

import keras
import numpy as np
from keras import ops


@keras.saving.register_keras_serializable(package="kgan")
class ModeCoverage(keras.metrics.Metric):
    """Modes covered and the fraction of high-quality samples, for mixtures with known centres.

    A sample is high quality when it lies within `3 * std` of some centre; it then belongs to
    the nearest centre's mode. A mode is covered when it holds at least `min_share` of an even
    share of all samples (with 2,500 samples of 25 modes and `min_share=0.2`: 20 samples, the
    criterion of Srivastava et al., 2017 and Lin et al., 2018). The result is a dict:
    `modes_covered` (a count) and `high_quality` (a fraction in [0, 1]).

    Args:
        centers: `(modes, dim)` array of mode centres, e.g. `kgan.data.grid_centers()`.
        std: the standard deviation of each mode.
        min_share: the fraction of an even share a mode needs to count as covered.
        name: the metric's name.

    Example:

    ```python
    coverage = kgan.metrics.ModeCoverage(kgan.data.grid_centers(), std=0.05)
    gan.compile(sample_metrics=[coverage])
    gan.evaluate(kgan.data.grid_2d(2500), return_dict=True)  # {..., "modes_covered": 25.0, ...}
    ```
    """

    def __init__(self, centers, std, min_share=0.2, name="mode_coverage", **kwargs):
        super().__init__(name=name, **kwargs)
        self.centers = np.asarray(centers, dtype=np.float32)
        if self.centers.ndim != 2 or len(self.centers) == 0:
            raise ValueError(f"centers must be a (modes, dim) array, got shape {self.centers.shape}.")
        if std <= 0 or not 0 < min_share <= 1:
            raise ValueError(f"std must be > 0 and min_share in (0, 1], got {std} and {min_share}.")
        self.std = float(std)
        self.min_share = float(min_share)
        self.counts = self.add_variable(shape=(len(self.centers),), initializer="zeros", name="counts")
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")

    def update_state(self, generated, real=None, sample_weight=None):
        generated = ops.cast(ops.reshape(generated, (-1, self.centers.shape[1])), "float32")
        distances = ops.sqrt(
            ops.sum(ops.square(generated[:, None, :] - ops.convert_to_tensor(self.centers)[None]), axis=-1)
        )
        close = ops.cast(ops.min(distances, axis=1) <= 3.0 * self.std, "float32")
        nearest = ops.one_hot(ops.argmin(distances, axis=1), len(self.centers))
        self.counts.assign_add(ops.sum(nearest * close[:, None], axis=0))
        self.total.assign_add(ops.cast(ops.shape(generated)[0], "float32"))

    def result(self):
        even_share = self.total / len(self.centers)
        covered = ops.sum(ops.cast(self.counts >= self.min_share * even_share, "float32"))
        covered = ops.where(self.total > 0, covered, 0.0)
        return {
            "modes_covered": covered,
            "high_quality": ops.sum(self.counts) / ops.maximum(self.total, 1.0),
        }

    def get_config(self):
        return {
            **super().get_config(),
            "centers": self.centers.tolist(),
            "std": self.std,
            "min_share": self.min_share,
        }
