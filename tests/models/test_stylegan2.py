"""StyleGAN2: its training on the one step, its controls, save/load, export and refusals, at 8x8/16x16."""

import json
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

import kgan
from kgan.architectures import stylegan2 as networks


def tiny(shape=(8, 8, 1), **kwargs):
    settings = {"latent_dim": 8, "width": 8, "mapping_layers": 2, "seed": 0, **kwargs}
    return kgan.StyleGAN2(shape, **settings)


def digits(limit=128):
    return kgan.data.load("digits", batch_size=16, shuffle=False, limit=limit)


def weights_of(gan):
    return [w.numpy() for w in gan.weights]


def test_fit_trains_with_lazy_r1_path_length_mixing_and_tracks_w_avg():
    gan = tiny()
    gan.compile()
    assert gan.get_compile_config()["regularizers"][0]["config"]["every"] == 16
    assert gan.get_compile_config()["regularizers"][1]["config"]["every"] == 4
    before = weights_of(gan)
    logs = gan.fit(digits(), epochs=2, verbose=0).history
    assert {"d_loss", "g_loss", "r1", "pl"} <= set(logs)
    assert all(np.isfinite(values[-1]) for values in logs.values())
    assert logs["pl"][-1] > 0 and logs["r1"][0] > 0  # R1 is due at D step 0 (every 16: not in epoch 2)
    assert any(not np.array_equal(a, b.numpy()) for a, b in zip(before, gan.generator.weights))
    assert np.abs(gan.w_avg).sum() > 0  # updated in training
    assert float(gan.state_variable("pl_mean")) > 0
    # The EMA generator (what users get) takes the tracked average along.
    np.testing.assert_array_equal(gan.w_avg, gan.generator.get_layer("mapping").get_layer("w_avg").average.numpy())


def test_training_mixes_two_ws_at_one_crossover_layer():
    gan = tiny(mixing_probability=1.0)
    ws = gan._training_ws(6, None, update_average=False).numpy()
    assert ws.shape == (6, gan.num_ws, 8)
    changes = [i for i in range(1, gan.num_ws) if not np.allclose(ws[:, i], ws[:, i - 1])]
    assert len(changes) == 1  # the first w up to the crossover, the second after it
    unmixed = tiny(mixing_probability=0.0)._training_ws(6, None, update_average=False).numpy()
    np.testing.assert_array_equal(unmixed, np.repeat(unmixed[:, :1], gan.num_ws, axis=1))


def test_mix_styles_changes_only_the_layers_it_should():
    gan = tiny((16, 16, 1))
    source, target = gan.latent_to_w(3, seed=1), gan.latent_to_w(3, seed=2)
    mixed = gan.mix_styles(source, target, range(0, 2))
    styles, of_source, of_target = gan.styles(mixed), gan.styles(source), gan.styles(target)
    for layer in networks.modulated_layers(gan.synthesis):
        expected = of_source if layer.w_index in (0, 1) else of_target
        np.testing.assert_array_equal(styles[layer.name], expected[layer.name], err_msg=layer.name)
    images = gan.synthesize(mixed)
    assert not np.allclose(images, gan.synthesize(target)) and not np.allclose(images, gan.synthesize(source))


def test_truncation_at_psi_0_gives_the_average_image_for_every_seed():
    gan = tiny()
    gan.compile()
    gan.fit(digits(64), epochs=1, verbose=0)
    average = gan.synthesize(gan.w_avg[None])
    for seed in (0, 1, 2):
        np.testing.assert_allclose(gan.generate(2, seed=seed, truncation=0.0), np.repeat(average, 2, 0), atol=1e-5)
    # psi 1 is no truncation; psi 0.5 lies between, and a cutoff keeps the later layers' ws.
    w = gan.latent_to_w(2, seed=0)
    np.testing.assert_array_equal(gan.truncate(w, 1.0), np.repeat(w[:, None], gan.num_ws, 1))
    np.testing.assert_allclose(gan.truncate(w, 0.5)[:, 0], (w + gan.w_avg) / 2, rtol=1e-5, atol=1e-6)
    cut = gan.truncate(w, 0.0, truncation_cutoff=2)
    np.testing.assert_array_equal(cut[:, :2], np.broadcast_to(gan.w_avg, (2, 2, 8)))
    np.testing.assert_array_equal(cut[:, 2:], np.repeat(w[:, None], gan.num_ws - 2, 1))


def test_truncation_is_exact_at_psi_1_and_0_in_eager_graph_and_xla():
    # ws far from a large average: the paper's w_avg + psi * (w - w_avg) loses their low bits at
    # psi 1 on every CPU (and which bits with fused multiply-adds depends on the kernels).
    rng = np.random.default_rng(0)
    ws = rng.normal(size=(4, 3, 8)).astype(np.float32)
    w_avg = rng.normal(1000.0, 1.0, size=8).astype(np.float32)
    assert not np.array_equal(w_avg + np.float32(1.0) * (ws - w_avg), ws)
    for run in (networks.truncate, tf.function(networks.truncate), tf.function(networks.truncate, jit_compile=True)):
        for one, zero in ((1.0, 0.0), (tf.constant(1.0), tf.constant(0.0))):
            np.testing.assert_array_equal(run(ws, w_avg, one), ws)
            np.testing.assert_array_equal(run(ws, w_avg, zero), np.broadcast_to(w_avg, ws.shape))
        cut = run(ws, w_avg, tf.constant(0.0), 2)
        np.testing.assert_array_equal(cut[:, :2], np.broadcast_to(w_avg, (4, 2, 8)))
        np.testing.assert_array_equal(cut[:, 2:], ws[:, 2:])


def test_noise_is_fixed_by_default_and_random_or_off_on_request():
    gan = tiny(ema_decay=None)
    for layer in networks.modulated_layers(gan.synthesis):
        if layer.noise:
            layer.noise_strength.assign(1.0)
    ws = gan.latent_to_w(2, seed=0)
    const = gan.synthesize(ws)
    np.testing.assert_array_equal(const, gan.synthesize(ws))
    assert not np.allclose(gan.synthesize(ws, noise="random"), gan.synthesize(ws, noise="random"))
    assert not np.allclose(gan.synthesize(ws, noise="none"), const)
    with pytest.raises(ValueError, match="noise must be one of"):
        gan.generate(2, seed=0, noise="fixed")


def test_keras_round_trip_continues_training_bit_for_bit(tmp_path):
    gan = tiny()
    gan.compile()
    gan.fit(digits(), epochs=1, verbose=0)  # 8 steps: lazy R1 and path length have both run
    path = str(tmp_path / "stylegan2.keras")
    gan.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_array_equal(loaded.state_variable("pl_mean").numpy(), gan.state_variable("pl_mean").numpy())
    np.testing.assert_array_equal(loaded.w_avg, gan.w_avg)
    gan.fit(digits(), epochs=1, verbose=0)
    loaded.fit(digits(), epochs=1, verbose=0)
    for a, b in zip(weights_of(gan), weights_of(loaded)):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(loaded.state_variable("pl_mean").numpy(), gan.state_variable("pl_mean").numpy())


def test_images_pass_through_tanh_unless_the_papers_linear_output_is_asked_for():
    gan = tiny()
    assert gan.synthesis.get_layer("images").activation.__name__ == "tanh"
    far = networks.truncate(gan.latent_to_w(4, seed=0)[:, None].repeat(gan.num_ws, 1), gan.w_avg, 50.0)
    images = gan.synthesize(far)  # ws far out: a linear output would leave [-1, 1]
    assert images.min() >= -1.0 and images.max() <= 1.0 and np.abs(images).max() > 0.9
    linear = tiny(output_activation="linear")
    assert linear.synthesis.get_layer("images").activation.__name__ == "linear"
    assert np.abs(linear.synthesize(far)).max() > 1.0
    # Data outside tanh's range are refused by the step, as for every family ending in tanh.
    gan.compile()
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"outside \[-1.0, 1.0\].*ends in tanh"):
        gan.fit(np.full((16, 8, 8, 1), 255.0, np.float32), batch_size=16, epochs=1, verbose=0)
    # A StyleGAN2 saved before the option existed had the linear output, and loads with it.
    config = tiny().get_config()
    del config["output_activation"]
    old = kgan.StyleGAN2.from_config(config)
    assert old.output_activation == "linear"
    assert old.synthesis.get_layer("images").activation.__name__ == "linear"
    with pytest.raises(ValueError, match="output_activation must be 'tanh'"):
        tiny(output_activation="sigmoid")


def test_path_length_regularizer_works_for_other_families():
    gan = kgan.DCGAN((8, 8, 1), latent_dim=4, width=4, seed=0)
    gan.compile(regularizers=[kgan.regularizers.PathLength(1.0, every=2)])
    logs = gan.fit(digits(64), epochs=1, verbose=0).history
    assert logs["pl"][-1] > 0
    with pytest.raises(TypeError, match=r"no longer takes generator_regularizers=; pass regularizers=\[...\]"):
        gan.compile(generator_regularizers=[kgan.regularizers.PathLength()])
    with pytest.raises(ValueError, match="regularizers must be kgan.regularizers objects"):
        gan.compile(regularizers=["r1"])

    class Misplaced(kgan.regularizers.R1):
        network = "critic"

    with pytest.raises(ValueError, match="says it regularizes 'critic'"):
        gan.compile(regularizers=[Misplaced()])


EXPORT_CHECK = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import tensorflow as tf
    model = tf.saved_model.load(sys.argv[1])
    s = model.signatures
    latent = np.load(sys.argv[2])
    def sample(seed, psi):
        return s["sample"](
            count=tf.constant(4), seed=tf.constant(seed, tf.int64), truncation=tf.constant(psi)
        )["images"]
    w = s["mapping"](latent=tf.constant(latent))["w"]
    ws = tf.repeat(w[:, None], s["synthesis"].structured_input_signature[1]["ws"].shape[1], axis=1)
    untruncated = s["synthesis"](ws=ws)["images"].numpy()
    np.save(sys.argv[3], untruncated)
    def serve(psi):
        return s["serving_default"](latent=tf.constant(latent), truncation=tf.constant(psi))["images"].numpy()
    np.save(sys.argv[4], serve(0.7))
    np.save(sys.argv[5], sample(3, 1.0).numpy())
    average = sample(5, 0.0).numpy().astype(int)
    print(json.dumps({
        "kgan_imported": any(name == "kgan" or name.startswith("kgan.") for name in sys.modules),
        "signatures": sorted(s),
        "w_avg": s["w_average"]()["w_avg"].numpy().tolist(),
        "same_seed_same": bool((sample(3, 1.0).numpy() == sample(3, 1.0).numpy()).all()),
        "psi_1_untruncated": bool((serve(1.0) == untruncated).all()),
        # The same w in every row: a batch's rows may still round a pixel apart on some kernels.
        "psi_0_one_image": int(np.abs(average - average[:1]).max()) <= 1,
    }))
    """
)


def test_export_has_truncation_mapping_and_synthesis_signatures_outside_kgan(tmp_path):
    gan = tiny(ema_decay=0.5)
    gan.compile()
    gan.fit(digits(64), epochs=1, verbose=0)
    kgan.export_generator(gan, str(tmp_path / "export"))
    latent = gan.sample_latent(3, seed=0).numpy()
    np.save(tmp_path / "latent.npy", latent)
    outputs = [str(tmp_path / f"{name}.npy") for name in ("synthesis", "truncated", "sample")]
    script = tmp_path / "check.py"
    script.write_text(EXPORT_CHECK)
    result = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "export"), str(tmp_path / "latent.npy"), *outputs],
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert not report["kgan_imported"]
    assert report["signatures"] == ["mapping", "sample", "serving_default", "synthesis", "untruncated", "w_average"]
    assert report["same_seed_same"] and report["psi_1_untruncated"] and report["psi_0_one_image"]
    np.testing.assert_allclose(report["w_avg"], gan.w_avg, rtol=1e-6)
    np.testing.assert_allclose(np.load(outputs[0]), gan.generate(latent=latent), atol=1e-5)
    np.testing.assert_allclose(np.load(outputs[1]), gan.generate(latent=latent, truncation=0.7), atol=1e-5)
    expected = kgan.images.to_uint8(gan.generate(4, seed=3))
    assert np.abs(np.load(outputs[2]).astype(int) - expected).max() <= 1


@pytest.mark.parametrize("shape", [(28, 28, 1), (16, 32, 3), (4, 4, 1), (2048, 2048, 3)])
def test_refuses_image_sizes_that_are_not_square_powers_of_two(shape):
    with pytest.raises(ValueError, match="square images whose side is a power of two"):
        kgan.StyleGAN2(shape)


def test_refuses_bad_controls_before_any_work():
    gan = tiny()
    for psi in (float("nan"), float("inf"), "0.7", True):
        with pytest.raises(ValueError, match="truncation must be a finite number"):
            gan.generate(2, seed=0, truncation=psi)
    np.testing.assert_array_equal(gan.generate(2, seed=0, truncation=None), gan.generate(2, seed=0))  # None: none
    with pytest.raises(ValueError, match=r"truncation_cutoff must be None .* from 1 to 4"):
        gan.generate(2, seed=0, truncation=0.5, truncation_cutoff=5)
    w = gan.latent_to_w(2, seed=0)
    with pytest.raises(ValueError, match=r"layers must be synthesis layer indices from 0 to 3"):
        gan.mix_styles(w, w, [2, 4])
    with pytest.raises(ValueError, match=r"layers must be"):
        gan.mix_styles(w, w, [])
    with pytest.raises(ValueError, match=r"must have shape \(n, 8\)"):
        gan.synthesize(np.zeros((2, 7), np.float32))
    with pytest.raises(ValueError, match=r"must have shape \(n, 8\)"):
        gan.mix_styles(w, np.zeros((2, 3, 8), np.float32), [0])


def test_refuses_labelled_data_for_the_unconditional_stylegan2():
    gan = tiny()
    gan.compile()
    labelled = kgan.data.load("digits", batch_size=16, labels=True, limit=32)
    with pytest.raises(ValueError, match="this StyleGAN2 is unconditional"):
        gan.fit(labelled, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="labels are for conditional GANs; this StyleGAN2 takes no labels"):
        gan.generate(2, labels=1)


# --- with classes (StyleGAN2-ADA's --cond) ----------------------------------------------------


def labelled_digits(limit=128, classes=None):
    images, labels = (array[:limit] for array in kgan.data.load_arrays("digits"))
    if classes is not None:
        keep = np.isin(labels, classes)
        images, labels = images[keep], labels[keep]
    return kgan.data.from_arrays(images[..., None] if images.ndim == 3 else images, labels, batch_size=16)


def test_conditional_stylegan2_trains_on_labels_and_truncates_towards_each_class_average():
    gan = tiny(num_classes=3, ema_decay=0.5)
    gan.compile()
    assert gan.w_avg.shape == (3, 8)
    logs = gan.fit(labelled_digits(96, classes=[0, 1]), epochs=1, verbose=0).history
    assert {"d_loss", "g_loss", "r1", "pl"} <= set(logs) and all(np.isfinite(v[-1]) for v in logs.values())
    # One average w per class: only the classes in the data moved, each towards w's of its own.
    assert (np.abs(gan.w_avg).sum(axis=1) > 0).tolist() == [True, True, False]
    assert not np.allclose(gan.w_avg[0], gan.w_avg[1])
    # psi 0 gives each sample its class's average image, whatever the seed.
    labels = np.array([0, 1, 2, 1])
    average_images = gan.synthesize(gan.w_avg[labels])
    for seed in (0, 1):
        np.testing.assert_allclose(gan.generate(4, seed=seed, labels=labels, truncation=0.0), average_images, atol=1e-5)
    w = gan.latent_to_w(4, seed=0, labels=labels)
    assert not np.allclose(w, gan.latent_to_w(4, seed=0, labels=0))  # the class changes w
    np.testing.assert_allclose(
        gan.truncate(w, 0.5, labels=labels)[:, 0], (w + gan.w_avg[labels]) / 2, rtol=1e-5, atol=1e-6
    )
    # Without labels the classes come in turn, as generate() cycles them.
    np.testing.assert_array_equal(gan.latent_to_w(3, seed=0), gan.latent_to_w(3, seed=0, labels=[0, 1, 2]))
    with pytest.raises(ValueError, match="labels are for a conditional StyleGAN2"):
        tiny().latent_to_w(2, seed=0, labels=1)
    with pytest.raises(ValueError, match=r"trains on \(images, labels\) batches"):
        gan.fit(digits(32), epochs=1, verbose=0)


def test_conditional_style_mixing_mixes_two_ws_of_the_same_class():
    # Two GANs of one seed draw the same latents: the second half of the pair, mapped with the
    # batch's own labels, is what the ws hold after the crossover.
    gan, twin = tiny(num_classes=3, mixing_probability=1.0), tiny(num_classes=3, mixing_probability=1.0)
    labels = tf.constant([0, 1, 2, 2, 1, 0])
    ws = gan._training_ws(6, labels, update_average=False).numpy()
    second = twin.sample_latent(12)[6:]
    mapping = twin.generator.get_layer("mapping")
    expected = mapping(twin.mapping_inputs(second, labels), training=False).numpy()
    np.testing.assert_allclose(ws[:, -1], expected, rtol=1e-6, atol=1e-6)
    other_class = mapping(twin.mapping_inputs(second, (labels + 1) % 3), training=False).numpy()
    assert not np.allclose(ws[:, -1], other_class)


def test_conditional_stylegan2_class_walk_projection_and_synthesis_take_its_classes():
    gan = tiny(num_classes=3, class_names=("zero", "one", "two"))
    walk = kgan.latent.class_walk(gan, ["zero", "two"], frames=3)
    np.testing.assert_allclose(walk[0, 0], gan.generate(1, seed=0, labels=0)[0], atol=1e-5)
    np.testing.assert_allclose(walk[0, -1], gan.generate(1, seed=0, labels=2)[0], atol=1e-5)
    targets = gan.generate(2, seed=5, labels=[1, 2])
    found = kgan.latent.project(gan, targets, labels=[1, 2], space="w", steps=5, candidates=8)
    assert found.latents.shape == (2, 8) and np.all(np.isfinite(found.psnr))
    synthetic = kgan.synthesize(gan, num_per_class=2, seed=0)
    images, labels = next(iter(synthetic.unbatch().batch(6)))
    assert images.shape == (6, 8, 8, 1) and sorted(labels.numpy().tolist()) == [0, 0, 1, 1, 2, 2]


def test_discriminator_and_generator_build_for_colour_and_larger_sizes():
    generator = networks.build_generator((64, 64, 3), latent_dim=8, w_dim=8, width=8, mapping_layers=1, seed=0)
    discriminator = networks.build_discriminator((64, 64, 3), width=8, seed=0)
    images = generator(tf.random.normal((2, 8)))
    assert images.shape == (2, 64, 64, 3)
    assert discriminator(images).shape == (2, 1)
    assert generator.get_layer("synthesis").inputs[0].shape[1] == networks.num_ws(64) == 10
    assert [networks.channels_at(size, 512) for size in (4, 32, 64, 1024)] == [512, 512, 256, 16]


@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
def test_trains_in_mixed_precision_with_adaptive_augmentation(policy, tmp_path):
    with kgan.models.gan.global_dtype_policy(policy):
        gan = tiny()
    gan.compile(augment=kgan.augment.AdaptiveAugment(interval=2, speed_images=2_000))
    assert gan.synthesis.get_layer("b8_conv0").compute_dtype == policy.split("_")[1]
    logs = gan.fit(digits(64), epochs=2, verbose=0).history
    assert all(np.isfinite(values[-1]) for values in logs.values()) and "ada_p" in logs
    assert all(np.isfinite(w.numpy()).all() for w in gan.generator.weights)
    gan.save(str(tmp_path / "gan.keras"))
    reloaded = keras.saving.load_model(str(tmp_path / "gan.keras"))
    np.testing.assert_array_equal(reloaded.generate(2, seed=0), gan.generate(2, seed=0))
    assert gan.generate(2, seed=0).dtype == np.float32


def test_trains_compiled_with_xla():
    # Static shapes in the lazy regularizers and the minibatch standard deviation: XLA compiles
    # the step, R1's double gradient included.
    gan = tiny()
    gan.compile(jit_compile=True)
    logs = gan.fit(digits(64), epochs=1, verbose=0).history
    assert logs["r1"][0] > 0 and logs["pl"][0] > 0
