"""A GAN's curves in TensorBoard: grouped by concern, on one step axis, laid out to read at a glance."""

from __future__ import annotations

import tensorflow as tf

from kgan.callbacks import board
from kgan.callbacks.schedule import is_count

#: Where each step log of the training step goes; penalties, extra losses and others are named below.
_STEP_TAGS = {
    "d_loss": "loss/d",
    "g_loss": "loss/g",
    "d_real": "balance/d_real",
    "d_fake": "balance/d_fake",
    "d_grad_norm": "gradients/d_norm",
    "g_grad_norm": "gradients/g_norm",
    "ada_p": "augment/ada_p",
}

#: Epoch logs another kgan callback already draws (the TrainingMonitor's `health/` curves).
_DRAWN_ELSEWHERE = ("d_gap", "diversity")


class TensorBoard(board.SummaryWriting):
    """Writes a GAN's training curves for TensorBoard, each once, grouped by concern.

    Every `update_freq` steps (and at the end of every epoch) it writes the means of the step
    logs over the steps since its last point, at the global step (the generator's updates, the
    step axis of every kgan summary: images and histograms too):

    * `loss/d`, `loss/g`, and the family's own loss terms (`loss/reconstruction`, `loss/cycle`, ...);
    * `balance/d_real`, `balance/d_fake`: D's mean verdict on real and fake samples, with
      `balance/equilibrium` (0.5) where the loss has one: at the equilibrium of the original GAN
      (and of least squares' 1/0 targets), D gives 0.5 to real and fake alike;
    * `gradients/d_norm`, `gradients/g_norm`; `penalty/<name>` (`gp`, `r1`, `pl`, ...);
      `augment/ada_p`; `learning_rate/d`, `learning_rate/g`;

    and at the end of every epoch the epoch-only logs: sample metrics as `metrics/<name>` (FID from
    `kgan.callbacks.SampleMetrics` placed before this callback) and validation logs as
    `validation/<name>`. It writes the run's settings to the HParams tab (`hparams`, by default the
    GAN's own: family, loss, learning rates, ...) and a Custom Scalars layout that puts related
    curves on one chart: D and G losses together, `d_real`/`d_fake` with the 0.5 line, both
    gradient norms, the penalties, ADA's p, each sample metric. Every kgan callback given the same
    `log_dir` writes into one event file, so TensorBoard shows one run.

    Args:
        log_dir: the TensorBoard folder.
        update_freq: steps between points; "epoch" for one point per epoch.
        hparams: the run's settings, `{name: str, int, float or bool}` (None values are written as
            "none"); None for the GAN's own.

    Example:

    ```python
    gan.fit(ds, callbacks=[kgan.callbacks.TensorBoard("runs/x/logs", update_freq=50)])
    ```
    """

    def __init__(self, log_dir, update_freq=50, hparams=None):
        super().__init__()
        if update_freq != "epoch" and not is_count(update_freq):
            raise ValueError(f"update_freq must be an int >= 1 (steps between points) or 'epoch', got {update_freq!r}.")
        self.log_dir = log_dir
        self.update_freq = update_freq
        self.hparams = hparams

    def on_train_begin(self, logs=None):
        self.open_summaries()
        self._means = board.StepMeans()
        self._step_keys = set()
        self._last_point = board.global_step(self.model)
        from tensorboard.plugins.hparams import api as hparams_api

        with board.recording(self._writer):
            hparams_api.hparams(_hparam_values(self.hparams or default_hparams(self.model)))

    def on_epoch_begin(self, epoch, logs=None):
        self._means.new_epoch()

    def on_train_batch_end(self, batch, logs=None):
        self._step_keys.update(logs or {})
        self._means.add(batch, logs or {})
        if self.update_freq != "epoch" and board.global_step(self.model) - self._last_point >= self.update_freq:
            self._write_point()

    def on_epoch_end(self, epoch, logs=None):
        if self._means.steps:
            self._write_point()
        step = board.global_step(self.model)
        values = {}
        for key, value in (logs or {}).items():
            if key in self._step_keys or key in _DRAWN_ELSEWHERE or not board.is_number(value):
                continue
            values[f"validation/{key[4:]}" if key.startswith("val_") else f"metrics/{key}"] = float(value)
        self._write(values, step)

    def _write_point(self):
        step = board.global_step(self.model)
        self._last_point = step
        values = {self._tag(key): value for key, value in self._means.take().items()}
        values["learning_rate/d"] = board.learning_rate(self.model.d_optimizer)
        values["learning_rate/g"] = board.learning_rate(self.model.g_optimizer)
        equilibrium = self.model.adversarial_loss.equilibrium
        if equilibrium is not None and "balance/d_real" in values:
            values["balance/equilibrium"] = equilibrium
        self._write(values, step)

    def _tag(self, key):
        model = self.model
        if key in _STEP_TAGS:
            return _STEP_TAGS[key]
        penalties = [r.name for r in model.regularizers]
        if key in penalties:
            return f"penalty/{key}"
        if key in model.extra_loss_trackers:
            return f"loss/{key}"
        return f"train/{key}"

    def _write(self, values, step):
        if not values:
            return
        with board.recording(self._writer):
            for tag, value in values.items():
                tf.summary.scalar(tag, value, step=step)
        board.add_charts(self.log_dir, "training", _charts(values), step)


def default_hparams(gan):
    """The settings of a compiled GAN that shape its training, for the HParams tab."""
    settings = {
        "family": type(gan).__name__,
        "loss": gan.adversarial_loss.name,
        "d_learning_rate": board.learning_rate(gan.d_optimizer),
        "g_learning_rate": board.learning_rate(gan.g_optimizer),
        "d_steps": gan.d_steps,
        "ema_decay": gan.ema_decay,
        "regularizers": ", ".join(type(r).__name__ for r in gan.regularizers),
        "augment": type(gan.augment).__name__ if gan.augment is not None else None,
        "precision": gan.dtype_policy.name,
    }
    if gan.uses_latent:
        settings["latent_dim"] = gan.latent_dim
    return settings


def _hparam_values(settings):
    """Settings as the HParams plugin takes them: str, int, float or bool (None and lists as text)."""
    values = {}
    for name, value in settings.items():
        if value is None:
            value = "none"
        elif not isinstance(value, (str, bool, int, float)):
            value = str(value)
        values[name] = value
    return values


def _charts(values):
    """The custom-scalars charts for these tags: related curves on shared axes."""
    tags = sorted(values)
    grouped = {
        "D and G losses": [t for t in ("loss/d", "loss/g") if t in values],
        "D's verdicts on real and fake (0.5 at equilibrium)": [
            t for t in ("balance/d_real", "balance/d_fake", "balance/equilibrium") if t in values
        ],
        "gradient norms": [t for t in tags if t.startswith("gradients/")],
        "the family's other losses": [t for t in tags if t.startswith("loss/") and t not in ("loss/d", "loss/g")],
        "penalties": [t for t in tags if t.startswith("penalty/")],
        "ADA's augmentation probability p": [t for t in tags if t.startswith("augment/")],
        "learning rates": [t for t in tags if t.startswith("learning_rate/")],
    }
    for tag in tags:
        if tag.startswith(("metrics/", "validation/", "train/")):
            grouped[tag] = [tag]  # each on its own scale
    return {title: chart for title, chart in grouped.items() if chart}
