"""Section 8 (bonus): the Deep Image Prior, CI-sized: the same code path on a smaller budget."""

import numpy as np
import pytest
import scipy.ndimage

import sol5
from evaluation import image_quality

pytestmark = pytest.mark.portable


def smooth_image(shape, seed=0):
    rng = np.random.default_rng(seed)
    image = scipy.ndimage.gaussian_filter(rng.random(shape), 3)
    return (image - image.min()) / (image.max() - image.min())


def test_denoises_a_64x64_image():
    clean = smooth_image((64, 64))
    noisy = sol5.add_gaussian_noise(clean, 0.1, 0.1, rng=np.random.default_rng(1))
    copy = noisy.copy()
    restored = sol5.deep_prior_restore_image(noisy, num_iterations=150, seed=0)
    np.testing.assert_array_equal(noisy, copy)
    assert restored.shape == (64, 64) and restored.dtype == np.float64
    assert 0 <= restored.min() and restored.max() <= 1
    assert image_quality(clean, restored)["psnr"] > image_quality(clean, noisy)["psnr"] + 2


def test_any_size_and_reproducible():
    noisy = np.random.default_rng(2).random((21, 30))
    first = sol5.deep_prior_restore_image(noisy, num_iterations=3, seed=5)
    assert first.shape == (21, 30)
    np.testing.assert_allclose(
        first, sol5.deep_prior_restore_image(noisy, num_iterations=3, seed=5), atol=1e-5
    )


def test_rejects_bad_arguments():
    with pytest.raises(ValueError, match="num_iterations"):
        sol5.deep_prior_restore_image(np.zeros((8, 8)), num_iterations=0)
    with pytest.raises(ValueError, match="2-D"):
        sol5.deep_prior_restore_image(np.zeros((8, 8, 3)))
