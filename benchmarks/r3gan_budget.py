"""R3GAN's settings at a CPU budget: the paper's against faster ones, at equal minutes.

    python benchmarks/r3gan_budget.py --data-dir ../shared/data/mnist --minutes 2 --seeds 0 1 2

Trains `kgan.R3GAN((32, 32, 1), widths=16, latent_dim=64)` (`kgan train --recipe r3gan`'s
networks) on MNIST resized to 32x32 for `--minutes` of wall-clock time each
(`kgan.callbacks.TimeLimit`), one run at a time in this process, with its schedules spanning the
steps the budget buys at `--images-per-second`:

  paper  the family's compile(), the recipe's: Adam 2e-4 falling to 5e-5, R1 and R2 every D step;
  cpu    Adam at a constant 2e-3, R1 and R2 every 16 D steps (`kgan train --recipe r3gan --d-lr 2e-3
         --g-lr 2e-3 --penalty-every 16`);
  lr     2e-3 alone;  lazy  penalty_every=16 alone.

Each is scored by the FID of its EMA generator (what grids, generate and the export use) and of
the raw one in kgan's MNIST extractor, 5,000 samples against the test set; ends with a Markdown
table of mean ± sd over the seeds. With `--grids DIR` each run's 64 EMA samples go to a PNG there.
"""

import argparse
import json
import time

from main_job import table  # benchmarks/main_job.py, beside this script

import kgan

VARIANTS = {
    "paper": {},
    "cpu": {"learning_rate": 2e-3, "penalty_every": 16},
    "lr": {"learning_rate": 2e-3},
    "lazy": {"penalty_every": 16},
}


def run(variant, seed, options, extractor, test):
    train = kgan.data.load("mnist", data_dir=options.data_dir, image_size=32, seed=seed)
    gan = kgan.R3GAN((32, 32, 1), latent_dim=64, widths=16, seed=seed)
    gan.compile(schedule_steps=round(options.minutes * 60 * options.images_per_second / 64), **VARIANTS[variant])
    started = time.perf_counter()
    gan.fit(train, epochs=1000, verbose=0, callbacks=[kgan.callbacks.TimeLimit(options.minutes)])
    result = {"variant": variant, "seed": seed, "minutes": (time.perf_counter() - started) / 60}
    result["steps"] = int(gan.g_optimizer.iterations)
    for name, generator in (("fid_ema", gan.ema_generator), ("fid_raw", gan.generator)):
        fid = kgan.metrics.FrechetInceptionDistance(extractor)
        result[name] = float(kgan.evaluate(generator, test, [fid], num_samples=options.num_samples)["fid"])
    if options.grids:
        samples = gan.generate(64, seed=0)
        kgan.images.save_grid(f"{options.grids}/r3gan_{variant}_s{seed}.png", samples, columns=8)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", required=True, help="MNIST's folder")
    parser.add_argument("--minutes", type=float, default=2.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--variants", nargs="+", choices=sorted(VARIANTS), default=["paper", "cpu"])
    parser.add_argument("--images-per-second", type=float, default=450.0, help="for the schedules' length")
    parser.add_argument("--num-samples", type=int, default=5000)
    parser.add_argument("--grids", metavar="DIR", help="write each run's EMA samples as a PNG grid here")
    options = parser.parse_args()
    extractor = kgan.metrics.domain_extractor("mnist", resize=True)
    test = kgan.data.load("mnist", data_dir=options.data_dir, split="test", batch_size=250)
    results = {}
    for seed in options.seeds:
        for variant in options.variants:
            result = run(variant, seed, options, extractor, test)
            print(json.dumps(result), flush=True)
            results.setdefault(variant, []).append(result)
    print(table(results, ("minutes", "steps", "fid_ema", "fid_raw")))


if __name__ == "__main__":
    main()
