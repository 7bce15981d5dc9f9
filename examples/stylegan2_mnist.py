"""Train a small StyleGAN2 on MNIST, then truncate, mix styles and serve it through its export.

    python examples/stylegan2_mnist.py --data-dir ../shared/data/mnist --epochs 3 --out runs/stylegan2

MNIST's 28x28 digits are resized to 32x32 (StyleGAN2 makes power-of-two sizes). Writes
runs/stylegan2/logs (TensorBoard: losses, sample grids, the truncation sweep and the
style-mixing matrix), runs/stylegan2/truncation.png (psi 1, 0.7, 0.5 and 0, one row each),
runs/stylegan2/mixing.png (a target's fine styles under the coarse styles of other digits),
runs/stylegan2/gan.keras and runs/stylegan2/generator (a SavedModel whose signatures take psi
and expose mapping and synthesis, so a server can mix styles without kgan).
"""

import argparse
import os

import numpy as np
import tensorflow as tf

import kgan


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", help="folder with the MNIST idx .gz files")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--limit", type=int, help="train on the first LIMIT images only")
    parser.add_argument("--width", type=int, default=32, help="filters per layer (512 in the paper)")
    parser.add_argument("--out", default="runs/stylegan2")
    args = parser.parse_args()

    ds = kgan.data.load("mnist", data_dir=args.data_dir, limit=args.limit, seed=0, image_size=32)
    gan = kgan.StyleGAN2((32, 32, 1), latent_dim=64, width=args.width, mapping_layers=4, ema_decay=0.99, seed=0)
    gan.compile()  # lazy R1 every 16 D steps, path length every 4 G steps, Adam(0.0025, 0, 0.99)
    log_dir = os.path.join(args.out, "logs")
    gan.fit(
        ds,
        epochs=args.epochs,
        callbacks=[
            kgan.callbacks.ImageGrid(log_dir=log_dir),
            kgan.callbacks.StyleGrids(log_dir=log_dir),  # truncation sweep and style-mixing matrix
            kgan.callbacks.TensorBoard(log_dir, update_freq=50),
        ],
    )

    # Truncation: the same eight seeds pulled towards the average w.
    w = gan.latent_to_w(8, seed=1)
    sweep = [gan.synthesize(gan.truncate(w, psi)) for psi in (1.0, 0.7, 0.5, 0.0)]
    kgan.images.save_grid(os.path.join(args.out, "truncation.png"), np.concatenate(sweep), columns=8)

    # Style mixing: the first 4 of the ws (coarse: shape) from the sources, the rest from one target.
    sources = gan.latent_to_w(8, seed=2)
    target = np.repeat(gan.latent_to_w(1, seed=3), 8, axis=0)
    mixed = gan.synthesize(gan.mix_styles(sources, target, layers=range(4)))
    rows = [gan.synthesize(sources), mixed, gan.synthesize(target)]
    kgan.images.save_grid(os.path.join(args.out, "mixing.png"), np.concatenate(rows), columns=8)

    gan.save(os.path.join(args.out, "gan.keras"))
    export_dir = kgan.export_generator(gan, os.path.join(args.out, "generator"))

    # A server mixes and truncates with plain TensorFlow.
    generator = tf.saved_model.load(export_dir).signatures
    pixels = generator["sample"](count=tf.constant(16), seed=tf.constant(0, tf.int64), truncation=tf.constant(0.7))[
        "images"
    ]
    ws = generator["mapping"](latent=tf.random.stateless_normal([2, 64], seed=[0, 0]))["w"]
    num_ws = generator["synthesis"].structured_input_signature[1]["ws"].shape[1]
    ws = tf.concat([tf.repeat(ws[:1, None], 4, axis=1), tf.repeat(ws[1:, None], num_ws - 4, axis=1)], axis=1)
    mixed = generator["synthesis"](ws=ws)["images"]
    print(f"sampled {pixels.shape[0]} images of shape {pixels.shape[1:]} at psi 0.7 from {export_dir}")
    print(f"mixed one image of shape {mixed.shape[1:]} from the export's mapping and synthesis ({num_ws} ws)")
    print(f"kgan board {args.out}")


if __name__ == "__main__":
    main()
