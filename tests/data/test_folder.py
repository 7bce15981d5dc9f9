"""kgan.data.image_folder: streaming folders of images."""

import numpy as np
import pytest
import tensorflow as tf

import kgan
import kgan.images


def _write_png(path, pixels):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(tf.io.encode_png(pixels).numpy())


@pytest.fixture
def folder(tmp_path):
    rng = np.random.default_rng(0)
    for name in ("cats", "dogs"):
        for i in range(5):
            _write_png(tmp_path / "pets" / name / f"{i}.png", rng.integers(0, 256, (20, 16, 3), dtype=np.uint8))
    return tmp_path / "pets"


def test_image_folder_streams_resized_labelled_images(folder):
    ds = kgan.data.image_folder(str(folder), (8, 8), batch_size=4, labels=True, seed=0)
    assert ds.class_names == ["cats", "dogs"]
    batches = list(ds)
    assert len(batches) == 2
    images, labels = batches[0]
    assert images.shape == (4, 8, 8, 3) and images.dtype == tf.float32
    assert -1.0 <= float(tf.reduce_min(images)) and float(tf.reduce_max(images)) <= 1.0
    all_labels = sorted(
        np.concatenate([y.numpy() for _, y in kgan.data.image_folder(str(folder), (8, 8), batch_size=10, labels=True)])
    )
    assert all_labels == [0] * 5 + [1] * 5
    gray = next(iter(kgan.data.image_folder(str(folder), (8, 8), batch_size=2, channels=1)))
    assert gray.shape == (2, 8, 8, 1)
    square = kgan.data.image_folder(str(folder), 6, batch_size=3, shuffle=False, limit=7)  # an int is a square
    assert [tuple(b.shape) for b in square] == [(3, 6, 6, 3), (3, 6, 6, 3)]  # the first 7 images


def test_image_folder_trains_a_dcgan(folder):
    ds = kgan.data.image_folder(str(folder), (8, 8), batch_size=5, seed=0)
    gan = kgan.DCGAN(image_shape=(8, 8, 3), latent_dim=8, width=8, seed=0)
    gan.compile()
    history = gan.fit(ds, epochs=1, verbose=0).history
    assert np.isfinite(history["d_loss"][0])


def test_image_folder_errors_name_the_problem(folder, tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        kgan.data.image_folder(str(tmp_path / "missing"), (8, 8))
    empty = tmp_path / "empty"
    (empty / "sub").mkdir(parents=True)
    (empty / "notes.txt").write_text("no images here")
    with pytest.raises(ValueError, match="No images in"):
        kgan.data.image_folder(str(empty), (8, 8))
    (folder / "cats" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)
    with pytest.raises(ValueError, match=r"Cannot decode image .*broken\.png"):
        kgan.data.image_folder(str(folder), (8, 8), batch_size=2)
    (folder / "cats" / "broken.png").unlink()
    _write_png(folder / "loose.png", np.zeros((4, 4, 3), np.uint8))
    with pytest.raises(ValueError, match="labels=True needs every image in a class subfolder"):
        kgan.data.image_folder(str(folder), (8, 8), batch_size=2, labels=True)
    for size in ((8,), (8, 0), 8.5, "8"):
        with pytest.raises(ValueError, match="image_size must be a positive int"):
            kgan.data.image_folder(str(folder), size)
    with pytest.raises(ValueError, match="limit must be a positive int"):
        kgan.data.image_folder(str(folder), 8, limit=0)
