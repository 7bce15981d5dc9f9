"""StackedMNIST mode coverage: kgan's unconditional families side by side at equal minutes.

    python benchmarks/stacked_mnist.py --data-dir ../shared/data/mnist --minutes 2 --seeds 0 1 2

StackedMNIST (Metz et al., 2017) puts three MNIST digits in an image's red, green and blue
channels: 1,000 modes, one per digit triple (`kgan train --dataset stacked_mnist`). For each
`--recipes` entry and seed, one after the other on this machine, `kgan train --dataset
stacked_mnist --recipe R --minutes M --seed S` trains with the recipe's defaults for the same
wall-clock budget (`--minutes` stops it; r3gan's schedules need the run's length, so it also gets
the epochs its measured speed fills in that time, `--r3gan-images-per-second`). Each exported
generator then draws `--num-samples` images (26,000 by the benchmark's convention), scored with
`kgan.evaluate` and the StackedMNIST classifier (kgan's MNIST classifier on each channel,
`kgan.metrics.domain_extractor("stacked_mnist")`): `classes_covered` (modes with at least one
sample; real test images cover 1,000), `class_kl` (KL divergence of the modes' shares from
uniform, in nats), `confidence` and the FID of its 384-d features against the stacked test set.
The tutorial loop's speed is printed first (a time here times that speed / 176 estimates a
2-core AVX2 machine's, as in benchmarks/main_job.py). The last lines are a Markdown table of each
recipe's mean and standard deviation over the seeds.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time

from main_job import table, tutorial_speed  # benchmarks/main_job.py, beside this script

import kgan

RECIPES = ("dcgan", "sngan", "stylegan2", "r3gan")
FIGURES = ("classes_covered", "class_kl", "confidence", "fid", "recall")


def train(recipe, seed, minutes, data_dir, run_dir, epochs=None, options=()):
    """`kgan train` on StackedMNIST for `minutes` (with `options` of its own); returns the wall-clock seconds."""
    command = ["train", "--dataset", "stacked_mnist", "--data-dir", data_dir, "--recipe", recipe]
    command += ["--minutes", str(minutes), "--seed", str(seed), "--run-dir", run_dir, *options]
    command += ["--epochs", str(epochs)] if epochs else []
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kgan_cli", *command], check=True)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", required=True, help="the folder with MNIST's idx files")
    parser.add_argument("--recipes", nargs="+", default=list(RECIPES), choices=RECIPES)
    parser.add_argument("--minutes", type=float, default=2.0, help="each run's training budget (default: 2)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--num-samples", type=int, default=26000)
    parser.add_argument(
        "--r3gan-images-per-second",
        type=float,
        default=495.0,
        help="r3gan's training speed here, for the epochs its schedules span (default: 495, a 2-core Xeon's)",
    )
    parser.add_argument(
        "--r3gan-options", default="", help='more kgan train options for r3gan, e.g. "--penalty-every 16"'
    )
    parser.add_argument("--tutorial-steps", type=int, default=40)
    parser.add_argument("--out", default=None, help="keep the runs here (default: a temporary folder)")
    args = parser.parse_args()
    extractor = kgan.metrics.domain_extractor("stacked_mnist", resize=True)  # stylegan2 and r3gan draw 32x32
    test_images, _ = kgan.data.load_arrays("stacked_mnist", args.data_dir, "test")
    images_per_epoch = len(kgan.data.load_arrays("mnist", args.data_dir)[0])
    out = args.out or tempfile.mkdtemp(prefix="kgan_stacked_mnist_")
    slowdown = tutorial_speed(args.tutorial_steps) / 176.0
    print(json.dumps({"avx2_slowdown_estimate": round(slowdown, 2)}), flush=True)
    results = {}
    for seed in args.seeds:
        for recipe in args.recipes:
            run_dir = os.path.join(out, f"{recipe}_seed{seed}")
            epochs, options = None, ()
            if recipe == "r3gan":
                epochs = max(1, math.ceil(args.minutes * 60 * args.r3gan_images_per_second / images_per_epoch))
                options = args.r3gan_options.split()
            seconds = train(recipe, seed, args.minutes, args.data_dir, run_dir, epochs, options)
            metrics = [
                kgan.metrics.ClassCoverage(extractor),
                kgan.metrics.FrechetInceptionDistance(extractor),
                kgan.metrics.PrecisionRecall(extractor, num_samples=min(args.num_samples, 10000)),
            ]
            found = kgan.evaluate(os.path.join(run_dir, "generator"), test_images, metrics, args.num_samples)
            with open(os.path.join(run_dir, "config.json")) as f:
                config = json.load(f)
            result = {
                "recipe": recipe,
                "seed": seed,
                "minutes_here": round(seconds / 60, 2),
                "minutes_on_avx2_estimate": round(seconds * slowdown / 60, 1),
                "epochs_trained": len(os.listdir(os.path.join(run_dir, "samples"))),
                "precision_policy": config["precision"],
                **{key: round(float(found[key]), 4) for key in FIGURES},
            }
            results.setdefault(recipe, []).append(result)
            print(json.dumps(result), flush=True)
    print(table(results, ("minutes_here", "epochs_trained", *FIGURES)))
    print(f"runs in {out}")


if __name__ == "__main__":
    main()
