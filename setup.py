"""Installs kgan: GANs that are Keras models, trained with `fit`, exported as SavedModels."""

from pathlib import Path

from setuptools import find_packages, setup

setup(
    name="kgan",
    version="0.1.0",
    description="GAN toolkit for TensorFlow/Keras: GANs as keras.Model, trained with fit, exported as SavedModels.",
    long_description=Path(__file__).with_name("README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.10",
    packages=find_packages(include=["kgan", "kgan.*", "kgan_cli"]),
    package_data={"kgan.data": ["resources/*"], "kgan.metrics": ["resources/*"]},
    install_requires=[
        "tensorflow>=2.16",
        "keras>=3.0",
        "numpy",
        # TensorFlow 2.21 no longer installs it; tf.summary (the TensorBoard callbacks, kgan train)
        # and the `tensorboard` command need it.
        "tensorboard",
        # Animated GIFs of latent walks (kgan interpolate, kgan.images.save_animation).
        "imageio>=2.31",
    ],
    extras_require={
        "tfds": ["tensorflow-datasets>=4.9", "importlib_resources"],
        # Every package an example imports: use_a_generator.py serves with ONNX Runtime and LiteRT.
        # examples/cluster/ray_train.py runs kgan train under Ray Train (also alone as the "ray" extra).
        "examples": ["matplotlib", "tf2onnx>=1.17", "onnx", "onnxruntime", "ai-edge-litert", "ray[train]>=2.9"],
        # ONNX export (tf2onnx) and ONNX Runtime for load_generator and serving; LiteRT export needs
        # TensorFlow alone, its interpreter runs the files without TensorFlow.
        "onnx": ["tf2onnx>=1.17", "onnx", "onnxruntime"],
        "litert": ["ai-edge-litert"],
        # examples/cluster/ray_train.py: kgan train on a Ray cluster (Ray Train's TensorflowTrainer).
        "ray": ["ray[train]>=2.9"],
        # MP4 videos of latent walks.
        "video": ["imageio-ffmpeg"],
        # benchmarks/stylegan2_reference.py: StyleGAN2 trained as NVIDIA's reference trains it, in PyTorch.
        "reference": ["torch"],
        # Converting pytorch-fid's FID Inception weights (.pth) to a Keras file, once.
        "torch": ["torch"],
        # The formatter is pinned: another version may format the same code differently.
        "lint": ["ruff==0.17.6"],
        "docs": ["mkdocs>=1.6", "mkdocs-material>=9.5", "mkdocstrings[python]>=0.26"],
        "test": [
            "pytest>=7",
            # Two test processes: CI's two cores run the suite in 17 minutes instead of 31.
            "pytest-xdist>=3",
            "tensorflow-datasets>=4.9",
            "importlib_resources",
            "matplotlib",
            "scipy",
            # tests/test_cluster_files.py reads the TFJob manifest.
            "pyyaml",
            "tf2onnx>=1.17",
            "onnx",
            "onnxruntime",
            "ai-edge-litert",
            "imageio-ffmpeg",
            # Drives Debian's chromium in tests/test_browser.py (its own browser download needs a network).
            "playwright",
            # tests/callbacks/test_projector.py reads the Projector's config with protobuf's text format.
            "protobuf",
            # tests/metrics/test_standard_inception.py: the FID Inception and its resizing against
            # pytorch-fid's and clean-fid's own code. The releases are pinned to the ones the project's
            # machines keep on disk (a newer torch is a CUDA build of several GB to download).
            "torch==2.14.1",
            "torchvision==0.29.1",
            "pytorch-fid",
            "clean-fid",  # imported as cleanfid
        ],
    },
    entry_points={"console_scripts": ["kgan=kgan_cli:main"]},
    classifiers=[
        "Programming Language :: Python :: 3",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
)
