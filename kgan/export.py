"""The generator as a SavedModel, an ONNX file or a LiteRT file, loaded without kgan."""

from __future__ import annotations

import json
import os
import shutil

import keras
import tensorflow as tf

from kgan.architectures.stylegan2 import truncate
from kgan.data.pipeline import scale_images
from kgan.files import written_whole
from kgan.seeding import latent_vectors

SERVING_SIGNATURE = "serving_default"
SAMPLE_SIGNATURE = "sample"
CLASSES_SIGNATURE = "num_classes"
#: A signature of the families that truncate: `{"truncation": the value that means none}` (StyleGAN2's
#: psi 1, BigGAN's threshold inf). Exports without it are StyleGAN2's.
UNTRUNCATED_SIGNATURE = "untruncated"


#: What `export_generator` writes, by `format`, and the file suffix each format takes.
FORMAT_SUFFIXES = {"saved_model": "", "onnx": ".onnx", "litert": ".tflite"}

#: Metadata keys of an ONNX export (`metadata_props`): what `kgan.load_generator` reads back.
ONNX_SIGNATURE_KEY = "kgan.signature"
ONNX_FAMILY_KEY = "kgan.family"
ONNX_CLASSES_KEY = "kgan.num_classes"
ONNX_CLASS_NAMES_KEY = "kgan.class_names"  # a JSON list
ONNX_UNTRUNCATED_KEY = "kgan.untruncated"  # what the UNTRUNCATED_SIGNATURE returns


def export_generator(gan, path, generator=None, format=None, signature=None, overwrite=True):
    """Exports a GAN's generator for serving: a SavedModel, an ONNX file or a LiteRT file.

    None of them needs kgan to load. A SavedModel (a folder) holds every signature of the
    family; for unconditional GANs:

    * `serving_default(latent: float32 [n, latent_dim]) -> {"images": float32 [n, ...] in [-1, 1]}`
    * `sample(count: int32 [], seed: int64 []) -> {"images": uint8 [count, ...]}`: draws `count`
      latent vectors from N(0, I) with a stateless generator and returns pixels ready to encode
      as PNG. The same seed gives the same latent vectors as `gan.generate(count, seed=seed)` and
      the run's image grids (`kgan.seeding.latent_vectors`).

    Conditional GANs add `labels`, image-to-image models take source images (and masks); each
    family's `export_endpoints` lists its signatures.

    A LiteRT file (`.tflite`, converted by TensorFlow's LiteRT converter) holds every signature
    but `sample`, whose random draw has no LiteRT op: draw the latent vectors yourself. An ONNX
    file (`.onnx`, converted by tf2onnx; `pip install "kgan[onnx]"`) holds one signature,
    `serving_default` unless `signature` names another, with the same input and output names.

    Args:
        gan: a trained `kgan.GAN` (its `inference_generator` is exported), or None with
            `generator`.
        path: the SavedModel folder, `.onnx` file or `.tflite` file to write.
        generator: export this network instead, e.g. a `keras.Model` taking latent vectors.
        format: "saved_model", "onnx" or "litert"; None: from `path`'s suffix (`.onnx`,
            `.tflite`, otherwise a SavedModel folder).
        signature: for ONNX, the signature the file holds (e.g. "mapping" of StyleGAN2,
            "b_to_a" of CycleGAN).
        overwrite: replace an earlier export at `path`. A path holding anything other than an
            export of the same format is never replaced.

    Returns:
        `path`. It is written completely or not at all: a failed export leaves nothing behind.

    Example:

    ```python
    kgan.export_generator(gan, "generator_savedmodel")
    loaded = tf.saved_model.load("generator_savedmodel")
    pixels = loaded.signatures["sample"](count=tf.constant(16), seed=tf.constant(0, tf.int64))["images"]
    kgan.export_generator(gan, "generator.onnx")  # onnxruntime.InferenceSession("generator.onnx")
    ```
    """
    path = os.path.normpath(os.fspath(path))
    format = export_format(path, format)
    network, endpoints = _endpoints(gan, generator, format)
    written = _written_endpoints(format, endpoints, signature)
    _check_destination(path, format, overwrite)
    with written_whole(path) as staging:
        if format == "onnx":
            _write_onnx(written[0], staging, _onnx_metadata(gan, network, written[0][0], endpoints))
        else:
            _write_saved_model(network, endpoints, staging)
            if format == "litert":
                _convert_to_litert(staging, [name for name, _, _ in written])
    return path


def export_format(path, format=None):
    """The format of an export to `path`: `format` once checked against the suffix, or the suffix's."""
    by_suffix = next((name for name, suffix in FORMAT_SUFFIXES.items() if suffix and path.endswith(suffix)), None)
    if format is None:
        return by_suffix or "saved_model"
    if format not in FORMAT_SUFFIXES:
        raise ValueError(f"format must be one of {sorted(FORMAT_SUFFIXES)}, got {format!r}.")
    if (by_suffix or "saved_model") != format:
        expected = FORMAT_SUFFIXES[format] or "no .onnx or .tflite suffix (a SavedModel is a folder)"
        raise ValueError(f"A {format} export's path takes {expected}; got {path!r}. Rename the path or the format.")
    return format


def _check_destination(path, format, overwrite):
    if format == "saved_model" and os.path.isfile(path):
        raise ValueError(f"{path!r} is a file; a SavedModel is a folder. Pass a new or existing folder path.")
    if not os.path.lexists(path):
        return
    earlier_export = (
        os.path.isfile(os.path.join(path, "saved_model.pb")) if format == "saved_model" else os.path.isfile(path)
    )
    if not earlier_export and not (os.path.isdir(path) and not os.listdir(path)):
        raise FileExistsError(
            f"{path!r} exists and is not a {format} export; kgan will not replace it. Choose another path."
        )
    if not overwrite and earlier_export:
        raise FileExistsError(
            f"{path!r} already holds an export. Pass overwrite=True (kgan export --overwrite) to replace it, "
            "or choose another path."
        )


def _write_saved_model(network, endpoints, path):
    archive = keras.export.ExportArchive()
    archive.track(network)
    for name, function, specs in endpoints:
        archive.add_endpoint(name, function, specs)
    archive.write_out(path, verbose=False)


def _convert_to_litert(saved_model, signature_keys):
    """Replaces the SavedModel folder `saved_model` with a LiteRT flatbuffer of those signatures."""
    converter = tf.lite.TFLiteConverter.from_saved_model(saved_model, signature_keys=signature_keys)
    flatbuffer = converter.convert()
    shutil.rmtree(saved_model)
    with open(saved_model, "wb") as file:
        file.write(flatbuffer)


def _written_endpoints(format, endpoints, signature):
    """The endpoints a `format` export holds: all (SavedModel), all that LiteRT can run, or one (ONNX)."""
    if format != "onnx":
        if signature is not None:
            raise ValueError(
                f"signature= picks the one signature of an ONNX file; a {format} export holds every signature "
                "it can run. Leave signature out, or export to a .onnx path."
            )
        # LiteRT has no op for the stateless random draw of `sample`.
        return [endpoint for endpoint in endpoints if format == "saved_model" or endpoint[0] != SAMPLE_SIGNATURE]
    by_name = {endpoint[0]: endpoint for endpoint in endpoints}
    signature = signature or SERVING_SIGNATURE
    if signature == SAMPLE_SIGNATURE:
        raise ValueError(
            f"'{SAMPLE_SIGNATURE}' draws its latent vectors with TensorFlow's stateless random generator, "
            "which ONNX has no op for. Export serving_default and feed it latent vectors drawn from N(0, I)."
        )
    if signature not in by_name:
        names = sorted(set(by_name) - {SAMPLE_SIGNATURE})
        raise ValueError(f"This generator has no signature {signature!r}; an ONNX export can hold one of {names}.")
    return [by_name[signature]]


def _onnx_metadata(gan, network, signature, endpoints):
    metadata = {ONNX_SIGNATURE_KEY: signature, ONNX_FAMILY_KEY: type(gan if gan is not None else network).__name__}
    if getattr(gan, "num_classes", None) is not None:
        metadata[ONNX_CLASSES_KEY] = str(gan.num_classes)
    if getattr(gan, "class_names", None) is not None:
        metadata[ONNX_CLASS_NAMES_KEY] = json.dumps(list(gan.class_names))
    untruncated = next((function for name, function, _ in endpoints if name == UNTRUNCATED_SIGNATURE), None)
    if untruncated is not None:
        metadata[ONNX_UNTRUNCATED_KEY] = repr(float(untruncated()["truncation"]))
    return metadata


def _write_onnx(endpoint, path, metadata):
    try:
        import onnx
        import tf2onnx
    except ImportError as error:
        raise ImportError(f'ONNX export needs tf2onnx and onnx: pip install "kgan[onnx]" ({error}).') from error
    _, function, specs = endpoint
    model, _ = tf2onnx.convert.from_function(tf.function(function, input_signature=specs), input_signature=specs)
    onnx.helper.set_model_props(model, metadata)
    onnx.save(model, path)


def signature_names(gan, generator=None, format="saved_model", signature=None):
    """The names of the signatures `export_generator(gan, path, generator, format, signature)` writes."""
    return [name for name, _, _ in _written_endpoints(format, _endpoints(gan, generator)[1], signature)]


def _endpoints(gan, generator, format="saved_model"):
    if gan is None and generator is None:
        raise ValueError("export_generator needs a GAN or a generator network to export.")
    network = generator if generator is not None else gan.inference_generator
    if format != "saved_model":
        # ONNX Runtime and LiteRT run float32 (neither converter takes bfloat16 or mixed float16
        # layers): mixed precision is for training, on the accelerators it was set for.
        network = _in_float32(network)
    return network, latent_endpoints(network) if gan is None else gan.export_endpoints(network)


def _in_float32(network):
    """`network`, or a float32 copy of it (same weights) when some of its layers compute in lower precision."""
    if all(layer.compute_dtype == "float32" for layer in network._flatten_layers()):
        return network
    config = keras.saving.serialize_keras_object(network)

    def to_float32(node):
        if isinstance(node, dict):
            if node.get("class_name") == "DTypePolicy" and isinstance(node.get("config"), dict):
                node["config"]["name"] = "float32"
            nodes = node.values()
        else:
            nodes = node if isinstance(node, list) else ()
        for child in nodes:
            to_float32(child)

    to_float32(config)
    copy = keras.saving.deserialize_keras_object(config)
    copy.set_weights(network.get_weights())
    return copy


def to_pixels(images):
    """Generator output in [-1, 1] -> uint8 pixels, inside a SavedModel."""
    pixels = tf.round((tf.cast(images, tf.float32) + 1.0) * 127.5)
    return tf.cast(tf.clip_by_value(pixels, 0.0, 255.0), tf.uint8)


def latent_endpoints(network):
    """`serving_default(latent)` and `sample(count, seed)` for a generator of latent vectors."""
    latent_shape = tuple(network.inputs[0].shape)
    if len(latent_shape) != 2 or latent_shape[-1] is None:
        raise ValueError(f"The generator must take latent vectors (batch, latent_dim); its input is {latent_shape}.")
    latent_dim = latent_shape[-1]

    def serve(latent):
        return {"images": tf.cast(network(latent, training=False), tf.float32)}

    def sample(count, seed):
        return {"images": to_pixels(network(latent_vectors(count, latent_dim, seed), training=False))}

    return [
        (SERVING_SIGNATURE, serve, [tf.TensorSpec([None, latent_dim], tf.float32, name="latent")]),
        (
            SAMPLE_SIGNATURE,
            sample,
            [tf.TensorSpec([], tf.int32, name="count"), tf.TensorSpec([], tf.int64, name="seed")],
        ),
    ]


def style_endpoints(network, num_classes=None, class_names=None):
    """StyleGAN2's signatures, for a generator of `kgan.architectures.stylegan2` (mapping + synthesis):

    * `serving_default(latent, truncation)`: images for latent vectors, truncated with psi (1: none).
    * `sample(count, seed, truncation)`: uint8 pixels; the same latent vectors as `generate(count, seed=seed)`.
      (Exports of kgan 0.1 name the truncation input `psi`; `kgan.load_generator` opens both.)
    * `mapping(latent) -> {"w"}`, `synthesis(ws) -> {"images"}` with ws `(n, num_ws, w_dim)`, and
      `w_average() -> {"w_avg"}`: what a server needs to mix styles and truncate them itself.

    A conditional StyleGAN2's (`num_classes`) take int32 `labels` too: `serving_default(latent,
    labels, truncation)`, `sample(labels, seed, truncation)` (one sample per label, as for the
    other conditional families) and `mapping(latent, labels)`; `w_average()` returns one average
    per class `(num_classes, w_dim)`, each sample is truncated towards its class's, and
    `num_classes()` gives the classes (and their names).

    Noise inputs use each layer's fixed noise map, so a seed always gives the same image.
    """

    mapping, synthesis = network.get_layer("mapping"), network.get_layer("synthesis")
    latent_dim = mapping.inputs[0].shape[-1]
    _, num_ws, w_dim = synthesis.inputs[0].shape
    w_avg = mapping.get_layer("w_avg").average

    def mapped(latent, labels):
        """w for the latents (and checked labels)."""
        if num_classes is None:
            return mapping(latent, training=False)
        return mapping([latent, tf.one_hot(labels, num_classes)], training=False)

    def images_for(latent, labels, truncation):
        if num_classes is not None:
            labels = checked_labels(labels, num_classes)
        ws = tf.repeat(mapped(latent, labels)[:, None], num_ws, axis=1)
        average = w_avg if num_classes is None else tf.gather(w_avg, labels)
        return synthesis(truncate(ws, average, truncation), training=False)

    def synthesize(ws):
        return {"images": tf.cast(synthesis(ws, training=False), tf.float32)}

    def average():
        return {"w_avg": tf.convert_to_tensor(w_avg)}

    latent_spec = tf.TensorSpec([None, latent_dim], tf.float32, name="latent")
    truncation_spec = tf.TensorSpec([], tf.float32, name="truncation")
    seed_spec = tf.TensorSpec([], tf.int64, name="seed")
    shared = [
        ("synthesis", synthesize, [tf.TensorSpec([None, num_ws, w_dim], tf.float32, name="ws")]),
        ("w_average", average, []),
        untruncated_endpoint(1.0),
    ]
    if num_classes is not None:
        labels_spec = tf.TensorSpec([None], tf.int32, name="labels")

        def serve_labelled(latent, labels, truncation):
            return {"images": tf.cast(images_for(latent, labels, truncation), tf.float32)}

        def sample_labelled(labels, seed, truncation):
            latent = latent_vectors(tf.shape(labels)[0], latent_dim, seed)
            return {"images": to_pixels(images_for(latent, labels, truncation))}

        def map_labelled(latent, labels):
            return {"w": tf.cast(mapped(latent, checked_labels(labels, num_classes)), tf.float32)}

        return [
            (SERVING_SIGNATURE, serve_labelled, [latent_spec, labels_spec, truncation_spec]),
            (SAMPLE_SIGNATURE, sample_labelled, [labels_spec, seed_spec, truncation_spec]),
            ("mapping", map_labelled, [latent_spec, labels_spec]),
            classes_endpoint(num_classes, class_names),
            *shared,
        ]

    def serve(latent, truncation):
        return {"images": tf.cast(images_for(latent, None, truncation), tf.float32)}

    def sample(count, seed, truncation):
        return {"images": to_pixels(images_for(latent_vectors(count, latent_dim, seed), None, truncation))}

    def map_latent(latent):
        return {"w": tf.cast(mapped(latent, None), tf.float32)}

    return [
        (SERVING_SIGNATURE, serve, [latent_spec, truncation_spec]),
        (SAMPLE_SIGNATURE, sample, [tf.TensorSpec([], tf.int32, name="count"), seed_spec, truncation_spec]),
        ("mapping", map_latent, [latent_spec]),
        *shared,
    ]


def untruncated_endpoint(value):
    """The `untruncated()` signature: `{"truncation": value}`, the truncation that changes nothing."""
    return UNTRUNCATED_SIGNATURE, lambda: {"truncation": tf.constant(value, tf.float32)}, []


def conditional_endpoints(network, num_classes, class_names=None, truncate=None):
    """`serving_default(latent, labels)`, `sample(labels, seed)` and `num_classes()` for a
    class-conditional generator; `num_classes()` also returns `class_names` (strings) when they are known.

    With `truncate` (a function `(latent, truncation) -> latent`: BigGAN's truncation trick)
    `serving_default` and `sample` also take a float32 `truncation`, and `untruncated()` gives the
    value that leaves the latents alone (inf).
    """
    latent_dim = network.inputs[0].shape[-1]

    def images_for(latent, labels, truncation):
        if truncate is not None:
            latent = truncate(latent, truncation)
        return network([latent, checked_labels(labels, num_classes)], training=False)

    def serve(latent, labels, truncation=None):
        return {"images": tf.cast(images_for(latent, labels, truncation), tf.float32)}

    def sample(labels, seed, truncation=None):
        latent = latent_vectors(tf.shape(labels)[0], latent_dim, seed)
        return {"images": to_pixels(images_for(latent, labels, truncation))}

    labels_spec = tf.TensorSpec([None], tf.int32, name="labels")
    truncation_specs = [] if truncate is None else [tf.TensorSpec([], tf.float32, name="truncation")]
    endpoints = [
        (
            SERVING_SIGNATURE,
            serve,
            [tf.TensorSpec([None, latent_dim], tf.float32, name="latent"), labels_spec, *truncation_specs],
        ),
        classes_endpoint(num_classes, class_names),
        (SAMPLE_SIGNATURE, sample, [labels_spec, tf.TensorSpec([], tf.int64, name="seed"), *truncation_specs]),
    ]
    return endpoints + ([] if truncate is None else [untruncated_endpoint(float("inf"))])


def checked_labels(labels, num_classes):
    """int32 labels, with a check inside the graph that each is a class index in [0, num_classes)."""
    message = f"labels must be class indices in [0, {num_classes})"
    labels = tf.cast(labels, tf.int32)
    checks = [
        tf.debugging.assert_non_negative(labels, message=message),
        tf.debugging.assert_less(labels, num_classes, message=message),
    ]
    with tf.control_dependencies(checks):
        return tf.identity(labels)


def classes_endpoint(num_classes, class_names=None):
    """The `num_classes()` signature: `{"num_classes"}`, and `{"class_names"}` (strings) when known."""

    def classes():
        named = {} if class_names is None else {"class_names": tf.constant(list(class_names), tf.string)}
        return {"num_classes": tf.constant(num_classes, tf.int32), **named}

    return CLASSES_SIGNATURE, classes, []


def _float_spec(tensor, name):
    return tf.TensorSpec([None, *tensor.shape[1:]], tf.float32, name=name)


def image_endpoints(network, prefix="", input_names=None):
    """Signatures for an image-to-image generator, named by its Keras inputs:

    * `serving_default(<inputs>: float32 in [-1, 1]) -> {"images": float32}`
    * `pixels(<first input>: uint8, <other inputs>: float32) -> {"images": uint8}`

    With `prefix` ("a_to_b_"), they are `a_to_b` and `a_to_b_pixels` (no `serving_default`);
    `input_names` renames the inputs.
    """
    names = input_names or [tensor.name.split(":")[0] for tensor in network.inputs]
    specs = [_float_spec(tensor, name) for tensor, name in zip(network.inputs, names)]
    pixel_specs = [tf.TensorSpec(specs[0].shape, tf.uint8, name=names[0])] + specs[1:]

    def run(inputs):
        return network(inputs if len(inputs) > 1 else inputs[0], training=False)

    if len(specs) == 1:

        def serve(images):
            return {"images": tf.cast(run([images]), tf.float32)}

        def pixels(images):
            return {"images": to_pixels(run([scale_images(images)]))}

    elif len(specs) == 2:

        def serve(images, extra):
            return {"images": tf.cast(run([images, extra]), tf.float32)}

        def pixels(images, extra):
            return {"images": to_pixels(run([scale_images(images), extra]))}

    else:
        raise ValueError(f"Export supports generators with one or two inputs, this one has {len(specs)}.")
    serving_name = prefix.rstrip("_") if prefix else SERVING_SIGNATURE
    return [(serving_name, serve, specs), (f"{prefix}pixels", pixels, pixel_specs)]
