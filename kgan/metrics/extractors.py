"""Feature extractors for FID, KID, Inception Score, precision/recall and density/coverage.

An extractor is a `keras.Model` from images in [-1, 1] to `[features, logits]`: features for the
distance-based metrics, class logits for the Inception Score. Two kinds:

* `fid_inception(weights_path)` (kgan/metrics/standard_inception.py): the Inception graph of
  2015-12-05 that published FIDs use (pool3 features, 2048-d; 1008-way logits), resized as
  clean-fid or TTUR resize, from the weights file you provide (pytorch-fid's `.pth` or TTUR's
  graph `.pb`): kgan cannot download one. Numbers computed with it are the ones to put beside published tables.
* `inception_v3(weights_path)`: the Keras applications' InceptionV3 (pool3 features, 2048-d;
  1000 ImageNet classes), a related network with other weights: its FIDs are on another scale.
* `domain_extractor(name)`: small classifiers that kgan trains on MNIST, Fashion-MNIST and
  CIFAR-10 (`python -m kgan.metrics.train_extractors`) and ships with the package (128-d
  features), and StackedMNIST's, the MNIST one on each colour channel (1,000 classes). They
  make FID and friends meaningful offline and on small images, but their numbers are on their
  own scale: compare them only with numbers from the same extractor.
"""

from __future__ import annotations

import json
import os

import keras
from keras import layers, ops

from kgan.metrics.standard_inception import fid_inception

RESOURCES = os.path.join(os.path.dirname(__file__), "resources")
#: The domains of the classifiers kgan trains and ships, by their image shapes.
TRAINED = {"mnist": (28, 28, 1), "fashion_mnist": (28, 28, 1), "cifar10": (32, 32, 3)}
#: Every domain `domain_extractor` takes: StackedMNIST's is built from MNIST's.
DOMAINS = {**TRAINED, "stacked_mnist": (28, 28, 3)}
INCEPTION_SIZE = (299, 299)


def build_classifier(image_shape, num_classes=10, feature_dim=128, name="classifier"):
    """The domain extractors' network: a small CNN, images in [-1, 1] -> `[features, logits]`."""
    images = keras.Input(image_shape, name="images")
    x = images
    for filters in (32, 64):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(128, 3, padding="same", activation="relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.3)(x)
    features = layers.Dense(feature_dim, activation="relu", name="features")(x)
    logits = layers.Dense(num_classes, name="logits")(layers.Dropout(0.3)(features))
    return keras.Model(images, [features, logits], name=name)


def weights_path(name):
    return os.path.join(RESOURCES, f"{name}_classifier.weights.h5")


def domain_extractor(name, resize=False):
    """The shipped extractor for "mnist", "fashion_mnist", "cifar10" or "stacked_mnist" images.

    StackedMNIST's (three MNIST digits in the red, green and blue channels,
    `kgan.data.stacked_mnist`) runs the MNIST classifier on each channel: its features are the
    three channels' features side by side (384-d), its logits the 1,000 digit triples' log
    probabilities (class `100 * red + 10 * green + blue`), for `kgan.metrics.ClassCoverage`.

    Args:
        resize: take images of any size, resized to the domain's first (bilinear, antialiased;
            images of the domain's size pass unchanged): for a generator trained on the domain's
            images resized (StyleGAN2's 32x32 MNIST), compared with the original images.
    """
    if name not in DOMAINS:
        raise ValueError(
            f"No domain extractor for {name!r}; kgan ships {sorted(DOMAINS)}. For other images use "
            "kgan.metrics.inception_v3(weights_path) or any keras.Model returning [features, logits]."
        )
    height, width, channels = DOMAINS[name]
    model = _stacked_mnist_classifier() if name == "stacked_mnist" else _trained_classifier(name)
    model.trainable = False
    if resize:
        images = keras.Input((None, None, channels), name="images")
        resized = layers.Resizing(height, width, interpolation="bilinear", antialias=True)(images)
        model = keras.Model(images, model(resized, training=False), name=f"{name}_extractor")
    model.kgan_source = {"domain": name, "resize": resize}
    return model


def _trained_classifier(name):
    path = weights_path(name)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"The {name} extractor's weights are missing from the installation ({path}). Reinstall "
            "kgan, or train them: python -m kgan.metrics.train_extractors --data-dir <folder with "
            f"{name}/>."
        )
    model = build_classifier(TRAINED[name], name=f"{name}_extractor")
    model.load_weights(path)
    return model


def _stacked_mnist_classifier():
    """MNIST's classifier on each channel: features side by side, logits of the 1,000 triples."""
    mnist = _trained_classifier("mnist")
    images = keras.Input(DOMAINS["stacked_mnist"], name="images")
    features, log_probabilities = [], []
    for channel in range(3):
        channel_features, logits = mnist(images[..., channel : channel + 1], training=False)
        features.append(channel_features)
        log_probabilities.append(ops.log_softmax(logits, axis=-1))
    red, green, blue = log_probabilities
    triples = red[:, :, None, None] + green[:, None, :, None] + blue[:, None, None, :]
    return keras.Model(
        images,
        [ops.concatenate(features, axis=-1), ops.reshape(triples, (-1, 1000))],
        name="stacked_mnist_extractor",
    )


def domain_accuracies():
    """Test-set accuracy of each shipped extractor, as measured when it was trained."""
    with open(os.path.join(RESOURCES, "extractors.json"), encoding="utf-8") as f:
        return json.load(f)


def inception_v3(weights_path=None, channels=3):
    """InceptionV3 from a weights file, as an extractor: images in [-1, 1] of any size -> `[pool3, logits]`.

    Images are resized to 299x299 (bilinear) and grayscale is repeated to RGB; InceptionV3's own
    preprocessing maps pixels to [-1, 1], which is kgan's range already.

    Args:
        channels: 3 for colour images, 1 for grayscale (repeated to RGB).
        weights_path: a Keras InceptionV3 weights file with the top (e.g.
            `inception_v3_weights_tf_dim_ordering_tf_kernels.h5` from the Keras applications
            release, downloaded on a machine with a network). Required: kgan never downloads.
    """
    if weights_path is None:
        raise ValueError(
            "inception_v3() needs weights_path: kgan does not download weights. Download "
            "inception_v3_weights_tf_dim_ordering_tf_kernels.h5 (Keras applications) on a machine "
            "with a network and pass its path, or use kgan.metrics.domain_extractor('mnist' | "
            "'fashion_mnist' | 'cifar10') offline."
        )
    if not os.path.isfile(weights_path):
        raise FileNotFoundError(f"No InceptionV3 weights file at {weights_path!r}.")
    inception = keras.applications.InceptionV3(weights=weights_path, include_top=True, classifier_activation=None)
    pool = inception.get_layer("avg_pool").output
    core = keras.Model(inception.inputs, [pool, inception.outputs[0]], name="inception_v3")
    images = keras.Input((None, None, channels), name="images")
    x = layers.Resizing(*INCEPTION_SIZE, interpolation="bilinear")(images)
    if channels == 1:
        x = layers.Concatenate()([x, x, x])
    model = keras.Model(images, core(x), name="inception_v3_extractor")
    model.kgan_source = {"inception_v3": os.path.abspath(weights_path), "channels": channels}
    return model


def takes(extractor, image_shape):
    """Whether `extractor` takes images of `image_shape` (height, width, channels); an input
    dimension of None takes any size."""
    expected = tuple(extractor.inputs[0].shape[1:])
    return len(expected) == len(image_shape) and all(e is None or e == g for e, g in zip(expected, image_shape))


def source_of(extractor):
    """How to rebuild `extractor` when a metric using it is loaded: kgan's extractors only."""
    source = getattr(extractor, "kgan_source", None)
    if source is None:
        raise ValueError(
            f"A metric using the custom extractor {extractor.name!r} cannot be saved: kgan can rebuild "
            "only its own extractors (domain_extractor, fid_inception, inception_v3). Create the metric again after "
            "loading, or pass it to kgan.evaluate / kgan.callbacks.SampleMetrics instead of compile()."
        )
    return dict(source)


def from_source(source):
    """The extractor `source_of` described."""
    if "domain" in source:
        return domain_extractor(source["domain"], source.get("resize", False))
    if "fid_inception" in source:
        return fid_inception(source["fid_inception"], source["resize"], source["channels"])
    return inception_v3(source["inception_v3"], source["channels"])
