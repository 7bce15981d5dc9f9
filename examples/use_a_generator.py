"""Use a trained generator: serve it with ONNX Runtime and LiteRT, walk its latent space, and
project real test images into it.

    python examples/use_a_generator.py --model runs/mnist/checkpoints/epoch_0003.keras \\
        --data-dir ../shared/data/mnist --out runs/use

Needs the examples extra (ONNX and LiteRT among it): pip install -e ".[examples]". Writes runs/use/generator.onnx and
runs/use/generator.tflite (run without TensorFlow), runs/use/walk.gif (4 looping latent walks)
and runs/use/projection.png (test images above their reconstructions), and prints how close the
projections came.
"""

import argparse
import os

import numpy as np

import kgan


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="a GAN saved as .keras, e.g. by kgan train")
    parser.add_argument("--data-dir", help="folder with the MNIST idx .gz files (the test split is projected)")
    parser.add_argument("--project", type=int, default=8, help="how many test images to project")
    parser.add_argument("--steps", type=int, default=200, help="projection steps")
    parser.add_argument("--out", default="runs/use")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    gan = kgan.load_gan(args.model)

    # Serving without TensorFlow: ONNX Runtime and LiteRT take the same latent vectors.
    onnx_path = kgan.export_generator(gan, os.path.join(args.out, "generator.onnx"))
    litert_path = kgan.export_generator(gan, os.path.join(args.out, "generator.tflite"))
    import onnxruntime
    from ai_edge_litert.interpreter import Interpreter

    latent = np.random.default_rng(0).standard_normal((4, gan.latent_dim)).astype(np.float32)
    onnx_images = onnxruntime.InferenceSession(onnx_path).run(["images"], {"latent": latent})[0]
    litert = Interpreter(model_path=litert_path).get_signature_runner("serving_default")
    litert_images = litert(latent=latent)["images"]
    difference = np.abs(onnx_images - litert_images).max()
    print(f"ONNX Runtime and LiteRT drew {len(onnx_images)} images; largest difference {difference:.1e}")

    # Four latent walks through 3 keys each, looping, as a GIF.
    walks = kgan.latent.walk_images(gan, keys=3, frames=24, rows=4, loop=True)
    frames = [kgan.images.tile(kgan.images.to_uint8(walks[:, i])) for i in range(walks.shape[1])]
    kgan.images.save_animation(os.path.join(args.out, "walk.gif"), np.stack(frames) / 127.5 - 1.0, fps=12, scale=4)

    # Test images the GAN never saw, projected into its latent space.
    test_images, _ = kgan.data.load_arrays("mnist", args.data_dir, split="test")
    originals = test_images[: args.project]
    found = kgan.latent.project(gan, originals, steps=args.steps, extractor="mnist")
    pairs = np.concatenate([originals / 127.5 - 1.0, found.images])
    kgan.images.save_grid(os.path.join(args.out, "projection.png"), pairs, columns=args.project)
    print(f"projected {len(originals)} test images: mean PSNR {found.psnr.mean():.1f} dB")


if __name__ == "__main__":
    main()
