"""kgan.latent: interpolation and walks through a trained generator's latent space, and kgan interpolate."""

import imageio.v3 as iio
import numpy as np
import pytest

import kgan
import kgan_cli
from kgan.seeding import latent_vectors
from tests.conftest import tiny_dcgan


def kgan_command(capsys, *args):
    """`(exit code, stdout, stderr)` of the kgan command, run in this process."""
    code = kgan_cli.main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def trained_dcgan():
    gan = tiny_dcgan(ema_decay=0.5)
    gan.compile()
    # About 300 steps (5 s): enough for digits that projection can move towards.
    gan.fit(kgan.data.load("digits", batch_size=32, seed=0, limit=1536), epochs=6, verbose=0)
    return gan


def test_slerp_keeps_the_norm_that_lerp_shrinks():
    a, b = np.array([3.0, 0.0, 0.0]), np.array([0.0, 3.0, 0.0])
    slerp, lerp = kgan.latent.interpolate(a, b, 5), kgan.latent.interpolate(a, b, 5, method="lerp")
    assert slerp.shape == lerp.shape == (5, 3) and slerp.dtype == np.float32
    for path in (slerp, lerp):
        np.testing.assert_allclose(path[0], a)
        np.testing.assert_allclose(path[-1], b, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(slerp, axis=1), 3.0, rtol=1e-6)
    assert np.linalg.norm(lerp[2]) == pytest.approx(3.0 / np.sqrt(2), rel=1e-6)
    # Equal angles between slerp's steps; equal distances between lerp's.
    angles = [np.arccos(np.dot(p, q) / 9.0) for p, q in zip(slerp[:-1], slerp[1:])]
    np.testing.assert_allclose(angles, np.pi / 8, rtol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(np.diff(lerp, axis=0), axis=1), np.linalg.norm(b - a) / 4, rtol=1e-6)
    # A batch interpolates pair by pair; identical ends stay put.
    batch = kgan.latent.interpolate(np.ones((2, 4)), -np.ones((2, 4)), 3, method="lerp")
    assert batch.shape == (3, 2, 4) and np.allclose(batch[1], 0)
    np.testing.assert_allclose(kgan.latent.interpolate(a, a, 4), np.tile(a, (4, 1)))


def test_a_walk_passes_through_its_keys_and_can_loop():
    keys = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]])
    path = kgan.latent.walk(keys, 9, method="lerp")
    np.testing.assert_allclose(path[[0, 4, 8]], keys)
    np.testing.assert_allclose(np.linalg.norm(np.diff(path, axis=0), axis=1), 0.25)  # an even pace
    looped = kgan.latent.walk(keys, 12, method="lerp", loop=True)
    np.testing.assert_allclose(looped[[0, 4, 8]], keys)
    # The step from the last frame back to the first is one more step of the same length.
    closing = np.linalg.norm(looped[0] - looped[-1])
    assert closing == pytest.approx(np.linalg.norm(looped[-1] - looped[-2]))


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="same shape"):
        kgan.latent.interpolate(np.zeros(3), np.zeros(4), 5)
    with pytest.raises(ValueError, match="steps must be an int >= 2"):
        kgan.latent.interpolate(np.zeros(3), np.ones(3), 1)
    with pytest.raises(ValueError, match=r"method must be one of \('slerp', 'lerp'\)"):
        kgan.latent.interpolate(np.zeros(3), np.ones(3), 3, method="cubic")
    with pytest.raises(ValueError, match="at least 2 key points"):
        kgan.latent.walk(np.zeros((1, 3)), 5)
    with pytest.raises(ValueError, match="frames must be an int >= 2"):
        kgan.latent.walk(np.zeros((2, 3)), 1)
    with pytest.raises(ValueError, match="keys must be an int >= 2"):
        kgan.callbacks.LatentWalk(png_dir="walks", keys=1)


def test_walks_morph_between_the_samples_of_their_keys(trained_dcgan, tmp_path):
    gan = trained_dcgan
    walks = kgan.latent.walk_images(gan, keys=3, frames=9, rows=2, seed=5)
    assert walks.shape == (2, 9, 8, 8, 1)
    keys = latent_vectors(6, gan.latent_dim, 5).numpy()  # row by row: 3 keys per walk
    np.testing.assert_allclose(walks[0, [0, 4, 8]], gan.generate(latent=keys[:3]), atol=1e-5)
    np.testing.assert_allclose(walks[1, 0], gan.generate(latent=keys[3:4])[0], atol=1e-5)
    # A trained generator changes gradually along the path: neighbours differ less than keys do.
    step = np.abs(np.diff(walks[0, :5], axis=0)).mean()
    assert step < np.abs(walks[0, 4] - walks[0, 0]).mean() / 2
    # The same walk from the ONNX export of the same generator.
    path = kgan.export_generator(gan, tmp_path / "generator.onnx")
    np.testing.assert_allclose(kgan.latent.walk_images(path, keys=3, frames=9, rows=2, seed=5), walks, atol=1e-5)
    with pytest.raises(ValueError, match="labels are for conditional generators"):
        kgan.latent.walk_images(gan, labels=3)


def test_a_conditional_walk_keeps_one_class_per_row():
    gan = kgan.CGAN((8, 8, 1), num_classes=10, latent_dim=8, width=8, seed=0)
    walks = kgan.latent.walk_images(gan, frames=4, rows=3, labels=[7, 2, 7], seed=1)
    latents = kgan.latent.walk_latents(8, 2, 4, 3, seed=1)
    for row, label in enumerate([7, 2, 7]):
        np.testing.assert_allclose(walks[row], gan.generate(latent=latents[row], labels=label), atol=1e-5)


def test_kgan_interpolate_writes_gif_mp4_and_png(trained_dcgan, tmp_path, capsys):
    model = tmp_path / "gan.keras"
    trained_dcgan.save(model)
    base = ["interpolate", "--model", model, "--rows", "4", "--frames", "6", "--keys", "3", "--loop"]
    for name in ("walk.gif", "walk.mp4", "walk.png"):
        code, out, err = kgan_command(capsys, *base, "--out", tmp_path / name)
        assert code == 0, err
        assert f"wrote 4 walk(s) of 6 frames to {tmp_path / name}" in out
    # Animations: one frame per step, the 4 walks tiled 2x2 (2 * 9 + 1 = 19 pixels a side), enlarged
    # 14 times to reach 256 pixels; MP4 pads to multiples of 16 (266 -> 272).
    gif, mp4 = iio.imread(tmp_path / "walk.gif"), iio.imread(tmp_path / "walk.mp4", plugin="FFMPEG")
    assert gif.shape == (6, 266, 266, 3) and mp4.shape == (6, 272, 272, 3)
    assert np.abs(np.diff(gif.astype(int), axis=0)).mean() > 0  # it moves
    # The PNG: one walk per row, its frames as columns, equal to the library's walks.
    grid = iio.imread(tmp_path / "walk.png")
    walks = kgan.latent.walk_images(trained_dcgan, keys=3, frames=6, rows=4, loop=True)
    expected = kgan.images.tile(kgan.images.to_uint8(walks.reshape(24, 8, 8, 1)), columns=6)[..., 0]
    assert np.abs(grid.astype(int) - expected.astype(int)).max() <= 1

    code, _, err = kgan_command(capsys, *base, "--out", tmp_path / "walk.gif")
    assert code == 2 and "exists. Pass --overwrite" in err
    assert kgan_command(capsys, *base, "--out", tmp_path / "walk.gif", "--overwrite", "--fps", "4")[0] == 0
    code, _, err = kgan_command(capsys, *base, "--out", tmp_path / "walk.avi")
    assert code == 2 and "--out must end with .gif, .mp4 or .png" in err
    code, _, err = kgan_command(capsys, *base, "--labels", "3", "--out", tmp_path / "w.png")
    assert code == 2 and "--labels is for conditional GANs" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gan.keras", "walk.gif", "walk.mp4", "walk.png"]


# --- projection ------------------------------------------------------------------------------------


def held_out_digits(count=8):
    images, _ = kgan.data.load_arrays("digits")
    return images[-count:]  # the fixture trains on the first 1536


def test_projection_improves_on_the_best_random_start(trained_dcgan):
    gan, targets = trained_dcgan, held_out_digits()
    start = kgan.latent.project(gan, targets, steps=0)
    found = kgan.latent.project(gan, targets, steps=100)
    assert found.latents.shape == (8, gan.latent_dim) and found.images.shape == (8, 8, 8, 1)
    assert np.all(found.distances <= start.distances + 1e-6) and found.distances.mean() < 0.95 * start.distances.mean()
    # What it returns is what the generator makes of those latents, scored as it says.
    np.testing.assert_allclose(found.images, gan.generate(latent=found.latents), atol=1e-5)
    pixel_error = np.mean((found.images - (targets / 127.5 - 1.0)) ** 2, axis=(1, 2, 3))
    np.testing.assert_allclose(found.distances, pixel_error, rtol=1e-4)
    np.testing.assert_allclose(found.psnr, 10 * np.log10(4 / pixel_error), rtol=1e-4)


def test_projection_recovers_the_generators_own_samples(trained_dcgan):
    gan = trained_dcgan
    samples = gan.generate(4, seed=11)
    start = kgan.latent.project(gan, samples, steps=0)
    found = kgan.latent.project(gan, samples, steps=300, learning_rate=0.1)
    assert found.psnr.mean() > start.psnr.mean() + 6  # dB


def test_a_perceptual_term_on_any_extractor(trained_dcgan):
    import keras

    inputs = keras.Input((8, 8, 1))
    features = keras.layers.Flatten()(keras.layers.Conv2D(4, 3, activation="relu", name="features")(inputs))
    extractor = keras.Model(inputs, [features, keras.layers.Dense(3)(features)])
    targets = held_out_digits(4)
    found = kgan.latent.project(trained_dcgan, targets, steps=20, extractor=extractor, perceptual_weight=2.0)
    pixel_error = 4 / 10 ** (found.psnr / 10)
    assert np.all(found.distances > pixel_error)  # the feature term adds to the pixel error
    with pytest.raises(ValueError, match=r"The extractor takes images of shape \(28, 28, 1\), the generator makes"):
        kgan.latent.project(trained_dcgan, targets, steps=1, extractor="mnist")


def test_stylegan2_projects_into_z_w_or_w_plus():
    gan = kgan.StyleGAN2((8, 8, 1), latent_dim=8, width=8, mapping_layers=2, seed=0)
    targets = held_out_digits(2)
    for space, shape in (("z", (2, 8)), ("w", (2, 8)), ("w+", (2, gan.num_ws, 8)), (None, (2, gan.num_ws, 8))):
        found = kgan.latent.project(gan, targets, steps=5, space=space)
        assert found.latents.shape == shape, space
    np.testing.assert_allclose(found.images, gan.synthesize(found.latents), atol=1e-5)


def test_a_conditional_gan_projects_within_the_given_classes():
    gan = kgan.CGAN((8, 8, 1), num_classes=10, latent_dim=8, width=8, seed=0)
    targets = held_out_digits(3)
    found = kgan.latent.project(gan, targets, steps=5, labels=[1, 2, 1])
    for image, latent, label in zip(found.images, found.latents, [1, 2, 1]):
        np.testing.assert_allclose(image, gan.generate(latent=latent[None], labels=label)[0], atol=1e-5)
    with pytest.raises(ValueError, match="pass labels"):
        kgan.latent.project(gan, targets, steps=1)


def test_projection_refuses_what_it_cannot_use(trained_dcgan, tmp_path):
    gan, targets = trained_dcgan, held_out_digits(2)
    with pytest.raises(ValueError, match=r"images must be \(n, 8, 8, 1\) for this generator, got \(2, 8, 8, 3\)"):
        kgan.latent.project(gan, np.repeat(targets, 3, axis=-1), steps=1)
    with pytest.raises(ValueError, match="images is empty"):
        kgan.latent.project(gan, targets[:0], steps=1)
    with pytest.raises(ValueError, match="uint8 pixels or floats"):
        kgan.latent.project(gan, targets.astype(np.int32), steps=1)
    with pytest.raises(ValueError, match="labels are for conditional GANs"):
        kgan.latent.project(gan, targets, steps=1, labels=3)
    with pytest.raises(ValueError, match=r"space must be one of \('z',\) for a DCGAN"):
        kgan.latent.project(gan, targets, steps=1, space="w+")
    with pytest.raises(ValueError, match="steps must be an int >= 0"):
        kgan.latent.project(gan, targets, steps=-1)
    with pytest.raises(ValueError, match="translates images; it has no latent space"):
        kgan.latent.project(kgan.Pix2Pix((8, 8, 1), width=4, seed=0), targets, steps=1)
    export = kgan.export_generator(gan, tmp_path / "g.onnx")
    with pytest.raises(
        ValueError, match=r"an exported generator \(an ONNX file\).*Projection follows the generator's gradients"
    ):
        kgan.latent.project(export, targets, steps=1)


def test_kgan_project_writes_reconstructions_latents_and_a_report(trained_dcgan, tmp_path, capsys):
    import json

    model = tmp_path / "gan.keras"
    trained_dcgan.save(model)
    folder = tmp_path / "images"
    folder.mkdir()
    for number, image in enumerate(held_out_digits(3)):
        kgan.images.save_png(str(folder / f"digit_{number}.png"), image)
    out = tmp_path / "projected"
    base = ["project", "--model", model, "--images", folder]
    code, stdout, err = kgan_command(capsys, *base, "--out", out, "--steps", "30")
    assert code == 0, err
    assert "projected 3 images" in stdout
    names = ["digit_0", "digit_1", "digit_2"]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["comparison.png", "projection.json"] + [f"{n}.png" for n in names] + [f"{n}.npy" for n in names]
    )
    latent = np.load(out / "digit_1.npy")
    reconstruction = iio.imread(out / "digit_1.png")
    expected = kgan.images.to_uint8(trained_dcgan.generate(latent=latent[None]))[0, ..., 0]
    assert np.abs(reconstruction.astype(int) - expected.astype(int)).max() <= 1
    report = json.loads((out / "projection.json").read_text())
    assert set(report["images"]) == set(names) and report["steps"] == 30
    assert all(entry["psnr"] > 0 for entry in report["images"].values())

    code, _, err = kgan_command(capsys, *base, "--out", out)
    assert code == 2 and "Pass --overwrite" in err
    # Images of another size: refused with the fix, or resized with --resize.
    kgan.images.save_png(str(folder / "big.png"), np.zeros((16, 16, 1), np.uint8))
    code, _, err = kgan_command(capsys, *base, "--out", tmp_path / "p2")
    assert code == 2 and "big.png' is 16x16; the generator makes 8x8" in err
    assert "--resize" in err and not (tmp_path / "p2").exists()
    code, _, err = kgan_command(capsys, *base, "--out", out, "--overwrite", "--resize", "--steps", "5")
    assert code == 0, err
    assert (out / "big.npy").exists()


def test_a_class_walk_mixes_class_codes_with_the_latent_held(tmp_path, capsys):
    concat = kgan.CGAN((8, 8, 1), num_classes=10, latent_dim=8, width=8, seed=0)
    projection = kgan.ProjectionGAN((8, 8, 1), num_classes=10, latent_dim=8, width=8, seed=0)
    rng = np.random.default_rng(0)
    for layer in projection.generator.layers:  # trained-looking class scales and shifts
        if isinstance(layer, kgan.layers.ConditionalBatchNormalization):
            layer.gamma.assign(1 + 0.5 * rng.standard_normal(layer.gamma.shape))
            layer.beta.assign(0.5 * rng.standard_normal(layer.beta.shape))
    latents = latent_vectors(2, 8, 4).numpy()
    for gan in (concat, projection):
        walks = kgan.latent.class_walk(gan, [3, 8, 1], frames=5, rows=2, seed=4)
        assert walks.shape == (2, 5, 8, 8, 1)
        for frame, label in ((0, 3), (2, 8), (4, 1)):  # the keys are the classes' own samples
            np.testing.assert_allclose(walks[:, frame], gan.generate(latent=latents, labels=label), atol=1e-5)
        between = walks[0, 1]
        assert np.abs(between - walks[0, 0]).max() > 1e-4 and np.abs(between - walks[0, 2]).max() > 1e-4
    with pytest.raises(ValueError, match="a DCGAN has none"):
        kgan.latent.class_walk(tiny_dcgan(), [0, 1])
    with pytest.raises(ValueError, match=r"labels must be in \[0, 10\)"):
        kgan.latent.class_walk(concat, [3, 12])
    export = kgan.export_generator(concat, tmp_path / "cgan.onnx")
    with pytest.raises(ValueError, match=r"\(an ONNX file\), not a saved GAN. A class walk mixes the classes' codes"):
        kgan.latent.class_walk(export, [0, 1])

    concat.save(tmp_path / "cgan.keras")
    base = ["interpolate", "--model", tmp_path / "cgan.keras", "--classes", "3,8", "--frames", "4", "--rows", "2"]
    code, _, err = kgan_command(capsys, *base, "--out", tmp_path / "classes.png")
    assert code == 0, err
    grid = iio.imread(tmp_path / "classes.png")
    expected = kgan.latent.class_walk(concat, [3, 8], frames=4, rows=2)
    assert (
        np.abs(grid.astype(int) - kgan.images.tile(kgan.images.to_uint8(expected.reshape(8, 8, 8, 1)), 4)[..., 0]).max()
        <= 1
    )
    code, _, err = kgan_command(capsys, *base, "--labels", "2", "--out", tmp_path / "x.png")
    assert code == 2 and "Pass one" in err
