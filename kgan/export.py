"""The generator as a SavedModel that plain TensorFlow loads, with serving signatures."""

from __future__ import annotations

import os

import keras
import tensorflow as tf

from kgan.data.pipeline import scale_images
from kgan.seeding import latent_vectors

SERVING_SIGNATURE = "serving_default"
SAMPLE_SIGNATURE = "sample"
CLASSES_SIGNATURE = "num_classes"


def export_generator(gan, path, generator=None):
    """Exports a GAN's generator as a SavedModel that needs no kgan to load.

    The signatures take what the model takes (see docs/export.md). For unconditional GANs:

    * `serving_default(latent: float32 [n, latent_dim]) -> {"images": float32 [n, ...] in [-1, 1]}`
    * `sample(count: int32 [], seed: int64 []) -> {"images": uint8 [count, ...]}`: draws `count`
      latent vectors from N(0, I) with a stateless generator and returns pixels ready to encode
      as PNG. The same seed gives the same latent vectors as `gan.generate(count, seed=seed)` and
      the run's image grids (`kgan.seeding.latent_vectors`).

    Conditional GANs add `labels`, image-to-image models take source images (and masks); each
    family's `export_endpoints` lists its signatures.

    Args:
        gan: a trained `kgan.GAN` (its `inference_generator` is exported), or None with
            `generator`.
        path: the SavedModel folder to write.
        generator: export this network instead, e.g. a `keras.Model` taking latent vectors.

    Example:

    ```python
    kgan.export_generator(gan, "generator_savedmodel")
    loaded = tf.saved_model.load("generator_savedmodel")
    pixels = loaded.signatures["sample"](count=tf.constant(16), seed=tf.constant(0, tf.int64))["images"]
    ```
    """
    if os.path.isfile(path):
        raise ValueError(f"{path!r} is a file; a SavedModel is a folder. Pass a new or existing folder path.")
    network, endpoints = _endpoints(gan, generator)
    archive = keras.export.ExportArchive()
    archive.track(network)
    for name, function, specs in endpoints:
        archive.add_endpoint(name, function, specs)
    archive.write_out(path, verbose=False)
    return path


def signature_names(gan, generator=None):
    """The names of the signatures `export_generator(gan, path, generator)` writes."""
    return [name for name, _, _ in _endpoints(gan, generator)[1]]


def _endpoints(gan, generator):
    if gan is None and generator is None:
        raise ValueError("export_generator needs a GAN or a generator network to export.")
    network = generator if generator is not None else gan.inference_generator
    return network, latent_endpoints(network) if gan is None else gan.export_endpoints(network)


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


def style_endpoints(network):
    """StyleGAN2's signatures, for a generator of `kgan.architectures.stylegan2` (mapping + synthesis):

    * `serving_default(latent, psi)`: images for latent vectors, truncated with psi (1: none).
    * `sample(count, seed, psi)`: uint8 pixels; the same latent vectors as `generate(count, seed=seed)`.
    * `mapping(latent) -> {"w"}`, `synthesis(ws) -> {"images"}` with ws `(n, num_ws, w_dim)`, and
      `w_average() -> {"w_avg"}`: what a server needs to mix styles and truncate them itself.

    Noise inputs use each layer's fixed noise map, so a seed always gives the same image.
    """
    from kgan.architectures.stylegan2 import truncate  # the architecture imports kgan.layers, not export

    mapping, synthesis = network.get_layer("mapping"), network.get_layer("synthesis")
    latent_dim = mapping.inputs[0].shape[-1]
    _, num_ws, w_dim = synthesis.inputs[0].shape
    w_avg = mapping.get_layer("w_avg").average

    def images_for(latent, psi):
        w = mapping(latent, training=False)
        ws = tf.repeat(w[:, None], num_ws, axis=1)
        return synthesis(truncate(ws, w_avg, psi), training=False)

    def serve(latent, psi):
        return {"images": tf.cast(images_for(latent, psi), tf.float32)}

    def sample(count, seed, psi):
        return {"images": to_pixels(images_for(latent_vectors(count, latent_dim, seed), psi))}

    def map_latent(latent):
        return {"w": tf.cast(mapping(latent, training=False), tf.float32)}

    def synthesize(ws):
        return {"images": tf.cast(synthesis(ws, training=False), tf.float32)}

    def average():
        return {"w_avg": tf.convert_to_tensor(w_avg)}

    latent_spec = tf.TensorSpec([None, latent_dim], tf.float32, name="latent")
    psi_spec = tf.TensorSpec([], tf.float32, name="psi")
    return [
        (SERVING_SIGNATURE, serve, [latent_spec, psi_spec]),
        (
            SAMPLE_SIGNATURE,
            sample,
            [tf.TensorSpec([], tf.int32, name="count"), tf.TensorSpec([], tf.int64, name="seed"), psi_spec],
        ),
        ("mapping", map_latent, [latent_spec]),
        ("synthesis", synthesize, [tf.TensorSpec([None, num_ws, w_dim], tf.float32, name="ws")]),
        ("w_average", average, []),
    ]


def conditional_endpoints(network, num_classes):
    """`serving_default(latent, labels)`, `sample(labels, seed)` and `num_classes()` for a
    class-conditional generator."""
    latent_dim = network.inputs[0].shape[-1]

    def checked(labels):
        message = f"labels must be class indices in [0, {num_classes})"
        labels = tf.cast(labels, tf.int32)
        checks = [
            tf.debugging.assert_non_negative(labels, message=message),
            tf.debugging.assert_less(labels, num_classes, message=message),
        ]
        with tf.control_dependencies(checks):
            return tf.identity(labels)

    def serve(latent, labels):
        return {"images": tf.cast(network([latent, checked(labels)], training=False), tf.float32)}

    def sample(labels, seed):
        latent = latent_vectors(tf.shape(labels)[0], latent_dim, seed)
        return {"images": to_pixels(network([latent, checked(labels)], training=False))}

    def classes():
        return {"num_classes": tf.constant(num_classes, tf.int32)}

    return [
        (
            SERVING_SIGNATURE,
            serve,
            [
                tf.TensorSpec([None, latent_dim], tf.float32, name="latent"),
                tf.TensorSpec([None], tf.int32, name="labels"),
            ],
        ),
        (CLASSES_SIGNATURE, classes, []),
        (
            SAMPLE_SIGNATURE,
            sample,
            [tf.TensorSpec([None], tf.int32, name="labels"), tf.TensorSpec([], tf.int64, name="seed")],
        ),
    ]


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
