"""Adversarial loss pairs.

Each loss is a pair of small pure functions on the discriminator's raw outputs (logits or scores):

* `discriminator(real_logits, fake_logits, real_label=1.0, fake_label=0.0)` -> scalar, what D
  minimises;
* `generator(fake_logits)` -> scalar, what G minimises; relativistic losses compare fakes with real
  images, so their generator side is `generator(fake_logits, real_logits)`.

`real_label` below 1 is one-sided label smoothing (Salimans et al., 2016), and `fake_label` above 0
makes it two-sided; they only have a meaning for losses with targets, so
`AdversarialLoss.supports_label_smoothing` says whether they apply (custom pairs are called
without `fake_label` unless it is set).
All arithmetic happens in float32 so that mixed-precision networks give the same losses.

`get(name)` resolves the names `non_saturating`, `minimax`, `least_squares`, `hinge`,
`wasserstein`, `relativistic_average` and `relativistic_pairing`; a `(discriminator_fn, generator_fn)` tuple makes a
custom pair.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import keras
from keras import ops


def _f32(x):
    return ops.cast(x, "float32")


def _bce_with_logits(labels, logits):
    """Binary cross-entropy from logits, stable for large |logits|: max(x,0) - x*y + log1p(e^-|x|)."""
    logits = _f32(logits)
    return ops.mean(ops.relu(logits) - logits * labels + ops.log1p(ops.exp(-ops.abs(logits))))


# --- the discriminator side -------------------------------------------------------------------


@keras.saving.register_keras_serializable(package="kgan")
def cross_entropy_discriminator_loss(real_logits, fake_logits, real_label=1.0, fake_label=0.0):
    """D's binary cross-entropy: real labelled `real_label` (1, or less with smoothing), fake
    `fake_label` (0, or more with two-sided smoothing).

    Goodfellow et al., 2014. Shared by the minimax and non-saturating pairs.
    """
    return _bce_with_logits(real_label, real_logits) + _bce_with_logits(fake_label, fake_logits)


@keras.saving.register_keras_serializable(package="kgan")
def least_squares_discriminator_loss(real_logits, fake_logits, real_label=1.0, fake_label=0.0):
    """LSGAN (Mao et al., 2017), a-b-c = 0-1-1 coding: 0.5 E[(D(x)-1)^2] + 0.5 E[D(G(z))^2]."""
    real, fake = _f32(real_logits), _f32(fake_logits)
    return 0.5 * ops.mean(ops.square(real - real_label)) + 0.5 * ops.mean(ops.square(fake - fake_label))


@keras.saving.register_keras_serializable(package="kgan")
def hinge_discriminator_loss(real_logits, fake_logits, real_label=1.0, fake_label=0.0):
    """Hinge loss (Lim & Ye, 2017; Miyato et al., 2018): E[relu(1 - D(x))] + E[relu(1 + D(G(z)))]."""
    del real_label, fake_label  # hinge has no targets to smooth
    return ops.mean(ops.relu(1.0 - _f32(real_logits))) + ops.mean(ops.relu(1.0 + _f32(fake_logits)))


@keras.saving.register_keras_serializable(package="kgan")
def wasserstein_discriminator_loss(real_logits, fake_logits, real_label=1.0, fake_label=0.0):
    """Wasserstein critic (Arjovsky et al., 2017): E[D(G(z))] - E[D(x)]; needs a Lipschitz penalty."""
    del real_label, fake_label
    return ops.mean(_f32(fake_logits)) - ops.mean(_f32(real_logits))


# --- the generator side -----------------------------------------------------------------------


@keras.saving.register_keras_serializable(package="kgan")
def non_saturating_generator_loss(fake_logits):
    """-E[log D(G(z))]: strong gradients while D still rejects the fakes (Goodfellow et al., 2014)."""
    return _bce_with_logits(1.0, fake_logits)


@keras.saving.register_keras_serializable(package="kgan")
def minimax_generator_loss(fake_logits):
    """E[log(1 - D(G(z)))], the original game's generator objective; saturates early in training."""
    return -_bce_with_logits(0.0, fake_logits)


@keras.saving.register_keras_serializable(package="kgan")
def least_squares_generator_loss(fake_logits):
    """LSGAN generator: 0.5 E[(D(G(z)) - 1)^2]."""
    return 0.5 * ops.mean(ops.square(_f32(fake_logits) - 1.0))


@keras.saving.register_keras_serializable(package="kgan")
def score_generator_loss(fake_logits):
    """-E[D(G(z))], the generator side of the hinge and Wasserstein losses."""
    return -ops.mean(_f32(fake_logits))


# --- relativistic average (Jolicoeur-Martineau, 2019) ---------------------------------------
# D estimates how much more realistic a real image is than the average fake, and the reverse.


def _relativistic(real_logits, fake_logits):
    real, fake = _f32(real_logits), _f32(fake_logits)
    return real - ops.mean(fake), fake - ops.mean(real)


@keras.saving.register_keras_serializable(package="kgan")
def relativistic_average_discriminator_loss(real_logits, fake_logits, real_label=1.0, fake_label=0.0):
    """RaSGAN discriminator: BCE(real_label, D(x) - E[D(G(z))]) + BCE(fake_label, D(G(z)) - E[D(x)])."""
    real_vs_fake, fake_vs_real = _relativistic(real_logits, fake_logits)
    return _bce_with_logits(real_label, real_vs_fake) + _bce_with_logits(fake_label, fake_vs_real)


@keras.saving.register_keras_serializable(package="kgan")
def relativistic_average_generator_loss(fake_logits, real_logits):
    """RaSGAN generator, the mirror image: BCE(1, D(G(z)) - E[D(x)]) + BCE(0, D(x) - E[D(G(z))])."""
    real_vs_fake, fake_vs_real = _relativistic(real_logits, fake_logits)
    return _bce_with_logits(1.0, fake_vs_real) + _bce_with_logits(0.0, real_vs_fake)


# --- relativistic pairing (RpGAN; Jolicoeur-Martineau, 2019; R3GAN, Huang et al., 2024) ---------
# Each real image is paired with the fake at the same place in the batch, and D judges the pair:
# how much more real the real one looks. Unlike the relativistic average, no batch mean enters.


@keras.saving.register_keras_serializable(package="kgan")
def relativistic_pairing_discriminator_loss(real_logits, fake_logits, real_label=1.0, fake_label=0.0):
    """RpGAN discriminator: E[softplus(D(G(z)) - D(x))] over the batch's (real, fake) pairs."""
    return ops.mean(ops.softplus(_f32(fake_logits) - _f32(real_logits)))


@keras.saving.register_keras_serializable(package="kgan")
def relativistic_pairing_generator_loss(fake_logits, real_logits):
    """RpGAN generator, the mirror image: E[softplus(D(x) - D(G(z)))]."""
    return ops.mean(ops.softplus(_f32(real_logits) - _f32(fake_logits)))


def mean_absolute_error(x, y):
    """E|x - y| in float32: pix2pix's L1 and CycleGAN's cycle and identity losses."""
    return ops.mean(ops.abs(_f32(x) - _f32(y)))


@dataclasses.dataclass(frozen=True)
class AdversarialLoss:
    """A discriminator loss and a generator loss that play one game.

    Args:
        name: the name the pair is known by (used in configs and logs).
        discriminator: `fn(real_logits, fake_logits, real_label=1.0[, fake_label=0.0]) -> scalar`.
        generator: `fn(fake_logits) -> scalar`, or `fn(fake_logits, real_logits)` when
            `relativistic`.
        probability: True when D's output is a logit of "real", so `d_real`/`d_fake` are logged as
            mean sigmoid probabilities; False when it is an unbounded score, logged as is.
        supports_label_smoothing: whether `real_label` and `fake_label` change the
            discriminator loss.
        relativistic: the generator loss also needs D's output on real samples.
        equilibrium: the `d_real` and `d_fake` D settles at when the generator matches the data
            (0.5 for probabilities and for least squares' 1/0 targets); None where no single value
            is optimal (hinge, Wasserstein, relativistic scores).
    """

    name: str
    discriminator: Callable
    generator: Callable
    probability: bool = False
    supports_label_smoothing: bool = False
    relativistic: bool = False
    equilibrium: float | None = None


LOSSES = {
    "non_saturating": AdversarialLoss(
        "non_saturating",
        cross_entropy_discriminator_loss,
        non_saturating_generator_loss,
        probability=True,
        supports_label_smoothing=True,
        equilibrium=0.5,
    ),
    "minimax": AdversarialLoss(
        "minimax",
        cross_entropy_discriminator_loss,
        minimax_generator_loss,
        probability=True,
        supports_label_smoothing=True,
        equilibrium=0.5,
    ),
    "least_squares": AdversarialLoss(
        "least_squares",
        least_squares_discriminator_loss,
        least_squares_generator_loss,
        supports_label_smoothing=True,
        equilibrium=0.5,
    ),
    "relativistic_average": AdversarialLoss(
        "relativistic_average",
        relativistic_average_discriminator_loss,
        relativistic_average_generator_loss,
        supports_label_smoothing=True,
        relativistic=True,
    ),
    "relativistic_pairing": AdversarialLoss(
        "relativistic_pairing",
        relativistic_pairing_discriminator_loss,
        relativistic_pairing_generator_loss,
        relativistic=True,
    ),
    "hinge": AdversarialLoss("hinge", hinge_discriminator_loss, score_generator_loss),
    "wasserstein": AdversarialLoss("wasserstein", wasserstein_discriminator_loss, score_generator_loss),
}


def get(identifier) -> AdversarialLoss:
    """Resolves a loss name, an `AdversarialLoss` or a `(discriminator_fn, generator_fn)` pair.

    Example:

    >>> kgan.losses.get("hinge").name
    'hinge'
    """
    if isinstance(identifier, AdversarialLoss):
        return identifier
    if isinstance(identifier, str):
        if identifier not in LOSSES:
            raise ValueError(
                f"Unknown loss {identifier!r}. Expected one of {sorted(LOSSES)}, "
                "or a (discriminator_fn, generator_fn) pair of callables."
            )
        return LOSSES[identifier]
    if isinstance(identifier, (tuple, list)) and len(identifier) == 2 and all(callable(fn) for fn in identifier):
        discriminator, generator = identifier
        return AdversarialLoss("custom", discriminator, generator)
    raise ValueError(
        f"Could not interpret loss {identifier!r}. Pass a name from {sorted(LOSSES)}, an "
        "AdversarialLoss, or a (discriminator_fn, generator_fn) pair where "
        "discriminator_fn(real_logits, fake_logits, real_label) and generator_fn(fake_logits) "
        "return scalars."
    )


def serialize(loss: AdversarialLoss):
    """A config value for `loss`: its name when built in, else all its fields."""
    if LOSSES.get(loss.name) == loss:
        return loss.name
    config = dataclasses.asdict(loss)
    for side in ("discriminator", "generator"):
        config[side] = keras.saving.serialize_keras_object(config[side])
    return config


def deserialize(config) -> AdversarialLoss:
    """Inverse of `serialize`."""
    if isinstance(config, dict):
        config = dict(config)
        for side in ("discriminator", "generator"):
            config[side] = keras.saving.deserialize_keras_object(config[side])
        return AdversarialLoss(**config)
    return get(config)
