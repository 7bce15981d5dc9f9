"""How often a conditional generator draws the class it is asked for, judged by kgan's shipped classifier.

    kgan train --recipe acgan --dataset mnist --data-dir ../shared/data/mnist --run-dir runs/acgan
    python benchmarks/class_accuracy.py --model runs/acgan/generator --dataset mnist

Draws `--per-class` samples of every class from the model (a `.keras` GAN or its SavedModel or
ONNX export, through `kgan.load_generator`) with latent vectors from `--seed`, and asks the
shipped classifier of `--dataset` (`kgan.metrics.domain_extractor`, its class logits) which
class each is. Prints one JSON line: the share recognised as the requested class, overall and
per class. A first step towards `kgan evaluate`'s class-conditional figures (issue 28).
"""

import argparse
import json

import numpy as np

import kgan


def class_accuracy(model, dataset, per_class=200, seed=1):
    """`(overall share, per-class shares)` of samples the domain classifier assigns to the requested class."""
    generator = kgan.load_generator(model)
    if generator.num_classes is None:
        raise ValueError(f"{model!r} takes no labels: class accuracy is for conditional generators.")
    labels = np.repeat(np.arange(generator.num_classes), per_class)
    images = generator.generate(len(labels), seed=seed, labels=labels)
    _, logits = kgan.metrics.domain_extractor(dataset).predict(images, batch_size=500, verbose=0)
    hits = np.argmax(logits, axis=-1) == labels
    return float(hits.mean()), [float(hits[labels == c].mean()) for c in range(generator.num_classes)]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="a conditional .keras GAN or its export")
    parser.add_argument("--dataset", default="mnist", choices=sorted(kgan.metrics.extractors.DOMAINS))
    parser.add_argument("--per-class", type=int, default=200, help="samples of each class (default: 200)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the latent vectors (default: 1)")
    args = parser.parse_args()
    overall, per_class = class_accuracy(args.model, args.dataset, args.per_class, args.seed)
    print(
        json.dumps({"model": args.model, "accuracy": round(overall, 3), "per_class": [round(a, 2) for a in per_class]})
    )


if __name__ == "__main__":
    main()
