"""The schedule of callbacks that work every few epochs."""

from __future__ import annotations

import keras


class EveryFewEpochs(keras.callbacks.Callback):
    """A callback whose work is due at the end of every `every`-th epoch and of a `fit`'s last one.

    Subclasses call `self.due(epoch)` in `on_epoch_end` (and `super().on_train_begin(logs)` if they
    override it).
    """

    def __init__(self, every=1):
        super().__init__()
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be an int >= 1 (epochs between runs), got {every!r}.")
        self.every = every
        self._epochs = None

    def on_train_begin(self, logs=None):
        self._epochs = self.params.get("epochs") if self.params else None

    def due(self, epoch):
        """Whether the work is due at the end of `epoch` (counted from 0)."""
        last = self._epochs is not None and epoch + 1 == self._epochs
        return last or (epoch + 1) % self.every == 0
