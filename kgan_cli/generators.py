"""The commands that use a trained generator: `kgan sample | interpolate | project | translate | export | evaluate`."""

from __future__ import annotations

import json
import math
import os

import numpy as np
import tensorflow as tf

import kgan
from kgan import images
from kgan.data.folder import decode_and_resize, files_by_name, list_images
from kgan.export import export_format, signature_names
from kgan.files import check_output_folder, written_whole
from kgan_cli.named_data import baseline_scores, held_out_pairs, pair_batches
from kgan_cli.parser import DEFAULT_METRICS, EVALUATION_DATASETS, METRICS, RECIPES
from kgan_cli.usage import UsageError, check_data_dir, users_input


def sample_command(args):
    if os.path.isdir(args.out):
        raise UsageError(
            f"--out {args.out!r} is a folder; kgan sample writes one PNG grid: pass a file name such as "
            f"{os.path.join(args.out, 'samples.png')!r}."
        )
    with users_input():
        generator = kgan.load_generator(args.model)
        labels = _sampling_labels(args, generator, args.num)
        samples = generator.generate(args.num, seed=args.seed, labels=labels, truncation=args.truncation)
        images.save_png(args.out, images.tile(images.to_uint8(samples), args.columns))
    print(f"wrote {len(samples)} samples to {args.out}")
    return 0


def interpolate_command(args):
    suffix = os.path.splitext(args.out)[1].lower()
    if suffix not in (".gif", ".mp4", ".png"):
        raise UsageError(f"--out must end with .gif, .mp4 or .png; got {args.out!r}.")
    if os.path.isdir(args.out) or (os.path.exists(args.out) and not args.overwrite):
        raise UsageError(f"{args.out!r} exists. Pass --overwrite to replace it, or choose another --out.")
    with users_input():
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
                images.save_animation(scratch, images.from_uint8(steps), args.fps, scale)
    print(f"wrote {args.rows} walk(s) of {args.frames} frames to {args.out}")
    return 0


def project_command(args):
    with users_input():
        check_output_folder(args.out, "projection.json", "projection", args.overwrite, "--overwrite")
        gan = kgan.load_gan(args.model, purpose=kgan.latent.PROJECTION_PURPOSE)
        shape = tuple(int(d) for d in gan.inference_generator.outputs[0].shape[1:])
        files, pixels = _read_images(args.images, shape, args.resize)
        labels = None if args.labels is None else np.resize(np.asarray(args.labels), len(files))
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
            pairs = np.stack([images.from_uint8(pixels), found.images], axis=1).reshape(-1, *shape)
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
    files, _, _ = list_images(folder)
    return files, np.stack([_read_image(file, shape, resize) for file in files])


def _read_image(file, shape, resize, what="the generator makes"):
    """The image in `file` as uint8 of `shape` (height, width, channels; converted to its
    channels), resized to it when `resize`, else a `UsageError` if its size differs."""
    try:
        contents = tf.io.read_file(file)
        image = (
            decode_and_resize(contents, shape[:2], shape[2])
            if resize
            else tf.io.decode_image(contents, channels=shape[2], expand_animations=False)
        )
    except tf.errors.OpError as error:
        raise UsageError(f"Cannot decode {file!r} as an image ({error.message}).") from None
    if tuple(image.shape) != tuple(shape):
        raise UsageError(
            f"{file!r} is {image.shape[0]}x{image.shape[1]}; {what} {shape[0]}x{shape[1]} images. Pass "
            "--resize to resize every image to that size."
        )
    return image.numpy()


def translate_command(args):
    with users_input():
        translator = kgan.trained.open_generator(args.model, TRANSLATE_DIRECTIONS.get(args.direction))
    if not translator.translates:
        raise UsageError(
            f"{args.model!r} draws images from latent vectors rather than translating images: use kgan sample."
        )
    (_, shape), *extra = translator.source_shapes.items()
    if extra and args.masks is None:
        raise UsageError(
            f"This translator also takes {extra[0][0]} (an inpainting model fills holes): pass --masks DIR, "
            "one mask image per image under the same name, white where pixels are missing."
        )
    if args.masks is not None and not extra:
        raise UsageError("--masks is for inpainting models; this translator takes images alone.")
    with users_input():
        check_output_folder(args.out, TRANSLATED, "translation", args.overwrite, "--overwrite")
        sources = files_by_name(args.images)
        names, files = list(sources), list(sources.values())
        masks = _partners(args.masks, names) if extra else None
        with written_whole(args.out) as folder:
            for start in range(0, len(files), args.batch_size):
                chunk = slice(start, start + args.batch_size)
                sources = np.stack([_read_image(f, shape, args.resize, "the model takes") for f in files[chunk]])
                inputs = images.from_uint8(sources)
                if masks is not None:
                    holes = [_read_image(f, extra[0][1], args.resize, "the model takes") for f in masks[chunk]]
                    inputs = (inputs, (np.stack(holes) > 127).astype(np.float32))
                for name, output in zip(names[chunk], images.to_uint8(translator.translate(inputs))):
                    images.save_png(os.path.join(folder, f"{name}.png"), output)
            with open(os.path.join(folder, TRANSLATED), "w") as f:
                json.dump({"model": args.model, "images": args.images, "count": len(files)}, f, indent=2)
    height, width, channels = translator.image_shape
    print(f"translated {len(files)} images from {args.images} into {args.out} ({height}x{width}x{channels})")
    return 0


#: `kgan translate --direction`: the signature of a two-way (CycleGAN) export that runs.
TRANSLATE_DIRECTIONS = {"AtoB": "a_to_b", "BtoA": "b_to_a"}

#: The file `kgan translate` leaves in its --out folder, so that a later run may replace it.
TRANSLATED = "translated.json"


def _partners(folder, names):
    """The file in `folder` for each of `names` (paths without extension), or a `UsageError` naming the missing."""
    by_name = files_by_name(folder)
    missing = [name for name in names if name not in by_name]
    if missing:
        raise UsageError(
            f"{len(missing)} images have no mask of the same name in {folder}, e.g. {missing[:3]}; every image "
            "needs one."
        )
    return [by_name[name] for name in names]


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

    if args.truncation is not None and not generator.truncates:
        raise UsageError("--truncation is for StyleGAN2 and BigGAN generators; this one does not truncate.")
    if args.labels is not None and generator.num_classes is None:
        raise UsageError("--labels is for conditional GANs; this generator takes no labels.")
    return None if args.labels is None else np.resize(np.asarray(args.labels), count)


def export_command(args):
    with users_input():
        gan = kgan.load_gan(args.model, purpose="Export builds its signatures from the GAN's networks")
        path = kgan.export_generator(
            gan, args.out, format=args.format, signature=args.signature, overwrite=args.overwrite
        )
        signatures = signature_names(gan, format=export_format(path, args.format), signature=args.signature)
    print(f"generator exported to {path} (signatures {', '.join(signatures)})")
    return 0


def evaluate_command(args):
    with users_input():
        if args.images:
            return _evaluate_images(args)
        generator = kgan.trained.open_generator(args.model)  # first: a wrong --model fails before the data loads
        config = _run_config(args.model)
        direction = args.direction or config.get("direction", "AtoB")
        if TRANSLATE_DIRECTIONS[direction] in generator.signatures:  # a two-way model: run the way asked
            generator = kgan.trained.open_generator(args.model, TRANSLATE_DIRECTIONS[direction])
        if args.dataset is None:
            args.dataset = config["dataset"] if config.get("dataset") in EVALUATION_DATASETS else "mnist"
        if args.data_dir is None and config.get("dataset") == args.dataset:
            args.data_dir = config.get("data_dir")
        if not generator.translates and (args.pairs or args.direction):
            option = "--pairs" if args.pairs else "--direction"
            raise UsageError(f"{option} is for image-to-image models; {args.model!r} draws from latent vectors.")
        kind = "translating" if generator.translates else "sampling"
        if kind == "sampling" and generator.num_classes is not None:
            kind = "conditional"
        extractor = _extractor(args, generator.image_shape, config)
        names = args.metrics or (
            ["fid"] if args.reference else _fitting_defaults(kind, extractor, generator, args.dataset)
        )
        if args.memorization and (kind == "translating" or extractor is None):
            raise UsageError(
                "--memorization compares samples with training images in an extractor's features: "
                + ("this model translates images." if kind == "translating" else "no extractor fits them.")
            )
        if args.reference and kind == "translating":
            raise UsageError(
                "--reference holds the real statistics of FID for a generator that samples; this model "
                "translates images."
            )
        metrics = [_metric(name, extractor, generator, args) for name in names]  # refused before the data loads
        if kind == "translating":
            real = _held_out_pairs(args, generator, config, direction)
        else:
            real = None if _reference_alone(args, names) else _real_images(args, labels=kind == "conditional")
        if args.truncation is not None and not generator.truncates:
            raise UsageError(f"--truncation is for StyleGAN2 and BigGAN generators; {args.model!r} does not truncate.")
        results = kgan.evaluate(
            generator,
            real,
            metrics,
            num_samples=args.num_samples,
            seed=args.seed,
            truncation=args.truncation,
            repeats=args.repeats,
        )
        if kind == "translating":
            results.update(baseline_scores(real, args.num_samples))
        if args.memorization:
            results.update(_memorization(args, generator, extractor))
        _print_results(results, extractor)
    return 0


def _reference_alone(args, names):
    """Whether the metrics need no real images: FID alone, against --reference (which holds FID's
    real statistics, so fid must be among the metrics when it is given)."""
    if args.reference and "fid" not in names:
        raise UsageError("--reference holds the real statistics of FID: add fid to --metrics.")
    return bool(args.reference) and names == ["fid"]


def _print_results(results, extractor):
    results["extractor"] = None if extractor is None else extractor.name
    print(json.dumps({k: round(v, 6) if isinstance(v, float) else v for k, v in results.items()}))


def _evaluate_images(args):
    """kgan evaluate --images: a folder of generated images scored as they are, against
    --real-images or --dataset's --split, with the metrics of features."""
    drawn = {
        "--truncation": args.truncation is not None,
        "--repeats": args.repeats > 1,
        "--memorization": args.memorization,
    }
    if any(drawn.values()):
        option = next(name for name, given in drawn.items() if given)
        raise UsageError(f"{option} draws samples from a --model; the --images of a folder are scored as they are.")
    generated = kgan.images.from_uint8(kgan.data.read_images(args.images))
    image_shape = generated.shape[1:]
    if args.dataset is None:  # the dataset whose images these look like, else mnist
        fitting = [name for name, shape in kgan.metrics.extractors.DOMAINS.items() if tuple(shape) == image_shape]
        args.dataset = (fitting or ["mnist"])[0]
    extractor = _extractor(args, image_shape, {})
    if extractor is None:
        raise UsageError(
            f"The images are {'x'.join(map(str, image_shape))}; kgan's {args.dataset} classifier takes "
            f"{'x'.join(map(str, kgan.metrics.extractors.DOMAINS[args.dataset]))}. Pass --fid-inception FILE, "
            "which takes any size, or the --dataset of the images' size."
        )
    names = args.metrics or (["fid"] if args.reference else DEFAULT_METRICS["sampling"])
    unfit = [name for name in names if name in PAIRED_METRICS or name in ("class_accuracy", "intra_fid")]
    if unfit:
        raise UsageError(
            f"--metrics {' '.join(unfit)} need a model (its classes or its translations); --images has neither."
        )
    metrics = [_metric(name, extractor, None, args) for name in names]
    real = None if _reference_alone(args, names) else _real_images(args, labels=False)
    results = kgan.evaluate(generated, real, metrics, num_samples=min(args.num_samples, len(generated)))
    _print_results(results, extractor)
    return 0


def _run_config(model):
    """The config.json of the `kgan train` run that `model` (its folder, export or a checkpoint) lies in, or {}."""
    path = os.path.normpath(os.path.abspath(model))
    for folder in (path, os.path.dirname(path), os.path.dirname(os.path.dirname(path))):
        file = os.path.join(folder, "config.json")
        if os.path.isfile(file) and os.path.isdir(os.path.join(folder, "checkpoints")):
            with open(file) as f:
                return json.load(f)
    return {}


def _extractor(args, image_shape, config):
    """The FID Inception from --fid-inception or InceptionV3 from --inception-weights, else kgan's
    classifier of --dataset when it takes `image_shape` or the model's run trained on --dataset
    resized (it then resizes the samples back), else None."""
    if args.resize and not args.fid_inception:
        raise UsageError("--resize says how --fid-inception's input is resized: pass --fid-inception FILE too.")
    if args.fid_inception:
        return kgan.metrics.fid_inception(args.fid_inception, args.resize or "clean", channels=image_shape[-1])
    if args.inception_weights:
        return kgan.metrics.inception_v3(args.inception_weights, channels=image_shape[-1])
    domain = kgan.metrics.extractors.DOMAINS[args.dataset]
    if tuple(domain) == tuple(image_shape):
        return kgan.metrics.domain_extractor(args.dataset)
    if config.get("dataset") == args.dataset and domain[-1] == image_shape[-1]:  # the run resized them
        return kgan.metrics.domain_extractor(args.dataset, resize=True)
    return None


def _fitting_defaults(kind, extractor, generator, dataset):
    """The default metrics of `kind` that can be computed: those of features when an extractor
    fits, those of classes when the dataset's classes are the generator's."""
    names = DEFAULT_METRICS[kind]
    if kind == "conditional" and not _same_classes(generator, dataset):
        names = DEFAULT_METRICS["sampling"]
    if extractor is None:
        if kind != "translating":
            _no_extractor(generator, dataset)
        names = [name for name in names if name in PAIRED_METRICS]
    return names


#: The metrics that compare each translation with its target, and need no extractor.
PAIRED_METRICS = ("psnr", "ssim")


def _same_classes(generator, dataset):
    names = kgan.data.CLASS_NAMES[dataset]
    if generator.class_names is not None:
        return list(generator.class_names) == list(names)
    return generator.num_classes == len(names)


def _no_extractor(generator, dataset):
    height, width, channels = generator.image_shape
    raise UsageError(
        f"The model makes {height}x{width}x{channels} images; kgan's {dataset} classifier takes "
        f"{'x'.join(map(str, kgan.metrics.extractors.DOMAINS[dataset]))}. Pass the --dataset of the model's "
        "images, or --fid-inception FILE for the features of published FIDs."
    )


def _metric(name, extractor, generator, args):
    """The metric `name` of `kgan evaluate --metrics`, made for the generator and extractor."""
    metric_class = getattr(kgan.metrics, METRICS[name])
    if name in PAIRED_METRICS:
        if not generator.translates:
            raise UsageError(f"--metrics {name} compares translations with their targets; this model draws samples.")
        return metric_class()
    if extractor is None:
        _no_extractor(generator, args.dataset)
    if name in ("class_accuracy", "intra_fid"):
        if generator.translates or generator.num_classes is None:
            raise UsageError(f"--metrics {name} scores the classes of a conditional generator; this one has none.")
        if not _same_classes(generator, args.dataset):
            raise UsageError(
                f"--metrics {name} needs the generator's classes ({', '.join(map(str, generator.class_names or []))}) "
                f"to be {args.dataset}'s, whose classifier judges them."
            )
        if name == "class_accuracy":
            return metric_class(extractor, class_names=generator.class_names)
        return metric_class(extractor, generator.num_classes, class_names=generator.class_names)
    if name in ("kid", "precision_recall", "density_coverage", "fid_infinity"):
        return metric_class(extractor, num_samples=args.num_samples)
    if name == "fid":
        return metric_class(extractor, reference=args.reference)
    return metric_class(extractor)


def _memorization(args, generator, extractor):
    """`kgan.memorization` of the generator against --dataset's training split, its grid written to
    --memorization's PNG; the figures without `samples` (the JSON has it) and a `memorization_grid`."""
    training = _real_images(args, labels=False, split="train")
    found = kgan.memorization(
        generator, training, extractor, num_samples=args.num_samples, seed=args.seed, grid_path=args.memorization
    )
    found.pop("samples")
    return {**found, "memorization_grid": args.memorization}


def _real_images(args, labels, split=None):
    """The --real-images, or --dataset's --split (`split` another), to compare samples with, with its
    labels for a conditional generator:
    in an order shuffled with --seed, so that fewer samples than the split holds are a random
    subset of it, not its first images (the CIFAR-10 subset's test split is sorted by class: its
    first 2,000 are airplanes and cars)."""
    if args.real_images and split is None:
        if labels:
            raise UsageError(
                "--real-images has no labels for a conditional generator's class metrics: pass --metrics without "
                "class_accuracy and intra_fid, or compare with --dataset's labelled images."
            )
        real = kgan.images.from_uint8(kgan.data.read_images(args.real_images))
        return real[np.random.default_rng(args.seed).permutation(len(real))]
    check_data_dir(args.data_dir)
    try:
        return kgan.data.load(
            args.dataset,
            data_dir=args.data_dir,
            split=split or args.split,
            batch_size=250,
            labels=labels,
            shuffle=True,
            seed=args.seed,
            drop_remainder=False,
        )
    except kgan.data.DatasetUnavailable as error:
        raise UsageError(
            f"The real {args.dataset} images to compare with are not available here: {error.reason}. "
            f"Pass --data-dir FOLDER (the dataset's original files) or set KGAN_DATA_DIR=ROOT "
            f"(with ROOT/{args.dataset}/)."
        ) from None


def _held_out_pairs(args, generator, config, direction):
    """`(source, target)` batches for a translator: --pairs' folders (A and B matched by name, or one
    of side-by-side A|B files; `direction` says which is the source), or the pairs of the
    named dataset's --split made as `kgan train` made the run's (SRGAN's downscaled images and
    Inpainting's holes need no run)."""
    (_, source_shape), *masks = generator.source_shapes.items()
    target_shape = generator.image_shape
    if args.pairs:
        if masks:
            raise UsageError("--pairs is for translators of one input; an inpainting model is scored on --dataset.")
        if len(args.pairs) > 2:
            raise UsageError(
                f"--pairs takes A_DIR B_DIR, or one folder of side-by-side A|B files; got {len(args.pairs)} folders."
            )
        if source_shape[:2] != target_shape[:2] and len(args.pairs) == 1:
            raise UsageError(
                "Side-by-side A|B files hold halves of one size; this model upscales: pass --pairs LOW_RES_DIR "
                "HIGH_RES_DIR."
            )
        formats = dict(
            batch_size=250, source_channels=source_shape[-1], target_channels=target_shape[-1], shuffle=False
        )
        if len(args.pairs) == 1:
            return kgan.data.side_by_side_folder(
                args.pairs[0], target_shape[:2], direction, drop_remainder=False, **formats
            )
        return kgan.data.paired_folders(
            *(args.pairs if direction == "AtoB" else args.pairs[::-1]),
            image_size=target_shape[:2],
            source_size=source_shape[:2],
            drop_remainder=False,
            **formats,
        )
    check_data_dir(args.data_dir)
    folder = kgan.data.resolve_data_dir(args.dataset, args.data_dir)
    if folder is None:
        raise UsageError(
            f"The held-out pairs are made of {args.dataset}'s {args.split} split, whose files are not here: "
            f"pass --data-dir FOLDER or set KGAN_DATA_DIR=ROOT (with ROOT/{args.dataset}/), or --pairs SOURCE_DIR "
            "TARGET_DIR."
        )
    pictures = kgan.data.load_arrays(args.dataset, folder, args.split)[0]
    # A random subset, as _real_images draws one: a split may be sorted by class.
    pictures = pictures[np.random.default_rng(args.seed).permutation(len(pictures))[: args.num_samples]]
    recipe = RECIPES.get(config.get("recipe"))
    own_data = any(config.get(option) for option in ("pairs", "domains", "image_folder", "tfrecords"))
    made = held_out_pairs(
        pictures,
        generator,
        data=None if recipe is None or own_data else recipe.data,
        direction=direction,
        hole_size=config.get("hole_size", 0.5),
        seed=args.seed,
    )
    if made is None:
        trained_on = f"the {recipe.name} run's own folders" if own_data else "pairs kgan cannot tell from the model"
        raise UsageError(
            f"This translator was trained on {trained_on}: pass held-out pairs as --pairs A_DIR B_DIR, or "
            "--pairs AB_DIR of side-by-side A|B files."
        )
    sources, targets = made
    if tuple(targets.shape[1:]) != tuple(target_shape):
        raise UsageError(
            f"The model makes {'x'.join(map(str, target_shape))} images; {args.dataset}'s are "
            f"{'x'.join(map(str, targets.shape[1:]))}. Pass --pairs A_DIR B_DIR of its size."
        )
    return pair_batches(sources, targets)
