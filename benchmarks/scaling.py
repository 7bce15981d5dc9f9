"""How `kgan train` scales: what this machine can measure, and images/s on 1, 8 and 64 GPUs on paper.

    python benchmarks/scaling.py --data-dir ../shared/data/mnist

Measured here, for every recipe built as `kgan train` builds it for its usual dataset:
  - the parameters of D and G and the float32 gradient bytes one training step all-reduces
    (d_steps x D's + G's, x 4 bytes), and the synchronized batch-norm all-reduces per step;
  - forward floating-point operations per image of G and D (TensorFlow's profiler on their graphs);
  - the time to write and to restore one backup (`kgan.callbacks.BackupAndRestore`'s weights file).
And side by side in one run: the DCGAN recipe's images/s on MNIST in one `kgan train` process and
in two `kgan train` workers on localhost (TF_CONFIG, one CPU replica each, the two cores shared).

Projected, not measured (no GPU here): images/s on 1, 8 and 64 GPUs. A step costs the compute of
its floating-point operations at an assumed sustained rate, plus its all-reduces with NCCL's ring
algorithm (bytes x 2(N-1)/N / bus bandwidth, plus a latency per all-reduce) and nothing overlapped.
A step takes at least --step-floor-ms (small networks' GPU steps are bound by launching their
kernels, not by arithmetic). Every assumption is a flag and is printed first; the table shows
images/s to two figures and, in brackets, the share of the step spent computing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

import numpy as np
import tensorflow as tf

import kgan
import kgan_cli.parser
import kgan_cli.train

#: The dataset each recipe usually trains on (docs/cli.md's commands) and its image shape there.
USUAL_DATA = {
    "dcgan": ("mnist", (28, 28, 1)),
    "lsgan": ("fashion_mnist", (28, 28, 1)),
    "wgangp": ("mnist", (28, 28, 1)),
    "sngan": ("cifar10", (32, 32, 3)),
    "stylegan2": ("mnist", (32, 32, 1)),
    "acgan": ("mnist", (28, 28, 1)),
    "cgan": ("fashion_mnist", (28, 28, 1)),
    "projection": ("cifar10", (32, 32, 3)),
    "pix2pix": ("cifar10", (32, 32, 1)),
    "srgan": ("cifar10", (8, 8, 3)),
    "inpainting": ("cifar10", (32, 32, 3)),
    "cyclegan": ("mnist", (28, 28, 1)),
}


def build(name):
    """The recipe's GAN as `kgan train --recipe name --dataset <usual>` builds it, compiled, optimizers built."""
    dataset, shape = USUAL_DATA[name]
    recipe = kgan_cli.parser.RECIPES[name]
    options = ["train", "--recipe", name, "--dataset", dataset] + (["--scale", "4"] if name == "srgan" else [])
    args = kgan_cli.parser.build_parser().parse_args(options)
    kgan_cli.train.apply_recipe(args)
    from_data = {
        "images": {},
        "labelled_images": {"num_classes": 10, "class_names": kgan.data.CLASS_NAMES[dataset]},
        "pairs": {"target_channels": 3},
        "domains": {"image_shape_b": shape},
    }[recipe.data]
    gan = kgan_cli.train.build_gan(recipe, args, shape, from_data)
    gan.compile(**kgan_cli.train._given(recipe.compile(args)), d_steps=args.d_steps)
    gan.d_optimizer.build(gan.discriminator_variables)  # both of CycleGAN's networks of each kind
    gan.g_optimizer.build(gan.generator_variables)
    return gan


def forward_flops(model):
    """Floating-point operations of one forward pass of `model` on one example (profiler count)."""
    specs = [tf.TensorSpec((1, *tensor.shape[1:]), tensor.dtype) for tensor in model.inputs]
    function = tf.function(lambda *inputs: model(list(inputs) if len(inputs) > 1 else inputs[0], training=False))
    graph = function.get_concrete_function(*specs).graph
    options = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
    options["output"] = "none"
    return tf.compat.v1.profiler.profile(graph, options=options).total_float_ops


def synchronized_norms(model):
    """Batch-normalization layers of `model` (synchronized under a strategy of several replicas)."""
    kinds = (tf.keras.layers.BatchNormalization, kgan.layers.ConditionalBatchNormalization)
    return sum(isinstance(layer, kinds) for layer in model._flatten_layers())


def backup_seconds(gan, folder):
    """Seconds to write and to restore one backup of `gan` (its whole state, as BackupAndRestore does)."""
    path = os.path.join(folder, "state-0-0.weights.h5")
    started = time.perf_counter()
    gan.save_weights(path, overwrite=True)
    written = time.perf_counter() - started
    started = time.perf_counter()
    gan.load_weights(path)
    return written, time.perf_counter() - started, os.path.getsize(path)


def recipe_figures(name, folder):
    gan = build(name)
    d_params = sum(int(np.prod(v.shape)) for v in gan.discriminator_variables)
    g_params = sum(int(np.prod(v.shape)) for v in gan.generator_variables)
    d_steps = gan.d_steps
    written, restored, size = backup_seconds(gan, folder)
    return {
        "recipe": name,
        "dataset": USUAL_DATA[name][0],
        "d_params": d_params,
        "g_params": g_params,
        "d_steps": d_steps,
        "allreduce_bytes_per_step": 4 * (d_steps * d_params + g_params),
        "gradient_allreduces_per_step": d_steps + 1,
        # G runs in training mode once per D step and once in G's step; 3 all-reduces per norm layer.
        "norm_allreduces_per_step": 3 * synchronized_norms(gan.generator) * (d_steps + 1)
        + 3 * synchronized_norms(gan.discriminator) * 3 * d_steps,
        "g_forward_flops": forward_flops(gan.generator),
        "d_forward_flops": forward_flops(gan.discriminator),
        "backup_bytes": size,
        "backup_write_s": round(written, 3),
        "backup_restore_s": round(restored, 3),
    }


def step_flops_per_image(figures):
    """FLOPs of one training step per image: each D step runs G forward, D forward on real and
    fake and D backward (about twice its forward); G's step runs G and D forward and backward.
    Regularizers (R1, gradient penalty, path length) come on top: a lower bound for those recipes."""
    g, d = figures["g_forward_flops"], figures["d_forward_flops"]
    return figures["d_steps"] * (g + 6 * d) + 3 * g + 3 * d


def project(figures, gpus, args):
    """Images/s of the recipe on `gpus` GPUs with `args.batch_per_gpu` images each (weak scaling)."""
    arithmetic = args.batch_per_gpu * step_flops_per_image(figures) / (args.gpu_tflops * 1e12)
    compute = max(arithmetic, args.step_floor_ms * 1e-3)
    if gpus == 1:
        communication = 0.0
    else:
        bandwidth, latency = (
            (args.node_busbw, args.node_latency_us) if gpus <= 8 else (args.cluster_busbw, args.cluster_latency_us)
        )
        ring = 2 * (gpus - 1) / gpus * figures["allreduce_bytes_per_step"] / (bandwidth * 1e9)
        count = figures["gradient_allreduces_per_step"] + figures["norm_allreduces_per_step"]
        communication = ring + count * latency * 1e-6
    step = compute + communication
    return gpus * args.batch_per_gpu / step, compute / step


def images_per_second(output):
    """The last epoch's images/s from `kgan train`'s progress lines."""
    found = re.findall(r"^epoch \d+/\d+ .*?(\d+) images/s", output, re.M)
    return int(found[-1]) if found else None


def train_speeds(data_dir, limit, epochs, folder):
    """The DCGAN recipe's images/s in one process and in two localhost workers, one after the other."""
    command = [sys.executable, "-m", "kgan", "train", "--dataset", "mnist", "--data-dir", data_dir]
    command += ["--limit", str(limit), "--epochs", str(epochs), "--no-export"]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    alone = subprocess.run(
        command + ["--run-dir", os.path.join(folder, "one")], env=env, capture_output=True, text=True
    )
    ports = []
    for _ in range(2):
        with socket.socket() as s:
            s.bind(("localhost", 0))
            ports.append(s.getsockname()[1])
    cluster = {"worker": [f"localhost:{port}" for port in ports]}
    workers = [
        subprocess.Popen(
            command + ["--run-dir", os.path.join(folder, "two")],
            env={**env, "TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": "worker", "index": i}})},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for i in range(2)
    ]
    chief = workers[0].communicate()[0]
    workers[1].communicate()
    return {"one_process": images_per_second(alone.stdout), "two_workers": images_per_second(chief)}


def two_figures(value):
    """`value` rounded to two significant figures: the precision a projection has."""
    return float(f"{value:.2g}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="MNIST's files, for the one-process / two-worker comparison")
    parser.add_argument("--recipes", nargs="+", default=list(USUAL_DATA))
    parser.add_argument("--limit", type=int, default=12800, help="images for the speed comparison (default: 12800)")
    parser.add_argument("--epochs", type=int, default=2, help="epochs of it; the last one is timed (default: 2)")
    parser.add_argument("--batch-per-gpu", type=int, default=64)
    parser.add_argument(
        "--gpu-tflops",
        type=float,
        default=40.0,
        help="sustained TFLOP/s of one GPU (default 40: an A100 at about a quarter of its 156 TF32 peak)",
    )
    parser.add_argument(
        "--step-floor-ms",
        type=float,
        default=3.0,
        help="the least one GPU step takes, launching its kernels (default 3 ms: small GAN steps are bound by this)",
    )
    parser.add_argument(
        "--node-busbw",
        type=float,
        default=200.0,
        help="all-reduce bus bandwidth in one 8-GPU node, GB/s (default 200: NVLink/NVSwitch)",
    )
    parser.add_argument("--node-latency-us", type=float, default=20.0, help="latency per all-reduce in a node, us")
    parser.add_argument(
        "--cluster-busbw",
        type=float,
        default=80.0,
        help="all-reduce bus bandwidth across 8 "
        "nodes, GB/s (default 80: 8x 200 Gb/s InfiniBand per node at about 40%%)",
    )
    parser.add_argument(
        "--cluster-latency-us", type=float, default=60.0, help="latency per all-reduce across nodes, us"
    )
    args = parser.parse_args()
    print(json.dumps({"assumptions": {k: v for k, v in vars(args).items() if k not in ("data_dir", "recipes")}}))
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name in args.recipes:
            figures = recipe_figures(name, folder)
            for gpus in (1, 8, 64):
                figures[f"images_per_s_{gpus}_gpus"], figures[f"compute_share_{gpus}_gpus"] = project(
                    figures, gpus, args
                )
            print(json.dumps(figures), flush=True)
            rows.append(figures)
        if args.data_dir:
            print(
                json.dumps({"dcgan_mnist_images_per_s": train_speeds(args.data_dir, args.limit, args.epochs, folder)})
            )
    print("\n| recipe | D / G parameters | all-reduced per step | backup write / restore | 1 GPU | 8 GPUs | 64 GPUs |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['recipe']} | {r['d_params'] / 1e6:.2f}M / {r['g_params'] / 1e6:.2f}M | "
            f"{r['allreduce_bytes_per_step'] / 1e6:.1f} MB in {r['gradient_allreduces_per_step']} + "
            f"{r['norm_allreduces_per_step']} | {r['backup_write_s']:.2f} / {r['backup_restore_s']:.2f} s | "
            + " | ".join(
                f"{two_figures(r[f'images_per_s_{n}_gpus']):,.0f} ({100 * r[f'compute_share_{n}_gpus']:.0f}%)"
                for n in (1, 8, 64)
            )
            + " |"
        )


if __name__ == "__main__":
    main()
