"""R3GAN: the regularized relativistic GAN with a modern normalization-free ResNet."""

from __future__ import annotations

import keras

from kgan import schedules
from kgan.architectures import r3gan as networks
from kgan.models.conditional import ClassConditioning
from kgan.models.gan import GAN
from kgan.regularizers import R1, R2

#: The official CIFAR-10 preset (brownvc/R3GAN's train.py): 4 stages of width 768, 2 blocks and
#: 96 groups each, expansion 2, 64 latent dimensions: `kgan.R3GAN(**kgan.models.r3gan.CIFAR10_PRESET)`.
CIFAR10_PRESET = {
    "image_shape": (32, 32, 3),
    "latent_dim": 64,
    "widths": (768, 768, 768, 768),
    "blocks": (2, 2, 2, 2),
    "cardinality": (96, 96, 96, 96),
    "expansion": 2,
}


@keras.saving.register_keras_serializable(package="kgan")
class R3GAN(ClassConditioning, GAN):
    """R3GAN (Huang, Gokaslan, Kuleshov & Tompkin, "The GAN is dead; long live the GAN!", NeurIPS 2024).

    The networks of `kgan.architectures.r3gan` (normalization-free residual G and D with fix-up
    initialization, grouped convolutions in inverted bottlenecks) trained by the one GAN step with
    the paper's game as `compile()` defaults: the relativistic pairing loss (RpGAN, each real
    image judged against the fake beside it) with R1 on real and R2 on fake images, both
    `gamma / 2 * E[||grad D||^2]` at every D step, Adam with beta_1 = 0, and an EMA of the
    generator. With `compile(schedule_steps=N)` the paper's cosine schedules run over N steps:
    learning rate 2e-4 -> 5e-5, beta_2 0.9 -> 0.99, gamma -> gamma / 10 and the EMA's half-life
    0 -> N / 4 steps (its CIFAR-10 preset's 5M images of a 20M-image schedule); `kgan train
    --recipe r3gan` sets N to the run's length. Without it they stay at 2e-4, 0.99, gamma and
    `ema_decay`.

    The default networks are sized for a CPU (width 64, one block per stage, one group per
    channel: depthwise); `R3GAN(**kgan.models.r3gan.CIFAR10_PRESET)` builds the official CIFAR-10
    networks, 41M parameters, for a GPU (0.8 images/s on a 2-core CPU, against 98 at width 64 and
    1,078 for `kgan train`'s DCGAN: benchmarks/r3gan.py). The output is linear, as in the paper.

    With `num_classes` it is class-conditional as the official code's `--cond=1` is (its CIFAR-10
    preset trains with it): it trains on `(images, labels)` batches, G concatenates a linear
    embedding of the class to z, and D projects its last features on its own embedding of the
    class (`kgan.architectures.r3gan`); `generate(labels=...)`, the export and the run's grid
    (one row per class) take the classes.

    Args:
        image_shape: `(side, side, channels)`, side 4 * 2^k (8, 16, 32, 64, ...).
        latent_dim: size of z (64 in the paper's CIFAR-10 preset).
        widths: channels of each stage from 4x4 up, or one number for every stage (default: 64).
        blocks: residual blocks per stage (default: 1 each).
        cardinality: groups of each stage's grouped 3x3 convolution (default: one per channel of
            the widened block, a depthwise convolution, the cheapest on a CPU).
        expansion: how many times a block widens its channels (2).
        num_classes: the number of classes of a class-conditional R3GAN (None: unconditional).
        class_names: the classes' names by label, as for `kgan.ConditionalGAN`.
        embedding_dims: `(G's, D's)` sizes of the class embeddings (default: `latent_dim` and
            the 4x4 stage's width, the official code's).
        seed: seeds the initial weights and every random draw.
        ema_decay: the generator EMA's decay when no schedule sets it (0.999).
        **kwargs: `kgan.GAN` arguments.

    Example:

    ```python
    gan = kgan.R3GAN(image_shape=(32, 32, 3))
    gan.compile(schedule_steps=3 * 156)
    gan.fit(kgan.data.load("cifar10", data_dir="../shared/data/cifar10"), epochs=3)

    conditional = kgan.R3GAN(image_shape=(32, 32, 3), num_classes=10)  # fits on labels=True data
    ```
    """

    def __init__(
        self,
        image_shape=(32, 32, 3),
        latent_dim=64,
        widths=None,
        blocks=None,
        cardinality=None,
        expansion=2,
        num_classes=None,
        class_names=None,
        embedding_dims=None,
        seed=None,
        ema_decay=0.999,
        **kwargs,
    ):
        image_shape = tuple(image_shape)
        stages = _stages(image_shape)
        if widths is None or isinstance(widths, int):
            widths = (64 if widths is None else widths,) * stages
        widths = tuple(widths)
        blocks = tuple(blocks) if blocks is not None else (1,) * len(widths)
        cardinality = tuple(cardinality) if cardinality is not None else tuple(w * expansion for w in widths)
        embedding_dims = tuple(embedding_dims) if embedding_dims is not None else (latent_dim, widths[0])
        design = (widths, blocks, cardinality, expansion, num_classes)
        generator = networks.build_generator(image_shape, latent_dim, *design, embedding_dims[0], seed=seed)
        discriminator = networks.build_discriminator(image_shape, *design, embedding_dims[1], seed=seed)
        super().__init__(generator, discriminator, latent_dim=latent_dim, seed=seed, ema_decay=ema_decay, **kwargs)
        self.set_classes(num_classes, class_names)
        self.embedding_dims = embedding_dims
        self.image_shape = image_shape
        self.widths = widths
        self.blocks = blocks
        self.cardinality = cardinality
        self.expansion = expansion

    def network_config(self):
        return {
            "image_shape": self.image_shape,
            "widths": self.widths,
            "blocks": self.blocks,
            "cardinality": self.cardinality,
            "expansion": self.expansion,
            "embedding_dims": self.embedding_dims,
            **self.class_config(),
        }

    def compile_defaults(self):
        return {
            **super().compile_defaults(),
            "loss": "relativistic_pairing",
            "learning_rate": 2e-4,
            "betas": (0.0, 0.99),
            "regularizers": _penalties(0.05),
        }

    def compile(self, gamma=None, schedule_steps=None, penalty_every=1, **settings):
        """`kgan.GAN.compile` with R3GAN's penalties and schedules.

        Args:
            gamma: the weight of R1 and of R2 (0.05, the paper's CIFAR-10 value); at the start of
                the schedule when one runs. Its `regularizers` setting replaces them both.
            penalty_every: apply R1 and R2 every this many D steps, weighted as many times (lazy
                regularization, the same average strength). The paper applies them at every
                step (1) and did not measure the lazy form; 16 buys 1.6x the steps per minute on
                a CPU (with a learning rate of 2e-3 it drew digits sooner but covered fewer
                StackedMNIST modes: docs/recipes.md).
            schedule_steps: run the paper's cosine schedules over this many steps (the learning
                rate, beta_2, gamma and the EMA's half-life); a `learning_rate`, `betas`,
                `regularizers` or `ema_schedule` given replaces its own.
            **settings: as for `kgan.GAN.compile`.
        """
        if (gamma is not None or penalty_every != 1) and settings.get("regularizers") is not None:
            raise ValueError(
                "Pass gamma and penalty_every or regularizers, not both: gamma and penalty_every set R1 and R2, "
                "the list replaces them."
            )
        if not (isinstance(penalty_every, int) and penalty_every >= 1):
            raise ValueError(f"penalty_every must be a number of D steps >= 1, got {penalty_every!r}.")
        gamma = 0.05 if gamma is None else gamma
        if schedule_steps is None:
            if _unset(settings.get("regularizers")):
                settings["regularizers"] = _penalties(gamma, penalty_every)
            return super().compile(**settings)
        if not (isinstance(schedule_steps, int) and schedule_steps > 0):
            raise ValueError(f"schedule_steps must be a number of steps > 0, got {schedule_steps!r}.")
        if self.ema_generator is None and settings.get("ema_schedule") is None:
            raise ValueError("R3GAN's schedules include its EMA's: build it with ema_decay set (not None).")
        scheduled = {
            "learning_rate": schedules.Cosine(2e-4, 5e-5, schedule_steps),
            "betas": (0.0, schedules.Cosine(0.9, 0.99, schedule_steps)),
            "regularizers": _penalties(schedules.Cosine(gamma, gamma / 10, schedule_steps), penalty_every),
            "ema_schedule": schedules.HalfLifeDecay(schedules.Cosine(0.0, schedule_steps / 4, schedule_steps)),
        }
        for key, schedule in scheduled.items():
            if _unset(settings.get(key)):
                settings[key] = schedule
        super().compile(**settings)


def _penalties(gamma, every=1):
    """R1 on real and R2 on fake images, both weighted gamma (a number or a schedule), every `every` D steps."""
    return [R1(gamma, every=every), R2(gamma, every=every)]


def _unset(value):
    """None, or a pair of Nones (`learning_rate=(None, None)`: both networks' left to the family)."""
    return value is None or (isinstance(value, (tuple, list)) and len(value) > 0 and all(v is None for v in value))


def _stages(image_shape):
    side = image_shape[0]
    stages = 1
    while 4 * 2 ** (stages - 1) < side:
        stages += 1
    return stages
