"""TimeLimit ends a real fit at its deadline, and EpochProgress counts against it."""

import io

import pytest

import kgan
from tests.conftest import tiny_dcgan


def test_time_limit_stops_fit_after_the_step_that_reaches_the_deadline(digits_dataset):
    gan = tiny_dcgan()
    gan.compile()
    limit = kgan.callbacks.TimeLimit(minutes=1e-9)  # already over when the first step ends
    lines = io.StringIO()
    progress = kgan.callbacks.EpochProgress(images_per_step=32, stream=lines, time_limit=limit)
    history = gan.fit(digits_dataset, epochs=50, verbose=0, callbacks=[progress, limit])
    assert limit.reached and int(gan.g_optimizer.iterations) == 1 and len(history.history["d_loss"]) == 1
    (line,) = lines.getvalue().splitlines()
    assert line.startswith("epoch 1  1 steps") and "ETA" not in line  # no total, nothing left

    roomy = kgan.callbacks.TimeLimit(minutes=10)
    gan.fit(digits_dataset, epochs=2, verbose=0, callbacks=[roomy])  # the epochs end first
    assert not roomy.reached and int(gan.g_optimizer.iterations) == 1 + 2 * 8
    assert 0 < roomy.seconds_left() < 600


@pytest.mark.parametrize("minutes", [0, -1, float("inf"), True, "5"])
def test_time_limit_refuses_a_budget_that_is_not_a_positive_number(minutes):
    with pytest.raises(ValueError, match="minutes must be a positive number"):
        kgan.callbacks.TimeLimit(minutes)
