"""The same GAN script under tf.distribute: updates match one device's, step for step."""

import json
import os
import socket
import subprocess
import sys

import numpy as np

_MIRRORED = r"""
import json, sys
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import keras, numpy as np, kgan
from kgan.architectures import mlp

points = np.random.default_rng(0).normal(size=(96, 2)).astype(np.float32)

def train(strategy):
    with strategy.scope():
        gan = kgan.GAN(mlp.build_generator(latent_dim=4, output_dim=2, hidden_units=(16,), seed=1),
                       mlp.build_discriminator(input_dim=2, hidden_units=(16,), seed=2), seed=3)
        gan.compile()
    history = gan.fit(tf.data.Dataset.from_tensor_slices(points).batch(16), epochs=2, verbose=0).history
    fakes = gan.generator(gan.sample_latent(4, seed=5)).numpy()
    return [w.numpy().tolist() for w in gan.weights], history, fakes.tolist()

one = train(tf.distribute.get_strategy())
mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
two = train(mirrored)

# The DCGAN recipe on a kgan pipeline, watched by the monitor, under the same strategy (one
# strategy per process: a second one's collectives would reuse the first one's keys).
with mirrored.scope():
    dcgan = kgan.DCGAN(image_shape=(8, 8, 1), latent_dim=8, width=8, seed=0)
    dcgan.compile()
digits = kgan.data.load("digits", batch_size=16, seed=0, limit=128)
monitor = kgan.callbacks.TrainingMonitor(digits, check_every=4)
dcgan.fit(digits, epochs=2, verbose=0, callbacks=[monitor])
recipe = {"steps": int(dcgan.g_optimizer.iterations.numpy()), "checks": len(monitor.history)}
# StyleGAN2: lazy R1, path length (its running mean a mirrored training state) and w_avg.
with mirrored.scope():
    style = kgan.StyleGAN2((8, 8, 1), latent_dim=8, width=8, mapping_layers=2, seed=0)
    style.compile()
logs = style.fit(digits, epochs=2, verbose=0).history
recipe["stylegan2"] = {
    "steps": int(style.g_optimizer.iterations.numpy()),
    "finite": bool(all(np.isfinite(v[-1]) for v in logs.values())),
    "pl_mean": float(style.state_variable("pl_mean").numpy()),
    "w_avg_moved": bool(np.abs(style.w_avg).sum() > 0),
}
json.dump({"one": one, "two": two, "recipe": recipe}, open(sys.argv[1], "w"))
"""


def test_mirrored_strategy_on_two_devices_matches_one_device_step_for_step(tmp_path):
    script, out = tmp_path / "mirrored.py", tmp_path / "out.json"
    script.write_text(_MIRRORED)
    result = subprocess.run(
        [sys.executable, str(script), str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    runs = json.loads(out.read_text())
    (weights_one, history_one, _), (weights_two, history_two, _) = runs["one"], runs["two"]
    assert len(weights_one) == len(weights_two)
    for a, b in zip(weights_one, weights_two):
        np.testing.assert_allclose(np.array(a), np.array(b), rtol=1e-4, atol=1e-5)
    for key in ("d_loss", "g_loss", "d_real", "d_fake"):
        np.testing.assert_allclose(history_one[key], history_two[key], rtol=1e-4)
    style = runs["recipe"].pop("stylegan2")
    assert runs["recipe"] == {"steps": 16, "checks": 4}
    assert style["steps"] == 16 and style["finite"] and style["pl_mean"] > 0 and style["w_avg_moved"]


_WORKER = r"""
import json, sys
import tensorflow as tf
import numpy as np, kgan
from kgan.architectures import mlp

mode, out = sys.argv[1:]
points = np.random.default_rng(0).normal(size=(96, 2)).astype(np.float32)
strategy = tf.distribute.MultiWorkerMirroredStrategy() if mode == "workers" else tf.distribute.get_strategy()
with strategy.scope():
    gan = kgan.GAN(mlp.build_generator(latent_dim=4, output_dim=2, hidden_units=(16,), seed=1),
                   mlp.build_discriminator(input_dim=2, hidden_units=(16,), seed=2), seed=3)
    gan.compile()
history = gan.fit(tf.data.Dataset.from_tensor_slices(points).batch(16), epochs=2, verbose=0).history
json.dump({"weights": [w.numpy().tolist() for w in gan.weights], "history": history,
           "replicas": strategy.num_replicas_in_sync}, open(out, "w"))
"""


def _free_port():
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def test_two_worker_processes_match_one_device_step_for_step(tmp_path):
    script = tmp_path / "worker.py"
    script.write_text(_WORKER)
    cluster = {"worker": [f"localhost:{_free_port()}" for _ in range(2)]}
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    workers = [
        subprocess.Popen(
            [sys.executable, str(script), "workers", str(tmp_path / f"worker{i}.json")],
            env={**env, "TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": "worker", "index": i}})},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    single = subprocess.run(
        [sys.executable, str(script), "single", str(tmp_path / "one.json")], capture_output=True, text=True, env=env
    )
    assert single.returncode == 0, single.stderr[-3000:]
    for worker in workers:
        _, stderr = worker.communicate(timeout=600)
        assert worker.returncode == 0, stderr[-3000:]
    one = json.loads((tmp_path / "one.json").read_text())
    for i in range(2):
        run = json.loads((tmp_path / f"worker{i}.json").read_text())
        assert run["replicas"] == 2
        for a, b in zip(one["weights"], run["weights"]):
            np.testing.assert_allclose(np.array(a), np.array(b), rtol=1e-4, atol=1e-5)
        for key in ("d_loss", "g_loss", "d_real", "d_fake"):
            np.testing.assert_allclose(one["history"][key], run["history"][key], rtol=1e-4)
