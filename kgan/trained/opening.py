"""Opening what a user holds (a GAN, a `.keras` file, an exported SavedModel or ONNX file) behind
one small interface; the one reader of an export's signatures."""

from __future__ import annotations

import functools
import os
import zipfile

import keras
import numpy as np
import tensorflow as tf

from kgan.export import (
    CLASSES_SIGNATURE,
    ONNX_CLASSES_KEY,
    ONNX_SIGNATURE_KEY,
    SAMPLE_SIGNATURE,
    SERVING_SIGNATURE,
)
from kgan.files import export_kind, run_files
from kgan.models import GAN, ConditionalGAN, StyleGAN2
from kgan.models.conditional import class_labels
from kgan.seeding import latent_vectors


def load_generator(path):
    """Opens a trained generator for sampling, without training code.

    Args:
        path: a `.keras` file written by `gan.save()` or `kgan train` (run_dir/checkpoints/),
            a SavedModel folder written by `kgan.export_generator` or `kgan export` (read
            with TensorFlow alone: kgan's classes are not needed to sample from it), or an
            `.onnx` file they wrote (run with ONNX Runtime: `pip install "kgan[onnx]"`).

    Returns:
        A `LoadedGenerator`: `generate(num, seed, labels, truncation, latent)`, `latent_dim`,
        `num_classes`, `image_shape`.

    Raises:
        FileNotFoundError: nothing at `path`.
        ValueError: `path` is neither, is corrupt, or holds a model that does not sample from
            latent vectors (an image-to-image model: use `gan.translate` or its export's
            `serving_default`). A run folder of `kgan train` is named as such, with the files
            in it to pass instead.

    Example:

    ```python
    generator = kgan.load_generator("run/generator_savedmodel")
    images = generator.generate(16, seed=0)  # float32 in [-1, 1]
    ```
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        return _SavedModelGenerator(path)
    if path.endswith(".onnx"):
        return _OnnxGenerator(path)
    if path.endswith(".tflite"):
        checkpoint, export = run_files(path)
        raise ValueError(
            f"{path!r} is a LiteRT file: it runs in the LiteRT interpreter (docs/export.md), which kgan does not "
            f"sample with. Pass {repr(export) if export else 'the exported SavedModel folder'}, an .onnx export or "
            f"{repr(checkpoint) if checkpoint else 'a .keras checkpoint'} instead."
        )
    return _KerasGenerator(load_gan(path), path)


def load_gan(path, purpose=None):
    """The `kgan.GAN` saved in the `.keras` file `path` (by `gan.save()` or `kgan train`), with a
    FileNotFoundError or ValueError that names what is wrong when it cannot be loaded.

    Args:
        path: the `.keras` file.
        purpose: why the GAN itself is needed, as the start of a sentence ("Projection follows
            the generator's gradients"): said when `path` is an export, which cannot serve.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"No model at {path!r}. Pass a .keras file written by gan.save() or by `kgan train` "
            "(run_dir/checkpoints/epoch_N.keras), an exported SavedModel folder or an exported .onnx file."
        )
    export = export_kind(path)
    if export or os.path.isdir(path):
        checkpoint, _ = run_files(path)
        instead = (
            repr(checkpoint) if checkpoint else "run_dir/checkpoints/epoch_N.keras or a file written by gan.save()"
        )
        if export:
            needs = f"{purpose}, so it needs" if purpose else "This needs"
            raise ValueError(
                f"{path!r} is an exported generator ({export}), not a saved GAN. {needs} the GAN itself, "
                f"saved as a .keras file: pass {instead}."
            )
        what = "a kgan train run folder" if checkpoint else "a folder"
        raise ValueError(f"{path!r} is {what}, not a saved GAN: pass {instead}.")
    if not path.endswith(".keras"):
        raise ValueError(
            f"{path!r} is neither a .keras file, an .onnx file nor a SavedModel folder (no saved_model.pb in it)."
        )
    if not zipfile.is_zipfile(path):
        raise ValueError(
            f"{path!r} is not a .keras archive (a .keras file is a zip); it may be truncated or corrupt. "
            "Use another checkpoint from run_dir/checkpoints/."
        )
    gan = keras.saving.load_model(path)
    if not isinstance(gan, GAN):
        raise ValueError(f"{path!r} holds a {type(gan).__name__}, not a kgan GAN.")
    return gan


def saved_model_signatures(path):
    """The signatures of the SavedModel folder `path`, loaded once while the folder is unchanged."""
    graph = os.path.join(path, "saved_model.pb")
    if not os.path.isfile(graph):
        checkpoint, export = run_files(path)
        if checkpoint or export:
            choices = " or ".join(repr(f) for f in (export, checkpoint) if f)
            raise FileNotFoundError(f"{path!r} is a kgan train run folder, not an exported generator: pass {choices}.")
        raise FileNotFoundError(f"No exported SavedModel at {path!r} (no saved_model.pb in it).")
    # evaluate() asks twice (is it a translator? then: how to sample), the CLI once more; keyed
    # by the file's modification time, so an export rewritten in between is loaded anew.
    return _load_export(os.path.abspath(path), os.stat(graph).st_mtime_ns).signatures


@functools.lru_cache(maxsize=2)
def _load_export(path, modified):
    return tf.saved_model.load(path)


#: Latent vectors per forward pass of `LoadedGenerator.generate`.
BATCH = 256


def as_generator(model):
    """`model` as a `LoadedGenerator`: a kgan GAN, or a path `load_generator` opens, or one already."""
    if isinstance(model, LoadedGenerator):
        return model
    if isinstance(model, GAN):
        return _KerasGenerator(model, f"<{type(model).__name__}>")
    if isinstance(model, (str, os.PathLike)):
        return load_generator(model)
    raise ValueError(
        f"Expected a kgan GAN, a path to a saved or exported one, or a loaded generator; got a {type(model).__name__}."
    )


class LoadedGenerator:
    """A generator of latent vectors, loaded by `kgan.load_generator`.

    Attributes:
        latent_dim: size of the latent vectors.
        num_classes: classes of a conditional generator, None for an unconditional one.
        image_shape: `(height, width, channels)` of its images.
        truncates: whether `generate` takes `truncation` (StyleGAN2).
        source: the path it was loaded from.
    """

    latent_dim: int
    num_classes: int | None
    image_shape: tuple
    truncates: bool
    source: str

    def generate(self, num=None, seed=0, labels=None, truncation=None, latent=None):
        """Images, float32 in [-1, 1], for `num` latent vectors drawn from `seed` or for `latent`.

        Args:
            num: how many (or give `latent`).
            seed: the same seed gives the same images (and the same latents as the GAN's
                `generate(num, seed=seed)` and its export's `sample`).
            labels: for conditional generators: one class for all (an int), one per image, or
                None for classes 0, 1, ..., num_classes - 1, 0, ... in turn.
            truncation: StyleGAN2's psi (None: 1, no truncation).
            latent: explicit latent vectors `(n, latent_dim)`, e.g. from `kgan.latent.walk`.
        """
        if latent is None:
            if not isinstance(num, (int, np.integer)) or isinstance(num, bool) or num < 1:
                raise ValueError(f"num must be a positive int, got {num!r}.")
            latent = latent_vectors(int(num), self.latent_dim, seed).numpy()
        latent = np.asarray(latent, np.float32)
        if latent.ndim != 2 or latent.shape[1] != self.latent_dim or not len(latent):
            raise ValueError(
                f"latent vectors must have shape (n, {self.latent_dim}) for this generator, got {latent.shape}."
            )
        if truncation is not None and not self.truncates:
            raise ValueError("truncation is for StyleGAN2 generators; this one has no average w to truncate towards.")
        if self.num_classes is None:
            if labels is not None:
                raise ValueError("labels are for conditional generators; this one takes no labels.")
        else:
            labels = class_labels(labels, len(latent), self.num_classes)
        psi = 1.0 if truncation is None else truncation
        chunks = [
            self._decode(latent[start : start + BATCH], None if labels is None else labels[start : start + BATCH], psi)
            for start in range(0, len(latent), BATCH)
        ]
        return np.concatenate(chunks).astype(np.float32, copy=False)

    def __repr__(self):
        classes = "" if self.num_classes is None else f", num_classes={self.num_classes}"
        return (
            f"<{type(self).__name__} {self.source!r}: latent_dim={self.latent_dim}{classes}, "
            f"image_shape={self.image_shape}>"
        )


class _KerasGenerator(LoadedGenerator):
    """A `.keras` GAN: samples with its own `generate` (the EMA generator's when it keeps one)."""

    def __init__(self, gan, path):
        if not gan.uses_latent:
            raise ValueError(
                f"This {type(gan).__name__} translates images rather than sampling latent vectors: "
                "use gan.translate(images), or its export's serving_default signature."
            )
        self.gan = gan
        self.source = path
        self.latent_dim = int(gan.latent_dim)
        self.num_classes = gan.num_classes if isinstance(gan, ConditionalGAN) else None
        self.image_shape = tuple(int(d) for d in gan.inference_generator.outputs[0].shape[1:])
        self.truncates = isinstance(gan, StyleGAN2)

    def _decode(self, latent, labels, psi):
        if self.truncates:
            return self.gan.generate(latent=latent, truncation_psi=psi)
        if labels is not None:
            return self.gan.generate(latent=latent, labels=labels)
        return self.gan.generate(latent=latent)


class _SavedModelGenerator(LoadedGenerator):
    """An exported SavedModel: its `serving_default` signature on latent vectors drawn as kgan draws them."""

    def __init__(self, path):
        signatures = saved_model_signatures(path)
        if SAMPLE_SIGNATURE not in signatures:
            raise ValueError(
                f"The SavedModel at {path!r} has no '{SAMPLE_SIGNATURE}' signature: it translates images "
                f"(signatures {sorted(signatures)}) rather than sampling noise. See docs/export.md."
            )
        self.source = path
        self.serve = signatures[SERVING_SIGNATURE]
        inputs = self.serve.structured_input_signature[1]
        self.latent_dim = int(inputs["latent"].shape[-1])
        self.num_classes = int(signatures[CLASSES_SIGNATURE]()["num_classes"]) if "labels" in inputs else None
        self.image_shape = tuple(int(d) for d in self.serve.structured_outputs["images"].shape[1:])
        self.truncates = "psi" in inputs

    def _decode(self, latent, labels, psi):
        arguments = {"latent": tf.constant(latent)}
        if labels is not None:
            arguments["labels"] = tf.constant(labels, tf.int32)
        if self.truncates:
            arguments["psi"] = tf.constant(psi, tf.float32)
        return self.serve(**arguments)["images"].numpy()


class _OnnxGenerator(LoadedGenerator):
    """An ONNX export of `serving_default`, run by ONNX Runtime on latent vectors drawn as kgan draws them."""

    def __init__(self, path):
        if not os.path.isfile(path):
            raise FileNotFoundError(f"No ONNX file at {path!r}. Export one with kgan export --out {path}.")
        try:
            import onnxruntime
        except ImportError as error:
            raise ImportError(
                f'Sampling from an ONNX file needs ONNX Runtime: pip install "kgan[onnx]" ({error}).'
            ) from error
        try:
            self.session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        except Exception as error:  # ONNX Runtime raises its own exception types for bad files
            raise ValueError(
                f"{path!r} is not a readable ONNX model ({error}); it may be truncated or corrupt."
            ) from error
        metadata = self.session.get_modelmeta().custom_metadata_map
        signature = metadata.get(ONNX_SIGNATURE_KEY)
        if signature is None:
            raise ValueError(
                f"{path!r} is an ONNX model but not a kgan generator export (no {ONNX_SIGNATURE_KEY!r} metadata). "
                "Export one with kgan.export_generator(gan, 'generator.onnx') or kgan export --out generator.onnx."
            )
        inputs = {tensor.name: tensor for tensor in self.session.get_inputs()}
        if signature != SERVING_SIGNATURE or "latent" not in inputs:
            raise ValueError(
                f"The ONNX export at {path!r} holds the signature {signature!r} with inputs {sorted(inputs)}; "
                "sampling needs serving_default of a generator of latent vectors (export it without signature=)."
            )
        self.source = path
        self.latent_dim = int(inputs["latent"].shape[-1])
        self.num_classes = int(metadata[ONNX_CLASSES_KEY]) if "labels" in inputs else None
        self.image_shape = tuple(int(d) for d in self.session.get_outputs()[0].shape[1:])
        self.truncates = "psi" in inputs

    def _decode(self, latent, labels, psi):
        feeds = {"latent": latent}
        if labels is not None:
            feeds["labels"] = np.asarray(labels, np.int32)
        if self.truncates:
            feeds["psi"] = np.asarray(psi, np.float32)
        return self.session.run(["images"], feeds)[0]
