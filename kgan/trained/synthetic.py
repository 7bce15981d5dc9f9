"""Labelled data drawn from a trained conditional generator: to enlarge a small labelled set."""

from __future__ import annotations

import os

import numpy as np
import tensorflow as tf

from kgan import images as images_lib
from kgan.files import check_output_folder, written_whole
from kgan.models.checks import class_labels
from kgan.trained.opening import open_generator

#: The file that marks a folder as written by `synthesize` (image_folder skips it: not an image).
SYNTHESIS_MARK = "synthesis.txt"


def synthesize(
    model,
    num_per_class,
    labels=None,
    truncation=None,
    seed=0,
    batch_size=64,
    shuffle=True,
    folder=None,
    overwrite=False,
):
    """Draws `num_per_class` samples of each class from a conditional generator.

    Args:
        model: a conditional kgan GAN, or the path of one (`.keras`, an exported SavedModel or
            an `.onnx` export), or a generator `kgan.load_generator` returned.
        num_per_class: samples per class.
        labels: the classes to draw (default: all of them).
        truncation: StyleGAN2's psi, if the generator takes one.
        seed: the same seed draws the same samples.
        batch_size, shuffle: of the returned dataset (shuffled with `seed`; samples are drawn in
            class order).
        folder: write the samples as PNG files instead: `folder/<class>/<index>.png`, the layout
            `kgan.data.image_folder(folder, ..., labels=True)` reads back. Class folders are
            numbered with leading zeros, so their sorted order is the class order; a subset of
            `labels` is renumbered from 0 by `image_folder` (its `class_names` keep the numbers).
        overwrite: replace an earlier synthesis in `folder`.

    Returns:
        A `tf.data.Dataset` of `(images, labels)` batches: float32 images in [-1, 1] and int32
        class labels, as `kgan.data.load(..., labels=True)` yields them. With `folder`, the
        folder's path.

    Example:

    ```python
    synthetic = kgan.synthesize(acgan, num_per_class=500)
    classifier.fit(real.concatenate(synthetic), epochs=5)
    ```
    """
    generator = open_generator(model)
    if generator.num_classes is None:
        raise ValueError(
            "synthesize draws labelled samples, class by class; this generator is unconditional. Train a "
            "conditional GAN (kgan.ACGAN, kgan.CGAN, kgan.ProjectionGAN) on the labelled data."
        )
    if isinstance(num_per_class, bool) or not isinstance(num_per_class, (int, np.integer)) or num_per_class < 1:
        raise ValueError(f"num_per_class must be an int >= 1, got {num_per_class!r}.")
    classes = np.arange(generator.num_classes) if labels is None else np.unique(labels)
    classes = class_labels(classes, len(classes), generator.num_classes, generator.class_names)
    drawn = np.repeat(classes, num_per_class)
    samples = generator.generate(len(drawn), seed=seed, labels=drawn, truncation=truncation)
    if folder is None:
        dataset = tf.data.Dataset.from_tensor_slices((samples, drawn))
        if shuffle:
            dataset = dataset.shuffle(len(drawn), seed=seed, reshuffle_each_iteration=True)
        return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)
    folder = os.fspath(folder)
    check_output_folder(folder, SYNTHESIS_MARK, "synthesis", overwrite, "overwrite=True")
    digits = len(str(generator.num_classes - 1))
    pixels = images_lib.to_uint8(samples)
    with written_whole(folder) as staging:
        for index, (image, label) in enumerate(zip(pixels, drawn)):
            images_lib.save_png(os.path.join(staging, f"{label:0{digits}d}", f"{index:06d}.png"), image)
        with open(os.path.join(staging, SYNTHESIS_MARK), "w") as mark:
            mark.write(f"{len(drawn)} samples from {generator.source}, seed {seed}\n")
    return folder
