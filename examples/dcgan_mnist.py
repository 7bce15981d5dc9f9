"""Train a DCGAN on MNIST with the Python API, then save, export and reload it.

    python examples/dcgan_mnist.py --data-dir ../shared/data/mnist --epochs 2 --out runs/example

Writes runs/example/logs (TensorBoard, one run: curves, a Custom Scalars layout, sample grids beside
real digits, D's output histograms and a health summary; watch with `kgan board runs/example`),
runs/example/logs/samples
(a PNG grid per epoch), runs/example/gan.keras (the whole GAN, resumable) and
runs/example/generator (a SavedModel that loads without kgan). Without --data-dir the data comes
from $KGAN_DATA_DIR/mnist or, failing that, TensorFlow Datasets.
"""

import argparse
import os

import tensorflow as tf

import kgan


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", help="folder with the MNIST idx .gz files")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--limit", type=int, help="train on the first LIMIT images only")
    parser.add_argument("--out", default="runs/example")
    args = parser.parse_args()

    ds = kgan.data.load("mnist", data_dir=args.data_dir, batch_size=args.batch_size, limit=args.limit, seed=0)
    gan = kgan.DCGAN(image_shape=(28, 28, 1), latent_dim=100, seed=0)
    gan.compile()  # non-saturating loss, Adam(2e-4, beta_1=0.5) for both networks
    log_dir = os.path.join(args.out, "logs")
    gan.fit(
        ds,
        epochs=args.epochs,
        callbacks=[
            # Warns in plain language when training goes wrong; its views under TensorBoard's health/.
            kgan.callbacks.TrainingMonitor(ds, log_dir=log_dir),
            kgan.callbacks.ImageGrid(log_dir=log_dir, examples=next(iter(ds))),  # real | generated too
            kgan.callbacks.TensorBoard(log_dir, update_freq=50),
        ],
    )
    gan.save(os.path.join(args.out, "gan.keras"))
    export_dir = kgan.export_generator(gan, os.path.join(args.out, "generator"))

    # Anyone can now serve the generator with plain TensorFlow.
    generator = tf.saved_model.load(export_dir)
    pixels = generator.signatures["sample"](count=tf.constant(16), seed=tf.constant(0, tf.int64))["images"]
    print(f"sampled {pixels.shape[0]} images of shape {pixels.shape[1:]} ({pixels.dtype.name}) from {export_dir}")
    print(f"kgan board {args.out}")


if __name__ == "__main__":
    main()
