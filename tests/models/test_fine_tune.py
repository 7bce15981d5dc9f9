"""Fine-tuning a trained GAN: init_from, FreezeD (compile(freeze_d=)), and kgan train --init-from --freeze-d --ada."""

import os

import numpy as np
import pytest

import kgan
import kgan_cli
from tests.conftest import tiny_dcgan, weights_of

TINY = ["--dataset", "digits", "--batch-size", "32", "--limit", "256", "--width", "8", "--latent-dim", "8"]


def test_a_gan_starts_from_another_and_frozen_layers_stay_put(digits_dataset, tmp_path):
    trained = tiny_dcgan(seed=1, ema_decay=0.5)
    trained.compile()
    trained.fit(digits_dataset, epochs=1, verbose=0)
    trained.save(tmp_path / "trained.keras")

    tuned = tiny_dcgan(seed=2, ema_decay=0.5).init_from(kgan.load_gan(tmp_path / "trained.keras"))
    for network in ("generator", "discriminator", "ema_generator"):
        for mine, theirs in zip(weights_of(getattr(tuned, network)), weights_of(getattr(trained, network))):
            np.testing.assert_array_equal(mine, theirs)
    tuned.compile(freeze_d=1)
    first = next(layer for layer in tuned.discriminator.layers if layer.weights)
    assert tuned.frozen_d_layers == [first.name] and not first.trainable
    before = [layer.get_weights() for layer in tuned.discriminator.layers if layer.weights]
    tuned.fit(digits_dataset, epochs=1, verbose=0)
    after = [layer.get_weights() for layer in tuned.discriminator.layers if layer.weights]
    for b, a in zip(before[0], after[0]):
        np.testing.assert_array_equal(a, b)  # the frozen layer
    assert any(not np.array_equal(b, a) for b, a in zip(before[-1], after[-1]))  # the rest trains
    tuned.save(tmp_path / "tuned.keras")
    reloaded = kgan.load_gan(tmp_path / "tuned.keras")  # compiled again from the saved settings
    reloaded_first = next(layer for layer in reloaded.discriminator.layers if layer.weights)
    assert reloaded.frozen_d_layers == [reloaded_first.name] and not reloaded_first.trainable
    tuned.compile()  # freeze_d=0 thaws what an earlier compile froze
    assert first.trainable and tuned.frozen_d_layers == []


def test_mismatched_networks_and_bad_counts_are_refused(tmp_path, capsys):
    source = tiny_dcgan()
    with pytest.raises(ValueError, match="Cannot start this DCGAN from a DCGAN whose generator differs"):
        kgan.DCGAN((8, 8, 1), latent_dim=4, width=8, seed=0).init_from(source)
    with pytest.raises(ValueError, match=r"freeze_d must be an int in \[0, 2\): this discriminator has 2 layers"):
        source.compile(freeze_d=3)
    export = kgan.export_generator(source, str(tmp_path / "generator"))
    with pytest.raises(ValueError, match=r"init_from takes a GAN, got a str: pass kgan.load_gan\("):
        tiny_dcgan().init_from(export)
    assert kgan_cli.main(["train", *TINY, "--run-dir", str(tmp_path / "run"), "--init-from", export]) == 2
    assert "a SavedModel folder), not a saved GAN. Fine-tuning starts from every network" in capsys.readouterr().err


def test_kgan_train_fine_tunes_a_saved_run(tmp_path, capsys):
    first = tmp_path / "first"
    assert kgan_cli.main(["train", *TINY, "--epochs", "1", "--run-dir", str(first), "--no-export"]) == 0
    source = first / "checkpoints" / "epoch_0001.keras"
    tuned = tmp_path / "tuned"
    code = kgan_cli.main(
        [
            "train",
            *TINY,
            "--epochs",
            "1",
            "--run-dir",
            str(tuned),
            "--init-from",
            str(source),
            "--freeze-d",
            "1",
            "--ada",
        ]
    )
    assert code == 0, capsys.readouterr().err
    before, after = kgan.load_gan(source), kgan.load_gan(tuned / "checkpoints" / "epoch_0001.keras")
    frozen = [next(layer for layer in gan.discriminator.layers if layer.weights) for gan in (before, after)]
    for b, a in zip(frozen[0].get_weights(), frozen[1].get_weights()):
        np.testing.assert_array_equal(a, b)  # started from the saved GAN, and its first D layer stayed
    assert after.augment is not None and os.path.isfile(tuned / "config.json")
    capsys.readouterr()
    assert kgan_cli.main(["train", *TINY, "--run-dir", str(tmp_path / "x"), "--freeze-d", "1"]) == 2
    assert "use it with --init-from" in capsys.readouterr().err
    wider = ["train", *TINY[:-4], "--width", "16", "--latent-dim", "8", "--run-dir", str(tmp_path / "y")]
    assert kgan_cli.main([*wider, "--init-from", str(source)]) == 2
    assert "Build it with the settings the saved GAN was trained with" in capsys.readouterr().err
    assert kgan_cli.main(["train", *TINY, "--run-dir", str(tmp_path / "z"), "--init-from", str(first)]) == 2
    assert (
        f"{str(first)!r} is a kgan train run folder, not a saved GAN: pass {str(source)!r}" in capsys.readouterr().err
    )
