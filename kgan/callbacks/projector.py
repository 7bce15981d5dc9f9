"""Real and generated samples as points for TensorBoard's Projector: mode collapse as a picture."""

from __future__ import annotations

import math
import os

import keras
import numpy as np
from keras import ops

from kgan import images as images_lib
from kgan.callbacks import board
from kgan.callbacks.schedule import EveryFewEpochs
from kgan.metrics import extractors
from kgan.seeding import sub_seed

#: The Projector's sprite sheet may be at most this many pixels on a side.
_MAX_SPRITE_SIDE = 8192


class Projector(EveryFewEpochs):
    """Writes features of real and generated samples for TensorBoard's Projector every few epochs.

    TensorBoard's Projector tab (PCA, t-SNE or UMAP of the points, each drawn as its thumbnail)
    then shows how the samples cover the data: fakes spread among the real points as the
    generator learns; fakes bunched in a few spots while real points fill many clusters are mode
    collapse. Each point is labelled `source` (real or generated), `class` (the data's label for
    real samples, the requested one for a conditional GAN's fakes) and, with an extractor that
    has class logits (kgan's shipped domain extractors), `predicted` (the extractor's class for
    every point: colour by it to see which classes the fakes miss).

    Each due epoch adds one tensor, "epoch N (step S)", to `log_dir/projector_config.pbtxt`
    (files under `log_dir/projector/epoch_NNNN/`), so the Projector's tensor menu steps
    through training; it opens on the newest ("Newest: epoch N (step S)"). Colour the points by
    `source` (or `predicted`) in its "Color by" menu.

    Args:
        data: real data in the structure `fit` takes (a dataset or one batch); the first
            `num_samples` are read when the callback is made.
        log_dir: the TensorBoard folder.
        num_samples: real samples, and as many generated ones, per snapshot.
        extractor: a `keras.Model` from images in [-1, 1] to features, or to `[features, logits]`
            (`kgan.metrics.domain_extractor("mnist")`, ...); None for the discriminator's own
            features (the input of its `logits` layer), which follow D as it trains.
        every: epochs between snapshots (the last epoch of a `fit` is always written).
        seed: seeds the generated samples (the same latent vectors every snapshot).

    Example:

    ```python
    projector = kgan.callbacks.Projector(dataset, "runs/x/logs", extractor=kgan.metrics.domain_extractor("mnist"))
    gan.fit(dataset, epochs=20, callbacks=[projector])
    ```
    """

    def __init__(self, data, log_dir, num_samples=256, extractor=None, every=5, seed=0):
        super().__init__(every)
        if num_samples < 1:
            raise ValueError(f"num_samples must be >= 1, got {num_samples}.")
        self.log_dir = log_dir
        self.num_samples = int(num_samples)
        self.extractor = extractor
        self.seed = seed
        self._data = board.first_samples(data, self.num_samples, "Projector")
        self._features = None

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        model = self.model
        if not model.uses_latent:
            raise ValueError(f"Projector shows sampled images; a {type(model).__name__} translates images.")
        self._real, self._real_labels = _images_and_labels(self._data)
        self._fake_labels = None
        if model.num_classes is not None:
            self._fake_labels = np.arange(self.num_samples) % model.num_classes
        if self.extractor is not None:
            self._features = self.extractor
            if not extractors.takes(self.extractor, self._real.shape[1:]):
                expected = tuple(self.extractor.inputs[0].shape[1:])
                raise ValueError(
                    f"The Projector's extractor takes images of shape {expected}; the GAN's are "
                    f"{tuple(self._real.shape[1:])}. Pass an extractor for these images, or extractor=None "
                    "for the discriminator's features."
                )
        else:
            self._features = _discriminator_features(model.discriminator)

    def on_epoch_end(self, epoch, logs=None):
        if self.due(epoch):
            self.snapshot(epoch)

    def snapshot(self, epoch):
        """Writes the features of the real batch and of fresh samples for epoch `epoch` (from 0)."""
        model = self.model
        fakes = model.generate(self.num_samples, seed=sub_seed(self.seed, "projector"), labels=self._fake_labels)
        real_features, real_predicted = self._embed(self._real, self._real_labels)
        fake_features, fake_predicted = self._embed(fakes, self._fake_labels)
        folder = os.path.join(self.log_dir, "projector", f"epoch_{epoch + 1:04d}")
        os.makedirs(folder, exist_ok=True)
        np.savetxt(
            os.path.join(folder, "features.tsv"),
            np.concatenate([real_features, fake_features]),
            fmt="%.5g",
            delimiter="\t",
        )
        columns = {
            "source": ["real"] * len(self._real) + ["generated"] * len(fakes),
            "class": _class_column(self._real_labels, len(self._real)) + _class_column(self._fake_labels, len(fakes)),
        }
        if real_predicted is not None:
            columns["predicted"] = [str(c) for c in np.concatenate([real_predicted, fake_predicted])]
        with open(os.path.join(folder, "metadata.tsv"), "w", encoding="utf-8") as f:
            f.write("\t".join(columns) + "\n")
            for row in zip(*columns.values()):
                f.write("\t".join(row) + "\n")
        thumbnail = _write_sprite(os.path.join(folder, "sprite.png"), np.concatenate([self._real, fakes]))
        with open(os.path.join(folder, "name.txt"), "w", encoding="utf-8") as f:
            f.write(f"epoch {epoch + 1} (step {board.global_step(model)})")
        _write_config(self.log_dir, thumbnail)

    def _embed(self, images, labels):
        """`(features, predicted classes or None)` of `images` as NumPy, in batches."""
        parts, predicted = [], []
        for start in range(0, len(images), 256):
            batch = ops.convert_to_tensor(images[start : start + 256])
            if self.extractor is None and len(self.model.discriminator.inputs) == 2:
                batch = [batch, ops.convert_to_tensor(labels[start : start + 256])]
            output = self._features(batch, training=False)
            if isinstance(output, (list, tuple)):
                output, logits = output[0], output[1]
                predicted.append(np.argmax(ops.convert_to_numpy(logits), axis=-1))
            parts.append(
                np.reshape(ops.convert_to_numpy(ops.cast(output, "float32")), (len(images[start : start + 256]), -1))
            )
        return np.concatenate(parts), (np.concatenate(predicted) if predicted else None)


def _images_and_labels(batch):
    """Images as float32 NumPy and their labels (None without)."""
    if isinstance(batch, (tuple, list)):
        images, labels = batch[0], np.reshape(ops.convert_to_numpy(batch[1]), (-1,)).astype(int)
    else:
        images, labels = batch, None
    return ops.convert_to_numpy(images).astype(np.float32), labels


def _class_column(labels, count):
    return ["?"] * count if labels is None else [str(label) for label in labels]


#: The names of a discriminator's output layer whose input is its features: kgan's own, and the
#: image-only head of its conditional discriminators (`kgan.architectures.conditional`).
_HEAD_NAMES = ("logits", "unconditional_logits")


def _discriminator_features(discriminator):
    """The network from D's inputs to the input of its output layer (`_HEAD_NAMES`): D's own features."""
    names = {layer.name for layer in discriminator.layers}
    head = next((name for name in _HEAD_NAMES if name in names), None)
    if head is None:
        raise ValueError(
            f"The discriminator {discriminator.name!r} has no layer named {' or '.join(map(repr, _HEAD_NAMES))} "
            "whose input Projector could use as features; pass Projector(..., extractor=a keras.Model from "
            "images to features)."
        )
    return keras.Model(discriminator.input, discriminator.get_layer(head).input)


def _write_sprite(path, images):
    """The sprite sheet of `images` (one thumbnail each, row by row); returns the thumbnail size."""
    pixels = images_lib.to_uint8(images)
    side = math.ceil(math.sqrt(len(pixels)))
    height, width = pixels.shape[1:3]
    scale = min(1.0, _MAX_SPRITE_SIDE / (side * max(height, width)))
    if scale < 1.0:
        height, width = int(height * scale), int(width * scale)
        pixels = (
            ops.convert_to_numpy(ops.image.resize(pixels.astype(np.float32), (height, width))).round().astype(np.uint8)
        )
    if pixels.shape[-1] == 1:
        pixels = np.repeat(pixels, 3, axis=-1)
    images_lib.save_png(path, images_lib.tile(pixels, side, padding=0))
    return height, width


def _write_config(log_dir, thumbnail):
    """`projector_config.pbtxt` listing every snapshot under `log_dir/projector`, the newest named
    "Newest: epoch N (step S)": the Projector sorts tensor names and opens the first, and capitals
    sort before lower case."""
    from tensorboard.plugins import projector

    config = projector.ProjectorConfig()
    root = os.path.join(log_dir, "projector")
    for name in sorted(os.listdir(root), reverse=True):
        folder = os.path.join(root, name)
        if not os.path.isfile(os.path.join(folder, "name.txt")):
            continue
        with open(os.path.join(folder, "name.txt"), encoding="utf-8") as f:
            title = f.read()
        embedding = config.embeddings.add()
        embedding.tensor_name = title if len(config.embeddings) > 1 else f"Newest: {title}"
        embedding.tensor_path = os.path.join("projector", name, "features.tsv")
        embedding.metadata_path = os.path.join("projector", name, "metadata.tsv")
        embedding.sprite.image_path = os.path.join("projector", name, "sprite.png")
        embedding.sprite.single_image_dim.extend([thumbnail[1], thumbnail[0]])
    projector.visualize_embeddings(log_dir, config)
