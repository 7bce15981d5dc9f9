"""CycleGAN: unpaired translation between two image domains."""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from kgan import export as export_module
from kgan.architectures import patchgan, unet
from kgan.losses import mean_absolute_error as l1
from kgan.models.checks import check_images
from kgan.models.gan import GAN

DIRECTIONS = ("a_to_b", "b_to_a")


@keras.saving.register_keras_serializable(package="kgan")
class CycleGAN(GAN):
    """CycleGAN (Zhu et al., "Unpaired Image-to-Image Translation using Cycle-Consistent
    Adversarial Networks", ICCV 2017), trained on unpaired `(images_a, images_b)` batches.

    Two generators, `generator_ab` (A -> B) and `generator_ba` (B -> A), and two discriminators,
    `discriminator_a` and `discriminator_b`, are trained by the one GAN step as a pair of
    composite networks: `generator` maps `(a, b)` to `(fake_a, fake_b) = (G_BA(b), G_AB(a))` and
    `discriminator` maps `(a-like, b-like)` to `(D_A, D_B)`. The adversarial losses of both
    domains are summed (least squares by default, as in the paper); G's loss adds the
    cycle-consistency loss `cycle_weight * (|G_BA(G_AB(a)) - a| + |G_AB(G_BA(b)) - b|)` (logged
    `cycle`) and the identity loss `identity_weight * (|G_AB(b) - b| + |G_BA(a) - a|)` (logged
    `identity`). Networks: U-Nets with instance normalization and PatchGANs; pass your own
    networks with `CycleGAN.from_networks`.

    Args:
        image_shape_a: `(height, width, channels)` of domain A.
        image_shape_b: of domain B (default: A's).
        width: base filters of all four networks (64 in the paper).
        max_depth: most U-Net halvings.
        discriminator_layers: stride-2 layers of the PatchGANs.
        cycle_weight: lambda of the cycle loss (10).
        identity_weight: weight of the identity loss (0.5 * lambda = 5; 0 disables it; it needs
            both domains to have the same shape).
        seed: seeds the initial weights and every random draw.
        **kwargs: `kgan.GAN` arguments; with `ema_decay`, `translate`, the image grids, `call`
            and the export use the moving averages of both generators' weights.

    Example:

    ```python
    model = kgan.CycleGAN(image_shape_a=(28, 28, 1))
    model.compile()
    model.fit(kgan.data.unpaired(images_a, images_b), epochs=10)
    b_like = model.translate(images_a, direction="a_to_b")
    ```
    """

    uses_latent = False

    def __init__(
        self,
        image_shape_a=(256, 256, 3),
        image_shape_b=None,
        width=64,
        max_depth=8,
        discriminator_layers=3,
        cycle_weight=10.0,
        identity_weight=5.0,
        seed=None,
        networks=None,
        **kwargs,
    ):
        image_shape_a = tuple(image_shape_a)
        image_shape_b = tuple(image_shape_b or image_shape_a)
        if identity_weight and image_shape_a != image_shape_b:
            raise ValueError(
                f"The identity loss feeds B images to G_AB, so it needs both domains to have one shape; "
                f"got {image_shape_a} and {image_shape_b}. Set identity_weight=0."
            )
        if networks is None:

            def generator(source, target, name):
                return unet.build_unet(
                    source, target[-1], width, max_depth, dropout=0.0, normalization="instance", seed=seed, name=name
                )

            def discriminator(shape, name):
                return patchgan.build_patch_discriminator(
                    shape, None, width, discriminator_layers, normalization="instance", seed=seed, name=name
                )

            networks = (
                generator(image_shape_a, image_shape_b, "generator_ab"),
                generator(image_shape_b, image_shape_a, "generator_ba"),
                discriminator(image_shape_a, "discriminator_a"),
                discriminator(image_shape_b, "discriminator_b"),
            )
        generator_ab, generator_ba, discriminator_a, discriminator_b = networks
        a = keras.Input(image_shape_a, name="images_a")
        b = keras.Input(image_shape_b, name="images_b")
        generators = keras.Model([a, b], [generator_ba(b), generator_ab(a)], name="generators")
        discriminators = keras.Model([a, b], [discriminator_a(a), discriminator_b(b)], name="discriminators")
        super().__init__(generators, discriminators, seed=seed, **kwargs)
        self.generator_ab, self.generator_ba = generator_ab, generator_ba
        self.discriminator_a, self.discriminator_b = discriminator_a, discriminator_b
        self.image_shape_a, self.image_shape_b = image_shape_a, image_shape_b
        self.width = width
        self.max_depth = max_depth
        self.discriminator_layers = discriminator_layers
        self.cycle_weight = float(cycle_weight)
        self.identity_weight = float(identity_weight)
        self.declare_extra_losses(cycle=cycle_weight, identity=identity_weight)

    @classmethod
    def from_networks(cls, generator_ab, generator_ba, discriminator_a, discriminator_b, **kwargs):
        """A CycleGAN of your own networks (each a `keras.Model` on images in [-1, 1])."""
        return cls(
            image_shape_a=tuple(generator_ab.inputs[0].shape[1:]),
            image_shape_b=tuple(generator_ba.inputs[0].shape[1:]),
            networks=(generator_ab, generator_ba, discriminator_a, discriminator_b),
            **kwargs,
        )

    def network_config(self):
        return {
            "image_shape_a": self.image_shape_a,
            "image_shape_b": self.image_shape_b,
            "width": self.width,
            "max_depth": self.max_depth,
            "discriminator_layers": self.discriminator_layers,
            "cycle_weight": self.cycle_weight,
            "identity_weight": self.identity_weight,
            "networks": [
                keras.saving.serialize_keras_object(n)
                for n in (self.generator_ab, self.generator_ba, self.discriminator_a, self.discriminator_b)
            ],
        }

    def compile_defaults(self):
        return {**super().compile_defaults(), "loss": "least_squares"}

    def compile(self, **settings):
        for unsupported in ("regularizers", "sample_metrics"):
            if settings.get(unsupported):
                raise ValueError(f"CycleGAN does not take {unsupported}: its discriminator judges two domains at once.")
        super().compile(**settings)

    # --- hooks --------------------------------------------------------------------------------

    def unpack(self, data):
        if not (isinstance(data, (tuple, list)) and len(data) == 2):
            raise ValueError(
                "CycleGAN trains on unpaired (images_a, images_b) batches, got a batch of "
                f"{type(data).__name__}. Build them with kgan.data.unpaired(images_a, images_b) "
                "or kgan.data.unpaired_folders(folder_a, folder_b, image_size)."
            )
        a, b = data
        check_images(a, (None,) + self.image_shape_a, "domain A images", "CycleGAN")
        check_images(b, (None,) + self.image_shape_b, "domain B images", "CycleGAN")
        return (a, b), None

    def generator_inputs(self, real, condition, seed=None):
        return list(real)

    def discriminate(self, inputs, condition, training=True):
        return self.discriminator(list(inputs), training=training)

    def adversarial_logits(self, output):
        # Both domains' logits in one vector, for the d_real / d_fake logs.
        return ops.concatenate([ops.reshape(ops.cast(o, "float32"), (-1,)) for o in output], axis=0)

    def discriminator_loss(self, real_output, fake_output):
        return sum(
            self.adversarial_loss.discriminator(real, fake, **self.label_targets())
            for real, fake in zip(real_output, fake_output)
        )

    def generator_loss(self, real_output, fake_output):
        if self.adversarial_loss.relativistic:
            return sum(self.adversarial_loss.generator(f, r) for f, r in zip(fake_output, real_output))
        return sum(self.adversarial_loss.generator(f) for f in fake_output)

    def extra_generator_losses(self, real, fake, condition, fake_output):
        a, b = real
        fake_a, fake_b = fake
        cycle = l1(self.generator_ba(fake_b, training=True), a) + l1(self.generator_ab(fake_a, training=True), b)
        losses = {"cycle": cycle}
        if self.identity_weight:
            losses["identity"] = l1(self.generator_ab(b, training=True), b) + l1(self.generator_ba(a, training=True), a)
        else:
            losses["identity"] = ops.convert_to_tensor(0.0, "float32")
        return losses

    # --- use ----------------------------------------------------------------------------------

    def translate(self, images, direction="a_to_b", batch_size=64):
        """Translates images in [-1, 1]: `direction` "a_to_b" (with G_AB) or "b_to_a" (with G_BA),
        the moving averages of their weights when `ema_decay` is set."""
        if direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {list(DIRECTIONS)}, got {direction!r}.")
        network = translators(self.inference_generator)[DIRECTIONS.index(direction)]
        images = ops.convert_to_tensor(np.asarray(images, np.float32))
        check_images(images, network.inputs[0].shape, "images", network.name)
        return self.predict_in_batches(images, batch_size, network=network)

    def round_trip_error(self, images, direction="a_to_b"):
        """Mean absolute error of translating there and back: `|G_BA(G_AB(a)) - a|` for "a_to_b"."""
        back = "b_to_a" if direction == "a_to_b" else "a_to_b"
        return float(np.mean(np.abs(self.translate(self.translate(images, direction), back) - np.asarray(images))))

    def grid_inputs(self, num_images, seed, examples=None):
        if examples is None:
            raise ValueError("ImageGrid for CycleGAN needs examples: ImageGrid(..., examples=next(iter(dataset))).")
        count = max(1, min(int(examples[0].shape[0]), num_images // 6))
        return np.asarray(examples[0][:count]), np.asarray(examples[1][:count])

    def real_grid(self, examples, num_images):
        return None  # the grid shows the real images it translates

    def grid_samples(self, grid_inputs):
        """Rows: A, G_AB(A), G_BA(G_AB(A)), then B, G_BA(B), G_AB(G_BA(B))."""
        if self.image_shape_a != self.image_shape_b:
            raise ValueError("CycleGAN image grids need both domains to have one shape.")
        a, b = grid_inputs
        ab, ba = self.translate(a, "a_to_b"), self.translate(b, "b_to_a")
        rows = [a, ab, self.translate(ab, "b_to_a"), b, ba, self.translate(ba, "a_to_b")]
        return np.concatenate(rows, axis=0), len(a)

    def export_endpoints(self, network):
        generator_ab, generator_ba = translators(network)
        endpoints = export_module.image_endpoints(generator_ab, "a_to_b_", ["images_a"])
        endpoints += export_module.image_endpoints(generator_ba, "b_to_a_", ["images_b"])
        serve = endpoints[0]
        return [(export_module.SERVING_SIGNATURE, serve[1], serve[2])] + endpoints


def translators(generators):
    """`(G_AB, G_BA)` inside a CycleGAN's composite generator (`generator` or its EMA copy)."""
    fake_a, fake_b = generators.outputs  # (G_BA(b), G_AB(a))
    return fake_b._keras_history.operation, fake_a._keras_history.operation
