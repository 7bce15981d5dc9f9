"""What watching costs: each TensorBoard callback's time per epoch against training alone.

    python benchmarks/dashboard_cost.py --data-dir ../shared/data/mnist

Trains the README main job's DCGAN (`kgan train`'s defaults: width 32, 16 latent dimensions, batch
64, Adam 1e-3 with betas (0, 0.99), the D step's fakes reused, EMA 0.99) on MNIST for epochs of
`--steps` steps, with no callback and with each of the callbacks `kgan train` adds, one at a time,
then with all of them, side by side in one process. The configurations take turns for
`--rounds` rounds (the first epoch of each fit, which traces the step, is not timed: each fit runs
two epochs and the second is timed). Reports the median seconds per timed epoch and the cost of
each callback: its seconds per epoch, and its share of the epoch on top of training alone.
"""

import argparse
import statistics

import numpy as np
from training_speed import EpochTimer  # benchmarks/training_speed.py, beside this script

import kgan


def views(name, data, log_dir):
    """The callbacks of one configuration, as `kgan train` sets them up."""
    extractor = kgan.metrics.domain_extractor("mnist")
    every = {
        "TensorBoard (curves every 50 steps)": lambda: [kgan.callbacks.TensorBoard(log_dir, update_freq=50)],
        "TrainingMonitor (checks, D-output histograms)": lambda: [
            kgan.callbacks.TrainingMonitor(data, log_dir=log_dir)
        ],
        "ImageGrid (grid + real | generated)": lambda: [
            kgan.callbacks.ImageGrid(log_dir=log_dir, examples=next(iter(data)))
        ],
        "LatentWalk": lambda: [kgan.callbacks.LatentWalk(log_dir=log_dir)],
        "Projector (512 points, MNIST extractor)": lambda: [
            kgan.callbacks.Projector(data, log_dir, extractor=extractor, every=1)
        ],
    }
    if name == "none":
        return []
    if name == "all of them (kgan train)":
        return [callback for make in every.values() for callback in make()]
    return every[name]()


def timed_epoch(name, data, steps, log_dir, seed):
    gan = kgan.DCGAN((28, 28, 1), latent_dim=16, width=32, kernel_size=4, minibatch_std=True, ema_decay=0.99, seed=seed)
    gan.compile(learning_rate=1e-3, betas=(0.0, 0.99), reuse_fakes=True)
    timer = EpochTimer()  # last: an epoch ends once every callback has done its epoch work
    gan.fit(data, epochs=2, steps_per_epoch=steps, callbacks=[*views(name, data, log_dir), timer], verbose=0)
    return timer.durations[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default=None, help="folder with MNIST's files (else $KGAN_DATA_DIR or TFDS)")
    parser.add_argument("--steps", type=int, default=300, help="steps per timed epoch")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--log-dir", default="/tmp/kgan_dashboard_cost")
    args = parser.parse_args()

    data = kgan.data.load("mnist", data_dir=args.data_dir, batch_size=64, seed=0).repeat()
    names = [
        "none",
        "TensorBoard (curves every 50 steps)",
        "TrainingMonitor (checks, D-output histograms)",
        "ImageGrid (grid + real | generated)",
        "LatentWalk",
        "Projector (512 points, MNIST extractor)",
        "all of them (kgan train)",
    ]
    seconds = {name: [] for name in names}
    for round_ in range(args.rounds):
        for index, name in enumerate(names):
            seconds[name].append(timed_epoch(name, data, args.steps, f"{args.log_dir}/{round_}_{index}", seed=round_))
    base = statistics.median(seconds["none"])
    print(f"epochs of {args.steps} steps at batch 64, median of {args.rounds} rounds")
    print(f"{'callbacks':48s} {'s/epoch':>8s} {'cost s':>7s} {'cost %':>7s}")
    for name in names:
        median = statistics.median(seconds[name])
        print(f"{name:48s} {median:8.2f} {median - base:7.2f} {100 * (median / base - 1):6.1f}%")
    print("per-round seconds:", {name: np.round(values, 2).tolist() for name, values in seconds.items()})


if __name__ == "__main__":
    main()
