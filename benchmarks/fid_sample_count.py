"""How FID moves with the number of samples N, and how much it varies between draws of N.

    python benchmarks/fid_sample_count.py --dataset mnist --data-dir ../shared/data/mnist
    python benchmarks/fid_sample_count.py --dataset cifar10 --data-dir ../shared/data/cifar10 --sizes 500 1000 2000 5000

Two stand-ins for a generator, whose samples are drawn from the training split (so the numbers
need no trained model and anyone can reproduce them): "perfect", training images as they are (a
generator that matches the data's distribution exactly), and "noisy", training images with
Gaussian noise (`--noise`, in [-1, 1] units) added. For each N of `--sizes`, `--draws` random
subsets of N are scored with kgan's shipped extractor of the dataset against the whole test split
(its statistics computed once), and each stand-in's FID-infinity (`kgan.metrics.FIDInfinity`,
from its largest N) is printed beside them. One JSON line per figure, then a Markdown table.
"""

import argparse
import json
import statistics

import numpy as np

import kgan


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", choices=["mnist", "fashion_mnist", "cifar10"], default="mnist")
    parser.add_argument("--data-dir", help="the dataset's folder (default: $KGAN_DATA_DIR/<dataset>)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 1000, 2000, 5000, 10000])
    parser.add_argument("--draws", type=int, default=5, help="random subsets of each size")
    parser.add_argument("--noise", type=float, default=0.2, help="the noisy stand-in's noise")
    options = parser.parse_args()
    extractor = kgan.metrics.domain_extractor(options.dataset)
    train, _ = kgan.data.load_arrays(options.dataset, options.data_dir, "train")
    test, _ = kgan.data.load_arrays(options.dataset, options.data_dir, "test")
    reference = kgan.metrics.reference_statistics(extractor, test)
    rng = np.random.default_rng(0)
    noisy = np.clip(kgan.images.from_uint8(train) + rng.normal(0, options.noise, train.shape), -1, 1)
    stand_ins = {"perfect": kgan.images.from_uint8(train), f"noise {options.noise:g}": noisy.astype(np.float32)}
    rows = {}
    for name, images in stand_ins.items():
        for size in options.sizes:
            fids = []
            for _ in range(options.draws):
                chosen = images[rng.choice(len(images), size, replace=False)]
                metric = kgan.metrics.FrechetInceptionDistance(extractor, reference=reference)
                fids.append(kgan.evaluate(chosen, None, [metric], num_samples=size)["fid"])
            rows[name, size] = (statistics.mean(fids), statistics.stdev(fids))
            print(json.dumps({"stand_in": name, "n": size, "fids": fids}), flush=True)
        largest = max(options.sizes)
        chosen = images[rng.choice(len(images), largest, replace=False)]
        infinity = kgan.metrics.FIDInfinity(extractor, num_samples=largest, reference=reference)
        scored = kgan.evaluate(chosen, None, [infinity], num_samples=largest)
        rows[name, "infinity"] = scored["fid_infinity"]
        print(json.dumps({"stand_in": name, "n": largest, **scored}), flush=True)
    print(f"\n| stand-in | {' | '.join(f'N = {size:,}' for size in options.sizes)} | FID-infinity |")
    print("|---|" + "---|" * (len(options.sizes) + 1))
    for name in stand_ins:
        cells = [f"{rows[name, size][0]:.3g} ± {rows[name, size][1]:.2g}" for size in options.sizes]
        print(f"| {name} | {' | '.join(cells)} | {rows[name, 'infinity']:.3g} |")


if __name__ == "__main__":
    main()
