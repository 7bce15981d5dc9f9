"""Class-conditional GANs: generate a requested class."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from kgan import export as export_module
from kgan.architectures import conditional as conditional_networks
from kgan.models.checks import check_batch, check_class_names
from kgan.models.gan import GAN


class ClassConditioning:
    """The class handling of a GAN trained on `(images, labels)` batches, for the families that
    take classes (`ConditionalGAN`) or may (`StyleGAN2(num_classes=...)`, `R3GAN(num_classes=...)`):
    with `num_classes` None every method is the plain GAN's, but labelled batches are refused
    rather than their labels silently ignored.

    G takes `[latent, labels]` and draws the labels of each real batch (fakes follow the data's
    class frequencies); D takes `[images, labels]`; the run's grid has one row per class.
    """

    def set_classes(self, num_classes, class_names=None):
        """Checks and keeps `num_classes` and `class_names` (None and None: unconditional)."""
        if num_classes is None:
            return
        if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
            raise ValueError(f"num_classes must be an int >= 2, got {num_classes!r}.")
        self.num_classes = int(num_classes)
        self.class_names = check_class_names(class_names, self.num_classes)

    def unpack(self, data):
        if self.num_classes is None:
            if isinstance(data, (tuple, list)) and len(data) > 1:
                name = type(self).__name__
                raise ValueError(
                    f"The data yield (images, labels), but this {name} is unconditional and would ignore the "
                    f"labels. Make it conditional (kgan.{name}(..., num_classes=N)), or load the images alone "
                    "(kgan.data.load(name) without labels=True) or map the labels away: "
                    "dataset.map(lambda images, labels: images)."
                )
            return super().unpack(data)
        if not (isinstance(data, (tuple, list)) and len(data) == 2):
            raise ValueError(
                f"{type(self).__name__} trains on (images, labels) batches, got a batch of "
                f"{type(data).__name__}. Load data with labels, e.g. kgan.data.load('mnist', "
                "labels=True) or kgan.data.from_arrays(images, labels)."
            )
        images, labels = data
        check_batch(images, self.discriminator)
        return images, self.check_labels(labels)

    def check_labels(self, labels):
        """Labels as int32 `(batch,)`, with a clear error when one is outside [0, num_classes)."""
        shape = tuple(labels.shape)
        if len(shape) > 2 or (len(shape) == 2 and shape[1] != 1):
            raise ValueError(
                f"labels must be class indices of shape (batch,), got shape {shape}. For one-hot "
                "labels map the dataset first: dataset.map(lambda x, y: (x, tf.argmax(y, axis=-1)))."
            )
        labels = ops.reshape(ops.cast(labels, "int32"), (-1,))
        message = (
            f"labels must be class indices in [0, {self.num_classes}) for num_classes="
            f"{self.num_classes}; a label outside that range was given."
        )
        checks = [
            tf.debugging.assert_non_negative(labels, message=message),
            tf.debugging.assert_less(labels, self.num_classes, message=message),
        ]
        with tf.control_dependencies(checks):  # before any lookup by label can fail less clearly
            return tf.identity(labels)

    def generator_inputs(self, real, labels, seed=None):
        if self.num_classes is None:
            return super().generator_inputs(real, labels, seed)
        return [self.sample_latent(ops.shape(real)[0], seed), labels]

    def discriminate(self, inputs, labels, training=True):
        if self.num_classes is None:
            return super().discriminate(inputs, labels, training)
        return self.discriminator([inputs, labels], training=training)

    def class_config(self):
        """The constructor arguments of the classes, for `network_config`."""
        return {"num_classes": self.num_classes, "class_names": self.class_names}

    def export_endpoints(self, network):
        if self.num_classes is None:
            return super().export_endpoints(network)
        return export_module.conditional_endpoints(network, self.num_classes, self.class_names)

    def grid_inputs(self, num_images, seed, examples=None):
        """One row per class, the same latent vectors in every row."""
        if self.num_classes is None:
            return super().grid_inputs(num_images, seed, examples)
        per_class = max(1, num_images // self.num_classes)
        latent = super().grid_inputs(per_class, seed)
        return np.tile(latent, (self.num_classes, 1)), np.repeat(np.arange(self.num_classes), per_class)

    def grid_samples(self, grid_inputs):
        if self.num_classes is None:
            return super().grid_samples(grid_inputs)
        latent, labels = grid_inputs
        return self.generate(latent=latent, labels=labels), len(latent) // self.num_classes

    def real_grid(self, examples, num_images):
        """One row per class, as many real images of the class as the grid has samples (blank
        where the batch holds fewer)."""
        if self.num_classes is None:
            return super().real_grid(examples, num_images)
        real, labels = self.unpack(tf.nest.map_structure(ops.convert_to_tensor, examples))
        real, labels = ops.convert_to_numpy(real), ops.convert_to_numpy(labels)
        per_class = max(1, num_images // self.num_classes)
        rows = []
        for label in range(self.num_classes):
            found = real[labels == label][:per_class]
            rows += [found, np.full((per_class - len(found), *real.shape[1:]), -1.0, real.dtype)]
        return np.concatenate(rows), per_class


@keras.saving.register_keras_serializable(package="kgan")
class ConditionalGAN(ClassConditioning, GAN):
    """A GAN that generates a requested class, trained on `(images, labels)` batches.

    The generator takes `[latent, labels]`. The discriminator either takes `[images, labels]`
    and outputs one logit (conditioning by concatenation or projection), or takes images only
    and outputs `[logits, class_logits]`: an auxiliary classifier (ACGAN), which then adds a
    cross-entropy loss on the class to D (on real and fake images, logged `d_class`) and to G
    (on its fakes, `g_class`), weighted by `class_weight`. G draws the labels of each real batch,
    so fakes follow the data's class frequencies.

    Args:
        generator: a `keras.Model` taking `[latent (batch, latent_dim), labels (batch,)]`.
        discriminator: a `keras.Model` taking `[images, labels]`, or images with two outputs.
        num_classes: the number of classes; labels must lie in [0, num_classes).
        class_weight: weight of the auxiliary classifier's losses (ACGAN only).
        class_names: the classes' names by label (e.g. an image folder's `class_names`), kept in
            the saved model and the export, so that `generate(labels=["tulip"])` and
            `kgan sample --labels tulip` work; None: classes are their indices.
        **kwargs: `kgan.GAN` arguments (`latent_dim`, `seed`, `ema_decay`, ...).

    Example:

    ```python
    gan = kgan.CGAN(image_shape=(28, 28, 1), num_classes=10)
    gan.compile()
    gan.fit(kgan.data.load("mnist", labels=True), epochs=5)
    sevens = gan.generate(16, labels=7)
    ```
    """

    def __init__(self, generator, discriminator, num_classes, class_weight=1.0, class_names=None, **kwargs):
        super().__init__(generator, discriminator, **kwargs)
        if num_classes is None:
            raise ValueError(f"num_classes must be an int >= 2, got {num_classes!r}.")
        self.set_classes(num_classes, class_names)
        self.class_weight = float(class_weight)
        self.auxiliary_classifier = len(discriminator.outputs) == 2
        if self.auxiliary_classifier:
            self.declare_extra_losses(d_class=class_weight, g_class=class_weight)

    def network_config(self):
        return {**super().network_config(), **self.class_config()}

    def class_config(self):
        return {**super().class_config(), "class_weight": self.class_weight}

    # --- hooks --------------------------------------------------------------------------------

    def discriminate(self, inputs, labels, training=True):
        if self.auxiliary_classifier:
            return self.discriminator(inputs, training=training)
        return super().discriminate(inputs, labels, training)

    def adversarial_logits(self, output):
        return output[0] if self.auxiliary_classifier else output

    def extra_discriminator_losses(self, real_output, fake_output, labels):
        if not self.auxiliary_classifier:
            return {}
        return {"d_class": _class_loss(labels, real_output[1]) + _class_loss(labels, fake_output[1])}

    def extra_generator_losses(self, real, fake, labels, fake_output):
        if not self.auxiliary_classifier:
            return {}
        return {"g_class": _class_loss(labels, fake_output[1])}


def _class_loss(labels, class_logits):
    return ops.mean(
        keras.losses.sparse_categorical_crossentropy(labels, ops.cast(class_logits, "float32"), from_logits=True)
    )


class _ConditionalDCGAN(ConditionalGAN):
    """DCGAN networks conditioned as the subclass says (`generator_conditioning`, `discriminator_conditioning`)."""

    generator_conditioning = "concat"
    discriminator_conditioning = "concat"
    default_spectral_norm = False

    def __init__(
        self,
        image_shape=(28, 28, 1),
        num_classes=10,
        latent_dim=100,
        width=64,
        kernel_size=5,
        dropout=0.3,
        spectral_norm=None,
        seed=None,
        **kwargs,
    ):
        image_shape = tuple(image_shape)
        spectral_norm = self.default_spectral_norm if spectral_norm is None else spectral_norm
        generator = conditional_networks.build_generator(
            image_shape,
            latent_dim,
            num_classes,
            width=width,
            kernel_size=kernel_size,
            conditioning=self.generator_conditioning,
            seed=seed,
        )
        discriminator = conditional_networks.build_discriminator(
            image_shape,
            num_classes,
            width=width,
            kernel_size=kernel_size,
            dropout=dropout,
            conditioning=self.discriminator_conditioning,
            spectral_norm=spectral_norm,
            seed=seed,
        )
        super().__init__(generator, discriminator, num_classes, latent_dim=latent_dim, seed=seed, **kwargs)
        self.image_shape = image_shape
        self.width = width
        self.kernel_size = kernel_size
        self.dropout = dropout
        self.spectral_norm = spectral_norm

    def network_config(self):
        return {
            **self.class_config(),
            "image_shape": self.image_shape,
            "width": self.width,
            "kernel_size": self.kernel_size,
            "dropout": self.dropout,
            "spectral_norm": self.spectral_norm,
        }


@keras.saving.register_keras_serializable(package="kgan")
class CGAN(_ConditionalDCGAN):
    """Conditional GAN by concatenation (Mirza & Osindero, 2014) with DCGAN networks.

    G takes `[z, one_hot(y)]`; D sees the image with `one_hot(y)` as extra constant channels.

    Args:
        image_shape, latent_dim, width, kernel_size, dropout, spectral_norm, seed: as for `kgan.DCGAN`.
        num_classes: the number of classes.
        class_names: as for `kgan.ConditionalGAN`.
        **kwargs: `kgan.GAN` arguments such as `ema_decay`.
    """


@keras.saving.register_keras_serializable(package="kgan")
class ACGAN(_ConditionalDCGAN):
    """Auxiliary classifier GAN (Odena et al., ICML 2017) with DCGAN networks.

    D sees images only and also predicts their class; G is conditioned by concatenation. Logs
    `d_class` and `g_class` (cross-entropies), weighted by `class_weight`.

    Args:
        class_weight: weight of the auxiliary classifier's losses (1).
        **kwargs: the other arguments, as for `kgan.CGAN`.
    """

    discriminator_conditioning = "auxiliary"


@keras.saving.register_keras_serializable(package="kgan")
class ProjectionGAN(_ConditionalDCGAN):
    """Projection discriminator (Miyato & Koyama, ICLR 2018) and a generator with
    class-conditional batch normalization: the SNGAN-projection / BigGAN conditioning, on DCGAN
    networks.

    D's logit is `psi(phi(x)) + <embed(y), phi(x)>`, with spectral normalization on its layers;
    `compile()` defaults to the hinge loss, as in the paper.

    Args:
        spectral_norm: spectral normalization on D's layers (default True here).
        **kwargs: the other arguments, as for `kgan.CGAN`.
    """

    generator_conditioning = "batch_norm"
    discriminator_conditioning = "projection"
    default_spectral_norm = True

    def compile_defaults(self):
        return {**super().compile_defaults(), "loss": "hinge"}
