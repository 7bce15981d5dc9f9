"""Which class-conditional design wins at equal CPU minutes, and from which budget on.

    python benchmarks/conditional_budget.py --dataset cifar10 --data-dir ../shared/data/cifar10 \
        --minutes 2 4 8 --seeds 0 1 2 [--recipes projection acgan biggan stylegan2 r3gan] [--num-samples 5000]

Each recipe is the GAN `kgan train --recipe NAME` builds with its defaults (stylegan2 and r3gan
with `--labels`: StyleGAN2-ADA's and the official R3GAN's conditioning; r3gan's schedules run
over the steps the longest budget buys at `--scheduled-images-per-second`), trained by `fit` on
the dataset's labelled training images (resized to 32x32 for stylegan2 and r3gan where they are
not a power of two: Fashion-MNIST, MNIST), one recipe at a time in this process. Only training
time counts: at each budget of `--minutes` the run pauses and its generator is scored by
`kgan.evaluate` on `--num-samples` samples against the test split, as `kgan evaluate` scores a
run: FID and KID on kgan's shipped extractor of the dataset, precision/recall, the shipped
classifier's accuracy on the requested class and intra-FID (FID within each class, averaged). At
the last budget the truncating recipes are also scored along their truncation curve
(BigGAN's thresholds, StyleGAN2's psi, the first none; `--no-truncation` skips it), where
precision should rise and recall fall. With `--grids DIR`, each score also writes its samples as a PNG
grid in DIR, one row per class, the same latents in every grid.

Prints one JSON line per score and, at the end, each recipe's mean and standard deviation over
the seeds at each budget. `lscpu`'s model name first: budgets are minutes of this CPU.
"""

import argparse
import json
import statistics
import time

import keras
import numpy as np
from conditional_speed import cpu  # benchmarks/conditional_speed.py, beside this script

import kgan
import kgan_cli.parser
import kgan_cli.train

METRICS = ("fid", "kid", "precision", "recall", "class_accuracy", "intra_fid")
#: The truncation curve's points, by the meaning of "truncation" in each family.
TRUNCATIONS = {"biggan": (None, 2.0, 1.0, 0.5), "stylegan2": (None, 0.9, 0.7, 0.5)}


class TrainingClock(keras.callbacks.Callback):
    """Counts training time across `fit` calls and stops `fit` once it reaches `until` seconds.

    The first step, which traces and compiles the step function (10-60 s, longer for the larger
    networks), is kept apart as `compile_seconds`: the budgets are minutes of training.
    """

    def __init__(self):
        super().__init__()
        self.trained, self.until, self.steps, self.compile_seconds = 0.0, 0.0, 0, None

    def on_train_batch_begin(self, batch, logs=None):
        self.started = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        elapsed = time.perf_counter() - self.started
        if self.compile_seconds is None:
            self.compile_seconds = elapsed
        else:
            self.trained += elapsed
        self.steps += 1
        if self.trained >= self.until:
            self.model.stop_training = True


def build(name, seed, num_classes, image_shape, class_names, schedule_steps):
    """The recipe's GAN as `kgan train --recipe NAME --seed SEED` builds and compiles it; a
    recipe with schedules (r3gan) runs them over `schedule_steps`, as kgan train over its run."""
    recipe = kgan_cli.parser.RECIPES[name]
    conditional = ["--labels"] if "labels" in recipe.options else []
    args = kgan_cli.parser.build_parser().parse_args(["train", "--recipe", name, *conditional, "--seed", str(seed)])
    recipe = kgan_cli.train.apply_recipe(args)
    gan = kgan_cli.train.build_gan(
        recipe, args, image_shape, {"num_classes": num_classes, "class_names": list(class_names)}
    )
    gan.compile(
        loss=args.loss,
        learning_rate=(args.d_lr, args.g_lr),
        betas=(args.beta_1, args.beta_2),
        d_steps=args.d_steps,
        reuse_fakes=args.reuse_fakes,
        **({"schedule_steps": schedule_steps} if recipe.scheduled else {}),
        **kgan_cli.train._given(recipe.compile(args)),
    )
    return gan, recipe


def held_out(options, size):
    """The same random `--num-samples` test images (and labels) for every score: a test split may
    be sorted by class (the CIFAR-10 subset's is), so its first images would be one or two classes."""
    images, labels = kgan.data.load_arrays(options.dataset, options.data_dir, "test")
    chosen = np.random.default_rng(0).permutation(len(images))[: options.num_samples]
    test = kgan.data.from_arrays(images[chosen], labels[chosen], batch_size=250, shuffle=False, drop_remainder=False)
    return test if size is None else kgan.data.resize_batches(test, (size, size))


def scores(gan, test, extractor, num_samples, truncation=None):
    metrics = [
        kgan.metrics.FrechetInceptionDistance(extractor),
        kgan.metrics.KernelInceptionDistance(extractor, num_samples=num_samples),
        kgan.metrics.PrecisionRecall(extractor, num_samples=num_samples),
        kgan.metrics.ClassAccuracy(extractor, class_names=gan.class_names),
        kgan.metrics.IntraClassFID(extractor, gan.num_classes, class_names=gan.class_names),
    ]
    results = kgan.evaluate(gan, test, metrics, num_samples=num_samples, seed=1, truncation=truncation)
    return {name: round(results[name], 4) for name in METRICS}


def save_samples(gan, options, row):
    """Ten samples of each class, a row per class, as `DATASET_RECIPE_sSEED_MINUTESmin[_tTRUNCATION].png`."""
    labels = np.repeat(np.arange(gan.num_classes), 10)
    images = gan.generate(len(labels), labels=labels, seed=0, truncation=row["truncation"])
    name = f"{options.dataset}_{row['recipe']}_s{row['seed']}_{row['minutes']:g}min"
    name += "" if row["truncation"] is None else f"_t{row['truncation']:g}"
    kgan.images.save_grid(f"{options.grids}/{name}.png", images, columns=10)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", choices=["cifar10", "fashion_mnist", "mnist"], default="cifar10")
    parser.add_argument("--data-dir", help="the dataset's folder (default: $KGAN_DATA_DIR/<dataset>)")
    parser.add_argument("--recipes", nargs="+", default=["projection", "acgan", "biggan", "stylegan2"])
    parser.add_argument("--minutes", type=float, nargs="+", default=[2.0, 4.0, 8.0], help="training budgets")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--num-samples", type=int, default=5000, help="samples (and test images) per score")
    parser.add_argument("--no-truncation", action="store_true", help="skip the truncation curves")
    parser.add_argument("--grids", metavar="DIR", help="write each score's samples as a PNG grid here")
    parser.add_argument(
        "--scheduled-images-per-second",
        type=float,
        default=430.0,
        help="the training speed of the recipes with schedules (r3gan), for the steps the longest budget "
        "buys, over which their schedules run (default: 430, r3gan's on a 2-core AVX-512 Xeon)",
    )
    options = parser.parse_args()
    print(json.dumps({"cpu": cpu(), "dataset": options.dataset, "minutes": options.minutes}), flush=True)
    extractor = kgan.metrics.domain_extractor(options.dataset, resize=True)
    class_names = kgan.data.CLASS_NAMES[options.dataset]
    rows = []
    for seed in options.seeds:
        for name in options.recipes:
            size = 32 if kgan_cli.parser.RECIPES[name].power_of_two else None
            load = dict(data_dir=options.data_dir, labels=True, image_size=size)
            train = kgan.data.load(options.dataset, seed=seed, **load)
            test = held_out(options, size)
            image_shape = tuple(next(iter(train))[0].shape[1:])
            schedule_steps = round(max(options.minutes) * 60 * options.scheduled_images_per_second / 64)
            gan, recipe = build(name, seed, len(class_names), image_shape, class_names, schedule_steps)
            clock = TrainingClock()
            for minutes in sorted(options.minutes):
                clock.until = minutes * 60
                while clock.trained < clock.until:
                    gan.fit(train, epochs=1, verbose=0, callbacks=[clock])
                curve = TRUNCATIONS.get(name, (None,)) if minutes == max(options.minutes) else (None,)
                for truncation in curve[: 1 if options.no_truncation else None]:
                    row = {"recipe": name, "seed": seed, "minutes": minutes, "steps": clock.steps}
                    row["compile_seconds"] = round(clock.compile_seconds, 1)
                    scored = scores(gan, test, extractor, options.num_samples, truncation)
                    row.update({"truncation": truncation, **scored})
                    rows.append(row)
                    if options.grids:
                        save_samples(gan, options, row)
                    print(json.dumps(row), flush=True)
    summary = {}
    for row in rows:
        summary.setdefault((row["recipe"], row["minutes"], row["truncation"]), []).append(row)
    for (name, minutes, truncation), found in summary.items():
        figures = {"recipe": name, "minutes": minutes, "truncation": truncation, "seeds": len(found)}
        figures["steps"] = round(statistics.mean(row["steps"] for row in found))
        for metric in METRICS:
            values = [row[metric] for row in found]
            spread = statistics.stdev(values) if len(values) > 1 else 0.0
            figures[metric] = f"{statistics.mean(values):.4g} ± {spread:.2g}"
        print(json.dumps({"mean": figures}, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
