"""R3GAN's cost per image against the README's DCGAN, side by side in one process.

    python benchmarks/r3gan.py --data-dir ../shared/data/cifar10

Trains each network for `--steps` steps of batch 64 on CIFAR-10 (after a warm-up that absorbs
tracing), interleaving the trainers over `--rounds` rounds, and reports images per second and the
ratio to `kgan train`'s DCGAN (width 32, minibatch standard deviation, reused fakes):

  r3gan_w{W}   kgan.R3GAN with widths W at every stage and its defaults (one block per stage,
               depthwise grouped convolutions, R1 and R2 at every D step, schedules);
  r3gan_cifar  the official CIFAR-10 preset's networks (kgan.models.r3gan.CIFAR10_PRESET), with
               `--preset-steps` steps at batch `--preset-batch` (it is slow on a CPU).

Then a grouped 3x3 convolution of R3GAN's blocks (forward and backward, 64 x 32 x 32 x 128 in 8
groups) four ways: `kgan.layers.GroupedConv2D` (TensorFlow's grouped `tf.nn.conv2d`), one
convolution per group, a dense convolution of 8x the arithmetic, and Keras' `Conv2D(groups=8)`.
"""

import argparse
import statistics
import time

import numpy as np
import tensorflow as tf

import kgan
from kgan.layers import GroupedConv2D
from kgan.models.r3gan import CIFAR10_PRESET

BATCH = 64


def dcgan():
    gan = kgan.DCGAN((32, 32, 3), latent_dim=16, width=32, kernel_size=4, dropout=0.0, minibatch_std=True, seed=0)
    gan.compile(learning_rate=1e-3, betas=(0.0, 0.99), reuse_fakes=True)
    return gan


def r3gan(widths, **kwargs):
    def build():
        gan = kgan.R3GAN((32, 32, 3), widths=widths, seed=0, **kwargs)
        gan.compile(schedule_steps=10_000)
        return gan

    return build


def images_per_second(gan, data, steps, batch):
    start = time.perf_counter()
    gan.fit(data.take(steps), epochs=1, verbose=0)
    return steps * batch / (time.perf_counter() - start)


def grouped_forms():
    x = tf.constant(np.random.default_rng(0).standard_normal((64, 32, 32, 128)).astype(np.float32))

    def per_group(x, kernel):
        pairs = zip(tf.split(x, 8, axis=-1), tf.split(kernel, 8, axis=-1))
        return tf.concat([tf.nn.conv2d(a, b, 1, "SAME") for a, b in pairs], axis=-1)

    kgan_layer = GroupedConv2D(128, 3, 8)
    forms = {
        "kgan GroupedConv2D": kgan_layer,
        "one convolution per group": lambda x: per_group(x, kgan_layer.kernel),
        "dense 3x3 (8x the arithmetic)": tf.keras.layers.Conv2D(128, 3, padding="same", use_bias=False),
        "Keras Conv2D(groups=8)": tf.keras.layers.Conv2D(128, 3, padding="same", groups=8, use_bias=False),
    }
    for name, layer in forms.items():
        layer(x)
        variables = getattr(layer, "trainable_variables", [kgan_layer.kernel])

        @tf.function
        def step(x, layer=layer, variables=variables):
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = tf.reduce_sum(tf.square(layer(x)))
            return tape.gradient(y, [x, *variables])

        step(x)
        start = time.perf_counter()
        for _ in range(3):
            step(x)
        print(f"  {name:32s} {1000 * (time.perf_counter() - start) / 3:8.1f} ms", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default="../shared/data/cifar10")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--widths", type=int, nargs="+", default=[16, 32, 64])
    parser.add_argument("--preset-steps", type=int, default=2, help="steps of the official preset (0 skips it)")
    parser.add_argument("--preset-batch", type=int, default=16, help="its batch (64 needs more than 24 GiB here)")
    args = parser.parse_args()

    def cifar(batch):
        return kgan.data.load("cifar10", data_dir=args.data_dir, batch_size=batch, seed=0).repeat()

    batches = {}
    trainers = {"dcgan": dcgan(), **{f"r3gan_w{w}": r3gan(w)() for w in args.widths}}
    if args.preset_steps:
        preset = {k: v for k, v in CIFAR10_PRESET.items() if k != "image_shape"}
        trainers["r3gan_cifar"] = r3gan(preset.pop("widths"), **preset)()
        batches["r3gan_cifar"] = args.preset_batch
    speeds = {name: [] for name in trainers}
    data = {name: cifar(batches.get(name, BATCH)) for name in trainers}
    for name, gan in trainers.items():
        gan.fit(data[name].take(2), epochs=1, verbose=0)  # tracing
    for _ in range(args.rounds):
        for name, gan in trainers.items():
            steps = args.preset_steps if name == "r3gan_cifar" else args.steps
            speeds[name].append(images_per_second(gan, data[name], steps, batches.get(name, BATCH)))
    reference = statistics.median(speeds["dcgan"])
    print(f"images/s, batch {BATCH} (the preset: {args.preset_batch}), CIFAR-10 32x32, {args.rounds} rounds (median):")
    for name, values in speeds.items():
        median = statistics.median(values)
        params = trainers[name].generator.count_params() + trainers[name].discriminator.count_params()
        print(f"  {name:12s} {median:8.1f}  x{median / reference:.3f}  ({params:,} parameters)", flush=True)
    print("the grouped 3x3 convolution of a block, forward and backward, 64 x 32 x 32 x 128 in 8 groups:")
    grouped_forms()


if __name__ == "__main__":
    main()
