"""Break a GAN on purpose and watch kgan.callbacks.TrainingMonitor say what went wrong.

    python examples/training_health.py --case healthy --data-dir ../shared/data/mnist
    python examples/training_health.py --case strong_discriminator --data-dir ../shared/data/mnist

Cases: `healthy` (the DCGAN defaults), `strong_discriminator` (D's learning rate 10x, G's 1/20x),
`minimax` (the same under the saturating minimax loss), `crippled_generator` (the latent vector
is multiplied by 0 before the generator sees it), `diverging` (SGD with learning rate 5).
Prints the monitor's checks and its warnings; its TensorBoard views go to `--out`/CASE/logs
(`kgan board` on that folder: health/ text and curves, D's output histograms under balance/).
"""

import argparse
import os
import warnings

import keras

import kgan

CASES = ("healthy", "strong_discriminator", "minimax", "crippled_generator", "diverging")


def build(case, image_shape, seed):
    gan = kgan.DCGAN(image_shape=image_shape, width=32, seed=seed)
    if case == "crippled_generator":
        latent = keras.Input((gan.latent_dim,))
        ignored = keras.layers.Rescaling(0.0)(latent)
        gan = kgan.GAN(keras.Model(latent, gan.generator(ignored)), gan.discriminator, seed=seed)
    settings = {
        "healthy": {},
        "crippled_generator": {},
        "strong_discriminator": {"learning_rate": (2e-3, 1e-5)},
        "minimax": {"loss": "minimax", "learning_rate": (2e-3, 1e-5)},
        "diverging": {"d_optimizer": keras.optimizers.SGD(5.0), "g_optimizer": keras.optimizers.SGD(5.0)},
    }[case]
    gan.compile(**settings)
    return gan


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", choices=CASES, default="healthy")
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--data-dir")
    parser.add_argument("--steps", type=int, default=900, help="training steps (batches of 64)")
    parser.add_argument("--out", default="runs/health")
    args = parser.parse_args()

    data = kgan.data.load(args.dataset, data_dir=args.data_dir, batch_size=64, seed=0, limit=64 * args.steps)
    # The monitor compares with real images the generator is not trained on in this order.
    probe = kgan.data.load(args.dataset, data_dir=args.data_dir, batch_size=64, seed=1, limit=64)
    gan = build(args.case, kgan.data.IMAGE_SHAPES[args.dataset], seed=0)
    log_dir = os.path.join(args.out, args.case, "logs")
    monitor = kgan.callbacks.TrainingMonitor(probe, log_dir=log_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", kgan.callbacks.TrainingHealthWarning)  # printed below instead
        gan.fit(data, epochs=1, verbose=0, callbacks=[monitor])
    columns = ("step", "d_loss", "g_loss", "d_real", "d_fake", "g_grad_norm", "diversity")
    print(" ".join(f"{c:>11}" for c in columns))
    for record in monitor.history:
        print(" ".join(f"{record[c]:>11.4g}" for c in columns))
    for warning in monitor.warnings_seen:
        print(f"\n[step {warning['step']}] {warning['kind']}: {warning['message']}")
    if not monitor.warnings_seen:
        print("\nno warnings")
    print(f"\nkgan board {log_dir}")


if __name__ == "__main__":
    main()
