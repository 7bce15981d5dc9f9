"""Metrics of what a family is for: the classes an unconditional generator draws (class coverage,
StackedMNIST's modes), a conditional generator's classes (class accuracy, FID per class) and an
image-to-image model's pairs (PSNR, SSIM against the targets).

`kgan.evaluate` feeds them like the other sample metrics, with two additions they declare:
a metric with `uses_labels` also gets `labels=` (the classes the generated images were drawn
for) and `real_labels=` (the classes of the real batch); a metric with `paired` compares each
generated image with the real image at the same position, so it scores translations only.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from kgan.metrics.feature_metrics import _FeatureMetric, _Moments, as_model_range, frechet_distance


def _class_keys(class_names, num_classes):
    """The result key of each class: its name, or its index when the classes are unnamed."""
    names = [str(c) for c in range(num_classes)] if class_names is None else [str(n) for n in class_names]
    if len(names) != num_classes:
        raise ValueError(f"class_names names {len(names)} classes, but there are {num_classes}.")
    return names


def _checked_labels(labels, count, what):
    if labels is None:
        raise ValueError(
            f"{what} scores a conditional generator: update_state(generated, real, labels=...) needs the "
            "classes the images were drawn for (kgan.evaluate passes them for conditional generators)."
        )
    labels = tf.reshape(tf.cast(labels, tf.int32), [-1])
    if labels.shape[0] != count:
        raise ValueError(f"Got {count} images but {labels.shape[0]} labels; give one class per image.")
    return labels


@keras.saving.register_keras_serializable(package="kgan")
class ClassCoverage(_FeatureMetric):
    """Which of a classifier's classes a generator draws, and how evenly: mode coverage.

    Each generated image counts for the class the classifier (an extractor's logits) finds most
    likely. A generator that drops classes, or draws some far more often than others, has
    collapsed modes, which FID alone can hide. With `kgan.metrics.domain_extractor("stacked_mnist")` this
    is StackedMNIST's benchmark (Metz et al., 2017; Lin et al., 2018): 1,000 modes, counted as
    covered with at least one of 26,000 samples, and the KL divergence to uniform. Results:

    * `classes_covered`: classes with at least `min_count` samples (higher is better);
    * `class_kl`: `KL(shares || uniform)` in nats, 0 for even shares (lower is better);
    * `smallest_share`: the rarest class's share of the samples (1/classes when even);
    * `confidence`: the classifier's mean probability of the class it picks (how recognisable
      the samples are: real test images score its accuracy's neighbourhood).

    Args:
        classifier: a `keras.Model` from images to `[features, logits]`, e.g.
            `kgan.metrics.domain_extractor("cifar10")`.
        min_count: samples a class needs to count as covered.
    """

    def __init__(self, classifier, min_count=1, name="class_coverage", **kwargs):
        super().__init__(classifier, name, **kwargs)
        if int(min_count) < 1:
            raise ValueError(f"min_count must be >= 1, got {min_count}.")
        self.min_count = int(min_count)
        self.num_classes = int(classifier.outputs[1].shape[-1])
        self.counts = self.add_variable(shape=(self.num_classes,), initializer="zeros", dtype="float64", name="counts")
        self.confidence_sum = self.add_variable(shape=(), initializer="zeros", dtype="float64", name="confidence")

    def update_fake(self, generated):
        probabilities = tf.nn.softmax(self.extract(generated)[1])
        chosen = tf.argmax(probabilities, axis=1, output_type=tf.int32)
        self.counts.assign_add(tf.math.bincount(chosen, minlength=self.num_classes, dtype=tf.float64))
        self.confidence_sum.assign_add(tf.reduce_sum(tf.reduce_max(probabilities, axis=1)))

    def result(self):
        total = tf.reduce_sum(self.counts)
        shares = self.counts / tf.maximum(total, 1.0)
        # KL(shares || uniform) = sum p log(p * classes), with 0 log 0 = 0.
        kl = tf.reduce_sum(tf.where(shares > 0, shares * tf.math.log(shares * self.num_classes), 0.0))
        return {
            "classes_covered": tf.reduce_sum(tf.cast(self.counts >= self.min_count, tf.float64)),
            "class_kl": kl,
            "smallest_share": tf.reduce_min(shares),
            "confidence": self.confidence_sum / tf.maximum(total, 1.0),
        }

    def get_config(self):
        return {**super().get_config(), "min_count": self.min_count}


@keras.saving.register_keras_serializable(package="kgan")
class ClassAccuracy(_FeatureMetric):
    """The share of generated images a classifier assigns to the class they were drawn for.

    The classifier is an extractor whose logits are over the generator's classes, in the same
    order: `kgan.metrics.domain_extractor("mnist")` for a generator trained on MNIST's labels
    (its test accuracy on real digits, `kgan.metrics.domain_accuracies()`, bounds what a perfect
    generator scores). Higher is better. Result: `class_accuracy` over all images and
    `class_accuracy/<class>` per class.

    Args:
        classifier: a `keras.Model` from images to `[features, logits]`.
        class_names: names of the classes for the result keys (default: their indices).
    """

    uses_labels = True

    def __init__(self, classifier, class_names=None, name="class_accuracy", **kwargs):
        super().__init__(classifier, name, **kwargs)
        self.num_classes = int(classifier.outputs[1].shape[-1])
        self.class_names = None if class_names is None else [str(n) for n in class_names]
        self.class_keys = _class_keys(self.class_names, self.num_classes)
        self.hits = self.add_variable(shape=(self.num_classes,), initializer="zeros", dtype="float64", name="hits")
        self.counts = self.add_variable(shape=(self.num_classes,), initializer="zeros", dtype="float64", name="counts")

    def update_state(self, generated, real=None, labels=None, real_labels=None, sample_weight=None):
        labels = _checked_labels(labels, generated.shape[0], "ClassAccuracy")
        predicted = tf.argmax(self.extract(generated)[1], axis=-1, output_type=tf.int32)
        hits = tf.cast(predicted == labels, tf.float64)
        self.hits.assign_add(tf.math.unsorted_segment_sum(hits, labels, self.num_classes))
        self.counts.assign_add(tf.math.unsorted_segment_sum(tf.ones_like(hits), labels, self.num_classes))

    def update_real(self, real, real_labels=None):
        """Real images are not needed: the classifier judges the generated ones alone."""

    def result(self):
        shares = self.hits / tf.maximum(self.counts, 1.0)
        results = {"class_accuracy": tf.reduce_sum(self.hits) / tf.maximum(tf.reduce_sum(self.counts), 1.0)}
        results.update({f"class_accuracy/{key}": shares[c] for c, key in enumerate(self.class_keys)})
        return results

    def get_config(self):
        return {**super().get_config(), "class_names": self.class_names}


@keras.saving.register_keras_serializable(package="kgan")
class IntraClassFID(_FeatureMetric):
    """FID within each class: a conditional generator's images of a class against the real
    images of that class (intra-FID, Miyato & Koyama, 2018), and their mean.

    Catches what an overall FID misses: a generator that draws good images of the wrong class,
    or one good class in place of another. Lower is better. Result: `intra_fid` (the mean over
    classes) and `fid/<class>` per class. Keeps running sums per class and side, so memory grows
    as `num_classes * feature_dim^2` (10 classes of the 128 domain features: 2.6 MB; of
    Inception's 2,048: 670 MB).

    Args:
        extractor: a `keras.Model` from images to `[features, logits]`.
        num_classes: how many classes the generator draws.
        class_names: names of the classes for the result keys (default: their indices).
    """

    uses_labels = True

    def __init__(self, extractor, num_classes, class_names=None, name="intra_fid", **kwargs):
        super().__init__(extractor, name, **kwargs)
        self.num_classes = int(num_classes)
        self.class_names = None if class_names is None else [str(n) for n in class_names]
        self.class_keys = _class_keys(self.class_names, self.num_classes)
        self.fake = [_Moments(self, self.feature_dim, f"fake_{c}") for c in range(self.num_classes)]
        self.real = [_Moments(self, self.feature_dim, f"real_{c}") for c in range(self.num_classes)]

    def update_state(self, generated, real=None, labels=None, real_labels=None, sample_weight=None):
        self._add(self.fake, self.extract(generated)[0], _checked_labels(labels, generated.shape[0], "IntraClassFID"))
        if real is not None:
            self.update_real(real, real_labels)

    def update_real(self, real, real_labels=None):
        if real_labels is None:
            raise ValueError(
                "IntraClassFID compares classes: the real images need their labels (real_labels=; "
                "kgan.evaluate takes them from real_data's (images, labels) batches)."
            )
        self._add(self.real, self.extract(real)[0], _checked_labels(real_labels, real.shape[0], "IntraClassFID"))

    def _add(self, moments, features, labels):
        for c, moment in enumerate(moments):
            chosen = tf.boolean_mask(features, labels == c)
            if chosen.shape[0]:
                moment.add(chosen)

    def result(self):
        distances = []
        for fake, real in zip(self.fake, self.real):
            distance = frechet_distance(*fake.mean_and_covariance(), *real.mean_and_covariance())
            distances.append(tf.where((fake.count < 2) | (real.count < 2), tf.constant(np.nan, tf.float64), distance))
        results = {"intra_fid": tf.reduce_mean(tf.stack(distances))}
        results.update({f"fid/{key}": d for key, d in zip(self.class_keys, distances)})
        return results

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes, "class_names": self.class_names}


class _PairedMetric(keras.metrics.Metric):
    """Base: the mean over image pairs of a score of each translation against its target."""

    paired = True

    def __init__(self, name, **kwargs):
        super().__init__(name=name, **kwargs)
        self.total = self.add_variable(shape=(), initializer="zeros", dtype="float64", name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", dtype="float64", name="count")

    def update_state(self, generated, real=None, sample_weight=None):
        if real is None:
            raise ValueError(f"{type(self).__name__} compares each translation with its target: pass real targets.")
        generated, real = as_model_range(tf.convert_to_tensor(generated)), as_model_range(tf.convert_to_tensor(real))
        if generated.shape[1:] != real.shape[1:] or generated.shape[0] != real.shape[0]:
            raise ValueError(
                f"{type(self).__name__} compares images pair by pair; got generated {tuple(generated.shape)} "
                f"and targets {tuple(real.shape)}."
            )
        scores = tf.cast(self.score((generated + 1.0) / 2.0, (real + 1.0) / 2.0), tf.float64)
        self.total.assign_add(tf.reduce_sum(scores))
        self.count.assign_add(tf.cast(tf.size(scores), tf.float64))

    def score(self, generated, real):
        raise NotImplementedError

    def result(self):
        return self.total / tf.maximum(self.count, 1.0)


@keras.saving.register_keras_serializable(package="kgan")
class PeakSignalToNoiseRatio(_PairedMetric):
    """PSNR in dB of each translation against its target (pixels in [0, 1]), averaged over
    pairs. Higher is better. A pair of identical images counts as `MAX_PSNR` (100 dB) rather
    than infinity, which would make the whole average infinite: the grey -> colour baseline of
    CIFAR-10 (the grey source itself) matches the few grey photos exactly. Two 8-bit images that
    differ by one level in one value stay below it up to 153,000 values (226x226x3). Result: `psnr`."""

    #: The PSNR of a pair of identical images.
    MAX_PSNR = 100.0

    def __init__(self, name="psnr", **kwargs):
        super().__init__(name, **kwargs)

    def score(self, generated, real):
        return tf.minimum(tf.image.psnr(generated, real, max_val=1.0), self.MAX_PSNR)


@keras.saving.register_keras_serializable(package="kgan")
class StructuralSimilarity(_PairedMetric):
    """SSIM of each translation against its target (Wang et al., 2004: an 11x11 Gaussian window
    of sigma 1.5 on pixels in [0, 1], the mean over colour channels), averaged over pairs. In
    [-1, 1], higher is better. Images smaller than 11 pixels use a window of their size.
    Result: `ssim`."""

    def __init__(self, name="ssim", **kwargs):
        super().__init__(name, **kwargs)

    def score(self, generated, real):
        window = min(11, int(generated.shape[1]), int(generated.shape[2]))
        return tf.image.ssim(generated, real, max_val=1.0, filter_size=window)
