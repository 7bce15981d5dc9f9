"""Penalties on the discriminator and the generator that keep GAN training stable.

Each regularizer is a small object: `__call__` returns the unweighted penalty (a float32
scalar); `weight` scales it into its network's loss, `name` is its log name, and `every` > 1
applies it lazily, every `every` steps of its network with its weight multiplied by `every` so
that its average strength is unchanged (Karras et al., 2020). The lazy term joins that step's
loss, so it takes no optimizer step of its own (see docs/stylegan2.md on why Adam needs no
correction for it here).

A weight may be a Keras schedule of its network's updates (`kgan.schedules.Cosine`).

* On the discriminator (`Regularizer`), `__call__(discriminator, real, fake, real_logits, seed)`.
* On the generator (`GeneratorRegularizer`), `__call__(gan, real, condition, seed)`.

Each declares the network it regularizes (`network`); pass them all in one list,
`GAN.compile(regularizers=[...])`, and the training step adds each to its network's loss and
logs it under its name.
"""

from __future__ import annotations

import math

import keras
import tensorflow as tf
from keras import ops

from kgan import schedules


def _input_gradients(discriminator, samples):
    """Gradient of D's summed output with respect to its inputs, one row per sample."""
    samples = ops.cast(samples, "float32")
    with tf.GradientTape() as tape:
        tape.watch(samples)
        outputs = ops.cast(discriminator(samples, training=True), "float32")
    gradients = tape.gradient(outputs, samples)  # a non-scalar target is summed: d(sum D)/dx
    return ops.reshape(gradients, (ops.shape(gradients)[0], -1))


class Regularizer:
    """Base class: a weighted, optionally lazy penalty on the discriminator.

    Args:
        weight: multiplies the penalty in D's loss.
        every: apply every this many D steps (lazy regularization), scaled by `every`.
    """

    name = "regularizer"
    network = "discriminator"  # the network whose loss it joins

    def __init__(self, weight, every=1):
        if not callable(weight) and not weight >= 0:
            raise ValueError(f"{type(self).__name__} weight must be >= 0 or a schedule, got {weight}.")
        if not isinstance(every, int) or every < 1:
            raise ValueError(f"{type(self).__name__} every must be an int >= 1, got {every!r}.")
        self.weight = weight if callable(weight) else float(weight)
        self.every = every

    def weight_at(self, iterations):
        """The weight after `iterations` updates of its network: `weight`, or its schedule's value."""
        return schedules.value_at(self.weight, iterations)

    def build(self, gan):
        """Runs at `compile`; may take training state from `gan.state_variable(...)`."""

    def __call__(self, discriminator, real, fake, real_logits=None, seed=None):
        raise NotImplementedError

    def get_config(self):
        return {"weight": schedules.value_config(self.weight), "every": self.every}

    @classmethod
    def from_config(cls, config):
        return cls(**{key: schedules.from_value_config(value) for key, value in config.items()})

    def __repr__(self):
        config = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({config})"


@keras.saving.register_keras_serializable(package="kgan")
class GradientPenalty(Regularizer):
    """WGAN-GP: pushes the norm of D's gradient at points between real and fake samples to 1.

    The points are `real + u * (fake - real)` with `u ~ U[0, 1]` drawn per sample, and the
    penalty is `E[(||grad D(x_hat)|| - target)^2]` (Gulrajani et al., 2017), or with
    `one_sided=True` only the excess `E[max(0, ||grad|| - target)^2]` (Petzka et al., 2018).

    Args:
        weight: lambda, 10 in the paper.
        target: the gradient norm aimed at.
        one_sided: penalise only norms above the target.
        every: lazy application interval.
    """

    name = "gp"

    def __init__(self, weight=10.0, target=1.0, one_sided=False, every=1):
        super().__init__(weight, every)
        self.target = float(target)
        self.one_sided = bool(one_sided)

    def __call__(self, discriminator, real, fake, real_logits=None, seed=None):
        real, fake = ops.cast(real, "float32"), ops.cast(fake, "float32")
        shape = (ops.shape(real)[0],) + (1,) * (len(real.shape) - 1)
        u = keras.random.uniform(shape, 0.0, 1.0, seed=seed)
        between = real + u * (fake - real)
        norms = ops.sqrt(ops.sum(ops.square(_input_gradients(discriminator, between)), axis=1) + 1e-12)
        excess = norms - self.target
        if self.one_sided:
            excess = ops.relu(excess)
        return ops.mean(ops.square(excess))

    def get_config(self):
        return {**super().get_config(), "target": self.target, "one_sided": self.one_sided}


@keras.saving.register_keras_serializable(package="kgan")
class R1(Regularizer):
    """R1: penalises D's gradient on real samples, `gamma / 2 * E[||grad D(x)||^2]` (Mescheder et al., 2018).

    Args:
        gamma: the weight gamma (10 is common for images; smaller for low-dimensional data), or a
            schedule of D's updates (`kgan.schedules.Cosine`, as R3GAN's).
        every: lazy application interval (16 in StyleGAN2).
    """

    name = "r1"
    _on_real = True

    def __init__(self, gamma=10.0, every=1):
        super().__init__(gamma, every)

    def __call__(self, discriminator, real, fake, real_logits=None, seed=None):
        samples = real if self._on_real else fake
        return 0.5 * ops.mean(ops.sum(ops.square(_input_gradients(discriminator, samples)), axis=1))

    def get_config(self):
        return {"gamma": schedules.value_config(self.weight), "every": self.every}


@keras.saving.register_keras_serializable(package="kgan")
class R2(R1):
    """R2: the same penalty on fake samples, `gamma / 2 * E[||grad D(G(z))||^2]`."""

    name = "r2"
    _on_real = False


@keras.saving.register_keras_serializable(package="kgan")
class Drift(Regularizer):
    """Keeps a Wasserstein critic's outputs near 0: `E[D(x)^2]` (Karras et al., 2018, epsilon 1e-3).

    Args:
        weight: epsilon.
        every: lazy application interval.
    """

    name = "drift"

    def __init__(self, weight=1e-3, every=1):
        super().__init__(weight, every)

    def __call__(self, discriminator, real, fake, real_logits=None, seed=None):
        if real_logits is None:
            real_logits = discriminator(real, training=True)
        return ops.mean(ops.square(ops.cast(real_logits, "float32")))


class GeneratorRegularizer(Regularizer):
    """Base class of the penalties on the generator: `__call__(gan, real, condition, seed)`."""

    network = "generator"

    def __call__(self, gan, real, condition=None, seed=None):
        raise NotImplementedError


@keras.saving.register_keras_serializable(package="kgan")
class PathLength(GeneratorRegularizer):
    """Path-length regularization: a fixed-size step in the latent space moves the image by a fixed amount.

    Karras et al., 2020, section 3.2. For fakes `G(w)` and `y ~ N(0, I) / sqrt(height * width)`,
    the path length is `a = ||J_w^T y||` (the gradient of `sum(G(w) * y)` with respect to w, its
    norm averaged over StyleGAN2's per-layer ws); the penalty is `E[(a - mean)^2]`, with `mean` a
    running average of `a` (`mean += decay * (E[a] - mean)`) kept as the GAN's saved state
    `pl_mean`. The latents are the family's `latent_path`: StyleGAN2's ws, other GANs' z.

    Args:
        weight: the penalty's weight (2 in StyleGAN2).
        every: lazy interval in generator steps (4 in StyleGAN2).
        decay: the running mean's update rate (0.01).
        batch_fraction: the share of the batch the penalty uses (0.5, as StyleGAN2's "pl_batch_shrink" 2).
    """

    name = "pl"

    def __init__(self, weight=2.0, every=4, decay=0.01, batch_fraction=0.5):
        super().__init__(weight, every)
        if not 0.0 < decay <= 1.0:
            raise ValueError(f"PathLength decay must be in (0, 1], got {decay}.")
        if not 0.0 < batch_fraction <= 1.0:
            raise ValueError(f"PathLength batch_fraction must be in (0, 1], got {batch_fraction}.")
        self.decay = float(decay)
        self.batch_fraction = float(batch_fraction)
        self.mean = None

    def build(self, gan):
        self.mean = gan.state_variable("pl_mean")

    def __call__(self, gan, real, condition=None, seed=None):
        if self.mean is None:
            raise ValueError("PathLength is used by GAN.compile(regularizers=[...]), which builds it.")
        batch = ops.shape(tf.nest.flatten(real)[0])[0]
        if isinstance(batch, int):  # a static batch keeps static shapes (XLA needs them)
            count = max(1, int(batch * self.batch_fraction))
        else:
            count = ops.maximum(1, ops.cast(ops.cast(batch, "float32") * self.batch_fraction, "int32"))
        real, condition = tf.nest.map_structure(lambda t: None if t is None else t[:count], (real, condition))
        latents, synthesize = gan.latent_path(real, condition)
        with tf.GradientTape() as tape:
            tape.watch(latents)
            images = ops.cast(synthesize(latents), "float32")
            pixels = math.prod(images.shape[1:-1])
            noise = keras.random.normal(ops.shape(images), seed=seed) / math.sqrt(pixels)
            total = ops.sum(images * noise)
        gradients = ops.cast(tape.gradient(total, latents), "float32")
        gradients = ops.reshape(gradients, (ops.shape(gradients)[0], -1, gradients.shape[-1]))
        lengths = ops.sqrt(ops.mean(ops.sum(ops.square(gradients), axis=2), axis=1))
        mean = self.mean + self.decay * (ops.mean(lengths) - self.mean)
        self.mean.assign(ops.stop_gradient(mean))
        return ops.mean(ops.square(lengths - mean))

    def get_config(self):
        return {
            **super().get_config(),
            "decay": self.decay,
            "batch_fraction": self.batch_fraction,
        }


@keras.saving.register_keras_serializable(package="kgan")
class OrthogonalRegularization(GeneratorRegularizer):
    """Keeps the generator's filters near orthogonal: `sum over kernels W of ||W^T W * (1 - I)||_F^2`.

    Brock et al., 2019, section 3.1: BigGAN's form, which penalises only the inner products
    between different filters (the off-diagonal entries) and leaves their norms free, so the
    generator stays smooth enough for the truncation trick to trade variety for quality rather
    than break it. `W` is each kernel of the generator reshaped to `(fan_in, filters)`; class
    embeddings (not kernels) are left alone, as BigGAN leaves its shared embedding.

    Args:
        weight: beta (1e-4 in BigGAN).
        every: lazy interval in generator steps.
    """

    name = "ortho"

    def __init__(self, weight=1e-4, every=1):
        super().__init__(weight, every)

    def __call__(self, gan, real=None, condition=None, seed=None):
        total = ops.convert_to_tensor(0.0, "float32")
        for variable in gan.generator.trainable_variables:
            if len(variable.shape) < 2 or not variable.name.endswith("kernel"):
                continue
            kernel = ops.reshape(ops.cast(variable, "float32"), (-1, variable.shape[-1]))
            gram = ops.matmul(ops.transpose(kernel), kernel)
            off_diagonal = gram * (1.0 - ops.eye(variable.shape[-1], dtype="float32"))
            total = total + ops.sum(ops.square(off_diagonal))
        return total
