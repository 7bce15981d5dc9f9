"""kgan.load_generator: .keras GANs, SavedModel exports and ONNX exports behind one interface."""

import pathlib

import numpy as np
import pytest

import kgan
from tests.conftest import tiny_dcgan

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "kgan_0_1"


def trained(gan):
    gan.compile()
    labelled = isinstance(gan, kgan.CGAN)
    gan.fit(kgan.data.load("digits", batch_size=32, seed=0, limit=256, labels=labelled), verbose=0)
    return gan


def every_form(gan, tmp_path):
    """The GAN saved as .keras, exported as a SavedModel and as ONNX, each opened by load_generator."""
    gan.save(tmp_path / "gan.keras")
    kgan.export_generator(gan, str(tmp_path / "export"))
    kgan.export_generator(gan, tmp_path / "generator.onnx")
    return [kgan.load_generator(tmp_path / name) for name in ("gan.keras", "export", "generator.onnx")]


def test_an_unconditional_gan_samples_the_same_from_every_form(tmp_path):
    gan = trained(tiny_dcgan(ema_decay=0.5))
    keras_file, export, onnx_file = every_form(gan, tmp_path)
    expected = gan.generate(6, seed=3)
    latent = np.random.default_rng(0).standard_normal((3, 8)).astype(np.float32)
    for loaded in (keras_file, export, onnx_file):
        assert (loaded.latent_dim, loaded.num_classes, loaded.image_shape, loaded.truncates) == (
            8,
            None,
            (8, 8, 1),
            False,
        )
        images = loaded.generate(6, seed=3)
        assert images.dtype == np.float32 and images.shape == (6, 8, 8, 1)
        np.testing.assert_allclose(images, expected, atol=1e-5)
        np.testing.assert_allclose(loaded.generate(latent=latent), gan.generate(latent=latent), atol=1e-5)
        assert not np.array_equal(loaded.generate(6, seed=4), images)
        with pytest.raises(ValueError, match="labels are for conditional GANs; this generator takes no labels"):
            loaded.generate(2, labels=[0, 1])
        with pytest.raises(ValueError, match="truncation is for the families that truncate"):
            loaded.generate(2, truncation=0.7)
        with pytest.raises(ValueError, match="needs an int num >= 1"):
            loaded.generate(0)
        with pytest.raises(ValueError, match=r"latent vectors must have shape \(n, 8\)"):
            loaded.generate(latent=np.zeros((2, 5)))
    assert "latent_dim=8" in repr(export)


def test_a_conditional_gan_cycles_or_takes_labels(tmp_path):
    gan = trained(kgan.CGAN(image_shape=(8, 8, 1), num_classes=10, latent_dim=8, width=8, seed=0))
    for loaded in every_form(gan, tmp_path):
        assert loaded.num_classes == 10
        np.testing.assert_allclose(loaded.generate(12, seed=1), gan.generate(12, seed=1), atol=1e-5)
        sevens = loaded.generate(3, seed=1, labels=7)
        np.testing.assert_allclose(sevens, gan.generate(3, labels=np.full(3, 7), seed=1), atol=1e-5)
        with pytest.raises(ValueError, match=r"labels must be in \[0, 10\), got values from 3 to 10"):
            loaded.generate(2, labels=[3, 10])
        with pytest.raises(ValueError, match="one int or 2 ints"):
            loaded.generate(2, labels=[1, 2, 3])


def test_stylegan2_truncates_in_every_form(tmp_path):
    gan = trained(kgan.StyleGAN2((8, 8, 1), latent_dim=8, width=8, mapping_layers=2, seed=0))
    for loaded in every_form(gan, tmp_path):
        assert loaded.truncates
        average = loaded.generate(4, seed=0, truncation=0.0)
        assert np.abs(average - average[:1]).max() < 1e-5  # psi 0: every seed gives the average image
        np.testing.assert_allclose(loaded.generate(4, seed=2), gan.generate(4, seed=2), atol=1e-5)
        truncated = gan.generate(4, seed=2, truncation=0.7)
        np.testing.assert_allclose(loaded.generate(4, seed=2, truncation=0.7), truncated, atol=1e-5)


def test_what_cannot_be_loaded_is_refused_with_the_reason(tmp_path):
    with pytest.raises(FileNotFoundError, match="No model at"):
        kgan.load_generator(tmp_path / "missing.keras")
    (tmp_path / "notes.txt").write_text("not a model")
    with pytest.raises(ValueError, match="neither a .keras file, an .onnx file nor a SavedModel folder"):
        kgan.load_generator(tmp_path / "notes.txt")
    (tmp_path / "cut.keras").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(ValueError, match="not a .keras archive"):
        kgan.load_generator(tmp_path / "cut.keras")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="no saved_model.pb"):
        kgan.load_generator(tmp_path / "empty")
    pix2pix = kgan.Pix2Pix(source_shape=(8, 8, 1), width=4, seed=0)
    pix2pix.save(tmp_path / "pix2pix.keras")
    kgan.export_generator(pix2pix, str(tmp_path / "pix2pix_export"))
    kgan.export_generator(pix2pix, tmp_path / "pix2pix.onnx")
    for name in ("pix2pix.keras", "pix2pix_export", "pix2pix.onnx"):
        with pytest.raises(ValueError, match=r"translates images rather than sampling latent vectors .*takes source"):
            kgan.load_generator(tmp_path / name)
    (tmp_path / "cut.onnx").write_bytes(b"\x08\x07 truncated")
    with pytest.raises(ValueError, match="not a readable ONNX model"):
        kgan.load_generator(tmp_path / "cut.onnx")
    with pytest.raises(FileNotFoundError, match="No ONNX file"):
        kgan.load_generator(tmp_path / "missing.onnx")


def test_a_translator_opens_from_every_form_and_translates_as_the_model_does(tmp_path):
    model = kgan.Pix2Pix(source_shape=(8, 8, 1), target_channels=3, width=4, seed=0)
    model.save(tmp_path / "pix2pix.keras")
    kgan.export_generator(model, str(tmp_path / "export"))
    kgan.export_generator(model, tmp_path / "pix2pix.onnx")
    source = np.random.default_rng(0).uniform(-1, 1, (5, 8, 8, 1)).astype(np.float32)
    expected = model.translate(source)
    for held in (model, tmp_path / "pix2pix.keras", str(tmp_path / "export"), str(tmp_path / "pix2pix.onnx")):
        opened = kgan.trained.open_generator(held)
        assert opened.translates and opened.latent_dim is None and opened.num_classes is None
        assert opened.source_shapes == {"source": (8, 8, 1)} and opened.image_shape == (8, 8, 3)
        np.testing.assert_allclose(opened.translate(source), expected, atol=1e-5)
        with pytest.raises(ValueError, match="translates images rather than sampling latent vectors: use translate"):
            opened.generate(2, seed=0)
        with pytest.raises(ValueError, match=r"source must be a batch of shape \(n, 8, 8, 1\), got \(5, 8, 8, 3\)"):
            opened.translate(np.zeros((5, 8, 8, 3), np.float32))
    with pytest.raises(ValueError, match="has no signature 'b_to_a'; it has pixels, serving_default"):
        kgan.trained.open_generator(str(tmp_path / "export"), "b_to_a")
    inpainting = kgan.Inpainting((8, 8, 1), width=4, discriminator_layers=2, seed=0)
    masks = np.zeros((5, 8, 8, 1), np.float32)
    masks[:, 2:6, 2:6] = 1.0
    filled = inpainting.translate((source, masks))
    kgan.export_generator(inpainting, str(tmp_path / "inpainting"))
    kgan.export_generator(inpainting, str(tmp_path / "inpainting.onnx"))
    for held in (inpainting, str(tmp_path / "inpainting"), str(tmp_path / "inpainting.onnx")):
        opened = kgan.trained.open_generator(held)  # the images first, then the masks, in every form
        assert opened.translates and list(opened.source_shapes) == ["source", "masks"], held
        np.testing.assert_allclose(opened.translate((source, masks)), filled, atol=1e-5)
    with pytest.raises(ValueError, match="samples latent vectors rather than translating images"):
        kgan.trained.open_generator(tiny_dcgan()).translate(source)


def test_an_onnx_model_that_kgan_did_not_export_is_refused(tmp_path):
    import onnx

    # A valid ONNX model of the right input name, without kgan's metadata.
    graph = onnx.helper.make_graph(
        [onnx.helper.make_node("Identity", ["latent"], ["images"])],
        "not_kgan",
        [onnx.helper.make_tensor_value_info("latent", onnx.TensorProto.FLOAT, [None, 8])],
        [onnx.helper.make_tensor_value_info("images", onnx.TensorProto.FLOAT, [None, 8])],
    )
    onnx.save(onnx.helper.make_model(graph), tmp_path / "other.onnx")
    with pytest.raises(ValueError, match="not a kgan generator export"):
        kgan.load_generator(tmp_path / "other.onnx")


def test_files_saved_by_kgan_0_1_still_load_and_draw_the_same():
    """The last release's .keras files and StyleGAN2 export (truncation input `psi`), saved with
    their samples then (tests/fixtures/kgan_0_1/README.md). Another CPU's kernels may round the
    last bits apart, hence the tolerance."""
    expected = np.load(FIXTURES / "stylegan2_seed3_psi07.npy")
    stylegan2 = kgan.load_gan(FIXTURES / "stylegan2.keras")
    np.testing.assert_allclose(stylegan2.generate(4, seed=3, truncation=0.7), expected, atol=1e-4)
    exported = kgan.load_generator(FIXTURES / "stylegan2_generator")
    assert exported.truncates and exported.latent_dim == 8
    np.testing.assert_allclose(exported.generate(4, seed=3, truncation=0.7), expected, atol=1e-4)
    assert not np.allclose(exported.generate(4, seed=3), expected, atol=1e-3)  # the truncation is applied
    acgan = kgan.load_gan(FIXTURES / "acgan.keras")
    sevens = np.load(FIXTURES / "acgan_seed3_label7.npy")
    np.testing.assert_allclose(acgan.generate(4, seed=3, labels=7), sevens, atol=1e-4)
    np.testing.assert_allclose(
        kgan.load_generator(FIXTURES / "acgan.keras").generate(4, seed=3, labels=7), sevens, atol=1e-4
    )


def test_a_two_way_translator_opens_either_way_in_every_form(tmp_path):
    model = kgan.CycleGAN(image_shape_a=(8, 8, 1), width=4, max_depth=2, discriminator_layers=1, seed=0)
    images = np.random.default_rng(1).uniform(-1, 1, (3, 8, 8, 1)).astype(np.float32)
    model.save(tmp_path / "cyclegan.keras")
    kgan.export_generator(model, str(tmp_path / "export"))
    kgan.export_generator(model, str(tmp_path / "b_to_a.onnx"), signature="b_to_a")
    for direction in ("a_to_b", "b_to_a"):
        expected = model.translate(images, direction)
        for held in (model, tmp_path / "cyclegan.keras", str(tmp_path / "export")):
            opened = kgan.trained.open_generator(held, direction)
            np.testing.assert_allclose(opened.translate(images), expected, atol=1e-5)
    opened = kgan.trained.open_generator(str(tmp_path / "b_to_a.onnx"), "b_to_a")
    np.testing.assert_allclose(opened.translate(images), model.translate(images, "b_to_a"), atol=1e-5)
    with pytest.raises(ValueError, match="holds the signature 'b_to_a'.*kgan export --signature a_to_b"):
        kgan.trained.open_generator(str(tmp_path / "b_to_a.onnx"), "a_to_b")
