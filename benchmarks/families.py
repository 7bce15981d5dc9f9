"""Each family's command line against the Python example it replaces: wall time and quality.

    python benchmarks/families.py --data-dir ../shared/data/mnist --families acgan pix2pix

For every family asked for, runs one after the other on this machine:

  command  `kgan train --recipe FAMILY --dataset mnist` as docs/cli.md shows it (its defaults,
           `--epochs`/`--limit` when given), a fresh process timed from start to exit;
  example  the Python example the command replaces (examples/conditional_mnist.py for the
           conditional families, examples/image_translation.py for the translators,
           examples/stylegan2_mnist.py for stylegan2; wgangp and sngan have none) on the same
           data and the same epochs and images, timed the same way (the examples also measure
           their own figures, which adds to their time: conditional_mnist.py trains a classifier).

Both exported generators are then scored by the same code, `kgan.evaluate` on MNIST's test set:
the unconditional recipes by FID, precision and recall (StyleGAN2's 32x32 samples resized to
28x28 for the classifier), conditional ones by the shipped classifier's accuracy on the classes
asked for, FID and FID per class (`--num-samples` images); translators by PSNR/SSIM against
the held-out targets beside the sources' own (bicubic for SRGAN) and FID of the translations,
on pairs made as `kgan evaluate` makes them (`kgan_cli.named_data`). The tutorial loop's speed
(benchmarks/training_speed.py) is printed first: a time here times (that speed / 176) estimates
the time on a 2-core AVX2-only machine, where each command should finish within 10 minutes.
Prints one JSON line per run.
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
from kgan_cli.named_data import baseline_scores, held_out_pairs, pair_batches

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONDITIONAL = ("acgan", "cgan", "projection")
TRANSLATORS = ("pix2pix", "srgan", "inpainting", "cyclegan")
#: The unconditional recipes whose steps cost several DCGAN steps, and their example if they have one.
COSTLY = {"wgangp": None, "sngan": None, "stylegan2": "stylegan2_mnist.py"}
#: The options their docs' commands add.
DOCS_OPTIONS = {"stylegan2": ["--r1-gamma", "0.01", "--pl-weight", "2", "--mixing", "0.9"]}


def example_command(family, epochs, limit, out):
    """The Python example's command line for `family`, training `epochs` over the first `limit` images."""
    if family in COSTLY:
        script, choice = COSTLY[family], []
    elif family in CONDITIONAL:
        script, choice = "conditional_mnist.py", ["--recipe", family]
    else:
        script, choice = "image_translation.py", ["--model", family]
    script = os.path.join(ROOT, "examples", script)
    return [script, *choice, "--epochs", str(epochs), "--limit", str(limit), "--out", out]


def timed(command, env):
    started = time.perf_counter()
    subprocess.run([sys.executable, *command], env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def score(export, family, data_dir, num_samples):
    """The figures of one exported generator on MNIST's test set."""
    extractor = kgan.metrics.domain_extractor("mnist", resize=True)  # StyleGAN2's 32x32 samples to 28x28
    generator = kgan.trained.open_generator(export)
    test_images, _ = kgan.data.load_arrays("mnist", data_dir, "test")
    if family in COSTLY:
        fid = kgan.metrics.FrechetInceptionDistance(extractor)
        metrics = [fid, kgan.metrics.PrecisionRecall(extractor, num_samples)]
        results = kgan.evaluate(generator, test_images, metrics, num_samples=num_samples, seed=1)
        return {k: results[k] for k in ("fid", "precision", "recall")}
    if family in CONDITIONAL:
        test = kgan.data.load("mnist", data_dir, "test", labels=True, shuffle=False, drop_remainder=False)
        metrics = [
            kgan.metrics.FrechetInceptionDistance(extractor),
            kgan.metrics.ClassAccuracy(extractor),
            kgan.metrics.IntraClassFID(extractor, num_classes=10),
        ]
        results = kgan.evaluate(generator, test, metrics, num_samples=num_samples, seed=1)
        return {k: results[k] for k in ("class_accuracy", "fid", "intra_fid")}
    data = {"pix2pix": "pairs", "cyclegan": "domains"}.get(family)
    pairs = pair_batches(*held_out_pairs(test_images[:num_samples], generator, data=data))
    metrics = [
        kgan.metrics.PeakSignalToNoiseRatio(),
        kgan.metrics.StructuralSimilarity(),
        kgan.metrics.FrechetInceptionDistance(extractor),
    ]
    results = kgan.evaluate(generator, pairs, metrics, num_samples=num_samples)
    results.update(baseline_scores(pairs, num_samples))
    return {k: v for k, v in results.items() if k != "real_samples"}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", required=True, help="the folder with MNIST's idx files")
    families = [*CONDITIONAL, *TRANSLATORS, *COSTLY]
    parser.add_argument("--families", nargs="+", default=families, choices=families, help="(default: all)")
    parser.add_argument("--epochs", type=int, help="epochs of both runs (default: the command's default)")
    parser.add_argument("--limit", type=int, default=60000, help="training images of both runs (default: all)")
    parser.add_argument("--num-samples", type=int, default=2000, help="images or pairs scored (default: 2000)")
    parser.add_argument("--tutorial-steps", type=int, default=40)
    parser.add_argument("--out", help="keep the runs here (default: a temporary folder)")
    args = parser.parse_args()
    out = args.out or tempfile.mkdtemp(prefix="kgan_families_")
    data_dir = os.path.abspath(args.data_dir)
    env = {**os.environ, "PYTHONPATH": ROOT}

    loop = TutorialLoop(kgan.data.load_arrays("mnist", data_dir)[0][:2000].astype(np.float32) / 127.5 - 1.0)
    loop.run(5)  # tracing
    speed = args.tutorial_steps * BATCH / loop.run(args.tutorial_steps)
    print(json.dumps({"tutorial_images_per_s": round(speed), "avx2_slowdown_estimate": round(speed / 176, 2)}))
    for family in args.families:
        run = os.path.join(out, f"{family}_command")
        command = ["-m", "kgan_cli", "train", "--recipe", family, "--dataset", "mnist", "--data-dir", data_dir]
        command += ["--limit", str(args.limit), "--run-dir", run, "--overwrite"]
        command += [] if args.epochs is None else ["--epochs", str(args.epochs)]
        command += DOCS_OPTIONS.get(family, [])
        seconds = timed(command, env)
        epochs = json.load(open(os.path.join(run, "config.json")))["epochs"]
        report = {"family": family, "run": "command", "epochs": epochs, "limit": args.limit}
        report["seconds"] = round(seconds)
        report.update(score(os.path.join(run, "generator"), family, data_dir, args.num_samples))
        print(json.dumps(report), flush=True)
        if family in COSTLY and COSTLY[family] is None:
            continue  # no example to compare with: recipes.md shows its few lines of Python
        example = os.path.join(out, f"{family}_example")
        seconds = timed(example_command(family, epochs, args.limit, example) + ["--data-dir", data_dir], env)
        report = {"family": family, "run": "example", "epochs": epochs, "limit": args.limit, "seconds": round(seconds)}
        report.update(score(os.path.join(example, "generator"), family, data_dir, args.num_samples))
        print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
