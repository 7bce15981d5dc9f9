"""ImageGrid output (PNG and TensorBoard) and the exported SavedModel, loaded without kgan."""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf

import kgan
from kgan import images as images_lib
from tests.conftest import summaries, tiny_dcgan


def test_image_grid_writes_pngs_and_tensorboard_images(digits_dataset, tmp_path):
    gan = tiny_dcgan()
    gan.compile()
    grid = kgan.callbacks.ImageGrid(log_dir=str(tmp_path / "logs"), num_images=16)
    gan.fit(digits_dataset, epochs=2, callbacks=[grid], verbose=0)
    pngs = sorted(os.listdir(tmp_path / "logs" / "samples"))
    assert pngs == ["epoch_0001.png", "epoch_0002.png"]
    picture = tf.io.decode_png(tf.io.read_file(str(tmp_path / "logs" / "samples" / pngs[-1]))).numpy()
    assert picture.shape == (4 * 9 + 1, 4 * 9 + 1, 1)  # 4x4 images of 8x8, 1 px apart
    # The PNG shows exactly the generator's output for the fixed latent batch.
    latent = np.random.default_rng(0).standard_normal((16, gan.latent_dim)).astype(np.float32)
    np.testing.assert_array_equal(picture, images_lib.tile(images_lib.to_uint8(gan.generate(latent=latent))))
    images = summaries(tmp_path / "logs" / "images")
    assert sorted((tag, step) for tag, step, _, _ in images) == [("samples", 1), ("samples", 2)]
    np.testing.assert_array_equal([s for s in images if s[1] == 2][0][3], picture)


def test_tensorboard_writes_epoch_curves_and_grids_whatever_the_batch_schedule(digits_dataset, tmp_path):
    # 8 batches an epoch with update_freq=3: epoch ends fall off the batch schedule, where Keras'
    # own callback mutes every summary (tensorflow/tensorflow#49109).
    gan = tiny_dcgan()
    gan.compile()
    log_dir = tmp_path / "logs"
    gan.fit(
        digits_dataset,
        epochs=2,
        verbose=0,
        callbacks=[
            kgan.callbacks.TensorBoard(str(log_dir), update_freq=3),
            kgan.callbacks.ImageGrid(log_dir=str(log_dir), num_images=4),
        ],
    )
    scalars = summaries(log_dir / "train")
    for name in ("d_loss", "g_loss", "d_real", "d_fake"):
        assert [step for tag, step, _, _ in scalars if tag == f"epoch_{name}"] == [0, 1], name
        assert [step for tag, step, _, _ in scalars if tag == f"batch_{name}"] == [3, 6, 9, 12, 15]
    history_like = [v for tag, _, _, v in scalars if tag == "epoch_d_loss"]
    assert all(np.isfinite(history_like))
    assert [step for tag, step, _, _ in summaries(log_dir / "images")] == [1, 2]


def test_image_grid_every_n_epochs_keeps_the_last(digits_dataset, tmp_path):
    gan = tiny_dcgan()
    gan.compile()
    grid = kgan.callbacks.ImageGrid(png_dir=str(tmp_path), num_images=4, every=2)
    gan.fit(digits_dataset.take(1), epochs=3, callbacks=[grid], verbose=0)
    assert sorted(os.listdir(tmp_path)) == ["epoch_0002.png", "epoch_0003.png"]
    with pytest.raises(ValueError, match="needs log_dir"):
        kgan.callbacks.ImageGrid()


def test_tile_and_to_uint8():
    images = np.stack([np.full((2, 3, 1), v, np.float32) for v in (-1.0, 0.0, 1.0)])
    pixels = images_lib.to_uint8(images)
    assert pixels[:, 0, 0, 0].tolist() == [0, 128, 255]
    grid = images_lib.tile(pixels, columns=2, padding=1)
    assert grid.shape == (2 * 3 + 1, 2 * 4 + 1, 1)
    assert grid[1, 1, 0] == 0 and grid[1, 5, 0] == 128 and grid[4, 1, 0] == 255 and grid[4, 5, 0] == 0


FRESH_PROCESS = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import tensorflow as tf
    model = tf.saved_model.load(sys.argv[1])
    serve, sample = model.signatures["serving_default"], model.signatures["sample"]
    latent = np.load(sys.argv[2])
    images = serve(latent=tf.constant(latent))["images"].numpy()
    np.save(sys.argv[3], images)
    a = sample(count=tf.constant(5), seed=tf.constant(7, tf.int64))["images"].numpy()
    b = sample(count=tf.constant(5), seed=tf.constant(7, tf.int64))["images"].numpy()
    c = sample(count=tf.constant(5), seed=tf.constant(8, tf.int64))["images"].numpy()
    print(json.dumps({
        "kgan_imported": any(name == "kgan" or name.startswith("kgan.") for name in sys.modules),
        "inputs": sorted(serve.structured_input_signature[1]),
        "sample_inputs": sorted(sample.structured_input_signature[1]),
        "sample_dtype": a.dtype.name, "sample_shape": list(a.shape),
        "same_seed_same": bool((a == b).all()), "other_seed_differs": bool((a != c).any()),
    }))
    """
)


def test_exported_generator_loads_without_kgan(digits_dataset, tmp_path):
    gan = tiny_dcgan(ema_decay=0.5)  # the export is the averaged generator, which generate() uses
    gan.compile()
    gan.fit(digits_dataset, epochs=1, verbose=0)
    path = kgan.export_generator(gan, str(tmp_path / "generator"))
    latent = np.random.default_rng(1).standard_normal((6, gan.latent_dim)).astype(np.float32)
    np.save(tmp_path / "latent.npy", latent)
    script = tmp_path / "load.py"
    script.write_text(FRESH_PROCESS)
    env = {**os.environ, "PYTHONPATH": ""}  # the tests' own path must not leak kgan in
    result = subprocess.run(
        [sys.executable, str(script), path, str(tmp_path / "latent.npy"), str(tmp_path / "out.npy")],
        capture_output=True, text=True, env=env, cwd=str(tmp_path), check=True,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {
        "kgan_imported": False,
        "inputs": ["latent"],
        "sample_inputs": ["count", "seed"],
        "sample_dtype": "uint8",
        "sample_shape": [5, 8, 8, 1],
        "same_seed_same": True,
        "other_seed_differs": True,
    }
    np.testing.assert_allclose(np.load(tmp_path / "out.npy"), gan.generate(latent=latent), atol=1e-5)


def test_export_rejects_a_generator_without_latent_input(tmp_path):
    import keras

    inputs = keras.Input((8, 8, 1))
    not_a_generator = keras.Model(inputs, keras.layers.Flatten()(inputs))
    with pytest.raises(ValueError, match="must take latent vectors"):
        kgan.export_generator(None, str(tmp_path / "x"), generator=not_a_generator)
