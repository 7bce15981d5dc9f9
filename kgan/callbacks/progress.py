"""One plain line per epoch, for logs and terminals alike; a time budget for training."""

from __future__ import annotations

import sys
import time

import keras

#: The epoch logs shown, in this order, when present: losses, D's balance (0.5 each at the
#: equilibrium), the TrainingMonitor's figures, gradient norms and sample metrics.
SHOWN = ("d_loss", "g_loss", "d_real", "d_fake", "d_gap", "diversity", "d_grad_norm", "g_grad_norm", "fid")


class EpochProgress(keras.callbacks.Callback):
    """Prints one line per epoch: time, images per second, the losses and health figures, an ETA.

    Keras' progress bar redraws one line with carriage returns, which a log file, CI or `nohup`
    turns into thousands of fragments (or, with `verbose=2`, lines without speed or ETA). This
    line is written once per epoch and flushed, with what a person watching a GAN wants: how
    long an epoch took, images per second, D's and G's losses, D's verdicts on real and fake
    (0.5 each at the equilibrium), the `TrainingMonitor`'s `d_gap` and `diversity` when it runs
    before this callback, and the time left for the run. Use it with `fit(..., verbose=0)`.

    Args:
        images_per_step: images in one training step (the batch size), for images per second.
        stream: where the lines go (default: standard output).
        time_limit: the run's `TimeLimit`, if any: the lines then count epochs without a total
            and the ETA is the sooner of the epochs' end and the limit's.

    Example:

    ```python
    gan.fit(ds, epochs=5, verbose=0, callbacks=[kgan.callbacks.EpochProgress(images_per_step=64)])
    # epoch 1/5  937 steps  61.2 s  980 images/s  d_loss 1.21  g_loss 0.93 ...  ETA 4m05s
    ```
    """

    def __init__(self, images_per_step, stream=None, time_limit=None):
        super().__init__()
        if isinstance(images_per_step, bool) or not isinstance(images_per_step, int) or images_per_step < 1:
            raise ValueError(f"images_per_step must be a positive int (the batch size), got {images_per_step!r}.")
        self.images_per_step = images_per_step
        self.stream = stream
        self.time_limit = time_limit

    def on_train_begin(self, logs=None):
        self._epoch_seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._started = time.perf_counter()
        self._steps = 0

    def on_train_batch_end(self, batch, logs=None):
        self._steps = batch + 1

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self._started
        self._epoch_seconds.append(seconds)
        epochs = self.params.get("epochs") or epoch + 1
        parts = [
            f"epoch {epoch + 1}" if self.time_limit else f"epoch {epoch + 1}/{epochs}",
            f"{self._steps} steps",
            f"{seconds:.1f} s",
            f"{self._steps * self.images_per_step / max(seconds, 1e-9):.0f} images/s",
        ]
        parts += [f"{key} {float(logs[key]):.3g}" for key in SHOWN if logs and key in logs]
        left = epochs - epoch - 1
        eta = left * sum(self._epoch_seconds) / len(self._epoch_seconds)
        if self.time_limit is not None:
            eta = 0.0 if self.model.stop_training else min(eta, self.time_limit.seconds_left())
        if left and eta > 0:
            parts.append(f"ETA {format_duration(eta)}")
        print("  ".join(parts), file=self.stream or sys.stdout, flush=True)


class TimeLimit(keras.callbacks.Callback):
    """Stops training once `minutes` have passed since `fit` began: a time budget instead of a count.

    The step running at the deadline is the last: its epoch ends there, so that epoch's callbacks
    (checkpoints, sample grids, logs) run as usual, and `fit` returns. Combine it with `epochs`
    as a cap: training stops at whichever comes first. Schedules that need the run's length in
    steps (learning-rate decays, R3GAN's) do not know when a time limit ends the run.

    Args:
        minutes: the budget, from the start of `fit` (tracing included).

    Example:

    ```python
    gan.fit(ds, epochs=1000, callbacks=[kgan.callbacks.TimeLimit(minutes=10)])
    ```
    """

    def __init__(self, minutes):
        super().__init__()
        if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or not 0 < minutes < float("inf"):
            raise ValueError(f"minutes must be a positive number, got {minutes!r}.")
        self.minutes = float(minutes)
        self.deadline = None
        self.reached = False

    def on_train_begin(self, logs=None):
        self.deadline = time.monotonic() + 60.0 * self.minutes
        self.reached = False

    def on_train_batch_end(self, batch, logs=None):
        if time.monotonic() >= self.deadline:
            self.reached = True
            self.model.stop_training = True

    def seconds_left(self):
        """Seconds until the deadline (the whole budget before `fit` begins)."""
        return 60.0 * self.minutes if self.deadline is None else max(0.0, self.deadline - time.monotonic())


def format_duration(seconds):
    """`75.3` -> "1m15s", `3725` -> "1h02m05s", `9.2` -> "9s"."""
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{seconds:02d}s"
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"
