"""read_image, from the course's first exercise: grayscale or RGB, float64 in [0, 1]."""

import imageio.v3 as iio
import numpy as np
import pytest
from skimage.color import rgb2gray

import sol5


@pytest.fixture
def rgb_pixels():
    return np.random.default_rng(0).integers(0, 256, (12, 9, 3), dtype=np.uint8)


def test_grayscale_file_as_grayscale(tmp_path):
    pixels = np.arange(120, dtype=np.uint8).reshape(10, 12) * 2
    iio.imwrite(tmp_path / "gray.png", pixels)
    image = sol5.read_image(str(tmp_path / "gray.png"), 1)
    assert image.dtype == np.float64 and image.shape == (10, 12)
    np.testing.assert_array_equal(image, pixels / 255)


def test_rgb_file_as_rgb_and_as_grayscale(tmp_path, rgb_pixels):
    iio.imwrite(tmp_path / "colour.png", rgb_pixels)
    rgb = sol5.read_image(str(tmp_path / "colour.png"), 2)
    np.testing.assert_array_equal(rgb, rgb_pixels / 255)
    gray = sol5.read_image(str(tmp_path / "colour.png"), 1)
    assert gray.shape == (12, 9) and gray.dtype == np.float64
    np.testing.assert_allclose(gray, rgb2gray(rgb_pixels / 255))


def test_alpha_is_dropped_and_grayscale_read_as_rgb_repeats_its_channel(tmp_path, rgb_pixels):
    rgba = np.concatenate([rgb_pixels, np.full((12, 9, 1), 128, np.uint8)], axis=2)
    iio.imwrite(tmp_path / "alpha.png", rgba)
    np.testing.assert_array_equal(sol5.read_image(str(tmp_path / "alpha.png"), 2), rgb_pixels / 255)
    iio.imwrite(tmp_path / "gray.png", rgb_pixels[..., 0])
    rgb = sol5.read_image(str(tmp_path / "gray.png"), 2)
    assert rgb.shape == (12, 9, 3)
    np.testing.assert_array_equal(rgb[..., 2], rgb_pixels[..., 0] / 255)


def test_16_bit_images_use_their_full_range(tmp_path):
    pixels = np.array([[0, 65535], [32768, 1000]], dtype=np.uint16)
    iio.imwrite(tmp_path / "deep.png", pixels)
    np.testing.assert_allclose(sol5.read_image(str(tmp_path / "deep.png"), 1), pixels / 65535)


def test_bad_representation_and_missing_file(tmp_path, rgb_pixels):
    iio.imwrite(tmp_path / "colour.png", rgb_pixels)
    with pytest.raises(ValueError, match="representation"):
        sol5.read_image(str(tmp_path / "colour.png"), 3)
    with pytest.raises(FileNotFoundError, match="nothing.png"):
        sol5.read_image(str(tmp_path / "nothing.png"), 1)
