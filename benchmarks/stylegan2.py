"""StyleGAN2 measured: speed against DCGAN, path-length regularization, truncation, and quality per minute.

    python benchmarks/stylegan2.py speed
    python benchmarks/stylegan2.py path_length --data-dir ../shared/data/mnist --steps 300
    python benchmarks/stylegan2.py budget --datasets mnist --seeds 0 --minutes 4 --data-root ../shared/data
    python benchmarks/stylegan2.py variety --steps 600 --data-root ../shared/data
    python benchmarks/stylegan2.py variety --datasets mnist --output-activations linear --steps 600 --lr 2e-4
    python benchmarks/stylegan2.py variety --datasets mnist --output-activations linear --discriminator dcgan

* `speed`: images/s of `fit` steps (batch 64, float32, 32 steps so that lazy R1 runs twice and
  path length 8 times) of kgan's StyleGAN2 at the command line's size (width 32, z and w 64, 4
  mapping layers) and of the DCGAN of the same resolution (the command line's: width 32), side by
  side in one run at 32x32 and 64x64 RGB; StyleGAN2 also without each lazy regularizer, without
  style mixing, and with XLA (`jit_compile=True`). Random images: speed does not depend on them.
* `path_length`: StyleGAN2 trained on MNIST (resized to 32x32) for `--steps` steps with and
  without path-length regularization (same seed, same data order); then, for 2,000 ws of each
  EMA generator, the path length `||J_w^T y||` the regularizer uses: its mean, standard deviation
  and coefficient of variation (the paper's claim: the regularizer makes it more uniform). With
  the regularized model, precision and recall (MNIST extractor, 5,000 samples against the test
  set) at truncation psi 1, 0.7 and 0.5: the paper says precision rises and recall falls as psi
  falls.
* `budget`: StyleGAN2, DCGAN and SNGAN (the command line's settings for each) trained for the same
  wall-clock `--minutes` on each dataset and seed, then FID and precision/recall of 10,000
  samples against the test set with kgan's domain extractor (StyleGAN2's 32x32 MNIST samples are
  resized back to 28x28 for the extractor); a grid of each run's first 64 samples goes to `--out`.

* `variety`: StyleGAN2 trained at 32x32 without EMA on each of `--datasets`, with each of
  `--output-activations` (kgan's tanh, the paper's linear), printing every 200 steps the
  per-pixel standard deviation of 256 samples across latents (real MNIST: about 0.36), the
  classes holding 2% or more of 1,000 samples and the largest class's share (the dataset's shipped
  classifier), and D's verdicts: how fast the samples lose their variety (mode collapse), with
  `--lr` for both networks and `--adam-epsilon` for Adam's epsilon (Keras' 1e-7 by default).
  `--generator dcgan` or `--discriminator dcgan` swaps one network for kgan's DCGAN one (latent
  64, width 32, minibatch std), trained by `kgan.GAN` with StyleGAN2's compile settings (lr
  0.0025, betas (0, 0.99), lazy R1) but no style mixing or path length: which network collapses.
  A grid of 64 samples of each run goes to `--out`.

Prints JSON lines; docs/stylegan2.md quotes them with the CPU they ran on.
"""

import argparse
import json
import os
import time

import keras
import numpy as np
import tensorflow as tf

import kgan

BATCH = 64


#: The command line's EMA of the generator, for all three.
EMA_DECAY = 0.99


def stylegan2(image_shape, seed=0, **kwargs):
    settings = {"latent_dim": 64, "width": 32, "mapping_layers": 4, "ema_decay": EMA_DECAY, **kwargs}
    return kgan.StyleGAN2(image_shape, seed=seed, **settings)


def dcgan(image_shape, seed=0):
    return kgan.DCGAN(
        image_shape,
        latent_dim=16,
        width=32,
        kernel_size=4,
        dropout=0.0,
        minibatch_std=True,
        ema_decay=EMA_DECAY,
        seed=seed,
    )


def sngan(image_shape, seed=0):
    return kgan.SNGAN(
        image_shape, latent_dim=100, generator_width=64, discriminator_width=32, ema_decay=EMA_DECAY, seed=seed
    )


def compile_like_the_cli(gan, **overrides):
    """The command line's compile settings: its Adam for DCGAN, the papers' for the others."""
    settings = {"reuse_fakes": True}
    if isinstance(gan, kgan.DCGAN):
        settings.update(learning_rate=1e-3, betas=(0.0, 0.99))
    gan.compile(**{**settings, **overrides})
    return gan


def images_per_second(gan, size, steps=32, rounds=2):
    data = tf.data.Dataset.from_tensors(tf.random.uniform((BATCH, size, size, 3), -1, 1)).repeat(steps)
    gan.fit(data.take(4), epochs=1, verbose=0)  # trace and warm up
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        gan.fit(data, epochs=1, verbose=0)
        best = min(best, time.perf_counter() - started)
    return steps * BATCH / best


#: name -> (builder, model arguments, compile overrides)
SPEED_VARIANTS = {
    "dcgan": (dcgan, {}, {}),
    "stylegan2": (stylegan2, {}, {}),
    "stylegan2 no path length": (stylegan2, {}, {"pl_weight": 0}),
    "stylegan2 no R1": (stylegan2, {}, {"regularizers": []}),
    "stylegan2 no regularizers": (stylegan2, {}, {"regularizers": []}),
    "stylegan2 no mixing": (stylegan2, {"mixing_probability": 0.0}, {}),
    "stylegan2 XLA": (stylegan2, {}, {"jit_compile": True}),
}


#: At 64x64, where a StyleGAN2 step takes about 4x as long, the main comparison only (XLA ran
#: StyleGAN2 8x slower already at 32x32).
SPEED_VARIANTS_64 = ("dcgan", "stylegan2")


def speed(args):
    for size in args.sizes:
        rates = {}
        names = SPEED_VARIANTS if size == 32 else SPEED_VARIANTS_64
        for name in names:
            build, model, overrides = SPEED_VARIANTS[name]
            gan = compile_like_the_cli(build((size, size, 3), **model), **overrides)
            rates[name] = images_per_second(gan, size)
        for name, rate in rates.items():
            report(
                test="speed",
                size=size,
                model=name,
                images_per_second=round(rate, 1),
                vs_dcgan=round(rate / rates["dcgan"], 3),
                vs_stylegan2=round(rate / rates["stylegan2"], 3),
            )


def mnist_32(data_dir, seed, limit=None):
    return kgan.data.load("mnist", data_dir=data_dir, batch_size=BATCH, seed=seed, image_size=32, limit=limit)


def path_lengths(gan, count=2000, seed=0):
    """Per-sample `||J_w^T y||` of the EMA generator, as `kgan.regularizers.PathLength` computes it."""
    ws = tf.constant(gan.truncate(gan.latent_to_w(count, seed=seed), 1.0))
    lengths = []
    for start in range(0, count, 250):
        batch = ws[start : start + 250]
        with tf.GradientTape() as tape:
            tape.watch(batch)
            images = gan.synthesis(batch, training=False)
            noise = tf.random.stateless_normal(tf.shape(images), [seed, start]) / np.sqrt(32 * 32)
            total = tf.reduce_sum(images * noise)
        gradients = tape.gradient(total, batch)
        lengths.append(tf.sqrt(tf.reduce_mean(tf.reduce_sum(gradients**2, axis=2), axis=1)).numpy())
    return np.concatenate(lengths)


def path_length(args):
    real_test, _ = kgan.data.load_arrays("mnist", args.data_dir, "test")
    real = real_test[:5000].astype(np.float32) / 127.5 - 1.0
    for weight in (2.0, 0.0):
        gan = compile_like_the_cli(
            stylegan2((32, 32, 1)),
            pl_weight=weight,
        )
        started = time.perf_counter()
        gan.fit(mnist_32(args.data_dir, 0).take(args.steps), epochs=1, verbose=0)
        lengths = path_lengths(gan)
        report(
            test="path_length",
            pl_weight=weight,
            steps=args.steps,
            train_seconds=round(time.perf_counter() - started, 1),
            mean=round(float(lengths.mean()), 4),
            std=round(float(lengths.std()), 4),
            coefficient_of_variation=round(float(lengths.std() / lengths.mean()), 4),
        )
        if not weight:
            continue
        for psi in (1.0, 0.7, 0.5):
            samples = to_28(gan.generate(5000, seed=1, truncation=psi))
            scores = kgan.evaluate(samples, real, metrics=metrics_for("mnist", fid=False), num_samples=5000)
            report(test="truncation", psi=psi, **{k: round(float(v), 4) for k, v in scores.items()})


def metrics_for(dataset, fid=True):
    extractor = kgan.metrics.domain_extractor(dataset)
    metrics = [kgan.metrics.PrecisionRecall(extractor)]
    return [kgan.metrics.FrechetInceptionDistance(extractor), *metrics] if fid else metrics


def variety(args):
    for name in args.datasets:
        for activation in args.output_activations:
            variety_run(args, name, activation)


def variety_run(args, name, output_activation):
    data = kgan.data.load(name, data_dir=os.path.join(args.data_root, name), batch_size=BATCH, seed=0, image_size=32)
    real = next(iter(data.unbatch().batch(256))).numpy()
    family = stylegan2((32, 32, real.shape[-1]), ema_decay=None, output_activation=output_activation)
    defaults = family.compile_defaults()
    settings = {key: defaults[key] for key in ("learning_rate", "betas")}
    if args.lr is not None:
        settings.update(learning_rate=args.lr)
    if args.adam_epsilon is not None:  # Keras' default is 1e-7, StyleGAN2-ADA's (PyTorch's) 1e-8
        settings = {
            f"{net}_optimizer": keras.optimizers.Adam(
                settings["learning_rate"], *settings["betas"], epsilon=args.adam_epsilon
            )
            for net in ("d", "g")
        }
    extractor = kgan.metrics.domain_extractor(name)
    if args.generator == args.discriminator == "stylegan2":
        gan = compile_like_the_cli(family, **settings)
    else:
        gan = swapped_networks(args.generator, args.discriminator, real.shape[1:], output_activation)
        gan = compile_like_the_cli(gan, **settings, regularizers=defaults["regularizers"])
    for step in range(200, args.steps + 1, 200):
        logs = gan.fit(data.take(200), epochs=1, verbose=0).history
        report(
            test="variety",
            dataset=name,
            output_activation=output_activation,
            generator=args.generator,
            discriminator=args.discriminator,
            lr=args.lr or defaults["learning_rate"],
            adam_epsilon=args.adam_epsilon or 1e-7,
            step=step,
            sample_std=round(float(gan.generate(256, seed=0).std(axis=0).mean()), 3),
            **class_coverage(gan.generate(1000, seed=0), extractor),
            real_std=round(float(real.std(axis=0).mean()), 3),
            d_real=round(logs["d_real"][-1], 3),
            d_fake=round(logs["d_fake"][-1], 3),
        )
    kgan.images.save_grid(os.path.join(args.out, f"variety_{name}_{output_activation}.png"), gan.generate(64, seed=0))


def class_coverage(samples, extractor):
    """Mode coverage by class: the classes holding at least 2% of `samples` (the dataset's shipped
    classifier on them), and the largest class's share. The pixel std misses a collapse onto one
    digit drawn in varied strokes."""
    classes = np.argmax(extractor.predict(to_extractor_size(samples, extractor), verbose=0)[1], axis=1)
    counts = np.bincount(classes, minlength=10)
    count = len(samples)
    return {"classes": int((counts >= 0.02 * count).sum()), "top_class_share": round(float(counts.max()) / count, 2)}


def swapped_networks(generator, discriminator, shape, output_activation, latent_dim=64, width=32):
    """A `kgan.GAN` of StyleGAN2's or DCGAN's networks, at the command line's StyleGAN2 size."""
    from kgan.architectures import dcgan as dcgan_networks
    from kgan.architectures import stylegan2 as style_networks

    generators = {
        "stylegan2": lambda: style_networks.build_generator(
            shape, latent_dim, latent_dim, width, 4, output_activation=output_activation, seed=0
        ),
        "dcgan": lambda: dcgan_networks.build_generator(shape, latent_dim, width, 4, seed=0),
    }
    discriminators = {
        "stylegan2": lambda: style_networks.build_discriminator(shape, width, 4, seed=0),
        "dcgan": lambda: dcgan_networks.build_discriminator(shape, width, 4, dropout=0.0, minibatch_std=True, seed=0),
    }
    return kgan.GAN(generators[generator](), discriminators[discriminator](), latent_dim=latent_dim, seed=0)


def to_28(images):
    """StyleGAN2's 32x32 MNIST samples back to MNIST's 28x28, for the MNIST extractor."""
    return tf.image.resize(np.clip(images, -1, 1), (28, 28), antialias=True).numpy()


def to_extractor_size(images, extractor):
    """Samples at the size `extractor` takes (32x32 StyleGAN2 samples of 28x28 datasets back to 28x28)."""
    size = extractor.input_shape[1]
    return images if images.shape[1] == size else to_28(images)


def budget(args):
    builders = {"stylegan2": stylegan2, "dcgan": dcgan, "sngan": sngan}
    for name in args.datasets:
        data_dir = os.path.join(args.data_root, name)
        test, _ = kgan.data.load_arrays(name, data_dir, "test")
        real = test[:10000].astype(np.float32) / 127.5 - 1.0
        shape = kgan.data.IMAGE_SHAPES[name]
        for seed in args.seeds:
            for model, build in builders.items():
                resize = model == "stylegan2" and shape[0] != 32
                size = 32 if resize else None
                gan = compile_like_the_cli(build((32, 32, shape[2]) if resize else shape, seed=seed))
                data = kgan.data.load(name, data_dir=data_dir, batch_size=BATCH, seed=seed, image_size=size)
                clock = Budget(args.minutes * 60)
                gan.fit(data, epochs=1000, verbose=0, callbacks=[clock])
                samples = gan.generate(10000, seed=seed)
                kgan.images.save_grid(os.path.join(args.out, f"{name}_{model}_seed{seed}.png"), samples[:64])
                samples = to_28(samples) if resize else samples
                scores = kgan.evaluate(samples, real, metrics=metrics_for(name), num_samples=10000)
                report(
                    test="budget",
                    dataset=name,
                    seed=seed,
                    model=model,
                    minutes=args.minutes,
                    steps=int(gan.g_optimizer.iterations),
                    **{k: round(float(v), 4) for k, v in scores.items()},
                )


class Budget(keras.callbacks.Callback):
    """Stops `fit` once `seconds` of wall-clock training have passed."""

    def __init__(self, seconds):
        super().__init__()
        self.seconds = seconds

    def on_train_begin(self, logs=None):
        self.started = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        if time.perf_counter() - self.started > self.seconds:
            self.model.stop_training = True


def cpu_name():
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        return next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "unknown")


def report(**fields):
    print(json.dumps({"cpu": CPU, **fields}), flush=True)


CPU = cpu_name()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("test", choices=["speed", "path_length", "budget", "variety"])
    parser.add_argument("--data-dir", default="../shared/data/mnist", help="MNIST, for path_length")
    parser.add_argument("--data-root", default="../shared/data", help="the datasets' parent folder: budget, variety")
    parser.add_argument("--steps", type=int, default=300, help="path_length, variety: training steps")
    parser.add_argument("--lr", type=float, help="variety: both networks' learning rate (default: the family's)")
    parser.add_argument("--adam-epsilon", type=float, help="variety: Adam's epsilon (default: Keras' 1e-7)")
    networks = ["stylegan2", "dcgan"]
    parser.add_argument("--generator", choices=networks, default="stylegan2", help="variety: the generator")
    parser.add_argument("--discriminator", choices=networks, default="stylegan2", help="variety: the discriminator")
    parser.add_argument("--datasets", nargs="+", default=["mnist", "fashion_mnist", "cifar10"])
    parser.add_argument(
        "--output-activations",
        nargs="+",
        default=["tanh", "linear"],
        choices=["tanh", "linear"],
        help="variety: StyleGAN2's output activation (kgan's tanh, the paper's linear)",
    )
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--sizes", nargs="+", type=int, default=[32, 64], choices=[32, 64], help="speed: resolutions")
    parser.add_argument("--minutes", type=float, default=4.0, help="budget: training minutes per run")
    parser.add_argument("--out", default="runs/stylegan2_benchmark", help="budget, variety: sample grids")
    args = parser.parse_args()
    {"speed": speed, "path_length": path_length, "budget": budget, "variety": variety}[args.test](args)


if __name__ == "__main__":
    main()
