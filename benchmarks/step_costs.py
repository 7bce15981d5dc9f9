"""Where a DCGAN training step's time goes: the cost of each piece, and what it implies.

    python benchmarks/step_costs.py

Times, on the DCGAN-for-MNIST networks of benchmarks/training_speed.py at batch 256 in float32,
the pieces every GAN step is made of, each compiled with tf.function (best of 3 x 15 calls):
G's forward pass (training mode), G's forward and backward pass, D's forward pass, D's forward
and backward pass on two batches (real and fake), and G's forward and backward pass through D
(the generator update).
From them it estimates the time per step of the TensorFlow tutorial's simultaneous step and of
an alternating step (D on real and fake, then G against the updated D) with fresh fakes or
with the D step's fakes reused. The last is the floor of any alternating step: it runs G
forward and backward once and D forward and backward on both batches, and nothing else.
Last, each generator layer's forward and backward pass in float32 and in mixed_bfloat16: which
layers gain from bfloat16 and which do not.
"""

import time

import keras
import tensorflow as tf

from kgan.architectures import dcgan

BATCH = 256
LATENT = 100


def best_milliseconds(function, calls=15, rounds=3):
    function()  # trace and warm up
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            result = function()
        tf.nest.map_structure(lambda t: t.numpy(), result)
        best = min(best, (time.perf_counter() - start) / calls * 1000)
    return best


def main():
    generator = dcgan.build_generator((28, 28, 1), LATENT, width=64, seed=1)
    discriminator = dcgan.build_discriminator((28, 28, 1), width=64, seed=1)
    latent = tf.random.normal([BATCH, LATENT])
    images = tf.random.normal([BATCH, 28, 28, 1])
    two_batches = tf.concat([images, images], 0)

    def gradients(loss_of, variables):
        @tf.function
        def run():
            with tf.GradientTape() as tape:
                loss = loss_of()
            return tape.gradient(loss, variables)

        return run

    pieces = {
        "G forward": tf.function(lambda: generator(latent, training=True)),
        "G forward+backward": gradients(
            lambda: tf.reduce_mean(generator(latent, training=True)), generator.trainable_variables
        ),
        "D forward": tf.function(lambda: discriminator(images, training=True)),
        "D forward+backward, 2 batches": gradients(
            lambda: tf.reduce_mean(discriminator(two_batches, training=True)), discriminator.trainable_variables
        ),
        "G update through D": gradients(
            lambda: tf.reduce_mean(discriminator(generator(latent, training=True), training=True)),
            generator.trainable_variables,
        ),
    }
    ms = {}
    for name, function in pieces.items():
        ms[name] = best_milliseconds(function)
        print(f"{name:32s} {ms[name]:7.1f} ms", flush=True)

    estimates = {
        # The same work as the floor but for one D forward pass on the fakes, which serves both
        # tapes (the alternating step judges the fakes again with the updated D).
        "tutorial (simultaneous)": ms["D forward+backward, 2 batches"] + ms["G update through D"] - ms["D forward"],
        "alternating, fresh fakes": ms["G forward"] + ms["D forward+backward, 2 batches"] + ms["G update through D"],
        "alternating, reused fakes (floor)": ms["D forward+backward, 2 batches"] + ms["G update through D"],
    }
    print("\nestimated step time and throughput")
    for name, value in estimates.items():
        print(f"{name:36s} {value:7.1f} ms  {BATCH / value * 1000:6.0f} images/s")
    floor = estimates["alternating, reused fakes (floor)"]
    print(f"\nthe alternating floor runs at {estimates['tutorial (simultaneous)'] / floor:.2f}x the tutorial's speed")
    print_layer_costs()


def print_layer_costs():
    """Each generator layer's forward + backward pass (ms) in float32 and in mixed_bfloat16."""
    costs = {}
    for policy in ("float32", "mixed_bfloat16"):
        keras.mixed_precision.set_global_policy(policy)
        generator = dcgan.build_generator((28, 28, 1), LATENT, width=64, seed=1)
        keras.mixed_precision.set_global_policy("float32")
        for index, layer in enumerate(generator.layers[1:], start=1):
            inputs = tf.cast(tf.random.normal([BATCH, *layer.input.shape[1:]]), layer.compute_dtype)

            @tf.function
            def forward_backward(layer=layer, inputs=inputs):
                with tf.GradientTape() as tape:
                    tape.watch(inputs)
                    loss = tf.reduce_sum(tf.cast(layer(inputs, training=True), tf.float32) ** 2)
                return tape.gradient(loss, [inputs, *layer.trainable_variables])

            costs.setdefault((index, type(layer).__name__), {})[policy] = best_milliseconds(forward_backward, calls=10)
    print("\ngenerator layers, forward + backward (ms): float32, mixed_bfloat16, speed-up")
    for (index, name), ms in costs.items():
        print(
            f"{index:2d} {name:22s} {ms['float32']:7.1f} {ms['mixed_bfloat16']:7.1f}  "
            f"{ms['float32'] / ms['mixed_bfloat16']:.2f}x"
        )


if __name__ == "__main__":
    main()
