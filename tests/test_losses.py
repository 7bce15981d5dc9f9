"""Golden values for every loss, computed by hand from the formulas in the papers."""

import math

import numpy as np
import pytest

from kgan import losses

REAL = np.array([[2.0], [-1.0]], dtype=np.float32)
FAKE = np.array([[0.5], [-3.0]], dtype=np.float32)


def softplus(x):
    return math.log1p(math.exp(x))


def bce(label, logit):
    # -[y log s(x) + (1-y) log(1-s(x))] with log s(x) = -softplus(-x), log(1-s(x)) = -softplus(x)
    return label * softplus(-logit) + (1 - label) * softplus(logit)


def mean(values):
    return sum(values) / len(values)


def value(x):
    return float(np.asarray(x))


@pytest.mark.parametrize("real_label", [1.0, 0.9])
def test_cross_entropy_discriminator(real_label):
    expected = mean([bce(real_label, 2.0), bce(real_label, -1.0)]) + mean([bce(0, 0.5), bce(0, -3.0)])
    got = losses.cross_entropy_discriminator_loss(REAL, FAKE, real_label)
    assert value(got) == pytest.approx(expected, rel=1e-6)


def test_non_saturating_generator():
    expected = mean([softplus(-0.5), softplus(3.0)])  # -log sigmoid(x)
    assert value(losses.non_saturating_generator_loss(FAKE)) == pytest.approx(expected, rel=1e-6)


def test_minimax_generator():
    expected = mean([-softplus(0.5), -softplus(-3.0)])  # log(1 - sigmoid(x))
    assert value(losses.minimax_generator_loss(FAKE)) == pytest.approx(expected, rel=1e-6)


def test_least_squares():
    d = 0.5 * mean([(2 - 1) ** 2, (-1 - 1) ** 2]) + 0.5 * mean([0.5**2, 3.0**2])
    g = 0.5 * mean([(0.5 - 1) ** 2, (-3 - 1) ** 2])
    assert value(losses.least_squares_discriminator_loss(REAL, FAKE)) == pytest.approx(d)
    assert value(losses.least_squares_generator_loss(FAKE)) == pytest.approx(g)
    smoothed = 0.5 * mean([(2 - 0.9) ** 2, (-1 - 0.9) ** 2]) + 0.5 * mean([0.5**2, 3.0**2])
    assert value(losses.least_squares_discriminator_loss(REAL, FAKE, 0.9)) == pytest.approx(smoothed)


def test_hinge():
    d = mean([max(0, 1 - 2), max(0, 1 + 1)]) + mean([max(0, 1 + 0.5), max(0, 1 - 3)])
    assert value(losses.hinge_discriminator_loss(REAL, FAKE)) == pytest.approx(d)
    assert value(losses.score_generator_loss(FAKE)) == pytest.approx(-mean([0.5, -3.0]))


def test_wasserstein():
    d = mean([0.5, -3.0]) - mean([2.0, -1.0])
    assert value(losses.wasserstein_discriminator_loss(REAL, FAKE)) == pytest.approx(d)


def test_cross_entropy_is_stable_for_huge_logits():
    huge = np.array([[1e4], [-1e4]], dtype=np.float32)
    assert np.isfinite(value(losses.cross_entropy_discriminator_loss(huge, huge)))
    assert value(losses.non_saturating_generator_loss(np.array([[-1e4]], np.float32))) == pytest.approx(1e4)


def test_get_resolves_names_pairs_and_rejects_nonsense():
    assert losses.get("hinge").name == "hinge"
    pair = losses.get((losses.hinge_discriminator_loss, losses.score_generator_loss))
    assert pair.name == "custom" and pair.generator is losses.score_generator_loss
    with pytest.raises(ValueError, match="Unknown loss 'hinj'"):
        losses.get("hinj")
    with pytest.raises(ValueError, match="Could not interpret loss"):
        losses.get(3)


def test_serialize_round_trip():
    for name in losses.LOSSES:
        assert losses.deserialize(losses.serialize(losses.get(name))) == losses.LOSSES[name]
    custom = losses.get((losses.hinge_discriminator_loss, losses.least_squares_generator_loss))
    back = losses.deserialize(losses.serialize(custom))
    assert back.discriminator is losses.hinge_discriminator_loss
    assert back.generator is losses.least_squares_generator_loss
    relativistic = losses.AdversarialLoss(
        "my_relativistic",
        losses.relativistic_average_discriminator_loss,
        losses.relativistic_average_generator_loss,
        supports_label_smoothing=True,
        relativistic=True,
    )
    assert losses.deserialize(losses.serialize(relativistic)) == relativistic


def test_relativistic_average():
    real_mean, fake_mean = mean([2.0, -1.0]), mean([0.5, -3.0])
    d = mean([bce(1, 2.0 - fake_mean), bce(1, -1.0 - fake_mean)]) + mean(
        [bce(0, 0.5 - real_mean), bce(0, -3.0 - real_mean)]
    )
    g = mean([bce(1, 0.5 - real_mean), bce(1, -3.0 - real_mean)]) + mean(
        [bce(0, 2.0 - fake_mean), bce(0, -1.0 - fake_mean)]
    )
    assert value(losses.relativistic_average_discriminator_loss(REAL, FAKE)) == pytest.approx(d, rel=1e-6)
    assert value(losses.relativistic_average_generator_loss(FAKE, REAL)) == pytest.approx(g, rel=1e-6)
    assert losses.get("relativistic_average").relativistic


def test_relativistic_pairing():
    # Each real logit is paired with the fake one at its place: (2, 0.5) and (-1, -3).
    d = mean([softplus(0.5 - 2.0), softplus(-3.0 - -1.0)])
    g = mean([softplus(2.0 - 0.5), softplus(-1.0 - -3.0)])
    assert value(losses.relativistic_pairing_discriminator_loss(REAL, FAKE)) == pytest.approx(d, rel=1e-6)
    assert value(losses.relativistic_pairing_generator_loss(FAKE, REAL)) == pytest.approx(g, rel=1e-6)
    assert losses.get("relativistic_pairing").relativistic
