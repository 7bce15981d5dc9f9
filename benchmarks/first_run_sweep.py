"""One row of the first run's exploration (docs/performance.md, "The first run"): train the
command line's DCGAN for MNIST with one change, for a fixed number of steps, and score it.

    python benchmarks/first_run_sweep.py --data-dir ../shared/data/mnist \
        --minibatch-std --latent 16 --beta1 0 --beta2 0.99

The networks are kgan's DCGAN generator and a DCGAN discriminator built here so that its width,
kernel, final 3x3 convolution and minibatch-standard-deviation grouping can vary on their own
(`kgan.DCGAN(minibatch_std=True)` is `--minibatch-std` with the other options at their defaults).
Trained by `GAN.fit`; 10,000 EMA samples are scored with kgan's MNIST classifier against the
MNIST test set: domain FID, mean confidence and the smallest digit share, printed as JSON.
"""

import argparse
import json
import time

import keras
import numpy as np
import tensorflow as tf
from keras import layers

import kgan
from kgan.architectures import dcgan

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--data-dir", required=True, help="the folder with MNIST's idx files")
parser.add_argument("--gwidth", type=int, default=32)
parser.add_argument("--dwidth", type=int, default=32)
parser.add_argument("--kernel", type=int, default=4)
parser.add_argument("--batch", type=int, default=64)
parser.add_argument("--glr", type=float, default=1e-3)
parser.add_argument("--dlr", type=float, default=1e-3)
parser.add_argument("--beta1", type=float, default=0.5)
parser.add_argument("--beta2", type=float, default=0.999)
parser.add_argument("--ema", type=float, default=0.99)
parser.add_argument("--latent", type=int, default=100)
parser.add_argument("--steps", type=int, default=3748)
parser.add_argument("--no-reuse", action="store_true")
parser.add_argument("--loss", default="non_saturating")
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--minibatch-std", action="store_true", help="the std channel and a 3x3 conv ending D")
parser.add_argument("--group", type=int, default=None, help="minibatch std group size (default: the whole batch)")
parser.add_argument("--final-conv", action="store_true", help="the 3x3 conv ending D without the std channel")
parser.add_argument(
    "--decay", type=float, default=0, help="fraction of the steps at the end with rates decaying linearly to 0"
)
args = parser.parse_args()

train = kgan.data.load_arrays("mnist", args.data_dir, "train")[0]
test = kgan.data.load_arrays("mnist", args.data_dir, "test")[0]
shape = (28, 28, 1)
generator = dcgan.build_generator(shape, args.latent, args.gwidth, args.kernel, seed=args.seed)
x = images = keras.Input(shape)
for i in range(2):
    x = layers.Conv2D(
        args.dwidth * 2**i, args.kernel, strides=2, padding="same", kernel_initializer=dcgan._init(args.seed, 50 + i)
    )(x)
    x = layers.LeakyReLU(0.2)(x)
if args.minibatch_std:
    x = kgan.layers.MinibatchStdDev(args.group)(x)
if args.minibatch_std or args.final_conv:
    x = layers.Conv2D(args.dwidth * 2, 3, padding="same", kernel_initializer=dcgan._init(args.seed, 60))(x)
    x = layers.LeakyReLU(0.2)(x)
logits = layers.Dense(1, dtype="float32", kernel_initializer=dcgan._init(args.seed, 99))(layers.Flatten()(x))
gan = kgan.GAN(generator, keras.Model(images, logits), seed=args.seed, ema_decay=args.ema)


class LinearDecayAtEnd(keras.optimizers.schedules.LearningRateSchedule):
    def __init__(self, rate):
        self.rate, self.start = rate, int(args.steps * (1 - args.decay))

    def __call__(self, step):
        return self.rate * tf.clip_by_value(
            (args.steps - tf.cast(step, tf.float32)) / (args.steps - self.start), 0.0, 1.0
        )


def adam(rate):
    return keras.optimizers.Adam(LinearDecayAtEnd(rate) if args.decay else rate, beta_1=args.beta1, beta_2=args.beta2)


gan.compile(d_optimizer=adam(args.dlr), g_optimizer=adam(args.glr), loss=args.loss, reuse_fakes=not args.no_reuse)


class StopAfter(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.started, self.steps = None, 0

    def on_train_batch_end(self, batch, logs=None):
        self.started = self.started or time.perf_counter()  # after the first step's tracing
        self.steps += 1
        if self.steps >= args.steps:
            self.model.stop_training = True


clock = StopAfter()
gan.fit(kgan.data.from_arrays(train, batch_size=args.batch, seed=args.seed), epochs=1000, verbose=0, callbacks=[clock])
seconds = time.perf_counter() - clock.started
extractor = kgan.metrics.domain_extractor("mnist")
samples = gan.generate(10000, seed=123)
fid = kgan.metrics.FrechetInceptionDistance(extractor, reference=kgan.metrics.reference_statistics(extractor, test))
probabilities = []
for start in range(0, len(samples), 500):
    fid.update_state(samples[start : start + 500])
    probabilities.append(tf.nn.softmax(extractor(samples[start : start + 500], training=False)[1]).numpy())
probabilities = np.concatenate(probabilities)
shares = np.bincount(probabilities.argmax(1), minlength=10) / len(probabilities)
print(
    json.dumps(
        {
            "options": {k: v for k, v in vars(args).items() if k != "data_dir"},
            "steps": clock.steps,
            "images_per_s": round(clock.steps * args.batch / seconds),
            "fid": round(float(fid.result()), 2),
            "mean_confidence": round(float(probabilities.max(1).mean()), 3),
            "smallest_share": round(float(shares.min()), 3),
        }
    )
)
