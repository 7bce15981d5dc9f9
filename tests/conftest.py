"""Shared fixtures: the real local datasets and tiny, fast GANs."""
import os
import pathlib

import numpy as np
import pytest

SHARED_DATA = pathlib.Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data():
    """../shared/data beside the repository: MNIST, Fashion-MNIST, CIFAR-10 subset, digits."""
    if not SHARED_DATA.is_dir():
        raise RuntimeError(
            f"The tests read real data from {SHARED_DATA}; place the shared data folder there."
        )
    return SHARED_DATA


@pytest.fixture(scope="session")
def mnist_dir(shared_data):
    return str(shared_data / "mnist")


@pytest.fixture
def digits_dataset():
    import kgan

    return kgan.data.load("digits", batch_size=32, seed=0, limit=256)


def tiny_dcgan(seed=0, image_shape=(8, 8, 1), **kwargs):
    import kgan

    return kgan.DCGAN(image_shape=image_shape, latent_dim=8, width=8, seed=seed, **kwargs)


def summaries(log_dir):
    """`(tag, step, plugin, value)` of every summary in a TensorBoard folder's event files.

    Scalars come back as floats, images as decoded uint8 arrays.
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
                else:
                    array = float(array)
                found.append((value.tag, event.step, plugin, array))
    return found


def weights_of(model):
    return [v.numpy() for v in model.weights]


@pytest.fixture(autouse=True)
def _quiet_tf():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
