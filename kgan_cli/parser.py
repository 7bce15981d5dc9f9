"""Every command's arguments. Imports neither kgan nor TensorFlow, so that `kgan --help` and a
mistyped option answer at once: the named datasets and the recipes come from
`kgan/data/catalog.py` and `kgan/recipe_table.py`, plain Python files read on their own."""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import sys
from fractions import Fraction

from kgan_cli.board import BOARD_IMAGES_KEPT


def _read_on_its_own(relative_path):
    """The module at `relative_path` inside the kgan package, executed without running kgan's
    `__init__` (which imports TensorFlow); registered as `kgan_cli.<its name>`."""
    package = importlib.util.find_spec("kgan")  # finds the package without running its __init__
    path = os.path.join(os.path.dirname(package.origin), relative_path)
    name = f"kgan_cli.{os.path.splitext(os.path.basename(path))[0]}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


_CATALOG = _read_on_its_own(os.path.join("data", "catalog.py"))
DATASET_NAMES, IMAGE_SHAPES = _CATALOG.DATASETS, _CATALOG.IMAGE_SHAPES
_RECIPE_TABLE = _read_on_its_own("recipe_table.py")
#: `kgan train`'s recipes (kgan/recipe_table.py), by --recipe name, and the options only some take.
RECIPES, OPTIONS = _RECIPE_TABLE.RECIPES, _RECIPE_TABLE.OPTIONS
# Choices the parser offers without importing kgan; tests/test_cli.py checks them against the library.
LOSS_NAMES = (
    "hinge",
    "least_squares",
    "minimax",
    "non_saturating",
    "relativistic_average",
    "relativistic_pairing",
    "wasserstein",
)
EVALUATION_DATASETS = ("mnist", "fashion_mnist", "cifar10", "stacked_mnist")
STRATEGIES = ("auto", "none", "mirrored", "multi-worker")  # kgan.cluster.STRATEGIES
METRICS = {
    "fid": "FrechetInceptionDistance",
    "fid_infinity": "FIDInfinity",
    "kid": "KernelInceptionDistance",
    "is": "InceptionScore",
    "precision_recall": "PrecisionRecall",
    "density_coverage": "DensityCoverage",
    "class_coverage": "ClassCoverage",
    "class_accuracy": "ClassAccuracy",
    "intra_fid": "IntraClassFID",
    "psnr": "PeakSignalToNoiseRatio",
    "ssim": "StructuralSimilarity",
}
#: `kgan evaluate`'s metrics when --metrics is not given, by what the model does.
DEFAULT_METRICS = {
    "sampling": ("fid", "kid", "is", "precision_recall", "density_coverage", "class_coverage"),
    "conditional": ("fid", "kid", "is", "precision_recall", "density_coverage", "class_accuracy", "intra_fid"),
    "translating": ("psnr", "ssim", "fid"),
}

#: `kgan train`'s defaults for every recipe, chosen for the quality of the samples per minute of
#: CPU training (docs/performance.md, "The first run"; benchmarks/main_job.py): networks of
#: --width 32 (half the DCGAN tutorial's), batches of 64, the generator step on the
#: discriminator step's fakes, and an EMA of the generator (0.99) for the samples and the export.
#: Each recipe adds its own (kgan/recipe_table.py): dcgan's 16 latent dimensions and Adam(1e-3,
#: 0, 0.99), for instance.
DEFAULT_WIDTH = 32
DEFAULT_BATCH_SIZE = 64
DEFAULT_EMA_DECAY = 0.99
DEFAULT_REUSE_FAKES = True
#: The defaults above that a recipe may change (its `defaults` in the recipe table): for a recipe
#: that does not, `apply_recipe` fills these in.
RECIPE_OVERRIDABLE = {"width": DEFAULT_WIDTH, "ema_decay": DEFAULT_EMA_DECAY, "reuse_fakes": DEFAULT_REUSE_FAKES}
#: Default epochs: MNIST's 3 (2,811 steps, an estimated 6-9 minutes on a 2-core AVX2 CPU), about as many
#: steps for the other grey datasets; CIFAR-10's for the colour default (docs/performance.md, "Colour
#: images"); 5 passes over TFRecords of unknown size.
DEFAULT_EPOCHS = {"mnist": 3, "fashion_mnist": 3, "cifar10": 12, "digits": 100, "stacked_mnist": 3, None: 5}
#: An image folder (or TFRecords of known size) without --epochs trains on as many pixels as the
#: default run of this dataset's, by its images' channels: MNIST's (3 passes over 60,000 28x28
#: digits) for grey images, CIFAR-10's (its default epochs over the 10,000-image subset) for colour
#: ones. A step's cost grows with the pixels, so this is about the same time whatever the folder holds.
FOLDER_BUDGETS = {1: ("mnist", 60_000), 3: ("cifar10", 10_000)}

RUN_LAYOUT = """\
A run folder holds:
  logs/          TensorBoard, one run (kgan board RUN_DIR): curves grouped by concern (loss/,
                 balance/, gradients/, health/) and a Custom Scalars page of them; sample grids,
                 real | generated panels and latent walks (samples/); D-output histograms;
                 warnings and a health summary (Text); the settings (HParams); real and
                 generated samples as points (Projector, logs/projector/; recipes with a latent space)
  samples/       one PNG grid per epoch (epoch_0001.png, ...): the same 64 latent vectors (one row
                 per class for the conditional recipes), or sources | outputs | targets for the
                 image-to-image ones (CycleGAN: A, A->B, A->B->A, then the same from B)
  walks/         recipes with a latent space: 4 walks between fixed latent vectors per epoch
                 (latent_walk_epoch_0001.png, ...; TensorBoard tag samples/latent_walk): a smooth
                 morph means a latent space put to use
  styles/        stylegan2: truncation sweeps and style-mixing matrices per epoch
  checkpoints/   the whole GAN after every epoch (epoch_0001.keras, ...), loadable with
                 keras.saving.load_model after `import kgan`
  backup/        resume state: run the same command again to continue an interrupted run
  generator/     the exported generator SavedModel (see docs/export.md)
  config.json    the arguments of the run and the data it trained on
"""


FAMILYS, PAPERS = "the family's", "the paper's"  # for help texts


def default_epochs(recipe, dataset, image_shape=None, images_per_epoch=None):
    """The epochs `recipe` trains when --epochs is not given: on `dataset`, or (None) on a folder or
    TFRecords of `images_per_epoch` images of `image_shape` (FOLDER_BUDGETS; unknown size: 5)."""
    if dataset is None and images_per_epoch and images_per_epoch > 0:
        height, width, channels = image_shape
        reference, count = FOLDER_BUDGETS[channels]
        reference_height, reference_width, _ = IMAGE_SHAPES[reference]
        pixels = DEFAULT_EPOCHS[reference] * count * reference_height * reference_width
        epochs = pixels / (images_per_epoch * height * width)
    else:
        epochs = DEFAULT_EPOCHS[dataset]
    return max(1, round(epochs * recipe.epoch_share))


def folder_budget(image_shape):
    """What a folder's default epochs match, for the first line: 'the pixels of 3 passes over
    60,000 28x28 mnist images'."""
    reference, count = FOLDER_BUDGETS[image_shape[-1]]
    height, width, _ = IMAGE_SHAPES[reference]
    return f"the pixels of {DEFAULT_EPOCHS[reference]} passes over {count:,} {height}x{width} {reference} images"


def _epochs_help():
    """'3 for mnist, ..., 5 for an image folder or TFRecords; sngan 2/3 and stylegan2 1/3 of these, at least 1'."""
    by_data = ", ".join(f"{n} for {name}" for name, n in DEFAULT_EPOCHS.items() if name)
    shorter = [
        f"{recipe.name} {Fraction(recipe.epoch_share).limit_denominator(10)}"
        for recipe in RECIPES.values()
        if recipe.epoch_share != 1
    ]
    return (
        f"{by_data}; an image folder as many as make the pixels of that default run (mnist's for grey "
        "images, cifar10's for colour)" + (f"; {listed(shorter)} of these, at least 1" if shorter else "")
    )


def recipe_defaults(option, otherwise, recipes=None):
    """`option`'s defaults by recipe (of `recipes`, else all), for help texts: '16 for dcgan and
    lsgan, 64 for stylegan2, 100 for sngan and wgangp'; one value when all of them share it."""
    by_value = {}
    for recipe in RECIPES.values() if recipes is None else recipes:
        value = recipe.defaults.get(option, otherwise)
        shown = ("on" if value else "off") if isinstance(value, bool) else value
        by_value.setdefault(shown, []).append(recipe.name)
    if len(by_value) == 1:
        return str(next(iter(by_value)))
    if otherwise in by_value:  # "... for the others" last
        by_value[otherwise] = by_value.pop(otherwise)
    return ", ".join(
        f"{value} for {'the others' if value == otherwise else listed(names)}" for value, names in by_value.items()
    )


def listed(names, last="and"):
    """'a, b and c'."""
    *others, final = names
    return f"{', '.join(others)} {last} {final}" if others else final


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


def _positive_float(text):
    value = _finite_float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text}")
    return value


def _labels(text):
    """Classes, comma-separated: indices (7 or 0,1,2) or the names the model keeps (tulip,rose)."""
    labels = [label.strip() for label in text.split(",")]
    if not all(labels):
        raise argparse.ArgumentTypeError(f"expected classes like 7, 0,1,2 or tulip,rose; got {text!r}")
    return labels


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
    _add_translate(commands, common)
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
    source.add_argument(
        "--image-folder",
        help="train on your own PNG/JPEG images in this folder instead of --dataset (conditional recipes: one "
        "subfolder per class; pix2pix: side-by-side A|B files)",
    )
    source.add_argument(
        "--domains",
        nargs=2,
        metavar=("A_DIR", "B_DIR"),
        help="cyclegan: train on two folders of unrelated images, domain A and domain B, instead of --dataset",
    )
    source.add_argument(
        "--pairs",
        nargs=2,
        metavar=("SOURCE_DIR", "TARGET_DIR"),
        help="pix2pix: train on two folders of images paired by file name instead of --dataset",
    )
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
        help=f"passes over the data (default: {_epochs_help()}; with --minutes alone, until the time is up)",
    )
    training.add_argument(
        "--minutes",
        type=_positive_float,
        help="a time budget: stop training after MINUTES (the epoch running then ends early; its grids, "
        "checkpoint and the export are written), or at --epochs if that comes first. A resumed run gets "
        "MINUTES more. The recipes with schedules over the run (r3gan) and --instance-noise need --epochs too",
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
        help=f"latent vector size (default: {recipe_defaults('latent_dim', 'none')}, which translate images)",
    )
    training.add_argument(
        "--width",
        type=_positive_int,
        help=f"the networks' base filters (default: {recipe_defaults('width', DEFAULT_WIDTH)}; "
        "the DCGAN paper's is 64)",
    )
    training.add_argument(
        "--recipe",
        default="dcgan",
        choices=sorted(RECIPES),
        help="the GAN recipe (default: dcgan). "
        + "; ".join(f"{recipe.name}: {recipe.summary}" for recipe in RECIPES.values())
        + ". The options below override a recipe's defaults.",
    )
    _add_recipe_options(training)
    training.add_argument("--loss", choices=LOSS_NAMES, help="adversarial loss (default: the recipe's)")
    training.add_argument(
        "--d-lr",
        type=float,
        help=f"discriminator learning rate (default: {recipe_defaults('d_lr', PAPERS)})",
    )
    training.add_argument("--g-lr", type=float, help="generator learning rate (default: as for --d-lr)")
    training.add_argument(
        "--beta-1",
        type=float,
        help=f"Adam's beta_1 for both networks (default: {recipe_defaults('beta_1', PAPERS)})",
    )
    training.add_argument(
        "--beta-2",
        type=float,
        help=f"Adam's beta_2 for both networks (default: {recipe_defaults('beta_2', PAPERS)})",
    )
    training.add_argument(
        "--d-steps",
        type=_positive_int,
        help=f"D updates per G update (default: {recipe_defaults('d_steps', FAMILYS)})",
    )
    training.add_argument(
        "--ema-decay",
        type=float,
        help="samples and the export come from an exponential moving average of the generator's "
        f"weights with this decay (default: {recipe_defaults('ema_decay', DEFAULT_EMA_DECAY)}); 0 for the "
        "raw generator",
    )
    training.add_argument(
        "--reuse-fakes",
        action=argparse.BooleanOptionalAction,
        help="the generator step learns from the discriminator step's fakes instead of running the "
        "generator again on fresh noise: a generator pass fewer per step "
        f"(default: {recipe_defaults('reuse_fakes', DEFAULT_REUSE_FAKES)})",
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
        choices=["auto", "float32", "mixed_bfloat16", "mixed_float16"],
        default="auto",
        help="Keras dtype policy of the networks (default: auto, said in the first line: mixed_bfloat16 where "
        "the hardware computes bfloat16 natively, CPUs with AVX512_BF16 or AMX and GPUs of compute capability "
        "8.0 and up, else float32). mixed_bfloat16 elsewhere is emulated and many times slower; "
        "mixed_float16 for older GPUs (losses are scaled)",
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
    training.add_argument(
        "--distribute",
        choices=STRATEGIES,
        default="auto",
        help="devices to train on (default: auto: the cluster TF_CONFIG names with MultiWorkerMirroredStrategy, "
        "else every local GPU with MirroredStrategy, else one device); --batch-size is the global batch, "
        "split between the replicas",
    )
    output = train.add_argument_group("output")
    output.add_argument(
        "--run-dir", default="runs/kgan", help="folder for everything the run writes (default: runs/kgan)"
    )
    output.add_argument(
        "--backup-every",
        type=_positive_int,
        default=500,
        metavar="STEPS",
        help="write the resume state every STEPS steps as well as after every epoch (default: 500); the same "
        "command continues a killed run from the last one",
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


OPTION_TYPES = {"positive_int": _positive_int, "float": float, "finite_float": _finite_float, "text": str}


def _add_recipe_options(group):
    """The options only some recipes take (kgan/recipe_table.py), each saying which and their defaults."""
    for name, option in OPTIONS.items():
        takers = [recipe for recipe in RECIPES.values() if name in recipe.options]
        default = recipe_defaults(name, FAMILYS, takers)
        if option.kind == "switch":
            kind = {"action": argparse.BooleanOptionalAction}
        else:
            kind = {"type": OPTION_TYPES[option.kind], **({"choices": option.choices} if option.choices else {})}
        group.add_argument(
            option.flag,
            dest=name,
            help=f"{', '.join(recipe.name for recipe in takers)}: {option.help}"
            + ("" if default == FAMILYS else f" (default: {default})"),
            **kind,
        )


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
        "sevens, 0,1,2 for 0,1,2,0,1,2,..., or the class names it was trained with (tulip,rose); it "
        "cycles through its classes when omitted",
    )
    sample.add_argument(
        "--truncation",
        type=_finite_float,
        help="StyleGAN2: pull the samples' ws towards the average w by this psi (1: none, the default; "
        "0.7 is common; 0 gives the average image); BigGAN: draw z from the normal truncated at this "
        "threshold (> 0; none by default; 0.5 to 1 are common)",
    )
    sample.add_argument("--columns", type=_positive_int, help="grid columns (default: square-ish)")
    sample.add_argument("--out", default="samples.png", help="PNG file to write (default: samples.png)")


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
        help="conditional GANs: the class (index or name) of each walk, repeated in turn over --rows "
        "(default: 0, 1, 2, ...)",
    )
    interpolate.add_argument(
        "--classes",
        type=_labels,
        help="conditional .keras GANs: walk through these classes instead (e.g. 3,8), each walk keeping one "
        "latent vector",
    )
    interpolate.add_argument(
        "--truncation",
        type=_finite_float,
        help="StyleGAN2: the truncation psi of every frame; BigGAN: the threshold z is truncated at",
    )
    interpolate.add_argument("--fps", type=_positive_int, default=12, help="GIF and MP4: frames per second")
    interpolate.add_argument(
        "--scale",
        type=_positive_int,
        help="GIF and MP4: enlarge frames this many times (default: to at least 256 pixels a side)",
    )
    interpolate.add_argument("--overwrite", action="store_true", help="replace an existing file at --out")


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
        "--labels",
        type=_labels,
        help="conditional GANs (required): each image's class (index or name), repeated in turn",
    )
    project.add_argument(
        "--resize", action="store_true", help="resize the images to the generator's size instead of refusing others"
    )
    project.add_argument("--seed", type=int, default=0, help="seed of the random starting candidates (default: 0)")
    project.add_argument("--overwrite", action="store_true", help="replace an earlier projection at --out")


def _add_translate(commands, common):
    translate = commands.add_parser(
        "translate",
        parents=[common],
        help="run an image-to-image model (srgan, inpainting, ...) over a folder of images",
        description="Translate every image in --images (subfolders too) with an image-to-image model, in batches, "
        "into --out under the same names as PNG files of the model's output size and colour mode. An "
        "inpainting model also takes --masks: one mask per image, white where pixels are missing.",
    )
    translate.add_argument(
        "--model",
        required=True,
        help="an image-to-image model: a .keras checkpoint, or an exported SavedModel or .onnx file",
    )
    translate.add_argument("--images", required=True, help="folder of PNG/JPEG images to translate (subfolders too)")
    translate.add_argument("--out", required=True, help="folder to write")
    translate.add_argument(
        "--direction",
        choices=["AtoB", "BtoA"],
        help="a two-way (CycleGAN) model: which way to translate (default: its serving_default, A to B)",
    )
    translate.add_argument(
        "--masks", help="inpainting: folder of masks named as the images, white where pixels are missing"
    )
    translate.add_argument(
        "--resize", action="store_true", help="resize the images to the model's input size instead of refusing others"
    )
    translate.add_argument("--batch-size", type=_positive_int, default=64, help="images per batch (default: 64)")
    translate.add_argument("--overwrite", action="store_true", help="replace an earlier translation at --out")


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


#: kgan.metrics.standard_inception.RESIZES, named here so that `kgan --help` needs no TensorFlow.
FID_RESIZES = ("clean", "legacy_tensorflow", "legacy_pytorch")


def _add_evaluate(commands, common):
    evaluate = commands.add_parser(
        "evaluate",
        parents=[common],
        help="score a saved GAN or an exported generator: FID, KID, IS, precision/recall, density/coverage; "
        "class accuracy and FID per class; PSNR/SSIM of translations",
        description="Score a generator against real images and print the results as JSON. A generator "
        "that draws from latent vectors is compared with --dataset's --split; a conditional one also "
        "gets the shipped classifier's accuracy on the classes it was asked for and FID per class; an "
        "image-to-image model translates held-out pairs (--pairs, or the --split of the named dataset "
        "it trained on, made as kgan train made its pairs) and gets PSNR and SSIM against the targets, "
        "beside the same for the sources themselves (resized bicubic: the baseline to beat), and FID. "
        "Features come from kgan's classifier for the dataset (mnist, fashion_mnist, cifar10; stacked_mnist's "
        "reads each channel's digit, so class_coverage counts its 1,000 modes) unless "
        "--fid-inception (published FIDs' network) or --inception-weights is given; see docs/metrics.md for which "
        "numbers compare with published ones.",
    )
    scored = evaluate.add_mutually_exclusive_group(required=True)
    scored.add_argument(
        "--model",
        help="a .keras GAN, or an exported SavedModel folder or .onnx file (of a kgan train run: that run's "
        "dataset is the default)",
    )
    scored.add_argument(
        "--images",
        metavar="DIR",
        help="instead of a model, a folder of generated images (subfolders too, one size), scored as they are",
    )
    evaluate.add_argument(
        "--real-images",
        metavar="DIR",
        help="a folder of real images (one size) to compare with, instead of --dataset's --split",
    )
    evaluate.add_argument(
        "--dataset",
        choices=EVALUATION_DATASETS,
        help="the real data (default: the dataset the model's kgan train run trained on, else mnist)",
    )
    evaluate.add_argument(
        "--data-dir",
        help="folder holding the dataset's files (default: the model's run's, else $KGAN_DATA_DIR/<dataset>, "
        "else TFDS)",
    )
    evaluate.add_argument("--split", default="test", help="the real images' split (default: test)")
    evaluate.add_argument(
        "--metrics",
        nargs="+",
        choices=list(METRICS),
        help="what to compute (default: "
        + "; ".join(f"{kind}: {' '.join(names)}" for kind, names in DEFAULT_METRICS.items())
        + "; the class metrics when the dataset's classes are the generator's, FID of translations when an "
        "extractor fits their size)",
    )
    evaluate.add_argument(
        "--pairs",
        nargs="+",
        metavar="DIR",
        help="for an image-to-image model, held-out pairs: two folders A B of images paired by file name (as "
        "kgan train --pairs takes them), or one folder of side-by-side A|B files; the model's translations of "
        "the sources (A, or B with --direction BtoA) are scored against the targets",
    )
    evaluate.add_argument(
        "--direction",
        choices=["AtoB", "BtoA"],
        help="for an image-to-image model: which half of side-by-side files (and of a named dataset's pairs) is "
        "the source, and which way a two-way (CycleGAN) model runs (default: its run's --direction, else AtoB)",
    )
    evaluate.add_argument(
        "--num-samples", type=_positive_int, default=10000, help="generated (and real) images (default: 10000)"
    )
    features = evaluate.add_mutually_exclusive_group()
    features.add_argument(
        "--fid-inception",
        metavar="FILE",
        help="the FID Inception's weights (pytorch-fid's pt_inception-2015-12-05-*.pth, TTUR's "
        "classify_image_graph_def.pb, or the .weights.h5 python -m kgan.metrics.standard_inception converts either "
        "to): the features of published FIDs",
    )
    features.add_argument("--inception-weights", help="a Keras InceptionV3 weights file: use its features instead")
    evaluate.add_argument(
        "--memorization",
        nargs="?",
        const="memorization.png",
        metavar="PNG",
        help="also check whether the generator copies its training images (--dataset's train split): its samples' "
        "distances to their nearest training image against the training images' own; writes the closest "
        "sample/training pairs to PNG (default: memorization.png)",
    )
    evaluate.add_argument(
        "--reference",
        metavar="NPZ",
        help="FID against these real statistics instead of --dataset's images: a .npz of mu and sigma, published "
        "(TTUR's, clean-fid's; with --fid-inception and the same --resize) or kgan's reference_statistics; "
        "FID alone is computed unless --metrics names more (which read the images)",
    )
    evaluate.add_argument(
        "--resize",
        choices=FID_RESIZES,
        help="how --fid-inception's input reaches 299x299: clean (clean-fid's, the default), legacy_tensorflow "
        "(TTUR's code) or legacy_pytorch (pytorch-fid's)",
    )
    evaluate.add_argument("--seed", type=int, default=0, help="seed of the latent vectors and holes (default: 0)")
    evaluate.add_argument(
        "--repeats",
        type=_positive_int,
        default=1,
        help="score this many draws (seeds --seed, --seed + 1, ...) and print each figure's mean and its standard "
        "deviation over them (fid_seed_std, ...): the error bar to compare runs by (default: 1)",
    )
    evaluate.add_argument(
        "--truncation",
        type=_finite_float,
        help="score truncated samples (a point of the truncation curve): StyleGAN2's psi, BigGAN's threshold "
        "(default: none)",
    )


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
