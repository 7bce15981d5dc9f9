"""Training speed of kgan against the loops users would otherwise write, measured side by side.

    python benchmarks/training_speed.py --data-dir ../shared/data/mnist

The same DCGAN-for-MNIST networks (generator Dense 7x7x256, transposed convolutions 128-64-1 with
kernel 5; discriminator convolutions 64-128 with kernel 5 and a dense output: kgan's
`architectures.dcgan` at width 64), batch 256, float32, trained by:

  tutorial  the TensorFlow DCGAN tutorial's loop: one tf.function with two GradientTapes and
            simultaneous updates from one fake batch; its input pipeline
            (from_tensor_slices -> shuffle(60000) -> batch);
  keras_io  the keras.io "GAN overriding train_step" pattern: `fit` on a Model whose step trains
            D on concatenated real and fake, then G on fresh noise; Keras' default compile
            settings; its input pipeline (shuffle(1024) -> batch);
  kgan      kgan.DCGAN with its defaults, on kgan.data.load("mnist");
  kgan_reuse the same with compile(reuse_fakes=True): the generator step learns from the last
            discriminator step's fakes instead of running G again on fresh noise.

Each round runs every trainer for `--steps` steps after a warm-up of the same length (the warm-up
absorbs tracing); rounds interleave the trainers, because this machine runs the same step at two
distinct speeds from one minute to the next. Reported: images per second of each round, the
median, and kgan's ratios to the peers, computed from the medians. Then kgan in mixed_bfloat16
against kgan in float32, and the exported SavedModel's sampling against `generator.predict` at
several batch sizes.
"""

import argparse
import statistics
import tempfile
import time

import keras
import numpy as np
import tensorflow as tf
from keras import ops

import kgan
from kgan.architectures import dcgan

BATCH = 256
LATENT = 100


def networks(seed):
    return (
        dcgan.build_generator((28, 28, 1), LATENT, width=64, seed=seed),
        dcgan.build_discriminator((28, 28, 1), width=64, seed=seed),
    )


# --- (a) the TensorFlow tutorial's loop ----------------------------------------------------------


class TutorialLoop:
    name = "tutorial"

    def __init__(self, images):
        self.generator, self.discriminator = networks(1)
        self.dataset = tf.data.Dataset.from_tensor_slices(images).shuffle(60000).batch(BATCH).repeat()
        self.iterator = iter(self.dataset)
        cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)
        g_optimizer, d_optimizer = keras.optimizers.Adam(1e-4), keras.optimizers.Adam(1e-4)
        generator, discriminator = self.generator, self.discriminator

        @tf.function
        def train_step(images):
            noise = tf.random.normal([BATCH, LATENT])
            with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
                generated_images = generator(noise, training=True)
                real_output = discriminator(images, training=True)
                fake_output = discriminator(generated_images, training=True)
                gen_loss = cross_entropy(tf.ones_like(fake_output), fake_output)
                disc_loss = cross_entropy(tf.ones_like(real_output), real_output) + cross_entropy(
                    tf.zeros_like(fake_output), fake_output
                )
            g_grads = gen_tape.gradient(gen_loss, generator.trainable_variables)
            d_grads = disc_tape.gradient(disc_loss, discriminator.trainable_variables)
            g_optimizer.apply_gradients(zip(g_grads, generator.trainable_variables))
            d_optimizer.apply_gradients(zip(d_grads, discriminator.trainable_variables))

        self.train_step = train_step

    def run(self, steps):
        start = time.perf_counter()
        for _ in range(steps):
            self.train_step(next(self.iterator))
        # Wait for the last step's updates before stopping the clock.
        float(self.generator.trainable_variables[0][0, 0])
        return time.perf_counter() - start


# --- (b) keras.io's "GAN overriding train_step" ---------------------------------------------------


class KerasIoGAN(keras.Model):
    def __init__(self, discriminator, generator, latent_dim):
        super().__init__()
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.seed_generator = keras.random.SeedGenerator(1337)

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn
        self.d_loss_metric = keras.metrics.Mean(name="d_loss")
        self.g_loss_metric = keras.metrics.Mean(name="g_loss")

    @property
    def metrics(self):
        return [self.d_loss_metric, self.g_loss_metric]

    def train_step(self, real_images):
        batch_size = ops.shape(real_images)[0]
        random_latent_vectors = keras.random.normal(shape=(batch_size, self.latent_dim), seed=self.seed_generator)
        generated_images = self.generator(random_latent_vectors)
        combined_images = ops.concatenate([generated_images, real_images], axis=0)
        labels = ops.concatenate([ops.ones((batch_size, 1)), ops.zeros((batch_size, 1))], axis=0)
        labels += 0.05 * tf.random.uniform(tf.shape(labels))
        with tf.GradientTape() as tape:
            predictions = self.discriminator(combined_images)
            d_loss = self.loss_fn(labels, predictions)
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))
        random_latent_vectors = keras.random.normal(shape=(batch_size, self.latent_dim), seed=self.seed_generator)
        misleading_labels = ops.zeros((batch_size, 1))
        with tf.GradientTape() as tape:
            predictions = self.discriminator(self.generator(random_latent_vectors))
            g_loss = self.loss_fn(misleading_labels, predictions)
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
        self.d_loss_metric.update_state(d_loss)
        self.g_loss_metric.update_state(g_loss)
        return {"d_loss": self.d_loss_metric.result(), "g_loss": self.g_loss_metric.result()}


class FitTrainer:
    """Times `fit` of a model: one warm-up epoch and one timed epoch of `steps` steps."""

    def __init__(self, name, model, dataset):
        self.name, self.model, self.dataset = name, model, dataset.repeat()

    def run(self, steps):
        timer = EpochTimer()
        self.model.fit(self.dataset, steps_per_epoch=steps, epochs=2, verbose=0, callbacks=[timer])
        return timer.durations[-1]


class EpochTimer(keras.callbacks.Callback):
    """Seconds of each epoch; placed last among callbacks, up to the end of their epoch work."""

    def __init__(self):
        super().__init__()
        self.durations = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.durations.append(time.perf_counter() - self._start)


def keras_io_trainer(images):
    generator, discriminator = networks(2)
    gan = KerasIoGAN(discriminator, generator, LATENT)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
        g_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
        loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
    )
    dataset = tf.data.Dataset.from_tensor_slices(images).shuffle(buffer_size=1024).batch(BATCH)
    return FitTrainer("keras_io", gan, dataset)


def kgan_trainer(data_dir, name="kgan", policy=None, **compile_settings):
    if policy is not None:
        keras.mixed_precision.set_global_policy(policy)
    try:
        gan = kgan.DCGAN(image_shape=(28, 28, 1), latent_dim=LATENT, seed=3)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    gan.compile(**compile_settings)
    return FitTrainer(name, gan, kgan.data.load("mnist", data_dir=data_dir, batch_size=BATCH, seed=0))


def measure(trainers, steps, rounds):
    """`{name: [images/s per round]}`, the trainers interleaved within every round."""
    speeds = {t.name: [] for t in trainers}
    for trainer in trainers:
        trainer.run(steps)  # warm-up: tracing and first-touch costs
    for round_index in range(rounds):
        for trainer in trainers:
            seconds = trainer.run(steps)
            speeds[trainer.name].append(steps * BATCH / seconds)
        print(f"round {round_index + 1}: " + ", ".join(f"{n} {v[-1]:.0f}" for n, v in speeds.items()), flush=True)
    return {name: statistics.median(values) for name, values in speeds.items()}


def sampling_speed(data_dir, batch_sizes, repeats):
    """Images/s of the exported SavedModel's serving signature and of `generator.predict`."""
    gan = kgan.DCGAN(image_shape=(28, 28, 1), latent_dim=LATENT, seed=4)
    with tempfile.TemporaryDirectory() as folder:
        kgan.export_generator(gan, folder)
        serve = tf.saved_model.load(folder).signatures["serving_default"]
        rows = []
        for batch in batch_sizes:
            latent = np.random.default_rng(0).standard_normal((batch, LATENT)).astype(np.float32)
            tensor = tf.constant(latent)
            runs = {
                "savedmodel": lambda tensor=tensor: serve(latent=tensor)["images"].numpy(),
                "predict": lambda latent=latent, batch=batch: gan.generator.predict(
                    latent, batch_size=batch, verbose=0
                ),
            }
            speeds = {}
            for name, call in runs.items():
                call()  # warm-up
                best = []
                for _ in range(3):
                    start = time.perf_counter()
                    for _ in range(repeats):
                        call()
                    best.append(repeats * batch / (time.perf_counter() - start))
                speeds[name] = max(best)
            rows.append((batch, speeds["savedmodel"], speeds["predict"]))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", help="folder with the MNIST idx files (default: $KGAN_DATA_DIR/mnist, else TFDS)")
    parser.add_argument("--steps", type=int, default=30, help="timed steps per trainer and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip", nargs="*", default=[], choices=["peers", "bfloat16", "sampling"])
    args = parser.parse_args()
    images = kgan.data.load_arrays("mnist", args.data_dir)[0].astype(np.float32) / 127.5 - 1.0
    print(
        f"TensorFlow {tf.__version__}, Keras {keras.__version__}; batch {BATCH}, "
        f"{args.steps} steps x {args.rounds} rounds"
    )

    if "peers" not in args.skip:
        print("\n== float32: kgan against the hand-written peers (images/s)")
        trainers = [
            TutorialLoop(images),
            keras_io_trainer(images),
            kgan_trainer(args.data_dir),
            kgan_trainer(args.data_dir, "kgan_reuse", reuse_fakes=True),
        ]
        medians = measure(trainers, args.steps, args.rounds)
        for name, value in medians.items():
            print(f"{name:10s} {value:8.0f} images/s (median)")
        for name in ("kgan", "kgan_reuse"):
            print(f"{name} / keras_io = {medians[name] / medians['keras_io']:.2f}x   (target >= 1.5)")
            print(f"{name} / tutorial = {medians[name] / medians['tutorial']:.2f}x   (target >= 1.0)")

    if "bfloat16" not in args.skip:
        print("\n== kgan in mixed_bfloat16 against kgan in float32 (images/s)")
        medians = measure(
            [kgan_trainer(args.data_dir, "float32"), kgan_trainer(args.data_dir, "bfloat16", "mixed_bfloat16")],
            args.steps,
            args.rounds,
        )
        print(f"bfloat16 / float32 = {medians['bfloat16'] / medians['float32']:.2f}x   (target >= 1.4)")

    if "sampling" not in args.skip:
        print("\n== sampling: exported SavedModel against generator.predict (images/s)")
        for batch, saved, predicted in sampling_speed(args.data_dir, (1, 64, 256), repeats=20):
            print(
                f"batch {batch:4d}: savedmodel {saved:8.0f}, predict {predicted:8.0f}, ratio {saved / predicted:.2f}x"
                + ("   (target >= 2 at batch 64)" if batch == 64 else "")
            )


if __name__ == "__main__":
    main()
