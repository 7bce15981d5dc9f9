"""`kgan train`: a recipe of the recipe table trained on the data asked for, into one run folder."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import sys
import tempfile
import time

import keras
import tensorflow as tf

import kgan
from kgan.callbacks.progress import format_duration
from kgan.data.folder import list_images
from kgan.export import signature_names
from kgan.models.gan import global_dtype_policy
from kgan.precision import Precision, auto_precision, cpu_has_native_bfloat16
from kgan_cli.board import serve_until_interrupted, start_board
from kgan_cli.named_data import named_domains, named_pairs
from kgan_cli.parser import (
    EVALUATION_DATASETS,
    OPTIONS,
    RECIPE_OVERRIDABLE,
    RECIPES,
    default_epochs,
    folder_budget,
    listed,
)
from kgan_cli.usage import OFFLINE_CHOICES, UsageError, check_data_dir, users_input


def _images(args, recipe, labels=False):
    """`(dataset, image_shape, description, class_names)` of the images `kgan train` was asked
    for, with their labels when `labels` (class_names None without); `args.dataset` and
    `args.data_dir` become the dataset and folder used (None for a folder or TFRecords, and for
    TFDS or the shipped digits)."""
    for option, value, recipes in (("--pairs", args.pairs, "pix2pix"), ("--domains", args.domains, "cyclegan")):
        if value:
            raise UsageError(f"{option} is for --recipe {recipes}; --recipe {recipe.name} trains on images alone.")
    if args.image_folder and args.tfrecords:
        raise UsageError("Pass either --image-folder or --tfrecords, not both.")
    if (args.image_folder or args.tfrecords) and args.dataset:
        raise UsageError("--dataset names a dataset; --image-folder and --tfrecords replace it. Pass one of them.")
    size = (args.image_size, args.image_size)
    common = dict(batch_size=args.batch_size, channels=args.channels, seed=args.seed, limit=args.limit, labels=labels)
    if args.tfrecords:
        if labels:
            raise UsageError(
                f"--recipe {recipe.name} trains on classes, which TFRecords do not name here: use --image-folder "
                "with one subfolder per class, or --dataset."
            )
        dataset = kgan.data.tfrecords(args.tfrecords, size, **common)
        return dataset, size + (args.channels,), f"TFRecords {args.tfrecords}", None
    if args.image_folder:
        if labels:
            _check_class_folders(args.image_folder, recipe)
        dataset = kgan.data.image_folder(args.image_folder, size, **common)
        classes = f" of {len(dataset.class_names)} classes" if labels else ""
        return dataset, size + (args.channels,), f"images{classes} in {args.image_folder}", dataset.class_names or None
    check_data_dir(args.data_dir)
    name = args.dataset or "mnist"
    folder = kgan.data.resolve_data_dir(name, args.data_dir)
    try:
        dataset = kgan.data.load(
            name,
            data_dir=folder,
            batch_size=args.batch_size,
            seed=args.seed,
            limit=args.limit,
            labels=labels,
            image_size=_recipe_size(recipe, kgan.data.IMAGE_SHAPES[name]),
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
        dataset = kgan.data.load(name, batch_size=args.batch_size, seed=args.seed, limit=args.limit, labels=labels)
    args.dataset, args.data_dir = name, folder  # what was used, for config.json and the next commands
    where = folder or ("the copy inside kgan" if name == "digits" else "TensorFlow Datasets")
    described = f"{name}{' with its labels' if labels else ''} from {where}"
    class_names = kgan.data.CLASS_NAMES[name] if labels else None
    height, width, channels = kgan.data.IMAGE_SHAPES[name]
    size = _recipe_size(recipe, (height, width, channels))
    if size is None:
        return dataset, (height, width, channels), described, class_names
    resized = f"{described}, resized from {height}x{width} to {size}x{size}"
    return dataset, (size, size, channels), resized, class_names


def _check_class_folders(folder, recipe):
    """A folder for a conditional recipe: two or more class subfolders and no loose images."""
    files, class_names, labels = list_images(folder)  # refuses a missing or empty folder itself
    if -1 in labels:
        loose = [file for file, label in zip(files, labels) if label == -1]
        raise UsageError(
            f"--recipe {recipe.name} trains on classes, one subfolder of --image-folder per class, but "
            f"{len(loose)} images sit directly in {folder} (e.g. {', '.join(map(repr, loose[:3]))}). Move them "
            "into class subfolders, or choose an unconditional --recipe."
        )
    if len(class_names) < 2:
        raise UsageError(
            f"--recipe {recipe.name} needs two or more classes, one subfolder of --image-folder per class; "
            f"{folder} has {len(class_names)} ({', '.join(class_names)})."
        )


def _unlabelled_images(args, recipe):
    dataset, image_shape, description, _ = _images(args, recipe)
    return dataset, image_shape, description, {}


def _labelled_images(args, recipe):
    dataset, image_shape, description, class_names = _images(args, recipe, labels=True)
    return dataset, image_shape, description, {"num_classes": len(class_names), "class_names": class_names}


def _pairs(args, recipe):
    """`(dataset, source shape, description, {"target_channels": ...})` of the pairs asked for:
    two folders matched by name, a folder of side-by-side A|B files, or a named dataset's
    grey -> colour pairs (edges -> images for a grayscale one)."""
    given = [name for name, value in (("--pairs", args.pairs), ("--image-folder", args.image_folder)) if value]
    if args.tfrecords or args.domains or len(given) > 1 or (given and args.dataset):
        raise UsageError(
            f"--recipe {recipe.name} trains on pairs: pass one of --pairs SOURCE_DIR TARGET_DIR, --image-folder "
            "(side-by-side A|B files) or --dataset."
        )
    size = (args.image_size, args.image_size)
    channels = {"source_channels": args.channels, "target_channels": args.channels}
    common = dict(batch_size=args.batch_size, seed=args.seed, limit=args.limit, **channels)
    if args.pairs:
        source_dir, target_dir = args.pairs if args.direction == "AtoB" else args.pairs[::-1]
        dataset = kgan.data.paired_folders(source_dir, target_dir, size, **common)
        described = f"pairs {source_dir} -> {target_dir}"
        return dataset, size + (args.channels,), described, {"target_channels": args.channels}
    if args.image_folder:
        dataset = kgan.data.side_by_side_folder(args.image_folder, size, args.direction, **common)
        halves = "left -> right" if args.direction == "AtoB" else "right -> left"
        described = f"side-by-side pairs in {args.image_folder} ({halves})"
        return dataset, size + (args.channels,), described, {"target_channels": args.channels}
    name, images = _dataset_arrays(args, recipe)
    sources, targets, kind = named_pairs(images, args.direction)
    dataset = kgan.data.paired(sources, targets, batch_size=args.batch_size, seed=args.seed)
    return dataset, tuple(sources.shape[1:]), f"{name} {kind} pairs", {"target_channels": targets.shape[-1]}


def _domains(args, recipe):
    """`(dataset, domain A's shape, description, {"image_shape_b": ...})` of two unpaired domains:
    two folders, or a named dataset's images (A) and their negatives (B)."""
    if args.tfrecords or args.image_folder or args.pairs or (args.domains and args.dataset):
        raise UsageError(
            f"--recipe {recipe.name} trains on two domains: pass --domains A_DIR B_DIR (two folders of "
            "unrelated images) or --dataset (its images and their negatives)."
        )
    if args.domains:
        size = (args.image_size, args.image_size)
        dataset = kgan.data.unpaired_folders(*args.domains, size, args.batch_size, args.channels, args.seed, args.limit)
        shape = size + (args.channels,)
        return dataset, shape, f"domains {args.domains[0]} and {args.domains[1]}", {"image_shape_b": shape}
    name, images = _dataset_arrays(args, recipe)
    dataset = kgan.data.unpaired(*named_domains(images), batch_size=args.batch_size, seed=args.seed)
    shape = tuple(images.shape[1:])
    return dataset, shape, f"{name} (A) and its negatives (B)", {"image_shape_b": shape}


def _dataset_arrays(args, recipe):
    """`(name, uint8 images)` of the named dataset (MNIST by default) a recipe makes its data from,
    read from its local files (the first `--limit`); `args.dataset` and `args.data_dir` become those used."""
    check_data_dir(args.data_dir)
    name = args.dataset or "mnist"
    folder = kgan.data.resolve_data_dir(name, args.data_dir)
    if folder is None and name != "digits":
        raise UsageError(
            f"--recipe {recipe.name} makes its data from {name}'s files: pass --data-dir FOLDER or set "
            f"KGAN_DATA_DIR=ROOT (with ROOT/{name}/), or use --dataset digits or your own folders."
        )
    args.dataset, args.data_dir = name, folder
    return name, kgan.data.load_arrays(name, folder)[0][: args.limit]


#: The readers of the data a recipe needs (its `data` in the recipe table): each returns
#: `(dataset, image_shape, description, the family's arguments that come from the data)`.
DATA_READERS = {
    "images": _unlabelled_images,
    "labelled_images": _labelled_images,
    "pairs": _pairs,
    "domains": _domains,
}


def _recipe_size(recipe, image_shape):
    """The side a recipe needs the named dataset's images resized to, or None when they fit:
    StyleGAN2 makes square power-of-two images, so MNIST's 28x28 become 32x32."""
    height, width, _ = image_shape
    if not recipe.power_of_two or (height == width and height & (height - 1) == 0):
        return None
    return 1 << (max(height, width) - 1).bit_length()


def apply_recipe(args):
    """The recipe `args` ask for, once its defaults fill the options left out (so config.json
    records what was used); another recipe's option is a `UsageError`."""
    recipe = RECIPES[args.recipe]
    for name, option in OPTIONS.items():
        if name not in recipe.options and getattr(args, name) is not None:
            takers = listed([other.name for other in RECIPES.values() if name in other.options], "or")
            raise UsageError(f"{option.flag} is an option of --recipe {takers}; this run's recipe is {recipe.name}.")
    for name, value in {**RECIPE_OVERRIDABLE, **recipe.defaults}.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.freeze_d and not args.init_from:
        raise UsageError("--freeze-d keeps layers of a trained discriminator fixed: use it with --init-from.")
    return recipe


def build_gan(recipe, args, image_shape, from_data=None):
    """The recipe's family, built from the options (`apply_recipe` first) and the arguments the
    data gives (`from_data`: a conditional family's `num_classes` and `class_names`, pix2pix's
    `target_channels`, CycleGAN's `image_shape_b`); `image_shape` is the family's first argument
    (pix2pix's source shape, CycleGAN's domain A shape)."""
    family = getattr(kgan, recipe.family)
    latent = {"latent_dim": args.latent_dim} if family.uses_latent else {}
    if not family.uses_latent and args.latent_dim is not None:
        raise UsageError(f"--recipe {recipe.name} translates images; it has no latent vectors for --latent-dim.")
    return family(
        image_shape,
        **latent,
        seed=args.seed,
        ema_decay=args.ema_decay or None,
        **_given(recipe.network(args)),
        **(from_data or {}),
    )


def _given(arguments):
    """The arguments whose value is not None (None: the family's default)."""
    return {key: value for key, value in arguments.items() if value is not None}


def _warn_about_precision(precision):
    """Warns when mixed_bfloat16 would be emulated: on CPUs without native bfloat16 and no GPU."""
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
    started = time.perf_counter()
    recipe = apply_recipe(args)
    with users_input():
        strategy = kgan.cluster.make_strategy(args.distribute)  # first: a cluster's collectives start with it
    chief = kgan.cluster.is_chief(strategy)
    _check_run_dir(args.run_dir, args.overwrite, clear=chief)
    run = args.run_dir if chief else _worker_folder(strategy, args.run_dir)
    try:
        return _train(args, recipe, strategy, run, started)
    finally:
        if not chief:
            shutil.rmtree(run, ignore_errors=True)


def _worker_folder(strategy, run_dir):
    """Where a worker other than the chief writes its copy of the run, to be thrown away: one
    folder per run and worker, emptied first (a killed worker's copy goes when it restarts)."""
    resolver = strategy.cluster_resolver
    name = hashlib.sha1(os.path.abspath(run_dir).encode()).hexdigest()[:12]
    folder = os.path.join(tempfile.gettempdir(), f"kgan-{name}-{resolver.task_type}-{resolver.task_id}")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    return folder


def _train(args, recipe, strategy, run, started):
    logs = os.path.join(run, "logs")
    if strategy.num_replicas_in_sync > 1 or kgan.cluster.cluster_size() > 1:
        print(f"distribution: {kgan.cluster.describe(strategy, args.batch_size)}", flush=True)
    with users_input():
        data = "labelled_images" if getattr(args, "labels", None) else recipe.data
        dataset, image_shape, source, from_data = DATA_READERS[data](args, recipe)
        monitor = kgan.callbacks.TrainingMonitor(dataset, log_dir=logs)  # refuses unusable data now
    steps_per_epoch = int(dataset.cardinality())
    epochs, length = _run_length(args, recipe, image_shape, steps_per_epoch)
    if args.precision == "auto":
        precision = auto_precision(cpu_bfloat16=recipe.cpu_bfloat16)
    else:
        precision = Precision(args.precision, "asked for")
    args.precision = precision.policy  # what ran, for config.json
    _warn_about_precision(args.precision)
    with users_input():
        os.makedirs(os.path.join(run, "checkpoints"), exist_ok=True)
        config = _write_config(run, args, recipe, epochs, image_shape, source, from_data)
    if args.deterministic:
        tf.config.experimental.enable_op_determinism()
    decay_steps = epochs * steps_per_epoch if epochs and steps_per_epoch > 0 else None
    with users_input(), global_dtype_policy(args.precision), strategy.scope():
        gan = build_gan(recipe, args, image_shape, from_data)
        if args.init_from:
            purpose = "Fine-tuning starts from every network of the GAN, its discriminator too"
            gan.init_from(kgan.load_gan(args.init_from, purpose=purpose))
        gan.compile(
            loss=args.loss,
            learning_rate=(args.d_lr, args.g_lr),
            betas=(args.beta_1, args.beta_2),
            label_smoothing=(args.label_smoothing, args.fake_label_smoothing),
            d_steps=args.d_steps,
            reuse_fakes=args.reuse_fakes,
            instance_noise=args.instance_noise,
            instance_noise_decay_steps=decay_steps if args.instance_noise else None,
            steps_per_execution=args.steps_per_execution,
            augment=kgan.augment.AdaptiveAugment(seed=args.seed) if args.ada else None,
            freeze_d=args.freeze_d or 0,
            **_given(recipe.compile(args)),
            **({"schedule_steps": decay_steps} if recipe.scheduled else {}),
        )
    print(
        f"training {_article(type(gan).__name__)} on {source}: {length}, "
        f"batch {args.batch_size}, {precision.policy} ({precision.reason}), into {run}",
        flush=True,
    )
    time_limit = kgan.callbacks.TimeLimit(args.minutes) if args.minutes else None
    # The monitor comes after BackupAndRestore (which restores the weights it watches) and before
    # the callbacks that log or save (which then get its logs and, after a NaN, the last good
    # weights it restores); the progress line comes last, once the epoch's files are written.
    callbacks = [
        kgan.callbacks.BackupAndRestore(os.path.join(args.run_dir, "backup"), every=args.backup_every),
        monitor,
        kgan.callbacks.TensorBoard(logs, update_freq=50, hparams={k: v for k, v in config.items() if k != "command"}),
        kgan.callbacks.ImageGrid(
            log_dir=logs, png_dir=os.path.join(run, "samples"), seed=args.seed, examples=next(iter(dataset))
        ),
        *_latent_callbacks(gan, args, dataset, image_shape, run),
        *_recipe_callbacks(recipe, args, run),
        keras.callbacks.ModelCheckpoint(os.path.join(run, "checkpoints", "epoch_{epoch:04d}.keras")),
        kgan.callbacks.EpochProgress(images_per_step=args.batch_size, time_limit=time_limit),
        *([time_limit] if time_limit else []),
    ]
    server = None
    if args.board and run == args.run_dir:  # the chief's run
        server, url = start_board(run, require_logs=False, verbose=args.verbose)
        print(f"TensorBoard on {run}: {url}", flush=True)
    try:
        try:
            gan.fit(
                dataset, epochs=epochs or UNTIL_THE_TIME_IS_UP, callbacks=callbacks, verbose=2 if args.verbose else 0
            )
        except tf.errors.UnavailableError as error:
            if kgan.cluster.cluster_size() < 2:
                raise
            return _lost_a_worker(error, args.run_dir)
        export = None
        if not args.no_export:
            export = kgan.export_generator(gan, os.path.join(run, "generator"))
        if run == args.run_dir:
            _report_run(run, export, gan, args, time.perf_counter() - started)
        else:
            took = format_duration(time.perf_counter() - started)
            print(f"done in {took}; the chief wrote the run into {args.run_dir}/")
    except BaseException:
        if server is not None:
            server.terminate()
        raise
    if server is not None:
        return serve_until_interrupted(server, f"TensorBoard keeps serving {url}; Ctrl-C stops it.")
    return 0


#: The epochs `fit` is given when --minutes alone ends the run.
UNTIL_THE_TIME_IS_UP = 1_000_000


def _run_length(args, recipe, image_shape, steps_per_epoch):
    """`(epochs, how the first line says the run's length)`: --epochs, the default epochs (a
    folder's from its size), --minutes (epochs None when it alone ends the run), or both."""
    epochs, budget = args.epochs, ""
    if not (epochs or args.minutes):
        images_per_epoch = steps_per_epoch * args.batch_size if steps_per_epoch > 0 else None
        epochs = default_epochs(recipe, args.dataset, image_shape, images_per_epoch)
        if args.dataset is None and images_per_epoch is not None:  # a folder's: say what it matches
            budget = f" ({folder_budget(image_shape)}; --epochs or --minutes to change)"
    if epochs is None and (recipe.scheduled or args.instance_noise):
        what = f"--recipe {recipe.name}'s schedules" if recipe.scheduled else "--instance-noise's decay"
        raise UsageError(f"{what} span the run's steps, which --minutes alone leaves open: give --epochs too.")
    steps = _count(steps_per_epoch, "step")
    if not args.minutes:
        return epochs, f"{_count(epochs, 'epoch')} of {steps}{budget}"
    if epochs is None:
        return None, f"{args.minutes:g} minutes (epochs of {steps})"
    return epochs, f"{_count(epochs, 'epoch')} of {steps} or {args.minutes:g} minutes, whichever ends first"


def _lost_a_worker(error, run_dir):
    """Exit code 1 with one line when another process of the cluster stopped: the collective
    operations cannot go on, and the whole group restarts from the last backup."""
    reason = next((line.strip() for line in str(error.message).splitlines() if "aborted" in line), "")
    print(
        f"kgan train: a process of the cluster stopped{f' ({reason})' if reason else ''}. Start every worker "
        f"again with the same command: training continues from the last backup in {os.path.join(run_dir, 'backup')}.",
        file=sys.stderr,
        flush=True,
    )
    return 1


def _count(number, noun):
    """'1 epoch', '3 epochs'."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _article(name):
    """'a DCGAN', 'an ACGAN', 'an SNGAN', 'an R3GAN', 'a StyleGAN2': by the first sound (an acronym's letter)."""
    spelled = name[1:2].isupper() or name[1:2].isdigit()  # SNGAN, R3GAN: said letter by letter
    vowel_sound = name[0] in "AEIOU" or (name[0] in "FHLMNRSX" and spelled)
    return f"{'an' if vowel_sound else 'a'} {name}"


def _projector_extractor(dataset, image_shape):
    """The shipped extractor of the run's domain for the Projector (its classes label the points;
    it resizes images the run resized back to the domain's size), or None (the discriminator's
    features) for other images."""
    domain = kgan.metrics.extractors.DOMAINS.get(dataset)
    if domain is not None and domain[-1] == image_shape[-1]:
        return kgan.metrics.domain_extractor(dataset, resize=tuple(image_shape) != domain)
    return None


def _latent_callbacks(gan, args, dataset, image_shape, run):
    """The pictures of a latent space, for the families that have one: walks and the Projector."""
    if not gan.uses_latent:
        return []
    logs = os.path.join(run, "logs")
    return [
        kgan.callbacks.LatentWalk(log_dir=logs, png_dir=os.path.join(run, "walks"), seed=args.seed),
        kgan.callbacks.Projector(dataset, logs, extractor=_projector_extractor(args.dataset, image_shape), every=1),
    ]


def _recipe_callbacks(recipe, args, run):
    """The pictures a recipe adds (StyleGAN2's truncation sweep and style-mixing matrix), each in its run folder."""
    return [
        getattr(kgan.callbacks, name)(
            log_dir=os.path.join(run, "logs"), png_dir=os.path.join(run, folder), seed=args.seed
        )
        for name, folder in recipe.callbacks
    ]


def _write_config(run, args, recipe, epochs, image_shape, source, from_data):
    """config.json: the options used (not other recipes'), the epochs, image shape and data, and
    what the family took from the data (a conditional one's classes)."""
    other_recipes = set(OPTIONS) - set(recipe.options)
    config = {k: v for k, v in vars(args).items() if k not in {"verbose", "overwrite", "board", *other_recipes}}
    if not (args.image_folder or args.tfrecords):
        del config["image_size"], config["channels"]  # they apply to folders and TFRecords only
    config.update(epochs=epochs, image_shape=list(image_shape), data=source, **from_data)
    with open(os.path.join(run, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    return config


def _report_run(run, export, gan, args, seconds):
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
    if export and not gan.uses_latent:
        masks = " --masks YOUR_MASKS" if len(kgan.trained.open_generator(gan).source_shapes) > 1 else ""
        print(f"  kgan translate --model {export} --images YOUR_IMAGES{masks} --out translated")
        if "b_to_a" in signature_names(gan):
            print(f"  kgan translate --model {export} --direction BtoA --images YOUR_B_IMAGES --out translated_b")
    elif export:
        print(f"  kgan sample --model {export} --num 64 --out samples.png")
        if gan.class_names is not None:  # two of its classes, by name
            names = shlex.quote(",".join(gan.class_names[:2]))
            print(f"  kgan sample --model {export} --labels {names} --num 16 --out classes.png")
        print(f"  kgan interpolate --model {export} --rows 4 --keys 4 --frames 48 --loop --out walk.gif")
    if export and args.dataset in EVALUATION_DATASETS:  # scored on the dataset's test split; a folder has none
        data_dir = f" --data-dir {args.data_dir}" if args.data_dir else ""
        print(f"  kgan evaluate --model {export} --dataset {args.dataset}{data_dir}")


def _check_run_dir(run, overwrite, clear=True):
    """Refuses a run folder that is a file, or that holds a finished run (unless `overwrite`: then,
    when `clear`, it is deleted; a cluster's other workers leave that to the chief)."""
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
        if clear:
            shutil.rmtree(run)  # a fresh folder: no stale checkpoints, grids or curves from the old run
