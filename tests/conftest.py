"""Shared fixtures: the real local datasets and tiny, fast GANs."""

import os
import pathlib

import numpy as np
import pytest

SHARED_DATA = pathlib.Path(__file__).resolve().parents[2] / "shared" / "data"
# CI sets it so that a missing ../shared/data fails those tests instead of skipping them.
REQUIRE_SHARED_DATA = "KGAN_REQUIRE_SHARED_DATA"


@pytest.fixture(scope="session")
def shared_data():
    """../shared/data beside the repository: MNIST, Fashion-MNIST, CIFAR-10 subset, digits.

    Without it the tests that read it are skipped, unless $KGAN_REQUIRE_SHARED_DATA=1 (CI).
    """
    if not SHARED_DATA.is_dir():
        reason = (
            f"needs the real datasets in {SHARED_DATA} (the 'shared/data' folder beside the "
            "repository, with mnist/, fashion_mnist/, cifar10/ and sklearn_digits/)"
        )
        if os.environ.get(REQUIRE_SHARED_DATA) == "1":
            pytest.fail(f"{REQUIRE_SHARED_DATA}=1 and this test {reason}.")
        pytest.skip(reason)
    return SHARED_DATA


@pytest.fixture(scope="session")
def mnist_dir(shared_data):
    return str(shared_data / "mnist")


@pytest.fixture(scope="session")
def mnist_test(mnist_dir):
    """MNIST's test images in [-1, 1] and their labels."""
    import kgan

    images, labels = kgan.data.load_arrays("mnist", mnist_dir, "test")
    return images.astype(np.float32) / 127.5 - 1.0, labels


@pytest.fixture(scope="session")
def digits():
    """The first 128 of the digits that ship with kgan: uint8 `(128, 8, 8, 1)`."""
    import kgan

    images, _ = kgan.data.load_arrays("digits")
    return images[:128]


@pytest.fixture
def digits_dataset():
    import kgan

    return kgan.data.load("digits", batch_size=32, seed=0, limit=256)


@pytest.fixture
def policy():
    """Sets a global dtype policy for building a model, and restores float32 afterwards."""
    import keras

    yield keras.mixed_precision.set_global_policy
    keras.mixed_precision.set_global_policy("float32")


def tiny_dcgan(seed=0, image_shape=(8, 8, 1), **kwargs):
    import kgan

    return kgan.DCGAN(image_shape=image_shape, latent_dim=8, width=8, seed=seed, **kwargs)


def summaries(log_dir):
    """`(tag, step, plugin, value)` of every summary in a TensorBoard folder's event files.

    Scalars come back as floats, images as decoded uint8 arrays, text as str, histograms as
    `(left edge, right edge, count)` rows, others (hparams, custom_scalars) as the raw tensor.
    """
    import glob

    import tensorflow as tf

    found = []
    for path in sorted(glob.glob(os.path.join(str(log_dir), "events.out.tfevents.*"))):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                plugin = value.metadata.plugin_data.plugin_name
                array = tf.make_ndarray(value.tensor)
                if plugin == "images":
                    array = tf.io.decode_png(array[2]).numpy()  # [width, height, png, ...]
                elif plugin == "text":
                    array = array.item().decode()
                elif plugin == "scalars":
                    array = float(array)
                found.append((value.tag, event.step, plugin, array))
    return found


def weights_of(model):
    return [v.numpy() for v in model.weights]


@pytest.fixture(autouse=True)
def _quiet_tf():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


_SAVEDMODEL_RUNNER = """
import json, sys
import numpy as np
import tensorflow as tf
signatures = {}
for job in json.load(open(sys.argv[1])):
    loaded = tf.saved_model.load(job["path"])
    inputs = dict(np.load(job["inputs"]))
    outputs = loaded.signatures[job["signature"]](**{k: tf.constant(v) for k, v in inputs.items()})
    # Strings as text, so the outputs load without pickle.
    arrays = {k: v.numpy().astype(str) if v.dtype == tf.string else v.numpy() for k, v in outputs.items()}
    np.savez(job["out"], **arrays)
    signatures[job["path"]] = {name: sorted(f.structured_input_signature[1]) for name, f in loaded.signatures.items()}
print(json.dumps({"kgan_imported": "kgan" in sys.modules, "signatures": signatures}))
"""


def run_savedmodel_without_kgan(path, signature, inputs, tmp_path):
    """Runs one signature of a SavedModel in a fresh Python that cannot import kgan.

    Returns `(outputs, report)`: the signature's outputs as NumPy arrays and a dict with
    `kgan_imported` and every signature's input names; `(stderr, None)` when the process fails.
    """
    outputs, report = run_savedmodels_without_kgan([(path, signature, inputs)], tmp_path)
    if report is None:
        return outputs, None
    return outputs[0], {**report, "signatures": report["signatures"][str(path)]}


def run_savedmodels_without_kgan(calls, tmp_path):
    """Runs `(path, signature, inputs)` calls of SavedModels in one fresh Python that cannot
    import kgan (one TensorFlow start-up for all).

    Returns `(outputs, report)`: each call's outputs as a dict of NumPy arrays, and a dict with
    `kgan_imported` and, by path, every signature's input names; `(stderr, None)` on failure.
    """
    import json
    import subprocess
    import sys

    script, jobs_file = tmp_path / "run_savedmodels.py", tmp_path / "savedmodel_jobs.json"
    script.write_text(_SAVEDMODEL_RUNNER)
    jobs = []
    for number, (path, signature, inputs) in enumerate(calls):
        inputs_file, out_file = tmp_path / f"inputs_{number}.npz", tmp_path / f"out_{number}.npz"
        np.savez(inputs_file, **inputs)
        jobs.append({"path": str(path), "signature": signature, "inputs": str(inputs_file), "out": str(out_file)})
    jobs_file.write_text(json.dumps(jobs))
    env = {**os.environ, "PYTHONPATH": "", "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, str(script), str(jobs_file)], capture_output=True, text=True, env=env, cwd=str(tmp_path)
    )
    if result.returncode != 0:
        return result.stderr, None
    outputs = [dict(np.load(job["out"])) for job in jobs]
    return outputs, json.loads(result.stdout.strip().splitlines()[-1])
