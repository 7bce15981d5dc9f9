"""What pytorch-fid and clean-fid compute, run in a process of their own (PyTorch's triton crashes
when it loads after TensorFlow): `python pytorch_fid_reference.py FOLDER` reads FOLDER/inputs.npz
and writes FOLDER/random_fid_inception.pth and FOLDER/expected.npz.

* the FID Inception as pytorch-fid's `fid_inception_v3()` assembles it (its `FIDInception*` blocks
  on torchvision's InceptionV3), without the download: random weights, saved as a `.pth`; its
  pool3 features and logits of `inputs["normalized"]` (NHWC, in [-1, 1]).
* clean-fid's resizers ("clean", "legacy_pytorch") of every `inputs["pixels_*"]` uint8 image.
"""

import sys

import numpy as np
import torch
import torchvision
from cleanfid.resize import build_resizer
from pytorch_fid import inception as pytorch_fid


def fid_inception_v3():
    net = torchvision.models.inception_v3(num_classes=1008, aux_logits=False, weights=None, init_weights=False)
    for name, in_channels, pool_features in [("Mixed_5b", 192, 32), ("Mixed_5c", 256, 64), ("Mixed_5d", 288, 64)]:
        setattr(net, name, pytorch_fid.FIDInceptionA(in_channels, pool_features=pool_features))
    for name, channels_7x7 in [("Mixed_6b", 128), ("Mixed_6c", 160), ("Mixed_6d", 160), ("Mixed_6e", 192)]:
        setattr(net, name, pytorch_fid.FIDInceptionC(768, channels_7x7=channels_7x7))
    net.Mixed_7b = pytorch_fid.FIDInceptionE_1(1280)
    net.Mixed_7c = pytorch_fid.FIDInceptionE_2(2048)
    return net.eval()


def randomize(state_dict, seed=0):
    """Random weights that keep activations near 1 through the 94 convolutions (He-scaled kernels,
    batch norm statistics away from the identity, so that a misplaced one shows)."""
    generator = torch.Generator().manual_seed(seed)
    for name, value in state_dict.items():
        if not value.dtype.is_floating_point:
            continue
        if name.endswith("conv.weight"):
            value.copy_(torch.randn(value.shape, generator=generator) * (2.0 / value[0].numel()) ** 0.5)
        elif name.endswith(("running_var", "bn.weight")):
            value.copy_(torch.rand(value.shape, generator=generator) * 0.5 + 0.75)
        else:
            value.copy_(torch.randn(value.shape, generator=generator) * 0.1)
    return state_dict


def features(net, normalized):
    """pool3 and logits of pytorch-fid's blocks in its forward order (its `InceptionV3` wrapper's)."""
    blocks = [net.Conv2d_1a_3x3, net.Conv2d_2a_3x3, net.Conv2d_2b_3x3, net.maxpool1]
    blocks += [net.Conv2d_3b_1x1, net.Conv2d_4a_3x3, net.maxpool2]
    blocks += [getattr(net, f"Mixed_{name}") for name in ("5b", "5c", "5d", "6a", "6b", "6c", "6d", "6e")]
    blocks += [net.Mixed_7a, net.Mixed_7b, net.Mixed_7c, net.avgpool]
    with torch.no_grad():
        x = torch.from_numpy(np.ascontiguousarray(normalized.transpose(0, 3, 1, 2)))
        for block in blocks:
            x = block(x)
        pool3 = torch.flatten(x, 1)
        return pool3.numpy(), net.fc(pool3).numpy()


def main(folder):
    inputs = np.load(f"{folder}/inputs.npz")
    net = fid_inception_v3()
    torch.save(randomize(net.state_dict()), f"{folder}/random_fid_inception.pth")
    pool3, logits = features(net, inputs["normalized"])
    torch.save(
        torchvision.models.inception_v3(weights=None, init_weights=False).state_dict(), f"{folder}/torchvision.pth"
    )
    expected = {"pool3": pool3, "logits": logits}
    for name in inputs.files:
        if name.startswith("pixels_"):
            for method in ("clean", "legacy_pytorch"):
                expected[f"{method}_{name}"] = np.stack([build_resizer(method)(image) for image in inputs[name]])
    np.savez(f"{folder}/expected.npz", **expected)


if __name__ == "__main__":
    main(sys.argv[1])
