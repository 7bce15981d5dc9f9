"""The `kgan` command: `kgan train | board | sample | interpolate | project | export | evaluate`.

It parses the arguments, calls the library and says where things went. It sits beside the `kgan`
package, not in it: importing anything inside `kgan` imports TensorFlow (the package registers its
Keras classes when imported), which takes seconds, and `kgan --help` or a mistyped option should
answer at once. TensorFlow is imported only once a command runs, quietly unless `--verbose`.

Mistakes in what the user asked for (a missing file, data the model cannot take, an option that
does not apply) are `UsageError`s: one line on stderr and exit code 2. Anything else is a bug
and keeps its traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import logging
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time


def _read_data_catalog():
    """`kgan/data/catalog.py`, executed on its own: the named datasets without importing kgan."""
    package = importlib.util.find_spec("kgan")  # finds the package without running its __init__
    path = os.path.join(os.path.dirname(package.origin), "data", "catalog.py")
    spec = importlib.util.spec_from_file_location("kgan_data_catalog", path)
    catalog = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(catalog)
    return catalog


DATASET_NAMES = _read_data_catalog().DATASETS
# Choices the parser offers without importing kgan; tests/test_cli.py checks them against the library.
RECIPE_NAMES = ("dcgan", "lsgan", "sngan", "stylegan2", "wgangp")
LOSS_NAMES = ("hinge", "least_squares", "minimax", "non_saturating", "relativistic_average", "wasserstein")
EVALUATION_DATASETS = ("mnist", "fashion_mnist", "cifar10")

#: `kgan train`'s defaults, chosen for the quality of the samples per minute of CPU training
#: (docs/performance.md, "The first run"; benchmarks/main_job.py): a DCGAN of half the tutorial's
#: width with 4x4 kernels, no dropout and a minibatch-standard-deviation block ending the
#: discriminator, 16 latent dimensions, Adam at 1e-3 with betas (0, 0.99), batches of 64, the
#: generator step on the discriminator step's fakes, and an EMA of the generator (0.99) for the
#: samples and the export. The kernel size and dropout apply to the DCGAN-based recipes (dcgan,
#: lsgan, wgangp); the latent size, Adam settings and minibatch block to the TUNED_RECIPES (the
#: others keep their papers' Adam settings, no minibatch block and 100 latent dimensions).
DEFAULT_WIDTH = 32
DEFAULT_BATCH_SIZE = 64
DEFAULT_EMA_DECAY = 0.99
DEFAULT_KERNEL_SIZE = 4
DEFAULT_DROPOUT = 0.0
TUNED_RECIPES = ("dcgan", "lsgan")
TUNED = " and ".join(TUNED_RECIPES)  # for help texts
DEFAULT_LEARNING_RATE = 1e-3
DEFAULT_BETAS = (0.0, 0.99)
DEFAULT_LATENT_DIM = 16
DEFAULT_REUSE_FAKES = True
#: Default epochs: MNIST's 3 (2,811 steps, an estimated 6-9 minutes on a 2-core AVX2 CPU), about as many
#: steps for the other named datasets, 5 passes over an image folder or TFRecords.
#: StyleGAN2 from the command line: a small network for CPUs (--width filters at every size up to
#: 32x32), 64-dimensional z and w, 4 mapping layers (StyleGAN2-ADA's CIFAR-10 setting used 2).
STYLEGAN2_LATENT_DIM = 64
STYLEGAN2_MAPPING_LAYERS = 4
DEFAULT_EPOCHS = {"mnist": 3, "fashion_mnist": 3, "cifar10": 3, "digits": 100, None: 5}

RUN_LAYOUT = """\
A run folder holds:
  logs/          TensorBoard, one run (kgan board RUN_DIR): curves grouped by concern (loss/,
                 balance/, gradients/, health/) and a Custom Scalars page of them; sample grids,
                 real | generated panels and latent walks (samples/); D-output histograms;
                 warnings and a health summary (Text); the settings (HParams); real and
                 generated samples as points (Projector, logs/projector/)
  samples/       one PNG grid of the same 64 latent vectors per epoch (epoch_0001.png, ...)
  walks/         4 walks between fixed latent vectors per epoch (latent_walk_epoch_0001.png, ...;
                 TensorBoard tag samples/latent_walk): a smooth morph means a latent space put to use
  checkpoints/   the whole GAN after every epoch (epoch_0001.keras, ...), loadable with
                 keras.saving.load_model after `import kgan`
  backup/        resume state: run the same command again to continue an interrupted run
  generator/     the exported generator SavedModel (see docs/export.md)
  config.json    the arguments of the run and the data it trained on
"""

OFFLINE_CHOICES = (
    "Offline choices: --data-dir FOLDER (a folder with the dataset's original files: MNIST and "
    "Fashion-MNIST idx .gz, CIFAR-10 .npz), KGAN_DATA_DIR=ROOT (with ROOT/<dataset>/), "
    "--dataset digits (ships with kgan) or --image-folder DIR (your own images)."
)


class UsageError(Exception):
    """A mistake in what the user asked for: reported in one line, exit code 2, no traceback."""


@contextlib.contextmanager
def _users_input():
    """Turns the library's refusals of what the user gave (ValueError, OSError, ImportError for an
    extra that is not installed) into `UsageError`s. Wraps loading data and models, building and
    compiling from options, and writing outputs; never training itself."""
    try:
        yield
    except (ValueError, OSError, ImportError) as error:
        raise UsageError(str(error)) from None


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {text}")
    return value


def _at_least(minimum):
    def parse(text):
        value = int(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected an integer >= {minimum}, got {text}")
        return value

    return parse


def _finite_float(text):
    value = float(text)
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text}")
    return value


def _labels(text):
    try:
        return [int(label) for label in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected class indices like 7 or 0,1,2, got {text!r}") from None


def build_parser():
    parser = argparse.ArgumentParser(
        prog="kgan", description="Train GANs; sample, walk and project into them; export and score their generators."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--verbose",
        action="store_true",
        help="also show TensorFlow's start-up messages and warnings (Keras' progress bar in train, TensorBoard's "
        "messages in board)",
    )
    _add_train(commands, common)
    _add_board(commands, common)
    _add_sample(commands, common)
    _add_interpolate(commands, common)
    _add_project(commands, common)
    _add_export(commands, common)
    _add_evaluate(commands, common)
    return parser


def _add_train(commands, common):
    train = commands.add_parser(
        "train",
        parents=[common],
        help="train a GAN and write logs, sample grids, checkpoints and the exported generator",
        description="Train a GAN (the --recipe: dcgan by default) on a dataset. " + RUN_LAYOUT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    source = train.add_argument_group("data")
    source.add_argument(
        "--dataset",
        choices=DATASET_NAMES,
        help="a named dataset, read from --data-dir, else from $KGAN_DATA_DIR/<dataset>, else through "
        "TensorFlow Datasets; 'digits' (8x8) ships with kgan. Default: MNIST wherever it is found "
        "(those places, TFDS's cache or a download), otherwise the shipped digits",
    )
    source.add_argument("--data-dir", help="folder holding the dataset's original files")
    source.add_argument("--image-folder", help="train on your own PNG/JPEG images in this folder instead of --dataset")
    source.add_argument(
        "--tfrecords",
        metavar="PATTERN",
        help="train on TFRecord shards matching PATTERN (e.g. 'records/train-*.tfrecord', written "
        "by kgan.data.write_tfrecords), streamed from disk",
    )
    source.add_argument(
        "--image-size",
        type=_positive_int,
        default=64,
        help="with --image-folder or --tfrecords: images are resized to SIZE x SIZE (default: 64)",
    )
    source.add_argument(
        "--channels",
        type=int,
        choices=[1, 3],
        default=3,
        help="with --image-folder or --tfrecords: 1 for grayscale, 3 for RGB (default: 3)",
    )
    source.add_argument("--limit", type=_positive_int, help="use only the first LIMIT images (quick runs)")
    training = train.add_argument_group("training")
    training.add_argument(
        "--epochs",
        type=_positive_int,
        help="passes over the data (default: "
        + ", ".join(f"{n} for {name}" for name, n in DEFAULT_EPOCHS.items() if name)
        + f", {DEFAULT_EPOCHS[None]} for an image folder or TFRecords)",
    )
    training.add_argument(
        "--batch-size",
        type=_positive_int,
        default=DEFAULT_BATCH_SIZE,
        help=f"images per batch (default: {DEFAULT_BATCH_SIZE})",
    )
    training.add_argument(
        "--latent-dim",
        type=_positive_int,
        help=f"latent vector size (default: {DEFAULT_LATENT_DIM} for {TUNED}, 100 for the others)",
    )
    training.add_argument(
        "--width",
        type=_positive_int,
        default=DEFAULT_WIDTH,
        help=f"the networks' base filters (default: {DEFAULT_WIDTH}; the DCGAN paper's is 64)",
    )
    training.add_argument(
        "--recipe",
        default="dcgan",
        choices=RECIPE_NAMES,
        help="the GAN recipe (default: dcgan). wgangp: Wasserstein loss, gradient penalty, 5 critic "
        "steps, Adam(1e-4, 0, 0.9); lsgan: least-squares loss; sngan: ResNet networks (generator "
        "2 x --width filters, discriminator --width) with spectral normalization, hinge loss, 5 D "
        "steps, Adam(2e-4, 0, 0.9); stylegan2 (experimental: it mode-collapses at small widths): "
        "StyleGAN2 (mapping network, modulated convolutions, "
        "style mixing, lazy R1 and path-length regularization, Adam(0.0025, 0, 0.99); images are "
        "resized to a power-of-two size, MNIST's to 32x32). The options below override a recipe's defaults.",
    )
    training.add_argument(
        "--kernel-size",
        type=_positive_int,
        default=DEFAULT_KERNEL_SIZE,
        help=f"DCGAN-based recipes: the convolutions' kernel size (default: {DEFAULT_KERNEL_SIZE}; "
        "the tutorial's is 5)",
    )
    training.add_argument(
        "--dropout",
        type=float,
        default=DEFAULT_DROPOUT,
        help=f"DCGAN-based recipes: dropout in the discriminator (default: {DEFAULT_DROPOUT}; the tutorial's is 0.3)",
    )
    training.add_argument(
        "--minibatch-std",
        action=argparse.BooleanOptionalAction,
        help="DCGAN-based recipes: end the discriminator with a minibatch standard deviation channel "
        "and a 3x3 convolution (ProGAN/StyleGAN), so it sees how varied a batch is "
        f"(default: on for {TUNED}, off for wgangp)",
    )
    training.add_argument(
        "--r1-gamma",
        type=_finite_float,
        help="stylegan2: the weight of R1 on real images, applied every 16 D steps (default: "
        "0.0002 * size**2 / 64, StyleGAN2-ADA's heuristic: 0.0032 at 32x32)",
    )
    training.add_argument(
        "--pl-weight",
        type=_finite_float,
        help="stylegan2: the weight of path-length regularization, every 4 G steps (default: 2; 0 turns it off)",
    )
    training.add_argument(
        "--mixing",
        type=_finite_float,
        help="stylegan2: the share of training batches made from two mixed ws (default: 0.9; 0 turns it off)",
    )
    training.add_argument("--loss", choices=LOSS_NAMES, help="adversarial loss (default: the recipe's)")
    training.add_argument(
        "--d-lr",
        type=float,
        help=f"discriminator learning rate (default: {DEFAULT_LEARNING_RATE} for {TUNED}, the paper's for the others)",
    )
    training.add_argument("--g-lr", type=float, help="generator learning rate (default: as for --d-lr)")
    training.add_argument(
        "--beta-1",
        type=float,
        help=f"Adam's beta_1 for both networks (default: {DEFAULT_BETAS[0]} for {TUNED}, the paper's for the others)",
    )
    training.add_argument(
        "--beta-2",
        type=float,
        help=f"Adam's beta_2 for both networks (default: {DEFAULT_BETAS[1]} for {TUNED}, the paper's for the others)",
    )
    training.add_argument("--d-steps", type=_positive_int, help="D updates per G update (default: the recipe's)")
    training.add_argument(
        "--ema-decay",
        type=float,
        default=DEFAULT_EMA_DECAY,
        help="samples and the export come from an exponential moving average of the generator's "
        f"weights with this decay (default: {DEFAULT_EMA_DECAY}); 0 for the raw generator",
    )
    training.add_argument(
        "--reuse-fakes",
        action=argparse.BooleanOptionalAction,
        default=DEFAULT_REUSE_FAKES,
        help="the generator step learns from the discriminator step's fakes instead of running the "
        "generator again on fresh noise: a generator pass fewer per step "
        f"(default: {'on' if DEFAULT_REUSE_FAKES else 'off'})",
    )
    training.add_argument(
        "--label-smoothing",
        type=float,
        default=0.0,
        help="one-sided label smoothing: D's target for real images is 1 - VALUE (default: 0)",
    )
    training.add_argument(
        "--fake-label-smoothing",
        type=float,
        default=0.0,
        help="D's target for fake images is VALUE (default: 0); with --label-smoothing 0.1, 0.1 makes "
        "the targets 0.9 and 0.1. One-sided smoothing (this at 0) is the usual advice",
    )
    training.add_argument(
        "--instance-noise",
        type=float,
        default=0.0,
        help="std of Gaussian noise on D's inputs, decaying to 0 over the run (default: 0)",
    )
    training.add_argument(
        "--steps-per-execution", type=_positive_int, default=1, help="training steps per compiled call (default: 1)"
    )
    training.add_argument(
        "--precision",
        choices=["float32", "mixed_bfloat16", "mixed_float16"],
        default="float32",
        help="Keras dtype policy of the networks (default: float32). mixed_bfloat16 for CPUs with "
        "AVX512-BF16 or AMX (on other CPUs it is emulated and many times slower), A100/H100 GPUs "
        "and TPUs; mixed_float16 for other GPUs (losses are scaled)",
    )
    training.add_argument(
        "--ada",
        action="store_true",
        help="adaptive discriminator augmentation (Karras et al., 2020): D sees augmented images, real and "
        "fake, with a probability that rises when D overfits; for small datasets",
    )
    training.add_argument(
        "--init-from",
        metavar="GAN.keras",
        help="fine-tune: start from this saved GAN's weights (the same recipe, --width and --latent-dim) "
        "instead of random ones, with fresh optimizers",
    )
    training.add_argument(
        "--freeze-d",
        type=_at_least(1),
        metavar="N",
        help="with --init-from: keep the discriminator's first N layers fixed (FreezeD, Mo et al., 2020)",
    )
    training.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    training.add_argument(
        "--deterministic",
        action="store_true",
        help="TensorFlow's deterministic kernels (slower), for bit-identical reruns on GPUs",
    )
    output = train.add_argument_group("output")
    output.add_argument(
        "--run-dir", default="runs/kgan", help="folder for everything the run writes (default: runs/kgan)"
    )
    output.add_argument("--no-export", action="store_true", help="do not export the generator at the end")
    output.add_argument(
        "--board",
        action="store_true",
        help="watch it train: start TensorBoard on the run's logs at a free local port (as kgan board "
        "does) and keep it serving after training until Ctrl-C",
    )
    output.add_argument(
        "--overwrite",
        action="store_true",
        help="replace a finished run in --run-dir (without it kgan refuses to overwrite one)",
    )
    train.set_defaults(handler=train_command)


def _add_sample(commands, common):
    sample = commands.add_parser(
        "sample",
        parents=[common],
        help="draw samples from a saved GAN or an exported generator into a PNG grid",
        description="Draw samples into one PNG grid.",
    )
    sample.add_argument(
        "--model",
        required=True,
        help="a GAN saved as .keras (checkpoints/epoch_N.keras), or an exported generator: a SavedModel folder "
        "or an .onnx file",
    )
    sample.add_argument("--num", type=_positive_int, default=64, help="how many samples (default: 64)")
    sample.add_argument("--seed", type=int, default=0, help="seed of the latent vectors (default: 0)")
    sample.add_argument(
        "--labels",
        type=_labels,
        help="classes to draw from a conditional GAN, repeated in turn to --num samples: 7 for all "
        "sevens, 0,1,2 for 0,1,2,0,1,2,...; a saved conditional GAN cycles through its classes when omitted",
    )
    sample.add_argument(
        "--truncation",
        type=_finite_float,
        metavar="PSI",
        help="StyleGAN2: pull the samples' ws towards the average w by PSI (1: none, the default; "
        "0.7 is common; 0 gives the average image)",
    )
    sample.add_argument("--columns", type=_positive_int, help="grid columns (default: square-ish)")
    sample.add_argument("--out", default="samples.png", help="PNG file to write (default: samples.png)")
    sample.set_defaults(handler=sample_command)


def _add_interpolate(commands, common):
    interpolate = commands.add_parser(
        "interpolate",
        parents=[common],
        help="render walks through a generator's latent space as a GIF, an MP4 video or a PNG grid",
        description="Render latent walks: each walk passes through --keys latent vectors drawn from --seed, "
        "in --frames steps. A .gif or .mp4 shows the --rows walks side by side, one frame per step; a .png "
        "shows one walk per row.",
    )
    interpolate.add_argument(
        "--model", required=True, help="a .keras GAN, or an exported SavedModel folder or .onnx file"
    )
    interpolate.add_argument("--out", required=True, help="the .gif, .mp4 or .png file to write")
    interpolate.add_argument("--frames", type=_at_least(2), default=24, help="steps per walk (default: 24)")
    interpolate.add_argument(
        "--keys", type=_at_least(2), default=2, help="latent vectors each walk passes through (default: 2)"
    )
    interpolate.add_argument("--rows", type=_positive_int, default=1, help="walks side by side (default: 1)")
    interpolate.add_argument("--seed", type=int, default=0, help="seed of the key latent vectors (default: 0)")
    interpolate.add_argument(
        "--method",
        choices=["slerp", "lerp"],
        default="slerp",
        help="spherical (slerp, the default: keeps Gaussian latents at a typical norm) or straight (lerp)",
    )
    interpolate.add_argument("--loop", action="store_true", help="return to the first key: a seamless loop")
    interpolate.add_argument(
        "--labels",
        type=_labels,
        help="conditional GANs: the class of each walk, repeated in turn over --rows (default: 0, 1, 2, ...)",
    )
    interpolate.add_argument(
        "--classes",
        type=_labels,
        help="conditional .keras GANs: walk through these classes instead (e.g. 3,8), each walk keeping one "
        "latent vector",
    )
    interpolate.add_argument(
        "--truncation", type=_finite_float, metavar="PSI", help="StyleGAN2: truncation psi of every frame"
    )
    interpolate.add_argument("--fps", type=_positive_int, default=12, help="GIF and MP4: frames per second")
    interpolate.add_argument(
        "--scale",
        type=_positive_int,
        help="GIF and MP4: enlarge frames this many times (default: to at least 256 pixels a side)",
    )
    interpolate.add_argument("--overwrite", action="store_true", help="replace an existing file at --out")
    interpolate.set_defaults(handler=interpolate_command)


def _add_project(commands, common):
    project = commands.add_parser(
        "project",
        parents=[common],
        help="find the latent vectors whose samples reconstruct your images (GAN inversion)",
        description="Project a folder of images into a saved GAN's latent space. --out receives each image's "
        "reconstruction (NAME.png) and latent (NAME.npy), comparison.png (each original beside its "
        "reconstruction) and projection.json (per-image distance and PSNR).",
    )
    project.add_argument("--model", required=True, help="the GAN saved as .keras (exports have no gradients)")
    project.add_argument("--images", required=True, help="folder of PNG/JPEG images (subfolders too)")
    project.add_argument("--out", required=True, help="folder to write")
    project.add_argument("--steps", type=_at_least(0), default=200, help="optimisation steps (default: 200)")
    project.add_argument(
        "--extractor",
        choices=["mnist", "fashion_mnist", "cifar10"],
        help="add a perceptual term on this shipped extractor's features (default: pixels alone)",
    )
    project.add_argument(
        "--perceptual-weight", type=_finite_float, default=1.0, help="weight of the perceptual term (default: 1)"
    )
    project.add_argument(
        "--space", choices=["z", "w", "w+"], help="latent space: z, or StyleGAN2's w or w+ (its default)"
    )
    project.add_argument(
        "--labels", type=_labels, help="conditional GANs (required): each image's class, repeated in turn"
    )
    project.add_argument(
        "--resize", action="store_true", help="resize the images to the generator's size instead of refusing others"
    )
    project.add_argument("--seed", type=int, default=0, help="seed of the random starting candidates (default: 0)")
    project.add_argument("--overwrite", action="store_true", help="replace an earlier projection at --out")
    project.set_defaults(handler=project_command)


def _add_export(commands, common):
    export = commands.add_parser(
        "export",
        parents=[common],
        help="export the generator of a saved GAN as a SavedModel, an ONNX file or a LiteRT file",
        description="Export the generator of a .keras GAN for serving without kgan: a SavedModel that plain "
        "TensorFlow loads (every signature: serving_default(latent) and sample(count, seed) for a GAN of "
        "latent vectors), an ONNX file for ONNX Runtime (one signature) or a LiteRT file (every signature "
        "but sample); see docs/export.md.",
    )
    export.add_argument("--model", required=True, help="the GAN saved as .keras")
    export.add_argument(
        "--out", required=True, help="where to write: a SavedModel folder, or a file ending .onnx or .tflite"
    )
    export.add_argument(
        "--format",
        choices=["litert", "onnx", "saved_model"],
        help="saved_model, onnx or litert (default: from --out's suffix)",
    )
    export.add_argument(
        "--signature",
        help="for ONNX: the signature the file holds (default serving_default; e.g. b_to_a of a CycleGAN)",
    )
    export.add_argument("--overwrite", action="store_true", help="replace an earlier export at --out")
    export.set_defaults(handler=export_command)


METRICS = {
    "fid": "FrechetInceptionDistance",
    "kid": "KernelInceptionDistance",
    "is": "InceptionScore",
    "precision_recall": "PrecisionRecall",
    "density_coverage": "DensityCoverage",
}


def _add_evaluate(commands, common):
    evaluate = commands.add_parser(
        "evaluate",
        parents=[common],
        help="score a saved GAN or an exported generator with FID, KID, IS, precision/recall, density/coverage",
        description="Score a generator against a dataset's real images and print the results as JSON. "
        "The feature extractor is kgan's classifier for the dataset (mnist, fashion_mnist, cifar10) "
        "unless --inception-weights is given; see docs/metrics.md for which numbers compare with "
        "published ones.",
    )
    evaluate.add_argument("--model", required=True, help="a .keras GAN, or an exported SavedModel folder or .onnx file")
    evaluate.add_argument(
        "--dataset", default="mnist", choices=EVALUATION_DATASETS, help="the real data (default: mnist)"
    )
    evaluate.add_argument(
        "--data-dir", help="folder holding the dataset's files (default: $KGAN_DATA_DIR/<dataset>, else TFDS)"
    )
    evaluate.add_argument("--split", default="test", help="the real images' split (default: test)")
    evaluate.add_argument(
        "--metrics",
        nargs="+",
        default=["fid", "kid", "is", "precision_recall", "density_coverage"],
        choices=sorted(METRICS),
        help="what to compute (default: all)",
    )
    evaluate.add_argument(
        "--pairs",
        nargs=2,
        metavar=("SOURCE_DIR", "TARGET_DIR"),
        help="for an image-to-image model: folders of source and target images paired by file name; the "
        "model's translations of the sources are scored against the targets (features still from "
        "--dataset's extractor or --inception-weights)",
    )
    evaluate.add_argument(
        "--num-samples", type=_positive_int, default=10000, help="generated and real images (default: 10000)"
    )
    evaluate.add_argument("--inception-weights", help="an InceptionV3 weights file: use InceptionV3 features instead")
    evaluate.add_argument("--seed", type=int, default=0, help="seed of the latent vectors (default: 0)")
    evaluate.set_defaults(handler=evaluate_command)


# --- quiet start -----------------------------------------------------------------------------------


def _import_tensorflow(verbose):
    """Imports TensorFlow; unless `verbose`, without the lines its C++ core prints on start-up.

    TensorFlow writes CUDA-stub and CPU-feature lines straight to file descriptor 2 before its log
    level applies, so they are caught by pointing that descriptor at a temporary file while it
    loads (and shown if the import fails). TF_CPP_MIN_LOG_LEVEL=3 then silences its later C++
    logs (a value the user set is kept), and absl's Python warnings (TFDS's) are hidden.
    """
    if verbose:
        import tensorflow  # noqa: F401

        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    logging.getLogger("absl").setLevel(logging.ERROR)  # TFDS's notes about its cache folders
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow  # noqa: F401
        except BaseException:
            os.dup2(saved, 2)
            captured.seek(0)
            sys.stderr.write(captured.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


# --- train -----------------------------------------------------------------------------------------


def _check_data_dir(data_dir):
    if data_dir is not None and not os.path.isdir(data_dir):
        raise UsageError(
            f"--data-dir {data_dir!r} does not exist; point it at the folder with the dataset's original "
            f"files. {OFFLINE_CHOICES}"
        )


def _training_data(args):
    """`(dataset, image_shape, description)` of the data `kgan train` was asked for; `args.dataset`
    and `args.data_dir` become the dataset and folder used (None for a folder or TFRecords, and
    for TFDS or the shipped digits)."""
    import kgan

    if args.image_folder and args.tfrecords:
        raise UsageError("Pass either --image-folder or --tfrecords, not both.")
    if (args.image_folder or args.tfrecords) and args.dataset:
        raise UsageError("--dataset names a dataset; --image-folder and --tfrecords replace it. Pass one of them.")
    size = (args.image_size, args.image_size)
    common = dict(batch_size=args.batch_size, channels=args.channels, seed=args.seed, limit=args.limit)
    if args.tfrecords:
        dataset = kgan.data.tfrecords(args.tfrecords, size, **common)
        return dataset, size + (args.channels,), f"TFRecords {args.tfrecords}"
    if args.image_folder:
        dataset = kgan.data.image_folder(args.image_folder, size, **common)
        return dataset, size + (args.channels,), f"images in {args.image_folder}"
    _check_data_dir(args.data_dir)
    name = args.dataset or "mnist"
    folder = kgan.data.resolve_data_dir(name, args.data_dir)
    try:
        dataset = kgan.data.load(
            name,
            data_dir=folder,
            batch_size=args.batch_size,
            seed=args.seed,
            limit=args.limit,
            image_size=_recipe_size(args.recipe, kgan.data.IMAGE_SHAPES[name]),
        )
    except kgan.data.DatasetUnavailable as error:
        if args.dataset:  # the library's message names Python calls; say it with our options
            raise UsageError(f"{name} is not available here: {error.reason}. {OFFLINE_CHOICES}") from None
        print(
            f"MNIST not found ({error.reason}); training on the 8x8 digits that ship with kgan. For "
            "MNIST: --data-dir FOLDER with its idx .gz files, KGAN_DATA_DIR=ROOT with ROOT/mnist/, "
            "or a network for TensorFlow Datasets (pip install 'kgan[tfds]').",
            flush=True,
        )
        name, folder = "digits", None
        dataset = kgan.data.load(name, batch_size=args.batch_size, seed=args.seed, limit=args.limit)
    args.dataset, args.data_dir = name, folder  # what was used, for config.json and the next commands
    where = folder or ("the copy inside kgan" if name == "digits" else "TensorFlow Datasets")
    height, width, channels = kgan.data.IMAGE_SHAPES[name]
    size = _recipe_size(args.recipe, (height, width, channels))
    if size is None:
        return dataset, (height, width, channels), f"{name} from {where}"
    return dataset, (size, size, channels), f"{name} from {where}, resized from {height}x{width} to {size}x{size}"


def _recipe_size(recipe, image_shape):
    """The side a recipe needs the named dataset's images resized to, or None when they fit:
    StyleGAN2 makes square power-of-two images, so MNIST's 28x28 become 32x32."""
    height, width, _ = image_shape
    if recipe != "stylegan2" or (height == width and height & (height - 1) == 0):
        return None
    return 1 << (max(height, width) - 1).bit_length()


def _build_recipe(args, image_shape):
    import kgan

    shared = dict(latent_dim=args.latent_dim, seed=args.seed, ema_decay=args.ema_decay or None)
    if args.recipe == "stylegan2":
        mixing = {} if args.mixing is None else {"mixing_probability": args.mixing}
        return kgan.StyleGAN2(
            image_shape, width=args.width, mapping_layers=STYLEGAN2_MAPPING_LAYERS, **mixing, **shared
        )
    if args.recipe == "sngan":
        return kgan.SNGAN(image_shape, generator_width=2 * args.width, discriminator_width=args.width, **shared)
    recipes = {"dcgan": kgan.DCGAN, "wgangp": kgan.WGANGP, "lsgan": kgan.LSGAN}
    return recipes[args.recipe](
        image_shape,
        width=args.width,
        kernel_size=args.kernel_size,
        dropout=args.dropout,
        minibatch_std=args.minibatch_std,
        **shared,
    )


def _apply_recipe_defaults(args):
    """Fills the options whose defaults depend on the recipe, so config.json records what was used."""
    tuned = args.recipe in TUNED_RECIPES
    if args.recipe != "stylegan2" and (args.r1_gamma, args.pl_weight, args.mixing) != (None, None, None):
        raise UsageError("--r1-gamma, --pl-weight and --mixing are StyleGAN2's: add --recipe stylegan2.")
    if args.freeze_d and not args.init_from:
        raise UsageError("--freeze-d keeps layers of a trained discriminator fixed: use it with --init-from.")
    if args.latent_dim is None:
        args.latent_dim = DEFAULT_LATENT_DIM if tuned else STYLEGAN2_LATENT_DIM if args.recipe == "stylegan2" else 100
    if args.minibatch_std is None:
        args.minibatch_std = tuned
    if tuned:
        args.d_lr = args.d_lr or DEFAULT_LEARNING_RATE
        args.g_lr = args.g_lr or DEFAULT_LEARNING_RATE
        args.beta_1 = DEFAULT_BETAS[0] if args.beta_1 is None else args.beta_1
        args.beta_2 = DEFAULT_BETAS[1] if args.beta_2 is None else args.beta_2


def _regularizer_options(args):
    """StyleGAN2's --r1-gamma and --pl-weight as `compile` arguments (none given: the recipe's own)."""
    import kgan

    options = {}
    if args.r1_gamma is not None:
        options["regularizers"] = [kgan.regularizers.R1(args.r1_gamma, every=16)] if args.r1_gamma else []
    if args.pl_weight is not None:
        options["generator_regularizers"] = [kgan.regularizers.PathLength(args.pl_weight)] if args.pl_weight else []
    return options


def _warn_about_precision(precision):
    """Warns when mixed_bfloat16 would be emulated: on CPUs without native bfloat16 and no GPU."""
    import tensorflow as tf

    from kgan.models.gan import cpu_has_native_bfloat16

    if (
        precision == "mixed_bfloat16"
        and not tf.config.list_physical_devices("GPU")
        and cpu_has_native_bfloat16() is False
    ):
        print(
            "warning: --precision mixed_bfloat16 on a CPU without native bfloat16 (no AVX512_BF16 or "
            "AMX): TensorFlow emulates it, and a DCGAN step ran more than 10x slower than float32 on "
            "such a CPU. Use --precision float32 here (see docs/performance.md).",
            file=sys.stderr,
            flush=True,
        )


def train_command(args):
    import keras

    import kgan
    from kgan.models.gan import global_dtype_policy

    started = time.perf_counter()
    _apply_recipe_defaults(args)
    run = args.run_dir
    _check_run_dir(run, args.overwrite)
    logs = os.path.join(run, "logs")
    with _users_input():
        dataset, image_shape, source = _training_data(args)
        monitor = kgan.callbacks.TrainingMonitor(dataset, log_dir=logs)  # refuses unusable data now
    epochs = args.epochs or DEFAULT_EPOCHS[args.dataset]
    steps_per_epoch = int(dataset.cardinality())
    _warn_about_precision(args.precision)
    with _users_input():
        os.makedirs(os.path.join(run, "checkpoints"), exist_ok=True)
        config = _write_config(run, args, epochs, image_shape, source)
    if args.deterministic:
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    decay_steps = epochs * steps_per_epoch if steps_per_epoch > 0 else None
    with _users_input(), global_dtype_policy(args.precision):
        gan = _build_recipe(args, image_shape)
        if args.init_from:
            purpose = "Fine-tuning starts from every network of the GAN, its discriminator too"
            gan.init_from(kgan.load_gan(args.init_from, purpose=purpose))
        gan.compile(
            loss=args.loss,
            d_learning_rate=args.d_lr,
            g_learning_rate=args.g_lr,
            beta_1=args.beta_1,
            beta_2=args.beta_2,
            d_steps=args.d_steps,
            reuse_fakes=args.reuse_fakes,
            label_smoothing=args.label_smoothing,
            fake_label_smoothing=args.fake_label_smoothing,
            instance_noise=args.instance_noise,
            instance_noise_decay_steps=decay_steps if args.instance_noise else None,
            steps_per_execution=args.steps_per_execution,
            augment=kgan.augment.AdaptiveAugment(seed=args.seed) if args.ada else None,
            freeze_d=args.freeze_d or 0,
            **_regularizer_options(args),
        )
    print(
        f"training a {type(gan).__name__} on {source}: {epochs} epochs of {steps_per_epoch} steps, "
        f"batch {args.batch_size}, into {run}",
        flush=True,
    )
    # The monitor comes after BackupAndRestore (which restores the weights it watches) and before
    # the callbacks that log or save (which then get its logs and, after a NaN, the last good
    # weights it restores); the progress line comes last, once the epoch's files are written.
    callbacks = [
        keras.callbacks.BackupAndRestore(os.path.join(run, "backup")),
        monitor,
        kgan.callbacks.TensorBoard(logs, update_freq=50, hparams={k: v for k, v in config.items() if k != "command"}),
        kgan.callbacks.ImageGrid(
            log_dir=logs, png_dir=os.path.join(run, "samples"), seed=args.seed, examples=next(iter(dataset))
        ),
        kgan.callbacks.LatentWalk(log_dir=logs, png_dir=os.path.join(run, "walks"), seed=args.seed),
        kgan.callbacks.Projector(dataset, logs, extractor=_projector_extractor(args.dataset, image_shape), every=1),
        *_recipe_callbacks(args, logs),
        keras.callbacks.ModelCheckpoint(os.path.join(run, "checkpoints", "epoch_{epoch:04d}.keras")),
        kgan.callbacks.EpochProgress(images_per_step=args.batch_size),
    ]
    server = None
    if args.board:
        server, url = start_board(run, require_logs=False, verbose=args.verbose)
        print(f"TensorBoard on {run}: {url}", flush=True)
    try:
        gan.fit(dataset, epochs=epochs, callbacks=callbacks, verbose=2 if args.verbose else 0)
        export = None
        if not args.no_export:
            export = kgan.export_generator(gan, os.path.join(run, "generator"))
        _report_run(run, export, gan, args, time.perf_counter() - started)
    except BaseException:
        if server is not None:
            server.terminate()
        raise
    if server is not None:
        return _serve_until_interrupted(server, f"TensorBoard keeps serving {url}; Ctrl-C stops it.")
    return 0


def _projector_extractor(dataset, image_shape):
    """The shipped extractor of the run's domain for the Projector (its classes label the points),
    or None (the discriminator's features) for other images."""
    import kgan

    if dataset in kgan.metrics.extractors.DOMAINS and tuple(image_shape) == kgan.metrics.extractors.DOMAINS[dataset]:
        return kgan.metrics.domain_extractor(dataset)
    return None


def _recipe_callbacks(args, logs):
    """The pictures a recipe adds: StyleGAN2's truncation sweep and style-mixing matrix, in run_dir/styles."""
    import kgan

    if args.recipe != "stylegan2":
        return []
    return [kgan.callbacks.StyleGrids(logs, os.path.join(args.run_dir, "styles"), seed=args.seed)]


def _write_config(run, args, epochs, image_shape, source):
    config = {k: v for k, v in vars(args).items() if k not in ("handler", "verbose", "overwrite", "board")}
    if not (args.image_folder or args.tfrecords):
        del config["image_size"], config["channels"]  # they apply to folders and TFRecords only
    config.update(epochs=epochs, image_shape=list(image_shape), data=source)
    with open(os.path.join(run, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    return config


def _report_run(run, export, gan, args, seconds):
    from kgan.callbacks.progress import format_duration
    from kgan.export import signature_names

    samples = os.path.join(run, "samples")
    grids = sorted(os.listdir(samples)) if os.path.isdir(samples) else []
    print(f"done in {format_duration(seconds)}; everything is in {run}/")
    if grids:
        print(f"  samples      {os.path.join(samples, grids[-1])} (one grid per epoch)")
    print(f"  checkpoints  {os.path.join(run, 'checkpoints')}")
    if export:
        print(f"  generator    {export} (SavedModel; signatures {', '.join(signature_names(gan))})")
    print("next:")
    print(f"  kgan board {run}")
    if export:
        print(f"  kgan sample --model {export} --num 64 --out samples.png")
        print(f"  kgan interpolate --model {export} --rows 4 --keys 4 --frames 48 --loop --out walk.gif")
        if args.dataset in EVALUATION_DATASETS:
            data_dir = f" --data-dir {args.data_dir}" if args.data_dir else ""
            print(f"  kgan evaluate --model {export} --dataset {args.dataset}{data_dir}")


def _check_run_dir(run, overwrite):
    """Refuses a run folder that is a file, or that holds a finished run (unless `overwrite`)."""
    if os.path.exists(run) and not os.path.isdir(run):
        raise UsageError(f"--run-dir {run!r} is a file; pass a folder (it is created if missing).")
    checkpoints = os.path.join(run, "checkpoints")
    saved = sorted(f for f in os.listdir(checkpoints) if f.endswith(".keras")) if os.path.isdir(checkpoints) else []
    if saved and not os.path.isdir(os.path.join(run, "backup")):
        if not overwrite:
            export = os.path.join(run, "generator")
            missing_export = (
                ""
                if os.path.isdir(export)
                else f" Its generator was not exported; to export it: kgan export --model "
                f"{os.path.join(checkpoints, saved[-1])} --out {export}"
            )
            raise UsageError(
                f"{run!r} holds a finished run (checkpoints and no resume state in backup/); training "
                "again would overwrite it. Pass another --run-dir, or --overwrite to replace it. (An "
                f"interrupted run keeps backup/ and resumes with the same command.){missing_export}"
            )
        shutil.rmtree(run)  # a fresh folder: no stale checkpoints, grids or curves from the old run


# --- board -----------------------------------------------------------------------------------------

#: Images TensorBoard keeps per tag. Its default, 10, drops all but ten epochs' grids from the
#: step slider; "all" is not accepted by its Python flag parser and 0 means none to its data server.
BOARD_IMAGES_KEPT = 100_000
BOARD_PORTS = range(6006, 6106)  # the first free one is taken; TensorBoard's own default is 6006


def _add_board(commands, common):
    board = commands.add_parser(
        "board",
        parents=[common],
        help="watch a run in TensorBoard: starts it on the run's logs at a local port and prints the address",
        description="Start TensorBoard on a run's logs (kgan train --run-dir, or a folder of runs to compare), "
        f"keeping every epoch's images on the step slider (--samples_per_plugin images={BOARD_IMAGES_KEPT}), "
        "at a free port from 6006 unless --port is given; Ctrl-C stops it.",
    )
    board.add_argument("run_dir", metavar="RUN_DIR", help="a run folder, its logs/ folder, or a folder of runs")
    board.add_argument("--port", type=_positive_int, help="port to serve on (default: the first free one from 6006)")
    board.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only; 0.0.0.0 to let others connect)",
    )
    board.set_defaults(handler=board_command)


def board_command(args):
    server, url = start_board(args.run_dir, args.port, args.host, verbose=args.verbose)
    return _serve_until_interrupted(server, f"TensorBoard on {args.run_dir}: {url}  (Ctrl-C stops it)")


def start_board(folder, port=None, host="127.0.0.1", require_logs=True, verbose=False):
    """Starts TensorBoard on the logs under `folder` in a process of its own; returns `(process, url)`
    once it answers. A folder without logs (unless not `require_logs`: a run about to write them),
    a port in use or a missing TensorBoard are `UsageError`s. `verbose` shows TensorBoard's own
    messages."""
    try:
        import tensorboard  # noqa: F401  (its server runs in a process of its own)
    except ImportError:
        raise UsageError(
            "TensorBoard is not installed in this Python; pip install tensorboard (kgan's install includes it)."
        ) from None
    if not os.path.isdir(folder):
        raise UsageError(f"{folder!r} is not a folder; pass a run folder (kgan train --run-dir) or its logs/.")
    if require_logs and not _holds_event_files(folder):
        raise UsageError(
            f"{folder!r} holds no TensorBoard logs (no events.out.tfevents.* file in it or below); pass the "
            "--run-dir of a kgan train run (it writes logs/ as it trains), or a folder of such runs."
        )
    if port is None:
        port = next((p for p in BOARD_PORTS if _port_is_free(host, p)), None) or _any_free_port(host)
    elif not _port_is_free(host, port):
        raise UsageError(
            f"port {port} on {host} is in use (another TensorBoard?); pass another --port, or leave it out to "
            "take a free one."
        )
    errors = None if verbose else tempfile.TemporaryFile()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tensorboard.main",
            "--logdir",
            folder,
            "--host",
            host,
            "--port",
            str(port),
            "--samples_per_plugin",
            f"images={BOARD_IMAGES_KEPT}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=errors,
        preexec_fn=_die_with_parent(),
    )
    deadline = time.monotonic() + 180  # TensorBoard imports TensorFlow first: slow on a cold start
    while not _answers(host, port):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            if errors is None:
                raise UsageError("TensorBoard did not start (its messages are above).")
            errors.seek(0)
            lines = [line for line in errors.read().decode(errors="replace").splitlines() if line.strip()]
            raise UsageError(f"TensorBoard did not start: {lines[-1] if lines else 'no message'}")
        time.sleep(0.25)
    if errors is not None:
        errors.close()
    shown = socket.gethostname() if host in ("0.0.0.0", "::") else host
    return process, f"http://{shown}:{port}/"


def _serve_until_interrupted(server, message):
    """Prints `message` and waits for the TensorBoard process; Ctrl-C (or SIGTERM) stops it and returns 0."""
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        print(message, flush=True)
        return server.wait()
    except KeyboardInterrupt:
        server.terminate()
        server.wait()
        return 0


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _die_with_parent():
    """On Linux, a function for the TensorBoard process to run before it starts: the kernel then
    sends it SIGTERM when kgan ends, however kgan ends (even kill -9), so no server is left
    behind. None elsewhere. (libc is looked up here: the child of a threaded process must not
    import.)"""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    set_parent_death_signal = 1  # PR_SET_PDEATHSIG
    return lambda: prctl(set_parent_death_signal, signal.SIGTERM)


def _holds_event_files(folder):
    return any(name.startswith("events.out.tfevents.") for _, _, names in os.walk(folder) for name in names)


def _port_is_free(host, port):
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _any_free_port(host):
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def _answers(host, port):
    try:
        with socket.create_connection(("127.0.0.1" if host in ("0.0.0.0", "::") else host, port), timeout=1):
            return True
    except OSError:
        return False


# --- sample, export ------------------------------------------------------------------------------


def sample_command(args):

    import kgan
    from kgan import images

    if os.path.isdir(args.out):
        raise UsageError(
            f"--out {args.out!r} is a folder; kgan sample writes one PNG grid: pass a file name such as "
            f"{os.path.join(args.out, 'samples.png')!r}."
        )
    with _users_input():
        generator = kgan.load_generator(args.model)
        labels = _sampling_labels(args, generator, args.num)
        samples = generator.generate(args.num, seed=args.seed, labels=labels, truncation=args.truncation)
        images.save_png(args.out, images.tile(images.to_uint8(samples), args.columns))
    print(f"wrote {len(samples)} samples to {args.out}")
    return 0


def interpolate_command(args):
    import numpy as np

    import kgan
    from kgan import images
    from kgan.files import written_whole

    suffix = os.path.splitext(args.out)[1].lower()
    if suffix not in (".gif", ".mp4", ".png"):
        raise UsageError(f"--out must end with .gif, .mp4 or .png; got {args.out!r}.")
    if os.path.isdir(args.out) or (os.path.exists(args.out) and not args.overwrite):
        raise UsageError(f"{args.out!r} exists. Pass --overwrite to replace it, or choose another --out.")
    with _users_input():
        if args.classes is not None:
            if args.labels is not None:
                raise UsageError("--classes walks through classes; --labels fixes one class per walk. Pass one.")
            walks = kgan.latent.class_walk(args.model, args.classes, args.frames, args.rows, args.seed, args.loop)
        else:
            generator = kgan.load_generator(args.model)
            labels = _sampling_labels(args, generator, args.rows)
            walks = kgan.latent.walk_images(
                generator, args.keys, args.frames, args.rows, args.seed, args.method, args.loop, labels, args.truncation
            )
        with written_whole(args.out) as scratch:
            if suffix == ".png":
                images.save_grid(scratch, walks.reshape(-1, *walks.shape[2:]), columns=args.frames)
            else:
                # Frame i shows step i of every walk, tiled; tile() takes uint8, so back to [-1, 1] after.
                steps = np.stack([images.tile(images.to_uint8(walks[:, i])) for i in range(args.frames)])
                scale = args.scale or max(1, math.ceil(256 / max(steps.shape[1:3])))
                images.save_animation(scratch, steps / 127.5 - 1.0, args.fps, scale)
    print(f"wrote {args.rows} walk(s) of {args.frames} frames to {args.out}")
    return 0


def project_command(args):
    import numpy as np

    import kgan
    from kgan import images
    from kgan.files import written_whole

    earlier = os.path.isfile(os.path.join(args.out, "projection.json"))
    if os.path.isfile(args.out) or (os.path.isdir(args.out) and os.listdir(args.out) and not earlier):
        raise UsageError(f"{args.out!r} exists and is not an earlier projection; choose another --out.")
    if earlier and not args.overwrite:
        raise UsageError(f"{args.out!r} holds an earlier projection. Pass --overwrite to replace it.")
    with _users_input():
        gan = kgan.load_gan(args.model, purpose=kgan.latent.PROJECTION_PURPOSE)
        shape = tuple(int(d) for d in gan.inference_generator.outputs[0].shape[1:])
        files, pixels = _read_images(args.images, shape, args.resize)
        labels = None if args.labels is None else np.resize(np.asarray(args.labels, np.int32), len(files))
        found = kgan.latent.project(
            gan,
            pixels,
            steps=args.steps,
            labels=labels,
            extractor=args.extractor,
            perceptual_weight=args.perceptual_weight,
            space=args.space,
            seed=args.seed,
        )
        names = _unique_stems(files)
        with written_whole(args.out) as folder:
            os.makedirs(folder)
            for name, latent, image in zip(names, found.latents, found.images):
                np.save(os.path.join(folder, f"{name}.npy"), latent)
                images.save_png(os.path.join(folder, f"{name}.png"), images.to_uint8(image))
            pairs = np.stack([pixels / 127.5 - 1.0, found.images], axis=1).reshape(-1, *shape)
            images.save_grid(os.path.join(folder, "comparison.png"), pairs, columns=min(16, 2 * len(files)))
            report = {
                "model": args.model,
                "steps": args.steps,
                "extractor": args.extractor,
                "images": {
                    name: {"file": file, "distance": float(distance), "psnr": float(psnr)}
                    for name, file, distance, psnr in zip(names, files, found.distances, found.psnr)
                },
            }
            with open(os.path.join(folder, "projection.json"), "w") as f:
                json.dump(report, f, indent=2)
    print(
        f"projected {len(files)} images into {args.out} (mean PSNR {found.psnr.mean():.1f} dB); "
        f"comparison.png shows each original beside its reconstruction"
    )
    return 0


def _read_images(folder, shape, resize):
    """`(files, uint8 pixels (n, *shape))` of the images in `folder`, checked against the generator's shape."""
    import numpy as np
    import tensorflow as tf

    from kgan.data.folder import decode_and_resize, list_images

    files, _, _ = list_images(folder)
    pixels = []
    for file in files:
        try:
            contents = tf.io.read_file(file)
            image = (
                decode_and_resize(contents, shape[:2], shape[2])
                if resize
                else tf.io.decode_image(contents, channels=shape[2], expand_animations=False)
            )
        except tf.errors.OpError as error:
            raise UsageError(f"Cannot decode {file!r} as an image ({error.message}).") from None
        if tuple(image.shape) != shape:
            raise UsageError(
                f"{file!r} is {image.shape[0]}x{image.shape[1]}; the generator makes {shape[0]}x{shape[1]} "
                "images. Pass --resize to resize every image to that size."
            )
        pixels.append(image.numpy())
    return files, np.stack(pixels)


def _unique_stems(files):
    """File names without their extension, made unique (subfolders may repeat a name)."""
    seen, stems = {}, []
    for file in files:
        stem = os.path.splitext(os.path.basename(file))[0]
        seen[stem] = seen.get(stem, 0) + 1
        stems.append(stem if seen[stem] == 1 else f"{stem}_{seen[stem]}")
    return stems


def _sampling_labels(args, generator, count):
    """`--labels` repeated in turn to `count`, once `--labels` and `--truncation` are checked against the generator."""
    import numpy as np

    if args.truncation is not None and not generator.truncates:
        raise UsageError("--truncation is for StyleGAN2 generators; this one has no average w to truncate towards.")
    if args.labels is not None and generator.num_classes is None:
        raise UsageError("--labels is for conditional GANs; this generator takes no labels.")
    return None if args.labels is None else np.resize(np.asarray(args.labels, np.int32), count)


def export_command(args):
    import kgan
    from kgan.export import export_format, signature_names

    with _users_input():
        gan = kgan.load_gan(args.model, purpose="Export builds its signatures from the GAN's networks")
        path = kgan.export_generator(
            gan, args.out, format=args.format, signature=args.signature, overwrite=args.overwrite
        )
        signatures = signature_names(gan, format=export_format(path, args.format), signature=args.signature)
    print(f"generator exported to {path} (signatures {', '.join(signatures)})")
    return 0


# --- evaluate ------------------------------------------------------------------------------------


def evaluate_command(args):
    import kgan

    with _users_input():
        generator = kgan.trained.open_generator(args.model)  # first: a wrong --model fails before the data loads
        image_shape = kgan.data.IMAGE_SHAPES[args.dataset]
        if args.inception_weights:
            extractor = kgan.metrics.inception_v3(args.inception_weights, channels=image_shape[-1])
        else:
            extractor = kgan.metrics.domain_extractor(args.dataset)
        metrics = []
        for name in args.metrics:
            metric_class = getattr(kgan.metrics, METRICS[name])
            stored = name in ("kid", "precision_recall", "density_coverage")
            metrics.append(metric_class(extractor, num_samples=args.num_samples) if stored else metric_class(extractor))
        real = _evaluation_data(args, generator)
        results = kgan.evaluate(generator, real, metrics, num_samples=args.num_samples, seed=args.seed)
        results["extractor"] = extractor.name
        print(json.dumps({k: round(v, 6) if isinstance(v, float) else v for k, v in results.items()}))
    return 0


def _evaluation_data(args, generator):
    """The real images `kgan evaluate` compares with: the dataset's split, or --pairs' targets."""
    import kgan

    if args.pairs:
        source_shape, target_shape = _translation_shapes(generator)
        return kgan.data.paired_folders(
            *args.pairs,
            image_size=target_shape[:2],
            batch_size=250,
            source_channels=source_shape[-1],
            target_channels=target_shape[-1],
            shuffle=False,
            source_size=source_shape[:2],
            drop_remainder=False,
        )
    _check_data_dir(args.data_dir)
    try:
        return kgan.data.load(
            args.dataset,
            data_dir=args.data_dir,
            split=args.split,
            batch_size=250,
            shuffle=False,
            drop_remainder=False,
            limit=args.num_samples,
        )
    except kgan.data.DatasetUnavailable as error:
        raise UsageError(
            f"The real {args.dataset} images to compare with are not available here: {error.reason}. "
            f"Pass --data-dir FOLDER (the dataset's original files) or set KGAN_DATA_DIR=ROOT "
            f"(with ROOT/{args.dataset}/)."
        ) from None


def _translation_shapes(generator):
    """`(source shape, target shape)` of an opened image-to-image model."""
    if not generator.translates or len(generator.source_shapes) != 1:
        raise UsageError(
            f"--pairs needs an image-to-image model taking one image batch; {generator.source!r} is not one."
        )
    (source_shape,) = generator.source_shapes.values()
    return source_shape, generator.image_shape


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        if args.handler is not board_command:  # TensorBoard runs in a process of its own
            _import_tensorflow(args.verbose)
        return args.handler(args)
    except UsageError as error:
        print(f"kgan {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
