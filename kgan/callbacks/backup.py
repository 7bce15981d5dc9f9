"""Resume state written while training, so that a run killed at any step continues where it stopped."""

from __future__ import annotations

import glob
import json
import os
import re
import shutil

import keras

from kgan import cluster

#: A backup: `state-<epoch>-<step>.weights.h5`, complete once `state-<epoch>-<step>.json` is written.
_STATE = re.compile(r"state-(\d+)-(\d+)\.json$")


class BackupAndRestore(keras.callbacks.Callback):
    """Keras' `BackupAndRestore`, also within an epoch: the whole training state (every network's
    weights, the optimizers' slots and steps, the GAN's random state) at the end of every epoch and
    every `every` steps, restored when `fit` starts again with the same folder at the step it was
    taken. A run killed at any step and started again ends with the weights of an uninterrupted
    one: Keras starts at the backup's epoch and the GAN reads and skips the batches of that epoch
    it had trained on (`GAN.skip_batches`), which are the same batches because kgan's pipelines
    replay each epoch's order.

    Each backup is written as `state-E-S.weights.h5` and then `state-E-S.json` (epoch E, S steps
    into it); one counts once its JSON is there, and the one before is deleted after, so a kill at
    any moment leaves a whole backup. The folder is removed when training ends.

    Under `MultiWorkerMirroredStrategy` only the chief writes (`kgan.cluster.is_chief`); every
    process restores from the same folder, which must then be on storage they share.

    Args:
        backup_dir: the folder.
        every: steps between backups within an epoch (None: at the ends of epochs only).
    """

    def __init__(self, backup_dir, every=None):
        super().__init__()
        if not backup_dir:
            raise ValueError("BackupAndRestore needs a backup_dir.")
        if every is not None and int(every) < 1:
            raise ValueError(f"every must be a positive number of steps (or None), got {every!r}.")
        self.backup_dir = os.fspath(backup_dir)
        self.every = None if every is None else int(every)
        self._resume_at = None  # (epoch, step) of the backup restored
        self._epoch = 0
        self._skipped = 0  # steps of this epoch restored rather than run (Keras counts batches after them)
        self._saved_step = 0

    def on_train_begin(self, logs=None):
        latest = self._latest()
        if latest is None:
            return
        (epoch, step), weights = latest
        optimizer = self.model.optimizer  # a kgan GAN builds its two optimizers in compile()
        if optimizer is not None and not optimizer.built:
            optimizer.build(self.model.trainable_variables)
        self.model.load_weights(weights)
        self.model._initial_epoch = epoch  # where Keras' own BackupAndRestore tells fit to start
        if step:
            if not hasattr(self.model, "skip_batches"):
                raise ValueError(
                    f"{self.backup_dir} holds a backup taken {step} steps into epoch {epoch + 1}; only a kgan "
                    "GAN can skip the batches it had trained on. Resume it with a kgan GAN."
                )
            self.model.skip_batches(step)
        self._resume_at = (epoch, step)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        resumed_here = self._resume_at is not None and self._resume_at[0] == epoch
        self._skipped = self._resume_at[1] if resumed_here else 0
        self._saved_step = self._skipped

    def on_train_batch_end(self, batch, logs=None):
        step = self._skipped + batch + 1
        epoch_ends = step >= ((self.params or {}).get("steps") or float("inf"))  # on_epoch_end saves that one
        if self.every is not None and step - self._saved_step >= self.every and not epoch_ends:
            self._save(self._epoch, step)

    def on_epoch_end(self, epoch, logs=None):
        self._save(epoch + 1, 0)

    def on_train_end(self, logs=None):
        self._resume_at = None
        if cluster.is_chief(self.model.distribute_strategy):
            shutil.rmtree(self.backup_dir, ignore_errors=True)

    def _save(self, epoch, step):
        self._saved_step = step
        if not cluster.is_chief(self.model.distribute_strategy):
            return
        os.makedirs(self.backup_dir, exist_ok=True)
        earlier = glob.glob(os.path.join(self.backup_dir, "state-*"))
        stem = os.path.join(self.backup_dir, f"state-{epoch}-{step}")
        self.model.save_weights(f"{stem}.weights.h5", overwrite=True)
        with open(f"{stem}.json.partial", "w") as f:
            json.dump({"epoch": epoch, "step": step}, f)
        os.replace(f"{stem}.json.partial", f"{stem}.json")  # the backup counts from here
        for file in earlier:
            if not file.startswith(stem + "."):
                os.remove(file)

    def _latest(self):
        """`((epoch, step), weights file)` of the newest whole backup, or None."""
        found = []
        for file in glob.glob(os.path.join(self.backup_dir, "state-*.json")):
            match = _STATE.search(os.path.basename(file))
            weights = file[: -len(".json")] + ".weights.h5"
            if match and os.path.exists(weights):
                found.append(((int(match[1]), int(match[2])), weights))
        keras_backup = os.path.join(self.backup_dir, "latest.weights.h5")  # kgan 0.1 used Keras' callback
        keras_metadata = os.path.join(self.backup_dir, "training_metadata.json")
        if not found and os.path.exists(keras_backup) and os.path.exists(keras_metadata):
            with open(keras_metadata) as f:
                found.append(((int(json.load(f)["epoch"]), 0), keras_backup))
        return max(found) if found else None
