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
    return rng.normal(size=(300, 4, 4, 1)).astype(np.float32), (rng.normal(size=(260, 4, 4, 1)) * 1.3 + 0.2).astype(
        np.float32
    )


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
    expected = ((k(x, x).sum() - np.trace(k(x, x))) + (k(y, y).sum() - np.trace(k(y, y)))) / (m * (m - 1)) - 2 * k(
        x, y
    ).mean()
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
    assert float(with_reference.result()) == pytest.approx(
        float(feed(FrechetInceptionDistance(extractor), fake, real)), rel=1e-6
    )
    with pytest.raises(ValueError, match="computed with another extractor"):
        FrechetInceptionDistance(linear_extractor(dim=5), reference=path)


def test_fid_of_nan_images_is_nan_not_an_eigensolver_error(sets):
    fake, real = sets
    fake = fake.copy()
    fake[5] = np.nan
    assert np.isnan(float(feed(FrechetInceptionDistance(linear_extractor()), fake, real)))


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


def scores(fake, real):
    """FID, KID, precision/recall and density/coverage with the MNIST extractor, 2,000 samples."""
    extractor = kgan.metrics.domain_extractor("mnist")
    metrics = [
        FrechetInceptionDistance(extractor),
        KernelInceptionDistance(extractor, num_samples=2000, num_subsets=20),
        PrecisionRecall(extractor, num_samples=2000),
        DensityCoverage(extractor, num_samples=2000),
    ]
    return kgan.evaluate(fake, real, metrics, num_samples=len(fake))


def test_uint8_pixels_score_as_their_scaled_floats_and_unscaled_floats_are_refused(mnist_dir, tmp_path):
    pixels, _ = kgan.data.load_arrays("mnist", mnist_dir, "test")  # uint8, as load_arrays gives them
    scaled = pixels.astype(np.float32) / 127.5 - 1.0
    extractor = kgan.metrics.domain_extractor("mnist")
    fake = scaled[5000:5500]
    fid = lambda real: kgan.evaluate(fake, real, [FrechetInceptionDistance(extractor)], num_samples=500)["fid"]  # noqa: E731
    assert fid(pixels[:500]) == pytest.approx(fid(scaled[:500]), rel=1e-6) and fid(scaled[:500]) < 50
    from_dataset = tf.data.Dataset.from_tensor_slices(pixels[:500]).batch(100)
    assert fid(from_dataset) == pytest.approx(fid(scaled[:500]), rel=1e-6)
    reference = kgan.metrics.reference_statistics(extractor, pixels[:500])
    np.testing.assert_allclose(
        reference["mu"], kgan.metrics.reference_statistics(extractor, scaled[:500])["mu"], rtol=1e-5
    )
    callback = kgan.callbacks.SampleMetrics(
        [FrechetInceptionDistance(extractor)], num_samples=300, real_data=pixels[:300]
    )
    gan = kgan.DCGAN((28, 28, 1), latent_dim=8, width=8, seed=0)
    callback.set_model(gan)
    logs = {}
    callback.on_epoch_end(0, logs)
    assert 0 < logs["fid"] < 10_000  # an untrained generator, but no longer millions
    with pytest.raises(ValueError, match=r"must be in \[-1, 1\].*like unscaled pixels.*x / 127.5 - 1"):
        fid(pixels[:500].astype(np.float32))


@pytest.mark.slow
def test_metrics_behave_as_trustworthy_metrics_on_mnist(mnist_test):
    images, labels = mnist_test
    first, second = images[:2000], images[5000:7000]
    itself, halves = scores(first, first), scores(first, second)
    assert itself["fid"] < 1e-6 and itself["precision"] == itself["recall"] == 1.0
    assert halves["fid"] < 5.0 and halves["real_samples"] == 2000
    rng = np.random.default_rng(0)
    noisy = [
        scores(np.clip(first + s * rng.standard_normal(first.shape).astype(np.float32), -1, 1), second)
        for s in (0.1, 0.2, 0.4, 0.8)
    ]
    blurred = [scores(tf.nn.avg_pool2d(first, k, 1, "SAME").numpy(), second) for k in (3, 5, 7)]
    for series in ([halves] + noisy, [halves] + blurred):
        fids, kids = [s["fid"] for s in series], [s["kid"] for s in series]
        assert fids == sorted(fids) and len(set(fids)) == len(fids), fids  # strictly rising
        assert np.argsort(kids).tolist() == np.argsort(fids).tolist(), (fids, kids)  # same ranking
    assert noisy[-1]["precision"] < 0.5 * halves["precision"]  # off-manifold samples
    dropped = scores(np.resize(first[labels[:2000] < 5], first.shape), second)  # digits 0-4 only
    collapsed = scores(np.resize(first[:10], first.shape), second)  # ten images, repeated
    assert dropped["recall"] < 0.6 * halves["recall"] and dropped["coverage"] < 0.6 * halves["coverage"]
    assert collapsed["recall"] < 0.05 and collapsed["coverage"] < 0.05
    assert dropped["precision"] > 0.8 * halves["precision"] and collapsed["precision"] > 0.8 * halves["precision"]


def test_fid_every_epoch_into_logs_tensorboard_and_the_best_checkpoint(mnist_dir, mnist_test, tmp_path):
    from tests.conftest import summaries

    images, _ = mnist_test
    extractor = kgan.metrics.domain_extractor("mnist")
    gan = kgan.DCGAN(image_shape=(28, 28, 1), latent_dim=8, width=8, seed=0)
    gan.compile()
    data = kgan.data.load("mnist", data_dir=mnist_dir, batch_size=64, limit=512, seed=0)
    callbacks = [
        kgan.callbacks.SampleMetrics([FrechetInceptionDistance(extractor)], num_samples=256, real_data=images[:256]),
        keras.callbacks.ModelCheckpoint(str(tmp_path / "best.keras"), monitor="fid", mode="min", save_best_only=True),
        kgan.callbacks.TensorBoard(str(tmp_path / "logs")),
    ]
    history = gan.fit(data, epochs=3, verbose=0, callbacks=callbacks).history
    fids = history["fid"]
    assert len(fids) == 3 and all(f > 0 for f in fids)
    best = keras.models.load_model(str(tmp_path / "best.keras"))
    again = kgan.evaluate(
        best,
        images[:256],
        [FrechetInceptionDistance(extractor)],
        num_samples=256,
        seed=kgan.seeding.sub_seed(0, "epoch", int(np.argmin(fids))),
    )
    assert again["fid"] == pytest.approx(min(fids), rel=1e-4)  # the checkpoint is the best epoch's model
    logged = [value for tag, _, _, value in summaries(tmp_path / "logs") if tag == "metrics/fid"]
    assert logged == pytest.approx(fids, rel=1e-5)


def test_domain_extractors_classify_their_test_sets(mnist_test):
    images, labels = mnist_test
    _, logits = kgan.metrics.domain_extractor("mnist").predict(images[:2000], verbose=0)
    accuracy = float(np.mean(np.argmax(logits, axis=1) == labels[:2000]))
    assert accuracy > 0.97
    recorded = kgan.metrics.domain_accuracies()
    assert recorded["mnist"]["test_accuracy"] > 0.98
    for name, shape in kgan.metrics.extractors.TRAINED.items():  # every shipped extractor loads
        features, logits = kgan.metrics.domain_extractor(name)(np.zeros((2, *shape), np.float32))
        assert features.shape == (2, 128) and logits.shape == (2, 10) and name in recorded
    features, logits = kgan.metrics.domain_extractor("stacked_mnist")(np.zeros((2, 28, 28, 3), np.float32))
    assert features.shape == (2, 3 * 128) and logits.shape == (2, 1000)  # MNIST's, on each channel
    with pytest.raises(ValueError, match="No domain extractor for 'svhn'"):
        kgan.metrics.domain_extractor("svhn")
    # For images of other sizes (MNIST resized to 32x32 for StyleGAN2): resized to 28x28 first,
    # and 28x28 images unchanged.
    resizing = kgan.metrics.domain_extractor("mnist", resize=True)
    enlarged = tf.image.resize(images[:2000], (32, 32)).numpy()
    _, logits = resizing.predict(enlarged, verbose=0)
    assert np.mean(np.argmax(logits, axis=1) == labels[:2000]) > 0.97
    original = kgan.metrics.domain_extractor("mnist")(images[:8])[0]
    np.testing.assert_allclose(resizing(images[:8])[0], original, rtol=1e-5, atol=1e-5)
    rebuilt = kgan.metrics.extractors.from_source(kgan.metrics.extractors.source_of(resizing))
    np.testing.assert_allclose(rebuilt(enlarged[:8])[0], resizing(enlarged[:8])[0], rtol=1e-5, atol=1e-5)


def test_metrics_sharing_an_extractor_extract_each_batch_once(sets):
    """Within kgan.evaluate, FID, KID and precision/recall run the extractor once per batch."""
    fake, real = sets[0][:240], sets[1][:240]
    extractor = linear_extractor()

    def metrics():
        return [
            FrechetInceptionDistance(extractor),
            KernelInceptionDistance(extractor, num_samples=240, num_subsets=5, subset_size=100),
            PrecisionRecall(extractor, num_samples=240),
        ]

    alone = [kgan.evaluate(fake, real, [metric], num_samples=240) for metric in metrics()]
    calls = []
    original_call = extractor.call

    def counting_call(*args, **kwargs):
        calls.append(1)
        return original_call(*args, **kwargs)

    extractor.call = counting_call
    together = kgan.evaluate(fake, real, metrics(), num_samples=240, batch_size=80)
    # Once per batch, not once per metric: three fake batches of 80, and the real array in one
    # batch (evaluate reads arrays 250 images at a time).
    assert len(calls) == 3 + 1
    for single in alone:
        for key, value in single.items():
            assert together[key] == pytest.approx(value, rel=1e-6), key


def test_fid_infinity_removes_the_bias_of_few_samples():
    """Samples and real images from one distribution: the true FID is 0, FID of 400 samples lies
    above it by its bias, and the line through FID against 1/N meets 1/N = 0 much nearer to 0."""
    extractor = linear_extractor(dim=16)
    rng = np.random.default_rng(0)
    fake = rng.normal(size=(400, 4, 4, 1)).astype(np.float32)
    real = rng.normal(size=(20000, 4, 4, 1)).astype(np.float32)
    metric = kgan.metrics.FIDInfinity(extractor, num_samples=20000)
    got = {name: float(value) for name, value in feed(metric, fake, real, batch=400).items()}
    assert got["fid_at_n"] > 0.004  # 0.0069 seen: the bias of 400 samples
    assert abs(got["fid_infinity"]) < 0.5 * got["fid_at_n"]  # 0.0022 seen
    assert got["fid_at_n"] == pytest.approx(float(feed(FrechetInceptionDistance(extractor), fake, real)), rel=1e-6)
    with pytest.raises(ValueError, match="points must be >= 2"):
        kgan.metrics.FIDInfinity(extractor, points=1)
