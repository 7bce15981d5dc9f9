"""What conditions BigGAN's generator: a shared class embedding and a latent vector split into chunks."""

from __future__ import annotations

import keras
from keras import layers, ops

from kgan.seeding import sub_seed


@keras.saving.register_keras_serializable(package="kgan")
class ClassEmbedding(layers.Layer):
    """A learned vector per class: labels `(batch,)` -> `(batch, output_dim)`.

    Like `keras.layers.Embedding`, but it also takes float class weights `(batch, num_classes)`
    and returns the weighted mix of the classes' vectors, which is what `kgan.latent.class_walk`
    passes to move a generator from one class to another. BigGAN's generator shares one such
    embedding between all its conditional batch normalizations (Brock et al., 2019).

    Args:
        num_classes: the number of classes.
        output_dim: the size of each class's vector.
        seed: seeds the initial vectors (N(0, 1), as PyTorch's and BigGAN's embeddings start).
    """

    #: `kgan.latent.class_walk` may call it on class weights instead of labels.
    takes_class_weights = True

    def __init__(self, num_classes, output_dim, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = int(num_classes)
        self.output_dim = int(output_dim)
        self.seed = seed

    def build(self, input_shape):
        self.embeddings = self.add_weight(
            shape=(self.num_classes, self.output_dim),
            initializer=keras.initializers.RandomNormal(stddev=1.0, seed=sub_seed(self.seed, "embeddings")),
            name="embeddings",
        )

    def call(self, labels):
        if "float" in str(labels.dtype):  # class weights: a mix of the classes' vectors
            return ops.matmul(ops.cast(labels, self.compute_dtype), ops.cast(self.embeddings, self.compute_dtype))
        labels = ops.reshape(ops.cast(labels, "int32"), (-1,))
        return ops.cast(ops.take(self.embeddings, labels, axis=0), self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.output_dim)

    def get_config(self):
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "output_dim": self.output_dim,
            "seed": self.seed,
        }


@keras.saving.register_keras_serializable(package="kgan")
class SplitLatent(layers.Layer):
    """Splits latent vectors `(batch, latent_dim)` into `chunks` consecutive parts along the last axis.

    BigGAN's "hierarchical latent" (Brock et al., 2019): the first part feeds the generator's
    first layer and each later one a block's conditional batch norms, so noise reaches every
    resolution. The first part takes the remainder when `latent_dim` does not divide evenly.

    Args:
        chunks: how many parts, >= 1.
    """

    def __init__(self, chunks, **kwargs):
        super().__init__(**kwargs)
        self.chunks = int(chunks)

    def sizes(self, latent_dim):
        """The parts' sizes for `latent_dim`, or a ValueError when it is smaller than `chunks`."""
        if latent_dim < self.chunks:
            raise ValueError(
                f"latent_dim must be at least {self.chunks} to give each of the generator's {self.chunks} "
                f"inputs (its first layer and each block) a part of it, got {latent_dim}."
            )
        size = latent_dim // self.chunks
        return [latent_dim - size * (self.chunks - 1)] + [size] * (self.chunks - 1)

    def build(self, input_shape):
        self.sizes(input_shape[-1])

    def call(self, latent):
        sizes = self.sizes(latent.shape[-1])
        starts = [sum(sizes[:i]) for i in range(len(sizes))]
        return [latent[:, start : start + size] for start, size in zip(starts, sizes)]

    def compute_output_shape(self, input_shape):
        return [(input_shape[0], size) for size in self.sizes(input_shape[-1])]

    def get_config(self):
        return {**super().get_config(), "chunks": self.chunks}
