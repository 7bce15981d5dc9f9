"""What uses a trained generator: open what a user holds (a GAN, a `.keras` file, an exported
SavedModel or `.onnx` file) behind one interface, sample it, score it (`evaluate`), walk and
project in its latent space (`latent`), draw labelled data from it (`synthesize`), and check
whether it copies its training images (`memorization`).

The import arrows point down: this package uses the models, data, metrics and export below it,
and nothing below it imports this package.
"""

from kgan.trained import latent
from kgan.trained.evaluation import evaluate
from kgan.trained.memorization import memorization
from kgan.trained.opening import LoadedGenerator, load_gan, load_generator, open_generator
from kgan.trained.synthetic import synthesize

__all__ = [
    "LoadedGenerator",
    "evaluate",
    "latent",
    "load_gan",
    "load_generator",
    "memorization",
    "open_generator",
    "synthesize",
]
