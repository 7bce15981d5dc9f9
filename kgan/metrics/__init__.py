"""Metrics on generated samples, as streaming `keras.metrics.Metric` objects.

A sample metric's `update_state(generated, real=None)` takes a batch of generated samples (and
the real batch beside it, for metrics that compare). Use them in `GAN.compile(sample_metrics=[...])`
so `evaluate` reports them, or in `kgan.callbacks.SampleMetrics` to log them every few epochs.
"""
from kgan.metrics.mode_coverage import ModeCoverage


def results_of(metrics):
    """One flat dict of results: a metric's dict result is merged in, a scalar kept by its name."""
    results = {}
    for metric in metrics:
        result = metric.result()
        results.update(result if isinstance(result, dict) else {metric.name: result})
    return results


__all__ = ["ModeCoverage", "results_of"]
