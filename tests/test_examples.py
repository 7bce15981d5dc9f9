"""The examples run as documented (at small sizes) and produce what they promise."""

import os
import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"


def run_example(name, *args, cwd):
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.mark.slow
def test_dcgan_mnist_example(mnist_dir, tmp_path):
    out = run_example(
        "dcgan_mnist.py", "--data-dir", mnist_dir, "--epochs", "1", "--limit", "512", "--out", "run", cwd=tmp_path
    )
    assert "sampled 16 images of shape (28, 28, 1) (uint8)" in out
    assert os.path.isfile(tmp_path / "run" / "gan.keras")
    assert os.listdir(tmp_path / "run" / "logs" / "samples") == ["epoch_0001.png"]


@pytest.mark.slow
def test_gaussian_1d_example_moves_towards_the_target(tmp_path):
    out = run_example("gaussian_1d.py", "--epochs", "12", "--out", "plot.png", cwd=tmp_path)
    means = [float(m) for m in re.findall(r"generated mean (-?[\d.]+)", out)]
    assert abs(means[0] - 4.0) > 2.0 and abs(means[-1] - 4.0) < 0.3
    assert tf.io.decode_png(tf.io.read_file(str(tmp_path / "plot.png"))).shape[-1] in (3, 4)
    # TensorBoard holds the same: the generated histogram before training and after each epoch.
    from tests.conftest import summaries

    logged = [
        value for tag, _, _, value in summaries(tmp_path / "runs" / "gaussian_1d") if tag == "distribution/generated"
    ]
    assert len(logged) == 13 and "kgan board runs/gaussian_1d" in out
    centres = [np.average((h[:, 0] + h[:, 1]) / 2, weights=h[:, 2]) for h in (logged[0], logged[-1])]
    assert abs(centres[0] - 4.0) > 2.0 and abs(centres[-1] - 4.0) < 0.3


@pytest.mark.slow
def test_mixtures_2d_example_draws_target_and_generated_points(tmp_path):
    out = run_example(
        "mixtures_2d.py",
        "--mixture",
        "grid",
        "--epochs",
        "2",
        "--steps-per-epoch",
        "20",
        "--log-dir",
        "ring",
        cwd=tmp_path,
    )
    assert re.search(r"grid: \d+ of 25 modes covered", out) and "kgan board ring" in out
    from tests.conftest import summaries

    pictures = [
        (step, value)
        for tag, step, _, value in summaries(tmp_path / "ring")
        if tag == "distribution/target_vs_generated"
    ]
    assert [step for step, _ in pictures] == [0, 20, 40] and pictures[0][1].shape == (256, 256, 3)
    assert not np.array_equal(pictures[0][1], pictures[-1][1])  # the generated points moved


@pytest.mark.slow
def test_training_health_example_reports_a_diverging_run(mnist_dir, tmp_path):
    out = run_example(
        "training_health.py",
        "--case",
        "diverging",
        "--data-dir",
        mnist_dir,
        "--steps",
        "50",
        "--out",
        "health",
        cwd=tmp_path,
    )
    assert "non_finite: Training diverged at step" in out and "restored from step 0" in out
    assert [f for f in os.listdir(tmp_path / "health" / "diverging" / "logs") if f.startswith("events.out.tfevents")]


@pytest.mark.slow
def test_stylegan2_example_truncates_mixes_and_serves(mnist_dir, tmp_path):
    out = run_example(
        "stylegan2_mnist.py",
        *("--data-dir", mnist_dir, "--epochs", "1", "--limit", "256", "--width", "8", "--out", "run"),
        cwd=tmp_path,
    )
    assert "sampled 16 images of shape (32, 32, 1) at psi 0.7" in out
    assert "mixed one image of shape (32, 32, 1) from the export's mapping and synthesis (8 ws)" in out
    for picture, shape in (("truncation.png", (4 * 33 + 1, 8 * 33 + 1)), ("mixing.png", (3 * 33 + 1, 8 * 33 + 1))):
        assert tuple(tf.io.decode_png(tf.io.read_file(str(tmp_path / "run" / picture))).shape[:2]) == shape
    assert sorted(os.listdir(tmp_path / "run" / "logs" / "samples")) == [
        "epoch_0001.png",
        "style_mixing_epoch_0001.png",
        "truncation_epoch_0001.png",
    ]


@pytest.mark.slow
def test_use_a_generator_example(mnist_dir, tmp_path):
    import kgan

    gan = kgan.DCGAN((28, 28, 1), latent_dim=16, width=8, seed=0)
    gan.compile()
    gan.fit(kgan.data.load("mnist", data_dir=mnist_dir, batch_size=64, limit=512, seed=0), epochs=1, verbose=0)
    gan.save(tmp_path / "gan.keras")
    out = run_example(
        "use_a_generator.py",
        "--model",
        "gan.keras",
        "--data-dir",
        mnist_dir,
        "--project",
        "4",
        "--steps",
        "20",
        "--out",
        "use",
        cwd=tmp_path,
    )
    difference = float(re.search(r"largest difference ([\d.e+-]+)", out).group(1))
    assert difference < 1e-4
    assert re.search(r"projected 4 test images: mean PSNR \d+\.\d dB", out)
    assert sorted(os.listdir(tmp_path / "use")) == ["generator.onnx", "generator.tflite", "projection.png", "walk.gif"]
