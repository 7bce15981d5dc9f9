"""The `kgan` command line, run as a user runs it: a real process writing real files."""

import contextlib
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest
import tensorflow as tf

import kgan
from kgan.precision import cpu_has_native_bfloat16
from tests.conftest import summaries

TINY = ["--dataset", "digits", "--batch-size", "32", "--limit", "256", "--width", "8", "--latent-dim", "8"]


def run_kgan(*args, cwd=None, env=None, offline=False):
    """Runs `kgan` as the console script does (`kgan_cli.main`): a fresh process, TensorFlow's log level left to kgan.

    `offline=True` runs it in a network namespace with no network (Linux `unshare -rn`).
    """
    env = {k: v for k, v in {**os.environ, **(env or {})}.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    prefix = ["unshare", "-rn"] if offline else []
    return subprocess.run(
        [*prefix, sys.executable, "-m", "kgan_cli", *args], capture_output=True, text=True, cwd=cwd, env=env
    )


def offline_possible():
    try:
        return subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0
    except OSError:
        return False


needs_offline = pytest.mark.skipif(
    not offline_possible(), reason="cuts the network with `unshare -rn` (Linux user namespaces), unavailable here"
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
    assert sorted(os.listdir(run_dir / "walks")) == ["latent_walk_epoch_0001.png", "latent_walk_epoch_0002.png"]
    # TensorBoard: one run in logs/, every view at the global step (8 steps an epoch).
    assert len([f for f in os.listdir(run_dir / "logs") if f.startswith("events.out.tfevents")]) == 1
    found = summaries(run_dir / "logs")
    steps = {}
    for tag, step, _, _ in found:
        steps.setdefault(tag, []).append(step)
    for tag in ("samples/grid", "samples/real_vs_generated", "samples/latent_walk", "balance/d_output_fake"):
        assert steps[tag] == [8, 16], tag
    assert steps["loss/d"] == [8, 16] and steps["health/summary"] == [8, 16]
    walk = next(value for tag, _, _, value in found if tag == "samples/latent_walk")
    assert walk.shape == (4 * 9 + 1, 10 * 9 + 1, 1)  # 4 walks of 10 frames of 8x8 digits, 1-pixel borders
    assert {"_hparams_/session_start_info", "custom_scalars__config__"} <= set(steps)
    # The Projector: the discriminator's features (digits have no shipped extractor), each epoch.
    assert sorted(os.listdir(run_dir / "logs" / "projector")) == ["epoch_0001", "epoch_0002"]
    assert "Newest: epoch 2 (step 16)" in (run_dir / "logs" / "projector_config.pbtxt").read_text()
    config = json.loads((run_dir / "config.json").read_text())
    assert config["dataset"] == "digits" and config["epochs"] == 2 and config["image_shape"] == [8, 8, 1]
    assert "image_size" not in config and "channels" not in config  # they apply to image folders only
    # One plain line per epoch, then where everything went and what to run next.
    epoch_lines = [line for line in result.stdout.splitlines() if line.startswith("epoch ")]
    assert [line.split()[1] for line in epoch_lines] == ["1/2", "2/2"]
    assert all("images/s" in line and "d_loss" in line and "d_gap" in line for line in epoch_lines)
    assert "ETA" in epoch_lines[0] and "ETA" not in epoch_lines[1]
    assert "Epoch 1/2" not in result.stdout  # Keras' own progress output stays off
    assert "signatures serving_default, sample" in result.stdout
    assert f"kgan sample --model {run_dir / 'generator'}" in result.stdout and f"kgan board {run_dir}" in result.stdout
    # No TensorFlow start-up lines or Keras warnings before kgan speaks.
    assert result.stderr.strip() == "", result.stderr
    gan = keras.saving.load_model(str(run_dir / "checkpoints" / "epoch_0002.keras"))
    assert isinstance(gan, kgan.DCGAN) and gan.image_shape == (8, 8, 1)
    assert int(gan.g_optimizer.iterations) == 2 * (256 // 32)
    # The command line's defaults for dcgan, recorded as used.
    assert gan.minibatch_std and config["minibatch_std"] is True
    assert (float(gan.d_optimizer.beta_1), float(gan.g_optimizer.beta_2)) == (0.0, 0.99)
    assert (config["beta_1"], config["beta_2"], config["d_lr"]) == (0.0, 0.99, 1e-3)


@pytest.mark.parametrize("source", ["checkpoints/epoch_0002.keras", "generator"])
def test_sample_from_checkpoint_or_export(trained_run, tmp_path, source):
    run_dir, _ = trained_run
    out = tmp_path / "grid.png"
    result = run_kgan("sample", "--model", str(run_dir / source), "--num", "16", "--columns", "8", "--out", str(out))
    assert result.returncode == 0, result.stderr
    grid = tf.io.decode_png(tf.io.read_file(str(out))).numpy()
    assert grid.shape == (2 * 9 + 1, 8 * 9 + 1, 1)
    assert grid.std() > 0  # real samples, not a blank picture
    # With the run's seed (0) and 64 samples, `kgan sample` redraws the grid the run wrote last.
    result = run_kgan("sample", "--model", str(run_dir / source), "--seed", "0", "--out", str(out))
    assert result.returncode == 0, result.stderr
    redrawn = tf.io.decode_png(tf.io.read_file(str(out))).numpy().astype(int)
    written = tf.io.decode_png(tf.io.read_file(str(run_dir / "samples" / "epoch_0002.png"))).numpy().astype(int)
    assert redrawn.shape == written.shape and np.abs(redrawn - written).max() <= 1


def test_export_command(trained_run, tmp_path):
    run_dir, _ = trained_run
    out = tmp_path / "exported"
    result = run_kgan("export", "--model", str(run_dir / "checkpoints" / "epoch_0001.keras"), "--out", str(out))
    assert result.returncode == 0, result.stderr
    loaded = tf.saved_model.load(str(out))
    images = loaded.signatures["serving_default"](latent=tf.zeros((3, 8)))["images"]
    assert images.shape == (3, 8, 8, 1)
    assert f"generator exported to {out} (signatures serving_default, sample)" in result.stdout


@pytest.mark.parametrize(
    "recipe, killed",
    [
        (["dcgan", "--latent-dim", "8"], "within epoch 2"),
        (["acgan", "--latent-dim", "8"], "after epoch 2"),
        (["srgan", "--scale", "2"], "within epoch 2"),
    ],
    ids=str,
)
def test_train_killed_mid_run_resumes_where_it_stopped(recipe, killed, tmp_path):
    """kill -9 a few steps into epoch 2 (or once epoch 2 is written), then the same command
    again: it continues from the last backup, losing and repeating nothing, and ends with the
    weights of an uninterrupted run (an unconditional, a conditional and an image-to-image recipe)."""
    command = [
        sys.executable,
        "-m",
        "kgan",
        "train",
        "--recipe",
        *recipe,
        "--dataset",
        "digits",
        "--limit",
        "256",
        "--batch-size",
        "8",
        "--width",
        "8",
        "--epochs",
        "4",
        "--backup-every",
        "3" if killed == "within epoch 2" else "500",
        "--no-export",
        "--run-dir",
        str(tmp_path / "run"),
    ]
    uninterrupted = subprocess.run(command[:-1] + [str(tmp_path / "uninterrupted")], capture_output=True, text=True)
    assert uninterrupted.returncode == 0, uninterrupted.stderr[-3000:]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
    backup = tmp_path / "run" / "backup"
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    if killed == "after epoch 2":
        for line in process.stdout:
            if line.startswith("epoch 2/4"):  # printed once epoch 2's files are written
                break
    else:
        while not (backup / "state-1-3.json").exists():  # 3 of epoch 2's 32 steps done and backed up
            assert process.poll() is None, process.stdout.read()[-3000:]
            time.sleep(0.002)
    process.kill()  # SIGKILL: no chance to clean up
    process.wait(timeout=60)
    assert process.returncode == -9
    states = [name[len("state-") : -len(".json")].split("-") for name in os.listdir(backup) if name.endswith(".json")]
    epoch, step = max((int(epoch), int(step)) for epoch, step in states)  # the backup it resumes from
    assert (epoch, step > 0) == ((1, True) if killed == "within epoch 2" else (2, False)), states
    resumed = subprocess.run(command, capture_output=True, text=True, env=env)
    assert resumed.returncode == 0, resumed.stderr
    assert "epoch 1/4" not in resumed.stdout and "epoch 4/4" in resumed.stdout
    assert ("epoch 2/4" in resumed.stdout) == (killed == "within epoch 2")
    assert "ran out of data" not in resumed.stderr
    assert sorted(os.listdir(tmp_path / "run" / "samples")) == [f"epoch_000{i}.png" for i in range(1, 5)]
    gan = keras.saving.load_model(str(tmp_path / "run" / "checkpoints" / "epoch_0004.keras"))
    assert int(gan.g_optimizer.iterations) == 4 * (256 // 8)
    assert not backup.exists()
    reference = keras.saving.load_model(str(tmp_path / "uninterrupted" / "checkpoints" / "epoch_0004.keras"))
    for a, b in zip(gan.weights, reference.weights):  # data order and random state resumed exactly
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=a.path)
    # Each epoch's grid once on the step slider, at the global step, across both processes' event files.
    grids = [step for tag, step, _, _ in summaries(tmp_path / "run" / "logs") if tag == "samples/grid"]
    assert sorted(grids) == [32, 64, 96, 128]


def test_help_explains_every_option():
    for command, options in {
        "train": [
            "--dataset",
            "--data-dir",
            "--image-folder",
            "--epochs",
            "--batch-size",
            "--loss",
            "--d-lr",
            "--g-lr",
            "--d-steps",
            "--label-smoothing",
            "--instance-noise",
            "--run-dir",
        ],
        "sample": ["--model", "--num", "--seed", "--out"],
        "export": ["--model", "--out"],
        "board": ["RUN_DIR", "--port", "--host"],
    }.items():
        result = run_kgan(command, "--help")
        assert result.returncode == 0
        for option in options:
            assert option in result.stdout, (command, option)
    assert "samples/" in run_kgan("train", "--help").stdout  # the run folder is described


def test_bad_input_gets_a_clear_error_and_exit_code_2(tmp_path):
    result = run_kgan(
        "train", "--dataset", "mnist", "--data-dir", str(tmp_path / "nowhere"), "--run-dir", str(tmp_path / "r")
    )
    assert result.returncode == 2 and "does not exist" in result.stderr and "Traceback" not in result.stderr
    assert "--dataset digits" in result.stderr and "kgan.data" not in result.stderr  # the CLI's own options
    result = run_kgan("sample", "--model", str(tmp_path / "missing.keras"))
    assert result.returncode == 2 and "No model at" in result.stderr
    result = run_kgan("train", "--image-folder", str(tmp_path), "--run-dir", str(tmp_path / "r"))
    assert result.returncode == 2 and "No images in" in result.stderr
    result = run_kgan("train", "--epochs", "0")
    assert result.returncode == 2 and "expected an integer >= 1" in result.stderr


@pytest.mark.parametrize(
    "recipe, model_class, loss",
    [
        ("wgangp", kgan.WGANGP, "wasserstein"),
        ("sngan", kgan.SNGAN, "hinge"),
        ("lsgan", kgan.LSGAN, "least_squares"),
        ("cgan", kgan.CGAN, "non_saturating"),
    ],
)
def test_train_with_a_recipe_and_an_override(recipe, model_class, loss, tmp_path):
    result = run_kgan(
        "train",
        *TINY,
        "--recipe",
        recipe,
        "--d-steps",
        "3",
        "--ema-decay",
        "0.9",
        "--deterministic",
        "--epochs",
        "1",
        "--no-export",
        "--run-dir",
        str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    gan = keras.saving.load_model(str(tmp_path / "checkpoints" / "epoch_0001.keras"))
    assert type(gan) is model_class and gan.ema_decay == 0.9
    assert getattr(gan, "minibatch_std", False) is (recipe in ("lsgan", "wgangp"))  # on by default for these and dcgan
    config = gan.get_compile_config()
    assert config["loss"] == loss and config["d_steps"] == 3  # the recipe's loss, our d_steps
    assert int(gan.d_optimizer.iterations) == 3 * int(gan.g_optimizer.iterations)


def test_recipes_fill_in_their_own_defaults_for_what_the_user_left_out():
    from kgan_cli.parser import build_parser, default_epochs
    from kgan_cli.train import apply_recipe

    def settings(*argv):
        """--width, --d-steps, and the epochs on MNIST and on a folder, as `kgan train` takes them."""
        args = build_parser().parse_args(["train", *argv])
        recipe = apply_recipe(args)
        return args.width, args.d_steps, default_epochs(recipe, "mnist"), default_epochs(recipe, None)

    assert settings() == (32, None, 3, 5)  # dcgan: the family's one D step
    assert settings("--recipe", "wgangp") == (32, 2, 2, 3)
    assert settings("--recipe", "sngan") == (16, 1, 2, 3)
    assert settings("--recipe", "stylegan2") == (32, None, 1, 2)
    assert settings("--recipe", "sngan", "--width", "8", "--d-steps", "5") == (8, 5, 2, 3)


def test_an_image_folder_trains_on_as_many_pixels_as_the_default_run_of_its_kind():
    from kgan_cli.parser import DEFAULT_EPOCHS, RECIPES, default_epochs, folder_budget

    dcgan, sngan = RECIPES["dcgan"], RECIPES["sngan"]
    # Grey: MNIST's 3 passes over 60,000 28x28 digits; 6,000 such images take 30 passes.
    assert default_epochs(dcgan, None, (28, 28, 1), 6000) == 30
    assert default_epochs(dcgan, None, (56, 56, 1), 6000) == round(30 / 4)  # 4x the pixels per image
    assert default_epochs(sngan, None, (28, 28, 1), 6000) == 20  # its share: 2/3
    # Colour: CIFAR-10's default passes over its 10,000 32x32 images.
    colour = DEFAULT_EPOCHS["cifar10"]
    assert default_epochs(dcgan, None, (32, 32, 3), 10_000) == colour
    assert default_epochs(dcgan, None, (64, 64, 3), 1_000) == round(colour * 10 / 4)
    assert default_epochs(dcgan, None, (64, 64, 3), 10**7) == 1  # at least one
    assert default_epochs(dcgan, None, (64, 64, 3), None) == DEFAULT_EPOCHS[None]  # TFRecords of unknown size
    assert folder_budget((64, 64, 3)) == f"the pixels of {colour} passes over 10,000 32x32 cifar10 images"


def test_the_first_line_says_how_long_the_run_is_and_why():
    from kgan_cli.parser import DEFAULT_EPOCHS, build_parser
    from kgan_cli.train import _run_length, apply_recipe

    def length(*argv, steps=15):
        args = build_parser().parse_args(["train", "--image-folder", "photos", *argv])
        return _run_length(args, apply_recipe(args), (64, 64, 3), steps)

    epochs = round(DEFAULT_EPOCHS["cifar10"] * 10_000 * 32 * 32 / (15 * 64 * 64 * 64))  # 960 images of 64x64
    assert length() == (
        epochs,
        f"{epochs} epochs of 15 steps (the pixels of {DEFAULT_EPOCHS['cifar10']} passes over 10,000 32x32 "
        "cifar10 images; --epochs or --minutes to change)",
    )
    assert length("--epochs", "1", steps=1) == (1, "1 epoch of 1 step")
    assert length("--minutes", "2.5") == (None, "2.5 minutes (epochs of 15 steps)")
    assert length("--minutes", "2.5", "--epochs", "4") == (
        4,
        "4 epochs of 15 steps or 2.5 minutes, whichever ends first",
    )


def test_train_stylegan2_with_its_options_then_sample_truncated(trained_run, tmp_path):
    run_dir = tmp_path / "stylegan2"
    result = run_kgan(
        "train",
        *TINY,
        *("--recipe", "stylegan2", "--r1-gamma", "0.5", "--pl-weight", "1", "--mixing", "0.5", "--epochs", "1"),
        *("--run-dir", str(run_dir)),
    )
    assert result.returncode == 0, result.stderr
    gan = keras.saving.load_model(str(run_dir / "checkpoints" / "epoch_0001.keras"))
    assert type(gan) is kgan.StyleGAN2 and gan.mixing_probability == 0.5
    config = gan.get_compile_config()
    assert config["regularizers"][0]["config"] == {"gamma": 0.5, "every": 16}
    assert config["regularizers"][1]["config"]["weight"] == 1.0
    assert sorted(os.listdir(run_dir / "styles")) == ["style_mixing_epoch_0001.png", "truncation_epoch_0001.png"]
    assert "signatures serving_default, sample, mapping, synthesis, w_average" in result.stdout
    export = str(run_dir / "generator")
    out = tmp_path / "psi_0.png"
    sampled = run_kgan("sample", "--model", export, "--num", "4", "--truncation", "0", "--out", str(out))
    assert sampled.returncode == 0, sampled.stderr
    average = tf.io.decode_png(tf.io.read_file(str(out))).numpy().astype(int)
    # psi 0: the average image every time (the same w in each row of the batch; the rows may still
    # round a pixel apart on some CPUs' kernels).
    assert np.abs(average[1:9, 1:9] - average[1:9, 10:18]).max() <= 1
    refused = run_kgan("sample", "--model", export, "--truncation", "nan", "--out", str(tmp_path / "x.png"))
    assert refused.returncode == 2 and "expected a finite number, got nan" in refused.stderr
    dcgan_export = str(trained_run[0] / "generator")
    refused = run_kgan("sample", "--model", dcgan_export, "--truncation", "0.7", "--out", str(tmp_path / "x.png"))
    assert refused.returncode == 2 and "--truncation is for StyleGAN2" in refused.stderr
    refused = run_kgan("train", *TINY, "--r1-gamma", "1", "--run-dir", str(tmp_path / "dcgan"))
    assert refused.returncode == 2 and "--r1-gamma is an option of --recipe stylegan2" in refused.stderr
    assert "this run's recipe is dcgan" in refused.stderr
    refused = run_kgan("train", *TINY, "--recipe", "sngan", "--kernel-size", "3", "--run-dir", str(tmp_path / "sn"))
    assert (
        refused.returncode == 2
        and "--kernel-size is an option of --recipe acgan, cgan, dcgan, lsgan, projection or wgangp" in refused.stderr
    )


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
    result = run_kgan(
        "train",
        "--tfrecords",
        str(tmp_path / "records" / "digits-*.tfrecord"),
        "--image-size",
        "8",
        "--channels",
        "1",
        "--precision",
        "mixed_bfloat16",
        "--batch-size",
        "32",
        "--width",
        "8",
        "--latent-dim",
        "8",
        "--epochs",
        "1",
        "--run-dir",
        str(tmp_path / "run"),
    )
    assert result.returncode == 0, result.stderr
    # Said on CPUs that would emulate bfloat16 (AVX2 only), and only there.
    emulated = cpu_has_native_bfloat16() is False and not tf.config.list_physical_devices("GPU")
    assert ("without native bfloat16" in result.stderr) == emulated, result.stderr
    gan = keras.saving.load_model(str(tmp_path / "run" / "checkpoints" / "epoch_0001.keras"))
    assert gan.generator.layers[1].compute_dtype == "bfloat16" and int(gan.g_optimizer.iterations) == 256 // 32
    serve = tf.saved_model.load(str(tmp_path / "run" / "generator")).signatures["serving_default"]
    images = serve(latent=tf.zeros((2, 8)))["images"]
    assert images.dtype == tf.float32 and images.shape == (2, 8, 8, 1)


def test_minutes_ends_the_run_at_a_time_budget_with_its_files_written(tmp_path, capsys):
    import kgan_cli as cli

    run = tmp_path / "run"
    started = time.monotonic()
    small = ["--dataset", "digits", "--width", "4", "--latent-dim", "4", "--batch-size", "32"]
    assert cli.main(["train", *small, "--minutes", "0.05", "--run-dir", str(run)]) == 0
    assert time.monotonic() - started < 120  # not the million epochs --minutes alone allows
    out = capsys.readouterr().out
    assert "training a DCGAN on digits from the copy inside kgan: 0.05 minutes (epochs of 56 steps)" in out
    epoch_lines = [line for line in out.splitlines() if line.startswith("epoch ")]
    assert [line.split()[1] for line in epoch_lines] == [str(n) for n in range(1, len(epoch_lines) + 1)]
    assert "ETA" not in epoch_lines[-1]
    assert os.path.isfile(run / "checkpoints" / f"epoch_{len(epoch_lines):04d}.keras")
    assert os.path.isfile(run / "generator" / "saved_model.pb")
    config = json.loads((run / "config.json").read_text())
    assert config["minutes"] == 0.05 and config["epochs"] is None
    # A schedule over the run needs the run's length.
    r3gan = ["train", "--recipe", "r3gan", "--dataset", "digits", "--minutes", "1", "--run-dir", str(tmp_path / "r3")]
    assert cli.main(r3gan) == 2
    assert "--recipe r3gan's schedules span the run's steps" in capsys.readouterr().err


def test_help_and_usage_errors_answer_without_importing_tensorflow():
    script = (
        "import sys, kgan_cli\n"
        "for argv in (['--help'], ['train', '--help'], ['train', '--epochs', '0'], ['sample']):\n"
        "    try:\n"
        "        kgan_cli.main(argv)\n"
        "    except SystemExit as exit:\n"
        "        print('EXIT', argv[-1], exit.code)\n"
        "print('tensorflow imported:', 'tensorflow' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    exits = [line for line in result.stdout.splitlines() if line.startswith("EXIT ")]
    assert exits == ["EXIT --help 0", "EXIT --help 0", "EXIT 0 2", "EXIT sample 2"]
    assert "usage: kgan train" in result.stdout and result.stdout.endswith("tensorflow imported: False\n")
    assert "expected an integer >= 1" in result.stderr and "--model" in result.stderr


def test_every_model_taking_command_names_what_it_got_what_it_needs_and_which_file_to_pass(
    trained_run, tmp_path, capsys
):
    import kgan_cli as cli

    run = str(trained_run[0])
    export, checkpoint = os.path.join(run, "generator"), os.path.join(run, "checkpoints", "epoch_0002.keras")
    images = tmp_path / "images"
    kgan.images.save_png(str(images / "a.png"), np.zeros((8, 8, 1), np.uint8))
    out = str(tmp_path / "out")

    def refusal(*argv):
        assert cli.main(list(argv)) == 2
        error = capsys.readouterr().err
        assert len(error.strip().splitlines()) == 1 and "Traceback" not in error, error
        return error

    error = refusal("project", "--model", export, "--images", str(images), "--out", out)
    assert f"{export!r} is an exported generator (a SavedModel folder), not a saved GAN" in error
    assert "Projection follows the generator's gradients" in error and f"pass {checkpoint!r}" in error
    error = refusal("export", "--model", export, "--out", out)
    assert "Export builds its signatures from the GAN's networks" in error and f"pass {checkpoint!r}" in error
    error = refusal("interpolate", "--model", export, "--classes", "0,1", "--out", out + ".png")
    assert "A class walk mixes the classes' codes" in error and f"pass {checkpoint!r}" in error
    for command in (["sample"], ["interpolate", "--out", out + ".gif"], ["evaluate"]):
        error = refusal(*command, "--model", run)
        assert f"{run!r} is a kgan train run folder" in error and f"pass {export!r} or {checkpoint!r}" in error
    error = refusal("export", "--model", run, "--out", out)
    assert f"{run!r} is a kgan train run folder, not a saved GAN: pass {checkpoint!r}" in error
    # An existing folder as sample's --out: refused before anything is drawn, the folder untouched.
    folder = tmp_path / "grids"
    folder.mkdir()
    error = refusal("sample", "--model", export, "--num", "4", "--out", str(folder))
    assert "is a folder; kgan sample writes one PNG grid" in error and os.listdir(folder) == []
    with pytest.raises(IsADirectoryError, match="is a folder; name a PNG file"):
        kgan.images.save_png(str(folder), np.zeros((8, 8, 1), np.uint8))


def test_users_mistakes_are_one_line_and_bugs_keep_their_traceback(monkeypatch, tmp_path, capsys):
    import kgan_cli as cli
    import kgan_cli.generators

    assert cli.main(["export", "--model", str(tmp_path / "missing.keras"), "--out", str(tmp_path / "out")]) == 2
    assert "No model at" in capsys.readouterr().err

    def a_bug(args):
        raise ValueError("an internal mistake")

    monkeypatch.setattr(cli.generators, "export_command", a_bug)
    with pytest.raises(ValueError, match="an internal mistake"):
        cli.main(["export", "--model", "m.keras", "--out", "out"])


def test_the_parsers_choices_are_the_librarys():
    import kgan_cli.parser

    assert set(kgan_cli.parser.LOSS_NAMES) == set(kgan.losses.LOSSES)
    assert kgan_cli.parser.DATASET_NAMES == kgan.data.DATASETS
    assert set(kgan_cli.parser.EVALUATION_DATASETS) == set(kgan.metrics.extractors.DOMAINS)
    assert all(hasattr(kgan.metrics, name) for name in kgan_cli.parser.METRICS.values())
    assert kgan_cli.parser.STRATEGIES == kgan.cluster.STRATEGIES


def test_every_recipe_of_the_table_builds_its_family_from_the_command_line():
    import kgan_cli.parser
    import kgan_cli.train
    from kgan.recipe_table import OPTIONS, RECIPES

    assert kgan_cli.parser.RECIPES.keys() == RECIPES.keys()
    assert set(RECIPES) == {
        *("acgan", "biggan", "cgan", "cyclegan", "dcgan", "inpainting", "lsgan", "pix2pix", "projection", "sngan"),
        *("r3gan", "srgan", "stylegan2", "wgangp"),
    }
    parser = kgan_cli.parser.build_parser()
    for name, recipe in RECIPES.items():
        assert set(recipe.options) <= set(OPTIONS) and recipe.data in kgan_cli.train.DATA_READERS
        assert all(hasattr(kgan.callbacks, callback) for callback, _ in recipe.callbacks)
        args = parser.parse_args(["train", "--recipe", name, "--width", "8"])
        kgan_cli.train.apply_recipe(args)
        assert args.latent_dim == recipe.defaults.get("latent_dim")  # None: the image-to-image recipes
        from_data = {
            "images": {},
            "labelled_images": {"num_classes": 3, "class_names": ("a", "b", "c")},
            "pairs": {"target_channels": 3},
            "domains": {"image_shape_b": (8, 8, 1)},
        }[recipe.data]
        gan = kgan_cli.train.build_gan(kgan_cli.parser.RECIPES[name], args, (8, 8, 1), from_data)
        assert type(gan) is getattr(kgan, recipe.family) and gan.uses_latent == (args.latent_dim is not None)
        assert not gan.uses_latent or gan.latent_dim == args.latent_dim
        gan.compile(
            **kgan_cli.train._given(recipe.compile(args)), **({"schedule_steps": 10} if recipe.scheduled else {})
        )


def test_every_recipes_export_runs_in_a_process_without_kgan(tmp_path):
    """What `kgan train` exports for each recipe (its family as the table builds it) runs from
    TensorFlow alone, and gives what the model gives in this process."""
    import kgan_cli.parser
    import kgan_cli.train
    from tests.conftest import run_savedmodels_without_kgan

    parser = kgan_cli.parser.build_parser()
    rng = np.random.default_rng(0)
    calls, expected = [], []
    for name, recipe in kgan_cli.parser.RECIPES.items():
        args = parser.parse_args(["train", "--recipe", name, "--width", "4"])
        recipe = kgan_cli.train.apply_recipe(args)
        from_data = {"num_classes": 3, "class_names": ("a", "b", "c")} if recipe.data == "labelled_images" else {}
        gan = kgan_cli.train.build_gan(recipe, args, (8, 8, 1), from_data)
        path = kgan.export_generator(gan, str(tmp_path / name))
        opened = kgan.trained.open_generator(gan)
        if opened.translates:
            inputs = {
                key: rng.uniform(-1, 1, (2, *shape)).astype(np.float32) for key, shape in opened.source_shapes.items()
            }
            if "masks" in inputs:
                inputs["masks"] = (inputs["masks"] > 0).astype(np.float32)
            wanted = opened.translate(tuple(inputs.values()) if len(inputs) > 1 else next(iter(inputs.values())))
        else:
            inputs = {"latent": kgan.seeding.latent_vectors(2, opened.latent_dim, 5).numpy()}
            labels = None if opened.num_classes is None else np.array([2, 0], np.int32)
            if labels is not None:
                inputs["labels"] = labels
            signatures = tf.saved_model.load(path).signatures
            if "truncation" in signatures["serving_default"].structured_input_signature[1]:
                inputs["truncation"] = signatures["untruncated"]()["truncation"].numpy()  # none: psi 1, BigGAN's inf
            wanted = opened.generate(latent=inputs["latent"], labels=labels)
        calls.append((path, "serving_default", inputs))
        expected.append((name, wanted))
    outputs, report = run_savedmodels_without_kgan(calls, tmp_path)
    assert report is not None, outputs
    assert report["kgan_imported"] is False
    for (name, wanted), got in zip(expected, outputs):
        np.testing.assert_allclose(got["images"], wanted, atol=1e-4, err_msg=name)


def test_a_new_recipe_is_one_entry_in_the_table(tmp_path, monkeypatch):
    """An entry added to the table trains from `kgan train` with its own defaults and pictures."""
    import dataclasses

    import kgan_cli
    import kgan_cli.parser

    dcgan = kgan_cli.parser.RECIPES["dcgan"]
    wide_kernels = dataclasses.replace(
        dcgan,
        name="wide_kernels",
        family="LSGAN",
        defaults={**dcgan.defaults, "kernel_size": 5, "latent_dim": 6},
        callbacks=(("LatentWalk", "more_walks"),),
    )
    monkeypatch.setitem(kgan_cli.parser.RECIPES, "wide_kernels", wide_kernels)
    run = tmp_path / "run"
    argv = ["train", "--recipe", "wide_kernels", "--dataset", "digits", "--limit", "64", "--batch-size", "32"]
    assert kgan_cli.main([*argv, "--width", "8", "--epochs", "1", "--no-export", "--run-dir", str(run)]) == 0
    gan = keras.saving.load_model(str(run / "checkpoints" / "epoch_0001.keras"))
    assert type(gan) is kgan.LSGAN and gan.latent_dim == 6 and gan.kernel_size == 5
    assert os.listdir(run / "more_walks") == ["latent_walk_epoch_0001.png"]
    config = json.loads((run / "config.json").read_text())
    assert config["recipe"] == "wide_kernels" and config["kernel_size"] == 5 and "r1_gamma" not in config


def class_folders(root, classes, per_class=40):
    """`root/<name>/<i>.png`: the shipped digits of each `{name: digit}`, as a user's class subfolders."""
    images, labels = kgan.data.load_arrays("digits")
    for name, digit in classes.items():
        for i, image in enumerate(images[labels == digit][:per_class]):
            kgan.images.save_png(str(root / name / f"{i}.png"), image)
    return root


def test_conditional_recipes_train_on_a_datasets_labels_or_class_folders_and_sample_by_name(tmp_path, capsys):
    import kgan_cli

    small = ["--batch-size", "32", "--width", "8", "--latent-dim", "8", "--epochs", "1"]
    digits = tmp_path / "digits"
    assert (
        kgan_cli.main(
            [
                "train",
                "--recipe",
                "acgan",
                "--dataset",
                "digits",
                "--limit",
                "128",
                *small,
                "--no-export",
                "--run-dir",
                str(digits),
            ]
        )
        == 0
    )
    assert "training an ACGAN on digits with its labels" in capsys.readouterr().out
    gan = keras.saving.load_model(str(digits / "checkpoints" / "epoch_0001.keras"))
    assert type(gan) is kgan.ACGAN and gan.class_names == tuple("0123456789")

    flowers = class_folders(tmp_path / "flowers", {"rose": 0, "tulip": 1, "wild daisy": 7})
    folder_options = ["--image-folder", str(flowers), "--image-size", "8", "--channels", "1", *small]
    run = tmp_path / "projection"
    assert kgan_cli.main(["train", "--recipe", "projection", *folder_options, "--run-dir", str(run)]) == 0
    out = capsys.readouterr().out
    assert "training a ProjectionGAN on images of 3 classes in" in out
    assert f"kgan sample --model {run / 'generator'} --labels rose,tulip --num 16" in out
    grid = tf.io.decode_png(tf.io.read_file(str(run / "samples" / "epoch_0001.png"))).numpy()
    assert grid.shape[0] == 3 * 9 + 1  # one row per class
    config = json.loads((run / "config.json").read_text())
    assert config["image_folder"] == str(flowers) and config["class_names"] == ["rose", "tulip", "wild daisy"]
    export = str(run / "generator")
    assert kgan.load_generator(export).class_names == ("rose", "tulip", "wild daisy")
    sampled = tmp_path / "two_classes.png"
    sample = ["sample", "--model", export, "--num", "4", "--out", str(sampled)]
    assert kgan_cli.main([*sample, "--labels", "wild daisy,0"]) == 0
    assert kgan_cli.main([*sample, "--labels", "lily"]) == 2
    assert "'lily' is not a class of this generator; its classes: rose, tulip, wild daisy" in capsys.readouterr().err

    # The command line's refusals: loose images, one class, TFRecords, an unconditional recipe's option.
    loose = class_folders(tmp_path / "loose", {"rose": 0, "tulip": 1})
    kgan.images.save_png(str(loose / "stray.png"), np.zeros((8, 8, 1), np.uint8))
    one_class = class_folders(tmp_path / "one", {"rose": 0})
    records = kgan.data.write_tfrecords(np.zeros((64, 8, 8, 1), np.uint8), str(tmp_path / "records" / "r"))
    for source, message in (
        (["--image-folder", str(loose)], "1 images sit directly in"),
        (["--image-folder", str(one_class)], "needs two or more classes, one subfolder of --image-folder per class"),
        (["--tfrecords", records[0]], "trains on classes, which TFRecords do not name here"),
    ):
        code = kgan_cli.main(["train", "--recipe", "cgan", *source, *small, "--run-dir", str(tmp_path / "refused")])
        error = capsys.readouterr().err
        assert code == 2 and message in error and len(error.strip().splitlines()) == 1, error
    assert kgan_cli.main(["train", "--recipe", "cgan", "--minibatch-std", "--run-dir", str(tmp_path / "r")]) == 2
    assert "--minibatch-std is an option of --recipe dcgan, lsgan or wgangp" in capsys.readouterr().err


def test_r3gan_with_labels_trains_on_classes_and_samples_the_one_asked_for(tmp_path, capsys):
    import kgan_cli

    run = tmp_path / "r3gan"
    small = ["--batch-size", "32", "--width", "4", "--latent-dim", "8", "--epochs", "1", "--limit", "64"]
    train = ["train", "--recipe", "r3gan", "--labels", "--dataset", "digits", *small, "--run-dir", str(run)]
    assert kgan_cli.main(train) == 0
    assert "training an R3GAN on digits with its labels" in capsys.readouterr().out
    gan = kgan.load_gan(str(run / "checkpoints" / "epoch_0001.keras"))
    assert gan.num_classes == 10 and gan.discriminator.get_layer("logits").units == 4  # a projection D
    out = tmp_path / "sevens.png"
    assert (
        kgan_cli.main(["sample", "--model", str(run / "generator"), "--num", "4", "--labels", "7", "--out", str(out)])
        == 0
    )
    assert tf.io.decode_png(tf.io.read_file(str(out))).shape[-1] == 1


def test_biggan_trains_on_labels_and_samples_truncated_by_class(tmp_path, capsys):
    import kgan_cli

    run = tmp_path / "biggan"
    small = ["--batch-size", "32", "--width", "2", "--latent-dim", "8", "--epochs", "1", "--limit", "96"]
    assert kgan_cli.main(["train", "--recipe", "biggan", "--dataset", "digits", *small, "--run-dir", str(run)]) == 0
    assert "training a BigGAN on digits with its labels" in capsys.readouterr().out
    assert (run / "samples" / "truncation_epoch_0001.png").is_file()  # the recipe's TruncationGrid
    export, out = str(run / "generator"), tmp_path / "sevens.png"
    sample = ["sample", "--model", export, "--num", "4", "--labels", "7", "--out", str(out)]
    assert kgan_cli.main([*sample, "--truncation", "0.5"]) == 0
    assert tf.io.decode_png(tf.io.read_file(str(out))).shape[-1] == 1
    assert kgan_cli.main([*sample, "--truncation", "0"]) == 2
    assert "the threshold z is truncated at, a number > 0" in capsys.readouterr().err


def test_stylegan2_with_labels_trains_on_classes_and_truncates_towards_each_class(tmp_path, capsys):
    import kgan_cli

    run = tmp_path / "stylegan2"
    small = ["--batch-size", "32", "--width", "4", "--latent-dim", "8", "--epochs", "1", "--limit", "96"]
    train = ["train", "--recipe", "stylegan2", "--labels", "--dataset", "digits", *small, "--run-dir", str(run)]
    assert kgan_cli.main(train) == 0
    out = capsys.readouterr().out
    assert "training a StyleGAN2 on digits with its labels" in out and "--labels 0,1" in out
    export = str(run / "generator")
    signatures = tf.saved_model.load(export).signatures
    assert {"mapping", "synthesis", "w_average", "num_classes"} <= set(signatures)
    assert signatures["w_average"]()["w_avg"].shape == (10, 8)  # one average w per class
    # psi 0: every sample of a class is that class's average image; different classes differ.
    images = signatures["sample"](
        labels=tf.constant([3, 3, 7]), seed=tf.constant(0, tf.int64), truncation=tf.constant(0.0)
    )["images"].numpy()
    same_class = np.abs(images[0].astype(int) - images[1]).max()  # one pixel level: a CPU's rounding
    assert same_class <= 1 and not np.array_equal(images[0], images[2])
    out_file = tmp_path / "sevens.png"
    sample = ["sample", "--model", export, "--num", "4", "--labels", "7", "--truncation", "0.5", "--out", str(out_file)]
    assert kgan_cli.main(sample) == 0 and out_file.exists()
    assert kgan_cli.main(["train", "--recipe", "dcgan", "--labels", "--run-dir", str(tmp_path / "r")]) == 2
    assert "--labels is an option of --recipe r3gan or stylegan2" in capsys.readouterr().err


def test_translation_recipes_train_on_images_alone_and_translate_a_folder(tmp_path, capsys):
    import kgan_cli

    small = ["--dataset", "digits", "--limit", "64", "--batch-size", "32", "--width", "8", "--epochs", "1"]
    sr = tmp_path / "srgan"
    assert kgan_cli.main(["train", "--recipe", "srgan", "--scale", "2", *small, "--run-dir", str(sr)]) == 0
    export = str(sr / "generator")
    assert f"kgan translate --model {export} --images YOUR_IMAGES --out translated" in capsys.readouterr().out
    assert sorted(os.listdir(sr)) == ["checkpoints", "config.json", "generator", "logs", "samples"]  # no latent walks
    grid = tf.io.decode_png(tf.io.read_file(str(sr / "samples" / "epoch_0001.png"))).numpy()
    assert grid.shape[0] == 3 * 9 + 1  # sources, outputs, targets
    low = tmp_path / "low"
    pixels = kgan.data.low_resolution(kgan.data.load_arrays("digits")[0][:12], 2)
    for i, image in enumerate(pixels):
        kgan.images.save_png(str(low / ("sub" if i % 3 == 0 else "") / f"{i}.png"), image)
    high = tmp_path / "high"
    translate = ["translate", "--model", export, "--images", str(low), "--out", str(high)]
    assert kgan_cli.main([*translate, "--batch-size", "5"]) == 0  # in batches: 5, 5, 2
    assert "translated 12 images" in capsys.readouterr().out
    expected = kgan.images.to_uint8(kgan.trained.open_generator(export).translate(kgan.images.from_uint8(pixels)))
    for i in range(12):
        written = tf.io.decode_png(tf.io.read_file(str(high / ("sub" if i % 3 == 0 else "") / f"{i}.png"))).numpy()
        assert written.shape == (8, 8, 1) and np.abs(written.astype(int) - expected[i]).max() <= 1

    ip = tmp_path / "inpainting"
    assert kgan_cli.main(["train", "--recipe", "inpainting", "--hole-size", "0.4", *small, "--run-dir", str(ip)]) == 0
    assert "--masks YOUR_MASKS --out translated" in capsys.readouterr().out
    assert keras.saving.load_model(str(ip / "checkpoints" / "epoch_0001.keras")).hole_size == 0.4
    masks = tmp_path / "masks"
    for i in range(12):
        hole = np.zeros((8, 8, 1), np.uint8)
        hole[2:6, 2:6] = 255
        kgan.images.save_png(str(masks / ("sub" if i % 3 == 0 else "") / f"{i}.png"), hole)
    inpaint = ["translate", "--model", str(ip / "generator"), "--images", str(low), "--resize"]
    assert kgan_cli.main([*inpaint, "--masks", str(masks), "--out", str(tmp_path / "filled")]) == 0
    assert len(os.listdir(tmp_path / "filled")) == 12 - 4 + 2  # 8 images, sub/ and translated.json
    source = kgan.data.folder.decode_and_resize(tf.io.read_file(str(low / "1.png")), (8, 8), 1).numpy()
    hole = np.zeros((1, 8, 8, 1), np.float32)
    hole[:, 2:6, 2:6] = 1.0
    wanted = kgan.trained.open_generator(str(ip / "generator")).translate((kgan.images.from_uint8(source[None]), hole))
    filled = tf.io.decode_png(tf.io.read_file(str(tmp_path / "filled" / "1.png"))).numpy().astype(int)
    assert np.abs(filled - kgan.images.to_uint8(wanted)[0]).max() <= 1
    outside = hole[0] == 0  # only the hole is filled: the rest is the image itself
    assert np.abs(filled - source.astype(int))[outside].max() <= 1

    # One line and exit 2 for each mistake.
    os.remove(masks / "sub" / "3.png")
    for argv, message in (
        (translate, "holds an earlier translation. Pass --overwrite"),
        ([*translate[:-1], str(tmp_path / "x"), "--masks", str(masks)], "--masks is for inpainting models"),
        ([*inpaint, "--out", str(tmp_path / "y")], "also takes masks (an inpainting model fills holes)"),
        ([*inpaint, "--masks", str(masks), "--out", str(tmp_path / "z")], "1 images have no mask of the same name"),
        (["translate", "--model", export, "--images", str(masks), "--out", str(tmp_path / "w")], "is 8x8; the model"),
        (["train", "--recipe", "srgan", *small, "--latent-dim", "8", "--run-dir", str(tmp_path / "v")], "no latent"),
    ):
        assert kgan_cli.main(argv) == 2
        error = capsys.readouterr().err
        assert message in error and len(error.strip().splitlines()) == 1, error


def test_pix2pix_trains_on_side_by_side_files_two_folders_or_a_datasets_pairs(tmp_path, capsys):
    import kgan_cli

    digits = kgan.data.load_arrays("digits")[0][:64]
    for i, image in enumerate(np.repeat(digits, 3, axis=-1)):  # A: the digit, B: its negative
        kgan.images.save_png(str(tmp_path / "ab" / f"{i}.png"), np.concatenate([image, 255 - image], axis=1))
        kgan.images.save_png(str(tmp_path / "a" / f"{i}.png"), image)
        kgan.images.save_png(str(tmp_path / "b" / f"{i}.png"), 255 - image)
    small = ["--recipe", "pix2pix", "--batch-size", "32", "--width", "8", "--epochs", "1"]
    folder = ["--image-size", "8", "--channels", "1"]
    side = tmp_path / "side"
    argv = ["train", *small, *folder, "--image-folder", str(tmp_path / "ab"), "--direction", "BtoA"]
    assert kgan_cli.main([*argv, "--run-dir", str(side)]) == 0
    out = capsys.readouterr().out
    assert "on side-by-side pairs in" in out and "(right -> left)" in out
    model = keras.saving.load_model(str(side / "checkpoints" / "epoch_0001.keras"))
    assert type(model) is kgan.Pix2Pix and model.source_shape == (8, 8, 1) and model.target_channels == 1
    grid = tf.io.decode_png(tf.io.read_file(str(side / "samples" / "epoch_0001.png"))).numpy()
    assert grid.shape[0] == 3 * 9 + 1  # sources, outputs, targets
    pairs = tmp_path / "pairs"
    argv = ["train", *small, *folder, "--pairs", str(tmp_path / "a"), str(tmp_path / "b"), "--limit", "32"]
    assert kgan_cli.main([*argv, "--run-dir", str(pairs)]) == 0
    assert f"on pairs {tmp_path / 'a'} -> {tmp_path / 'b'}: 1 epoch of 1 step" in capsys.readouterr().out
    named = tmp_path / "named"
    assert kgan_cli.main(["train", *small, "--dataset", "digits", "--limit", "64", "--run-dir", str(named)]) == 0
    assert "on digits edges -> images pairs" in capsys.readouterr().out
    translated = tmp_path / "translated"
    assert (
        kgan_cli.main(
            [
                "translate",
                "--model",
                str(pairs / "generator"),
                "--images",
                str(tmp_path / "a"),
                "--out",
                str(translated),
            ]
        )
        == 0
    )
    assert len(os.listdir(translated)) == 64 + 1
    for argv, message in (
        (
            [*small, "--pairs", str(tmp_path / "a"), str(tmp_path / "b"), "--image-folder", str(tmp_path / "ab")],
            "trains on pairs: pass one of --pairs",
        ),
        (["--pairs", str(tmp_path / "a"), str(tmp_path / "b")], "--pairs is for --recipe pix2pix"),
        ([*small, "--dataset", "mnist", "--data-dir", str(tmp_path / "none")], "does not exist"),
        ([*small, "--direction", "left"], "invalid choice: 'left'"),
    ):
        with pytest.raises(SystemExit) if "invalid choice" in message else contextlib.nullcontext():
            assert kgan_cli.main(["train", *argv, "--run-dir", str(tmp_path / "refused")]) == 2
        error = capsys.readouterr().err
        assert message in error, error


def test_cyclegan_trains_on_two_domains_and_translates_both_ways(tmp_path, capsys):
    import kgan_cli

    digits = kgan.data.load_arrays("digits")[0][:64]
    for i, image in enumerate(digits):
        kgan.images.save_png(str(tmp_path / "a" / f"{i}.png"), image)
        kgan.images.save_png(str(tmp_path / "b" / f"n{i}.png"), 255 - image)  # unpaired: no shared names
    small = ["--recipe", "cyclegan", "--batch-size", "32", "--width", "8", "--epochs", "1"]
    run = tmp_path / "run"
    domains = ["--domains", str(tmp_path / "a"), str(tmp_path / "b"), "--image-size", "8", "--channels", "1"]
    assert kgan_cli.main(["train", *small, *domains, "--run-dir", str(run)]) == 0
    out = capsys.readouterr().out
    assert f"on domains {tmp_path / 'a'} and {tmp_path / 'b'}" in out and "--direction BtoA --images" in out
    grid = tf.io.decode_png(tf.io.read_file(str(run / "samples" / "epoch_0001.png"))).numpy()
    assert grid.shape[0] == 6 * 9 + 1  # A, A -> B, A -> B -> A, then B's three rows
    model = keras.saving.load_model(str(run / "checkpoints" / "epoch_0001.keras"))
    export = str(run / "generator")
    for direction, folder, expected in (("AtoB", "a", "a_to_b"), ("BtoA", "b", "b_to_a")):
        out = tmp_path / f"out_{direction}"
        argv = ["translate", "--model", export, "--direction", direction, "--images", str(tmp_path / folder)]
        assert kgan_cli.main([*argv, "--out", str(out)]) == 0
        written = tf.io.decode_png(tf.io.read_file(str(out / ("0.png" if folder == "a" else "n0.png")))).numpy()
        source = digits[:1] if folder == "a" else 255 - digits[:1]
        wanted = kgan.images.to_uint8(model.translate(kgan.images.from_uint8(source), expected))[0]
        assert np.abs(written.astype(int) - wanted).max() <= 1
    assert (
        kgan_cli.main(["train", *small, "--run-dir", str(tmp_path / "named"), "--dataset", "digits", "--limit", "64"])
        == 0
    )
    assert "on digits (A) and its negatives (B)" in capsys.readouterr().out
    refused = ["train", *small, *domains, "--dataset", "digits", "--run-dir", str(tmp_path / "x")]
    assert kgan_cli.main(refused) == 2 and "trains on two domains" in capsys.readouterr().err
    assert kgan_cli.main(["train", "--recipe", "srgan", *domains, "--run-dir", str(tmp_path / "y")]) == 2
    assert "--domains is for --recipe cyclegan" in capsys.readouterr().err


def test_stacked_mnist_trains_from_mnists_folder_and_evaluate_counts_its_modes(shared_data, tmp_path, capsys):
    import kgan_cli as cli

    run = tmp_path / "run"
    small = ["--width", "4", "--latent-dim", "4", "--limit", "256", "--epochs", "1", "--run-dir", str(run)]
    env_root = ["--data-dir", str(shared_data / "mnist")]
    assert cli.main(["train", "--dataset", "stacked_mnist", *env_root, *small]) == 0
    assert f"training a DCGAN on stacked_mnist from {shared_data / 'mnist'}" in capsys.readouterr().out
    assert json.loads((run / "config.json").read_text())["image_shape"] == [28, 28, 3]
    assert cli.main(["evaluate", "--model", str(run / "generator"), "--num-samples", "500"]) == 0
    found = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    # The run's dataset and folder are the default. A four-step generator draws few of the modes: a KL
    # from uniform above log(10), which no 10-class classifier can show, and at most log(1,000).
    assert found["extractor"] == "stacked_mnist_extractor" and found["real_samples"] == 500
    assert 1 <= found["classes_covered"] < 50 and math.log(10) < found["class_kl"] <= math.log(1000) + 1e-6
    assert found["fid"] > 0 and 0 < found["confidence"] <= 1


@needs_offline
def test_offline_an_explicit_dataset_fails_fast_naming_the_choices(tmp_path):
    env = {"KGAN_DATA_DIR": "", "TFDS_DATA_DIR": str(tmp_path / "tfds")}
    started = time.perf_counter()
    result = run_kgan("train", "--dataset", "mnist", "--run-dir", str(tmp_path / "run"), env=env, offline=True)
    # TFDS' download retries take minutes; TensorFlow's start on a busy 2-core CPU up to ~20 s (17 s seen).
    assert time.perf_counter() - started < 45
    assert result.returncode == 2, result.stderr
    assert "cannot be reached" in result.stderr and "Traceback" not in result.stderr
    for choice in ("--data-dir", "KGAN_DATA_DIR", "--dataset digits", "--image-folder"):
        assert choice in result.stderr
    assert "kgan.data.load" not in result.stderr  # the command line's own options, not Python calls
    fashion_sized = kgan.export_generator(kgan.DCGAN((28, 28, 1), latent_dim=4, width=4, seed=0), str(tmp_path / "g"))
    started = time.perf_counter()
    result = run_kgan("evaluate", "--model", fashion_sized, "--dataset", "fashion_mnist", env=env, offline=True)
    assert time.perf_counter() - started < 45
    assert result.returncode == 2 and "cannot be reached" in result.stderr
    assert "--data-dir" in result.stderr and "KGAN_DATA_DIR" in result.stderr


@needs_offline
def test_offline_without_data_the_default_run_trains_on_the_shipped_digits(tmp_path):
    env = {"KGAN_DATA_DIR": "", "TFDS_DATA_DIR": str(tmp_path / "tfds")}
    result = run_kgan(
        "train",
        "--epochs",
        "1",
        "--limit",
        "256",
        "--batch-size",
        "32",
        "--width",
        "8",
        "--run-dir",
        str(tmp_path / "run"),
        env=env,
        offline=True,
    )
    assert result.returncode == 0, result.stderr
    notice = result.stdout.splitlines()[0]
    assert notice.startswith("MNIST not found") and "digits" in notice and "--data-dir" in notice
    assert json.loads((tmp_path / "run" / "config.json").read_text())["dataset"] == "digits"
    assert os.path.isfile(tmp_path / "run" / "generator" / "saved_model.pb")


def test_the_default_run_takes_mnist_from_kgan_data_dir(shared_data, tmp_path):
    result = run_kgan(
        "train",
        "--epochs",
        "1",
        "--limit",
        "256",
        "--batch-size",
        "64",
        "--width",
        "8",
        "--run-dir",
        str(tmp_path / "run"),
        env={"KGAN_DATA_DIR": str(shared_data)},
    )
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert f"mnist from {shared_data / 'mnist'}" in first
    # --precision auto (the default) says what it chose, and the run trains in it.
    chosen = kgan.precision.auto_precision()
    assert f"{chosen.policy} ({chosen.reason})" in first
    gan = keras.saving.load_model(str(tmp_path / "run" / "checkpoints" / "epoch_0001.keras"))
    assert gan.generator.layers[1].compute_dtype == ("bfloat16" if chosen.policy == "mixed_bfloat16" else "float32")
    # The next command finds the same data without the environment variable.
    assert f"--dataset mnist --data-dir {shared_data / 'mnist'}" in result.stdout
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config["dataset"] == "mnist" and config["image_shape"] == [28, 28, 1]
    assert config["precision"] == chosen.policy


@pytest.mark.parametrize("source", ["folder", "tfrecords"])
def test_limit_applies_to_image_folders_and_tfrecords(source, tmp_path):
    images, _ = kgan.data.load_arrays("digits")
    if source == "folder":
        for i, image in enumerate(images[:100]):
            kgan.images.save_png(str(tmp_path / "images" / f"{i:03d}.png"), image)
        option = ["--image-folder", str(tmp_path / "images")]
    else:
        kgan.data.write_tfrecords(images[:100], str(tmp_path / "records" / "digits"), shard_size=30)
        option = ["--tfrecords", str(tmp_path / "records" / "digits-*.tfrecord")]
    result = run_kgan(
        "train",
        *option,
        "--limit",
        "40",
        "--batch-size",
        "8",
        "--image-size",
        "8",
        "--channels",
        "1",
        "--width",
        "8",
        "--latent-dim",
        "8",
        "--epochs",
        "1",
        "--no-export",
        "--run-dir",
        str(tmp_path / "run"),
    )
    assert result.returncode == 0, result.stderr
    assert "of 5 steps" in result.stdout  # 40 images in batches of 8, not 100
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config["image_shape"] == [8, 8, 1] and config["image_size"] == 8 and config["limit"] == 40


def test_a_folder_with_too_few_images_says_so(tmp_path):
    kgan.images.save_png(str(tmp_path / "one" / "a.png"), np.zeros((8, 8, 1), np.uint8))
    result = run_kgan(
        "train", "--image-folder", str(tmp_path / "one"), "--image-size", "8", "--run-dir", str(tmp_path / "run")
    )
    assert result.returncode == 2 and "holds 1 images, fewer than one batch" in result.stderr
    result = run_kgan(
        "train",
        "--image-folder",
        str(tmp_path / "one"),
        "--image-size",
        "8",
        "--batch-size",
        "1",
        "--run-dir",
        str(tmp_path / "run"),
    )
    assert result.returncode == 2 and "a single image" in result.stderr and "Traceback" not in result.stderr


# --- kgan board ------------------------------------------------------------------------------------


def _start_board(*args):
    """`kgan board ...` in a process of its own, as a user starts it; returns it and the address it printed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kgan_cli", "board", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    line = process.stdout.readline()
    return process, (line.split(": ", 1)[1].split()[0] if line.startswith("TensorBoard on") else None)


def _stop(process):
    process.send_signal(signal.SIGINT)  # Ctrl-C
    process.wait(timeout=30)
    return process.returncode


def test_board_serves_a_run_and_takes_a_free_port_when_one_is_busy(trained_run):
    import urllib.request

    run_dir, _ = trained_run
    first, first_url = _start_board(str(run_dir))
    try:
        assert first_url is not None, first.stderr.read()
        runs = json.loads(urllib.request.urlopen(first_url + "data/runs", timeout=30).read())
        assert runs == ["logs"]  # one run for the whole of logs/
        # Every epoch's images kept: TensorBoard was started with --samples_per_plugin images=...
        tags = json.loads(urllib.request.urlopen(first_url + "data/plugin/images/tags", timeout=30).read())
        assert "samples/grid" in tags["logs"]
        # A second board while the first holds its port: another free port, no error.
        second, second_url = _start_board(str(run_dir))
        assert second_url is not None and second_url != first_url, second.stderr.read()
        assert _stop(second) == 0
        # A port named by the user and in use: one clear line, exit code 2.
        port = first_url.rstrip("/").rsplit(":", 1)[1]
        busy = run_kgan("board", str(run_dir), "--port", port)
        assert busy.returncode == 2 and "Traceback" not in busy.stderr
        assert f"port {port} on 127.0.0.1 is in use" in busy.stderr and len(busy.stderr.strip().splitlines()) == 1
    finally:
        assert _stop(first) == 0


def test_board_refuses_folders_without_logs_and_a_missing_tensorboard(trained_run, tmp_path):
    result = run_kgan("board", str(tmp_path))
    assert result.returncode == 2 and "holds no TensorBoard logs" in result.stderr and "Traceback" not in result.stderr
    result = run_kgan("board", str(tmp_path / "nowhere"))
    assert result.returncode == 2 and "is not a folder" in result.stderr
    run_dir, _ = trained_run
    # A Python in which TensorBoard cannot be imported.
    script = "import sys, kgan_cli; sys.modules['tensorboard'] = None; sys.exit(kgan_cli.main(sys.argv[1:]))"
    result = subprocess.run([sys.executable, "-c", script, "board", str(run_dir)], capture_output=True, text=True)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "kgan board: error: TensorBoard is not installed in this Python; pip install tensorboard (kgan's install "
        "includes it)."
    )


def test_train_with_board_serves_the_run_while_and_after_it_trains(tmp_path):
    import urllib.request

    command = [sys.executable, "-m", "kgan_cli", "train", *TINY, "--epochs", "1", "--no-export", "--board"]
    errors = open(tmp_path / "stderr.txt", "w+")
    process = subprocess.Popen(
        [*command, "--run-dir", str(tmp_path / "run")], stdout=subprocess.PIPE, stderr=errors, text=True
    )
    try:
        lines = [process.stdout.readline(), process.stdout.readline()]  # what it trains, then where to watch
        assert lines[1].startswith(f"TensorBoard on {tmp_path / 'run'}: http://127.0.0.1:"), lines
        url = lines[1].split(": ", 1)[1].strip()
        while not lines[-1].startswith("TensorBoard keeps serving"):
            lines.append(process.stdout.readline())
            assert lines[-1], "".join(lines) + (tmp_path / "stderr.txt").read_text()
        assert any(line.startswith("epoch 1/1") for line in lines)
        # TensorBoard started before the logs existed; it finds them at its next reload (every 5 s).
        deadline = time.monotonic() + 60
        while json.loads(urllib.request.urlopen(url + "data/runs", timeout=30).read()) != ["logs"]:
            assert time.monotonic() < deadline, "TensorBoard never showed the run"
            time.sleep(1)
    finally:
        assert _stop(process) == 0


def test_board_leaves_no_server_behind_however_it_ends(trained_run):
    import urllib.request

    run_dir, _ = trained_run
    for how in (signal.SIGTERM, signal.SIGKILL):
        board, url = _start_board(str(run_dir))
        assert url is not None, board.stderr.read()
        urllib.request.urlopen(url + "data/runs", timeout=30)  # serving
        board.send_signal(how)
        board.wait(timeout=30)
        assert board.returncode == (0 if how == signal.SIGTERM else -signal.SIGKILL)
        deadline = time.monotonic() + 30
        while True:  # TensorBoard goes with it (on Linux, even after kill -9)
            try:
                urllib.request.urlopen(url + "data/runs", timeout=2)
            except OSError:
                break
            assert time.monotonic() < deadline, f"TensorBoard still serves {url} after kgan board got {how!r}"
            time.sleep(0.5)


def test_r3gan_trains_with_schedules_that_end_with_the_run(tmp_path, capsys):
    import kgan_cli

    run = tmp_path / "r3gan"
    small = ["--batch-size", "32", "--width", "4", "--latent-dim", "8", "--epochs", "2", "--limit", "64"]
    options = ["--gamma", "0.2", "--penalty-every", "2"]
    train = ["train", "--recipe", "r3gan", *options, "--dataset", "digits", *small, "--run-dir", str(run)]
    assert kgan_cli.main(train) == 0
    assert "training an R3GAN on digits" in capsys.readouterr().out
    gan = kgan.load_gan(str(run / "checkpoints" / "epoch_0002.keras"))
    steps = int(gan.g_optimizer.iterations)
    assert steps == 4  # 2 epochs of 2 batches: the schedules' length
    assert float(gan.regularizers[0].weight_at(steps)) == pytest.approx(0.02)  # --gamma, down to a tenth
    assert [regularizer.every for regularizer in gan.regularizers] == [2, 2]  # lazy R1 and R2
    assert float(gan.d_optimizer.beta_2_schedule(steps)) == pytest.approx(0.99)  # 0.9 rising to 0.99
    assert float(gan.g_optimizer.learning_rate) == pytest.approx(5e-5)  # 2e-4 falling to a quarter
    sample = tf.saved_model.load(str(run / "generator")).signatures["sample"]
    assert sample(count=tf.constant(2), seed=tf.constant(0, tf.int64))["images"].shape == (2, 8, 8, 1)
