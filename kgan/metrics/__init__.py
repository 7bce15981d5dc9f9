"""Metrics on generated samples, as streaming `keras.metrics.Metric` objects: FID, KID, Inception
Score, improved precision/recall, density/coverage (on the features of a pluggable extractor),
the classes a generator covers (StackedMNIST's modes), a conditional generator's class accuracy
and FID per class, a translator's PSNR and SSIM, and
mode coverage of toy mixtures.

A sample metric's `update_state(generated, real=None)` takes a batch of generated samples (and
the real batch beside it, for metrics that compare). Use them in `GAN.compile(sample_metrics=[...])`
so `evaluate` reports them, or in `kgan.callbacks.SampleMetrics` to log them every few epochs.
"""

from kgan.metrics.extractors import domain_accuracies, domain_extractor, inception_v3
from kgan.metrics.feature_metrics import (
    DensityCoverage,
    FIDInfinity,
    FrechetInceptionDistance,
    InceptionScore,
    KernelInceptionDistance,
    PrecisionRecall,
    frechet_distance,
    reference_statistics,
)
from kgan.metrics.mode_coverage import ModeCoverage
from kgan.metrics.standard_inception import fid_inception
from kgan.metrics.task_metrics import (
    ClassAccuracy,
    ClassCoverage,
    IntraClassFID,
    PeakSignalToNoiseRatio,
    StructuralSimilarity,
)


def results_of(metrics):
    """One flat dict of results: a metric's dict result is merged in, a scalar kept by its name."""
    results = {}
    for metric in metrics:
        result = metric.result()
        results.update(result if isinstance(result, dict) else {metric.name: result})
    return results


__all__ = [
    "ClassAccuracy",
    "ClassCoverage",
    "DensityCoverage",
    "FIDInfinity",
    "FrechetInceptionDistance",
    "InceptionScore",
    "IntraClassFID",
    "KernelInceptionDistance",
    "ModeCoverage",
    "PeakSignalToNoiseRatio",
    "PrecisionRecall",
    "StructuralSimilarity",
    "domain_accuracies",
    "domain_extractor",
    "fid_inception",
    "frechet_distance",
    "inception_v3",
    "reference_statistics",
    "results_of",
]
