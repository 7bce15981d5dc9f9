"""Train a class-conditional GAN on MNIST and check, with an independent classifier, that it draws
the digit it is asked for.

    python examples/conditional_mnist.py --data-dir ../shared/data/mnist --recipe cgan --epochs 2 --out runs/cgan

Recipes: cgan (concatenated label embeddings), acgan (auxiliary classifier), projection
(projection discriminator + class-conditional batch norm, hinge loss). Writes runs/cgan/samples
(one row per digit, one grid per epoch), runs/cgan/generator (a SavedModel whose `sample`
signature takes labels) and prints the fraction of 1,000 generated digits (100 per class)
that a separately trained CNN classifies as the requested class.
"""

import argparse
import json
import os

import keras
import numpy as np
import tensorflow as tf

import kgan

RECIPES = {"cgan": kgan.CGAN, "acgan": kgan.ACGAN, "projection": kgan.ProjectionGAN}


def train_digit_classifier(data_dir, epochs=1, seed=0):
    """A small CNN trained on the MNIST training set, independent of the GAN; returns (model, test accuracy)."""
    keras.utils.set_random_seed(seed)
    images, labels = kgan.data.load_arrays("mnist", data_dir, "train")
    test_images, test_labels = kgan.data.load_arrays("mnist", data_dir, "test")
    classifier = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(64, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(),
            keras.layers.Dense(10),
        ]
    )
    classifier.compile(
        optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"]
    )
    classifier.fit(images / 127.5 - 1.0, labels, batch_size=128, epochs=epochs, verbose=0)
    _, accuracy = classifier.evaluate(test_images / 127.5 - 1.0, test_labels, verbose=0)
    return classifier, accuracy


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", required=True, help="folder with the MNIST idx .gz files")
    parser.add_argument("--recipe", choices=sorted(RECIPES), default="cgan")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--limit", type=int, help="train on the first LIMIT images only")
    parser.add_argument("--width", type=int, default=64, help="the networks' base number of filters")
    parser.add_argument("--out", default="runs/conditional")
    args = parser.parse_args()

    ds = kgan.data.load("mnist", data_dir=args.data_dir, batch_size=64, labels=True, limit=args.limit, seed=0)
    gan = RECIPES[args.recipe](image_shape=(28, 28, 1), num_classes=10, width=args.width, seed=0)
    gan.compile()
    grid = kgan.callbacks.ImageGrid(png_dir=os.path.join(args.out, "samples"), num_images=100)
    gan.fit(ds, epochs=args.epochs, verbose=2, callbacks=[grid])
    export_dir = kgan.export_generator(gan, os.path.join(args.out, "generator"))

    # Draw 100 of each digit from the exported SavedModel, as a user of the export would.
    generator = tf.saved_model.load(export_dir)
    requested = np.repeat(np.arange(10), 100).astype(np.int32)
    pixels = generator.signatures["sample"](labels=tf.constant(requested), seed=tf.constant(1, tf.int64))["images"]
    classifier, classifier_accuracy = train_digit_classifier(args.data_dir)
    predicted = np.argmax(classifier.predict(pixels.numpy() / 127.5 - 1.0, verbose=0), axis=1)
    per_class = [float(np.mean(predicted[requested == c] == c)) for c in range(10)]
    print(
        json.dumps(
            {
                "recipe": args.recipe,
                "classifier_test_accuracy": round(classifier_accuracy, 4),
                "requested_class_recognised": round(float(np.mean(predicted == requested)), 4),
                "per_class": [round(p, 2) for p in per_class],
            }
        )
    )


if __name__ == "__main__":
    main()
