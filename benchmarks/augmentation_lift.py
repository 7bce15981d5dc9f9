"""Do a conditional GAN's samples help a classifier that has few labels? Measured, not assumed.

    python benchmarks/augmentation_lift.py --data-root ../shared/data [--seeds 3] [--gan-steps 1500]

For MNIST and Fashion-MNIST, and a scarce labelled subset of 100 and of 1,000 training images
(class-balanced, a seeded choice), a small CNN is trained for the same number of steps on:

* the subset alone;
* the subset with classical augmentation (random shifts of 10%, rotations of 18 degrees, zoom of 10%);
* the subset plus kgan samples: an ACGAN (width 32, latent 64) trained on that same subset only
  for `--gan-steps` steps, then `kgan.synthesize` draws 1,000 images per class; batches are
  half real, half synthetic;
* both: the half-and-half batches, augmented.

Accuracy is on the full 10,000-image test set, as mean and standard deviation over `--seeds`
seeds (a seed picks the subset and seeds the GAN and the classifier), all in one run. It also
reports how often the dataset's shipped extractor recognises the class a synthetic image was
drawn for, and the GAN's training time.
"""

import argparse
import os
import statistics
import time

import keras
import numpy as np
import tensorflow as tf

import kgan
from kgan.metrics.extractors import domain_extractor

VARIANTS = ("subset alone", "classical augmentation", "+ kgan samples", "+ kgan samples, augmented")


def scarce_subset(images, labels, size, seed):
    rng = np.random.default_rng(seed)
    chosen = np.concatenate([rng.permutation(np.flatnonzero(labels == c))[: size // 10] for c in range(10)])
    return images[chosen], labels[chosen]


def classifier(seed):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(64, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def augmenter(seed):
    return keras.Sequential(
        [
            keras.layers.RandomTranslation(0.1, 0.1, fill_mode="constant", fill_value=-1.0, seed=seed),
            keras.layers.RandomRotation(0.05, fill_mode="constant", fill_value=-1.0, seed=seed),
            keras.layers.RandomZoom(0.1, fill_mode="constant", fill_value=-1.0, seed=seed),
        ]
    )


def batches(images, labels, seed):
    return tf.data.Dataset.from_tensor_slices((images, labels)).repeat().shuffle(len(images), seed=seed)


def accuracy(train, augment, test, seed, steps):
    if augment:
        layers = augmenter(seed)
        train = train.map(lambda x, y: (layers(x, training=True), y), num_parallel_calls=tf.data.AUTOTUNE)
    model = classifier(seed)
    model.fit(train.prefetch(tf.data.AUTOTUNE), steps_per_epoch=steps, epochs=1, verbose=0)
    return model.evaluate(*test, batch_size=500, verbose=0)[1]


def synthetic_data(images, labels, seed, gan_steps):
    gan = kgan.ACGAN((28, 28, 1), num_classes=10, latent_dim=64, width=32, seed=seed)
    gan.compile()
    data = kgan.data.from_arrays(images, labels=labels, batch_size=min(64, len(images)), seed=seed).repeat()
    started = time.perf_counter()
    gan.fit(data, steps_per_epoch=gan_steps, epochs=1, verbose=0)
    seconds = time.perf_counter() - started
    drawn = kgan.synthesize(gan, num_per_class=1000, seed=seed, shuffle=False, batch_size=10_000)
    (samples, sample_labels), *_ = drawn
    return samples.numpy(), sample_labels.numpy(), seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", default=os.environ.get("KGAN_DATA_DIR", "../shared/data"))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--datasets", nargs="+", default=["mnist", "fashion_mnist"])
    parser.add_argument("--gan-steps", type=int, default=1500)
    parser.add_argument("--classifier-steps", type=int, default=800)
    args = parser.parse_args()
    rows = []
    for dataset in args.datasets:
        folder = os.path.join(args.data_root, dataset)
        train_images, train_labels = kgan.data.load_arrays(dataset, folder, split="train")
        test_images, test_labels = kgan.data.load_arrays(dataset, folder, split="test")
        test = (test_images[..., None] if test_images.ndim == 3 else test_images) / 127.5 - 1.0, test_labels
        extractor = domain_extractor(dataset)
        for size in args.sizes:
            results = {variant: [] for variant in VARIANTS}
            recognised, gan_seconds = [], []
            for seed in range(args.seeds):
                x, y = scarce_subset(train_images, train_labels, size, seed)
                real = batches(x.reshape(-1, 28, 28, 1).astype(np.float32) / 127.5 - 1.0, y.astype(np.int32), seed)
                samples, sample_labels, seconds = synthetic_data(x.reshape(-1, 28, 28, 1), y, seed, args.gan_steps)
                gan_seconds.append(seconds)
                predicted = np.argmax(extractor.predict(samples, batch_size=500, verbose=0)[1], axis=1)
                recognised.append(float(np.mean(predicted == sample_labels)))
                synthetic = batches(samples, sample_labels, seed)
                mixed = tf.data.Dataset.sample_from_datasets([real, synthetic], [0.5, 0.5], seed=seed)
                for variant, train, augment in zip(VARIANTS, (real, real, mixed, mixed), (False, True, False, True)):
                    results[variant].append(accuracy(train.batch(64), augment, test, seed, args.classifier_steps))
                print(
                    f"{dataset} {size} seed {seed}: "
                    + ", ".join(f"{v} {results[v][-1]:.4f}" for v in VARIANTS)
                    + f"; samples recognised {recognised[-1]:.3f}; GAN {seconds:.0f} s",
                    flush=True,
                )
            rows.append((dataset, size, results, recognised, gan_seconds))
    print("\n| data | labelled images | " + " | ".join(VARIANTS) + " | samples recognised | GAN time (s) |")
    print("|---|---|" + "---|" * (len(VARIANTS) + 2))
    for dataset, size, results, recognised, gan_seconds in rows:
        cells = [f"{statistics.mean(r):.3f} ± {statistics.stdev(r) if len(r) > 1 else 0:.3f}" for r in results.values()]
        print(
            f"| {dataset} | {size} | "
            + " | ".join(cells)
            + f" | {statistics.mean(recognised):.2f} | {statistics.mean(gan_seconds):.0f} |"
        )


if __name__ == "__main__":
    main()
