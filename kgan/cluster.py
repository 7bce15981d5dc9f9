"""Training on more than one device: the tf.distribute strategy `kgan train --distribute` asks
for, and which process of a cluster writes the run's files."""

from __future__ import annotations

import json
import os

import tensorflow as tf

#: `kgan train --distribute`: "auto" picks a cluster named by TF_CONFIG, else every local GPU.
STRATEGIES = ("auto", "none", "mirrored", "multi-worker")


def cluster_config():
    """The TF_CONFIG environment variable as a dict ({} without it); a TF_CONFIG that is not JSON
    is a ValueError naming what is wrong."""
    text = os.environ.get("TF_CONFIG", "").strip()
    if not text:
        return {}
    try:
        config = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"TF_CONFIG is not JSON ({error.msg} at character {error.pos}): {text[:80]!r}") from None
    if not isinstance(config, dict):
        raise ValueError(f"TF_CONFIG must be a JSON object with 'cluster' and 'task', got {text[:80]!r}.")
    return config


def cluster_size(config=None):
    """How many processes TF_CONFIG's cluster names (chief and workers; 0 without a cluster)."""
    cluster = (cluster_config() if config is None else config).get("cluster") or {}
    return sum(len(cluster.get(role, [])) for role in ("chief", "worker"))


def make_strategy(name="auto"):
    """The `tf.distribute.Strategy` for `name` (one of `STRATEGIES`):

    - "none": the default strategy (one device);
    - "mirrored": `MirroredStrategy` over every visible GPU (the CPU when there is none);
    - "multi-worker": `MultiWorkerMirroredStrategy` over the cluster TF_CONFIG names (each
      process's GPUs, or its CPU);
    - "auto": "multi-worker" when TF_CONFIG names a cluster of two or more processes, else
      "mirrored" when two or more GPUs are visible, else "none".

    Create it before TensorFlow runs anything else in the process: a multi-worker strategy sets
    up the collective operations, which TensorFlow allows only at the start.
    """
    if name not in STRATEGIES:
        raise ValueError(f"The strategy must be one of {', '.join(STRATEGIES)}, got {name!r}.")
    if name == "auto":
        if cluster_size() > 1:
            name = "multi-worker"
        elif len(tf.config.list_physical_devices("GPU")) > 1:
            name = "mirrored"
        else:
            name = "none"
    elif name != "multi-worker" and cluster_size() > 1:
        raise ValueError(
            f"TF_CONFIG names a cluster of {cluster_size()} processes, but the strategy {name!r} trains in this "
            "process alone and every process would write the same run: use 'auto' or 'multi-worker' (kgan train "
            "--distribute), or unset TF_CONFIG."
        )
    if name == "multi-worker":
        config = cluster_config()
        if config and not config.get("task"):
            raise ValueError("TF_CONFIG names a cluster but no 'task' (this process's type and index).")
        return tf.distribute.MultiWorkerMirroredStrategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


def is_chief(strategy=None):
    """Whether this process writes a run's files: always outside a cluster; in one, the "chief"
    task, or worker 0 when the cluster has no chief (as Keras' multi-worker guide decides)."""
    strategy = strategy or tf.distribute.get_strategy()
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.task_type:
        return True
    if resolver.task_type == "chief":
        return True
    has_chief = "chief" in resolver.cluster_spec().as_dict()
    return resolver.task_type == "worker" and resolver.task_id == 0 and not has_chief


def describe(strategy, batch_size):
    """One line saying how training is spread: the strategy, processes and devices, replicas and
    the global batch with its share per replica (the learning rates are the options', for that
    global batch)."""
    replicas = strategy.num_replicas_in_sync
    resolver = getattr(strategy, "cluster_resolver", None)
    kind = type(strategy).__name__
    devices = getattr(strategy.extended, "worker_devices", ())
    where = f"{len(devices)} local device{'s' if len(devices) != 1 else ''} ({', '.join(_short(d) for d in devices)})"
    if resolver is not None and resolver.task_type:
        workers = cluster_size(cluster_config())
        where = f"{workers} processes, this one {resolver.task_type} {resolver.task_id} with {where}"
    share = f"{batch_size // replicas} per replica" if batch_size % replicas == 0 else "split unevenly"
    return (
        f"{kind} over {where}: {replicas} replicas in sync; global batch {batch_size} ({share}); learning "
        "rates as given, for the global batch"
    )


def _short(device):
    """'/job:worker/replica:0/task:1/device:CPU:0' -> 'CPU:0'."""
    return device.rsplit("device:", 1)[-1]
