"""kgan.callbacks.TensorBoard: epoch curves whatever the batch schedule."""

import numpy as np

import kgan
from tests.conftest import summaries, tiny_dcgan


def test_tensorboard_writes_epoch_curves_and_grids_whatever_the_batch_schedule(digits_dataset, tmp_path):
    # 8 batches an epoch with update_freq=3: epoch ends fall off the batch schedule, where Keras'
    # own callback mutes every summary (tensorflow/tensorflow#49109).
    gan = tiny_dcgan()
    gan.compile()
    log_dir = tmp_path / "logs"
    gan.fit(
        digits_dataset,
        epochs=2,
        verbose=0,
        callbacks=[
            kgan.callbacks.TensorBoard(str(log_dir), update_freq=3),
            kgan.callbacks.ImageGrid(log_dir=str(log_dir), num_images=4),
        ],
    )
    scalars = summaries(log_dir / "train")
    for name in ("d_loss", "g_loss", "d_real", "d_fake"):
        assert [step for tag, step, _, _ in scalars if tag == f"epoch_{name}"] == [0, 1], name
        assert [step for tag, step, _, _ in scalars if tag == f"batch_{name}"] == [3, 6, 9, 12, 15]
    history_like = [v for tag, _, _, v in scalars if tag == "epoch_d_loss"]
    assert all(np.isfinite(history_like))
    assert [step for tag, step, _, _ in summaries(log_dir / "images")] == [1, 2]
