"""The pairs and domains `kgan train` makes of a named dataset's images, for the translation
recipes to train on and for `kgan evaluate` to make the held-out split's pairs the same way;
the held-out pairs' batches, and the score of the sources themselves that a translator should beat."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

import kgan
from kgan.models.translation import random_box_masks


def named_pairs(images, direction):
    """`(sources, targets, kind)`: the pairs pix2pix makes of a named dataset's uint8 images,
    grey -> colour for colour images and edges -> images for grey ones (reversed for BtoA)."""
    if images.shape[-1] == 3:
        sources, kind = np.asarray(tf.image.rgb_to_grayscale(images)), "grey -> colour"
    else:
        sources, kind = kgan.data.edge_maps(images), "edges -> images"
    if direction == "BtoA":
        return images, sources, " -> ".join(reversed(kind.split(" -> ")))
    return sources, images, kind


def named_domains(images):
    """`(domain A, domain B)`: the unpaired domains CycleGAN makes of a named dataset's uint8
    images, the images and their negatives."""
    return images, kgan.data.inverted(images)


def held_out_pairs(images, translator, data=None, direction="AtoB", hole_size=0.5, seed=0):
    """`(sources, targets)` made of a named dataset's uint8 `images` for an opened translator, as
    `kgan train` made its pairs: an inpainting model's `(images, masks)` with one hole of
    `hole_size` each (drawn from `seed`), an upscaler's area-downscaled images, and for models
    of one size the pairs of the recipe's `data` kind ("pairs": `named_pairs` in `direction`;
    "domains": `named_domains`, A -> B or B -> A by `direction`). None when the model's pairs
    cannot be told (`data` None)."""
    (_, source_shape), *masks = translator.source_shapes.items()
    target_shape = translator.image_shape
    if masks:
        holes = np.asarray(random_box_masks(len(images), target_shape[:2], hole_size, seed))
        return (images, holes), images
    if tuple(source_shape[:2]) != tuple(target_shape[:2]):
        return kgan.data.low_resolution(images, target_shape[0] // source_shape[0]), images
    if data == "pairs":
        return named_pairs(images, direction)[:2]
    if data == "domains":
        domain_a, domain_b = named_domains(images)
        return (domain_b, domain_a) if direction == "BtoA" else (domain_a, domain_b)
    return None


def pair_batches(sources, targets, batch_size=250):
    """`(source, target)` batches in [-1, 1] of uint8 pairs, in order; an inpainting source's
    `(images, masks)` keeps its 0/1 masks."""
    batches = []
    for start in range(0, len(targets), batch_size):
        chunk = slice(start, start + batch_size)
        if isinstance(sources, tuple):
            images, holes = sources
            source = (kgan.images.from_uint8(images[chunk]), holes[chunk])
        else:
            source = kgan.images.from_uint8(sources[chunk])
        batches.append((source, kgan.images.from_uint8(targets[chunk])))
    return batches


def baseline_scores(pairs, num_samples):
    """PSNR and SSIM against the targets of up to `num_samples` pairs of what a model that
    learned nothing would give: the sources themselves (resized bicubic when smaller, grey <->
    colour converted), or for inpainting's `(images, masks)` the holes filled with the mean
    colour of the rest of each image. `{"baseline": "identity", "bicubic" or "mean fill",
    "baseline_psnr", "baseline_ssim"}`."""
    metrics = [kgan.metrics.PeakSignalToNoiseRatio(), kgan.metrics.StructuralSimilarity()]
    used, baseline = 0, "identity"
    for source, target in pairs.as_numpy_iterator() if isinstance(pairs, tf.data.Dataset) else pairs:
        if used >= num_samples:
            break
        target = np.asarray(target)[: num_samples - used]
        if isinstance(source, tuple):
            source, baseline = mean_filled(*(np.asarray(part)[: len(target)] for part in source)), "mean fill"
        source = np.asarray(source)[: len(target)]
        if source.shape[1:3] != target.shape[1:3]:
            source, baseline = tf.image.resize(source, target.shape[1:3], method="bicubic").numpy(), "bicubic"
        if source.shape[-1] != target.shape[-1]:
            convert = tf.image.grayscale_to_rgb if source.shape[-1] == 1 else tf.image.rgb_to_grayscale
            source = convert(tf.convert_to_tensor(source)).numpy()
        for metric in metrics:
            metric.update_state(np.clip(source, -1.0, 1.0), target)
        used += len(target)
    psnr, ssim = (float(metric.result()) for metric in metrics)
    return {"baseline": baseline, "baseline_psnr": psnr, "baseline_ssim": ssim}


def mean_filled(images, masks):
    """`images` with the pixels where `masks` is 1 replaced by the mean colour of each image's other pixels."""
    known = 1.0 - masks
    mean = (images * known).sum(axis=(1, 2), keepdims=True) / np.maximum(known.sum(axis=(1, 2), keepdims=True), 1.0)
    return images * known + mean * masks
