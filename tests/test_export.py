"""kgan.export_generator: the SavedModel, loaded without kgan."""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import kgan
from tests.conftest import tiny_dcgan

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
        capture_output=True,
        text=True,
        env=env,
        cwd=str(tmp_path),
        check=True,
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
