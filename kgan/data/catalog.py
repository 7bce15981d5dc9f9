"""The datasets kgan reads by name: plain Python, so that `kgan --help` can list them without
importing TensorFlow (the command line reads this file directly, not through `import kgan`)."""

#: The named datasets `kgan.data.load` reads from local files (or TensorFlow Datasets).
DATASETS = ("mnist", "fashion_mnist", "cifar10", "digits", "stacked_mnist")

#: Each named dataset's image shape, `(height, width, channels)`.
IMAGE_SHAPES = {
    "mnist": (28, 28, 1),
    "fashion_mnist": (28, 28, 1),
    "cifar10": (32, 32, 3),
    "digits": (8, 8, 1),
    "stacked_mnist": (28, 28, 3),
}

#: Datasets made from another's files: StackedMNIST (three digits in the colour channels) from MNIST's.
MADE_FROM = {"stacked_mnist": "mnist"}

#: Each named dataset's class names, by label.
CLASS_NAMES = {
    "mnist": tuple(str(digit) for digit in range(10)),
    "fashion_mnist": (
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ),
    "cifar10": ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"),
    "digits": tuple(str(digit) for digit in range(10)),
    "stacked_mnist": tuple(f"{triple:03d}" for triple in range(1000)),
}

#: The environment variable naming a folder with one subfolder per dataset.
DATA_DIR_ENV = "KGAN_DATA_DIR"
