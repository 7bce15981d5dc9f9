"""FID, KID, IS, precision/recall and density/coverage: numerics against independent
implementations on the same features, and the behaviour that makes them trustworthy."""
import keras
import numpy as np
import pytest
import scipy.linalg
import tensorflow as tf

import kgan
from kgan.metrics import (
    DensityCoverage,
    FrechetInceptionDistance,
    InceptionScore,
    KernelInceptionDistance,
    PrecisionRecall,
)


def linear_extractor(dim=6, classes=4, seed=0):
    """A fixed random projection: features = W x, logits = V x; any math bug shows against numpy."""
    images = keras.Input((4, 4, 1))
    flat = keras.layers.Flatten()(images)
    init = keras.initializers.RandomNormal(seed=seed)
    features = keras.layers.Dense(dim, kernel_initializer=init, use_bias=False)(flat)
    logits = keras.layers.Dense(classes, kernel_initializer=keras.initializers.RandomNormal(seed=seed + 1))(flat)
    return keras.Model(images, [features, logits], name="linear")


def features_of(extractor, images):
    features, logits = extractor(images)
    return np.asarray(features, np.float64), np.asarray(logits, np.float64)


@pytest.fixture(scope="module")
def sets():
    rng = np.random.default_rng(0)
    return rng.normal(size=(300, 4, 4, 1)).astype(np.float32), (rng.normal(size=(260, 4, 4, 1)) * 1.3 + 0.2).astype(np.float32)


def feed(metric, fake, real, batch=64):
    for i in range(0, max(len(fake), len(real)), batch):
        f, r = fake[i : i + batch], real[i : i + batch]
        if len(f):
            metric.update_fake(tf.constant(f))
        if len(r):
            metric.update_real(tf.constant(r))
    return metric.result()


def test_fid_matches_scipy_sqrtm(sets):
    fake, real = sets
    extractor = linear_extractor()
    x, _ = features_of(extractor, fake)
    y, _ = features_of(extractor, real)
    mu1, mu2, s1, s2 = x.mean(0), y.mean(0), np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    expected = np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * scipy.linalg.sqrtm(s1 @ s2).real)
    got = float(feed(FrechetInceptionDistance(extractor), fake, real))
    assert got == pytest.approx(expected, rel=1e-6)


def test_kid_matches_a_direct_unbiased_mmd(sets):
    fake, real = sets
    extractor = linear_extractor()
    x, _ = features_of(extractor, fake[:200])
    y, _ = features_of(extractor, real[:200])
    k = lambda a, b: (a @ b.T / a.shape[1] + 1) ** 3  # noqa: E731
    m = 200
    expected = ((k(x, x).sum() - np.trace(k(x, x))) + (k(y, y).sum() - np.trace(k(y, y)))) / (m * (m - 1)) - 2 * k(x, y).mean()
    # One subset of all samples: the subset is then a permutation, which does not change the MMD.
    kid = KernelInceptionDistance(extractor, num_samples=200, num_subsets=1, subset_size=200)
    assert float(feed(kid, fake[:200], real[:200])["kid"]) == pytest.approx(expected, rel=1e-6)


def test_precision_recall_and_density_coverage_match_brute_force(sets):
    fake, real = sets
    extractor = linear_extractor()
    x, _ = features_of(extractor, fake)
    y, _ = features_of(extractor, real)
    d = lambda a, b: ((a[:, None] - b[None]) ** 2).sum(-1)  # noqa: E731
    radius = lambda a, k: np.sort(d(a, a), axis=1)[:, k]  # noqa: E731
    precision = np.mean([(d(x[i : i + 1], y)[0] <= radius(y, 3)).any() for i in range(len(x))])
    recall = np.mean([(d(y[j : j + 1], x)[0] <= radius(x, 3)).any() for j in range(len(y))])
    got = feed(PrecisionRecall(extractor, num_samples=400), fake, real)
    assert float(got["precision"]) == pytest.approx(precision) and float(got["recall"]) == pytest.approx(recall)
    inside = d(x, y) <= radius(y, 5)[None]
    got = feed(DensityCoverage(extractor, num_samples=400), fake, real)
    assert float(got["density"]) == pytest.approx(inside.sum() / (5 * len(x)))
    assert float(got["coverage"]) == pytest.approx(inside.any(axis=0).mean())


def test_inception_score_matches_the_definition(sets):
    fake, _ = sets
    extractor = linear_extractor()
    _, logits = features_of(extractor, fake)
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    splits = [p[i::3] for i in range(3)]  # samples are dealt to splits in turn
    scores = [np.exp(np.mean(np.sum(s * (np.log(s) - np.log(s.mean(0))), axis=1))) for s in splits]
    got = feed(InceptionScore(extractor, splits=3), fake, fake[:0])
    assert float(got["is"]) == pytest.approx(np.mean(scores), rel=1e-6)
    assert float(got["is_std"]) == pytest.approx(np.std(scores), rel=1e-5)


def test_stored_features_keep_the_first_num_samples(sets):
    fake, real = sets
    extractor = linear_extractor()
    small = PrecisionRecall(extractor, num_samples=50)
    feed(small, fake, real)
    assert int(small.fake_count.numpy()) == 50 and int(small.real_count.numpy()) == 50
    np.testing.assert_allclose(small.fake_features.numpy(), features_of(extractor, fake[:50])[0], rtol=1e-5)


def test_reference_statistics_are_cached_and_checked(sets, tmp_path):
    fake, real = sets
    extractor = linear_extractor()
    path = str(tmp_path / "ref.npz")
    stats = kgan.metrics.reference_statistics(extractor, real, cache_path=path)
    assert stats["count"] == len(real)
    with_reference = FrechetInceptionDistance(extractor, reference=path)
    with_reference.update_state(tf.constant(fake), tf.constant(fake))  # real batches are ignored
    assert float(with_reference.result()) == pytest.approx(float(feed(FrechetInceptionDistance(extractor), fake, real)), rel=1e-6)
    with pytest.raises(ValueError, match="computed with another extractor"):
        FrechetInceptionDistance(linear_extractor(dim=5), reference=path)


def test_metrics_reject_images_the_extractor_cannot_take():
    metric = FrechetInceptionDistance(linear_extractor())
    with pytest.raises(ValueError, match=r"Images of shape \(8, 8, 1\) do not fit the extractor 'linear'"):
        metric.update_state(tf.zeros((2, 8, 8, 1)))
    with pytest.raises(ValueError, match="needs an extractor"):
        FrechetInceptionDistance("inception")


def test_inception_v3_needs_a_weights_file(tmp_path):
    with pytest.raises(ValueError, match="kgan does not download weights"):
        kgan.metrics.inception_v3()
    with pytest.raises(FileNotFoundError, match="No InceptionV3 weights file"):
        kgan.metrics.inception_v3(str(tmp_path / "missing.h5"))
