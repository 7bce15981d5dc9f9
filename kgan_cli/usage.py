"""What every command shares: the user's mistakes as `UsageError`s, and the offline data choices."""

from __future__ import annotations

import contextlib
import os

OFFLINE_CHOICES = (
    "Offline choices: --data-dir FOLDER (a folder with the dataset's original files: MNIST and "
    "Fashion-MNIST idx .gz, CIFAR-10 .npz), KGAN_DATA_DIR=ROOT (with ROOT/<dataset>/), "
    "--dataset digits (ships with kgan) or --image-folder DIR (your own images)."
)


class UsageError(Exception):
    """A mistake in what the user asked for: reported in one line, exit code 2, no traceback."""


@contextlib.contextmanager
def users_input():
    """Turns the library's refusals of what the user gave (ValueError, OSError, ImportError for an
    extra that is not installed) into `UsageError`s. Wraps loading data and models, building and
    compiling from options, and writing outputs; never training itself."""
    try:
        yield
    except (ValueError, OSError, ImportError) as error:
        raise UsageError(str(error)) from None


def check_data_dir(data_dir):
    if data_dir is not None and not os.path.isdir(data_dir):
        raise UsageError(
            f"--data-dir {data_dir!r} does not exist; point it at the folder with the dataset's original "
            f"files. {OFFLINE_CHOICES}"
        )
