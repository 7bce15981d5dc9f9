"""A GAN learns a 1-D Gaussian: watch the generator's distribution approach the target.

    pip install -e ".[examples]"   # matplotlib, for the plot
    python examples/gaussian_1d.py --out gaussian_1d.png --log-dir runs/gaussian_1d
    kgan board runs/gaussian_1d    # Histograms tab: the generated density slides onto the target

The data are N(4, 0.5^2) samples drawn with the Box-Muller transform (kgan.data.gaussian_1d).
Generator and discriminator are small MLPs; the generator starts near N(0, small). The plot shows
the target density and histograms of the generator's samples as training goes on; the
TensorBoard logs (kgan.callbacks.DistributionPlots) hold the same every epoch: histograms of
target and generated samples on one range, and a picture with both densities on one axis.
Runs in about half a minute on a CPU.
"""

import argparse

import keras
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import kgan  # noqa: E402

MEAN, STD = 4.0, 0.5


class Snapshots(keras.callbacks.Callback):
    """Keeps the generator's samples from one fixed latent batch at chosen epochs."""

    def __init__(self, epochs, latent):
        super().__init__()
        self.epochs, self.latent, self.samples = set(epochs), latent, {}

    def on_train_begin(self, logs=None):
        self.samples[0] = self.model.generate(latent=self.latent)[:, 0]

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 in self.epochs:
            self.samples[epoch + 1] = self.model.generate(latent=self.latent)[:, 0]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--out", default="gaussian_1d.png")
    parser.add_argument("--log-dir", default="runs/gaussian_1d", help="TensorBoard folder")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    data = kgan.data.gaussian_1d(8192, mean=MEAN, std=STD, batch_size=128, seed=args.seed)
    generator = kgan.architectures.mlp.build_generator(
        latent_dim=4, output_dim=1, hidden_units=(32, 32), seed=args.seed
    )
    discriminator = kgan.architectures.mlp.build_discriminator(input_dim=1, hidden_units=(32, 32), seed=args.seed)
    gan = kgan.GAN(generator, discriminator, seed=args.seed)
    gan.compile(learning_rate=2e-3)

    latent = np.random.default_rng(args.seed).standard_normal((20_000, 4)).astype(np.float32)
    marks = sorted({1, 3, args.epochs // 3, args.epochs} - {0})
    snapshots = Snapshots(marks, latent)
    plots = kgan.callbacks.DistributionPlots(data, args.log_dir, seed=args.seed)
    gan.fit(data, epochs=args.epochs, callbacks=[snapshots, plots], verbose=0)

    x = np.linspace(-1.0, 7.0, 400)
    plt.figure(figsize=(8, 4.5))
    plt.plot(
        x,
        np.exp(-0.5 * ((x - MEAN) / STD) ** 2) / (STD * np.sqrt(2 * np.pi)),
        "k",
        lw=2,
        label=f"target N({MEAN}, {STD}²)",
    )
    for epoch, samples in sorted(snapshots.samples.items()):
        plt.hist(
            samples,
            bins=120,
            range=(-1, 7),
            density=True,
            histtype="step",
            lw=1.5,
            label=f"generator after {epoch} epochs (mean {samples.mean():.2f}, std {samples.std():.2f})",
        )
        print(f"epoch {epoch:3d}: generated mean {samples.mean():.3f} std {samples.std():.3f}")
    plt.xlabel("x")
    plt.ylabel("density")
    plt.title("A GAN learning a 1-D Gaussian (Box-Muller samples)")
    plt.legend(fontsize=8)
    plt.tight_layout()
    plt.savefig(args.out, dpi=110)
    print(f"wrote {args.out}; to watch it in TensorBoard: kgan board {args.log_dir}")


if __name__ == "__main__":
    main()
