"""kgan.evaluate: GANs, exports, conditional and image-to-image models scored in one call."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf

import kgan
from kgan.metrics import FrechetInceptionDistance, PeakSignalToNoiseRatio
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


def test_repeats_give_each_figure_its_spread_over_draws():
    real = np.random.default_rng(0).normal(size=(200, 4, 4, 1)).astype(np.float32)

    def draw(num, seed):
        return np.random.default_rng(seed).normal(0.3, 1.0, (num, 4, 4, 1)).astype(np.float32)

    metrics = [FrechetInceptionDistance(linear_extractor())]
    once = [kgan.evaluate(draw, real, metrics, num_samples=200, batch_size=100, seed=seed)["fid"] for seed in (5, 6, 7)]
    repeated = kgan.evaluate(draw, real, metrics, num_samples=200, batch_size=100, seed=5, repeats=3)
    assert repeated["fid"] == pytest.approx(np.mean(once), rel=1e-9)
    assert repeated["fid_seed_std"] == pytest.approx(np.std(once, ddof=1), rel=1e-6) and repeated["fid_seed_std"] > 0
    assert repeated["samples"] == 200 and repeated["real_samples"] == 200
    with pytest.raises(ValueError, match="an array of images"):
        kgan.evaluate(real, real, metrics, num_samples=200, repeats=2)
    with pytest.raises(ValueError, match="repeats must be an int >= 1"):
        kgan.evaluate(draw, real, metrics, num_samples=200, repeats=0)


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
    assert set(reports[0]) == {"fid", "precision", "recall", "samples", "real_samples", "extractor"}
    assert reports[0]["real_samples"] == 300 and reports[0]["extractor"] == "mnist_extractor"
    repeated = ["evaluate", "--model", exported, "--data-dir", mnist_dir, "--num-samples", "100", "--repeats", "2"]
    assert cli.main([*repeated, "--metrics", "fid", "fid_infinity"]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    # FIDInfinity's FID of all N, from stored features, is FID's from running sums (up to rounding)
    assert report["samples"] == 100 and report["fid_seed_std"] > 0
    assert report["fid_at_n"] == pytest.approx(report["fid"], rel=1e-4)
    assert {"fid_infinity", "fid_infinity_seed_std"} <= set(report)
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


def test_evaluate_scores_truncated_samples_for_a_truncation_curve():
    gan = kgan.StyleGAN2((8, 8, 1), latent_dim=4, width=4, mapping_layers=1, num_classes=3, seed=0, ema_decay=None)
    average = gan.mapping.get_layer("w_avg").average
    average.assign(np.random.default_rng(0).normal(size=average.shape).astype(np.float32))  # 3 class averages
    # At psi 0 every sample is its class's average image: the same images as these, in the same class order.
    averages = gan.generate(30, seed=1, truncation=0.0)
    images = keras.Input((8, 8, 1))
    flat = keras.layers.Flatten()(images)
    features, logits = keras.layers.Dense(6, use_bias=False)(flat), keras.layers.Dense(2)(flat)
    fid = FrechetInceptionDistance(keras.Model(images, [features, logits]))
    truncated = kgan.evaluate(gan, averages, [fid], num_samples=30, batch_size=10, truncation=0.0)
    untruncated = kgan.evaluate(gan, averages, [fid], num_samples=30, batch_size=10)
    assert truncated["fid"] < 1e-3 < untruncated["fid"]
    with pytest.raises(ValueError, match="truncation is for generators that truncate"):
        kgan.evaluate(kgan.DCGAN((8, 8, 1), latent_dim=4, width=4), averages, [fid], num_samples=10, truncation=0.5)


def test_cli_evaluate_compares_with_a_random_subset_of_a_class_sorted_split(shared_data, tmp_path, capsys):
    import json

    import kgan_cli as cli

    cifar10 = str(shared_data / "cifar10")
    assert set(kgan.data.load_arrays("cifar10", cifar10, "test")[1][:500]) == {0}  # sorted by class
    gan = kgan.CGAN(image_shape=(32, 32, 3), num_classes=10, latent_dim=4, width=4, seed=0)
    exported = kgan.export_generator(gan, str(tmp_path / "cgan"))
    evaluate = ["evaluate", "--model", exported, "--dataset", "cifar10", "--data-dir", cifar10, "--num-samples", "500"]
    assert cli.main([*evaluate, "--metrics", "intra_fid"]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    # Every class has real images to compare with: the first 500 of the split would all be airplanes.
    per_class = [value for key, value in report.items() if key.startswith("fid/")]
    assert len(per_class) == 10 and all(np.isfinite(per_class)) and np.isfinite(report["intra_fid"]), report


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
    # The same pairs as one folder of side-by-side files, and as the two folders the other way round.
    for i, (outline, digit) in enumerate(zip(outlines[:250], digits[:250])):
        kgan.images.save_png(str(tmp_path / "side_by_side" / f"{i:03d}.png"), np.concatenate([digit, outline], 1))
    backwards = [str(tmp_path / "digits"), str(tmp_path / "outlines")]
    for pairs in ([str(tmp_path / "side_by_side")], backwards):
        options = ["--pairs", *pairs, "--direction", "BtoA", "--metrics", "fid", "--num-samples", "250"]
        assert cli.main(["evaluate", "--model", exported, *options]) == 0
        report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert report["real_samples"] == 250 and report["fid"] == pytest.approx(by_model["fid"], rel=1e-4)
    with pytest.raises(ValueError, match=r"\(source, target\) pairs"):
        kgan.evaluate(pix2pix, digits / 127.5 - 1.0, [FrechetInceptionDistance(extractor)], num_samples=10)
    with pytest.raises(ValueError, match="pairs"):
        kgan.evaluate(pix2pix, None, [FrechetInceptionDistance(extractor)], num_samples=10)
    # An inpainting model's sources are (images, masks).
    inpainting = kgan.Inpainting((28, 28, 1), width=4, discriminator_layers=2, seed=0)
    holes = np.zeros((20, 28, 28, 1), np.float32)
    holes[:, 8:20, 8:20] = 1.0
    images = digits[:20] / 127.5 - 1.0
    scored = kgan.evaluate(inpainting, [((images, holes), images)], [PeakSignalToNoiseRatio()], num_samples=20)
    filled = inpainting.inpaint(images, holes)
    expected = tf.image.psnr((filled + 1.0) / 2.0, (images + 1.0) / 2.0, max_val=1.0).numpy().mean()
    assert scored["psnr"] == pytest.approx(expected, rel=1e-5)


def test_cli_evaluate_scores_each_family_on_the_held_out_split_of_its_run(mnist_dir, mnist_test, tmp_path, capsys):
    import json

    import kgan_cli as cli

    small = ["--dataset", "mnist", "--data-dir", mnist_dir, "--limit", "64", "--batch-size", "32", "--epochs", "1"]

    def train(recipe, *options):
        run = tmp_path / recipe
        assert cli.main(["train", "--recipe", recipe, *small, "--width", "8", *options, "--run-dir", str(run)]) == 0
        return run

    def evaluate(model, *options):
        assert cli.main(["evaluate", "--model", str(model), "--num-samples", "120", *options]) == 0
        return json.loads(capsys.readouterr().out.strip().splitlines()[-1])

    # The held-out pairs are made of a random subset of the test split, drawn with --seed (0).
    chosen = np.random.default_rng(0).permutation(len(mnist_test[0]))[:120]
    test_digits = np.round((mnist_test[0][chosen] + 1.0) * 127.5).astype(np.uint8)

    def psnr(images, targets):
        return tf.image.psnr((images + 1.0) / 2.0, targets / 255.0, max_val=1.0).numpy().mean()

    # Conditional: the classifier's accuracy on the classes asked for, FID per class and overall.
    export = train("acgan", "--latent-dim", "8") / "generator"
    report = evaluate(export)  # the run's dataset and data folder are the defaults
    labels = np.arange(120) % 10
    drawn = kgan.load_generator(str(export)).generate(120, seed=kgan.seeding.sub_seed(0, "batch", 0), labels=labels)
    _, logits = kgan.metrics.domain_extractor("mnist")(drawn, training=False)  # one batch, as the metric gets it
    assert report["class_accuracy"] == pytest.approx(np.mean(np.argmax(logits, axis=1) == labels), abs=1e-6)
    assert {f"fid/{c}" for c in "0123456789"} <= set(report) and np.isfinite(report["intra_fid"])
    assert {"fid", "kid", "precision", "real_samples"} <= set(report)
    # Translators: PSNR/SSIM against the held-out targets, beside the sources' own, and FID.
    checkpoint = train("srgan", "--scale", "2", "--no-export") / "checkpoints" / "epoch_0001.keras"
    report = evaluate(checkpoint)
    low = kgan.data.low_resolution(test_digits, 2)
    upscaled = kgan.trained.open_generator(str(checkpoint)).translate(kgan.images.from_uint8(low))
    assert report["psnr"] == pytest.approx(psnr(upscaled, test_digits), abs=1e-4)
    bicubic = tf.image.resize(kgan.images.from_uint8(low), (28, 28), method="bicubic").numpy().clip(-1, 1)
    assert report["baseline"] == "bicubic" and report["baseline_psnr"] == pytest.approx(psnr(bicubic, test_digits))
    assert {"ssim", "baseline_ssim", "fid"} <= set(report)
    pix2pix = train("pix2pix", "--no-export") / "checkpoints" / "epoch_0001.keras"
    report = evaluate(pix2pix)
    edges = kgan.images.from_uint8(kgan.data.edge_maps(test_digits))  # as kgan train made MNIST's pairs
    assert report["baseline"] == "identity" and report["baseline_psnr"] == pytest.approx(psnr(edges, test_digits))
    translated = kgan.trained.open_generator(str(pix2pix)).translate(edges)
    assert report["psnr"] == pytest.approx(psnr(translated, test_digits), abs=1e-4)
    inpainting = train("inpainting", "--hole-size", "0.25", "--no-export") / "checkpoints" / "epoch_0001.keras"
    report = evaluate(inpainting)
    holes = kgan.models.translation.random_box_masks(120, (28, 28), 0.25, 0)  # the run's hole size, --seed 0
    filled = kgan.trained.open_generator(str(inpainting)).translate((kgan.images.from_uint8(test_digits), holes))
    assert report["psnr"] == pytest.approx(psnr(filled, test_digits), abs=1e-4)
    # Its baseline: each hole filled with the mean of the image's other pixels.
    known = np.asarray(holes)[..., 0] == 0
    mean_filled = kgan.images.from_uint8(test_digits)
    for image, outside in zip(mean_filled, known):
        image[~outside] = image[outside].mean()
    assert report["baseline"] == "mean fill"
    assert report["baseline_psnr"] == pytest.approx(psnr(mean_filled, test_digits), abs=1e-4)
    cyclegan = train("cyclegan", "--no-export") / "checkpoints" / "epoch_0001.keras"
    negatives = kgan.trained.open_generator(str(cyclegan)).translate(kgan.images.from_uint8(test_digits))
    assert evaluate(cyclegan)["psnr"] == pytest.approx(psnr(negatives, 255 - test_digits), abs=1e-4)
    # --direction BtoA scores the other generator, on negatives -> digits.
    backwards = kgan.trained.open_generator(str(cyclegan), "b_to_a")
    positives = backwards.translate(kgan.images.from_uint8(255 - test_digits))
    assert evaluate(cyclegan, "--direction", "BtoA")["psnr"] == pytest.approx(psnr(positives, test_digits), abs=1e-4)
    # StyleGAN2 trained on MNIST resized to 32x32: its samples are resized back for MNIST's classifier.
    stylegan2 = train("stylegan2", "--latent-dim", "8") / "generator"
    report = evaluate(stylegan2, "--metrics", "fid")
    drawn = kgan.load_generator(str(stylegan2)).generate(120, seed=kgan.seeding.sub_seed(0, "batch", 0))
    assert drawn.shape == (120, 32, 32, 1)
    resized = tf.image.resize(drawn, (28, 28), antialias=True).numpy()
    fid = kgan.metrics.FrechetInceptionDistance(kgan.metrics.domain_extractor("mnist"))
    # The real images: the test split in the order kgan evaluate shuffles it with --seed 0.
    real = kgan.data.load("mnist", mnist_dir, "test", batch_size=250, shuffle=True, seed=0, drop_remainder=False)
    expected = kgan.evaluate(resized, real, [fid], num_samples=120)["fid"]
    assert report["extractor"] == "mnist_extractor" and report["fid"] == pytest.approx(expected, rel=1e-3)

    # Metrics that do not fit the model, and pairs kgan cannot make: one line, exit 2.
    for argv, message in (
        ([str(export), "--metrics", "psnr"], "compares translations with their targets; this model draws samples"),
        ([str(export), "--pairs", str(tmp_path), str(tmp_path)], "--pairs is for image-to-image models"),
        ([str(export), "--direction", "BtoA"], "--direction is for image-to-image models"),
        ([str(pix2pix), "--pairs", *[str(tmp_path)] * 3], "--pairs takes A_DIR B_DIR, or one folder"),
        ([str(checkpoint), "--pairs", str(tmp_path)], "this model upscales: pass --pairs LOW_RES_DIR HIGH_RES_DIR"),
        ([str(export), "--dataset", "fashion_mnist", "--metrics", "intra_fid"], "to be fashion_mnist's"),
        (
            [
                str(checkpoint),
                "--dataset",
                "cifar10",
                "--data-dir",
                os.path.join(os.path.dirname(mnist_dir), "cifar10"),
            ],
            "The model makes 28x28x1 images; cifar10's are 32x32x3",
        ),
    ):
        assert cli.main(["evaluate", "--model", *argv, "--num-samples", "20"]) == 2
        error = capsys.readouterr().err
        assert message in error and len(error.strip().splitlines()) == 1, error


def test_the_identity_baseline_of_grey_to_colour_pairs_is_the_grey_image_in_every_channel():
    """CIFAR-10's pix2pix pairs (grey -> colour): what a model that learned nothing gives is the
    grey source, repeated into the three channels it is scored against."""
    from kgan_cli.named_data import baseline_scores

    colour = np.random.default_rng(0).uniform(-1, 1, (6, 8, 8, 3)).astype(np.float32)
    grey = tf.image.rgb_to_grayscale(colour).numpy()
    report = baseline_scores([(grey, colour)], num_samples=6)
    expected = tf.image.psnr((np.repeat(grey, 3, axis=-1) + 1) / 2, (colour + 1) / 2, max_val=1.0).numpy().mean()
    assert report["baseline"] == "identity" and report["baseline_psnr"] == pytest.approx(expected, rel=1e-5)


def test_cli_evaluate_scores_a_folder_of_images_against_another(mnist_dir, tmp_path, capsys):
    """Two folders of PNGs, as clean-fid compares them: kgan evaluate --images A --real-images B."""
    import json

    import kgan_cli as cli

    digits, _ = kgan.data.load_arrays("mnist", mnist_dir, "test")
    for folder, images in (("generated", digits[:300]), ("real", digits[5000:5300])):
        for index, image in enumerate(images):
            kgan.images.save_png(str(tmp_path / folder / f"{index:04d}.png"), image)
    command = ["evaluate", "--images", str(tmp_path / "generated"), "--real-images", str(tmp_path / "real")]
    assert cli.main([*command, "--metrics", "fid", "kid"]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["extractor"] == "mnist_extractor" and report["samples"] == report["real_samples"] == 300
    fid = FrechetInceptionDistance(kgan.metrics.domain_extractor("mnist"))
    expected = kgan.evaluate(kgan.images.from_uint8(digits[:300]), digits[5000:5300], [fid], num_samples=300)["fid"]
    assert report["fid"] == pytest.approx(expected, rel=1e-5) and np.isfinite(report["kid"])
    assert cli.main([*command, "--memorization"]) == 2
    assert "--memorization draws samples from a --model" in capsys.readouterr().err
    kgan.images.save_png(str(tmp_path / "generated" / "large.png"), np.zeros((32, 32, 1), np.uint8))
    assert cli.main(command) == 2
    assert "must share one size" in capsys.readouterr().err
