"""ImageGrid output (PNG and TensorBoard) and the exported SavedModel, loaded without kgan."""
import glob
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
from tests.conftest import tiny_dcgan


def _image_summaries(log_dir):
    """(tag, step, decoded image) for every image summary in a TensorBoard folder."""
    found = []
    for path in glob.glob(os.path.join(log_dir, "events.out.tfevents.*")):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                if value.metadata.plugin_data.plugin_name == "images":
                    encoded = tf.make_ndarray(value.tensor)[2]  # [width, height, png...]
                    found.append((value.tag, event.step, tf.io.decode_png(encoded).numpy()))
    return found


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
    summaries = _image_summaries(str(tmp_path / "logs" / "images"))
    assert sorted((tag, step) for tag, step, _ in summaries) == [("samples", 1), ("samples", 2)]
    np.testing.assert_array_equal([s for s in summaries if s[1] == 2][0][2], picture)


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
    gan = tiny_dcgan()
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
