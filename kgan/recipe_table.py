"""The recipe table: what `kgan train --recipe NAME` trains, one entry per recipe.

Each `Recipe` declares everything the command line knows about it: the kgan family it trains,
the options it takes beyond the common ones and its defaults for them, how the family's networks
and `compile()` settings follow from the options, the data it needs, the image sizes it makes and
the callbacks it adds to a run. The command line has no other knowledge of recipes: it builds its
`--help`, its checks and its runs from this table, so adding a recipe to `kgan train` is one entry
here.

Plain Python with no imports from kgan or TensorFlow: `kgan --help` reads this file on its own,
before TensorFlow loads (as it reads `kgan/data/catalog.py`). Families and callbacks are named by
their names in `kgan` and `kgan.callbacks`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Option:
    """A `kgan train` option that only some recipes take (its value is None where not given)."""

    flag: str
    help: str
    kind: str = "float"  # "positive_int", "float", "finite_float", "text" or "switch" (--flag / --no-flag)
    choices: tuple = ()  # the values it takes, when only some


@dataclass(frozen=True)
class Recipe:
    """One `--recipe` of `kgan train`.

    Attributes:
        name: the value of `--recipe`.
        family: the class in `kgan` it trains.
        summary: what it is, for `--help`.
        network: the options (an argparse namespace) -> the family's constructor arguments
            besides `image_shape`, `latent_dim`, `seed` and `ema_decay`, which every recipe
            gets. A value of None leaves the family's default.
        compile: the options -> `compile()` arguments of the recipe's own options (None: the
            family's default), besides those every recipe takes (`--loss`, `--d-lr`, ...).
        options: names of the `OPTIONS` it takes; giving another recipe's option is an error.
        defaults: its values for options the user left out, common ones included (the latent
            size, learning rates, ...); an option without one takes the family's default, but
            `--width`, `--ema-decay` and `--reuse-fakes` take kgan train's (32, 0.99, on).
        data: what it trains on (with `--labels`, for the recipes that take it: "labelled_images"):
            "images" (unlabelled); "labelled_images": a named dataset's
            labels, or an `--image-folder` of one subfolder per class (the family then gets
            `num_classes` and `class_names` from the data); "pairs": `--pairs` folders, an
            `--image-folder` of side-by-side A|B files, or a named dataset's grey -> colour (or
            edges -> image) pairs (the family gets the source shape and `target_channels`);
            "domains": two unpaired `--domains` folders, or a named dataset and its negatives.
        epoch_share: the share of the dataset's default epochs it trains when `--epochs` is not
            given (at least one epoch): below 1 for recipes whose steps cost several DCGAN steps,
            so that its default run on MNIST takes about as long as the DCGAN's.
        power_of_two: it makes square images of a power-of-two side, so named datasets of
            other sizes are resized up to the next one (MNIST's 28x28 to 32x32).
        callbacks: `(class in kgan.callbacks, folder of the run)` pairs of the pictures it adds;
            each class takes `log_dir`, `png_dir` and `seed`.
        scheduled: its family's `compile()` takes `schedule_steps`, which `kgan train` sets to the
            run's number of steps (the schedules end with the run).
        cpu_bfloat16: its step runs faster in bfloat16 on CPUs that compute it natively, so
            `--precision auto` picks mixed_bfloat16 there; False: float32 on CPUs.
    """

    name: str
    family: str
    summary: str
    network: Callable[[Any], dict]
    compile: Callable[[Any], dict] = lambda options: {}
    options: tuple[str, ...] = ()
    defaults: dict = field(default_factory=dict)
    data: str = "images"
    epoch_share: float = 1.0
    power_of_two: bool = False
    callbacks: tuple[tuple[str, str], ...] = ()
    scheduled: bool = False
    cpu_bfloat16: bool = True


#: The options only some recipes take, by their argparse name.
OPTIONS = {
    "kernel_size": Option("--kernel-size", "the convolutions' kernel size; the tutorial's is 5", "positive_int"),
    "dropout": Option("--dropout", "dropout in the discriminator; the tutorial's is 0.3"),
    "minibatch_std": Option(
        "--minibatch-std",
        "end the discriminator with a minibatch standard deviation channel and a 3x3 convolution "
        "(ProGAN/StyleGAN), so it sees how varied a batch is",
        "switch",
    ),
    "r1_gamma": Option(
        "--r1-gamma",
        "the weight of R1 on real images, applied every 16 D steps (the family's default: "
        "0.0002 * size**2 / 64, StyleGAN2-ADA's heuristic: 0.0032 at 32x32; 0 turns it off)",
        "finite_float",
    ),
    "pl_weight": Option(
        "--pl-weight",
        "the weight of path-length regularization, every 4 G steps (the family's default: 2; 0 turns it off)",
        "finite_float",
    ),
    "scale": Option(
        "--scale",
        "upscaling factor: the images are the high-resolution targets and their 1/SCALE-size copies "
        "(area downscaling) the inputs; the image side must divide by it",
        "positive_int",
        choices=(2, 4, 8),
    ),
    "direction": Option(
        "--direction",
        "which side is the source: AtoB translates the left half of side-by-side files (the first of "
        "--pairs' folders) into the right one, BtoA the other way",
        "text",
        choices=("AtoB", "BtoA"),
    ),
    "hole_size": Option(
        "--hole-size",
        "side of the random square hole to fill, as a fraction of the image side, in (0, 1)",
        "finite_float",
    ),
    "mixing": Option(
        "--mixing",
        "the share of training batches made from two mixed ws (the family's default: 0.9; 0 turns it off)",
        "finite_float",
    ),
    "gamma": Option(
        "--gamma",
        "the weight of R1 on real and of R2 on fake images, at the start of its cosine schedule (down to a "
        "tenth by the run's end); the family's default: 0.05, the paper's for CIFAR-10",
        "finite_float",
    ),
    "penalty_every": Option(
        "--penalty-every",
        "apply R1 and R2 every N D steps, weighted N times (lazy: the same average strength); the family's "
        "default: 1, every step, the paper's",
        "positive_int",
    ),
    "labels": Option(
        "--labels",
        "class-conditional: train on a named dataset's labels or an --image-folder of one subfolder per "
        "class, and draw the class asked for (off by default)",
        "switch",
    ),
}

# The DCGAN-based recipes: DCGAN networks of --width filters (the paper's is 64) with 4x4 kernels
# and no dropout, chosen with the options below for the quality of the samples per minute of CPU
# training (docs/performance.md, "The first run"; benchmarks/main_job.py).
_DCGAN_OPTIONS = ("kernel_size", "dropout", "minibatch_std")
_DCGAN_DEFAULTS = {"kernel_size": 4, "dropout": 0.0, "minibatch_std": False, "latent_dim": 100}
# 16 latent dimensions and Adam at 1e-3 with betas (0, 0.99) for both networks: faster than the
# DCGAN paper's 100 and Adam(2e-4, 0.5, 0.999) for the same samples on CPUs (docs/performance.md).
_FAST_ADAM = {"latent_dim": 16, "d_lr": 1e-3, "g_lr": 1e-3, "beta_1": 0.0, "beta_2": 0.99}
# dcgan and lsgan are tuned further: a minibatch-standard-deviation block ending D.
_TUNED = {**_DCGAN_DEFAULTS, "minibatch_std": True, **_FAST_ADAM}


# The recipes whose steps cost several DCGAN steps, tuned for the quality of the samples per minute
# on a 2-core AVX2 CPU, where 3 epochs of MNIST with the families' settings at width 32 would take
# about 17 (wgangp), 30 (sngan) and 28 minutes (stylegan2), estimated from their measured steps.
# On MNIST, measured as FID with kgan's classifier (docs/recipes.md, "On real images";
# benchmarks/families.py): wgangp with 2 critic
# steps instead of the paper's 5, Adam at 3e-4 instead of 1e-4, 16 latent dimensions and the
# minibatch-standard-deviation block, 2 epochs (13.4 in 6.8-9.3 minutes; 3 epochs at 1e-4 without the
# last two: 29.9 in 7.2); sngan half as wide with 1 D step, 2 epochs (23.5 in 6.8 minutes; 2 D
# steps: 21.6 in 9.0); stylegan2 one epoch.
_WGANGP_DEFAULTS = {
    **_DCGAN_DEFAULTS,
    "minibatch_std": True,
    "latent_dim": 16,
    "d_lr": 3e-4,
    "g_lr": 3e-4,
    "d_steps": 2,
}
_SNGAN_DEFAULTS = {"latent_dim": 100, "width": 16, "d_steps": 1}


# The image-to-image recipes: their samples and export come from the raw generator, whose
# generator step runs it again: the defaults' moving average (0.99) and reused fakes suit
# sampling from noise, but lag a generator that learns a regression to its targets. Pix2pix on
# one epoch of 10,000 MNIST pairs: 11.9 dB PSNR on held-out pairs without them, 9.0 dB with
# (docs/translation.md; benchmarks/families.py).
_TRANSLATING = {"ema_decay": 0.0, "reuse_fakes": False}


# The conditional recipes: DCGAN networks conditioned three ways, with the DCGAN recipes' 4x4
# kernels, no dropout and fast Adam: after one MNIST epoch, the requested digit in 97% of ACGAN's
# samples against 88% with the families' own 5x5 kernels, dropout 0.3, 100 latent dimensions and
# Adam(2e-4, 0.5), in the same time (docs/conditional.md; benchmarks/families.py).
_CONDITIONAL_OPTIONS = ("kernel_size", "dropout")
_CONDITIONAL_DEFAULTS = {"kernel_size": 4, "dropout": 0.0, **_FAST_ADAM}


# BigGAN on CPUs: a quarter of the paper's CIFAR-10 width (32 filters), 64 latent dimensions and
# 1 D step (the paper's 2 at 128x128, 4 for CIFAR-10): on 3 epochs of the CIFAR-10 subset on a 2-core
# AVX2 CPU, FID 14.6 and the requested class in 31% of samples in 5.6 minutes, against 17.4 and 21%
# in 6.4 minutes with 2 D steps (docs/conditional.md; benchmarks/conditional_speed.py for the step).
_BIGGAN_DEFAULTS = {"width": 8, "latent_dim": 64, "d_steps": 1}


# R3GAN on CPUs: float32 under --precision auto (its grouped convolutions ran at 336 images/s in
# bfloat16 against 432 in float32 on a Xeon with AMX, where dcgan, sngan and stylegan2 ran 1.2-1.3x
# faster in bfloat16). Width 16 (0.45x the DCGAN's speed on CIFAR-10; width 32 0.22x, the family's 64
# 0.09x: benchmarks/r3gan.py), so that its default single epoch of MNIST takes about 2 minutes on
# an AVX-512 CPU. Its learning rates, betas, gamma and EMA follow the family's schedules unless
# --d-lr, --beta-2, ... are given. At these budgets it draws blobs, not yet digits; Adam at a
# constant 2e-3 with --penalty-every 16 draws digits (MNIST FID 73 against 105 at 2 minutes) but
# covers fewer StackedMNIST modes (120 against 487), so the paper's settings stay (docs/recipes.md).
_R3GAN_DEFAULTS = {"latent_dim": 64, "width": 16}
_R3GAN_EPOCH_SHARE = 1 / 3


def _conditional_network(options):
    return {"width": options.width, "kernel_size": options.kernel_size, "dropout": options.dropout}


def _dcgan_network(options):
    return {
        "width": options.width,
        "kernel_size": options.kernel_size,
        "dropout": options.dropout,
        "minibatch_std": options.minibatch_std,
    }


RECIPES = {
    recipe.name: recipe
    for recipe in (
        Recipe(
            "acgan",
            "ACGAN",
            "class-conditional: D also predicts the class (auxiliary classifier, Odena et al., 2017); trains on labels",
            _conditional_network,
            options=_CONDITIONAL_OPTIONS,
            defaults=_CONDITIONAL_DEFAULTS,
            data="labelled_images",
        ),
        Recipe(
            "biggan",
            "BigGAN",
            "class-conditional BigGAN (Brock et al., 2019): ResNets with spectral normalization in both "
            "networks, a shared class embedding and chunks of z in G's conditional batch norms, "
            "self-attention at half the image size, a projection D, hinge loss, 1 D step (the paper's 2), "
            "orthogonal regularization; trains on labels",
            lambda options: {"width": options.width, "ema_start": 0},
            defaults=_BIGGAN_DEFAULTS,
            data="labelled_images",
            callbacks=(("TruncationGrid", "samples"),),
        ),
        Recipe(
            "cgan",
            "CGAN",
            "class-conditional by concatenating one-hot labels (Mirza & Osindero, 2014); trains on labels",
            _conditional_network,
            options=_CONDITIONAL_OPTIONS,
            defaults=_CONDITIONAL_DEFAULTS,
            data="labelled_images",
        ),
        Recipe(
            "cyclegan",
            "CycleGAN",
            "unpaired image-to-image translation (Zhu et al., 2017): two U-Net generators and two "
            "PatchGANs, least-squares loss, cycle and identity losses; trains on two unpaired domains",
            lambda options: {"width": options.width},
            defaults=_TRANSLATING,
            data="domains",
        ),
        Recipe(
            "dcgan",
            "DCGAN",
            "DCGAN networks, non-saturating loss (the default recipe)",
            _dcgan_network,
            options=_DCGAN_OPTIONS,
            defaults=_TUNED,
        ),
        Recipe(
            "inpainting",
            "Inpainting",
            "fills a random square hole (--hole-size of the side) so that the whole image looks real: a "
            "U-Net G that never sees the hole's pixels, a PatchGAN D, L1 inside the hole; trains on the "
            "images alone",
            lambda options: {"hole_size": options.hole_size, "width": options.width},
            options=("hole_size",),
            defaults={"hole_size": 0.5, **_TRANSLATING},
        ),
        Recipe(
            "lsgan",
            "LSGAN",
            "DCGAN networks, least-squares loss",
            _dcgan_network,
            options=_DCGAN_OPTIONS,
            defaults=_TUNED,
        ),
        Recipe(
            "pix2pix",
            "Pix2Pix",
            "paired image-to-image translation (Isola et al., 2017): a U-Net G, a PatchGAN D that sees "
            "the source too, L1 to the target; trains on pairs",
            lambda options: {"width": options.width},
            options=("direction",),
            defaults={"direction": "AtoB", **_TRANSLATING},
            data="pairs",
        ),
        Recipe(
            "projection",
            "ProjectionGAN",
            "class-conditional: projection D with spectral normalization, conditional batch norm in G, "
            "hinge loss (Miyato & Koyama, 2018); trains on labels",
            _conditional_network,
            options=_CONDITIONAL_OPTIONS,
            defaults=_CONDITIONAL_DEFAULTS,
            data="labelled_images",
        ),
        Recipe(
            "r3gan",
            "R3GAN",
            "R3GAN (Huang et al., 2024): normalization-free residual networks of --width filters at every "
            "size (one block each, depthwise grouped convolutions, fix-up initialization), the relativistic "
            "pairing loss with R1 and R2 at every D step (--penalty-every: lazily), Adam(2e-4, 0, 0.9) and "
            "cosine schedules of the learning rate, beta_2, gamma and the EMA's half-life over the run; square "
            "power-of-two images; "
            "with --labels class-conditional as the official --cond=1 (a class embedding joins z, a projection D)",
            lambda options: {"widths": options.width},
            compile=lambda options: {"gamma": options.gamma, "penalty_every": options.penalty_every},
            options=("gamma", "penalty_every", "labels"),
            defaults=_R3GAN_DEFAULTS,
            epoch_share=_R3GAN_EPOCH_SHARE,
            power_of_two=True,
            scheduled=True,
            cpu_bfloat16=False,
        ),
        Recipe(
            "sngan",
            "SNGAN",
            "ResNet networks (generator 2 x --width filters, discriminator --width) with spectral "
            "normalization, hinge loss, 1 D step (the paper's 5), Adam(2e-4, 0, 0.9)",
            lambda options: {"generator_width": 2 * options.width, "discriminator_width": options.width},
            defaults=_SNGAN_DEFAULTS,
            epoch_share=2 / 3,
        ),
        Recipe(
            "srgan",
            "SRGAN",
            "super-resolution (Ledig et al., 2017): an SRResNet G of 4 residual blocks upsamples --scale "
            "times, a PatchGAN D judges, pixel MSE as the content loss; trains on the images alone",
            lambda options: {"scale": options.scale, "width": options.width, "num_blocks": 4},
            options=("scale",),
            defaults={"scale": 4, **_TRANSLATING},
        ),
        Recipe(
            "stylegan2",
            "StyleGAN2",
            "StyleGAN2 (experimental: it mode-collapses at small widths): a mapping network of 4 "
            "layers, modulated convolutions of --width filters at every size, style mixing, lazy R1 "
            "and path-length regularization, Adam(0.0025, 0, 0.99); square power-of-two images "
            "(MNIST's are resized to 32x32); with --labels class-conditional as StyleGAN2-ADA's --cond",
            lambda options: {"width": options.width, "mapping_layers": 4, "mixing_probability": options.mixing},
            compile=lambda options: {"r1_gamma": options.r1_gamma, "pl_weight": options.pl_weight},
            options=("r1_gamma", "pl_weight", "mixing", "labels"),
            defaults={"latent_dim": 64},
            epoch_share=1 / 3,
            power_of_two=True,
            callbacks=(("StyleGrids", "styles"),),
        ),
        Recipe(
            "wgangp",
            "WGANGP",
            "DCGAN networks, Wasserstein loss, gradient penalty, 2 critic steps (the paper's 5), Adam(3e-4, 0, 0.9) "
            "(the paper's 1e-4)",
            _dcgan_network,
            options=_DCGAN_OPTIONS,
            defaults=_WGANGP_DEFAULTS,
            epoch_share=2 / 3,
        ),
    )
}
