"""Trains the domain extractors that kgan ships, on the datasets' original files.

    python -m kgan.metrics.train_extractors --data-dir ../shared/data [--datasets mnist fashion_mnist cifar10]

Writes kgan/metrics/resources/<name>_classifier.weights.h5 and records each one's test-set
accuracy in kgan/metrics/resources/extractors.json. Seeded: a rerun gives the same weights on
the same machine and TensorFlow version.
"""

from __future__ import annotations

import argparse
import json
import os

import keras
import numpy as np

from kgan import data
from kgan.images import from_uint8
from kgan.metrics import extractors

EPOCHS = {"mnist": 4, "fashion_mnist": 8, "cifar10": 25}


def train(name, data_dir, epochs, seed=0):
    keras.utils.set_random_seed(seed)
    images, labels = data.load_arrays(name, os.path.join(data_dir, name), "train")
    test_images, test_labels = data.load_arrays(name, os.path.join(data_dir, name), "test")
    model = extractors.build_classifier(extractors.TRAINED[name], name=f"{name}_extractor")
    trainer = keras.Model(model.inputs, model.outputs[1])
    trainer.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    x = from_uint8(images)
    if name == "cifar10":  # 10,000 training images: flips double them
        x, labels = np.concatenate([x, x[:, :, ::-1]]), np.concatenate([labels, labels])
    trainer.fit(x, labels, batch_size=128, epochs=epochs, verbose=2, shuffle=True)
    _, accuracy = trainer.evaluate(from_uint8(test_images), test_labels, verbose=0)
    model.save_weights(extractors.weights_path(name))
    return float(accuracy)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", required=True, help="folder holding mnist/, fashion_mnist/, cifar10/")
    parser.add_argument("--datasets", nargs="+", default=list(extractors.TRAINED), choices=list(extractors.TRAINED))
    args = parser.parse_args()
    record_path = os.path.join(extractors.RESOURCES, "extractors.json")
    record = json.load(open(record_path)) if os.path.isfile(record_path) else {}
    for name in args.datasets:
        accuracy = train(name, args.data_dir, EPOCHS[name])
        record[name] = {"test_accuracy": round(accuracy, 4), "epochs": EPOCHS[name]}
        print(f"{name}: test accuracy {accuracy:.4f}")
        with open(record_path, "w", encoding="utf-8") as f:
            json.dump(record, f, indent=2, sort_keys=True)


if __name__ == "__main__":
    main()
