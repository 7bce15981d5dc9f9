"""How well `kgan.latent.project` reconstructs held-out images, against the best of random latents.

    python benchmarks/projection.py --model mnist=runs/mnist/checkpoints/epoch_0003.keras \\
        --model fashion_mnist=runs/fashion/checkpoints/epoch_0003.keras --data-root ../shared/data

For each `DATASET=GAN.keras`, projects `--num` test-split images (never seen in training; a
seeded choice) with each setting: the best of 256 random latents alone (steps 0, the baseline),
then 50, 200 and 500 Adam steps on pixels, and 200 steps with the dataset's shipped extractor
as a perceptual term. For every setting it reports the mean PSNR and SSIM of the reconstructions
(pixels in [-1, 1]), the mean distance of their L2-normalised features from the originals' on
the dataset's extractor, and the seconds taken, all measured in this one run.
"""

import argparse
import os
import time

import numpy as np
import tensorflow as tf

import kgan
from kgan.metrics.extractors import domain_extractor

SETTINGS = [
    ("best of 256 random latents", {"steps": 0}),
    ("50 steps, pixels", {"steps": 50}),
    ("200 steps, pixels", {"steps": 200}),
    ("500 steps, pixels", {"steps": 500}),
    ("200 steps, pixels + features", {"steps": 200, "perceptual": True}),
]


def feature_distance(extractor, a, b):
    fa, fb = (tf.math.l2_normalize(extractor(x, training=False)[0], axis=1) for x in (a, b))
    return float(tf.reduce_mean(tf.reduce_sum(tf.square(fa - fb), axis=1)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", required=True, metavar="DATASET=PATH")
    parser.add_argument("--data-root", default=os.environ.get("KGAN_DATA_DIR", "../shared/data"))
    parser.add_argument("--num", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print("| data | setting | PSNR (dB) | SSIM | feature distance | seconds |")
    print("|---|---|---|---|---|---|")
    for pair in args.model:
        dataset, path = pair.split("=", 1)
        gan = kgan.load_gan(path)
        test_images, _ = kgan.data.load_arrays(dataset, os.path.join(args.data_root, dataset), split="test")
        chosen = np.random.default_rng(args.seed).choice(len(test_images), args.num, replace=False)
        originals = test_images[np.sort(chosen)]
        targets = originals.astype(np.float32) / 127.5 - 1.0
        extractor = domain_extractor(dataset)
        for name, setting in SETTINGS:
            started = time.perf_counter()
            found = kgan.latent.project(
                gan, originals, steps=setting["steps"], extractor=dataset if setting.get("perceptual") else None
            )
            seconds = time.perf_counter() - started
            ssim = float(tf.reduce_mean(tf.image.ssim(tf.constant(found.images), tf.constant(targets), max_val=2.0)))
            distance = feature_distance(extractor, found.images, targets)
            print(
                f"| {dataset} | {name} | {found.psnr.mean():.2f} | {ssim:.3f} | {distance:.3f} | {seconds:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
