"""Readers for the original dataset files: MNIST/Fashion-MNIST idx, CIFAR-10 .npz, sklearn digits.

Each reader returns `(images, labels)` as NumPy arrays: uint8 images `(n, height, width, channels)`
in [0, 255] and int labels `(n,)`. They parse and check the files themselves (magic numbers,
sizes), so a truncated or corrupt download fails here with the file's name rather than later
inside training.
"""

from __future__ import annotations

import gzip
import importlib.resources
import io
import os
import zlib

import numpy as np

_IDX_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
_IDX_IMAGES_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions
_IDX_LABELS_MAGIC = 0x00000801  # unsigned bytes, 1 dimension

DIGITS_RESOURCE = "digits.csv.gz"


def _read_maybe_gzipped(path):
    try:
        with open(path, "rb") as f:
            raw = f.read()
        return gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    except (OSError, EOFError, zlib.error) as error:
        raise ValueError(
            f"Could not read {path}: {error}. The file is corrupt or truncated; download it again."
        ) from error


def read_idx(path, expected_magic=None):
    """Reads an idx file (gzipped or not) into a uint8 array with the dimensions it declares."""
    data = _read_maybe_gzipped(path)
    if len(data) < 4:
        raise ValueError(f"{path} is too short to be an idx file ({len(data)} bytes).")
    magic = int.from_bytes(data[:4], "big")
    if data[0:2] != b"\x00\x00" or data[2] != 0x08 or (expected_magic and magic != expected_magic):
        raise ValueError(
            f"{path} is not an idx file of unsigned bytes (magic number {magic:#010x}"
            + (f", expected {expected_magic:#010x}" if expected_magic else "")
            + "). Check that it is the original MNIST-format file."
        )
    ndim = data[3]
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(shape)) + header
    if len(data) != expected:
        raise ValueError(
            f"{path} declares shape {shape} ({expected} bytes with its header) but holds "
            f"{len(data)} bytes: the file is truncated or corrupt; download it again."
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def _find(data_dir, stem):
    for name in (stem + ".gz", stem, stem.replace("-idx", ".idx")):
        path = os.path.join(data_dir, name)
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(
        f"No {stem}.gz (or uncompressed {stem}) in {data_dir}. The folder must hold the original "
        "idx files: train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
        "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz."
    )


def read_mnist_format(data_dir, split="train"):
    """Reads MNIST or Fashion-MNIST from its four original idx files in `data_dir`."""
    if split not in _IDX_FILES:
        raise ValueError(f"split must be one of {sorted(_IDX_FILES)}, got {split!r}.")
    images_stem, labels_stem = _IDX_FILES[split]
    images = read_idx(_find(data_dir, images_stem), _IDX_IMAGES_MAGIC)
    labels = read_idx(_find(data_dir, labels_stem), _IDX_LABELS_MAGIC)
    if len(images) != len(labels):
        raise ValueError(
            f"{data_dir}: {len(images)} images but {len(labels)} labels for split {split!r}; the "
            "files do not belong together."
        )
    return images[..., None], labels.astype(np.int64)


def read_cifar10_npz(data_dir, split="train"):
    """Reads CIFAR-10 from `.npz` files in `data_dir` holding `x_<split>` and `y_<split>` arrays.

    The file is `cifar10_<split>.npz`, or the only `cifar10_<split>*.npz` (such as
    `cifar10_train_subset10k.npz`). Loaded with `allow_pickle=False`.
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}.")
    candidates = sorted(
        name for name in os.listdir(data_dir) if name.startswith(f"cifar10_{split}") and name.endswith(".npz")
    )
    if not candidates:
        raise FileNotFoundError(
            f"No cifar10_{split}*.npz in {data_dir}. Expected an .npz file with arrays "
            f"x_{split} (n, 32, 32, 3) uint8 and y_{split} (n,)."
        )
    path = os.path.join(data_dir, candidates[0])
    try:
        with np.load(path, allow_pickle=False) as archive:
            images, labels = archive[f"x_{split}"], archive[f"y_{split}"]
    except (OSError, ValueError, KeyError, zlib.error) as error:
        raise ValueError(f"Could not read CIFAR-10 arrays x_{split}/y_{split} from {path}: {error}") from error
    if images.dtype != np.uint8 or images.ndim != 4 or images.shape[1:] != (32, 32, 3):
        raise ValueError(f"{path}: x_{split} must be uint8 (n, 32, 32, 3), got {images.dtype} {images.shape}.")
    return images, labels.reshape(-1).astype(np.int64)


def read_digits_csv(path=None):
    """Reads scikit-learn's 8x8 digits (1,797 images, 17 grey levels) from `digits.csv.gz`.

    With no path, reads the copy that ships inside kgan (UCI "Optical Recognition of Handwritten
    Digits", Alpaydin & Kaynak, CC BY 4.0). Pixel values 0..16 are stretched to 0..255.
    """
    if path is None:
        raw = importlib.resources.files("kgan.data").joinpath("resources", DIGITS_RESOURCE).read_bytes()
        text = gzip.decompress(raw)
        source = f"kgan's embedded {DIGITS_RESOURCE}"
    else:
        text = _read_maybe_gzipped(path)
        source = path
    try:
        table = np.loadtxt(io.BytesIO(text), delimiter=",", dtype=np.int64, ndmin=2)
    except ValueError as error:
        raise ValueError(f"{source} is not a CSV of integers: {error}") from error
    if table.shape[1] != 65 or table[:, :64].min() < 0 or table[:, :64].max() > 16:
        raise ValueError(
            f"{source}: expected rows of 64 pixel values in 0..16 and a label (65 columns), got shape {table.shape}."
        )
    images = np.round(table[:, :64] * (255.0 / 16.0)).astype(np.uint8).reshape(-1, 8, 8, 1)
    return images, table[:, 64]
