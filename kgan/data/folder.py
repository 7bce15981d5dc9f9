"""Images from a user's folder, streamed from disk."""

from __future__ import annotations

import os

import numpy as np
import tensorflow as tf

from kgan.data.pipeline import batch_and_scale, check_limit, shuffled_per_pass

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


def list_images(path):
    """Returns `(files, class_names, labels)`: image files under `path`, sorted.

    Images in subfolders are labelled by their subfolder's index in sorted `class_names`;
    images directly in `path` belong to no class (an empty `class_names`).
    """
    if not os.path.isdir(path):
        raise FileNotFoundError(
            f"Image folder {path!r} does not exist or is not a folder. Pass the folder that holds "
            "your PNG/JPEG images (optionally in one subfolder per class)."
        )
    top = sorted(f for f in os.listdir(path) if f.lower().endswith(IMAGE_EXTENSIONS))
    class_names = sorted(d for d in os.listdir(path) if os.path.isdir(os.path.join(path, d)) and not d.startswith("."))
    files, labels = [os.path.join(path, f) for f in top], [-1] * len(top)
    for index, name in enumerate(class_names):
        for root, _, names in sorted(os.walk(os.path.join(path, name))):
            for f in sorted(names):
                if f.lower().endswith(IMAGE_EXTENSIONS):
                    files.append(os.path.join(root, f))
                    labels.append(index)
    if not files:
        raise ValueError(
            f"No images in {path!r} (looked for {', '.join(IMAGE_EXTENSIONS)} files in it and its "
            "subfolders). Check the path, or convert the images to PNG or JPEG."
        )
    return files, class_names, labels


def files_by_name(folder):
    """`{path inside folder without its extension: file}` of the images in `folder` (subfolders
    too), sorted: what pairs files of two folders by name, whatever their image formats."""
    files, _, _ = list_images(folder)
    return {os.path.splitext(os.path.relpath(file, folder))[0]: file for file in files}


def image_size_pair(image_size):
    """`image_size` as `(height, width)`: one int means a square."""
    pair = (image_size, image_size) if isinstance(image_size, int) else image_size
    if (
        not isinstance(pair, (tuple, list))
        or len(pair) != 2
        or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in pair)
    ):
        raise ValueError(f"image_size must be a positive int (square images) or (height, width), got {image_size!r}.")
    return tuple(pair)


def decode_and_resize(contents, image_size, channels):
    """Encoded image bytes -> uint8 pixels `image_size + (channels,)`, resized with antialiasing."""
    return resized_pixels(tf.io.decode_image(contents, channels=channels, expand_animations=False), image_size)


def resized_pixels(image, image_size):
    """uint8 pixels resized to `image_size` with antialiasing, rounded back to uint8."""
    image = tf.image.resize(image, image_size, antialias=True)
    return tf.cast(tf.clip_by_value(tf.round(image), 0, 255), tf.uint8)


def read_images(path, limit=None):
    """Every image in a folder (and its subfolders), at its own size, as uint8 pixels
    `(n, height, width, channels)` in sorted file order: a folder of samples or of real images to
    score as they are, as clean-fid reads folders. Grayscale files stay one channel when all are
    grayscale; otherwise all are read as RGB.

    Raises:
        ValueError: a file that does not decode, or images of different sizes (resize them, or
            stream them resized with `image_folder(path, image_size=...)`).
    """
    check_limit(limit)
    files = list_images(path)[0][:limit]
    decoded = []
    for file in files:
        try:
            decoded.append(tf.io.decode_image(tf.io.read_file(file), expand_animations=False).numpy())
        except (tf.errors.InvalidArgumentError, tf.errors.UnknownError) as error:
            raise ValueError(f"Cannot decode image {file}: {error.message.strip()}. Remove or replace it.") from None
    channels = 1 if all(image.shape[-1] == 1 for image in decoded) else 3
    pixels = [image if image.shape[-1] == channels else _as_rgb(image) for image in decoded]
    for file, image in zip(files, pixels):
        if image.shape != pixels[0].shape:
            raise ValueError(
                f"{file} is {image.shape[1]}x{image.shape[0]} where {files[0]} is {pixels[0].shape[1]}x"
                f"{pixels[0].shape[0]}: the images of a folder scored as they are must share one size. Resize "
                "them, or read them resized with kgan.data.image_folder(path, image_size=...)."
            )
    return np.stack(pixels)


def _as_rgb(image):
    """Decoded pixels (grey, grey + alpha, RGB or RGBA) as RGB."""
    if image.shape[-1] in (1, 2):
        return np.repeat(image[..., :1], 3, axis=-1)
    return image[..., :3]


def image_folder(
    path,
    image_size,
    batch_size=64,
    channels=3,
    labels=False,
    shuffle=True,
    seed=None,
    validate=True,
    drop_remainder=True,
    limit=None,
):
    """Streams a folder of PNG/JPEG/BMP/GIF images as a training pipeline in [-1, 1].

    Files are read and decoded as batches are needed, so the folder may be larger than memory.
    Class labels come from subfolder names (`path/cat/1.png` -> class "cat"), sorted; the
    dataset's `class_names` attribute lists them.

    Args:
        path: the folder.
        image_size: `(height, width)` every image is resized to (antialiased), or one int for
            square images.
        batch_size: images per batch.
        channels: 1 for grayscale, 3 for RGB (images are converted).
        labels: yield `(images, labels)`; requires every image to sit in a class subfolder.
        shuffle: reshuffle the file order every epoch.
        seed: makes the shuffle order repeatable.
        validate: decode every file once up front, so that a corrupt file is named now instead of
            stopping training later; set False to skip this pass on very large folders.
        drop_remainder: drop the last partial batch.
        limit: use only the first `limit` images in sorted file order (quick runs).
    """
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 (grayscale) or 3 (RGB), got {channels}.")
    image_size = image_size_pair(image_size)
    check_limit(limit)
    files, class_names, file_labels = list_images(path)
    files, file_labels = files[:limit], file_labels[:limit]
    if labels and -1 in file_labels:
        loose = files[file_labels.index(-1)]
        raise ValueError(
            f"labels=True needs every image in a class subfolder, but {loose} sits directly in "
            f"{path}. Move images into one subfolder per class, or use labels=False."
        )
    if validate:
        for file in files:
            try:
                tf.io.decode_image(tf.io.read_file(file), channels=channels, expand_animations=False)
            except (tf.errors.InvalidArgumentError, tf.errors.UnknownError) as error:
                raise ValueError(
                    f"Cannot decode image {file}: {error.message.strip()}. The file is corrupt or "
                    "not an image; remove or replace it."
                ) from None
    if drop_remainder and len(files) < batch_size:
        raise ValueError(
            f"{path} holds {len(files)} images, fewer than one batch of {batch_size}. Use a smaller "
            "batch_size or drop_remainder=False."
        )
    ds = tf.data.Dataset.from_tensor_slices((files, file_labels))
    if shuffle:
        ds = shuffled_per_pass(ds, len(files), seed)
    ds = ds.map(
        lambda file, label: (decode_and_resize(tf.io.read_file(file), image_size, channels), label),
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    ds = batch_and_scale(ds, batch_size, drop_remainder, labels=labels)
    ds.class_names = class_names
    return ds
