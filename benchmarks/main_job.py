"""The README's main job against the previous one: wall time and the quality of the exported samples.

    python benchmarks/main_job.py --data-dir ../shared/data/mnist

Runs, one after the other in this process's machine:

  tutorial  the TensorFlow DCGAN tutorial's loop (benchmarks/training_speed.py) for `--tutorial-steps`
            steps: images/s, the yardstick between machines. On a 2-core AVX2-only CPU it runs at
            about 176 images/s (`--reference-speed`), so a time here times (speed here / 176) is
            the estimate for such a machine;
  previous  `kgan train` as the README ran it before (DCGAN width 64, kernel 5, dropout 0.3, no
            minibatch standard deviation, 100 latent dimensions, Adam(2e-4, 0.5, 0.999), batch 64,
            no EMA, 2 epochs);
  main      the README's main command as it is now (`kgan train` with its defaults), once per
            `--seeds` value (`--seed S`; 0 is the README's), since GAN figures vary by seed;
  variants  the main command with other options, one per `--variant "OPTIONS"` (e.g.
            `--variant="--no-minibatch-std"`), to show what a default is worth.

Each `kgan train` is a fresh process, timed from start to exit (imports, data, training, grids,
checkpoints, export). Each exported generator then draws `--num-samples` images through its
`sample` signature, scored with kgan's shipped MNIST classifier against the MNIST test set:
the domain FID (its 128-d features), the share of each predicted digit (every digit >= 5% means
all ten are drawn) and the mean confidence of the predictions. The targets (issue 12): the main
job under 10 minutes on the AVX2 machine, FID at most a third of the previous job's, every digit
>= 5%, mean confidence >= 0.9.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import tensorflow as tf
from training_speed import BATCH, TutorialLoop  # benchmarks/training_speed.py, beside this script

import kgan

#: The README's main job until issue 12: the DCGAN tutorial's networks and rates for 2 epochs.
PREVIOUS = [
    "--dataset",
    "mnist",
    "--epochs",
    "2",
    "--batch-size",
    "64",
    "--width",
    "64",
    "--kernel-size",
    "5",
    "--dropout",
    "0.3",
    "--no-minibatch-std",
    "--latent-dim",
    "100",
    "--d-lr",
    "2e-4",
    "--g-lr",
    "2e-4",
    "--beta-1",
    "0.5",
    "--beta-2",
    "0.999",
    "--ema-decay",
    "0",
    "--no-reuse-fakes",
]
MAIN = []  # the README's command: kgan train with its defaults


def tutorial_speed(images, steps):
    loop = TutorialLoop(images)
    loop.run(5)  # tracing
    return steps * BATCH / loop.run(steps)


def train(extra, data_root, run_dir):
    """Runs `kgan train` as the README does; returns the wall-clock seconds."""
    env = {**os.environ, "KGAN_DATA_DIR": data_root}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kgan_cli", "train", *extra, "--run-dir", run_dir], env=env, check=True)
    return time.perf_counter() - started


def score(export, extractor, reference, num_samples):
    """Domain FID, each digit's share and the mean confidence of `num_samples` exported samples."""
    sample = tf.saved_model.load(export).signatures["sample"]
    fid = kgan.metrics.FrechetInceptionDistance(extractor, reference=reference)
    probabilities = []
    for index, start in enumerate(range(0, num_samples, 500)):
        pixels = sample(count=tf.constant(min(500, num_samples - start)), seed=tf.constant(index, tf.int64))["images"]
        fid.update_state(pixels)
        probabilities.append(tf.nn.softmax(extractor(kgan.data.scale_images(pixels), training=False)[1]).numpy())
    probabilities = np.concatenate(probabilities)
    shares = np.bincount(probabilities.argmax(1), minlength=10) / len(probabilities)
    return {
        "fid": round(float(fid.result()), 2),
        "digit_shares": [round(float(s), 3) for s in shares],
        "smallest_share": round(float(shares.min()), 3),
        "mean_confidence": round(float(probabilities.max(1).mean()), 3),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", required=True, help="the folder with MNIST's idx files")
    parser.add_argument("--num-samples", type=int, default=10000)
    parser.add_argument("--tutorial-steps", type=int, default=40)
    parser.add_argument(
        "--reference-speed", type=float, default=176.0, help="the tutorial loop's images/s on a 2-core AVX2 machine"
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="the main job's seeds (default: 0)")
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        help='also run the main command with these options (repeatable), e.g. --variant="--latent-dim 100"',
    )
    parser.add_argument("--skip-previous", action="store_true", help="run only the current main job")
    parser.add_argument("--out", default=None, help="keep the runs here (default: a temporary folder)")
    args = parser.parse_args()
    data_root = os.path.dirname(os.path.abspath(args.data_dir.rstrip("/")))
    train_images = kgan.data.load_arrays("mnist", args.data_dir)[0].astype(np.float32) / 127.5 - 1.0
    test_images = kgan.data.load_arrays("mnist", args.data_dir, "test")[0]
    extractor = kgan.metrics.domain_extractor("mnist")
    reference = kgan.metrics.reference_statistics(extractor, test_images[: args.num_samples])
    out = args.out or tempfile.mkdtemp(prefix="kgan_main_job_")

    speed = tutorial_speed(train_images, args.tutorial_steps)
    slowdown = speed / args.reference_speed
    print(json.dumps({"tutorial_images_per_s": round(speed), "avx2_slowdown_estimate": round(slowdown, 2)}), flush=True)
    jobs = [
        ("main" if seed == 0 else f"main_seed{seed}", MAIN + (["--seed", str(seed)] if seed else []))
        for seed in args.seeds
    ]
    jobs += [(variant, MAIN + variant.split()) for variant in args.variant]
    jobs += [] if args.skip_previous else [("previous", PREVIOUS)]
    results = {}
    for name, extra in jobs:
        run_dir = os.path.join(out, f"job{len(results)}")
        seconds = train(extra, data_root, run_dir)
        results[name] = {
            "command": "kgan train " + " ".join(extra),
            "minutes_here": round(seconds / 60, 2),
            "minutes_on_avx2_estimate": round(seconds * slowdown / 60, 1),
            **score(os.path.join(run_dir, "generator"), extractor, reference, args.num_samples),
        }
        print(json.dumps({name: results[name]}), flush=True)
    if "previous" in results:
        ratios = {
            name: round(r["fid"] / results["previous"]["fid"], 3) for name, r in results.items() if name != "previous"
        }
        print(json.dumps({"fid_over_previous": ratios}))
    print(f"runs in {out}")


if __name__ == "__main__":
    main()
