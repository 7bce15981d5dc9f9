"""`kgan train`'s default jobs against earlier ones: wall time and the quality of the exported samples.

    python benchmarks/main_job.py --data-dir ../shared/data/mnist                    # the README's job
    python benchmarks/main_job.py --dataset cifar10 --data-dir ../shared/data/cifar10 --seeds 0 1 2

Runs, one after the other in this process's machine:

  tutorial  the TensorFlow DCGAN tutorial's loop (benchmarks/training_speed.py) for `--tutorial-steps`
            steps: images/s, the yardstick between machines. On a 2-core AVX2-only CPU it runs at
            about 176 images/s (`--reference-speed`), so a time here times (speed here / 176) is
            the estimate for such a machine;
  main      `kgan train --dataset DATASET` with its defaults (MNIST's is the README's main command);
  variants  the main command with other options, one per `--variant "OPTIONS"` (e.g.
            `--variant="--no-minibatch-std"`), to show what a default is worth;
  previous  the default job before the last change of defaults, spelled out (`PREVIOUS`): for MNIST
            the README's job before issue 12 (DCGAN width 64, kernel 5, dropout 0.3, 100 latent
            dimensions, Adam(2e-4, 0.5, 0.999), no EMA, 2 epochs); for CIFAR-10 the defaults before
            issue 32 (MNIST's recipe for 3 epochs); both in float32, the default before --precision auto.

every job once per `--seeds` value (`--seed S`), since GAN figures vary by seed. Each `kgan train`
is a fresh process, timed from start to exit (imports, data, training, grids, checkpoints,
export). Each exported generator then draws `--num-samples` images through `kgan.evaluate`, scored
with kgan's shipped classifier of the dataset against its test split: the domain FID and KID (its
128-d features), precision and recall, and the classes the classifier sees in the samples
(`kgan.metrics.ClassCoverage`: classes covered, the rarest class's share, the KL divergence of the
shares from uniform, the mean confidence). The last lines are a Markdown table of each job's
mean and standard deviation over the seeds.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from training_speed import BATCH, TutorialLoop  # benchmarks/training_speed.py, beside this script

import kgan

#: The default jobs before their last change (see the docstring), by dataset.
PREVIOUS = {
    "mnist": (
        "--epochs 2 --batch-size 64 --width 64 --kernel-size 5 --dropout 0.3 --no-minibatch-std --latent-dim 100 "
        "--d-lr 2e-4 --g-lr 2e-4 --beta-1 0.5 --beta-2 0.999 --ema-decay 0 --no-reuse-fakes --precision float32"
    ).split(),
    "cifar10": (
        "--recipe dcgan --epochs 3 --batch-size 64 --width 32 --kernel-size 4 --dropout 0 --minibatch-std "
        "--latent-dim 16 --d-lr 1e-3 --g-lr 1e-3 --beta-1 0 --beta-2 0.99 --ema-decay 0.99 --reuse-fakes "
        "--precision float32"
    ).split(),
}
METRIC_KEYS = ("fid", "kid", "precision", "recall", "classes_covered", "smallest_share", "class_kl", "confidence")


def tutorial_speed(steps):
    """The tutorial loop's images/s (on random MNIST-sized images: the content does not change its speed)."""
    images = np.random.default_rng(0).uniform(-1, 1, (60000, 28, 28, 1)).astype(np.float32)
    loop = TutorialLoop(images)
    loop.run(5)  # tracing
    return steps * BATCH / loop.run(steps)


def train(dataset, extra, data_dir, run_dir):
    """Runs `kgan train` on the dataset; returns the wall-clock seconds."""
    command = ["train", "--dataset", dataset, "--data-dir", data_dir, *extra, "--run-dir", run_dir]
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kgan_cli", *command], check=True)
    return time.perf_counter() - started


def score(export, extractor, real, num_samples):
    """The domain figures of `num_samples` exported samples against the real test images."""
    metrics = [
        kgan.metrics.FrechetInceptionDistance(extractor),
        kgan.metrics.KernelInceptionDistance(extractor, num_samples=num_samples),
        kgan.metrics.PrecisionRecall(extractor, num_samples=num_samples),
        kgan.metrics.ClassCoverage(extractor),
    ]
    result = kgan.evaluate(export, real, metrics, num_samples=num_samples)
    return {key: round(float(result[key]), 4) for key in METRIC_KEYS}


def table(results, columns=("minutes_here", "minutes_on_avx2_estimate", *METRIC_KEYS)):
    """A Markdown table of each job's `columns`, mean +- std over its runs (seeds)."""
    lines = ["| job | seeds | " + " | ".join(columns) + " |", "|---" * (len(columns) + 2) + "|"]
    for name, runs in results.items():
        cells = []
        for column in columns:
            values = np.array([run[column] for run in runs])
            cells.append(f"{values.mean():.3g} ± {values.std():.2g}" if len(values) > 1 else f"{values[0]:.3g}")
        lines.append(f"| {name} | {len(runs)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", choices=sorted(PREVIOUS), default="mnist")
    parser.add_argument("--data-dir", required=True, help="the folder with the dataset's files")
    parser.add_argument("--num-samples", type=int, default=10000)
    parser.add_argument("--tutorial-steps", type=int, default=40)
    parser.add_argument(
        "--reference-speed", type=float, default=176.0, help="the tutorial loop's images/s on a 2-core AVX2 machine"
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="every job's seeds (default: 0)")
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        help='also run the main command with these options (repeatable), e.g. --variant="--latent-dim 100"',
    )
    parser.add_argument("--skip-previous", action="store_true", help="run only the current default job")
    parser.add_argument("--out", default=None, help="keep the runs here (default: a temporary folder)")
    args = parser.parse_args()
    extractor = kgan.metrics.domain_extractor(args.dataset)
    test_images = kgan.data.load_arrays(args.dataset, args.data_dir, "test")[0]
    real = test_images[np.random.default_rng(0).permutation(len(test_images))[: args.num_samples]]
    out = args.out or tempfile.mkdtemp(prefix="kgan_main_job_")

    speed = tutorial_speed(args.tutorial_steps)
    slowdown = speed / args.reference_speed
    print(json.dumps({"tutorial_images_per_s": round(speed), "avx2_slowdown_estimate": round(slowdown, 2)}), flush=True)
    jobs = [("main", [])] + [(variant, variant.split()) for variant in args.variant]
    jobs += [] if args.skip_previous else [("previous", PREVIOUS[args.dataset])]
    results = {}
    for seed in args.seeds:
        for name, extra in jobs:
            run_dir = os.path.join(out, f"{name.replace(' ', '_').strip('-')}_seed{seed}")
            seconds = train(args.dataset, [*extra, "--seed", str(seed)], args.data_dir, run_dir)
            result = {
                "command": f"kgan train --dataset {args.dataset} {' '.join(extra)} --seed {seed}",
                "minutes_here": round(seconds / 60, 2),
                "minutes_on_avx2_estimate": round(seconds * slowdown / 60, 1),
                **score(os.path.join(run_dir, "generator"), extractor, real, args.num_samples),
            }
            results.setdefault(name, []).append(result)
            print(json.dumps({name: result}), flush=True)
    print(table(results))
    print(f"runs in {out}")


if __name__ == "__main__":
    main()
