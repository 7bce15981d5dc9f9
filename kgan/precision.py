"""The Keras dtype policy that computes fastest on this machine without costing quality.

`auto_precision()` picks `mixed_bfloat16` where the hardware computes bfloat16 natively (CPUs
with AVX512_BF16 or AMX; GPUs of compute capability 8.0 and up: A100, H100, RTX 30xx and later)
and `float32` elsewhere: on an AVX2-only CPU TensorFlow emulates bfloat16, and a mixed_bfloat16
DCGAN step ran more than 10x slower than float32. On a 2-core Xeon with AMX the README's job took
1.51 minutes instead of 1.97 with samples as good (3 seeds; docs/performance.md, "Mixed precision").
"""

from __future__ import annotations

from typing import NamedTuple

import tensorflow as tf

#: The /proc/cpuinfo flags of CPUs that compute bfloat16 natively.
NATIVE_BFLOAT16_FLAGS = {"avx512_bf16", "amx_bf16"}


class Precision(NamedTuple):
    """A dtype policy's name and why it was chosen, for the first line of a run."""

    policy: str
    reason: str


def cpu_has_native_bfloat16():
    """Whether this CPU computes bfloat16 natively (AVX512_BF16 or AMX); None when it cannot tell.

    Elsewhere TensorFlow emulates bfloat16, and a mixed_bfloat16 DCGAN step ran more than 10x
    slower than float32 on an AVX2-only CPU.
    """
    flags = _cpu_flags()
    return None if flags is None else bool(NATIVE_BFLOAT16_FLAGS & flags)


def _cpu_flags():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), None)
    except OSError:
        return None
    return None if flags is None else set(flags)


def _gpu_capabilities():
    """Each visible GPU's `(name, compute capability)`; the capability is None when unknown."""
    found = []
    for gpu in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(gpu)
        found.append((details.get("device_name", gpu.name), details.get("compute_capability")))
    return found


def auto_precision(cpu_bfloat16=True):
    """The dtype policy to train in here: a `Precision(policy, reason)`.

    With GPUs, `mixed_bfloat16` when every one has compute capability 8.0 or more (bfloat16
    tensor cores), else `float32` (older GPUs compute float16 fast: ask for `mixed_float16`
    yourself). Without, `mixed_bfloat16` on CPUs with AVX512_BF16 or AMX, else `float32`.

    Args:
        cpu_bfloat16: False for networks whose step runs slower in bfloat16 even on such CPUs
            (R3GAN's grouped convolutions: 0.78x float32's images/s on a Xeon with AMX, where
            DCGAN, SNGAN and StyleGAN2 ran 1.2-1.3x faster): float32 on CPUs then.

    Example:

    ```python
    keras.mixed_precision.set_global_policy(kgan.precision.auto_precision().policy)
    ```
    """
    gpus = _gpu_capabilities()
    if gpus:
        names = ", ".join(sorted({name for name, _ in gpus}))
        if all(capability is not None and tuple(capability) >= (8, 0) for _, capability in gpus):
            return Precision("mixed_bfloat16", f"the GPU computes bfloat16 natively: {names}")
        return Precision("float32", f"the GPU has no bfloat16 tensor cores: {names}")
    flags = _cpu_flags()
    native = sorted(NATIVE_BFLOAT16_FLAGS & (flags or set()))
    if native and not cpu_bfloat16:
        return Precision("float32", "this network runs slower in bfloat16, though the CPU computes it natively")
    if native:
        return Precision("mixed_bfloat16", f"the CPU computes bfloat16 natively: {', '.join(native)}")
    if flags is None:
        return Precision("float32", "this CPU's bfloat16 support is unknown")
    return Precision("float32", "the CPU has no native bfloat16 (no AVX512_BF16 or AMX), so it would be emulated")
