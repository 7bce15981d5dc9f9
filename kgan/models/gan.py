"""The GAN model and its one alternating training step."""

from __future__ import annotations

import contextlib
import inspect
import json
import math
import os
import warnings

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from kgan import export as export_module
from kgan import losses as losses_module
from kgan import metrics as metrics_module
from kgan import regularizers as regularizers_module
from kgan import schedules, seeding
from kgan.augment import DiffAugment
from kgan.data import pipeline as data_pipeline
from kgan.models.checks import (
    check_batch,
    check_latent,
    check_latent_dim,
    check_networks_fit,
    check_sample_count,
    check_sampling,
    class_labels,
    data_checks,
    output_range,
)

_DEFAULT_LEARNING_RATE = 2e-4
_SEED_STATE_KEY = "seed_state_"
_STATE_KEY = "state_"

#: Arguments of `generate` that have a new name: the old one is refused with the new spelling.
RENAMED_OPTIONS = {"truncation_psi": "truncation"}
#: What `generate` passes every family's `sample_images`; the rest are a family's own options.
COMMON_OPTIONS = ("latent", "labels", "truncation", "batch_size")


@keras.saving.register_keras_serializable(package="kgan")
class GAN(keras.Model):
    """A generative adversarial network as a `keras.Model`: train it with `fit`.

    Each training step runs `d_steps` discriminator updates on a real batch against fresh fakes,
    then one generator update on fresh noise (or on the last D step's fakes, `reuse_fakes`) during
    which the discriminator's weights stay fixed.
    The loss pair, label smoothing, instance noise and the two optimizers are chosen in
    `compile()`; all have defaults that train a DCGAN (Adam, lr 2e-4, beta_1 0.5, Radford et al.,
    2016; the non-saturating loss, Goodfellow et al., 2014).

    Logs `d_loss`, `g_loss`, and `d_real`/`d_fake`: the mean probability D gives real and fake
    images (or its mean score for losses without probabilities, such as hinge and Wasserstein),
    and `d_grad_norm`/`g_grad_norm`: the global norm of each network's gradient.
    `evaluate()` reports the same names, but for the gradient norms, without updating weights.

    Args:
        generator: a `keras.Model` mapping latent vectors `(batch, latent_dim)` to samples.
        discriminator: a `keras.Model` mapping samples to one logit or score per sample.
        latent_dim: size of the latent vector; read from `generator` when omitted and checked
            against it when given.
        seed: an int makes every random draw of the model (noise, instance noise) repeatable.
        ema_decay: when set (e.g. 0.999), keep an exponential moving average of the generator's
            weights in `ema_generator` (Yazici et al., 2019; Karras et al., 2018) and use it for
            `generate`, image grids and export. Its non-trainable state (batch-norm statistics)
            is copied from the generator.
        ema_start: training steps before averaging starts; until then the average copies the
            generator, so early, poor weights do not linger in it.

    Example:

    ```python
    gan = kgan.GAN(generator, discriminator)
    gan.compile(loss="hinge", learning_rate=(4e-4, 1e-4))
    gan.fit(dataset, epochs=10)
    images = gan.generate(16, seed=0)
    ```
    """

    def __init__(self, generator, discriminator, latent_dim=None, seed=None, ema_decay=None, ema_start=0, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = check_latent_dim(generator, latent_dim) if self.uses_latent else None
        self.seed = seed
        check_networks_fit(generator, discriminator)
        self.ema_decay = ema_decay
        self.ema_start = int(ema_start)
        self.ema_generator = _make_ema_generator(generator, ema_decay, ema_start)
        self.seed_generator = keras.random.SeedGenerator(seeding.sub_seed(seed, "training"), name="seed_generator")
        self.evaluation_seed_generator = keras.random.SeedGenerator(
            seeding.sub_seed(0 if seed is None else seed, "evaluation"), name="evaluation_seed_generator"
        )
        self._evaluation_seed_start = ops.convert_to_numpy(self.evaluation_seed_generator.state)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_real_tracker = keras.metrics.Mean(name="d_real")
        self.d_fake_tracker = keras.metrics.Mean(name="d_fake")
        self.d_grad_norm_tracker = keras.metrics.Mean(name="d_grad_norm")
        self.g_grad_norm_tracker = keras.metrics.Mean(name="g_grad_norm")
        self.adversarial_loss = losses_module.get("non_saturating")
        self.extra_loss_weights = {}
        self.extra_loss_trackers = {}
        # Variables of training's own (a regularizer's running mean), saved by name; see state_variable.
        object.__setattr__(self, "_state_variables", {})
        object.__setattr__(self, "_batches_to_skip", 0)  # see skip_batches
        self.built = True

    #: Whether G takes latent vectors; image-to-image families set False and have no latent_dim.
    uses_latent = True
    #: Classes `generate` takes `labels` of (conditional families set theirs); None: no labels.
    num_classes = None
    #: The classes' names by label, when known (a conditional GAN given them); `labels` may use them.
    class_names = None
    #: Whether `generate` takes `truncation` (families with an average to truncate towards).
    truncates = False
    #: The truncations `kgan.callbacks.TruncationGrid` draws by default, from none to strong.
    truncation_sweep = ()
    #: The latent spaces `kgan.latent.project` can search, its default first.
    latent_spaces = ("z",)

    def declare_extra_losses(self, **weights):
        """Declares the named loss terms a family adds (`l1=100.0`): their weights and log trackers."""
        for name, weight in weights.items():
            if weight < 0:
                raise ValueError(f"The weight of the {name!r} loss must be >= 0, got {weight}.")
            self.extra_loss_weights[name] = float(weight)
            self.extra_loss_trackers[name] = keras.metrics.Mean(name=name)

    # --- configuration ------------------------------------------------------------------------

    def compile_defaults(self):
        """The `compile()` settings this family trains with unless told otherwise (its paper's).

        `compile()` takes each of them from here when its argument is None (or not given).
        Recipes return `{**super().compile_defaults(), ...}` with their own.
        """
        return {
            "loss": "non_saturating",
            "learning_rate": _DEFAULT_LEARNING_RATE,
            "betas": (0.5, 0.999),
            "d_steps": 1,
            "regularizers": (),
        }

    def compile(
        self,
        d_optimizer=None,
        g_optimizer=None,
        loss=None,
        *,
        learning_rate=None,
        betas=None,
        label_smoothing=0.0,
        d_steps=None,
        reuse_fakes=False,
        regularizers=None,
        augment=None,
        instance_noise=0.0,
        instance_noise_decay_steps=None,
        freeze_d=0,
        ema_schedule=None,
        sample_metrics=(),
        jit_compile="auto",
        steps_per_execution=1,
        run_eagerly=False,
        **removed,
    ):
        """Chooses the game, the optimizers and the stabilisers; every argument has a working default.

        The arguments that are None by default take the family's setting from
        `compile_defaults()`: for `GAN` and `DCGAN` the non-saturating loss, Adam(2e-4, 0.5,
        0.999) for both networks, one D step, no regularizers; `WGANGP`, `SNGAN` and the other
        recipes have their papers'. The arguments after `loss` are keyword-only.

        The optimizers:
            d_optimizer: the discriminator's optimizer (instance, name or config); default
                Adam with `learning_rate` and `betas`.
            g_optimizer: the same for the generator.
            learning_rate: the default Adams' learning rate: one for both networks, or a
                `(discriminator's, generator's)` pair ("two time-scale" when they differ, Heusel
                et al., 2017); each may be a Keras `LearningRateSchedule`. 2e-4 for GAN.
            betas: the default Adams' `(beta_1, beta_2)`, for both networks ((0.5, 0.999) for GAN);
                beta_2 may be a schedule (`kgan.schedules.ScheduledAdam`). In both pairs None keeps
                the family's value: `betas=(0.0, None)`.

        The game:
            loss: `"non_saturating"`, `"minimax"`, `"least_squares"`, `"hinge"`, `"wasserstein"`,
                `"relativistic_average"`, `"relativistic_pairing"` (RpGAN, R3GAN's), a
                `kgan.losses.AdversarialLoss`, or a `(discriminator_fn, generator_fn)` pair (default:
                the family's).
            label_smoothing: D's targets moved towards each other, for losses with targets
                (non_saturating, minimax, least_squares, relativistic_average): a number for
                one-sided smoothing, D's target for real images becoming `1 - label_smoothing`
                (0.1 gives 0.9; Salimans et al., 2016), or a `(real, fake)` pair for two-sided
                smoothing ((0.1, 0.1) gives targets 0.9 and 0.1). One-sided is the usual advice:
                a fake target above 0 makes the best D reward fakes where there is no data
                (Salimans et al., 2016, section 3.4).
            d_steps: discriminator updates per generator update ("n_critic"; 1 for GAN).
            reuse_fakes: the generator step learns from the fakes of the last discriminator step
                (judged by the updated D) instead of drawing fresh noise and running G again:
                one generator forward pass fewer per step, the same sequential updates.

        The stabilisers:
            regularizers: penalties added to the loss of the network each one regularizes (its
                `network`) and logged under their names, e.g.
                `[kgan.regularizers.GradientPenalty(10.0)]`, `[kgan.regularizers.R1(10.0, every=16),
                kgan.regularizers.PathLength(2.0, every=4)]`; a lazy one is due when its network's
                number of updates so far is a multiple of its `every`.
            augment: a `kgan.augment.DiffAugment` or `AdaptiveAugment` applied to every batch D
                sees, real and fake, in both steps (differentiably, so G learns through it).
            instance_noise: standard deviation of Gaussian noise added to every image D sees,
                real and fake (Sønderby et al., 2017); 0 disables it.
            instance_noise_decay_steps: when set, the noise decays linearly to 0 over this many
                training steps; when None it stays constant.
            freeze_d: FreezeD (Mo et al., 2020): keep the discriminator's first `freeze_d` layers
                that hold weights fixed, for fine-tuning a trained GAN (`init_from`) on a small
                dataset; `frozen_d_layers` names them.
            ema_schedule: the generator EMA's decay as a schedule of G's updates, in place of the
                constant `ema_decay` (which must be set: it makes the average), e.g.
                `kgan.schedules.HalfLifeDecay(kgan.schedules.Cosine(0, steps / 4, steps))`, R3GAN's
                half-life growing from 0.

        Evaluation:
            sample_metrics: metrics of generated samples that `evaluate()` updates with each
                batch's fakes (and reals), e.g. `[kgan.metrics.ModeCoverage(centers, std)]`.

        Execution, as Keras' `compile` takes it:
            jit_compile: XLA for the step: True, False or "auto" (Keras' choice: off on CPUs,
                where XLA ran a DCGAN step about 2x slower than TensorFlow's own kernels).
            steps_per_execution: training steps per compiled call.
            run_eagerly: run the step eagerly, for debugging.
        """
        _refuse_removed_compile_arguments(removed)
        family = self.compile_defaults()
        loss = family["loss"] if loss is None else loss
        d_learning_rate, g_learning_rate = _filled(
            _per_network(learning_rate, "learning_rate"), _per_network(family["learning_rate"], "learning_rate")
        )
        beta_1, beta_2 = _filled(
            (None, None) if betas is None else _pair(betas, "betas", "(beta_1, beta_2)"), family["betas"]
        )
        real_smoothing, fake_smoothing = (
            _pair(label_smoothing, "label_smoothing", "(real, fake)")
            if isinstance(label_smoothing, (tuple, list))
            else (label_smoothing, 0.0)
        )
        d_steps = family["d_steps"] if d_steps is None else d_steps
        regularizers = list(family["regularizers"] if regularizers is None else regularizers)
        self.adversarial_loss = losses_module.get(loss)
        _check_compile_settings(
            self.adversarial_loss,
            d_steps,
            regularizers,
            augment,
            real_smoothing,
            fake_smoothing,
            instance_noise,
            instance_noise_decay_steps,
        )
        self.d_optimizer = _scaled_for(
            self.discriminator, _make_optimizer(d_optimizer, d_learning_rate, beta_1, beta_2, "d_optimizer")
        )
        self.g_optimizer = _scaled_for(
            self.generator, _make_optimizer(g_optimizer, g_learning_rate, beta_1, beta_2, "g_optimizer")
        )
        self.d_steps = d_steps
        self.regularizers = regularizers
        self.regularizer_trackers = {r.name: keras.metrics.Mean(name=r.name) for r in regularizers}
        for regularizer in regularizers:
            regularizer.build(self)
        self.sample_metrics = list(sample_metrics)
        self.augment = augment
        self.label_smoothing = float(real_smoothing)
        self.fake_label_smoothing = float(fake_smoothing)
        self.instance_noise = float(instance_noise)
        self.instance_noise_decay_steps = instance_noise_decay_steps
        self.reuse_fakes = bool(reuse_fakes)
        self.frozen_d_layers = self._freeze_discriminator(freeze_d)
        if ema_schedule is not None and self.ema_generator is None:
            raise ValueError(
                "ema_schedule sets the decay of the generator's moving average, which this GAN does not keep: "
                "build it with ema_decay set (e.g. ema_decay=0.999) to keep one."
            )
        self.ema_schedule = ema_schedule
        super().compile(
            optimizer=None,
            jit_compile=jit_compile,
            steps_per_execution=steps_per_execution,
            run_eagerly=run_eagerly,
        )
        # Build the optimizers' slots now, so checkpoints restore into them before the first step.
        self.d_optimizer.build(self.discriminator_variables)
        self.g_optimizer.build(self.generator_variables)
        self._kgan_compile_settings = {
            "d_steps": d_steps,
            "label_smoothing": [self.label_smoothing, self.fake_label_smoothing],
            "instance_noise": self.instance_noise,
            "instance_noise_decay_steps": instance_noise_decay_steps,
            "reuse_fakes": self.reuse_fakes,
            "freeze_d": freeze_d,
            "jit_compile": jit_compile,
            "steps_per_execution": steps_per_execution,
        }

    def get_compile_config(self):
        if not hasattr(self, "_kgan_compile_settings"):
            return None
        # Serialized when saving, not at compile: a metric that cannot be saved fails the save
        # with its own message instead of failing compile. The JSON round trip gives the form a
        # reloaded model reports (lists, not tuples), so configs compare equal across a save.
        return json.loads(
            json.dumps(
                {
                    **self._kgan_compile_settings,
                    "d_optimizer": keras.optimizers.serialize(self.d_optimizer),
                    "g_optimizer": keras.optimizers.serialize(self.g_optimizer),
                    "loss": losses_module.serialize(self.adversarial_loss),
                    "regularizers": [keras.saving.serialize_keras_object(r) for r in self.regularizers],
                    "sample_metrics": [keras.saving.serialize_keras_object(m) for m in self.sample_metrics],
                    "augment": keras.saving.serialize_keras_object(self.augment),
                    "ema_schedule": keras.saving.serialize_keras_object(self.ema_schedule),
                }
            )
        )

    def compile_from_config(self, config):
        config = dict(config)
        # Files saved before compile's arguments were grouped keep the two halves apart.
        if "fake_label_smoothing" in config:
            config["label_smoothing"] = [config["label_smoothing"], config.pop("fake_label_smoothing")]
        config["regularizers"] = config.get("regularizers", []) + config.pop("generator_regularizers", [])
        config["loss"] = losses_module.deserialize(config["loss"])
        for key in ("d_optimizer", "g_optimizer"):
            config[key] = keras.optimizers.deserialize(config[key])
        config["regularizers"] = [keras.saving.deserialize_keras_object(r) for r in config["regularizers"]]
        config["sample_metrics"] = [keras.saving.deserialize_keras_object(m) for m in config["sample_metrics"]]
        config["augment"] = keras.saving.deserialize_keras_object(config["augment"])
        config["ema_schedule"] = keras.saving.deserialize_keras_object(config.get("ema_schedule"))
        self.compile(**config)

    def get_config(self):
        """Every constructor argument: Keras' own, the ones all families share, and `network_config()`."""
        return {**super().get_config(), **self.shared_config(), **self.network_config()}

    def shared_config(self):
        """The constructor arguments every GAN family takes (`kgan.GAN`'s own)."""
        return {
            "latent_dim": self.latent_dim,
            "seed": self.seed,
            "ema_decay": self.ema_decay,
            "ema_start": self.ema_start,
        }

    def network_config(self):
        """This family's other constructor arguments: what rebuilds its networks and losses.

        Here the two networks themselves (serialized); recipes that build their networks from
        settings (`DCGAN(image_shape, width, ...)`) return those settings instead. Keras objects
        among the values are serialized here and deserialized by `from_config`.
        """
        return {
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
        }

    @classmethod
    def from_config(cls, config):
        config = {key: _deserialized(value) for key, value in config.items()}
        # Recipes build their networks in __init__ under the global dtype policy; the policy the
        # GAN was saved with makes a reloaded mixed-precision GAN mixed-precision again.
        with global_dtype_policy(config.get("dtype")):
            return cls(**config)

    def save_own_variables(self, store):
        super().save_own_variables(store)
        for i, state in enumerate(self._seed_states()):
            store[f"{_SEED_STATE_KEY}{i}"] = state.numpy()
        for name, variable in self._state_variables.items():
            store[f"{_STATE_KEY}{name}"] = variable.numpy()

    def load_own_variables(self, store):
        own = {k: store[k] for k in store.keys() if not k.startswith((_SEED_STATE_KEY, _STATE_KEY))}
        super().load_own_variables(own)
        for i, state in enumerate(self._seed_states()):
            key = f"{_SEED_STATE_KEY}{i}"
            if key in store:
                state.assign(store[key])
        for key in store.keys():
            if key.startswith(_STATE_KEY):
                value = np.asarray(store[key])
                self.state_variable(key[len(_STATE_KEY) :], value.shape).assign(value)

    def state_variable(self, name, shape=()):
        """The float32 training-state variable `name` (created as zeros on first use), saved with the model.

        For state that belongs to training rather than to a network, such as the running mean of
        `kgan.regularizers.PathLength`. The variables are saved by name, so a model reloaded
        before it is compiled (and its regularizers built) still takes them back.
        """
        if name not in self._state_variables:
            # Synchronized on read, as metrics are: each replica updates its own copy (inside a
            # lazy regularizer's cond, where a cross-replica update is not allowed), and reading
            # it outside the step (saving) gives the replicas' mean.
            self._state_variables[name] = keras.Variable(
                np.zeros(shape, np.float32),
                trainable=False,
                name=name,
                aggregation="mean",
                synchronization="on_read",
            )
        return self._state_variables[name]

    def _seed_states(self):
        # Keras saves no SeedGenerator state (neither ours nor Dropout's), so a reloaded or
        # resumed model would replay random numbers it already used. The GAN saves them all,
        # which makes a reloaded run continue exactly as the uninterrupted one.
        return [
            generator.state for layer in self._flatten_layers() for generator in getattr(layer, "_seed_generators", [])
        ]

    @property
    def metrics(self):
        trackers = [self.d_loss_tracker, self.g_loss_tracker, self.d_real_tracker, self.d_fake_tracker]
        trackers += [self.d_grad_norm_tracker, self.g_grad_norm_tracker]
        trackers += list(getattr(self, "extra_loss_trackers", {}).values())
        trackers += list(getattr(self, "regularizer_trackers", {}).values())
        return trackers + getattr(self, "sample_metrics", [])

    def fit(self, x=None, *args, **kwargs):
        """Keras' `fit`. With a kgan data pipeline, epoch e's pass over the data is pass number e,
        so a resumed run (`BackupAndRestore`) sees the same data order as an uninterrupted one. A
        dataset's tf.data autotuning is off unless its options turn it on, since it stalls every
        epoch's start (`kgan.data.pipeline.for_epochs`)."""
        if isinstance(x, tf.data.Dataset) and int(x.cardinality()) == 0:
            raise ValueError(
                "The training dataset is empty: it yields no batches. Check the data source (an empty "
                "folder or split, a filter that drops everything, or fewer samples than one batch "
                "with drop_remainder=True)."
            )
        if isinstance(x, tf.data.Dataset) and len(args) < 8:  # `shuffle` is fit's 9th parameter
            # A dataset shuffles itself (kgan's pipelines do); Keras' default shuffle=True only
            # earns a warning on every fit.
            kwargs.setdefault("shuffle", False)
        if isinstance(x, tf.data.Dataset):
            x = data_pipeline.for_epochs(x)
        counters = data_pipeline.pass_counters(x)
        internal = [_DataPassPerEpoch(counters)] if counters else []
        kwargs["callbacks"] = [*internal, _ResumedEpochEndsEarly(), *(kwargs.get("callbacks") or [])]
        return super().fit(x, *args, **kwargs)

    def skip_batches(self, count):
        """Makes `fit` read the next `count` batches of its data without training on them, and so
        end that epoch `count` steps early: how a run restored partway through an epoch
        (`kgan.callbacks.BackupAndRestore`) continues at the batch it stopped at, on data that
        repeats each epoch's order (kgan's pipelines do)."""
        object.__setattr__(self, "_batches_to_skip", int(count))

    def make_train_function(self, force=False):
        """Keras' train function, which first reads and drops the batches `skip_batches` asked for."""
        if self.train_function is not None and not force:
            return self.train_function
        super().make_train_function(force)
        train_on = self.train_function

        def train_function(iterator):
            skipping = self._batches_to_skip
            object.__setattr__(self, "_batches_to_skip", 0)
            for _ in range(skipping):
                next(iterator)  # runs out (StopIteration) when the epoch had no batch left: Keras ends it
            return train_on(iterator)

        self.train_function = train_function
        return train_function

    def evaluate(self, *args, **kwargs):
        """Keras' `evaluate`. Its noise (latent vectors, Inpainting's holes) comes from a stream of
        its own that starts afresh at every call: two evaluations of one model on the same data
        agree, and neither changes the noise training draws next."""
        self.evaluation_seed_generator.state.assign(self._evaluation_seed_start)
        return super().evaluate(*args, **kwargs)

    # --- sampling -----------------------------------------------------------------------------

    @property
    def inference_generator(self):
        """The network that makes samples for users (grids, `generate`, export): the EMA when kept."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    def sample_latent(self, num, seed=None):
        """Draws `num` latent vectors from N(0, I): from the model's seed generator, or from `seed`."""
        if self.latent_dim is None:
            raise ValueError(f"{type(self).__name__} takes no latent vectors; it translates images.")
        if seed is None:
            seed = self.seed_generator
        if isinstance(seed, keras.random.SeedGenerator):
            return seeding.replica_share(lambda total: keras.random.normal((total, self.latent_dim), seed=seed), num)
        return seeding.latent_vectors(num, self.latent_dim, int(seed))

    def generate(self, num=None, *, seed=None, labels=None, truncation=None, latent=None, batch_size=256, **options):
        """Makes samples in the data's range ([-1, 1] for images) as a NumPy array: the one
        `generate` of every family that samples (and of `kgan.load_generator`'s generators).

        Args:
            num: how many samples, drawn from fresh noise (or give `latent`).
            seed: makes the noise repeatable: the latent vectors of the export's `sample` and
                of `kgan sample --seed`.
            labels: for conditional families (`num_classes` is set): one class for all, one per
                sample, or None for classes 0, 1, ..., num_classes - 1, 0, ... in turn; a class is
                its index or, when the GAN knows them (`class_names`), its name.
            truncation: for families that truncate (`truncates`: StyleGAN2): psi, pulling samples
                towards the average (1 or None: none; 0.7 is common; 0: the average image).
            latent: explicit latent vectors `(n, latent_dim)` instead of `num`/`seed`.
            batch_size: samples per forward pass.
            **options: the family's own (StyleGAN2: `truncation_cutoff`, `noise`).

        Raises:
            ValueError: an option this family does not support (labels from an unconditional
                GAN, truncation from a DCGAN), or an image-to-image family (use `translate`).
        """
        if not self.uses_latent:
            raise ValueError(
                f"{type(self).__name__} translates images rather than sampling noise: use translate(images)."
            )
        for old, new in RENAMED_OPTIONS.items():
            if old in options:
                raise ValueError(f"generate()'s {old}= is now {new}=: generate(..., {new}={options[old]!r}).")
        own = [name for name in inspect.signature(self.sample_images).parameters if name not in COMMON_OPTIONS]
        unknown = sorted(set(options) - set(own))
        if unknown:
            raise TypeError(
                f"generate() got {', '.join(unknown)}, which a {type(self).__name__} does not take "
                f"(its own options: {', '.join(own) or 'none'})."
            )
        check_sampling(type(self).__name__, self.num_classes, self.truncates, labels, truncation)
        latent = self.latent_for(num, seed, latent)
        if self.num_classes is not None:
            labels = class_labels(labels, int(latent.shape[0]), self.num_classes, self.class_names)
        return self.sample_images(latent, labels, truncation, batch_size, **options)

    def sample_images(self, latent, labels=None, truncation=None, batch_size=256):
        """The hook behind `generate`, given checked inputs: the inference generator's images for
        `latent` (with `labels` for conditional families). Families with options of their own
        (StyleGAN2's truncation) override it."""
        inputs = latent if labels is None else [latent, ops.convert_to_tensor(labels)]
        return self.predict_in_batches(inputs, batch_size)

    def latent_for(self, num=None, seed=None, latent=None):
        """`latent` checked against the generator, or `num` fresh latent vectors (from `seed`)."""
        if latent is None:
            latent = self.sample_latent(check_sample_count(num), seed)
        latent = ops.convert_to_tensor(latent, dtype="float32")
        check_latent(latent.shape, self.latent_dim)
        return latent

    def predict_in_batches(self, inputs, batch_size=256, network=None):
        """Runs `network` (default: `inference_generator`) on `inputs` (a tensor or a list of
        them) in chunks -> NumPy."""
        network = network or self.inference_generator
        flat = tf.nest.flatten(inputs)
        total = int(flat[0].shape[0])
        chunks = []
        for start in range(0, total, batch_size):
            chunk = tf.nest.map_structure(lambda x, start=start: x[start : start + batch_size], inputs)
            chunks.append(ops.convert_to_numpy(network(chunk, training=False)))
        return np.concatenate(chunks, axis=0)

    def grid_inputs(self, num_images, seed, examples=None):
        """The fixed inputs `kgan.callbacks.ImageGrid` renders every epoch: here latent vectors."""
        return ops.convert_to_numpy(seeding.latent_vectors(num_images, self.latent_dim, seed))

    def grid_samples(self, grid_inputs):
        """`(images, columns)` for an image grid from `grid_inputs` (columns None: square-ish)."""
        return self.generate(latent=grid_inputs), None

    def real_grid(self, examples, num_images):
        """`(images, columns)`: real images from the batch `examples`, laid out like the grid of
        `num_images` samples, for `ImageGrid`'s real | generated panel; None for families whose
        grid already shows real data."""
        real, _ = self.unpack(tf.nest.map_structure(ops.convert_to_tensor, examples))
        return ops.convert_to_numpy(real)[:num_images], math.ceil(math.sqrt(num_images))

    def export_endpoints(self, network):
        """The SavedModel signatures of this family: `[(name, function, input_specs), ...]`."""
        return export_module.latent_endpoints(network)

    def call(self, inputs, training=False):
        """The samples users get for G's inputs (latent vectors, or what the family's G takes)."""
        return self.inference_generator(inputs, training=training)

    # --- the training step --------------------------------------------------------------------

    def train_step(self, data):
        real, condition = self.unpack(data)
        condition = self.complete_condition(real, condition)
        checks = data_checks(real, self.discriminator, output_range(self.generator))
        with tf.control_dependencies(checks):  # before any op of the step, updates included
            return self._alternating_step(real, condition)

    def _alternating_step(self, real, condition):
        noise_stddev = self.instance_noise_stddev()  # what this step uses, logged below
        # The generator's tape records only the making of the fakes it learns from: the last D
        # step's fakes when `reuse_fakes` (one generator forward pass saved), else fresh ones.
        with tf.GradientTape() as tape:
            for step in range(self.d_steps):
                reused = self.reuse_fakes and step == self.d_steps - 1
                with contextlib.nullcontext() if reused else tape.stop_recording():
                    fake = self.make_fakes(real, condition, training=True)
                with tape.stop_recording():
                    real_output, fake_output, d_loss, d_extra = self._discriminator_step(real, fake, condition)
            if not self.reuse_fakes:
                fake = self.make_fakes(real, condition, training=True)
            g_fake_output = self.discriminate(self.discriminator_inputs(fake), condition)
            g_real_output = None
            if self.adversarial_loss.relativistic:
                g_real_output = self.discriminate(self.discriminator_inputs(real), condition)
            g_loss = self.generator_loss(g_real_output, g_fake_output)
            g_extra = self.extra_generator_losses(real, fake, condition, g_fake_output)
            g_total = g_loss + self._weighted_sum(g_extra) + self._regularize_generator(real, condition)
        self._apply(self.g_optimizer, tape, g_total, self.generator_variables, self.g_grad_norm_tracker)
        if self.ema_generator is not None:
            self._update_ema()
        logs = self._update_trackers(d_loss, g_loss, real_output, fake_output, {**d_extra, **g_extra})
        if self.instance_noise:
            logs["instance_noise"] = noise_stddev
        if self.augment is not None:
            logs.update(self.augment.logs())
        return _for_multi_worker_reduction(logs)

    def _discriminator_step(self, real, fake, condition):
        """One update of D on a real and a fake batch; returns its outputs and losses for the logs."""
        with tf.GradientTape() as tape:
            real_inputs, fake_inputs = self.discriminator_inputs(real), self.discriminator_inputs(fake)
            real_output = self.discriminate(real_inputs, condition)
            fake_output = self.discriminate(fake_inputs, condition)
            d_loss = self.discriminator_loss(real_output, fake_output)
            d_extra = self.extra_discriminator_losses(real_output, fake_output, condition)
            if self.augment is not None:
                self.augment.observe(self.adversarial_logits(real_output))
            d_total = (
                d_loss
                + self._weighted_sum(d_extra)
                + self._regularize(real_inputs, fake_inputs, real_output, condition)
            )
        self._apply(self.d_optimizer, tape, d_total, self.discriminator_variables, self.d_grad_norm_tracker)
        return real_output, fake_output, d_loss, d_extra

    def test_step(self, data):
        # Evaluation draws its noise from its own stream, so evaluate() leaves training's alone.
        real, condition = self.unpack(data)
        condition = self.complete_condition(real, condition, seed=self.evaluation_seed_generator)
        inputs = self.generator_inputs(real, condition, seed=self.evaluation_seed_generator)
        fake = self.generator(inputs, training=False)
        real_output = self.discriminate(real, condition, training=False)
        fake_output = self.discriminate(fake, condition, training=False)
        d_loss = self.discriminator_loss(real_output, fake_output)
        g_loss = self.generator_loss(real_output, fake_output)
        extra = {
            **self.extra_discriminator_losses(real_output, fake_output, condition),
            **self.extra_generator_losses(real, fake, condition, fake_output),
        }
        if self.sample_metrics:
            # Metrics judge the samples users get: the EMA generator's when there is one.
            samples = fake if self.ema_generator is None else self.ema_generator(inputs, training=False)
            for metric in self.sample_metrics:
                metric.update_state(samples, real)
        logs = self._update_trackers(d_loss, g_loss, real_output, fake_output, extra)
        return {k: v for k, v in logs.items() if k not in ("d_grad_norm", "g_grad_norm")}

    # --- hooks: what families override instead of writing another loop ----------------------
    #
    # A batch is unpacked into the real samples D learns to accept and a condition (None here;
    # class labels, a source image, a mask ... in other families). G makes fakes from
    # `generator_inputs(real, condition)`; D judges samples given the same condition. Families
    # add named loss terms with `extra_discriminator_losses` / `extra_generator_losses`, each
    # weighted by `extra_loss_weights[name]` and logged under its name.

    def unpack(self, data):
        """Splits a batch into `(real, condition)` and checks them, drawing nothing: here `images`
        or `(images, labels)` -> (images, None)."""
        if isinstance(data, (tuple, list)):
            data = data[0]
        check_batch(data, self.discriminator)
        return data, None

    def complete_condition(self, real, condition, seed=None):
        """The condition with what the batch did not bring made from the real samples: here it is
        complete. SRGAN makes low-resolution inputs from high-resolution images, Inpainting draws
        holes. Random draws use `seed` (an int or a `keras.random.SeedGenerator`) when given,
        else the model's training noise."""
        return condition

    def generator_inputs(self, real, condition, seed=None):
        """What G takes to make one fake per real sample: here fresh latent vectors (from `seed`,
        an int or a `keras.random.SeedGenerator`, when given, else the training noise)."""
        return self.sample_latent(ops.shape(tf.nest.flatten(real)[0])[0], seed)

    def make_fakes(self, real, condition, training=True):
        """G's samples for this batch."""
        return self.generator(self.generator_inputs(real, condition), training=training)

    def latent_path(self, real, condition):
        """`(latents, synthesize)` for one fake per real sample: the latents G's path-length
        regularizer differentiates through, and the function from them to samples. Here the
        latent vectors z (the other inputs, such as labels, held fixed); StyleGAN2's are its ws."""
        inputs = self.generator_inputs(real, condition)
        if not isinstance(inputs, (list, tuple)):
            return inputs, lambda latents: self.generator(latents, training=True)
        return inputs[0], lambda latents: self.generator([latents, *inputs[1:]], training=True)

    def discriminator_inputs(self, samples):
        """What D sees of a batch of samples: augmented (if set), plus instance noise (if set).

        Nested samples (CycleGAN's two domains) are treated one tensor at a time.
        """
        return tf.nest.map_structure(self._perturb, samples)

    def discriminate(self, inputs, condition, training=True):
        """D's raw output on prepared inputs under a condition (here: no condition)."""
        return self.discriminator(inputs, training=training)

    def adversarial_logits(self, output):
        """The real-vs-fake logits (or scores) within D's output; ACGAN's D also outputs classes."""
        return output

    def instance_noise_stddev(self):
        """The instance noise's standard deviation at the current step."""
        if self.instance_noise_decay_steps is None:
            return ops.convert_to_tensor(self.instance_noise, "float32")
        progress = ops.cast(self.g_optimizer.iterations, "float32") / self.instance_noise_decay_steps
        return self.instance_noise * ops.maximum(0.0, 1.0 - progress)

    def discriminator_loss(self, real_output, fake_output):
        """D's adversarial loss on a real and a fake batch (label smoothing applied); logged `d_loss`."""
        return self.adversarial_loss.discriminator(
            self.adversarial_logits(real_output),
            self.adversarial_logits(fake_output),
            **self.label_targets(),
        )

    def label_targets(self):
        """D's targets for the loss: `real_label` (1 - label_smoothing), and `fake_label` when
        two-sided smoothing sets it."""
        targets = {"real_label": 1.0 - self.label_smoothing}
        if self.fake_label_smoothing:
            targets["fake_label"] = self.fake_label_smoothing
        return targets

    def generator_loss(self, real_output, fake_output):
        """G's adversarial loss given D's output on its samples (and on real ones, which only
        relativistic losses use: None otherwise); logged `g_loss`."""
        fake_logits = self.adversarial_logits(fake_output)
        if self.adversarial_loss.relativistic:
            return self.adversarial_loss.generator(fake_logits, self.adversarial_logits(real_output))
        return self.adversarial_loss.generator(fake_logits)

    def extra_discriminator_losses(self, real_output, fake_output, condition):
        """Named, unweighted loss terms added to D's loss, e.g. ACGAN's classification loss."""
        return {}

    def extra_generator_losses(self, real, fake, condition, fake_output):
        """Named, unweighted loss terms added to G's loss, e.g. Pix2Pix's L1 or CycleGAN's cycle loss."""
        return {}

    def _freeze_discriminator(self, count):
        """Freezes D's first `count` layers with weights (and unfreezes those an earlier compile froze)."""
        weighted = [layer for layer in self.discriminator.layers if layer.weights]
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count < len(weighted):
            raise ValueError(
                f"freeze_d must be an int in [0, {len(weighted)}): this discriminator has {len(weighted)} layers "
                f"with weights, and the last must keep training; got {count!r}."
            )
        for layer in weighted:
            if layer.name in getattr(self, "frozen_d_layers", ()):
                layer.trainable = True
        for layer in weighted[:count]:
            layer.trainable = False
        return [layer.name for layer in weighted[:count]]

    def init_from(self, source):
        """Starts from the weights of `source`, a trained GAN of the same networks (open a saved one
        with `kgan.load_gan`): generator, discriminator and the averaged generator, for fine-tuning
        on new data with this GAN's own `compile` settings (fresh optimizers).

        Raises:
            ValueError: `source` is not a GAN (a path: open it with `kgan.load_gan` first), or the
                networks differ (another family, width, latent size or image shape).
        """
        if not isinstance(source, GAN):
            opened = f"kgan.load_gan({os.fspath(source)!r})" if isinstance(source, (str, os.PathLike)) else "a kgan GAN"
            raise ValueError(f"init_from takes a GAN, got a {type(source).__name__}: pass {opened}.")
        pairs = [(self.generator, source.generator), (self.discriminator, source.discriminator)]
        if self.ema_generator is not None:
            pairs.append((self.ema_generator, source.inference_generator))
        for target, origin in pairs:
            try:
                target.set_weights(origin.get_weights())
            except ValueError as error:
                raise ValueError(
                    f"Cannot start this {type(self).__name__} from a {type(source).__name__} whose {origin.name} "
                    f"differs ({error}). Build it with the settings the saved GAN was trained with."
                ) from None
        return self

    @property
    def generator_variables(self):
        """The variables G's optimizer trains."""
        return self.generator.trainable_variables

    @property
    def discriminator_variables(self):
        """The variables D's optimizer trains."""
        return self.discriminator.trainable_variables

    # --- internals ----------------------------------------------------------------------------

    def _perturb(self, samples):
        if self.augment is not None:
            samples = self.augment(samples)
        if not self.instance_noise:
            return samples
        noise = keras.random.normal(ops.shape(samples), seed=self.seed_generator)
        return samples + ops.cast(self.instance_noise_stddev(), samples.dtype) * noise

    def _weighted_sum(self, terms):
        total = ops.convert_to_tensor(0.0, "float32")
        for name, value in terms.items():
            total = total + self.extra_loss_weights[name] * ops.cast(value, "float32")
        return total

    def _regularize(self, real, fake, real_output, condition):
        """The weighted sum of the regularizers due at this D step; logs each one it computes."""
        real_logits = self.adversarial_logits(real_output)

        def critic(samples, training=True):
            return self.adversarial_logits(self.discriminate(samples, condition, training=training))

        return self._regularization(
            "discriminator",
            self.d_optimizer.iterations,
            lambda regularizer: regularizer(critic, real, fake, real_logits, self.seed_generator),
        )

    def _regularize_generator(self, real, condition):
        """The weighted sum of the generator regularizers due at this G step; logs each one it computes."""
        return self._regularization(
            "generator",
            self.g_optimizer.iterations,
            lambda regularizer: regularizer(self, real, condition, self.seed_generator),
        )

    def _regularization(self, network, iterations, compute):
        """`_lazy_sum` over the regularizers of `network` ("discriminator" or "generator")."""
        own = [r for r in getattr(self, "regularizers", []) if r.network == network]
        return _lazy_sum(own, self.regularizer_trackers, iterations, compute)

    def _apply(self, optimizer, tape, loss, variables, norm_tracker):
        """One update of `variables` from `loss`, which must have been computed under `tape`.

        Logs the gradient's global norm (this replica's) in `norm_tracker`. Under mixed_float16
        the optimizer is a `LossScaleOptimizer`: the loss is scaled up so small float16 gradients
        do not flush to zero, and the optimizer unscales them, or skips the update and halves the
        scale when they overflowed; such a skipped step's norm is left out of the log.
        """
        # Keras optimizers sum gradients over replicas, so each replica's loss is divided by the
        # replica count: an update is then the same whatever the number of devices.
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        scale = ops.convert_to_tensor(optimizer.scale_loss(1.0), "float32")  # 1 without loss scaling
        gradients = tape.gradient(loss, variables, output_gradients=ops.cast(scale / replicas, loss.dtype))
        optimizer.apply(gradients, variables)
        present = [ops.cast(g, "float32") for g in gradients if g is not None]
        norm = tf.linalg.global_norm(present) * replicas / scale if present else ops.convert_to_tensor(0.0)
        counted = 1.0
        if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
            counted = ops.cast(ops.isfinite(norm), "float32")
            norm = ops.where(ops.isfinite(norm), norm, 0.0)  # a weight of 0 still adds weight * value
        norm_tracker.update_state(norm, sample_weight=counted)

    def _update_ema(self):
        started = ops.cast(self.g_optimizer.iterations > self.ema_start, "float32")
        scheduled = self.ema_schedule
        decay = self.ema_decay if scheduled is None else ops.cast(scheduled(self.g_optimizer.iterations), "float32")
        decay = decay * started  # 0 before ema_start: copy the generator
        # A clone lists its weights in its original's order; the original says which are trained.
        for average, current in zip(self.ema_generator.weights, self.generator.weights):
            if current.trainable:
                average.assign(decay * average + (1.0 - decay) * ops.cast(current, average.dtype))
            else:
                average.assign(current)

    def _update_trackers(self, d_loss, g_loss, real_output, fake_output, extra_losses):
        to_output = ops.sigmoid if self.adversarial_loss.probability else (lambda x: x)
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        for output, tracker in ((real_output, self.d_real_tracker), (fake_output, self.d_fake_tracker)):
            logits = ops.cast(self.adversarial_logits(output), "float32")
            tracker.update_state(ops.mean(to_output(logits)))
        for name, value in extra_losses.items():
            self.extra_loss_trackers[name].update_state(value)
        return metrics_module.results_of(self.metrics)


def _lazy_sum(regularizers, trackers, iterations, compute):
    """`sum(weight * every * penalty)` over the `regularizers` due after `iterations` updates of
    their network: one with `every` > 1 is computed only when `iterations % every == 0`, and its
    weight is multiplied by `every` so that its average strength is unchanged (Karras et al., 2020).
    Each computed penalty is logged in its tracker (`trackers[name]`)."""
    total = ops.convert_to_tensor(0.0, "float32")
    for regularizer in regularizers:
        tracker = trackers[regularizer.name]

        def penalty(regularizer=regularizer):
            return ops.cast(compute(regularizer), "float32")

        if regularizer.every == 1:
            value, due = penalty(), 1.0
        else:
            due = ops.cast(ops.equal(iterations % regularizer.every, 0), "float32")
            value = ops.cond(due > 0, penalty, lambda: ops.convert_to_tensor(0.0, "float32"))
        tracker.update_state(value, sample_weight=due)
        weight = ops.cast(regularizer.weight_at(iterations), "float32")
        total = total + weight * regularizer.every * value
    return total


def _deserialized(value):
    """A serialized Keras object (or a list of them) from `network_config` as the object; other values as given."""
    if isinstance(value, list) and value and all(_is_serialized(item) for item in value):
        return [keras.saving.deserialize_keras_object(item) for item in value]
    return keras.saving.deserialize_keras_object(value) if _is_serialized(value) else value


def _is_serialized(value):
    return isinstance(value, dict) and {"class_name", "config"} <= set(value)


class _DataPassPerEpoch(keras.callbacks.Callback):
    """Sets the pass number of kgan pipelines to the epoch before the epoch's pass begins."""

    def __init__(self, counters):
        super().__init__()
        self.counters = counters

    def on_epoch_begin(self, epoch, logs=None):
        for counter in self.counters:
            counter.assign(epoch)


class _ResumedEpochEndsEarly(keras.callbacks.Callback):
    """Hides Keras' "ran out of data" warning in an epoch that `GAN.skip_batches` shortens."""

    def __init__(self):
        super().__init__()
        self._quiet = None

    def on_epoch_begin(self, epoch, logs=None):
        if self.model._batches_to_skip:
            self._quiet = warnings.catch_warnings()
            self._quiet.__enter__()
            warnings.filterwarnings("ignore", message="Your input ran out of data")

    def on_epoch_end(self, epoch, logs=None):
        if self._quiet is not None:
            self._quiet.__exit__(None, None, None)
            self._quiet = None

    def on_train_end(self, logs=None):
        self.on_epoch_end(None)


@contextlib.contextmanager
def global_dtype_policy(policy):
    """Sets Keras' global dtype policy to `policy` (a name, config or policy; None: unchanged) within,
    and puts the previous one back after."""
    previous = keras.mixed_precision.global_policy()
    if policy is not None:
        keras.mixed_precision.set_global_policy(keras.dtype_policies.get(policy))
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(previous)


def _for_multi_worker_reduction(logs):
    """The step's logs as Keras can reduce them across workers.

    Under MultiWorkerMirroredStrategy Keras 3 averages each log with `strategy.reduce("MEAN", v,
    axis=0)`, which fails on scalars ("Invalid reduction dimension 0 for input with 0
    dimensions", tensorflow/tensorflow#72388). Given shape (1,), the same reduction returns the
    scalar mean across replicas.
    """
    strategy = tf.distribute.get_strategy()
    if not (
        isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) and strategy.extended._in_multi_worker_mode()
    ):
        return logs
    return {name: ops.reshape(value, (1,)) for name, value in logs.items()}


#: compile() arguments that were grouped, and what to pass instead.
REMOVED_COMPILE_ARGUMENTS = {
    "d_learning_rate": "learning_rate=(d_learning_rate, g_learning_rate), or one number for both",
    "g_learning_rate": "learning_rate=(d_learning_rate, g_learning_rate), or one number for both",
    "beta_1": "betas=(beta_1, beta_2)",
    "beta_2": "betas=(beta_1, beta_2)",
    "fake_label_smoothing": "label_smoothing=(label_smoothing, fake_label_smoothing)",
    "generator_regularizers": "regularizers=[...]: one list for both networks, each regularizer knows its own",
}


def _refuse_removed_compile_arguments(given):
    for name in given:
        if name in REMOVED_COMPILE_ARGUMENTS:
            raise TypeError(f"compile() no longer takes {name}=; pass {REMOVED_COMPILE_ARGUMENTS[name]}.")
        raise TypeError(f"compile() got an unexpected keyword argument {name!r}.")


def _pair(value, name, meaning):
    """`value` as a pair, or a ValueError saying it must be `meaning`."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(f"{name} must be a pair {meaning}, got {value!r}.")
    return tuple(value)


def _per_network(value, name):
    """`(discriminator's, generator's)` from one value for both or a pair."""
    if isinstance(value, (tuple, list)):
        return _pair(value, name, "(discriminator's, generator's)")
    return value, value


def _filled(pair, defaults):
    """`pair` with each None replaced by the default in its place."""
    return tuple(default if value is None else value for value, default in zip(pair, defaults))


def _check_compile_settings(
    adversarial_loss,
    d_steps,
    regularizers,
    augment,
    label_smoothing,
    fake_label_smoothing,
    instance_noise,
    instance_noise_decay_steps,
):
    for side, value in (("real", label_smoothing), ("fake", fake_label_smoothing)):
        if value and not adversarial_loss.supports_label_smoothing:
            raise ValueError(
                f"label_smoothing of the {side} target ({value}) has no effect with loss {adversarial_loss.name!r}, "
                f"which has no targets to smooth. Use it with one of "
                f"{sorted(n for n, loss in losses_module.LOSSES.items() if loss.supports_label_smoothing)}, "
                f"or set label_smoothing=0."
            )
        if not 0.0 <= value < 1.0:
            raise ValueError(f"label_smoothing of the {side} target must be in [0, 1), got {value}.")
    if fake_label_smoothing >= 1.0 - label_smoothing:
        raise ValueError(
            f"The fake target ({fake_label_smoothing}) must stay below the real one "
            f"(1 - {label_smoothing} = {1.0 - label_smoothing}); e.g. label_smoothing=(0.1, 0.1) for "
            "targets 0.9 and 0.1."
        )
    if instance_noise < 0:
        raise ValueError(f"instance_noise is a standard deviation >= 0, got {instance_noise}.")
    if instance_noise_decay_steps is not None and instance_noise_decay_steps <= 0:
        raise ValueError(
            f"instance_noise_decay_steps must be a positive number of steps or None, got {instance_noise_decay_steps}."
        )
    if not isinstance(d_steps, int) or d_steps < 1:
        raise ValueError(f"d_steps must be an int >= 1, got {d_steps!r}.")
    for regularizer in regularizers:
        if not isinstance(regularizer, regularizers_module.Regularizer):
            raise ValueError(
                f"regularizers must be kgan.regularizers objects (GradientPenalty, R1, R2, Drift, "
                f"PathLength, or a Regularizer or GeneratorRegularizer subclass), got {regularizer!r}."
            )
        if regularizer.network not in ("discriminator", "generator"):
            raise ValueError(
                f"{regularizer!r} says it regularizes {regularizer.network!r}; a regularizer's network is "
                "'discriminator' (subclass Regularizer) or 'generator' (subclass GeneratorRegularizer)."
            )
    names = [r.name for r in regularizers]
    if len(set(names)) != len(names):
        raise ValueError(f"Each regularizer may appear once; got {names}.")
    if augment is not None and not isinstance(augment, DiffAugment):
        raise ValueError(f"augment must be a kgan.augment.DiffAugment or AdaptiveAugment, got {augment!r}.")


def _make_ema_generator(generator, ema_decay, ema_start):
    if ema_decay is None:
        return None
    if not 0.0 < ema_decay < 1.0:
        raise ValueError(f"ema_decay must be in (0, 1), e.g. 0.999, or None; got {ema_decay}.")
    if ema_start < 0:
        raise ValueError(f"ema_start must be a number of steps >= 0, got {ema_start}.")
    try:
        ema = keras.models.clone_model(generator)
    except Exception as error:  # clone_model raises several types for networks it cannot rebuild
        raise ValueError(
            "ema_decay needs a generator that keras.models.clone_model can copy (a Functional or "
            f"Sequential model, or a subclass with get_config): {error}"
        ) from error
    ema.set_weights(generator.get_weights())
    ema.trainable = False
    return ema


def _scaled_for(network, optimizer):
    """`optimizer`, wrapped in a dynamic `LossScaleOptimizer` when `network` computes in float16.

    Keras' own `compile` does the same for a model under mixed_float16; the GAN compiles its two
    optimizers itself, so it wraps them (an optimizer the user already wrapped is kept).
    """
    computes_in_float16 = any(layer.compute_dtype == "float16" for layer in network._flatten_layers())
    if computes_in_float16 and not isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return keras.optimizers.LossScaleOptimizer(optimizer, name=f"{optimizer.name}_loss_scale")
    return optimizer


def _make_optimizer(optimizer, learning_rate, beta_1, beta_2, name):
    if optimizer is None:
        if not (isinstance(learning_rate, keras.optimizers.schedules.LearningRateSchedule) or learning_rate >= 0):
            raise ValueError(
                f"The {name.replace('_optimizer', '')} learning rate must be >= 0 (0 freezes that network), "
                f"got {learning_rate}."
            )
        if callable(beta_2):
            return schedules.ScheduledAdam(learning_rate, beta_1=beta_1, beta_2=beta_2, name=name)
        return keras.optimizers.Adam(learning_rate, beta_1=beta_1, beta_2=beta_2, name=name)
    return keras.optimizers.get(optimizer)
