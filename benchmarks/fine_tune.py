"""Fine-tuning a trained GAN on a scarce dataset against training from scratch, for the same wall time.

    python benchmarks/fine_tune.py --source runs/mnist/checkpoints/epoch_0003.keras --data-root ../shared/data

The source is the DCGAN of the README's main command (`kgan train` on MNIST, 3 epochs). Each run
trains on 1,000 Fashion-MNIST training images (a seeded choice) for `--seconds` of wall time with
`kgan train`'s default settings (Adam(1e-3, 0, 0.99), fakes reused, EMA 0.99), starting:

* from scratch (the source's architecture, fresh weights);
* from the source's weights (`gan.init_from(source)`);
* from the source, with D's first 2 layers frozen (`compile(freeze_d=2)`, FreezeD);
* from the source, with FreezeD and ADA (`compile(augment=kgan.augment.AdaptiveAugment())`).

Then FID, precision and recall of 2,000 samples against 2,000 Fashion-MNIST test images on the
shipped Fashion-MNIST extractor. Mean and standard deviation over `--seeds` seeds, all in one run;
the steps each run managed in its time are reported too.
"""

import argparse
import os
import statistics
import time

import keras
import numpy as np

import kgan
from kgan.metrics import FrechetInceptionDistance, PrecisionRecall, domain_extractor

VARIANTS = ("from scratch", "fine-tuned", "fine-tuned, FreezeD 2", "fine-tuned, FreezeD 2 + ADA")


class StopAfter(keras.callbacks.Callback):
    """Stops `fit` once `seconds` of training have passed (the first step's tracing included)."""

    def __init__(self, seconds):
        super().__init__()
        self.seconds = seconds
        self.steps = 0

    def on_train_begin(self, logs=None):
        self.started = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1
        if time.perf_counter() - self.started > self.seconds:
            self.model.stop_training = True


def build(variant, source_path, seed):
    source = kgan.load_gan(source_path)
    config = source.get_config()
    config["seed"] = seed
    gan = type(source).from_config(config)  # the same networks, fresh weights
    if variant != "from scratch":
        gan.init_from(source)
    gan.compile(
        learning_rate=1e-3,
        betas=(0.0, 0.99),
        reuse_fakes=True,
        freeze_d=2 if "FreezeD" in variant else 0,
        augment=kgan.augment.AdaptiveAugment(seed=seed) if "ADA" in variant else None,
    )
    return gan


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", required=True, help="the MNIST GAN saved as .keras")
    parser.add_argument("--data-root", default=os.environ.get("KGAN_DATA_DIR", "../shared/data"))
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=90)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    folder = os.path.join(args.data_root, "fashion_mnist")
    train, _ = kgan.data.load_arrays("fashion_mnist", folder)
    test, _ = kgan.data.load_arrays("fashion_mnist", folder, split="test")
    test = test.reshape(-1, 28, 28, 1)
    extractor = domain_extractor("fashion_mnist")
    results = {variant: [] for variant in VARIANTS}
    for seed in range(args.seeds):
        subset = train[np.random.default_rng(seed).choice(len(train), args.images, replace=False)]
        for variant in VARIANTS:
            gan = build(variant, args.source, seed)
            data = kgan.data.from_arrays(subset.reshape(-1, 28, 28, 1), batch_size=64, seed=seed).repeat()
            clock = StopAfter(args.seconds)
            gan.fit(data, steps_per_epoch=10**6, epochs=1, verbose=0, callbacks=[clock])
            metrics = [FrechetInceptionDistance(extractor), PrecisionRecall(extractor)]
            scores = kgan.evaluate(gan, test, metrics, num_samples=2000, seed=seed)
            scores["steps"] = clock.steps
            results[variant].append(scores)
            print(
                f"seed {seed}, {variant}: FID {scores['fid']:.2f}, precision {scores['precision']:.3f}, "
                f"recall {scores['recall']:.3f}, {clock.steps} steps",
                flush=True,
            )
    print(f"\n| start | FID | precision | recall | steps in {args.seconds:.0f} s |")
    print("|---|---|---|---|---|")
    for variant, runs in results.items():
        cells = []
        for key, digits in (("fid", 2), ("precision", 3), ("recall", 3)):
            values = [run[key] for run in runs]
            spread = statistics.stdev(values) if len(values) > 1 else 0.0
            cells.append(f"{statistics.mean(values):.{digits}f} ± {spread:.{digits}f}")
        steps = statistics.mean(run["steps"] for run in runs)
        print(f"| {variant} | " + " | ".join(cells) + f" | {steps:,.0f} |")


if __name__ == "__main__":
    main()
