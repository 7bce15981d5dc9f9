"""kgan.evaluate: GANs, exports, conditional and image-to-image models scored in one call."""

import numpy as np
import pytest
import tensorflow as tf

import kgan
from kgan.metrics import (
    FrechetInceptionDistance,
)
from tests.metrics.test_feature_metrics import linear_extractor


def test_evaluate_checks_its_inputs():
    fake = np.random.default_rng(0).normal(size=(20, 4, 4, 1)).astype(np.float32)
    metric = FrechetInceptionDistance(linear_extractor())
    with pytest.raises(ValueError, match="needs at least one metric"):
        kgan.evaluate(lambda n, s: fake[:n], fake, [])
    with pytest.raises(ValueError, match="yielded no images"):
        kgan.evaluate(lambda n, s: fake[:n], fake[:0], [metric], num_samples=10)
    with pytest.raises(ValueError, match="Cannot sample from a int"):
        kgan.evaluate(3, fake, [metric])
    with pytest.raises(ValueError, match="was given 20 generated images but num_samples=50"):
        kgan.evaluate(fake, None, [metric], num_samples=50)


def test_cli_evaluate_scores_a_saved_gan_and_an_export(mnist_dir, tmp_path, capsys):
    import json

    import kgan_cli as cli

    gan = kgan.DCGAN(image_shape=(28, 28, 1), latent_dim=8, width=8, seed=0)
    gan.compile()
    gan.save(str(tmp_path / "gan.keras"))
    exported = kgan.export_generator(gan, str(tmp_path / "generator"))
    reports = []
    for model in (str(tmp_path / "gan.keras"), exported):
        code = cli.main(
            [
                "evaluate",
                "--model",
                model,
                "--data-dir",
                mnist_dir,
                "--num-samples",
                "300",
                "--metrics",
                "fid",
                "precision_recall",
            ]
        )
        assert code == 0
        reports.append(json.loads(capsys.readouterr().out.strip().splitlines()[-1]))
    assert set(reports[0]) == {"fid", "precision", "recall", "real_samples", "extractor"}
    assert reports[0]["real_samples"] == 300 and reports[0]["extractor"] == "mnist_extractor"
    assert reports[0]["fid"] > 10  # an untrained generator is far from MNIST
    assert cli.main(["evaluate", "--model", str(tmp_path / "missing.keras"), "--data-dir", mnist_dir]) == 2
    assert (
        cli.main(
            ["evaluate", "--model", exported, "--data-dir", mnist_dir, "--inception-weights", str(tmp_path / "none.h5")]
        )
        == 2
    )
    assert "No InceptionV3 weights file" in capsys.readouterr().err


def test_evaluate_draws_every_class_from_a_conditional_export(tmp_path):
    gan = kgan.CGAN(image_shape=(28, 28, 1), num_classes=10, latent_dim=8, width=8, seed=0)
    gan.compile()
    exported = kgan.export_generator(gan, str(tmp_path / "conditional"))
    drawn = kgan.trained.evaluation.sampler(exported)(25, 3)
    sample = tf.saved_model.load(exported).signatures["sample"]
    cycled = tf.constant([i % 10 for i in range(25)], tf.int32)
    expected = sample(labels=cycled, seed=tf.constant(3, tf.int64))["images"].numpy() / 127.5 - 1.0
    # The sampler runs serving_default on the same latents and labels: floats, where `sample` rounds to pixels.
    np.testing.assert_allclose(drawn, expected, atol=1.01 / 127.5)
    np.testing.assert_allclose(
        drawn, gan.generate(latent=kgan.seeding.latent_vectors(25, 8, 3), labels=cycled), atol=1e-5
    )
    noise = (np.random.default_rng(0).random((50, 28, 28, 1)) * 2 - 1).astype(np.float32)
    results = kgan.evaluate(
        exported, noise, [FrechetInceptionDistance(kgan.metrics.domain_extractor("mnist"))], num_samples=50
    )
    assert np.isfinite(results["fid"]) and results["real_samples"] == 50


@pytest.fixture(scope="module")
def outline_pairs(mnist_test):
    digits = np.round((mnist_test[0][:300] + 1.0) * 127.5).astype(np.uint8)
    return kgan.data.edge_maps(digits), digits


def test_image_to_image_models_are_scored_on_their_translations(outline_pairs, tmp_path, capsys):
    import json

    import kgan_cli as cli

    outlines, digits = outline_pairs
    pix2pix = kgan.Pix2Pix(source_shape=(28, 28, 1), width=4, seed=0)
    pix2pix.compile()
    exported = kgan.export_generator(pix2pix, str(tmp_path / "pix2pix"))
    extractor = kgan.metrics.domain_extractor("mnist")
    pairs = kgan.data.paired(outlines, digits, batch_size=64, shuffle=False, drop_remainder=False)
    by_model = kgan.evaluate(pix2pix, pairs, [FrechetInceptionDistance(extractor)], num_samples=250)
    by_export = kgan.evaluate(exported, pairs, [FrechetInceptionDistance(extractor)], num_samples=250)
    assert by_model["real_samples"] == by_export["real_samples"] == 250
    assert by_model["fid"] == pytest.approx(by_export["fid"], rel=1e-4)
    # Independently: FID of the model's translations of the first 250 outlines against their digits.
    metric = FrechetInceptionDistance(extractor)
    metric.update_state(pix2pix.translate(outlines[:250] / 127.5 - 1.0), digits[:250] / 127.5 - 1.0)
    assert by_model["fid"] == pytest.approx(float(metric.result()), rel=1e-4)
    # The command line reads the pairs from folders of images paired by file name.
    for side, images in (("outlines", outlines), ("digits", digits)):
        for i, image in enumerate(images[:250]):
            kgan.images.save_png(str(tmp_path / side / f"{i:03d}.png"), image)
    code = cli.main(
        [
            "evaluate",
            "--model",
            exported,
            "--pairs",
            str(tmp_path / "outlines"),
            str(tmp_path / "digits"),
            "--metrics",
            "fid",
            "--num-samples",
            "250",
        ]
    )
    assert code == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["real_samples"] == 250 and report["fid"] == pytest.approx(by_model["fid"], rel=1e-4)
    with pytest.raises(ValueError, match=r"\(source, target\) pairs"):
        kgan.evaluate(pix2pix, digits / 127.5 - 1.0, [FrechetInceptionDistance(extractor)], num_samples=10)
    with pytest.raises(ValueError, match="pairs"):
        kgan.evaluate(pix2pix, None, [FrechetInceptionDistance(extractor)], num_samples=10)
    inpainting = kgan.Inpainting((28, 28, 1), width=4, discriminator_layers=2, seed=0)
    with pytest.raises(ValueError, match="models that take one image batch; '<Inpainting>' takes source, masks"):
        kgan.evaluate(inpainting, pairs, [FrechetInceptionDistance(extractor)], num_samples=10)
