"""The Inception network of published FIDs, in Keras, and the resizing that goes with it.

Published FIDs (TTUR, pytorch-fid, clean-fid, StudioGAN, StyleGAN2-ADA) use the Inception graph
of 2015-12-05, not the Keras applications' InceptionV3: other weights, a 1008-way head, and three
blocks that differ from the paper's (average pooling that leaves TensorFlow's padding out of the
mean, and max pooling in the last block's pool branch). `network()` builds that graph as
pytorch-fid's `FIDInceptionA/C/E_1/E_2` define it; `convert()` fills it from either published
form of its weights, pytorch-fid's `pt_inception-2015-12-05-6726825d.pth` or the TensorFlow graph
TTUR reads (`classify_image_graph_def.pb` of `inception-2015-12-05.tgz`), into a Keras weights
file once; and `fid_inception()` (`kgan.metrics.fid_inception`) wraps it as kgan's metrics take
an extractor, with the input resized as clean-fid ("clean", the default) or the original
TensorFlow graph ("legacy_tensorflow") does.

    python -m kgan.metrics.standard_inception pt_inception-2015-12-05-6726825d.pth fid_inception.weights.h5

kgan downloads nothing: fetch the file on a machine with a network (pytorch-fid's release
"fid_weights", or TensorFlow's `inception-2015-12-05.tgz`, unpacked). Reading the `.pth` needs
PyTorch (`pip install "kgan[torch]"`); the graph and the converted file do not.
"""

from __future__ import annotations

import argparse
import os

import keras
import numpy as np
import tensorflow as tf
from keras import layers

SIZE = 299
#: How images reach 299x299: clean-fid's antialiased bicubic on float pixels (its "clean" mode,
#: PIL's filter), the original TensorFlow graph's bilinear without half-pixel centres (TTUR,
#: clean-fid's "legacy_tensorflow"), or PyTorch's bilinear (pytorch-fid, "legacy_pytorch").
RESIZES = ("clean", "legacy_tensorflow", "legacy_pytorch")
CLASSES = 1008


def check_resize(method):
    """`method`, or a ValueError naming the resizes there are."""
    if method not in RESIZES:
        raise ValueError(f"resize must be one of {RESIZES}, got {method!r}.")
    return method


def _conv(x, filters, kernel, name, strides=1, padding="valid"):
    """torchvision's BasicConv2d: convolution without bias, batch norm (epsilon 1e-3), ReLU; the
    layers are named after its parameters (`NAME.conv`, `NAME.bn`) for the converter."""
    x = layers.Conv2D(filters, kernel, strides=strides, padding=padding, use_bias=False, name=f"{name}.conv")(x)
    x = layers.BatchNormalization(epsilon=1e-3, name=f"{name}.bn")(x)
    return layers.ReLU(name=f"{name}.relu")(x)


def _average_pool(x):
    # TensorFlow's "same" average leaves the padding out of the mean: pytorch-fid's count_include_pad=False.
    return layers.AveragePooling2D(3, strides=1, padding="same")(x)


def _block_a(x, pool_features, name):
    branch1x1 = _conv(x, 64, 1, f"{name}.branch1x1")
    branch5x5 = _conv(_conv(x, 48, 1, f"{name}.branch5x5_1"), 64, 5, f"{name}.branch5x5_2", padding="same")
    branch3x3dbl = _conv(x, 64, 1, f"{name}.branch3x3dbl_1")
    branch3x3dbl = _conv(branch3x3dbl, 96, 3, f"{name}.branch3x3dbl_2", padding="same")
    branch3x3dbl = _conv(branch3x3dbl, 96, 3, f"{name}.branch3x3dbl_3", padding="same")
    branch_pool = _conv(_average_pool(x), pool_features, 1, f"{name}.branch_pool")
    return layers.Concatenate(name=name)([branch1x1, branch5x5, branch3x3dbl, branch_pool])


def _block_b(x, name):
    branch3x3 = _conv(x, 384, 3, f"{name}.branch3x3", strides=2)
    branch3x3dbl = _conv(x, 64, 1, f"{name}.branch3x3dbl_1")
    branch3x3dbl = _conv(branch3x3dbl, 96, 3, f"{name}.branch3x3dbl_2", padding="same")
    branch3x3dbl = _conv(branch3x3dbl, 96, 3, f"{name}.branch3x3dbl_3", strides=2)
    branch_pool = layers.MaxPooling2D(3, strides=2)(x)
    return layers.Concatenate(name=name)([branch3x3, branch3x3dbl, branch_pool])


def _block_c(x, channels_7x7, name):
    c7 = channels_7x7
    branch1x1 = _conv(x, 192, 1, f"{name}.branch1x1")
    branch7x7 = _conv(x, c7, 1, f"{name}.branch7x7_1")
    branch7x7 = _conv(branch7x7, c7, (1, 7), f"{name}.branch7x7_2", padding="same")
    branch7x7 = _conv(branch7x7, 192, (7, 1), f"{name}.branch7x7_3", padding="same")
    branch7x7dbl = _conv(x, c7, 1, f"{name}.branch7x7dbl_1")
    for index, (filters, kernel) in enumerate([(c7, (7, 1)), (c7, (1, 7)), (c7, (7, 1)), (192, (1, 7))], start=2):
        branch7x7dbl = _conv(branch7x7dbl, filters, kernel, f"{name}.branch7x7dbl_{index}", padding="same")
    branch_pool = _conv(_average_pool(x), 192, 1, f"{name}.branch_pool")
    return layers.Concatenate(name=name)([branch1x1, branch7x7, branch7x7dbl, branch_pool])


def _block_d(x, name):
    branch3x3 = _conv(_conv(x, 192, 1, f"{name}.branch3x3_1"), 320, 3, f"{name}.branch3x3_2", strides=2)
    branch7x7x3 = _conv(x, 192, 1, f"{name}.branch7x7x3_1")
    branch7x7x3 = _conv(branch7x7x3, 192, (1, 7), f"{name}.branch7x7x3_2", padding="same")
    branch7x7x3 = _conv(branch7x7x3, 192, (7, 1), f"{name}.branch7x7x3_3", padding="same")
    branch7x7x3 = _conv(branch7x7x3, 192, 3, f"{name}.branch7x7x3_4", strides=2)
    branch_pool = layers.MaxPooling2D(3, strides=2)(x)
    return layers.Concatenate(name=name)([branch3x3, branch7x7x3, branch_pool])


def _block_e(x, name, max_pool):
    """The E block; the graph's last one (`max_pool`) pools its pool branch by maximum, not mean."""

    def split(x, prefix):  # a 1x3 and a 3x1 convolution side by side
        first = _conv(x, 384, (1, 3), f"{prefix}a", padding="same")
        return layers.Concatenate()([first, _conv(x, 384, (3, 1), f"{prefix}b", padding="same")])

    branch1x1 = _conv(x, 320, 1, f"{name}.branch1x1")
    branch3x3 = split(_conv(x, 384, 1, f"{name}.branch3x3_1"), f"{name}.branch3x3_2")
    branch3x3dbl = _conv(_conv(x, 448, 1, f"{name}.branch3x3dbl_1"), 384, 3, f"{name}.branch3x3dbl_2", padding="same")
    branch3x3dbl = split(branch3x3dbl, f"{name}.branch3x3dbl_3")
    pooled = layers.MaxPooling2D(3, strides=1, padding="same")(x) if max_pool else _average_pool(x)
    branch_pool = _conv(pooled, 192, 1, f"{name}.branch_pool")
    return layers.Concatenate(name=name)([branch1x1, branch3x3, branch3x3dbl, branch_pool])


def network():
    """The FID Inception: `(n, 299, 299, 3)` pixels scaled to [-1, 1] as the graph scales them,
    `(x - 128) / 128` -> `[pool3 (n, 2048), logits (n, 1008)]`, with untrained weights."""
    pixels = keras.Input((SIZE, SIZE, 3), name="normalized_pixels")
    x = _conv(pixels, 32, 3, "Conv2d_1a_3x3", strides=2)
    x = _conv(x, 32, 3, "Conv2d_2a_3x3")
    x = _conv(x, 64, 3, "Conv2d_2b_3x3", padding="same")
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = _conv(x, 80, 1, "Conv2d_3b_1x1")
    x = _conv(x, 192, 3, "Conv2d_4a_3x3")
    x = layers.MaxPooling2D(3, strides=2)(x)
    for name, pool_features in [("Mixed_5b", 32), ("Mixed_5c", 64), ("Mixed_5d", 64)]:
        x = _block_a(x, pool_features, name)
    x = _block_b(x, "Mixed_6a")
    for name, channels_7x7 in [("Mixed_6b", 128), ("Mixed_6c", 160), ("Mixed_6d", 160), ("Mixed_6e", 192)]:
        x = _block_c(x, channels_7x7, name)
    x = _block_d(x, "Mixed_7a")
    x = _block_e(x, "Mixed_7b", max_pool=False)
    x = _block_e(x, "Mixed_7c", max_pool=True)
    pool3 = layers.GlobalAveragePooling2D(name="pool3")(x)
    logits = layers.Dense(CLASSES, name="fc")(pool3)
    return keras.Model(pixels, [pool3, logits], name="fid_inception")


def from_state_dict(state_dict):
    """`network()` with the weights of a pytorch-fid state dict (names -> NumPy arrays or torch
    tensors), checked name by name and shape by shape."""
    arrays = {
        name: np.asarray(value.numpy() if hasattr(value, "numpy") else value) for name, value in state_dict.items()
    }
    model = network()
    used = set()

    def take(name, shape, transpose=None):
        if name not in arrays:
            raise _not_fid_inception(f"The weights have no {name!r}")
        value = arrays[name] if transpose is None else arrays[name].transpose(transpose)
        if value.shape != tuple(shape):
            raise _not_fid_inception(f"{name!r} has shape {value.shape} where the FID Inception has {tuple(shape)}")
        used.add(name)
        return value

    for layer in model.layers:
        if isinstance(layer, layers.Conv2D):
            layer.set_weights([take(f"{layer.name}.weight", layer.kernel.shape, (2, 3, 1, 0))])
        elif isinstance(layer, layers.BatchNormalization):
            parts = ("weight", "bias", "running_mean", "running_var")
            layer.set_weights([take(f"{layer.name}.{part}", layer.moving_mean.shape) for part in parts])
        elif isinstance(layer, layers.Dense):
            layer.set_weights([take("fc.weight", layer.kernel.shape, (1, 0)), take("fc.bias", layer.bias.shape)])
    unused = sorted(name for name in set(arrays) - used if not name.endswith("num_batches_tracked"))
    if unused:
        raise _not_fid_inception(
            f"The weights hold {len(unused)} tensors the FID Inception lacks (first: {unused[:3]})"
        )
    return model


#: The TensorFlow graph's blocks (TTUR's `classify_image_graph_def.pb`) as pytorch-fid names them,
#: and how each kind's towers of convolutions ("conv", "conv_1", ... in order) map to its branches.
GRAPH_STEM = {"conv": "Conv2d_1a_3x3", "conv_1": "Conv2d_2a_3x3", "conv_2": "Conv2d_2b_3x3"}
GRAPH_STEM.update({"conv_3": "Conv2d_3b_1x1", "conv_4": "Conv2d_4a_3x3"})
GRAPH_BLOCKS = [("mixed", "Mixed_5b", "A"), ("mixed_1", "Mixed_5c", "A"), ("mixed_2", "Mixed_5d", "A")]
GRAPH_BLOCKS += [("mixed_3", "Mixed_6a", "B")]
GRAPH_BLOCKS += [(f"mixed_{index}", f"Mixed_6{letter}", "C") for index, letter in zip(range(4, 8), "bcde")]
GRAPH_BLOCKS += [("mixed_8", "Mixed_7a", "D"), ("mixed_9", "Mixed_7b", "E"), ("mixed_10", "Mixed_7c", "E")]
GRAPH_TOWERS = {
    "A": {"": ["branch1x1"], "tower": ["branch5x5_1", "branch5x5_2"], "tower_2": ["branch_pool"]}
    | {"tower_1": ["branch3x3dbl_1", "branch3x3dbl_2", "branch3x3dbl_3"]},
    "B": {"": ["branch3x3"], "tower": ["branch3x3dbl_1", "branch3x3dbl_2", "branch3x3dbl_3"]},
    "C": {"": ["branch1x1"], "tower": [f"branch7x7_{i}" for i in (1, 2, 3)], "tower_2": ["branch_pool"]}
    | {"tower_1": [f"branch7x7dbl_{i}" for i in (1, 2, 3, 4, 5)]},
    "D": {"tower": ["branch3x3_1", "branch3x3_2"], "tower_1": [f"branch7x7x3_{i}" for i in (1, 2, 3, 4)]},
    "E": {"": ["branch1x1"], "tower": ["branch3x3_1"], "tower/mixed": ["branch3x3_2a", "branch3x3_2b"]}
    | {"tower_1": ["branch3x3dbl_1", "branch3x3dbl_2"], "tower_1/mixed": ["branch3x3dbl_3a", "branch3x3dbl_3b"]}
    | {"tower_2": ["branch_pool"]},
}


def graph_names():
    """`{graph scope of a convolution and its batch norm: pytorch-fid's module name}`, 94 of them."""
    names = dict(GRAPH_STEM)
    for graph_block, block, kind in GRAPH_BLOCKS:
        for tower, branches in GRAPH_TOWERS[kind].items():
            for index, branch in enumerate(branches):
                scope = "/".join(part for part in (graph_block, tower, "conv" + (f"_{index}" if index else "")) if part)
                names[scope] = f"{block}.{branch}"
    return names


def _read_graph(path):
    """TTUR's TensorFlow graph of the FID Inception -> a state dict in pytorch-fid's names and layouts."""
    graph = tf.compat.v1.GraphDef()
    with open(path, "rb") as f:
        graph.ParseFromString(f.read())
    constants = {node.name: tf.make_ndarray(node.attr["value"].tensor) for node in graph.node if node.op == "Const"}
    batch_norms = {node.name: node for node in graph.node if node.op == "BatchNormWithGlobalNormalization"}
    state_dict = {}
    for scope, module in graph_names().items():
        if f"{scope}/conv2d_params" not in constants or f"{scope}/batchnorm" not in batch_norms:
            raise _not_fid_inception(f"The graph has no convolution {scope!r} with its batch norm")
        state_dict[f"{module}.conv.weight"] = constants[f"{scope}/conv2d_params"].transpose(3, 2, 0, 1)
        batch_norm = batch_norms[f"{scope}/batchnorm"]
        if abs(batch_norm.attr["variance_epsilon"].f - 1e-3) > 1e-9:
            raise ValueError(
                f"{scope}/batchnorm has epsilon {batch_norm.attr['variance_epsilon'].f}; the FID Inception's is 1e-3."
            )
        moments = {part: constants[f"{scope}/batchnorm/{part}"] for part in ("beta", "moving_mean", "moving_variance")}
        scaled = batch_norm.attr["scale_after_normalization"].b
        gamma = constants[f"{scope}/batchnorm/gamma"] if scaled else np.ones_like(moments["beta"])
        state_dict[f"{module}.bn.weight"], state_dict[f"{module}.bn.bias"] = gamma, moments["beta"]
        state_dict[f"{module}.bn.running_mean"] = moments["moving_mean"]
        state_dict[f"{module}.bn.running_var"] = moments["moving_variance"]
    if "softmax/weights" not in constants:
        raise _not_fid_inception("The graph has no softmax/weights")
    state_dict["fc.weight"], state_dict["fc.bias"] = constants["softmax/weights"].T, constants["softmax/biases"]
    return state_dict


def _not_fid_inception(detail):
    return ValueError(
        f"{detail}: these are not the FID Inception's weights (pytorch-fid's pt_inception-2015-12-05-*.pth "
        "or TTUR's classify_image_graph_def.pb). "
        "torchvision's and Keras' InceptionV3 are other networks with other weights, and give other FIDs."
    )


def convert(source, destination):
    """pytorch-fid's `.pth` or TTUR's graph `.pb` -> a Keras weights file (`.weights.h5`) that
    `fid_inception` loads without PyTorch. Returns the network."""
    if not destination.endswith(".weights.h5"):
        raise ValueError(f"Name the Keras weights file *.weights.h5, got {destination!r}.")
    model = from_state_dict(_read_published(source))
    model.save_weights(destination)
    return model


def _read_published(path):
    """A state dict in pytorch-fid's names from either published file, told apart by its suffix."""
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"No weights file at {path!r}. Download pytorch-fid's pt_inception-2015-12-05-6726825d.pth "
            "(github.com/mseitzer/pytorch-fid, release fid_weights) or TensorFlow's inception-2015-12-05.tgz "
            "(its classify_image_graph_def.pb) on a machine with a network."
        )
    if path.endswith(".pb"):
        return _read_graph(path)
    if not path.endswith(".pth"):
        raise ValueError(f"Give the FID Inception as a .pth (pytorch-fid's) or .pb (TTUR's graph); got {path!r}.")
    try:
        import torch
    except ImportError as error:
        raise ImportError(
            f'Reading a PyTorch .pth needs PyTorch: pip install "kgan[torch]" ({error}). Convert it once '
            "(python -m kgan.metrics.standard_inception SOURCE.pth DEST.weights.h5); the Keras file needs no PyTorch."
        ) from error
    return torch.load(path, map_location="cpu", weights_only=True)


def resize(pixels, method="clean"):
    """`(n, h, w, 3)` float pixels in [0, 255] -> `(n, 299, 299, 3)`, as `method` of `RESIZES` does."""
    if method == "clean":  # PIL's bicubic (Keys, a = -0.5), antialiased when shrinking, on floats; its
        # overshoot clipped to the pixel range, as clean-fid clips it
        return tf.clip_by_value(tf.image.resize(pixels, (SIZE, SIZE), method="bicubic", antialias=True), 0.0, 255.0)
    if method == "legacy_tensorflow":
        size = (SIZE, SIZE)
        return tf.raw_ops.ResizeBilinear(images=pixels, size=size, align_corners=False, half_pixel_centers=False)
    check_resize(method)
    return tf.image.resize(pixels, (SIZE, SIZE), method="bilinear", antialias=False)  # legacy_pytorch


@keras.saving.register_keras_serializable(package="kgan")
class FIDInput(layers.Layer):
    """kgan's images in [-1, 1] -> the FID Inception's input: 8-bit pixel levels (as the images
    would be saved), grayscale repeated to RGB, resized to 299x299 by `method`, and `(x - 128) / 128`."""

    def __init__(self, method="clean", **kwargs):
        super().__init__(**kwargs)
        self.method = check_resize(method)

    def call(self, images):
        pixels = tf.round(tf.clip_by_value((tf.cast(images, "float32") + 1.0) * 127.5, 0.0, 255.0))
        if pixels.shape[-1] == 1:
            pixels = tf.repeat(pixels, 3, axis=-1)
        return (resize(pixels, self.method) - 128.0) / 128.0

    def compute_output_shape(self, input_shape):
        return (input_shape[0], SIZE, SIZE, 3)

    def get_config(self):
        return {**super().get_config(), "method": self.method}


def fid_inception(weights_path, resize="clean", channels=3):
    """The FID Inception as kgan's metrics take an extractor: images in [-1, 1] of any size ->
    `[pool3 (2048), logits (1008)]`.

    Args:
        weights_path: the network's weights: a Keras file written by `convert` (`.weights.h5`),
            or a published file itself (pytorch-fid's `.pth`, which needs PyTorch, or TTUR's
            graph `.pb`), converted on the fly.
        resize: "clean" (clean-fid's default), "legacy_tensorflow" (TTUR's code) or
            "legacy_pytorch" (pytorch-fid's); see `RESIZES`.
        channels: 3 for colour images, 1 for grayscale (repeated to RGB).
    """
    check_resize(resize)  # before the weights load
    if weights_path.endswith((".pth", ".pb")):
        core = from_state_dict(_read_published(weights_path))
    elif not os.path.isfile(weights_path):
        raise FileNotFoundError(
            f"No FID Inception weights at {weights_path!r}: convert a published file once with "
            "python -m kgan.metrics.standard_inception SOURCE.pth|SOURCE.pb DEST.weights.h5."
        )
    else:
        core = network()
        core.load_weights(weights_path)
    core.trainable = False
    images = keras.Input((None, None, channels), name="images")
    model = keras.Model(images, core(FIDInput(resize)(images), training=False), name="fid_inception_extractor")
    model.kgan_source = {"fid_inception": os.path.abspath(weights_path), "resize": resize, "channels": channels}
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description="Converts the FID Inception's published weights to a Keras file.")
    parser.add_argument(
        "source", help="pytorch-fid's pt_inception-2015-12-05-6726825d.pth, or TTUR's classify_image_graph_def.pb"
    )
    parser.add_argument("destination", help="the Keras weights file to write (*.weights.h5)")
    options = parser.parse_args(argv)
    convert(options.source, options.destination)
    print(f"Wrote {options.destination}: kgan.metrics.fid_inception({options.destination!r})")


if __name__ == "__main__":
    main()
