"""Mixed precision: bfloat16 and float16 (with loss scaling) train the same step as float32."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import kgan
from tests.conftest import tiny_dcgan, weights_of


def _first_step_logs(gan, dataset):
    return gan.fit(dataset, epochs=1, steps_per_epoch=1, verbose=0).history


@pytest.mark.parametrize("name, compute_dtype", [("mixed_float16", "float16"), ("mixed_bfloat16", "bfloat16")])
def test_mixed_precision_step_matches_float32(name, compute_dtype, policy, digits_dataset, tmp_path):
    reference = tiny_dcgan(seed=1)
    reference.compile(regularizers=[kgan.regularizers.GradientPenalty(1.0)])
    policy(name)
    gan = tiny_dcgan(seed=1)
    policy("float32")
    gan.compile(regularizers=[kgan.regularizers.GradientPenalty(1.0)])

    assert gan.generator.layers[2].compute_dtype == compute_dtype
    scaled = compute_dtype == "float16"  # bfloat16 has float32's range: no loss scaling needed
    for optimizer in (gan.d_optimizer, gan.g_optimizer):
        assert isinstance(optimizer, keras.optimizers.LossScaleOptimizer) is scaled

    # One step from the same weights on the same batch: the logged gradient norms (unscaled) and
    # the float32 penalty agree with float32 training within the reduced precision. G's gradient
    # comes after D's first Adam update, which moves every weight by about lr * sign(gradient):
    # signs of near-zero gradients differ in low precision, hence the wider tolerance.
    expected, got = _first_step_logs(reference, digits_dataset), _first_step_logs(gan, digits_dataset)
    for key, rtol in (("d_loss", 0.05), ("gp", 0.05), ("d_grad_norm", 0.05), ("g_loss", 0.05), ("g_grad_norm", 0.25)):
        np.testing.assert_allclose(got[key][0], expected[key][0], rtol=rtol, err_msg=key)

    before = weights_of(gan.generator)
    gan.fit(digits_dataset, epochs=2, verbose=0)
    after = weights_of(gan.generator)
    assert all(w.dtype == np.float32 and np.isfinite(w).all() for w in after)  # master weights stay float32
    assert any(not np.array_equal(b, a) for b, a in zip(before, after))

    gan.save(str(tmp_path / "gan.keras"))
    reloaded = keras.saving.load_model(str(tmp_path / "gan.keras"))  # under the float32 global policy
    assert reloaded.generator.layers[2].compute_dtype == compute_dtype  # rebuilt in its own precision
    assert isinstance(reloaded.d_optimizer, keras.optimizers.LossScaleOptimizer) is scaled
    np.testing.assert_array_equal(reloaded.generate(4, seed=1), gan.generate(4, seed=1))

    kgan.export_generator(gan, str(tmp_path / "export"))
    images = tf.saved_model.load(str(tmp_path / "export")).signatures["serving_default"](
        latent=tf.zeros((2, gan.latent_dim))
    )["images"]
    assert images.dtype == tf.float32 and images.shape == (2, 8, 8, 1)


def test_float16_skips_overflowing_updates_and_lowers_the_scale(policy, digits_dataset):
    policy("mixed_float16")
    gan = tiny_dcgan(seed=2)
    policy("float32")
    # A scale of 2**24 turns float16 gradients into Inf: the update must be skipped and the scale
    # halved until the gradients fit, while training goes on with finite weights and logs.
    gan.compile(
        d_optimizer=keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(2e-4, beta_1=0.5), initial_scale=2.0**24)
    )
    assert gan.d_optimizer.initial_scale == 2.0**24  # the user's wrapper is kept, not wrapped again
    before = weights_of(gan.discriminator)
    history = gan.fit(digits_dataset, epochs=2, verbose=0).history  # 2 x 8 steps
    halvings = np.log2(2.0**24 / float(gan.d_optimizer.dynamic_scale.numpy()))
    # Every overflow halved the scale and skipped that update; the other steps updated D.
    assert 1 <= halvings < 16
    assert int(gan.d_optimizer.inner_optimizer.iterations.numpy()) == 16 - halvings
    assert np.isfinite(history["d_grad_norm"]).all() and history["d_grad_norm"][-1] > 0  # skipped steps left out
    assert all(np.isfinite(w).all() for w in weights_of(gan.discriminator))
    assert any(not np.array_equal(b, a) for b, a in zip(before, weights_of(gan.discriminator)))


def test_stylegan2_refuses_xla_in_bfloat16_on_a_cpu_and_names_what_works(policy):
    """TensorFlow's XLA CPU compiler fails on the gradient of StyleGAN2's modulated convolutions
    in bfloat16 (at the first step, deep in a graph error); compile says so at once, on CPUs only."""
    policy("mixed_bfloat16")
    gan = kgan.StyleGAN2(image_shape=(8, 8, 1), latent_dim=8, width=8)
    gan.compile(jit_compile=False)  # bfloat16 without XLA is fine
    if tf.config.list_physical_devices("GPU"):
        gan.compile(jit_compile=True)
        return
    with pytest.raises(ValueError, match="does not compile with XLA on a CPU.*without XLA.*float32"):
        gan.compile(jit_compile=True)


def test_auto_precision_chooses_bfloat16_where_the_cpu_computes_it():
    """On a machine without GPUs: mixed_bfloat16 exactly when /proc/cpuinfo lists AVX512_BF16 or AMX."""
    if tf.config.list_physical_devices("GPU"):
        pytest.skip("this machine has a GPU: auto_precision follows its compute capability instead")
    chosen = kgan.precision.auto_precision()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            flags = set(next(line for line in f if line.startswith("flags")).split(":", 1)[1].split())
    except (OSError, StopIteration):
        assert chosen.policy == "float32" and "unknown" in chosen.reason
        return
    native = sorted({"avx512_bf16", "amx_bf16"} & flags)
    assert kgan.precision.cpu_has_native_bfloat16() is bool(native)
    if native:
        assert chosen == ("mixed_bfloat16", f"the CPU computes bfloat16 natively: {', '.join(native)}")
    else:
        assert chosen.policy == "float32" and "would be emulated" in chosen.reason
    keras.dtype_policies.get(chosen.policy)  # a policy Keras takes
    # A network slower in bfloat16 on CPUs (R3GAN's recipe says so) gets float32 here, saying why.
    slower = kgan.precision.auto_precision(cpu_bfloat16=False)
    assert slower.policy == "float32" and (not native or "runs slower in bfloat16" in slower.reason)
