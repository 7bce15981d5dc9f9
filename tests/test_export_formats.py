"""ONNX and LiteRT exports: run without TensorFlow or kgan, equal to the SavedModel's outputs."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

import kgan
import kgan_cli
from tests.conftest import tiny_dcgan

# Float32 on both sides; the runtimes fuse and order operations differently.
TOLERANCE = 1e-4

# Runs every export in a Python that imports neither TensorFlow nor kgan.
RUNTIMES = """
import json, sys
import numpy as np
import onnxruntime
from ai_edge_litert.interpreter import Interpreter
cases = json.load(open(sys.argv[1]))
for case in cases:
    feeds = dict(np.load(case["inputs"]))
    if case["file"].endswith(".onnx"):
        session = onnxruntime.InferenceSession(case["file"], providers=["CPUExecutionProvider"])
        images = session.run(["images"], feeds)[0]
    else:
        runner = Interpreter(model_path=case["file"]).get_signature_runner(case["signature"])
        images = runner(**feeds)["images"]
    np.save(case["out"], images)
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in ("tensorflow", "keras", "kgan"))))
"""


def savedmodel_outputs(path, signature, inputs):
    function = tf.saved_model.load(path).signatures[signature]
    return function(**{name: tf.constant(value) for name, value in inputs.items()})["images"].numpy()


def run_without_tensorflow(cases, tmp_path):
    """Runs `cases` ({file, signature, inputs}) in a fresh Python; returns their images in order."""
    for number, case in enumerate(cases):
        case["out"] = str(tmp_path / f"out_{number}.npy")
        np.savez(tmp_path / f"inputs_{number}.npz", **case.pop("feeds"))
        case["inputs"] = str(tmp_path / f"inputs_{number}.npz")
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    (tmp_path / "runtimes.py").write_text(RUNTIMES)
    result = subprocess.run(
        [sys.executable, str(tmp_path / "runtimes.py"), str(tmp_path / "cases.json")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": ""},
        cwd=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []  # no TensorFlow, Keras or kgan module
    return [np.load(case["out"]) for case in cases]


def random_inputs(function_inputs, seed=0):
    """Inputs for a signature's named specs: latents and images from N(0, 1), labels, truncation 0.7, masks."""
    rng = np.random.default_rng(seed)
    inputs = {}
    for name, spec in function_inputs.items():
        shape = [3 if size is None else size for size in spec.shape]
        if name == "labels":
            inputs[name] = rng.integers(0, 3, shape).astype(np.int32)
        elif name == "truncation":
            inputs[name] = np.float32(0.7)
        elif name == "masks":
            inputs[name] = (rng.random(shape) < 0.3).astype(np.float32)
        else:
            inputs[name] = np.clip(rng.standard_normal(shape), -1, 1).astype(np.float32)
    return inputs


FAMILIES = {
    "DCGAN": lambda: tiny_dcgan(ema_decay=0.5),
    "SNGAN": lambda: kgan.SNGAN((8, 8, 1), latent_dim=4, generator_width=4, discriminator_width=4, seed=0),
    "CGAN": lambda: kgan.CGAN((8, 8, 1), num_classes=3, latent_dim=4, width=4, seed=0),
    "ProjectionGAN": lambda: kgan.ProjectionGAN((8, 8, 1), num_classes=3, latent_dim=4, width=4, seed=0),
    "BigGAN": lambda: kgan.BigGAN((16, 16, 1), num_classes=3, latent_dim=6, width=2, embedding_dim=3, seed=0),
    "Pix2Pix": lambda: kgan.Pix2Pix((8, 8, 1), width=4, max_depth=2, seed=0),
    "SRGAN": lambda: kgan.SRGAN(
        (8, 8, 1),
        scale=2,
        width=4,
        num_blocks=1,
        seed=0,
        content_network=keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3)]),
    ),
    "R3GAN": lambda: kgan.R3GAN((8, 8, 1), latent_dim=4, widths=(4, 4), cardinality=(2, 8), seed=0),
    "R3GAN with classes": lambda: kgan.R3GAN((8, 8, 1), latent_dim=4, widths=(4, 4), cardinality=(2, 8), num_classes=3),
    "StyleGAN2": lambda: kgan.StyleGAN2((8, 8, 1), latent_dim=4, width=4, mapping_layers=2, seed=0),
    "StyleGAN2 with classes": lambda: kgan.StyleGAN2((8, 8, 1), latent_dim=4, width=4, mapping_layers=2, num_classes=3),
    "Inpainting": lambda: kgan.Inpainting((8, 8, 1), width=4, max_depth=2, discriminator_layers=2, seed=0),
    "CycleGAN": lambda: kgan.CycleGAN((8, 8, 1), width=4, max_depth=2, discriminator_layers=2, seed=0),
}


def test_onnx_and_litert_exports_match_the_savedmodel_without_tensorflow(digits_dataset, tmp_path):
    cases, expected = [], []
    for name, build in FAMILIES.items():
        gan = build()
        if name == "DCGAN":  # a trained, averaged generator: the weights that get exported in practice
            gan.compile()
            gan.fit(digits_dataset, epochs=1, verbose=0)
        saved_model = kgan.export_generator(gan, str(tmp_path / name))
        litert = kgan.export_generator(gan, tmp_path / f"{name}.tflite")
        signatures = tf.saved_model.load(saved_model).signatures
        # LiteRT holds every signature that takes floats but sample; ONNX one per file.
        for signature in ("serving_default", "b_to_a") if name == "CycleGAN" else ("serving_default",):
            onnx_file = kgan.export_generator(
                gan,
                tmp_path / f"{name}_{signature}.onnx",
                signature=None if signature == "serving_default" else signature,
            )
            feeds = random_inputs(signatures[signature].structured_input_signature[1])
            reference = savedmodel_outputs(saved_model, signature, feeds)
            for path in (onnx_file, litert):
                cases.append({"file": str(path), "signature": signature, "feeds": feeds, "family": name})
                expected.append(reference)
    outputs = run_without_tensorflow(cases, tmp_path)
    for case, images, reference in zip(cases, outputs, expected):
        assert images.dtype == np.float32 and images.shape == reference.shape, case
        np.testing.assert_allclose(images, reference, atol=TOLERANCE, err_msg=str(case))
    assert {case["family"] for case in cases} == set(FAMILIES)


def test_litert_holds_every_signature_but_sample(tmp_path):
    from ai_edge_litert.interpreter import Interpreter

    gan = kgan.StyleGAN2((8, 8, 1), latent_dim=4, width=4, mapping_layers=2, seed=0)
    path = kgan.export_generator(gan, tmp_path / "style.tflite")
    assert set(Interpreter(model_path=str(path)).get_signature_list()) == {
        "serving_default",
        "mapping",
        "synthesis",
        "w_average",
        "untruncated",
    }


def test_a_mixed_precision_generator_exports_in_float32(policy, tmp_path):
    import onnxruntime

    policy("mixed_bfloat16")
    gan = tiny_dcgan()
    policy("float32")
    assert gan.generator.layers[2].compute_dtype == "bfloat16"
    path = kgan.export_generator(gan, tmp_path / "mixed.onnx")
    latent = np.random.default_rng(0).standard_normal((4, gan.latent_dim)).astype(np.float32)
    images = onnxruntime.InferenceSession(str(path)).run(["images"], {"latent": latent})[0]
    # The same weights computing in float32: bfloat16 keeps about 3 significant digits.
    np.testing.assert_allclose(images, gan.generate(latent=latent), atol=0.03)
    assert gan.generator.layers[2].compute_dtype == "bfloat16"  # the GAN itself is left as it was


def test_export_refusals_name_the_fix_and_leave_nothing_behind(tmp_path):
    gan = tiny_dcgan()
    with pytest.raises(ValueError, match="'sample' draws its latent vectors .* no op for"):
        kgan.export_generator(gan, tmp_path / "g.onnx", signature="sample")
    with pytest.raises(
        ValueError, match=r"no signature 'b_to_a'; an ONNX export can hold one of \['serving_default'\]"
    ):
        kgan.export_generator(gan, tmp_path / "g.onnx", signature="b_to_a")
    with pytest.raises(ValueError, match="signature= picks the one signature of an ONNX file"):
        kgan.export_generator(gan, tmp_path / "g.tflite", signature="serving_default")
    with pytest.raises(ValueError, match="A litert export's path takes .tflite; got"):
        kgan.export_generator(gan, tmp_path / "g.onnx", format="litert")
    with pytest.raises(ValueError, match="format must be one of"):
        kgan.export_generator(gan, tmp_path / "g", format="tfjs")
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="exists and is not a saved_model export; kgan will not replace it"):
        kgan.export_generator(gan, notes)
    assert (notes / "keep.txt").read_text() == "mine"

    first = kgan.export_generator(gan, tmp_path / "g.onnx")
    with pytest.raises(FileExistsError, match=r"already holds an export. Pass overwrite=True"):
        kgan.export_generator(gan, first, overwrite=False)
    kgan.export_generator(tiny_dcgan(seed=1), first)  # overwrite=True, as keras.Model.save
    assert kgan.load_generator(first).generate(1, seed=0).shape == (1, 8, 8, 1)

    # A network the converters cannot translate: the error is theirs, and no file or scratch stays.
    latent = keras.Input((8,), name="latent")
    opaque = keras.layers.Lambda(
        lambda x: tf.numpy_function(np.tanh, [x], tf.float32, stateful=False), output_shape=(8,)
    )(latent)
    unconvertible = keras.Model(latent, keras.layers.Reshape((2, 4, 1))(opaque))
    before = sorted(os.listdir(tmp_path))
    for name in ("opaque.onnx", "opaque.tflite"):
        with pytest.raises(Exception):  # noqa: B017 - tf2onnx and the LiteRT converter raise their own types
            kgan.export_generator(None, tmp_path / name, generator=unconvertible)
    assert sorted(os.listdir(tmp_path)) == before


def test_cli_exports_onnx_that_kgan_sample_reads(tmp_path, capsys):
    gan = tiny_dcgan()
    gan.compile()
    gan.save(tmp_path / "gan.keras")
    model, out = str(tmp_path / "gan.keras"), str(tmp_path / "g.onnx")
    assert kgan_cli.main(["export", "--model", model, "--out", out]) == 0
    assert "(signatures serving_default)" in capsys.readouterr().out
    assert kgan_cli.main(["export", "--model", model, "--out", out]) == 2
    refusal = capsys.readouterr().err
    assert "already holds an export" in refusal and "--overwrite" in refusal
    for source, grid in ((out, "onnx.png"), (model, "keras.png")):
        assert (
            kgan_cli.main(["sample", "--model", source, "--num", "9", "--seed", "4", "--out", str(tmp_path / grid)])
            == 0
        )
    onnx_grid, keras_grid = (
        tf.io.decode_png(tf.io.read_file(str(tmp_path / grid))).numpy().astype(int)
        for grid in ("onnx.png", "keras.png")
    )
    assert np.abs(onnx_grid - keras_grid).max() <= 1  # float rounding at most
