"""Seeds: the one place where kgan turns a seed into latent vectors or into the seeds of its parts.

* `latent_vectors(count, latent_dim, seed)`: latent vectors from N(0, I), the same for the same
  seed in `GAN.generate(seed=)`, the image grids, `kgan.evaluate` and an exported SavedModel's
  `sample(count, seed)` (it runs inside the SavedModel too).
* `sub_seed(seed, *names)`: a seed for one named part of what `seed` seeds (a network, a layer,
  an evaluation batch, a data domain), so that no two parts share random numbers by accident.
* `pass_seed(seed, number)`: the seed of pass `number` (a tensor) over a seeded data pipeline.
"""

from __future__ import annotations

import hashlib

import tensorflow as tf

#: Derived seeds lie in [0, 2**31): the same numbers whether a backend takes int32 or int64 seeds.
SEED_LIMIT = 2**31


def sub_seed(seed, *names):
    """A seed in [0, 2**31) for the part of `seed`'s work named by `names`; None for None.

    `sub_seed(0, "generator", 3)` and `sub_seed(0, "discriminator", 3)` differ, as do
    `sub_seed(0, "batch", 1)` and `sub_seed(1, "batch", 0)`: unlike `seed + offset`, nearby seeds
    never share derived seeds.
    """
    if seed is None:
        return None
    key = "/".join(str(part) for part in (int(seed), *names))
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") % SEED_LIMIT


def latent_vectors(count, latent_dim, seed):
    """`count` latent vectors of size `latent_dim` from N(0, I), the same for the same `seed`.

    `count` and `seed` may be Python ints or integer tensors (inside a SavedModel's signature).
    """
    seed = tf.cast(seed, tf.int64)
    shape = tf.stack([tf.cast(count, tf.int32), latent_dim])
    return tf.random.stateless_normal(shape, seed=tf.stack([seed, tf.zeros_like(seed)]))


def pass_seed(seed, number):
    """An int64 seed in [0, 2**31) for pass `number` (an int tensor) over data ordered by `seed`."""
    pair = tf.stack([tf.constant(seed, tf.int64), tf.cast(number, tf.int64)])
    return tf.random.stateless_uniform([], seed=pair, minval=0, maxval=SEED_LIMIT, dtype=tf.int64)


def replica_share(draw, num):
    """`draw(num)`, or under a multi-replica strategy this replica's `num` rows of `draw(num * replicas)`.

    Every replica holds the same seed-generator state, so a plain per-sample draw (latent vectors,
    holes, augmentations) would give every replica the same rows (duplicates across the global
    batch). Drawing the global batch and slicing it gives each replica its own rows, the very rows
    one device would draw for those samples.
    """
    context = tf.distribute.get_replica_context()
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    if context is None or replicas == 1:
        return draw(num)
    start = context.replica_id_in_sync_group * num
    return draw(num * replicas)[start : start + num]
