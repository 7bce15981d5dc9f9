"""A real run's logs in a real TensorBoard, opened in a real browser (headless Chromium).

Needs Debian's `chromium` and Playwright (`.ci/run` installs both); skipped without them unless
$KGAN_REQUIRE_BROWSER=1 (CI), which turns the skip into a failure. Screenshots go to
$KGAN_SCREENSHOTS, else to the test's temporary folder.
"""

import importlib.util
import os
import re
import signal
import subprocess
import sys

import pytest

from tests.browser import Dashboard, chromium_path
from tests.test_cli import run_kgan
from tests.test_examples import run_example

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser_available():
    missing = [
        what
        for what, found in (
            ("Debian's chromium (apt-get install chromium)", chromium_path() is not None),
            ("Playwright (pip install playwright)", importlib.util.find_spec("playwright") is not None),
        )
        if not found
    ]
    if missing:
        reason = "needs " + " and ".join(missing)
        if os.environ.get("KGAN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"KGAN_REQUIRE_BROWSER=1 and this test {reason}.")
        pytest.skip(reason)


def test_a_run_and_the_toy_demo_in_tensorboard_in_a_browser(browser_available, tmp_path):
    runs = tmp_path / "runs"
    # 12 epochs of 4 steps: more grids than the 10 per tag TensorBoard keeps unless told otherwise.
    trained = run_kgan(
        "train",
        *("--dataset", "digits", "--limit", "256", "--batch-size", "64", "--width", "8", "--latent-dim", "8"),
        *("--epochs", "12", "--no-export", "--run-dir", str(runs / "digits")),
    )
    assert trained.returncode == 0, trained.stderr
    run_example(
        "gaussian_1d.py", "--epochs", "3", "--log-dir", str(runs / "gaussian_1d"), "--out", "plot.png", cwd=tmp_path
    )
    shots = os.environ.get("KGAN_SCREENSHOTS") or str(tmp_path / "screenshots")

    board = subprocess.Popen(
        [sys.executable, "-m", "kgan_cli", "board", str(runs)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = re.search(r"http://\S+/", board.stdout.readline()).group(0)
        with Dashboard(url) as browser:
            browser.open("images", "tf-image-loader img")
            cards = browser.image_cards()
            grid = cards["samples/grid"]
            # Every epoch's grid on the slider (12), the last shown first, at the global step.
            assert (grid["steps"], grid["step"], grid["size"]) == (12, 48, (73, 73))  # 8x8 grid of 8x8 digits
            assert cards["samples/real_vs_generated"]["size"] == (73 + 4 + 73, 73)
            assert cards["samples/latent_walk"]["steps"] == 12
            browser.screenshot(os.path.join(shots, "images.png"))
            assert browser.show_first_step(grid["card"]) == 4
            browser.screenshot(os.path.join(shots, "images_first_epoch.png"))
            # The toy demo: its picture before training and after each of 3 epochs.
            assert cards["distribution/target_vs_generated"]["steps"] == 4

            browser.open("custom_scalars", "tf-custom-scalar-multi-line-chart-card path.line")
            charts = browser.custom_scalar_charts()
            assert charts["D and G losses"] == 2 * 2  # both curves (raw and smoothed)
            assert charts["D's verdicts on real and fake (0.5 at equilibrium)"] == 3 * 2  # and the 0.5 line
            assert charts["gradient norms"] == 2 * 2
            browser.screenshot(os.path.join(shots, "custom_scalars.png"))

            browser.open("histograms", "body")
            for tag in ("distribution/generated", "balance/d_output_fake"):
                browser.wait_for_text(tag)
            browser.screenshot(os.path.join(shots, "histograms.png"))

            browser.open("text", "body")
            browser.wait_for_text(re.compile("No problems seen at step 48"))
            browser.screenshot(os.path.join(shots, "text.png"))

            browser.open("projector", "body")
            # 256 real digits (the --limit) and as many generated ones, each a point; the last
            # epoch's snapshot first.
            browser.wait_for_text("Points: 512")
            # It opens on the last epoch's snapshot.
            panel = browser.element("vz-projector-data-panel")
            assert panel.evaluate("e => e.selectedTensor") == "Newest: epoch 12 (step 48)"
            browser.page.wait_for_timeout(3000)
            browser.screenshot(os.path.join(shots, "projector.png"))
    finally:
        board.send_signal(signal.SIGINT)  # Ctrl-C
        board.wait(timeout=30)
    assert board.returncode == 0, board.stderr.read()
    assert sorted(os.listdir(shots)) == [
        "custom_scalars.png",
        "histograms.png",
        "images.png",
        "images_first_epoch.png",
        "projector.png",
        "text.png",
    ]
