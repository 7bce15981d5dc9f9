"""How close does the DCGAN recipe get to the real data's FID floor in a CPU budget?

    python benchmarks/fid_budget.py --dataset mnist --data-dir ../shared/data/mnist --minutes 15

The floor is the FID of real training images against the test set (both `--num-samples`
images, features of kgan's domain extractor for the dataset): what a perfect generator would
score with this sample size. Then `kgan.DCGAN` with its defaults (batch 64, Adam 2e-4/0.5,
non-saturating loss) trains for at most `--minutes` of training time, and after every epoch
10,000 samples are scored against the test set's cached statistics (evaluation time is not
counted in the budget). Prints the curve and the best FID as a multiple of the floor.
"""

import argparse
import json
import os
import time

import keras
import numpy as np

import kgan


class TrainingClock(keras.callbacks.Callback):
    """Counts training time only (epoch wall time minus the metric callbacks') and stops at the budget."""

    def __init__(self, budget_seconds):
        super().__init__()
        self.budget = budget_seconds
        self.trained = 0.0
        self.curve = []

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        if self.trained + time.perf_counter() - self.started > self.budget:
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        # Runs before SampleMetrics (callbacks run in order), so evaluation is not counted.
        self.trained += time.perf_counter() - self.started

    def record(self, epoch, fid):
        self.curve.append({"epoch": epoch + 1, "train_seconds": round(self.trained, 1), "fid": round(fid, 3)})


class Record(keras.callbacks.Callback):
    def __init__(self, clock):
        super().__init__()
        self.clock = clock

    def on_epoch_end(self, epoch, logs=None):
        self.clock.record(epoch, logs["fid"])
        print(json.dumps(self.clock.curve[-1]), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", choices=["mnist", "fashion_mnist"], default="mnist")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--minutes", type=float, default=15.0, help="training-time budget")
    parser.add_argument("--num-samples", type=int, default=10000)
    parser.add_argument("--ema-decay", type=float, help="score an EMA of the generator (e.g. 0.999)")
    parser.add_argument(
        "--reuse-fakes", action="store_true", help="compile(reuse_fakes=True): G learns from the D step's fakes"
    )
    parser.add_argument("--seed", type=int, default=0, help="seeds the networks, the noise and the data order")
    parser.add_argument("--out", default="runs/fid_budget")
    args = parser.parse_args()

    extractor = kgan.metrics.domain_extractor(args.dataset)
    train, _ = kgan.data.load_arrays(args.dataset, args.data_dir, "train")
    test, _ = kgan.data.load_arrays(args.dataset, args.data_dir, "test")
    scale = lambda x: x.astype(np.float32) / 127.5 - 1.0  # noqa: E731
    reference = kgan.metrics.reference_statistics(
        extractor, scale(test[: args.num_samples]), cache_path=os.path.join(args.out, f"{args.dataset}_test_stats.npz")
    )
    shuffled = np.random.default_rng(0).permutation(len(train))[: args.num_samples]
    floor = kgan.evaluate(
        scale(train[shuffled]),
        None,
        [kgan.metrics.FrechetInceptionDistance(extractor, reference=reference)],
        num_samples=args.num_samples,
    )["fid"]
    print(json.dumps({"floor_fid_train_vs_test": round(floor, 3)}), flush=True)

    gan = kgan.DCGAN(image_shape=kgan.data.IMAGE_SHAPES[args.dataset], seed=args.seed, ema_decay=args.ema_decay)
    gan.compile(reuse_fakes=args.reuse_fakes)
    clock = TrainingClock(args.minutes * 60)
    fid = kgan.metrics.FrechetInceptionDistance(extractor, reference=reference)
    gan.fit(
        kgan.data.from_arrays(train, batch_size=64, seed=args.seed),
        epochs=100,
        verbose=0,
        callbacks=[
            clock,
            kgan.callbacks.SampleMetrics([fid], num_samples=args.num_samples),
            Record(clock),
            kgan.callbacks.ImageGrid(png_dir=os.path.join(args.out, "samples")),
        ],
    )
    best = min(point["fid"] for point in clock.curve)
    print(
        json.dumps(
            {
                "dataset": args.dataset,
                "ema_decay": args.ema_decay,
                "reuse_fakes": args.reuse_fakes,
                "seed": args.seed,
                "floor": round(floor, 3),
                "best_fid": best,
                "best_over_floor": round(best / floor, 2),
                "within_3x_floor": best <= 3 * floor,
                "train_minutes": round(clock.trained / 60, 2),
                "curve": clock.curve,
            }
        )
    )


if __name__ == "__main__":
    main()
