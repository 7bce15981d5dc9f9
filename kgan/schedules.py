"""Hyperparameters that change during training, as Keras schedules of a network's update count.

A schedule is a `keras.optimizers.schedules.LearningRateSchedule`: a saved, serializable
function of the step. Keras' optimizers take one as their learning rate; kgan takes one wherever
R3GAN's recipe (Huang et al., 2024) moves a setting over a run:

* `Cosine(start, end, steps)`: from `start` to `end` along half a cosine, then `end`;
* `HalfLifeDecay(half_life)`: the per-step decay of a moving average whose half-life, in steps,
  is a number or a schedule, for `GAN.compile(ema_schedule=...)`;
* `ScheduledAdam`: Keras' Adam whose `beta_2` may be a schedule;
* a regularizer's weight (`kgan.regularizers.R1(gamma=Cosine(...))`).
"""

from __future__ import annotations

import math

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kgan")
class Cosine(keras.optimizers.schedules.LearningRateSchedule):
    """`end + (start - end) * (1 + cos(pi * min(step / steps, 1))) / 2`: half a cosine from `start` to `end`.

    R3GAN's schedule (its `cosine_decay_with_warmup` without warm-up) for the learning rate, Adam's
    beta_2, the R1/R2 weight gamma and the EMA's half-life; `end` may be above `start`.

    Args:
        start: the value at step 0.
        end: the value from `steps` on.
        steps: the steps the change takes (> 0).

    Example:

    ```python
    learning_rate = kgan.schedules.Cosine(2e-4, 5e-5, steps=10_000)
    ```
    """

    def __init__(self, start, end, steps):
        if not (isinstance(steps, (int, float)) and steps > 0 and math.isfinite(steps)):
            raise ValueError(f"Cosine needs steps > 0 (the steps the change takes), got {steps!r}.")
        self.start = float(start)
        self.end = float(end)
        self.steps = float(steps)

    def __call__(self, step):
        progress = ops.minimum(ops.cast(step, "float32") / self.steps, 1.0)
        return self.end + (self.start - self.end) * 0.5 * (1.0 + ops.cos(math.pi * progress))

    def get_config(self):
        return {"start": self.start, "end": self.end, "steps": self.steps}


@keras.saving.register_keras_serializable(package="kgan")
class HalfLifeDecay(keras.optimizers.schedules.LearningRateSchedule):
    """The decay per step of a moving average whose half-life is `half_life` steps: `0.5 ** (1 / half_life)`.

    StyleGAN's and R3GAN's way of setting a generator EMA: by the time over which an old weight's
    share halves (they count it in images: divide by the batch size for steps). A half-life of 0
    gives decay 0 (the average copies the generator).

    Args:
        half_life: steps, a number or a schedule of the step (R3GAN's grows from 0 to a quarter
            of its schedule's length: `Cosine(0, steps / 4, steps)`).
    """

    def __init__(self, half_life):
        if not callable(half_life) and not half_life >= 0:
            raise ValueError(f"HalfLifeDecay needs a half_life >= 0 steps (or a schedule), got {half_life!r}.")
        self.half_life = half_life

    def __call__(self, step):
        half_life = ops.maximum(ops.cast(value_at(self.half_life, step), "float32"), 1e-8)
        return ops.power(0.5, 1.0 / half_life)

    def get_config(self):
        return {"half_life": value_config(self.half_life)}

    @classmethod
    def from_config(cls, config):
        return cls(from_value_config(config["half_life"]))


@keras.saving.register_keras_serializable(package="kgan")
class ScheduledAdam(keras.optimizers.Adam):
    """Keras' Adam whose `beta_2` may be a schedule of its iterations (R3GAN's 0.9 -> 0.99).

    The bias correction uses the current beta_2, as PyTorch's Adam does when a training loop
    changes its betas between steps (R3GAN's trainer). A number for `beta_2` makes it Keras' Adam.

    Args:
        learning_rate: a number or a schedule, as for Keras' Adam.
        beta_1: as for Keras' Adam.
        beta_2: a number or a schedule of the optimizer's iterations.
        **kwargs: Keras' Adam arguments.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, **kwargs):
        super().__init__(learning_rate, beta_1, 0.999 if callable(beta_2) else beta_2, **kwargs)
        self.beta_2_schedule = beta_2 if callable(beta_2) else None

    def update_step(self, gradient, variable, learning_rate):
        if self.beta_2_schedule is None:
            return super().update_step(gradient, variable, learning_rate)
        constant = self.beta_2
        self.beta_2 = self.beta_2_schedule(self.iterations)  # this step's value, read by Adam's update
        try:
            return super().update_step(gradient, variable, learning_rate)
        finally:
            self.beta_2 = constant

    def get_config(self):
        config = super().get_config()
        if self.beta_2_schedule is not None:
            config["beta_2"] = value_config(self.beta_2_schedule)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["beta_2"] = from_value_config(config["beta_2"])
        return super().from_config(config, custom_objects)


def value_at(value, step):
    """`value` at `step`: a schedule called on it, a number as it is."""
    return value(step) if callable(value) else value


def value_config(value):
    """A config entry for a number or a schedule."""
    return keras.saving.serialize_keras_object(value) if callable(value) else value


def from_value_config(config):
    """Inverse of `value_config`."""
    return keras.saving.deserialize_keras_object(config) if isinstance(config, dict) else config
