"""Metrics of freshly generated samples, computed every few epochs into the logs."""

from __future__ import annotations

from kgan.callbacks.schedule import EveryFewEpochs
from kgan.seeding import sub_seed
from kgan.trained.evaluation import evaluate


class SampleMetrics(EveryFewEpochs):
    """Generates `num_samples` at the end of every `every` epochs and logs the given metrics.

    The results join the epoch's logs, so `History`, `kgan.callbacks.TensorBoard` and
    `ModelCheckpoint(monitor=...)` placed after this callback see them: keep the checkpoint with
    the best FID with `keras.callbacks.ModelCheckpoint("best.keras", monitor="fid", mode="min",
    save_best_only=True)`. The samples come from the GAN's `inference_generator` (the EMA when
    kept), through `kgan.evaluate`, with the seed `kgan.seeding.sub_seed(seed, "epoch", epoch)`.

    Args:
        metrics: sample metrics, e.g. `[kgan.metrics.FrechetInceptionDistance(extractor)]` or
            `[kgan.metrics.ModeCoverage(centers, std)]`.
        num_samples: samples per evaluation.
        every: evaluate every this many epochs (and after the last).
        seed: base seed of the latent draws.
        real_data: real images for the metrics that compare (a dataset or an array in [-1, 1]);
            not needed with reference statistics or for ModeCoverage.
    """

    def __init__(self, metrics, num_samples=2500, every=1, seed=0, real_data=None):
        super().__init__(every)
        if not metrics:
            raise ValueError("SampleMetrics needs at least one metric.")
        if num_samples < 1:
            raise ValueError(f"num_samples must be >= 1, got {num_samples}.")
        self.sample_metrics = list(metrics)
        self.num_samples = num_samples
        self.seed = seed
        self.real_data = real_data

    def on_epoch_end(self, epoch, logs=None):
        if not self.due(epoch):
            return
        results = evaluate(
            self.model, self.real_data, self.sample_metrics, self.num_samples, seed=sub_seed(self.seed, "epoch", epoch)
        )
        results.pop("real_samples")
        if logs is not None:
            logs.update(results)
