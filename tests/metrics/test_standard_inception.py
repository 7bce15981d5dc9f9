"""The FID Inception against pytorch-fid's own module code, and its resizing against clean-fid's.

The real weights file cannot be downloaded here; the architecture is checked with random weights:
pytorch-fid's `FIDInception*` blocks on torchvision's InceptionV3, as its `fid_inception_v3()`
assembles them, saved as a `.pth` that kgan's converter reads. PyTorch runs in a process of its
own (tests/metrics/pytorch_fid_reference.py).
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

import kgan
from kgan.metrics import standard_inception

SHAPES = [(28, 28), (32, 32), (48, 64), (512, 512)]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """`(inputs, expected, folder)`: the inputs, and what pytorch-fid and clean-fid made of them."""
    folder = tmp_path_factory.mktemp("pytorch_fid")
    rng = np.random.default_rng(0)
    inputs = {"normalized": rng.uniform(-1, 1, (2, 299, 299, 3)).astype(np.float32)}
    for height, width in SHAPES:
        inputs[f"pixels_{height}x{width}"] = rng.integers(0, 256, (1, height, width, 3), dtype=np.uint8)
    grayscale = rng.uniform(-1, 1, (2, 28, 28, 1)).astype(np.float32)
    inputs["pixels_of_samples"] = np.repeat(kgan.images.to_uint8(grayscale), 3, axis=-1)
    np.savez(folder / "inputs.npz", **inputs)
    script = os.path.join(os.path.dirname(__file__), "pytorch_fid_reference.py")
    done = subprocess.run([sys.executable, script, str(folder)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return {**inputs, "grayscale_samples": grayscale}, dict(np.load(folder / "expected.npz")), folder


def test_the_converted_network_gives_pytorch_fids_features(reference, tmp_path):
    inputs, expected, folder = reference
    pth = str(folder / "random_fid_inception.pth")
    converted = str(tmp_path / "fid_inception.weights.h5")
    standard_inception.main([pth, converted])
    core = standard_inception.network()
    core.load_weights(converted)
    pool3, logits = (np.asarray(output) for output in core(inputs["normalized"], training=False))
    assert pool3.shape == (2, 2048) and logits.shape == (2, 1008)
    assert np.abs(expected["pool3"]).mean() > 0.1  # the features of a working network, not zeros
    np.testing.assert_allclose(pool3, expected["pool3"], atol=1e-4)
    np.testing.assert_allclose(logits, expected["logits"], atol=1e-4)
    # The extractor reads the .pth itself too, and takes kgan's images at any size.
    images = np.random.default_rng(1).uniform(-1, 1, (2, 40, 40, 3)).astype(np.float32)
    from_pth, from_keras = (kgan.metrics.fid_inception(path) for path in (pth, converted))
    np.testing.assert_allclose(from_pth.predict(images, verbose=0)[0], from_keras.predict(images, verbose=0)[0])


def test_the_converter_refuses_another_inception_and_names_the_right_file(reference, tmp_path):
    torchvision_weights = str(reference[2] / "torchvision.pth")
    with pytest.raises(ValueError, match="pt_inception-2015-12-05"):
        standard_inception.convert(torchvision_weights, str(tmp_path / "out.weights.h5"))
    assert not (tmp_path / "out.weights.h5").exists()
    with pytest.raises(FileNotFoundError, match="pytorch-fid's pt_inception-2015-12-05-6726825d.pth"):
        kgan.metrics.fid_inception(str(tmp_path / "missing.pth"))
    with pytest.raises(FileNotFoundError, match="convert a published file once"):
        kgan.metrics.fid_inception(str(tmp_path / "missing.weights.h5"))
    with pytest.raises(ValueError, match="resize must be one of"):
        kgan.metrics.fid_inception(str(tmp_path / "missing.weights.h5"), resize="bilinear")


#: Convolutions of TTUR's graph as it names them (TensorFlow lists 94), with the module pytorch-fid ports each to.
PUBLISHED_NAMES = {
    "conv": "Conv2d_1a_3x3",
    "conv_4": "Conv2d_4a_3x3",
    "mixed/tower/conv_1": "Mixed_5b.branch5x5_2",
    "mixed_3/conv": "Mixed_6a.branch3x3",
    "mixed_4/tower_1/conv_4": "Mixed_6b.branch7x7dbl_5",
    "mixed_8/tower_1/conv_3": "Mixed_7a.branch7x7x3_4",
    "mixed_10/tower/mixed/conv_1": "Mixed_7c.branch3x3_2b",
    "mixed_10/tower_1/mixed/conv_1": "Mixed_7c.branch3x3dbl_3b",
    "mixed_10/tower_2/conv": "Mixed_7c.branch_pool",
}


def write_graph(state_dict, path, scale_after_normalization=True):
    """A GraphDef holding `state_dict` as TTUR's graph holds its weights: HWIO `conv2d_params`,
    `BatchNormWithGlobalNormalization` nodes with their four constants, `softmax/weights`."""
    graph = tf.compat.v1.GraphDef()

    def constant(name, value):
        node = graph.node.add(name=name, op="Const")
        node.attr["value"].tensor.CopyFrom(tf.make_tensor_proto(np.asarray(value, np.float32)))

    for scope, module in standard_inception.graph_names().items():
        constant(f"{scope}/conv2d_params", state_dict[f"{module}.conv.weight"].numpy().transpose(2, 3, 1, 0))
        for part, key in [("gamma", "weight"), ("beta", "bias"), ("moving_mean", "running_mean")]:
            constant(f"{scope}/batchnorm/{part}", state_dict[f"{module}.bn.{key}"].numpy())
        constant(f"{scope}/batchnorm/moving_variance", state_dict[f"{module}.bn.running_var"].numpy())
        batch_norm = graph.node.add(name=f"{scope}/batchnorm", op="BatchNormWithGlobalNormalization")
        batch_norm.attr["scale_after_normalization"].b = scale_after_normalization
        batch_norm.attr["variance_epsilon"].f = 1e-3
    constant("softmax/weights", state_dict["fc.weight"].numpy().T)
    constant("softmax/biases", state_dict["fc.bias"].numpy())
    with open(path, "wb") as f:
        f.write(graph.SerializeToString())


def test_ttur_graph_gives_the_same_network(reference, tmp_path):
    """The graph's 94 convolutions, named as TensorFlow lists them, map to pytorch-fid's modules;
    a graph holding the random weights converts to the network the .pth gives."""
    import torch

    names = standard_inception.graph_names()
    assert len(names) == 94 and len(set(names.values())) == 94
    assert {scope: names[scope] for scope in PUBLISHED_NAMES} == PUBLISHED_NAMES
    inputs, expected, folder = reference
    state_dict = torch.load(folder / "random_fid_inception.pth", weights_only=True)
    write_graph(state_dict, str(tmp_path / "classify_image_graph_def.pb"))
    converted = str(tmp_path / "from_graph.weights.h5")
    standard_inception.convert(str(tmp_path / "classify_image_graph_def.pb"), converted)
    core = standard_inception.network()
    core.load_weights(converted)
    np.testing.assert_allclose(np.asarray(core(inputs["normalized"], training=False)[0]), expected["pool3"], atol=1e-4)
    # A batch norm that does not scale (the op's scale_after_normalization) ignores its gamma.
    write_graph(state_dict, str(tmp_path / "unscaled.pb"), scale_after_normalization=False)
    unscaled = standard_inception.from_state_dict(standard_inception._read_published(str(tmp_path / "unscaled.pb")))
    assert np.all(unscaled.get_layer("Mixed_7c.branch_pool.bn").gamma.numpy() == 1.0)
    # Another graph (here one convolution short) is refused, naming what it lacks.
    graph = tf.compat.v1.GraphDef()
    graph.ParseFromString((tmp_path / "unscaled.pb").read_bytes())
    kept = [node for node in graph.node if node.name != "mixed_4/tower_1/conv_4/conv2d_params"]
    del graph.node[:]
    graph.node.extend(kept)
    (tmp_path / "other.pb").write_bytes(graph.SerializeToString())
    with pytest.raises(ValueError, match="no convolution 'mixed_4/tower_1/conv_4'.*not the FID Inception's"):
        standard_inception.convert(str(tmp_path / "other.pb"), str(tmp_path / "other.weights.h5"))


@pytest.mark.parametrize("method", ["clean", "legacy_pytorch"])
def test_resizing_matches_clean_fids_own(reference, method):
    """clean-fid's resizers on uint8 images, as it reads image files, against kgan's in TensorFlow:
    upsampling, a non-square image and downsampling (antialiased in "clean")."""
    inputs, expected, _ = reference
    for height, width in SHAPES:
        name = f"pixels_{height}x{width}"
        resized = standard_inception.resize(tf.constant(inputs[name], tf.float32), method).numpy()
        assert resized.shape == expected[f"{method}_{name}"].shape == (1, 299, 299, 3)
        # a hundredth of a pixel level: float rounding in two implementations of one filter
        np.testing.assert_allclose(resized, expected[f"{method}_{name}"], atol=0.01, err_msg=name)


def test_the_input_is_what_clean_fid_makes_of_the_saved_images(reference):
    """kgan's [-1, 1] samples, grayscale here, reach the network as clean-fid would take them
    from the PNG files they would be saved as."""
    inputs, expected, _ = reference
    fed = standard_inception.FIDInput("clean")(inputs["grayscale_samples"]).numpy()
    np.testing.assert_allclose(fed, (expected["clean_pixels_of_samples"] - 128.0) / 128.0, atol=0.01 / 128)


def test_cli_evaluate_scores_with_the_fid_inception(reference, mnist_dir, tmp_path, capsys):
    import kgan_cli as cli

    gan = kgan.DCGAN(image_shape=(28, 28, 1), latent_dim=8, width=8, seed=0)
    gan.compile()
    gan.save(str(tmp_path / "gan.keras"))
    pth = str(reference[2] / "random_fid_inception.pth")
    evaluate = ["evaluate", "--model", str(tmp_path / "gan.keras"), "--data-dir", mnist_dir, "--metrics", "fid"]
    assert cli.main([*evaluate, "--num-samples", "16", "--fid-inception", pth, "--resize", "legacy_tensorflow"]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["extractor"] == "fid_inception_extractor" and report["fid"] > 0
    assert cli.main([*evaluate, "--resize", "clean"]) == 2
    assert "pass --fid-inception FILE too" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # argparse: one or the other
        cli.main([*evaluate, "--fid-inception", pth, "--inception-weights", pth])
    assert "not allowed with argument --fid-inception" in capsys.readouterr().err
    assert cli.parser.FID_RESIZES == standard_inception.RESIZES  # the parser's copy, kept free of TensorFlow


def test_published_statistics_are_fids_reference_and_others_are_refused(reference, tmp_path):
    import keras

    pth = str(reference[2] / "random_fid_inception.pth")
    extractor = kgan.metrics.fid_inception(pth)
    rng = np.random.default_rng(0)
    real, fake = (rng.uniform(-1, 1, (12, 16, 16, 3)).astype(np.float32) for _ in range(2))
    stats = kgan.metrics.reference_statistics(extractor, real)
    assert stats["extractor"] == "fid_inception_extractor (clean resize)"
    published = str(tmp_path / "fid_stats_published.npz")
    np.savez(published, mu=stats["mu"], sigma=stats["sigma"])  # TTUR's and clean-fid's keys, and no more
    against_images = kgan.metrics.FrechetInceptionDistance(extractor)
    against_images.update_state(fake, real)
    against_file = kgan.metrics.FrechetInceptionDistance(extractor, reference=published)
    against_file.update_state(fake)
    assert float(against_file.result()) == pytest.approx(float(against_images.result()), rel=1e-5)

    other_resize = str(tmp_path / "legacy.npz")
    np.savez(other_resize, **{**stats, "extractor": "fid_inception_extractor (legacy_tensorflow resize)"})
    with pytest.raises(ValueError, match="computed with 'fid_inception_extractor \\(legacy_tensorflow resize\\)'"):
        kgan.metrics.FrechetInceptionDistance(extractor, reference=other_resize)
    np.savez(str(tmp_path / "no_sigma.npz"), mu=stats["mu"])
    with pytest.raises(ValueError, match="hold 'mu' and 'sigma'"):
        kgan.metrics.FrechetInceptionDistance(extractor, reference=str(tmp_path / "no_sigma.npz"))
    with pytest.raises(ValueError, match="2048 are Inception's pool3"):
        kgan.metrics.FrechetInceptionDistance(kgan.metrics.domain_extractor("cifar10"), reference=published)
    keras_weights = str(tmp_path / "inception_v3.weights.h5")
    keras.applications.InceptionV3(weights=None, classifier_activation=None).save_weights(keras_weights)
    with pytest.raises(ValueError, match="not the Keras applications' InceptionV3"):
        kgan.metrics.FrechetInceptionDistance(kgan.metrics.inception_v3(keras_weights), reference=published)


def test_cli_evaluate_takes_published_statistics_without_reading_images(reference, tmp_path, capsys):
    import kgan_cli as cli

    pth = str(reference[2] / "random_fid_inception.pth")
    gan = kgan.DCGAN(image_shape=(16, 16, 3), latent_dim=8, width=8, seed=0)
    gan.compile()
    gan.save(str(tmp_path / "gan.keras"))
    real = np.random.default_rng(0).uniform(-1, 1, (12, 16, 16, 3)).astype(np.float32)
    stats = kgan.metrics.reference_statistics(kgan.metrics.fid_inception(pth), real)
    published = str(tmp_path / "fid_stats.npz")
    np.savez(published, mu=stats["mu"], sigma=stats["sigma"])
    evaluate = ["evaluate", "--model", str(tmp_path / "gan.keras"), "--fid-inception", pth, "--reference", published]
    nowhere = ["--dataset", "cifar10", "--data-dir", str(tmp_path / "no_data_here")]
    assert cli.main([*evaluate, *nowhere, "--num-samples", "12"]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(report) == {"fid", "samples", "real_samples", "extractor"} and report["real_samples"] == 0
    fid = kgan.metrics.FrechetInceptionDistance(kgan.metrics.fid_inception(pth), reference=published)
    assert report["fid"] == pytest.approx(kgan.evaluate(gan, None, [fid], num_samples=12)["fid"], rel=1e-4)
    assert cli.main([*evaluate, *nowhere, "--metrics", "kid"]) == 2
    assert "add fid to --metrics" in capsys.readouterr().err
    kgans = str(tmp_path / "kgans.npz")  # kgan's statistics name the extractor and its resize
    np.savez(kgans, **stats)
    evaluate[-1] = kgans
    assert cli.main([*evaluate, *nowhere, "--resize", "legacy_pytorch"]) == 2
    assert "computed with 'fid_inception_extractor (clean resize)'" in capsys.readouterr().err
