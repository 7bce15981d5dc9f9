"""kgan.data.paired: paired and unpaired image data, and synthetic pairs."""

import os

import numpy as np
import pytest

import kgan


def test_paired_and_unpaired_data_from_folders(tmp_path, digits):
    for side, images in (("edges", kgan.data.edge_maps(digits[:8])), ("digits", digits[:8])):
        for i, image in enumerate(images):
            kgan.images.save_png(str(tmp_path / side / f"{i}.png"), image)
    pairs = kgan.data.paired_folders(
        str(tmp_path / "edges"),
        str(tmp_path / "digits"),
        (8, 8),
        batch_size=4,
        source_channels=1,
        target_channels=1,
        shuffle=False,
    )
    source, target = next(iter(pairs))
    np.testing.assert_allclose(target.numpy(), digits[:4] / 127.5 - 1.0, atol=1e-6)
    np.testing.assert_allclose(source.numpy(), kgan.data.edge_maps(digits[:4]) / 127.5 - 1.0, atol=1e-6)
    a, b = next(
        iter(
            kgan.data.unpaired_folders(
                str(tmp_path / "edges"), str(tmp_path / "digits"), (8, 8), batch_size=4, channels=1
            )
        )
    )
    assert a.shape == b.shape == (4, 8, 8, 1)
    os.remove(tmp_path / "digits" / "3.png")
    with pytest.raises(ValueError, match=r"1 images have no partner.*\['3'\]"):
        kgan.data.paired_folders(str(tmp_path / "edges"), str(tmp_path / "digits"), (8, 8), batch_size=4)


def test_side_by_side_pairs_split_each_file_in_its_two_halves(tmp_path, digits):
    """A|B files as the pix2pix datasets ship them: A left, B right; the direction picks the source."""
    colour = np.repeat(digits[:6], 3, axis=-1)
    for i, image in enumerate(colour):
        kgan.images.save_png(str(tmp_path / "ab" / f"{i}.png"), np.concatenate([image, 255 - image], axis=1))
    folder = str(tmp_path / "ab")
    source, target = next(iter(kgan.data.side_by_side_folder(folder, 8, batch_size=6, shuffle=False)))
    assert source.shape == target.shape == (6, 8, 8, 3)
    np.testing.assert_allclose(source.numpy(), colour / 127.5 - 1.0, atol=1e-6)
    np.testing.assert_allclose(target.numpy(), (255 - colour) / 127.5 - 1.0, atol=1e-6)
    pairs = kgan.data.side_by_side_folder(folder, (4, 4), "BtoA", 3, source_channels=1, shuffle=False, limit=3)
    batches = list(pairs)
    assert len(batches) == 1 and batches[0][0].shape == (3, 4, 4, 1) and batches[0][1].shape == (3, 4, 4, 3)
    assert float(batches[0][0][0].numpy().mean()) > float(batches[0][1][0].numpy().mean())  # B: the light side
    with pytest.raises(ValueError, match="direction must be one of"):
        kgan.data.side_by_side_folder(folder, 8, direction="left")
    with pytest.raises(ValueError, match="fewer than one batch"):
        kgan.data.side_by_side_folder(folder, 8, batch_size=64)


def test_synthetic_pairs():
    images = np.zeros((2, 8, 8, 1), np.uint8)
    images[:, 2:6, 2:6] = 255
    edges = kgan.data.edge_maps(images)
    assert edges.dtype == np.uint8 and edges[0, 0, 0, 0] == 0 and edges.max() == 255 and edges[0, 4, 4, 0] == 0
    np.testing.assert_array_equal(kgan.data.low_resolution(images, 2)[0, 1:3, 1:3, 0], 255)
    np.testing.assert_array_equal(kgan.data.inverted(images), 255 - images)
