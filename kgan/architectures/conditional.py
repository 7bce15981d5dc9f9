"""Class-conditional DCGAN networks: a generator taking `[latent, labels]` and discriminators that
use the label by concatenation, projection or an auxiliary classifier head.

* Concatenation (Mirza & Osindero, "Conditional Generative Adversarial Nets", 2014): the
  generator's input is `[z, one_hot(y)]`; the discriminator sees the image with `one_hot(y)`
  broadcast to extra channels. One-hot codes give the label a signal as strong as the pixels';
  a small learned embedding (values ~0.05) was ignored: after 2 epochs on MNIST a CNN
  recognised the requested digit in 15% of samples, against 36% with one-hot codes (83% after
  5 epochs; docs/conditional.md).
* Projection (Miyato & Koyama, "cGANs with Projection Discriminator", ICLR 2018): the logit is
  `psi(phi(x)) + <embed(y), phi(x)>`; its generator uses class-conditional batch normalization
  (the SNGAN-projection and BigGAN design).
* Auxiliary classifier (Odena et al., "Conditional Image Synthesis with Auxiliary Classifier
  GANs", ICML 2017): the discriminator sees only the image and outputs `[logit, class_logits]`.
"""

from __future__ import annotations

import keras
from keras import layers

from kgan.architectures import dcgan
from kgan.layers import ConditionalBatchNormalization, batch_normalization
from kgan.seeding import sub_seed

GENERATOR_CONDITIONING = ("concat", "batch_norm")
DISCRIMINATOR_CONDITIONING = ("concat", "projection", "auxiliary")


def _check_choice(value, choices, what):
    if value not in choices:
        raise ValueError(f"{what} must be one of {list(choices)}, got {value!r}.")


def build_generator(
    image_shape=(28, 28, 1),
    latent_dim=100,
    num_classes=10,
    width=64,
    kernel_size=5,
    conditioning="concat",
    seed=None,
    name="generator",
):
    """The DCGAN generator conditioned on a class: `[latent (latent_dim,), labels ()]` -> image.

    Args:
        image_shape, latent_dim, width, kernel_size, seed, name: as for `dcgan.build_generator`.
        num_classes: the number of classes.
        conditioning: "concat" (one-hot label concatenated to z) or "batch_norm" (every batch
            normalization is a `kgan.layers.ConditionalBatchNormalization`).
    """
    _check_choice(conditioning, GENERATOR_CONDITIONING, "Generator conditioning")
    dcgan.check_sizes(latent_dim=latent_dim, num_classes=num_classes, width=width, kernel_size=kernel_size)
    z = keras.Input((latent_dim,), name="latent")
    labels = keras.Input((), dtype="int32", name="labels")
    if conditioning == "concat":
        x = layers.Concatenate()([z, _one_hot(labels, num_classes)])

        def normalize(x):
            return batch_normalization()(x)

    else:
        x = z

        def normalize(x):
            return ConditionalBatchNormalization(num_classes)([x, labels])

    images = dcgan.generator_body(x, image_shape, width, kernel_size, sub_seed(seed, name), normalize)
    return keras.Model([z, labels], images, name=name)


def build_discriminator(
    image_shape=(28, 28, 1),
    num_classes=10,
    width=64,
    kernel_size=5,
    dropout=0.3,
    conditioning="concat",
    spectral_norm=False,
    seed=None,
    name="discriminator",
):
    """The DCGAN discriminator conditioned on a class.

    "concat" and "projection" take `[images, labels]` and output one logit per image;
    "auxiliary" takes images only and outputs `[logits (1,), class_logits (num_classes,)]`.

    Args:
        image_shape, width, kernel_size, dropout, spectral_norm, seed, name: as for
            `dcgan.build_discriminator`.
        num_classes: the number of classes.
        conditioning: "concat", "projection" or "auxiliary".
    """
    _check_choice(conditioning, DISCRIMINATOR_CONDITIONING, "Discriminator conditioning")
    images = keras.Input(image_shape, name="images")
    labels = keras.Input((), dtype="int32", name="labels")
    height, width_px, _ = image_shape
    x = images
    if conditioning == "concat":
        label_maps = layers.RepeatVector(height * width_px)(_one_hot(labels, num_classes))
        x = layers.Concatenate()([images, layers.Reshape((height, width_px, num_classes))(label_maps)])
    seed = sub_seed(seed, name)
    features = dcgan.discriminator_body(x, image_shape, width, kernel_size, dropout, spectral_norm, seed)
    if conditioning == "auxiliary":
        logits = dcgan.dense_output(features, 1, spectral_norm, seed, name="logits")
        class_logits = dcgan.dense_output(features, num_classes, spectral_norm, seed, "class_logits", 98)
        return keras.Model(images, [logits, class_logits], name=name)
    logits = dcgan.dense_output(features, 1, spectral_norm, seed, name="unconditional_logits")
    if conditioning == "projection":
        embedded = layers.Embedding(num_classes, features.shape[-1], name="class_embedding")(labels)
        projection = layers.Dot(axes=1)([features, embedded])
        logits = layers.Add(dtype="float32")([logits, projection])
    return keras.Model([images, labels], logits, name=name)


def _one_hot(labels, num_classes):
    return layers.CategoryEncoding(num_classes, output_mode="one_hot", name="one_hot_labels")(labels)
