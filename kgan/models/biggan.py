"""BigGAN: class-conditional ResNets with a shared embedding, self-attention and the truncation trick."""

from __future__ import annotations

import keras

from kgan import export as export_module
from kgan.architectures import biggan as networks
from kgan.models.checks import check_threshold
from kgan.models.conditional import ConditionalGAN
from kgan.regularizers import OrthogonalRegularization


@keras.saving.register_keras_serializable(package="kgan")
class BigGAN(ConditionalGAN):
    """BigGAN (Brock et al., "Large Scale GAN Training for High Fidelity Natural Image Synthesis", ICLR 2019).

    The networks of `kgan.architectures.biggan` (a ResNet generator whose conditional batch
    norms take a shared class embedding and a chunk of z, a projection discriminator,
    self-attention in both, spectral normalization in both), trained by the one GAN step with
    the paper's settings as `compile()` defaults: the hinge loss, 2 D steps per G step,
    Adam(4e-4 for D, 1e-4 for G, betas 0 and 0.999) and orthogonal regularization of G's
    kernels (`kgan.regularizers.OrthogonalRegularization(1e-4)`). A moving average of G (decay
    0.9999 from step 20,000, the paper's; pass your own for short runs) makes the samples.

    The truncation trick: `generate(..., truncation=t)` draws z from the normal truncated at
    `t` (values beyond it are redrawn, in the paper; here mapped, to the same distribution, by
    `kgan.architectures.biggan.truncate_latent`, so a seed always gives the same images). Lower
    `t` trades variety for typical, cleaner images; None (the default, what metrics should see)
    is none; 0.5 to 1 are common. The export takes it too, and `kgan.callbacks.TruncationGrid`
    draws a run's samples at several thresholds (`kgan train --recipe biggan` adds it).

    Args:
        image_shape: `(height, width, channels)`: 32x32, 64x64, 128x128 and other sizes of the
            form base * 2**k with base <= 8.
        num_classes: the number of classes.
        latent_dim: size of z (120 at 128x128 in the paper, 128 here), split into one chunk per
            generator block plus one.
        width: the paper's "ch", which the channel multipliers scale (64 for CIFAR-10, 96 at 128x128).
        embedding_dim: size of the shared class embedding (128).
        attention_resolution: the map height where both networks attend ("auto": half the
            image's, the paper's 64 at 128x128), or None for no self-attention.
        class_names: as for `kgan.ConditionalGAN`.
        seed: seeds the initial weights and every random draw.
        ema_decay, ema_start: the generator's moving average (0.9999 from step 20,000).
        **kwargs: `kgan.GAN` arguments.

    Example:

    ```python
    gan = kgan.BigGAN(image_shape=(32, 32, 3), num_classes=10, width=16, ema_decay=0.999, ema_start=500)
    gan.compile()
    gan.fit(kgan.data.load("cifar10", labels=True), epochs=10)
    cars = gan.generate(16, labels="automobile", truncation=1.0)
    ```
    """

    def __init__(
        self,
        image_shape=(32, 32, 3),
        num_classes=10,
        latent_dim=128,
        width=64,
        embedding_dim=128,
        attention_resolution="auto",
        class_names=None,
        seed=None,
        ema_decay=0.9999,
        ema_start=20000,
        **kwargs,
    ):
        image_shape = tuple(image_shape)
        generator = networks.build_generator(
            image_shape, latent_dim, num_classes, width, embedding_dim, attention_resolution, seed=seed
        )
        discriminator = networks.build_discriminator(image_shape, num_classes, width, attention_resolution, seed=seed)
        super().__init__(
            generator,
            discriminator,
            num_classes,
            class_names=class_names,
            latent_dim=latent_dim,
            seed=seed,
            ema_decay=ema_decay,
            ema_start=ema_start,
            **kwargs,
        )
        self.image_shape = image_shape
        self.width = width
        self.embedding_dim = embedding_dim
        self.attention_resolution = attention_resolution

    def network_config(self):
        return {
            "num_classes": self.num_classes,
            "class_names": self.class_names,
            "image_shape": self.image_shape,
            "width": self.width,
            "embedding_dim": self.embedding_dim,
            "attention_resolution": self.attention_resolution,
        }

    def compile_defaults(self):
        return {
            **super().compile_defaults(),
            "loss": "hinge",
            "learning_rate": (4e-4, 1e-4),
            "betas": (0.0, 0.999),
            "d_steps": 2,
            "regularizers": (OrthogonalRegularization(1e-4),),
        }

    truncates = True
    truncation_sweep = (None, 1.5, 1.0, 0.5)  # thresholds, the first none

    def sample_images(self, latent, labels=None, truncation=None, batch_size=256):
        """`generate`'s samples from latent vectors truncated at `truncation` (None: none)."""
        return super().sample_images(
            networks.truncate_latent(latent, check_threshold(truncation)), labels, None, batch_size
        )

    def export_endpoints(self, network):
        return export_module.conditional_endpoints(
            network, self.num_classes, self.class_names, truncate=networks.truncate_latent
        )
