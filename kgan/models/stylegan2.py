"""StyleGAN2: style-based generator, residual discriminator, lazy R1, path-length regularization."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from kgan import export as export_module
from kgan.architectures import stylegan2 as networks
from kgan.models.checks import check_truncation, class_labels
from kgan.models.conditional import ClassConditioning
from kgan.models.gan import GAN
from kgan.regularizers import R1, PathLength


@keras.saving.register_keras_serializable(package="kgan")
class StyleGAN2(ClassConditioning, GAN):
    """StyleGAN2 (Karras et al., "Analyzing and Improving the Image Quality of StyleGAN", CVPR 2020).

    The networks of `kgan.architectures.stylegan2` (mapping network, modulated convolutions,
    noise, skip toRGB outputs; residual discriminator with minibatch standard deviation), trained
    by the one GAN step with the paper's settings as `compile()` defaults: the non-saturating
    loss, lazy R1 on real images every 16 D steps, path-length regularization every 4 G steps,
    Adam(lr 0.0025, beta_1=0, beta_2=0.99), and style mixing in `make_fakes` (two ws, a random
    crossover layer) with `mixing_probability`. An EMA of the generator is kept by default and
    is what `generate`, the grids and the export use.

    The image passes through tanh (`output_activation`), so it lies in [-1, 1] like the data; the
    paper's output is linear, which at small widths collapses onto one mode on data whose pixels
    mostly sit at -1, such as MNIST (measured in docs/stylegan2.md).

    Controls: truncation around the tracked average w (`generate(truncation=0.7)`),
    `latent_to_w`, `truncate`, `mix_styles`, `synthesize`, `styles` and the noise mode
    ("const", "random", "none"). Simplifications of the paper are listed in docs/stylegan2.md.

    With `num_classes` it is class-conditional as StyleGAN2-ADA's `--cond` is: it trains on
    `(images, labels)`, the mapping network takes the label's embedding beside z, D is
    conditioned by projection on a label embedding of its own mapping network, style mixing mixes
    two ws of the same class, and truncation pulls each sample towards its own class's average
    w (one per class is tracked). `generate(labels=...)`, `latent_to_w(labels=...)` and
    `truncate(labels=...)` take the classes, by index or name.

    Args:
        image_shape: `(size, size, channels)`, size a power of two from 8 to 1024.
        latent_dim: size of z (512 in the paper).
        w_dim: size of w (default: `latent_dim`).
        width: filters up to 32x32, halving with each doubling above (512 in the paper).
        mapping_layers: dense layers in the mapping network (8 in the paper).
        mapping_lr_multiplier: the mapping network's learning-rate multiplier (0.01).
        w_avg_decay: decay of the moving average of w that truncation uses (0.995).
        output_activation: "tanh" (the default; images in [-1, 1]) or "linear" (the paper's).
        mixing_probability: share of training batches made from two mixed ws (0.9).
        minibatch_group: the discriminator's minibatch standard deviation group size (4).
        num_classes: the number of classes for a conditional StyleGAN2 (None: unconditional).
        class_names: the classes' names by label, as for `kgan.ConditionalGAN`.
        seed: seeds the initial weights and every random draw.
        ema_decay: the generator EMA's decay (0.999 by default; None turns it off).
        **kwargs: `kgan.GAN` arguments such as `ema_start`.

    Example:

    ```python
    gan = kgan.StyleGAN2(image_shape=(32, 32, 1), latent_dim=64, width=64, mapping_layers=4)
    gan.compile()
    gan.fit(kgan.data.load("mnist", image_size=32), epochs=5)
    images = gan.generate(16, seed=0, truncation=0.7)

    cifar = kgan.StyleGAN2(image_shape=(32, 32, 3), latent_dim=64, width=64, mapping_layers=4, num_classes=10)
    cifar.compile()
    cifar.fit(kgan.data.load("cifar10", labels=True), epochs=5)
    ships = cifar.generate(16, labels="ship", truncation=0.7)  # towards the ships' average w
    ```
    """

    def __init__(
        self,
        image_shape=(32, 32, 3),
        latent_dim=512,
        w_dim=None,
        width=512,
        mapping_layers=8,
        mapping_lr_multiplier=0.01,
        w_avg_decay=0.995,
        output_activation="tanh",
        mixing_probability=0.9,
        minibatch_group=4,
        num_classes=None,
        class_names=None,
        seed=None,
        ema_decay=0.999,
        **kwargs,
    ):
        image_shape = networks.check_image_shape(image_shape)
        networks.check_output_activation(output_activation)
        w_dim = latent_dim if w_dim is None else w_dim
        if not 0.0 <= mixing_probability <= 1.0:
            raise ValueError(f"mixing_probability must be in [0, 1], got {mixing_probability}.")
        generator = networks.build_generator(
            image_shape,
            latent_dim,
            w_dim,
            width,
            mapping_layers,
            mapping_lr_multiplier,
            w_avg_decay,
            output_activation,
            num_classes,
            seed=seed,
        )
        discriminator = networks.build_discriminator(
            image_shape, width, minibatch_group, num_classes, mapping_layers, mapping_lr_multiplier, seed=seed
        )
        super().__init__(generator, discriminator, latent_dim=latent_dim, seed=seed, ema_decay=ema_decay, **kwargs)
        self.set_classes(num_classes, class_names)
        self.image_shape = image_shape
        self.w_dim = w_dim
        self.width = width
        self.mapping_layers = mapping_layers
        self.mapping_lr_multiplier = mapping_lr_multiplier
        self.w_avg_decay = w_avg_decay
        self.output_activation = output_activation
        self.mixing_probability = float(mixing_probability)
        self.minibatch_group = minibatch_group
        self.num_ws = networks.num_ws(image_shape[0])

    def network_config(self):
        return {
            "image_shape": self.image_shape,
            "w_dim": self.w_dim,
            "width": self.width,
            "mapping_layers": self.mapping_layers,
            "mapping_lr_multiplier": self.mapping_lr_multiplier,
            "w_avg_decay": self.w_avg_decay,
            "output_activation": self.output_activation,
            "mixing_probability": self.mixing_probability,
            "minibatch_group": self.minibatch_group,
            **self.class_config(),
        }

    @classmethod
    def from_config(cls, config):
        # StyleGAN2s saved before `output_activation` existed had the paper's linear output.
        return super().from_config({"output_activation": "linear", **config})

    def compile_defaults(self):
        return {
            **super().compile_defaults(),
            "learning_rate": 0.0025,
            "betas": (0.0, 0.99),
            "regularizers": self._regularizers(),
        }

    def compile(self, r1_gamma=None, pl_weight=None, **settings):
        """`kgan.GAN.compile`, with the weights of StyleGAN2's two regularizers as shortcuts.

        Args:
            r1_gamma: the weight of R1 on real images, applied every 16 D steps (default:
                `default_r1_gamma` of the image size, StyleGAN2-ADA's heuristic); 0 turns it off.
            pl_weight: the weight of path-length regularization, every 4 G steps (default 2); 0
                turns it off.
            **settings: as for `kgan.GAN.compile`; its `regularizers` replace these two.
        """
        if r1_gamma is not None or pl_weight is not None:
            if settings.get("regularizers") is not None:
                raise ValueError(
                    "Pass r1_gamma and pl_weight, or regularizers, not both: the weights set the paper's R1 "
                    "and PathLength, the list replaces them."
                )
            settings["regularizers"] = self._regularizers(r1_gamma, pl_weight)
        if settings.get("jit_compile") is True and self.generator.compute_dtype == "bfloat16":
            if not tf.config.list_physical_devices("GPU"):
                raise ValueError(
                    "StyleGAN2 in mixed_bfloat16 does not compile with XLA on a CPU: TensorFlow's XLA CPU "
                    'compiler rejects the gradient of its modulated convolutions ("Seen floating point types '
                    'of different precisions"). On a CPU, train in mixed_bfloat16 without XLA (jit_compile='
                    'False or "auto"; 1.13x float32\'s speed on an AMX Xeon, where XLA ran at 0.17x), or '
                    "with XLA in float32."
                )
        super().compile(**settings)

    def _regularizers(self, r1_gamma=None, pl_weight=None):
        """The paper's lazy R1 (every 16 D steps) and path-length regularization (every 4 G steps)."""
        r1_gamma = default_r1_gamma(self.image_shape[0]) if r1_gamma is None else r1_gamma
        pl_weight = 2.0 if pl_weight is None else pl_weight
        return [R1(r1_gamma, every=16)] * bool(r1_gamma) + [PathLength(pl_weight, every=4)] * bool(pl_weight)

    # --- the parts of a generator -------------------------------------------------------------

    @property
    def mapping(self):
        """The mapping network users get (the EMA's when kept): z -> w."""
        return self.inference_generator.get_layer("mapping")

    @property
    def synthesis(self):
        """The synthesis network users get (the EMA's when kept): ws `(n, num_ws, w_dim)` -> images."""
        return self.inference_generator.get_layer("synthesis")

    @property
    def w_avg(self):
        """The tracked average w that truncation pulls towards: `(w_dim,)`, or one per class
        `(num_classes, w_dim)` for a conditional StyleGAN2."""
        return ops.convert_to_numpy(self.mapping.get_layer("w_avg").average)

    # --- the training step's hooks ------------------------------------------------------------

    def make_fakes(self, real, condition, training=True):
        ws = self._training_ws(ops.shape(real)[0], condition, update_average=training)
        return self.generator.get_layer("synthesis")(ws, training=training)

    def latent_path(self, real, condition):
        ws = self._training_ws(ops.shape(real)[0], condition, update_average=False)
        return ws, lambda latents: self.generator.get_layer("synthesis")(latents, training=True)

    def mapping_inputs(self, latents, labels):
        """What the mapping network takes: z, and the labels' one-hot codes when conditional."""
        if self.num_classes is None:
            return latents
        return [latents, ops.one_hot(ops.cast(labels, "int32"), self.num_classes)]

    def _training_ws(self, batch, labels, update_average):
        """ws for one training batch: with `mixing_probability`, the ws of two latents (of the
        same class) with a random crossover layer (one per batch, as in the paper); else one w
        repeated."""
        mapping = self.generator.get_layer("mapping")
        if self.mixing_probability == 0:
            w = mapping(self.mapping_inputs(self.sample_latent(batch), labels), training=update_average)
            return ops.repeat(w[:, None], self.num_ws, axis=1)
        latents = self.sample_latent(batch * 2)
        first = mapping(self.mapping_inputs(latents[:batch], labels), training=update_average)
        # the average tracks one w per sample
        second = mapping(self.mapping_inputs(latents[batch:], labels), training=False)
        mixed = keras.random.uniform((), seed=self.seed_generator) < self.mixing_probability
        crossover = keras.random.randint((), 1, self.num_ws, seed=self.seed_generator)
        cutoff = ops.where(mixed, crossover, self.num_ws)
        first_layers = ops.arange(self.num_ws)[None, :, None] < cutoff
        return ops.where(first_layers, first[:, None], second[:, None])

    # --- controls -----------------------------------------------------------------------------

    def latent_to_w(self, num=None, seed=None, latent=None, labels=None, batch_size=256):
        """w `(n, w_dim)` for `num` latents drawn from `seed`, or for the given `latent` vectors;
        a conditional StyleGAN2's for `labels` (as `generate` takes them: None cycles through
        the classes)."""
        latent = self.latent_for(num, seed, latent)
        inputs = self.mapping_inputs(latent, self._labels_for(labels, len(latent)))
        return self.predict_in_batches(inputs, batch_size, network=self.mapping)

    def truncate(self, w, truncation=0.7, truncation_cutoff=None, labels=None):
        """ws `(n, num_ws, w_dim)` pulled towards the average w: `(1 - psi) * w_avg + psi * w`, psi
        being `truncation`, on the first `truncation_cutoff` layers (all when None); psi 1 returns
        `w` and psi 0 the average exactly. `w` is `(n, w_dim)` or `(n, num_ws, w_dim)`. A
        conditional StyleGAN2 pulls each w towards its class's average: give the `labels` the ws
        were mapped with (None: the classes in turn, as `latent_to_w` cycles them)."""
        ws = self._as_ws(w, "w")
        psi = check_truncation(truncation)
        cutoff = self._check_cutoff(truncation_cutoff)
        return ops.convert_to_numpy(networks.truncate(ws, self._average_for(labels, len(ws)), psi, cutoff))

    def mix_styles(self, source_w, target_w, layers):
        """ws `(n, num_ws, w_dim)`: `target_w`'s, with the layers in `layers` (indices, a range or a
        slice into the `num_ws` layers) taken from `source_w` (style mixing, Karras et al., 2019).

        Layers 0-3 hold the coarse styles (pose, shape), the middle ones finer features, the last
        ones colour and texture. Both ws are `(n, w_dim)` or `(n, num_ws, w_dim)`.
        """
        source, target = self._as_ws(source_w, "source_w"), self._as_ws(target_w, "target_w")
        if source.shape[0] != target.shape[0]:
            raise ValueError(f"source_w and target_w need the same count, got {source.shape[0]} and {target.shape[0]}.")
        chosen = self._check_layers(layers)
        mixed = target.copy()
        mixed[:, chosen] = source[:, chosen]
        return mixed

    def synthesize(self, ws, noise="const", batch_size=256):
        """Images for ws `(n, num_ws, w_dim)` (or one w per sample, `(n, w_dim)`), in [-1, 1] (only
        roughly with `output_activation="linear"`). `noise`: "const", "random" or "none"."""
        ws = ops.convert_to_tensor(self._as_ws(ws, "ws"))
        with networks.noise_mode(self.synthesis, noise):
            return self.predict_in_batches(ws, batch_size, network=self.synthesis)

    def styles(self, ws):
        """Each modulated layer's styles `s = A(w)`: `{layer name: (n, input channels)}`."""
        ws = ops.convert_to_tensor(self._as_ws(ws, "ws"))
        return {
            layer.name: ops.convert_to_numpy(layer.styles(ws)) for layer in networks.modulated_layers(self.synthesis)
        }

    truncates = True
    truncation_sweep = (1.0, 0.7, 0.5, 0.0)  # psi; 0 is the average image
    latent_spaces = ("w+", "w", "z")

    def sample_images(
        self, latent, labels=None, truncation=None, batch_size=256, truncation_cutoff=None, noise="const"
    ):
        """`generate`'s samples, optionally truncated: `truncation` (psi) below 1 trades variety for
        typical, cleaner images, 0 gives the average image; 1 or None (the default, what metrics
        should see) is none.

        Args:
            truncation_cutoff: truncate only the first this many layers (None: all).
            noise: "const" (the default: a seed always gives the same image), "random" or "none".
        """
        psi = 1.0 if truncation is None else check_truncation(truncation)
        cutoff = self._check_cutoff(truncation_cutoff)
        if noise not in networks.NOISE_MODES:
            raise ValueError(f"noise must be one of {networks.NOISE_MODES}, got {noise!r}.")
        w = self.latent_to_w(latent=latent, labels=labels, batch_size=batch_size)
        if psi == 1.0:
            return self.synthesize(w, noise, batch_size)
        w_avg = self._average_for(labels, len(w))
        return self.synthesize(networks.truncate(self._as_ws(w, "w"), w_avg, psi, cutoff), noise, batch_size)

    def export_endpoints(self, network):
        return export_module.style_endpoints(network, self.num_classes, self.class_names)

    def _labels_for(self, labels, count):
        """`count` checked class labels (None: the classes in turn), or None when unconditional."""
        if self.num_classes is None:
            if labels is not None:
                raise ValueError("labels are for a conditional StyleGAN2 (num_classes=N); this one has no classes.")
            return None
        return class_labels(labels, count, self.num_classes, self.class_names)

    def _average_for(self, labels, count):
        """The average w truncation pulls each of `count` ws towards: one for all, or their classes'."""
        labels = self._labels_for(labels, count)
        return self.w_avg if labels is None else self.w_avg[labels]

    # --- checks -------------------------------------------------------------------------------

    def _as_ws(self, w, name):
        w = np.asarray(ops.convert_to_numpy(w), np.float32)
        if w.ndim == 2 and w.shape[-1] == self.w_dim:
            return np.repeat(w[:, None], self.num_ws, axis=1)
        if w.ndim == 3 and w.shape[1:] == (self.num_ws, self.w_dim):
            return w
        raise ValueError(
            f"{name} must have shape (n, {self.w_dim}) (one w per sample) or (n, {self.num_ws}, {self.w_dim}) "
            f"(one per synthesis layer), got {w.shape}. Make ws with gan.latent_to_w(...)."
        )

    def _check_cutoff(self, cutoff):
        if cutoff is None:
            return None
        if isinstance(cutoff, bool) or not isinstance(cutoff, (int, np.integer)) or not 1 <= cutoff <= self.num_ws:
            raise ValueError(
                f"truncation_cutoff must be None (all layers) or an int from 1 to {self.num_ws}, got {cutoff!r}."
            )
        return int(cutoff)

    def _check_layers(self, layers):
        if isinstance(layers, slice):
            chosen = list(range(self.num_ws)[layers])
        elif isinstance(layers, (int, np.integer)):
            chosen = [layers]
        else:
            chosen = list(layers)
        valid = [isinstance(layer, (int, np.integer)) and 0 <= layer < self.num_ws for layer in chosen]
        if not chosen or not all(valid):
            raise ValueError(
                f"layers must be synthesis layer indices from 0 to {self.num_ws - 1} (this StyleGAN2 has "
                f"{self.num_ws}), e.g. range(0, 4) for the coarse styles; got {layers!r}."
            )
        return [int(layer) for layer in chosen]


def default_r1_gamma(resolution, batch_size=64):
    """The R1 weight StyleGAN2-ADA's heuristic gives: 0.0002 * resolution**2 / batch_size
    (Karras et al., "Training Generative Adversarial Networks with Limited Data", 2020): 0.0032 at
    32x32, 6.6 at 1024x1024 with batch 32 (where the StyleGAN2 paper used 10)."""
    return 0.0002 * resolution**2 / batch_size
