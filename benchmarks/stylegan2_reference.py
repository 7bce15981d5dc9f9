"""StyleGAN2 as NVIDIA's reference trains it, at kgan's command-line size, in PyTorch: does the
reference's own training collapse on MNIST where kgan's did?

    pip install -e ".[reference]"   # torch, which kgan itself does not need; a CPU build is enough
    python benchmarks/stylegan2_reference.py --steps 600
    python benchmarks/stylegan2_reference.py --steps 600 --output-activation tanh

Written for this comparison after the semantics of NVIDIA's stylegan2-ada-pytorch
(training/networks.py and training/loss.py), not a copy: the [1, 3, 3, 1] FIR filter for every
up- and downsampling (upsampling convolutions as a transposed stride-2 convolution followed by
the filter, downsampling ones as the filter followed by a strided convolution), the non-fused
modulated convolution, the residual discriminator with minibatch standard deviation, the
training loop's four phases (G main, G path length every 4, D main, D R1 every 16) each with its
own fresh latents, Adam (beta_1 0, beta_2 0.99, eps 1e-8) with the lazy-regularization correction
of its learning rate and betas, style mixing and the path-length running mean. Where kgan
simplifies (bilinear resampling, one optimizer step with the lazy terms folded in, reused fakes),
this script does what the reference does, so the two side by side tell a kgan bug from the
behaviour of StyleGAN2 itself at this size.

The size is kgan's command line's: MNIST at 32x32, width 32, z and w 64, 4 mapping layers, batch
64, lr 0.0025, R1 gamma 0.0032, path-length weight 2, mixing 0.9; no EMA (the raw G is measured).
Every `--every` steps it prints the per-pixel standard deviation of 256 samples, the MNIST classes
(kgan's shipped classifier) holding 2% or more of 1,000 samples and the largest class's share,
and D's verdicts, as `benchmarks/stylegan2.py variety` does for kgan.
"""

import argparse
import json
import math
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from stylegan2 import class_coverage  # benchmarks/stylegan2.py, beside this script

import kgan  # the same data and the same classifier as benchmarks/stylegan2.py

SQRT2 = math.sqrt(2.0)


def lrelu(x, gain=1.0):
    return F.leaky_relu(x, 0.2) * (SQRT2 * gain)


FIR = torch.tensor([1.0, 3.0, 3.0, 1.0])
FIR2D = torch.outer(FIR, FIR)
FIR2D = FIR2D / FIR2D.sum()


def fir(x, pad, gain=1.0):
    """Depthwise 4x4 FIR filter after zero padding (left, right, top, bottom)."""
    channels = x.shape[1]
    x = F.pad(x, pad)
    kernel = (FIR2D * gain).to(x.dtype)[None, None].repeat(channels, 1, 1, 1)
    return F.conv2d(x, kernel, groups=channels)


def zero_insert(x):
    n, c, h, w = x.shape
    y = x.new_zeros(n, c, h * 2, w * 2)
    y[:, :, ::2, ::2] = x
    return y


def upsample2d(x):
    return fir(zero_insert(x), (2, 1, 2, 1), gain=4.0)


def downsample2d(x):
    return fir(x, (1, 1, 1, 1))[:, :, ::2, ::2]


class FC(torch.nn.Module):
    def __init__(self, fan_in, out, activation="linear", lr_multiplier=1.0, bias_init=0.0):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(out, fan_in) / lr_multiplier)
        self.bias = torch.nn.Parameter(torch.full([out], float(bias_init)))
        self.weight_gain = lr_multiplier / math.sqrt(fan_in)
        self.bias_gain = lr_multiplier
        self.activation = activation

    def forward(self, x):
        x = x @ (self.weight * self.weight_gain).t() + self.bias * self.bias_gain
        return lrelu(x) if self.activation == "lrelu" else x


class Conv(torch.nn.Module):
    """Conv2dLayer: equalized, optional bias, lrelu, down=2 as FIR blur + strided conv."""

    def __init__(self, cin, cout, k, activation="lrelu", bias=True, down=1):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(cout, cin, k, k))
        self.bias = torch.nn.Parameter(torch.zeros(cout)) if bias else None
        self.weight_gain = 1 / math.sqrt(cin * k * k)
        self.activation, self.down, self.k = activation, down, k

    def forward(self, x, gain=1.0):
        w = self.weight * self.weight_gain
        if self.down == 1:
            x = F.conv2d(x, w, padding=self.k // 2)
        elif self.k == 1:
            x = F.conv2d(downsample2d(x), w)
        else:  # 3x3, padding 1: blur with padding 2, then stride-2 conv
            x = F.conv2d(fir(x, (2, 2, 2, 2)), w, stride=2)
        if self.bias is not None:
            x = x + self.bias[None, :, None, None]
        return lrelu(x, gain) if self.activation == "lrelu" else x * gain


class Mapping(torch.nn.Module):
    def __init__(self, z_dim, w_dim, layers, lr_multiplier=0.01):
        super().__init__()
        dims = [z_dim] + [w_dim] * layers
        self.fcs = torch.nn.ModuleList(FC(a, b, "lrelu", lr_multiplier) for a, b in zip(dims[:-1], dims[1:]))
        self.register_buffer("w_avg", torch.zeros(w_dim))

    def forward(self, z, update_avg=False):
        x = z * (z.square().mean(1, keepdim=True) + 1e-8).rsqrt()
        for fc in self.fcs:
            x = fc(x)
        if update_avg:
            self.w_avg.copy_(x.detach().mean(0).lerp(self.w_avg, 0.995))
        return x


class SynthesisLayer(torch.nn.Module):
    def __init__(self, cin, cout, w_dim, resolution, up=1):
        super().__init__()
        self.affine = FC(w_dim, cin, bias_init=1)
        self.weight = torch.nn.Parameter(torch.randn(cout, cin, 3, 3))
        self.bias = torch.nn.Parameter(torch.zeros(cout))
        self.noise_strength = torch.nn.Parameter(torch.zeros([]))
        self.register_buffer("noise_const", torch.randn(resolution, resolution))
        self.up, self.resolution = up, resolution

    def forward(self, x, w, noise_mode="random"):
        styles = self.affine(w)
        n = x.shape[0]
        dcoefs = ((self.weight[None] * styles[:, None, :, None, None]).square().sum([2, 3, 4]) + 1e-8).rsqrt()
        x = x * styles[:, :, None, None]
        if self.up == 1:
            x = F.conv2d(x, self.weight, padding=1)
        else:  # transposed stride-2 conv, then the FIR filter (gain 4) with padding 1
            x = F.conv_transpose2d(x, self.weight.transpose(0, 1), stride=2)
            x = fir(x, (1, 1, 1, 1), gain=4.0)
        x = x * dcoefs[:, :, None, None]
        if noise_mode == "random":
            x = x + torch.randn(n, 1, self.resolution, self.resolution) * self.noise_strength
        elif noise_mode == "const":
            x = x + self.noise_const * self.noise_strength
        return lrelu(x + self.bias[None, :, None, None])


class ToRGB(torch.nn.Module):
    def __init__(self, cin, cout, w_dim):
        super().__init__()
        self.affine = FC(w_dim, cin, bias_init=1)
        self.weight = torch.nn.Parameter(torch.randn(cout, cin, 1, 1))
        self.bias = torch.nn.Parameter(torch.zeros(cout))
        self.weight_gain = 1 / math.sqrt(cin)

    def forward(self, x, w):
        styles = self.affine(w) * self.weight_gain
        x = F.conv2d(x * styles[:, :, None, None], self.weight)
        return x + self.bias[None, :, None, None]


class Synthesis(torch.nn.Module):
    def __init__(self, w_dim, resolution, channels, width, output_activation="linear"):
        super().__init__()
        self.output_activation = output_activation
        self.resolutions = [2**i for i in range(2, int(math.log2(resolution)) + 1)]
        ch = {r: min(width, width * 32 // r) for r in self.resolutions}
        self.const = torch.nn.Parameter(torch.randn(ch[4], 4, 4))
        self.convs0 = torch.nn.ModuleDict()
        self.convs1 = torch.nn.ModuleDict()
        self.torgbs = torch.nn.ModuleDict()
        for r in self.resolutions:
            if r > 4:
                self.convs0[str(r)] = SynthesisLayer(ch[r // 2], ch[r], w_dim, r, up=2)
            self.convs1[str(r)] = SynthesisLayer(ch[r], ch[r], w_dim, r)
            self.torgbs[str(r)] = ToRGB(ch[r], channels, w_dim)
        self.num_ws = 2 * len(self.resolutions)

    def forward(self, ws, noise_mode="random"):
        x = self.const[None].repeat(ws.shape[0], 1, 1, 1)
        img = None
        index = 0
        for r in self.resolutions:
            if r > 4:
                x = self.convs0[str(r)](x, ws[:, index], noise_mode)
                index += 1
            x = self.convs1[str(r)](x, ws[:, index], noise_mode)
            index += 1
            y = self.torgbs[str(r)](x, ws[:, index])
            img = y if img is None else upsample2d(img) + y
        return torch.tanh(img) if self.output_activation == "tanh" else img


class Generator(torch.nn.Module):
    def __init__(self, z_dim, w_dim, resolution, channels, width, mapping_layers, output_activation="linear"):
        super().__init__()
        self.synthesis = Synthesis(w_dim, resolution, channels, width, output_activation)
        self.num_ws = self.synthesis.num_ws
        self.mapping = Mapping(z_dim, w_dim, mapping_layers)


class Discriminator(torch.nn.Module):
    def __init__(self, resolution, channels, width, mbstd_group=4):
        super().__init__()
        ch = lambda r: min(width, width * 32 // r)  # noqa: E731
        self.fromrgb = Conv(channels, ch(resolution), 1)
        self.blocks = torch.nn.ModuleList()
        r = resolution
        while r > 4:
            self.blocks.append(
                torch.nn.ModuleDict(
                    {
                        "skip": Conv(ch(r), ch(r // 2), 1, "linear", bias=False, down=2),
                        "conv0": Conv(ch(r), ch(r), 3),
                        "conv1": Conv(ch(r), ch(r // 2), 3, down=2),
                    }
                )
            )
            r //= 2
        self.mbstd_group = mbstd_group
        self.conv = Conv(ch(4) + 1, ch(4), 3)
        self.fc = FC(ch(4) * 16, ch(4), "lrelu")
        self.out = FC(ch(4), 1)

    def forward(self, img):
        x = self.fromrgb(img)
        for block in self.blocks:
            y = block["skip"](x, gain=math.sqrt(0.5))
            x = block["conv1"](block["conv0"](x), gain=math.sqrt(0.5))
            x = y + x
        n, c, h, w = x.shape
        g = min(self.mbstd_group, n)
        y = x.reshape(g, -1, 1, c, h, w)
        y = (y - y.mean(0)).square().mean(0)
        y = (y + 1e-8).sqrt().mean([2, 3, 4]).reshape(-1, 1, 1, 1).repeat(g, 1, h, w)
        x = torch.cat([x, y], 1)
        x = self.conv(x)
        x = self.fc(x.flatten(1))
        return self.out(x)


class Trainer:
    """StyleGAN2Loss + training_loop phases: Gmain, Greg (every 4), Dmain, Dreg (every 16)."""

    def __init__(self, G, D, batch, lr=0.0025, r1_gamma=0.0032, pl_weight=2.0, mixing=0.9, eps=1e-8):
        self.G, self.D, self.batch = G, D, batch
        self.r1_gamma, self.pl_weight, self.mixing = r1_gamma, pl_weight, mixing
        self.pl_mean = torch.zeros([])
        self.g_interval, self.d_interval = 4, 16
        cg = 4 / 5 if pl_weight else 1.0  # the lazy-regularization correction of Adam
        cd = 16 / 17 if r1_gamma else 1.0
        self.g_opt = torch.optim.Adam(G.parameters(), lr=lr * cg, betas=(0.0, 0.99**cg), eps=eps)
        self.d_opt = torch.optim.Adam(D.parameters(), lr=lr * cd, betas=(0.0, 0.99**cd), eps=eps)
        self.z_dim = G.mapping.fcs[0].weight.shape[1]

    def run_G(self, z, update_avg=True):
        ws = self.G.mapping(z, update_avg)[:, None].repeat(1, self.G.num_ws, 1)
        if self.mixing > 0:
            cutoff = int(torch.randint(1, self.G.num_ws, ()))
            if float(torch.rand(())) >= self.mixing:
                cutoff = self.G.num_ws
            ws2 = self.G.mapping(torch.randn_like(z))[:, None].repeat(1, self.G.num_ws, 1)
            ws = torch.cat([ws[:, :cutoff], ws2[:, cutoff:]], 1)
        return self.G.synthesis(ws), ws

    def step(self, real, index):
        zs = torch.randn(4, self.batch, self.z_dim)
        logs = {}
        # Gmain
        self.D.requires_grad_(False)
        self.G.requires_grad_(True)
        self.g_opt.zero_grad(set_to_none=True)
        img, _ = self.run_G(zs[0])
        F.softplus(-self.D(img)).mean().backward()
        self.g_opt.step()
        # Greg
        if self.pl_weight and index % self.g_interval == 0:
            self.g_opt.zero_grad(set_to_none=True)
            half = self.batch // 2
            img, ws = self.run_G(zs[1][:half])
            noise = torch.randn_like(img) / math.sqrt(img.shape[2] * img.shape[3])
            (grads,) = torch.autograd.grad((img * noise).sum(), ws, create_graph=True)
            lengths = grads.square().sum(2).mean(1).sqrt()
            self.pl_mean = self.pl_mean.lerp(lengths.mean().detach(), 0.01)
            penalty = (lengths - self.pl_mean).square()
            (img[:, 0, 0, 0] * 0 + penalty * self.pl_weight).mean().mul(self.g_interval).backward()
            self.g_opt.step()
        # Dmain
        self.G.requires_grad_(False)
        self.D.requires_grad_(True)
        self.d_opt.zero_grad(set_to_none=True)
        with torch.no_grad():
            img, _ = self.run_G(zs[2], update_avg=False)
        fake_logits = self.D(img)
        real_logits = self.D(real)
        (F.softplus(fake_logits).mean() + F.softplus(-real_logits).mean()).backward()
        self.d_opt.step()
        logs["d_real"] = float(torch.sigmoid(real_logits.detach()).mean())
        logs["d_fake"] = float(torch.sigmoid(fake_logits.detach()).mean())
        # Dreg
        if self.r1_gamma and index % self.d_interval == 0:
            self.d_opt.zero_grad(set_to_none=True)
            real_tmp = real.detach().requires_grad_(True)
            logits = self.D(real_tmp)
            (grads,) = torch.autograd.grad(logits.sum(), real_tmp, create_graph=True)
            penalty = grads.square().sum([1, 2, 3]) * (self.r1_gamma / 2)
            (logits * 0 + penalty[:, None]).mean().mul(self.d_interval).backward()
            self.d_opt.step()
        return logs


def mnist_batches(data_dir, batch, seed):
    data = kgan.data.load("mnist", data_dir=data_dir, batch_size=batch, seed=seed, image_size=32)
    while True:
        for images in data:
            yield torch.from_numpy(np.transpose(images.numpy(), (0, 3, 1, 2)).copy())


def measure(G, extractor, count=1000):
    with torch.no_grad():
        gen = torch.Generator().manual_seed(0)
        z = torch.randn(count, G.mapping.fcs[0].weight.shape[1], generator=gen)
        ws = G.mapping(z)[:, None].repeat(1, G.num_ws, 1)
        images = torch.cat([G.synthesis(ws[i : i + 250], "const") for i in range(0, count, 250)])
    images = np.transpose(images.numpy(), (0, 2, 3, 1))
    return {"sample_std": round(float(images[:256].std(axis=0).mean()), 3), **class_coverage(images, extractor)}, images


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--data-dir", default="../shared/data/mnist")
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.0025)
    parser.add_argument("--r1-gamma", type=float, default=0.0032)
    parser.add_argument("--pl-weight", type=float, default=2.0)
    parser.add_argument("--mixing", type=float, default=0.9)
    parser.add_argument("--mapping-layers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--every", type=int, default=200)
    parser.add_argument("--grid", default=None)
    parser.add_argument("--output-activation", default="linear", choices=["linear", "tanh"])
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(2)
    extractor = kgan.metrics.domain_extractor("mnist")
    G = Generator(64, 64, 32, 1, args.width, args.mapping_layers, args.output_activation)
    D = Discriminator(32, 1, args.width)
    trainer = Trainer(G, D, 64, args.lr, args.r1_gamma, args.pl_weight, args.mixing)
    batches = mnist_batches(args.data_dir, 64, args.seed)
    started = time.perf_counter()
    initial, _ = measure(G, extractor)
    print(json.dumps({"step": 0, **initial}), flush=True)
    for index in range(1, args.steps + 1):
        logs = trainer.step(next(batches), index - 1)
        if index % args.every == 0 or index == args.steps:
            found, images = measure(G, extractor)
            print(
                json.dumps(
                    {
                        "step": index,
                        **found,
                        "d_real": round(logs["d_real"], 3),
                        "d_fake": round(logs["d_fake"], 3),
                        "seconds": round(time.perf_counter() - started, 1),
                    }
                ),
                flush=True,
            )
    if args.grid:
        kgan.images.save_grid(args.grid, images[:64])
    return 0


if __name__ == "__main__":
    sys.exit(main())
