"""A GAN on the classic 2-D mixtures (a ring of 8 Gaussians, a 5x5 grid), watched in TensorBoard.

    python examples/mixtures_2d.py --mixture ring --log-dir runs/ring
    kgan board runs/ring    # Images tab, distribution/target_vs_generated: drag the step slider

Every epoch `kgan.callbacks.DistributionPlots` draws the generator's points (orange) over the
target's (grey) on fixed axes, so the slider replays the generator spreading from one blob onto
the modes, or collapsing onto a few of them. The recipe is the one benchmarks/mode_collapse.py
measures as kgan's recommendation for these mixtures: MLPs, lazy R1 on the real points and an EMA
of the generator. At the end it counts the modes covered (`kgan.metrics.ModeCoverage`). About a
minute on 2 CPU cores with the defaults.
"""

import argparse

import keras

import kgan

MIXTURES = {
    "ring": (kgan.data.ring_2d, kgan.data.ring_centers(), 0.02),
    "grid": (kgan.data.grid_2d, kgan.data.grid_centers(), 0.05),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mixture", choices=sorted(MIXTURES), default="ring")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--steps-per-epoch", type=int, default=250)
    parser.add_argument("--log-dir", default="runs/mixture_2d", help="TensorBoard folder")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    make_data, centers, std = MIXTURES[args.mixture]
    batch_size = 256
    data = make_data(args.steps_per_epoch * batch_size, batch_size=batch_size, seed=args.seed)
    generator = kgan.architectures.mlp.build_generator(16, 2, hidden_units=(256, 256, 256), seed=args.seed)
    discriminator = kgan.architectures.mlp.build_discriminator(2, hidden_units=(256, 256, 256), seed=args.seed)
    gan = kgan.GAN(
        generator,
        discriminator,
        seed=args.seed,
        ema_decay=0.999,
        ema_start=min(2000, args.epochs * args.steps_per_epoch // 2),
    )
    gan.compile(
        d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        regularizers=[kgan.regularizers.R1(gamma=1.0, every=4)],
    )
    callbacks = [
        kgan.callbacks.DistributionPlots(data, args.log_dir, seed=args.seed),
        kgan.callbacks.TensorBoard(args.log_dir),
    ]
    gan.fit(data, epochs=args.epochs, callbacks=callbacks, verbose=0)

    coverage = kgan.metrics.ModeCoverage(centers, std)
    coverage.update_state(gan.generate(10_000, seed=1000 + args.seed))
    result = kgan.metrics.results_of([coverage])
    print(
        f"{args.mixture}: {int(result['modes_covered'])} of {len(centers)} modes covered, "
        f"{float(result['high_quality']):.0%} of samples within 3 std of a mode"
    )
    print(f"to watch it in TensorBoard: kgan board {args.log_dir}")


if __name__ == "__main__":
    main()
