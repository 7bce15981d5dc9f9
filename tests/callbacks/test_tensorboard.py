"""kgan's TensorBoard output: one run, tags grouped by concern on one step axis, each figure once,
a Custom Scalars layout, the settings as HParams, a health summary, real | generated panels."""

import glob
import os

import numpy as np
import pytest
from tensorboard.plugins.custom_scalar import layout_pb2
from tensorboard.plugins.hparams import plugin_data_pb2

import kgan
from kgan import images as images_lib
from tests.conftest import summaries, tiny_dcgan


def _fit_with_every_view(gan, data, log_dir, epochs=2, **fit_args):
    """fit with the views `kgan train` uses: 8 batches an epoch, points every 3 steps."""
    history = gan.fit(
        data,
        epochs=epochs,
        verbose=0,
        callbacks=[
            kgan.callbacks.TrainingMonitor(data, log_dir=log_dir, check_every=4),
            kgan.callbacks.TensorBoard(log_dir, update_freq=3),
            kgan.callbacks.ImageGrid(log_dir=log_dir, num_images=4, examples=next(iter(data))),
            kgan.callbacks.LatentWalk(log_dir=log_dir, rows=2, frames=3),
        ],
        **fit_args,
    )
    return history


def test_one_run_grouped_tags_one_step_axis_each_figure_once(digits_dataset, tmp_path):
    gan = tiny_dcgan()
    gan.compile()
    log_dir = str(tmp_path / "logs")
    history = _fit_with_every_view(gan, digits_dataset, log_dir)
    # One run: every callback wrote into one event file in the log folder itself.
    event_files = glob.glob(os.path.join(log_dir, "**", "events.out.tfevents.*"), recursive=True)
    assert [os.path.dirname(f) for f in event_files] == [log_dir]
    found = summaries(log_dir)
    by_tag = {}
    for tag, step, plugin, value in found:
        by_tag.setdefault(tag, []).append((step, plugin, value))
    scalars = {tag for tag, _, plugin, _ in found if plugin == "scalars"}
    assert scalars == {
        "loss/d",
        "loss/g",
        "balance/d_real",
        "balance/d_fake",
        "balance/equilibrium",
        "gradients/d_norm",
        "gradients/g_norm",
        "learning_rate/d",
        "learning_rate/g",
        "health/diversity",
        "health/sample_gap",
    }
    shown = {tag for tag, _, plugin, _ in found if plugin in ("scalars", "images", "histograms", "text")}
    assert all(
        tag.split("/")[0] in ("loss", "balance", "gradients", "learning_rate", "health", "samples") for tag in shown
    )
    # The step axis is the global step for scalars, images, histograms and text alike: points every
    # 3 steps and at each epoch's end (8, 16); pictures and the health summary at the epoch ends.
    assert [s for s, _, _ in by_tag["loss/d"]] == [3, 6, 8, 11, 14, 16]
    for tag in ("samples/grid", "samples/real_vs_generated", "samples/latent_walk", "health/summary"):
        assert [s for s, _, _ in by_tag[tag]] == [8, 16], tag
    assert [s for s, _, _ in by_tag["balance/d_output_fake"]] == [4, 8, 12, 16]
    # Each point is the mean over the steps since the last one: weighted by those steps, an
    # epoch's points give the epoch's mean that History holds.
    points = dict((s, v) for s, _, v in by_tag["loss/d"])
    for epoch, (start, stops) in enumerate([(0, (3, 6, 8)), (8, (11, 14, 16))]):
        spans = np.diff((start, *stops))
        mean = sum(points[s] * n for s, n in zip(stops, spans)) / spans.sum()
        assert mean == pytest.approx(history.history["d_loss"][epoch], rel=1e-5)
    assert {v for _, _, v in by_tag["balance/equilibrium"]} == {0.5}
    # D's outputs on real and fake are histograms over one range: [0, 1] for probabilities.
    for tag in ("balance/d_output_real", "balance/d_output_fake"):
        buckets = by_tag[tag][-1][2]
        assert buckets[0, 0] == 0.0 and buckets[-1, 1] == 1.0 and buckets[:, 2].sum() == 64
    summary = by_tag["health/summary"][-1][2]
    assert summary.startswith("No problems seen at step 16")


def test_custom_scalars_layout_and_hparams(digits_dataset, tmp_path):
    gan = tiny_dcgan()
    gan.compile(loss="hinge", regularizers=[kgan.regularizers.R1(1.0)])
    log_dir = str(tmp_path / "logs")
    settings = {"recipe": "dcgan", "d_lr": 2e-4, "limit": None, "ada": False}
    gan.fit(
        digits_dataset,
        epochs=1,
        verbose=0,
        callbacks=[
            kgan.callbacks.TrainingMonitor(digits_dataset, log_dir=log_dir),
            kgan.callbacks.TensorBoard(log_dir, update_freq=4, hparams=settings),
        ],
    )
    found = summaries(log_dir)
    layouts = [value for tag, _, plugin, value in found if plugin == "custom_scalars"]
    layout = layout_pb2.Layout.FromString(layouts[-1].item())
    charts = {
        chart.title: [pattern.strip("^$").replace("\\", "") for pattern in chart.multiline.tag]
        for category in layout.category
        for chart in category.chart
    }
    assert [category.title for category in layout.category] == ["training", "health"]
    assert charts["D and G losses"] == ["loss/d", "loss/g"]
    # Hinge has no single equilibrium value: no 0.5 line beside D's verdicts.
    assert charts["D's verdicts on real and fake (0.5 at equilibrium)"] == ["balance/d_real", "balance/d_fake"]
    assert charts["gradient norms"] == ["gradients/d_norm", "gradients/g_norm"]
    assert charts["penalties"] == ["penalty/r1"]
    assert charts["sample diversity (1 = as varied as the data)"] == ["health/diversity"]
    scalar_tags = {tag for tag, _, plugin, _ in found if plugin == "scalars"}
    assert {tag for chart in charts.values() for tag in chart} <= scalar_tags  # every chart draws something
    assert "balance/equilibrium" not in scalar_tags
    # The run's settings, in the HParams tab's own format.
    events = [
        e for e in _raw_events(log_dir) if e.summary.value and e.summary.value[0].tag == "_hparams_/session_start_info"
    ]
    data = plugin_data_pb2.HParamsPluginData.FromString(events[0].summary.value[0].metadata.plugin_data.content)
    hparams = {
        name: value.WhichOneof("kind") and getattr(value, value.WhichOneof("kind"))
        for name, value in data.session_start_info.hparams.items()
    }
    assert hparams == {"recipe": "dcgan", "d_lr": 2e-4, "limit": "none", "ada": False}


def _raw_events(log_dir):
    import tensorflow as tf

    for path in sorted(glob.glob(os.path.join(log_dir, "events.out.tfevents.*"))):
        yield from tf.compat.v1.train.summary_iterator(path)


def test_default_hparams_name_the_gan_and_its_training(digits_dataset):
    gan = tiny_dcgan(ema_decay=0.99)
    gan.compile(loss="least_squares", learning_rate=(4e-4, None), augment=kgan.augment.DiffAugment())
    settings = kgan.callbacks.tensorboard.default_hparams(gan)
    assert settings["family"] == "DCGAN" and settings["loss"] == "least_squares"
    assert settings["d_learning_rate"] == pytest.approx(4e-4) and settings["ema_decay"] == 0.99
    assert settings["augment"] == "DiffAugment" and settings["latent_dim"] == 8


def test_sample_metrics_and_validation_logs_go_to_their_groups(digits_dataset, tmp_path):
    gan = tiny_dcgan()
    gan.compile()
    log_dir = str(tmp_path / "logs")

    class Sharpness(kgan.callbacks.schedule.EveryFewEpochs):  # an epoch-only log, as SampleMetrics adds
        def on_epoch_end(self, epoch, logs=None):
            logs["sharpness"] = float(np.abs(self.model.generate(8, seed=0)).mean())

    gan.fit(
        digits_dataset,
        epochs=2,
        verbose=0,
        validation_data=digits_dataset.take(2),
        callbacks=[Sharpness(), kgan.callbacks.TensorBoard(log_dir, update_freq="epoch")],
    )
    found = summaries(log_dir)
    steps = {}
    for tag, step, plugin, _ in found:
        if plugin == "scalars":
            steps.setdefault(tag, []).append(step)
    assert steps["metrics/sharpness"] == [8, 16] and steps["validation/d_loss"] == [8, 16]
    assert steps["loss/d"] == [8, 16]  # update_freq="epoch": one point per epoch
    assert not any(tag.startswith("train/") for tag in steps)


def test_image_grid_shows_real_beside_generated_and_every_n_steps(digits_dataset, tmp_path):
    gan = tiny_dcgan()
    gan.compile()
    log_dir = str(tmp_path / "logs")
    real = next(iter(digits_dataset))
    grid = kgan.callbacks.ImageGrid(log_dir=log_dir, num_images=9, examples=real, every_steps=5)
    gan.fit(digits_dataset, epochs=2, verbose=0, callbacks=[grid])
    found = summaries(log_dir)
    assert [step for tag, step, _, _ in found if tag == "samples/grid"] == [5, 8, 10, 15, 16]
    panel = [value for tag, step, _, value in found if tag == "samples/real_vs_generated" and step == 16][0]
    samples = [value for tag, step, _, value in found if tag == "samples/grid" and step == 16][0]
    real_grid = images_lib.tile(images_lib.to_uint8(np.asarray(real)[:9]), 3)
    # Real on the left, the sample grid on the right, 4 white pixels apart.
    np.testing.assert_array_equal(panel[:, : real_grid.shape[1]], real_grid)
    assert (panel[:, real_grid.shape[1] : real_grid.shape[1] + 4] == 255).all()
    np.testing.assert_array_equal(panel[:, real_grid.shape[1] + 4 :], samples)


def test_a_conditional_real_panel_has_one_row_per_class(tmp_path):
    gan = kgan.CGAN(image_shape=(8, 8, 1), num_classes=10, latent_dim=8, width=8, seed=0)
    gan.compile()
    data = kgan.data.load("digits", batch_size=64, seed=0, labels=True, limit=128)
    images, labels = next(iter(data))
    images, labels = np.asarray(images), np.asarray(labels)
    rows, columns = gan.real_grid((images, labels), 20)
    assert columns == 2 and rows.shape == (20, 8, 8, 1)
    for label in range(10):
        mine = images[labels == label][:2]
        np.testing.assert_array_equal(rows[2 * label : 2 * label + len(mine)], mine)


def test_update_freq_is_checked():
    with pytest.raises(ValueError, match="update_freq must be an int >= 1"):
        kgan.callbacks.TensorBoard("logs", update_freq=0)
    with pytest.raises(ValueError, match="every_steps must be None or an int >= 1"):
        kgan.callbacks.ImageGrid(log_dir="logs", every_steps=0)
