"""`kgan train | sample | export | evaluate`: parse arguments, call the library, report where things went."""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import zipfile

from kgan.losses import LOSSES as LOSS_NAMES
from kgan.models import DCGAN, LSGAN, SNGAN, WGANGP, ConditionalGAN

RECIPES = {"dcgan": DCGAN, "wgangp": WGANGP, "lsgan": LSGAN, "sngan": SNGAN}

RUN_LAYOUT = """\
A run folder holds:
  logs/          TensorBoard: loss curves (logs/train), sample grids (logs/images) and
                 training health (logs/health: D's balance and output histograms, gradient
                 norms, learning rates, sample diversity, warnings)
  samples/       one PNG grid of the same 64 latent vectors per epoch (epoch_0001.png, ...)
  checkpoints/   the whole GAN after every epoch (epoch_0001.keras, ...), loadable with
                 keras.saving.load_model after `import kgan`
  backup/        resume state: run the same command again to continue an interrupted run
  generator/     the exported generator SavedModel (see docs/export.md)
  config.json    the arguments of the run
"""


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {text}")
    return value


def build_parser():
    parser = argparse.ArgumentParser(
        prog="kgan",
        description="Train GANs, sample from them and export their generators.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    train = commands.add_parser(
        "train",
        help="train a DCGAN and write logs, sample grids, checkpoints and the exported generator",
        description="Train a DCGAN on a dataset. " + RUN_LAYOUT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    source = train.add_argument_group("data")
    source.add_argument(
        "--dataset",
        default="mnist",
        choices=["mnist", "fashion_mnist", "cifar10", "digits"],
        help="a named dataset (default: mnist). It is read from --data-dir, else from "
        "$KGAN_DATA_DIR/<dataset>, else through TensorFlow Datasets; 'digits' ships with kgan.",
    )
    source.add_argument("--data-dir", help="folder holding the dataset's original files")
    source.add_argument(
        "--image-folder",
        help="train on your own PNG/JPEG images in this folder instead of --dataset",
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
    source.add_argument(
        "--limit", type=_positive_int, help="use only the first LIMIT images (quick runs)"
    )
    training = train.add_argument_group("training")
    training.add_argument("--epochs", type=_positive_int, default=5, help="epochs (default: 5)")
    training.add_argument(
        "--batch-size", type=_positive_int, default=64, help="images per batch (default: 64)"
    )
    training.add_argument(
        "--latent-dim", type=_positive_int, default=100, help="latent vector size (default: 100)"
    )
    training.add_argument(
        "--width", type=_positive_int, default=64, help="the networks' base filters (default: 64)"
    )
    training.add_argument(
        "--recipe",
        default="dcgan",
        choices=sorted(RECIPES),
        help="the GAN recipe (default: dcgan). wgangp: Wasserstein loss, gradient penalty, 5 critic "
        "steps, Adam(1e-4, 0, 0.9); lsgan: least-squares loss; sngan: ResNet networks (generator "
        "2 x --width filters, discriminator --width) with spectral normalization, hinge loss, 5 D "
        "steps, Adam(2e-4, 0, 0.9). The options below override a recipe's defaults.",
    )
    training.add_argument(
        "--loss", choices=sorted(LOSS_NAMES), help="adversarial loss (default: the recipe's)"
    )
    training.add_argument("--d-lr", type=float, help="discriminator learning rate (default: the recipe's)")
    training.add_argument("--g-lr", type=float, help="generator learning rate (default: the recipe's)")
    training.add_argument(
        "--d-steps", type=_positive_int, help="D updates per G update (default: the recipe's)"
    )
    training.add_argument(
        "--ema-decay",
        type=float,
        help="keep an exponential moving average of the generator with this decay (e.g. 0.999) "
        "for samples and export",
    )
    training.add_argument(
        "--label-smoothing",
        type=float,
        default=0.0,
        help="one-sided label smoothing: D's target for real images is 1 - VALUE (default: 0)",
    )
    training.add_argument(
        "--instance-noise",
        type=float,
        default=0.0,
        help="std of Gaussian noise on D's inputs, decaying to 0 over the run (default: 0)",
    )
    training.add_argument(
        "--steps-per-execution",
        type=_positive_int,
        default=1,
        help="training steps per compiled call (default: 1)",
    )
    training.add_argument(
        "--precision",
        choices=["float32", "mixed_bfloat16", "mixed_float16"],
        default="float32",
        help="Keras dtype policy of the networks (default: float32). mixed_bfloat16 for CPUs with "
        "AVX512-BF16, A100/H100 GPUs and TPUs; mixed_float16 for other GPUs (losses are scaled)",
    )
    training.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    training.add_argument(
        "--deterministic",
        action="store_true",
        help="TensorFlow's deterministic kernels (slower), for bit-identical reruns on GPUs",
    )
    output = train.add_argument_group("output")
    output.add_argument(
        "--run-dir", default="runs/dcgan", help="folder for everything the run writes"
    )
    output.add_argument(
        "--no-export", action="store_true", help="do not export the generator at the end"
    )
    output.add_argument(
        "--overwrite",
        action="store_true",
        help="replace a finished run in --run-dir (without it kgan refuses to overwrite one)",
    )
    train.add_argument("--verbose", type=int, choices=[0, 1, 2], default=2, help="Keras fit verbosity")
    train.set_defaults(handler=train_command)

    sample = commands.add_parser(
        "sample",
        help="draw samples from a saved GAN or an exported generator into a PNG grid",
        description="Draw samples into one PNG grid.",
    )
    sample.add_argument(
        "--model",
        required=True,
        help="a GAN saved as .keras (checkpoints/epoch_N.keras) or an exported generator "
        "SavedModel folder",
    )
    sample.add_argument("--num", type=_positive_int, default=64, help="how many samples (default: 64)")
    sample.add_argument("--seed", type=int, default=0, help="seed of the latent vectors (default: 0)")
    sample.add_argument(
        "--labels",
        type=_labels,
        help="classes to draw from a conditional GAN: one (7) for all samples, or one per sample "
        "(0,1,2,3); a saved conditional GAN cycles through its classes when omitted",
    )
    sample.add_argument("--columns", type=_positive_int, help="grid columns (default: square-ish)")
    sample.add_argument("--out", default="samples.png", help="PNG file to write (default: samples.png)")
    sample.set_defaults(handler=sample_command)

    export = commands.add_parser(
        "export",
        help="export the generator of a saved GAN as a SavedModel",
        description="Export the generator of a .keras GAN as a SavedModel with the signatures "
        "serving_default(latent) and sample(count, seed); see docs/export.md.",
    )
    export.add_argument("--model", required=True, help="the GAN saved as .keras")
    export.add_argument("--out", required=True, help="SavedModel folder to write")
    export.set_defaults(handler=export_command)

    evaluate = commands.add_parser(
        "evaluate",
        help="score a saved GAN or an exported generator with FID, KID, IS, precision/recall, density/coverage",
        description="Score a generator against a dataset's real images and print the results as JSON. "
        "The feature extractor is kgan's classifier for the dataset (mnist, fashion_mnist, cifar10) "
        "unless --inception-weights is given; see docs/metrics.md for which numbers compare with "
        "published ones.",
    )
    evaluate.add_argument("--model", required=True, help="a .keras GAN or an exported SavedModel folder")
    evaluate.add_argument(
        "--dataset", default="mnist", choices=["mnist", "fashion_mnist", "cifar10"], help="the real data (default: mnist)"
    )
    evaluate.add_argument("--data-dir", help="folder holding the dataset's files (default: $KGAN_DATA_DIR/<dataset>, else TFDS)")
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
    evaluate.add_argument("--num-samples", type=_positive_int, default=10000, help="generated and real images (default: 10000)")
    evaluate.add_argument("--inception-weights", help="an InceptionV3 weights file: use InceptionV3 features instead")
    evaluate.add_argument("--seed", type=int, default=0, help="seed of the latent vectors (default: 0)")
    evaluate.set_defaults(handler=evaluate_command)
    return parser


METRICS = {
    "fid": "FrechetInceptionDistance",
    "kid": "KernelInceptionDistance",
    "is": "InceptionScore",
    "precision_recall": "PrecisionRecall",
    "density_coverage": "DensityCoverage",
}


def _training_data(args):
    import kgan

    size = (args.image_size, args.image_size)
    if args.image_folder and args.tfrecords:
        raise ValueError("Pass either --image-folder or --tfrecords, not both.")
    if args.tfrecords:
        dataset = kgan.data.tfrecords(
            args.tfrecords, size, batch_size=args.batch_size, channels=args.channels, seed=args.seed
        )
        return dataset, size + (args.channels,)
    if args.image_folder:
        dataset = kgan.data.image_folder(
            args.image_folder, size, batch_size=args.batch_size, channels=args.channels, seed=args.seed
        )
        return dataset, size + (args.channels,)
    dataset = kgan.data.load(
        args.dataset,
        data_dir=args.data_dir,
        batch_size=args.batch_size,
        seed=args.seed,
        limit=args.limit,
    )
    return dataset, kgan.data.IMAGE_SHAPES[args.dataset]


def _build_recipe(args, image_shape):
    import kgan

    shared = dict(latent_dim=args.latent_dim, seed=args.seed, ema_decay=args.ema_decay)
    if args.recipe == "sngan":
        return kgan.SNGAN(
            image_shape, generator_width=2 * args.width, discriminator_width=args.width, **shared
        )
    return RECIPES[args.recipe](image_shape, width=args.width, **shared)


def train_command(args):
    import keras

    import kgan
    from kgan.models.gan import global_dtype_policy

    run = args.run_dir
    _check_run_dir(run, args.overwrite)
    dataset, image_shape = _training_data(args)
    steps_per_epoch = int(dataset.cardinality())
    os.makedirs(run, exist_ok=True)
    with open(os.path.join(run, "config.json"), "w") as f:
        json.dump({k: v for k, v in vars(args).items() if k != "handler"}, f, indent=2)

    if args.deterministic:
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    with global_dtype_policy(args.precision):
        gan = _build_recipe(args, image_shape)
    decay_steps = args.epochs * steps_per_epoch if steps_per_epoch > 0 else None
    overrides = {
        "loss": args.loss,
        "d_learning_rate": args.d_lr,
        "g_learning_rate": args.g_lr,
        "d_steps": args.d_steps,
    }
    gan.compile(
        **{name: value for name, value in overrides.items() if value is not None},
        label_smoothing=args.label_smoothing,
        instance_noise=args.instance_noise,
        instance_noise_decay_steps=decay_steps if args.instance_noise else None,
        steps_per_execution=args.steps_per_execution,
    )
    grid = kgan.callbacks.ImageGrid(
        log_dir=os.path.join(run, "logs"), png_dir=os.path.join(run, "samples"), seed=args.seed
    )
    # The monitor comes after BackupAndRestore (which restores the weights it watches) and before
    # the callbacks that log or save (which then get its logs and, after a NaN, the last good
    # weights it restores).
    callbacks = [
        keras.callbacks.BackupAndRestore(os.path.join(run, "backup")),
        kgan.callbacks.TrainingMonitor(dataset, log_dir=os.path.join(run, "logs")),
        kgan.callbacks.TensorBoard(os.path.join(run, "logs"), update_freq=50),
        grid,
        keras.callbacks.ModelCheckpoint(os.path.join(run, "checkpoints", "epoch_{epoch:04d}.keras")),
    ]
    os.makedirs(os.path.join(run, "checkpoints"), exist_ok=True)
    gan.fit(dataset, epochs=args.epochs, callbacks=callbacks, verbose=args.verbose)
    print(f"sample grids: {os.path.join(run, 'samples')}")
    print(f"TensorBoard:  tensorboard --logdir {os.path.join(run, 'logs')}")
    print(f"checkpoints:  {os.path.join(run, 'checkpoints')}")
    if not args.no_export:
        path = kgan.export_generator(gan, os.path.join(run, "generator"))
        print(f"generator:    {path} (SavedModel; signatures serving_default and sample)")
    return 0


def _check_run_dir(run, overwrite):
    """Refuses a run folder that is a file, or that holds a finished run (unless `overwrite`)."""
    if os.path.exists(run) and not os.path.isdir(run):
        raise ValueError(f"--run-dir {run!r} is a file; pass a folder (it is created if missing).")
    checkpoints = os.path.join(run, "checkpoints")
    saved = sorted(f for f in os.listdir(checkpoints) if f.endswith(".keras")) if os.path.isdir(checkpoints) else []
    if saved and not os.path.isdir(os.path.join(run, "backup")):
        if not overwrite:
            export = os.path.join(run, "generator")
            missing_export = (
                "" if os.path.isdir(export)
                else f" Its generator was not exported; to export it: kgan export --model "
                f"{os.path.join(checkpoints, saved[-1])} --out {export}"
            )
            raise ValueError(
                f"{run!r} holds a finished run (checkpoints and no resume state in backup/); training "
                "again would overwrite it. Pass another --run-dir, or --overwrite to replace it. (An "
                f"interrupted run keeps backup/ and resumes with the same command.){missing_export}"
            )
        shutil.rmtree(run)  # a fresh folder: no stale checkpoints, grids or curves from the old run


def _labels(text):
    try:
        return [int(label) for label in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected class indices like 7 or 0,1,2, got {text!r}") from None


def _load_sampler(path):
    """Returns `draw(num, seed, labels) -> images in [-1, 1] or uint8` for a .keras GAN or a SavedModel."""
    if os.path.isdir(path) and os.path.isfile(os.path.join(path, "saved_model.pb")):
        import numpy as np
        import tensorflow as tf

        from kgan.export import SAMPLE_SIGNATURE

        signatures = tf.saved_model.load(path).signatures
        if SAMPLE_SIGNATURE not in signatures:
            raise ValueError(
                f"The SavedModel at {path!r} has no '{SAMPLE_SIGNATURE}' signature: it translates images "
                f"(signatures {sorted(signatures)}) rather than sampling noise. See docs/export.md."
            )
        signature = signatures[SAMPLE_SIGNATURE]
        conditional = "labels" in signature.structured_input_signature[1]

        def draw(num, seed, labels):
            seed = tf.constant(seed, tf.int64)
            if not conditional:
                _check_no_labels(labels)
                return signature(count=tf.constant(num, tf.int32), seed=seed)["images"].numpy()
            if labels is None:
                raise ValueError("This generator is conditional: pass --labels (e.g. --labels 7 or 0,1,2).")
            labels = np.resize(np.asarray(labels, np.int32), num) if len(labels) == 1 else np.asarray(labels, np.int32)
            try:
                return signature(labels=tf.constant(labels), seed=seed)["images"].numpy()
            except tf.errors.InvalidArgumentError as error:  # the signature's own label check
                reason = [line for line in error.message.splitlines() if "labels must be" in line]
                raise ValueError((reason or [error.message])[0].strip()) from None

        return draw
    gan = _load_gan(path)

    def draw(num, seed, labels):
        if not isinstance(gan, ConditionalGAN):
            _check_no_labels(labels)
            return gan.generate(num, seed=seed)
        return gan.generate(num, labels=labels if labels is None or len(labels) > 1 else labels[0], seed=seed)

    return draw


def _check_no_labels(labels):
    if labels is not None:
        raise ValueError("--labels is for conditional GANs; this generator takes no labels.")


def _load_gan(path):
    import keras

    import kgan  # noqa: F401  (registers kgan's classes for deserialization)

    if not os.path.exists(path):
        raise FileNotFoundError(
            f"No model at {path!r}. Pass a .keras file written by gan.save() or by `kgan train` "
            "(run_dir/checkpoints/epoch_N.keras), or an exported SavedModel folder."
        )
    if not path.endswith(".keras"):
        raise ValueError(
            f"{path!r} is neither a .keras file nor a SavedModel folder (no saved_model.pb in it)."
        )
    if not zipfile.is_zipfile(path):
        raise ValueError(
            f"{path!r} is not a .keras archive (a .keras file is a zip); it may be truncated or corrupt. "
            "Use another checkpoint from run_dir/checkpoints/."
        )
    gan = keras.saving.load_model(path)
    if not isinstance(gan, kgan.GAN):
        raise ValueError(f"{path!r} holds a {type(gan).__name__}, not a kgan GAN.")
    return gan


def sample_command(args):
    import numpy as np

    from kgan import images

    pixels = _load_sampler(args.model)(args.num, args.seed, args.labels)
    grid = images.tile(pixels if pixels.dtype == np.uint8 else images.to_uint8(pixels), args.columns)
    images.save_png(args.out, grid)
    print(f"wrote {args.num} samples to {args.out}")
    return 0


def export_command(args):
    import kgan

    path = kgan.export_generator(_load_gan(args.model), args.out)
    print(f"generator exported to {path} (signatures serving_default and sample)")
    return 0


def evaluate_command(args):
    import kgan

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
    generator = args.model if os.path.isdir(args.model) else _load_gan(args.model)
    if args.pairs:
        source_shape, target_shape = _translation_shapes(generator)
        real = kgan.data.paired_folders(
            *args.pairs, image_size=target_shape[:2], batch_size=250, source_channels=source_shape[-1],
            target_channels=target_shape[-1], shuffle=False, source_size=source_shape[:2], drop_remainder=False,
        )
    else:
        real = kgan.data.load(
            args.dataset, data_dir=args.data_dir, split=args.split, batch_size=250, shuffle=False,
            drop_remainder=False, limit=args.num_samples,
        )
    results = kgan.evaluate(generator, real, metrics, num_samples=args.num_samples, seed=args.seed)
    results["extractor"] = extractor.name
    print(json.dumps({k: round(v, 6) if isinstance(v, float) else v for k, v in results.items()}))
    return 0


def _translation_shapes(generator):
    """`(source shape, target shape)` of an image-to-image model (.keras GAN or SavedModel folder)."""
    from kgan.evaluation import saved_model_signatures

    if isinstance(generator, str):
        serve = saved_model_signatures(generator)["serving_default"]
        inputs = list(serve.structured_input_signature[1].values())
        if len(inputs) != 1 or len(inputs[0].shape) != 4:
            raise ValueError(f"--pairs needs an image-to-image model taking one image batch; {generator!r} is not one.")
        return tuple(inputs[0].shape[1:]), tuple(serve.structured_outputs["images"].shape[1:])
    if generator.uses_latent:
        raise ValueError("--pairs is for image-to-image models; this GAN samples from latent vectors.")
    network = generator.inference_generator
    return tuple(network.inputs[0].shape[1:]), tuple(network.outputs[0].shape[1:])


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (ValueError, OSError, RuntimeError, ImportError) as error:
        print(f"kgan {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
