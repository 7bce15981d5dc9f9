"""The generator as a SavedModel that plain TensorFlow loads, with serving signatures."""
from __future__ import annotations

import keras
import tensorflow as tf

SERVING_SIGNATURE = "serving_default"
SAMPLE_SIGNATURE = "sample"


def export_generator(gan, path, generator=None):
    """Exports a GAN's generator as a SavedModel that needs no kgan to load.

    Two signatures (see docs/export.md):

    * `serving_default(latent: float32 [n, latent_dim]) -> {"images": float32 [n, ...] in [-1, 1]}`
    * `sample(count: int32 [], seed: int64 []) -> {"images": uint8 [count, ...]}`: draws `count`
      latent vectors from N(0, I) with a stateless generator (the same seed gives the same
      images) and returns pixels ready to encode as PNG.

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
    network = generator if generator is not None else gan.inference_generator
    latent_shape = tuple(network.inputs[0].shape)
    if len(latent_shape) != 2 or latent_shape[-1] is None:
        raise ValueError(
            f"The generator must take latent vectors (batch, latent_dim); its input is {latent_shape}."
        )
    latent_dim = latent_shape[-1]

    def images(latent):
        return tf.cast(network(latent, training=False), tf.float32)

    def serve(latent):
        return {"images": images(latent)}

    def sample(count, seed):
        latent = tf.random.stateless_normal(
            tf.stack([count, latent_dim]), seed=tf.stack([seed, tf.constant(0, tf.int64)])
        )
        pixels = tf.round((images(latent) + 1.0) * 127.5)
        return {"images": tf.cast(tf.clip_by_value(pixels, 0.0, 255.0), tf.uint8)}

    archive = keras.export.ExportArchive()
    archive.track(network)
    archive.add_endpoint(
        SERVING_SIGNATURE, serve, [tf.TensorSpec([None, latent_dim], tf.float32, name="latent")]
    )
    archive.add_endpoint(
        SAMPLE_SIGNATURE,
        sample,
        [tf.TensorSpec([], tf.int32, name="count"), tf.TensorSpec([], tf.int64, name="seed")],
    )
    archive.write_out(path, verbose=False)
    return path
