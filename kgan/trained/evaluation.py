"""`kgan.evaluate`: sample metrics of a generator against real data, in one call."""

from __future__ import annotations

import os

import keras
import numpy as np
import tensorflow as tf

from kgan.metrics import results_of
from kgan.metrics.feature_metrics import shared_extraction
from kgan.models import GAN
from kgan.seeding import latent_vectors, sub_seed
from kgan.trained.opening import LoadedGenerator, open_generator


def evaluate(
    generator, real_data=None, metrics=(), num_samples=10000, batch_size=250, seed=0, truncation=None, repeats=1
):
    """Computes sample metrics (FID, KID, IS, precision/recall, ...) of a generator.

    Draws `num_samples` images from the generator and takes as many real images from
    `real_data`, feeding both to every metric batch by batch, and returns the results.

    Args:
        generator: anything `kgan.trained.open_generator` opens: a `kgan.GAN`, the path of a
            `.keras` file, an exported SavedModel folder or `.onnx` file, or a loaded generator
            (conditional ones cycle through the classes, StyleGAN2's are untruncated); or a
            `keras.Model` taking latent vectors, a callable `(num, seed) -> images in [-1, 1]`,
            or a NumPy array of images in [-1, 1] generated beforehand (scored in order).
            Image-to-image models (Pix2Pix, SRGAN, Inpainting, CycleGAN's A -> B, or their
            exports) translate the sources of `real_data`'s `(source, target)` pairs and are
            scored against the targets (an inpainting source is an `(images, masks)` tuple).
        real_data: a `tf.data.Dataset` of image batches (or of `(images, labels)`; of
            `(source, target)` pairs for image-to-image models) or an array, as uint8 pixels or
            floats in [-1, 1]; may be None when every metric has reference statistics. Its
            first `num_samples` images are used: shuffle it when it holds more and is ordered
            (by class, as many test splits and class folders are).
        metrics: `kgan.metrics` objects, e.g. `[kgan.metrics.FrechetInceptionDistance(extractor)]`.
            `ClassAccuracy` and `IntraClassFID` score a conditional generator's classes (they
            get the class each image was drawn for, and `real_data`'s labels);
            `PeakSignalToNoiseRatio` and `StructuralSimilarity` score translations pair by pair.
        num_samples: generated (and real) images.
        batch_size: generated images per batch.
        seed: seeds the latent draws: batch i is drawn with `kgan.seeding.sub_seed(seed, "batch",
            i)`, so different seeds draw different samples (a callable receives these seeds).
        truncation: score truncated samples of a generator that truncates (StyleGAN2's psi,
            BigGAN's threshold; None: untruncated): points of the truncation curve.
        repeats: score this many independent draws (seeds `seed`, `seed + 1`, ...) against the
            same real images, and report each figure's mean and its standard deviation over the
            draws (`fid_seed_std`, ...): the error bar two runs' figures must be compared with.

    Returns:
        A dict of floats: every metric's results (their means over `repeats`, each with its
        `<name>_seed_std` when `repeats` > 1), `samples`, the generated images each figure is
        computed from (FID's bias depends on it: compare figures of the same N, or
        `kgan.metrics.FIDInfinity`), and `real_samples`, the real images used.

    Example:

    ```python
    extractor = kgan.metrics.domain_extractor("mnist")
    kgan.evaluate(gan, kgan.data.load("mnist", split="test"),
                  [kgan.metrics.FrechetInceptionDistance(extractor)], num_samples=10000)
    ```
    """
    if not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be an int >= 1, got {repeats!r}.")
    if repeats > 1:
        opened = _opened(generator)
        if isinstance(generator, np.ndarray) or (opened is not None and opened.translates):
            raise ValueError(
                "repeats > 1 scores new draws of a generator that samples; an array of images, or a translator's "
                "outputs of the same inputs, are the same every time."
            )
        source = generator if opened is None else opened  # a file is opened once, not once a draw
        draws = [
            evaluate(source, real_data, metrics, num_samples, batch_size, seed + index, truncation)
            for index in range(repeats)
        ]
        return _mean_and_spread(draws)
    if isinstance(generator, np.ndarray) and len(generator) < num_samples:
        raise ValueError(
            f"evaluate() was given {len(generator)} generated images but num_samples={num_samples}; "
            f"pass num_samples={len(generator)} or more images."
        )
    metrics = list(metrics)
    if not metrics:
        raise ValueError(
            "evaluate() needs at least one metric, e.g. [kgan.metrics.FrechetInceptionDistance(extractor)]."
        )
    if num_samples < 2 or batch_size < 1:
        raise ValueError(f"num_samples must be >= 2 and batch_size >= 1, got {num_samples} and {batch_size}.")
    for metric in metrics:
        metric.reset_state()
    opened = _opened(generator)
    translates = opened is not None and opened.translates
    num_classes = None if opened is None or translates else opened.num_classes
    _check_metrics_fit(metrics, translates, num_classes)
    if truncation is not None and (opened is None or not opened.truncates):
        raise ValueError(
            "truncation is for generators that truncate (StyleGAN2, BigGAN, or their exports); this one "
            "does not: leave truncation=None."
        )
    if translates:
        real_used = _score_translations(opened.translate, real_data, metrics, num_samples)
    else:
        draw = sampler(opened if opened is not None else generator)

        def sample(num, seed, labels):
            if labels is None and truncation is None:
                return draw(num, seed)
            return opened.generate(num, seed=seed, labels=labels, truncation=truncation)

        real_used = _score_samples(sample, real_data, metrics, num_samples, batch_size, seed, num_classes)
    if real_data is not None and real_used == 0:
        raise ValueError("real_data yielded no images; check the dataset (an empty split or folder?).")
    results = {k: float(keras.ops.convert_to_numpy(v)) for k, v in results_of(metrics).items()}
    results["samples"] = num_samples
    results["real_samples"] = real_used
    return results


def _mean_and_spread(draws):
    """Each figure's mean over the draws, and beside it `<name>_seed_std`, its standard deviation
    (the counts, the same in every draw, as they are)."""
    results = {}
    for name in draws[0]:
        if name in ("samples", "real_samples"):
            results[name] = draws[0][name]
            continue
        values = np.array([draw[name] for draw in draws], np.float64)
        results[name] = float(values.mean())
        results[f"{name}_seed_std"] = float(values.std(ddof=1))
    return results


def _check_metrics_fit(metrics, translates, num_classes):
    """Paired metrics score translations; metrics of classes score conditional generators."""
    for metric in metrics:
        if getattr(metric, "paired", False) and not translates:
            raise ValueError(
                f"{type(metric).__name__} compares each translation with its target; this generator draws "
                "from latent vectors, with no target per image. Use it on image-to-image models."
            )
        if getattr(metric, "uses_labels", False):
            if num_classes is None:
                raise ValueError(
                    f"{type(metric).__name__} scores the classes of a conditional generator; this one takes no labels."
                )
            if getattr(metric, "num_classes", num_classes) != num_classes:
                raise ValueError(
                    f"{type(metric).__name__} is for {metric.num_classes} classes; the generator draws {num_classes}."
                    " Use a classifier (extractor) of the generator's classes."
                )


def _score_samples(sample, real_data, metrics, num_samples, batch_size, seed, num_classes=None):
    """Feeds `num_samples` generated and as many real images to the metrics; -> real images used.
    A conditional generator's batches (`num_classes` given) cycle through the classes."""
    reals = _real_batches(real_data)
    real_used = 0
    for index, start in enumerate(range(0, num_samples, batch_size)):
        count = min(batch_size, num_samples - start)
        real = real_labels = None
        if reals is not None and real_used < num_samples:
            real, real_labels = next(reals, (None, None))
            if real is not None:
                real, real_labels = _first(real, real_labels, num_samples - real_used)
                real_used += len(real)
        labels = None if num_classes is None else np.arange(start, start + count, dtype=np.int32) % num_classes
        fake = sample(count, sub_seed(seed, "batch", index), labels)
        _feed(metrics, tf.convert_to_tensor(fake, tf.float32), real, labels, real_labels)
    # Real batches left over when the dataset's batches are smaller than ours.
    while reals is not None and real_used < num_samples:
        real, real_labels = next(reals, (None, None))
        if real is None:
            break
        real, real_labels = _first(real, real_labels, num_samples - real_used)
        real_used += len(real)
        _feed(metrics, None, real, None, real_labels)
    return real_used


def _first(images, labels, count):
    return images[:count], None if labels is None else labels[:count]


def _feed(metrics, fake, real, labels=None, real_labels=None):
    """One batch to every metric, its features extracted once: generated images (None: real ones
    alone), the real batch beside them, and for the metrics that use labels the classes of both."""
    real = None if real is None else tf.convert_to_tensor(real)
    with shared_extraction():
        for metric in metrics:
            uses_labels = getattr(metric, "uses_labels", False)
            if fake is None:
                if uses_labels:
                    metric.update_real(real, real_labels)
                elif hasattr(metric, "update_real"):
                    metric.update_real(real)
            elif uses_labels:
                metric.update_state(fake, real, labels=labels, real_labels=real_labels)
            else:
                metric.update_state(fake, real)


def _score_translations(translate, real_data, metrics, num_samples):
    """Translates the sources of up to `num_samples` pairs and scores them against their targets.
    A source may be a tuple of batches (an inpainting model's images and masks)."""
    if real_data is None:
        raise ValueError(
            "An image-to-image model is scored on real_data of (source, target) pairs: its "
            "translations of the sources against the targets, e.g. kgan.data.paired(sources, "
            "targets, shuffle=False) or kgan.data.paired_folders(source_dir, target_dir, image_size)."
        )
    used = 0
    for batch in _as_numpy(real_data):
        if used >= num_samples:
            break
        if not (isinstance(batch, (tuple, list)) and len(batch) == 2):
            raise ValueError(
                "real_data for an image-to-image model must yield (source, target) pairs of "
                f"image batches, got {type(batch).__name__}."
            )
        source, target = batch
        room = num_samples - used
        if isinstance(source, (tuple, list)):
            source = tuple(np.asarray(part, np.float32)[:room] for part in source)
        else:
            source = np.asarray(source, np.float32)[:room]
        target = np.asarray(target, np.float32)[:room]
        _feed(metrics, tf.convert_to_tensor(translate(source), tf.float32), target)
        used += len(target)
    return used


def _as_numpy(data):
    return data.as_numpy_iterator() if isinstance(data, tf.data.Dataset) else data


def _opened(generator):
    """`generator` behind the one interface when it is a GAN, a path or a loaded generator; None
    for the other kinds `evaluate` takes (arrays, Keras models, callables)."""
    if isinstance(generator, (GAN, LoadedGenerator, str, os.PathLike)):
        return open_generator(generator)
    return None


def sampler(generator):
    """`(num, seed) -> float32 images in [-1, 1]` for any of the generators `evaluate` takes."""
    opened = _opened(generator)
    if opened is not None:
        # Conditional generators cycle through the classes; StyleGAN2's draw untruncated (psi 1).
        return lambda num, seed: opened.generate(num, seed=seed)
    if isinstance(generator, np.ndarray):
        return _in_order(generator)
    if isinstance(generator, keras.Model):
        latent_dim = generator.inputs[0].shape[-1]

        def draw(num, seed):
            return keras.ops.convert_to_numpy(generator(latent_vectors(num, latent_dim, seed), training=False))

        return draw
    if callable(generator):
        return generator
    raise ValueError(
        f"Cannot sample from a {type(generator).__name__}: pass a kgan GAN, a keras.Model taking "
        "latent vectors, an exported SavedModel folder or .onnx file, or a callable (num, seed) -> images."
    )


def _in_order(images):
    """`(num, seed) -> the next num of images`, for samples generated beforehand (in [-1, 1])."""
    images = np.asarray(images, np.float32)
    position = 0

    def draw(num, seed):
        nonlocal position
        chunk = images[position : position + num]
        position += num
        return chunk

    return draw


def _real_batches(real_data):
    """`(images, labels or None)` NumPy batches of the real images, as given: uint8 pixels or floats
    in [-1, 1] (the metrics scale uint8 and refuse floats that look like unscaled pixels)."""
    if real_data is None:
        return None
    if isinstance(real_data, tf.data.Dataset):
        return (
            (batch[0], batch[1]) if isinstance(batch, (tuple, list)) else (batch, None)
            for batch in real_data.as_numpy_iterator()
        )
    images = np.asarray(real_data)
    return ((images[i : i + 250], None) for i in range(0, len(images), 250))
