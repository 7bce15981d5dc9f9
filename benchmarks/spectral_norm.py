"""What spectral normalization costs: DCGAN training speed on MNIST with and without it.

    python benchmarks/spectral_norm.py --data-dir ../shared/data/mnist

Both variants train the same DCGAN (28x28, batch 64) in alternating rounds within one process.
This machine switches between two speeds from minute to minute for any TensorFlow job, so the
figure that counts is the ratio within each round (both variants measured back to back); their
median is printed with each variant's images per second. It also prints the largest singular value of
each normalised layer after training.
"""

import argparse
import statistics
import time

import numpy as np

import kgan


def images_per_second(gan, dataset, steps, batch_size):
    start = time.perf_counter()
    gan.fit(dataset.take(steps), epochs=1, verbose=0)
    return steps * batch_size / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    batch_size = 64
    dataset = kgan.data.load("mnist", data_dir=args.data_dir, batch_size=batch_size, seed=0).repeat()
    gans = {}
    for name, spectral_norm in (("plain", False), ("spectral_norm", True)):
        gans[name] = kgan.DCGAN(spectral_norm=spectral_norm, seed=0)
        gans[name].compile()
        gans[name].fit(dataset.take(5), epochs=1, verbose=0)  # trace and warm up
    speeds = {name: [] for name in gans}
    for _ in range(args.rounds):
        for name, gan in gans.items():
            speeds[name].append(images_per_second(gan, dataset, args.steps, batch_size))
    medians = {name: statistics.median(values) for name, values in speeds.items()}
    for name, values in speeds.items():
        print(f"{name:>14}: median {medians[name]:6.0f} images/s  (rounds: {', '.join(f'{v:.0f}' for v in values)})")
    ratios = [sn / plain for sn, plain in zip(speeds["spectral_norm"], speeds["plain"])]
    print(
        f"spectral_norm / plain speed, per round: {', '.join(f'{r:.2f}' for r in ratios)}; "
        f"median {statistics.median(ratios):.2f}"
    )
    import keras

    for layer in gans["spectral_norm"].discriminator.layers:
        if isinstance(layer, keras.layers.SpectralNormalization):
            kernel = layer.layer.kernel.numpy()
            sigma = np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0]
            print(f"largest singular value of {layer.name}: {sigma:.4f}")


if __name__ == "__main__":
    main()
