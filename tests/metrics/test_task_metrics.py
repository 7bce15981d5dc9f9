"""Class coverage, class accuracy, FID per class, PSNR and SSIM: against direct computations on
the same features and pixels, and refused where they do not apply; StackedMNIST's classifier on
real stacked digits."""

import numpy as np
import pytest
import scipy.linalg
import tensorflow as tf

import kgan
from kgan.metrics import (
    ClassAccuracy,
    ClassCoverage,
    FrechetInceptionDistance,
    IntraClassFID,
    PeakSignalToNoiseRatio,
    StructuralSimilarity,
)
from tests.metrics.test_feature_metrics import features_of, linear_extractor


def scipy_fid(x, y):
    mu1, mu2, s1, s2 = x.mean(0), y.mean(0), np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    return np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * scipy.linalg.sqrtm(s1 @ s2).real)


@pytest.fixture(scope="module")
def labelled():
    """Two labelled sets of 4x4 images whose classes differ in mean, for a 3-class extractor."""
    rng = np.random.default_rng(1)
    fake_labels, real_labels = rng.integers(0, 3, 330), rng.integers(0, 3, 300)
    fake = rng.normal(size=(330, 4, 4, 1)) + fake_labels[:, None, None, None] * 0.5
    real = rng.normal(size=(300, 4, 4, 1)) * 1.2 + real_labels[:, None, None, None] * 0.4
    return fake.astype(np.float32), fake_labels, real.astype(np.float32), real_labels


def test_class_coverage_counts_the_classes_drawn_and_their_distance_from_uniform(labelled):
    fake, _, _, _ = labelled
    extractor = linear_extractor(classes=3)
    _, logits = features_of(extractor, fake)
    probabilities = np.exp(logits - logits.max(1, keepdims=True))
    probabilities /= probabilities.sum(1, keepdims=True)
    shares = np.bincount(probabilities.argmax(1), minlength=3) / len(fake)
    metric = ClassCoverage(extractor)
    for start in range(0, len(fake), 100):
        metric.update_state(tf.constant(fake[start : start + 100]))
    result = {k: float(v) for k, v in metric.result().items()}
    assert result["classes_covered"] == np.sum(shares > 0)
    assert result["class_kl"] == pytest.approx(np.sum(shares[shares > 0] * np.log(shares[shares > 0] * 3)))
    assert result["smallest_share"] == pytest.approx(shares.min())
    assert result["confidence"] == pytest.approx(probabilities.max(1).mean())
    # A collapsed generator: one class only is KL log(3) from uniform, and covers one class.
    one_class = fake[probabilities.argmax(1) == probabilities.argmax(1)[0]]
    metric.reset_state()
    metric.update_state(tf.constant(one_class))
    result = metric.result()
    assert float(result["classes_covered"]) == 1.0 and float(result["class_kl"]) == pytest.approx(np.log(3))
    # min_count: a class needs that many samples to count.
    counts = np.bincount(probabilities.argmax(1), minlength=3)
    strict = ClassCoverage(extractor, min_count=int(counts.min()) + 1)
    strict.update_state(tf.constant(fake))
    assert float(strict.result()["classes_covered"]) == np.sum(counts > counts.min())
    with pytest.raises(ValueError, match="min_count must be >= 1"):
        ClassCoverage(extractor, min_count=0)


def test_stacked_mnist_classifier_reads_the_three_digits_of_real_stacked_images(mnist_dir):
    images, classes = kgan.data.load_arrays("stacked_mnist", mnist_dir, "test")
    extractor = kgan.metrics.domain_extractor("stacked_mnist")
    features, logits = extractor(kgan.images.from_uint8(images[:2000]))
    assert features.shape == (2000, 384) and logits.shape == (2000, 1000)
    # The MNIST classifier is right on ~99% of test digits, so on ~97% of their triples.
    assert np.mean(np.argmax(logits, axis=1) == classes[:2000]) > 0.93
    # Real StackedMNIST covers (nearly) all 1,000 modes evenly: 10,000 draws of 1,000 even classes
    # leave about 0.05 empty and a KL of about (1000 - 1) / (2 * 10000) = 0.05 from sampling alone.
    coverage = ClassCoverage(extractor)
    for start in range(0, len(images), 1000):
        coverage.update_state(kgan.images.from_uint8(images[start : start + 1000]))
    result = {k: float(v) for k, v in coverage.result().items()}
    assert result["classes_covered"] >= 995 and result["class_kl"] < 0.1 and result["confidence"] > 0.9


def test_class_accuracy_is_the_classifiers_agreement_with_the_requested_classes(labelled):
    fake, labels, _, _ = labelled
    extractor = linear_extractor(classes=3)
    _, logits = features_of(extractor, fake)
    predicted = logits.argmax(axis=1)
    metric = ClassAccuracy(extractor, class_names=["rose", "tulip", "daisy"])
    for start in range(0, len(fake), 100):
        metric.update_state(tf.constant(fake[start : start + 100]), labels=labels[start : start + 100])
    result = {k: float(v) for k, v in metric.result().items()}
    assert result["class_accuracy"] == pytest.approx(np.mean(predicted == labels))
    for c, name in enumerate(["rose", "tulip", "daisy"]):
        assert result[f"class_accuracy/{name}"] == pytest.approx(np.mean(predicted[labels == c] == c))
    metric.reset_state()
    metric.update_state(tf.constant(fake), labels=predicted)  # drawn for exactly what the classifier sees
    assert float(metric.result()["class_accuracy"]) == 1.0
    with pytest.raises(ValueError, match="needs the classes the images were drawn for"):
        metric.update_state(tf.constant(fake))
    with pytest.raises(ValueError, match="Got 330 images but 2 labels"):
        metric.update_state(tf.constant(fake), labels=[0, 1])


def test_intra_class_fid_is_the_fid_within_each_class_and_their_mean(labelled):
    fake, labels, real, real_labels = labelled
    extractor = linear_extractor(classes=3)
    x, _ = features_of(extractor, fake)
    y, _ = features_of(extractor, real)
    metric = IntraClassFID(extractor, num_classes=3)
    for start in range(0, len(fake), 64):  # real batches of another size and order than the fakes
        metric.update_state(tf.constant(fake[start : start + 64]), labels=labels[start : start + 64])
    for start in range(0, len(real), 50):
        metric.update_real(tf.constant(real[start : start + 50]), real_labels[start : start + 50])
    result = {k: float(v) for k, v in metric.result().items()}
    expected = [scipy_fid(x[labels == c], y[real_labels == c]) for c in range(3)]
    for c in range(3):
        assert result[f"fid/{c}"] == pytest.approx(expected[c], rel=1e-5)
    assert result["intra_fid"] == pytest.approx(np.mean(expected), rel=1e-5)
    overall = FrechetInceptionDistance(extractor)
    overall.update_state(tf.constant(fake), tf.constant(real))
    assert float(overall.result()) < result["intra_fid"]  # the classes' shifts hide in the overall statistics
    with pytest.raises(ValueError, match="need their labels"):
        metric.update_real(tf.constant(real))


def test_psnr_and_ssim_of_pairs_with_known_answers():
    rng = np.random.default_rng(0)
    targets = rng.integers(0, 200, (6, 16, 16, 3)).astype(np.uint8)
    brighter = targets + 51  # 0.2 of the range everywhere: MSE 0.04, PSNR 10 log10(1 / 0.04)
    psnr, ssim = PeakSignalToNoiseRatio(), StructuralSimilarity()
    psnr.update_state(brighter, targets)
    assert float(psnr.result()) == pytest.approx(10 * np.log10(1 / 0.04), abs=1e-3)
    psnr.reset_state()
    psnr.update_state(np.concatenate([brighter[:3], targets[3:]]), targets)  # three identical pairs
    assert float(psnr.result()) == pytest.approx((3 * 10 * np.log10(1 / 0.04) + 3 * 100.0) / 6, abs=1e-3)
    ssim.update_state(targets, targets)
    assert float(ssim.result()) == pytest.approx(1.0, abs=1e-6)
    ssim.reset_state()
    ssim.update_state(targets / 127.5 - 1.0, rng.integers(0, 200, targets.shape).astype(np.uint8))
    assert abs(float(ssim.result())) < 0.1  # unrelated noise; floats in [-1, 1] and pixels compare alike
    tiny = rng.integers(0, 255, (2, 8, 8, 1)).astype(np.uint8)
    ssim.reset_state()
    ssim.update_state(tiny, tiny)  # smaller than SSIM's 11-pixel window: a window of the image's size
    assert float(ssim.result()) == pytest.approx(1.0, abs=1e-6)
    with pytest.raises(ValueError, match="compares images pair by pair"):
        psnr.update_state(targets[:3], targets)
    with pytest.raises(ValueError, match="pass real targets"):
        psnr.update_state(targets)


def test_evaluate_refuses_metrics_that_do_not_fit_the_generator(tmp_path):
    extractor = linear_extractor(classes=3)
    unconditional = kgan.DCGAN((8, 8, 1), latent_dim=4, width=4, seed=0)
    with pytest.raises(ValueError, match="compares each translation with its target; this generator draws"):
        kgan.evaluate(unconditional, None, [PeakSignalToNoiseRatio()], num_samples=8)
    with pytest.raises(ValueError, match="scores the classes of a conditional generator; this one takes no labels"):
        kgan.evaluate(unconditional, None, [ClassAccuracy(extractor)], num_samples=8)
    conditional = kgan.CGAN((8, 8, 1), num_classes=10, latent_dim=4, width=4, seed=0)
    with pytest.raises(ValueError, match="is for 3 classes; the generator draws 10"):
        kgan.evaluate(conditional, None, [ClassAccuracy(extractor)], num_samples=8)
