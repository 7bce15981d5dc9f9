"""Opening what a user holds (a GAN, a `.keras` file, an exported SavedModel or ONNX file) behind
one small interface; the one reader of an export's signatures."""

from __future__ import annotations

import json
import math
import os
import zipfile

import keras
import numpy as np
import tensorflow as tf

from kgan.export import (
    CLASSES_SIGNATURE,
    ONNX_CLASS_NAMES_KEY,
    ONNX_CLASSES_KEY,
    ONNX_SIGNATURE_KEY,
    ONNX_UNTRUNCATED_KEY,
    SAMPLE_SIGNATURE,
    SERVING_SIGNATURE,
    UNTRUNCATED_SIGNATURE,
)
from kgan.files import export_kind, run_files
from kgan.models import GAN
from kgan.models.checks import (
    check_latent,
    check_sample_count,
    check_sampling,
    check_threshold,
    check_truncation,
    class_labels,
)
from kgan.seeding import SEED_LIMIT, latent_vectors


def load_generator(path):
    """Opens a trained generator for sampling, without training code.

    Args:
        path: a `.keras` file written by `gan.save()` or `kgan train` (run_dir/checkpoints/),
            a SavedModel folder written by `kgan.export_generator` or `kgan export` (read
            with TensorFlow alone: kgan's classes are not needed to sample from it), or an
            `.onnx` file they wrote (run with ONNX Runtime: `pip install "kgan[onnx]"`).

    Returns:
        A `LoadedGenerator`: `generate(num, seed=, labels=, truncation=, latent=)`, `latent_dim`,
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
    generator = open_generator(os.fspath(path))
    if generator.translates:
        raise ValueError(
            f"{generator.source!r} translates images rather than sampling latent vectors (its serving_default "
            f"takes {', '.join(generator.source_shapes)}): use kgan.trained.open_generator(...).translate(images), "
            "gan.translate(images), or its export's serving_default signature. See docs/export.md."
        )
    return generator


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


def load_export(path):
    """The exported SavedModel in the folder `path` (`tf.saved_model.load`), or a FileNotFoundError
    that names a run folder's files when `path` is one."""
    graph = os.path.join(path, "saved_model.pb")
    if not os.path.isfile(graph):
        checkpoint, export = run_files(path)
        if checkpoint or export:
            choices = " or ".join(repr(f) for f in (export, checkpoint) if f)
            raise FileNotFoundError(f"{path!r} is a kgan train run folder, not an exported generator: pass {choices}.")
        raise FileNotFoundError(f"No exported SavedModel at {path!r} (no saved_model.pb in it).")
    return tf.saved_model.load(path)


#: Samples (or source images) per forward pass of a `LoadedGenerator`.
BATCH = 256


def open_generator(model, signature=None):
    """Anything a user holds that generates, behind one interface: a `LoadedGenerator`.

    Args:
        model: a kgan GAN (its export's signatures, run in this process), the path of a `.keras`
            file, an exported SavedModel folder or an exported `.onnx` file, or a
            `LoadedGenerator` (returned as it is).
        signature: the signature to run (default `serving_default`), e.g. a CycleGAN's "b_to_a";
            an ONNX file holds the one it was exported with.

    Returns:
        A `LoadedGenerator`: `generate(...)` for generators of latent vectors, `translate(...)`
        for image-to-image models (`translates` says which).
    """
    signature = signature or SERVING_SIGNATURE
    if isinstance(model, LoadedGenerator):
        return model
    if isinstance(model, GAN):
        return LoadedGenerator(_gan_signatures(model, signature), f"<{type(model).__name__}>", signature=signature)
    if not isinstance(model, (str, os.PathLike)):
        raise ValueError(
            f"Expected a kgan GAN, the path of a saved or exported one, or a loaded generator; "
            f"got a {type(model).__name__}."
        )
    path = os.fspath(model)
    if os.path.isdir(path):
        export = load_export(path)
        signatures = {name: _ExportSignature(function, export) for name, function in export.signatures.items()}
        return LoadedGenerator(signatures, path, signature=signature)
    if path.endswith(".onnx"):
        return _open_onnx(path, signature)
    if path.endswith(".tflite"):
        checkpoint, export = run_files(path)
        raise ValueError(
            f"{path!r} is a LiteRT file: it runs in the LiteRT interpreter (docs/export.md), which kgan does not "
            f"sample with. Pass {repr(export) if export else 'the exported SavedModel folder'}, an .onnx export or "
            f"{repr(checkpoint) if checkpoint else 'a .keras checkpoint'} instead."
        )
    return LoadedGenerator(_gan_signatures(load_gan(path), signature), path, signature=signature)


class LoadedGenerator:
    """A trained generator behind one interface, whatever it was: a GAN in memory, a `.keras`
    file, an exported SavedModel or an `.onnx` file (`kgan.load_generator`,
    `kgan.trained.open_generator`). It reads the signatures kgan exports (a GAN in memory through
    the same functions its export would hold), and nothing else.

    Attributes:
        translates: True for an image-to-image model (`translate`), False for a generator of
            latent vectors (`generate`).
        latent_dim: size of the latent vectors (None for a translator).
        num_classes: classes of a conditional generator, None for an unconditional one.
        class_names: the classes' names by label when the model keeps them, else None.
        truncates: whether `generate` takes `truncation` (StyleGAN2, BigGAN).
        image_shape: `(height, width, channels)` of its images.
        source_shapes: `{input name: (height, width, channels)}` of a translator's inputs.
        source: the path it was loaded from (or `<Family>` for a GAN in memory).
        signatures: the names of the signatures it can run (a CycleGAN's `a_to_b`, `b_to_a`, ...).
    """

    def __init__(
        self, signatures, source, num_classes=None, class_names=None, signature=SERVING_SIGNATURE, untruncated=None
    ):
        self.source = source
        self.signatures = tuple(
            sorted(
                name for name in signatures if name not in (SAMPLE_SIGNATURE, CLASSES_SIGNATURE, UNTRUNCATED_SIGNATURE)
            )
        )
        if signature not in signatures:
            raise ValueError(f"{source!r} has no signature {signature!r}; it has {', '.join(self.signatures)}.")
        self._serve = signatures[signature]
        inputs = self._serve.inputs
        self.translates = SAMPLE_SIGNATURE not in signatures and "latent" not in inputs
        self.latent_dim = None if self.translates else int(inputs["latent"].shape[-1])
        if "labels" in inputs and num_classes is None:
            classes = signatures[CLASSES_SIGNATURE].call()
            num_classes = int(classes["num_classes"])
            if "class_names" in classes:  # exports of kgan 0.1 have none
                class_names = [name.decode() for name in np.asarray(classes["class_names"]).tolist()]
        self.num_classes = num_classes
        self.class_names = None if class_names is None else tuple(class_names)
        # Exports of kgan 0.1 named the truncation input psi.
        self._truncation_input = next((name for name in ("truncation", "psi") if name in inputs), None)
        self.truncates = self._truncation_input is not None
        if untruncated is None and signatures.get(UNTRUNCATED_SIGNATURE) is not None:
            untruncated = float(signatures[UNTRUNCATED_SIGNATURE].call()["truncation"])
        # StyleGAN2's psi (exports without the signature are StyleGAN2's), or BigGAN's threshold (inf).
        self._untruncated = 1.0 if untruncated is None else untruncated
        shapes = {name: tuple(spec.shape[1:]) for name, spec in inputs.items()} if self.translates else {}
        # A SavedModel lists a signature's inputs by name; an inpainting model takes the images first, then the masks.
        self.source_shapes = dict(sorted(shapes.items(), key=lambda item: item[0] == "masks"))
        self.image_shape = tuple(int(d) for d in self._serve.image_shape[1:])

    def generate(self, num=None, *, seed=None, labels=None, truncation=None, latent=None, batch_size=BATCH):
        """Images, float32 in [-1, 1], for `num` latent vectors drawn from `seed` or for `latent`:
        the signature of `kgan.GAN.generate`.

        Args:
            num: how many (or give `latent`).
            seed: the same seed gives the same images (and the same latents as the GAN's
                `generate(num, seed=seed)` and its export's `sample`); None: fresh noise.
            labels: for conditional generators: one class for all (an int), one per image, or
                None for classes 0, 1, ..., num_classes - 1, 0, ... in turn.
            truncation: StyleGAN2's psi or BigGAN's threshold (None: none).
            latent: explicit latent vectors `(n, latent_dim)`, e.g. from `kgan.latent.walk`.
            batch_size: samples per forward pass.
        """
        if self.translates:
            raise ValueError(
                f"{self.source!r} translates images rather than sampling latent vectors: use translate(images)."
            )
        if latent is None:
            seed = np.random.randint(SEED_LIMIT) if seed is None else seed
            latent = latent_vectors(check_sample_count(num), self.latent_dim, seed).numpy()
        latent = np.asarray(latent, np.float32)
        check_latent(latent.shape, self.latent_dim)
        check_sampling("generator", self.num_classes, self.truncates, labels, truncation)
        inputs = {"latent": latent}
        if self.num_classes is not None:
            inputs["labels"] = class_labels(labels, len(latent), self.num_classes, self.class_names)
        if self.truncates:
            inputs[self._truncation_input] = np.float32(self._checked_truncation(truncation))
        return self._in_batches(inputs, ("latent", "labels"), batch_size)

    def _checked_truncation(self, truncation):
        """The truncation input for `truncation` (None: the value that means none)."""
        if truncation is None:
            return self._untruncated
        if math.isinf(self._untruncated):  # none at infinity: a threshold
            return check_threshold(truncation)
        return check_truncation(truncation)

    def translate(self, source):
        """The translations, float32 in [-1, 1], of `source`: an image batch in [-1, 1], or for a
        translator of two inputs (inpainting: images and masks) a tuple of both."""
        if not self.translates:
            raise ValueError(f"{self.source!r} samples latent vectors rather than translating images: use generate().")
        parts = tuple(source) if len(self.source_shapes) > 1 else (source,)
        if len(parts) != len(self.source_shapes):
            raise ValueError(
                f"This translator takes {len(self.source_shapes)} inputs ({', '.join(self.source_shapes)})."
            )
        inputs = {}
        for (name, shape), part in zip(self.source_shapes.items(), parts):
            part = np.asarray(part, np.float32)
            if part.shape[1:] != shape or not len(part):
                raise ValueError(
                    f"{name} must be a batch of shape (n, {', '.join(map(str, shape))}), got {part.shape}."
                )
            inputs[name] = part
        return self._in_batches(inputs, tuple(inputs), BATCH)

    def _in_batches(self, inputs, batched, batch_size):
        total = len(inputs[batched[0]])
        chunks = []
        for start in range(0, total, batch_size):
            chunk = {k: v[start : start + batch_size] if k in batched else v for k, v in inputs.items()}
            chunks.append(self._serve(**chunk))
        return np.concatenate(chunks).astype(np.float32, copy=False)

    def __repr__(self):
        classes = "" if self.num_classes is None else f", num_classes={self.num_classes}"
        kind = f"source_shapes={self.source_shapes}" if self.translates else f"latent_dim={self.latent_dim}{classes}"
        return f"<{type(self).__name__} {self.source!r}: {kind}, image_shape={self.image_shape}>"


class _ExportSignature:
    """One signature of an exported SavedModel: keyword inputs -> the "images" output as NumPy.
    It holds the loaded export (`owner`), whose variables the signature reads."""

    def __init__(self, function, owner=None):
        self._function = function
        self._owner = owner
        self.inputs = dict(function.structured_input_signature[1])
        outputs = function.structured_outputs
        self.image_shape = tuple(outputs["images"].shape) if "images" in outputs else None

    def call(self, **inputs):
        arguments = {name: tf.constant(value, self.inputs[name].dtype) for name, value in inputs.items()}
        return {name: value.numpy() for name, value in self._function(**arguments).items()}

    def __call__(self, **inputs):
        return self.call(**inputs)["images"]


class _EndpointSignature(_ExportSignature):
    """One of a GAN's export endpoints, traced in this process: what its export would hold."""

    def __init__(self, function, specs):
        concrete = tf.function(function, input_signature=specs).get_concrete_function()
        self._specs = specs
        super().__init__(concrete)
        self.inputs = {spec.name: spec for spec in specs}

    def call(self, **inputs):
        arguments = [tf.constant(inputs[spec.name], spec.dtype) for spec in self._specs]
        return {name: value.numpy() for name, value in self._function(*arguments).items()}


def _gan_signatures(gan, signature=SERVING_SIGNATURE):
    """The signatures `kgan.export_generator(gan, ...)` would write, as functions of this process
    (`signature` and the class count are all `LoadedGenerator` calls; the others, unused, are not traced)."""
    endpoints = {name: (function, specs) for name, function, specs in gan.export_endpoints(gan.inference_generator)}
    wanted = [name for name in (signature, CLASSES_SIGNATURE, UNTRUNCATED_SIGNATURE) if name in endpoints]
    signatures = {name: _EndpointSignature(*endpoints[name]) for name in wanted}
    return {**dict.fromkeys(endpoints), **signatures}


class _OnnxSignature:
    """An ONNX export's one signature, run by ONNX Runtime."""

    def __init__(self, session):
        self._session = session
        self.inputs = {
            tensor.name: tf.TensorSpec(_known(tensor.shape), _ONNX_TYPES[tensor.type])
            for tensor in session.get_inputs()
        }
        self.image_shape = _known(session.get_outputs()[0].shape)

    def __call__(self, **inputs):
        feeds = {name: np.asarray(value, self.inputs[name].dtype.as_numpy_dtype) for name, value in inputs.items()}
        return self._session.run(["images"], feeds)[0]


def _known(shape):
    """An ONNX shape with its symbolic sizes (the batch: "unk__3", "N") as None."""
    return tuple(size if isinstance(size, int) else None for size in shape)


_ONNX_TYPES = {
    "tensor(float)": tf.float32,
    "tensor(int32)": tf.int32,
    "tensor(int64)": tf.int64,
    "tensor(uint8)": tf.uint8,
}


def _open_onnx(path, wanted):
    """An ONNX export of one signature (`wanted`), run by ONNX Runtime on latent vectors drawn as kgan draws them."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No ONNX file at {path!r}. Export one with kgan export --out {path}.")
    try:
        import onnxruntime  # an optional extra: imported only when an ONNX file is opened
    except ImportError as error:
        raise ImportError(
            f'Sampling from an ONNX file needs ONNX Runtime: pip install "kgan[onnx]" ({error}).'
        ) from error
    try:
        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    except Exception as error:  # ONNX Runtime raises its own exception types for bad files
        raise ValueError(f"{path!r} is not a readable ONNX model ({error}); it may be truncated or corrupt.") from error
    metadata = session.get_modelmeta().custom_metadata_map
    signature = metadata.get(ONNX_SIGNATURE_KEY)
    if signature is None:
        raise ValueError(
            f"{path!r} is an ONNX model but not a kgan generator export (no {ONNX_SIGNATURE_KEY!r} metadata). "
            "Export one with kgan.export_generator(gan, 'generator.onnx') or kgan export --out generator.onnx."
        )
    if signature != wanted:
        inputs = sorted(tensor.name for tensor in session.get_inputs())
        raise ValueError(
            f"The ONNX export at {path!r} holds the signature {signature!r} with inputs {inputs}; this opens "
            f"{wanted} (export that one: kgan export --signature {wanted}, or kgan.export_generator(..., "
            f"signature={wanted!r}))."
        )
    num_classes = int(metadata[ONNX_CLASSES_KEY]) if ONNX_CLASSES_KEY in metadata else None
    class_names = json.loads(metadata[ONNX_CLASS_NAMES_KEY]) if ONNX_CLASS_NAMES_KEY in metadata else None
    untruncated = float(metadata[ONNX_UNTRUNCATED_KEY]) if ONNX_UNTRUNCATED_KEY in metadata else None
    return LoadedGenerator({wanted: _OnnxSignature(session)}, path, num_classes, class_names, wanted, untruncated)
