"""Sections 7.1.1 and 7.2.1: Gaussian noise and motion blur."""

import numpy as np
import pytest
import scipy.ndimage

import sol5
from sol5_utils import motion_blur_kernel


def natural_image(shape=(64, 64), seed=0):
    rng = np.random.default_rng(seed)
    return np.clip(scipy.ndimage.gaussian_filter(rng.random(shape), 2) * 2 - 0.5, 0, 1)


def is_quantized(image):
    return np.allclose(image * 255, np.round(image * 255), atol=1e-9)


def test_noise_has_the_asked_standard_deviation_and_zero_mean():
    image = np.full((400, 400), 0.5)
    noisy = sol5.add_gaussian_noise(image, 0.1, 0.1)
    difference = noisy - image
    assert difference.mean() == pytest.approx(0.0, abs=0.002)
    # rounding to 1/255 adds a uniform error of variance (1/255)**2 / 12
    assert difference.std() == pytest.approx(np.sqrt(0.1**2 + (1 / 255) ** 2 / 12), rel=0.02)
    assert is_quantized(noisy)


def test_sigma_is_drawn_uniformly_between_the_bounds():
    image = np.full((100, 100), 0.5)
    sigmas = np.array([(sol5.add_gaussian_noise(image, 0.02, 0.12) - 0.5).std() for _ in range(400)])
    assert sigmas.min() > 0.018 and sigmas.max() < 0.122
    assert sigmas.min() < 0.03 and sigmas.max() > 0.11
    assert sigmas.mean() == pytest.approx(0.07, abs=0.005)
    # uniform: each fifth of the range gets about a fifth of the draws
    counts, _ = np.histogram(sigmas, bins=5, range=(0.02, 0.12))
    assert counts.min() > 50


def test_noise_is_clipped_and_rounded_to_8_bit_levels():
    image = np.zeros((50, 50))
    image[:, 25:] = 1.0
    noisy = sol5.add_gaussian_noise(image, 0.3, 0.3)
    assert noisy.min() == 0.0 and noisy.max() == 1.0
    assert is_quantized(noisy)
    assert noisy.dtype == np.float64


def test_zero_sigma_only_rounds():
    image = natural_image()
    np.testing.assert_allclose(sol5.add_gaussian_noise(image, 0, 0), np.round(image * 255) / 255)


def test_noise_does_not_modify_its_input_and_is_seedable():
    image = natural_image()
    copy = image.copy()
    first = sol5.add_gaussian_noise(image, 0, 0.2, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(image, copy)
    np.testing.assert_array_equal(first, sol5.add_gaussian_noise(image, 0, 0.2, rng=np.random.default_rng(1)))


@pytest.mark.parametrize(
    ("image", "low", "high", "message"),
    [
        (np.zeros((8, 8)), 0.2, 0.1, "min_sigma <= max_sigma"),
        (np.zeros((8, 8)), -0.1, 0.1, "0 <= min_sigma"),
        (np.zeros((8, 8, 3)), 0.0, 0.1, "2-D"),
        (np.full((8, 8), 2.0), 0.0, 0.1, r"\[0, 1\]"),
    ],
)
def test_noise_rejects_bad_arguments(image, low, high, message):
    with pytest.raises(ValueError, match=message):
        sol5.add_gaussian_noise(image, low, high)


def direct_convolution(image, kernel):
    """Convolution written out: flip the kernel, slide it over the reflected image, sum."""
    half = kernel.shape[0] // 2
    padded = np.pad(image, half, mode="symmetric")  # numpy's "symmetric" is scipy's "reflect"
    flipped = kernel[::-1, ::-1]
    out = np.zeros_like(image)
    for r in range(kernel.shape[0]):
        for c in range(kernel.shape[1]):
            out += flipped[r, c] * padded[r : r + image.shape[0], c : c + image.shape[1]]
    return out


@pytest.mark.parametrize(("kernel_size", "angle"), [(7, 0.0), (7, 0.3), (5, np.pi / 2), (9, 2.5), (3, 3.1)])
def test_motion_blur_is_the_convolution_with_the_kernel(kernel_size, angle):
    image = natural_image((40, 52))
    blurred = sol5.add_motion_blur(image, kernel_size, angle)
    np.testing.assert_allclose(
        blurred, direct_convolution(image, motion_blur_kernel(kernel_size, angle)), atol=1e-12
    )


def test_horizontal_blur_smears_along_rows_only():
    stripes = np.tile((np.arange(30) % 2).astype(float)[:, None], (1, 30))  # horizontal stripes
    np.testing.assert_allclose(sol5.add_motion_blur(stripes, 7, 0.0), stripes, atol=1e-12)
    assert not np.allclose(sol5.add_motion_blur(stripes, 7, np.pi / 2), stripes)


def test_motion_blur_keeps_the_mean_and_does_not_modify_its_input():
    image = natural_image()
    copy = image.copy()
    blurred = sol5.add_motion_blur(image, 7, 1.0)
    np.testing.assert_array_equal(image, copy)
    assert blurred.mean() == pytest.approx(image.mean(), abs=0.01)
    assert blurred.std() < image.std()


def test_random_blur_draws_every_size_and_angles_over_zero_to_pi(monkeypatch):
    calls = []
    real_blur = sol5.add_motion_blur
    monkeypatch.setattr(sol5, "add_motion_blur", lambda im, k, a: calls.append((k, a)) or real_blur(im, k, a))
    image = natural_image((20, 20))
    for _ in range(600):
        sol5.random_motion_blur(image, [3, 5, 7])
    sizes = np.array([size for size, _ in calls])
    angles = np.array([angle for _, angle in calls])
    # 200 each expected, the last size included; the bounds are 5 standard deviations away
    assert all(140 < np.count_nonzero(sizes == k) < 260 for k in (3, 5, 7))
    assert angles.min() >= 0 and angles.max() < np.pi
    counts, _ = np.histogram(angles, bins=6, range=(0, np.pi))
    assert counts.min() > 60


def test_random_blur_is_rounded_clipped_and_seedable():
    image = natural_image()
    blurred = sol5.random_motion_blur(image, [7], rng=np.random.default_rng(2))
    assert is_quantized(blurred) and 0 <= blurred.min() and blurred.max() <= 1
    np.testing.assert_array_equal(blurred, sol5.random_motion_blur(image, [7], rng=np.random.default_rng(2)))
    angle = np.random.default_rng(2).uniform(0, np.pi)
    np.testing.assert_allclose(blurred, np.round(sol5.add_motion_blur(image, 7, angle) * 255) / 255)


@pytest.mark.parametrize("sizes", [[], [4], [3, 6], [0]])
def test_random_blur_rejects_bad_kernel_lists(sizes):
    with pytest.raises(ValueError, match="odd"):
        sol5.random_motion_blur(np.zeros((10, 10)), sizes)


def test_motion_blur_rejects_even_kernels():
    with pytest.raises(ValueError, match="odd"):
        sol5.add_motion_blur(np.zeros((10, 10)), 4, 0.0)
