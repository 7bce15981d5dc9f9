"""A callback that watches a GAN's training and says, in plain language, what is going wrong."""

from __future__ import annotations

import math
import warnings

import numpy as np
import tensorflow as tf
from keras import ops

from kgan.callbacks import board

#: The per-step logs the monitor averages over each check window.
_WATCHED = ("d_loss", "g_loss", "d_real", "d_fake", "d_grad_norm", "g_grad_norm")

#: D's win margin, `d_real - d_fake` when it separates real from fake outright, per loss: 1 for
#: probabilities and least squares' 1/0 targets, 2 for hinge's +-1 margins. Losses without a
#: bounded margin (Wasserstein, relativistic) are not checked for it.
_WIN_MARGINS = {"least_squares": 1.0, "hinge": 2.0}

_REMEDIES = {
    "discriminator_wins": (
        "Weaken D or strengthen G: a lower learning rate for D (or a higher one for G) in "
        "compile(), label_smoothing=0.1, instance_noise=0.1, augment=kgan.augment.AdaptiveAugment(), "
        "regularizers=[kgan.regularizers.R1(10.0)], spectral normalization (kgan.SNGAN), or d_steps=1."
    ),
    "vanishing_gradients": (
        "Use loss='non_saturating' (the minimax loss saturates when D wins), 'least_squares' or "
        "'hinge'; weaken D as for a winning discriminator; check that G's last layer does not "
        "saturate (tanh fed large values) and that its ReLUs are not dead; raise G's learning rate."
    ),
    "mode_collapse": (
        "Use loss='hinge' with spectral normalization (kgan.SNGAN) or a gradient penalty "
        "(kgan.WGANGP), regularizers=[kgan.regularizers.R1(10.0)], lower learning rates, "
        "augment=kgan.augment.DiffAugment(), and ema_decay=0.999 for the samples you keep."
    ),
    "oscillation": (
        "Lower both learning rates (halve them), use two time-scales (learning_rate=(4e-4, "
        "1e-4)), betas=(0.0, 0.99) or (0.5, 0.999), regularizers=[kgan.regularizers.R1(10.0)] or "
        "kgan.WGANGP's gradient penalty, and ema_decay=0.999 for the samples you keep."
    ),
    "non_finite": (
        "Lower the learning rates, add a gradient penalty or R1 (kgan.regularizers), check the data "
        "for NaN or Inf, and with mixed_float16 keep loss scaling on."
    ),
}


class TrainingHealthWarning(UserWarning):
    """A GAN training problem found by `kgan.callbacks.TrainingMonitor`."""


class TrainingMonitor(board.SummaryWriting):
    """Watches a GAN's logs, gradients and samples, and warns in plain language when training fails.

    Every `check_every` training steps, and at the end of every epoch, the monitor averages the
    step's logs over the steps since the last check, runs the generator on a fixed batch of inputs
    and the discriminator on a fixed real batch and on those fakes, and looks for:

    * **the discriminator winning outright**: `d_real - d_fake` above `dominance` of its full
      margin (D gives real about 1 and fake about 0; hinge: +1 and -1) for `patience` checks;
    * **vanishing generator gradients**: `g_grad_norm` below `vanishing_ratio` of the largest
      value seen in the run (or exactly zero) for `patience` checks;
    * **mode collapse**: the fixed fakes' mean pairwise distance below `min_diversity` of the real
      batch's and not rising (by a tenth of `min_diversity` over `patience` checks), for `patience` checks after
      `warmup_steps`;
    * **oscillation without progress**: over the last `oscillation_checks` checks, the losses
      swing up and down by more than `oscillation` of their size while the fakes get no closer
      to the real batch (per-pixel mean and standard deviation);
    * **NaN or Inf** in the logs: training stops, the weights and optimizer states go back to the
      last check at which all were finite, and the message says so. Checkpoint callbacks placed
      after the monitor (`ModelCheckpoint`, `BackupAndRestore`) then save those good weights.

    Each warning is a `TrainingHealthWarning` naming remedies kgan offers; it is raised once
    when its condition appears (again if it clears and returns), kept in `warnings_seen`, and
    written to TensorBoard as text under `health/`; at the end of every epoch `health/summary`
    says which problems are present, or that none were seen. Every check is kept in `history`
    and written to TensorBoard at the global step: `health/diversity`, `health/sample_gap`, and
    histograms of D's outputs on the fixed real and fake batches on one shared range
    (`balance/d_output_real`, `balance/d_output_fake`; probabilities in [0, 1] for probability
    losses). The losses, `d_real`/`d_fake` and gradient norms are `kgan.callbacks.TensorBoard`'s
    to draw. The epoch logs gain `d_gap` and `diversity` from the epoch's last check (place the
    monitor before `TensorBoard` and checkpoint callbacks, and after `BackupAndRestore`, which
    restores the weights it watches).

    Args:
        data: the real data to compare with: a `tf.data.Dataset` like the one given to `fit`, or
            one batch in its structure (images; `(images, labels)` for conditional GANs;
            `(source, target)` pairs for translation). The first `num_samples` are read when the
            monitor is made (so data it cannot use fail at once, before training). Reading
            a kgan pipeline does not change the order `fit` sees (its epochs' orders are fixed
            by the seed); reading another seeded, reshuffling tf.data dataset starts a pass that
            reorders its later passes, so give the monitor its own copy of such data.
        log_dir: TensorBoard folder; None for none.
        check_every: training steps between checks.
        patience: consecutive checks a condition must hold before it is reported.
        warmup_steps: steps before mode collapse is judged (a fresh generator makes near-constant
            images).
        num_samples: size of the fixed real and fake batches.
        seed: seeds the fixed latent vectors (the model's own random state is not touched).
        dominance: fraction of D's full win margin that counts as winning outright.
        vanishing_ratio: `g_grad_norm` below this fraction of its largest value counts as vanished.
        min_diversity: diversity of the fakes, relative to the real batch's, below which samples
            count as collapsed.
        oscillation_checks: how many recent checks the oscillation test looks at.
        oscillation: the losses' mean change between checks, relative to their mean size, above
            which they count as swinging.
        stop_on_non_finite: stop training on NaN/Inf (True) or only warn.

    Example:

    ```python
    monitor = kgan.callbacks.TrainingMonitor(dataset, log_dir="runs/x/logs")
    gan.fit(dataset, epochs=20, callbacks=[monitor, keras.callbacks.ModelCheckpoint("gan.keras")])
    ```
    """

    def __init__(
        self,
        data,
        log_dir=None,
        check_every=100,
        patience=5,
        warmup_steps=500,
        num_samples=64,
        seed=0,
        dominance=0.8,
        vanishing_ratio=1e-2,
        min_diversity=0.3,
        oscillation_checks=10,
        oscillation=0.5,
        stop_on_non_finite=True,
    ):
        super().__init__()
        if check_every < 1 or patience < 1 or num_samples < 2 or oscillation_checks < 3:
            raise ValueError(
                "TrainingMonitor needs check_every >= 1, patience >= 1, num_samples >= 2 and "
                f"oscillation_checks >= 3; got {check_every}, {patience}, {num_samples}, "
                f"{oscillation_checks}."
            )
        self.data = data
        self.log_dir = log_dir
        self.check_every = int(check_every)
        self.patience = int(patience)
        self.warmup_steps = int(warmup_steps)
        self.num_samples = int(num_samples)
        self._first_batch = board.first_samples(data, self.num_samples, "TrainingMonitor")
        self.seed = seed
        self.dominance = float(dominance)
        self.vanishing_ratio = float(vanishing_ratio)
        self.min_diversity = float(min_diversity)
        self.oscillation_checks = int(oscillation_checks)
        self.oscillation = float(oscillation)
        self.stop_on_non_finite = stop_on_non_finite
        self.history = []
        self.warnings_seen = []
        self.stop_reason = None
        self._probe = None
        self._snapshot = None
        self._streaks = {}
        self._active = set()
        self._largest_g_grad_norm = 0.0

    # --- Keras hooks --------------------------------------------------------------------------

    def on_train_begin(self, logs=None):
        if self._probe is None:
            self._probe = _Probe(self.model, self._first_batch, self.seed)
        self.open_summaries()
        self._step = board.global_step(self.model)
        self._last_check = self._step
        self._window = board.StepMeans(_WATCHED)
        self.stop_reason = None
        self._take_snapshot()

    def on_epoch_begin(self, epoch, logs=None):
        self._window.new_epoch()

    def on_train_batch_end(self, batch, logs=None):
        logs = logs or {}
        self._step += self._window.add(batch, logs)
        bad = sorted(k for k in ("d_loss", "g_loss") if k in logs and not math.isfinite(float(logs[k])))
        if bad:
            self._stop_on_non_finite(bad, logs)
        elif self._step - self._last_check >= self.check_every:
            self._check()

    def on_epoch_end(self, epoch, logs=None):
        if self.stop_reason is None and self._window.steps:
            self._check()  # epochs shorter than check_every still get checked, and logged
        if logs is not None and self.history:
            logs["d_gap"] = self.history[-1]["d_gap"]
            logs["diversity"] = self.history[-1]["diversity"]
        self._write_health_summary()

    # --- checks -------------------------------------------------------------------------------

    def _check(self):
        window = self._window.take()
        for key in ("d_grad_norm", "g_grad_norm"):  # norms >= 0; recovering them from means may round below
            window[key] = max(window[key], 0.0)
        self._last_check = self._step
        real_output, fake_output, diversity, sample_gap = self._probe.measure(self.model)
        record = {
            "step": self._step,
            **window,
            "d_gap": window["d_real"] - window["d_fake"],
            "diversity": diversity,
            "sample_gap": sample_gap,
            "d_learning_rate": board.learning_rate(self.model.d_optimizer),
            "g_learning_rate": board.learning_rate(self.model.g_optimizer),
        }
        self.history.append(record)
        self._largest_g_grad_norm = max(self._largest_g_grad_norm, record["g_grad_norm"])
        self._write_summaries(record, real_output, fake_output)
        if all(math.isfinite(v) for v in window.values()):
            self._take_snapshot()
        for kind, message in self._diagnose(record).items():
            self._streaks[kind] = self._streaks.get(kind, 0) + 1 if message else 0
            if not message:
                self._active.discard(kind)
            elif self._streaks[kind] >= self.patience and kind not in self._active:
                self._active.add(kind)
                self._warn(kind, message)

    def _diagnose(self, record):
        """`{kind: message or None}` for this check: a message where the condition holds."""
        step = record["step"]
        found = {}
        margin = _win_margin(self.model.adversarial_loss)
        found["discriminator_wins"] = None
        if margin is not None and record["d_gap"] > self.dominance * margin:
            found["discriminator_wins"] = (
                f"The discriminator is winning outright (step {step}): it gives real samples "
                f"{record['d_real']:.3f} and fakes {record['d_fake']:.3f} (d_loss "
                f"{record['d_loss']:.3g}), so the generator learns little from it. At equilibrium "
                "both would be about 0.5."
            )
        norm = record["g_grad_norm"]
        found["vanishing_gradients"] = None
        if norm <= 1e-12 or norm < self.vanishing_ratio * self._largest_g_grad_norm:
            found["vanishing_gradients"] = (
                f"The generator's gradients have vanished (step {step}): their norm is {norm:.3g}, "
                f"against {self._largest_g_grad_norm:.3g} at most earlier in the run; the "
                "generator has stopped learning."
            )
        found["mode_collapse"] = None
        earlier = self.history[-self.patience - 1]["diversity"] if len(self.history) > self.patience else 0.0
        rising = record["diversity"] - earlier > 0.1 * self.min_diversity  # a young generator spreading out
        if step >= self.warmup_steps and record["diversity"] < self.min_diversity and not rising:
            found["mode_collapse"] = (
                f"The samples have lost their diversity (step {step}): fakes from a fixed batch "
                f"of latent vectors are {record['diversity']:.2f} times as far apart as real "
                "samples are (1 is as varied as the data): the generator is collapsing onto a "
                "few modes."
            )
        found["oscillation"] = self._oscillation_message()
        return {kind: message and f"{message} Try: {_REMEDIES[kind]}" for kind, message in found.items()}

    def _oscillation_message(self):
        recent = self.history[-self.oscillation_checks :]
        if len(self.history) < self.oscillation_checks or recent[0]["step"] < self.warmup_steps:
            return None
        swings = [_swing([r[key] for r in recent]) for key in ("d_loss", "g_loss")]
        if max(swings) <= self.oscillation:
            return None
        earlier = [r["sample_gap"] for r in self.history[: -self.oscillation_checks]]
        before = min(earlier) if earlier else recent[0]["sample_gap"]
        now = min(r["sample_gap"] for r in recent[1:])
        if now < 0.95 * before:
            return None  # the samples still get closer to the data: swinging, but progressing
        return (
            f"The losses oscillate without progress (steps {recent[0]['step']}-{recent[-1]['step']}): "
            f"they change by {max(swings):.2f} of their size from one check to the next, while the "
            f"fakes come no closer to the real data (pixel-statistics gap {now:.3g}, was {before:.3g})."
        )

    def _stop_on_non_finite(self, keys, logs):
        where = f"at step {self._step}: " + ", ".join(f"{k} = {float(logs[k])}" for k in keys)
        if not self.stop_on_non_finite:
            if "non_finite" not in self._active:  # once: the epoch's running means stay NaN
                self._active.add("non_finite")
                self._warn(
                    "non_finite",
                    f"Training diverged {where}. Training continues "
                    f"(stop_on_non_finite=False). Try: {_REMEDIES['non_finite']}",
                )
            return
        restored = self._restore_snapshot()
        self.model.stop_training = True
        self.stop_reason = "non_finite"
        if restored is None:
            action = "Training stopped; no finite weights had been kept to restore."
        else:
            action = (
                f"Training stopped, and the weights and optimizer states were restored from step "
                f"{restored}, the last check at which they were finite; checkpoints written from "
                "here on hold them."
            )
        self._warn("non_finite", f"Training diverged {where}. {action} Try: {_REMEDIES['non_finite']}")

    # --- output -------------------------------------------------------------------------------

    def _warn(self, kind, message):
        self.warnings_seen.append({"step": self._step, "kind": kind, "message": message})
        warnings.warn(message, TrainingHealthWarning, stacklevel=2)
        if self._writer is not None:
            with board.recording(self._writer):
                tf.summary.text(f"health/{kind}", message, step=self._step)

    def _write_health_summary(self):
        """`health/summary`: the problems present now, or that none were seen; a healthy run's
        Text tab is not empty."""
        if self._writer is None:
            return
        if self._active:
            found = "; ".join(kind.replace("_", " ") for kind in sorted(self._active))
            summary = f"Problems present at step {self._step}: {found} (the warnings under health/ say what to try)."
        else:
            summary = (
                f"No problems seen at step {self._step}: the checks (every {self.check_every} steps and at each "
                "epoch's end) found neither the discriminator winning outright, vanishing generator gradients, "
                "mode collapse, oscillation without progress, nor NaN/Inf"
                + (f" (earlier warnings: {len(self.warnings_seen)}, since cleared)." if self.warnings_seen else ".")
            )
        with board.recording(self._writer):
            tf.summary.text("health/summary", summary, step=self._step)

    def _write_summaries(self, record, real_output, fake_output):
        if self._writer is None:
            return
        step = record["step"]
        if self.model.adversarial_loss.probability:
            low, high = 0.0, 1.0
        else:
            low, high = (
                float(min(real_output.min(), fake_output.min())),
                float(max(real_output.max(), fake_output.max())),
            )
        with board.recording(self._writer):
            tf.summary.scalar("health/diversity", record["diversity"], step=step)
            tf.summary.scalar("health/sample_gap", record["sample_gap"], step=step)
            for name, output in (("real", real_output), ("fake", fake_output)):
                board.histogram(f"balance/d_output_{name}", output, low, high, step)
        board.add_charts(
            self.log_dir,
            "health",
            {
                "sample diversity (1 = as varied as the data)": ["health/diversity"],
                "pixel-statistics gap to the data": ["health/sample_gap"],
            },
            step,
        )

    # --- the last good state ------------------------------------------------------------------

    def _state_variables(self):
        model = self.model
        variables, seen = [], set()
        sources = [model.weights, model.d_optimizer.variables, model.g_optimizer.variables]
        for variable in [v for source in sources for v in source] + model._seed_states():
            if id(variable) not in seen:
                seen.add(id(variable))
                variables.append(variable)
        return variables

    def _take_snapshot(self):
        values = [v.numpy() for v in self._state_variables()]
        if all(np.all(np.isfinite(v)) for v in values if np.issubdtype(v.dtype, np.floating)):
            self._snapshot = (self._step, values)

    def _restore_snapshot(self):
        if self._snapshot is None:
            return None
        step, values = self._snapshot
        for variable, value in zip(self._state_variables(), values):
            variable.assign(value)
        return step


class _Probe:
    """The fixed real batch and the fixed generator inputs the monitor measures at every check."""

    def __init__(self, model, batch, seed):
        # Everything random here comes from `seed`, so a monitored run trains exactly like an
        # unmonitored one.
        self.real, condition = model.unpack(batch)
        self.condition = model.complete_condition(self.real, condition, seed=seed)
        self.inputs = model.generator_inputs(self.real, self.condition, seed=seed)
        self.real_spread = _mean_pairwise_distance(self.real)
        if self.real_spread == 0.0:
            raise ValueError(
                "TrainingMonitor's real batch has identical samples; give it varied data (more "
                "than one distinct image)."
            )

    def measure(self, model):
        """`(D outputs on real, D outputs on fake, relative diversity, pixel-statistics gap)`."""
        fake = model.generator(self.inputs, training=False)
        outputs = []
        for samples in (self.real, fake):
            logits = ops.cast(
                model.adversarial_logits(model.discriminate(samples, self.condition, training=False)), "float32"
            )
            outputs.append(ops.convert_to_numpy(ops.sigmoid(logits) if model.adversarial_loss.probability else logits))
        diversity = _mean_pairwise_distance(fake) / self.real_spread
        return outputs[0].ravel(), outputs[1].ravel(), diversity, _moment_gap(fake, self.real)


def _flat_samples(samples):
    """A batch (or a nest of batches, one per domain) as one `(n, features)` float64 array."""
    parts = [np.reshape(ops.convert_to_numpy(s), (int(s.shape[0]), -1)) for s in tf.nest.flatten(samples)]
    return np.concatenate(parts, axis=1).astype(np.float64)


def _mean_pairwise_distance(samples):
    x = _flat_samples(samples)
    squared = np.sum(x * x, axis=1)
    distances = np.sqrt(np.maximum(squared[:, None] + squared[None, :] - 2.0 * x @ x.T, 0.0))
    n = len(x)
    return float(distances.sum() / (n * (n - 1)))


def _moment_gap(fake, real):
    """How far the fakes' per-pixel mean and standard deviation are from the real batch's."""
    f, r = _flat_samples(fake), _flat_samples(real)
    return float(np.mean(np.abs(f.mean(0) - r.mean(0))) + np.mean(np.abs(f.std(0) - r.std(0))))


def _swing(values):
    """Mean change between consecutive values relative to their mean size; 0 unless they zigzag."""
    changes = np.diff(values)
    reversals = np.mean(changes[1:] * changes[:-1] < 0) if len(changes) > 1 else 0.0
    if reversals < 0.5:
        return 0.0  # a trend, not an oscillation
    return float(np.mean(np.abs(changes)) / (np.mean(np.abs(values)) + 1e-12))


def _win_margin(adversarial_loss):
    if adversarial_loss.probability:
        return 1.0
    return _WIN_MARGINS.get(adversarial_loss.name)
