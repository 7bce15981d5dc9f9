"""The `kgan` command line, run as a user runs it: a real process writing real files."""
import json
import os
import shutil
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

import kgan
from tests.conftest import summaries

TINY = ["--dataset", "digits", "--batch-size", "32", "--limit", "256", "--width", "8",
        "--latent-dim", "8", "--verbose", "0"]


def run_kgan(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "kgan", *args], capture_output=True, text=True, cwd=cwd,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("cli") / "run"
    result = run_kgan("train", *TINY, "--epochs", "2", "--run-dir", str(run_dir))
    assert result.returncode == 0, result.stderr
    return run_dir, result


def test_train_writes_the_whole_run_folder(trained_run):
    run_dir, result = trained_run
    assert sorted(os.listdir(run_dir / "samples")) == ["epoch_0001.png", "epoch_0002.png"]
    assert sorted(os.listdir(run_dir / "checkpoints")) == ["epoch_0001.keras", "epoch_0002.keras"]
    assert os.path.isfile(run_dir / "generator" / "saved_model.pb")
    epoch_losses = [v for tag, _, _, v in summaries(run_dir / "logs" / "train") if tag == "epoch_d_loss"]
    assert len(epoch_losses) == 2
    assert [step for tag, step, _, _ in summaries(run_dir / "logs" / "images")] == [1, 2]
    health = summaries(run_dir / "logs" / "health")
    assert [step for tag, step, _, _ in health if tag == "d_output/fake"] == [8, 16]  # each epoch's end
    epoch_tags = {tag for tag, _, _, _ in summaries(run_dir / "logs" / "train")}
    assert {"epoch_d_gap", "epoch_diversity", "epoch_g_grad_norm"} <= epoch_tags
    config = json.loads((run_dir / "config.json").read_text())
    assert config["dataset"] == "digits" and config["epochs"] == 2
    assert "generator:" in result.stdout and "tensorboard --logdir" in result.stdout
    gan = keras.saving.load_model(str(run_dir / "checkpoints" / "epoch_0002.keras"))
    assert isinstance(gan, kgan.DCGAN) and gan.image_shape == (8, 8, 1)
    assert int(gan.g_optimizer.iterations) == 2 * (256 // 32)


@pytest.mark.parametrize("source", ["checkpoints/epoch_0002.keras", "generator"])
def test_sample_from_checkpoint_or_export(trained_run, tmp_path, source):
    run_dir, _ = trained_run
    out = tmp_path / "grid.png"
    result = run_kgan("sample", "--model", str(run_dir / source), "--num", "16", "--columns", "8", "--out", str(out))
    assert result.returncode == 0, result.stderr
    grid = tf.io.decode_png(tf.io.read_file(str(out))).numpy()
    assert grid.shape == (2 * 9 + 1, 8 * 9 + 1, 1)
    assert grid.std() > 0  # real samples, not a blank picture


def test_export_command(trained_run, tmp_path):
    run_dir, _ = trained_run
    out = tmp_path / "exported"
    result = run_kgan("export", "--model", str(run_dir / "checkpoints" / "epoch_0001.keras"), "--out", str(out))
    assert result.returncode == 0, result.stderr
    loaded = tf.saved_model.load(str(out))
    images = loaded.signatures["serving_default"](latent=tf.zeros((3, 8)))["images"]
    assert images.shape == (3, 8, 8, 1)


def test_train_killed_mid_run_resumes_from_its_last_epoch(tmp_path):
    """kill -9 during epoch 3, then the same command again: it continues at epoch 3, losing and
    repeating nothing, and ends with the weights of an uninterrupted run."""
    command = [sys.executable, "-m", "kgan", "train", "--dataset", "digits", "--batch-size", "8",
               "--width", "8", "--latent-dim", "8", "--epochs", "4", "--no-export",
               "--run-dir", str(tmp_path / "run")]
    uninterrupted = subprocess.run(command[:-1] + [str(tmp_path / "uninterrupted")], capture_output=True, text=True)
    assert uninterrupted.returncode == 0, uninterrupted.stderr[-3000:]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    for line in process.stdout:
        if line.startswith("Epoch 3/4"):
            process.kill()  # SIGKILL: no chance to clean up
            break
    process.wait(timeout=60)
    assert process.returncode == -9
    assert sorted(os.listdir(tmp_path / "run" / "samples")) == ["epoch_0001.png", "epoch_0002.png"]
    resumed = subprocess.run(command, capture_output=True, text=True, env=env)
    assert resumed.returncode == 0, resumed.stderr
    assert "Epoch 3/4" in resumed.stdout and "Epoch 1/4" not in resumed.stdout
    assert sorted(os.listdir(tmp_path / "run" / "samples")) == [f"epoch_000{i}.png" for i in range(1, 5)]
    gan = keras.saving.load_model(str(tmp_path / "run" / "checkpoints" / "epoch_0004.keras"))
    assert int(gan.g_optimizer.iterations) == 4 * (1797 // 8)
    assert not os.path.exists(tmp_path / "run" / "backup" / "training_metadata.json")
    reference = keras.saving.load_model(str(tmp_path / "uninterrupted" / "checkpoints" / "epoch_0004.keras"))
    for a, b in zip(gan.weights, reference.weights):  # data order and random state resumed exactly
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=a.path)
    epochs_logged = sorted(step for tag, step, _, _ in summaries(tmp_path / "run" / "logs" / "train")
                           if tag == "epoch_d_loss")
    assert epochs_logged == [0, 1, 2, 3]


def test_help_explains_every_option():
    for command, options in {
        "train": ["--dataset", "--data-dir", "--image-folder", "--epochs", "--batch-size", "--loss",
                  "--d-lr", "--g-lr", "--d-steps", "--label-smoothing", "--instance-noise", "--run-dir"],
        "sample": ["--model", "--num", "--seed", "--out"],
        "export": ["--model", "--out"],
    }.items():
        result = run_kgan(command, "--help")
        assert result.returncode == 0
        for option in options:
            assert option in result.stdout, (command, option)
    assert "samples/" in run_kgan("train", "--help").stdout  # the run folder is described


def test_bad_input_gets_a_clear_error_and_exit_code_2(tmp_path):
    result = run_kgan("train", "--dataset", "mnist", "--data-dir", str(tmp_path / "nowhere"), "--run-dir", str(tmp_path / "r"))
    assert result.returncode == 2 and "does not exist" in result.stderr and "Traceback" not in result.stderr
    result = run_kgan("sample", "--model", str(tmp_path / "missing.keras"))
    assert result.returncode == 2 and "No model at" in result.stderr
    result = run_kgan("train", "--image-folder", str(tmp_path), "--run-dir", str(tmp_path / "r"))
    assert result.returncode == 2 and "No images in" in result.stderr
    result = run_kgan("train", "--epochs", "0")
    assert result.returncode == 2 and "expected an integer >= 1" in result.stderr


@pytest.mark.parametrize("recipe, model_class, loss", [("wgangp", kgan.WGANGP, "wasserstein"), ("sngan", kgan.SNGAN, "hinge")])
def test_train_with_a_recipe_and_an_override(recipe, model_class, loss, tmp_path):
    result = run_kgan("train", *TINY, "--recipe", recipe, "--d-steps", "2", "--ema-decay", "0.9", "--deterministic",
                      "--epochs", "1", "--no-export", "--run-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    gan = keras.saving.load_model(str(tmp_path / "checkpoints" / "epoch_0001.keras"))
    assert type(gan) is model_class and gan.ema_decay == 0.9
    config = gan.get_compile_config()
    assert config["loss"] == loss and config["d_steps"] == 2  # the recipe's loss, our d_steps
    assert int(gan.d_optimizer.iterations) == 2 * int(gan.g_optimizer.iterations)


def test_a_finished_run_is_not_overwritten_unless_asked(trained_run, tmp_path):
    run_dir, _ = trained_run
    finished = tmp_path / "finished"
    shutil.copytree(run_dir, finished)
    checkpoint = (finished / "checkpoints" / "epoch_0002.keras").read_bytes()
    result = run_kgan("train", *TINY, "--epochs", "1", "--no-export", "--run-dir", str(finished))
    assert result.returncode == 2 and "holds a finished run" in result.stderr and "--overwrite" in result.stderr
    assert "was not exported" not in result.stderr
    shutil.rmtree(finished / "generator")  # as if killed after training, during the export
    result = run_kgan("train", *TINY, "--epochs", "1", "--no-export", "--run-dir", str(finished))
    assert result.returncode == 2 and "kgan export --model" in result.stderr and "epoch_0002.keras" in result.stderr
    assert (finished / "checkpoints" / "epoch_0002.keras").read_bytes() == checkpoint  # untouched
    result = run_kgan("train", *TINY, "--epochs", "1", "--no-export", "--overwrite", "--run-dir", str(finished))
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(finished / "checkpoints")) == ["epoch_0001.keras"]  # a fresh run, nothing stale
    assert not (finished / "generator").exists()
    (tmp_path / "a_file").write_text("x")
    result = run_kgan("train", *TINY, "--run-dir", str(tmp_path / "a_file"))
    assert result.returncode == 2 and "is a file" in result.stderr


def test_train_streams_tfrecords_in_mixed_bfloat16(tmp_path):
    images, _ = kgan.data.load_arrays("digits")
    kgan.data.write_tfrecords(images[:256], str(tmp_path / "records" / "digits"), shard_size=100)
    result = run_kgan("train", "--tfrecords", str(tmp_path / "records" / "digits-*.tfrecord"), "--image-size", "8",
                      "--channels", "1", "--precision", "mixed_bfloat16", "--batch-size", "32", "--width", "8",
                      "--latent-dim", "8", "--epochs", "1", "--verbose", "0", "--run-dir", str(tmp_path / "run"))
    assert result.returncode == 0, result.stderr
    gan = keras.saving.load_model(str(tmp_path / "run" / "checkpoints" / "epoch_0001.keras"))
    assert gan.generator.layers[1].compute_dtype == "bfloat16" and int(gan.g_optimizer.iterations) == 256 // 32
    serve = tf.saved_model.load(str(tmp_path / "run" / "generator")).signatures["serving_default"]
    images = serve(latent=tf.zeros((2, 8)))["images"]
    assert images.dtype == tf.float32 and images.shape == (2, 8, 8, 1)
