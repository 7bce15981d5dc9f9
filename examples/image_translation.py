"""Train an image-to-image GAN on MNIST pairs made on the fly, and measure it on the test set.

    python examples/image_translation.py --model pix2pix --data-dir ../shared/data/mnist --epochs 2 --out runs/pix2pix

Models and the task each gets:
  pix2pix     edge maps (Sobel) -> digits
  srgan       7x7 digits (4x area downscaling) -> 28x28 digits
  inpainting  digits with a random 14x14 hole -> the whole digit
  cyclegan    digits <-> colour-inverted digits, unpaired (the two domains are shuffled apart)

Writes runs/<model>/samples (per epoch: inputs, outputs, targets in rows) and runs/<model>/generator
(a SavedModel; see docs/translation.md for its signatures), and prints one JSON line measured on
1,000 test images: PSNR and SSIM of the outputs against the targets beside those of the inputs
(for srgan, the inputs upsampled bicubically), and for cyclegan the round-trip error
|G_BA(G_AB(a)) - a| before and after training and the error of G_AB(a) against the true
inversion of a.
"""

import argparse
import json
import os

import numpy as np
import tensorflow as tf

import kgan


def psnr_ssim(images, targets):
    """Mean PSNR and SSIM of images against targets, both in [-1, 1]."""
    images, targets = tf.convert_to_tensor(images), tf.convert_to_tensor(targets)
    return (
        round(float(tf.reduce_mean(tf.image.psnr(images, targets, max_val=2.0))), 2),
        round(float(tf.reduce_mean(tf.image.ssim(images, targets, max_val=2.0))), 4),
    )


def scaled(images):
    return images.astype(np.float32) / 127.5 - 1.0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=["pix2pix", "srgan", "inpainting", "cyclegan"], required=True)
    parser.add_argument("--data-dir", required=True, help="folder with the MNIST idx .gz files")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--limit", type=int, default=20000, help="training images used")
    parser.add_argument("--width", type=int, default=32, help="the networks' base number of filters")
    parser.add_argument("--out", default="runs/translation")
    args = parser.parse_args()

    train, _ = kgan.data.load_arrays("mnist", args.data_dir, "train")
    test, _ = kgan.data.load_arrays("mnist", args.data_dir, "test")
    train, test = train[: args.limit], test[:1000]
    shape = (28, 28, 1)
    if args.model == "pix2pix":
        model = kgan.Pix2Pix(source_shape=shape, width=args.width, seed=0)
        data = kgan.data.paired(kgan.data.edge_maps(train), train, batch_size=64, seed=0)
        test_inputs = scaled(kgan.data.edge_maps(test))
    elif args.model == "srgan":
        model = kgan.SRGAN(image_shape=shape, scale=4, width=args.width, num_blocks=4, seed=0)
        data = kgan.data.paired(kgan.data.low_resolution(train, 4), train, batch_size=64, seed=0)
        test_inputs = scaled(kgan.data.low_resolution(test, 4))
    elif args.model == "inpainting":
        model = kgan.Inpainting(image_shape=shape, hole_size=0.5, width=args.width, seed=0)
        data = kgan.data.from_arrays(train, batch_size=64, seed=0)  # holes are cut on the fly
        masks = kgan.models.translation.random_box_masks(len(test), (28, 28), 0.5, seed=1).numpy()
        test_inputs = (scaled(test), masks)
    else:
        model = kgan.CycleGAN(image_shape_a=shape, width=args.width, seed=0)
        data = kgan.data.unpaired(train, kgan.data.inverted(train), batch_size=64, seed=0)
    model.compile()
    if args.model == "cyclegan":
        untrained_round_trip = model.round_trip_error(scaled(test), "a_to_b")
    grid = kgan.callbacks.ImageGrid(png_dir=os.path.join(args.out, "samples"), examples=next(iter(data)), num_images=48)
    model.fit(data, epochs=args.epochs, verbose=2, callbacks=[grid])
    kgan.export_generator(model, os.path.join(args.out, "generator"))

    targets = scaled(test)
    report = {"model": args.model}
    if args.model == "cyclegan":
        a = scaled(test)
        report["round_trip_error_a_untrained"] = round(untrained_round_trip, 4)
        report["round_trip_error_a"] = round(model.round_trip_error(a, "a_to_b"), 4)
        report["round_trip_error_b"] = round(model.round_trip_error(-a, "b_to_a"), 4)
        report["a_to_b_error_vs_true_inversion"] = round(float(np.mean(np.abs(model.translate(a) - (-a)))), 4)
    else:
        outputs = model.translate(test_inputs)
        if args.model == "srgan":
            baseline = tf.image.resize(test_inputs, (28, 28), method="bicubic").numpy().clip(-1, 1)
        elif args.model == "inpainting":
            images, masks = test_inputs
            baseline = images * (1 - masks) - masks  # holes filled with the background value
        else:
            baseline = test_inputs
        report["output_psnr_ssim"] = psnr_ssim(outputs, targets)
        report["input_psnr_ssim"] = psnr_ssim(baseline, targets)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
