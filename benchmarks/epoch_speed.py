"""One speed: every epoch of the README's main job, timed, with what the CPU did in it.

    python benchmarks/epoch_speed.py --data-dir ../shared/data --epochs 10

Runs the README's main command (`kgan train`, its defaults; MNIST from `--data-dir`) for
`--epochs` epochs once per arm, each in a fresh process, one after the other:

  kgan         kgan as it is: `GAN.fit` turns tf.data's autotuning off (kgan.data.pipeline.for_epochs);
  tf_autotune  the same run with the dataset's `options.autotune.enabled = True`, which is what
               TensorFlow does by default and what kgan did before.

For every epoch: its wall time from the first step to the last (the epoch-end callbacks, which
are the same work each epoch, are left out), the time to its first step (where the previous
epoch's iterator is dropped and the new one fills its shuffle buffer), the slowest step, and what
the machine did meanwhile: the process's CPU seconds, the CPU left idle on all cores and the time
the hypervisor took (steal), and after it a fixed NumPy workload's time (the machine's own
speed: when it drifts with the epochs, so does the machine, not kgan). The verdict is the
slowest epoch's time over the fastest's; the target (issue 32) is every epoch within 10% of the
fastest.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

TICKS = os.sysconf("SC_CLK_TCK")


def machine_counters():
    """(process CPU seconds, idle core-seconds of the machine, stolen core-seconds)."""
    fields = open("/proc/self/stat").read().rsplit(")", 1)[1].split()
    process = (int(fields[11]) + int(fields[12])) / TICKS
    cpu = [int(v) for v in open("/proc/stat").readline().split()[1:]]
    return process, cpu[3] / TICKS, cpu[7] / TICKS


def machine_probe():
    """Milliseconds of a fixed single-threaded workload (the fastest of 5 runs of a float64
    512x512 matmul in NumPy): a machine that slows down (its clock, a neighbour on its cores) shows
    here, whatever TensorFlow does."""
    import numpy as np

    a = np.random.default_rng(0).standard_normal((512, 512))
    times = []
    for _ in range(5):
        start = time.perf_counter()
        a @ a
        times.append(time.perf_counter() - start)
    return 1000 * min(times)


def run_arm(arm, data_dir, epochs, out):
    """Runs `kgan train` in this process with an epoch recorder; writes one JSON line per epoch to `out`."""
    import keras
    import tensorflow as tf

    import kgan
    import kgan_cli

    class EpochRecorder(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.begun = time.perf_counter()
            self.counters = machine_counters()
            self.steps = []

        def on_train_batch_end(self, batch, logs=None):
            self.steps.append(time.perf_counter())

        def on_epoch_end(self, epoch, logs=None):
            process, idle, steal = (b - a for a, b in zip(self.counters, machine_counters()))
            gaps = [b - a for a, b in zip(self.steps, self.steps[1:])]
            record = {
                "epoch": epoch + 1,
                "seconds": self.steps[-1] - self.begun,
                "first_step": self.steps[0] - self.begun,
                "slowest_step": max(gaps),
                "cpu": process,
                "idle": idle,
                "steal": steal,
                "probe_ms": machine_probe(),
            }
            with open(out, "a") as f:
                f.write(json.dumps(record) + "\n")

    fit = kgan.GAN.fit

    def recorded_fit(self, x=None, *args, callbacks=None, **kwargs):
        if arm == "tf_autotune":
            options = tf.data.Options()
            options.autotune.enabled = True
            x = x.with_options(options)
        return fit(self, x, *args, callbacks=[EpochRecorder(), *(callbacks or [])], **kwargs)

    kgan.GAN.fit = recorded_fit
    with tempfile.TemporaryDirectory() as run_dir:
        os.environ["KGAN_DATA_DIR"] = data_dir
        kgan_cli.main(["train", "--run-dir", os.path.join(run_dir, "run"), "--epochs", str(epochs)])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default="../shared/data", help="the folder holding mnist/ (KGAN_DATA_DIR)")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--arms", nargs="+", default=["kgan", "tf_autotune"], choices=["kgan", "tf_autotune"])
    parser.add_argument("--arm", help=argparse.SUPPRESS)  # internal: run one arm in this process
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.arm:
        run_arm(args.arm, os.path.abspath(args.data_dir), args.epochs, args.out)
        return
    for arm in args.arms:
        with tempfile.NamedTemporaryFile("r", suffix=".jsonl") as out:
            command = [sys.executable, __file__, "--arm", arm, "--out", out.name]
            command += ["--data-dir", args.data_dir, "--epochs", str(args.epochs)]
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            epochs = [json.loads(line) for line in out]
        report(arm, epochs)


def report(arm, epochs):
    fastest = min(e["seconds"] for e in epochs)
    print(f"\n{arm}: {len(epochs)} epochs")
    print("epoch  seconds  / fastest  first step  slowest step  process CPU s  idle core-s  steal s  probe ms")
    for e in epochs:
        print(
            f"{e['epoch']:5d}  {e['seconds']:7.1f}  {e['seconds'] / fastest:9.3f}  {e['first_step']:10.2f}"
            f"  {e['slowest_step']:12.2f}  {e['cpu']:13.1f}  {e['idle']:11.1f}  {e['steal']:7.1f}"
            f"  {e['probe_ms']:8.2f}"
        )
    spread = max(e["seconds"] for e in epochs) / fastest  # the first epoch's tracing included
    verdict = "within" if spread <= 1.10 else "NOT within"
    print(
        f"{arm}: slowest / fastest epoch = {spread:.3f} ({verdict} 10%); median "
        f"{statistics.median(e['seconds'] for e in epochs):.1f} s; median time to the first step "
        f"{statistics.median(e['first_step'] for e in epochs):.2f} s"
    )


if __name__ == "__main__":
    main()
