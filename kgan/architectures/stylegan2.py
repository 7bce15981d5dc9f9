"""StyleGAN2's networks on standard Keras/TensorFlow ops, NHWC, for CPUs and GPUs alike.

Karras et al., "Analyzing and Improving the Image Quality of StyleGAN", CVPR 2020 (config F's
"skip" generator and "resnet" discriminator):

* mapping: z -> pixel normalization -> `mapping_layers` equalized dense layers (leaky ReLU,
  learning-rate multiplier 0.01) -> w, with a moving average of w (`w_avg`) kept for truncation.
* synthesis: `num_ws(resolution)` vectors w (one per layer; the same w repeated unless styles
  are mixed) -> a learned 4x4 constant -> per resolution two modulated/demodulated 3x3
  convolutions with noise (the first after a 2x upsampling) and a toRGB 1x1 modulated
  convolution whose output is added to the upsampled image so far ("skip" outputs).
* discriminator: fromRGB, residual blocks that halve the resolution down to 4x4 (two 3x3
  convolutions and a 1x1 shortcut, summed and scaled by 1/sqrt(2)), minibatch standard
  deviation, a 3x3 convolution and two dense layers.

Equalized learning rate throughout (`kgan.layers.EqualizedDense`, `EqualizedConv2D`,
`ModulatedConv2D`). Simplifications of the paper, with their reasons, are in docs/stylegan2.md:
upsampling is bilinear (the paper's [1, 3, 3, 1] FIR filter, but for its zero padding at the
border) and is applied before the convolution instead of fused into a transposed one;
downsampling is 2x2 average pooling after the convolution instead of the FIR filter before a
strided one; there is no conv clamping (it exists for float16 on GPUs, and Keras' loss scaling
covers overflow here). The image passes through tanh by default (`output_activation`); the
paper's is linear, which collapses on data whose pixels mostly sit at the range's end (MNIST's
black background), as measured in docs/stylegan2.md.

Widths follow the paper's rule `min(channel_max, channel_base / resolution)` with
`channel_max = width` and `channel_base = 32 * width`: `width` filters up to 32x32, halving
with each doubling above it.
"""

from __future__ import annotations

import contextlib
import math

import keras
from keras import layers, ops

from kgan.layers import (
    AverageTracker,
    Broadcast,
    ConstantInput,
    EqualizedConv2D,
    EqualizedDense,
    MinibatchStdDev,
    ModulatedConv2D,
    PixelNormalization,
)
from kgan.seeding import sub_seed

MIN_RESOLUTION, MAX_RESOLUTION = 8, 1024
NOISE_MODES = ("const", "random", "none")
OUTPUT_ACTIVATIONS = ("tanh", "linear")


def check_image_shape(image_shape):
    """`image_shape` as a tuple, or a ValueError when it is not a square power of two from 8 to 1024."""
    shape = tuple(image_shape)
    if len(shape) != 3 or not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in shape):
        raise ValueError(f"image_shape must be (height, width, channels) of positive ints, got {image_shape!r}.")
    height, width, _ = shape
    power_of_two = height & (height - 1) == 0
    if height != width or not power_of_two or not MIN_RESOLUTION <= height <= MAX_RESOLUTION:
        raise ValueError(
            f"StyleGAN2 makes square images whose side is a power of two from {MIN_RESOLUTION} to "
            f"{MAX_RESOLUTION}; got {height}x{width}. Resize or pad the data, e.g. "
            "kgan.data.load('mnist', image_size=32) or kgan.data.image_folder(path, image_size=64)."
        )
    return shape


def check_output_activation(output_activation):
    """`output_activation`, or a ValueError when it is not one of `OUTPUT_ACTIVATIONS`."""
    if output_activation not in OUTPUT_ACTIVATIONS:
        raise ValueError(
            f"output_activation must be 'tanh' (images in [-1, 1]: kgan's default) or 'linear' (the paper's), "
            f"got {output_activation!r}."
        )
    return output_activation


def num_ws(resolution):
    """How many w vectors the synthesis network of `resolution` takes: 2 * log2(resolution) - 2."""
    return 2 * int(math.log2(resolution)) - 2


def channels_at(resolution, width):
    """Filters at `resolution`: `width` up to 32x32, half as many with each doubling above."""
    return max(1, min(width, width * 32 // resolution))


def build_mapping(
    latent_dim=512,
    w_dim=512,
    mapping_layers=8,
    lr_multiplier=0.01,
    w_avg_decay=0.995,
    num_classes=None,
    seed=None,
    name="mapping",
):
    """The mapping network: z `(batch, latent_dim)` -> w `(batch, w_dim)`.

    Its last layer, `w_avg`, passes w through and in training keeps the moving average of w that
    truncation pulls towards. With `num_classes` it takes `[z, class_weights]` (one-hot class
    codes, `(batch, num_classes)`), as StyleGAN2-ADA's conditional mapping does: the code's
    embedding (a dense layer of `w_dim` units) and z, each normalized, are concatenated before the
    dense layers, and `w_avg` keeps one average per class.
    """
    seed = sub_seed(seed, name)
    z = keras.Input((latent_dim,), name="latent")
    x = PixelNormalization(name="normalize_z")(z)
    inputs = z
    if num_classes:
        class_weights = keras.Input((num_classes,), name="class_weights")
        inputs = [z, class_weights]
        embedded = EqualizedDense(w_dim, seed=sub_seed(seed, "embed"), name="embed")(class_weights)
        x = layers.Concatenate(name="latent_and_class")([x, PixelNormalization(name="normalize_class")(embedded)])
    for i in range(mapping_layers):
        x = EqualizedDense(w_dim, "lrelu", lr_multiplier, seed=sub_seed(seed, i), name=f"dense{i}")(x)
    # float32 under mixed precision too: the average of many small updates needs float32's mantissa.
    tracker = AverageTracker(w_avg_decay, num_classes, dtype="float32", name="w_avg")
    w = tracker([x, class_weights] if num_classes else x)
    return keras.Model(inputs, w, name=name)


def build_synthesis(
    image_shape=(32, 32, 3), w_dim=512, width=512, output_activation="tanh", seed=None, name="synthesis"
):
    """The synthesis network: ws `(batch, num_ws, w_dim)` -> images `(batch, *image_shape)`.

    Layer `i` of `modulated_layers(network)` reads `ws[:, w_index]`; the toRGB of a resolution
    shares its w with the next resolution's first convolution, as in the paper. The summed toRGB
    outputs pass through `output_activation`: "tanh" or the paper's "linear".
    """
    resolution, _, channels = check_image_shape(image_shape)
    check_output_activation(output_activation)
    seed = sub_seed(seed, name)
    ws = keras.Input((num_ws(resolution), w_dim), name="ws")

    def modulated(filters, size, index, layer_name, to_rgb=False):
        return ModulatedConv2D(
            filters,
            1 if to_rgb else 3,
            demodulate=not to_rgb,
            activation="linear" if to_rgb else "lrelu",
            noise=not to_rgb,
            resolution=None if to_rgb else size,
            w_index=index,
            seed=sub_seed(seed, layer_name),
            name=layer_name,
        )

    x = ConstantInput(channels_at(4, width), seed=sub_seed(seed, "constant"), name="constant")(ws)
    x = modulated(channels_at(4, width), 4, 0, "b4_conv")([x, ws])
    image = modulated(channels, 4, 1, "b4_torgb", to_rgb=True)([x, ws])
    index = 1
    size = 8
    while size <= resolution:
        filters = channels_at(size, width)
        x = layers.UpSampling2D(interpolation="bilinear", name=f"b{size}_up")(x)
        x = modulated(filters, size, index, f"b{size}_conv0")([x, ws])
        x = modulated(filters, size, index + 1, f"b{size}_conv1")([x, ws])
        rgb = modulated(channels, size, index + 2, f"b{size}_torgb", to_rgb=True)([x, ws])
        image = layers.Add(name=f"b{size}_image")([layers.UpSampling2D(interpolation="bilinear")(image), rgb])
        index += 2
        size *= 2
    images = layers.Activation(output_activation, dtype="float32", name="images")(image)
    return keras.Model(ws, images, name=name)


def build_generator(
    image_shape=(32, 32, 3),
    latent_dim=512,
    w_dim=512,
    width=512,
    mapping_layers=8,
    mapping_lr_multiplier=0.01,
    w_avg_decay=0.995,
    output_activation="tanh",
    num_classes=None,
    seed=None,
    name="generator",
):
    """The whole generator, z -> images: the mapping network, w repeated for every layer, the
    synthesis network (reachable as `generator.get_layer("mapping")` and `"synthesis"`).

    With `num_classes` it takes `[z, labels]` and one-hot encodes the labels for the mapping
    network (so `kgan.latent.class_walk` can mix the classes' codes).
    """
    image_shape = check_image_shape(image_shape)
    seed = sub_seed(seed, name)
    mapping = build_mapping(
        latent_dim, w_dim, mapping_layers, mapping_lr_multiplier, w_avg_decay, num_classes, seed=seed
    )
    synthesis = build_synthesis(image_shape, w_dim, width, output_activation, seed=seed)
    z = keras.Input((latent_dim,), name="latent")
    if num_classes:
        labels = keras.Input((), dtype="int32", name="labels")
        one_hot = layers.CategoryEncoding(num_classes, "one_hot", name="one_hot")(labels)
        inputs, w = [z, labels], mapping([z, one_hot])
    else:
        inputs, w = z, mapping(z)
    ws = Broadcast(num_ws(image_shape[0]), name="broadcast")(w)
    return keras.Model(inputs, synthesis(ws), name=name)


def build_discriminator(
    image_shape=(32, 32, 3),
    width=512,
    minibatch_group=4,
    num_classes=None,
    mapping_layers=8,
    mapping_lr_multiplier=0.01,
    seed=None,
    name="discriminator",
):
    """The residual discriminator: images -> one logit per image.

    With `num_classes` it takes `[images, labels]` and conditions by projection as StyleGAN2-ADA
    does: a mapping network of its own (`mapping_layers` dense layers) turns the label's
    embedding into `cmap` (as many values as the 4x4 block has filters), the last dense layer
    outputs as many features, and the logit is their dot product with `cmap` / sqrt(its size).
    """
    resolution, _, _ = check_image_shape(image_shape)
    seed = sub_seed(seed, name)

    def conv(filters, kernel_size, layer_name, activation="lrelu", use_bias=True):
        return EqualizedConv2D(
            filters, kernel_size, activation, use_bias, seed=sub_seed(seed, layer_name), name=layer_name
        )

    images = keras.Input(image_shape, name="images")
    x = conv(channels_at(resolution, width), 1, "from_rgb")(images)
    size = resolution
    while size > 4:
        out = channels_at(size // 2, width)
        shortcut = layers.AveragePooling2D(2, name=f"b{size}_skip_pool")(x)
        shortcut = conv(out, 1, f"b{size}_skip", activation="linear", use_bias=False)(shortcut)
        x = conv(channels_at(size, width), 3, f"b{size}_conv0")(x)
        x = conv(out, 3, f"b{size}_conv1")(x)
        x = layers.AveragePooling2D(2, name=f"b{size}_pool")(x)
        x = layers.Add(name=f"b{size}_sum")([x, shortcut])
        x = layers.Rescaling(math.sqrt(0.5), name=f"b{size}_scale")(x)
        size //= 2
    x = MinibatchStdDev(minibatch_group, name="minibatch_std")(x)
    x = conv(channels_at(4, width), 3, "b4_conv")(x)
    x = layers.Flatten()(x)
    x = EqualizedDense(channels_at(4, width), "lrelu", seed=sub_seed(seed, "b4_dense"), name="b4_dense")(x)
    if not num_classes:
        logits = EqualizedDense(1, seed=sub_seed(seed, "logits"), dtype="float32", name="logits")(x)
        return keras.Model(images, logits, name=name)
    cmap_dim = channels_at(4, width)
    labels = keras.Input((), dtype="int32", name="labels")
    one_hot = layers.CategoryEncoding(num_classes, "one_hot", name="one_hot")(labels)
    cmap = PixelNormalization(name="normalize_class")(
        EqualizedDense(cmap_dim, seed=sub_seed(seed, "embed"), name="embed")(one_hot)
    )
    for i in range(mapping_layers):
        cmap = EqualizedDense(
            cmap_dim, "lrelu", mapping_lr_multiplier, seed=sub_seed(seed, f"cmap{i}"), name=f"cmap{i}"
        )(cmap)
    features = EqualizedDense(cmap_dim, seed=sub_seed(seed, "logits"), dtype="float32", name="features")(x)
    projected = layers.Dot(axes=1, dtype="float32", name="projection")([features, cmap])
    logits = layers.Rescaling(1 / math.sqrt(cmap_dim), dtype="float32", name="logits")(projected)
    return keras.Model([images, labels], logits, name=name)


def truncate(ws, w_avg, psi, cutoff=None):
    """The truncation trick: the ws `(n, num_ws, w_dim)` moved towards the average w,
    `(1 - psi) * w_avg + psi * ws`, on their first `cutoff` layers (all when None). `w_avg` is
    one average `(w_dim,)` or one per sample `(n, w_dim)` (each sample's class average). Tensors
    or arrays in, a tensor out; it also runs inside an exported SavedModel.

    Written as this interpolation it is exact at both ends on every CPU, with or without fused
    multiply-adds: psi 1 returns the ws and psi 0 the average, bit for bit. The paper's
    `w_avg + psi * (ws - w_avg)` returns the ws at psi 1 only up to a last bit that depends on
    the CPU's kernels.
    """
    ws = ops.convert_to_tensor(ws, "float32")
    w_avg = ops.cast(ops.convert_to_tensor(w_avg), "float32")
    if len(w_avg.shape) == 2:
        w_avg = w_avg[:, None]
    psi = ops.cast(psi, "float32")
    truncated = (1.0 - psi) * w_avg + psi * ws
    if cutoff is None:
        return truncated
    return ops.where(ops.arange(ws.shape[1])[None, :, None] < cutoff, truncated, ws)


def modulated_layers(synthesis):
    """The synthesis network's modulated layers in the order of their w index."""
    found = [layer for layer in synthesis.layers if isinstance(layer, ModulatedConv2D)]
    return sorted(found, key=lambda layer: (layer.w_index, layer.noise is False))


@contextlib.contextmanager
def noise_mode(network, mode):
    """Within, the noise layers of `network` use `mode` when not training: "const" (each layer's
    fixed noise map: a seed always makes the same image), "random" or "none"."""
    if mode not in NOISE_MODES:
        raise ValueError(f"noise must be one of {NOISE_MODES}, got {mode!r}.")
    noisy = [layer for layer in network._flatten_layers() if isinstance(layer, ModulatedConv2D) and layer.noise]
    previous = [layer.noise_mode for layer in noisy]
    for layer in noisy:
        layer.noise_mode = mode
    try:
        yield
    finally:
        for layer, old in zip(noisy, previous):
            layer.noise_mode = old
