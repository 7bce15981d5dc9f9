"""kgan.DCGAN: the sizes it builds for and the ones it refuses."""

import numpy as np
import pytest

import kgan


@pytest.mark.parametrize("shape", [(28, 28, 1), (32, 32, 3), (64, 64, 3), (48, 48, 3)])
def test_dcgan_builds_for_common_image_sizes(shape):
    gan = kgan.DCGAN(image_shape=shape, latent_dim=16, width=8)
    assert gan.generate(2, seed=0).shape == (2, *shape)
    assert tuple(gan.discriminator(np.zeros((2, *shape), np.float32)).shape) == (2, 1)


@pytest.mark.parametrize("shape", [(27, 27, 1), (100, 100, 3), (28, 28)])
def test_dcgan_rejects_sizes_it_cannot_build(shape):
    with pytest.raises(ValueError, match="image"):
        kgan.DCGAN(image_shape=shape)
