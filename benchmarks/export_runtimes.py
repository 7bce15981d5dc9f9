"""Serving speed of an exported generator: the SavedModel, ONNX Runtime and LiteRT, side by side.

    python benchmarks/export_runtimes.py [--rounds 3] [--seconds 2]

Exports three generators with `kgan.export_generator` in each format: a DCGAN for MNIST
(28x28x1, latent 100, width 64), a StyleGAN2 at 32x32x3 (width 64, latent 128,
psi 1) and a Pix2Pix U-Net at 64x64x3 (width 32). Each runtime then runs in a fresh process of
its own (the SavedModel with `tf.saved_model.load`, the ONNX file with ONNX Runtime, the LiteRT
file with the LiteRT interpreter; the last two without importing TensorFlow), all on the
machine's cores, and measures images/s of `serving_default` at batch 1 and batch 64: calls
repeat for `--seconds` after one warm-up call. Rounds alternate the runtimes so that machine
noise falls on all of them; the table gives each runtime's median over the rounds and its ratio
to the SavedModel's.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

BATCHES = (1, 64)
RUNTIMES = ("saved_model", "onnx", "litert")

# One runtime timing one export; prints {batch: images per second}.
WORKER = """
import json, os, sys, time
import numpy as np
runtime, path, inputs_file, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
threads = os.cpu_count()
if runtime == "saved_model":
    import tensorflow as tf
    serve = tf.saved_model.load(path).signatures["serving_default"]
    run = lambda feeds: serve(**{k: tf.constant(v) for k, v in feeds.items()})["images"].numpy()
elif runtime == "onnx":
    import onnxruntime
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    run = lambda feeds: session.run(["images"], feeds)[0]
else:
    from ai_edge_litert.interpreter import Interpreter
    runner = Interpreter(model_path=path, num_threads=threads).get_signature_runner("serving_default")
    run = lambda feeds: runner(**feeds)["images"]
speeds = {}
for batch, feeds in json.load(open(inputs_file)).items():
    feeds = {k: np.asarray(v["value"], v["dtype"]) for k, v in feeds.items()}
    run(feeds)
    calls, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        run(feeds)
        calls += 1
    speeds[batch] = calls * int(batch) / (time.perf_counter() - start)
print(json.dumps(speeds))
"""


def generators():
    import kgan

    return {
        "DCGAN 28x28x1": kgan.DCGAN((28, 28, 1), latent_dim=100, width=64, seed=0),
        "StyleGAN2 32x32x3": kgan.StyleGAN2((32, 32, 3), latent_dim=128, width=64, mapping_layers=2, seed=0),
        "Pix2Pix 64x64x3": kgan.Pix2Pix((64, 64, 3), width=32, seed=0),
    }


def inputs_for(signature, batch):
    """Random inputs of `batch` for a serving signature, as JSON (value and dtype per input)."""
    import numpy as np

    rng = np.random.default_rng(0)
    feeds = {}
    for name, spec in signature.structured_input_signature[1].items():
        if name == "truncation":
            feeds[name] = {"value": 1.0, "dtype": "float32"}
            continue
        shape = [batch] + [int(size) for size in spec.shape[1:]]
        feeds[name] = {"value": np.clip(rng.standard_normal(shape), -1, 1).tolist(), "dtype": "float32"}
    return feeds


def export_all(folder):
    """`{model: {runtime: path}}` and `{model: inputs file}` for every generator and format."""
    import tensorflow as tf

    import kgan

    exports, inputs = {}, {}
    for number, (name, gan) in enumerate(generators().items()):
        paths = {
            "saved_model": os.path.join(folder, f"model{number}"),
            "onnx": os.path.join(folder, f"model{number}.onnx"),
            "litert": os.path.join(folder, f"model{number}.tflite"),
        }
        for path in paths.values():
            kgan.export_generator(gan, path)
        signature = tf.saved_model.load(paths["saved_model"]).signatures["serving_default"]
        inputs[name] = os.path.join(folder, f"inputs{number}.json")
        with open(inputs[name], "w") as file:
            json.dump({str(batch): inputs_for(signature, batch) for batch in BATCHES}, file)
        exports[name] = paths
    return exports, inputs


def measure(runtime, path, inputs, seconds, folder):
    worker = os.path.join(folder, "worker.py")
    with open(worker, "w") as file:
        file.write(WORKER)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, worker, runtime, path, inputs, str(seconds)], capture_output=True, text=True, env=env
    )
    if result.returncode != 0:
        raise RuntimeError(f"{runtime} on {path} failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        exports, inputs = export_all(folder)
        speeds = {(model, runtime): [] for model in exports for runtime in RUNTIMES}
        for _ in range(args.rounds):
            for model, paths in exports.items():
                for runtime in RUNTIMES:
                    speeds[model, runtime].append(measure(runtime, paths[runtime], inputs[model], args.seconds, folder))
    print(f"images/s of serving_default, median of {args.rounds} rounds, {os.cpu_count()} threads per runtime")
    print(f"| model | runtime | batch {BATCHES[0]} | ratio | batch {BATCHES[1]} | ratio |")
    print("|---|---|---|---|---|---|")
    for model in exports:
        base = {b: statistics.median(r[str(b)] for r in speeds[model, "saved_model"]) for b in BATCHES}
        for runtime in RUNTIMES:
            cells = []
            for batch in BATCHES:
                speed = statistics.median(r[str(batch)] for r in speeds[model, runtime])
                cells += [f"{speed:,.0f}", f"{speed / base[batch]:.2f}"]
            print(f"| {model} | {runtime} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
