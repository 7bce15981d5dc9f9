"""The same GAN script under tf.distribute: updates match one device's, step for step."""

import json
import os
import socket
import subprocess
import sys
import time

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


def _train_command(run_dir):
    """A small `kgan train` (16 steps an epoch, a backup every 3 steps) whose multi-worker run is the
    one-process run up to float rounding: the minibatch-std block turns rounding in its square root
    into visible differences, so it is off here, and so is bfloat16 (`--precision auto` picks it on
    CPUs that compute it), whose rounding of the per-replica halves differs from the whole batch's."""
    return [
        sys.executable,
        "-m",
        "kgan",
        "train",
        "--dataset",
        "digits",
        "--limit",
        "256",
        "--batch-size",
        "16",
        "--width",
        "8",
        "--latent-dim",
        "8",
        "--no-minibatch-std",
        "--precision",
        "float32",
        "--epochs",
        "2",
        "--backup-every",
        "3",
        "--run-dir",
        str(run_dir),
    ]


def _start_workers(command, count, tmp_path):
    """`count` processes of `command` forming one TF_CONFIG cluster on localhost, their temporary
    files under tmp_path/tmp."""
    cluster = {"worker": [f"localhost:{_free_port()}" for _ in range(count)]}
    (tmp_path / "tmp").mkdir(exist_ok=True)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONUNBUFFERED": "1", "TMPDIR": str(tmp_path / "tmp")}
    return [
        subprocess.Popen(
            command,
            env={**env, "TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": "worker", "index": i}})},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for i in range(count)
    ]


def test_kgan_train_on_two_workers_killed_and_restarted_ends_as_one_process_does(tmp_path):
    """Two `kgan train` workers (TF_CONFIG); one killed with kill -9 three steps into epoch 2, so
    that the chief stops too, and both started again with the same commands, as TFJob and Ray
    restart a group: the chief alone wrote the run (one set of outputs, the other worker's
    temporary files gone) and the final weights are those of one process training alone."""
    import keras

    import kgan  # noqa: F401  (registers the classes the checkpoints name)

    alone = subprocess.run(_train_command(tmp_path / "alone"), capture_output=True, text=True)
    assert alone.returncode == 0, alone.stderr[-3000:]
    assert "distribution:" not in alone.stdout  # said only when training is spread
    command = _train_command(tmp_path / "run")
    workers = _start_workers(command, 2, tmp_path)
    backup = tmp_path / "run" / "backup"
    while not (backup / "state-1-3.json").exists():
        assert all(worker.poll() is None for worker in workers), workers[0].stdout.read()[-3000:]
        time.sleep(0.01)
    workers[1].kill()  # a lost worker: the chief's next all-reduce fails, and it stops with one line
    chief_output = workers[0].communicate(timeout=120)[0]
    assert workers[0].returncode == 1, chief_output[-3000:]
    assert "a process of the cluster stopped" in chief_output and "Traceback" not in chief_output, chief_output
    assert not (tmp_path / "run" / "samples" / "epoch_0002.png").exists()
    restarted = _start_workers(command + ["--distribute", "multi-worker"], 2, tmp_path)  # as "auto" chose
    outputs = [worker.communicate(timeout=600)[0] for worker in restarted]
    assert "2 replicas in sync; global batch 16 (8 per replica)" in outputs[0], outputs[0][-3000:]
    assert "epoch 2/2" in outputs[0] and "epoch 1/2" not in outputs[0], outputs[0][-3000:]
    assert f"the chief wrote the run into {tmp_path / 'run'}/" in outputs[1], outputs[1][-3000:]
    run = tmp_path / "run"
    assert sorted(os.listdir(run)) == ["checkpoints", "config.json", "generator", "logs", "samples", "walks"]
    assert sorted(os.listdir(run / "checkpoints")) == ["epoch_0001.keras", "epoch_0002.keras"]
    assert sorted(os.listdir(run / "samples")) == ["epoch_0001.png", "epoch_0002.png"]
    assert [name for name in os.listdir(tmp_path / "tmp") if name.startswith("kgan")] == []  # worker 1's outputs
    trained = keras.saving.load_model(str(run / "checkpoints" / "epoch_0002.keras"))
    reference = keras.saving.load_model(str(tmp_path / "alone" / "checkpoints" / "epoch_0002.keras"))
    assert int(trained.g_optimizer.iterations) == 32
    for a, b in zip(trained.weights, reference.weights):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-5, err_msg=a.path)


def test_a_one_process_strategy_is_refused_where_tf_config_names_a_cluster(monkeypatch):
    import pytest

    import kgan

    cluster = {"cluster": {"worker": ["localhost:1", "localhost:2"]}, "task": {"type": "worker", "index": 1}}
    monkeypatch.setenv("TF_CONFIG", json.dumps(cluster))
    assert kgan.cluster.cluster_size() == 2
    for name in ("none", "mirrored"):
        with pytest.raises(ValueError, match="TF_CONFIG names a cluster of 2 processes"):
            kgan.cluster.make_strategy(name)
    with pytest.raises(ValueError, match="one of auto, none, mirrored, multi-worker"):
        kgan.cluster.make_strategy("tpu")
    monkeypatch.setenv("TF_CONFIG", "{not json")
    with pytest.raises(ValueError, match="TF_CONFIG is not JSON"):
        kgan.cluster.cluster_config()


_RECIPES = r"""
import json, sys
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import numpy as np, kgan, kgan_cli.parser, kgan_cli.train

mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
parser = kgan_cli.parser.build_parser()
report = {}
# The recipes whose data, networks or step differ from DCGAN's, as kgan train builds and feeds them.
for name in ("acgan", "cyclegan", "inpainting", "pix2pix", "sngan", "wgangp"):
    recipe = kgan_cli.parser.RECIPES[name]
    options = ["--dataset", "digits", "--limit", "32", "--batch-size", "16", "--width", "8"]
    args = parser.parse_args(["train", "--recipe", name, *options])
    kgan_cli.train.apply_recipe(args)
    dataset, shape, _, from_data = kgan_cli.train.DATA_READERS[recipe.data](args, recipe)
    with mirrored.scope():
        gan = kgan_cli.train.build_gan(recipe, args, shape, from_data)
        gan.compile(**kgan_cli.train._given(recipe.compile(args)), d_steps=args.d_steps)
    logs = gan.fit(dataset, epochs=1, verbose=0).history
    report[name] = [int(gan.g_optimizer.iterations.numpy()), bool(all(np.isfinite(v[-1]) for v in logs.values()))]

# Per-image random draws (holes, augmentations): each replica takes its rows of the global draw.
def per_replica(draw):
    rows = mirrored.run(tf.function(draw))
    return np.concatenate([r.numpy() for r in mirrored.experimental_local_results(rows)])

images = tf.random.stateless_uniform((8, 8, 8, 1), (1, 2), -1.0, 1.0)
inpainting = kgan.Inpainting((8, 8, 1), width=4, discriminator_layers=2, seed=0)
shares = {
    "holes": lambda seed: inpainting.complete_condition(images[:4], None, seed),  # the holes of its step
    "augment": lambda seed: kgan.augment.translation(images[:4], seed),
}
for what, draw in shares.items():
    one = np.asarray(draw(7))
    two = per_replica(lambda: draw(7))
    same, repeated = bool(np.array_equal(one, two[:4])), bool(np.array_equal(two[:4], two[4:]))
    report[what] = [one.shape[0], two.shape[0], same, repeated]
json.dump(report, open(sys.argv[1], "w"))
"""


def test_every_kind_of_recipe_trains_under_two_replicas_with_its_own_random_rows(tmp_path):
    script, out = tmp_path / "recipes.py", tmp_path / "out.json"
    script.write_text(_RECIPES)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run([sys.executable, str(script), str(out)], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(out.read_text())
    for name in ("acgan", "cyclegan", "inpainting", "pix2pix", "sngan", "wgangp"):
        assert report[name] == [2, True], (name, report[name])
    # One device draws 4 rows; two replicas draw 4 each, replica 0's being those 4, replica 1's others.
    assert report["holes"] == [4, 8, True, False]
    assert report["augment"] == [4, 8, True, False]
