"""kgan.synthesize: labelled samples of a conditional generator, as a dataset or an image folder."""

import numpy as np
import pytest

import kgan
from tests.conftest import tiny_dcgan


@pytest.fixture(scope="module")
def cgan():
    gan = kgan.CGAN((8, 8, 1), num_classes=12, latent_dim=8, width=8, seed=0)
    gan.compile()
    gan.fit(kgan.data.load("digits", batch_size=32, seed=0, limit=256, labels=True), epochs=1, verbose=0)
    return gan


def everything(dataset):
    images, labels = zip(*[(x.numpy(), y.numpy()) for x, y in dataset])
    return np.concatenate(images), np.concatenate(labels)


def test_a_dataset_of_every_class_as_generate_draws_them(cgan):
    dataset = kgan.synthesize(cgan, num_per_class=5, seed=3, batch_size=16)
    images, labels = everything(dataset)
    assert images.shape == (60, 8, 8, 1) and images.dtype == np.float32 and labels.dtype == np.int32
    assert np.bincount(labels).tolist() == [5] * 12
    assert labels[:16].tolist() != sorted(labels[:16].tolist())  # shuffled across classes
    # The same samples as generate draws with the seed, each under its own class (in shuffled order).
    expected = cgan.generate(60, labels=np.repeat(np.arange(12), 5), seed=3)
    for label in range(12):
        found = images[labels == label].reshape(5, -1)
        wanted = expected[label * 5 : label * 5 + 5].reshape(5, -1)
        np.testing.assert_allclose(found[np.argsort(found.sum(1))], wanted[np.argsort(wanted.sum(1))], atol=1e-6)
    unshuffled, unshuffled_labels = everything(kgan.synthesize(cgan, 2, labels=[7, 3], shuffle=False))
    assert unshuffled_labels.tolist() == [3, 3, 7, 7]
    np.testing.assert_allclose(unshuffled, cgan.generate(4, labels=[3, 3, 7, 7], seed=0), atol=1e-6)


def test_an_image_folder_that_image_folder_reads_back(cgan, tmp_path):
    folder = kgan.synthesize(cgan, num_per_class=3, labels=[1, 10], folder=tmp_path / "synthetic")
    assert sorted(p.name for p in (tmp_path / "synthetic").iterdir()) == ["01", "10", "synthesis.txt"]
    read = kgan.data.image_folder(folder, 8, channels=1, labels=True, shuffle=False, drop_remainder=False)
    images, labels = everything(read)
    assert read.class_names == ["01", "10"] and labels.tolist() == [0, 0, 0, 1, 1, 1]
    drawn = cgan.generate(6, labels=[1, 1, 1, 10, 10, 10], seed=0)
    assert np.abs(images - kgan.images.to_uint8(drawn) / 127.5 + 1).max() < 1e-5

    with pytest.raises(FileExistsError, match="holds an earlier synthesis. Pass overwrite=True"):
        kgan.synthesize(cgan, 1, folder=folder)
    kgan.synthesize(cgan, 1, labels=[2], folder=folder, overwrite=True)
    assert sorted(p.name for p in (tmp_path / "synthetic").iterdir()) == ["02", "synthesis.txt"]
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")
    with pytest.raises(FileExistsError, match="not an earlier synthesis"):
        kgan.synthesize(cgan, 1, folder=mine, overwrite=True)
    assert (mine / "notes.txt").read_text() == "keep"


def test_an_export_synthesizes_the_same_and_bad_requests_are_refused(cgan, tmp_path):
    export = kgan.export_generator(cgan, tmp_path / "cgan.onnx")
    from_export, _ = everything(kgan.synthesize(export, 2, labels=[5], shuffle=False))
    np.testing.assert_allclose(from_export, cgan.generate(2, labels=5, seed=0), atol=1e-5)
    with pytest.raises(ValueError, match="this generator is unconditional"):
        kgan.synthesize(tiny_dcgan(), 5)
    with pytest.raises(ValueError, match="num_per_class must be an int >= 1"):
        kgan.synthesize(cgan, 0)
    with pytest.raises(ValueError, match=r"labels must be in \[0, 12\)"):
        kgan.synthesize(cgan, 1, labels=[12])
