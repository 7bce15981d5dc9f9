"""What kgan's TensorBoard callbacks share: one writer per log folder, the global step, step means.

Every kgan callback given the same `log_dir` writes through one summary writer, so TensorBoard
shows one run (not one per callback) and a live view sees every event: TensorBoard follows only
the newest event file of a folder while a run is written.
"""

from __future__ import annotations

import contextlib
import os
import re

import keras
import numpy as np
import tensorflow as tf
from keras import ops

_logs = {}  # absolute log folder -> its _SharedLog


class _SharedLog:
    """A log folder's writer, the callbacks using it, and the custom-scalars charts they declared."""

    def __init__(self, folder):
        self.writer = tf.summary.create_file_writer(folder)
        self.users = 0
        self.charts = {}  # title -> (category, tags), in the order declared
        self._written_charts = {}


def open_writer(log_dir):
    """The summary writer of `log_dir`, shared by every callback that opens it until each closes it."""
    key = os.path.abspath(log_dir)
    log = _logs.get(key)
    if log is None:
        log = _logs[key] = _SharedLog(key)
    log.users += 1
    return log.writer


def close_writer(log_dir):
    """Releases one `open_writer(log_dir)`; the last release closes the event file."""
    key = os.path.abspath(log_dir)
    log = _logs.get(key)
    if log is None:
        return
    log.users -= 1
    if log.users == 0:
        log.writer.close()
        del _logs[key]


def add_charts(log_dir, category, charts, step):
    """Puts `charts` (`{title: [tag, ...]}`, tags in the order drawn) on the custom-scalars page of
    `log_dir` (opened with `open_writer`) under `category`, rewriting its layout if it changed.

    TensorBoard's Custom Scalars tab then draws each chart's tags together on one set of axes.
    """
    log = _logs[os.path.abspath(log_dir)]
    for title, tags in charts.items():
        log.charts[title] = (category, tuple(tags))
    if log.charts == log._written_charts:
        return
    from tensorboard.plugins.custom_scalar import layout_pb2
    from tensorboard.plugins.custom_scalar import summary as custom_scalar_summary

    categories = {"training": []}  # the losses and balance first, then the others as declared
    for title, (chart_category, tags) in log.charts.items():
        content = layout_pb2.MultilineChartContent(tag=[f"^{re.escape(tag)}$" for tag in tags])
        categories.setdefault(chart_category, []).append(layout_pb2.Chart(title=title, multiline=content))
    layout = layout_pb2.Layout(
        category=[layout_pb2.Category(title=title, chart=charts) for title, charts in categories.items() if charts]
    )
    with recording(log.writer):
        summary = custom_scalar_summary.pb(layout)
        tf.summary.experimental.write_raw_pb(summary.SerializeToString(), step=step)
    log._written_charts = dict(log.charts)


class SummaryWriting(keras.callbacks.Callback):
    """A callback that writes into `self.log_dir` (None: no TensorBoard): `open_summaries()` (in
    `on_train_begin`) takes the folder's shared writer as `self._writer`; the end of training
    releases it. A Keras callback itself, so it can stand anywhere among a callback's bases."""

    _writer = None

    def open_summaries(self):
        if self.log_dir is not None and self._writer is None:
            self._writer = open_writer(self.log_dir)

    def on_train_end(self, logs=None):
        if self._writer is not None:
            close_writer(self.log_dir)
            self._writer = None


@contextlib.contextmanager
def recording(writer):
    """Writes summaries to `writer` whatever the surrounding `record_if`, then flushes them.

    Keras' TensorBoard callback with an integer `update_freq` mutes every summary written off its
    batch schedule, ours included (tensorflow/tensorflow#49109), hence `record_if(True)`.
    """
    with writer.as_default(), tf.summary.record_if(True):
        yield
    writer.flush()


def global_step(model):
    """Training steps the GAN has taken (its generator updates): the step axis of every summary."""
    return int(model.g_optimizer.iterations.numpy())  # int() alone fails on a MirroredVariable


def first_samples(data, num_samples, user):
    """The first `num_samples` of a dataset (or of one batch), in the batch's structure; `user`, the
    callback asking, names itself in the errors."""
    if isinstance(data, tf.data.Dataset):
        parts, count = [], 0
        for batch in data:
            parts.append(batch)
            count += int(tf.nest.flatten(batch)[0].shape[0])
            if count >= num_samples:
                break
        if not parts:
            raise ValueError(f"{user} was given an empty dataset; give it the data you train on.")
        data = tf.nest.map_structure(lambda *xs: tf.concat(xs, axis=0), *parts)
    data = tf.nest.map_structure(lambda x: ops.convert_to_tensor(x)[:num_samples], data)
    if int(tf.nest.flatten(data)[0].shape[0]) < 2:
        raise ValueError(
            "The training data holds a single image; a GAN learns a distribution from many. Train on "
            "more images (a larger folder or --limit), and with batches of at least 2."
        )
    return data


def histogram(tag, values, low, high, step, bins=30):
    """Writes a TensorBoard histogram of `values` over the fixed range [low, high] (values outside
    it are left out), so that histograms written with one range share their x-axis
    (`tf.summary.histogram` fits each to its own data). Call it under `recording`."""
    from tensorboard.plugins.histogram import metadata

    if high <= low:
        low, high = low - 0.5, high + 0.5
    counts, edges = np.histogram(values, bins=bins, range=(low, high))
    buckets = np.stack([edges[:-1], edges[1:], counts], axis=1).astype(np.float64)
    tf.summary.write(tag, buckets, step=step, metadata=metadata.create_summary_metadata(tag, ""))


def learning_rate(optimizer):
    """An optimizer's current learning rate as a float (a variable, or a schedule's tensor)."""
    return float(optimizer.learning_rate.numpy())


class StepMeans:
    """Means of the step logs over windows of steps, recovered from Keras' logs.

    Keras hands `on_train_batch_end` each metric's mean since the epoch began; a curve of those
    means lags and flattens as the epoch goes on. `add` turns them back into sums over the new
    steps; `take` returns the means since the last `take` and starts a new window.

    Args:
        keys: the logs to follow; None for every numeric one.
    """

    def __init__(self, keys=None):
        self.keys = keys
        self.steps = 0
        self._sums = {}
        self.new_epoch()

    def new_epoch(self):
        self._epoch_means, self._epoch_batches = {}, 0

    def add(self, batch, logs):
        """Adds the steps up to `batch` (counted from 0 in the epoch); returns how many were new."""
        batches = batch + 1
        new_steps = batches - self._epoch_batches
        for key, value in logs.items():
            if (self.keys is None or key in self.keys) and is_number(value):
                mean = float(value)
                total = mean * batches - self._epoch_means.get(key, 0.0) * self._epoch_batches
                self._sums[key] = self._sums.get(key, 0.0) + total
                self._epoch_means[key] = mean
        self._epoch_batches = batches
        self.steps += new_steps
        return new_steps

    def take(self):
        """`{key: mean over the window}`, and a new window."""
        means = {key: total / self.steps for key, total in self._sums.items()} if self.steps else {}
        self._sums, self.steps = {}, 0
        return means


def is_number(value):
    """Whether a log value is one number (Keras' logs may also hold arrays or strings)."""
    return np.ndim(value) == 0 and np.issubdtype(np.asarray(value).dtype, np.number)
