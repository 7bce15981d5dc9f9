"""The class-conditional recipes' training speed on colour images, side by side in one process.

    python benchmarks/conditional_speed.py [--recipes projection acgan biggan stylegan2] [--steps 20]
        [--precisions float32 mixed_bfloat16] [--xla]

For each recipe, the GAN `kgan train --recipe NAME --dataset cifar10` builds and compiles (its
defaults, or `--width`; stylegan2 with `--labels`), trained by `fit` on 32x32x3 batches of 64
with 10 classes: images/s of the step after a warm-up epoch (best of 2 epochs of `--steps`
steps), and BigGAN twice more: with the paper's 2 D steps, and without its self-attention
block. Each recipe runs in every `--precisions` policy (mixed_bfloat16 is fast only on CPUs with
AVX512_BF16 or AMX, and on GPUs) and, with `--xla`, also compiled by XLA; each line gives its
ratio to the recipe's first setting (float32 without XLA unless `--precisions` starts otherwise). Then the cost of
`kgan.layers.SelfAttention2D` alone at each resolution (forward and backward, batch 64,
4 * width channels as BigGAN's 32x32 networks have), against a 3x3 convolution of the same
channels there. Prints one JSON line per figure; `lscpu`'s model name and the CPU's vector and
bfloat16 instructions first.
"""

import argparse
import json
import platform
import subprocess
import time

import keras
import numpy as np
import tensorflow as tf

import kgan
import kgan_cli.parser
import kgan_cli.train

BATCH = 64
SHAPE = (32, 32, 3)
CLASSES = 10


def cpu():
    try:
        described = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return platform.processor()
    model = next((line.split(":", 1)[1].strip() for line in described.splitlines() if "Model name" in line), "?")
    flags = set(open("/proc/cpuinfo").read().split())
    vector = "AVX-512" if "avx512f" in flags else "AVX2 only"
    bf16 = [name for name in ("avx512_bf16", "amx_bf16") if name in flags]
    return f"{model}, {vector}, native bfloat16: {', '.join(bf16) or 'none'}"


def recipe_gan(name, width, d_steps=None, precision="float32", xla=False, **network):
    recipe = kgan_cli.parser.RECIPES[name]
    conditional = ["--labels"] if "labels" in recipe.options else []
    args = kgan_cli.parser.build_parser().parse_args(
        ["train", "--recipe", name, "--dataset", "cifar10", *conditional, *(["--width", str(width)] if width else [])]
    )
    recipe = kgan_cli.train.apply_recipe(args)
    with kgan.models.gan.global_dtype_policy(precision):
        gan = kgan_cli.train.build_gan(recipe, args, SHAPE, {"num_classes": CLASSES})
        if network:  # the same recipe with other network settings
            config = {**gan.get_config(), **network}
            gan = type(gan).from_config(config)
        gan.compile(
            learning_rate=(args.d_lr, args.g_lr),
            betas=(args.beta_1, args.beta_2),
            d_steps=d_steps or args.d_steps,
            reuse_fakes=args.reuse_fakes,
            jit_compile=xla,
            **kgan_cli.train._given(recipe.compile(args)),
        )
    return gan, args


def images_per_second(gan, steps):
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (BATCH * steps, *SHAPE)).astype(np.float32)
    labels = rng.integers(0, CLASSES, BATCH * steps).astype(np.int32)
    dataset = kgan.data.from_arrays(images, labels, batch_size=BATCH, seed=0, scale=False)
    gan.fit(dataset, epochs=1, verbose=0)  # trace and warm up
    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        gan.fit(dataset, epochs=1, verbose=0)
        best = min(best, time.perf_counter() - started)
    return BATCH * steps / best


def layer_milliseconds(layer, shape, calls=10):
    x = tf.random.normal(shape)
    layer(x)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_mean(layer(x, training=True))
        return tape.gradient(loss, [x, *layer.trainable_variables])

    step()
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(calls):
            result = step()
        result[0].numpy()
        best = min(best, (time.perf_counter() - started) / calls * 1000)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipes", nargs="+", default=["projection", "acgan", "biggan", "stylegan2"])
    parser.add_argument("--width", type=int, help="--width for every recipe (default: each recipe's)")
    parser.add_argument("--steps", type=int, default=20, help="steps per timed epoch")
    parser.add_argument("--precisions", nargs="+", default=["float32"], help="dtype policies to time each recipe in")
    parser.add_argument("--xla", action="store_true", help="also time each recipe compiled with XLA")
    options = parser.parse_args()
    print(json.dumps({"cpu": cpu(), "tensorflow": tf.__version__}), flush=True)
    settings = [(precision, xla) for precision in options.precisions for xla in (False, True)[: 1 + options.xla]]
    for name in options.recipes:
        variants = [("", {})]
        if name == "biggan":  # the paper's 2 D steps, and without self-attention
            variants += [(" with 2 D steps", {"d_steps": 2}), (" without attention", {"attention_resolution": None})]
        for suffix, network in variants:
            baseline = None
            for precision, xla in settings if not suffix else settings[:1]:
                figures = {"recipe": name + suffix, "precision": precision, "xla": xla}
                try:
                    gan, args = recipe_gan(name, options.width, precision=precision, xla=xla, **network)
                    figures.update({"width": args.width, "d_steps": gan.d_steps})
                    speed = images_per_second(gan, options.steps)
                except (ValueError, tf.errors.OpError) as error:  # refused by kgan or XLA: report, time the rest
                    message = getattr(error, "message", str(error))
                    print(json.dumps({**figures, "error": message.strip().splitlines()[-1][:300]}), flush=True)
                    continue
                baseline = baseline or speed
                figures.update({"images_per_second": round(speed, 1), "ratio": round(speed / baseline, 2)})
                print(json.dumps(figures), flush=True)
    channels = 4 * (options.width or kgan_cli.parser.RECIPES["biggan"].defaults["width"])
    for size in (8, 16, 32, 64):
        shape = (BATCH, size, size, channels)
        attention = layer_milliseconds(kgan.layers.SelfAttention2D(seed=0), shape)
        convolution = layer_milliseconds(keras.layers.Conv2D(channels, 3, padding="same"), shape)
        print(
            json.dumps(
                {
                    "self_attention_at": size,
                    "channels": channels,
                    "milliseconds": round(attention, 2),
                    "conv3x3_milliseconds": round(convolution, 2),
                    "ratio": round(attention / convolution, 2),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
