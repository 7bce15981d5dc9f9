"""FID, KID, Inception Score, improved precision/recall and density/coverage as streaming
`keras.metrics.Metric` objects on the features of a pluggable extractor.

Every metric here takes an `extractor`: a `keras.Model` mapping images in [-1, 1] to
`[features, logits]` (`kgan.metrics.domain_extractor("mnist")`, `kgan.metrics.inception_v3(path)`,
or your own). `update_state(generated, real=None)` adds a batch of generated images and,
optionally, a batch of real ones; `result()` computes the number from everything seen.
Statistics are accumulated in float64.

Reference (real) statistics can be computed once and cached to a file with
`reference_statistics(...)`; a metric given `reference=` ignores the real batches.
"""

from __future__ import annotations

import contextlib
import contextvars
import os

import keras
import numpy as np
import tensorflow as tf

from kgan.data.pipeline import scale_images
from kgan.metrics import extractors


def as_model_range(images):
    """Images for an extractor, which takes floats in [-1, 1]: uint8 pixels are scaled.

    Float images that look like unscaled pixels (nothing negative, values above 1.5) are refused:
    they would give FIDs in the millions without a word.
    """
    if images.dtype == tf.uint8 or images.dtype == np.uint8:
        return scale_images(images)
    images = tf.cast(images, tf.float32)
    if tf.executing_eagerly() and tf.size(images) > 0:
        low, high = float(tf.reduce_min(images)), float(tf.reduce_max(images))
        if low >= 0.0 and high > 1.5:
            raise ValueError(
                f"Float images must be in [-1, 1] (a tanh generator's range); these range over "
                f"[{low:.3g}, {high:.3g}], like unscaled pixels. Pass uint8 pixels as they are (they are "
                "scaled), or scale floats in [0, 255] with x / 127.5 - 1."
            )
    return images


def check_fits(extractor, image_shape):
    """A ValueError when `extractor` does not take images of `image_shape`, naming what does."""
    if not extractors.takes(extractor, image_shape):
        raise ValueError(
            f"Images of shape {image_shape} do not fit the extractor {extractor.name!r}, which takes "
            f"{tuple(extractor.inputs[0].shape[1:])}. Use the extractor of your data's domain (e.g. "
            "domain_extractor('cifar10') for 32x32x3) or kgan.metrics.fid_inception(path, channels=...), "
            "which takes any size."
        )


_shared_features = contextvars.ContextVar("kgan_shared_features", default=None)


@contextlib.contextmanager
def shared_extraction():
    """Within, metrics that share an extractor extract the features of one batch (the same tensor
    object) once: `kgan.evaluate` scores each batch with FID, KID and precision/recall on one pass
    of the extractor instead of one pass per metric."""
    token = _shared_features.set({})
    try:
        yield
    finally:
        _shared_features.reset(token)


class _FeatureMetric(keras.metrics.Metric):
    """Base: runs the extractor and checks the images fit it."""

    def __init__(self, extractor, name, **kwargs):
        super().__init__(name=name, **kwargs)
        if not (isinstance(extractor, keras.Model) and len(extractor.outputs) == 2):
            raise ValueError(
                f"{type(self).__name__} needs an extractor: a keras.Model from images to [features, "
                "logits], e.g. kgan.metrics.domain_extractor('mnist'); got "
                f"{type(extractor).__name__}."
            )
        self.extractor = extractor
        self.feature_dim = int(extractor.outputs[0].shape[-1])

    def update_state(self, generated, real=None, sample_weight=None):
        self.update_fake(generated)
        if real is not None:
            self.update_real(real)

    def update_fake(self, generated):
        raise NotImplementedError

    def update_real(self, real):
        """Adds real images (ignored by metrics that need none)."""

    def extract(self, images):
        """`(features, logits)` of a batch, after checking its shape against the extractor (once per
        batch and extractor within `shared_extraction`)."""
        shared = _shared_features.get()
        key = (id(self.extractor), id(images))
        if shared is not None and key in shared:
            return shared[key][1]
        check_fits(self.extractor, tuple(images.shape[1:]))
        features, logits = self.extractor(as_model_range(images), training=False)
        result = tf.cast(features, tf.float64), tf.cast(logits, tf.float64)
        if shared is not None:
            shared[key] = (images, result)  # holding the batch keeps its id from being reused
        return result

    def get_config(self):
        return {"name": self.name, "extractor": extractors.source_of(self.extractor)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["extractor"] = extractors.from_source(config["extractor"])
        return cls(**config)


# --- Fréchet distance -----------------------------------------------------------------------------


def frechet_distance(mu1, sigma1, mu2, sigma2):
    """`||mu1 - mu2||^2 + tr(S1 + S2 - 2 (S1 S2)^(1/2))` in float64 (Heusel et al., 2017).

    `tr((S1 S2)^(1/2))` is computed as the sum of the square roots of the eigenvalues of the
    symmetric `S1^(1/2) S2 S1^(1/2)`, which has the same eigenvalues as `S1 S2`; small negative
    eigenvalues from round-off are clipped to 0. No complex parts to discard, unlike `sqrtm`.
    NaN when a statistic is not finite (e.g. a diverged generator drew NaN images), where the
    eigen-solver would fail.
    """
    statistics = [tf.cast(x, tf.float64) for x in (mu1, sigma1, mu2, sigma2)]
    finite = tf.reduce_all([tf.reduce_all(tf.math.is_finite(x)) for x in statistics])
    return tf.cond(finite, lambda: _finite_frechet_distance(*statistics), lambda: tf.constant(float("nan"), tf.float64))


def _finite_frechet_distance(mu1, sigma1, mu2, sigma2):
    values, vectors = tf.linalg.eigh(sigma1)
    root1 = (vectors * tf.sqrt(tf.maximum(values, 0.0))) @ tf.transpose(vectors)
    product = root1 @ sigma2 @ root1
    covariance_term = tf.reduce_sum(tf.sqrt(tf.maximum(tf.linalg.eigvalsh((product + tf.transpose(product)) / 2), 0.0)))
    distance = (
        tf.reduce_sum(tf.square(mu1 - mu2)) + tf.linalg.trace(sigma1) + tf.linalg.trace(sigma2) - 2.0 * covariance_term
    )
    return tf.maximum(distance, 0.0)  # round-off can take identical statistics a hair below 0


class _Moments:
    """Running sum and sum of outer products of features, in float64 metric variables."""

    def __init__(self, metric, dim, prefix):
        self.total = metric.add_variable(shape=(dim,), initializer="zeros", dtype="float64", name=f"{prefix}_sum")
        self.outer = metric.add_variable(shape=(dim, dim), initializer="zeros", dtype="float64", name=f"{prefix}_outer")
        self.count = metric.add_variable(shape=(), initializer="zeros", dtype="float64", name=f"{prefix}_count")

    def add(self, features):
        self.total.assign_add(tf.reduce_sum(features, axis=0))
        self.outer.assign_add(tf.transpose(features) @ features)
        self.count.assign_add(tf.cast(tf.shape(features)[0], tf.float64))

    def mean_and_covariance(self):
        n = tf.maximum(self.count, 2.0)
        mu = self.total / n
        sigma = (self.outer - n * mu[:, None] * mu[None, :]) / (n - 1.0)
        return mu, sigma


@keras.saving.register_keras_serializable(package="kgan")
class FrechetInceptionDistance(_FeatureMetric):
    """FID: the Fréchet distance between Gaussians fitted to real and generated features.

    Lower is better; 0 for identical statistics. Streams: only sums are kept, so any number of
    samples fits in memory. FID is biased by the sample count: compare FIDs over the same
    number of samples (the convention is 50,000; 10,000 with the domain extractors).

    Args:
        extractor: a `keras.Model` from images to `[features, logits]`.
        reference: real statistics `{"mu": ..., "sigma": ...}` or a `.npz` path written by
            `reference_statistics`, or published ones (TTUR's `fid_stats_*.npz`, clean-fid's
            `*_clean_*.npz` / `*_legacy_tensorflow_*.npz`: computed with the FID Inception, so
            for `kgan.metrics.fid_inception` with the same resize); then real batches are ignored.
        name: the metric's name (log key).
    """

    def __init__(self, extractor, reference=None, name="fid", **kwargs):
        super().__init__(extractor, name, **kwargs)
        self.fake = _Moments(self, self.feature_dim, "fake")
        self.real = _Moments(self, self.feature_dim, "real")
        self.reference, self._reference_source = _reference_and_source(reference, self.feature_dim, extractor)

    def get_config(self):
        return {**super().get_config(), "reference": self._reference_source}

    def update_fake(self, generated):
        self.fake.add(self.extract(generated)[0])

    def update_real(self, real):
        if self.reference is None:
            self.real.add(self.extract(real)[0])

    def result(self):
        mu1, sigma1 = self.fake.mean_and_covariance()
        if self.reference is not None:
            mu2, sigma2 = self.reference["mu"], self.reference["sigma"]
        else:
            mu2, sigma2 = self.real.mean_and_covariance()
        return frechet_distance(mu1, sigma1, mu2, sigma2)


# --- metrics on stored features -------------------------------------------------------------------


class _StoredFeatures(_FeatureMetric):
    """Keeps up to `num_samples` feature vectors of each side in fixed-size variables."""

    def __init__(self, extractor, num_samples, name, **kwargs):
        super().__init__(extractor, name, **kwargs)
        if num_samples < 2:
            raise ValueError(f"num_samples must be >= 2, got {num_samples}.")
        self.num_samples = int(num_samples)
        shape = (self.num_samples, self.feature_dim)
        self.fake_features = self.add_variable(shape=shape, initializer="zeros", dtype="float32", name="fake_features")
        self.real_features = self.add_variable(shape=shape, initializer="zeros", dtype="float32", name="real_features")
        self.fake_count = self.add_variable(shape=(), initializer="zeros", dtype="int32", name="fake_count")
        self.real_count = self.add_variable(shape=(), initializer="zeros", dtype="int32", name="real_count")

    def update_fake(self, generated):
        self._store(self.fake_features, self.fake_count, self.extract(generated)[0])

    def update_real(self, real):
        self._store(self.real_features, self.real_count, self.extract(real)[0])

    def _store(self, buffer, count, features):
        # Beyond num_samples, further samples are ignored (the first num_samples are kept).
        room = tf.maximum(self.num_samples - count, 0)
        features = tf.cast(features[:room], tf.float32)
        n = tf.shape(features)[0]
        buffer.assign(tf.tensor_scatter_nd_update(buffer.value, tf.range(count, count + n)[:, None], features))
        count.assign_add(n)

    def get_config(self):
        return {**super().get_config(), "num_samples": self.num_samples}

    def stored(self):
        fake = tf.cast(self.fake_features[: tf.minimum(self.fake_count, self.num_samples)], tf.float64)
        real = tf.cast(self.real_features[: tf.minimum(self.real_count, self.num_samples)], tf.float64)
        return fake, real


def _squared_distances(a, b):
    return tf.maximum(
        tf.reduce_sum(a * a, 1)[:, None] + tf.reduce_sum(b * b, 1)[None, :] - 2.0 * a @ tf.transpose(b), 0.0
    )


def _kth_neighbour_radius(features, k):
    """Squared distance from each row to its k-th nearest other row."""
    distances = _squared_distances(features, features)
    return tf.sort(distances, axis=1)[:, k]  # column 0 is the row itself


@keras.saving.register_keras_serializable(package="kgan")
class KernelInceptionDistance(_StoredFeatures):
    """KID: the unbiased squared MMD with the kernel `(x.y / d + 1)^3` (Bińkowski et al., 2018).

    Averaged over `num_subsets` random subsets of `subset_size` samples from each side (100
    subsets of 1,000 is the convention); unbiased, so it can be slightly negative when the two
    sets are alike. The result is a dict: `kid` (mean) and `kid_std` (over the subsets).

    Args:
        extractor: a `keras.Model` from images to `[features, logits]`.
        num_samples: most samples kept per side.
        num_subsets: subsets averaged over.
        subset_size: samples per subset (capped at the samples seen).
        seed: seeds the choice of subsets.
    """

    def __init__(self, extractor, num_samples=10000, num_subsets=100, subset_size=1000, seed=0, name="kid", **kwargs):
        super().__init__(extractor, num_samples, name, **kwargs)
        self.num_subsets = int(num_subsets)
        self.subset_size = int(subset_size)
        self.seed = int(seed)

    def get_config(self):
        return {
            **super().get_config(),
            "num_subsets": self.num_subsets,
            "subset_size": self.subset_size,
            "seed": self.seed,
        }

    def result(self):
        fake, real = self.stored()
        m = tf.minimum(tf.minimum(tf.shape(fake)[0], tf.shape(real)[0]), self.subset_size)
        dim = tf.cast(tf.shape(fake)[1], tf.float64)

        def kernel(a, b):
            return (a @ tf.transpose(b) / dim + 1.0) ** 3

        def subset_mmd(i):
            seeds = tf.stack([self.seed, i])
            x = tf.gather(fake, tf.random.experimental.stateless_shuffle(tf.range(tf.shape(fake)[0]), seeds)[:m])
            y = tf.gather(real, tf.random.experimental.stateless_shuffle(tf.range(tf.shape(real)[0]), seeds + 1)[:m])
            mf = tf.cast(m, tf.float64)
            kxx, kyy, kxy = kernel(x, x), kernel(y, y), kernel(x, y)
            off_diagonal = lambda k: (tf.reduce_sum(k) - tf.linalg.trace(k)) / (mf * (mf - 1.0))  # noqa: E731
            return off_diagonal(kxx) + off_diagonal(kyy) - 2.0 * tf.reduce_mean(kxy)

        values = tf.map_fn(subset_mmd, tf.range(self.num_subsets), fn_output_signature=tf.float64)
        return {"kid": tf.reduce_mean(values), "kid_std": tf.math.reduce_std(values)}


@keras.saving.register_keras_serializable(package="kgan")
class FIDInfinity(_StoredFeatures):
    """FID extrapolated to infinitely many samples (Chong & Forsyth, 2020), for comparing runs
    scored with different sample counts.

    FID's bias falls as 1/N: FID is computed for `points` sample counts from a tenth of the
    generated features up to all of them (random subsets, the real statistics from every real
    feature kept or from `reference`), a line is fitted to FID against 1/N, and its value at
    1/N = 0 is the result, `fid_infinity`; `fid_at_n` is the FID of all N samples beside it.

    Args:
        extractor: a `keras.Model` from images to `[features, logits]`.
        num_samples: most samples kept per side (the N of `fid_at_n`).
        points: sample counts the line is fitted through.
        seed: seeds the random subsets.
        reference: real statistics, as `FrechetInceptionDistance` takes them; then real batches
            are ignored.
    """

    def __init__(self, extractor, num_samples=10000, points=15, seed=0, reference=None, name="fid_infinity", **kwargs):
        super().__init__(extractor, num_samples, name, **kwargs)
        if points < 2:
            raise ValueError(f"points must be >= 2 (a line needs two), got {points}.")
        self.points, self.seed = int(points), int(seed)
        self.reference, self._reference_source = _reference_and_source(reference, self.feature_dim, extractor)

    def get_config(self):
        return {**super().get_config(), "points": self.points, "seed": self.seed, "reference": self._reference_source}

    def update_real(self, real):
        if self.reference is None:
            super().update_real(real)

    def result(self):
        fake, real = self.stored()
        count = int(tf.shape(fake)[0])
        if self.reference is not None:
            mu2, sigma2 = self.reference["mu"], self.reference["sigma"]
        elif int(tf.shape(real)[0]) < 2:
            raise ValueError("FIDInfinity needs 2 or more real images, or reference statistics.")
        else:
            mu2, sigma2 = _mean_and_covariance(real)
        if count < 20:
            raise ValueError(f"FIDInfinity needs 20 or more generated images to fit its line; it has {count}.")
        order = tf.random.experimental.stateless_shuffle(tf.range(count), tf.constant([self.seed, 0]))
        sizes = np.unique(np.linspace(count // 10, count, self.points).astype(int))
        distances = []
        for size in sizes:
            mu1, sigma1 = _mean_and_covariance(tf.gather(fake, order[:size]))
            distances.append(float(frechet_distance(mu1, sigma1, mu2, sigma2)))
        _, intercept = np.polyfit(1.0 / sizes, distances, 1)
        return {"fid_infinity": tf.constant(intercept, tf.float64), "fid_at_n": tf.constant(distances[-1], tf.float64)}


def _mean_and_covariance(features):
    mean = tf.reduce_mean(features, axis=0)
    centred = features - mean
    return mean, tf.transpose(centred) @ centred / tf.cast(tf.shape(features)[0] - 1, features.dtype)


class _NeighbourMetric(_StoredFeatures):
    """Stored features compared through k-nearest-neighbour balls."""

    def __init__(self, extractor, num_samples, k, name, **kwargs):
        super().__init__(extractor, num_samples, name, **kwargs)
        self.k = int(k)

    def get_config(self):
        return {**super().get_config(), "k": self.k}


@keras.saving.register_keras_serializable(package="kgan")
class PrecisionRecall(_NeighbourMetric):
    """Improved precision and recall (Kynkäänniemi et al., 2019).

    Each sample's neighbourhood is the ball reaching its k-th nearest neighbour within its own
    set. Precision: the fraction of generated samples inside some real sample's ball (how many
    fakes look real). Recall: the fraction of real samples inside some generated sample's ball
    (how much of the data the generator covers). Result: dict `precision`, `recall`.

    Args:
        extractor: a `keras.Model` from images to `[features, logits]`.
        num_samples: most samples kept per side (the pairwise distances take num_samples^2 memory).
        k: the neighbour defining the balls (3 in the paper).
    """

    def __init__(self, extractor, num_samples=5000, k=3, name="precision_recall", **kwargs):
        super().__init__(extractor, num_samples, k, name, **kwargs)

    def result(self):
        fake, real = self.stored()
        distances = _squared_distances(fake, real)  # (fake, real)
        real_radii, fake_radii = _kth_neighbour_radius(real, self.k), _kth_neighbour_radius(fake, self.k)
        precision = tf.reduce_mean(tf.cast(tf.reduce_any(distances <= real_radii[None, :], axis=1), tf.float64))
        recall = tf.reduce_mean(tf.cast(tf.reduce_any(distances <= fake_radii[:, None], axis=0), tf.float64))
        return {"precision": precision, "recall": recall}


@keras.saving.register_keras_serializable(package="kgan")
class DensityCoverage(_NeighbourMetric):
    """Density and coverage (Naeem et al., 2020), robust versions of precision and recall.

    Density: how many real samples' k-NN balls contain each generated sample, divided by k
    (about 1 when fakes are distributed like reals; above 1 when they crowd dense regions).
    Coverage: the fraction of real samples whose ball contains at least one generated sample.
    Result: dict `density`, `coverage`.

    Args:
        extractor: a `keras.Model` from images to `[features, logits]`.
        num_samples: most samples kept per side.
        k: the neighbour defining the real balls (5 in the paper).
    """

    def __init__(self, extractor, num_samples=5000, k=5, name="density_coverage", **kwargs):
        super().__init__(extractor, num_samples, k, name, **kwargs)

    def result(self):
        fake, real = self.stored()
        inside = tf.cast(_squared_distances(fake, real) <= _kth_neighbour_radius(real, self.k)[None, :], tf.float64)
        density = tf.reduce_sum(inside) / (self.k * tf.cast(tf.shape(fake)[0], tf.float64))
        coverage = tf.reduce_mean(tf.cast(tf.reduce_any(inside > 0, axis=0), tf.float64))
        return {"density": density, "coverage": coverage}


# --- Inception Score ------------------------------------------------------------------------------


@keras.saving.register_keras_serializable(package="kgan")
class InceptionScore(_FeatureMetric):
    """IS: `exp(E_x KL(p(y|x) || p(y)))` from the extractor's class logits (Salimans et al., 2016).

    Higher is better, at most the number of classes. Streams with `splits` accumulators (samples
    are dealt to them in turn) of `sum p(y|x)` and `sum p log p`, since
    `E KL = E[sum p log p] - sum p(y) log p(y)`. Result: dict `is` (mean over splits) and `is_std`.

    Args:
        extractor: a `keras.Model` from images to `[features, logits]`.
        splits: the number of splits (10 by convention).
    """

    def __init__(self, extractor, splits=10, name="inception_score", **kwargs):
        super().__init__(extractor, name, **kwargs)
        classes = int(extractor.outputs[1].shape[-1])
        self.splits = int(splits)
        self.probability_sums = self.add_variable(
            shape=(self.splits, classes), initializer="zeros", dtype="float64", name="p_sums"
        )
        self.negative_entropy_sums = self.add_variable(
            shape=(self.splits,), initializer="zeros", dtype="float64", name="neg_entropy"
        )
        self.counts = self.add_variable(shape=(self.splits,), initializer="zeros", dtype="float64", name="counts")
        self.seen = self.add_variable(shape=(), initializer="zeros", dtype="int64", name="seen")

    def get_config(self):
        return {**super().get_config(), "splits": self.splits}

    def update_fake(self, generated):
        logits = self.extract(generated)[1]
        probabilities = tf.nn.softmax(logits)
        negative_entropy = tf.reduce_sum(probabilities * tf.nn.log_softmax(logits), axis=1)
        n = tf.shape(logits)[0]
        split = tf.cast((self.seen + tf.range(tf.cast(n, tf.int64))) % self.splits, tf.int32)
        self.probability_sums.assign_add(tf.math.unsorted_segment_sum(probabilities, split, self.splits))
        self.negative_entropy_sums.assign_add(tf.math.unsorted_segment_sum(negative_entropy, split, self.splits))
        self.counts.assign_add(tf.math.unsorted_segment_sum(tf.ones([n], tf.float64), split, self.splits))
        self.seen.assign_add(tf.cast(n, tf.int64))

    def result(self):
        counts = tf.maximum(self.counts, 1.0)
        marginal = self.probability_sums / counts[:, None]
        marginal_entropy = -tf.reduce_sum(marginal * tf.math.log(tf.maximum(marginal, 1e-30)), axis=1)
        scores = tf.exp(self.negative_entropy_sums / counts + marginal_entropy)
        return {"is": tf.reduce_mean(scores), "is_std": tf.math.reduce_std(scores)}


# --- cached reference statistics ------------------------------------------------------------------


def reference_statistics(extractor, images, cache_path=None, batch_size=256):
    """Mean and covariance of real images' features, computed once and cached to a `.npz` file.

    Args:
        extractor: the extractor the metric will use.
        images: a `tf.data.Dataset` of image batches (or `(images, labels)`), or an array: uint8
            pixels or floats in [-1, 1].
        cache_path: when given and the file exists (for the same extractor), it is read instead;
            otherwise the statistics are written there.
        batch_size: batch size for arrays.

    Returns:
        `{"mu", "sigma", "count", "extractor"}`, to pass as `FrechetInceptionDistance(reference=...)`.
    """
    if cache_path and os.path.isfile(cache_path):
        cached = load_reference(cache_path, int(extractor.outputs[0].shape[-1]))
        if cached["extractor"] == described(extractor):
            return cached
    moments = FrechetInceptionDistance(extractor)
    if isinstance(images, tf.data.Dataset):
        batches = (b[0] if isinstance(b, (tuple, list)) else b for b in images)
    else:
        images = np.asarray(images)
        batches = (images[i : i + batch_size] for i in range(0, len(images), batch_size))
    for batch in batches:
        moments.fake.add(moments.extract(batch)[0])
    if moments.fake.count.numpy() < 2:
        raise ValueError("reference_statistics needs at least 2 real images; the data was empty.")
    mu, sigma = moments.fake.mean_and_covariance()
    stats = {
        "mu": mu.numpy(),
        "sigma": sigma.numpy(),
        "count": int(moments.fake.count.numpy()),
        "extractor": described(extractor),
    }
    if cache_path:
        os.makedirs(os.path.dirname(os.path.abspath(cache_path)), exist_ok=True)
        np.savez(cache_path, **stats)
    return stats


def _reference_and_source(reference, feature_dim, extractor):
    """The checked statistics of `reference`, and what a metric's config saves of it: its path, or
    the statistics themselves as lists."""
    loaded = load_reference(reference, feature_dim, extractor)
    if reference is None or isinstance(reference, (str, os.PathLike)):
        return loaded, reference
    return loaded, {k: np.asarray(v).tolist() for k, v in loaded.items()}


def described(extractor):
    """The extractor's name as reference statistics record it: the FID Inception's with its resize,
    which moves FID as much as the network does."""
    source = getattr(extractor, "kgan_source", None) or {}
    return f"{extractor.name} ({source['resize']} resize)" if "fid_inception" in source else extractor.name


def load_reference(reference, feature_dim, extractor=None):
    """`reference` (None, a dict or a `.npz` path) as a dict of float64 arrays, checked against the
    features: their size, and the extractor that computed them (`extractor`'s, when given)."""
    if reference is None:
        return None
    if isinstance(reference, (str, os.PathLike)):
        if not os.path.isfile(reference):
            raise FileNotFoundError(
                f"No reference statistics at {reference!r}; compute them with reference_statistics()."
            )
        with np.load(reference, allow_pickle=False) as f:
            reference = {k: f[k] for k in f.files}
    if not {"mu", "sigma"} <= set(reference):
        raise ValueError(
            f"Reference statistics hold 'mu' and 'sigma' (as TTUR's, clean-fid's and kgan's .npz files do); "
            f"these hold {sorted(reference)}."
        )
    mu, sigma = np.asarray(reference["mu"], np.float64), np.asarray(reference["sigma"], np.float64)
    if mu.shape != (feature_dim,) or sigma.shape != (feature_dim, feature_dim):
        raise ValueError(
            f"Reference statistics have {mu.shape[0]} features but the extractor gives {feature_dim}: "
            "they were computed with another extractor"
            + (" (2048 are Inception's pool3: kgan.metrics.fid_inception's)" if mu.shape == (2048,) else "")
            + ". Recompute them with this extractor (reference_statistics), or use theirs."
        )
    recorded = str(reference.get("extractor", ""))
    if extractor is not None:
        _check_reference_extractor(recorded, extractor)
    return {**reference, "mu": mu, "sigma": sigma, "extractor": recorded}


def _check_reference_extractor(recorded, extractor):
    """kgan's statistics name their extractor, which must be this one; published ones name none
    and are the FID Inception's, which the Keras applications' InceptionV3 is not."""
    if recorded and recorded != described(extractor):
        raise ValueError(
            f"The reference statistics were computed with {recorded!r}; the metric's extractor is "
            f"{described(extractor)!r}, whose features differ. Recompute them with this extractor "
            "(reference_statistics), or use theirs."
        )
    if not recorded and "inception_v3" in (getattr(extractor, "kgan_source", None) or {}):
        raise ValueError(
            "These reference statistics name no extractor, as published ones (TTUR, clean-fid) do: those "
            "are the FID Inception's, not the Keras applications' InceptionV3, whose 2048 features are "
            "others. Use kgan.metrics.fid_inception(weights) with the resize the file was made with."
        )
