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
    kind: str = "float"  # "positive_int", "float", "finite_float" or "switch" (--flag / --no-flag)


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
            size, learning rates, ...); an option without one takes the family's default.
        data: what it trains on: "images" (unlabelled images).
        power_of_two: it makes square images of a power-of-two side, so named datasets of
            other sizes are resized up to the next one (MNIST's 28x28 to 32x32).
        callbacks: `(class in kgan.callbacks, folder of the run)` pairs of the pictures it adds;
            each class takes `log_dir`, `png_dir` and `seed`.
    """

    name: str
    family: str
    summary: str
    network: Callable[[Any], dict]
    compile: Callable[[Any], dict] = lambda options: {}
    options: tuple[str, ...] = ()
    defaults: dict = field(default_factory=dict)
    data: str = "images"
    power_of_two: bool = False
    callbacks: tuple[tuple[str, str], ...] = ()


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
    "mixing": Option(
        "--mixing",
        "the share of training batches made from two mixed ws (the family's default: 0.9; 0 turns it off)",
        "finite_float",
    ),
}

# The DCGAN-based recipes: DCGAN networks of --width filters (the paper's is 64) with 4x4 kernels
# and no dropout, chosen with the options below for the quality of the samples per minute of CPU
# training (docs/performance.md, "The first run"; benchmarks/main_job.py).
_DCGAN_OPTIONS = ("kernel_size", "dropout", "minibatch_std")
_DCGAN_DEFAULTS = {"kernel_size": 4, "dropout": 0.0, "minibatch_std": False, "latent_dim": 100}
# dcgan and lsgan are tuned further: a minibatch-standard-deviation block ending D, 16 latent
# dimensions and Adam at 1e-3 with betas (0, 0.99) for both networks.
_TUNED = {
    **_DCGAN_DEFAULTS,
    "minibatch_std": True,
    "latent_dim": 16,
    "d_lr": 1e-3,
    "g_lr": 1e-3,
    "beta_1": 0.0,
    "beta_2": 0.99,
}


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
            "dcgan",
            "DCGAN",
            "DCGAN networks, non-saturating loss (the default recipe)",
            _dcgan_network,
            options=_DCGAN_OPTIONS,
            defaults=_TUNED,
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
            "sngan",
            "SNGAN",
            "ResNet networks (generator 2 x --width filters, discriminator --width) with spectral "
            "normalization, hinge loss, 5 D steps, Adam(2e-4, 0, 0.9)",
            lambda options: {"generator_width": 2 * options.width, "discriminator_width": options.width},
            defaults={"latent_dim": 100},
        ),
        Recipe(
            "stylegan2",
            "StyleGAN2",
            "StyleGAN2 (experimental: it mode-collapses at small widths): a mapping network of 4 "
            "layers, modulated convolutions of --width filters at every size, style mixing, lazy R1 "
            "and path-length regularization, Adam(0.0025, 0, 0.99); square power-of-two images "
            "(MNIST's are resized to 32x32)",
            lambda options: {"width": options.width, "mapping_layers": 4, "mixing_probability": options.mixing},
            compile=lambda options: {"r1_gamma": options.r1_gamma, "pl_weight": options.pl_weight},
            options=("r1_gamma", "pl_weight", "mixing"),
            defaults={"latent_dim": 64},
            power_of_two=True,
            callbacks=(("StyleGrids", "styles"),),
        ),
        Recipe(
            "wgangp",
            "WGANGP",
            "DCGAN networks, Wasserstein loss, gradient penalty, 5 critic steps, Adam(1e-4, 0, 0.9)",
            _dcgan_network,
            options=_DCGAN_OPTIONS,
            defaults=_DCGAN_DEFAULTS,
        ),
    )
}
